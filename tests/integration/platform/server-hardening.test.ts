// server.mjs hardening: a request Express or Remix's adapter cannot take (a path whose
// percent-encoding does not decode, a Host header no URL can be built from) gets a short 400, never
// Express's page with a stack trace; only the evidence downloads' own paths drop the page's CSP and
// X-Frame-Options (a 404 page elsewhere under /evidence/ cannot be framed); behind a proxy that
// passes its own Host on, a form posted from PUBLIC_URL's origin is not taken for another site's;
// a port in use stops the server with a plain message (one process, and a cluster whose primary
// would otherwise restart its workers forever), and the background workers start only once the
// port is bound. The real server.mjs runs here, as a child process, on a stand-in Remix build
// (REMIX_BUILD_DIR) with two evidence resource routes and a document 404. A request Node cannot
// read at all (headers over 16 KiB, bytes that are not HTTP) is answered with a line of JSON that
// says what was wrong, not Node's empty answer.
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const ROOT = path.resolve(__dirname, "../../..");
const PUBLIC_URL = "https://seal.example.com";
const EVIDENCE_CSP = "sandbox; default-src 'none'; frame-ancestors 'self'";

/** The stand-in build: the role and env startup reports come from the process environment. */
const ENTRY = `
const wc = Number(process.env.WEB_CONCURRENCY ?? 1);
// The file with its own policy; for the id "gone", the line of text a download answers when there is no file.
const file = ({ params }) =>
  (params.linkId ?? params.evidenceId) === "gone"
    ? new Response("There is no such file.", { status: 404, headers: { "Content-Type": "text/plain" } })
    : new Response("the file", {
        headers: { "Content-Type": "text/plain", "Content-Security-Policy": ${JSON.stringify(EVIDENCE_CSP)}, "X-Frame-Options": "SAMEORIGIN", "X-Content-Type-Options": "nosniff" },
      });
export const entry = {
  module: {
    default: (request, status, headers) => {
      headers.set("Content-Type", "text/html; charset=utf-8");
      return new Response("<!DOCTYPE html><title>Not found</title><p>A portal page</p>", { status, headers });
    },
    handleError: () => {},
    startup: async (opts) => ({
      role: opts.clusterWorker ? "worker" : wc > 1 ? "primary" : "single",
      env: {
        port: Number(process.env.PORT), host: "127.0.0.1",
        baseUrl: process.env.PUBLIC_URL ?? "http://127.0.0.1:" + process.env.PORT, publicUrlSet: process.env.PUBLIC_URL !== undefined,
        dataDir: process.env.DATA_DIR, demoMode: false, trustProxy: 0, cookieSecure: false,
        logRequests: false, nodeEnv: process.env.NODE_ENV, webConcurrency: wc,
      },
      checklists: { imported: [], problems: [] },
      seeded: [],
      startBackgroundWorkers: opts.deferBackgroundWorkers ? () => console.log("BACKGROUND WORKERS STARTED") : undefined,
    }),
    shutdown: async () => {},
    warmUp: () => {},
    superviseWorkers: async (opts) => (await import(process.env.CLUSTER_MODULE)).superviseWorkers(opts),
    fastRoutes: () => false,
    tusUploads: () => false,
  },
};
const root = { id: "root", path: "", module: { default: () => null } };
export const routes = {
  root,
  "routes/evidence.$linkId": { id: "routes/evidence.$linkId", parentId: "root", path: "evidence/:linkId", module: { loader: file } },
  "routes/evidence.recurring.$evidenceId": {
    id: "routes/evidence.recurring.$evidenceId", parentId: "root", path: "evidence/recurring/:evidenceId", module: { loader: file },
  },
  "routes/login": { id: "routes/login", parentId: "root", path: "login", module: { action: () => new Response("logged in") } },
};
export const assets = { entry: { module: "", imports: [] }, routes: {}, url: "", version: "test" };
export const future = { v3_singleFetch: true }; // as the portal's (remix.config.js): its data requests end in .data
export const publicPath = "/build/";
export const assetsBuildDirectory = "public/build";
export const isSpaMode = false;
`;

let dir: string;
let server: ChildProcess;
let port: number;
let stdout = "";
let stderr = "";

async function freePort(): Promise<number> {
  const s = http.createServer();
  await new Promise<void>((ready) => s.listen(0, "127.0.0.1", ready));
  const p = (s.address() as AddressInfo).port;
  await new Promise((closed) => s.close(closed));
  return p;
}

