import { execFileSync, spawnSync } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import jsQR from "jsqr";
import PDFDocument from "pdfkit";
import { PNG } from "pngjs";
import { beforeAll, describe, expect, it } from "vitest";
import {
  buildSealCredential,
  signCredential,
  type SealCredential,
  type SealSubject,
} from "../../../app/features/trust/domain/credential";
import {
  credentialFingerprint,
  pageDisagreements,
  printableText,
  visibleFacts,
} from "../../../app/features/trust/domain/seal-facts";
import { MAX_PAGES, PdfReadError, readSealPdf } from "../../../app/features/trust/adapters/pdf-read.server";
import {
  CREDENTIAL_ATTACHMENT,
  LEGACY_LOG_PROOF_ATTACHMENT,
  LOG_PROOF_ATTACHMENT,
  renderSealPdf,
} from "../../../app/features/trust/adapters/seal-pdf.server";
import {
  pdfDifference,
  pdfDigestDifference,
  pdfRevisions,
  revisionProblem,
} from "../../../app/features/trust/domain/pdf-integrity";
import { checkArtefacts, PDF_ISSUED_CHECK, PDF_REVISION_CHECK } from "../../../app/features/trust/domain/verify";
import { appendIncrementalUpdate } from "../../fixtures/pdf-incremental-update";
import { demoSubject } from "../../fixtures/seal-subject";

const subject: SealSubject = demoSubject();

function credential(patch: (s: SealSubject) => void = () => {}): SealCredential {
  const s: SealSubject = structuredClone(subject);
  patch(s);
  return buildSealCredential({
    baseUrl: "https://seal.example",
    issuerName: "IoT Seal Assurance",
    subject: s,
    validFrom: new Date("2026-11-25T00:00:00Z"),
    validUntil: new Date("2028-11-25T00:00:00Z"),
    revocation: { listCredentialUrl: "https://seal.example/status/revocation-1", index: 4711 },
    suspension: { listCredentialUrl: "https://seal.example/status/suspension-1", index: 90210 },
  });
}

const sealUrl = "https://seal.example/s/IOTS-7KQ2-M9XD";
// The PDF attaches the log proof's text as given (its checks are in tlog-proof.test.ts).
const logProof = [
  "c2sp.org/tlog-proof@v1",
  `extra ${Buffer.from('{"event":"issued","index":41}').toString("base64")}`,
  "index 41",
  Buffer.alloc(32, 7).toString("base64"),
  "",
  "seal.example/log",
  "42",
  Buffer.alloc(32, 9).toString("base64"),
  "",
  `\u2014 seal.example/log ${Buffer.alloc(68, 1).toString("base64")}`,
  "",
].join("\n");
/** What seals issued before tlog-proof@v1 carried (as seal.tlog-proof.json). */
const legacyProof = {
  logIndex: 41,
  treeSize: 42,
  inclusionProof: ["3q2+7w==", "yv66vg=="],
  checkpoint: "seal.example/log\n42\nAAAA\n",
};
const key = crypto.generateKeyPairSync("ed25519").privateKey;
let jws: string;
let pdf: Buffer;

beforeAll(async () => {
  jws = await signCredential(credential(), key, "test-kid");
  pdf = renderSealPdf({ jws, credential: credential(), sealUrl, logProof });
});

