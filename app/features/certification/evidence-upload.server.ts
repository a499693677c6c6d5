/**
 * Handling an evidence upload request, shared by the requirement page's form (works without
 * JavaScript) and the JSON endpoint its progress bar posts to. Ownership and state are checked
 * before the body is read; the body is streamed; the service keeps all files or none.
 */
import { attachedMessage } from "./domain/upload-result";
import type { Actor } from "../../platform/actor";
import { getEnv } from "../../platform/env.server";
import { attachUploads, preflightUpload, store } from "./evidence.server";
import { ServiceError } from "../../platform/errors.server";
import { fromRequest, receiveMultipart, UploadError, type HeaderMap } from "./adapters/multipart.server";
import { quotaBoundStore } from "./upload-budget.server";
import type { Readable } from "node:stream";

export const MAX_FILES_PER_UPLOAD = 20;

/** The answer depends only on this upload and this submission's own files, never on other organisations' (issue 13.7). */
export type UploadResult =
  { ok: true; count: number; message: string } | { ok: false; status: number; message: string };

export async function handleEvidenceUpload(
  actor: Actor,
  request: Request | { headers: HeaderMap; body: Readable },
  submissionId: string,
  ref: string,
): Promise<UploadResult> {
  try {
    preflightUpload(actor, submissionId, ref);
    const input = request instanceof Request ? fromRequest(request) : request;
    const upload = await receiveMultipart(input, {
      store: await quotaBoundStore(actor.organizationId),
      maxFileBytes: getEnv().evidenceMaxFileBytes,
      maxFiles: MAX_FILES_PER_UPLOAD,
    });
    const files = upload.files.filter((f) => f.field === "file" && (f.originalName !== "" || f.received.size > 0));
    // An empty file input still sends one nameless, empty part: that is "no file", not an empty file.
    for (const f of upload.files) if (!files.includes(f)) await store().discard(f.received);
    const r = await attachUploads(
      actor,
      submissionId,
      ref,
      files.map((f) => ({ originalName: f.originalName, received: f.received })),
    );
    const count = files.length;
    return { ok: true, count, message: attachedMessage(count, ref, r.alreadyAttached) };
  } catch (error) {
    if (error instanceof UploadError) {
      // A refused body (too many files or parts, an unreadable part header, too large): worth a line in the log.
      console.warn(
        `[upload] refused an evidence upload to submission ${submissionId} (${ref}) by user ${actor.userId}: ${error.status} ${error.message}`,
      );
      return { ok: false, status: error.status, message: error.message };
    }
    if (error instanceof ServiceError) return { ok: false, status: error.status, message: error.message };
    throw error;
  }
}

/** When a body was refused (part-way, or before it was read), the connection is closed rather than read to the end. */
export function uploadHeaders(result: UploadResult): HeadersInit {
  return !result.ok ? { Connection: "close" } : {};
}
