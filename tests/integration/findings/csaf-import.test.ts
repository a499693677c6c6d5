// Importing a third party's CSAF advisory: stored, listed, and its purls matched against the SBOMs
// of certified firmware: the assessors get a "possibly affected" task linking to it (once per seal),
// again for what a newer tracking version adds; an older or the same version changes nothing.
// Also: our own advisories' "Affected components" field drives the same rule; an SPDX 2.3 SBOM counts.
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { Readable } from "node:stream";
import { and, eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  auditEvents,
  evidenceFiles,
  evidenceLinks,
  findings,
  importedAdvisories,
  notifications,
  products,
  productVersions,
  seals,
} from "../../../db/schema";
import { extractComponents, recogniseSbom } from "../../../app/features/certification/domain/sbom";
import { attachUploads, store } from "../../../app/features/certification/evidence.server";
import { possiblyAffectedFirmware, recordSbom, submissionSboms } from "../../../app/features/certification/sbom.server";
import {
  importCsafAdvisory,
  importedAdvisoryView,
  listImportedAdvisories,
} from "../../../app/features/findings/csaf-import.server";
import { publishAdvisory } from "../../../app/features/findings/disclosure.server";
import { recordFinding } from "../../../app/features/findings/findings.server";
import { findingInput } from "../../../app/features/findings/forms";
import { db, transaction } from "../../../app/platform/db.server";
import { ServiceError } from "../../../app/platform/errors.server";
import { getEnv } from "../../../app/platform/env.server";
import { shutdown, startup } from "../../../app/startup.server";
import { admin, asha, grace } from "../../support/actors";
import { addTestVersion, createTestProduct, openTestDraft } from "../../support/submissions";

const csaf = (name: string) => fs.readFileSync(path.join(__dirname, "../../fixtures/csaf", name), "utf8");
const sbomFixture = (name: string) => fs.readFileSync(path.join(__dirname, "../../fixtures/sbom", name));

const tasks = () =>
  db()
    .select()
    .from(notifications)
    .where(eq(notifications.kind, "sbom.possibly_affected"))
    .all()
    .filter((n) => n.title.includes("OSSL-FIXTURE-2026-0001"));

/** Attaches an SBOM file to the approved submission of a certified firmware (as if it had been evidence). */
function attachToSeal(serialOwnerOrg: string, bytes: Buffer, name: string) {
  const seal = db()
    .select({ submissionId: seals.submissionId, serial: seals.serial })
    .from(seals)
    .innerJoin(productVersions, eq(productVersions.id, seals.productVersionId))
    .innerJoin(products, eq(products.id, productVersions.productId))
    .where(and(eq(seals.state, "active"), eq(products.organizationId, serialOwnerOrg)))
    .get()!;
  const sha256 = crypto.createHash("sha256").update(bytes).digest("hex");
  const doc = JSON.parse(bytes.toString("utf8")) as unknown;
  const format = recogniseSbom(doc)!;
  transaction((tx) => {
    tx.insert(evidenceFiles)
      .values({ sha256, size: bytes.length, mediaType: "application/json" })
      .onConflictDoNothing()
      .run();
    recordSbom(tx, sha256, { format, components: extractComponents(doc, format) });
    tx.insert(evidenceLinks)
      .values({
        id: crypto.randomUUID(),
        submissionId: seal.submissionId,
        requirementRef: "sbom",
        sha256,
        originalName: name,
        linkedBy: grace().userId,
        linkedAt: new Date(),
      })
      .run();
  });
  return seal;
}

beforeAll(async () => {
  await startup();
}, 60_000);
afterAll(() => shutdown());

