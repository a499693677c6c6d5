// Evidence on S3 (decision 027) against a real S3 API: s3rver, started here on 127.0.0.1, or the
// store S3_TEST_URL names (s3://bucket/prefix, with S3_ENDPOINT, S3_REGION, S3_FORCE_PATH_STYLE and
// AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY as the portal reads them; each run works under its own
// sub-prefix and deletes it afterwards). Uploads go through the real upload handler and service:
// small and multipart (> 5 MiB), downloads whole and by range, refusals mid-stream (too large, the
// client going away) that leave nothing in the bucket and no multipart upload pending, a failed
// part that aborts its multipart upload (and the links of that upload undone), the collector
// deleting unreferenced files and objects no row names, and an upload refused while the collector
// deletes its bytes. A bucket that cannot be reached is a 503 that says so (uploads, recurring
// evidence, downloads), and an upload it cuts off keeps none of its files.
import crypto from "node:crypto";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { Readable } from "node:stream";
import { eq, sql } from "drizzle-orm";
import S3rver from "s3rver";
import {
  DeleteObjectCommand,
  ListMultipartUploadsCommand,
  ListObjectsV2Command,
  PutObjectCommand,
} from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const MiB = 1024 * 1024;
process.env.EVIDENCE_MAX_FILE_MB = "16"; // read lazily, at the first getEnv()

let s3rver: S3rver | undefined;
let s3rverDir: string | undefined;
if (process.env.S3_TEST_URL) {
  process.env.EVIDENCE_STORE = `${process.env.S3_TEST_URL.replace(/\/+$/, "")}/run-${crypto.randomUUID()}`;
} else {
  s3rverDir = fs.mkdtempSync(path.join(os.tmpdir(), "iotseal-s3rver-"));
  s3rver = new S3rver({
    port: 0,
    address: "127.0.0.1",
    silent: true,
    directory: s3rverDir,
    configureBuckets: [{ name: "evidence", configs: [] }],
  });
  const { port } = (await s3rver.run()) as { port: number };
  Object.assign(process.env, {
    EVIDENCE_STORE: "s3://evidence/iot-seal",
    S3_ENDPOINT: `http://127.0.0.1:${port}`,
    S3_REGION: "us-east-1",
    S3_FORCE_PATH_STYLE: "true",
    AWS_ACCESS_KEY_ID: "S3RVER", // s3rver's fixed credentials
    AWS_SECRET_ACCESS_KEY: "S3RVER",
  });
}

const { evidenceFiles, evidenceLinks, auditEvents, recurringEvidence, notifications, mailOutbox } =
  await import("../../../db/schema");
const { submitRecurringEvidence } = await import("../../../app/features/monitoring/recurring-evidence.server");
const { demoSealSerials } = await import("../../../app/demo/seed-seals.server");
const { testClock } = await import("../../../app/platform/clock.server");
const { getEnv } = await import("../../../app/platform/env.server");
const { db } = await import("../../../app/platform/db.server");
const { DAY_MS } = await import("../../../app/features/certification/domain/evidence-quota");
const { handleEvidenceUpload } = await import("../../../app/features/certification/evidence-upload.server");
const { handleRecurringUpload } = await import("../../../app/features/monitoring/recurring-upload.server");
const { ServiceError } = await import("../../../app/platform/errors.server");
const { openEvidence, store, unlinkEvidence } = await import("../../../app/features/certification/evidence.server");
const { attachUploads } = await import("../../../app/features/certification/evidence.server");
const { BEING_REMOVED, collectEvidence, collectRemoteEvidence, remoteEvidenceCollectionIdle } =
  await import("../../../app/features/certification/evidence-gc.server");
