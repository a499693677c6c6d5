/**
 * Reading a request body with a bound that holds while it streams, whatever the headers say (a
 * chunked body has no Content-Length to check). Every Remix action reads its form through
 * `readForm` instead of `request.formData()`, which would buffer any amount; a body past the
 * limit is refused with a 413 and a message, the rest is never read and the connection closes.
 * The fast routes read the raw request with `readStreamBody`, with the same rule. (Evidence
 * uploads stream to disk instead: multipart.server.ts, bounded there.)
 */
import { randomUUID } from "node:crypto";
import fs from "node:fs";
import { mkdir, open, rm, type FileHandle } from "node:fs/promises";
import path from "node:path";
import type { Readable } from "node:stream";
import { getEnv } from "../env.server";
import { formatBytes } from "../format";

const KiB = 1024;

/** Any form without a file: far more than the longest text any form accepts, encoded. */
export const FORM_MAX_BYTES = 256 * KiB;

/** Room for a form's other fields and the multipart framing around a file of a given limit. */
export const FORM_OVERHEAD_BYTES = 64 * KiB;

/** A refusal thrown from an action: Remix shows pages their error page with the message, and resource routes answer the JSON as is. */
function refusal(status: number, message: string): Response {
  return new Response(JSON.stringify({ message }), {
    status,
    // The body is not read to its end: the connection closes after the answer.
    headers: { "Content-Type": "application/json; charset=utf-8", "Cache-Control": "no-store", Connection: "close" },
  });
}

/** True for the 413 that `readBody` / `readForm` throw, for an action that shows it in its form instead. */
export function isBodyTooLarge(error: unknown): error is Response {
  return error instanceof Response && error.status === 413;
}

export interface BodyLimit {
  /** Bytes; the body is refused as soon as it goes past this. FORM_MAX_BYTES unless the route takes files. */
  limit?: number;
  /** The message of the 413; by default it names the limit. */
  message?: string;
}

/**
 * Above this many bytes a body goes to a temporary file as it arrives, not into memory: a body
 * refused at a route's limit (10 MiB for a seal PDF or a bulk CSV) then costs the server almost
 * nothing, whatever was sent; only one within the limit is read back, once, whole.
 */
export const SPILL_ABOVE_BYTES = 1024 * KiB;

/**
 * Where spilled bodies are written: in the data directory (DATA_DIR/tmp/bodies), beside the evidence
 * uploads' temporary files, on the disk the operator sized for the portal, not the system's
 * temporary folder (often a RAM disk shared with everything else on the machine).
 */
export function bodySpillDir(): string {
  return path.join(getEnv().dataDir, "tmp", "bodies");
}

/**
 * Removes spilled bodies a killed process left behind: those nothing has written to for
 * `idleMs` (10 minutes; a body being received is written to as it arrives, and the server's body
 * timeouts end a stalled one long before), so another process's request in progress is never
 * touched. Returns the files removed.
 */
export function sweepBodySpills(idleMs = 10 * 60_000, nowMs = Date.now()): string[] {
  const dir = bodySpillDir();
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return []; // none spilled yet
  }
  const removed: string[] = [];
  for (const name of names) {
    if (!name.startsWith("iotseal-body-")) continue;
    const file = path.join(dir, name);
    try {
      if (nowMs - fs.statSync(file).mtimeMs < idleMs) continue;
      fs.rmSync(file, { force: true });
      removed.push(file);
    } catch {
      // gone meanwhile (its request ended)
    }
  }
  return removed;
}

/**
 * What has been received of a body: in memory up to SPILL_ABOVE_BYTES, then in a temporary file
 * (mode 0600, in bodySpillDir, removed by `close`, whatever happened).
 */
class Received {
  private chunks: Uint8Array[] = [];
  private spill: { file: string; handle: FileHandle } | null = null;
  size = 0;

  async add(chunk: Uint8Array): Promise<void> {
    this.size += chunk.byteLength;
    if (!this.spill && this.size > SPILL_ABOVE_BYTES) {
      const dir = bodySpillDir();
      await mkdir(dir, { recursive: true, mode: 0o700 });
      const file = path.join(dir, `iotseal-body-${randomUUID()}`);
      this.spill = { file, handle: await open(file, "wx+", 0o600) };
      for (const c of this.chunks.splice(0)) await this.spill.handle.write(c);
    }
    if (this.spill) await this.spill.handle.write(chunk);
    else this.chunks.push(chunk);
  }

