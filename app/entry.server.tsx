/**
 * Server rendering (streamed, bots get the whole document), with the CSP nonce of the request.
 * The custom server (server.mjs) also takes `startup` from here, so that the portal and its
 * start-up work share one copy of every module (one database connection, one key store).
 */
import "./platform/zod-messages"; // plain words for zod's size checks, in every parse
import { PassThrough } from "node:stream";
import type { AppLoadContext, EntryContext, HandleErrorFunction } from "@remix-run/node";
import { createReadableStreamFromReadable } from "@remix-run/node";
import { isRouteErrorResponse, RemixServer } from "@remix-run/react";
import { isbot } from "isbot";
import { renderToPipeableStream } from "react-dom/server";
import { NonceContext } from "./platform/http/nonce";

export { startup, shutdown, warmUp } from "./startup.server";
export { FAST_ROUTES, fastRoutes } from "./fast-routes.server";
export { superviseWorkers } from "./platform/cluster.server";
export { tusUploads } from "./features/certification/evidence-tus.server";

export const streamTimeout = 5_000;

export default function handleRequest(
  request: Request,
  responseStatusCode: number,
  responseHeaders: Headers,
  remixContext: EntryContext,
  loadContext: AppLoadContext,
) {
  const nonce = loadContext?.nonce ?? "";
  const waitForAll = isbot(request.headers.get("user-agent") ?? "") || remixContext.isSpaMode;
  return new Promise((resolve, reject) => {
    let shellRendered = false;
    const { pipe, abort } = renderToPipeableStream(
      <NonceContext.Provider value={nonce}>
        <RemixServer context={remixContext} url={request.url} nonce={nonce} />
      </NonceContext.Provider>,
      {
        nonce,
        [waitForAll ? "onAllReady" : "onShellReady"]() {
          shellRendered = true;
          const body = new PassThrough();
          responseHeaders.set("Content-Type", "text/html; charset=utf-8");
          resolve(
            new Response(createReadableStreamFromReadable(body), {
              headers: responseHeaders,
              status: responseStatusCode,
            }),
          );
          pipe(body);
        },
        onShellError(error: unknown) {
          reject(error);
        },
        onError(error: unknown) {
          responseStatusCode = 500;
          if (shellRendered) console.error(error);
        },
      },
    );
    setTimeout(abort, streamTimeout + 1000);
  });
}

/** Unexpected errors are logged on the server with the request id; the user sees a friendly page. */
export const handleError: HandleErrorFunction = (error, { request }) => {
  // Thrown responses (403, 404, ...) are answers, not failures.
  if (request.signal.aborted || isRouteErrorResponse(error)) return;
  console.error(`[error] ${request.method} ${new URL(request.url).pathname}:`, error);
};
