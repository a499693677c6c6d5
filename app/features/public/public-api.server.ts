/**
 * The public, machine-facing side of the seals, served from node:http beside Remix (see
 * fast-routes): the seal and verify API (rate limited per client address), the signed status
 * lists and the transparency log (checkpoint, JSON proofs, C2SP tlog-tiles). No login; CORS
 * open; nothing private.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { gzipSync } from "node:zlib";
import { z } from "zod";
import { decimalNumber } from "../../platform/forms";
import { nowMs } from "../../platform/clock.server";
import { hitBulkRowBudget, hitPublicLimit } from "../../platform/http/rate-limits.server";
import { readStreamBody } from "../../platform/http/request-body.server";
import { formatBytes } from "../../platform/format";
import { statusListCredential } from "../trust/seal-status.server";
import { sealApiView, sealApiViewOfChecked, supersedesOf, type SealApiView } from "../certification/seals.server";
import { consistencyProofFor, inclusionProofFor, logTile, logVerifierKeys } from "../trust/transparency-log.server";
import { cosignedNote, latestCosignedCheckpoint } from "../trust/witnesses.server";
import { tlogProofText } from "../trust/domain/tlog";
import {
  NOT_A_VALID_SERIAL,
  VERIFY_MAX_BYTES,
  VerifyInputError,
  verifyCredentialText,
  verifyPdf,
  type VerifyAnswer,
} from "../trust/verify.server";
import type { SealVerdict } from "../trust/domain/credential";
import { isValidSerial } from "../trust/domain/serial";
import {
  CHECKPOINT_HEADERS,
  LOG_KEYS_HEADERS,
  SEAL_API_HEADERS,
  statusListHeaders,
  TILE_HEADERS,
} from "./domain/artefact-headers";
import { organizationForBearer } from "../accounts/api-tokens.server";
import { attachPolicies, policyResultsOf } from "../retail/policies.server";
import {
  attachUpdateRequired,
  BULK_MAX_BYTES,
  bulkCsv,
  bulkJson,
  checkBulkRows,
  parseBulkCsv,
} from "../retail/bulk-csv.server";
import { updateRequiredBySerial } from "../findings/advisories.server";
import { decodeCsvBytes } from "../../platform/csv-decode.server";

type Res = ServerResponse;
const CORS = { "Access-Control-Allow-Origin": "*" };

export function sendJson(res: Res, status: number, body: unknown, headers: Record<string, string> = {}): true {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    "Content-Type": "application/json; charset=utf-8",
    "Content-Length": Buffer.byteLength(text),
    "Cache-Control": "no-store",
    ...CORS,
    ...headers,
  });
  res.end(text);
  return true;
}

function sendText(
  res: Res,
  status: number,
  text: string,
  contentType: string,
  headers: Record<string, string> = {},
): true {
  res.writeHead(status, {
    "Content-Type": contentType,
    "Content-Length": Buffer.byteLength(text),
    ...CORS,
    ...headers,
  });
  res.end(text);
  return true;
}

/** Runs an async handler; an unexpected error is logged and answered with a plain 500. */
export function run(res: Res, work: () => Promise<unknown>): true {
  work().catch((error) => failed(res, error));
  return true;
}

/** An unexpected error in a fast route: logged, and a 500 without details (or the connection cut mid-answer). */
function failed(res: Res, error: unknown): true {
  console.error("[error] fast route:", error);
  if (!res.headersSent)
    sendJson(res, 500, { error: "Something went wrong on our side; it has been logged." }, { Connection: "close" });
  else res.destroy();
  return true;
}

/** True when the client may go on; otherwise a 429 has been sent. */
function withinLimit(res: Res, ip: string): boolean {
  const d = hitPublicLimit("api", ip);
  if (d.allowed) return true;
  sendJson(res, 429, { error: d.message }, { "Retry-After": String(d.retryAfterSeconds) });
  return false;
}

