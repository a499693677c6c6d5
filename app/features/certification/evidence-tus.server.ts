/**
 * Resumable evidence uploads (the tus protocol, decision 032) at /uploads/tus, for files above
 * EVIDENCE_RESUMABLE_THRESHOLD_MB. The same rules as the multipart upload (decision 004): the
 * session's supplier, the submission theirs, editable and with room for another file, the
 * requirement in scope, the size and the organisation's quota, checked on creation (Upload-Length;
 * the quota beside the organisation's other unfinished uploads too, whose declared sizes count
 * until they finish or expire) and again on every PATCH (a refusal there removes the upload); the
 * finished file goes through attachUploads, the one path that sniffs, refuses hostile input,
 * recognises SBOMs and commits. Only the user who created an upload may HEAD, PATCH or DELETE it
 * (the owner is kept in the upload's metadata, set by the server, never by the client).
 */
import { attachedMessage } from "./domain/upload-result";
import { AsyncLocalStorage } from "node:async_hooks";
import crypto from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import os from "node:os";
import path from "node:path";
import { ERRORS, EXPOSED_HEADERS, Server, TUS_RESUMABLE, type Upload } from "@tus/server";
import { z } from "zod";
import type { Actor } from "../../platform/actor";
import { getEnv } from "../../platform/env.server";
import { holderName } from "../../platform/lease";
import { acquireLease, releaseLease } from "../../platform/leases.server";
import { ServiceError } from "../../platform/errors.server";
import { formatBytes } from "../../platform/format";
import { can } from "../../platform/roles";
import { TWO_STEP_FIRST, twoStepSetupDue, userForSession } from "../accounts/auth.server";
import { sessionTokenFromHeader } from "../accounts/session.server";
import { EvidenceTusStore } from "./adapters/tus-store.server";
import { RESUMABLE_EXPIRES_MS, resumableBytesLeft, resumableQuotaMessage } from "./domain/evidence-quota";
import { fileNameForMessage, fileNameProblem } from "./domain/evidence-type";
import { uploadBudget } from "./evidence-quota.server";
import { attachUploads, preflightUpload } from "./evidence.server";

export const TUS_PATH = "/uploads/tus";
/** An upload not finished within a day expires (410) and its bytes are swept. */
export const TUS_EXPIRES_MS = RESUMABLE_EXPIRES_MS;
const SWEEP_EVERY_MS = 3600_000;

/** What the client names on creation (Upload-Metadata). */
export const tusCreationMetadata = z.object({
  submissionId: z.string().regex(/^[\w-]{1,64}$/, { error: "must be a submission id" }),
  ref: z.string().min(1).max(64),
  filename: z.string().min(1).max(255),
});
/** What the server keeps: the creation metadata and the owner. */
const storedMetadata = tusCreationMetadata.extend({ userId: z.string().min(1), organizationId: z.string().min(1) });
type StoredMetadata = z.infer<typeof storedMetadata>;

const UPLOAD_ID = /^[0-9a-f]{32}$/;

type TusRefusal = { status_code: number; body: string };
const refuse = (status_code: number, body: string): TusRefusal => ({ status_code, body });
const fromService = (error: unknown): unknown =>
  error instanceof ServiceError ? refuse(error.status, error.message) : error;

/** The session user of the request being handled (tus's hooks run inside it). */
const current = new AsyncLocalStorage<Actor>();
function actor(): Actor {
  const a = current.getStore();
  if (!a) throw refuse(401, "Log in first.");
  return a;
}

const tooLarge = (): TusRefusal =>
  refuse(413, `The file is larger than the limit of ${formatBytes(getEnv().evidenceMaxFileBytes)}.`);

/** A PATCH whose body goes past the length the upload was created with (not the size limit: that is tooLarge). */
const longerThanDeclared = (size: number, offset: number): TusRefusal =>
  refuse(
    413,
    `The body is longer than the upload's declared Upload-Length of ${size} bytes: from offset ${offset}, a PATCH may send at most ${size - offset} bytes.`,
  );

/**
 * The declared sizes of the organisation's unfinished uploads (not expired): each may still
 * finish, so a new upload must fit beside them as well as beside the stored files.
 */
async function unfinishedBytes(store: EvidenceTusStore, organizationId: string): Promise<number> {
  const now = Date.now();
  let total = 0;
  for (const u of await store.uploads()) {
    if (u.metadata.organizationId !== organizationId || !(now <= u.createdMs + store.getExpiration())) continue;
    total += u.size ?? 0;
  }
  return total;
}

