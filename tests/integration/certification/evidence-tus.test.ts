// Resumable evidence uploads (tus, decision 032): the endpoint's authorisation, size and quota
// checks, resuming after a cut, completion through the same checks as the multipart upload, and
// an event loop that stays free while an upload is hashed (as it arrives, and again when finished elsewhere).
process.env.EVIDENCE_MAX_FILE_MB = "400"; // read lazily, at the first getEnv()
process.env.EVIDENCE_QUOTA_MB_PER_ORG = "300";

import crypto from "node:crypto";
import fs from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { evidenceFiles, evidenceLinks } from "../../../db/schema";
import { seedDemoData } from "../../support/demo-seed";
import { handleEvidenceUpload } from "../../../app/features/certification/evidence-upload.server";
import { tusEndpoint, tusUploads } from "../../../app/features/certification/evidence-tus.server";
import { db } from "../../../app/platform/db.server";
import { getEnv } from "../../../app/platform/env.server";
import type { Actor } from "../../../app/platform/actor";
import { actorByEmail } from "../../support/actors";
import { sessionCookie } from "../../support/http";
import { addTestVersion, createTestProduct, openTestDraft } from "../../support/submissions";

const MiB = 1024 * 1024;
let base: string;
let server: http.Server;
let grace: Actor;
let graceDraft: string;
let samDraft: string;
let graceCookie: string;
let samCookie: string;
let assessorCookie: string;

function draftOf(a: Actor, model: string, url: string): string {
  const productId = createTestProduct(a, {
    name: `Tus ${model}`,
    model,
    category: "appliance",
    disclosurePolicyUrl: url,
  });
  return openTestDraft(a, addTestVersion(a, productId, "1.0.0"));
}

const b64 = (s: string) => Buffer.from(s).toString("base64");
const metadata = (m: Record<string, string>) =>
  Object.entries(m)
    .map(([k, v]) => `${k} ${b64(v)}`)
    .join(",");

async function create(cookie: string | null, meta: Record<string, string>, length: number): Promise<Response> {
  return fetch(`${base}/uploads/tus`, {
    method: "POST",
    headers: {
      ...(cookie ? { Cookie: cookie } : {}),
      "Tus-Resumable": "1.0.0",
      "Upload-Length": String(length),
      "Upload-Metadata": metadata(meta),
    },
  });
}

async function created(cookie: string, meta: Record<string, string>, length: number): Promise<string> {
  const res = await create(cookie, meta, length);
  expect(res.status, await res.clone().text()).toBe(201);
  const location = res.headers.get("location")!;
  expect(location).toMatch(/^\/uploads\/tus\/[0-9a-f]{32}$/);
  return location;
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

async function offsetOf(cookie: string, location: string): Promise<Response> {
  return fetch(`${base}${location}`, { method: "HEAD", headers: { Cookie: cookie, "Tus-Resumable": "1.0.0" } });
}

/** Text (sniffed as text/plain), `size` bytes, different each call. */
function textFile(size: number): Buffer {
  const line = Buffer.from(`${crypto.randomUUID()} frame ok rssi=-42 seq=123456\n`);
  const buf = Buffer.alloc(size);
  for (let off = 0; off < size; off += line.length) line.copy(buf, off, 0, Math.min(line.length, size - off));
  return buf;
}

const sha256 = (b: Buffer) => crypto.createHash("sha256").update(b).digest("hex");
const tusFiles = () => {
  const dir = path.join(getEnv().dataDir, "tmp", "tus");
  return fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => !f.endsWith(".json")) : [];
};