const {
  PART_BYTES,
  S3EvidenceStore,
  STORE_MISCONFIGURED_READ,
  STORE_MISCONFIGURED_WRITE,
  STORE_UNAVAILABLE_READ,
  STORE_UNAVAILABLE_WRITE,
  s3TargetProblem,
} = await import("../../../app/features/certification/adapters/s3-evidence-store.server");
const { startup, shutdown } = await import("../../../app/startup.server");
const { actorByEmail } = await import("../../support/actors");
const { addTestVersion, createTestProduct, openTestDraft } = await import("../../support/submissions");
type Actor = import("../../../app/platform/actor").Actor;

const sha = (b: Buffer | string) => crypto.createHash("sha256").update(b).digest("hex");
const tmpDir = () => path.join(getEnv().dataDir, "tmp", "uploads");
const read = async (s: Readable) => Buffer.concat((await s.toArray()) as Buffer[]);

/** `n` bytes of text (random hex lines): sniffed as text/plain, different every call. */
function textBytes(n: number): Buffer {
  const line = (i: number) => crypto.randomBytes(32).toString("hex") + (i % 2 ? "\n" : " ");
  const out = Buffer.alloc(n);
  let at = 0;
  for (let i = 0; at < n; i++) at += out.write(line(i), at);
  out[n - 1] = 0x0a;
  return out;
}

/**
 * A multipart/form-data body with one file, streamed in 1 MiB chunks; `failAfter` bytes of the
 * file in, the stream fails (as a client that goes away).
 */
function multipartUpload(filename: string, body: Buffer | { size: number }, failAfter?: number) {
  const boundary = "----iotseal" + crypto.randomUUID();
  async function* parts() {
    yield Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${filename}"\r\nContent-Type: application/octet-stream\r\n\r\n`,
    );
    const size = Buffer.isBuffer(body) ? body.length : body.size;
    for (let at = 0; at < size; at += MiB) {
      if (failAfter !== undefined && at >= failAfter) throw new Error("the client went away");
      yield Buffer.isBuffer(body) ? body.subarray(at, at + MiB) : Buffer.alloc(Math.min(MiB, size - at), 0x61);
    }
    yield Buffer.from(`\r\n--${boundary}--\r\n`);
  }
  return {
    headers: { "content-type": `multipart/form-data; boundary=${boundary}` },
    body: Readable.from(parts(), { objectMode: false }),
  };
}

let s3: InstanceType<typeof S3EvidenceStore>;
const sent: string[] = []; // the S3 commands the store sent, by name
let failPart: number | null = null; // UploadPart with this part number fails (a network error mid-commit)
let failAll = false; // every command fails (the bucket cannot be reached)
let grace: Actor;
let draft: string;

async function objectKeys(): Promise<string[]> {
  const out = await s3.client.send(new ListObjectsV2Command({ Bucket: s3.bucket, Prefix: `${s3.prefix}/` }));
  return (out.Contents ?? []).map((o) => o.Key!).sort();
}

/** Multipart uploads pending under the prefix; null where the server cannot list them (s3rver). */
async function pendingMultipart(): Promise<string[] | null> {
  try {
    const out = await s3.client.send(new ListMultipartUploadsCommand({ Bucket: s3.bucket, Prefix: `${s3.prefix}/` }));
    return (out.Uploads ?? []).map((u) => u.Key!);
  } catch (error) {
    if ((error as Error).name === "NotImplemented") return null;
    throw error;
  }
}

/** What a refused upload must leave: no new object, no pending multipart upload, no temporary file, no row. */
async function expectNothingLeft(before: { keys: string[]; rows: number }) {
  expect(sent.filter((c) => /Put|Multipart|UploadPart/.test(c))).toEqual([]); // nothing was ever sent
  expect(await objectKeys()).toEqual(before.keys);
  expect(await pendingMultipart()).toEqual(s3rver ? null : []);
  expect(fs.readdirSync(tmpDir())).toEqual([]);
  expect(
    db()
      .select({ n: sql<number>`count(*)` })
      .from(evidenceFiles)
      .get()!.n,
  ).toBe(before.rows);
}

