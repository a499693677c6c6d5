/**
 * Machine-facing endpoints served straight from node:http, beside Remix (which costs about
 * 5x per request and converts every body to a web stream and back). Each handler answers and
 * returns true, or returns false to pass the request on to Remix.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { z } from "zod";
import { can, type Permission } from "./platform/roles";
import { handleEvidenceUpload } from "./features/certification/evidence-upload.server";
import { sessionTokenFromHeader } from "./features/accounts/session.server";
import { TWO_STEP_FIRST, twoStepSetupDue, userForSession, type SessionUser } from "./features/accounts/auth.server";
import { db } from "./platform/db.server";
import {
  bulkVerifyApi,
  logRoutes,
  run,
  sealLookup,
  sendJson,
  statusList,
  verifyApi,
} from "./features/public/public-api.server";
import { signingKeys } from "./features/trust/adapters/signing-keys.server";
import { getEnv } from "./platform/env.server";
import { issuerMetadata } from "./features/trust/domain/credential";
import { digitalLinkRoute, gs1ResolverDescription, gtinProductApi } from "./features/public/gs1-resolver.server";
import { csafRoutes } from "./features/public/csaf-api.server";
import { ISSUER_METADATA_HEADERS, JWKS_HEADERS } from "./features/public/domain/artefact-headers";

export interface FastContext {
  ip: string;
}

const json = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): true => {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    "Content-Type": "application/json; charset=utf-8",
    "Content-Length": Buffer.byteLength(text),
    "Cache-Control": "no-store",
    ...headers,
  });
  res.end(text);
  return true;
};

/** The session user holding `permission`, or an answer (401/403) already sent. */
async function authorize(
  req: IncomingMessage,
  res: ServerResponse,
  ctx: FastContext,
  permission: Permission,
): Promise<SessionUser | null> {
  const token = await sessionTokenFromHeader(req.headers.cookie);
  const user = token ? userForSession(token, ctx.ip) : null;
  if (!user) {
    json(res, 401, { ok: false, message: "Log in first." }, { Connection: "close" });
    return null;
  }
  if (!can(user.role, permission)) {
    json(res, 403, { ok: false, message: "You do not have permission to do that." }, { Connection: "close" });
    return null;
  }
  if (twoStepSetupDue(user)) {
    json(res, 403, { ok: false, message: TWO_STEP_FIRST }, { Connection: "close" });
    return null;
  }
  return user;
}

const UPLOAD = /^\/supplier\/submissions\/([\w-]{1,64})\/evidence$/;
const uploadQuery = z.object({ ref: z.string().min(1).max(64) });

/** POST multipart (field "file", repeated) with ?ref=<requirement>: the evidence uploader's JSON endpoint. */
function evidenceUpload(
  req: IncomingMessage,
  res: ServerResponse,
  ctx: FastContext,
  submissionId: string,
  search: URLSearchParams,
): true {
  if (req.method !== "POST")
    return json(res, 405, { ok: false, message: "Upload evidence with POST." }, { Allow: "POST" });
  return run(res, async () => {
    const user = await authorize(req, res, ctx, "supplier.workspace");
    if (!user) return;
    const q = uploadQuery.safeParse(Object.fromEntries(search));
    if (!q.success)
      return json(res, 400, { ok: false, message: "Name the requirement: ?ref=<ref>." }, { Connection: "close" });
    const result = await handleEvidenceUpload(user, { headers: req.headers, body: req }, submissionId, q.data.ref);
    // A body refused part-way is not read to its end: the connection is closed after the answer.
    json(res, result.ok ? 200 : result.status, result, result.ok || req.complete ? {} : { Connection: "close" });
  });
}

/** The fast routes' paths, for the role-matrix test (they are not Remix routes). */
export const FAST_ROUTES = [
  "/healthz",
  "/.well-known/jwks.json",
  "/.well-known/jwt-vc-issuer",
  "/.well-known/security.txt",
  "/.well-known/csaf/provider-metadata.json",
  "/.well-known/csaf/:path*",
  "/.well-known/gs1resolver",
  "/01/:gtin",
  "/api/v1/products/:gtin",
  "/api/v1/seals/:serial",
  "/api/v1/verify",
  "/api/v1/verify/bulk",
  "/status/:listId",
  "/log/checkpoint",
  "/log/keys",
  "/log/proof/:leaf",
  "/log/consistency",
  "/log/tile/:level/:index",
  "/log/tile/entries/:index",
  "/supplier/submissions/:id/evidence",
] as const;

