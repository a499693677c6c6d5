import { SEAL_CONTEXT_DOCUMENT, SEAL_CONTEXT_SHA256 } from "../features/trust/domain/seal-context";

/**
 * The seal credential's JSON-LD context (issue 17; decision record 017): the same bytes forever
 * (their SHA-256 is pinned in SEAL_CONTEXT_SHA256 and the README), so any cache may keep them.
 * CORS open, so a JSON-LD processor in a browser on another origin can load it.
 */
export function loader() {
  return new Response(SEAL_CONTEXT_DOCUMENT, {
    headers: {
      "Content-Type": "application/ld+json",
      "Access-Control-Allow-Origin": "*",
      "Cache-Control": "public, max-age=31536000, immutable",
      ETag: `"sha256-${SEAL_CONTEXT_SHA256}"`,
    },
  });
}
