import type { LoaderFunctionArgs } from "@remix-run/node";
import { createReadableStreamFromReadable } from "@remix-run/node";
import { requireUser } from "../lib/session.server";
import { openEvidence } from "../services/evidence.server";
import { ServiceError } from "../services/errors.server";

/** RFC 6266 / 5987: an ASCII fallback and the exact UTF-8 name. */
function contentDisposition(kind: "attachment" | "inline", name: string): string {
  const ascii = name.replace(/[^\x20-\x7e]/g, "_").replace(/["\\]/g, "_");
  return `${kind}; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name)}`;
}

const INLINE = new Set(["application/pdf", "image/png", "image/jpeg"]);

/** Downloads one evidence file: the supplier's own organisation and assessors only. ?inline=1 previews PDFs and images. */
export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const user = await requireUser(request, context);
  let file;
  try {
    file = openEvidence(user, params.linkId ?? "");
  } catch (e) {
    if (e instanceof ServiceError) throw new Response(e.message, { status: e.status });
    throw e;
  }
  const inline = new URL(request.url).searchParams.get("inline") === "1" && INLINE.has(file.mediaType);
  return new Response(createReadableStreamFromReadable(file.stream), {
    headers: {
      "Content-Type": file.mediaType === "text/plain" || file.mediaType === "text/csv" ? `${file.mediaType}; charset=utf-8` : file.mediaType,
      "Content-Length": String(file.size),
      "Content-Disposition": contentDisposition(inline ? "inline" : "attachment", file.originalName),
      "X-Content-Type-Options": "nosniff",
      // Previews may be framed by the portal's own pages (a PDF in the review page); nothing else runs.
      "Content-Security-Policy":
        inline && file.mediaType === "application/pdf" ? "default-src 'none'; object-src 'self'; frame-ancestors 'self'" : "sandbox; default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; frame-ancestors 'self'",
      "X-Frame-Options": "SAMEORIGIN",
      "Cache-Control": "private, no-store",
      "X-Evidence-SHA256": file.sha256,
    },
  });
}
