/**
 * Reads an uploaded seal certificate: its attached files and the text of its first page, with
 * pdfjs (the Node "legacy" build, no canvas needed) running in a worker thread
 * (pdf-read.worker.mjs). The worker keeps pdfjs's global polyfills out of the server (they slow
 * JSON and base64 for every request) and hostile input off the event loop: the magic bytes are
 * checked first, pdfjs runs without eval, system fonts or font loading, only page 1 is read,
 * documents with many pages are refused, the worker's heap is capped, and a read that takes too
 * long is ended by terminating the worker (a new one starts for the next read).
 */
import fs from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { Worker } from "node:worker_threads";

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
const WORKER_HEAP_MB = 256;

type Reply =
  | { id: number; ok: true; attachments: [string, Uint8Array][]; pageText: string; pageCount: number }
  | { id: number; ok: false; message: string | null };
interface Pending {
  worker: Worker;
  resolve: (r: SealPdfContents) => void;
  reject: (e: Error) => void;
  timer: NodeJS.Timeout;
}

/** The worker script, found from wherever this module runs (sources under vitest/tsx, or the bundled build). */
function workerFile(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    for (const candidate of [
      path.join(dir, "pdf-read.worker.mjs"),
      path.join(dir, "app", "features", "trust", "adapters", "pdf-read.worker.mjs"),
    ]) {
      if (fs.existsSync(candidate)) return candidate;
    }
    dir = path.dirname(dir);
  }
  throw new Error("app/features/trust/adapters/pdf-read.worker.mjs is missing");
}

let worker: Worker | undefined;
const pending = new Map<number, Pending>();
let nextId = 1;

/** Fails the reads in flight on worker `w` (a replacement worker's reads are not affected). */
function failAll(w: Worker, error: Error): void {
  for (const [id, p] of pending) {
    if (p.worker !== w) continue;
    pending.delete(id);
    clearTimeout(p.timer);
    p.reject(error);
  }
}

function theWorker(): Worker {
  if (worker) return worker;
  const pdfjsUrl = pathToFileURL(createRequire(import.meta.url).resolve("pdfjs-dist/legacy/build/pdf.mjs")).href;
  const w = new Worker(workerFile(), {
    workerData: { pdfjsUrl, maxPages: MAX_PAGES },
    resourceLimits: { maxOldGenerationSizeMb: WORKER_HEAP_MB },
  });
  w.on("message", (reply: Reply) => {
    const p = pending.get(reply.id);
    if (!p) return;
    pending.delete(reply.id);
    clearTimeout(p.timer);
    if (![...pending.values()].some((q) => q.worker === w)) w.unref();
    if (reply.ok)
      p.resolve({
        attachments: new Map(reply.attachments.map(([name, content]) => [name, Buffer.from(content)])),
        pageText: reply.pageText,
        pageCount: reply.pageCount,
      });
    else
      p.reject(new PdfReadError(reply.message ?? "This PDF cannot be read: it is damaged or not a complete PDF file."));
  });
  const gone = (why: string) => {
    if (worker === w) worker = undefined;
    failAll(w, new PdfReadError(why));
  };
  w.on("error", () => gone("This PDF could not be read (the reader failed on it); it may be damaged."));
  w.on("exit", () => gone("The PDF reader stopped; try again."));
  w.unref(); // an idle reader never keeps the process alive
  worker = w;
  return w;
}

export async function readSealPdf(bytes: Uint8Array, timeoutMs = READ_TIMEOUT_MS): Promise<SealPdfContents> {
  if (!hasPdfHeader(bytes)) throw new PdfReadError("This file is not a PDF.");
  const w = theWorker();
  const id = nextId++;
  const copy = new Uint8Array(bytes); // transferred to the worker; the caller keeps its bytes
  return new Promise<SealPdfContents>((resolve, reject) => {
    const timer = setTimeout(() => {
      pending.delete(id);
      reject(new PdfReadError("Reading this PDF took too long; it may be damaged."));
      // The worker may be stuck in one long step: end it (other reads in flight fail too).
      if (worker === w) worker = undefined;
      void w.terminate();
    }, timeoutMs);
    pending.set(id, { worker: w, resolve, reject, timer });
    w.ref();
    w.postMessage({ id, bytes: copy.buffer }, [copy.buffer]);
  });
}

function hasPdfHeader(bytes: Uint8Array): boolean {
  // Readers accept the header within the first KiB; a seal PDF starts with it.
  const head = Buffer.from(bytes.buffer, bytes.byteOffset, Math.min(bytes.byteLength, 1024)).toString("latin1");
  return head.includes("%PDF-");
}
