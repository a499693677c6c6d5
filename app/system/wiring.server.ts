/**
 * The one place where modules' subscribers meet the domain events they follow
 * (app/platform/events.server.ts). Every process calls `wireEvents()` before it changes anything:
 * the server at start-up, each script, each test file (tests/setup).
 *
 *   seal.changed        -> watch feed + webhooks (retail), policy results (retail)    in the transaction
 *                       -> products watched by GTIN follow their current seal (retail) in the transaction
 *                       -> the supplier told: suspended, reinstated, revoked (notif.)  in the transaction
 *                       -> a new seal's SBOMs against the advisories already known:    in the transaction
 *                          its assessors told of possible matches (notifications)
 *                       -> a new seal already owing overdue recurring evidence        right after commit
 *                          suspended at once (monitoring)
 *   advisory.published  -> watch feed + webhooks (retail), policy results (retail)    in the transaction
 *                       -> assessors of certified firmware whose SBOM it names (notif.) in the transaction
 *   advisory.imported   -> assessors of certified firmware whose SBOM it names (notif.) in the transaction
 *   product.changed     -> current seal followed by GTIN watchers, when the GTIN      in the transaction
 *                          changed; policy results (retail)
 *   finding.changed     -> watch feed + webhooks (retail), when recorded or withdrawn  in the transaction
 *                       -> automatic suspension of the seals of the report's product   in the transaction
 *                          versions (monitoring), before the supplier is told
 *                       -> recorded, fix claimed / rejected / verified, deadline      in the transaction
 *                          extended, withdrawn told (notifications)
 *   fixes.certified     -> automatic suspension (monitoring)                          after commit
 *   submission.changed  -> the supplier / the assessors told (notifications)          in the transaction
 *   assessors.changed   -> an approval proposal's confirmers follow: newly free ones   in the transaction
 *                          asked, conflicted or disabled ones' notice taken back, the
 *                          admins told when nobody can confirm (notifications)
 *   recurring.changed   -> the assessors / the supplier told (notifications)          in the transaction
 *   watch.published     -> the watching organisation's users told (notifications)     in the transaction
 *   user.disabled       -> the webhook endpoints the user registered removed (retail) in the transaction
 *   password.reset_requested -> the reset link mailed (notifications; its link is a
 *                          secret fact, never in the outbox)                          in the transaction
 *   signup.requested    -> the registration's confirmation link mailed (notifications;
 *                          a secret fact, as above)                                   in the transaction
 *   signup.address_in_use -> the account's owner warned by mail (notifications)       in the transaction
 *   login.failures_repeated -> the account's owner warned by mail, once a day at most   in the transaction
 *                          (notifications)
 *   two_step.changed    -> the account's owner told by mail (notifications)           in the transaction
 *   seal.changed, seal.certificate_stored, advisory.published, finding.changed, product.changed
 *                       -> the public artefacts published for verifiers (public)      after commit
 *
 * Who hears what exactly, with the keys: app/features/notifications/rules.server.ts.
 */
import { markWired, subscribe } from "../platform/events.server";
import {
  notifyFindingChange,
  notifyRecurringChange,
  notifySealChange,
  notifyAssessorsChange,
  notifySubmissionChange,
  notifyWatchEvent,
} from "../features/notifications/rules.server";
import {
  notifyPossiblyAffected,
  notifyPossiblyAffectedByImport,
  notifyPossiblyAffectedBySeal,
} from "../features/notifications/sbom-rules.server";
import {
  mailLoginFailures,
  mailTwoStepChanged,
  mailPasswordReset,
  mailSignupAddressInUse,
  mailSignupConfirmation,
} from "../features/notifications/account-mail.server";
import {
  decideIssuedSeal,
  decideSealsOfFinding,
  sweepAutomaticSuspensions,
} from "../features/monitoring/automatic-suspension.server";
import { PUBLISHED_EVENT_TYPES, requestPublication } from "../features/public/publication.server";
import { syncPolicyStates } from "../features/retail/policies.server";
import { followCurrentSeal } from "../features/retail/followed-products.server";
import { removeWebhooksCreatedBy } from "../features/retail/webhooks.server";
import {
  announceAdvisory,
  announceReportChange,
  announceSealEvent,
  sealProductId,
} from "../features/retail/watch-feed.server";

