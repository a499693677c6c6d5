// Issue 17: the CSAF 2.0 provider, against a real database and the real fast routes. Every public
// advisory is a CSAF 2.0 document that passes @secvisogram/csaf-validator-lib's schema test and
// all its mandatory tests; provider-metadata.json validates against the provider metadata schema;
// index.txt and changes.csv list exactly the documents served; each .sha256 matches and each .asc
// verifies with the published OpenPGP key; security.txt names the CSAF metadata; an embargoed
// report never appears. The tests are named after the clauses of CSAF 2.0 section 7.1.
import { formatDate } from "../../../app/platform/format";
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { and, eq } from "drizzle-orm";
import * as openpgp from "openpgp";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { findings, products, productVersions } from "../../../db/schema";
import { db } from "../../../app/platform/db.server";
import { seedDemoData } from "../../support/demo-seed";
import { DEMO_ADVISORY_TITLE, DEMO_UPDATE_ADVISORY_TITLE } from "../../../app/demo/seed-advisories.server";
import { publicAdvisoriesOfProducts } from "../../../app/features/findings/advisories.server";
import { actOnFinding, recordFinding } from "../../../app/features/findings/findings.server";
import { publishAdvisory } from "../../../app/features/findings/disclosure.server";
import { addProductVersion } from "../../../app/features/catalogue/products.server";
import { createBackup } from "../../../app/platform/backup.server";
import { restoredMode } from "../../../app/platform/backup-manifest";
import { getEnv } from "../../../app/platform/env.server";
import { nowMs, testClock } from "../../../app/platform/clock.server";
import { csafDate } from "../../../app/features/findings/domain/csaf";
import { sealApiAdvisories } from "../../../app/features/findings/advisories.server";
import { findingView } from "../../../app/features/findings/findings.server";
import { seals } from "../../../db/schema";
import type { CsafDocument } from "../../../app/features/findings/domain/csaf";
import { asha, grace, sam } from "../../support/actors";
import { startFastRoutes, type TestServer } from "../../support/http";
import { csafProblems, MANDATORY_TEST_COUNT, providerMetadataProblems } from "../../support/csaf";

let server: TestServer;
const WHITE = "/.well-known/csaf/white";
const get = (path: string, init?: RequestInit) => fetch(`${server.base}${path}`, init);
const text = async (path: string) => {
  const res = await get(path);
  expect(res.status, path).toBe(200);
  return res.text();
};
const today = () => new Date().toISOString().slice(0, 10);
const findingByTitle = (title: string) => db().select().from(findings).where(eq(findings.title, title)).get()!;
const version = (id: string) => db().select({ v: findings.version }).from(findings).where(eq(findings.id, id)).get()!.v;

/** The public advisory ids of every product, as the seal pages and the API see them now. */
function publicAdvisoryIds(): string[] {
  const ids = db()
    .select({ id: products.id })
    .from(products)
    .all()
    .map((p) => p.id);
  return [...publicAdvisoriesOfProducts(db(), ids).values()].flat().map((a) => a.advisoryId);
}

/** index.txt's paths. */
async function indexPaths(): Promise<string[]> {
  return (await text(`${WHITE}/index.txt`)).split("\n").filter(Boolean);
}

/** Every document served, by path, parsed (and checked to be the bytes served). */
async function servedDocuments(): Promise<Map<string, { doc: CsafDocument; bytes: Buffer }>> {
  const out = new Map<string, { doc: CsafDocument; bytes: Buffer }>();
  for (const p of await indexPaths()) {
    const res = await get(`${WHITE}/${p}`);
    expect(res.status, p).toBe(200);
    const bytes = Buffer.from(await res.arrayBuffer());
    out.set(p, { doc: JSON.parse(bytes.toString("utf8")) as CsafDocument, bytes });
  }
  return out;
}

/** Everything a crawler can fetch under /.well-known/csaf/, as one text (to look for what must not be there). */
async function everythingPublished(): Promise<string> {
  const parts = [
    await text("/.well-known/csaf/provider-metadata.json"),
    await text(`${WHITE}/index.txt`),
    await text(`${WHITE}/changes.csv`),
    await text(`${WHITE}/`),
  ];
  for (const p of await indexPaths()) parts.push(await text(`${WHITE}/${p}`), await text(`${WHITE}/${p.slice(0, 4)}/`));
  return parts.join("\n");
}

let watchEmbargoedTitle: string;

