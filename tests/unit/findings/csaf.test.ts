// The CSAF 2.0 mapping (app/features/findings/domain/csaf.ts) and the provider directory's files
// (domain/csaf-directory.ts): pure functions, with the documents checked by csaf-validator-lib.
import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { SealAdvisories } from "../../../app/components/Advisories";
import {
  csafDate,
  csafDocument,
  csafProductId,
  csafRevisions,
  csafText,
  csafTimelineOf,
  gtinUri,
  type CsafDocumentInput,
} from "../../../app/features/findings/domain/csaf";
import {
  changesCsv,
  csafFileName,
  csafPathOfAdvisory,
  csafRelativePath,
  indexTxt,
  securityTxt,
  sha256File,
} from "../../../app/features/findings/domain/csaf-directory";
import { publicAdvisory, type DisclosureFinding } from "../../../app/features/findings/domain/disclosure";
import { csafOptionalFindings, csafProblems } from "../../support/csaf";

const at = (iso: string) => new Date(iso);
const REPORTED = at("2027-03-01T14:03:00Z");
const DEADLINE = at("2027-05-30T14:03:00Z");

function finding(over: Partial<DisclosureFinding> = {}): DisclosureFinding {
  return {
    id: "f-1",
    advisoryId: "IOTSEAL-2027-0001",
    title: "Pairing PIN can be brute-forced over BLE",
    description: "SECRET-DESCRIPTION: the 4-digit PIN has no rate limit.",
    severity: "high",
    status: "open",
    reportedAt: REPORTED,
    recordedAt: REPORTED,
    deadline: DEADLINE,
    verifiedAt: null,
    publishedAt: null,
    fixedInVersion: null,
    affectedVersions: ["2.0.1", "2.0.0"],
    reporter: "SECRET-REPORTER",
    ...over,
  };
}

/** The document of `f` as the service builds it, at `now` (null while it is not public). */
function documentOf(f: DisclosureFinding, now: Date, over: Partial<CsafDocumentInput["product"]> = {}) {
  const advisory = publicAdvisory(f, now);
  const timeline = csafTimelineOf(f, now);
  if (!advisory || !timeline) return null;
  return csafDocument({
    advisory,
    timeline,
    product: {
      name: "Kids Watch",
      model: "KW-1",
      gtin: "5060123450002",
      sku: "KW-1-BLU",
      vendor: "Gator Wearables Ltd",
      disclosurePolicyUrl: "https://gator.example/security",
      ...over,
    },
    publisher: {
      name: "IoT Seal Assurance",
      namespace: "https://seal.example",
      contact: "mailto:security@seal.example",
    },
    links: { self: "https://seal.example/.well-known/csaf/white/2027/iotseal-2027-0001.json", page: null },
    generator: { name: "IoT Seal CSAF provider", version: "1.0.0" },
  });
}

describe("CSAF 2.0 5.1 file names and 7.1.11 folders", () => {
  it("lower-cases the tracking id and replaces every run of other characters by one underscore", () => {
    expect(csafFileName("IOTSEAL-2026-0004")).toBe("iotseal-2026-0004.json");
    expect(csafFileName("Example Company // PSIRT-2022:1+a")).toBe("example_company_psirt-2022_1+a.json");
  });

  it("puts a document in the folder of its initial release year (not the report's), which the advisory page links", () => {
    // Reported in December 2027, the fix certified (and so disclosed) in January 2028.
    const f = finding({
      reportedAt: at("2027-12-20T00:00:00Z"),
      deadline: at("2028-03-19T00:00:00Z"),
      status: "verified_fixed",
      verifiedAt: at("2028-01-02T10:00:00Z"),
      fixedInVersion: "2.1.0",
    });
    const now = at("2028-02-01T00:00:00Z");
    expect(csafRelativePath(documentOf(f, now)!)).toBe("2028/iotseal-2027-0001.json");
    expect(csafPathOfAdvisory(publicAdvisory(f, now)!)).toBe("/.well-known/csaf/white/2028/iotseal-2027-0001.json");
  });
});

