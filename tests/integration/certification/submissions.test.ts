// The supplier's submission journey against a real SQLite file and evidence directory,
// including every hostile input of the issue: each refused with a message, nothing stored.
process.env.EVIDENCE_MAX_FILE_MB = "1";
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { Readable } from "node:stream";
import { eq, sql } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { answers, evidenceFiles, evidenceLinks, submissions } from "../../../db/schema";
import { getEnv } from "../../../app/platform/env.server";
import { handleEvidenceUpload } from "../../../app/features/certification/evidence-upload.server";
import type { Actor } from "../../../app/platform/actor";
import { retireChecklistVersion } from "../../../app/features/catalogue/checklists.server";
import { db } from "../../../app/platform/db.server";
import { linkExistingEvidence, openEvidence } from "../../../app/features/certification/evidence.server";
import { evidenceResponse } from "../../../app/features/certification/evidence-download.server";
import { actorByEmail } from "../../support/actors";
import { seedDemoData } from "../../support/demo-seed";
import {
  deleteDraft,
  openSubmission,
  saveAnswer,
  submissionView,
  submitSubmission,
  withdrawSubmission,
} from "../../../app/features/certification/submissions.server";
import { answerInput } from "../../../app/features/certification/forms";
import { requirementsInScope } from "../../../app/features/certification/submission-records.server";
import { addTestVersion, createTestProduct, openTestDraft } from "../../support/submissions";

let grace: Actor; // Gator Wearables
let sam: Actor; // Brightnest
let pstiDraft: string; // Grace's draft against UK PSTI 2023 (3 requirements)
let watchVersion: string;

const PNG = fs.readFileSync("db/seed-evidence/pairing-screen.png");
const PDF = fs.readFileSync("db/seed-evidence/gator-kids-watch-3-security-policy.pdf");
const ELF = Buffer.concat([
  Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0]),
  Buffer.alloc(56),
  Buffer.from("rest of an executable"),
]);

function evidenceSnapshot() {
  const root = path.join(getEnv().dataDir, "evidence");
  const files: string[] = [];
  const walk = (d: string) =>
    fs.existsSync(d) &&
    fs
      .readdirSync(d, { withFileTypes: true })
      .forEach((e) => (e.isDirectory() ? walk(path.join(d, e.name)) : files.push(path.join(d, e.name))));
  walk(root);
  const tmp = path.join(getEnv().dataDir, "tmp", "uploads");
  const count = (t: typeof evidenceFiles | typeof evidenceLinks | typeof answers) =>
    db()
      .select({ n: sql<number>`count(*)` })
      .from(t)
      .get()!.n;
  return {
    files: files.sort(),
    tmp: fs.existsSync(tmp) ? fs.readdirSync(tmp) : [],
    evidenceFiles: count(evidenceFiles),
    links: count(evidenceLinks),
    answers: count(answers),
  };
}