// Any length: an over-long serial or GTIN is answered by the API (not found, not a GTIN), never by the HTML 404 page.
const SEAL_API = /^\/api\/v1\/seals\/([^/]+)$/;
const PRODUCT_API = /^\/api\/v1\/products\/([^/]+)$/;
/** What an API client is told at a path the API does not have (JSON, as every API answer). */
const API_ENDPOINTS = FAST_ROUTES.filter((p) => p.startsWith("/api/"));
const LOG_ENDPOINTS = FAST_ROUTES.filter((p) => p.startsWith("/log/"));
const STATUS_LIST = /^\/status\/([\w-]{1,64})$/;

export function fastRoutes(req: IncomingMessage, res: ServerResponse, ctx: FastContext): boolean {
  const url = req.url ?? "/";
  const q = url.indexOf("?");
  const pathname = q < 0 ? url : url.slice(0, q);
  if (pathname === "/healthz" && (req.method === "GET" || req.method === "HEAD")) {
    db().$client.prepare("select 1").get();
    return json(res, 200, { ok: true });
  }
  if (pathname === "/.well-known/jwks.json" || pathname === "/.well-known/jwt-vc-issuer") {
    if (req.method !== "GET" && req.method !== "HEAD")
      return sendJson(res, 405, { error: "Use GET." }, { Allow: "GET, HEAD" });
    // Every public key the issuer ever signed with, retired ones included; CDN-cacheable.
    if (pathname === "/.well-known/jwks.json")
      return json(res, 200, signingKeys(getEnv().dataDir).jwks(), JWKS_HEADERS);
    // SD-JWT VC issuer metadata: the issuer as the credentials name it, and where its keys are.
    return json(res, 200, issuerMetadata(getEnv().baseUrl), ISSUER_METADATA_HEADERS);
  }
  // The CSAF 2.0 provider (public advisories) and security.txt.
  if (pathname.startsWith("/.well-known/") && csafRoutes(req, res, ctx.ip, pathname)) return true;
  // GS1 Digital Link: the resolver (a browser's error page falls through to app/routes/01.$.tsx) and the GTIN API.
  if (pathname === "/.well-known/gs1resolver") return gs1ResolverDescription(req, res);
  if (pathname === "/01" || pathname.startsWith("/01/"))
    return digitalLinkRoute(req, res, ctx.ip, pathname, q < 0 ? "" : url.slice(q + 1));
  const product = PRODUCT_API.exec(pathname);
  if (product) return gtinProductApi(req, res, ctx.ip, product[1]);
  const seal = SEAL_API.exec(pathname);
  if (seal) return sealLookup(req, res, ctx.ip, seal[1]);
  if (pathname === "/api/v1/verify") return verifyApi(req, res, ctx.ip);
  if (pathname === "/api/v1/verify/bulk") return bulkVerifyApi(req, res, ctx.ip);
  const list = STATUS_LIST.exec(pathname);
  if (list) return statusList(req, res, list[1]);
  if (pathname.startsWith("/log/") && logRoutes(req, res, pathname, new URLSearchParams(q < 0 ? "" : url.slice(q + 1))))
    return true;
  const upload = UPLOAD.exec(pathname);
  if (upload) return evidenceUpload(req, res, ctx, upload[1], new URLSearchParams(q < 0 ? "" : url.slice(q + 1)));
  // Machine paths the portal does not have: a JSON 404 (CORS open, as every answer there), never the HTML page.
  if (pathname === "/api" || pathname.startsWith("/api/"))
    return sendJson(res, 404, { error: "No API endpoint has this path.", endpoints: API_ENDPOINTS });
  if (pathname === "/status" || pathname.startsWith("/status/"))
    return sendJson(res, 404, { error: "No status list has this path: status lists are at /status/<list-id>." });
  if (pathname === "/log" || pathname.startsWith("/log/"))
    return sendJson(res, 404, { error: "The transparency log has no such path.", endpoints: LOG_ENDPOINTS });
  return false;
}
