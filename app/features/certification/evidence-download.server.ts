/**
 * The HTTP answer for an evidence file (submission evidence and recurring evidence alike): the
 * sniffed type, the original name for the download (its extension made to agree with the sniffed
 * type: downloadFileName), a strict sandbox, no caching, and `?inline=1` previews of PDFs and
 * images that only the portal's own pages may frame.
 */
import { createReadableStreamFromReadable } from "@remix-run/node";
import type { Readable } from "node:stream";
import { downloadFileName } from "./domain/evidence-type";

/** RFC 6266 / 5987: an ASCII fallback and the exact UTF-8 name. */
function contentDisposition(kind: "attachment" | "inline", name: string): string {
  const ascii = name.replace(/[^\x20-\x7e]/g, "_").replace(/["\\]/g, "_");
  return `${kind}; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name)}`;
}

const INLINE = new Set(["application/pdf", "image/png", "image/jpeg"]);

export function evidenceResponse(
  request: Request,
  file: { stream: Readable; mediaType: string; size: number; originalName: string; sha256: string },
): Response {
  const inline = new URL(request.url).searchParams.get("inline") === "1" && INLINE.has(file.mediaType);
  return new Response(createReadableStreamFromReadable(file.stream), {
    headers: {
      "Content-Type":
        file.mediaType === "text/plain" || file.mediaType === "text/csv"
          ? `${file.mediaType}; charset=utf-8`
          : file.mediaType,
      "Content-Length": String(file.size),
      "Content-Disposition": contentDisposition(
        inline ? "inline" : "attachment",
        downloadFileName(file.originalName, file.mediaType),
      ),
      "X-Content-Type-Options": "nosniff",
      // Previews may be framed by the portal's own pages (a PDF in the review page); nothing else runs.
      "Content-Security-Policy":
        inline && file.mediaType === "application/pdf"
          ? "default-src 'none'; object-src 'self'; frame-ancestors 'self'"
          : "sandbox; default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; frame-ancestors 'self'",
      "X-Frame-Options": "SAMEORIGIN",
      "Cache-Control": "private, no-store",
      "X-Evidence-SHA256": file.sha256,
    },
  });
}
