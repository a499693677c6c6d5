/**
 * Streaming multipart/form-data: each file part goes straight to the evidence store (hashed on
 * the way, never buffered whole), other fields are collected as text. Reading stops at the
 * first file over the limit; everything received so far is discarded.
 */
import { Readable } from "node:stream";
import busboy from "busboy";
import { formatBytes } from "../../../platform/format";
import { UNREADABLE_FORM } from "../../../platform/http/request-body.server";
import { FileTooLargeError, type EvidenceStore, type ReceivedFile } from "./evidence-store.server";

export class UploadError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export interface ReceivedUpload {
  fields: Record<string, string>;
  files: { field: string; originalName: string; received: ReceivedFile }[];
}

export interface ReceiveOptions {
  store: EvidenceStore;
  maxFileBytes: number;
  maxFiles: number;
}

const MiB = 1024 * 1024;

export type HeaderMap = Record<string, string | string[] | undefined>;

const MAX_FIELDS = 50;
const MAX_FIELD_BYTES = 64 * 1024;

/**
 * The most a whole upload may be: every file at its limit, plus the fields, the multipart framing
 * and what the parser buffers ahead (so that a file over its limit is named as such first).
 */
export function maxUploadBytes(opts: Pick<ReceiveOptions, "maxFileBytes" | "maxFiles">): number {
  return opts.maxFileBytes * opts.maxFiles + 8 * MiB;
}

/** Refuses an over-long body from its Content-Length alone, before reading any of it. */
export function checkDeclaredLength(headers: HeaderMap, opts: Pick<ReceiveOptions, "maxFileBytes" | "maxFiles">): void {
  const type = String(headers["content-type"] ?? "");
  if (!type.toLowerCase().startsWith("multipart/form-data"))
    throw new UploadError(415, "Send the files as multipart/form-data.");
  const declared = Number(headers["content-length"] ?? NaN);
  if (Number.isFinite(declared) && declared > maxUploadBytes(opts)) {
    throw new UploadError(413, `The upload is larger than the limit of ${formatBytes(opts.maxFileBytes)} per file.`);
  }
}

/** The boundary parameter of a multipart Content-Type: "" when there is none, or an empty one. */
function boundaryOf(type: string): string {
  const m = /;\s*boundary\s*=\s*(?:"([^"]*)"|([^\s;]*))/i.exec(type);
  return m?.[1] ?? m?.[2] ?? "";
}

/**
 * The one place a multipart parser is made. A Content-Type without a boundary (or with
 * `boundary=""`) is the client's mistake, answered 400 as readForm answers any unreadable form
 * (busboy would throw from its constructor, "Boundary not found", and the upload would be a 500;
 * an empty boundary it takes, and fails later with a confusing "Unexpected end of form").
 */
function multipartParser(config: busboy.BusboyConfig): busboy.Busboy {
  if (!boundaryOf(String(config.headers?.["content-type"] ?? ""))) throw new UploadError(400, UNREADABLE_FORM);
  try {
    return busboy(config);
  } catch {
    throw new UploadError(400, UNREADABLE_FORM);
  }
}

/** A web Request's body (Remix actions) as a Node stream. */
export function fromRequest(request: Request): { headers: HeaderMap; body: Readable } {
  if (!request.body) return { headers: Object.fromEntries(request.headers), body: Readable.from([]) };
  return {
    headers: Object.fromEntries(request.headers),
    body: Readable.fromWeb(request.body as import("node:stream/web").ReadableStream, { highWaterMark: MiB }),
  };
}

/** Reads a multipart body (a Node stream: the raw request on the fast path, or a converted web body). */
export async function receiveMultipart(
  input: { headers: HeaderMap; body: Readable },
  opts: ReceiveOptions,
): Promise<ReceivedUpload> {
  checkDeclaredLength(input.headers, opts);
  const source = input.body;
  const files: ReceivedUpload["files"] = [];
  const fields: Record<string, string> = {};
  const pending: Promise<void>[] = [];
  let failure: unknown;

  const bb = multipartParser({
    headers: input.headers as Record<string, string>,
    preservePath: true, // keep "../x" visible so it can be refused, not silently trimmed
    defParamCharset: "utf8",
    highWaterMark: MiB,
    fileHwm: 4 * MiB, // fewer pauses of the parser while the file stream drains to disk
    limits: { files: opts.maxFiles, fields: MAX_FIELDS, fieldSize: MAX_FIELD_BYTES, parts: opts.maxFiles + MAX_FIELDS },
  });

  // Reading stops, but the source is not destroyed: that would reset the connection before the
  // caller's answer (a 4xx with its message, then Connection: close) could be sent.
  const fail = (error: unknown) => {
    failure ??= error;
    source.off("data", count);
    source.unpipe(bb);
    source.pause();
    bb.destroy();
  };

  // The whole body is bounded too (whatever its headers say), not only each file and field.
  const limit = maxUploadBytes(opts);
  let size = 0;
  const count = (chunk: Buffer) => {
    size += chunk.length;
    if (size > limit) fail(new UploadError(413, `The upload is larger than the limit of ${formatBytes(limit)}.`));
  };
  source.on("data", count);

  bb.on("file", (field, stream, info) => {
    pending.push(
      opts.store.receive(stream, opts.maxFileBytes).then(
        (received) => {
          files.push({ field, originalName: info.filename ?? "", received });
        },
        (error) => {
          stream.resume();
          fail(
            error instanceof FileTooLargeError
              ? new UploadError(
                  413,
                  `${info.filename ?? "A file"} is larger than the limit of ${formatBytes(opts.maxFileBytes)}.`,
                )
              : error,
          );
        },
      ),
    );
  });
  bb.on("field", (name, value, info) => {
    if (info.valueTruncated || info.nameTruncated)
      return fail(
        new UploadError(
          413,
          `The field ${JSON.stringify(name.slice(0, 40))} is longer than ${formatBytes(MAX_FIELD_BYTES)}.`,
        ),
      );
    fields[name] ??= value;
  });
  bb.on("fieldsLimit", () => fail(new UploadError(413, `The upload has more than ${MAX_FIELDS} fields.`)));
  bb.on("filesLimit", () =>
    fail(
      new UploadError(
        413,
        opts.maxFiles === 1
          ? "Upload one file at a time (put several in a ZIP archive)."
          : `Upload at most ${opts.maxFiles} files at once.`,
      ),
    ),
  );
  bb.on("partsLimit", () => fail(new UploadError(413, "The upload has too many parts.")));

  const finished = new Promise<void>((resolve) => {
    bb.on("close", resolve);
    bb.on("error", (e) => {
      const reason = /part header/i.test((e as Error).message)
        ? "a part's header is malformed or too long (file names may not contain control characters, nor be longer than 255 characters)"
        : (e as Error).message;
      fail(new UploadError(400, `The upload could not be read: ${reason}.`));
      resolve();
    });
    source.on("error", (e) => {
      fail(e);
      resolve();
    });
    source.on("close", () => failure && resolve());
  });
  source.pipe(bb);
  await finished;
  await Promise.allSettled(pending);
  if (failure) {
    await Promise.all(files.map((f) => opts.store.discard(f.received)));
    throw failure instanceof UploadError ? failure : new UploadError(400, "The upload was interrupted.");
  }
  return { fields, files };
}
