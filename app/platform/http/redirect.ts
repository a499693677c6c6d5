/**
 * The one check of where a request may send the browser next (no open redirect, no header
 * injection): pure, so the pages and the server use the same rule.
 */

/**
 * Only same-site relative paths may be used as a post-login destination (no open redirect):
 * "/x" yes; "//evil", "/\\evil", "https://evil" no.
 */
export function safeRedirectPath(to: unknown, fallback: string): string {
  if (typeof to !== "string" || !to.startsWith("/") || to.startsWith("//") || to.startsWith("/\\")) {
    return fallback;
  }
  if (/[\u0000-\u001f]/.test(to)) return fallback;
  return to;
}

/**
 * A form's `next` step (a requirement's ref, say) that may be put into a redirect path as one
 * segment: letters, digits, `_`, `.` and `-`, at most 64 characters, and not a dot segment ("." or
 * "..", which would move up the path). Null for anything else.
 */
export function safeNext(next: unknown): string | null {
  return typeof next === "string" && /^[\w.-]{1,64}$/.test(next) && next !== "." && next !== ".." ? next : null;
}
