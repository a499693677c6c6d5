// Every way of verifying gives the right answer: by serial, by credential, by PDF and in bulk,
// for valid, expired, suspended, revoked, superseded, not found and each forged case.
import crypto from "node:crypto";
import { eq } from "drizzle-orm";
import { base64url, CompactSign } from "jose";
import { beforeAll, describe, expect, it } from "vitest";
import { seals } from "../../../db/schema";
import { renderSealPdf } from "../../../app/features/trust/adapters/seal-pdf.server";
import { signingKeys } from "../../../app/features/trust/adapters/signing-keys.server";
import { getEnv } from "../../../app/platform/env.server";
import { PDF_ISSUED_CHECK } from "../../../app/features/trust/domain/verify";
import { signCredential, unverifiedPayload, type SealCredential } from "../../../app/features/trust/domain/credential";
import { makeSerial } from "../../../app/features/trust/domain/serial";
import { bulkCsv, bulkJson, checkBulkRows, parseBulkCsv } from "../../../app/features/retail/bulk-csv.server";
import { db, transaction } from "../../../app/platform/db.server";
import { applySealAction } from "../../../app/features/trust/seal-status.server";
import { sealPdf } from "../../../app/features/certification/seals.server";
import { demoSealSerials } from "../../../app/demo/seed-seals.server";
import { seedDemoData } from "../../support/demo-seed";
import {
  VerifyInputError,
  verifyCredentialText,
  verifyPdf,
  verifySerial,
  verifySerials,
  verifyUploadedFile,
} from "../../../app/features/trust/verify.server";
import { appendIncrementalUpdate } from "../../fixtures/pdf-incremental-update";
import { startFastRoutes } from "../../support/http";

let s: { active: string; expired: string; suspended: string; revoked: string };
const row = (serial: string) => db().select().from(seals).where(eq(seals.serial, serial)).get()!;
const credentialOf = (serial: string) => unverifiedPayload(row(serial).credential) as SealCredential;

beforeAll(async () => {
  await seedDemoData();
  const d = demoSealSerials();
  s = {
    active: d["Gator Kids Watch 3 3.1.0"],
    expired: d["Gator Kids Watch 2 2.9.4"],
    suspended: d["Brightnest Indoor Cam 1 1.9.2"],
    revoked: d["Brightnest Smart Plug 1.2.0"],
  };
});

