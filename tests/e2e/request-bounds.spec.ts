// Issue 13: what the server does with hostile request bodies and floods, measured on a server of
// its own (the built server, spawned here on a fresh data directory) so that its memory can be
// read from /proc and its limits set low: bounded bodies on every route that reads one (13.1),
// evidence-upload refusals answered with a message (13.10), Origin: null (13.10), and the
// per-address limits of /s/<serial> and /verify (13.10).
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import http from "node:http";
import path from "node:path";
import { pathToFileURL } from "node:url";
import Database from "better-sqlite3";
import { expect, test } from "@playwright/test";
import { DEMO_PASSWORD, E2E_DIR } from "./helpers";

test.describe.configure({ mode: "serial" });

const PORT = Number(process.env.E2E_PORT ?? 3100) + 7;
const DIR = `${E2E_DIR}-bounds`;
const ORIGIN = `http://127.0.0.1:${PORT}`;
const PAGE_LIMIT = 5; // PUBLIC_PAGE_PER_MINUTE of this server
const MiB = 1024 * 1024;

let server: ChildProcess;
let output = ""; // the server's stdout and stderr
let address = 0; // each request comes from its own address (X-Forwarded-For, TRUST_PROXY=true) unless a test says otherwise
const nextAddress = () => `198.51.${Math.floor(++address / 250)}.${(address % 250) + 1}`;

function memory(): { rss: number; hwm: number } {
  const status = fs.readFileSync(`/proc/${server.pid}/status`, "utf8");
  const kib = (name: string) => Number(new RegExp(`${name}:\\s+(\\d+) kB`).exec(status)![1]);
  return { rss: kib("VmRSS") / 1024, hwm: kib("VmHWM") / 1024 };
}

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
  sent: number; // body bytes written before the answer came
}

/**
 * POSTs a multipart body with one file part of `size` bytes, generated and streamed in chunks
 * (Transfer-Encoding: chunked, no Content-Length); stops sending as soon as the server answers.
 */
function postHuge(urlPath: string, size: number, headers: Record<string, string> = {}): Promise<Answer> {
  const boundary = `----bounds${Date.now()}`;
  const head = Buffer.from(
    `--${boundary}\r\nContent-Disposition: form-data; name="intent"\r\n\r\npdf\r\n--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="huge.pdf"\r\nContent-Type: application/pdf\r\n\r\n%PDF-1.7\n`,
  );
  const chunk = Buffer.alloc(256 * 1024, 0x41);
  return new Promise((resolve, reject) => {
    let sent = 0;
    let answered = false;
    const req = http.request({
      agent: false, // a connection of its own
      host: "127.0.0.1",
      port: PORT,
      path: urlPath,
      method: "POST",
      headers: {
        "Content-Type": `multipart/form-data; boundary=${boundary}`,
        "Transfer-Encoding": "chunked",
        Origin: ORIGIN,
        "X-Forwarded-For": nextAddress(),
        ...headers,
      },
    });
    req.on("response", (res) => {
      answered = true;
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (d) => (body += d));
      res.on("end", () => resolve({ status: res.statusCode!, headers: res.headers, body, sent }));
      res.on("error", reject);
    });
    req.on("error", (e) => {
      if (!answered)
        reject(
          new Error(
            `POST ${urlPath}: the connection failed without an answer (${(e as NodeJS.ErrnoException).code ?? e.message}) after ${(sent / MiB).toFixed(1)} MiB`,
          ),
        );
    });
    req.write(head);
    const pump = () => {
      while (!answered && !req.destroyed && sent < size) {
        sent += chunk.length;
        if (!req.write(chunk)) return void req.once("drain", pump);
      }
      if (!answered && !req.destroyed) req.end(`\r\n--${boundary}--\r\n`);
    };
    pump();
  });
}

/** A request with a body given whole (Content-Length). */
function send(
  method: string,
  urlPath: string,
  body: Buffer | string = "",
  headers: Record<string, string> = {},
): Promise<Answer> {
  const data = Buffer.from(body);
  return new Promise((resolve, reject) => {
    let answered = false;
    const req = http.request({
      agent: false,
      host: "127.0.0.1",
      port: PORT,
      path: urlPath,
      method,
      headers: { "Content-Length": String(data.length), "X-Forwarded-For": nextAddress(), ...headers },
    });
    req.on("response", (res) => {
      answered = true;
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (d) => (text += d));
      res.on("end", () => resolve({ status: res.statusCode!, headers: res.headers, body: text, sent: data.length }));
    });
    req.on("error", (e) => {
      if (!answered)
        reject(
          new Error(
            `${method} ${urlPath}: the connection failed without an answer (${(e as NodeJS.ErrnoException).code ?? e.message})`,
          ),
        );
    });
    req.end(data);
  });
}

