import type { LoaderFunctionArgs } from "@remix-run/node";
import { requireWithinPageLimit } from "../platform/http/rate-limits.server";
import { publicSealView } from "../features/certification/seals.server";

/** The seal's credential (compact JWS), exactly as signed. */
export async function loader({ params, context }: LoaderFunctionArgs) {
  requireWithinPageLimit(context);
  const view = await publicSealView(params.serial ?? "");
  if (!view)
    return new Response("No seal has this serial.\n", {
      status: 404,
      headers: { "Content-Type": "text/plain; charset=utf-8" },
    });
  return new Response(view.jws + "\n", {
    headers: {
      "Content-Type": "application/vc+jwt",
      "Content-Disposition": `attachment; filename="${view.serial}.vc.jwt"`,
      "Cache-Control": "public, max-age=3600",
    },
  });
}
