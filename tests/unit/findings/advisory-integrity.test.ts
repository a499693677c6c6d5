// Review fixes in the findings domain (pure): a report withdrawn after disclosure is known_not_affected
// in CSAF; hardware revisions in the public advisory and in CSAF product ids and names; no CSAF
// document without an affected version; the provider's revision of an older document in time order;
// a fix is never in a version the report affects.
import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { affectedText, SealAdvisories } from "../../../app/components/Advisories";
import {
  csafAffectedVersions,
  csafDocument,
  csafProductId,
  csafRevisions,
  csafTimelineOf,
  type CsafDocumentInput,
} from "../../../app/features/findings/domain/csaf";
import { publicAdvisory, type DisclosureFinding } from "../../../app/features/findings/domain/disclosure";
import { fixInAffectedVersionProblem } from "../../../app/features/findings/domain/findings";
import { csafProblems } from "../../support/csaf";

const at = (iso: string) => new Date(iso);
const AFTER = at("2027-07-01T00:00:00Z");

function finding(over: Partial<DisclosureFinding> = {}): DisclosureFinding {
  return {
    id: "f-1",
    advisoryId: "IOTSEAL-2027-0001",
    title: "Pairing PIN can be brute-forced over BLE",
    description: "",
    severity: "high",
    status: "open",
    reportedAt: at("2027-03-01T14:03:00Z"),
    recordedAt: at("2027-03-01T14:03:00Z"),
    deadline: at("2027-05-30T14:03:00Z"),
    verifiedAt: null,
    publishedAt: null,
    fixedInVersion: null,
    affectedVersions: ["2.0.0"],
    affected: [
      { hardwareRevision: "A", firmwareVersion: "2.0.0" },
      { hardwareRevision: "B", firmwareVersion: "2.0.0" },
    ],
    ...over,
  };
}

function documentOf(f: DisclosureFinding, over: Partial<CsafDocumentInput> = {}) {
  const advisory = publicAdvisory(f, AFTER)!;
  return csafDocument({
    advisory,
    timeline: csafTimelineOf(f, AFTER)!,
    product: {
      name: "Kids Watch",
      model: "KW-1",
      gtin: "5060123450002",
      sku: null,
      vendor: "Gator Wearables Ltd",
      disclosurePolicyUrl: null,
    },
    publisher: {
      name: "IoT Seal Assurance",
      namespace: "https://seal.example",
      contact: "mailto:security@seal.example",
    },
    links: { self: "https://seal.example/.well-known/csaf/white/2027/iotseal-2027-0001.json", page: null },
    generator: { name: "IoT Seal CSAF provider", version: "1.0.0" },
    ...over,
  });
}

describe("a report withdrawn after disclosure, in CSAF", () => {
  it("lists its products known_not_affected, flagged vulnerable_code_not_present, with no threat and no remediation", async () => {
    const doc = documentOf(finding({ status: "withdrawn", withdrawnAt: at("2027-06-20T00:00:00Z") }));
    const v = doc.vulnerabilities[0];
    expect(v.product_status).toEqual({ known_not_affected: ["IOTSEAL-FW-2.0.0"] });
    expect(v.flags).toEqual([{ label: "vulnerable_code_not_present", product_ids: ["IOTSEAL-FW-2.0.0"] }]);
    expect(v.threats).toBeUndefined();
    expect(v.remediations).toBeUndefined();
    expect(doc.document.notes[0].text).toContain("Reported against Kids Watch (model KW-1) firmware 2.0.0.");
    expect(doc.document.tracking).toMatchObject({ version: "2", status: "final" });
    expect(await csafProblems(doc)).toEqual([]);
  });

  it("reads as affected with a threat before the withdrawal", () => {
    const v = documentOf(finding()).vulnerabilities[0];
    expect(v.product_status).toEqual({ known_affected: ["IOTSEAL-FW-2.0.0"] });
    expect(v.threats).toHaveLength(1);
    expect(v.flags).toBeUndefined();
  });
});

