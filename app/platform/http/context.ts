/** What the custom server hands every loader and action besides the request. */
export interface RequestContext {
  nonce: string; // the CSP nonce of this response
  ip: string; // the client address (X-Forwarded-For only when TRUST_PROXY=true)
  requestId: string;
}

declare module "@remix-run/node" {
  interface AppLoadContext extends RequestContext {}
  interface Future {
    v3_singleFetch: true;
  }
}
