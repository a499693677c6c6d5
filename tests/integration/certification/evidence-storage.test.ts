// Storage hygiene (issue 13, item 8) against a real data directory: abandoned temporary uploads
// are removed at start-up while one a live request holds is kept; the evidence garbage collector
// deletes what no row names after the grace period (moved clock), and never a file a submission,
// a seal or recurring evidence names; an organisation's evidence quota refuses an upload with the
// quota and the usage named, keeping nothing.
process.env.EVIDENCE_QUOTA_MB_PER_ORG = "1"; // read lazily, at the first getEnv()
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { PassThrough, Readable } from "node:stream";
import { eq, inArray, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditEvents, evidenceFiles, evidenceLinks, recurringEvidence, seals } from "../../../db/schema";
import { testClock } from "../../../app/platform/clock.server";
import { evidenceStore } from "../../../app/features/certification/adapters/evidence-store.server";
import { getEnv } from "../../../app/platform/env.server";
import { DAY_MS } from "../../../app/features/certification/domain/evidence-quota";
import { handleEvidenceUpload } from "../../../app/features/certification/evidence-upload.server";
import type { Actor } from "../../../app/platform/actor";
import { db } from "../../../app/platform/db.server";
import { collectEvidence } from "../../../app/features/certification/evidence-gc.server";
import { ownEvidenceQuota } from "../../../app/features/certification/evidence-quota.server";
import { attachUploads, store, unlinkEvidence } from "../../../app/features/certification/evidence.server";
import { runLifecycleSweep } from "../../../app/system/sweep.server";
import { actorByEmail } from "../../support/actors";
import { shutdown, startup } from "../../../app/startup.server";
import { deleteDraft } from "../../../app/features/certification/submissions.server";
import { BRIGHTNEST_DISCLOSURE_URL, addTestVersion, createTestProduct, openTestDraft } from "../../support/submissions";

const tmpDir = () => path.join(getEnv().dataDir, "tmp", "uploads");
const evidencePath = (sha: string) => evidenceStore(getEnv().dataDir).pathOf(sha);
const text = (label: string) => `${label} ${crypto.randomUUID()}\n`; // unique bytes, sniffed as text
const sha = (s: string | Buffer) => crypto.createHash("sha256").update(s).digest("hex");

function evidenceSnapshot() {
  const files: string[] = [];
  const walk = (d: string) =>
    fs.existsSync(d) &&
    fs
      .readdirSync(d, { withFileTypes: true })
      .forEach((e) => (e.isDirectory() ? walk(path.join(d, e.name)) : files.push(e.name)));
  walk(path.join(getEnv().dataDir, "evidence"));
  const n = (t: typeof evidenceFiles | typeof evidenceLinks) =>
    db()
      .select({ n: sql<number>`count(*)` })
      .from(t)
      .get()!.n;
  return {
    files: files.sort(),
    tmp: fs.existsSync(tmpDir()) ? fs.readdirSync(tmpDir()) : [],
    rows: n(evidenceFiles),
    links: n(evidenceLinks),
  };
}

function uploadRequest(files: { filename: string; body: Buffer | string }[]): Request {
  const boundary = "----iotseal" + Math.random().toString(36).slice(2);
  const chunks: Buffer[] = [];
  for (const f of files) {
    chunks.push(
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${f.filename}"\r\nContent-Type: application/octet-stream\r\n\r\n`,
      ),
    );
    chunks.push(Buffer.isBuffer(f.body) ? f.body : Buffer.from(f.body));
    chunks.push(Buffer.from("\r\n"));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  const body = Buffer.concat(chunks);
  return new Request("http://localhost/upload", {
    method: "POST",
    body: new Uint8Array(body),
    headers: { "content-type": `multipart/form-data; boundary=${boundary}` },
  });
}

async function receive(body: string | Buffer) {
  return store().receive(Readable.from([Buffer.from(body)]), 10 * 1024 * 1024);
}

let grace: Actor; // Gator Wearables
let sam: Actor; // Brightnest
let draft: string; // a UK PSTI draft of Grace's (requirements 1, 2, 3)

