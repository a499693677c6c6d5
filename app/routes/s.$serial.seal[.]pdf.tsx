import type { LoaderFunctionArgs } from "@remix-run/node";
import { requireWithinPageLimit } from "../platform/http/rate-limits.server";
import { missingCertificate, sealPdf } from "../features/certification/seals.server";
import { SEAL_PDF_HEADERS } from "../features/public/domain/artefact-headers";

/** The seal's certificate, exactly as issued (its SHA-256 is in the audit log's seal.certificate_stored entry and the ETag). */
export async function loader({ params, request, context }: LoaderFunctionArgs) {
  requireWithinPageLimit(context);
  const found = sealPdf(params.serial ?? "");
  if (!found) {
    // CORS open like the answer it stands for: a browser verifier on another origin reads the refusal. Not kept by a
    // cache or CDN in front of the portal (a 404 is cacheable by default): the serial may be issued later.
    const headers = {
      "Content-Type": "text/plain; charset=utf-8",
      "Access-Control-Allow-Origin": "*",
      "Cache-Control": "no-store",
    };
    const missing = missingCertificate(params.serial ?? "");
    if (missing?.pending)
      return new Response(`The certificate of seal ${missing.serial} is not stored yet. Try again in a minute.\n`, {
        status: 503,
        headers: { ...headers, "Retry-After": "60", "Cache-Control": "no-store" },
      });
    if (missing)
      return new Response(
        `Seal ${missing.serial} was issued before certificates were made: it has no PDF. Its page and its credential verify it.\n`,
        { status: 404, headers },
      );
    return new Response("No seal certificate has this serial.\n", { status: 404, headers });
  }
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