async function snapshot() {
  return {
    keys: await objectKeys(),
    rows: db()
      .select({ n: sql<number>`count(*)` })
      .from(evidenceFiles)
      .get()!.n,
  };
}

/**
 * Runs `attempt` with the second part of every multipart upload failing (a network error
 * mid-commit), and expects it to fail with the store's 503 (not the SDK's error, a 500).
 */
async function failsWithPart2Failing(attempt: () => Promise<unknown>) {
  failPart = 2;
  try {
    await expect(attempt()).rejects.toSatisfy(
      (e) => e instanceof ServiceError && e.status === 503 && e.message === STORE_UNAVAILABLE_WRITE,
    );
  } finally {
    failPart = null;
  }
}

/** Runs `attempt` with every S3 command failing (the bucket cannot be reached). */
async function unreachable<T>(attempt: () => Promise<T>): Promise<T> {
  failAll = true;
  try {
    return await attempt();
  } finally {
    failAll = false;
  }
}

/** The details of the newest audit event of `action`. */
const lastAuditDetails = (action: string) =>
  JSON.parse(String(db().select().from(auditEvents).where(eq(auditEvents.action, action)).all().at(-1)!.details));

beforeAll(async () => {
  const configured = store();
  if (!(configured instanceof S3EvidenceStore)) throw new Error("EVIDENCE_STORE did not select the S3 store");
  s3 = configured;
  s3.client.middlewareStack.add(
    (next, context) => async (args) => {
      sent.push(context.commandName ?? "?");
      const input = args.input as { PartNumber?: number };
      if (failAll || (context.commandName === "UploadPartCommand" && input.PartNumber === failPart))
        throw Object.assign(new Error("connection reset by peer"), { name: "NetworkingError" });
      return next(args);
    },
    { step: "initialize", name: "testCommandLog" },
  );
  await startup(); // migrates and seeds the demo, whose evidence files go to the bucket too
  await remoteEvidenceCollectionIdle(); // the seed's lifecycle sweep started one in the background
  grace = actorByEmail("supplier@demo.test");
  draft = openTestDraft(
    grace,
    addTestVersion(
      grace,
      createTestProduct(grace, { name: "Gator S3", model: "GW-S3", supportPeriodEnd: "2036-01-31" }),
    ),
  );
}, 120_000);

afterAll(async () => {
  testClock.reset();
  shutdown();
  if (s3rver) {
    await s3rver.close();
    fs.rmSync(s3rverDir!, { recursive: true, force: true });
  } else if (s3) {
    for (const key of await objectKeys())
      await s3.client.send(new DeleteObjectCommand({ Bucket: s3.bucket, Key: key }));
  }
});