describe("seal facts", () => {
  it("names what the certificate prints, with dates as YYYY-MM-DD", () => {
    expect(Object.fromEntries(visibleFacts(credential()).map((f) => [f.key, f.value]))).toEqual({
      product: "Gator Kids Watch 3",
      model: "GW-KW3",
      gtin: "5060123450002",
      hardwareRevision: "C",
      firmwareVersion: "3.2.0",
      supplier: "Gator Wearables Ltd",
      checklist: "Cyber Security for Consumer Internet of Things: Baseline Requirements, version 2.1.1",
      level: "baseline",
      results: "65 of 67 requirements passed, 2 not applicable · mandatory 32/32 met · advisory 35/35 met",
      issued: "2026-11-25",
      validUntil: "2028-11-25",
      supportPeriodEnd: "2029-12-31",
      serial: "IOTS-7KQ2-M9XD",
      issuer: "IoT Seal Assurance",
    });
  });

  it("keeps text to what the standard PDF fonts can print", () => {
    expect(printableText("Gator — Café “Ölß” €5")).toBe("Gator — Café “Ölß” €5");
    expect(printableText("Łódź  Elektronika\u00a0Sp.\u200b z o.o.")).toBe("Lódz Elektronika Sp. z o.o.");
    expect(printableText("Ação ‑ Ωmega 智能手表")).toBe("Ação - ?mega ????");
  });

  it("finds each fact as whole words after its label, however the page wraps", () => {
    const c = credential();
    const page = visibleFacts(c)
      .map((f) => `${f.label}\n${f.value.replace(/ /g, "\n ")}`) // wrapped differently from the PDF
      .join("  \n");
    expect(pageDisagreements(page, c)).toEqual([]);
    expect(pageDisagreements(page.replace("3.2.0", "3.2.01"), c)).toEqual([
      { key: "firmwareVersion", label: "Firmware version", expected: "3.2.0", shown: "3.2.01" },
    ]);
    expect(
      pageDisagreements(page.replace("Hardware revision\nC", "Hardware revision\nD C"), c).map((d) => d.key),
    ).toEqual(["hardwareRevision"]);
    // The GTIN is checked when the page prints it (certificates issued before issue 15 do not).
    expect(pageDisagreements("", c)).toHaveLength(visibleFacts(c).length - 1);
  });

  it("issue 15: prints the GTIN when the product has one, and checks it when the page shows it", () => {
    const c = credential();
    expect(visibleFacts(c).find((f) => f.key === "gtin")).toMatchObject({ label: "GTIN", value: "5060123450002" });
    expect(visibleFacts(credential((s) => (s.product.gtin = null))).map((f) => f.key)).not.toContain("gtin");
    const page = visibleFacts(c)
      .map((f) => `${f.label}\n${f.value}`)
      .join("\n");
    expect(pageDisagreements(page, c)).toEqual([]);
    expect(pageDisagreements(page.replace("5060123450002", "5060123450019"), c)).toEqual([
      { key: "gtin", label: "GTIN", expected: "5060123450002", shown: "5060123450019" },
    ]);
    // An older certificate, without the GTIN on its page, still matches its signed facts.
    expect(pageDisagreements(page.replace("GTIN\n5060123450002\n", ""), c)).toEqual([]);
  });

  it("issue 15: does not repeat a version the checklist's title already ends with; an older page's form still matches", () => {
    const psti = credential((s) => {
      s.checklist = { ...s.checklist, id: "uk-psti", version: "2023", title: "Regulations 2023" };
    });
    const fact = visibleFacts(psti).find((f) => f.key === "checklist")!;
    expect(fact.value).toBe("Regulations 2023");
    const page = (checklist: string) =>
      visibleFacts(psti)
        .map((f) => `${f.label}\n${f.key === "checklist" ? checklist : f.value}`)
        .join("\n");
    expect(pageDisagreements(page("Regulations 2023"), psti)).toEqual([]);
    expect(pageDisagreements(page("Regulations 2023, version 2023"), psti)).toEqual([]); // issued before issue 15
    expect(pageDisagreements(page("Regulations 2024"), psti).map((d) => d.key)).toEqual(["checklist"]);
  });

  it("fingerprints the credential as four groups of four hex digits of its SHA-256", () => {
    const fp = credentialFingerprint(jws);
    expect(fp).toMatch(/^[0-9a-f]{4}( [0-9a-f]{4}){3}$/);
    expect(fp.replace(/ /g, "")).toBe(crypto.createHash("sha256").update(jws).digest("hex").slice(0, 16));
    expect(credentialFingerprint(`${jws}x`)).not.toBe(fp);
  });
});

