// The PDF reader's worker thread (see pdf-read.server.ts). pdfjs-dist's Node build installs
// polyfills over JSON, Array.prototype.push and Uint8Array for its whole realm; here that realm
// is this worker, not the server. Hostile PDFs are parsed here too, off the server's event loop,
// and a read that runs too long is ended by terminating this thread.
import { parentPort, workerData } from "node:worker_threads";

const { getDocument, VerbosityLevel } = await import(workerData.pdfjsUrl);
const MAX_PAGES = workerData.maxPages;

class ReadError extends Error {}

async function read(bytes) {
  const task = getDocument({
    data: bytes,
    verbosity: VerbosityLevel.ERRORS,
    isEvalSupported: false,
    useSystemFonts: false,
    disableFontFace: true,
    stopAtErrors: false,
  });
  try {
    const pdf = await task.promise;
    const pageCount = pdf.numPages;
    if (pageCount > MAX_PAGES) throw new ReadError(`A seal certificate has one page; this PDF has ${pageCount}.`);
    const attachments = [];
    const found = (await pdf.getAttachments()) ?? {};
    for (const [key, file] of Object.entries(found)) {
      if (file.content) attachments.push([file.filename || key, file.content]);
    }
    const page = await pdf.getPage(1);
    const text = await page.getTextContent();
    // pdfjs adds its own space items where glyphs on a line are apart, so items are joined as
    // they come, with a newline at each line end: text drawn touching reads as one word, as it looks.
    let pageText = "";
    for (const item of text.items) if ("str" in item) pageText += item.str + (item.hasEOL ? "\n" : "");
    return { attachments, pageText, pageCount };
  } finally {
    await task.destroy();
  }
}

// pdfjs is loaded: said once, for a reader started ahead of its first read (warmPdfReader).
parentPort.postMessage({ ready: true });

parentPort.on("message", async ({ id, bytes }) => {
  try {
    const result = await read(new Uint8Array(bytes));
    parentPort.postMessage(
      { id, ok: true, ...result },
      result.attachments.map(([, c]) => c.buffer).filter((b, i, all) => all.indexOf(b) === i),
    );
  } catch (e) {
    parentPort.postMessage({ id, ok: false, message: e instanceof ReadError ? e.message : null });
  }
});
