/**
 * Reads an uploaded seal certificate: its attached files and the text of its first page, with
 * pdfjs (the Node "legacy" build). Text extraction and attachments need no canvas; in Node pdfjs
 * runs its parser on the main thread (a "fake worker"), so no worker file is configured.
 *
 * Uploaded PDFs are hostile input: the magic bytes are checked first, pdfjs runs without eval,
 * system fonts or font loading, only page 1 is read, documents with many pages are refused and
 * the whole read gives up after a timeout. The timeout can only fire between pdfjs's steps: it
 * runs on this thread, so callers should also cap the upload size.
 */
import { getDocument, VerbosityLevel, type PDFDocumentProxy } from "pdfjs-dist/legacy/build/pdf.mjs";

export class PdfReadError extends Error {
  override readonly name = "PdfReadError";
}

export interface SealPdfContents {
  attachments: Map<string, Buffer>;
  pageText: string;
  pageCount: number;
}

/** A certificate is one page; more than this is not a certificate (and is not worth parsing). */
export const MAX_PAGES = 5;
export const READ_TIMEOUT_MS = 10_000;

export async function readSealPdf(bytes: Uint8Array, timeoutMs = READ_TIMEOUT_MS): Promise<SealPdfContents> {
  if (!hasPdfHeader(bytes)) throw new PdfReadError("This file is not a PDF.");
  const task = getDocument({
    data: new Uint8Array(bytes), // a copy: pdfjs refuses Buffers and may take ownership of the array
    verbosity: VerbosityLevel.ERRORS,
    isEvalSupported: false,
    useSystemFonts: false,
    disableFontFace: true,
    stopAtErrors: false,
  });
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new PdfReadError("Reading this PDF took too long; it may be damaged.")), timeoutMs);
  });
  try {
    return await Promise.race([task.promise.then(contents), timeout]);
  } catch (e) {
    if (e instanceof PdfReadError) throw e;
    throw new PdfReadError("This PDF cannot be read: it is damaged or not a complete PDF file.", { cause: e });
  } finally {
    clearTimeout(timer);
    await task.destroy(); // also destroys the document and frees its memory
  }
}

async function contents(pdf: PDFDocumentProxy): Promise<SealPdfContents> {
  const pageCount = pdf.numPages;
  if (pageCount > MAX_PAGES) throw new PdfReadError(`A seal certificate has one page; this PDF has ${pageCount}.`);

  const attachments = new Map<string, Buffer>();
  const found = ((await pdf.getAttachments()) ?? {}) as Record<string, { filename: string; content: Uint8Array | null }>;
  for (const [key, file] of Object.entries(found)) {
    if (file.content) attachments.set(file.filename || key, Buffer.from(file.content));
  }

  const page = await pdf.getPage(1);
  const text = await page.getTextContent();
  // pdfjs adds its own space items where glyphs on a line are apart, so items are joined as
  // they come, with a newline at each line end: text drawn touching reads as one word, as it looks.
  let pageText = "";
  for (const item of text.items) {
    if ("str" in item) pageText += item.str + (item.hasEOL ? "\n" : "");
  }
  return { attachments, pageText, pageCount };
}

function hasPdfHeader(bytes: Uint8Array): boolean {
  // Readers accept the header within the first KiB; a seal PDF starts with it.
  const head = Buffer.from(bytes.buffer, bytes.byteOffset, Math.min(bytes.byteLength, 1024)).toString("latin1");
  return head.includes("%PDF-");
}
