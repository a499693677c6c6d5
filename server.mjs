// IoT Seal's HTTP server: a bare node:http server that serves the machine-facing fast paths
// itself and hands everything else to Express + Remix. It logs every request, sets the
// security headers (an enforced CSP with a per-response nonce), and shuts down cleanly.
import cluster from "node:cluster";
import crypto from "node:crypto";
import http from "node:http";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { createRequestHandler } from "@remix-run/express";
import express from "express";

const root = path.dirname(fileURLToPath(import.meta.url));
// REMIX_BUILD_DIR: a build made elsewhere than build/ + public/build/ (see remix.config.js).
const buildDir = process.env.REMIX_BUILD_DIR ? path.resolve(root, process.env.REMIX_BUILD_DIR) : null;
const build = await import(buildDir ? path.join(buildDir, "server", "index.js") : path.join(root, "build", "index.js"));
const entry = build.entry.module;

/**
 * REQUEST_BODY_IDLE_SECONDS (default 60, 1 to 300): a request body that brings nothing for this long,
 * while the portal waits for it, is cut. At most 5 minutes, so that an evidence upload's temporary
 * file is always written to well within the 10 minutes after which the sweep takes it for abandoned.
 */
function bodyIdleSeconds() {
  const raw = process.env.REQUEST_BODY_IDLE_SECONDS;
  if (raw === undefined || raw === "") return 60;
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || n < 1 || n > 300) {
    console.error(
      `IoT Seal cannot start. Fix these environment variables:\n  REQUEST_BODY_IDLE_SECONDS: must be a whole number of seconds from 1 to 300 (got "${raw}").`,
    );
    process.exit(2);
  }
  return n;
}
const BODY_IDLE_MS = bodyIdleSeconds() * 1000;

/**
 * A refusal to start: one plain message (no stack trace) and the exit code (2: the environment;
 * 3: anything else, such as this data directory or the port). A cluster worker sends the message
 * to the primary, which says it once and stops the cluster rather than restart the worker forever.
 * Never returns.
 */
function refuseToStart(message, code) {
  if (cluster.isWorker && process.send) {
    process.send({ startupRefusal: message }, (error) => {
      if (error) console.error(message);
      process.exit(code);
    });
    return new Promise(() => {}); // the IPC channel keeps the process up until the message is out
  }
  console.error(message);
  process.exit(code);
}

let report;
try {
  // The background workers start once the port is bound (below): a process that cannot listen starts none.
  report = await entry.startup({ clusterWorker: cluster.isWorker, deferBackgroundWorkers: true });
} catch (error) {
  // A bad environment variable is reported as such, without a stack trace.
  if (error && Array.isArray(error.problems))
    await refuseToStart(`IoT Seal cannot start. Fix these environment variables:\n  ${error.problems.join("\n  ")}`, 2);
  // A refusal to start on this data directory (startup.server.ts) says what is wrong and what to do.
  if (error && error.refusal === true) await refuseToStart(`IoT Seal cannot start: ${error.message}`, 3);
  throw error;
}
const env = report.env;

function logStartupReport() {
  if (report.checklists.imported.length) console.log(`Imported checklists: ${report.checklists.imported.join(", ")}`);
  if (report.checklists.problems.length)
    console.warn(`Checklist files NOT imported:\n  ${report.checklists.problems.join("\n  ")}`);
  if (report.seeded.length)
    console.log(`Seeded demo data: ${report.seeded.length} items. Demo accounts use the password demo-password-2026.`);
}

// WEB_CONCURRENCY > 1 (decision 031): this process is the cluster's primary. It has done the work that
// must happen once (migrations, checklists, demo seed, keys, Litestream); it forks the workers, which
// run the rest of this file and serve, and supervises them: it never gets past this line.
if (report.role === "primary") {
  logStartupReport();
  // A worker that exits with a refusal's code (refuseToStart) stops the cluster, with its message.
  await entry.superviseWorkers({ count: env.webConcurrency, shutdown: entry.shutdown, refusalCodes: [2, 3] });
}

function contentSecurityPolicy(nonce) {
  return [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}'`,
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
    "base-uri 'none'",
    "object-src 'none'",
  ].join("; ");
}

/**
 * The client's address: with TRUST_PROXY = n (the proxies you run), the n-th X-Forwarded-For entry
 * from the right (each of your proxies appended the address it saw; whatever is left of them the
 * client wrote itself, so it never decides the address that rate limits and the audit log key on).
 */
