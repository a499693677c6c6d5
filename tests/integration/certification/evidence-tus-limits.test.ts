// Resumable evidence uploads (tus, decision 032) and the limits around them: the per-submission
// file limit checked before a byte is sent (tus creation, the multipart upload, linking a file);
// the quota counting the organisation's unfinished uploads at creation; a PATCH refused for good
// removing the upload with its bytes; the expiry sweep leaving alone an upload a PATCH is writing;
// and no creation-with-upload nor creation-defer-length (refused, and not advertised).
process.env.EVIDENCE_MAX_FILE_MB = "64"; // read lazily, at the first getEnv()
process.env.EVIDENCE_QUOTA_MB_PER_ORG = "2";
process.env.EVIDENCE_MAX_FILES_PER_SUBMISSION = "3";

import crypto from "node:crypto";
import fs from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { Readable } from "node:stream";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { evidenceLinks, submissions } from "../../../db/schema";
import { seedDemoData } from "../../support/demo-seed";
import { attachUploads, linkExistingEvidence, store } from "../../../app/features/certification/evidence.server";
import { handleEvidenceUpload } from "../../../app/features/certification/evidence-upload.server";
import { uploadBudget } from "../../../app/features/certification/evidence-quota.server";
import { tusEndpoint, tusUploads } from "../../../app/features/certification/evidence-tus.server";
import { db } from "../../../app/platform/db.server";
import { getEnv } from "../../../app/platform/env.server";
import { acquireLease, releaseLease } from "../../../app/platform/leases.server";
import { formatBytes } from "../../../app/platform/format";
import type { Actor } from "../../../app/platform/actor";
import { actorByEmail } from "../../support/actors";
import { sessionCookie } from "../../support/http";
import { addTestVersion, createTestProduct, openTestDraft } from "../../support/submissions";

const KiB = 1024;
const MiB = 1024 * KiB;
let base: string;
let server: http.Server;
let grace: Actor;
let sam: Actor;
let graceCookie: string;
let samCookie: string;
let model = 0;

function draftOf(a: Actor, url: string): string {
  const productId = createTestProduct(a, {
    name: `Tus limits ${++model}`,
    model: `TL-${model}`,
    category: "appliance",
    disclosurePolicyUrl: url,
  });
  return openTestDraft(a, addTestVersion(a, productId, "1.0.0"));
}
const graceDraft = () => draftOf(grace, "https://gatorwearables.example/security");

const b64 = (s: string) => Buffer.from(s).toString("base64");
const metadata = (m: Record<string, string>) =>
  Object.entries(m)
    .map(([k, v]) => `${k} ${b64(v)}`)
    .join(",");

function create(cookie: string, submissionId: string, length: number, filename = "capture.txt"): Promise<Response> {
  return fetch(`${base}/uploads/tus`, {
    method: "POST",
    headers: {
      Cookie: cookie,
      "Tus-Resumable": "1.0.0",
      "Upload-Length": String(length),
      "Upload-Metadata": metadata({ submissionId, ref: "1", filename }),
    },
  });
}

async function created(cookie: string, submissionId: string, length: number): Promise<string> {
  const res = await create(cookie, submissionId, length);
  expect(res.status, await res.clone().text()).toBe(201);
  return res.headers.get("location")!;
}

function patch(cookie: string, location: string, offset: number, body: Buffer): Promise<Response> {
  return fetch(`${base}${location}`, {
    method: "PATCH",
    headers: {
      Cookie: cookie,
      "Tus-Resumable": "1.0.0",
      "Upload-Offset": String(offset),
      "Content-Type": "application/offset+octet-stream",
    },
    body: new Uint8Array(body),
  });
}

const head = (cookie: string, location: string) =>
  fetch(`${base}${location}`, { method: "HEAD", headers: { Cookie: cookie, "Tus-Resumable": "1.0.0" } });

/** Text (sniffed as text/plain), `size` bytes, different each call. */
function textFile(size: number): Buffer {
  const line = Buffer.from(`${crypto.randomUUID()} frame ok rssi=-42 seq=123456\n`);
  const buf = Buffer.alloc(size);
  for (let off = 0; off < size; off += line.length) line.copy(buf, off, 0, Math.min(line.length, size - off));
  return buf;
}