describe("evidence on S3: uploads and downloads", () => {
  it("the demo's evidence went to the bucket, by SHA-256 under the prefix", async () => {
    const rows = db().select({ sha256: evidenceFiles.sha256 }).from(evidenceFiles).all();
    expect(rows.length).toBeGreaterThan(0);
    const keys = await objectKeys();
    for (const r of rows) expect(keys).toContain(s3.keyOf(r.sha256));
    expect(s3.keyOf(rows[0].sha256)).toBe(
      `${s3.prefix}/${rows[0].sha256.slice(0, 2)}/${rows[0].sha256.slice(2, 4)}/${rows[0].sha256}`,
    );
    expect(fs.existsSync(path.join(getEnv().dataDir, "evidence", rows[0].sha256.slice(0, 2)))).toBe(false);
  });

  it("a small file: one PutObject, downloaded byte for byte", async () => {
    const body = Buffer.from(`Pen-test summary ${crypto.randomUUID()}\n`);
    sent.length = 0;
    const r = await handleEvidenceUpload(grace, multipartUpload("summary.txt", body), draft, "1");
    expect(r).toMatchObject({ ok: true, message: "Attached 1 file to requirement 1." });
    expect(sent).toEqual(["HeadObjectCommand", "PutObjectCommand"]);
    expect(await s3.exists(sha(body))).toBe(true);
    expect(fs.readdirSync(tmpDir())).toEqual([]);
    const link = db()
      .select()
      .from(evidenceLinks)
      .where(eq(evidenceLinks.sha256, sha(body)))
      .get()!;
    const file = await openEvidence(grace, link.id);
    expect(file).toMatchObject({ size: body.length, mediaType: "text/plain", originalName: "summary.txt" });
    expect((await read(file.stream)).equals(body)).toBe(true);
  });

  let big: Buffer;
  it("a 12 MiB file: a multipart upload of 8 MiB parts, read back whole and by ranges", async () => {
    big = textBytes(12 * MiB);
    sent.length = 0;
    const r = await handleEvidenceUpload(grace, multipartUpload("capture-notes.txt", big), draft, "2");
    expect(r).toMatchObject({ ok: true });
    expect(sent).toEqual([
      "HeadObjectCommand",
      "CreateMultipartUploadCommand",
      "UploadPartCommand",
      "UploadPartCommand",
      "CompleteMultipartUploadCommand",
    ]);
    const stored = await read(await s3.open(sha(big)));
    expect(stored.length).toBe(big.length);
    expect(sha(stored)).toBe(sha(big));
    // Ranges (inclusive offsets), one across the parts' boundary. (Not "bytes=0-0": s3rver answers
    // that with the whole object.)
    for (const [start, end] of [
      [0, 9],
      [PART_BYTES - 10, PART_BYTES + 9],
      [big.length - 5, big.length - 1],
    ])
      expect((await read(await s3.open(sha(big), { start, end }))).equals(big.subarray(start, end + 1))).toBe(true);
  });

  it("the same bytes again are not uploaded again (one HeadObject)", async () => {
    sent.length = 0;
    const r = await handleEvidenceUpload(grace, multipartUpload("again.txt", big), draft, "3");
    expect(r).toMatchObject({ ok: true });
    expect(sent).toEqual(["HeadObjectCommand"]);
  });
});

describe("evidence on S3: a refused upload leaves nothing behind", () => {
  it("too large: refused with 413 mid-stream, nothing sent to the bucket", async () => {
    const before = await snapshot();
    sent.length = 0;
    const r = await handleEvidenceUpload(grace, multipartUpload("huge.txt", { size: 20 * MiB }), draft, "1");
    expect(r).toMatchObject({ ok: false, status: 413 });
    await expectNothingLeft(before);
  });

  it("the client goes away half-way: nothing sent to the bucket", async () => {
    const before = await snapshot();
    sent.length = 0;
    const outcome = await handleEvidenceUpload(
      grace,
      multipartUpload("cut.txt", textBytes(10 * MiB), 3 * MiB),
      draft,
      "1",
    ).catch((error: Error) => ({ ok: false, thrown: error.message }));
    expect(outcome.ok).toBe(false);
    await expectNothingLeft(before);
  });

  it("refused by the database transaction (the bytes are committed only after it): nothing sent", async () => {
    const before = await snapshot();
    const received = await store().receive(Readable.from([Buffer.from(`not in scope ${crypto.randomUUID()}\n`)]), MiB);
    sent.length = 0;
    await expect(attachUploads(grace, draft, "5.1-1", [{ originalName: "scope.txt", received }])).toBeRefused();
    await expectNothingLeft(before);
  });

  it("a part that fails mid-commit aborts the multipart upload: no object, no parts left", async () => {
    const body = textBytes(10 * MiB);
    const received = await store().receive(Readable.from([body]), 16 * MiB);
    failPart = 2;
    sent.length = 0;
    try {
      // A 503 that says so; the SDK's error is its cause. s3rver has no AbortMultipartUpload ("method
      // not allowed"), so there the abort's own error is the cause; MinIO and AWS abort and the part's is.
      const error = (await store()
        .commit(received)
        .then(
          () => null,
          (e: unknown) => e,
        )) as InstanceType<typeof ServiceError> & { cause?: Error };
      expect(error).toBeInstanceOf(ServiceError);
      expect(error.status).toBe(503);
      expect(error.message).toBe(STORE_UNAVAILABLE_WRITE);
      expect(error.cause?.message).toMatch(s3rver ? /connection reset|not allowed/ : /connection reset/);
    } finally {
      failPart = null;
    }
    expect(sent).toContain("CreateMultipartUploadCommand");
    expect(sent).toContain("AbortMultipartUploadCommand");
    expect(sent).not.toContain("CompleteMultipartUploadCommand");
    expect(await s3.exists(sha(body))).toBe(false);
    expect(await pendingMultipart()).toEqual(s3rver ? null : []);
    expect(fs.readdirSync(tmpDir())).toEqual([]);
  });
});