function start(env: Record<string, string>, nodeArgs: string[] = []): ChildProcess {
  return spawn(process.execPath, [...nodeArgs, path.join(ROOT, "server.mjs")], {
    cwd: ROOT,
    env: { ...process.env, REMIX_BUILD_DIR: dir, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
}

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "server-hardening-"));
  fs.mkdirSync(path.join(dir, "server"));
  fs.writeFileSync(path.join(dir, "server", "index.js"), ENTRY);
  fs.writeFileSync(path.join(dir, "package.json"), '{"type": "module"}');
  port = await freePort();
  // NODE_ENV=test (as vitest sets it): Express on its own would show its development error pages.
  server = start({ PORT: String(port), PUBLIC_URL, NODE_ENV: "test" });
  server.stderr!.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  await new Promise<void>((ready, fail) => {
    server.stdout!.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
      if (stdout.includes("is listening")) ready();
    });
    server.on("exit", (code) => fail(new Error(`server.mjs exited (${code})`)));
  });
}, 60_000);

afterAll(() => {
  server?.kill("SIGKILL");
  fs.rmSync(dir, { recursive: true, force: true });
});

/** A request with exactly these path and headers (fetch would fix the Host and the percent-encoding). */
function request(
  urlPath: string,
  opts: { method?: string; headers?: Record<string, string> } = {},
): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: "127.0.0.1", port, path: urlPath, method: opts.method ?? "GET", headers: opts.headers },
      (res) => {
        let body = "";
        res.setEncoding("utf8");
        res.on("data", (c: string) => (body += c));
        res.on("end", () => resolve({ status: res.statusCode!, headers: res.headers, body }));
      },
    );
    req.on("error", reject);
    req.end();
  });
}

const noStack = (body: string) => {
  expect(body).not.toContain("node_modules");
  expect(body).not.toMatch(/^\s*at /m);
  expect(body).not.toContain("Error:");
};

describe("server.mjs: requests Express and Remix cannot take", () => {
  it("a path whose percent-encoding does not decode: 400, a line of text, no stack trace", async () => {
    const r = await request("/s/%ff");
    expect(r.status).toBe(400);
    expect(r.headers["content-type"]).toBe("text/plain; charset=utf-8");
    expect(r.body).toBe("Bad request: the address has a % that is not followed by a valid encoding.");
    noStack(r.body);
  });

  it("a method no web request can carry (TRACE): 405 saying what is allowed, nothing logged as an error", async () => {
    const before = stderr.length;
    for (const [p, method] of [
      ["/login", "TRACE"],
      ["/healthz", "TRACE"],
      ["/", "TRACE"],
    ]) {
      const r = await request(p, { method });
      expect({ p, method, status: r.status, allow: r.headers.allow, body: r.body }).toEqual({
        p,
        method,
        status: 405,
        allow: "GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS",
        body: `Method not allowed: this portal does not answer ${method}.`,
      });
    }
    expect(stderr.slice(before)).not.toContain("[error]");
  });

  it("a bad percent-encoding is the client's: logged as a warning, not an error", async () => {
    const before = stderr.length;
    expect((await request("/x/%zz")).status).toBe(400);
    await new Promise((r) => setTimeout(r, 50));
    expect(stderr.slice(before)).toMatch(
      /^\[warn\] .* GET 400: URIError: the path's percent-encoding does not decode$/m,
    );
    expect(stderr.slice(before)).not.toContain("[error]");
  });

  it("a Host header no URL can be built from: 400 before Remix, also for the API (JSON)", async () => {
    for (const host of ["exa mple", "a/b", "x:99999", "<script>"]) {
      const r = await request("/login", { headers: { Host: host } });
      expect({ host, status: r.status, body: r.body }).toEqual({
        host,
        status: 400,
        body: "Bad request: the Host header is not a valid host name.",
      });
    }
    const api = await request("/api/v1/verify", { headers: { Host: "exa mple" } });
    expect(api.status).toBe(400);
    expect(JSON.parse(api.body)).toEqual({ error: "Bad request: the Host header is not a valid host name." });
    // a good one still reaches the portal
    expect((await request("/login", { method: "POST", headers: { Host: "seal.example.com" } })).body).toBe("logged in");
    expect((await request("/login", { method: "POST", headers: { Host: "[::1]:3000" } })).status).toBe(200);
  });

  it("a folder of the static files (public/, or what ../ leads to there) is the portal's 404, not Express's redirect page", async () => {
    for (const p of ["/build", "/checklists/etsi-en-303-645/..%2f..%2f"]) {
      const r = await request(p);
      expect({ p, status: r.status, location: r.headers.location }).toEqual({ p, status: 404, location: undefined });
      expect(r.body).toContain("A portal page"); // the stand-in build's page, as Remix renders the portal's 404
    }
  });
});

