/** What the custom server hands every loader and action besides the request. */
export interface RequestContext {
  nonce: string; // the CSP nonce of this response
  ip: string; // the client address (X-Forwarded-For only when TRUST_PROXY=true)
  requestId: string;
}

declare module "@remix-run/node" {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type -- module augmentation: Remix's context is ours
  interface AppLoadContext extends RequestContext {}
  interface Future {
    v3_singleFetch: true;
  }
}
