/**
 * The one check of where a request may send the browser next (no open redirect, no header
 * injection): pure, so the pages and the server use the same rule.
 */

const BASE = "http://same.invalid";

/**
 * Only same-site relative paths may be used as a post-login destination (no open redirect):
 * "/x" yes; "//evil", "/\\evil", "https://evil" no. The path comes back as the URL parser resolves
 * it, percent-encoded ("/✓" is "/%E2%9C%93"): a Location header holds only Latin-1, and anything
 * outside it made the redirect throw (a 500 after a successful login). Anything that does not
 * resolve to a path of this site gives `fallback`.
 */
export function safeRedirectPath(to: unknown, fallback: string): string {
  if (typeof to !== "string" || !to.startsWith("/") || to.startsWith("//") || to.startsWith("/\\")) {
    return fallback;
  }
  if (/[\u0000-\u001f\u007f]/.test(to)) return fallback;
  try {
    const url = new URL(to, BASE);
    if (url.origin !== BASE) return fallback;
    const path = url.pathname + url.search + url.hash;
    // What the parser leaves unencoded is ASCII; checked anyway, so a header can always hold it.
    return /^\/(?![/\\])[\u0021-\u007e]*$/.test(path) ? path : fallback;
  } catch {
    return fallback;
  }
}

/**
 * A form's `next` step (a requirement's ref, say) that may be put into a redirect path as one
 * segment: letters, digits, `_`, `.` and `-`, at most 64 characters, and not a dot segment ("." or
 * "..", which would move up the path). Null for anything else.
 */
export function safeNext(next: unknown): string | null {
  return typeof next === "string" && /^[\w.-]{1,64}$/.test(next) && next !== "." && next !== ".." ? next : null;
}