describe("the document", () => {
  it("is nothing while the report is under embargo, or withdrawn under embargo", () => {
    expect(documentOf(finding(), at("2027-04-01T00:00:00Z"))).toBeNull();
    expect(
      documentOf(finding({ status: "withdrawn", withdrawnAt: at("2027-04-01T00:00:00Z") }), at("2027-07-01T00:00:00Z")),
    ).toBeNull();
  });

  it("never carries the description or the reporter", async () => {
    const doc = documentOf(finding(), at("2027-06-01T00:00:00Z"))!;
    expect(JSON.stringify(doc)).not.toMatch(/SECRET/);
    expect(await csafProblems(doc)).toEqual([]);
  });

  it("CSAF 2.0 6.2: of the optional tests only 6.2.3 warns (no CVSS score: the vector is not public)", async () => {
    const f = finding({ status: "verified_fixed", verifiedAt: at("2027-04-01T00:00:00Z"), fixedInVersion: "2.1.0" });
    const doc = documentOf(f, at("2027-05-01T00:00:00Z"))!;
    // Served with sorted keys (6.2.13) and an https self URL ending in the file name (6.2.11).
    expect(await csafOptionalFindings(JSON.parse(csafText(doc)))).toEqual(["optionalTest_6_2_3"]);
  });

  it("past the deadline with no fix: version 1, interim, known_affected sorted, none_available", async () => {
    const doc = documentOf(finding(), at("2027-06-01T00:00:00Z"))!;
    expect(doc.document.tracking).toMatchObject({
      status: "interim",
      version: "1",
      initial_release_date: "2027-05-30T14:03:00Z",
      current_release_date: "2027-05-30T14:03:00Z",
    });
    expect(doc.vulnerabilities[0].product_status).toEqual({ known_affected: ["IOTSEAL-FW-2.0.1", "IOTSEAL-FW-2.0.0"] });
    expect(doc.product_tree.branches[0].branches![0].branches!.map((b) => b.name)).toEqual(["2.0.0", "2.0.1"]);
    expect(doc.vulnerabilities[0].remediations![0].category).toBe("none_available");
    expect(await csafProblems(doc)).toEqual([]);
  });

  it("a fix certified after the deadline: version 2, final, fixed and vendor_fix; the revision history says both", async () => {
    const f = finding({
      status: "verified_fixed",
      verifiedAt: at("2027-06-10T08:00:00.750Z"),
      fixedInVersion: "2.1.0",
    });
    const doc = documentOf(f, at("2027-07-01T00:00:00Z"))!;
    expect(doc.document.tracking).toMatchObject({
      status: "final",
      version: "2",
      current_release_date: "2027-06-10T08:00:00Z",
    });
    expect(doc.document.tracking.revision_history.map((r) => [r.number, r.date])).toEqual([
      ["1", "2027-05-30T14:03:00Z"],
      ["2", "2027-06-10T08:00:00Z"],
    ]);
    expect(doc.vulnerabilities[0].product_status.fixed).toEqual(["IOTSEAL-FW-2.1.0"]);
    expect(doc.vulnerabilities[0].remediations![0]).toMatchObject({
      category: "vendor_fix",
      details: "Update to firmware 2.1.0.",
      product_ids: ["IOTSEAL-FW-2.0.1", "IOTSEAL-FW-2.0.0"],
    });
    expect(await csafProblems(doc)).toEqual([]);
  });

  it("withdrawn after disclosure: one more version, final, marked in a note; still valid", async () => {
    const f = finding({ status: "withdrawn", withdrawnAt: at("2027-06-20T00:00:00Z") });
    const doc = documentOf(f, at("2027-07-01T00:00:00Z"))!;
    expect(doc.document.tracking).toMatchObject({ status: "final", version: "2" });
    expect(doc.document.notes.map((n) => n.title)).toContain("Withdrawn after disclosure");
    expect(await csafProblems(doc)).toEqual([]);
  });

  it("the GTIN is a GS1 Digital Link URI of 14 digits; a product without GTIN or SKU has its model number only", async () => {
    expect(gtinUri("5060123450002")).toBe("https://id.gs1.org/01/05060123450002");
    expect(gtinUri("96385074")).toBe("https://id.gs1.org/01/00000096385074");
    expect(gtinUri("12345")).toBeNull();
    const doc = documentOf(finding(), at("2027-06-01T00:00:00Z"), {
      gtin: null,
      sku: null,
      disclosurePolicyUrl: "not a url",
    })!;
    const helper = doc.product_tree.branches[0].branches![0].branches![0].product!.product_identification_helper;
    expect(helper).toEqual({ model_numbers: ["KW-1"] });
    expect(doc.document.references.map((r) => r.category)).toEqual(["self"]);
    expect(await csafProblems(doc)).toEqual([]);
  });

  it("product ids are safe and stable; dates are to the second", () => {
    // Letters, digits, ".", "+" and "-" are kept; anything else is its code point between underscores.
    expect(csafProductId("1.0.4")).toBe("IOTSEAL-FW-1.0.4");
    expect(csafProductId("2.0.0-rc.1+build-7")).toBe("IOTSEAL-FW-2.0.0-rc.1+build-7");
    expect(csafProductId("1.0.4 beta/2")).toBe("IOTSEAL-FW-1.0.4_20_beta_2F_2");
    expect(csafProductId("1.0.4 beta/2")).toBe(csafProductId("1.0.4 beta/2"));
    expect(csafDate(at("2027-01-02T03:04:05.999Z"))).toBe("2027-01-02T03:04:05Z");
    const f = finding({ status: "verified_fixed", verifiedAt: at("2027-04-01T00:00:00Z"), fixedInVersion: "2.1.0" });
    const advisory = publicAdvisory(f, at("2027-05-01T00:00:00Z"))!;
    expect(csafRevisions(advisory, csafTimelineOf(f, at("2027-05-01T00:00:00Z"))!)).toEqual([
      {
        date: "2027-04-01T00:00:00Z",
        number: "1",
        summary: "Initial public release: the certification body's assessor verified the fix.",
      },
    ]);
  });
});

