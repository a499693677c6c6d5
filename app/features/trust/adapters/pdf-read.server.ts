/**
 * Reads an uploaded seal certificate: its attached files and the text of its first page, with
 * pdfjs (the Node "legacy" build, no canvas needed) running in a worker thread
 * (pdf-read.worker.mjs). The worker keeps pdfjs's global polyfills out of the server (they slow
 * JSON and base64 for every request) and hostile input off the event loop: the magic bytes are
 * checked first, pdfjs runs without eval, system fonts or font loading, only page 1 is read,
 * documents with many pages are refused, the worker's heap is capped, and a read that takes too
 * long is ended by terminating the worker (a new one starts for the next read). The worker reads
 * one PDF at a time (see `next`).
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
  | { ready: true; id?: undefined }
  | { id: number; ok: true; attachments: [string, Uint8Array][]; pageText: string; pageCount: number }
  | { id: number; ok: false; message: string | null };

/** A read: queued, then sent to the worker (one at a time), its time limit counted from then. */
interface Read {
  id: number;
  bytes: Uint8Array<ArrayBuffer>;
  timeoutMs: number;
  resolve: (r: SealPdfContents) => void;
  reject: (e: Error) => void;
  /** Set while the worker has it. */
  timer?: NodeJS.Timeout;
  /** Fails the read when it waited in the queue too long. */
  queueTimer?: NodeJS.Timeout;
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

/**
 * The worker reads one PDF at a time, the others wait here in order: a read's time limit counts
 * from when the worker begins it, so one slow (hostile) PDF never uses up other people's time,
 * and when the worker is ended for it (or crashes on it) no other read is lost: the reads waiting
 * behind it go to a fresh worker.
 */
let worker: Worker | undefined;
/** Settles when the current worker has loaded pdfjs (or has stopped before it did). */
let workerReady: Promise<void> = Promise.resolve();
let current: Read | undefined;
const queue: Read[] = [];
let nextId = 1;

/** How long a read may wait for the reader before it is refused (other PDFs ahead of it). */
export const QUEUE_TIMEOUT_MS = 3 * READ_TIMEOUT_MS;

function startWorker(): Worker {
  const pdfjsUrl = pathToFileURL(createRequire(import.meta.url).resolve("pdfjs-dist/legacy/build/pdf.mjs")).href;
  const w = new Worker(workerFile(), {
    workerData: { pdfjsUrl, maxPages: MAX_PAGES },
    resourceLimits: { maxOldGenerationSizeMb: WORKER_HEAP_MB },
  });
  workerReady = new Promise<void>((resolve) => {
    w.on("message", (reply: Reply) => "ready" in reply && resolve());
    w.once("exit", () => resolve());
  });
  w.on("message", (reply: Reply) => {
    if ("ready" in reply) return;
    const read = current;
    if (worker !== w || !read || read.id !== reply.id) return;
    current = undefined;
    clearTimeout(read.timer);
    if (reply.ok)
      read.resolve({
        attachments: new Map(reply.attachments.map(([name, content]) => [name, Buffer.from(content)])),
        pageText: reply.pageText,
        pageCount: reply.pageCount,
      });
    else
      read.reject(
        new PdfReadError(reply.message ?? "This PDF cannot be read: it is damaged or not a complete PDF file."),
      );
    next();
  });
  const gone = (why: string) => {
    if (worker !== w) return; // already replaced (a read timed out on it)
    worker = undefined;
    // The one read it had is the one it stopped on; the queue goes on, on a fresh worker.
    const read = current;
    current = undefined;
    if (read) {
      clearTimeout(read.timer);
      read.reject(new PdfReadError(why));
    }
    next();
  };
  w.on("error", () => gone("This PDF could not be read (the reader failed on it); it may be damaged."));
  w.on("exit", () => gone("The PDF reader stopped; try again."));
  w.unref(); // an idle reader never keeps the process alive
  return w;
}

/** Sends the next queued read to the worker (started when needed), if it is idle. */
function next(): void {
  if (current) return;
  const read = queue.shift();
  if (!read) {
    worker?.unref();
    return;
  }
  clearTimeout(read.queueTimer);
  const w = (worker ??= startWorker());
  current = read;
  read.timer = setTimeout(() => {
    // This read's own time is up: the worker may be stuck in one long step, so it is ended; the
    // reads waiting behind it go to a fresh worker.
    if (current !== read) return;
    current = undefined;
    read.reject(new PdfReadError("Reading this PDF took too long; it may be damaged."));
    if (worker === w) worker = undefined;
    void w.terminate();
    next();
  }, read.timeoutMs);
  w.ref();
  w.postMessage({ id: read.id, bytes: read.bytes.buffer }, [read.bytes.buffer]); // transferred: the read's own copy
}

/**
 * Starts the reader ahead of a read (loading pdfjs takes about half a second), so the first PDF
 * someone checks is not the one that waits for it: called where a page offers a PDF upload. An
 * idle reader keeps nothing alive; one that is already there is left as it is. Settles once it has
 * loaded pdfjs.
 */
export function warmPdfReader(): Promise<void> {
  worker ??= startWorker();
  return workerReady;
}

export async function readSealPdf(bytes: Uint8Array, timeoutMs = READ_TIMEOUT_MS): Promise<SealPdfContents> {
  if (!hasPdfHeader(bytes)) throw new PdfReadError("This file is not a PDF.");
  const id = nextId++;
  const copy = new Uint8Array(bytes); // transferred to the worker; the caller keeps its bytes
  return new Promise<SealPdfContents>((resolve, reject) => {
    const read: Read = { id, bytes: copy, timeoutMs, resolve, reject };
    read.queueTimer = setTimeout(() => {
      const at = queue.indexOf(read);
      if (at < 0) return;
      queue.splice(at, 1);
      reject(new PdfReadError("Too many PDFs are being checked right now; try again in a minute."));
    }, QUEUE_TIMEOUT_MS);
    read.queueTimer.unref();
    queue.push(read);
    next();
  });
}

function hasPdfHeader(bytes: Uint8Array): boolean {
  // Readers accept the header within the first KiB; a seal PDF starts with it.
  const head = Buffer.from(bytes.buffer, bytes.byteOffset, Math.min(bytes.byteLength, 1024)).toString("latin1");
  return head.includes("%PDF-");
}