/** The request body, or null (and a 413 sent) when it exceeds `limit` bytes. */
async function readBody(req: IncomingMessage, res: Res, limit: number): Promise<Buffer | null> {
  const declared = Number(req.headers["content-length"] ?? "0");
  if (declared > limit) {
    sendJson(res, 413, { error: `The body is larger than ${formatBytes(limit)}.` }, { Connection: "close" });
    return null;
  }
  // Bounded while it streams, whatever the headers say (a chunked body has no Content-Length).
  const body = await readStreamBody(req, limit);
  if (!body) sendJson(res, 413, { error: `The body is larger than ${formatBytes(limit)}.` }, { Connection: "close" });
  return body;
}

const mediaType = (req: IncomingMessage) => (req.headers["content-type"] ?? "").split(";")[0].trim().toLowerCase();

function onlyMethod(req: IncomingMessage, res: Res, method: "GET" | "POST"): boolean {
  const allowed = method === "GET" ? ["GET", "HEAD"] : ["POST"];
  if (allowed.includes(req.method ?? "")) return true;
  if (req.method === "OPTIONS") {
    res
      .writeHead(204, {
        ...CORS,
        "Access-Control-Allow-Methods": `${method}, OPTIONS`,
        "Access-Control-Allow-Headers": "Content-Type, Accept, Authorization",
        "Access-Control-Max-Age": "86400",
      })
      .end();
    return false;
  }
  sendJson(res, 405, { error: `Use ${method}.` }, { Allow: method });
  return false;
}

/** GET /api/v1/seals/<serial>: the live verdict, the signed credential and the product's public security advisories. */
export function sealLookup(req: IncomingMessage, res: Res, ip: string, serial: string): true {
  if (!onlyMethod(req, res, "GET") || !withinLimit(res, ip)) return true;
  try {
    let decoded: string;
    try {
      decoded = decodeURIComponent(serial);
    } catch {
      return sendJson(res, 400, { error: "The serial is not a valid URL path segment." });
    }
    const auth = retailerOf(req, res);
    if (auth === false) return true;
    // Answered without waiting when this process has checked the seal's credential before (the
    // hot path: no promise per request); a seal's first request waits for the signature check.
    const known = sealApiViewOfChecked(decoded);
    if (known !== "unchecked") return answerSeal(res, decoded, known, auth);
    return run(res, async () => answerSeal(res, decoded, await sealApiView(decoded), auth));
  } catch (error) {
    return failed(res, error);
  }
}

/**
 * No seal: 404 with `status` "not_found" (as before) and an `error` as every other API error has,
 * telling a serial whose check character does not match (a typo) from one no seal has, as /verify does.
 */
function answerSeal(res: Res, serial: string, view: SealApiView | null, auth: string | null): true {
  if (!view)
    return sendJson(
      res,
      404,
      { status: "not_found", error: isValidSerial(serial) ? "No seal has this serial." : NOT_A_VALID_SERIAL },
      { "Cache-Control": "no-cache" },
    );
  const policies = auth ? JSON.stringify(policiesJson(auth, view.serial, view.verdict)) : null;
  const body = sealApiBody(view, policies);
  res.writeHead(200, { ...SEAL_API_HEADERS, "Content-Length": Buffer.byteLength(body) });
  res.end(body);
  return true;
}

/**
 * The body of GET /api/v1/seals/<serial> (also published as a static file: decision record 028),
 * assembled around the seal's pre-serialised credential and subject (they never change).
 * `policiesJson`: a retail organisation's policy results (authenticated requests only).
 */
export function sealApiBody(view: SealApiView, policiesJson: string | null = null) {
  const head = JSON.stringify({
    serial: view.serial,
    status: view.verdict,
    ...(view.reason ? { reason: view.reason } : {}),
    // The seal that replaced this one (a re-certification) and the one it replaced, as the seal page links them.
    supersededBy: view.supersededBy,
    supersedes: view.supersedes,
    // The certificate PDF as issued: a verifier holding a PDF checks it is that file (scripts/verify-seal.ts).
    pdfSha256: view.pdfSha256,
    checkedAt: new Date(nowMs()).toISOString(),
  });
  const policies = policiesJson === null ? "" : `,"policies":${policiesJson}`;
  return `${head.slice(0, -1)},"credential":${view.credentialJson},"subject":${view.subjectJson},"advisories":${view.advisoriesJson},"updateRequired":${view.updateRequiredJson}${policies}}`;
}

