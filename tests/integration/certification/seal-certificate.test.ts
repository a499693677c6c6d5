// A seal's certificate PDF is rendered once the issuing transaction has committed, while that commit
// (with the seal's log leaf) is synced to the disk, and stored before anyone is told of the seal
// (decision record 035). A seal whose certificate was left out (the process stopped, or the render
// failed, in between) is given it by the next lifecycle sweep, byte for byte the one it would have
// had, and the static publication sends it then.
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { and, eq, isNull } from "drizzle-orm";
import PDFDocument from "pdfkit";
import { beforeAll, describe, expect, it, vi } from "vitest";
import { auditEvents, domainEvents, seals } from "../../../db/schema";
import { db } from "../../../app/platform/db.server";
import { getEnv } from "../../../app/platform/env.server";
import { subscribe } from "../../../app/platform/events.server";
import { seedDemoData } from "../../support/demo-seed";
import { renderSealPdf } from "../../../app/features/trust/adapters/seal-pdf.server";
import { publicSealView, sealPdf, storeMissingCertificates } from "../../../app/features/certification/seals.server";
import { publishArtefacts } from "../../../app/features/public/publication.server";
import { describeSweep, runLifecycleSweep } from "../../../app/system/sweep.server";
import { certifyPsti } from "../../support/certify";
import { grace } from "../../support/actors";
import { createTestProduct } from "../../support/submissions";

let productId: string;
/** What the after-commit subscribers of seal.changed found: the serial and whether its PDF was stored. */
const toldOf: { serial: string; pdf: boolean }[] = [];

beforeAll(async () => {
  await seedDemoData({ seals: false });
  productId = createTestProduct(grace(), { name: "Gator Certificate Band", model: "GW-CB1" });
  subscribe("seal.changed", "test: the certificate is there when the seal is told of", "after-commit", (events) => {
    for (const e of events) toldOf.push({ serial: e.serial, pdf: sealPdf(e.serial) !== null });
  });
});

/** The details of the seal's audit entry of this action. */
function auditDetails(action: string, serial: string): unknown {
  const row = db()
    .select({ details: auditEvents.details })
    .from(auditEvents)
    .where(and(eq(auditEvents.action, action), eq(auditEvents.targetId, serial)))
    .get();
  return row ? JSON.parse(row.details) : null;
}

/** GET /s/<serial>/seal.pdf, as a browser or a verifier asks. */
async function download(serial: string): Promise<Response> {
  const { loader } = await import("../../../app/routes/s.$serial.seal[.]pdf");
  return (await loader({
    request: new Request(`http://localhost/s/${serial}/seal.pdf`),
    params: { serial },
    context: { ip: "192.0.2.44" },
  } as never)) as Response;
}

const publishedPdf = (serial: string) => path.join(getEnv().dataDir, "public-artefacts", "s", serial, "seal.pdf");