beforeAll(async () => {
  server = await startFastRoutes();
  await seedDemoData();
  // The demo watch's open high report, 10 days from its deadline: under embargo.
  watchEmbargoedTitle = "Location history readable after unpairing";
}, 60_000);

afterAll(() => server.close());
afterEach(() => testClock.reset());

describe("CSAF 2.0 documents of the demo advisories", () => {
  it("CSAF 2.0 7.1.1: every public advisory is served as a document that passes the schema and all mandatory tests (csaf-validator-lib)", async () => {
    const docs = await servedDocuments();
    // The watch's (fix certified), the speaker's (fix certified) and the camera's (deadline passed).
    expect(docs.size).toBe(3);
    expect([...docs.values()].map((d) => d.doc.document.tracking.id).sort()).toEqual(publicAdvisoryIds().sort());
    expect(MANDATORY_TEST_COUNT).toBeGreaterThanOrEqual(43);
    for (const [p, { doc }] of docs) expect(await csafProblems(doc), p).toEqual([]);
  });

  it("CSAF 2.0 3.2.1.2 / 3.2.1.8: profile csaf_security_advisory, version 2.0, the certification body as coordinator", async () => {
    for (const { doc } of (await servedDocuments()).values()) {
      expect(doc.document).toMatchObject({
        category: "csaf_security_advisory",
        csaf_version: "2.0",
        lang: "en",
        publisher: {
          category: "coordinator",
          name: "IoT Seal Assurance",
          namespace: server.base.replace(/^http:\/\/127\.0\.0\.1:\d+/, "http://localhost:3000"),
          contact_details: "mailto:security@iotseal.local",
        },
      });
    }
  });

  it("CSAF 2.0 7.1.4: every document is TLP:WHITE (TLP 2.0's CLEAR)", async () => {
    for (const { doc } of (await servedDocuments()).values()) expect(doc.document.distribution.tlp.label).toBe("WHITE");
  });

  it("a fixed advisory: the product, its GTIN and firmware versions, known_affected / fixed, and a vendor_fix to the fixed firmware", async () => {
    const watch = findingByTitle(DEMO_ADVISORY_TITLE);
    const path = `${WHITE}/${new Date(watch.verifiedAt!).getUTCFullYear()}/${watch.advisoryId!.toLowerCase()}.json`;
    const doc = JSON.parse(await text(path)) as CsafDocument;
    expect(doc.document.tracking).toMatchObject({ id: watch.advisoryId, status: "final", version: "1" });
    expect(doc.document.aggregate_severity.text).toBe("High");
    const vendor = doc.product_tree.branches[0];
    expect(vendor).toMatchObject({ category: "vendor", name: "Gator Wearables Ltd" });
    const product = vendor.branches![0];
    expect(product).toMatchObject({ category: "product_name", name: "Gator Kids Watch 3" });
    expect(product.branches!.map((b) => [b.category, b.name])).toEqual([
      ["product_version", "3.0.4"],
      ["product_version", "3.1.0"],
    ]);
    const helper = product.branches![0].product!.product_identification_helper!;
    expect(helper.model_numbers).toEqual(["GW-KW3"]);
    // The GTIN as its GS1 Digital Link URI (14 digits), under GS1's GTIN namespace.
    expect(helper.x_generic_uris).toEqual([
      { namespace: "https://www.gs1.org/standards/id-keys/gtin", uri: "https://id.gs1.org/01/05060123450002" },
    ]);
    const v = doc.vulnerabilities[0];
    expect(v.ids).toEqual([{ system_name: "IoT Seal", text: watch.advisoryId }]);
    expect(v.product_status).toEqual({ known_affected: ["IOTSEAL-FW-3.0.4"], fixed: ["IOTSEAL-FW-3.1.0"] });
    expect(v.remediations).toEqual([
      expect.objectContaining({
        category: "vendor_fix",
        details: "Update to firmware 3.1.0.",
        product_ids: ["IOTSEAL-FW-3.0.4"],
      }),
    ]);
  });

  it("says only what the public advisory says: never the report's description, reporter or CVSS vector", async () => {
    const all = await everythingPublished();
    for (const title of [DEMO_ADVISORY_TITLE, DEMO_UPDATE_ADVISORY_TITLE]) {
      const f = findingByTitle(title);
      expect(all).toContain(f.title);
      expect(all).not.toContain(f.description.slice(0, 40));
      expect(all).not.toContain(f.reporter);
      expect(all).not.toContain(f.cvssVector!);
    }
    expect(all).not.toMatch(/CVSS:3/);
  });

  it("an advisory public because its deadline passed, with no certified fix: interim, known_affected, no fix available", async () => {
    const docs = [...(await servedDocuments()).values()].map((d) => d.doc);
    const camera = docs.find((d) => d.document.title.startsWith("Brightnest Indoor Cam 1"))!;
    expect(camera.document.tracking).toMatchObject({ status: "interim", version: "1" });
    expect(camera.vulnerabilities[0].product_status).toEqual({ known_affected: ["IOTSEAL-FW-1.9.2"] });
    expect(camera.vulnerabilities[0].remediations![0].category).toBe("none_available");
  });

  it("links the human advisory on the product's public seal page, and the page links the CSAF document", async () => {
    const docs = [...(await servedDocuments()).values()].map((d) => d.doc);
    for (const doc of docs) {
      const page = doc.document.references.find((r) => r.category === "external" && r.url.includes("/s/IOTS-"));
      expect(page?.url, doc.document.tracking.id).toMatch(new RegExp(`/s/IOTS-[^#]+#${doc.document.tracking.id}$`));
      expect(doc.document.references[0]).toMatchObject({ category: "self" });
      expect(doc.document.references[0].url).toMatch(
        new RegExp(`${WHITE}/\\d{4}/${doc.document.tracking.id.toLowerCase()}\\.json$`),
      );
    }
  });
});