describe("imported CSAF advisories", () => {
  let id = "";

  it("the demo speaker's SBOM (openssl 3.0.15) is evidence of its certified firmware", () => {
    const speaker = db()
      .select({ submissionId: seals.submissionId })
      .from(seals)
      .innerJoin(productVersions, eq(productVersions.id, seals.productVersionId))
      .innerJoin(products, eq(products.id, productVersions.productId))
      .where(eq(products.name, "Brightnest Smart Speaker"))
      .get()!;
    expect(submissionSboms(db(), speaker.submissionId)).toMatchObject([
      { originalName: "brightnest-smart-speaker-1.0.3.cdx.json", format: "CycloneDX 1.6", componentCount: 5 },
    ]);
  });

  it("an assessor imports version 1: stored, listed, audited, and the speaker's assessors get a task linking to it", () => {
    const r = importCsafAdvisory(asha(), csaf("openssl-advisory-v1.json"));
    expect(r).toMatchObject({
      outcome: "imported",
      trackingId: "OSSL-FIXTURE-2026-0001",
      trackingVersion: "1",
      purls: ["pkg:generic/openssl@3.0.15"],
    });
    id = r.id;
    const row = db().select().from(importedAdvisories).where(eq(importedAdvisories.id, id)).get()!;
    expect(row).toMatchObject({
      publisherName: "OpenSSL Project (test fixture)",
      publisherNamespace: "https://openssl-library.example",
      trackingVersion: "1",
      purls: ["pkg:generic/openssl@3.0.15"],
    });
    expect(listImportedAdvisories(asha()).map((a) => a.trackingId)).toContain("OSSL-FIXTURE-2026-0001");
    const got = tasks();
    expect(got.length).toBeGreaterThan(0);
    expect(new Set(got.map((n) => n.title))).toEqual(
      new Set([
        "Possibly affected: Brightnest Smart Speaker 1.0.3 (OpenSSL Project (test fixture) advisory OSSL-FIXTURE-2026-0001)",
      ]),
    );
    expect(got[0].link).toBe(`/assessor/advisories/${id}`);
    expect(got[0].body).toContain("contains pkg:generic/openssl@3.0.15");
    expect(
      db()
        .select({ n: sql<number>`count(*)` })
        .from(auditEvents)
        .where(eq(auditEvents.action, "csaf.imported"))
        .get()!.n,
    ).toBe(1);
    const view = possiblyAffectedFirmware(asha(), importedAdvisoryView(asha(), id).purls);
    expect(view.map((m) => [m.productName, m.componentPurl])).toEqual([
      ["Brightnest Smart Speaker", "pkg:generic/openssl@3.0.15"],
    ]);
  });

  it("the same version again changes nothing; a newer one updates it and tasks only the new matches", () => {
    const before = tasks().length;
    expect(importCsafAdvisory(asha(), csaf("openssl-advisory-v1.json"))).toMatchObject({
      id,
      outcome: "unchanged",
      storedVersion: "1",
    });
    expect(tasks()).toHaveLength(before);
    // Grace's certified watch gets an SBOM naming openssl 3.0.13, which version 2 adds.
    const seal = attachToSeal(grace().organizationId, sbomFixture("cyclonedx-1.6.json"), "watch.cdx.json");
    const r = importCsafAdvisory(admin(), csaf("openssl-advisory-v2.json"));
    expect(r).toMatchObject({ id, outcome: "updated", trackingVersion: "2" });
    expect(r.purls).toEqual(["pkg:generic/openssl@3.0.13", "pkg:generic/openssl@3.0.15"]);
    const after = tasks();
    const speaker = after.filter((n) => n.title.includes("Smart Speaker"));
    const watch = after.filter((n) => n.key.endsWith(`:${seal.serial}`));
    expect(speaker).toHaveLength(before); // not told twice
    expect(watch.length).toBeGreaterThan(0);
    expect(watch[0].body).toContain("contains pkg:generic/openssl@3.0.13");
    expect(db().select().from(importedAdvisories).where(eq(importedAdvisories.id, id)).get()!.trackingVersion).toBe(
      "2",
    );
    // An older version after that: nothing changes.
    expect(importCsafAdvisory(asha(), csaf("openssl-advisory-v1.json")).outcome).toBe("unchanged");
  });

  it("refuses what is not a CSAF 2.0 document, naming the field, and anyone but the certification body", () => {
    const refusal = (text: string) => {
      try {
        importCsafAdvisory(asha(), text);
      } catch (e) {
        expect(e).toBeInstanceOf(ServiceError);
        return (e as ServiceError).fieldErrors.document;
      }
      throw new Error("not refused");
    };
    expect(refusal("{not json")).toBe("This is not JSON: a CSAF 2.0 document is a JSON file.");
    expect(refusal(csaf("openssl-advisory-v1.json").replace('"version": "1"', '"version": "one"'))).toBe(
      "Not a CSAF 2.0 document: document.tracking.version: must be an integer or a semantic version",
    );
    expect(refusal(`{"a":${"[".repeat(200)}${"]".repeat(200)}}`)).toMatch(/nests deeper than 64 levels/);
    expect(() => importCsafAdvisory(grace(), csaf("openssl-advisory-v1.json"))).toThrow(ServiceError);
    expect(() => listImportedAdvisories(grace())).toThrow(ServiceError);
    // One of our own advisories (our namespace) is published by the portal, not imported back.
    const ours = JSON.parse(csaf("openssl-advisory-v1.json")) as { document: { publisher: { namespace: string } } };
    ours.document.publisher.namespace = `${getEnv().baseUrl}/`;
    expect(refusal(JSON.stringify(ours))).toMatch(/^This advisory is one of ours \(publisher namespace/);
  });
});

describe("our advisories' affected components, and SPDX 2.3 SBOMs", () => {
  it("an SPDX 2.3 SBOM is validated and listed; a broken one is refused with the schema path", async () => {
    const g = grace();
    const productId = createTestProduct(g, {
      name: "Gator SPDX Tracker",
      model: "GW-SPDX",
      supportPeriodEnd: "2035-12-31",
    });
    const draft = openTestDraft(g, addTestVersion(g, productId, "1.0.0"));
    const receive = (b: Buffer) => store().receive(Readable.from([b]), 32 * 1024 * 1024);
    await attachUploads(g, draft, "1", [
      { originalName: "fw.spdx.json", received: await receive(sbomFixture("spdx-2.3.json")) },
    ]);
    expect(submissionSboms(db(), draft)).toMatchObject([
      { originalName: "fw.spdx.json", format: "SPDX 2.3", componentCount: 3 },
    ]);
    const refused = await attachUploads(g, draft, "1", [
      { originalName: "broken.spdx.json", received: await receive(sbomFixture("spdx-2.3-broken.json")) },
    ]).then(
      () => null,
      (e: unknown) => e,
    );
    expect(refused).toBeInstanceOf(ServiceError);
    expect((refused as ServiceError).message).toBe(
      "broken.spdx.json: Not a valid SPDX 2.3 SBOM: /packages/0/externalRefs/0/referenceCategory must be equal to one of the allowed values",
    );
  });

  it("a finding's affected components are stored, and on publication matched against certified SBOMs", () => {
    const seal = db()
      .select({ productId: products.id, versionId: productVersions.id })
      .from(seals)
      .innerJoin(productVersions, eq(productVersions.id, seals.productVersionId))
      .innerJoin(products, eq(products.id, productVersions.productId))
      .where(and(eq(seals.state, "active"), eq(products.name, "Brightnest Smart Speaker")))
      .get()!;
    const input = findingInput.parse({
      productId: seal.productId,
      versionIds: [seal.versionId],
      title: "Outdated curl in the speaker's update client",
      description: "The update client links an old curl; details with the supplier.",
      severity: "medium",
      reporter: "researcher@example.test",
      reportedOn: new Date().toISOString().slice(0, 10),
      affectedPurls: "pkg:generic/curl@8.9.1\n",
    });
    const fid = recordFinding(asha(), input);
    const f = db().select().from(findings).where(eq(findings.id, fid)).get()!;
    expect(f.affectedPurls).toEqual(["pkg:generic/curl@8.9.1"]);
    const named = () =>
      db()
        .select()
        .from(notifications)
        .where(eq(notifications.kind, "sbom.possibly_affected"))
        .all()
        .filter((n) => n.title.includes(`(advisory ${f.advisoryId})`));
    expect(named()).toEqual([]); // under embargo
    publishAdvisory(actorOf("supplier2@demo.test"), fid, { version: f.version, confirm: "yes" });
    const got = named();
    expect(got.length).toBeGreaterThan(0);
    expect(got[0].title).toBe(`Possibly affected: Brightnest Smart Speaker 1.0.3 (advisory ${f.advisoryId})`);
    expect(got[0].body).toContain("contains pkg:generic/curl@8.9.1");
  });
});

import { actorByEmail as actorOf } from "../../support/actors";
