// server.mjs has no limit on how long a request body takes (Node's requestTimeout, 5 minutes for
// the whole request, cut evidence uploads that were only large for their line), but cuts a body
// that stops arriving: nothing for REQUEST_BODY_IDLE_SECONDS while the portal waits for it (408,
// connection closed). A body the portal itself is slow to read is not cut. The real server.mjs
// runs here, as a child process, on a stand-in build whose tus handler reads the body and says
// how much it got (and the server's timeouts).
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const ROOT = path.resolve(__dirname, "../../..");
const IDLE_SECONDS = 1;

/** The stand-in build: /uploads/tus/* reads the body (after `?wait=ms`) and answers what it received. */
const ENTRY = `
export const entry = {
  module: {
    startup: async () => ({
      role: "worker",
      env: {
        port: Number(process.env.PORT), host: "127.0.0.1", baseUrl: "http://127.0.0.1:" + process.env.PORT,
        dataDir: process.env.DATA_DIR, demoMode: false, trustProxy: 0, cookieSecure: false,
        logRequests: false, nodeEnv: "production", webConcurrency: 1,
      },
      checklists: { imported: [], problems: [] },
      seeded: [],
    }),
    shutdown: async () => {},
    warmUp: () => {},
    fastRoutes: () => false,
    tusUploads: (req, res) => {
      const wait = Number(new URL(req.url, "http://x").searchParams.get("wait") ?? 0);
      let bytes = 0;
      setTimeout(() => {
        req.on("data", (c) => (bytes += c.length));
        req.on("end", () => {
          const server = req.socket.server;
          res.writeHead(200, { "Content-Type": "application/json" }).end(
            JSON.stringify({ bytes, requestTimeout: server.requestTimeout, headersTimeout: server.headersTimeout }),
          );
        });
      }, wait);
      return true;
    },
  },
};
export const routes = {};
export const assets = { entry: { module: "", imports: [] }, routes: {}, url: "", version: "test" };
`;

let dir: string;
let server: ChildProcess;
let port: number;

async function freePort(): Promise<number> {
  const s = http.createServer();
  await new Promise<void>((ready) => s.listen(0, "127.0.0.1", ready));
  const p = (s.address() as AddressInfo).port;
  await new Promise((closed) => s.close(closed));
  return p;
}

function start(env: Record<string, string>): ChildProcess {
  return spawn(process.execPath, [path.join(ROOT, "server.mjs")], {
    cwd: ROOT,
    env: { ...process.env, REMIX_BUILD_DIR: dir, PORT: String(port), ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
}

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "server-body-timeouts-"));
  fs.mkdirSync(path.join(dir, "server"));
  fs.writeFileSync(path.join(dir, "server", "index.js"), ENTRY);
  fs.writeFileSync(path.join(dir, "package.json"), '{"type": "module"}');
  port = await freePort();
  server = start({ REQUEST_BODY_IDLE_SECONDS: String(IDLE_SECONDS) });
  server.stderr!.pipe(process.stderr);
  await new Promise<void>((ready, fail) => {
    server.stdout!.on("data", (chunk: Buffer) => {
      if (chunk.toString().includes("is listening")) ready();
    });
    server.on("exit", (code) => fail(new Error(`server.mjs exited (${code})`)));
  });
}, 60_000);

afterAll(() => {
  server?.kill("SIGKILL");
  fs.rmSync(dir, { recursive: true, force: true });
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * A PATCH sent over a raw socket: `pieces` written `every` ms apart, then `then` ("end": nothing
 * more is owed; "stall": the rest of the declared length never comes). Resolves with what the
 * server answered ("" when it closed the connection without an answer) and when.
 */
async function send(
  pieces: Buffer[],
  opts: { every: number; declared?: number; then: "end" | "stall"; query?: string },
): Promise<{ answer: string; ms: number }> {
  const started = Date.now();
  const socket = net.connect(port, "127.0.0.1");
  await new Promise<void>((ok) => socket.once("connect", () => ok()));
  let answer = "";
  socket.on("data", (c: Buffer) => (answer += c.toString("latin1")));
  socket.on("error", () => {});
  const closed = new Promise<void>((done) => socket.once("close", () => done()));
  const length = opts.declared ?? pieces.reduce((n, p) => n + p.length, 0);
  socket.write(
    `PATCH /uploads/tus/0123456789abcdef0123456789abcdef${opts.query ?? ""} HTTP/1.1\r\nHost: 127.0.0.1\r\n` +
      `Content-Type: application/offset+octet-stream\r\nContent-Length: ${length}\r\nConnection: close\r\n\r\n`,
  );
  for (const piece of pieces) {
    if (socket.destroyed) break;
    socket.write(piece);
    await sleep(opts.every);
  }
  await Promise.race([closed, sleep(15_000)]);
  socket.destroy();
  return { answer, ms: Date.now() - started };
}

const kib = (n: number) => Buffer.alloc(n * 1024, 0x61);

describe("request bodies in server.mjs", () => {
  it("has no whole-request time limit (requestTimeout 0), and keeps the 60 s limit for the headers", async () => {
    const res = await fetch(`http://127.0.0.1:${port}/uploads/tus/0123456789abcdef0123456789abcdef`, {
      method: "PATCH",
      headers: { "Content-Type": "application/offset+octet-stream" },
      body: new Uint8Array(kib(1)),
    });
    expect(await res.json()).toEqual({ bytes: 1024, requestTimeout: 0, headersTimeout: 60_000 });
  });

  it("takes a body that keeps arriving for several times the idle limit", async () => {
    const pieces = Array.from({ length: 14 }, () => kib(4));
    const { answer, ms } = await send(pieces, { every: 250, then: "end" });
    expect(ms).toBeGreaterThan(3 * IDLE_SECONDS * 1000);
    expect(answer).toMatch(/^HTTP\/1\.1 200 /);
    expect(answer).toContain(`"bytes":${14 * 4096}`);
  });

  it("cuts a body that stops arriving: 408 and the connection closed, soon after the idle limit", async () => {
    const { answer, ms } = await send([kib(4)], { every: 0, declared: 64 * 1024, then: "stall" });
    expect(answer).toMatch(/^HTTP\/1\.1 408 Request Timeout\r\n/);
    expect(ms).toBeGreaterThanOrEqual(IDLE_SECONDS * 1000);
    expect(ms).toBeLessThan(IDLE_SECONDS * 1000 + 3000);
  });

  it("does not cut a body the portal is slow to read (it held the client back, not the other way round)", async () => {
    const size = 8 * 1024 * 1024;
    const res = await fetch(
      `http://127.0.0.1:${port}/uploads/tus/0123456789abcdef0123456789abcdef?wait=${IDLE_SECONDS * 2500}`,
      {
        method: "PATCH",
        headers: { "Content-Type": "application/offset+octet-stream" },
        body: new Uint8Array(size),
      },
    );
    expect(res.status).toBe(200);
    expect(((await res.json()) as { bytes: number }).bytes).toBe(size);
  });

  it("refuses to start with a bad REQUEST_BODY_IDLE_SECONDS, naming it", async () => {
    const bad = start({ REQUEST_BODY_IDLE_SECONDS: "600" });
    let stderr = "";
    bad.stderr!.on("data", (c: Buffer) => (stderr += c.toString()));
    const code = await new Promise<number | null>((done) => bad.once("exit", done));
    expect(code).toBe(2);
    expect(stderr).toContain("REQUEST_BODY_IDLE_SECONDS: must be a whole number of seconds from 1 to 300");
  });
});
