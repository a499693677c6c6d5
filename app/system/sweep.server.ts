/**
 * The lifecycle sweeper: notes expiry and applies automatic suspension (suspend / reinstate for
 * overdue critical or high findings and for recurring evidence overdue past its grace period);
 * also storage hygiene: abandoned temporary uploads and the evidence garbage collector; and the
 * reminders before a clock runs out (app/features/notifications/reminders.server.ts).
 * Idempotent and safe in several processes at once; run at start-up, every 15 minutes in the
 * server, and by `npm run lifecycle:sweep`.
 */
import type { AnyActor } from "../platform/actor";
import { sweepAutomaticSuspensions } from "../features/monitoring/automatic-suspension.server";
import { noteDisclosures } from "../features/findings/disclosure.server";
import {
  collectEvidence,
  describeCollection,
  kickRemoteEvidenceCollection,
  sweepTemporaryUploads,
  type CollectReport,
} from "../features/certification/evidence-gc.server";
import { sweepPolicies } from "../features/retail/policies.server";
import { sweepExpiredSeals } from "../features/trust/seal-status.server";
import { drainOutbox } from "../platform/events.server";
import { describeReminders, sendReminders, type ReminderReport } from "../features/notifications/reminders.server";
import { kickMailWorker, sendDigests } from "../features/notifications/mail.server";

export interface SweepReport {
  expired: string[];
  suspended: string[];
  reinstated: string[];
  /** Still suspended, with a new public reason (a finding was fixed but evidence is overdue, or the other way round). */
  restated: string[];
  /** Per suspended or restated seal: how many overdue findings and which overdue recurring requirements. */
  causes: Record<string, { findings: number; recurring: string[] }>;
  /** Advisories that became public (a deadline passed) and were announced to the watchers. */
  disclosed: string[];
  /** Watched seals whose result under a retailer's acceptance policy changed (each raised an event). */
  policyChanges: number;
  /** The evidence garbage collector's run (see evidence-gc.server.ts). */
  evidence: CollectReport;
  /** Abandoned temporary uploads removed. */
  temporaryUploads: string[];
  /** Reminders told (deadlines, due dates, expiry, keys, mail delivery): each threshold once, ever. */
  reminders: ReminderReport;
  /** Daily digest mails written (each user's mail waiting for the digest, once a day). */
  digests: number;
}

export function runLifecycleSweep(actor: AnyActor = { system: "lifecycle" }): SweepReport {
  const automatic = sweepAutomaticSuspensions(actor);
  const expired = sweepExpiredSeals(actor);
  const disclosed = noteDisclosures(actor); // a deadline passing discloses the finding's advisory
  const policyChanges = sweepPolicies(); // time alone changes results (support left, seal age, deadlines)
  const evidence = collectEvidence(actor); // unreferenced evidence past its grace period
  kickRemoteEvidenceCollection(actor); // on S3 the objects are deleted in the background (decision 027)
  const temporaryUploads = sweepTemporaryUploads();
  drainOutbox(); // follow-ups of events a crashed process left pending (or the demo seed deferred)
  const reminders = sendReminders(); // after the changes above: a report disclosed or a seal suspended just now is told as such
  const digests = sendDigests(); // once a day, after the reminders: each user's waiting mail in one digest
  kickMailWorker(); // the server's mail worker sends what is due now (npm run lifecycle:sweep delivers itself)
  return { expired, ...automatic, disclosed, policyChanges, evidence, temporaryUploads, reminders, digests };
}

/** "overdue findings; recurring evidence overdue: 5.2-3" */
function held(c: { findings: number; recurring: string[] } | undefined): string {
  if (!c) return "overdue findings";
  return [
    c.findings ? "overdue findings" : "",
    c.recurring.length ? `recurring evidence overdue: ${c.recurring.join(", ")}` : "",
  ]
    .filter(Boolean)
    .join("; ");
}

export function describeSweep(r: SweepReport): string {
  const parts = [
    r.suspended.length ? `suspended ${r.suspended.map((s) => `${s} (${held(r.causes[s])})`).join(", ")}` : "",
    r.restated.length
      ? `kept suspended with a new reason ${r.restated.map((s) => `${s} (${held(r.causes[s])})`).join(", ")}`
      : "",
    r.reinstated.length ? `reinstated ${r.reinstated.join(", ")}` : "",
    r.expired.length ? `noted the expiry of ${r.expired.join(", ")}` : "",
    r.disclosed.length ? `published advisor${r.disclosed.length === 1 ? "y" : "ies"} ${r.disclosed.join(", ")}` : "",
    r.policyChanges
      ? `${r.policyChanges} watched seal${r.policyChanges === 1 ? "" : "s"} changed against a retailer's policy`
      : "",
    r.evidence.deleted.length || r.evidence.orphanFiles.length
      ? describeCollection(r.evidence)
          .replace(/^Evidence collection: /, "")
          .replace(/\.$/, "")
      : "",
    r.temporaryUploads.length
      ? `removed ${r.temporaryUploads.length} abandoned temporary upload${r.temporaryUploads.length === 1 ? "" : "s"}`
      : "",
    describeReminders(r.reminders),
    r.digests ? `wrote ${r.digests} daily digest mail${r.digests === 1 ? "" : "s"}` : "",
  ].filter(Boolean);
  return parts.length ? `Lifecycle sweep: ${parts.join("; ")}.` : "Lifecycle sweep: nothing to change.";
}