describe("a seal's certificate", () => {
  it("is stored by the time issuance returns, before what follows the commit tells of the seal", async () => {
    const serial = await certifyPsti(grace(), productId, "1.0.0");
    const stored = sealPdf(serial)!;
    expect(stored.pdf.subarray(0, 5).toString()).toBe("%PDF-");
    expect(crypto.createHash("sha256").update(stored.pdf).digest("hex")).toBe(stored.sha256);
    expect((await publicSealView(serial))!.hasPdf).toBe(true);
    expect(toldOf.filter((t) => t.serial === serial)).toEqual([{ serial, pdf: true }]);
    const events = db().select().from(domainEvents).where(eq(domainEvents.type, "seal.certificate_stored")).all();
    expect(events.map((e) => JSON.parse(e.payload))).toContainEqual({ serial });
    // The issuance's audit entry names the credential and the log leaf; the certificate's, its SHA-256.
    expect(auditDetails("seal.issued", serial)).toMatchObject({
      credentialSha256: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
    expect(auditDetails("seal.certificate_stored", serial)).toEqual({
      pdfSha256: stored.sha256,
      bytes: stored.pdf.length,
    });
    const res = await download(serial);
    expect(res.status).toBe(200);
    expect(res.headers.get("etag")).toBe(`"${stored.sha256}"`);
  });

  it("left out by a failed render: the seal stands without it, and the next sweep stores the one it would have had", async () => {
    const errors = vi.spyOn(console, "error").mockImplementation(() => {});
    // pdfkit fails while writing the document (the module is shared: the app imported it already).
    const end = vi.spyOn(PDFDocument.prototype, "end").mockImplementationOnce(() => {
      throw new Error("pdfkit ran out of memory");
    });
    const serial = await certifyPsti(grace(), productId, "1.1.0");
    const logged = String(errors.mock.calls.flat());
    errors.mockRestore();
    end.mockRestore();
    expect(logged).toContain("pdfkit ran out of memory");
    // Issued, valid and in the log; no certificate to download yet.
    const view = (await publicSealView(serial))!;
    expect(view.verdict).toBe("valid");
    expect(view.hasPdf).toBe(false);
    expect(sealPdf(serial)).toBeNull();
    // Not "no such certificate": one is coming.
    const refused = await download(serial);
    expect(refused.status).toBe(503);
    expect(refused.headers.get("retry-after")).toBe("60");
    expect(await refused.text()).toBe(`The certificate of seal ${serial} is not stored yet. Try again in a minute.\n`);
    await publishArtefacts();
    expect(fs.existsSync(publishedPdf(serial))).toBe(false);
    expect(fs.existsSync(path.join(path.dirname(publishedPdf(serial)), "credential"))).toBe(true);

    const report = runLifecycleSweep();
    expect(report.certificates).toEqual([serial]);
    expect(describeSweep(report)).toContain(`stored the certificate PDF of ${serial}`);
    const stored = sealPdf(serial)!;
    const row = db().select().from(seals).where(eq(seals.serial, serial)).get()!;
    const again = renderSealPdf({
      jws: row.credential,
      credential: JSON.parse(Buffer.from(row.credential.split(".")[1], "base64url").toString()),
      sealUrl: `${getEnv().baseUrl}/s/${serial}`,
      logProof: row.logProof,
    });
    expect(stored.pdf.equals(again)).toBe(true);
    expect(auditDetails("seal.certificate_stored", serial)).toEqual({
      pdfSha256: stored.sha256,
      bytes: stored.pdf.length,
      repaired: true,
    });
    expect((await download(serial)).status).toBe(200);
    // The publisher sends it on its next run (the stored event names the seal).
    await publishArtefacts();
    expect(fs.readFileSync(publishedPdf(serial)).equals(stored.pdf)).toBe(true);
    expect(runLifecycleSweep().certificates).toEqual([]); // once
  });

  it("made up seal by seal: one that fails again is reported, the others are stored", async () => {
    const a = await certifyPsti(grace(), productId, "1.3.0");
    const b = await certifyPsti(grace(), productId, "1.4.0");
    for (const serial of [a, b])
      db().update(seals).set({ pdf: null, pdfSha256: null }).where(eq(seals.serial, serial)).run();
    const end = vi.spyOn(PDFDocument.prototype, "end").mockImplementationOnce(() => {
      throw new Error("pdfkit ran out of memory");
    });
    const errors = vi.spyOn(console, "error").mockImplementation(() => {});
    const first = storeMissingCertificates();
    end.mockRestore();
    const logged = errors.mock.calls.map((c) => String(c[0]));
    errors.mockRestore();
    expect(first.failed).toEqual([{ serial: expect.any(String), error: "pdfkit ran out of memory" }]);
    // Logged, not only reported: the server's sweeper prints nothing else when nothing changed.
    expect(logged).toEqual([
      `[seals] the certificate of seal ${first.failed[0].serial} is still missing (tried again by the next sweep):`,
    ]);
    expect([...first.stored, first.failed[0].serial].sort()).toEqual([a, b].sort());
    const report = runLifecycleSweep();
    expect(report.certificates).toEqual([first.failed[0].serial]);
    expect(report.failures).toEqual([]);
  });

  it("is not made up for seals issued before certificates existed (no log proof)", async () => {
    const serial = await certifyPsti(grace(), productId, "1.2.0");
    db().update(seals).set({ pdf: null, pdfSha256: null, logProof: null }).where(eq(seals.serial, serial)).run();
    expect(storeMissingCertificates()).toEqual({ stored: [], failed: [] });
    const res = await download(serial);
    expect(res.status).toBe(404);
    expect(await res.text()).toContain("was issued before certificates were made");
    expect(
      db()
        .select()
        .from(seals)
        .where(and(eq(seals.serial, serial), isNull(seals.pdf)))
        .get(),
    ).toBeDefined();
  });
});