describe("evidence on S3: the bucket failing after the database named the bytes", () => {
  it("the upload fails, and its new link is undone (audited): no row names bytes the bucket lacks", async () => {
    const body = textBytes(10 * MiB);
    const received = await store().receive(Readable.from([body]), 16 * MiB);
    await failsWithPart2Failing(() => attachUploads(grace, draft, "3", [{ originalName: "lost.txt", received }]));
    expect(await s3.exists(sha(body))).toBe(false);
    expect(
      db()
        .select()
        .from(evidenceLinks)
        .where(eq(evidenceLinks.sha256, sha(body)))
        .all(),
    ).toEqual([]);
    expect(lastAuditDetails("evidence.upload_failed")).toEqual({
      ref: "3",
      files: [{ name: "lost.txt", sha256: sha(body) }],
    });
    expect(fs.readdirSync(tmpDir())).toEqual([]);
    // Sent again once the bucket answers: attached and stored.
    const again = await attachUploads(grace, draft, "3", [
      { originalName: "lost.txt", received: await store().receive(Readable.from([body]), 16 * MiB) },
    ]);
    expect(again.alreadyAttached).toBe(0);
    expect(sha(await read(await s3.open(sha(body))))).toBe(sha(body));
  });
});

describe("evidence on S3: the bucket cannot be reached", () => {
  it("an upload answers 503 with a message the uploader shows, and keeps nothing", async () => {
    const body = Buffer.from(`unreachable ${crypto.randomUUID()}\n`);
    const before = db().select().from(evidenceLinks).all().length;
    const r = await unreachable(() => handleEvidenceUpload(grace, multipartUpload("offline.txt", body), draft, "1"));
    expect(r).toEqual({ ok: false, status: 503, message: STORE_UNAVAILABLE_WRITE });
    expect(db().select().from(evidenceLinks).all().length).toBe(before);
    expect(fs.readdirSync(tmpDir())).toEqual([]);
    // Sent again once the bucket answers: attached and stored.
    expect(await handleEvidenceUpload(grace, multipartUpload("offline.txt", body), draft, "1")).toMatchObject({
      ok: true,
    });
    expect(await s3.exists(sha(body))).toBe(true);
  });

  it("an upload of several files is attached whole or not at all: a file stored before the failure is detached too", async () => {
    const small = Buffer.from(`stored first ${crypto.randomUUID()}\n`);
    const large = textBytes(10 * MiB);
    const files = [
      { originalName: "first.txt", received: await store().receive(Readable.from([small]), 16 * MiB) },
      { originalName: "second.txt", received: await store().receive(Readable.from([large]), 16 * MiB) },
    ];
    await failsWithPart2Failing(() => attachUploads(grace, draft, "2", files));
    expect(await s3.exists(sha(small))).toBe(true); // stored, named by no link: the collector's
    const links = db().select().from(evidenceLinks).where(eq(evidenceLinks.submissionId, draft)).all();
    expect(links.filter((l) => l.sha256 === sha(small) || l.sha256 === sha(large))).toEqual([]);
    expect(lastAuditDetails("evidence.upload_failed")).toEqual({
      ref: "2",
      files: [
        { name: "first.txt", sha256: sha(small) },
        { name: "second.txt", sha256: sha(large) },
      ],
    });
    expect(fs.readdirSync(tmpDir())).toEqual([]);
    // Sent again once the bucket answers: both attached, the first not uploaded again.
    const again = await attachUploads(grace, draft, "2", [
      { originalName: "first.txt", received: await store().receive(Readable.from([small]), 16 * MiB) },
      { originalName: "second.txt", received: await store().receive(Readable.from([large]), 16 * MiB) },
    ]);
    expect(again.linkIds).toHaveLength(2);
    expect(await s3.exists(sha(large))).toBe(true);
  });

  it("a download answers 503 with a message, not a 500", async () => {
    const link = db().select().from(evidenceLinks).where(eq(evidenceLinks.submissionId, draft)).all()[0];
    const refused = await unreachable(() =>
      openEvidence(grace, link.id).then(
        () => null,
        (e: unknown) => e,
      ),
    );
    expect(refused).toBeInstanceOf(ServiceError);
    expect(refused).toMatchObject({ status: 503, message: STORE_UNAVAILABLE_READ });
  });
});