export function wireEvents(): void {
  subscribe("seal.changed", "retail: watch feed", "transaction", (tx, e) => announceSealEvent(tx, e.sealEventId));
  // A new seal, or a status change, can change a product's current seal: its watchers by GTIN are told (after the seal event).
  subscribe("seal.changed", "retail: current seal followed", "transaction", (tx, e) => {
    const productId = sealProductId(tx, e.serial);
    if (productId) followCurrentSeal(tx, productId);
  });
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
  // A GTIN change can change which seal answers for the GTIN its watchers follow (the GS1 resolver's rule).
  subscribe("product.changed", "retail: current seal followed", "transaction", (tx, e) => {
    if (e.previousGtin !== undefined) followCurrentSeal(tx, e.productId);
  });
  // A category or support period change can change a watcher's policy result.
  subscribe("product.changed", "retail: policy results", "transaction", (tx, e) =>
    syncPolicyStates(tx, { productId: e.productId }),
  );
  // Watchers learn that a report was recorded (severity and open count only) or withdrawn.
  subscribe("finding.changed", "retail: watch feed", "transaction", (tx, e) => {
    if (e.change === "recorded" || e.change === "withdrawn")
      announceReportChange(tx, { findingId: e.findingId, productId: e.productId, change: e.change });
  });
  // A report's change may suspend or release the seals of its product versions: decided in its transaction
  // (not at the next sweep), before the supplier is told below, so the notice's "are suspended" is already so.
  subscribe(
    "finding.changed",
    "monitoring: automatic suspension",
    "transaction",
    (tx, e) => void decideSealsOfFinding(tx, e.findingId),
  );
  // Certified fixes may release other seals the same reports held: once the approval commits.
  subscribe(
    "fixes.certified",
    "monitoring: automatic suspension",
    "after-commit",
    () => void sweepAutomaticSuspensions(),
  );
  // People are told (in app, by mail or digest) in the transaction of the change: never of one that did not happen.
  subscribe("seal.changed", "notifications: seals", "transaction", notifySealChange);
  subscribe("finding.changed", "notifications: reports", "transaction", notifyFindingChange);
  subscribe("submission.changed", "notifications: submissions", "transaction", notifySubmissionChange);
  subscribe("assessors.changed", "notifications: who may confirm a proposal", "transaction", notifyAssessorsChange);
  subscribe("recurring.changed", "notifications: recurring evidence", "transaction", notifyRecurringChange);
  subscribe("watch.published", "notifications: watchers", "transaction", notifyWatchEvent);
  subscribe("advisory.published", "notifications: possibly affected (SBOMs)", "transaction", notifyPossiblyAffected);
  subscribe(
    "advisory.imported",
    "notifications: possibly affected (SBOMs), imported CSAF",
    "transaction",
    notifyPossiblyAffectedByImport,
  );
  // A seal issued after an advisory: its SBOMs are matched against it then (the same keys: nobody is told twice).
  subscribe(
    "seal.changed",
    "notifications: possibly affected (SBOMs), new seal",
    "transaction",
    notifyPossiblyAffectedBySeal,
  );
  // A seal issued already owing overdue recurring evidence (a re-certification whose clocks carried over) is
  // decided as soon as the issue commits, in its own transaction, not at the next sweep.
  subscribe("seal.changed", "monitoring: automatic suspension, new seal", "transaction", decideIssuedSeal);
  // A disabled user's webhook endpoints are removed with their access, as their API tokens are revoked (accounts).
  subscribe("user.disabled", "retail: webhooks of the disabled user removed", "transaction", (tx, e) => {
    removeWebhooksCreatedBy(tx, e.by, e.userId, e.email);
  });
  // A reset link is mailed in the transaction that made it (the link itself reaches the subscriber only).
  subscribe("password.reset_requested", "notifications: password reset mail", "transaction", mailPasswordReset);
  subscribe("signup.requested", "notifications: registration confirmation mail", "transaction", mailSignupConfirmation);
  subscribe("signup.address_in_use", "notifications: registration warning mail", "transaction", mailSignupAddressInUse);
  subscribe("login.failures_repeated", "notifications: failed logins warning mail", "transaction", mailLoginFailures);
  subscribe("two_step.changed", "notifications: two-step login change notice mail", "transaction", mailTwoStepChanged);
  // The static copy of the public artefacts (PUBLISH_TO, decision record 028) follows each committed change: the
  // subscriber only wakes the publisher, which reads the outbox from its own cursor (never failing the change;
  // a wake lost to a crash is caught up by the publisher's next round, so nothing waits pending for it).
  for (const type of PUBLISHED_EVENT_TYPES) subscribe(type, "public: static publication", "wake", requestPublication);
  markWired();
}
