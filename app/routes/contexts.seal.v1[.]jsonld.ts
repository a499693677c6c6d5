import { SEAL_CONTEXT_DOCUMENT, SEAL_CONTEXT_SHA256 } from "../features/trust/domain/seal-context";
import { SEAL_CONTEXT_HEADERS } from "../features/public/domain/artefact-headers";

/**
 * The seal credential's JSON-LD context (issue 17; decision record 017): the same bytes forever
 * (their SHA-256 is pinned in SEAL_CONTEXT_SHA256 and the README), so any cache may keep them.
 * CORS open, so a JSON-LD processor in a browser on another origin can load it.
 */
export function loader() {
  return new Response(SEAL_CONTEXT_DOCUMENT, {
    headers: { ...SEAL_CONTEXT_HEADERS, ETag: `"sha256-${SEAL_CONTEXT_SHA256}"` },
  });
}