/** What the server answers to these exact bytes, read until it closes the connection. */
function rawAnswer(bytes: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, "127.0.0.1", () => socket.write(bytes));
    let answer = "";
    socket.setEncoding("latin1");
    socket.on("data", (c: string) => (answer += c));
    socket.on("end", () => resolve(answer));
    socket.on("error", reject);
  });
}

describe("server.mjs: requests Node cannot read (no handler ever sees them)", () => {
  it("an address and headers over 16 KiB: 431 saying so in JSON, and the connection closed", async () => {
    const r = await request(`/api/v1/seals/IOTS-7KQ2-M9XD?${"x".repeat(20_000)}`);
    expect(r.status).toBe(431);
    expect(r.headers["content-type"]).toBe("application/json; charset=utf-8");
    expect(r.headers.connection).toBe("close");
    expect(JSON.parse(r.body)).toEqual({
      error:
        "Request too large: the address and headers together are over 16 KiB. Send long lists in the body (POST /api/v1/verify/bulk).",
    });
    // The server goes on serving.
    expect((await request("/login", { method: "POST" })).body).toBe("logged in");
  });

  it("bytes that are not HTTP: 400 saying so, not an empty answer", async () => {
    const answer = await rawAnswer("HELLO THERE\r\n\r\n");
    expect(answer).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/);
    expect(answer).toContain("Content-Type: application/json; charset=utf-8\r\n");
    expect(answer.split("\r\n\r\n")[1]).toBe('{"error":"Bad request: this is not a valid HTTP request."}');
    noStack(answer);
  });
});

describe("server.mjs: Remix's old data requests (?_data=…)", () => {
  it("are refused before Remix: 400, one line of JSON, nothing logged (the app uses single fetch's .data)", async () => {
    const before = stderr.length;
    for (const [p, method] of [
      ["/?_data=root", "GET"],
      ["/admin?_data=routes%2Fadmin", "GET"],
      ["/evidence/abc?_data=routes%2Fevidence.%24linkId", "GET"],
      ["/login?x=1&%5Fdata=root", "GET"],
      ["/login?_data", "POST"],
    ]) {
      const r = await request(p, { method });
      expect({ p, status: r.status, type: r.headers["content-type"], body: JSON.parse(r.body) }).toEqual({
        p,
        status: 400,
        type: "application/json; charset=utf-8",
        body: { error: "Bad request: the _data query parameter is not accepted (data requests end in .data)." },
      });
      expect(r.body).not.toContain("\n");
      expect(r.headers["content-security-policy"]).toMatch(/^default-src 'none'/);
    }
    expect(stderr.slice(before)).toBe("");
    // A parameter that merely contains the name is not one.
    expect((await request("/login?x_data=1", { method: "POST" })).body).toBe("logged in");
  });
});

