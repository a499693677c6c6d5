/**
 * The one place where modules' subscribers meet the domain events they follow
 * (app/platform/events.server.ts). Every process calls `wireEvents()` before it changes anything:
 * the server at start-up, each script, each test file (tests/setup).
 *
 *   seal.changed        -> watch feed + webhooks (retail), policy results (retail)    in the transaction
 *   advisory.published  -> watch feed + webhooks (retail), policy results (retail)    in the transaction
 *   product.changed     -> policy results (retail)                                    in the transaction
 *   finding.changed     -> watch feed + webhooks (retail), when recorded or withdrawn  in the transaction
 *                       -> automatic suspension (monitoring)                          after commit
 *   fixes.certified     -> automatic suspension (monitoring)                          after commit
 */
import { markWired, subscribe } from "../platform/events.server";
import { sweepAutomaticSuspensions } from "../features/monitoring/automatic-suspension.server";
import { syncPolicyStates } from "../features/retail/policies.server";
import {
  announceAdvisory,
  announceReportChange,
  announceSealEvent,
  sealProductId,
} from "../features/retail/watch-feed.server";

export function wireEvents(): void {
  subscribe("seal.changed", "retail: watch feed", "transaction", (tx, e) => announceSealEvent(tx, e.sealEventId));
  // A status change can make a watched product stop (or start) meeting a policy.
  subscribe("seal.changed", "retail: policy results", "transaction", (tx, e) => {
    const productId = sealProductId(tx, e.serial);
    if (productId) syncPolicyStates(tx, { productId });
  });
  subscribe("advisory.published", "retail: watch feed", "transaction", (tx, e) => announceAdvisory(tx, e));
  // A public advisory affecting a seal's firmware misses a "no public advisory affecting this firmware" policy.
  subscribe("advisory.published", "retail: policy results", "transaction", (tx, e) =>
    syncPolicyStates(tx, { productId: e.productId }),
  );
  // A category or support period change can change a watcher's policy result.
  subscribe("product.changed", "retail: policy results", "transaction", (tx, e) =>
    syncPolicyStates(tx, { productId: e.productId }),
  );
  // Watchers learn that a report was recorded (severity and open count only) or withdrawn.
  subscribe("finding.changed", "retail: watch feed", "transaction", (tx, e) => {
    if (e.change) announceReportChange(tx, { findingId: e.findingId, productId: e.productId, change: e.change });
  });
  // A report (or a certified fix) may suspend or release seals at once, not at the next sweep.
  subscribe(
    "finding.changed",
    "monitoring: automatic suspension",
    "after-commit",
    () => void sweepAutomaticSuspensions(),
  );
  subscribe(
    "fixes.certified",
    "monitoring: automatic suspension",
    "after-commit",
    () => void sweepAutomaticSuspensions(),
  );
  markWired();
}