describe("evidence on S3: settings the bucket refuses", () => {
  const refusedWith = (message: string) => (e: unknown) =>
    e instanceof ServiceError && e.status === 503 && e.message === message;

  it("a bucket that does not exist: an upload and a download answer 503 saying an administrator must correct it, not 'try again'", async () => {
    const missing = `no-such-bucket-${crypto.randomUUID().slice(0, 8)}`;
    const wrong = new S3EvidenceStore(s3.client, { bucket: missing, prefix: "iot-seal" }, s3.staging);
    const body = Buffer.from(`misconfigured ${crypto.randomUUID()}\n`);
    const received = await wrong.receive(Readable.from([body]), 16 * MiB);
    await expect(wrong.commit(received)).rejects.toSatisfy(refusedWith(STORE_MISCONFIGURED_WRITE));
    expect(fs.readdirSync(tmpDir())).toEqual([]);
    // Not "the file is missing": the bucket is (a 404 too, NoSuchBucket rather than NoSuchKey).
    await expect(wrong.open(sha(body))).rejects.toSatisfy(refusedWith(STORE_MISCONFIGURED_READ));
    expect(STORE_MISCONFIGURED_WRITE).toContain("An administrator must correct them");
  });

  it("the start-up probe: the configured bucket answers; a missing bucket or refused credentials are settings to fix; a closed port is a store that does not answer", async () => {
    const settings = getEnv().s3;
    expect(await s3TargetProblem(settings, s3.bucket, s3.prefix)).toBeNull();
    expect(await s3TargetProblem(settings, `no-such-bucket-${crypto.randomUUID().slice(0, 8)}`, "x")).toMatchObject({
      kind: "misconfigured",
    });
    const key = process.env.AWS_ACCESS_KEY_ID;
    process.env.AWS_ACCESS_KEY_ID = "NOTAKEYTHESTOREKNOWS"; // read by the new client's credential chain
    try {
      expect(await s3TargetProblem(settings, s3.bucket, s3.prefix)).toEqual({
        kind: "misconfigured",
        reason: "the store does not know the access key (InvalidAccessKeyId: AWS_ACCESS_KEY_ID)",
      });
    } finally {
      process.env.AWS_ACCESS_KEY_ID = key;
    }
    const closed = await new Promise<number>((resolve) => {
      const probe = net.createServer().listen(0, "127.0.0.1", () => {
        const { port } = probe.address() as net.AddressInfo;
        probe.close(() => resolve(port));
      });
    });
    const down = await s3TargetProblem(
      { ...settings, endpoint: `http://127.0.0.1:${closed}`, forcePathStyle: true },
      s3.bucket,
      s3.prefix,
    );
    expect(down?.kind).toBe("unreachable");
    expect(down?.reason).toMatch(/ECONNREFUSED/);
  });
});