function clientIp(req) {
  if (env.trustProxy > 0) {
    const forwarded = req.headers["x-forwarded-for"];
    const hops = (Array.isArray(forwarded) ? forwarded.join(",") : (forwarded ?? ""))
      .split(",")
      .map((a) => a.trim())
      .filter(Boolean);
    if (hops.length) return hops[Math.max(0, hops.length - env.trustProxy)];
  }
  return req.socket.remoteAddress ?? "unknown";
}

// Machine answers (JSON, status lists, checkpoints) load nothing: the strictest policy, fixed.
const MACHINE_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

/** Headers for every response, whichever part of the server answers it. */
function secure(req, res) {
  res.setHeader("Content-Security-Policy", MACHINE_CSP);
  res.setHeader("X-Frame-Options", "DENY");
  res.setHeader("X-Content-Type-Options", "nosniff");
  res.setHeader("Referrer-Policy", "strict-origin-when-cross-origin");
  res.setHeader("Cross-Origin-Opener-Policy", "same-origin");
  res.setHeader("Permissions-Policy", "camera=(), microphone=(), geolocation=()");
  if (env.cookieSecure) res.setHeader("Strict-Transport-Security", "max-age=31536000; includeSubDomains");
}

/**
 * The evidence downloads' paths (app/routes/evidence.$linkId.tsx, evidence.recurring.$evidenceId.tsx):
 * resource routes, whose answer is the file, a redirect to the login or a line of text, never a page.
 * Not their single-fetch data requests (`/evidence/<id>.data`): Remix answers those with the root's
 * data, as for any page.
 */
