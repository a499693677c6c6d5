// Resumable evidence uploads (tus, decision 032) with several processes (node:cluster, decision
// 031): one PATCH at a time per upload, in any process. A second PATCH (or a DELETE) of an upload
// that another request is sending is answered 423 and writes nothing; the lease is released when
// the first finishes or is cut, and a lease left by a dead process is taken over at once.
process.env.EVIDENCE_MAX_FILE_MB = "64"; // read lazily, at the first getEnv()

import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import readline from "node:readline";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { evidenceFiles } from "../../../db/schema";
import { seedDemoData } from "../../support/demo-seed";
import { tusEndpoint, tusUploads } from "../../../app/features/certification/evidence-tus.server";
import { db } from "../../../app/platform/db.server";
import { getEnv } from "../../../app/platform/env.server";
import { acquireLease, leaseOf } from "../../../app/platform/leases.server";
import { actorByEmail } from "../../support/actors";
import { sessionCookie } from "../../support/http";
import { addTestVersion, createTestProduct, openTestDraft } from "../../support/submissions";

const MiB = 1024 * 1024;
const root = path.resolve(__dirname, "../../..");
let here: string; // this process's endpoint
let there: string; // another process's, on the same data directory
let server: http.Server;
let other: ChildProcess;
let draft: string;
let cookie: string;

const b64 = (s: string) => Buffer.from(s).toString("base64");
const sha256 = (b: Buffer) => crypto.createHash("sha256").update(b).digest("hex");
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const TUS = { "Tus-Resumable": "1.0.0" };

/** Text (sniffed as text/plain), `size` bytes, different each call. */
function textFile(size: number): Buffer {
  const line = Buffer.from(`${crypto.randomUUID()} frame ok rssi=-42 seq=123456\n`);
  const buf = Buffer.alloc(size);
  for (let off = 0; off < size; off += line.length) line.copy(buf, off, 0, Math.min(line.length, size - off));
  return buf;
}

async function created(filename: string, length: number): Promise<string> {
  const res = await fetch(`${here}/uploads/tus`, {
    method: "POST",
    headers: {
      ...TUS,
      Cookie: cookie,
      "Upload-Length": String(length),
      "Upload-Metadata": `submissionId ${b64(draft)},ref ${b64("1")},filename ${b64(filename)}`,
    },
  });
  expect(res.status, await res.clone().text()).toBe(201);
  return res.headers.get("location")!;
}

function patch(base: string, location: string, offset: number, body: Buffer): Promise<Response> {
  return fetch(`${base}${location}`, {
    method: "PATCH",
    headers: {
      ...TUS,
      Cookie: cookie,
      "Upload-Offset": String(offset),
      "Content-Type": "application/offset+octet-stream",
    },
    body: new Uint8Array(body),
  });
}

async function offsetOf(location: string): Promise<number> {
  const res = await fetch(`${here}${location}`, { method: "HEAD", headers: { ...TUS, Cookie: cookie } });
  expect(res.status).toBe(200);
  return Number(res.headers.get("upload-offset"));
}

async function offsetReaches(location: string, offset: number): Promise<void> {
  for (let i = 0; i < 200 && (await offsetOf(location)) < offset; i++) await sleep(25);
  expect(await offsetOf(location)).toBe(offset);
}