async function login(email: string): Promise<string> {
  const r = await send("POST", "/login", new URLSearchParams({ email, password: DEMO_PASSWORD }).toString(), {
    "Content-Type": "application/x-www-form-urlencoded",
    Origin: ORIGIN,
  });
  expect(r.status, `log in as ${email}`).toBe(302);
  return ([] as string[])
    .concat(r.headers["set-cookie"] ?? [])
    .map((c) => c.split(";")[0])
    .join("; ");
}

let ids: { draft: string; draftRef: string; activeSeal: string };
const cookies: Record<"admin" | "assessor" | "retailer" | "supplier" | "supplier2", string> = {
  admin: "",
  assessor: "",
  retailer: "",
  supplier: "",
  supplier2: "",
};

test.beforeAll(async () => {
  test.setTimeout(90_000);
  fs.rmSync(DIR, { recursive: true, force: true });
  server = spawn(process.execPath, ["server.mjs"], {
    env: {
      ...process.env,
      PORT: String(PORT),
      DATA_DIR: `${DIR}/data`,
      NODE_ENV: "test",
      DEMO_MODE: "true",
      TRUST_PROXY: "true",
      RATE_LIMIT_PER_MINUTE: "1000",
      PUBLIC_PAGE_PER_MINUTE: String(PAGE_LIMIT),
      LOG_REQUESTS: "false",
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  server.stdout!.on("data", (d) => (output += d));
  server.stderr!.on("data", (d) => (output += d));
  for (let i = 0; ; i++) {
    const up = await send("GET", "/healthz").then(
      (r) => r.status === 200,
      () => false,
    );
    if (up) break;
    if (i > 120 || server.exitCode !== null) throw new Error(`The server did not start:\n${output}`);
    await new Promise((r) => setTimeout(r, 500));
  }
  const db = new Database(`${DIR}/data/iot-seal.db`, { readonly: true, fileMustExist: true });
  try {
    // Sam Brightnest's draft submission (the evidence routes check it before reading a body) and one of its requirements.
    const draft = db
      .prepare(
        `select id, checklist_version_id as version, target_level as level from submissions where status = 'draft' limit 1`,
      )
      .get() as { id: string; version: string; level: string };
    const ref = db
      .prepare(
        `select ref from requirements where version_id = ? and json_extract(applies, '$."' || ? || '"') = 'mandatory' order by position limit 1`,
      )
      .get(draft.version, draft.level) as { ref: string };
    const seal = db
      .prepare(
        `select s.serial from seals s join product_versions v on v.id = s.product_version_id join products p on p.id = v.product_id where p.name = 'Gator Kids Watch 3' and v.firmware_version = '3.1.0'`,
      )
      .get() as { serial: string };
    ids = { draft: draft.id, draftRef: ref.ref, activeSeal: seal.serial };
  } finally {
    db.close();
  }
  cookies.admin = await login("admin@demo.test");
  cookies.assessor = await login("assessor1@demo.test");
  cookies.retailer = await login("buyer@demo.test");
  cookies.supplier = await login("supplier@demo.test");
  cookies.supplier2 = await login("supplier2@demo.test");
});

test.afterAll(async () => {
  if (server && server.exitCode === null) {
    const exited = new Promise((r) => server.once("exit", r));
    server.kill("SIGTERM");
    await exited;
  }
  fs.rmSync(DIR, { recursive: true, force: true });
});

type Who = keyof typeof cookies | "anon";
/** Every route that reads a body: where to post, as whom, and whether the answer is a page or JSON. */
function bodyRoutes(): Record<string, { path: string; who: Who; json?: boolean }> {
  return {
    "routes/admin.checklists": { path: "/admin/checklists", who: "admin" },
    "routes/admin.conflicts": { path: "/admin/conflicts", who: "admin" },
    "routes/admin.users": { path: "/admin/users", who: "admin" },
    "routes/assessor.advisories._index": { path: "/assessor/advisories", who: "assessor" },
    "routes/assessor.recurring.$evidenceId": { path: "/assessor/recurring/x", who: "assessor" },
    "routes/assessor.submissions.$submissionId._index": { path: "/assessor/submissions/x", who: "assessor" },
    "routes/assessor.submissions.$submissionId.requirements.$ref": {
      path: "/assessor/submissions/x/requirements/5.1-1",
      who: "assessor",
    },
    "routes/findings.$findingId": { path: "/findings/x", who: "assessor" },
    "routes/findings.new": { path: "/findings/new", who: "assessor" },
    "routes/seals.$serial": { path: `/seals/${ids.activeSeal}`, who: "assessor" },
    "routes/login": { path: "/login", who: "anon" },
    "routes/login_.code": { path: "/login/code", who: "anon" },
    "routes/account": { path: "/account", who: "supplier" },
    "routes/account_.two-step": { path: "/account/two-step", who: "supplier" },
    "routes/forgot-password": { path: "/forgot-password", who: "anon" },
    "routes/reset-password.$token": { path: "/reset-password/x", who: "anon" },
    "routes/notifications._index": { path: "/notifications", who: "supplier" },
    "routes/notifications.settings": { path: "/notifications/settings", who: "supplier" },
    "routes/signup": { path: "/signup", who: "anon" },
    "routes/signup_.confirm.$token": { path: "/signup/confirm/x", who: "anon" },
    "routes/verify": { path: "/verify", who: "anon" },
    "routes/retailer.api": { path: "/retailer/api", who: "retailer" },
    "routes/retailer.policies._index": { path: "/retailer/policies", who: "retailer" },
    "routes/retailer.policies.$policyId": { path: "/retailer/policies/x", who: "retailer" },
    "routes/retailer.verify.bulk._index": { path: "/retailer/verify/bulk", who: "retailer" },
    "routes/retailer.verify.bulk.upload": { path: "/retailer/verify/bulk/upload", who: "retailer", json: true },
    "routes/retailer.watchlist._index": { path: "/retailer/watchlist", who: "retailer" },
    "routes/retailer.webhooks": { path: "/retailer/webhooks", who: "retailer" },
    "routes/supplier._index": { path: "/supplier", who: "supplier" },
    "routes/supplier.products._index": { path: "/supplier/products", who: "supplier" },
    "routes/supplier.products.$productId": { path: "/supplier/products/x", who: "supplier" },
    "routes/supplier.submissions.new": { path: "/supplier/submissions/new", who: "supplier" },
    "routes/supplier.submissions.$submissionId._index": { path: "/supplier/submissions/x", who: "supplier" },
    // The evidence uploads stream to disk: refused at the per-file limit (100 MiB).
    "routes/supplier.submissions.$submissionId.requirements.$ref": {
      path: `/supplier/submissions/${ids.draft}/requirements/${ids.draftRef}`,
      who: "supplier2",
    },
    "routes/supplier.seals.$serial.recurring": { path: `/supplier/seals/${ids.activeSeal}/recurring`, who: "supplier" },
    // The fast routes (app/fast-routes.server.ts) that read a body.
    "fast /api/v1/verify": { path: "/api/v1/verify", who: "anon", json: true },
    "fast /api/v1/verify/bulk": { path: "/api/v1/verify/bulk", who: "anon", json: true },
    "fast /supplier/submissions/:id/evidence": {
      path: `/supplier/submissions/${ids.draft}/evidence?ref=${encodeURIComponent(ids.draftRef)}`,
      who: "supplier2",
      json: true,
    },
  };
}
/** Routes whose action answers without reading the body at all. */
const NO_BODY: Record<string, { path: string; status: number }> = {
  "routes/$": { path: "/definitely/not/here", status: 404 },
  "routes/logout": { path: "/logout", status: 302 },
};

test.describe("issue 13.1: an anonymous request can fill the server's memory", () => {
  test("every route with an action is in the table", async () => {
    const dir = process.env.REMIX_BUILD_DIR
      ? path.resolve(process.env.REMIX_BUILD_DIR, "server", "index.js")
      : path.resolve("build/index.js");
    const build = await import(pathToFileURL(dir).href);
    const withAction = Object.entries(build.routes as Record<string, { module: { action?: unknown } }>)
      .filter(([, r]) => typeof r.module.action === "function")
      .map(([id]) => id);
    const covered = [...Object.keys(bodyRoutes()), ...Object.keys(NO_BODY)].filter((id) => id.startsWith("routes/"));
    expect(withAction.sort()).toEqual(covered.sort());
    expect(
      [...build.entry.module.FAST_ROUTES]
        .filter((r: string) => r.startsWith("/api/v1/verify") || r.endsWith("/evidence"))
        .sort(),
    ).toEqual(
      Object.keys(bodyRoutes())
        .filter((id) => id.startsWith("fast "))
        .map((id) => id.slice(5))
        .sort(),
    );
  });

  test("a chunked 200 MiB POST to each route that reads a body gets a 413 with a message and costs under 16 MiB", async ({}, testInfo) => {
    test.setTimeout(240_000);
    const routes = bodyRoutes();
    const cookie = (who: Who): Record<string, string> => (who === "anon" ? {} : { Cookie: cookies[who] });
    // Warm up each route with a small body, so that what is measured is the big ones.
    for (const [id, r] of Object.entries(routes)) {
      const a = await postHuge(r.path, 1024, cookie(r.who));
      expect(a.status, `${id}: a small post`).toBeLessThan(500);
    }
    // And once with a big one: the first bursts of allocation grow V8's young generation to its
    // working size (a one-time growth of several MiB, whichever route comes first), which is not
    // what a request costs. A route that kept what it read would cost as much again below.
    for (const r of Object.values(routes)) await postHuge(r.path, 200 * MiB, cookie(r.who));
    const before = memory();
    const rows: string[] = [];
    let worst = 0;
    for (const [id, r] of Object.entries(routes)) {
      const m0 = memory();
      const a = await postHuge(r.path, 200 * MiB, cookie(r.who));
      const m1 = memory();
      // What this one request cost: the growth of the resident set, and of its peak.
      const cost = Math.max(m1.rss - m0.rss, m1.hwm - m0.hwm);
      worst = Math.max(worst, cost);
      rows.push(`${id}: ${a.status} after ${(a.sent / MiB).toFixed(1)} MiB sent, +${cost.toFixed(1)} MiB`);
      expect(a.status, `${id} (${a.body.slice(0, 200)})`).toBe(413);
      expect(a.headers["content-type"], id).toMatch(r.json ? /application\/json/ : /text\/html/);
      expect(a.body, id).toMatch(/larger than/);
      if (!r.json) expect(a.body, id).not.toMatch(/Something went wrong/);
      expect(cost, `${id}: ${rows.at(-1)}`).toBeLessThan(16);
    }
    for (const [id, r] of Object.entries(NO_BODY)) {
      const a = await postHuge(r.path, 200 * MiB);
      rows.push(`${id}: ${a.status} after ${(a.sent / MiB).toFixed(1)} MiB sent`);
      expect(a.status, id).toBe(r.status);
    }
    // Three at once (the outside test's 1.25 GiB): each is bounded, so together they are too.
    const m0 = memory();
    const three = await Promise.all([0, 1, 2].map(() => postHuge("/verify", 200 * MiB)));
    const m1 = memory();
    expect(three.map((a) => a.status)).toEqual([413, 413, 413]);
    const after = memory();
    const figures =
      `server memory: the costliest of ${Object.keys(routes).length} chunked 200 MiB POSTs +${worst.toFixed(1)} MiB; three at once to /verify +${Math.max(m1.rss - m0.rss, m1.hwm - m0.hwm).toFixed(1)} MiB; ` +
      `over the whole series VmRSS ${before.rss.toFixed(1)} -> ${after.rss.toFixed(1)} MiB, VmHWM ${before.hwm.toFixed(1)} -> ${after.hwm.toFixed(1)} MiB`;
    console.log(`${figures}\n  ${rows.join("\n  ")}`);
    testInfo.annotations.push({ type: "memory", description: figures });
    expect(Math.max(m1.rss - m0.rss, m1.hwm - m0.hwm), figures).toBeLessThan(3 * 16);
  });
});

/** A multipart body built by hand (so file names can be anything). */
function multipart(parts: { name: string; filename?: string; body: string }[]) {
  const boundary = "----refusal";
  const text = parts
    .map(
      (p) =>
        `--${boundary}\r\nContent-Disposition: form-data; name="${p.name}"${p.filename !== undefined ? `; filename="${p.filename}"` : ""}\r\n${p.filename !== undefined ? "Content-Type: text/plain\r\n" : ""}\r\n${p.body}\r\n`,
    )
    .join("");
  return {
    body: Buffer.from(`${text}--${boundary}--\r\n`, "latin1"),
    type: `multipart/form-data; boundary=${boundary}`,
  };
}

test.describe("issue 13.10: the fast evidence upload answers refusals with a message, not a reset", () => {
  const cases: [string, () => ReturnType<typeof multipart>, RegExp][] = [
    [
      "21 files",
      () => multipart(Array.from({ length: 21 }, (_, i) => ({ name: "file", filename: `f${i}.txt`, body: "hello" }))),
      /at most 20 files/,
    ],
    [
      "too many parts",
      () => multipart(Array.from({ length: 90 }, (_, i) => ({ name: `field${i}`, body: "x" }))),
      /too many parts|more than 50 fields/,
    ],
    [
      "a huge file name",
      () => multipart([{ name: "file", filename: `${"a".repeat(20_000)}.txt`, body: "hello" }]),
      /could not be read/,
    ],
    [
      "a file name with a control character",
      () => multipart([{ name: "file", filename: "bad\x01name.txt", body: "hello" }]),
      /could not be read|control characters/,
    ],
  ];
  for (const [label, build, message] of cases) {
    test(`${label}: a 4xx JSON message and a log line`, async () => {
      const { body, type } = build();
      const logged = output.length;
      const a = await send(
        "POST",
        `/supplier/submissions/${ids.draft}/evidence?ref=${encodeURIComponent(ids.draftRef)}`,
        body,
        { "Content-Type": type, Cookie: cookies.supplier2, Origin: ORIGIN },
      );
      expect(a.status).toBeGreaterThanOrEqual(400);
      expect(a.status).toBeLessThan(500);
      expect(a.headers["content-type"]).toMatch(/application\/json/);
      expect(JSON.parse(a.body)).toMatchObject({ ok: false, message: expect.stringMatching(message) });
      await expect.poll(() => output.slice(logged)).toMatch(/\[upload\] refused an evidence upload/);
    });
  }
});

test("issue 13.10: a POST with Origin: null is refused with 403 and a message, not a 500", async () => {
  const form = new URLSearchParams({ intent: "credential", credential: "not a credential" }).toString();
  const logged = output.length;
  const anon = await send("POST", "/verify", form, {
    "Content-Type": "application/x-www-form-urlencoded",
    Origin: "null",
  });
  expect(anon.status).toBe(403);
  expect(anon.body).toMatch(/Cross-site request refused/);
  const admin = await send(
    "POST",
    "/admin/users",
    new URLSearchParams({
      intent: "create",
      email: "null-origin@demo.test",
      name: "Null Origin",
      role: "admin",
    }).toString(),
    {
      "Content-Type": "application/x-www-form-urlencoded",
      Origin: "null",
      Cookie: cookies.admin,
    },
  );
  expect(admin.status).toBe(403);
  expect(output.slice(logged)).not.toMatch(/\[error\]/);
});

test.describe("issue 13.10: /s/<serial> and /verify are rate limited per address", () => {
  const checks: [string, (ip: string) => Promise<Answer>][] = [
    ["the public seal page", (ip) => send("GET", `/s/${ids.activeSeal}`, "", { "X-Forwarded-For": ip })],
    ["its credential", (ip) => send("GET", `/s/${ids.activeSeal}/credential`, "", { "X-Forwarded-For": ip })],
    [
      "a check by serial on /verify",
      (ip) => send("GET", `/verify?serial=${ids.activeSeal}`, "", { "X-Forwarded-For": ip }),
    ],
    [
      "an upload to /verify",
      (ip) =>
        send(
          "POST",
          "/verify",
          new URLSearchParams({ intent: "credential", credential: "not a credential" }).toString(),
          {
            "X-Forwarded-For": ip,
            "Content-Type": "application/x-www-form-urlencoded",
            Origin: ORIGIN,
          },
        ),
    ],
  ];
  checks.forEach(([label, request], i) => {
    test(`${label}: ${PAGE_LIMIT} a minute, then 429 with Retry-After and a message`, async () => {
      const ip = `203.0.113.${i + 1}`;
      for (let n = 0; n < PAGE_LIMIT; n++) expect((await request(ip)).status, `request ${n + 1}`).not.toBe(429);
      const refused = await request(ip);
      expect(refused.status).toBe(429);
      expect(Number(refused.headers["retry-after"])).toBeGreaterThan(0);
      expect(refused.body).toMatch(/Too many requests from your address; try again in \d+ s/);
      // Another address is not affected.
      expect((await request(`203.0.113.${i + 101}`)).status).not.toBe(429);
      // An address the client writes in front of the proxy's own does not buy a fresh budget:
      // TRUST_PROXY=true trusts one proxy, the entry it appended (the rightmost).
      expect((await request(`192.0.2.${i + 1}, ${ip}`)).status).toBe(429);
    });
  });
});
