// Issue 19: an SBOM uploaded as evidence is validated against its bundled official schema; a
// CycloneDX 1.6 SBOM's components are stored and listed per firmware version, a broken one is
// refused with the schema path of the first problem (nothing stored), hostile JSON is bounded.
import fs from "node:fs";
import path from "node:path";
import { Readable } from "node:stream";
import { and, eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import crypto from "node:crypto";
import {
  evidenceFiles,
  evidenceLinks,
  findings,
  notifications,
  products,
  productVersions,
  sbomComponents,
  seals,
} from "../../../db/schema";
import { recordSbom } from "../../../app/features/certification/sbom.server";
import { extractComponents, recogniseSbom } from "../../../app/features/certification/domain/sbom";
import { recordFinding } from "../../../app/features/findings/findings.server";
import { publishAdvisory } from "../../../app/features/findings/disclosure.server";
import { transaction } from "../../../app/platform/db.server";
import { attachUploads, store } from "../../../app/features/certification/evidence.server";
import { sbomComponentPage, submissionSboms } from "../../../app/features/certification/sbom.server";
import type { Actor } from "../../../app/platform/actor";
import { db } from "../../../app/platform/db.server";
import { ServiceError } from "../../../app/platform/errors.server";
import { shutdown, startup } from "../../../app/startup.server";
import { actorByEmail, asha } from "../../support/actors";
import { sessionCookie } from "../../support/http";
import { addTestVersion, createTestProduct, openTestDraft } from "../../support/submissions";

const fixture = (name: string) => fs.readFileSync(path.join(__dirname, "../../fixtures/sbom", name));
const receive = (body: Buffer | string) => store().receive(Readable.from([Buffer.from(body)]), 32 * 1024 * 1024);

let grace: Actor;
let draft: string;
let sealedSubmission = "";

/** A Request carrying the user's session cookie (a real login), for calling a route's loader directly. */
async function requestAs(email: string, url: string): Promise<Request> {
  const cookie = await sessionCookie(email, "203.0.113.9");
  return new Request(`http://localhost${url}`, { headers: { Cookie: cookie } });
}

beforeAll(async () => {
  await startup();
  grace = actorByEmail("supplier@demo.test");
  const productId = createTestProduct(grace, { name: "Gator SBOM Tracker", model: "GW-SB1" });
  draft = openTestDraft(grace, addTestVersion(grace, productId, "2.4.0"));
}, 60_000);

afterAll(() => shutdown());

async function refusal(name: string, body: Buffer | string): Promise<string> {
  const before = db()
    .select({ n: sql<number>`count(*)` })
    .from(evidenceLinks)
    .get()!.n;
  const error = await attachUploads(grace, draft, "1", [{ originalName: name, received: await receive(body) }]).then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ServiceError);
  expect(
    db()
      .select({ n: sql<number>`count(*)` })
      .from(evidenceLinks)
      .get()!.n,
  ).toBe(before);
  return (error as ServiceError).message;
}