describe("the provider's directory", () => {
  it("CSAF 2.0 7.1.7 / 7.1.9: provider-metadata.json at the well-known URL validates against the provider metadata schema, role csaf_provider", async () => {
    const res = await get("/.well-known/csaf/provider-metadata.json");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^application\/json/);
    expect(res.headers.get("access-control-allow-origin")).toBe("*");
    const metadata = await res.json();
    expect(providerMetadataProblems(metadata)).toEqual([]);
    expect(Object.keys(metadata).sort()).toEqual(
      [
        "canonical_url",
        "distributions",
        "last_updated",
        "list_on_CSAF_aggregators",
        "metadata_version",
        "mirror_on_CSAF_aggregators",
        "public_openpgp_keys",
        "publisher",
        "role",
      ].sort(),
    );
    expect(metadata).toMatchObject({
      role: "csaf_provider",
      metadata_version: "2.0",
      canonical_url: expect.stringMatching(/\/\.well-known\/csaf\/provider-metadata\.json$/),
      distributions: [{ directory_url: expect.stringMatching(/\/\.well-known\/csaf\/white\/$/) }],
      publisher: { category: "coordinator", name: "IoT Seal Assurance" },
    });
    // last_updated: the newest document's current_release_date.
    const newest = [...(await servedDocuments()).values()]
      .map((d) => d.doc.document.tracking.current_release_date)
      .sort()
      .pop();
    expect(metadata.last_updated).toBe(newest);
    // A metadata file that breaks the schema is caught (the validator is not a no-op).
    expect(providerMetadataProblems({ ...metadata, role: "csaf_publisher_of_sorts" })).not.toEqual([]);
  });

  it("CSAF 2.0 5.1 / 7.1.2: each file is named after its tracking id in lower case", async () => {
    for (const [p, { doc }] of await servedDocuments())
      expect(p.split("/")[1]).toBe(`${doc.document.tracking.id.toLowerCase().replace(/[^a-z0-9+-]+/g, "_")}.json`);
  });

  it("CSAF 2.0 7.1.11: one folder per year of the initial release date", async () => {
    for (const [p, { doc }] of await servedDocuments())
      expect(p.slice(0, 5)).toBe(`${doc.document.tracking.initial_release_date.slice(0, 4)}/`);
  });

  it("CSAF 2.0 7.1.12: index.txt lists exactly the documents served", async () => {
    const paths = await indexPaths();
    expect(paths.length).toBe(3);
    expect(new Set(paths).size).toBe(paths.length);
    const ids = paths.map((p) =>
      p
        .split("/")[1]
        .replace(/\.json$/, "")
        .toUpperCase(),
    );
    expect(ids.sort()).toEqual(publicAdvisoryIds().sort());
  });

  it("CSAF 2.0 7.1.13: changes.csv lists every document, newest first", async () => {
    const res = await get(`${WHITE}/changes.csv`);
    expect(res.headers.get("content-type")).toMatch(/^text\/csv/);
    const rows = (await res.text())
      .split("\n")
      .filter(Boolean)
      .map((line) => /^"([^"]+)","([^"]+)"$/.exec(line)!.slice(1));
    const docs = await servedDocuments();
    expect(rows.map((r) => r[0]).sort()).toEqual([...docs.keys()].sort());
    for (const [p, date] of rows) expect(date).toBe(docs.get(p)!.doc.document.tracking.current_release_date);
    const dates = rows.map((r) => r[1]);
    expect(dates).toEqual([...dates].sort().reverse());
  });

  it("CSAF 2.0 7.1.14: the folders have directory listings", async () => {
    const white = await text(`${WHITE}/`);
    expect(white).toContain("index.txt");
    expect(white).toContain("changes.csv");
    for (const p of await indexPaths()) {
      const year = await text(`${WHITE}/${p.slice(0, 4)}`);
      const file = p.slice(5);
      for (const name of [file, `${file}.sha256`, `${file}.asc`]) expect(year).toContain(`>${name}<`);
    }
  });

  it("CSAF 2.0 7.1.18: each .sha256 matches the bytes served", async () => {
    for (const [p, { bytes }] of await servedDocuments()) {
      const line = await text(`${WHITE}/${p}.sha256`);
      expect(line).toBe(`${crypto.createHash("sha256").update(bytes).digest("hex")}  ${p.slice(5)}\n`);
    }
  });

  it("CSAF 2.0 7.1.19 / 7.1.20: each .asc verifies with the OpenPGP key published in provider-metadata.json", async () => {
    const metadata = await (await get("/.well-known/csaf/provider-metadata.json")).json();
    const [entry] = metadata.public_openpgp_keys as { fingerprint: string; url: string }[];
    const keyRes = await get(new URL(entry.url).pathname);
    expect(keyRes.status).toBe(200);
    expect(keyRes.headers.get("content-type")).toMatch(/^application\/pgp-keys/);
    const armoredKey = await keyRes.text();
    expect(armoredKey).toMatch(/^-----BEGIN PGP PUBLIC KEY BLOCK-----/);
    expect(armoredKey).not.toMatch(/PRIVATE/);
    const key = await openpgp.readKey({ armoredKey });
    expect(key.isPrivate()).toBe(false);
    expect(key.getFingerprint().toUpperCase()).toBe(entry.fingerprint);
    expect(key.getAlgorithmInfo()).toMatchObject({ algorithm: "eddsaLegacy", curve: "ed25519Legacy" });
    for (const [p, { bytes }] of await servedDocuments()) {
      const armoredSignature = await text(`${WHITE}/${p}.asc`);
      const result = await openpgp.verify({
        message: await openpgp.createMessage({ binary: bytes }),
        signature: await openpgp.readSignature({ armoredSignature }),
        verificationKeys: key,
      });
      await expect(result.signatures[0].verified, p).resolves.toBe(true);
      // The same signature every time (made once per content), and it fails for other bytes.
      expect(await text(`${WHITE}/${p}.asc`)).toBe(armoredSignature);
      const tampered = await openpgp.verify({
        message: await openpgp.createMessage({ binary: Buffer.concat([bytes, Buffer.from(" ")]) }),
        signature: await openpgp.readSignature({ armoredSignature }),
        verificationKeys: key,
      });
      await expect(tampered.signatures[0].verified).rejects.toThrow();
    }
    // A key that is not ours: 404.
    expect((await get(`/.well-known/csaf/openpgp/${"0".repeat(40)}.asc`)).status).toBe(404);
  });

  it("CSAF 2.0 7.1.8: security.txt (RFC 9116) names the certification body's contact and the CSAF provider metadata", async () => {
    const res = await get("/.well-known/security.txt");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/plain/);
    const body = await res.text();
    const fields = Object.fromEntries(
      body
        .split("\n")
        .filter(Boolean)
        .map((l) => [l.slice(0, l.indexOf(":")), l.slice(l.indexOf(":") + 2)]),
    );
    expect(fields.Contact).toBe("mailto:security@iotseal.local");
    expect(fields.CSAF).toMatch(/^https?:\/\/[^/]+\/\.well-known\/csaf\/provider-metadata\.json$/);
    expect(fields.Canonical).toMatch(/\/\.well-known\/security\.txt$/);
    expect(fields["Preferred-Languages"]).toBe("en");
    const expires = Date.parse(fields.Expires);
    expect(expires).toBeGreaterThan(Date.now());
    expect(expires).toBeLessThan(Date.now() + 366 * 24 * 3600_000); // RFC 9116: less than a year ahead
  });

  it("CSAF 2.0 7.1.6: no redirects; HEAD answers the headers; other methods and unknown files are refused", async () => {
    const [p] = await indexPaths();
    const head = await get(`${WHITE}/${p}`, { method: "HEAD", redirect: "manual" });
    expect(head.status).toBe(200);
    expect(Number(head.headers.get("content-length"))).toBeGreaterThan(100);
    expect(await head.text()).toBe("");
    expect((await get(`${WHITE}/${p}`, { method: "POST", body: "x" })).status).toBe(405);
    expect((await get(`${WHITE}/2020/iotseal-2020-9999.json`)).status).toBe(404);
    expect((await get(`${WHITE}/../provider-metadata.json`)).status).not.toBe(500);
    expect((await get(`/.well-known/csaf/green/index.txt`)).status).toBe(404);
  });
});