const EVIDENCE_DOWNLOAD = /^\/evidence\/(?:recurring\/)?[^/?#]+(?<!\.data)(?:\?|$)/;

/** For pages (Remix): the page policy with a fresh script nonce. Evidence downloads set their own. */
function securePage(req, res) {
  const nonce = crypto.randomBytes(16).toString("base64");
  // Evidence downloads set their own, stricter policy (a sandbox, no scripts) that lets the
  // portal's review page frame a PDF preview; headers are appended, so two would both apply.
  // Only on their exact paths: any other path under /evidence/ is a page (the 404), never framed.
  // And only for the file itself: an answer without a policy of its own (the login redirect, a
  // line of text saying there is no such file) gets the strict machine policy back.
  if (EVIDENCE_DOWNLOAD.test(req.url ?? "")) {
    // The file's answer sets nosniff itself: kept once, not twice.
    res.removeHeader("Content-Security-Policy");
    res.removeHeader("X-Frame-Options");
    res.removeHeader("X-Content-Type-Options");
    const writeHead = res.writeHead;
    res.writeHead = function (...args) {
      if (!res.hasHeader("Content-Security-Policy")) {
        res.setHeader("Content-Security-Policy", MACHINE_CSP);
        res.setHeader("X-Frame-Options", "DENY");
      }
      if (!res.hasHeader("X-Content-Type-Options")) res.setHeader("X-Content-Type-Options", "nosniff");
      return writeHead.apply(this, args);
    };
  } else {
    res.setHeader("Content-Security-Policy", contentSecurityPolicy(nonce));
  }
  return nonce;
}

// Request ids: a random prefix per process and a counter (unique, and cheaper than random bytes each).
const requestIdPrefix = crypto.randomBytes(3).toString("hex");
let requestCount = 0;

function logRequest(req, res, started, requestId) {
  if (!env.logRequests) return;
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  // A password reset link's token is a secret: never in the log.
  const url = (req.originalUrl ?? req.url ?? "").replace(/^\/reset-password\/[^/?#.]+/, "/reset-password/[token]");
  console.log(`${new Date().toISOString()} ${requestId} ${req.method} ${url} ${res.statusCode} ${ms.toFixed(1)}ms`);
}

/**
 * The public API (/api/...): CORS open, authenticated by an Authorization: Bearer token or not at
 * all, never by the session cookie, and answered entirely by the fast routes (an unknown /api path
 * too: a JSON 404), so a cross-site POST to it is as good as a same-site one. Nothing under /api/
 * may read the session cookie: the cookie is removed from a cross-site write to it (below), so a
 * route added there later that did could not be driven from another site either.
 */
function publicApiPath(req) {
  const url = req.url ?? "/";
  return url === "/api" || url.startsWith("/api/") || url.startsWith("/api?");
}

/** The portal's own origin, as configured (PUBLIC_URL; else http://localhost:PORT). */
const publicOrigin = new URL(env.baseUrl).origin;

/**
 * A state-changing request from another site is refused: SameSite=Lax already keeps the
 * session cookie off cross-site POSTs; this also covers same-site subdomains and old browsers.
 * An opaque origin ("null": a sandboxed frame, a file, a cross-site redirect) is not this site either.
 * This site is the request's Host, or PUBLIC_URL's origin: a reverse proxy that passes its own
 * Host on (nginx's default proxy_pass sends Host: 127.0.0.1:3000) would otherwise refuse every form.
 * The public API is exempt (publicApiPath); the evidence uploads (/supplier/.../evidence, /uploads/tus)
 * read the session cookie and are not.
 */
function crossSiteWrite(req) {
  if (req.method === "GET" || req.method === "HEAD" || req.method === "OPTIONS") return false;
  const origin = req.headers.origin;
  if (!origin) return false;
  if (origin === "null") return true;
  const host = req.headers.host;
  try {
    const url = new URL(origin);
    return url.host !== host && url.origin !== publicOrigin;
  } catch {
    return true;
  }
}

/**
 * A host name (letters, digits, dots, hyphens, underscores), an IPv4 address or a bracketed IPv6
 * address, with an optional port. The Host header is the client's: Remix builds the request's URL
 * from it (and from X-Forwarded-Host behind TRUST_PROXY, as Express reads it: its first entry).
 */
const HOST_HEADER = /^(?:[a-z0-9_.-]+|\[[0-9a-f:.]+\])(?::\d{1,5})?$/i;
function validHost(value) {
  if (!HOST_HEADER.test(value)) return false;
  try {
    return new URL(`http://${value}/`).host !== ""; // an IPv4 address out of range, a port over 65535: no
  } catch {
    return false;
  }
}

/** A Host (or, behind TRUST_PROXY, X-Forwarded-Host) no URL can be built from; none at all (HTTP/1.0) is fine. */
function badHost(req) {
  const host = req.headers.host;
  if (host !== undefined && !validHost(host)) return true;
  const forwarded = env.trustProxy > 0 ? req.headers["x-forwarded-host"] : undefined;
  return typeof forwarded === "string" && !validHost(forwarded.split(",")[0].trim());
}

/**
 * A short answer that is not the portal's page: a line of plain text, or JSON ({"error": …}) for the
 * public API (CORS open as every answer there) and wherever the caller asks for it. For the refusals
 * made before Remix is reached.
 */
function plainAnswer(req, res, status, message, { json = publicApiPath(req) } = {}) {
  if (json)
    res
      .writeHead(status, {
        "Content-Type": "application/json; charset=utf-8",
        ...(publicApiPath(req) ? { "Access-Control-Allow-Origin": "*" } : {}),
      })
      .end(JSON.stringify({ error: message }));
  else res.writeHead(status, { "Content-Type": "text/plain; charset=utf-8" }).end(message);
}

/**
 * A request with a `_data` query parameter: Remix's data request from before single fetch
 * (remix.config.js). The portal's own data requests end in `.data` and never carry it; Remix would
 * log a stack trace for each one ("Single fetch-enabled apps should not be making ?_data requests")
 * and answer a refused one {"message":"Unexpected Server Error"}. Refused before Remix instead.
 */
function legacyDataRequest(req) {
  const url = req.url ?? "/";
  const q = url.indexOf("?");
  return q >= 0 && new URLSearchParams(url.slice(q + 1)).has("_data");
}
const LEGACY_DATA_REFUSED = "Bad request: the _data query parameter is not accepted (data requests end in .data).";

/**
 * An answer sent before the body was read to its end (a refusal: too large, not allowed, not
 * logged in) closes the connection rather than reading the rest. Not at once: closing a socket
 * with unread data resets it, and the client may lose the answer. So for a moment what the
 * client still sends is read and thrown away (never kept), then the connection closes.
 */
const LINGER_MS = 2000;
function closeIfUnread(req, res) {
  // Without Content-Length or Transfer-Encoding a request has no body: nothing can be left unread
  // (every GET of the public API: no wrapper, no listener on its hot path).
  const length = req.headers["content-length"];
  if ((length === undefined || length === "0") && req.headers["transfer-encoding"] === undefined) return;
  const writeHead = res.writeHead;
  res.writeHead = function (...args) {
    if (!req.complete) res.setHeader("Connection", "close"); // the client knows not to send another request on it
    return writeHead.apply(this, args);
  };
  res.on("finish", () => lingeringClose(req));
}
function lingeringClose(req) {
  const socket = req.socket;
  if (req.complete || !socket || socket.destroyed) return;
  socket.removeListener("finish", socket.destroy); // node's own close after a "Connection: close" answer: not yet
  req.removeAllListeners("data");
  req.on("data", () => {});
  req.resume();
  socket.end(); // the answer is out: no more on this connection
  req.once("end", () => socket.destroy());
  setTimeout(() => socket.destroy(), LINGER_MS).unref();
}

const app = express();
// Express reads NODE_ENV itself, and takes it unset for development (error pages with stack traces);
// the portal takes it unset for production (env.ts). Express is told the portal's.
app.set("env", env.nodeEnv);
app.disable("x-powered-by");
app.set("trust proxy", env.trustProxy); // a hop count, as clientIp reads it (never `true`: that trusts the leftmost)
app.use(
  "/build",
  express.static(buildDir ? path.join(buildDir, "public", "build") : path.join(root, "public", "build"), {
    immutable: true,
    maxAge: "1y",
    redirect: false, // a folder's path is the portal's to answer (its 404 page), not Express's "Redirecting" page
  }),
);
app.use(express.static(path.join(root, "public"), { maxAge: "1h", index: false, redirect: false }));
// Methods a web request cannot carry (the Fetch standard forbids them: Remix could not even build
// the request) are answered 405 here, saying what is allowed, instead of failing in the adapter.
const FORBIDDEN_METHODS = new Set(["CONNECT", "TRACE"]); // (Node itself refuses TRACK: 400)
app.use((req, res, next) => {
  if (!FORBIDDEN_METHODS.has(req.method)) return next();
  res.setHeader("Allow", "GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS");
  plainAnswer(req, res, 405, `Method not allowed: this portal does not answer ${req.method}.`);
});
app.all(
  "*",
  createRequestHandler({
    build,
    mode: env.nodeEnv === "development" ? "development" : "production",
    getLoadContext: (req, res) => ({ nonce: res.locals.nonce, ip: res.locals.ip, requestId: res.locals.requestId }),
  }),
);
// The last handler: what Express or Remix's adapter could not answer (a path whose percent-encoding
// does not decode, a Host no URL can be built from, an error of the adapter itself) gets a short
// answer, never Express's page with a stack trace; the log gets one line.
// (Express knows an error handler by its four parameters: _next is needed, though unused.)
app.use((error, req, res, _next) => {
  const badRequest = error instanceof URIError || error?.code === "ERR_INVALID_URL";
  const status = badRequest ? 400 : 500;
  const name = error instanceof Error ? error.name : typeof error;
  const what =
    error instanceof URIError ? "the path's percent-encoding does not decode" : String(error?.message ?? error);
  // A client's bad address is a warning (it is theirs, and one client can send thousands); the rest are errors.
  const line = `${res.locals?.requestId ?? "-"} ${req.method} ${status}: ${name}: ${what.split("\n")[0]}`;
  if (badRequest) console.warn(`[warn] ${line}`);
  else console.error(`[error] ${line}`);
  if (res.headersSent) {
    res.destroy(); // the answer was under way: cut, as Express would
    return;
  }
  const message =
    error instanceof URIError
      ? "Bad request: the address has a % that is not followed by a valid encoding."
      : badRequest
        ? "Bad request: the Host header is not a valid host name."
        : "Something went wrong: an unexpected error happened on our side. It has been logged; please try again.";
  plainAnswer(req, res, status, message);
});

/**
 * How long a request may take to arrive. Node's own limit (server.requestTimeout: 5 minutes for the
 * whole request, body included) would cut an evidence upload that is simply large for the line it
 * comes over (100 MiB at 2 Mbit/s takes 7 minutes; a resumable upload's PATCH carries up to 64 MiB),
 * so it is off, and this takes its place:
 * - the headers must be in within 60 s (server.headersTimeout, Node's default, kept);
 * - any body is cut when nothing of it has arrived for BODY_IDLE_MS while the portal was waiting
 *   for it (not when the portal is the one behind: its buffer is full, the client held back);
 * - a body that is not an evidence upload (multipart/form-data under /supplier/, or a tus PATCH's
 *   application/offset+octet-stream under /uploads/tus/) must still be in within 5 minutes, as
 *   before. (Those paths refuse a request without a supplier's session before reading its body.)
 * A cut request is answered 408 when nothing of its answer was sent yet, and its connection closed.
 * A resumable upload keeps what reached the disk and resumes; a multipart upload keeps nothing.
 */
const HEADERS_TIMEOUT_MS = 60_000;
const FORM_BODY_MS = 300_000;
const REQUEST_TIMEOUT = "HTTP/1.1 408 Request Timeout\r\nConnection: close\r\nContent-Length: 0\r\n\r\n";
const arriving = new Set();

function isEvidenceUpload(req) {
  const url = req.url ?? "/";
  const type = String(req.headers["content-type"] ?? "").toLowerCase();
  if (url.startsWith("/supplier/")) return type.startsWith("multipart/form-data");
  if (url.startsWith("/uploads/tus/")) return type.startsWith("application/offset+octet-stream");
  return false;
}

function watchBody(req, res) {
  const length = req.headers["content-length"];
  if ((length === undefined || length === "0") && req.headers["transfer-encoding"] === undefined) return;
  const now = Date.now();
  const w = {
    req,
    res,
    bytes: req.socket.bytesRead,
    since: now,
    deadline: isEvidenceUpload(req) ? Infinity : now + FORM_BODY_MS,
  };
  arriving.add(w);
  req.once("end", () => arriving.delete(w));
  req.once("close", () => arriving.delete(w));
}

function cutOff(w) {
  arriving.delete(w);
  const socket = w.req.socket;
  if (socket.destroyed) return;
  if (!w.res.headersSent && socket.writable) socket.write(REQUEST_TIMEOUT);
  socket.destroy();
}

setInterval(
  () => {
    const now = Date.now();
    for (const w of arriving) {
      const { req } = w;
      if (req.complete || req.socket.destroyed) {
        arriving.delete(w);
        continue;
      }
      if (now > w.deadline) {
        cutOff(w);
        continue;
      }
      const bytes = req.socket.bytesRead;
      // Bytes came, or the portal is the one behind (the request's buffer is full: the socket is not read).
      if (bytes !== w.bytes || req.readableLength >= req.readableHighWaterMark) {
        w.bytes = bytes;
        w.since = now;
      } else if (now - w.since >= BODY_IDLE_MS) cutOff(w);
    }
  },
  Math.min(5000, Math.max(100, BODY_IDLE_MS / 4)),
).unref();

const fast = entry.fastRoutes ?? (() => false);
// Resumable evidence uploads (tus, decision 032) under /uploads/tus.
const tus = entry.tusUploads ?? (() => false);

const server = http.createServer((req, res) => {
  const started = process.hrtime.bigint();
  const requestId = `${requestIdPrefix}${(++requestCount).toString(36)}`;
  res.setHeader("X-Request-Id", requestId);
  if (env.logRequests) res.on("finish", () => logRequest(req, res, started, requestId));
  closeIfUnread(req, res);
  watchBody(req, res);
  secure(req, res);
  if (badHost(req)) {
    plainAnswer(req, res, 400, "Bad request: the Host header is not a valid host name.");
    return;
  }
  if (crossSiteWrite(req)) {
    if (publicApiPath(req))
      delete req.headers.cookie; // the API never reads it: another site's request carries none
    else {
      res.writeHead(403, { "Content-Type": "text/plain; charset=utf-8" }).end("Cross-site request refused.");
      return;
    }
  }
  const ip = clientIp(req);
  if (fast(req, res, { ip }) || tus(req, res, { ip })) return;
  if (legacyDataRequest(req)) {
    plainAnswer(req, res, 400, LEGACY_DATA_REFUSED, { json: true });
    return;
  }
  res.locals = { nonce: securePage(req, res), ip, requestId };
  app(req, res);
});
/**
 * A request Node cannot parse (its headers over 16 KiB, a request line that is not HTTP, headers
 * that did not arrive in time) never reaches the handler above: Node answers it itself with an
 * empty body. This says what was wrong instead, as one line of JSON (an API client reads it; a
 * browser shows it), then closes the connection, as Node does. (Nothing tells which path it was
 * for: the request could not be read.)
 */
const CLIENT_ERRORS = {
  HPE_HEADER_OVERFLOW: [
    431,
    "Request Header Fields Too Large",
    "Request too large: the address and headers together are over 16 KiB. Send long lists in the body (POST /api/v1/verify/bulk).",
  ],
  HPE_CHUNK_EXTENSIONS_OVERFLOW: [413, "Payload Too Large", "Request too large: a chunk extension is over 16 KiB."],
  ERR_HTTP_REQUEST_TIMEOUT: [408, "Request Timeout", "The request's headers did not arrive in time."],
};
server.on("clientError", (error, socket) => {
  // A response already under way (or a connection gone) cannot be answered: it is closed.
  if (error?.code === "ECONNRESET" || !socket.writable || socket._httpMessage?.headersSent) {
    socket.destroy();
    return;
  }
  const [status, reason, message] = CLIENT_ERRORS[error?.code] ?? [
    400,
    "Bad Request",
    "Bad request: this is not a valid HTTP request.",
  ];
  const body = JSON.stringify({ error: message });
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\n` +
      "Content-Type: application/json; charset=utf-8\r\n" +
      `Content-Length: ${Buffer.byteLength(body)}\r\n` +
      "Cache-Control: no-store\r\nX-Content-Type-Options: nosniff\r\nConnection: close\r\n\r\n" +
      body,
  );
});
server.keepAliveTimeout = 65_000;
server.requestTimeout = 0; // no limit on a whole request: watchBody's limits instead
server.headersTimeout = HEADERS_TIMEOUT_MS;

/** Why the port could not be bound, said plainly, naming the variables to change. */
function listenProblem(error) {
  const at = `port ${env.port} on ${env.host}`;
  switch (error?.code) {
    case "EADDRINUSE":
      return `${at} is in use (PORT/HOST): stop what is using it, or set another PORT.`;
    case "EACCES":
      return `${at} needs privileges this process does not have (PORT/HOST): use a port above 1023.`;
    case "EADDRNOTAVAIL":
      return `${env.host} is not an address of this machine (HOST): use one of its addresses, or 0.0.0.0 for all of them.`;
    case "ENOTFOUND":
    case "EAI_AGAIN":
    case "EAI_FAIL":
    case "EAI_NONAME":
      return `the host name ${env.host} does not resolve to an address (HOST): use an address of this machine, or 0.0.0.0 for all of them.`;
    default:
      return `cannot listen on ${at} (PORT/HOST): ${error?.code ?? ""} ${error?.message ?? error}`.trim();
  }
}

let listening = false;
server.on("error", async (error) => {
  if (listening) {
    console.error(`[error] server: ${error?.code ?? ""} ${error?.message ?? error}`);
    return;
  }
  // Nothing was served and no background worker started: the database is closed (and Litestream stopped).
  try {
    await entry.shutdown?.();
  } catch (closing) {
    console.error(`[error] shutdown: ${closing?.message ?? closing}`); // the refusal below is what matters
  }
  await refuseToStart(`IoT Seal cannot start: ${listenProblem(error)}`, 3);
});

server.listen(env.port, env.host, () => {
  listening = true;
  const worker = cluster.isWorker ? `, worker ${process.pid}` : "";
  // Where this process listens; behind a proxy PUBLIC_URL (what seals and links carry) is another address, said too.
  const bound = `http://${env.host && env.host !== "0.0.0.0" && env.host !== "::" ? (env.host.includes(":") ? `[${env.host}]` : env.host) : "localhost"}:${env.port}`;
  const where = env.publicUrlSet && env.baseUrl !== bound ? `${bound} (public address ${env.baseUrl})` : bound;
  console.log(
    `IoT Seal is listening on ${where} (data in ${env.dataDir}${env.demoMode ? ", demo mode" : ""}${worker})`,
  );
  logStartupReport();
  report.startBackgroundWorkers?.(); // the mail, the sweep, webhooks, …, each under its lease
  entry.warmUp(); // the SBOM schemas, compiled in the background now rather than on the first upload
});

let stopping = false;
function stop(signal) {
  if (stopping) return;
  stopping = true;
  console.log(`${signal}: shutting down`);
  server.close(async () => {
    await entry.shutdown?.(); // lets background runs in flight finish (up to 5 s), closes the database, then lets Litestream make its last sync (up to 10 s)
    process.exit(0);
  });
  // Background runs in flight (up to 5 s), then Litestream's last sync (up to 10 s), then a margin.
  setTimeout(() => process.exit(0), 17_000).unref();
}
process.on("SIGTERM", () => stop("SIGTERM"));
process.on("SIGINT", () => stop("SIGINT"));
