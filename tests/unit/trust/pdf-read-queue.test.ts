// The PDF reader's worker reads one PDF at a time: a read's time limit counts from when the worker
// begins it, and a read ended for taking too long (its worker terminated) takes no other read with it.
import crypto from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { buildSealCredential, signCredential } from "../../../app/features/trust/domain/credential";
import { readSealPdf, warmPdfReader } from "../../../app/features/trust/adapters/pdf-read.server";
import { CREDENTIAL_ATTACHMENT, renderSealPdf } from "../../../app/features/trust/adapters/seal-pdf.server";
import { demoSubject } from "../../fixtures/seal-subject";

/** A one-page PDF whose page draws `ops` strings one by one: reading its text takes seconds. */
function slowPdf(ops: number): Buffer {
  const content = `BT /F1 12 Tf 72 720 Td ${"(a) Tj 1 0 Td ".repeat(ops)}ET`;
  const objects = [
    "<< /Type /Catalog /Pages 2 0 R >>",
    "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
    "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
    `<< /Length ${content.length} >>\nstream\n${content}\nendstream`,
    "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
  ];
  let out = "%PDF-1.7\n";
  const offsets: number[] = [];
  objects.forEach((o, i) => {
    offsets.push(Buffer.byteLength(out, "latin1"));
    out += `${i + 1} 0 obj\n${o}\nendobj\n`;
  });
  const xref = Buffer.byteLength(out, "latin1");
  out += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  out += offsets.map((o) => `${String(o).padStart(10, "0")} 00000 n \n`).join("");
  out += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(out, "latin1");
}

let jws: string;
let pdf: Buffer;

beforeAll(async () => {
  const credential = buildSealCredential({
    baseUrl: "https://seal.example",
    issuerName: "IoT Seal Assurance",
    subject: demoSubject(),
    validFrom: new Date("2026-11-25T00:00:00Z"),
    validUntil: new Date("2028-11-25T00:00:00Z"),
    revocation: { listCredentialUrl: "https://seal.example/status/revocation-1", index: 1 },
    suspension: { listCredentialUrl: "https://seal.example/status/suspension-1", index: 2 },
  });
  jws = await signCredential(credential, crypto.generateKeyPairSync("ed25519").privateKey, "test-kid");
  pdf = renderSealPdf({
    jws,
    credential,
    sealUrl: "https://seal.example/s/IOTS-7KQ2-M9XD",
    logProof: "c2sp.org/tlog-proof@v1\n",
  });
  await readSealPdf(pdf); // the worker started and pdfjs loaded: the timings below are the reads'
}, 60_000);

const credentialIn = (r: Awaited<ReturnType<typeof readSealPdf>>) =>
  r.attachments.get(CREDENTIAL_ATTACHMENT)?.toString("utf8");

describe("the PDF reader's queue", () => {
  it("a read ended for taking too long does not fail the reads waiting behind it", async () => {
    const [slow, a, b] = await Promise.allSettled([readSealPdf(pdf, 1), readSealPdf(pdf), readSealPdf(pdf)]);
    expect(slow).toMatchObject({ status: "rejected", reason: { message: expect.stringMatching(/took too long/) } });
    for (const r of [a, b]) {
      expect(r.status).toBe("fulfilled");
      if (r.status === "fulfilled") expect(credentialIn(r.value)).toBe(jws);
    }
  });

  it("a read's time limit counts from when the worker begins it, not while it waits behind a slow PDF", async () => {
    const slowPage = slowPdf(300_000);
    // How long the slow PDF takes alone on this machine; the quick read's limit is a third of it.
    const t0 = performance.now();
    await readSealPdf(slowPage, 60_000);
    const limitMs = Math.max(100, Math.round((performance.now() - t0) / 3));
    const started = performance.now();
    let slowMs = 0;
    const slow = readSealPdf(slowPage, 60_000).then(() => (slowMs = performance.now() - started));
    const quick = await readSealPdf(pdf, limitMs);
    const quickMs = performance.now() - started;
    await slow;
    // The slow PDF kept the reader busy longer than the quick read's limit; the quick read, begun
    // after it, still had all of its own time.
    expect(slowMs).toBeGreaterThan(limitMs);
    expect(quickMs).toBeGreaterThan(limitMs);
    expect(credentialIn(quick)).toBe(jws);
  }, 60_000);
});

describe("a reader started ahead of its first read", () => {
  it("says when pdfjs is loaded, then reads as any other; starting it again changes nothing", async () => {
    // The last test above may have ended the worker (a read that took too long): this starts a fresh one.
    await warmPdfReader();
    await warmPdfReader();
    const [a, b] = await Promise.all([readSealPdf(pdf), readSealPdf(pdf)]);
    expect(credentialIn(a)).toBe(jws);
    expect(credentialIn(b)).toBe(jws);
  }, 30_000);
});
