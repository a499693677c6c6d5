import type { LoaderFunctionArgs } from "@remix-run/node";
import { requireWithinPageLimit } from "../platform/http/rate-limits.server";
import { publicSealView } from "../features/certification/seals.server";
import { CREDENTIAL_HEADERS } from "../features/public/domain/artefact-headers";

/**
 * The seal's credential: the bare compact JWS (RFC 7515 section 7.1, no trailing newline),
 * byte-identical to the PDF's attachment and to what the log leaf hashes. CORS open, so a
 * browser verifier on another origin can fetch it.
 */
export async function loader({ params, context }: LoaderFunctionArgs) {
  requireWithinPageLimit(context);
  const view = await publicSealView(params.serial ?? "");
  if (!view)
    return new Response("No seal has this serial.\n", {
      status: 404,
      // CORS open like the answer it stands for: a browser verifier on another origin reads the 404. Not kept by a
      // cache or CDN in front of the portal (a 404 is cacheable by default): the serial may be issued later.
      headers: {
        "Content-Type": "text/plain; charset=utf-8",
        "Access-Control-Allow-Origin": "*",
        "Cache-Control": "no-store",
      },
    });
  return new Response(view.jws, {
    headers: { ...CREDENTIAL_HEADERS, "Content-Disposition": `attachment; filename="${view.serial}.vc.jwt"` },
  });
}
