/**
 * Handling a recurring-evidence upload (the supplier's per-seal page; a plain multipart form, so
 * it works without JavaScript). The seal's ownership and state are checked before the body is
 * read; the body is streamed to the evidence store (hashed, size-limited); the fields are parsed
 * with zod; the service keeps the file or discards it.
 */
import { getEnv } from "../../platform/env.server";
import type { Actor } from "../../platform/actor";
import { ServiceError } from "../../platform/errors.server";
import { store } from "../certification/evidence.server";
import { preflightRecurringUpload, submitRecurringEvidence } from "./recurring-evidence.server";
import { recurringEvidenceInput } from "./forms";
import { fieldErrorsOf } from "../../platform/forms";
import { fromRequest, receiveMultipart, UploadError } from "../certification/adapters/multipart.server";
import { quotaBoundStore } from "../certification/upload-budget.server";

export type RecurringUploadResult =
  | { ok: true; ref: string; sha256: string; message: string }
  | { ok: false; status: number; message: string; fieldErrors: Record<string, string>; values: Record<string, string> };

export async function handleRecurringUpload(
  actor: Actor,
  request: Request,
  serial: string,
): Promise<RecurringUploadResult> {
  let values: Record<string, string> = {};
  try {
    preflightRecurringUpload(actor, serial);
    const upload = await receiveMultipart(fromRequest(request), {
      store: await quotaBoundStore(actor.organizationId),
      maxFileBytes: getEnv().evidenceMaxFileBytes,
      maxFiles: 1,
    });
    values = { ref: upload.fields.ref ?? "", note: upload.fields.note ?? "" };
    // An empty file input still sends one nameless, empty part: that is "no file", not an empty file.
    const sent = upload.files.find((f) => f.field === "file" && (f.originalName !== "" || f.received.size > 0)) ?? null;
    for (const f of upload.files) if (f !== sent) await store().discard(f.received);
    const parsed = recurringEvidenceInput.safeParse(values);
    if (!parsed.success) {
      if (sent) await store().discard(sent.received);
      return {
        ok: false,
        status: 400,
        message: "Check the highlighted fields.",
        fieldErrors: fieldErrorsOf(parsed.error),
        values,
      };
    }
    const r = await submitRecurringEvidence(
      actor,
      serial,
      parsed.data,
      sent && { originalName: sent.originalName, received: sent.received },
    );
    return {
      ok: true,
      ref: r.ref,
      sha256: r.sha256,
      message: `Fresh evidence for ${r.ref} sent (sha256 ${r.sha256.slice(0, 12)}…); an assessor will check it.`,
    };
  } catch (error) {
    if (error instanceof UploadError)
      return { ok: false, status: error.status, message: error.message, fieldErrors: {}, values };
    if (error instanceof ServiceError)
      return { ok: false, status: error.status, message: error.message, fieldErrors: error.fieldErrors, values };
    throw error;
  }
}