/** A multipart body built byte by byte, so names can carry anything a hostile client sends. */
function multipart(parts: { name: string; filename?: string; type?: string; body: Buffer | string }[]): {
  body: Buffer;
  type: string;
} {
  const boundary = "----iotseal" + Math.random().toString(36).slice(2);
  const chunks: Buffer[] = [];
  for (const p of parts) {
    const disp = `form-data; name="${p.name}"` + (p.filename !== undefined ? `; filename="${p.filename}"` : "");
    chunks.push(
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: ${disp}\r\n` +
          (p.filename !== undefined ? `Content-Type: ${p.type ?? "application/octet-stream"}\r\n` : "") +
          "\r\n",
        "latin1",
      ),
    );
    chunks.push(Buffer.isBuffer(p.body) ? p.body : Buffer.from(p.body));
    chunks.push(Buffer.from("\r\n"));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { body: Buffer.concat(chunks), type: `multipart/form-data; boundary=${boundary}` };
}

function uploadRequest(files: { filename: string; body: Buffer | string }[]): Request {
  const { body, type } = multipart(files.map((f) => ({ name: "file", ...f })));
  return new Request("http://localhost/upload", {
    method: "POST",
    body: new Uint8Array(body),
    headers: { "content-type": type, "content-length": String(body.length) },
  });
}

beforeAll(async () => {
  await seedDemoData();
  grace = actorByEmail("supplier@demo.test");
  sam = actorByEmail("supplier2@demo.test");
  const productId = createTestProduct(grace, { name: "Gator Pet Tracker", model: "GW-PT1" });
  watchVersion = addTestVersion(grace, productId);
  pstiDraft = openTestDraft(grace, watchVersion);
});

describe("opening a submission", () => {
  it("lists exactly the requirements that apply at the target level, each marked mandatory or advisory", () => {
    const view = submissionView(grace, pstiDraft);
    expect(view.sections.flatMap((s) => s.requirements.map((r) => [r.ref, r.applicability]))).toEqual([
      ["1", "mandatory"],
      ["2", "mandatory"],
      ["3", "mandatory"],
    ]);
    const iotsfClass0 = requirementsInScope(db(), "iotsf-assurance-framework@3.0", "class-0");
    expect(iotsfClass0.filter((r) => r.applicability === "mandatory")).toHaveLength(20);
    expect(iotsfClass0.length).toBe(95);
  });

  it("refuses another organisation's product version, a retired checklist, an unknown level and a duplicate", () => {
    expect(() =>
      openSubmission(sam, {
        productVersionId: watchVersion,
        target: { checklistVersionId: "uk-psti@2023", targetLevel: "baseline" },
      }),
    ).toThrow(/another organisation/);
    expect(() =>
      openSubmission(grace, {
        productVersionId: watchVersion,
        target: { checklistVersionId: "uk-psti@2023", targetLevel: "gold" },
      }),
    ).toThrow(/level/);
    expect(() =>
      openSubmission(grace, {
        productVersionId: watchVersion,
        target: { checklistVersionId: "uk-psti@2023", targetLevel: "baseline" },
      }),
    ).toThrow(/already has an open submission/);
    retireChecklistVersion({ system: "test" }, "etsi-en-303-645@3.1.3", "test", { confirmed: true });
    expect(() =>
      openSubmission(grace, {
        productVersionId: watchVersion,
        target: { checklistVersionId: "etsi-en-303-645@3.1.3", targetLevel: "baseline" },
      }),
    ).toThrow(/retired/);
  });
});

describe("answering", () => {
  it("applies the answer rules and shows what blocks submission", () => {
    saveAnswer(grace, pstiDraft, "1", {
      claim: "implemented",
      justification: "Unique per-device codes.",
      noEvidenceReason: "",
    });
    const blockers = submissionView(grace, pstiDraft).progress.blockers;
    expect(blockers.map((b) => [b.ref, b.problems.map((p) => p.code)])).toEqual([
      ["1", ["evidence_needed"]],
      ["2", ["no_claim"]],
      ["3", ["no_claim"]],
    ]);
    expect(() => submitSubmission(grace, pstiDraft)).toThrow(/3 requirements still block submission: 1, 2, 3/);
  });

  it("refuses not applicable on a mandatory requirement without a condition", () => {
    expect(() =>
      saveAnswer(grace, pstiDraft, "2", { claim: "not_applicable", justification: "No.", noEvidenceReason: "" }),
    ).toThrow(/cannot be not applicable/);
  });

  it("refuses a claim that is not in the list, and an answer for a requirement not in the submission", () => {
    const bad = answerInput.safeParse({ claim: "mostly", justification: "" });
    expect(bad.success).toBe(false);
    expect(bad.error?.issues[0]).toMatchObject({
      path: ["claim"],
      message: "Choose implemented, not implemented or not applicable.",
    });
    const before = evidenceSnapshot();
    expect(() =>
      saveAnswer(grace, pstiDraft, "5.1-1", { claim: "implemented", justification: "x", noEvidenceReason: "" }),
    ).toThrow(/not part of this submission/);
    expect(evidenceSnapshot()).toEqual(before);
  });

  it("refuses a save based on an old revision of the answer", () => {
    const { revision } = saveAnswer(grace, pstiDraft, "2", {
      claim: "implemented",
      justification: "Policy at /security.",
      noEvidenceReason: "",
    });
    saveAnswer(grace, pstiDraft, "2", {
      claim: "implemented",
      justification: "A colleague's edit.",
      noEvidenceReason: "",
      revision,
    });
    expect(() =>
      saveAnswer(grace, pstiDraft, "2", {
        claim: "implemented",
        justification: "My stale edit.",
        noEvidenceReason: "",
        revision,
      }),
    ).toThrow(/^The answer to requirement 2 was changed \(in another tab or by a colleague\) after you opened it/);
    const current = db()
      .select()
      .from(answers)
      .where(eq(answers.requirementRef, "2"))
      .all()
      .find((a) => a.submissionId === pstiDraft)!;
    expect(current.justification).toBe("A colleague's edit.");
  });

  it("checks the revision whenever one is passed (0 for a first answer); without one (seed, scripts) it saves", () => {
    const draft = openTestDraft(
      grace,
      addTestVersion(grace, createTestProduct(grace, { name: "Gator Tab", model: "GW-TAB" })),
    );
    const stored = () =>
      db()
        .select()
        .from(answers)
        .where(eq(answers.requirementRef, "3"))
        .all()
        .find((a) => a.submissionId === draft);
    expect(stored()).toBeUndefined();
    // Two tabs opened the unanswered requirement (revision 0): the first save wins, the second is refused.
    saveAnswer(grace, draft, "3", { claim: "implemented", justification: "Tab B.", noEvidenceReason: "", revision: 0 });
    let refused: unknown;
    try {
      saveAnswer(grace, draft, "3", {
        claim: "not_implemented",
        justification: "Tab A.",
        noEvidenceReason: "",
        revision: 0,
      });
    } catch (error) {
      refused = error;
    }
    // The route knows the conflict by its revision field error (it then shows the stored answer).
    expect(refused).toMatchObject({ code: "conflict", fieldErrors: { revision: expect.any(String) } });
    expect(stored()).toMatchObject({ justification: "Tab B.", claim: "implemented", revision: 1 });
    // A revision ahead of the stored one is refused too.
    expect(() =>
      saveAnswer(grace, draft, "3", {
        claim: "implemented",
        justification: "x",
        noEvidenceReason: "",
        revision: 7,
      }),
    ).toThrow(/was changed/);
    // No revision: the service-level path the demo seed and the benchmarks use saves over what is stored.
    // (The answer form's route always requires one: tests/integration/certification/answer-form.test.ts.)
    expect(
      saveAnswer(grace, draft, "3", { claim: "implemented", justification: "Seeded.", noEvidenceReason: "" }),
    ).toEqual({
      revision: 2,
      // What the saved answer still lacks, for "save and go to next open".
      problems: [expect.objectContaining({ code: "evidence_needed" })],
    });
    expect(stored()).toMatchObject({ justification: "Seeded.", revision: 2 });
  });
});

describe("evidence uploads", () => {
  it("stores several files content-addressed, and the same bytes only once", async () => {
    const before = evidenceSnapshot();
    const r1 = await handleEvidenceUpload(
      grace,
      uploadRequest([
        { filename: "screen.png", body: PNG },
        { filename: "notes.txt", body: "Test notes for PSTI 1.\n" },
      ]),
      pstiDraft,
      "1",
    );
    expect(r1).toMatchObject({ ok: true, count: 2 });
    const r2 = await handleEvidenceUpload(
      grace,
      uploadRequest([{ filename: "same-screen-again.png", body: PNG }]),
      pstiDraft,
      "2",
    );
    // Stored once, silently: the answer says nothing of bytes stored before (issue 13.7).
    expect(r2).toEqual({ ok: true, count: 1, message: "Attached 1 file to requirement 2." });
    const after = evidenceSnapshot();
    // The PNG is already stored by the demo seed: only the text file is new on disk; three links.
    expect(after.files.length - before.files.length).toBe(1);
    expect(after.links - before.links).toBe(3);
    expect(after.tmp).toEqual([]);
    const png = after.files.find((f) => f.endsWith(crypto.createHash("sha256").update(PNG).digest("hex")))!;
    expect(fs.readFileSync(png).equals(PNG)).toBe(true);
    const links = db().select().from(evidenceLinks).where(eq(evidenceLinks.submissionId, pstiDraft)).all();
    expect(links.map((l) => [l.requirementRef, l.originalName]).sort()).toEqual([
      ["1", "notes.txt"],
      ["1", "screen.png"],
      ["2", "same-screen-again.png"],
    ]);
    expect(db().select().from(evidenceFiles).where(eq(evidenceFiles.sha256, links[0].sha256)).get()?.mediaType).toMatch(
      /image\/png|text\/plain/,
    );
  });

  it("reuses an uploaded file for another requirement without uploading it again", () => {
    const before = evidenceSnapshot();
    const sha = crypto.createHash("sha256").update(PNG).digest("hex");
    linkExistingEvidence(grace, pstiDraft, "3", sha);
    expect(evidenceSnapshot()).toMatchObject({ files: before.files, links: before.links + 1 });
    expect(() => linkExistingEvidence(sam, pstiDraft, "3", sha)).toThrow(/another organisation/);
  });

  const hostile: [string, () => Request, RegExp, number][] = [
    ["an empty file", () => uploadRequest([{ filename: "empty.pdf", body: Buffer.alloc(0) }]), /empty/, 400],
    [
      "an ELF executable named .pdf",
      () => uploadRequest([{ filename: "report.pdf", body: ELF }]),
      /ELF executable, which is not accepted/,
      400,
    ],
    [
      "an HTML page named .pdf",
      () => uploadRequest([{ filename: "report.pdf", body: "<!DOCTYPE html><html><script>alert(1)</script></html>" }]),
      /HTML document/,
      400,
    ],
    [
      "a name with ../",
      () => uploadRequest([{ filename: "../../etc/passwd.txt", body: "hello" }]),
      /contains a path/,
      400,
    ],
    // Raw control bytes in a part header make the body malformed; encoded ones (RFC 5987) reach the name check.
    [
      "a raw NUL byte in the name",
      () => uploadRequest([{ filename: "a\u0000b.txt", body: "hello" }]),
      /could not be read/,
      400,
    ],
    [
      "an encoded NUL byte in the name",
      () => uploadRequest([{ filename: "x\"; filename*=UTF-8''a%00b.txt; z=\"", body: "hello" }]),
      /control characters/,
      400,
    ],
    [
      "encoded control characters in the name",
      () => uploadRequest([{ filename: "x\"; filename*=UTF-8''a%07b%1B.txt; z=\"", body: "hello" }]),
      /control characters/,
      400,
    ],
    // A bidi override makes "scan\u202Etxt.js" read "scansj.txt"; a zero-width space hides in a name: both refused,
    // the message naming the file with the character shown, not applied.
    [
      "an encoded right-to-left override in the name",
      () => uploadRequest([{ filename: "x\"; filename*=UTF-8''scan%E2%80%AEtxt.js; z=\"", body: "hello" }]),
      /^"scan<U\+202E>txt\.js": The file name contains invisible or direction-changing characters \(U\+202E\)/,
      400,
    ],
    [
      "an encoded zero-width space in the name",
      () => uploadRequest([{ filename: "x\"; filename*=UTF-8''report%E2%80%8B.pdf; z=\"", body: PDF }]),
      /"report<U\+200B>\.pdf": The file name contains invisible or direction-changing characters \(U\+200B\)/,
      400,
    ],
    [
      "a 300-character name",
      () => uploadRequest([{ filename: "x".repeat(296) + ".txt", body: "hello" }]),
      /longer than 255/,
      400,
    ],
    [
      "a multipart body with no file",
      () => {
        const { body, type } = multipart([{ name: "intent", body: "upload" }]);
        return new Request("http://localhost/u", {
          method: "POST",
          body: new Uint8Array(body),
          headers: { "content-type": type },
        });
      },
      /Choose at least one file/,
      400,
    ],
    [
      "a bad file among good ones (all or nothing, said so, naming the file to leave out)",
      () =>
        uploadRequest([
          { filename: "ok.pdf", body: PDF },
          { filename: "firmware-update.pdf", body: ELF },
          { filename: "notes.txt", body: "hello" },
        ]),
      /^Nothing was attached: firmware-update\.pdf was refused\. This file is an ELF executable, which is not accepted as evidence\. Upload .+\. Choose the other 2 files again, without firmware-update\.pdf\.$/,
      400,
    ],
    [
      "a body that is not multipart",
      () =>
        new Request("http://localhost/u", {
          method: "POST",
          body: "file=hello",
          headers: { "content-type": "application/x-www-form-urlencoded" },
        }),
      /multipart/,
      415,
    ],
  ];

  it.each(hostile)("refuses %s with a clear message and stores nothing", async (_label, make, message, status) => {
    const before = evidenceSnapshot();
    const r = await handleEvidenceUpload(grace, make(), pstiDraft, "3");
    expect(r).toMatchObject({ ok: false, status });
    if (!r.ok) expect(r.message).toMatch(message);
    expect(evidenceSnapshot()).toEqual(before);
  });

  it("cuts off a file over the limit early instead of reading it to the end", async () => {
    const before = evidenceSnapshot();
    const { body: head, type } = multipart([{ name: "file", filename: "huge.txt", body: "" }]);
    const opening = head.subarray(0, head.indexOf("\r\n--", 10)); // headers of the part, no closing boundary
    let pulled = 0;
    const total = 50 * 1024 * 1024;
    const chunk = Buffer.alloc(256 * 1024, "a");
    const stream = new Readable({
      read() {
        if (pulled === 0) this.push(opening);
        if (pulled >= total) return this.push(null);
        pulled += chunk.length;
        this.push(chunk);
      },
    });
    const request = new Request("http://localhost/u", {
      method: "POST",
      body: Readable.toWeb(stream) as ReadableStream,
      headers: { "content-type": type },
      duplex: "half",
    } as RequestInit);
    const r = await handleEvidenceUpload(grace, request, pstiDraft, "3");
    expect(r).toMatchObject({ ok: false, status: 413 });
    if (!r.ok) expect(r.message).toMatch(/huge\.txt is larger than the limit of 1 MiB/);
    expect(pulled).toBeLessThan(8 * 1024 * 1024);
    expect(evidenceSnapshot()).toEqual(before);
  });

  it("refuses a declared Content-Length over the limit before reading anything", async () => {
    const before = evidenceSnapshot();
    let delivered = 0;
    const body = new ReadableStream({
      pull(controller) {
        delivered += 64 * 1024;
        controller.enqueue(new Uint8Array(64 * 1024));
      },
    });
    const req = new Request("http://localhost/u", {
      method: "POST",
      body,
      headers: { "content-type": "multipart/form-data; boundary=x", "content-length": String(500 * 1024 * 1024) },
      duplex: "half",
    } as RequestInit);
    const r = await handleEvidenceUpload(grace, req, pstiDraft, "3");
    expect(r).toMatchObject({ ok: false, status: 413 });
    // At most the one chunk a stream queues on creation: the body itself is never consumed.
    expect(delivered).toBeLessThanOrEqual(64 * 1024);
    expect(evidenceSnapshot()).toEqual(before);
  });

  it("refuses an upload to another organisation's submission without reading it", async () => {
    const before = evidenceSnapshot();
    const r = await handleEvidenceUpload(sam, uploadRequest([{ filename: "x.txt", body: "hello" }]), pstiDraft, "1");
    expect(r).toMatchObject({ ok: false, status: 403 });
    expect(evidenceSnapshot()).toEqual(before);
  });

  it("only the supplier's organisation can download a draft's evidence, byte for byte (assessors once it is submitted)", async () => {
    const link = db()
      .select()
      .from(evidenceLinks)
      .where(eq(evidenceLinks.submissionId, pstiDraft))
      .all()
      .find((l) => l.originalName === "screen.png")!;
    const read = async (s: Readable) => Buffer.concat(await s.toArray());
    const file = await openEvidence(grace, link.id);
    expect(file).toMatchObject({
      originalName: "screen.png",
      sha256: link.sha256,
      mediaType: "image/png",
      size: PNG.length,
    });
    expect((await read(file.stream)).equals(PNG)).toBe(true);
    await expect(openEvidence(sam, link.id)).rejects.toThrow(/another organisation/);
    await expect(openEvidence(actorByEmail("buyer@demo.test"), link.id)).rejects.toThrow(
      /only to the supplier and the assessors/,
    );
    // A draft never submitted is the supplier's own: to an assessor, its files do not exist.
    await expect(openEvidence(actorByEmail("assessor1@demo.test"), link.id)).rejects.toThrow(/no such evidence file/);
  });
});

describe("evidence downloads", () => {
  it("download under a name whose extension agrees with the detected type", async () => {
    const r = await handleEvidenceUpload(
      grace,
      uploadRequest([
        { filename: "scan-results.js", body: "22/tcp closed ssh\n443/tcp open https\n" },
        { filename: "Pen test (final).PDF", body: PDF },
      ]),
      pstiDraft,
      "2",
    );
    expect(r).toMatchObject({ ok: true });
    const links = db().select().from(evidenceLinks).where(eq(evidenceLinks.submissionId, pstiDraft)).all();
    const disposition = async (name: string) => {
      const link = links.find((l) => l.originalName === name)!;
      const res = evidenceResponse(
        new Request(`http://localhost/evidence/${link.id}`),
        await openEvidence(grace, link.id),
      );
      await res.body?.cancel();
      return res.headers.get("Content-Disposition");
    };
    // Plain text named .js: saved as .js.txt, so no desktop runs it as a script.
    expect(await disposition("scan-results.js")).toBe(
      `attachment; filename="scan-results.js.txt"; filename*=UTF-8''scan-results.js.txt`,
    );
    // An extension that already agrees (in any case) is kept.
    expect(await disposition("Pen test (final).PDF")).toBe(
      `attachment; filename="Pen test (final).PDF"; filename*=UTF-8''Pen%20test%20(final).PDF`,
    );
  });
});