/** What the organisation's unfinished resumable uploads have reserved: a multipart upload leaves them that room. */
export function reservedByResumableUploads(organizationId: string): Promise<number> {
  return unfinishedBytes(tusEndpoint().store, organizationId);
}

/** On creation: the size limit, and the quota left beside the stored files and the organisation's other unfinished uploads. */
async function assertFitsNew(store: EvidenceTusStore, organizationId: string, size: number): Promise<void> {
  if (size > getEnv().evidenceMaxFileBytes) throw tooLarge();
  const standing = { ...uploadBudget(organizationId), unfinishedBytes: await unfinishedBytes(store, organizationId) };
  if (size > resumableBytesLeft(standing)) throw refuse(413, resumableQuotaMessage(standing, size, "creation"));
}

/**
 * On every PATCH: the size limit (it may have been lowered), and the quota left beside the stored
 * files (which may have grown since the creation: other uploads finished meanwhile).
 */
function assertStillFits(organizationId: string, size: number): void {
  if (size > getEnv().evidenceMaxFileBytes) throw tooLarge();
  const standing = { ...uploadBudget(organizationId), unfinishedBytes: 0 };
  if (size > resumableBytesLeft(standing)) throw refuse(413, resumableQuotaMessage(standing, size, "patch"));
}

async function ownedUpload(
  store: EvidenceTusStore,
  id: string,
  who: Actor,
): Promise<Upload & { meta: StoredMetadata }> {
  if (!UPLOAD_ID.test(id)) throw ERRORS.FILE_NOT_FOUND;
  const upload = await store.getUpload(id);
  const meta = storedMetadata.safeParse(upload.metadata ?? {});
  // Another user's upload is answered as if it did not exist.
  if (!meta.success || meta.data.userId !== who.userId || meta.data.organizationId !== who.organizationId)
    throw ERRORS.FILE_NOT_FOUND;
  return Object.assign(upload, { meta: meta.data });
}

/** Completion: the finished file goes through attachUploads (sniffing, hostile input, SBOMs, quota, commit). */
async function finishUpload(store: EvidenceTusStore, who: Actor, upload: Upload): Promise<TusAnswer> {
  const meta = storedMetadata.parse(upload.metadata);
  try {
    const done = await store.finish(upload.id, upload.size!);
    const r = await attachUploads(who, meta.submissionId, meta.ref, [
      {
        originalName: meta.filename,
        received: { tempPath: done.file, sha256: done.sha256, size: upload.size!, head: done.head },
      },
    ]);
    const message = attachedMessage(1, meta.ref, r.alreadyAttached);
    return {
      status_code: 200,
      headers: { "Content-Type": "application/json; charset=utf-8", "Cache-Control": "no-store" },
      body: JSON.stringify({ ok: true, count: 1, message }),
    };
  } catch (error) {
    if (error instanceof ServiceError)
      console.warn(
        `[upload] refused a resumable evidence upload to submission ${meta.submissionId} (${meta.ref}) by user ${who.userId}: ${error.status} ${error.message}`,
      );
    throw fromService(error);
  } finally {
    await store.release(upload.id); // committed or discarded by attachUploads: only the metadata is left
  }
}

type TusAnswer = { status_code: number; headers?: Record<string, string>; body: string };

export interface TusEndpoint {
  server: Server;
  store: EvidenceTusStore;
  /** Removes expired, unfinished uploads; returns how many. */
  sweep(): Promise<number>;
}

