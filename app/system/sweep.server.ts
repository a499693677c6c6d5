/**
 * The lifecycle sweeper: stores the certificate PDFs a crash left out, notes expiry and applies automatic suspension (suspend / reinstate for
 * overdue critical or high findings and for recurring evidence overdue past its grace period);
 * also storage hygiene: abandoned temporary uploads and the evidence garbage collector; and the
 * reminders before a clock runs out (app/features/notifications/reminders.server.ts).
 * Idempotent and safe in several processes at once; run at start-up, every 15 minutes in the
 * server, and by `npm run lifecycle:sweep`.
 *
 * Each stage runs on its own: one that throws is logged and reported in `failures` (the CLI prints
 * them), and the stages after it still run, so one broken seal or report does not hold back expiry
 * notes, reminders and digests. The next sweep tries the failed stage again.
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
import { storeMissingCertificates } from "../features/certification/seals.server";
import { drainOutbox } from "../platform/events.server";
import { describeReminders, sendReminders, type ReminderReport } from "../features/notifications/reminders.server";
import { kickMailWorker, sendDigests } from "../features/notifications/mail.server";
import { forgetSignupRequests } from "../features/accounts/signup.server";

export interface SweepReport {
  /** Seals given the certificate PDF their issuance left out (the process stopped before storing it). */
  certificates: string[];
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
  /** Registration requests forgotten a week after their link expired or was used (decision record 037). */
  signupRequestsForgotten: number;
  /**
   * What failed and was skipped (each logged with its error): a whole stage, one seal's automatic
   * decision or one reminder item. The rest of the sweep ran; the next sweep tries these again.
   */
  failures: { stage: string; error: string }[];
}

const NO_COLLECTION: CollectReport = { dryRun: false, deleted: [], orphanFiles: [], marked: [], unmarked: 0, bytes: 0 };

export function runLifecycleSweep(actor: AnyActor = { system: "lifecycle" }): SweepReport {
  const failures: SweepReport["failures"] = [];
  /** Runs one stage; one that throws is logged and reported, and gives `fallback` (nothing done). */
  const stage = <T>(name: string, fallback: T, run: () => T): T => {
    try {
      return run();
    } catch (error) {
      console.error(`[lifecycle sweep] ${name} failed; the other stages ran, the next sweep tries again:`, error);
      failures.push({ stage: name, error: error instanceof Error ? error.message : String(error) });
      return fallback;
    }
  };
  const { stored: certificates, failed: certificatesFailed } = stage("certificates", { stored: [], failed: [] }, () =>
    storeMissingCertificates(actor),
  );
  for (const f of certificatesFailed) failures.push({ stage: `certificate of seal ${f.serial}`, error: f.error });
  const { failed, ...automatic } = stage(
    "automatic suspension",
    { suspended: [], reinstated: [], restated: [], causes: {}, failed: [] },
    () => sweepAutomaticSuspensions(actor), // each seal on its own: one that fails is in `failed`
  );
  for (const f of failed) failures.push({ stage: `automatic suspension of seal ${f.serial}`, error: f.error });
  const expired = stage("expiry", [], () => sweepExpiredSeals(actor));
  const disclosed = stage("disclosures", [], () => noteDisclosures(actor)); // a deadline passing discloses the finding's advisory
  const policyChanges = stage("retailer policies", 0, () => sweepPolicies()); // time alone changes results (support left, seal age, deadlines)
  const evidence = stage("evidence collection", NO_COLLECTION, () => collectEvidence(actor)); // unreferenced evidence past its grace period
  // On S3 the objects are deleted in the background (decision 027).
  stage("remote evidence collection", undefined, () => kickRemoteEvidenceCollection(actor));
  const temporaryUploads = stage("temporary uploads", [], () => sweepTemporaryUploads());
  const signupRequestsForgotten = stage("registration requests", 0, () => forgetSignupRequests());
  // Follow-ups of events a crashed process left pending (or the demo seed deferred).
  stage("outbox", 0, () => drainOutbox());
  // After the changes above: a report disclosed or a seal suspended just now is told as such. Each item on its own.
  const reminders = stage("reminders", { notified: 0, keys: [], failed: [] }, () => sendReminders());
  for (const f of reminders.failed) failures.push({ stage: `reminders for ${f.item}`, error: f.error });
  const digests = stage("digests", 0, () => sendDigests()); // once a day, after the reminders: each user's waiting mail in one digest
  // The server's mail worker sends what is due now (npm run lifecycle:sweep delivers itself).
  stage("mail worker", undefined, () => kickMailWorker());
  return {
    certificates,
    expired,
    ...automatic,
    disclosed,
    policyChanges,
    evidence,
    temporaryUploads,
    reminders,
    digests,
    signupRequestsForgotten,
    failures,
  };
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
    r.certificates.length ? `stored the certificate PDF of ${r.certificates.join(", ")}` : "",
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
    r.signupRequestsForgotten
      ? `forgot ${r.signupRequestsForgotten} registration request${r.signupRequestsForgotten === 1 ? "" : "s"} past their use`
      : "",
  ].filter(Boolean);
  const done = parts.length ? `Lifecycle sweep: ${parts.join("; ")}.` : "Lifecycle sweep: nothing to change.";
  if (!r.failures.length) return done;
  const failed = r.failures.map((f) => `${f.stage} (${f.error})`).join("; ");
  return `${done} Failed, to be tried again by the next sweep: ${failed}.`;
}