describe("coordinated disclosure: an embargoed report never appears", () => {
  let reportId: string;
  let advisoryId: string;

  it("the demo watch's open report under embargo is in no file", async () => {
    const f = findingByTitle(watchEmbargoedTitle);
    expect(f.status).not.toBe("verified_fixed");
    expect(f.deadline.getTime()).toBeGreaterThan(Date.now());
    const all = await everythingPublished();
    expect(all).not.toContain(f.title);
    expect(all.toLowerCase()).not.toContain(f.advisoryId!.toLowerCase());
    expect((await get(`${WHITE}/${new Date().getUTCFullYear()}/${f.advisoryId!.toLowerCase()}.json`)).status).toBe(404);
  });

  it("a report recorded now is embargoed: not listed, not served; published early by the supplier, it appears (interim) and validates", async () => {
    const watch = db().select().from(products).where(eq(products.model, "GW-KW3")).get()!;
    const v310 = db()
      .select({ id: productVersions.id })
      .from(productVersions)
      .where(and(eq(productVersions.productId, watch.id), eq(productVersions.firmwareVersion, "3.1.0")))
      .get()!;
    reportId = recordFinding(asha(), {
      productId: watch.id,
      versionIds: [v310.id],
      title: "Pairing code shown on the lock screen",
      description: "The six-digit pairing code stayed visible on the lock screen for a minute after pairing.",
      severity: "medium",
      reporter: "A parent (via the supplier's disclosure inbox)",
      reportedOn: today(),
    });
    advisoryId = db().select().from(findings).where(eq(findings.id, reportId)).get()!.advisoryId!;
    const path = `${WHITE}/${new Date().getUTCFullYear()}/${advisoryId.toLowerCase()}.json`;
    let all = await everythingPublished();
    expect(all).not.toContain("Pairing code shown on the lock screen");
    expect(all.toLowerCase()).not.toContain(advisoryId.toLowerCase());
    for (const suffix of ["", ".sha256", ".asc"]) expect((await get(`${path}${suffix}`)).status).toBe(404);

    // Published a few seconds after the demo's newest document (changes.csv dates are to the second,
    // ties listed by path): it is then the newest, whatever second the seed ended in. (Reset after each test.)
    testClock.advance(3_000);
    publishAdvisory(grace(), reportId, { version: version(reportId), confirm: "yes" });
    all = await everythingPublished();
    expect(all).toContain("Pairing code shown on the lock screen");
    const doc = JSON.parse(await text(path)) as CsafDocument;
    expect(doc.document.tracking).toMatchObject({ id: advisoryId, status: "interim", version: "1" });
    expect(doc.document.notes[1].text).toContain("the supplier published it early");
    expect(await csafProblems(doc)).toEqual([]);
    expect((await indexPaths()).length).toBe(4);
    // changes.csv: the newest document first.
    expect((await text(`${WHITE}/changes.csv`)).split("\n")[0]).toContain(advisoryId.toLowerCase());
  });

  it("a report withdrawn under embargo never appears", async () => {
    const speaker = db().select().from(products).where(eq(products.model, "BN-SS1")).get()!;
    const v104 = db()
      .select({ id: productVersions.id })
      .from(productVersions)
      .where(and(eq(productVersions.productId, speaker.id), eq(productVersions.firmwareVersion, "1.0.4")))
      .get()!;
    const id = recordFinding(asha(), {
      productId: speaker.id,
      versionIds: [v104.id],
      title: "Wake word accepted from a recording",
      description: "A recording of the wake word played from a phone woke the speaker during the test.",
      severity: "low",
      reporter: "Test lab",
      reportedOn: today(),
    });
    actOnFinding(asha(), id, {
      action: "withdraw",
      note: "Expected behaviour: not a vulnerability.",
      version: version(id),
    });
    const all = await everythingPublished();
    expect(all).not.toContain("Wake word accepted from a recording");
    const withdrawn = db().select().from(findings).where(eq(findings.id, id)).get()!;
    expect(all.toLowerCase()).not.toContain(withdrawn.advisoryId!.toLowerCase());
  });
});