function createEndpoint(dataDir: string): TusEndpoint {
  const store = new EvidenceTusStore(path.join(dataDir, "tmp", "tus"), TUS_EXPIRES_MS);
  const server = new Server({
    path: TUS_PATH,
    datastore: store,
    relativeLocation: true,
    allowedOrigins: [], // same-origin only: no CORS headers
    maxSize: () => getEnv().evidenceMaxFileBytes,
    async onUploadCreate(_req, upload) {
      const who = actor();
      if (upload.size === undefined) throw refuse(400, "Name the file's length (Upload-Length).");
      const parsed = tusCreationMetadata.safeParse(upload.metadata ?? {});
      if (!parsed.success)
        throw refuse(
          400,
          "Name the submission, the requirement and the file (Upload-Metadata: submissionId, ref, filename).",
        );
      const m = parsed.data;
      const nameProblem = fileNameProblem(m.filename);
      if (nameProblem) throw refuse(400, `${fileNameForMessage(m.filename)}: ${nameProblem}`);
      if (upload.size === 0) throw refuse(400, `${m.filename}: the file is empty.`);
      try {
        preflightUpload(who, m.submissionId, m.ref); // theirs, editable, in scope, room for one more file
      } catch (error) {
        throw fromService(error);
      }
      await assertFitsNew(store, who.organizationId, upload.size);
      const meta: StoredMetadata = { ...m, userId: who.userId, organizationId: who.organizationId };
      return { metadata: meta };
    },
    async onIncomingRequest(req, id) {
      // HEAD and DELETE (PATCH is served by patchUpload, never by @tus/server).
      if (req.method === "POST") return;
      await ownedUpload(store, id, actor());
    },
    async onUploadFinish(_req, upload) {
      return finishUpload(store, actor(), upload);
    },
    onResponseError(_req, error) {
      if ("body" in error && error.body === ERRORS.ERR_MAX_SIZE_EXCEEDED.body) return tooLarge();
      return undefined;
    },
  });
  return {
    server,
    store,
    async sweep() {
      // Not @tus/server's cleanUpExpiredUploads: that would remove an upload a PATCH is still writing.
      // Each expired upload is removed under its lease; one held by a PATCH waits for the next sweep.
      const now = Date.now();
      let removed = 0;
      for (const u of await store.uploads()) {
        if (!(now > u.createdMs + store.getExpiration())) continue;
        const held = tryHoldUpload(u.id);
        if (!held) continue;
        try {
          await store.release(u.id);
          removed++;
        } finally {
          held.release();
        }
      }
      store.prune();
      return removed;
    },
  };
}

let endpoint: { dataDir: string; value: TusEndpoint; timer: NodeJS.Timeout } | undefined;

/** The endpoint for the configured data directory (abandoned uploads swept every hour). */
export function tusEndpoint(): TusEndpoint {
  const dataDir = getEnv().dataDir;
  if (!endpoint || endpoint.dataDir !== dataDir) {
    if (endpoint) clearInterval(endpoint.timer);
    const value = createEndpoint(dataDir);
    const sweep = () =>
      value.sweep().then(
        (n) => n && console.log(`Removed ${n} expired resumable upload${n === 1 ? "" : "s"}.`),
        (error: unknown) => console.error("[upload] sweeping expired resumable uploads failed:", error),
      );
    const timer = setInterval(sweep, SWEEP_EVERY_MS);
    timer.unref();
    endpoint = { dataDir, value, timer };
    void sweep();
  }
  return endpoint.value;
}

function plain(res: ServerResponse, status: number, message: string): void {
  res.writeHead(status, {
    "Content-Type": "text/plain; charset=utf-8",
    "Content-Length": Buffer.byteLength(message),
    "Cache-Control": "no-store",
    "Tus-Resumable": "1.0.0",
    Connection: "close",
  });
  res.end(message);
}

/**
 * The node:http handler the server mounts: answers requests under /uploads/tus and returns
 * true, or returns false for any other path.
 */
export function tusUploads(req: IncomingMessage, res: ServerResponse, ctx: { ip: string }): boolean {
  const url = req.url ?? "/";
  const q = url.indexOf("?");
  const pathname = q < 0 ? url : url.slice(0, q);
  if (pathname !== TUS_PATH && !pathname.startsWith(`${TUS_PATH}/`)) return false;
  serve(req, res, ctx).catch((error: unknown) => {
    console.error("[upload] resumable upload failed:", error);
    if (!res.headersSent) plain(res, 500, "The upload failed on the server.");
    else res.destroy();
  });
  return true;
}

/**
 * One writer per upload, across processes (node:cluster workers, decision 031): a PATCH or DELETE
 * holds the database lease `tus-upload:<id>` while it runs, renewed every ttl/3; a second one for
 * the same upload, in any process, is answered 423 (tus-js-client retries after HEAD). A holder
 * that died is taken over at once on this host (its pid is gone), else once the lease expires.
 */
export const UPLOAD_LEASE_MS = 30_000;
const uploadLease = (id: string) => `tus-upload:${id}`;
const LOCKED: TusRefusal = refuse(423, "This upload is being sent by another request. Try again when it has finished.");

interface HeldUpload {
  /** Aborted when the lease could not be renewed (another request took it over): stop writing. */
  lost: AbortSignal;
  release(): void;
}

/** The upload's lease, or 423 (LOCKED) when another request holds it. */
function holdUpload(id: string): HeldUpload {
  const held = tryHoldUpload(id);
  if (!held) throw LOCKED;
  return held;
}