describe("issue 19: SBOMs as evidence", () => {
  it("a CycloneDX 1.6 SBOM is validated and its components listed for the submission's firmware version", async () => {
    const r = await attachUploads(grace, draft, "1", [
      { originalName: "sbom.cdx.json", received: await receive(fixture("cyclonedx-1.6.json")) },
    ]);
    expect(r.linkIds).toHaveLength(1);
    const sboms = submissionSboms(db(), draft);
    expect(sboms).toHaveLength(1);
    expect(sboms[0]).toMatchObject({ originalName: "sbom.cdx.json", format: "CycloneDX 1.6", componentCount: 5 });
    const page = sbomComponentPage(db(), sboms[0].sha256);
    expect(page.total).toBe(5);
    expect(page.components.map((c) => c.purl)).toContain("pkg:maven/org.eclipse.paho/mqtt-client@1.2.5");
    const search = sbomComponentPage(db(), sboms[0].sha256, { q: "zli" });
    expect(search.components.map((c) => c.name)).toEqual(["zlib"]);
    expect(sbomComponentPage(db(), sboms[0].sha256, { q: "%" }).total).toBe(0); // the search is literal
  });

  it("a CycloneDX 1.5 SBOM too", async () => {
    await attachUploads(grace, draft, "2", [
      { originalName: "old.cdx.json", received: await receive(fixture("cyclonedx-1.5.json")) },
    ]);
    expect(submissionSboms(db(), draft).map((s) => s.format)).toEqual(["CycloneDX 1.6", "CycloneDX 1.5"]);
  });

  it("a broken one is refused with the schema path of the first problem, nothing stored", async () => {
    expect(await refusal("broken.cdx.json", fixture("cyclonedx-1.6-broken.json"))).toBe(
      "broken.cdx.json: Not a valid CycloneDX 1.6 SBOM: /components/0/purl must be string",
    );
    const missing = JSON.stringify({ bomFormat: "CycloneDX", specVersion: "1.6", components: [{ type: "library" }] });
    expect(await refusal("missing.json", missing)).toMatch(/\/components\/0 must have required property 'name'/);
  });

  it("hostile JSON is bounded: deep nesting and unsupported versions are refused, never a 500", async () => {
    const deep = `{"bomFormat":"CycloneDX","specVersion":"1.6","x":${"[".repeat(10_000)}${"]".repeat(10_000)}}`;
    expect(await refusal("deep.json", deep)).toMatch(/nests deeper than 64 levels/);
    expect(await refusal("old.json", JSON.stringify({ bomFormat: "CycloneDX", specVersion: "1.4" }))).toMatch(
      /CycloneDX 1.4 SBOMs are not read here/,
    );
    // An ordinary JSON file is not an SBOM and is attached as before.
    const plain = await attachUploads(grace, draft, "3", [
      { originalName: "scan.json", received: await receive(JSON.stringify({ results: [], at: Date.now() })) },
    ]);
    expect(plain.linkIds).toHaveLength(1);
  });

  it("the components are stored once per SBOM file", () => {
    const n = db()
      .select({ n: sql<number>`count(*)` })
      .from(sbomComponents)
      .where(eq(sbomComponents.name, "zlib"))
      .get()!.n;
    expect(n).toBe(1);
  });

  it("an advisory naming a purl a certified firmware's SBOM contains: its assessors get a possibly-affected task", () => {
    // A certified firmware of Grace's (an active seal), its approved submission holding an SBOM.
    const seal = db()
      .select({
        serial: seals.serial,
        submissionId: seals.submissionId,
        productId: products.id,
        versionId: productVersions.id,
      })
      .from(seals)
      .innerJoin(productVersions, eq(productVersions.id, seals.productVersionId))
      .innerJoin(products, eq(products.id, productVersions.productId))
      .where(and(eq(seals.state, "active"), eq(products.organizationId, grace.organizationId)))
      .get()!;
    const bytes = fixture("cyclonedx-1.6.json");
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
          originalName: "certified.cdx.json",
          linkedBy: grace.userId,
          linkedAt: new Date(),
        })
        .run();
    });
    const unrelated = recordFinding(asha(), {
      productId: seal.productId,
      versionIds: [seal.versionId],
      title: "Old libressl in the updater",
      description: "Affected component: pkg:generic/libressl@2.0.0.",
      severity: "low",
      reporter: "researcher@example.test",
      reportedOn: new Date().toISOString().slice(0, 10),
    });
    const id = recordFinding(asha(), {
      productId: seal.productId,
      versionIds: [seal.versionId],
      title: "OpenSSL flaw in the companion TLS stack",
      description: "Affected component: pkg:generic/openssl@3.0.13 (and pkg:npm/left-pad@1.0.0).",
      severity: "high",
      reporter: "researcher@example.test",
      reportedOn: new Date().toISOString().slice(0, 10),
    });
    const tasks = () => db().select().from(notifications).where(eq(notifications.kind, "sbom.possibly_affected")).all();
    expect(tasks()).toEqual([]); // under embargo: nothing yet
    for (const f of [unrelated, id]) {
      const v = db().select({ v: findings.version }).from(findings).where(eq(findings.id, f)).get()!.v;
      publishAdvisory(grace, f, { version: v, confirm: "yes" });
    }
    const got = tasks();
    expect(got.length).toBeGreaterThan(0);
    expect(new Set(got.map((n) => n.title)).size).toBe(1); // only the OpenSSL advisory matched
    expect(got[0].title).toMatch(/^Possibly affected: .+ \(advisory IOTSEAL-/);
    expect(got[0].body).toContain("pkg:generic/openssl@3.0.13");
    expect(got[0].link).toBe(`/assessor/submissions/${seal.submissionId}?sbom=${sha256}#sbom-title`);
    sealedSubmission = seal.submissionId;
  });

  it("the pages' loaders list the components for their supplier and an assessor, never another organisation", async () => {
    const supplierPage = await import("../../../app/routes/supplier.submissions.$submissionId._index");
    const sha = submissionSboms(db(), draft)[0].sha256;
    const mine = await supplierPage.loader({
      request: await requestAs(
        "supplier@demo.test",
        `/supplier/submissions/${draft}?sbom=${sha}&sbomQ=paho&sbomPage=x`,
      ),
      params: { submissionId: draft },
      context: {},
    } as never);
    expect(mine.sbom.sboms.map((x) => x.componentCount)).toEqual([5, 1]);
    expect(mine.sbom.open?.components.map((c) => c.name)).toEqual(["mqtt-client"]);
    const refused = await supplierPage
      .loader({
        request: await requestAs("supplier2@demo.test", `/supplier/submissions/${draft}`),
        params: { submissionId: draft },
        context: {},
      } as never)
      .then(
        () => null,
        (e: unknown) => e,
      );
    expect(refused).not.toBeNull(); // a thrown response, not the other organisation's SBOM
    const reviewPage = await import("../../../app/routes/assessor.submissions.$submissionId._index");
    const review = await reviewPage.loader({
      request: await requestAs("assessor1@demo.test", `/assessor/submissions/${sealedSubmission}`),
      params: { submissionId: sealedSubmission },
      context: {},
    } as never);
    if (review.stepBack) throw new Error("expected the review page, not the step-back page");
    expect(review.sbom.sboms[0]).toMatchObject({ originalName: "certified.cdx.json", componentCount: 5 });
    expect(review.sbom.open?.total).toBe(5);
  });
});
