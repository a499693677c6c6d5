// Imported CSAF advisories, reviewed: a seal issued after an advisory is matched then (imported
// advisories and our public ones, the same keys: nobody is told twice); first/last affected are the
// ends of a range and a purl without a version is the package (both "check the version"), a
// version named fixed no longer matches; what the import leaves out is shown on the advisory.
import fs from "node:fs";
import path from "node:path";
import { Readable } from "node:stream";
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { findings, notifications, products, productVersions, seals } from "../../../db/schema";
import { attachUploads, store } from "../../../app/features/certification/evidence.server";
import { possiblyAffectedFirmware } from "../../../app/features/certification/sbom.server";
import {
  confirmApproval,
  proposeApproval,
  recordVerdict,
  takeSubmission,
} from "../../../app/features/certification/review.server";
import { saveAnswer, submitSubmission } from "../../../app/features/certification/submissions.server";
import { importCsafAdvisory, importedAdvisoryView } from "../../../app/features/findings/csaf-import.server";
import { publishAdvisory } from "../../../app/features/findings/disclosure.server";
import { recordFinding } from "../../../app/features/findings/findings.server";
import { findingInput } from "../../../app/features/findings/forms";
import { db } from "../../../app/platform/db.server";
import { shutdown, startup } from "../../../app/startup.server";
import { actorByEmail, asha, bram, grace } from "../../support/actors";
import { addTestVersion, createTestProduct, openTestDraft, submissionVersion } from "../../support/submissions";

const base = JSON.parse(
  fs.readFileSync(path.join(__dirname, "../../fixtures/csaf/openssl-advisory-v1.json"), "utf8"),
) as { document: Record<string, any> };

interface Product {
  id: string;
  purl: string;
  range?: string;
}

/** A CSAF document of the fixture's publisher: `trackingId`, its products and their status groups. */
function advisory(trackingId: string, version: string, list: Product[], status: Record<string, string[]>): string {
  const doc = structuredClone(base) as Record<string, any>;
  doc.document.tracking.id = trackingId;
  doc.document.tracking.version = version;
  doc.product_tree = {
    branches: [
      {
        category: "vendor",
        name: "Upstream",
        branches: list.map((p) => ({
          category: p.range ? "product_version_range" : "product_version",
          name: p.range ?? p.id,
          product: { name: p.id, product_id: p.id, product_identification_helper: { purl: p.purl } },
        })),
      },
    ],
  };
  doc.vulnerabilities = [{ cve: "CVE-2099-0002", product_status: status }];
  return JSON.stringify(doc);
}

const tasksFor = (serial: string) =>
  db()
    .select()
    .from(notifications)
    .where(eq(notifications.kind, "sbom.possibly_affected"))
    .all()
    .filter((n) => n.key.endsWith(`:${serial}`));

/** Certifies a new Gator product whose UK PSTI evidence includes the CycloneDX fixture (openssl 3.0.13, busybox, zlib 1.3.1, lodash 4.17.21). */
async function certifyWithSbom(): Promise<string> {
  const g = grace();
  const productId = createTestProduct(g, { name: "Gator Range Hub", model: "GW-RANGE" });
  const id = openTestDraft(g, addTestVersion(g, productId, "2.0.0"));
  const bytes = fs.readFileSync(path.join(__dirname, "../../fixtures/sbom/cyclonedx-1.6.json"));
  await attachUploads(g, id, "1", [
    { originalName: "hub.cdx.json", received: await store().receive(Readable.from([bytes]), 32 * 1024 * 1024) },
  ]);
  for (const ref of ["1", "2", "3"])
    saveAnswer(g, id, ref, {
      claim: "implemented",
      justification: "Implemented as the requirement asks.",
      noEvidenceReason: ref === "1" ? "" : "Shown to the assessor on the device.",
    });
  submitSubmission(g, id);
  takeSubmission(asha(), id, submissionVersion(id));
  for (const ref of ["1", "2", "3"])
    recordVerdict(asha(), id, ref, { verdict: "pass", comment: "", accepted: false, version: submissionVersion(id) });
  proposeApproval(asha(), id, submissionVersion(id), "");
  return confirmApproval(bram(), id, submissionVersion(id), "Confirmed.");
}

beforeAll(async () => {
  await startup();
}, 60_000);
afterAll(() => shutdown());