// Left in the temporary folder before the server starts: as a kill -9 mid-upload leaves them.
const stale = "1700000000000-0123456789abcdef.part";
const recent = "recent-0123456789abcdef.part"; // written 30 s ago: may be another process's live upload
const keysDir = () => path.join(getEnv().dataDir, "keys");
const staleKeyTemp = ".0123abcd.private.pem.tmp-4242-0123456789ab";
const recentKeyTemp = ".4567cdef.private.pem.tmp-4243-0123456789ab"; // may be another process's write in progress
const staleSecretTemp = ".session-secret.tmp-4242-abcdefabcdef";
let live: { source: PassThrough; done: Promise<Awaited<ReturnType<typeof receive>>>; file: string };

beforeAll(async () => {
  fs.mkdirSync(tmpDir(), { recursive: true });
  fs.writeFileSync(path.join(tmpDir(), stale), "half an upload");
  const hourAgo = new Date(Date.now() - 3600_000);
  fs.utimesSync(path.join(tmpDir(), stale), hourAgo, hourAgo);
  fs.writeFileSync(path.join(tmpDir(), recent), "another half");
  const halfMinuteAgo = new Date(Date.now() - 30_000);
  fs.utimesSync(path.join(tmpDir(), recent), halfMinuteAgo, halfMinuteAgo);
  // A request of this process is streaming an upload (its temporary file aged artificially: it is
  // kept because a live request holds it, whatever its age).
  const source = new PassThrough();
  const before = new Set(fs.readdirSync(tmpDir()));
  const done = store().receive(source, 1024 * 1024);
  source.write("the first bytes of a live upload\n");
  await new Promise((r) => setTimeout(r, 50));
  const file = fs.readdirSync(tmpDir()).find((f) => !before.has(f))!;
  fs.utimesSync(path.join(tmpDir(), file), hourAgo, hourAgo);
  live = { source, done, file };

  // A key file and the session secret a killed process left half-written (writeFileDurableSync's temporaries).
  fs.mkdirSync(keysDir(), { recursive: true });
  for (const f of [staleKeyTemp, recentKeyTemp])
    fs.writeFileSync(path.join(keysDir(), f), "-----BEGIN PRIVATE KEY-----\n");
  fs.writeFileSync(path.join(getEnv().dataDir, staleSecretTemp), "half a secret\n");
  for (const f of [path.join(keysDir(), staleKeyTemp), path.join(getEnv().dataDir, staleSecretTemp)])
    fs.utimesSync(f, hourAgo, hourAgo);

  await startup(); // migrates, seeds the demo (seals, evidence, recurring evidence), sweeps
  grace = actorByEmail("supplier@demo.test");
  sam = actorByEmail("supplier2@demo.test");
  const productId = createTestProduct(grace, { name: "Gator Storage Tracker", model: "GW-ST1" });
  const version = addTestVersion(grace, productId);
  draft = openTestDraft(grace, version);
}, 60_000);

afterAll(() => {
  testClock.reset();
  shutdown();
});

describe("issue 13.8: abandoned temporary uploads are removed at start-up, a live request's is kept", () => {
  it("start-up removed the stale .part and kept the one a live request holds and a recent one", async () => {
    const left = fs.readdirSync(tmpDir());
    expect(left).not.toContain(stale);
    expect(left).toContain(live.file);
    expect(left).toContain(recent); // 30 s old: possibly another process's request; a later sweep removes it
    // The live upload completes normally.
    live.source.end("and the rest\n");
    const received = await live.done;
    expect(received.size).toBe("the first bytes of a live upload\nand the rest\n".length);
    await store().discard(received);
    expect(fs.readdirSync(tmpDir())).not.toContain(live.file);
  });

  it("start-up removed the half-written key and secret files a killed process left, not a recent one", () => {
    const keys = fs.readdirSync(keysDir());
    expect(keys).not.toContain(staleKeyTemp);
    expect(keys).toContain(recentKeyTemp);
    expect(keys.some((f) => f.endsWith(".private.pem"))).toBe(true); // the real signing key, made at start-up
    expect(fs.readdirSync(getEnv().dataDir)).not.toContain(staleSecretTemp);
  });

  it("the lifecycle sweep removes a .part once nothing has written to it for 10 minutes", () => {
    const elevenMinutesAgo = new Date(Date.now() - 11 * 60_000);
    fs.utimesSync(path.join(tmpDir(), recent), elevenMinutesAgo, elevenMinutesAgo);
    expect(runLifecycleSweep().temporaryUploads).toEqual([recent]);
    expect(fs.readdirSync(tmpDir())).toEqual([]);
  });
});

