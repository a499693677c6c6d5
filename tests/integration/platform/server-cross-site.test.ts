// server.mjs refuses a state-changing request from another site (a CSRF guard beside SameSite=Lax),
// except on the public API: CORS open, authenticated by Bearer tokens, never by the session cookie,
// so another site's POST /api/v1/verify is answered like anyone's (and its cookie is dropped). The
// evidence uploads, which read the session cookie, keep the guard. The real server.mjs runs here,
// as a child process, on a stand-in build (REMIX_BUILD_DIR) whose fast routes echo what reached them.
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const ROOT = path.resolve(__dirname, "../../..");

/** The stand-in build: startup reports a one-process server; every request is a fast route that says what it got. */
const ENTRY = `
const echo = (req, res, by) => {
  const body = JSON.stringify({ by, url: req.url, cookie: req.headers.cookie ?? null });
  res.writeHead(200, { "Content-Type": "application/json", "Access-Control-Allow-Origin": "*" }).end(body);
  return true;
};
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
    fastRoutes: (req, res) => (req.url.startsWith("/uploads/tus") ? false : echo(req, res, "fast")),
    tusUploads: (req, res) => echo(req, res, "tus"),
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

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "server-cross-site-"));
  fs.mkdirSync(path.join(dir, "server"));
  fs.writeFileSync(path.join(dir, "server", "index.js"), ENTRY);
  fs.writeFileSync(path.join(dir, "package.json"), '{"type": "module"}');
  port = await freePort();
  server = spawn(process.execPath, [path.join(ROOT, "server.mjs")], {
    cwd: ROOT,
    env: { ...process.env, REMIX_BUILD_DIR: dir, PORT: String(port) },
    stdio: ["ignore", "pipe", "inherit"],
  });
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

async function post(urlPath: string, headers: Record<string, string>) {
  const res = await fetch(`http://127.0.0.1:${port}${urlPath}`, {
    method: "POST",
    headers: { "Content-Type": "text/plain", ...headers },
    body: "eyJhbGciOiJFZERTQSJ9.e30.AAAA",
  });
  return { status: res.status, cors: res.headers.get("access-control-allow-origin"), text: await res.text() };
}

const elsewhere = { Origin: "https://shop.example", Cookie: "__session=stolen" };

describe("server.mjs: cross-site writes", () => {
  it("another site's POST to the public API reaches it, with CORS, and without the session cookie", async () => {
    for (const p of ["/api/v1/verify", "/api/v1/verify/bulk", "/api/v1/no-such-endpoint"]) {
      const r = await post(p, elsewhere);
      expect({ p, status: r.status, cors: r.cors }).toEqual({ p, status: 200, cors: "*" });
      expect(JSON.parse(r.text)).toEqual({ by: "fast", url: p, cookie: null });
    }
  });

  it("the same site's POST keeps its cookie (the API ignores it; other fast routes read it)", async () => {
    const r = await post("/api/v1/verify", { Origin: `http://127.0.0.1:${port}`, Cookie: "__session=mine" });
    expect(JSON.parse(r.text)).toMatchObject({ cookie: "__session=mine" });
  });

  it("another site's POST to the evidence uploads, or anything else, is still refused", async () => {
    for (const p of ["/supplier/submissions/s1/evidence?ref=5.1-1", "/uploads/tus", "/apix", "/login"]) {
      const r = await post(p, elsewhere);
      expect({ p, status: r.status, text: r.text }).toEqual({ p, status: 403, text: "Cross-site request refused." });
    }
    const opaque = await post("/supplier/submissions/s1/evidence?ref=5.1-1", { ...elsewhere, Origin: "null" });
    expect(opaque.status).toBe(403);
  });
});
