/**
 * Refusals in a resource route (a route without a page: a download, a feed, an upload endpoint).
 * requirePermission and notFound throw `data({ message }, { status })`, which a page route shows on
 * its error page; Remix cannot do that for a route without a page and answers "Unexpected Server
 * Error" instead. Wrapped in `answeringRefusals`, such a refusal is answered as JSON with its
 * status and message ({"message": "This page is for retail buyers…"}); anything else goes on as thrown.
 */

interface ThrownData {
  type: "DataWithResponseInit";
  data: unknown;
  init: ResponseInit | null;
}

function isThrownData(e: unknown): e is ThrownData {
  return typeof e === "object" && e !== null && (e as { type?: unknown }).type === "DataWithResponseInit";
}

export async function answeringRefusals(answer: () => Promise<Response>): Promise<Response> {
  try {
    return await answer();
  } catch (e) {
    if (isThrownData(e)) return Response.json(e.data, { ...e.init, headers: { "Cache-Control": "no-store" } });
    throw e;
  }
}
