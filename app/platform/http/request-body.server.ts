/**
 * Reading a request body with a bound that holds while it streams, whatever the headers say (a
 * chunked body has no Content-Length to check). Every Remix action reads its form through
 * `readForm` instead of `request.formData()`, which would buffer any amount; a body past the
 * limit is refused with a 413 and a message, the rest is never read and the connection closes.
 * The fast routes read the raw request with `readStreamBody`, with the same rule. (Evidence
 * uploads stream to disk instead: multipart.server.ts, bounded there.)
 */
import type { Readable } from "node:stream";
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
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      // Stop here: the reader is released, not cancelled (cancelling would reset the connection before the 413 is sent).
      if (size > limit) throw tooLarge();
      chunks.push(value);
    }
  } finally {
    reader.releaseLock();
  }
  const out = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.byteLength;
  }
  return out;
}

/**
 * A Node stream's whole body (the fast routes read the raw request), or null once it goes past
 * `limit` bytes: reading stops there (the stream is paused, not destroyed, so that the caller's
 * 413 still reaches the client).
 */
export function readStreamBody(stream: Readable, limit: number): Promise<Buffer | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const stop = () => {
      stream.off("data", onData);
      stream.off("end", onEnd);
      stream.off("error", onError);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        stop();
        stream.pause();
        chunks.length = 0;
        resolve(null);
      } else chunks.push(chunk);
    };
    const onEnd = () => {
      stop();
      resolve(Buffer.concat(chunks));
    };
    const onError = (error: unknown) => {
      stop();
      reject(error);
    };
    stream.on("data", onData);
    stream.on("end", onEnd);
    stream.on("error", onError);
  });
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