beforeAll(async () => {
  await seedDemoData();
  grace = actorByEmail("supplier@demo.test");
  const sam = actorByEmail("supplier2@demo.test");
  graceDraft = draftOf(grace, "GW-TUS1", "https://gatorwearables.example/security");
  samDraft = draftOf(sam, "BN-TUS1", "https://brightnest.example/security");
  graceCookie = await sessionCookie("supplier@demo.test", "127.0.0.1");
  samCookie = await sessionCookie("supplier2@demo.test", "127.0.0.1");
  assessorCookie = await sessionCookie("assessor1@demo.test", "127.0.0.1");
  server = http.createServer((req, res) => {
    if (req.url === "/healthz") {
      db().$client.prepare("select 1").get();
      return res.writeHead(200).end("ok");
    }
    if (!tusUploads(req, res, { ip: "127.0.0.1" })) res.writeHead(404).end();
  });
  // The test's fetch and this server share one event loop: a loop held up (the 160 MiB hash below,
  // a loaded machine) fires both sides' keep-alive timers late and together, and fetch may reuse a
  // socket the server is closing (ECONNRESET). Idle sockets stay open for the file's whole run.
  server.keepAliveTimeout = 120_000;
  await new Promise<void>((ready) => server.listen(0, "127.0.0.1", ready));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server?.closeAllConnections();
  await new Promise<void>((done) => server.close(() => done()));
});

describe("creating a resumable upload", () => {
  const meta = () => ({ submissionId: graceDraft, ref: "1", filename: "capture.txt" });

  it("is refused without a session, to an assessor, and for another organisation's submission", async () => {
    expect((await create(null, meta(), 1000)).status).toBe(401);
    expect((await create(assessorCookie, meta(), 1000)).status).toBe(403);
    const other = await create(samCookie, meta(), 1000);
    expect(other.status).toBe(403);
    expect((await create(graceCookie, { ...meta(), submissionId: samDraft }, 1000)).status).toBe(403);
    expect(await create(graceCookie, { ...meta(), ref: "no-such-requirement" }, 1000)).not.toHaveProperty(
      "status",
      201,
    );
    expect(tusFiles()).toHaveLength(0);
  });

  it("is refused over the file size limit and over the organisation's quota, from Upload-Length alone", async () => {
    const tooLarge = await create(graceCookie, meta(), 401 * MiB);
    expect(tooLarge.status).toBe(413);
    expect(await tooLarge.text()).toBe("The file is larger than the limit of 400 MiB.");
    const overQuota = await create(graceCookie, meta(), 350 * MiB);
    expect(overQuota.status).toBe(413);
    expect(await overQuota.text()).toMatch(
      /evidence quota; this file is 350 MiB and only .* is left\. Nothing was stored\./,
    );
    expect(tusFiles()).toHaveLength(0);
  });

  it("is refused without its metadata, with a bad file name, or without a length", async () => {
    expect((await create(graceCookie, { submissionId: graceDraft, ref: "1" }, 10)).status).toBe(400);
    expect((await create(graceCookie, { ...meta(), filename: "../etc/passwd" }, 10)).status).toBe(400);
    const deferred = await fetch(`${base}/uploads/tus`, {
      method: "POST",
      headers: {
        Cookie: graceCookie,
        "Tus-Resumable": "1.0.0",
        "Upload-Defer-Length": "1",
        "Upload-Metadata": metadata(meta()),
      },
    });
    expect(deferred.status).toBe(400);
  });
});