describe("product ids never collide (CSAF 2.0 6.1.2, and known_affected's uniqueItems)", () => {
  it("versions that differ only in characters that must be replaced get different ids", () => {
    const versions = [
      "1.0.0-é",
      "1.0.0-ü",
      "1.0.0-_",
      "1.0.0- ",
      "1.0.0-\u00e9",
      "1.0.0-e\u0301",
      "1.0 b",
      "1.0_b",
      "1.0.0-😀",
    ];
    const ids = versions.map((v) => csafProductId(v));
    // "1.0.0-é" written twice (the same string) is one id; everything else is distinct.
    expect(new Set(ids).size).toBe(new Set(versions).size);
    expect(csafProductId("1.0.0-é")).not.toBe(csafProductId("1.0.0-ü"));
    expect(csafProductId("1.0 b")).not.toBe(csafProductId("1.0_b"));
    for (const id of ids) expect(id).toMatch(/^IOTSEAL-FW-[A-Za-z0-9.+_-]+$/);
  });

  it("a document whose firmware versions differ only in accents has unique product ids and unique known_affected / fixed", async () => {
    const f = finding({
      affectedVersions: ["1.0.0-é", "1.0.0-ü"],
      status: "verified_fixed",
      verifiedAt: at("2027-04-01T00:00:00Z"),
      fixedInVersion: "1.0.0-ö",
    });
    const doc = documentOf(f, at("2027-05-01T00:00:00Z"))!;
    const status = doc.vulnerabilities[0].product_status;
    expect(status.known_affected).toEqual([csafProductId("1.0.0-é"), csafProductId("1.0.0-ü")]);
    expect(new Set(status.known_affected).size).toBe(2);
    expect(status.fixed).toEqual([csafProductId("1.0.0-ö")]);
    expect(status.known_affected).not.toContain(status.fixed![0]);
    const branchIds = doc.product_tree.branches[0].branches![0].branches!.map((b) => b.product!.product_id);
    expect(new Set(branchIds).size).toBe(3);
    expect(await csafProblems(doc)).toEqual([]);
  });
});

describe("a report recorded after its disclosure deadline had passed (back-dated)", () => {
  // Reported 2026-09-01 (deadline 2026-10-01), but recorded in the portal only on 2026-12-05.
  const backdated = finding({
    advisoryId: "IOTSEAL-2026-0009",
    reportedAt: at("2026-09-01T00:00:00Z"),
    recordedAt: at("2026-12-05T09:30:00Z"),
    deadline: at("2026-10-01T00:00:00Z"),
  });

  it("is released when it was recorded, not at its deadline, and its notes say why", async () => {
    const doc = documentOf(backdated, at("2026-12-05T10:00:00Z"))!;
    expect(doc.document.tracking).toMatchObject({
      initial_release_date: "2026-12-05T09:30:00Z",
      current_release_date: "2026-12-05T09:30:00Z",
      status: "interim",
      version: "1",
    });
    expect(doc.document.tracking.revision_history).toEqual([
      {
        date: "2026-12-05T09:30:00Z",
        number: "1",
        summary: "Initial public release: it was recorded, after its disclosure deadline had passed.",
      },
    ]);
    expect(doc.document.notes[1].text).toContain(
      "Reported to IoT Seal Assurance on 2026-09-01; public since 2026-12-05, when it was recorded, after its disclosure deadline had passed.",
    );
    expect(await csafProblems(doc)).toEqual([]);
    // Before it was recorded there is nothing (the portal did not know of it).
    expect(documentOf(backdated, at("2026-12-05T09:29:59Z"))).toBeNull();
  });

  it("is listed first in changes.csv (newest), above an advisory disclosed before it was recorded, and its folder is the recording's year", () => {
    const earlier = finding({
      advisoryId: "IOTSEAL-2026-0008",
      reportedAt: at("2026-08-01T00:00:00Z"),
      recordedAt: at("2026-08-01T08:00:00Z"),
      deadline: at("2026-10-30T00:00:00Z"),
      publishedAt: at("2026-11-20T12:00:00Z"),
    });
    const now = at("2026-12-06T00:00:00Z");
    const listings = [backdated, earlier].map((f) => {
      const doc = documentOf(f, now)!;
      return { path: csafRelativePath(doc), currentReleaseDate: doc.document.tracking.current_release_date };
    });
    expect(changesCsv(listings)).toBe(
      '"2026/iotseal-2026-0009.json","2026-12-05T09:30:00Z"\n' +
        '"2026/iotseal-2026-0008.json","2026-10-30T00:00:00Z"\n',
    );
  });
});