describe("hardware revisions", () => {
  it("are in the public advisory", () => {
    const a = publicAdvisory(finding({ affected: [{ hardwareRevision: "B", firmwareVersion: "2.0.0" }] }), AFTER)!;
    expect(a.affected).toEqual([{ hardwareRevision: "B", firmwareVersion: "2.0.0" }]);
    expect(affectedText(a)).toBe("2.0.0 (hardware B)");
    expect(affectedText(publicAdvisory(finding(), AFTER)!)).toBe("2.0.0 (hardware A, B)");
    const html = renderToStaticMarkup(
      createElement(SealAdvisories, { view: { advisories: [a], openEmbargoed: null, audience: "public" } }),
    );
    expect(html).toContain("2.0.0 (hardware B)");
  });

  it("product ids name them unambiguously when asked; without, as before", () => {
    expect(csafProductId("1.0.4")).toBe("IOTSEAL-FW-1.0.4");
    expect(csafProductId("1.0.4", "B")).toBe("IOTSEAL-HW-B-FW-1.0.4");
    expect(csafProductId("1", "B-FW")).toBe("IOTSEAL-HW-B_2D_FW-FW-1");
    expect(csafProductId("1", "B-FW")).not.toBe(csafProductId("FW-1", "B"));
    expect(csafProductId("1.0", "rev 2")).toBe("IOTSEAL-HW-rev_20_2-FW-1.0");
  });

  it("a document naming them: one product_name per revision, ids and names with it, the fix in each affected revision; valid", async () => {
    const f = finding({
      status: "verified_fixed",
      verifiedAt: at("2027-06-10T00:00:00Z"),
      fixedInVersion: "2.1.0",
      affectedVersions: ["1.9.0", "2.0.0"],
      affected: [
        { hardwareRevision: "A", firmwareVersion: "1.9.0" },
        { hardwareRevision: "B", firmwareVersion: "2.0.0" },
      ],
    });
    const doc = documentOf(f, { hardwareRevisions: true, components: ["pkg:generic/openssl@3.0.13"] });
    const v = doc.vulnerabilities[0];
    expect(v.product_status).toEqual({
      known_affected: [
        "IOTSEAL-HW-A-FW-1.9.0",
        "IOTSEAL-HW-B-FW-2.0.0",
        "IOTSEAL-HW-A-FW-1.9.0-COMP-1",
        "IOTSEAL-HW-B-FW-2.0.0-COMP-1",
      ],
      fixed: ["IOTSEAL-HW-A-FW-2.1.0", "IOTSEAL-HW-B-FW-2.1.0"],
    });
    const vendor = doc.product_tree.branches[0];
    expect(vendor.branches!.map((b) => [b.category, b.name, b.branches!.map((x) => x.name)])).toEqual([
      ["product_name", "Kids Watch hardware revision A", ["1.9.0", "2.1.0"]],
      ["product_name", "Kids Watch hardware revision B", ["2.0.0", "2.1.0"]],
    ]);
    expect(vendor.branches![1].branches![0].product!.name).toBe(
      "Gator Wearables Ltd Kids Watch (model KW-1) hardware revision B firmware 2.0.0",
    );
    expect(doc.document.notes[0].text).toContain(
      "Affects Kids Watch (model KW-1) hardware revision A firmware 1.9.0; hardware revision B firmware 2.0.0",
    );
    expect(await csafProblems(doc)).toEqual([]);
  });
});

describe("no CSAF document without an affected version", () => {
  it("a fix 'in' the only affected version leaves nothing affected: the provider skips it, the mapping refuses it", () => {
    const f = finding({
      status: "verified_fixed",
      verifiedAt: at("2027-06-10T00:00:00Z"),
      fixedInVersion: "2.0.0",
    });
    const advisory = publicAdvisory(f, AFTER)!;
    expect(csafAffectedVersions(advisory)).toEqual([]);
    expect(csafAffectedVersions(advisory, true)).toEqual([]);
    expect(() => documentOf(f)).toThrow(RangeError);
  });

  it("the domain refuses such a fix in the first place", () => {
    expect(fixInAffectedVersionProblem(" 2.0.0 ", ["1.9.0", "2.0.0"])).toBe(
      "Firmware 2.0.0 is one of the versions this report affects: the fix must be in another firmware version.",
    );
    expect(fixInAffectedVersionProblem("2.0.1", ["1.9.0", "2.0.0"])).toBeNull();
  });
});

describe("the provider's revision of a document published before snapshots existed", () => {
  it("takes its place in time order, numbered after the steps before it", () => {
    const f = finding({ status: "verified_fixed", verifiedAt: at("2027-06-25T00:00:00Z"), fixedInVersion: "2.1.0" });
    const advisory = publicAdvisory(f, AFTER)!;
    const timeline = {
      ...csafTimelineOf(f, AFTER)!,
      revised: { at: at("2027-06-10T00:00:00Z"), summary: "Revised by IoT Seal Assurance: x." },
    };
    expect(csafRevisions(advisory, timeline).map((r) => [r.number, r.date, r.summary.slice(0, 14)])).toEqual([
      ["1", "2027-05-30T14:03:00Z", "Initial public"],
      ["2", "2027-06-10T00:00:00Z", "Revised by IoT"],
      ["3", "2027-06-25T00:00:00Z", "Fix verified i"],
    ]);
  });
});