describe("recurring evidence on S3: the bucket failing after the row was written", () => {
  it("the submission fails and its row is withdrawn (audited): no assessor is asked to decide on bytes the bucket lacks", async () => {
    const serial = demoSealSerials()["Gator Kids Watch 3 3.1.0"];
    const body = textBytes(10 * MiB);
    const file = async () => ({
      originalName: "scan.txt",
      received: await store().receive(Readable.from([body]), 16 * MiB),
    });
    const input = { ref: "5.2-3", note: "This month's external scan." };
    // Through the page's handler: a 503 with the store's message (not a 500).
    const boundary = "b" + crypto.randomUUID();
    const form = Buffer.concat([
      Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="ref"\r\n\r\n${input.ref}\r\n`),
      Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="note"\r\n\r\n${input.note}\r\n`),
      Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="scan.txt"\r\n\r\n`),
      body,
      Buffer.from(`\r\n--${boundary}--\r\n`),
    ]);
    failPart = 2;
    try {
      const request = new Request("http://localhost/upload", {
        method: "POST",
        headers: { "Content-Type": `multipart/form-data; boundary=${boundary}` },
        body: new Uint8Array(form),
      });
      expect(await handleRecurringUpload(grace, request, serial)).toMatchObject({
        ok: false,
        status: 503,
        message: STORE_UNAVAILABLE_WRITE,
      });
    } finally {
      failPart = null;
    }
    const first = await file();
    await failsWithPart2Failing(() => submitRecurringEvidence(grace, serial, input, first));
    expect(await s3.exists(sha(body))).toBe(false);
    expect(
      db()
        .select()
        .from(recurringEvidence)
        .where(eq(recurringEvidence.sha256, sha(body)))
        .all(),
    ).toEqual([]);
    expect(lastAuditDetails("recurring_evidence.upload_failed")).toEqual({
      serial,
      ref: "5.2-3",
      name: "scan.txt",
      sha256: sha(body),
    });
    expect(fs.readdirSync(tmpDir())).toEqual([]);
    // The assessors were told of it in the transaction that wrote the row: that is taken back too.
    const failedId = db()
      .select()
      .from(auditEvents)
      .where(eq(auditEvents.action, "recurring_evidence.upload_failed"))
      .all()
      .at(-1)!.targetId!;
    const toldOf = (id: string) => ({
      inApp: db()
        .select()
        .from(notifications)
        .where(eq(notifications.key, `recurring:${id}:submitted`))
        .all().length,
      mail: db()
        .select()
        .from(mailOutbox)
        .where(eq(mailOutbox.key, `recurring:${id}:submitted`))
        .all().length,
    });
    expect(toldOf(failedId)).toEqual({ inApp: 0, mail: 0 });
    // Sent again once the bucket answers: recorded, waiting for an assessor, stored, and the assessors told.
    const again = await submitRecurringEvidence(grace, serial, input, await file());
    expect(db().select().from(recurringEvidence).where(eq(recurringEvidence.id, again.id)).get()!.status).toBe(
      "pending",
    );
    expect(sha(await read(await s3.open(sha(body))))).toBe(sha(body));
    expect(toldOf(again.id).inApp).toBeGreaterThan(0);
    expect(toldOf(again.id).mail).toBeGreaterThan(0);
  });
});

describe("evidence on S3: the collector", () => {
  it("deletes an unreferenced file's object and row after the grace period, audited; marking alone deletes nothing", async () => {
    const body = Buffer.from(`to be unlinked ${crypto.randomUUID()}\n`);
    const r = await attachUploads(grace, draft, "1", [
      { originalName: "gone.txt", received: await store().receive(Readable.from([body]), MiB) },
    ]);
    unlinkEvidence(grace, draft, r.linkIds[0]);
    expect(collectEvidence().marked).toEqual([sha(body)]);
    testClock.advance(8 * DAY_MS);
    try {
      expect(collectEvidence().deleted).toEqual([]); // on S3 the synchronous sweep only marks
      expect(await s3.exists(sha(body))).toBe(true);
      const dry = await collectRemoteEvidence({ system: "test" }, { dryRun: true });
      expect(dry.deleted.map((d) => d.sha256)).toEqual([sha(body)]);
      expect(await s3.exists(sha(body))).toBe(true);
      const report = await collectRemoteEvidence();
      expect(report.deleted.map((d) => d.sha256)).toEqual([sha(body)]);
      expect(await s3.exists(sha(body))).toBe(false);
      expect(
        db()
          .select()
          .from(evidenceFiles)
          .where(eq(evidenceFiles.sha256, sha(body)))
          .get(),
      ).toBeUndefined();
      const audit = db().select().from(auditEvents).where(eq(auditEvents.action, "evidence.collected")).all().at(-1)!;
      expect(JSON.stringify(audit.details)).toContain(sha(body));
      // Everything still named stays.
      for (const row of db().select({ sha256: evidenceFiles.sha256 }).from(evidenceFiles).all())
        expect(await s3.exists(row.sha256)).toBe(true);
    } finally {
      testClock.reset();
    }
  });

  it("deletes an object no row names once older than the grace period (a crash's leftover)", async () => {
    const body = Buffer.from(`left by a crash ${crypto.randomUUID()}\n`);
    await s3.client.send(new PutObjectCommand({ Bucket: s3.bucket, Key: s3.keyOf(sha(body)), Body: body }));
    expect((await collectRemoteEvidence()).orphanFiles).toEqual([]); // just written
    testClock.advance(8 * DAY_MS);
    try {
      const report = await collectRemoteEvidence();
      expect(report.orphanFiles).toEqual([sha(body)]);
      expect(await s3.exists(sha(body))).toBe(false);
      // Its claiming row went with it.
      expect(
        db()
          .select()
          .from(evidenceFiles)
          .where(eq(evidenceFiles.sha256, sha(body)))
          .get(),
      ).toBeUndefined();
      expect((await collectRemoteEvidence()).orphanFiles).toEqual([]);
    } finally {
      testClock.reset();
    }
  });

  it("an upload of bytes the collector is deleting is refused (409, send again), then stored afresh", async () => {
    const body = Buffer.from(`being collected ${crypto.randomUUID()}\n`);
    // The collector has claimed these bytes (step 1) and not yet deleted them (step 2).
    await s3.client.send(new PutObjectCommand({ Bucket: s3.bucket, Key: s3.keyOf(sha(body)), Body: body }));
    db()
      .insert(evidenceFiles)
      .values({
        sha256: sha(body),
        size: body.length,
        mediaType: "text/plain",
        createdAt: new Date(),
        unreferencedSince: new Date(BEING_REMOVED),
      })
      .run();
    const refused = await handleEvidenceUpload(grace, multipartUpload("claimed.txt", body), draft, "2");
    expect(refused).toMatchObject({ ok: false, status: 409, message: expect.stringMatching(/again in a minute/) });
    expect(fs.readdirSync(tmpDir())).toEqual([]);
    // The collector finishes (an interrupted run's claim is finished by the next run).
    const report = await collectRemoteEvidence();
    expect(report.deleted.map((d) => d.sha256)).toEqual([sha(body)]);
    expect(await s3.exists(sha(body))).toBe(false);
    // Sent again: stored afresh and downloadable.
    const again = await handleEvidenceUpload(grace, multipartUpload("claimed.txt", body), draft, "2");
    expect(again).toMatchObject({ ok: true });
    expect((await read(await s3.open(sha(body)))).equals(body)).toBe(true);
  });
});