const sha256 = (b: Buffer) => crypto.createHash("sha256").update(b).digest("hex");
const idOf = (location: string) => location.split("/").pop()!;
const exists = (location: string) => {
  const file = tusEndpoint().store.pathOf(idOf(location));
  return fs.existsSync(file) || fs.existsSync(`${file}.json`);
};
const tusIds = () => {
  const dir = path.join(getEnv().dataDir, "tmp", "tus");
  return fs.existsSync(dir) ? fs.readdirSync(dir).sort() : [];
};

async function attach(a: Actor, submissionId: string, ref: string, body: Buffer, name = "note.txt") {
  return attachUploads(a, submissionId, ref, [
    { originalName: name, received: await store().receive(Readable.from([body]), MiB) },
  ]);
}

/** Ages an upload past its expiry (as if created 25 hours ago). */
function expire(location: string): void {
  const config = `${tusEndpoint().store.pathOf(idOf(location))}.json`;
  const info = JSON.parse(fs.readFileSync(config, "utf8")) as { creation_date: string };
  fs.writeFileSync(
    config,
    JSON.stringify({ ...info, creation_date: new Date(Date.now() - 25 * 3600_000).toISOString() }),
  );
}

beforeAll(async () => {
  await seedDemoData();
  grace = actorByEmail("supplier@demo.test");
  sam = actorByEmail("supplier2@demo.test");
  graceCookie = await sessionCookie("supplier@demo.test", "127.0.0.1");
  samCookie = await sessionCookie("supplier2@demo.test", "127.0.0.1");
  server = http.createServer((req, res) => {
    if (!tusUploads(req, res, { ip: "127.0.0.1" })) res.writeHead(404).end();
  });
  server.keepAliveTimeout = 120_000;
  await new Promise<void>((ready) => server.listen(0, "127.0.0.1", ready));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}, 120_000);

afterAll(async () => {
  server?.closeAllConnections();
  await new Promise<void>((done) => server.close(() => done()));
});

describe("the per-submission file limit, before a byte is sent", () => {
  it("refuses a resumable upload to a full submission on creation (409, nothing created), and a multipart upload before reading it", async () => {
    const draft = graceDraft();
    for (const ref of ["1", "2", "3"]) await attach(grace, draft, ref, textFile(100));
    const before = tusIds();
    const res = await create(graceCookie, draft, 10 * MiB);
    expect(res.status).toBe(409);
    expect(await res.text()).toBe(
      "A submission can hold at most 3 files; this one has 3. Remove files you no longer need from it first.",
    );
    expect(tusIds()).toEqual(before);
    // The multipart upload: refused before its body is read (reading it would fail the test).
    const body = new Readable({
      read() {
        throw new Error("the body was read");
      },
    });
    const r = await handleEvidenceUpload(
      grace,
      { headers: { "content-type": "multipart/form-data; boundary=x" }, body },
      draft,
      "1",
    );
    expect(r).toEqual({
      ok: false,
      status: 409,
      message: "A submission can hold at most 3 files; this one has 3. Remove files you no longer need from it first.",
    });
  });

  it("refuses to link a fourth file into a full submission, but links a file it holds to another requirement", async () => {
    const draft = graceDraft();
    const other = graceDraft();
    const held = textFile(120);
    await attach(grace, draft, "1", held);
    await attach(grace, draft, "2", textFile(120));
    await attach(grace, draft, "3", textFile(120));
    const elsewhere = textFile(120);
    await attach(grace, other, "1", elsewhere);
    expect(() => linkExistingEvidence(grace, draft, "1", sha256(elsewhere))).toThrow(
      "A submission can hold at most 3 files; this one has 3.",
    );
    expect(
      db()
        .select()
        .from(evidenceLinks)
        .where(eq(evidenceLinks.submissionId, draft))
        .all()
        .map((l) => l.sha256),
    ).not.toContain(sha256(elsewhere));
    const linked = linkExistingEvidence(grace, draft, "2", sha256(held));
    expect(db().select().from(evidenceLinks).where(eq(evidenceLinks.id, linked)).get()).toMatchObject({
      requirementRef: "2",
      sha256: sha256(held),
    });
  });

  it("refuses the PATCH of an upload whose submission filled up meanwhile, and removes the upload with its bytes", async () => {
    const draft = graceDraft();
    const data = textFile(64 * KiB);
    const location = await created(graceCookie, draft, data.length);
    expect((await patch(graceCookie, location, 0, data.subarray(0, 16 * KiB))).status).toBe(204);
    for (const ref of ["1", "2", "3"]) await attach(grace, draft, ref, textFile(100));
    const res = await patch(graceCookie, location, 16 * KiB, data.subarray(16 * KiB));
    expect(res.status).toBe(409);
    expect(await res.text()).toMatch(/^A submission can hold at most 3 files; this one has 3\./);
    expect(exists(location)).toBe(false);
    expect((await head(graceCookie, location)).status).toBe(404);
  });
});