describe("submitting and after", () => {
  it("submits once nothing blocks, then freezes answers and evidence against any change", async () => {
    saveAnswer(grace, pstiDraft, "3", {
      claim: "implemented",
      justification: "Support until 31 Jan 2030, published on the box.",
      noEvidenceReason: "",
    });
    const version = db().select().from(submissions).where(eq(submissions.id, pstiDraft)).get()!.version;
    expect(() => submitSubmission(grace, pstiDraft, version - 1)).toThrow(/changed since you opened it/);
    submitSubmission(grace, pstiDraft, version);
    expect(db().select().from(submissions).where(eq(submissions.id, pstiDraft)).get()).toMatchObject({
      status: "submitted",
      version: version + 1,
    });

    const before = evidenceSnapshot();
    expect(() =>
      saveAnswer(grace, pstiDraft, "1", {
        claim: "not_implemented",
        justification: "changed my mind",
        noEvidenceReason: "",
      }),
    ).toThrow(/frozen/);
    const r = await handleEvidenceUpload(
      grace,
      uploadRequest([{ filename: "late.txt", body: "too late" }]),
      pstiDraft,
      "1",
    );
    expect(r).toMatchObject({ ok: false, status: 409 });
    if (!r.ok) expect(r.message).toMatch(/frozen/);
    expect(() => deleteDraft(grace, pstiDraft, { confirmed: true })).toThrow(/Only a draft can be deleted/);
    expect(evidenceSnapshot()).toEqual(before);
    expect(submissionView(grace, pstiDraft).sections[0].requirements.every((r) => !r.editable)).toBe(true);
  });

  it("withdraws a submitted submission and deletes a draft; another supplier can do neither", () => {
    expect(() => withdrawSubmission(sam, pstiDraft, { confirmed: true })).toThrow(/another organisation/);
    // Asked first, like deleting a draft: it cannot be undone (a crafted POST without the tick box withdraws nothing).
    expect(() => withdrawSubmission(grace, pstiDraft, { confirmed: false })).toThrow(
      /^Tick the box to confirm that the submission is withdrawn for good and cannot be resubmitted\.$/,
    );
    expect(db().select().from(submissions).where(eq(submissions.id, pstiDraft)).get()!.status).toBe("submitted");
    withdrawSubmission(grace, pstiDraft, { confirmed: true });
    expect(() => withdrawSubmission(grace, pstiDraft, { confirmed: true })).toThrow(/withdrawn cannot be withdrawn/);
    const draft = openSubmission(grace, {
      productVersionId: watchVersion,
      target: { checklistVersionId: "etsi-en-303-645@2.1.1", targetLevel: "baseline" },
    });
    saveAnswer(grace, draft, "5.1-1", { claim: "implemented", justification: "x", noEvidenceReason: "" });
    expect(() => deleteDraft(sam, draft, { confirmed: true })).toThrow(/another organisation/);
    // Asked first: an unconfirmed request (a crafted POST) deletes nothing.
    expect(() => deleteDraft(grace, draft, { confirmed: false })).toThrow(
      /^Tick the box to confirm that the draft and its answers are deleted for good\.$/,
    );
    expect(db().select().from(submissions).where(eq(submissions.id, draft)).get()).toBeDefined();
    deleteDraft(grace, draft, { confirmed: true });
    expect(db().select().from(submissions).where(eq(submissions.id, draft)).get()).toBeUndefined();
    expect(db().select().from(answers).where(eq(answers.submissionId, draft)).all()).toEqual([]);
  });
});