describe("every answer, every way", () => {
  it.each([
    ["active", "valid"],
    ["expired", "expired"],
    ["suspended", "suspended"],
    ["revoked", "revoked"],
  ] as const)("the %s demo seal is %s by serial, by credential and by PDF", async (which, status) => {
    const serial = s[which];
    expect(await verifySerial(serial.toLowerCase().replace(/-/g, ""))).toMatchObject({ status, serial });
    expect(await verifyCredentialText(row(serial).credential)).toMatchObject({ status, serial });
    expect(await verifyCredentialText(JSON.stringify({ credential: row(serial).credential }))).toMatchObject({
      status,
      serial,
    });
    const byPdf = await verifyPdf(sealPdf(serial)!.pdf);
    expect(byPdf).toMatchObject({ status, serial, subject: { serial } });
    expect(byPdf.checks.filter((c) => !c.ok && c.label !== "Status at the issuer")).toEqual([]);
  });

  it('RFC 9864: a credential signed by the issuer key with the fully specified alg "Ed25519" passes the signature check', async () => {
    // The server answers only for the exact credential it recorded, so a re-signed copy of a real
    // seal is "not the one recorded" and an unrecorded serial "not found": both past the signature.
    const signer = await signingKeys(getEnv().dataDir).signer();
    const signEd25519 = (c: SealCredential) =>
      new CompactSign(new TextEncoder().encode(JSON.stringify(c)))
        .setProtectedHeader({ alg: "Ed25519", typ: "vc+jwt", kid: signer.kid })
        .sign(signer.key);
    const ghost = {
      ...credentialOf(s.active),
      credentialSubject: { ...credentialOf(s.active).credentialSubject, serial: makeSerial(crypto.randomBytes(5)) },
    };
    expect(await verifyCredentialText(await signEd25519(ghost))).toMatchObject({
      status: "not_found",
      reason: expect.stringMatching(/signature is the issuer's/),
    });
    expect(await verifyCredentialText(await signEd25519(credentialOf(s.active)))).toMatchObject({
      status: "forged",
      reason: "This credential is not the one the issuer recorded for this seal.",
      checks: expect.arrayContaining([expect.objectContaining({ ok: true })]),
    });
  });

  it("suspension and revocation carry their public reason", async () => {
    expect((await verifySerial(s.suspended)).reason).toMatch(/Under review for a reported security issue/);
    expect((await verifySerial(s.revoked)).reason).toMatch(/share one default password/);
  });

  it("not found: an unknown serial, a mistyped one (check character), and a genuine signature the issuer has no record of", async () => {
    expect(await verifySerial("IOTS-0000-0000")).toMatchObject({
      status: "not_found",
      reason: "No seal has this serial.",
    });
    const typo = s.active.slice(0, -2) + (s.active.at(-2) === "7" ? "8" : "7") + s.active.at(-1);
    expect(await verifySerial(typo)).toMatchObject({ status: "not_found", reason: expect.stringMatching(/typo/) });
    const signer = await signingKeys(getEnv().dataDir).signer();
    const ghost = {
      ...credentialOf(s.active),
      credentialSubject: { ...credentialOf(s.active).credentialSubject, serial: makeSerial(crypto.randomBytes(5)) },
    };
    expect(await verifyCredentialText(await signCredential(ghost, signer.key, signer.kid))).toMatchObject({
      status: "not_found",
    });
  });

  it("superseded: a seal replaced by a newer certification says so, and links to it", async () => {
    transaction((tx) =>
      applySealAction(
        tx,
        { system: "test" },
        {
          serial: s.expired,
          action: "supersede",
          reason: "Replaced by the 3.1.0 certification.",
          supersededBy: s.active,
        },
      ),
    );
    for (const answer of [await verifySerial(s.expired), await verifyPdf(sealPdf(s.expired)!.pdf)]) {
      expect(answer).toMatchObject({ status: "superseded", supersededBy: s.active });
    }
    expect((await verifySerials([s.expired]))[0].status).toBe("superseded");
  });
});

describe("forged", () => {
  const tamper = (jws: string, edit: (c: SealCredential) => void) => {
    const [h, p, sig] = jws.split(".");
    const c = JSON.parse(new TextDecoder().decode(base64url.decode(p))) as SealCredential;
    edit(c);
    return `${h}.${base64url.encode(JSON.stringify(c))}.${sig}`;
  };

  it.each([
    [
      "a payload altered after signing",
      () => tamper(row(s.revoked).credential, (c) => (c.credentialSubject.firmwareVersion = "9.9.9")),
      /signature does not match/,
    ],
    [
      "a signature by a key the issuer never published",
      async () =>
        signCredential(credentialOf(s.active), crypto.generateKeyPairSync("ed25519").privateKey, "attacker-key"),
      /never published/,
    ],
    [
      "alg none",
      () => `${base64url.encode(JSON.stringify({ alg: "none", kid: "x" }))}.${row(s.active).credential.split(".")[1]}.`,
      /EdDSA/,
    ],
  ])("%s", async (_what, make, reason) => {
    expect(await verifyCredentialText(await make())).toMatchObject({
      status: "forged",
      reason: expect.stringMatching(reason),
    });
  });

  it("a credential presented under another serial (URL or label)", async () => {
    expect(await verifyCredentialText(row(s.active).credential, s.revoked)).toMatchObject({
      status: "forged",
      reason: expect.stringContaining(`presented as ${s.revoked}`),
    });
    // Not a file's fault: nothing is said of a seal inside.
    expect((await verifyCredentialText(row(s.active).credential, s.revoked)).credentialInside).toBeUndefined();
  });

  it("a PDF whose attached credential was swapped for another seal's", async () => {
    const a = row(s.active);
    const b = row(s.revoked);
    const swapped = renderSealPdf({
      jws: b.credential,
      credential: credentialOf(s.active),
      sealUrl: `${getEnv().baseUrl}/s/${s.active}`,
      logProof: b.logProof!,
    });
    const answer = await verifyPdf(swapped);
    expect(answer.status).toBe("forged");
    expect(answer.reason).toMatch(/does not show what was signed/);
    expect(answer.serial).toBe(s.revoked); // the verifier shows the SIGNED facts
    expect(a.serial).not.toBe(b.serial);
    // The credential inside is the revoked seal's own: its live status, whatever the page prints.
    expect(answer.credentialInside).toMatchObject({ serial: s.revoked, verdict: "revoked" });
  });

  it("a PDF whose visible text was edited (a newer firmware printed on the page)", async () => {
    const a = row(s.active);
    const printed = credentialOf(s.active);
    printed.credentialSubject.firmwareVersion = "3.9.9";
    const edited = renderSealPdf({
      jws: a.credential,
      credential: printed,
      sealUrl: `${getEnv().baseUrl}/s/${s.active}`,
      logProof: a.logProof!,
    });
    const answer = await verifyPdf(edited);
    expect(answer).toMatchObject({ status: "forged", subject: { firmwareVersion: "3.1.0" } });
    expect(answer.reason).toMatch(/Firmware version \(the page shows "3\.9\.9"; signed: 3\.1\.0\)/);
    expect(answer.credentialInside).toEqual({ serial: s.active, verdict: "valid" });
  });

  it("a PDF carrying another seal's log proof", async () => {
    const a = row(s.active);
    const other = renderSealPdf({
      jws: a.credential,
      credential: credentialOf(s.active),
      sealUrl: `${getEnv().baseUrl}/s/${s.active}`,
      logProof: row(s.suspended).logProof!,
    });
    expect(await verifyPdf(other)).toMatchObject({
      status: "forged",
      reason: expect.stringMatching(/different credential/),
    });
  });
});

describe("issue 13.2: a PDF edited by an incremental update is forged", () => {
  const sha = (b: Uint8Array) => crypto.createHash("sha256").update(b).digest("hex");
  const issuedReason = (serial: string, issued: Buffer, forged: Buffer) =>
    `The file differs from the PDF issued for ${serial}: ${(forged.length - issued.length).toLocaleString("en")} bytes appended after the issued file's end (an incremental update: a second revision). ` +
    `Issued SHA-256 ${sha(issued)}, this file's ${sha(forged)}. Trust the signed facts, not the page.`;

  it("the /verify page's service: the genuine PDF is valid and identical to the one issued; the edited one is forged, saying what differs", async () => {
    const issued = sealPdf(s.active)!;
    expect(issued.sha256).toBe(sha(issued.pdf)); // the SHA-256 the audit log records
    const genuine = await verifyPdf(issued.pdf);
    expect(genuine.status).toBe("valid");
    expect(genuine.checks).toContainEqual({
      label: PDF_ISSUED_CHECK,
      ok: true,
      detail: `Byte for byte, SHA-256 ${issued.sha256.slice(0, 16)}…`,
    });

    const forged = appendIncrementalUpdate(issued.pdf); // white boxes, "PRO", firmware 9.9.9, valid until 2099-12-31
    const answer = await verifyPdf(forged);
    expect(answer).toMatchObject({ status: "forged", serial: s.active, subject: { firmwareVersion: "3.1.0" } });
    expect(answer.reason).toBe(issuedReason(s.active, issued.pdf, forged));
    expect(answer.checks.map((c) => [c.label, c.ok])).toEqual([
      ["Credential attached", true],
      ["Signature by the issuer", true],
      [PDF_ISSUED_CHECK, false],
    ]);
    // The file is not genuine; the seal inside it is, and it is valid.
    expect(answer.credentialInside).toEqual({ serial: s.active, verdict: "valid" });
  });

  it("a re-saved certificate (bytes appended after its end) of a seal suspended since: the seal inside, suspended, with its reason", async () => {
    const resaved = Buffer.concat([sealPdf(s.suspended)!.pdf, Buffer.from("garbage!\n")]);
    const answer = await verifyPdf(resaved);
    expect(answer).toMatchObject({ status: "forged", reason: expect.stringContaining("9 bytes appended") });
    expect(answer.credentialInside).toMatchObject({
      serial: s.suspended,
      verdict: "suspended",
      reason: expect.any(String),
    });
  });

  it("a credential whose signature fails, in a PDF or pasted, has no seal inside", async () => {
    const jws = row(s.active).credential;
    const [h, p, sig] = jws.split(".");
    const bad = `${h}.${p}.${sig.slice(0, -4)}${sig.slice(-4) === "AAAA" ? "BBBB" : "AAAA"}`;
    const answer = await verifyCredentialText(bad);
    expect(answer.status).toBe("forged");
    expect(answer.credentialInside).toBeUndefined();
  });

  it("a PDF patched in place (one revision, same length) is forged at the byte offset that differs", async () => {
    const issued = sealPdf(s.active)!.pdf;
    const at = issued.indexOf("<pdf:Producer>IoT Seal") + "<pdf:Producer>IoT S".length; // in the XMP metadata
    expect(at).toBeGreaterThan(100);
    const patched = Buffer.from(issued);
    patched.write("i", at, "latin1"); // "IoT Sial": the page still reads as issued
    const answer = await verifyPdf(patched);
    expect(answer).toMatchObject({
      status: "forged",
      reason: expect.stringContaining(`they differ from byte offset ${at.toLocaleString("en")} on`),
    });
    expect(answer.checks.slice(-3).map((c) => [c.label, c.ok])).toEqual([
      ["PDF page matches the signed facts", true],
      ["Transparency log proof", true],
      [PDF_ISSUED_CHECK, false],
    ]);
  });

  it("a seal with no stored PDF still refuses a second revision", async () => {
    const issued = sealPdf(s.expired)!.pdf;
    db().update(seals).set({ pdf: null }).where(eq(seals.serial, s.expired)).run();
    try {
      expect(await verifyPdf(appendIncrementalUpdate(issued))).toMatchObject({
        status: "forged",
        reason: expect.stringMatching(/^This PDF was edited after it was issued: it has 2 revisions/),
      });
    } finally {
      db().update(seals).set({ pdf: issued }).where(eq(seals.serial, s.expired)).run();
    }
  });

  it("POST /api/v1/verify answers forged, with the reason", async () => {
    const server = await startFastRoutes();
    try {
      const url = `${server.base}/api/v1/verify`;
      const issued = sealPdf(s.active)!.pdf;
      const forged = appendIncrementalUpdate(issued);
      const post = (body: Buffer) =>
        fetch(url, { method: "POST", headers: { "Content-Type": "application/pdf" }, body: new Uint8Array(body) });
      const ok = await post(issued);
      expect(await ok.json()).toMatchObject({ status: "valid", serial: s.active });
      const res = await post(forged);
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({
        status: "forged",
        serial: s.active,
        reason: issuedReason(s.active, issued, forged),
        credentialInside: { serial: s.active, verdict: "valid" },
      });
    } finally {
      await server.close();
    }
  });
});

describe("not a seal at all", () => {
  it("refuses a body that is neither a PDF nor a credential, with a message", async () => {
    await expect(verifyCredentialText("hello")).rejects.toThrow(VerifyInputError);
    await expect(verifyCredentialText('{"nope": 1}')).rejects.toThrow(/"credential"/);
    await expect(verifyPdf(Buffer.from("%PDF-1.7\n garbage"))).rejects.toThrow(VerifyInputError);
    await expect(verifyPdf(Buffer.from("GIF89a"))).rejects.toThrow(VerifyInputError);
  });

  it("names a credential cut short when it was copied, instead of calling it not genuine", async () => {
    const jws = row(s.active).credential;
    await expect(verifyCredentialText(jws.slice(0, -20))).rejects.toThrow(/cut short: its signature has 66 of its 86/);
    // One character altered, the length kept: that is a forgery, and says so.
    const altered = jws.slice(0, -10) + (jws.at(-10) === "A" ? "B" : "A") + jws.slice(-9);
    expect(await verifyCredentialText(altered)).toMatchObject({ status: "forged" });
  });

  it("a copy cut before its second dot is cut short too; a token of another algorithm is forged, not cut short", async () => {
    const jws = row(s.active).credential;
    const [h, p] = jws.split(".");
    await expect(verifyCredentialText(`${h}.${p}`)).rejects.toThrow(/cut short: it ends before its signature/);
    await expect(verifyCredentialText(`${h}.${p.slice(0, 50)}`)).rejects.toThrow(/cut short/);
    // An HS256 token has a 43-character signature: a counterfeit, whatever its length.
    const hs256 = await new CompactSign(Buffer.from(p, "base64url"))
      .setProtectedHeader({
        alg: "HS256",
        typ: "vc+jwt",
        kid: JSON.parse(new TextDecoder().decode(base64url.decode(h))).kid,
      })
      .sign(crypto.randomBytes(32));
    expect(hs256.split(".")[2]).toHaveLength(43);
    expect(await verifyCredentialText(hs256)).toMatchObject({
      status: "forged",
      reason: expect.stringMatching(/not signed with Ed25519/),
    });
    // Cut before its second dot, a token that is not the issuer's is not a seal credential.
    await expect(verifyCredentialText(hs256.slice(0, hs256.lastIndexOf(".")))).rejects.toThrow(/not a seal credential/);
  });

  it("a file given in the PDF's place: the credential file (seal.vc.jwt) is checked as a credential; anything else is still not a PDF", async () => {
    const jws = row(s.suspended).credential;
    expect(await verifyUploadedFile(Buffer.from(`${jws}\n`))).toMatchObject({
      by: "credential-file",
      answer: { status: "suspended", serial: s.suspended },
    });
    expect(await verifyUploadedFile(sealPdf(s.suspended)!.pdf)).toMatchObject({
      by: "pdf",
      answer: { status: "suspended", serial: s.suspended },
    });
    // A credential file cut short says so, as pasted; text that is no credential, or a credential's bytes that are
    // not UTF-8, is not a PDF.
    await expect(verifyUploadedFile(Buffer.from(jws.slice(0, -20)))).rejects.toThrow(/cut short/);
    await expect(verifyUploadedFile(Buffer.from("hello, this is a letter"))).rejects.toThrow("This file is not a PDF.");
    await expect(verifyUploadedFile(Buffer.concat([Buffer.from(jws), Buffer.from([0xff])]))).rejects.toThrow(
      "This file is not a PDF.",
    );
  });

  it("a credential pasted with line breaks inside (a mail client wrapped it) is read whole", async () => {
    const jws = row(s.active).credential;
    const wrapped = jws.match(/.{1,76}/g)!.join("\r\n");
    expect(await verifyCredentialText(wrapped)).toMatchObject({ status: "valid", serial: s.active });
    expect(await verifyCredentialText(JSON.stringify({ credential: wrapped }))).toMatchObject({ status: "valid" });
  });
});

describe("bulk", () => {
  // Speed is measured by `npm run bench:bulk` (a ratio against its baseline), not timed here: a timed
  // test failed on a CI machine busy with other work while the code was unchanged.
  it("answers 10,000 rows, passing other columns through", async () => {
    const pool = [s.active, s.expired, s.suspended, s.revoked];
    const lines = ["our_sku,Serial,shelf"];
    for (let i = 0; i < 10_000; i++) {
      const serial = i % 10 === 9 ? makeSerial(crypto.randomBytes(5)) : i % 97 === 0 ? "garbage" : pool[i % 4];
      lines.push(`SKU-${i},${serial},"aisle ${i % 7}, bay ${i % 3}"`);
    }
    const parsed = parseBulkCsv(lines.join("\r\n"));
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    const answers = await checkBulkRows(parsed.value);
    const csv = bulkCsv(parsed.value, answers);
    const out = csv.trim().split("\n");
    expect(out).toHaveLength(10_001);
    expect(out[0].trim()).toBe(
      "our_sku,Serial,shelf,status,reason,checked_product,checked_firmware,valid_until,update_required,checked_serial,file_line,check_note",
    );
    expect(out[1]).toMatch(/^SKU-0,garbage,"aisle 0, bay 0",not_found,Not a valid seal serial/);
    expect(out[2]).toMatch(new RegExp(`^SKU-1,${s.expired},"aisle 1, bay 1",`));
    const json = bulkJson(parsed.value, answers, new Date().toISOString());
    expect(json.rows).toBe(10_000);
    expect(Object.values(json.summary).reduce((a, b) => a + b, 0)).toBe(10_000);
    expect(json.results[3]).toMatchObject({ row: 4, line: 5, columns: { our_sku: "SKU-3", shelf: "aisle 3, bay 0" } });
  });

  it("names what is wrong with a bad CSV", () => {
    expect(parseBulkCsv("")).toMatchObject({ ok: false, message: "The CSV file is empty." });
    expect(parseBulkCsv("sku,name\nA,B\n")).toMatchObject({
      ok: false,
      message: expect.stringContaining('column named "gtin" (or "ean", "upc", "barcode") or "serial"'),
    });
    expect(parseBulkCsv("serial\n")).toMatchObject({ ok: false, message: expect.stringContaining("no rows") });
    // A quote never closed is no longer a refusal of the file: the row is read as written and reported.
    expect(parseBulkCsv('serial,x\n"unterminated,1\n')).toMatchObject({
      ok: true,
      value: { rows: [['"unterminated', "1"]], problems: [expect.stringMatching(/never closed/)] },
    });
  });
});