describe("the quota and unfinished resumable uploads", () => {
  it("counts the organisation's unfinished uploads at creation; an expired one, another organisation's, or a finished one no longer", async () => {
    const draft = graceDraft();
    const left = uploadBudget(grace.organizationId).leftBytes;
    const firstSize = Math.floor(left * 0.6);
    const first = await created(graceCookie, draft, firstSize);
    // A second that fits beside the stored files, not beside the first: refused, nothing created.
    const before = tusIds();
    const second = await create(graceCookie, draft, Math.floor(left * 0.6));
    expect(second.status).toBe(413);
    expect(await second.text()).toMatch(
      new RegExp(
        `evidence quota, and its unfinished uploads have reserved ${formatBytes(firstSize).replace(".", "\\.")} more \\(each until it is finished, or removed 24 hours after it started\\); this file is .* and only .* is left\\. Nothing was stored\\.`,
      ),
    );
    expect(tusIds()).toEqual(before);
    // Another organisation's unfinished uploads are not this one's.
    const samDraft = draftOf(sam, "https://brightnest.example/security");
    await created(samCookie, samDraft, Math.floor(uploadBudget(sam.organizationId).leftBytes * 0.6));
    // Once the first expires, it no longer counts.
    expire(first);
    const third = await created(graceCookie, draft, Math.floor(left * 0.6));
    // Once finished, its bytes count as stored instead: the quota left is what the stored files leave.
    const data = textFile(Math.floor(left * 0.6));
    expect((await patch(graceCookie, third, 0, data)).status).toBe(200);
    const fourth = await create(graceCookie, draft, Math.floor(left * 0.6));
    expect(fourth.status).toBe(413);
    expect(await fourth.text()).toMatch(/evidence quota; this file is .* Nothing was stored\./); // no unfinished upload named
    await tusEndpoint().sweep(); // the expired first upload
  });

  it("a PATCH over the quota (the stored files grew meanwhile) removes the upload, and says so", async () => {
    const draft = graceDraft();
    const left = uploadBudget(grace.organizationId).leftBytes;
    const size = Math.floor(left * 0.6);
    const location = await created(graceCookie, draft, size);
    expect((await patch(graceCookie, location, 0, textFile(4 * KiB))).status).toBe(204);
    // Another upload recorded meanwhile takes most of what was left (a multipart upload that began
    // before this one was created: its budget could not leave room for it).
    const other = graceDraft();
    await attach(grace, other, "1", textFile(Math.floor(left * 0.6)), "big.txt");
    const res = await patch(graceCookie, location, 4 * KiB, textFile(size - 4 * KiB));
    expect(res.status).toBe(413);
    expect(await res.text()).toMatch(
      /evidence quota; this file is .* is left\. The upload was cancelled and the part already received deleted\./,
    );
    expect(exists(location)).toBe(false);
    expect((await head(graceCookie, location)).status).toBe(404);
    // Free the quota for the tests that follow.
    const link = db().select().from(evidenceLinks).where(eq(evidenceLinks.submissionId, other)).get()!;
    db().delete(evidenceLinks).where(eq(evidenceLinks.id, link.id)).run();
  });

  it("a multipart upload leaves room for the organisation's unfinished resumable uploads, and says so when it is cut off", async () => {
    const draft = graceDraft();
    const left = uploadBudget(grace.organizationId).leftBytes;
    const reservedSize = Math.floor(left * 0.6);
    const location = await created(graceCookie, draft, reservedSize);
    const multipart = (name: string, data: Buffer) => {
      const boundary = "----quota";
      const body = Buffer.concat([
        Buffer.from(
          `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${name}"\r\nContent-Type: text/plain\r\n\r\n`,
        ),
        data,
        Buffer.from(`\r\n--${boundary}--\r\n`),
      ]);
      return handleEvidenceUpload(
        grace,
        { headers: { "content-type": `multipart/form-data; boundary=${boundary}` }, body: Readable.from([body]) },
        draft,
        "2",
      );
    };
    // It would fit beside the stored files alone, not beside the reserved upload: cut off, nothing kept.
    const refused = await multipart("too-big.txt", textFile(Math.floor(left * 0.5)));
    expect(refused).toMatchObject({ ok: false, status: 413 });
    expect(refused.ok ? "" : refused.message).toMatch(
      new RegExp(
        `evidence quota, and its unfinished uploads have reserved ${formatBytes(reservedSize).replace(".", "\\.")} more \\(each until it is finished, or removed 24 hours after it started\\); this upload is larger than the ${formatBytes(left - reservedSize).replace(".", "\\.")} left\\. Nothing was stored\\.`,
      ),
    );
    expect(db().select().from(evidenceLinks).where(eq(evidenceLinks.submissionId, draft)).all()).toEqual([]);
    // One that fits beside both is stored; the resumable upload can still finish.
    expect(await multipart("fits.txt", textFile(Math.floor(left * 0.3)))).toMatchObject({ ok: true, count: 1 });
    expect((await patch(graceCookie, location, 0, textFile(reservedSize))).status).toBe(200);
    // Free the quota for the tests that follow.
    db().delete(evidenceLinks).where(eq(evidenceLinks.submissionId, draft)).run();
  });

  it("a PATCH to a submission no longer editable removes the upload", async () => {
    const draft = graceDraft();
    const location = await created(graceCookie, draft, 8 * KiB);
    expect((await patch(graceCookie, location, 0, textFile(2 * KiB))).status).toBe(204);
    db().update(submissions).set({ status: "submitted" }).where(eq(submissions.id, draft)).run();
    const res = await patch(graceCookie, location, 2 * KiB, textFile(6 * KiB));
    expect(res.status).toBe(409);
    expect(await res.text()).toBe("This submission is submitted: its evidence is frozen.");
    expect(exists(location)).toBe(false);
  });
});

