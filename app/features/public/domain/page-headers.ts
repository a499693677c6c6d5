/**
 * How caches may keep the portal's HTML pages (the Remix document responses and their single-fetch
 * data): the root route's `headers` applies it to every page, since a route without a `headers`
 * export of its own inherits its parent's (Remix v2). The machine answers (credentials, keys, status
 * lists, linksets, the APIs: resource routes and the fast routes) keep their own headers
 * (artefact-headers.ts): this never touches them. Pure: no I/O.
 *
 * - No session: `no-cache`. A page tells a seal's live status (a revoked seal must never be shown
 *   "Valid" from a cache), so any cache, a CDN with a default TTL included, asks the portal every time.
 * - A session: `private, no-store`. The page is that user's (the header names them; a buyer's
 *   policies, a supplier's products): no shared cache may keep it, no browser may store it.
 * - Both `Vary: Cookie`: the same address answers differently with a session cookie.
 */

export const PUBLIC_PAGE_CACHE_CONTROL = "no-cache";
export const PRIVATE_PAGE_CACHE_CONTROL = "private, no-store";

/** The cache headers of an HTML page, for a request with a user's session or without one. */
export function pageCacheHeaders(signedIn: boolean): Record<string, string> {
  return { "Cache-Control": signedIn ? PRIVATE_PAGE_CACHE_CONTROL : PUBLIC_PAGE_CACHE_CONTROL, Vary: "Cookie" };
}

/**
 * The root route's document headers, from its loader's headers (pageCacheHeaders) and, for an error
 * page, the error's: a refusal's Retry-After (a 429 from the rate limits) is kept. A page whose root
 * loader did not answer (it failed) is kept by no cache.
 */
export function rootDocumentHeaders({
  loaderHeaders,
  errorHeaders,
}: {
  loaderHeaders: Headers;
  errorHeaders?: Headers;
}): Record<string, string> {
  const out: Record<string, string> = {
    "Cache-Control": loaderHeaders.get("Cache-Control") ?? PRIVATE_PAGE_CACHE_CONTROL,
    Vary: loaderHeaders.get("Vary") ?? "Cookie",
  };
  const retryAfter = errorHeaders?.get("Retry-After");
  if (retryAfter) out["Retry-After"] = retryAfter;
  return out;
}

/**
 * The `headers` of a page whose form a rate limit may refuse (its action answers 429 with
 * Retry-After: logins, sign-ups, password changes and reset requests, bulk checks): the root's
 * headers (parentHeaders) and the action's Retry-After, which the page would otherwise lose (a
 * route's document headers are its own `headers` export's, or else its parent's, never its
 * action's).
 */
export function rateLimitedFormHeaders({
  parentHeaders,
  actionHeaders,
}: {
  parentHeaders: Headers;
  actionHeaders: Headers;
}): Headers {
  const out = new Headers(parentHeaders);
  const retryAfter = actionHeaders.get("Retry-After");
  if (retryAfter) out.set("Retry-After", retryAfter);
  return out;
}
