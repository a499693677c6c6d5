/**
 * The evidence store for one upload, bounded while it streams by what is left of the
 * organisation's evidence quota, less what its unfinished resumable uploads have reserved (a large
 * upload under way keeps its room: decision 032): every file of the upload counts off one budget,
 * and the body is cut off (413, naming the quota, the usage and the reservations; nothing kept) as
 * soon as it passes it. The exact, deduplicated check happens again in the transaction that
 * records the files.
 */
import { withBudget, type EvidenceStore } from "./adapters/evidence-store.server";
import { quotaCutOffMessage } from "./domain/evidence-quota";
import { uploadBudget } from "./evidence-quota.server";
import { reservedByResumableUploads } from "./evidence-tus.server";
import { store } from "./evidence.server";
import { UploadError } from "./adapters/multipart.server";

export async function quotaBoundStore(organizationId: string): Promise<EvidenceStore> {
  const standing = uploadBudget(organizationId);
  const reserved = await reservedByResumableUploads(organizationId);
  return withBudget(store(), {
    left: Math.max(0, standing.leftBytes - reserved),
    exceeded: () => new UploadError(413, quotaCutOffMessage(standing, reserved)),
  });
}