describe("receiving and finishing a resumable upload", () => {
  it("only the creating user may HEAD or PATCH it; the server sets the owner, not the client", async () => {
    const location = await created(
      graceCookie,
      { submissionId: graceDraft, ref: "1", filename: "a.txt", userId: "someone-else", organizationId: "x" },
      100,
    );
    expect((await offsetOf(samCookie, location)).status).toBe(404);
    expect((await patch(samCookie, location, 0, textFile(100))).status).toBe(404);
    const head = await offsetOf(graceCookie, location);
    expect(head.status).toBe(200);
    expect(head.headers.get("upload-offset")).toBe("0");
    // Not for more bytes than the length it declared.
    expect((await patch(graceCookie, location, 0, textFile(101))).status).toBe(413);
  });

  it("resumes after a cut from HEAD's offset and attaches the evidence with its SHA-256 and sniffed type", async () => {
    const data = textFile(24 * MiB);
    const location = await created(
      graceCookie,
      { submissionId: graceDraft, ref: "1", filename: "capture-log.txt" },
      data.length,
    );
    const rehashed = tusEndpoint().store.rehashed;
    // What this thread (the event loop: the server runs in this process) hashes meanwhile.
    let hashedHere = 0;
    const update = crypto.Hash.prototype.update;
    const spy = vi.spyOn(crypto.Hash.prototype, "update").mockImplementation(function (
      this: crypto.Hash,
      ...args: Parameters<crypto.Hash["update"]>
    ) {
      hashedHere += Buffer.byteLength(args[0] as unknown as Buffer);
      return update.apply(this, args);
    });
    // Send half the file, then drop the connection.
    await new Promise<void>((resolve) => {
      const req = http.request(`${base}${location}`, {
        method: "PATCH",
        headers: {
          Cookie: graceCookie,
          "Tus-Resumable": "1.0.0",
          "Upload-Offset": "0",
          "Content-Type": "application/offset+octet-stream",
          "Content-Length": String(data.length),
        },
      });
      req.on("error", () => resolve());
      req.on("response", () => resolve());
      req.write(data.subarray(0, data.length / 2), () => setTimeout(() => req.destroy(), 300));
      req.on("close", () => resolve());
    });
    await new Promise((r) => setTimeout(r, 300));
    const head = await offsetOf(graceCookie, location);
    const offset = Number(head.headers.get("upload-offset"));
    expect(offset).toBeGreaterThan(0);
    expect(offset).toBeLessThanOrEqual(data.length / 2);
    // A PATCH at the wrong offset is refused (409) without changing anything.
    expect((await patch(graceCookie, location, offset + 1, data.subarray(offset + 1))).status).toBe(409);
    const done = await patch(graceCookie, location, offset, data.subarray(offset));
    expect(done.status).toBe(200);
    expect(await done.json()).toEqual({ ok: true, count: 1, message: "Attached 1 file to requirement 1." });
    expect(tusEndpoint().store.rehashed).toBe(rehashed); // hashed as it arrived, across the cut
    spy.mockRestore();
    expect(hashedHere).toBeLessThan(MiB); // ... in the hashing thread, not on the event loop (24 MiB sent)
    const sha = sha256(data);
    const link = db()
      .select()
      .from(evidenceLinks)
      .where(and(eq(evidenceLinks.submissionId, graceDraft), eq(evidenceLinks.sha256, sha)))
      .get();
    expect(link).toMatchObject({ requirementRef: "1", originalName: "capture-log.txt", linkedBy: grace.userId });
    expect(db().select().from(evidenceFiles).where(eq(evidenceFiles.sha256, sha)).get()).toMatchObject({
      size: data.length,
      mediaType: "text/plain",
    });
    const stored = path.join(getEnv().dataDir, "evidence", sha.slice(0, 2), sha.slice(2, 4), sha);
    expect(sha256(fs.readFileSync(stored))).toBe(sha);
    expect(tusFiles()).toHaveLength(1); // only the first test's unfinished upload is left
    expect((await offsetOf(graceCookie, location)).status).toBe(404);
  });

  it("refuses a hostile file at completion exactly as the multipart upload does, keeping nothing", async () => {
    const html = Buffer.from(`<!doctype html><html><script>alert(1)</script></html>\n${"x".repeat(1000)}`);
    const location = await created(
      graceCookie,
      { submissionId: graceDraft, ref: "1", filename: "report.txt" },
      html.length,
    );
    const res = await patch(graceCookie, location, 0, html);
    const multipart = await handleEvidenceUpload(
      grace,
      (() => {
        const boundary = "b" + crypto.randomUUID();
        const body = Buffer.concat([
          Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="report.txt"\r\n\r\n`),
          html,
          Buffer.from(`\r\n--${boundary}--\r\n`),
        ]);
        return new Request("http://localhost/upload", {
          method: "POST",
          headers: { "Content-Type": `multipart/form-data; boundary=${boundary}` },
          body: new Uint8Array(body),
        });
      })(),
      graceDraft,
      "1",
    );
    expect(multipart.ok).toBe(false);
    expect(res.status).toBe((multipart as { status: number }).status);
    expect(await res.text()).toBe((multipart as { message: string }).message);
    expect(
      db()
        .select()
        .from(evidenceFiles)
        .where(eq(evidenceFiles.sha256, sha256(html)))
        .get(),
    ).toBeUndefined();
    expect(tusFiles().filter((f) => location.endsWith(f))).toEqual([]);
    expect(fs.existsSync(`${tusEndpoint().store.pathOf(location.split("/").pop()!)}.json`)).toBe(false);
  });

  it("keeps the event loop free while a finished upload is hashed again after a restart (in a worker)", async () => {
    const data = textFile(160 * MiB);
    const location = await created(
      graceCookie,
      { submissionId: graceDraft, ref: "1", filename: "big.txt" },
      data.length,
    );
    expect((await patch(graceCookie, location, 0, data.subarray(0, data.length - 1))).status).toBe(204);
    const { store } = tusEndpoint();
    store.forget(); // as after a restart: no running hash in memory
    const rehashed = store.rehashed;
    // How long hashing the file on the event loop would block it, for comparison.
    const t0 = performance.now();
    crypto.createHash("sha256").update(data).digest();
    const blocking = performance.now() - t0;
    const final = patch(graceCookie, location, data.length - 1, data.subarray(data.length - 1));
    let finished = false;
    void final.finally(() => (finished = true));
    const latencies: number[] = [];
    while (!finished) {
      const s = performance.now();
      const r = await fetch(`${base}/healthz`);
      await r.text();
      latencies.push(performance.now() - s);
    }
    const res = await final;
    expect(res.status).toBe(200);
    expect(store.rehashed).toBe(rehashed + 1);
    expect(latencies.length).toBeGreaterThan(1);
    // Hashing on the event loop would hold one health request for about `blocking`: none waits that long.
    expect(
      Math.max(...latencies),
      `hashing on the loop: ${blocking.toFixed(0)} ms; health latencies: ${latencies.map((l) => l.toFixed(0)).join(" ")}`,
    ).toBeLessThan(Math.max(60, blocking * 0.8));
    const sha = sha256(data);
    expect(db().select().from(evidenceFiles).where(eq(evidenceFiles.sha256, sha)).get()).toMatchObject({
      size: data.length,
    });
  });

  it("sweeps unfinished uploads once they expire", async () => {
    const location = await created(graceCookie, { submissionId: graceDraft, ref: "1", filename: "late.txt" }, 50);
    expect((await patch(graceCookie, location, 0, textFile(20))).status).toBe(204);
    const id = location.split("/").pop()!;
    const { store, sweep } = tusEndpoint();
    expect(await sweep()).toBe(0); // not yet expired
    expect(fs.existsSync(store.pathOf(id))).toBe(true);
    // Created 25 hours ago: expired.
    const config = `${store.pathOf(id)}.json`;
    const info = JSON.parse(fs.readFileSync(config, "utf8")) as { creation_date: string };
    fs.writeFileSync(
      config,
      JSON.stringify({ ...info, creation_date: new Date(Date.now() - 25 * 3600_000).toISOString() }),
    );
    expect((await patch(graceCookie, location, 20, textFile(30))).status).toBe(410);
    expect(await sweep()).toBeGreaterThanOrEqual(1);
    expect(fs.existsSync(store.pathOf(id))).toBe(false);
    expect(fs.existsSync(`${store.pathOf(id)}.json`)).toBe(false);
  });
});