describe("issue 13.8: the evidence garbage collector", () => {
  it("deletes an unlinked file and a deleted draft's file after the 7-day grace period, audited", async () => {
    const unlinkedBody = text("unlinked");
    const draftBody = text("deleted draft");
    const r = await attachUploads(grace, draft, "1", [
      { originalName: "unlinked.txt", received: await receive(unlinkedBody) },
    ]);
    // A second draft whose deletion leaves its file unreferenced.
    const productId = createTestProduct(grace, { name: "Gator Throwaway", model: "GW-TA1" });
    const v = addTestVersion(grace, productId);
    const other = openTestDraft(grace, v);
    await attachUploads(grace, other, "2", [{ originalName: "draft.txt", received: await receive(draftBody) }]);
    const gone = [sha(unlinkedBody), sha(draftBody)];
    for (const s of gone) expect(fs.existsSync(evidencePath(s))).toBe(true);

    unlinkEvidence(grace, draft, r.linkIds[0]);
    deleteDraft(grace, other, { confirmed: true });
    const first = collectEvidence();
    expect(first.deleted).toEqual([]);
    expect(first.marked.sort()).toEqual([...gone].sort()); // the grace period starts now

    testClock.advance(6 * DAY_MS);
    expect(collectEvidence().deleted).toEqual([]);
    for (const s of gone) expect(fs.existsSync(evidencePath(s))).toBe(true);

    // A dry run lists them once due, and changes nothing.
    testClock.advance(DAY_MS + 60_000);
    const dry = collectEvidence({ system: "test" }, { dryRun: true });
    expect(dry.deleted.map((d) => d.sha256).sort()).toEqual([...gone].sort());
    for (const s of gone) expect(fs.existsSync(evidencePath(s))).toBe(true);

    const report = runLifecycleSweep(); // the lifecycle sweep runs the collector
    expect(report.evidence.deleted.map((d) => d.sha256).sort()).toEqual([...gone].sort());
    for (const s of gone) expect(fs.existsSync(evidencePath(s))).toBe(false);
    expect(db().select().from(evidenceFiles).where(inArray(evidenceFiles.sha256, gone)).all()).toEqual([]);
    const audit = db().select().from(auditEvents).where(eq(auditEvents.action, "evidence.collected")).all();
    expect(audit).toHaveLength(1);
    expect(
      JSON.parse(audit[0].details)
        .files.map((f: { sha256: string }) => f.sha256)
        .sort(),
    ).toEqual([...gone].sort());
  });

  it("a file named again during its grace period is kept", async () => {
    const body = text("relinked");
    const r = await attachUploads(grace, draft, "2", [{ originalName: "relinked.txt", received: await receive(body) }]);
    unlinkEvidence(grace, draft, r.linkIds[0]);
    expect(collectEvidence().marked).toEqual([sha(body)]);
    testClock.advance(3 * DAY_MS);
    await attachUploads(grace, draft, "3", [{ originalName: "again.txt", received: await receive(body) }]);
    testClock.advance(30 * DAY_MS);
    expect(collectEvidence().deleted).toEqual([]);
    expect(fs.existsSync(evidencePath(sha(body)))).toBe(true);
  });

  it("never deletes a file a submission, a seal or recurring evidence names, however long the clock runs", () => {
    const sealed = db()
      .select({ sha: evidenceLinks.sha256 })
      .from(evidenceLinks)
      .innerJoin(seals, eq(seals.submissionId, evidenceLinks.submissionId))
      .all()
      .map((r) => r.sha);
    const recurring = db()
      .select({ sha: recurringEvidence.sha256 })
      .from(recurringEvidence)
      .all()
      .map((r) => r.sha);
    const linked = db()
      .select({ sha: evidenceLinks.sha256 })
      .from(evidenceLinks)
      .all()
      .map((r) => r.sha);
    expect(sealed.length).toBeGreaterThan(0);
    expect(recurring.length).toBeGreaterThan(0);
    const named = [...new Set([...sealed, ...recurring, ...linked])];
    // Even marked as unreferenced long ago (a bug elsewhere, a hand edit), a named file stays.
    db()
      .update(evidenceFiles)
      .set({ unreferencedSince: new Date(0) })
      .run();
    testClock.advance(400 * DAY_MS);
    const report = collectEvidence();
    expect(report.deleted).toEqual([]);
    runLifecycleSweep();
    for (const s of named) {
      expect(fs.existsSync(evidencePath(s)), s).toBe(true);
      expect(
        db().select().from(evidenceFiles).where(eq(evidenceFiles.sha256, s)).get()?.unreferencedSince ?? null,
      ).toBeNull();
    }
  });

  it("deletes stored bytes no row names once older than the grace period", () => {
    testClock.reset();
    const body = "bytes left by a crash\n";
    const p = evidencePath(sha(body));
    fs.mkdirSync(path.dirname(p), { recursive: true });
    fs.writeFileSync(p, body);
    expect(collectEvidence().orphanFiles).toEqual([]); // just written
    testClock.advance(8 * DAY_MS);
    expect(collectEvidence().orphanFiles).toEqual([sha(body)]);
    expect(fs.existsSync(p)).toBe(false);
  });
});

