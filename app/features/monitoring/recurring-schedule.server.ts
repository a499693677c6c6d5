/**
 * Where each recurring requirement of a seal stands: read-only, for the recurring-evidence use
 * cases, the public seal page and the automatic-suspension sweep (which must not depend on the
 * use cases that call it).
 *
 * A seal is monitored while it is active or suspended and not expired. Its recurring
 * requirements are those of its checklist version with `recurs_every_days` that are in scope at
 * its level (mandatory or advisory there) and that the certified assessment passed: a
 * requirement judged not applicable, or an advisory one accepted as not met, needs no fresh
 * evidence. Each is due at lastAcceptedAt(issue time, accepted evidence) + its period
 * (app/features/monitoring/domain/recurring.ts).
 */
import { and, asc, eq, inArray } from "drizzle-orm";
import { checklistVersions, recurringEvidence, requirements, seals, submissions } from "../../../db/schema";
import {
  lastAcceptedAt,
  recurringStanding,
  recurringStandingWithPending,
  type RecurringStanding,
} from "./domain/recurring";
import type { Tx } from "../../platform/db.server";
import { latestVerdicts } from "../certification/verdicts.server";

type Reader = Pick<Tx, "select">;
type SealRow = Pick<typeof seals.$inferSelect, "serial" | "state" | "submissionId" | "issuedAt" | "validUntil">;

export interface AcceptedRecord {
  id: string;
  submittedAt: Date;
  decidedAt: Date | null;
  sha256: string;
}

export interface RecurringItem {
  ref: string;
  title: string;
  sectionRef: string;
  applicability: "mandatory" | "advisory";
  everyDays: number;
  /** The latest of the seal's issue time and the submission time of every accepted evidence. */
  lastAcceptedAt: Date;
  dueAt: Date;
  graceEndsAt: Date;
  standing: RecurringStanding;
  daysUntilDue: number;
  /** The newest accepted evidence (null: the clock still runs from the seal's issue). */
  lastAccepted: AcceptedRecord | null;
  /** Evidence waiting for an assessor, if any (one at a time per requirement). */
  pending: { id: string; submittedAt: Date } | null;
}

export interface RecurringSchedule {
  /** Active or suspended, and not expired: recurring evidence is expected. */
  monitored: boolean;
  graceDays: number;
  items: RecurringItem[];
}

/** Whether a seal in this state, at this time, needs recurring evidence. */
export function isMonitored(seal: Pick<SealRow, "state" | "validUntil">, now: Date): boolean {
  return (seal.state === "active" || seal.state === "suspended") && seal.validUntil.getTime() > now.getTime();
}

/** The recurring requirements of the seal's certified submission (in checklist order), and the version's grace period. */
export function recurringRequirementsOf(t: Reader, seal: Pick<SealRow, "submissionId">) {
  const s = t
    .select({
      checklistVersionId: submissions.checklistVersionId,
      level: submissions.targetLevel,
      graceDays: checklistVersions.recurringGraceDays,
    })
    .from(submissions)
    .innerJoin(checklistVersions, eq(checklistVersions.id, submissions.checklistVersionId))
    .where(eq(submissions.id, seal.submissionId))
    .get();
  if (!s) return { graceDays: 0, requirements: [] };
  const recurring = t
    .select()
    .from(requirements)
    .where(eq(requirements.versionId, s.checklistVersionId))
    .orderBy(asc(requirements.position))
    .all()
    .filter((r) => r.recursEveryDays !== null && r.applies[s.level] !== undefined);
  if (!recurring.length) return { graceDays: s.graceDays, requirements: [] };
  const verdicts = latestVerdicts(t, seal.submissionId);
  return {
    graceDays: s.graceDays,
    requirements: recurring
      .filter((r) => verdicts.get(r.ref)?.verdict === "pass")
      .map((r) => ({
        ref: r.ref,
        title: r.title,
        sectionRef: r.sectionRef,
        applicability: r.applies[s.level],
        everyDays: r.recursEveryDays!,
      })),
  };
}

/** The schedule of one seal at `now` (items are listed even when the seal is no longer monitored, for its history). */
export function recurringScheduleOf(t: Reader, seal: SealRow, now: Date): RecurringSchedule {
  const { graceDays, requirements: reqs } = recurringRequirementsOf(t, seal);
  const monitored = isMonitored(seal, now);
  if (!reqs.length) return { monitored, graceDays, items: [] };
  const evidence = t
    .select({
      id: recurringEvidence.id,
      ref: recurringEvidence.requirementRef,
      status: recurringEvidence.status,
      submittedAt: recurringEvidence.submittedAt,
      decidedAt: recurringEvidence.decidedAt,
      sha256: recurringEvidence.sha256,
    })
    .from(recurringEvidence)
    .where(and(eq(recurringEvidence.serial, seal.serial), inArray(recurringEvidence.status, ["accepted", "pending"])))
    .orderBy(asc(recurringEvidence.submittedAt))
    .all();
  const items = reqs.map((r): RecurringItem => {
    const accepted = evidence.filter((e) => e.ref === r.ref && e.status === "accepted");
    const last = lastAcceptedAt(seal.issuedAt, accepted);
    const s = recurringStanding(
      { ref: r.ref, title: r.title, everyDays: r.everyDays, lastAcceptedAt: last },
      graceDays,
      now,
    );
    const newest = accepted.filter((e) => e.submittedAt.getTime() >= seal.issuedAt.getTime()).at(-1) ?? null;
    const pending = evidence.find((e) => e.ref === r.ref && e.status === "pending") ?? null;
    return {
      ...r,
      lastAcceptedAt: last,
      dueAt: s.dueAt,
      graceEndsAt: s.graceEndsAt,
      standing: recurringStandingWithPending(s, pending?.submittedAt ?? null),
      daysUntilDue: s.daysUntilDue,
      lastAccepted: newest && {
        id: newest.id,
        submittedAt: newest.submittedAt,
        decidedAt: newest.decidedAt,
        sha256: newest.sha256,
      },
      pending: pending && { id: pending.id, submittedAt: pending.submittedAt },
    };
  });
  return { monitored, graceDays, items };
}

/** The recurring requirements that suspend a monitored seal now (none for a seal that is not monitored). */
export function overdueRecurringOf(t: Reader, seal: SealRow, now: Date): { ref: string; title: string }[] {
  if (!isMonitored(seal, now)) return [];
  return recurringScheduleOf(t, seal, now)
    .items.filter((i) => i.standing === "overdue")
    .map((i) => ({ ref: i.ref, title: i.title }));
}
