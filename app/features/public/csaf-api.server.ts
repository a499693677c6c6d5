/**
 * The CSAF 2.0 provider's files (issue 17), served from node:http beside Remix like the JWKS:
 * /.well-known/security.txt and everything under /.well-known/csaf/ (see
 * app/features/findings/domain/csaf-directory.ts for the layout and the spec's clauses). Public,
 * CORS open, cacheable for minutes, rate limited per address like the public API; GET and HEAD.
 * No redirects (7.1.6): a folder answers its listing with or without the final slash.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { z } from "zod";
import { hitPublicLimit } from "../../platform/http/rate-limits.server";
import {
  csafChangesCsv,
  csafIndexTxt,
  csafProviderMetadata,
  csafPublicKey,
  csafSecurityTxt,
  csafSha256File,
  csafSignature,
  csafYears,
  publishedCsafDocument,
} from "../findings/csaf.server";
import { CSAF_BASE_PATH, CSAF_WHITE_PATH, SECURITY_TXT_PATH } from "../findings/domain/csaf-directory";
import { run } from "./public-api.server";

type Res = ServerResponse;

const CACHE = "public, max-age=300";

function send(
  req: IncomingMessage,
  res: Res,
  status: number,
  body: string | Buffer,
  contentType: string,
  cache = CACHE,
): true {
  const bytes = typeof body === "string" ? Buffer.from(body, "utf8") : body;
  res.writeHead(status, {
    "Content-Type": contentType,
    "Content-Length": bytes.length,
    "Cache-Control": status === 200 ? cache : "no-store",
    "Access-Control-Allow-Origin": "*",
    "X-Content-Type-Options": "nosniff",
  });
  res.end(req.method === "HEAD" ? undefined : bytes);
  return true;
}

const TEXT = "text/plain; charset=utf-8";
const notFound = (req: IncomingMessage, res: Res) => send(req, res, 404, "Not found.\n", TEXT);

const escapeHtml = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);

/** 7.1.14: a plain directory listing (names relative to the folder, links absolute: the folder may be asked for without its slash). */
function listing(req: IncomingMessage, res: Res, folder: string, names: readonly string[]): true {
  const items = names.map((n) => `<li><a href="${escapeHtml(folder + n)}">${escapeHtml(n)}</a></li>`).join("\n");
  const html = `<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><title>Index of ${escapeHtml(folder)}</title></head>\n<body><h1>Index of ${escapeHtml(folder)}</h1>\n<ul>\n${items}\n</ul></body></html>\n`;
  return send(req, res, 200, html, "text/html; charset=utf-8");
}

/** A document's file under the TLP:WHITE folder: <year>/<name>.json, .json.sha256 or .json.asc. */
const documentPath = z
  .string()
  .regex(/^(\d{4})\/([a-z0-9+_-]{1,120}\.json)(\.sha256|\.asc)?$/)
  .transform((p) => {
    const m = /^(\d{4})\/([a-z0-9+_-]{1,120}\.json)(\.sha256|\.asc)?$/.exec(p)!;
    return { path: `${m[1]}/${m[2]}`, kind: (m[3] ?? "") as "" | ".sha256" | ".asc" };
  });

/** Answers the CSAF provider's paths; false for any other path. */
export function csafRoutes(req: IncomingMessage, res: Res, ip: string, pathname: string): boolean {
  if (pathname !== SECURITY_TXT_PATH && pathname !== CSAF_BASE_PATH && !pathname.startsWith(`${CSAF_BASE_PATH}/`))
    return false;
  if (req.method !== "GET" && req.method !== "HEAD") {
    res.writeHead(405, { Allow: "GET, HEAD", "Content-Type": TEXT, "Access-Control-Allow-Origin": "*" });
    res.end("Use GET.\n");
    return true;
  }
  const limit = hitPublicLimit("api", ip);
  if (!limit.allowed) {
    res.writeHead(429, { "Retry-After": String(limit.retryAfterSeconds), "Content-Type": TEXT });
    res.end(`${limit.message}\n`);
    return true;
  }
  return run(res, async () => {
    if (pathname === SECURITY_TXT_PATH) return send(req, res, 200, csafSecurityTxt(), TEXT, "public, max-age=3600");
    const rest = pathname.slice(CSAF_BASE_PATH.length).replace(/^\//, "");
    if (rest === "") return listing(req, res, `${CSAF_BASE_PATH}/`, ["provider-metadata.json", "white/", "openpgp/"]);
    if (rest === "provider-metadata.json")
      return send(req, res, 200, JSON.stringify(await csafProviderMetadata(), null, 2) + "\n", "application/json");
    if (rest === "openpgp" || rest === "openpgp/") {
      const key = await csafPublicKey();
      return listing(req, res, `${CSAF_BASE_PATH}/openpgp/`, [`${key.fingerprint}.asc`]);
    }
    const keyFile = /^openpgp\/([0-9A-Fa-f]{40})\.asc$/.exec(rest);
    if (keyFile) {
      const key = await csafPublicKey();
      if (keyFile[1].toUpperCase() !== key.fingerprint) return notFound(req, res);
      return send(req, res, 200, key.armored, "application/pgp-keys", "public, max-age=3600");
    }
    if (rest !== "white" && !rest.startsWith("white/")) return notFound(req, res);
    const white = rest.slice("white/".length);
    if (white === "") {
      const years = [...csafYears().keys()].sort().reverse();
      return listing(req, res, `${CSAF_WHITE_PATH}/`, ["index.txt", "changes.csv", ...years.map((y) => `${y}/`)]);
    }
    if (white === "index.txt") return send(req, res, 200, csafIndexTxt(), TEXT);
    if (white === "changes.csv") return send(req, res, 200, csafChangesCsv(), "text/csv; charset=utf-8");
    const year = /^(\d{4})\/?$/.exec(white);
    if (year) {
      const docs = csafYears().get(year[1]);
      if (!docs) return notFound(req, res);
      const names = docs.flatMap((d) => {
        const file = d.path.slice(5);
        return [file, `${file}.asc`, `${file}.sha256`];
      });
      return listing(req, res, `${CSAF_WHITE_PATH}/${year[1]}/`, names);
    }
    const file = documentPath.safeParse(white);
    if (!file.success) return notFound(req, res);
    const doc = publishedCsafDocument(file.data.path);
    if (!doc) return notFound(req, res);
    if (file.data.kind === ".sha256") return send(req, res, 200, csafSha256File(doc), TEXT);
    if (file.data.kind === ".asc") return send(req, res, 200, await csafSignature(doc), "application/pgp-signature");
    return send(req, res, 200, doc.bytes, "application/json");
  });
}