describe("issue 13.8: an upload past the organisation's evidence quota is refused, nothing stored", () => {
  it("shows the organisation its usage, counting each file it names once", () => {
    const q = ownEvidenceQuota(grace);
    expect(q.quotaBytes).toBe(1024 * 1024);
    expect(q.usedBytes).toBeGreaterThan(0);
    expect(q.usedBytes).toBeLessThan(100 * 1024);
  });

  it("cuts an upload off while it streams, naming the quota and the usage", async () => {
    const before = evidenceSnapshot();
    const used = ownEvidenceQuota(grace).usedBytes;
    const big = Buffer.alloc(2 * 1024 * 1024, "a");
    const r = await handleEvidenceUpload(grace, uploadRequest([{ filename: "big.txt", body: big }]), draft, "1");
    expect(r).toMatchObject({ ok: false, status: 413 });
    if (!r.ok)
      expect(r.message).toMatch(
        /^Your organisation uses \d+(\.\d)? KiB of its 1 MiB evidence quota; this upload is larger than the \d+(\.\d)? KiB left\. Nothing was stored\./,
      );
    expect(evidenceSnapshot()).toEqual(before);
    expect(ownEvidenceQuota(grace).usedBytes).toBe(used);
  });

  it("refuses files that together pass the quota in the transaction that would record them", async () => {
    const before = evidenceSnapshot();
    const a = await receive(Buffer.alloc(600 * 1024, "b"));
    const b = await receive(Buffer.alloc(600 * 1024, "c"));
    const attempt = attachUploads(grace, draft, "1", [
      { originalName: "a.txt", received: a },
      { originalName: "b.txt", received: b },
    ]);
    await expect(attempt).toBeRefused(
      413,
      /of its 1 MiB evidence quota; this upload needs 1\.2 MiB and only \d+(\.\d)? KiB is left\. Nothing was stored\./,
    );
    expect(evidenceSnapshot()).toEqual(before);
  });

  it("counts shared bytes for each organisation that names them, whatever the others hold", async () => {
    const body = Buffer.alloc(300 * 1024, "d");
    const graceBefore = ownEvidenceQuota(grace).usedBytes;
    await attachUploads(grace, draft, "1", [{ originalName: "shared.txt", received: await receive(body) }]);
    expect(ownEvidenceQuota(grace).usedBytes).toBe(graceBefore + body.length);
    const samBefore = ownEvidenceQuota(sam).usedBytes;
    const productId = createTestProduct(sam, {
      name: "Brightnest Storage Plug",
      model: "BN-SP9",
      category: "appliance",
      disclosurePolicyUrl: BRIGHTNEST_DISCLOSURE_URL,
    });
    const v = addTestVersion(sam, productId);
    const samDraft = openTestDraft(sam, v);
    await attachUploads(sam, samDraft, "1", [{ originalName: "same-bytes.txt", received: await receive(body) }]);
    expect(ownEvidenceQuota(sam).usedBytes).toBe(samBefore + body.length);
    expect(ownEvidenceQuota(grace).usedBytes).toBe(graceBefore + body.length);
    // Re-attaching bytes Grace already holds costs nothing more.
    await attachUploads(grace, draft, "2", [{ originalName: "shared-again.txt", received: await receive(body) }]);
    expect(ownEvidenceQuota(grace).usedBytes).toBe(graceBefore + body.length);
  });
});