  /** Everything received, as one buffer. */
  async bytes(): Promise<Buffer<ArrayBuffer>> {
    const out = Buffer.alloc(this.size);
    if (!this.spill) {
      let at = 0;
      for (const c of this.chunks) {
        out.set(c, at);
        at += c.byteLength;
      }
      return out;
    }
    for (let at = 0; at < this.size;) {
      const { bytesRead } = await this.spill.handle.read(out, at, this.size - at, at);
      if (bytesRead === 0) throw new Error("The request body's temporary file is shorter than what was written.");
      at += bytesRead;
    }
    return out;
  }

  async close(): Promise<void> {
    this.chunks = [];
    const spill = this.spill;
    this.spill = null;
    if (!spill) return;
    await spill.handle.close();
    await rm(spill.file, { force: true });
  }
}

/** The whole body, at most `limit` bytes (a 413 Response is thrown past it, after reading no more than that). */
export async function readBody(
  request: Request,
  { limit = FORM_MAX_BYTES, message }: BodyLimit = {},
): Promise<Uint8Array<ArrayBuffer>> {
  const tooLarge = () => refusal(413, message ?? `The request is larger than the limit of ${formatBytes(limit)}.`);
  const declared = Number(request.headers.get("content-length") ?? NaN);
  if (Number.isFinite(declared) && declared > limit) throw tooLarge();
  if (!request.body) return new Uint8Array(new ArrayBuffer(0));
  const reader = request.body.getReader();
  const received = new Received();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      // Stop here: the reader is released, not cancelled (cancelling would reset the connection before the 413 is sent).
      if (received.size + value.byteLength > limit) throw tooLarge();
      await received.add(value);
    }
    return new Uint8Array(await received.bytes());
  } finally {
    reader.releaseLock();
    await received.close();
  }
}

/**
 * A Node stream's whole body (the fast routes read the raw request), or null once it goes past
 * `limit` bytes: reading stops there (the stream is paused, not destroyed, so that the caller's
 * 413 still reaches the client). Held as `readBody` holds it: past 1 MiB, in a temporary file.
 */
export async function readStreamBody(stream: Readable, limit: number): Promise<Buffer | null> {
  const received = new Received();
  // One write at a time, in order: the stream is paused while a chunk goes to the file.
  let writing = Promise.resolve();
  try {
    const whole = await new Promise<boolean>((resolve, reject) => {
      let seen = 0;
      let stopped = false;
      const stop = () => {
        stopped = true;
        stream.off("data", onData);
        stream.off("end", onEnd);
        stream.off("error", onError);
      };
      const onData = (chunk: Buffer) => {
        seen += chunk.length;
        if (seen > limit) {
          stop();
          stream.pause();
          resolve(false);
          return;
        }
        stream.pause();
        writing = writing
          .then(() => received.add(chunk))
          .then(() => {
            if (!stopped) stream.resume();
          }, onError);
      };
      const onEnd = () => {
        stop();
        writing.then(() => resolve(true), reject);
      };
      const onError = (error: unknown) => {
        stop();
        reject(error);
      };
      stream.on("data", onData);
      stream.on("end", onEnd);
      stream.on("error", onError);
    });
    await writing;
    return whole ? await received.bytes() : null;
  } finally {
    await writing.catch(() => undefined);
    await received.close();
  }
}

/** The answer to a form whose body cannot be parsed (here, and for evidence uploads: multipart.server.ts). */
export const UNREADABLE_FORM = "The form could not be read.";

const FORM_TYPE = /^\s*(multipart\/form-data|application\/x-www-form-urlencoded)\s*(;|$)/i;

/** The posted form, read within the limit: use this instead of `request.formData()` in every action. */
export async function readForm(request: Request, bound: BodyLimit = {}): Promise<FormData> {
  const type = request.headers.get("content-type") ?? "";
  if (!FORM_TYPE.test(type)) {
    // A POST without a body (a bare button) is an empty form; anything else is not a form.
    if (!request.body || request.headers.get("content-length") === "0") return new FormData();
    throw refusal(415, "Send the form as application/x-www-form-urlencoded or multipart/form-data.");
  }
  const bytes = await readBody(request, bound);
  try {
    return await new Request("http://localhost/", {
      method: "POST",
      headers: { "Content-Type": type },
      body: bytes,
    }).formData();
  } catch {
    throw refusal(400, UNREADABLE_FORM);
  }
}
