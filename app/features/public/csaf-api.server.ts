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
import { csafHeaders, type ArtefactHeaders } from "./domain/artefact-headers";

type Res = ServerResponse;

/** A CSAF provider file as served: its bytes and headers (see domain/artefact-headers.ts). */
export interface CsafFile {
  bytes: Buffer;
  headers: ArtefactHeaders;
}

const TEXT = "text/plain; charset=utf-8";
const HOURLY = "public, max-age=3600";

const file = (body: string | Buffer, contentType: string, cache?: string): CsafFile => ({
  bytes: typeof body === "string" ? Buffer.from(body, "utf8") : body,
  headers: csafHeaders(contentType, cache),
});

function send(req: IncomingMessage, res: Res, status: number, f: CsafFile): true {
  res.writeHead(status, {
    ...f.headers,
    "Content-Length": f.bytes.length,
    ...(status === 200 ? {} : { "Cache-Control": "no-store" }),
  });
  res.end(req.method === "HEAD" ? undefined : f.bytes);
  return true;
}

const notFound = (req: IncomingMessage, res: Res) => send(req, res, 404, file("Not found.\n", TEXT));

const escapeHtml = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);

/** 7.1.14: a plain directory listing (names relative to the folder, links absolute: the folder may be asked for without its slash). */
function listing(folder: string, names: readonly string[]): CsafFile {
  const items = names.map((n) => `<li><a href="${escapeHtml(folder + n)}">${escapeHtml(n)}</a></li>`).join("\n");
  const html = `<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><title>Index of ${escapeHtml(folder)}</title></head>\n<body><h1>Index of ${escapeHtml(folder)}</h1>\n<ul>\n${items}\n</ul></body></html>\n`;
  return file(html, "text/html; charset=utf-8");
}

/** A document's file under the TLP:WHITE folder: <year>/<name>.json, .json.sha256 or .json.asc. */
const documentPath = z
  .string()
  .regex(/^(\d{4})\/([a-z0-9+_-]{1,120}\.json)(\.sha256|\.asc)?$/)
  .transform((p) => {
    const m = /^(\d{4})\/([a-z0-9+_-]{1,120}\.json)(\.sha256|\.asc)?$/.exec(p)!;
    return { path: `${m[1]}/${m[2]}`, kind: (m[3] ?? "") as "" | ".sha256" | ".asc" };
  });

/**
 * The CSAF provider's file at `pathname` (security.txt, or a path under /.well-known/csaf/; a
 * folder, with or without its final slash, is its listing), or null when there is none.
 */
export async function csafFile(pathname: string): Promise<CsafFile | null> {
  if (pathname === SECURITY_TXT_PATH) return file(csafSecurityTxt(), TEXT, HOURLY);
  if (pathname !== CSAF_BASE_PATH && !pathname.startsWith(`${CSAF_BASE_PATH}/`)) return null;
  const rest = pathname.slice(CSAF_BASE_PATH.length).replace(/^\//, "");
  if (rest === "") return listing(`${CSAF_BASE_PATH}/`, ["provider-metadata.json", "white/", "openpgp/"]);
  if (rest === "provider-metadata.json")
    return file(JSON.stringify(await csafProviderMetadata(), null, 2) + "\n", "application/json");
  if (rest === "openpgp" || rest === "openpgp/") {
    const key = await csafPublicKey();
    return listing(`${CSAF_BASE_PATH}/openpgp/`, [`${key.fingerprint}.asc`]);
  }
  const keyFile = /^openpgp\/([0-9A-Fa-f]{40})\.asc$/.exec(rest);
  if (keyFile) {
    const key = await csafPublicKey();
    if (keyFile[1].toUpperCase() !== key.fingerprint) return null;
    return file(key.armored, "application/pgp-keys", HOURLY);
  }
  if (rest !== "white" && !rest.startsWith("white/")) return null;
  const white = rest.slice("white/".length);
  if (white === "") {
    const years = [...csafYears().keys()].sort().reverse();
    return listing(`${CSAF_WHITE_PATH}/`, ["index.txt", "changes.csv", ...years.map((y) => `${y}/`)]);
  }
  if (white === "index.txt") return file(csafIndexTxt(), TEXT);
  if (white === "changes.csv") return file(csafChangesCsv(), "text/csv; charset=utf-8");
  const year = /^(\d{4})\/?$/.exec(white);
  if (year) {
    const docs = csafYears().get(year[1]);
    if (!docs) return null;
    const names = docs.flatMap((d) => {
      const name = d.path.slice(5);
      return [name, `${name}.asc`, `${name}.sha256`];
    });
    return listing(`${CSAF_WHITE_PATH}/${year[1]}/`, names);
  }
  const doc = documentPath.safeParse(white);
  if (!doc.success) return null;
  const published = publishedCsafDocument(doc.data.path);
  if (!published) return null;
  if (doc.data.kind === ".sha256") return file(csafSha256File(published), TEXT);
  if (doc.data.kind === ".asc") return file(await csafSignature(published), "application/pgp-signature");
  return file(published.bytes, "application/json");
}

/**
 * Every path of the CSAF provider (folders end in "/"), with the version of each document file
 * (its SHA-256: a signature is made again only when its document changed). For the static
 * publication (decision record 028).
 */
export async function csafPaths(): Promise<{ path: string; version?: string }[]> {
  const key = await csafPublicKey();
  const years = csafYears();
  const out: { path: string; version?: string }[] = [
    { path: SECURITY_TXT_PATH },
    { path: `${CSAF_BASE_PATH}/openpgp/${key.fingerprint}.asc` },
    { path: `${CSAF_BASE_PATH}/openpgp/` },
  ];
  for (const [y, docs] of years) {
    for (const d of docs) {
      const p = `${CSAF_WHITE_PATH}/${d.path}`;
      out.push({ path: p, version: d.sha256 }, { path: `${p}.sha256`, version: d.sha256 });
      out.push({ path: `${p}.asc`, version: `${d.sha256}:${key.fingerprint}` });
    }
    out.push({ path: `${CSAF_WHITE_PATH}/${y}/` });
  }
  // The indexes after the documents they list, the provider metadata last.
  out.push(
    { path: `${CSAF_WHITE_PATH}/index.txt` },
    { path: `${CSAF_WHITE_PATH}/changes.csv` },
    { path: `${CSAF_WHITE_PATH}/` },
    { path: `${CSAF_BASE_PATH}/` },
    { path: `${CSAF_BASE_PATH}/provider-metadata.json` },
  );
  return out;
}

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
    res.writeHead(429, {
      "Retry-After": String(limit.retryAfterSeconds),
      "Content-Type": TEXT,
      "Access-Control-Allow-Origin": "*",
    });
    res.end(`${limit.message}\n`);
    return true;
  }
  return run(res, async () => {
    const found = await csafFile(pathname);
    return found ? send(req, res, 200, found) : notFound(req, res);
  });
}
