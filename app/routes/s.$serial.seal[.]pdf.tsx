import type { LoaderFunctionArgs } from "@remix-run/node";
import { requireWithinPageLimit } from "../platform/http/rate-limits.server";
import { sealPdf } from "../features/certification/seals.server";
import { SEAL_PDF_HEADERS } from "../features/public/domain/artefact-headers";

/** The seal's certificate, exactly as issued (its SHA-256 is in the audit log and the ETag). */
export async function loader({ params, request, context }: LoaderFunctionArgs) {
  requireWithinPageLimit(context);
  const found = sealPdf(params.serial ?? "");
  if (!found)
    return new Response("No seal certificate has this serial.\n", {
      status: 404,
      // CORS open like the answer it stands for: a browser verifier on another origin reads the 404.
      headers: { "Content-Type": "text/plain; charset=utf-8", "Access-Control-Allow-Origin": "*" },
    });
  const etag = `"${found.sha256}"`;
  const headers = {
    // Public, and fetched by browser verifiers on other origins (CORS open).
    ...SEAL_PDF_HEADERS,
    "Content-Disposition": `${new URL(request.url).searchParams.has("inline") ? "inline" : "attachment"}; filename="IoT-Seal-${found.serial}.pdf"`,
    ETag: etag,
  };
  if (request.headers.get("if-none-match") === etag) return new Response(null, { status: 304, headers });
  return new Response(new Uint8Array(found.pdf), {
    headers: { ...headers, "Content-Length": String(found.pdf.length) },
  });
}