describe("the expiry sweep", () => {
  it("leaves an expired upload a PATCH is writing (its lease is held) for the next sweep", async () => {
    const draft = graceDraft();
    const location = await created(graceCookie, draft, 8 * KiB);
    expect((await patch(graceCookie, location, 0, textFile(2 * KiB))).status).toBe(204);
    expire(location);
    const lease = `tus-upload:${idOf(location)}`;
    const holder = `${os.hostname()}:${process.pid}:abcdef`; // a live request of this process
    expect(acquireLease(lease, { ttlMs: 60_000, holder }).held).toBe(true);
    expect(await tusEndpoint().sweep()).toBe(0);
    expect(exists(location)).toBe(true);
    releaseLease(lease, holder);
    expect(await tusEndpoint().sweep()).toBe(1);
    expect(exists(location)).toBe(false);
  });
});

describe("creation: no body, no deferred length", () => {
  it("refuses a creation that carries the file's bytes (400, nothing created)", async () => {
    const draft = graceDraft();
    const before = tusIds();
    const res = await fetch(`${base}/uploads/tus`, {
      method: "POST",
      headers: {
        Cookie: graceCookie,
        "Tus-Resumable": "1.0.0",
        "Upload-Length": "100",
        "Upload-Metadata": metadata({ submissionId: draft, ref: "1", filename: "inline.txt" }),
        "Content-Type": "application/offset+octet-stream",
      },
      body: new Uint8Array(textFile(100)),
    });
    expect(res.status).toBe(400);
    expect(await res.text()).toBe("Create the upload without a body, then send the file's bytes with PATCH.");
    expect(tusIds()).toEqual(before);
  });

  it("advertises only the extensions it serves", async () => {
    const res = await fetch(`${base}/uploads/tus`, { method: "OPTIONS" });
    expect(res.status).toBe(204);
    expect(res.headers.get("tus-extension")).toBe("creation,termination,expiration");
  });
});