const publicAnswer = (a: VerifyAnswer, organizationId?: string | null) => ({
  status: a.status,
  ...(a.reason ? { reason: a.reason } : {}),
  ...(a.serial ? { serial: a.serial } : {}),
  ...(a.subject ? { subject: a.subject } : {}),
  // As GET /api/v1/seals/<serial> answers them, for a seal the issuer has a record of.
  ...(a.serial && a.status !== "not_found" && a.status !== "forged"
    ? { supersededBy: a.supersededBy ?? null, supersedes: supersedesOf(a.serial) }
    : {}),
  // A public advisory affects the certified firmware and its fix is certified in another version (null: none).
  ...(a.serial && a.status !== "not_found" && a.status !== "forged"
    ? { updateRequired: updateRequiredBySerial([a.serial]).get(a.serial) ?? null }
    : {}),
  ...(organizationId && a.serial && a.status !== "not_found" && a.status !== "forged"
    ? { policies: policiesJson(organizationId, a.serial, a.status) }
    : {}),
  // A file that is not the certificate as issued, carrying the issuer's own credential: that seal's live status.
  ...(a.credentialInside ? { credentialInside: a.credentialInside } : {}),
});

/**
 * The retail organisation behind an `Authorization: Bearer` token: its id, null without the
 * header (anonymous), or false when a 401 has been sent (a wrong or revoked token).
 */
function retailerOf(req: IncomingMessage, res: Res): string | null | false {
  const check = organizationForBearer(req.headers.authorization);
  if (!check) return null;
  if (!check.ok) {
    sendJson(res, 401, { error: check.message }, { "WWW-Authenticate": 'Bearer realm="iot-seal"' });
    return false;
  }
  return check.organizationId;
}

/** One seal's results under the organisation's acceptance policies, as the API answers them. */
function policiesJson(organizationId: string, serial: string, status: SealVerdict) {
  return policyResultsOf(organizationId, serial, status).map((p) => ({
    policy: p.policyName,
    meets: p.meets,
    misses: p.misses.map((m) => ({
      clause: m.clause,
      message: m.message,
      ...(m.provision ? { provision: m.provision } : {}),
    })),
  }));
}

/** POST /api/v1/verify: a seal PDF, or a credential as JSON or text. */
export function verifyApi(req: IncomingMessage, res: Res, ip: string): true {
  if (!onlyMethod(req, res, "POST") || !withinLimit(res, ip)) return true;
  return run(res, async () => {
    const auth = retailerOf(req, res);
    if (auth === false) return;
    const body = await readBody(req, res, VERIFY_MAX_BYTES);
    if (!body) return;
    const type = mediaType(req);
    try {
      const isPdf = type === "application/pdf" || body.subarray(0, 5).toString("latin1") === "%PDF-";
      if (isPdf) return sendJson(res, 200, publicAnswer(await verifyPdf(body), auth));
      if (type && !["application/json", "text/plain", "application/vc+jwt", "application/jwt"].includes(type)) {
        return sendJson(res, 415, {
          error: `Send a PDF (application/pdf) or a credential (application/json {"credential": "<jws>"} or text/plain); not ${type}.`,
        });
      }
      const text = body.toString("utf8");
      if (!text.trim()) return sendJson(res, 400, { error: "The body is empty: send a seal PDF or a credential." });
      return sendJson(res, 200, publicAnswer(await verifyCredentialText(text), auth));
    } catch (e) {
      if (e instanceof VerifyInputError) return sendJson(res, 400, { error: e.message });
      throw e;
    }
  });
}

/**
 * POST /api/v1/verify/bulk: a CSV with a serial or GTIN column → the same rows with a status each,
 * CSV or JSON by Accept. Each request counts once against the API's limit per address, and its
 * rows against the bulk checks' budget (BULK_ROWS_PER_HOUR): the token's organisation's (shared
 * with its bulk check page), or the client address's without a token.
 */