/** The upload's lease, or null when another request holds it. */
function tryHoldUpload(id: string): HeldUpload | null {
  const name = uploadLease(id);
  const holder = holderName(os.hostname(), process.pid, crypto.randomBytes(6).toString("hex"));
  if (!acquireLease(name, { ttlMs: UPLOAD_LEASE_MS, holder }).held) return null;
  const lost = new AbortController();
  const timer = setInterval(() => {
    try {
      if (!acquireLease(name, { ttlMs: UPLOAD_LEASE_MS, holder }).held) lost.abort();
    } catch (error) {
      console.error(`[upload] cannot renew the lease of resumable upload ${id}:`, error); // kept until it expires
    }
  }, UPLOAD_LEASE_MS / 3);
  timer.unref();
  return {
    lost: lost.signal,
    release() {
      clearInterval(timer);
      try {
        releaseLease(name, holder);
      } catch (error) {
        console.error(`[upload] cannot release the lease of resumable upload ${id}:`, error); // it expires
      }
    },
  };
}

const isTusError = (e: unknown): e is TusRefusal =>
  typeof e === "object" && e !== null && typeof (e as TusRefusal).status_code === "number";

function answer(res: ServerResponse, status: number, headers: Record<string, string>, body: string): void {
  if (res.headersSent || res.destroyed) return;
  const h: Record<string, string | number> = {
    "Tus-Resumable": TUS_RESUMABLE,
    "Access-Control-Expose-Headers": EXPOSED_HEADERS,
    ...headers,
  };
  if (status === 204) res.writeHead(status, h).end();
  else res.writeHead(status, { ...h, "Content-Length": Buffer.byteLength(body) }).end(body);
}

/** The request headers a PATCH must carry, checked as @tus/server checks them. */
function patchHeaderProblem(req: IncomingMessage): TusRefusal | null {
  const h = req.headers;
  if (!h["tus-resumable"]) return refuse(412, "Tus-Resumable Required\n");
  const integer = (v: string) => /^(0|[1-9]\d*)$/.test(v) && Number.isSafeInteger(Number(v));
  const invalid: string[] = [];
  if (h["tus-resumable"] !== TUS_RESUMABLE) invalid.push("tus-resumable");
  if (typeof h["content-type"] === "string" && h["content-type"] !== "application/offset+octet-stream")
    invalid.push("content-type");
  if (typeof h["upload-offset"] === "string" && !integer(h["upload-offset"])) invalid.push("upload-offset");
  if (typeof h["upload-length"] === "string" && !integer(h["upload-length"])) invalid.push("upload-length");
  if (invalid.length) return refuse(400, `Invalid ${invalid.join(" ")}\n`);
  if (h["upload-offset"] === undefined) return ERRORS.MISSING_OFFSET;
  if (h["content-type"] === undefined) return ERRORS.INVALID_CONTENT_TYPE;
  return null;
}

/**
 * A PATCH, served here rather than by @tus/server: its body goes from the node request straight
 * into the store (tus's handler turns the request into a web stream and back, which cost more than
 * the hashing). The protocol is tus's: the same header checks, the same statuses and headers
 * (Upload-Offset, Upload-Expires), the owner, preflight (the submission still theirs, editable,
 * with room for the file), the size and the quota, and the answer of the final PATCH from
 * completion. A refusal of the upload itself (not of this request: those are the preflight's, the
 * size limit's and the quota's) cannot change by sending again: the upload is removed with the
 * bytes it had, under its lease, and the refusal answered.
 */
async function patchUpload(tus: TusEndpoint, req: IncomingMessage, res: ServerResponse, id: string): Promise<void> {
  const { store } = tus;
  const who = actor();
  const problem = patchHeaderProblem(req);
  if (problem) throw problem;
  const offset = Number(req.headers["upload-offset"]);
  const owned = await ownedUpload(store, id, who);
  const held = holdUpload(id);
  let upload: Upload;
  let written: { offset: number; cut: boolean };
  try {
    try {
      preflightUpload(who, owned.meta.submissionId, owned.meta.ref); // still theirs, editable, room for the file
      assertStillFits(owned.meta.organizationId, owned.size ?? 0);
    } catch (error) {
      const refusal = fromService(error);
      if (!isTusError(refusal)) throw error;
      await store.release(id);
      console.warn(
        `[upload] removed resumable upload ${id} to submission ${owned.meta.submissionId} (${owned.meta.ref}) by user ${who.userId}, refused: ${refusal.status_code} ${refusal.body}`,
      );
      throw refusal;
    }
    upload = await store.getUpload(id); // again, now that no one else writes it
    const expires = new Date(upload.creation_date ?? Date.now()).getTime() + store.getExpiration();
    if (Date.now() > expires) throw ERRORS.FILE_NO_LONGER_EXISTS;
    if (upload.offset !== offset) throw ERRORS.INVALID_OFFSET;
    if (req.headers["upload-length"] !== undefined) throw ERRORS.INVALID_LENGTH; // the length is never deferred
    const size = upload.size ?? 0;
    const declared = req.headers["content-length"];
    const length = declared === undefined ? undefined : Number.parseInt(declared, 10);
    if (offset + (length ?? 0) > size) throw longerThanDeclared(size, offset);
    try {
      written = await store.append(req, id, offset, length ?? size - offset, held.lost);
    } catch (error) {
      if (isTusError(error) && error.status_code === 423) throw LOCKED;
      // A body without Content-Length that went on past the upload's length (nothing past it written).
      if (isTusError(error) && error.body === ERRORS.ERR_SIZE_EXCEEDED.body) throw longerThanDeclared(size, offset);
      if (isTusError(error)) throw error;
      throw ERRORS.FILE_WRITE_ERROR;
    }
    upload.offset = written.offset;
    if (written.cut) return; // the client is gone; what reached the disk stays, HEAD tells where to resume
    if (upload.offset === upload.size) {
      const done = await finishUpload(store, who, upload);
      return answer(res, done.status_code, { "Upload-Offset": String(upload.offset), ...done.headers }, done.body);
    }
  } finally {
    held.release();
  }
  answer(
    res,
    204,
    {
      "Upload-Offset": String(upload.offset),
      "Upload-Expires": new Date(
        new Date(upload.creation_date ?? Date.now()).getTime() + store.getExpiration(),
      ).toUTCString(),
    },
    "",
  );
}