describe("seal PDF", () => {
  it("is a complete one-page PDF with byte-identical output for the same inputs", async () => {
    expect(pdf.subarray(0, 5).toString("latin1")).toBe("%PDF-");
    expect(pdf.subarray(-6).toString("latin1")).toBe("%%EOF\n");
    // PDF dates have one-second resolution: wait past a second so a clock-derived date would show.
    await new Promise((r) => setTimeout(r, 1100));
    const again = renderSealPdf({ jws, credential: credential(), sealUrl, logProof });
    expect(again.equals(pdf)).toBe(true);
    const fileId = (b: Buffer) => /\/ID \[<([0-9a-f]{32})>/.exec(b.toString("latin1"))?.[1];
    expect(fileId(pdf)).toBeDefined();
    const other = renderSealPdf({
      jws: await signCredential(credential(), key, "other-kid"),
      credential: credential(),
      sealUrl,
      logProof,
    });
    expect(fileId(other)).not.toBe(fileId(pdf));
  });

  it("reads back: the attached credential and log proof, and a page that shows every fact", async () => {
    const read = await readSealPdf(pdf);
    expect(read.pageCount).toBe(1);
    expect([...read.attachments.keys()].sort()).toEqual([CREDENTIAL_ATTACHMENT, LOG_PROOF_ATTACHMENT].sort());
    expect(read.attachments.get(CREDENTIAL_ATTACHMENT)!.toString("utf8")).toBe(jws);
    expect(LOG_PROOF_ATTACHMENT).toBe("seal.tlog-proof");
    expect(read.attachments.get(LOG_PROOF_ATTACHMENT)!.toString("utf8")).toBe(logProof);
    expect(read.pageText).toContain("transparency-log proof (seal.tlog-proof)");
    expect(pageDisagreements(read.pageText, credential())).toEqual([]);
    expect(read.pageText).toContain(credentialFingerprint(jws));
    expect(read.pageText).toContain("https://seal.example/verify");
    // issue 15: the GTIN and where to check, not a developer command.
    expect(read.pageText).toMatch(/GTIN\s+5060123450002/);
    expect(read.pageText).toContain(sealUrl);
    expect(read.pageText).not.toContain("npm");
  });

  it("says so when a signed fact has characters the font cannot print (shown as ?), and only then", async () => {
    expect(visibleFacts(credential()).some((f) => f.lossy)).toBe(false);
    const cjk = credential((s) => (s.product.name = "Gator 智能手表 🐊"));
    expect(visibleFacts(cjk).find((f) => f.key === "product")).toMatchObject({ value: "Gator ???? ?", lossy: true });
    const read = await readSealPdf(renderSealPdf({ jws, credential: cjk, sealUrl, logProof }));
    expect(read.pageText.replace(/\s+/g, " ")).toContain(
      "Characters this certificate's font cannot print are shown as ?",
    );
    expect(pageDisagreements(read.pageText, cjk)).toEqual([]);
    expect((await readSealPdf(pdf)).pageText).not.toContain("cannot print");
  });

  it("renders a seal issued before tlog-proof@v1 as it was: its JSON proof as seal.tlog-proof.json", async () => {
    const read = await readSealPdf(renderSealPdf({ jws, credential: credential(), sealUrl, logProof: legacyProof }));
    expect([...read.attachments.keys()].sort()).toEqual([CREDENTIAL_ATTACHMENT, LEGACY_LOG_PROOF_ATTACHMENT].sort());
    expect(JSON.parse(read.attachments.get(LEGACY_LOG_PROOF_ATTACHMENT)!.toString("utf8"))).toEqual(legacyProof);
    expect(read.pageText).toContain("transparency-log proof (seal.tlog-proof.json)");
  });

  it.each([
    [
      "firmware version",
      (s: SealSubject) => {
        s.firmwareVersion = "3.9.9";
      },
      "firmwareVersion",
    ],
    [
      "product name",
      (s: SealSubject) => {
        s.product.name = "Gator Kids Watch 4";
      },
      "product",
    ],
  ] as const)(
    "names an edited %s when the page no longer matches the attached credential",
    async (_what, edit, key) => {
      const edited = renderSealPdf({ jws, credential: credential(edit), sealUrl, logProof });
      const read = await readSealPdf(edited);
      expect(read.attachments.get(CREDENTIAL_ATTACHMENT)!.toString("utf8")).toBe(jws);
      expect(pageDisagreements(read.pageText, credential()).map((d) => d.key)).toEqual([key]);
    },
  );

  const pdftoppm = spawnSync("pdftoppm", ["-v"]).error === undefined;
  it.skipIf(!pdftoppm)("has a QR code that opens the seal page (skipped without pdftoppm from poppler-utils)", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "seal-qr-"));
    try {
      fs.writeFileSync(path.join(dir, "seal.pdf"), pdf);
      execFileSync("pdftoppm", [
        "-png",
        "-r",
        "150",
        "-singlefile",
        path.join(dir, "seal.pdf"),
        path.join(dir, "page"),
      ]);
      const png = PNG.sync.read(fs.readFileSync(path.join(dir, "page.png")));
      const qr = jsQR(
        new Uint8ClampedArray(png.data.buffer, png.data.byteOffset, png.data.length),
        png.width,
        png.height,
      );
      expect(qr?.data).toBe(sealUrl);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("refuses bytes that are not a PDF, a truncated PDF, and a read that takes too long", async () => {
    await expect(readSealPdf(Buffer.from("IOTS-7KQ2-M9XD is a valid seal, trust me"))).rejects.toThrow(PdfReadError);
    await expect(readSealPdf(new Uint8Array())).rejects.toThrow("not a PDF");
    await expect(readSealPdf(pdf.subarray(0, Math.floor(pdf.length / 2)))).rejects.toThrow(PdfReadError);
    await expect(readSealPdf(Buffer.from("%PDF-1.7\n1 0 obj\n<<"))).rejects.toThrow(PdfReadError);
    await expect(readSealPdf(pdf, 0)).rejects.toThrow("too long");
  });

  it("refuses a document with more pages than a certificate could have", async () => {
    const doc = new PDFDocument();
    for (let i = 0; i < MAX_PAGES; i++) doc.addPage();
    doc.end();
    const chunks: Buffer[] = [];
    for (let c: Buffer | null; (c = doc.read()) !== null;) chunks.push(c);
    await expect(readSealPdf(Buffer.concat(chunks))).rejects.toThrow(`this PDF has ${MAX_PAGES + 1}`);
  });

  it("fits long names (up to the portal's input limits) on the one page, every fact still readable", async () => {
    const upTo = (limit: number, text: string) => text.slice(0, limit);
    const long = credential((s) => {
      s.product.name = upTo(
        120,
        "Gator Kids Watch 3 Ultra with LTE, GPS, SOS button and parental controls: limited edition in green and sunshine yellow, EU plug",
      );
      s.product.model = upTo(
        80,
        "GW-KW3-ULTRA-LTE-2026-EU-GREEN-SUNSHINE-YELLOW-LIMITED-EDITION-WITH-STRAP-PACK-AND-CHARGER",
      );
      s.supplier.name = upTo(
        120,
        "Gator Wearables and Connected Consumer Electronics International Holdings Limited, European Division for Children's Products",
      );
      s.hardwareRevision = upTo(40, "Rev C2 (mainboard 4.1, radio B, 2026 refresh)");
      s.firmwareVersion = upTo(40, "3.2.0-build.20261125+sha.0123456789abcdef0123");
      s.checklist.title = upTo(
        300,
        `${subject.checklist.title}, ${"including the additional requirements for children's products and ".repeat(5)}`,
      );
    });
    expect([
      long.credentialSubject.product.name.length,
      long.credentialSubject.supplier.name.length,
      long.credentialSubject.checklist.title.length,
    ]).toEqual([120, 120, 300]);
    const read = await readSealPdf(renderSealPdf({ jws, credential: long, sealUrl, logProof }));
    expect(read.pageCount).toBe(1);
    expect(pageDisagreements(read.pageText, long)).toEqual([]);
  });

  it("does not throw or spill onto a second page for absurd or non-Latin names", async () => {
    const absurd = credential((s) => {
      s.product.name = "Умные часы «Гатор» 智能手表 ".repeat(40);
      s.supplier.name = "W".repeat(2000);
      s.firmwareVersion = "\u0000\u202e3.2.0\t\n";
    });
    const read = await readSealPdf(renderSealPdf({ jws, credential: absurd, sealUrl, logProof }));
    expect(read.pageCount).toBe(1);
    expect(read.pageText).toContain("Firmware version\n3.2.0");
  });
});

describe("issue 13.2: a PDF edited by an incremental update is forged", () => {
  it("an issued seal PDF is one revision with nothing after its end", () => {
    expect(pdfRevisions(pdf)).toEqual({ revisions: 1, firstEnd: pdf.length, appended: 0 });
    expect(revisionProblem(pdf)).toBeNull();
    expect(revisionProblem(Buffer.concat([pdf, Buffer.from("\r\n\n")]))).toBeNull(); // white space is not an edit
  });

  it("the attacker's file reads as the issued page with new text on top (the page check alone passes)", async () => {
    const forged = appendIncrementalUpdate(pdf);
    const read = await readSealPdf(forged);
    expect(read.pageCount).toBe(1);
    expect(read.pageText).toMatch(/9\.9\.9[\s\S]*2099-12-31[\s\S]*PRO/);
    expect(pageDisagreements(read.pageText, credential())).toEqual([]);
  });

  it("offline: more than one revision, or bytes after %%EOF, is named as an edit after issue", () => {
    const forged = appendIncrementalUpdate(pdf);
    expect(pdfRevisions(forged)).toEqual({ revisions: 2, firstEnd: pdf.length, appended: forged.length - pdf.length });
    expect(revisionProblem(forged)).toBe(
      `This PDF was edited after it was issued: it has 2 revisions (${(forged.length - pdf.length).toLocaleString("en")} bytes appended after the end of the first): 1 incremental update made after it was issued. ` +
        "A seal certificate is issued in one revision; what its page shows now is not what was issued. Trust the signed facts, not the page.",
    );
    expect(pdfRevisions(appendIncrementalUpdate(forged)).revisions).toBe(3);
    expect(revisionProblem(Buffer.concat([pdf, Buffer.from("% hello")]))).toMatch(
      /edited after it was issued: 7 bytes appended after its end \(%%EOF\)/,
    );
    // The first %%EOF blanked out: still two xref sections and two startxref pointers.
    const hidden = Buffer.from(forged);
    hidden.write("     ", pdf.lastIndexOf("%%EOF"), "latin1");
    expect(revisionProblem(hidden)).toMatch(/it has 2 revisions/);
  });

  it("against the issued bytes: says what was appended, cut off or changed, with both SHA-256s", () => {
    const forged = appendIncrementalUpdate(pdf);
    const sha = (b: Buffer) => crypto.createHash("sha256").update(b).digest("hex");
    expect(pdfDifference("IOTS-7KQ2-M9XD", pdf, pdf)).toBeNull();
    expect(pdfDifference("IOTS-7KQ2-M9XD", pdf, forged)).toBe(
      `The file differs from the PDF issued for IOTS-7KQ2-M9XD: ${(forged.length - pdf.length).toLocaleString("en")} bytes appended after the issued file's end (an incremental update: a second revision). ` +
        `Issued SHA-256 ${sha(pdf)}, this file's ${sha(forged)}. Trust the signed facts, not the page.`,
    );
    expect(pdfDifference("IOTS-7KQ2-M9XD", pdf, pdf.subarray(0, -10))).toMatch(
      /it is cut short: the last 10 bytes of the issued file are missing/,
    );
    const patched = Buffer.from(pdf);
    patched[1234] ^= 1;
    expect(pdfDifference("IOTS-7KQ2-M9XD", pdf, patched)).toMatch(
      new RegExp(
        `they differ from byte offset 1,234 on \\(the issued file has ${pdf.length.toLocaleString("en")} bytes, this one ${pdf.length.toLocaleString("en")} bytes\\)`,
      ),
    );
  });

  it("against the issued file's SHA-256 only (the offline verifier asking the issuer's seal API): the same rule, both digests", () => {
    const sha = (b: Buffer) => crypto.createHash("sha256").update(b).digest("hex");
    const patched = Buffer.from(pdf);
    patched[1234] ^= 1;
    expect(pdfDigestDifference("IOTS-7KQ2-M9XD", sha(pdf), pdf)).toBeNull();
    expect(pdfDigestDifference("IOTS-7KQ2-M9XD", sha(pdf).toUpperCase(), pdf)).toBeNull();
    expect(pdfDigestDifference("IOTS-7KQ2-M9XD", sha(pdf), patched)).toBe(
      `The file differs from the PDF issued for IOTS-7KQ2-M9XD: it is not the same file (the issuer recorded its SHA-256). ` +
        `Issued SHA-256 ${sha(pdf)}, this file's ${sha(patched)}. Trust the signed facts, not the page.`,
    );
    expect(pdfDigestDifference("IOTS-7KQ2-M9XD", sha(pdf), patched, true)).toContain(
      `Issued SHA-256 ${sha(pdf).slice(0, 16)}…, this file's ${sha(patched).slice(0, 16)}…`,
    );
  });

  it("checkArtefacts refuses the edited PDF before reading its page: offline by revisions, at the portal against the issued bytes", async () => {
    const forged = appendIncrementalUpdate(pdf);
    const jwks = [{ ...(crypto.createPublicKey(key).export({ format: "jwk" }) as object), kid: "test-kid" }];
    const read = await readSealPdf(forged);
    const offline = await checkArtefacts({ jws, pageText: read.pageText, pdfBytes: forged }, jwks);
    expect(offline).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/^This PDF was edited after it was issued: it has 2 revisions/),
    });
    expect(offline.checks.map((c) => [c.label, c.ok])).toEqual([
      ["Signature by the issuer", true],
      [PDF_REVISION_CHECK, false],
    ]);
    const portal = await checkArtefacts(
      { jws, pageText: read.pageText, pdfBytes: forged, issuedPdf: { serial: "IOTS-7KQ2-M9XD", bytes: pdf } },
      jwks,
    );
    expect(portal).toMatchObject({
      ok: false,
      reason: expect.stringMatching(
        /^The file differs from the PDF issued for IOTS-7KQ2-M9XD: \d+ bytes appended .*an incremental update/,
      ),
    });
    expect(portal.checks.at(-1)).toMatchObject({ label: PDF_ISSUED_CHECK, ok: false });
    // The genuine file passes both ways; another seal's stored PDF is never compared.
    const genuine = await readSealPdf(pdf);
    expect((await checkArtefacts({ jws, pageText: genuine.pageText, pdfBytes: pdf }, jwks)).checks).toContainEqual(
      expect.objectContaining({ label: PDF_REVISION_CHECK, ok: true }),
    );
    const same = await checkArtefacts(
      { jws, pageText: genuine.pageText, pdfBytes: pdf, issuedPdf: { serial: "IOTS-7KQ2-M9XD", bytes: pdf } },
      jwks,
    );
    expect(same.ok && same.checks.map((c) => [c.label, c.ok])).toEqual([
      ["Signature by the issuer", true],
      ["PDF page matches the signed facts", true],
      [PDF_ISSUED_CHECK, true],
    ]);
    expect(
      (
        await checkArtefacts(
          { jws, pageText: genuine.pageText, pdfBytes: pdf, issuedPdf: { serial: "IOTS-0000-0000", bytes: forged } },
          jwks,
        )
      ).ok,
    ).toBe(true);
  });
});