describe("an advisory changes: a new version of its document", () => {
  it("CSAF 2.0 6.1.14-6.1.22: the camera's fix certified after its deadline makes version 2, final, with a vendor_fix; still valid, re-hashed and re-signed", async () => {
    const camera = db().select().from(products).where(eq(products.model, "BN-IC1")).get()!;
    const report = db()
      .select()
      .from(findings)
      .where(and(eq(findings.productId, camera.id), eq(findings.title, "Cloud clip links can be guessed")))
      .get()!;
    // Recorded by the seed after its deadline had passed: released when it was recorded.
    const released = Math.max(report.deadline.getTime(), report.createdAt.getTime());
    const path = `${WHITE}/${new Date(released).getUTCFullYear()}/${report.advisoryId!.toLowerCase()}.json`;
    const before = JSON.parse(await text(path)) as CsafDocument;
    const sigBefore = await text(`${path}.asc`);

    const fw = addProductVersion(sam(), camera.id, {
      hardwareRevision: "A",
      firmwareVersion: "1.9.3",
      appVersion: null,
      notes: "Security update: clip links are signed and expire.",
    });
    expect(fw).toBeTruthy();
    actOnFinding(sam(), report.id, {
      action: "mark_fixed",
      fixedInVersion: "1.9.3",
      note: "Clip links are signed.",
      version: version(report.id),
    });
    // A second later at least: versions are dated to the second, and version 1 is the seed's recording.
    await new Promise((wait) => setTimeout(wait, 1_000));
    actOnFinding(asha(), report.id, { action: "verify_fix", note: "Retested on 1.9.3.", version: version(report.id) });

    const after = JSON.parse(await text(path)) as CsafDocument;
    expect(await csafProblems(after)).toEqual([]);
    expect(after.document.tracking).toMatchObject({
      status: "final",
      version: "2",
      initial_release_date: before.document.tracking.initial_release_date,
    });
    expect(after.document.tracking.revision_history.map((r) => r.number)).toEqual(["1", "2"]);
    expect(after.document.tracking.current_release_date > before.document.tracking.current_release_date).toBe(true);
    expect(after.vulnerabilities[0].product_status).toEqual({
      known_affected: ["IOTSEAL-FW-1.9.2"],
      fixed: ["IOTSEAL-FW-1.9.3"],
    });
    expect(after.vulnerabilities[0].remediations![0]).toMatchObject({
      category: "vendor_fix",
      details: "Update to firmware 1.9.3.",
    });
    // New bytes: a new hash and a new signature, which verify.
    const bytes = Buffer.from(await (await get(path)).arrayBuffer());
    expect(await text(`${path}.sha256`)).toContain(crypto.createHash("sha256").update(bytes).digest("hex"));
    const sig = await text(`${path}.asc`);
    expect(sig).not.toBe(sigBefore);
    const metadata = await (await get("/.well-known/csaf/provider-metadata.json")).json();
    const key = await openpgp.readKey({
      armoredKey: await text(new URL(metadata.public_openpgp_keys[0].url).pathname),
    });
    const result = await openpgp.verify({
      message: await openpgp.createMessage({ binary: bytes }),
      signature: await openpgp.readSignature({ armoredSignature: sig }),
      verificationKeys: key,
    });
    await expect(result.signatures[0].verified).resolves.toBe(true);
    // changes.csv lists it with its new date; provider-metadata's last_updated follows the newest.
    const csv = await text(`${WHITE}/changes.csv`);
    expect(csv).toContain(`"${path.slice(WHITE.length + 1)}","${after.document.tracking.current_release_date}"`);
  });
});

