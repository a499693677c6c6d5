/**
 * The HTTP headers of the public artefacts a verifier fetches (keys, issuer metadata, status lists,
 * the log, credentials and PDFs, the seal answers, CSAF files, the JSON-LD context; the linksets'
 * are resolutionHeaders in gs1-resolver.server.ts), in
 * one place: the portal's routes send them, and the static publication (decision record 028)
 * writes them to its `_headers` manifest and to each S3 object, so a static host answers a path
 * as the portal does. Pure: no I/O.
 */
import { statusListCacheControl, STATUS_LIST_TTL_MS } from "../../trust/domain/status-credential";

export type ArtefactHeaders = Readonly<Record<string, string>>;

const CORS = { "Access-Control-Allow-Origin": "*" } as const;
const JSON_UTF8 = "application/json; charset=utf-8";
const TEXT_UTF8 = "text/plain; charset=utf-8";
const IMMUTABLE = "public, max-age=31536000, immutable";

/** /.well-known/jwks.json: every key the issuer ever signed with. */
export const JWKS_HEADERS: ArtefactHeaders = {
  "Content-Type": JSON_UTF8,
  "Cache-Control": "public, max-age=300",
  ...CORS,
};
/** /.well-known/jwt-vc-issuer: SD-JWT VC issuer metadata. */
export const ISSUER_METADATA_HEADERS: ArtefactHeaders = {
  "Content-Type": JSON_UTF8,
  "Cache-Control": "public, max-age=3600",
  ...CORS,
};
/** /contexts/seal/v1.jsonld: the same bytes forever. */
export const SEAL_CONTEXT_HEADERS: ArtefactHeaders = {
  "Content-Type": "application/ld+json",
  "Cache-Control": IMMUTABLE,
  ...CORS,
};
/** /s/<serial>/credential: the bare compact JWS. */
export const CREDENTIAL_HEADERS: ArtefactHeaders = {
  "Content-Type": "application/vc+jwt",
  "Cache-Control": "public, max-age=3600",
  ...CORS,
};
/** /s/<serial>/seal.pdf: the certificate as issued. */
export const SEAL_PDF_HEADERS: ArtefactHeaders = {
  "Content-Type": "application/pdf",
  "Cache-Control": "public, max-age=86400",
  ...CORS,
};
/** /api/v1/seals/<serial>: the seal's live answer (revalidated on every use). */
export const SEAL_API_HEADERS: ArtefactHeaders = { "Content-Type": JSON_UTF8, "Cache-Control": "no-cache", ...CORS };
/** /log/checkpoint: the newest signed tree head, revalidated on every use. */
export const CHECKPOINT_HEADERS: ArtefactHeaders = { "Content-Type": TEXT_UTF8, "Cache-Control": "no-cache", ...CORS };
/** /log/keys: the log's note verifier keys. */
export const LOG_KEYS_HEADERS: ArtefactHeaders = {
  "Content-Type": TEXT_UTF8,
  "Cache-Control": "public, max-age=300",
  ...CORS,
};
/** /log/tile/…: tiles and entry bundles never change once they exist. */
export const TILE_HEADERS: ArtefactHeaders = {
  "Content-Type": "application/octet-stream",
  "Cache-Control": IMMUTABLE,
  ...CORS,
};
/** /.well-known/gs1resolver: the resolver description. */
export const GS1_RESOLVER_HEADERS: ArtefactHeaders = ISSUER_METADATA_HEADERS;

/** The CSAF provider's files: cacheable for minutes (keys and security.txt for an hour), CORS open, never sniffed. */
export function csafHeaders(contentType: string, cacheControl = "public, max-age=300"): ArtefactHeaders {
  return { "Content-Type": contentType, "Cache-Control": cacheControl, ...CORS, "X-Content-Type-Options": "nosniff" };
}

/** The status list headers the portal sends, given how long the list it sends stays fresh and valid. */
export function statusListHeaders(p: { freshSeconds: number; validForSeconds: number }): ArtefactHeaders {
  return { "Content-Type": "application/vc+jwt", "Cache-Control": statusListCacheControl(p), ...CORS };
}

/**
 * How often a static publication must replace its status lists, and the headers it gives them.
 * The portal re-signs a list once it is half its TTL old and tells caches how long the copy it
 * sends has left; a static file's headers are fixed when written, and the file is served until the
 * next one replaces it (at most half the TTL plus one publication interval after it was signed).
 * So a shared cache may keep it only for what is left of its validity at that latest moment:
 * nothing is ever served past its validUntil, stale-if-error included.
 */
export function publishedStatusListHeaders(publishEveryMs: number): ArtefactHeaders {
  const validForSeconds = Math.max(0, Math.floor((STATUS_LIST_TTL_MS / 2 - publishEveryMs) / 1000));
  return statusListHeaders({ freshSeconds: validForSeconds, validForSeconds });
}