/** A DELETE (termination) waits for no writer: while a PATCH holds the upload it is answered 423. */
async function deleteUpload(tus: TusEndpoint, req: IncomingMessage, res: ServerResponse, id: string): Promise<void> {
  await ownedUpload(tus.store, id, actor()); // another user's upload: 404 (tus's hook asks again)
  const held = holdUpload(id);
  try {
    await tus.server.handle(req, res);
  } finally {
    held.release();
  }
}

/** The upload id of a request under /uploads/tus/<id> ("" for /uploads/tus itself). */
function uploadIdOf(req: IncomingMessage): string {
  const url = req.url ?? "/";
  const q = url.indexOf("?");
  const pathname = q < 0 ? url : url.slice(0, q);
  return pathname.startsWith(`${TUS_PATH}/`) ? pathname.slice(TUS_PATH.length + 1) : "";
}

async function serve(req: IncomingMessage, res: ServerResponse, ctx: { ip: string }): Promise<void> {
  const tus = tusEndpoint();
  if (req.method === "OPTIONS") {
    await tus.server.handle(req, res);
    return;
  }
  if (!["POST", "HEAD", "PATCH", "DELETE"].includes(req.method ?? "")) {
    res.setHeader("Allow", "OPTIONS, POST, HEAD, PATCH, DELETE");
    return plain(res, 405, "Resumable uploads take OPTIONS, POST, HEAD, PATCH and DELETE.");
  }
  const token = await sessionTokenFromHeader(req.headers.cookie);
  const user = token ? userForSession(token, ctx.ip) : null;
  if (!user) return plain(res, 401, "Log in first.");
  if (!can(user.role, "supplier.workspace")) return plain(res, 403, "You do not have permission to do that.");
  if (twoStepSetupDue(user)) return plain(res, 403, TWO_STEP_FIRST);
  if (req.method === "POST") {
    // Neither creation-defer-length nor creation-with-upload (not advertised either: EvidenceTusStore).
    if (req.headers["upload-defer-length"] !== undefined)
      return plain(res, 400, "Name the file's length (Upload-Length): it cannot be deferred.");
    const length = req.headers["content-length"];
    const body =
      (length !== undefined && length !== "0") ||
      req.headers["transfer-encoding"] !== undefined ||
      req.headers["content-type"] === "application/offset+octet-stream";
    if (body) return plain(res, 400, "Create the upload without a body, then send the file's bytes with PATCH.");
  }
  await current.run({ ...user, ip: ctx.ip }, async () => {
    const id = uploadIdOf(req);
    if (req.method === "PATCH") {
      try {
        await patchUpload(tus, req, res, id);
      } catch (error) {
        if (!isTusError(error)) throw error;
        // Sent before its body was read to its end: server.mjs (closeIfUnread) closes the connection
        // after the answer, reading what is still sent for 2 s at most, so the client stops sending.
        answer(res, error.status_code, {}, error.body);
      }
    } else if (req.method === "DELETE") {
      try {
        await deleteUpload(tus, req, res, id);
      } catch (error) {
        if (!isTusError(error)) throw error;
        answer(res, error.status_code, {}, error.body);
      }
    } else await tus.server.handle(req, res);
  });
}