export function bulkVerifyApi(req: IncomingMessage, res: Res, ip: string): true {
  if (!onlyMethod(req, res, "POST") || !withinLimit(res, ip)) return true;
  return run(res, async () => {
    const auth = retailerOf(req, res);
    if (auth === false) return;
    const body = await readBody(req, res, BULK_MAX_BYTES);
    if (!body) return;
    // UTF-8 or UTF-16 (by its byte order mark), else read as Windows-1252 and said so; a workbook is refused.
    const decoded = decodeCsvBytes(body);
    if (!decoded.ok) return sendJson(res, 400, { error: decoded.message });
    const parsed = parseBulkCsv(decoded.text);
    if (!parsed.ok) return sendJson(res, 400, { error: parsed.message });
    const budget = hitBulkRowBudget(auth ? { organizationId: auth } : { ip }, parsed.value.rows.length);
    if (!budget.allowed)
      return sendJson(
        res,
        budget.status,
        { error: budget.message, rowsLeft: budget.remaining },
        budget.retryAfterSeconds ? { "Retry-After": String(budget.retryAfterSeconds) } : {},
      );
    const answers = await checkBulkRows(parsed.value);
    const withPolicies = auth ? attachPolicies(auth, answers) : false;
    attachUpdateRequired(answers);
    const accept = req.headers.accept ?? "";
    // How the file was read, when the client should know: `note` in JSON, the IoTSeal-Note header with CSV.
    const note = decoded.note;
    if (/application\/json/.test(accept) && !/text\/csv/.test(accept))
      return sendJson(res, 200, {
        ...bulkJson(parsed.value, answers, new Date(nowMs()).toISOString()),
        ...(note ? { note } : {}),
      });
    return sendText(res, 200, bulkCsv(parsed.value, answers, { withPolicies }), "text/csv; charset=utf-8", {
      "Cache-Control": "no-store",
      "Content-Disposition": 'attachment; filename="seal-check.csv"',
      ...(note ? { "IoTSeal-Note": note, "Access-Control-Expose-Headers": "IoTSeal-Note" } : {}),
    });
  });
}

/** GET /status/<list-id>: a signed Bitstring Status List credential, cacheable by a CDN for minutes. */
export function statusList(req: IncomingMessage, res: Res, listId: string): true {
  if (!onlyMethod(req, res, "GET")) return true;
  return run(res, async () => {
    const list = await statusListCredential(listId);
    if (!list) return sendJson(res, 404, { error: "No status list has this id." });
    // Never cached past the list's validUntil, stale-if-error included (see statusListCacheControl).
    const headers = statusListHeaders({ freshSeconds: list.maxAgeSeconds, validForSeconds: list.validForSeconds });
    sendText(res, 200, list.jws, headers["Content-Type"], headers);
  });
}

const proofQuery = z.object({
  treeSize: decimalNumber(z.number().int().positive().optional()),
  format: z.enum(["json", "tlog-proof"]).default("json"),
});
const consistencyQuery = z.object({
  from: decimalNumber(
    z.number({ message: "from must be a number" }).int("from must be a whole number").min(0, "from must be 0 or more"),
  ),
  to: decimalNumber(
    z.number({ message: "to must be a number" }).int("to must be a whole number").min(0, "to must be 0 or more"),
  ),
});

/**
 * GET /log/tile/<L>/<N>[.p/<W>] and /log/tile/entries/<N>[.p/<W>]: the log as C2SP tlog-tiles
 * (https://c2sp.org/tlog-tiles), immutable once it exists; entry bundles gzip-compressed when
 * the client accepts it.
 */
function tileRoute(req: IncomingMessage, res: Res, path: string): true {
  if (!onlyMethod(req, res, "GET")) return true;
  return run(res, async () => sendTile(req, res, path));
}

