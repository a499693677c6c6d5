/**
 * The evidence store for one upload, bounded while it streams by what is left of the
 * organisation's evidence quota: every file of the upload counts off one budget, and the body is
 * cut off (413, naming the quota and the usage; nothing kept) as soon as it passes it. The exact,
 * deduplicated check happens again in the transaction that records the files.
 */
import { withBudget, type EvidenceStore } from "./adapters/evidence-store.server";
import { quotaCutOffMessage } from "./domain/evidence-quota";
import { uploadBudget } from "./evidence-quota.server";
import { store } from "./evidence.server";
import { UploadError } from "./adapters/multipart.server";

export function quotaBoundStore(organizationId: string): EvidenceStore {
  const standing = uploadBudget(organizationId);
  return withBudget(store(), {
    left: standing.leftBytes,
    exceeded: () => new UploadError(413, quotaCutOffMessage(standing)),
  });
}