describe("server.mjs: the evidence downloads' own policy", () => {
  it("drops the page's CSP, X-Frame-Options and nosniff only on the downloads' paths (the file sets its own)", async () => {
    for (const p of ["/evidence/abc", "/evidence/abc?inline=1", "/evidence/recurring/xyz"]) {
      const r = await request(p);
      expect({
        p,
        csp: r.headers["content-security-policy"],
        frame: r.headers["x-frame-options"],
        nosniff: r.headers["x-content-type-options"], // once, not the server's and the file's
      }).toEqual({ p, csp: EVIDENCE_CSP, frame: "SAMEORIGIN", nosniff: "nosniff" });
    }
  });

  it("not for their Remix data requests (.data): those keep the page's policy", async () => {
    for (const p of ["/evidence/abc.data", "/evidence/recurring/xyz.data", "/evidence/recurring.data"]) {
      const r = await request(p);
      expect({ p, status: r.status, frame: r.headers["x-frame-options"] }).toEqual({ p, status: 200, frame: "DENY" });
      expect(r.headers["content-security-policy"], p).toMatch(
        /^default-src 'self'; script-src 'self' 'nonce-.*frame-ancestors 'none'/,
      );
    }
  });

  it("nor for a download's answer that is not the file (no policy of its own): the strict one, never framed", async () => {
    for (const p of ["/evidence/gone", "/evidence/recurring/gone?inline=1"]) {
      const r = await request(p);
      expect({
        p,
        status: r.status,
        body: r.body,
        csp: r.headers["content-security-policy"],
        frame: r.headers["x-frame-options"],
        nosniff: r.headers["x-content-type-options"],
      }).toEqual({
        p,
        status: 404,
        body: "There is no such file.",
        csp: "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
        frame: "DENY",
        nosniff: "nosniff",
      });
    }
  });

  it("a page elsewhere under /evidence/ (the 404) keeps the page's policy: it cannot be framed", async () => {
    for (const p of ["/evidence/a/b", "/evidence/recurring/x/y", "/evidence/"]) {
      const r = await request(p);
      expect(r.status).toBe(404);
      expect(r.body).toContain("A portal page");
      expect(r.headers["content-security-policy"]).toMatch(/script-src 'self' 'nonce-.*frame-ancestors 'none'/);
      expect(r.headers["x-frame-options"]).toBe("DENY");
    }
  });
});

describe("server.mjs behind a reverse proxy that passes its own Host on", () => {
  it("takes a POST from PUBLIC_URL's origin, and still refuses another site's", async () => {
    const proxied = { Host: `127.0.0.1:${port}` }; // nginx's default proxy_pass
    const own = await request("/login", { method: "POST", headers: { ...proxied, Origin: PUBLIC_URL } });
    expect({ status: own.status, body: own.body }).toEqual({ status: 200, body: "logged in" });
    for (const origin of ["https://evil.example", "http://seal.example.com", "https://seal.example.com:8443"]) {
      const other = await request("/login", { method: "POST", headers: { ...proxied, Origin: origin } });
      expect({ origin, status: other.status, body: other.body }).toEqual({
        origin,
        status: 403,
        body: "Cross-site request refused.",
      });
    }
  });
});

describe("server.mjs start-up", () => {
  it("starts the background workers once the port is bound", () => {
    const lines = stdout.split("\n");
    const listening = lines.findIndex((l) => l.includes("is listening"));
    expect(listening).toBeGreaterThanOrEqual(0);
    expect(lines.indexOf("BACKGROUND WORKERS STARTED")).toBeGreaterThan(listening);
    // Where it listens, and the public address seals and links carry (another one, behind a proxy).
    expect(lines[listening]).toContain(
      `IoT Seal is listening on http://127.0.0.1:${port} (public address ${PUBLIC_URL})`,
    );
  });

  /** Runs server.mjs on a port that is taken: its exit code and what it wrote. */
  async function onTakenPort(env: Record<string, string>, nodeArgs: string[] = []) {
    const taken = net.createServer();
    await new Promise<void>((ready) => taken.listen(0, "127.0.0.1", ready));
    const busy = (taken.address() as AddressInfo).port;
    try {
      const p = start({ PORT: String(busy), ...env }, nodeArgs);
      let out = "";
      p.stdout!.on("data", (c: Buffer) => (out += c.toString()));
      p.stderr!.on("data", (c: Buffer) => (out += c.toString()));
      const killer = setTimeout(() => p.kill("SIGKILL"), 40_000); // a cluster restarting its workers forever
      const code = await new Promise<number | null>((done) => p.once("exit", done));
      clearTimeout(killer);
      return { code, out, busy };
    } finally {
      await new Promise((closed) => taken.close(closed));
    }
  }

  it("refuses to start on a port in use: a plain message naming PORT, exit code 3, no background worker", async () => {
    const { code, out, busy } = await onTakenPort({});
    expect(code).toBe(3);
    expect(out).toContain(`IoT Seal cannot start: port ${busy} on 127.0.0.1 is in use (PORT/HOST)`);
    expect(out).not.toContain("BACKGROUND WORKERS STARTED");
    noStack(out);
  }, 60_000);

  it("with WEB_CONCURRENCY=2, the primary stops (not restarting its workers forever) and says why", async () => {
    const { code, out, busy } = await onTakenPort(
      { WEB_CONCURRENCY: "2", CLUSTER_MODULE: path.join(ROOT, "app/platform/cluster.server.ts") },
      ["--import", "tsx"],
    );
    expect(code).toBe(3);
    expect(out).toContain(`IoT Seal cannot start: port ${busy} on 127.0.0.1 is in use (PORT/HOST)`);
    expect(out).not.toContain("starting another");
    expect(out).not.toContain("BACKGROUND WORKERS STARTED");
  }, 60_000);
});