function sendTile(req: IncomingMessage, res: Res, path: string): true {
  const answer = logTile(path.slice("/log/".length));
  if (!answer.ok) return sendJson(res, answer.status, { error: answer.message });
  const headers: Record<string, string | number> = { ...TILE_HEADERS };
  let body = answer.bytes;
  if (path.startsWith("/log/tile/entries/")) {
    headers.Vary = "Accept-Encoding";
    if (/\bgzip\b/.test(String(req.headers["accept-encoding"] ?? ""))) {
      body = gzipSync(body);
      headers["Content-Encoding"] = "gzip";
    }
  }
  res.writeHead(200, { ...headers, "Content-Length": body.length });
  res.end(body);
  return true;
}

/** The body of /log/keys: the note verifier keys, one a line. */
export const logVerifierKeysText = () => logVerifierKeys().join("\n") + "\n";

/** The transparency log: /log/checkpoint, /log/proof/<leaf>, /log/consistency?from=&to=, /log/keys, /log/tile/... */
export function logRoutes(req: IncomingMessage, res: Res, path: string, search: URLSearchParams): boolean {
  if (path.startsWith("/log/tile/")) return tileRoute(req, res, path);
  if (path === "/log/checkpoint") {
    if (!onlyMethod(req, res, "GET")) return true;
    // The log's signed note, then the witnesses' cosignature lines (C2SP tlog-cosignature: each carries its time).
    const checkpoint = latestCosignedCheckpoint();
    return sendText(res, 200, checkpoint.note, CHECKPOINT_HEADERS["Content-Type"], {
      ...CHECKPOINT_HEADERS,
      ...(checkpoint.modifiedAt ? { "Last-Modified": checkpoint.modifiedAt.toUTCString() } : {}),
    });
  }
  if (path === "/log/keys") {
    if (!onlyMethod(req, res, "GET")) return true;
    return sendText(res, 200, logVerifierKeysText(), LOG_KEYS_HEADERS["Content-Type"], LOG_KEYS_HEADERS);
  }
  const proof = /^\/log\/proof\/(\d{1,15})$/.exec(path);
  if (proof) {
    if (!onlyMethod(req, res, "GET")) return true;
    const q = proofQuery.safeParse(Object.fromEntries(search));
    if (!q.success)
      return sendJson(res, 400, {
        error: "treeSize must be a positive whole number; format must be json or tlog-proof.",
      });
    const answer = inclusionProofFor(Number(proof[1]), q.data.treeSize);
    if (!answer.ok) return sendJson(res, answer.status, { error: answer.message });
    if (q.data.format === "tlog-proof") {
      // A tlog-proof carries the checkpoint of its size: none is stored for a size within leaves log:recover put back.
      const note = answer.value.checkpoint;
      if (note === null)
        return sendJson(res, 404, {
          error: `No signed checkpoint is stored for tree size ${answer.value.treeSize}, so there is no tlog-proof for it: ask for the proof as JSON (format=json), or in the latest tree (without treeSize).`,
        });
      // c2sp.org/tlog-proof@v1, as a seal PDF carries it, but with the witnesses' cosignatures on
      // the checkpoint as they stand now (a PDF's checkpoint is signed before any witness saw it).
      const value = { ...answer.value, checkpoint: cosignedNote(answer.value.treeSize, note) };
      return sendText(res, 200, tlogProofText(value), "text/plain; charset=utf-8", {
        "Cache-Control": "no-cache",
        "Content-Disposition": `inline; filename="leaf-${value.leafIndex}.tlog-proof"`,
      });
    }
    return sendJson(res, 200, answer.value, {
      "Cache-Control": q.data.treeSize ? "public, max-age=31536000, immutable" : "no-cache",
    });
  }
  if (path === "/log/consistency") {
    if (!onlyMethod(req, res, "GET")) return true;
    const q = consistencyQuery.safeParse(Object.fromEntries(search));
    if (!q.success) return sendJson(res, 400, { error: q.error.issues.map((i) => i.message).join("; ") });
    const answer = consistencyProofFor(q.data.from, q.data.to);
    return answer.ok
      ? sendJson(res, 200, answer.value, { "Cache-Control": "public, max-age=31536000, immutable" })
      : sendJson(res, answer.status, { error: answer.message });
  }
  return false;
}