describe("a report withdrawn after disclosure", () => {
  it("says it was withdrawn and promises no update", async () => {
    const f = finding({ status: "withdrawn", withdrawnAt: at("2027-06-20T00:00:00Z") });
    const doc = documentOf(f, at("2027-07-01T00:00:00Z"))!;
    const summary = doc.document.notes.find((n) => n.category === "summary")!.text;
    expect(summary).toContain("Withdrawn: IoT Seal Assurance withdrew the report on 2027-06-20, after its disclosure");
    expect(summary).toContain("this advisory will not be updated");
    expect(JSON.stringify(doc)).not.toMatch(/updated when/);
    expect(doc.document.tracking.status).toBe("final");
  });
});

describe("the directory's files", () => {
  const listings = [
    { path: "2026/iotseal-2026-0003.json", currentReleaseDate: "2026-11-05T10:00:00Z" },
    { path: "2026/iotseal-2026-0004.json", currentReleaseDate: "2026-11-19T10:00:00Z" },
    { path: "2025/iotseal-2025-0009.json", currentReleaseDate: "2026-01-01T00:00:00Z" },
  ];

  it("CSAF 2.0 7.1.12: index.txt has one path per line", () => {
    expect(indexTxt(listings)).toBe(
      "2025/iotseal-2025-0009.json\n2026/iotseal-2026-0003.json\n2026/iotseal-2026-0004.json\n",
    );
    expect(indexTxt([])).toBe("");
  });

  it("CSAF 2.0 7.1.13: changes.csv lists every document, newest first, quoted", () => {
    expect(changesCsv(listings)).toBe(
      '"2026/iotseal-2026-0004.json","2026-11-19T10:00:00Z"\n' +
        '"2026/iotseal-2026-0003.json","2026-11-05T10:00:00Z"\n' +
        '"2025/iotseal-2025-0009.json","2026-01-01T00:00:00Z"\n',
    );
  });

  it("CSAF 2.0 7.1.18: the .sha256 file starts with the digest", () => {
    expect(sha256File("ab".repeat(32), "iotseal-2026-0004.json")).toBe(`${"ab".repeat(32)}  iotseal-2026-0004.json\n`);
  });

  it("CSAF 2.0 7.1.8: security.txt has Contact, Expires (180 days ahead, to the day), CSAF, Canonical, Preferred-Languages", () => {
    expect(
      securityTxt({
        baseUrl: "https://seal.example",
        contact: "mailto:security@seal.example",
        now: at("2026-12-03T10:11:12Z"),
      }),
    ).toBe(
      [
        "Contact: mailto:security@seal.example",
        "Expires: 2027-06-01T00:00:00Z",
        "CSAF: https://seal.example/.well-known/csaf/provider-metadata.json",
        "Canonical: https://seal.example/.well-known/security.txt",
        "Preferred-Languages: en",
        "",
      ].join("\n"),
    );
  });
});

describe("the human advisory page", () => {
  it('links each advisory\'s CSAF document: "Machine-readable: CSAF 2.0"', () => {
    const f = finding({ status: "verified_fixed", verifiedAt: at("2027-04-01T00:00:00Z"), fixedInVersion: "2.1.0" });
    const advisory = publicAdvisory(f, at("2027-05-01T00:00:00Z"))!;
    const html = renderToStaticMarkup(
      createElement(SealAdvisories, { view: { advisories: [advisory], openEmbargoed: null, audience: "public" } }),
    );
    expect(html).toContain(
      '<a class="small" href="/.well-known/csaf/white/2027/iotseal-2027-0001.json" type="application/json" data-testid="advisory-csaf">Machine-readable: CSAF 2.0</a>',
    );
  });
});