/** A PATCH whose body is sent piece by piece (it stays open, holding the upload, until `end`). */
function openPatch(base: string, location: string, offset: number, length: number) {
  const req = http.request(`${base}${location}`, {
    method: "PATCH",
    headers: {
      ...TUS,
      Cookie: cookie,
      "Upload-Offset": String(offset),
      "Content-Type": "application/offset+octet-stream",
      "Content-Length": String(length),
    },
  });
  const answer = new Promise<{ status: number; body: string }>((resolve, reject) => {
    req.on("response", (res) => {
      let body = "";
      res.on("data", (c) => (body += c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on("error", reject);
  });
  answer.catch(() => {}); // a cut request's answer is never read
  return {
    answer,
    send: (b: Buffer) => new Promise<void>((done) => req.write(b, () => done())),
    end: (b: Buffer) => req.end(b),
    cut: () => req.destroy(),
  };
}

const storedSha = (sha: string) =>
  db().select().from(evidenceFiles).where(eq(evidenceFiles.sha256, sha)).get() as { size: number } | undefined;

beforeAll(async () => {
  await seedDemoData();
  const grace = actorByEmail("supplier@demo.test");
  const productId = createTestProduct(grace, {
    name: "Tus concurrency",
    model: "GW-TUSC",
    category: "appliance",
    disclosurePolicyUrl: "https://gatorwearables.example/security",
  });
  draft = openTestDraft(grace, addTestVersion(grace, productId, "1.0.0"));
  cookie = await sessionCookie("supplier@demo.test", "127.0.0.1");
  server = http.createServer((req, res) => {
    if (!tusUploads(req, res, { ip: "127.0.0.1" })) res.writeHead(404).end();
  });
  await new Promise<void>((ready) => server.listen(0, "127.0.0.1", ready));
  here = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  other = spawn(process.execPath, ["--import", "tsx", path.join(__dirname, "evidence-tus.child.ts")], {
    cwd: root,
    env: { ...process.env, DATA_DIR: getEnv().dataDir },
    stdio: ["ignore", "pipe", "inherit"],
  });
  const port = await new Promise<string>((resolve, reject) => {
    readline.createInterface({ input: other.stdout! }).on("line", (line) => {
      if (line.startsWith("PORT ")) resolve(line.slice(5));
    });
    other.once("exit", (code) => reject(new Error(`the second process exited with ${code}`)));
  });
  there = `http://127.0.0.1:${port}`;
}, 120_000); // a child process starts slowly on a loaded CI machine

afterAll(async () => {
  if (other && other.exitCode === null) other.kill("SIGKILL");
  server?.closeAllConnections();
  await new Promise<void>((done) => server.close(() => done()));
});

describe("one PATCH at a time per resumable upload, across processes", () => {
  it("refuses a second PATCH (423) while another process is sending the upload; the stored bytes are the first's", async () => {
    const data = textFile(8 * MiB);
    const intruder = textFile(8 * MiB); // what a second writer would send: other bytes
    const half = data.length / 2;
    const location = await created("concurrent.txt", data.length);
    const id = location.split("/").pop()!;

    const first = openPatch(there, location, 0, data.length); // in the other process
    await first.send(data.subarray(0, half));
    await offsetReaches(location, half);
    expect(leaseOf(`tus-upload:${id}`)?.holder).toContain(`:${other.pid}:`);

    // At the offset the server has: without the lock both would now append at `half`.
    const second = await patch(here, location, half, intruder.subarray(half));
    expect(second.status).toBe(423);
    expect(second.headers.get("tus-resumable")).toBe("1.0.0");
    expect(await second.text()).toBe("This upload is being sent by another request. Try again when it has finished.");
    // The same in the holder's own process, and for a DELETE.
    expect((await patch(there, location, half, intruder.subarray(half))).status).toBe(423);
    const del = await fetch(`${here}${location}`, { method: "DELETE", headers: { ...TUS, Cookie: cookie } });
    expect(del.status).toBe(423);
    expect(await offsetOf(location)).toBe(half);

    first.end(data.subarray(half));
    const done = await first.answer;
    expect(done.status, done.body).toBe(200);
    expect(JSON.parse(done.body)).toEqual({ ok: true, count: 1, message: "Attached 1 file to requirement 1." });
    expect(storedSha(sha256(data))).toMatchObject({ size: data.length });
    const file = path.join(
      getEnv().dataDir,
      "evidence",
      sha256(data).slice(0, 2),
      sha256(data).slice(2, 4),
      sha256(data),
    );
    expect(sha256(fs.readFileSync(file))).toBe(sha256(data));
    expect(storedSha(sha256(Buffer.concat([data.subarray(0, half), intruder.subarray(half)])))).toBeUndefined();
    expect(leaseOf(`tus-upload:${id}`)).toBeNull(); // released
  });

  it("releases the upload when the sending PATCH is cut: the rest is sent through another process", async () => {
    const data = textFile(6 * MiB);
    const location = await created("cut.txt", data.length);
    const id = location.split("/").pop()!;
    const first = openPatch(there, location, 0, data.length);
    await first.send(data.subarray(0, 2 * MiB));
    await offsetReaches(location, 2 * MiB);
    first.cut();
    for (let i = 0; i < 200 && leaseOf(`tus-upload:${id}`); i++) await sleep(25);
    expect(leaseOf(`tus-upload:${id}`)).toBeNull();
    const offset = await offsetOf(location);
    const rehashed = tusEndpoint().store.rehashed;
    const rest = await patch(here, location, offset, data.subarray(offset));
    expect(rest.status, await rest.clone().text()).toBe(200);
    expect(tusEndpoint().store.rehashed).toBe(rehashed + 1); // the first bytes were written elsewhere
    expect(storedSha(sha256(data))).toMatchObject({ size: data.length });
  });

  it("takes over a lease left by a process that died at once, and a live holder's only once it expired", async () => {
    const data = textFile(1 * MiB);
    const location = await created("stale.txt", data.length);
    const name = `tus-upload:${location.split("/").pop()!}`;
    // A live holder (this process's pid, another request): refused until its lease expires.
    expect(acquireLease(name, { ttlMs: 400, holder: `${os.hostname()}:${process.pid}:abcdef` }).held).toBe(true);
    expect((await patch(here, location, 0, data.subarray(0, MiB / 2))).status).toBe(423);
    await sleep(450);
    expect((await patch(here, location, 0, data.subarray(0, MiB / 2))).status).toBe(204);
    // A holder whose process is gone (killed with -9, say): taken over before its expiry.
    const gone = spawnSync(process.execPath, ["-e", "process.pid"]).pid!;
    expect(acquireLease(name, { ttlMs: 600_000, holder: `${os.hostname()}:${gone}:abcdef` }).held).toBe(true);
    const rest = await patch(here, location, MiB / 2, data.subarray(MiB / 2));
    expect(rest.status, await rest.clone().text()).toBe(200);
    expect(storedSha(sha256(data))).toMatchObject({ size: data.length });
    expect(leaseOf(name)).toBeNull();
  });
});

describe("a PATCH body read straight from the request", () => {
  it("without Content-Length, is held to the bytes the upload still takes (413, nothing past them written)", async () => {
    const data = textFile(1 * MiB);
    const location = await created("chunked.txt", data.length);
    const answer = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = http.request(`${here}${location}`, {
        method: "PATCH",
        headers: {
          ...TUS,
          Cookie: cookie,
          "Upload-Offset": "0",
          "Content-Type": "application/offset+octet-stream",
          "Transfer-Encoding": "chunked",
        },
      });
      req.on("response", (res) => {
        let body = "";
        res.on("data", (c) => (body += c));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
      });
      req.on("error", reject);
      req.write(data.subarray(0, MiB / 2));
      setTimeout(() => req.end(Buffer.concat([data.subarray(MiB / 2), Buffer.from("one too many\n")])), 100);
    });
    expect(answer.status).toBe(413);
    // Past the upload's own length, not past the size limit: the message says which (pen test).
    expect(answer.body).toBe(
      `The body is longer than the upload's declared Upload-Length of ${data.length} bytes: from offset 0, a PATCH may send at most ${data.length} bytes.`,
    );
    const offset = await offsetOf(location);
    expect(offset).toBeLessThanOrEqual(data.length);
    // What was kept is the file's own bytes, and the upload goes on from there.
    const rest = await patch(here, location, offset, data.subarray(offset));
    expect(rest.status, await rest.clone().text()).toBe(200);
    expect(storedSha(sha256(data))).toMatchObject({ size: data.length });
  });

  it("with a Content-Length past the declared Upload-Length, is refused naming it (413, nothing written)", async () => {
    const data = textFile(100);
    const location = await created("declared.txt", 60);
    const refused = await patch(here, location, 0, data);
    expect({ status: refused.status, body: await refused.text() }).toEqual({
      status: 413,
      body: "The body is longer than the upload's declared Upload-Length of 60 bytes: from offset 0, a PATCH may send at most 60 bytes.",
    });
    expect(await offsetOf(location)).toBe(0);
    const first = await patch(here, location, 0, data.subarray(0, 20));
    expect(first.status).toBe(204);
    const again = await patch(here, location, 20, data.subarray(20));
    expect(await again.text()).toBe(
      "The body is longer than the upload's declared Upload-Length of 60 bytes: from offset 20, a PATCH may send at most 40 bytes.",
    );
    expect(await offsetOf(location)).toBe(20);
    const rest = await patch(here, location, 20, data.subarray(20, 60));
    expect(rest.status, await rest.clone().text()).toBe(200);
    expect(storedSha(sha256(data.subarray(0, 60)))).toMatchObject({ size: 60 });
  });

  it("answers a PATCH without the tus headers as @tus/server does", async () => {
    const location = await created("headers.txt", 10);
    const send = (headers: Record<string, string>) =>
      fetch(`${here}${location}`, {
        method: "PATCH",
        headers: { Cookie: cookie, ...headers },
        body: new Uint8Array(Buffer.from("0123456789")),
      });
    expect((await send({ "Upload-Offset": "0", "Content-Type": "application/offset+octet-stream" })).status).toBe(412);
    expect((await send({ ...TUS, "Content-Type": "application/offset+octet-stream" })).status).toBe(403);
    expect((await send({ ...TUS, "Upload-Offset": "0" })).status).toBe(403);
    expect(
      (await send({ ...TUS, "Upload-Offset": "-1", "Content-Type": "application/offset+octet-stream" })).status,
    ).toBe(400);
    expect((await send({ ...TUS, "Upload-Offset": "0", "Content-Type": "text/plain" })).status).toBe(400);
    const ok = await send({ ...TUS, "Upload-Offset": "0", "Content-Type": "application/offset+octet-stream" });
    expect(ok.status).toBe(200);
  });
});