describe("advisories known before a seal is issued", () => {
  let zlib = "";
  let range = "";
  let ownAdvisoryId = "";
  let serial = "";

  it("nothing matches before the seal: no certified SBOM has zlib, lodash, or openssl in 3.0.0-3.0.14", () => {
    zlib = importCsafAdvisory(
      asha(),
      advisory("UP-ZLIB-1", "1", [{ id: "Z", purl: "pkg:generic/zlib@1.3.1" }], { known_affected: ["Z"] }),
    ).id;
    range = importCsafAdvisory(
      asha(),
      advisory(
        "UP-OPENSSL-RANGE",
        "1",
        [
          { id: "F", purl: "pkg:generic/openssl@3.0.0" },
          { id: "L", purl: "pkg:generic/openssl@3.0.14" },
        ],
        { first_affected: ["F"], last_affected: ["L"] },
      ),
    ).id;
    // The demo speaker's openssl 3.0.15 is past the last affected version: not a match.
    expect(possiblyAffectedFirmware(asha(), importedAdvisoryView(asha(), range).named)).toEqual([]);
    // One of our advisories, public, naming lodash.
    const speaker = db()
      .select({ productId: products.id, versionId: productVersions.id })
      .from(seals)
      .innerJoin(productVersions, eq(productVersions.id, seals.productVersionId))
      .innerJoin(products, eq(products.id, productVersions.productId))
      .where(and(eq(seals.state, "active"), eq(products.name, "Brightnest Smart Speaker")))
      .get()!;
    const fid = recordFinding(
      asha(),
      findingInput.parse({
        productId: speaker.productId,
        versionIds: [speaker.versionId],
        title: "Prototype pollution in the companion web UI",
        description: "The web UI bundles an old lodash.",
        severity: "medium",
        reporter: "researcher@example.test",
        reportedOn: new Date().toISOString().slice(0, 10),
        affectedPurls: "pkg:npm/lodash@4.17.21\n",
      }),
    );
    const f = db().select().from(findings).where(eq(findings.id, fid)).get()!;
    publishAdvisory(actorByEmail("supplier2@demo.test"), fid, { version: f.version, confirm: "yes" });
    ownAdvisoryId = db().select().from(findings).where(eq(findings.id, fid)).get()!.advisoryId!;
  });

  it("the new seal's assessors are told of each advisory its SBOM matches, with the advisory's key", async () => {
    serial = await certifyWithSbom();
    const got = tasksFor(serial);
    expect([...new Set(got.map((n) => n.key))].sort()).toEqual(
      [
        `sbom-affected:csaf:${range}:${serial}`,
        `sbom-affected:csaf:${zlib}:${serial}`,
        `sbom-affected:${ownAdvisoryId}:${serial}`,
      ].sort(),
    );
    const zlibTask = got.find((n) => n.key.includes(zlib))!;
    expect(zlibTask.title).toBe(
      "Possibly affected: Gator Range Hub 2.0.0 (OpenSSL Project (test fixture) advisory UP-ZLIB-1)",
    );
    expect(zlibTask.body).toContain("contains pkg:generic/zlib@1.3.1.");
    expect(zlibTask.link).toBe(`/assessor/advisories/${zlib}`);
    const rangeTask = got.find((n) => n.key.includes(range))!;
    expect(rangeTask.body).toContain("names pkg:generic/openssl@3.0.0 (first affected version)");
    expect(rangeTask.body).toContain("contains pkg:generic/openssl@3.0.13 (same package: check the version)");
    expect(got.find((n) => n.key.includes(ownAdvisoryId))!.body).toContain("contains pkg:npm/lodash@4.17.21");
  });

  it("the advisory's page shows the match as the same package to check; nobody is told twice", () => {
    expect(
      possiblyAffectedFirmware(asha(), importedAdvisoryView(asha(), range).named).map((m) => [
        m.serial,
        m.componentPurl,
        m.match,
      ]),
    ).toEqual([[serial, "pkg:generic/openssl@3.0.13", "check_version"]]);
    const before = tasksFor(serial).length;
    // A newer version of the zlib advisory matches the same seal again: the key is the same, nothing new.
    expect(
      importCsafAdvisory(
        asha(),
        advisory("UP-ZLIB-1", "2", [{ id: "Z", purl: "pkg:generic/zlib@1.3.1" }], { known_affected: ["Z"] }),
      ).outcome,
    ).toBe("updated");
    expect(tasksFor(serial)).toHaveLength(before);
  });

  it("a version named fixed, or outside a product_version_range, does not match; a purl without a version does", () => {
    const id = importCsafAdvisory(
      asha(),
      advisory(
        "UP-BUSYBOX",
        "1",
        [
          { id: "ANY", purl: "pkg:generic/busybox", range: "vers:generic/>=1.30.0|<1.36.1" },
          { id: "FIX", purl: "pkg:generic/busybox@1.36.1" },
          { id: "ZL", purl: "pkg:generic/zlib" },
        ],
        { known_affected: ["ANY", "ZL"], fixed: ["FIX"] },
      ),
    ).id;
    const view = importedAdvisoryView(asha(), id);
    // busybox 1.36.1 (the speaker and the hub) is fixed and outside the range; zlib 1.3.1 (the hub) is the package, to check.
    expect(possiblyAffectedFirmware(asha(), view.named).map((m) => [m.serial, m.componentPurl, m.match])).toEqual([
      [serial, "pkg:generic/zlib@1.3.1", "check_version"],
    ]);
    const task = tasksFor(serial).find((n) => n.key.includes(id))!;
    expect(task.body).toContain("names pkg:generic/zlib (no version given)");
    expect(task.body).toContain("contains pkg:generic/zlib@1.3.1 (same package: check the version)");
  });
});

describe("what an import leaves out is shown on the advisory", () => {
  it("every purl invalid: the view lists them (the page no longer says the document names none)", () => {
    const r = importCsafAdvisory(
      asha(),
      advisory(
        "UP-BAD",
        "1",
        [
          { id: "B", purl: "openssl 3.0.7" },
          { id: "C", purl: "pkg:generic/curl" },
        ],
        {
          known_affected: ["B", "NOWHERE"],
        },
      ),
    );
    expect(r).toMatchObject({ purls: [], invalidPurls: ["openssl 3.0.7"], invalidCount: 1, truncated: 0 });
    expect(importedAdvisoryView(asha(), r.id)).toMatchObject({
      purls: [],
      invalidPurls: ["openssl 3.0.7"],
      invalidCount: 1,
      truncated: 0,
      withoutPurl: 1,
    });
  });

  it("purls past the first 500: counted at import and on the advisory", () => {
    const list = Array.from({ length: 502 }, (_, i) => ({ id: `P${i}`, purl: `pkg:generic/lib${i}@1.0` }));
    const r = importCsafAdvisory(asha(), advisory("UP-MANY", "1", list, { known_affected: list.map((p) => p.id) }));
    expect(r.purls).toHaveLength(500);
    expect(r.truncated).toBe(2);
    expect(importedAdvisoryView(asha(), r.id)).toMatchObject({ truncated: 2 });
  });
});