describe("a report recorded after its disclosure deadline had passed (back-dated)", () => {
  it("is released when it was recorded, not at its old deadline: newest in changes.csv, last_updated moves, and every view says so", async () => {
    const speaker = db().select().from(products).where(eq(products.model, "BN-SS1")).get()!;
    const v104 = db()
      .select({ id: productVersions.id })
      .from(productVersions)
      .where(and(eq(productVersions.productId, speaker.id), eq(productVersions.firmwareVersion, "1.0.4")))
      .get()!;
    const reportedOn = new Date(Date.now() - 300 * 24 * 3600_000).toISOString().slice(0, 10);
    const metadataBefore = await (await get("/.well-known/csaf/provider-metadata.json")).json();
    // Recorded a few seconds after everything above (versions are dated to the second).
    testClock.set(Date.now() + 5_000);
    const before = nowMs();
    const id = recordFinding(asha(), {
      productId: speaker.id,
      versionIds: [v104.id],
      title: "Setup hotspot uses a fixed password",
      description: "The setup Wi-Fi hotspot of the speaker uses the same password on every unit.",
      severity: "medium",
      reporter: "A reader of the manual",
      reportedOn,
      confirmPublic: "yes", // its deadline passed long ago: public at once
    });
    const f = db().select().from(findings).where(eq(findings.id, id)).get()!;
    expect(f.deadline.getTime()).toBeLessThan(before);
    expect(f.createdAt.getTime()).toBe(before);
    const released = csafDate(f.createdAt);
    const path = `${new Date(f.createdAt).getUTCFullYear()}/${f.advisoryId!.toLowerCase()}.json`;

    const doc = JSON.parse(await text(`${WHITE}/${path}`)) as CsafDocument;
    expect(await csafProblems(doc)).toEqual([]);
    expect(doc.document.tracking).toMatchObject({
      initial_release_date: released,
      current_release_date: released,
      revision_history: [expect.objectContaining({ date: released, number: "1" })],
    });
    expect(doc.document.notes[1].text).toContain(
      `public since ${released.slice(0, 10)}, when it was recorded, after its disclosure deadline had passed`,
    );
    // changes.csv: listed first (the newest), so an aggregator polling for changes since its last sync sees it.
    const csv = (await text(`${WHITE}/changes.csv`)).split("\n").filter(Boolean);
    expect(csv[0]).toBe(`"${path}","${released}"`);
    const metadata = await (await get("/.well-known/csaf/provider-metadata.json")).json();
    expect(metadata.last_updated).toBe(released);
    expect(metadata.last_updated > metadataBefore.last_updated).toBe(true);

    // The seal pages' data, the seal API and the report's own page say the same day.
    const day = new Date(f.createdAt).toISOString().slice(0, 10);
    const onPages = publicAdvisoriesOfProducts(db(), [speaker.id]).get(speaker.id)!;
    expect(onPages[0]).toMatchObject({ advisoryId: f.advisoryId, reportedOn, disclosedOn: day });
    const serial = db()
      .select({ serial: seals.serial })
      .from(seals)
      .innerJoin(productVersions, eq(productVersions.id, seals.productVersionId))
      .where(eq(productVersions.productId, speaker.id))
      .get()!.serial;
    expect(sealApiAdvisories(serial).find((a) => a.advisoryId === f.advisoryId)).toMatchObject({ disclosedOn: day });
    expect(findingView(asha(), id).disclosure.label).toBe(
      `Public since ${formatDate(`${day}T00:00:00Z`)} (deadline passed)`,
    );
    testClock.reset();
  });
});

describe("the OpenPGP key", () => {
  it("lives beside the seal keys, readable only by the portal, and the backup keeps it 0600", async () => {
    const file = path.join(getEnv().dataDir, "keys", "csaf-openpgp.private.asc");
    expect(fs.readFileSync(file, "utf8")).toMatch(/^-----BEGIN PGP PRIVATE KEY BLOCK-----/);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    const target = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "iotseal-csaf-backup-")), "backup");
    await createBackup({ system: "test" }, target);
    expect(fs.statSync(path.join(target, "keys", "csaf-openpgp.private.asc")).mode & 0o777).toBe(0o600);
    expect(restoredMode("keys/csaf-openpgp.private.asc")).toBe(0o600);
    fs.rmSync(path.dirname(target), { recursive: true, force: true });
  });
});
