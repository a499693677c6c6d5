/**
 * Where each recurring requirement of a seal stands: read-only, for the recurring-evidence use
 * cases, the public seal page, the reminders and the automatic-suspension sweep (which must not
 * depend on the use cases that call it).
 *
 * A seal is monitored while it is active or suspended, not expired, and not renewed (a newer seal
 * of the same product version against the same checklist, renewingSealOf: its recurring evidence
 * is checked there). Its recurring requirements are those of its checklist version with
 * `recurs_every_days` that are in scope at its level (mandatory or advisory there) and that the
 * certified assessment passed: a requirement judged not applicable, or an advisory one accepted as
 * not met, needs no fresh evidence. Each is due at lastAcceptedAt(clock start, accepted evidence) +
 * its period, where the clock starts at the seal's issue, or runs on from the seal it replaced when
 * the requirement's verdict was carried over unreviewed in the re-certification
 * (app/features/monitoring/domain/recurring.ts).
 */
import { and, asc, eq, inArray, isNotNull, sql } from "drizzle-orm";
import { checklistVersions, recurringEvidence, requirements, seals, submissions } from "../../../db/schema";
import {
  expiresFirst,
  lastAcceptedAt,
  recurringClockStart,
  recurringStanding,
  recurringStandingWithPending,
  type RecurringStanding,
} from "./domain/recurring";
import { preparedQueries, type Tx } from "../../platform/db.server";
import { latestVerdicts } from "../certification/verdicts.server";
import { renewingSealOf } from "../certification/submissions.server";

type Reader = Pick<Tx, "select">;
type SealRow = Pick<typeof seals.$inferSelect, "serial" | "state" | "submissionId" | "issuedAt" | "validUntil">;

/** The schedule's reads, prepared once per connection: every seal issued and every sweep asks them. */
const scheduling = preparedQueries((t) => ({
  scope: t
    .select({
      checklistVersionId: submissions.checklistVersionId,
      level: submissions.targetLevel,
      graceDays: checklistVersions.recurringGraceDays,
    })
    .from(submissions)
    .innerJoin(checklistVersions, eq(checklistVersions.id, submissions.checklistVersionId))
    .where(eq(submissions.id, sql.placeholder("id")))
    .prepare(),
  recurring: t
    .select({
      ref: requirements.ref,
      title: requirements.title,
      sectionRef: requirements.sectionRef,
      applies: requirements.applies,
      recursEveryDays: requirements.recursEveryDays,
    })
    .from(requirements)
    .where(and(eq(requirements.versionId, sql.placeholder("versionId")), isNotNull(requirements.recursEveryDays)))
    .orderBy(asc(requirements.position))
    .prepare(),
  evidence: t
    .select({
      id: recurringEvidence.id,
      ref: recurringEvidence.requirementRef,
      status: recurringEvidence.status,
      submittedAt: recurringEvidence.submittedAt,
      decidedAt: recurringEvidence.decidedAt,
      sha256: recurringEvidence.sha256,
    })
    .from(recurringEvidence)
    .where(
      and(
        eq(recurringEvidence.serial, sql.placeholder("serial")),
        inArray(recurringEvidence.status, ["accepted", "pending"]),
      ),
    )
    .orderBy(asc(recurringEvidence.submittedAt))
    .prepare(),
  replaced: t
    .select({
      serial: seals.serial,
      state: seals.state,
      submissionId: seals.submissionId,
      issuedAt: seals.issuedAt,
      validUntil: seals.validUntil,
    })
    .from(seals)
    .where(eq(seals.supersededBy, sql.placeholder("serial")))
    .prepare(),
}));

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
  /** When the clock last restarted: the latest of its start (recurringClockStart) and every accepted evidence's submission. */
  lastAcceptedAt: Date;
  dueAt: Date;
  graceEndsAt: Date;
  standing: RecurringStanding;
  /** The standing without the waiting evidence: where the requirement stands if that evidence is rejected. */
  standingWithoutPending: RecurringStanding;
  daysUntilDue: number;
  /** The newest accepted evidence the clock counts from (null: it runs from a seal's issue). */
  lastAccepted: AcceptedRecord | null;
  /**
   * The earlier seal whose issue or accepted evidence this requirement's clock runs from (its verdict
   * was carried over unreviewed when this seal replaced it); null: the clock is this seal's own.
   */
  continuedFrom: string | null;
  /** The seal expires before (or as) the grace period ends: this requirement can no longer suspend it. */
  expiresFirst: boolean;
  /** Evidence waiting for an assessor, if any (one at a time per requirement). */
  pending: { id: string; submittedAt: Date } | null;
}

export interface RecurringSchedule {
  /** Active or suspended, not expired and not renewed: recurring evidence is expected. */
  monitored: boolean;
  /** The newer seal that renewed this one (its recurring evidence is checked there), or null. */
  renewedBy: string | null;
  graceDays: number;
  items: RecurringItem[];
}

/** Whether a seal in this state, at this time, is live (active or suspended, not expired). See monitoringOf for renewals. */
export function isMonitored(seal: Pick<SealRow, "state" | "validUntil">, now: Date): boolean {
  return (seal.state === "active" || seal.state === "suspended") && seal.validUntil.getTime() > now.getTime();
}

/**
 * Whether a seal needs recurring evidence now: live (isMonitored) and not renewed. A renewed seal
 * (renewingSealOf: the expiry reminders and the renewal prompts ask the same) is no longer
 * monitored: its successor's recurring evidence is.
 */
export function monitoringOf(
  t: Reader,
  seal: Pick<SealRow, "serial" | "state" | "validUntil">,
  now: Date,
): { monitored: boolean; renewedBy: string | null } {
  if (!isMonitored(seal, now)) return { monitored: false, renewedBy: null };
  const renewedBy = renewingSealOf(t, seal.serial);
  return { monitored: !renewedBy, renewedBy };
}

/** The recurring requirements of the seal's certified submission (in checklist order), and the version's grace period. */
export function recurringRequirementsOf(t: Reader, seal: Pick<SealRow, "submissionId">) {
  const q = scheduling(t);
  const s = q.scope.get({ id: seal.submissionId });
  if (!s) return { graceDays: 0, requirements: [] };
  const recurring = q.recurring
    .all({ versionId: s.checklistVersionId })
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
        /** The passing verdict was carried over from the re-certified assessment, not reviewed afresh. */
        carriedOver: verdicts.get(r.ref)!.carriedFromId !== null,
      })),
  };
}

/** The seal this one replaced (superseded when it was issued: a re-certification), or null. */
function replacedSealOf(t: Reader, serial: string): SealRow | null {
  return scheduling(t).replaced.get({ serial }) ?? null;
}

/** How far back a line of re-certifications is followed (a guard: a real line is a few seals long). */
const MAX_REPLACED_HOPS = 50;

function itemsOf(t: Reader, seal: SealRow, now: Date, seen: Set<string>) {
  const { graceDays, requirements: reqs } = recurringRequirementsOf(t, seal);
  if (!reqs.length) return { graceDays, items: [] as RecurringItem[] };
  const evidence = scheduling(t).evidence.all({ serial: seal.serial });
  // Requirements carried over unreviewed continue the replaced seal's clocks (read only when one is).
  let replaced: Map<string, RecurringItem> | null = null;
  const replacedItems = () => {
    if (replaced) return replaced;
    replaced = new Map();
    const earlier = seen.size < MAX_REPLACED_HOPS ? replacedSealOf(t, seal.serial) : null;
    if (earlier && !seen.has(earlier.serial)) {
      seen.add(earlier.serial);
      for (const i of itemsOf(t, earlier, now, seen).items)
        replaced.set(i.ref, { ...i, continuedFrom: i.continuedFrom ?? earlier.serial });
    }
    return replaced;
  };
  const items = reqs.map(({ carriedOver, ...r }): RecurringItem => {
    const accepted = evidence.filter((e) => e.ref === r.ref && e.status === "accepted");
    const inherited = carriedOver ? (replacedItems().get(r.ref) ?? null) : null;
    const clock = recurringClockStart(seal.issuedAt, carriedOver, inherited?.lastAcceptedAt ?? null);
    const last = lastAcceptedAt(clock.start, accepted);
    const s = recurringStanding(
      { ref: r.ref, title: r.title, everyDays: r.everyDays, lastAcceptedAt: last },
      graceDays,
      now,
    );
    const own =
      accepted
        .filter(
          (e) =>
            e.submittedAt.getTime() >= seal.issuedAt.getTime() &&
            (!clock.continued || e.submittedAt.getTime() > clock.start.getTime()),
        )
        .at(-1) ?? null;
    const pending = evidence.find((e) => e.ref === r.ref && e.status === "pending") ?? null;
    const lastAccepted = own
      ? { id: own.id, submittedAt: own.submittedAt, decidedAt: own.decidedAt, sha256: own.sha256 }
      : clock.continued
        ? inherited!.lastAccepted
        : null;
    return {
      ...r,
      lastAcceptedAt: last,
      dueAt: s.dueAt,
      graceEndsAt: s.graceEndsAt,
      standing: recurringStandingWithPending(s, pending?.submittedAt ?? null),
      standingWithoutPending: s.standing,
      daysUntilDue: s.daysUntilDue,
      lastAccepted,
      continuedFrom: !own && clock.continued ? inherited!.continuedFrom : null,
      expiresFirst: expiresFirst(s, seal.validUntil),
      pending: pending && { id: pending.id, submittedAt: pending.submittedAt },
    };
  });
  return { graceDays, items };
}

/** The schedule of one seal at `now` (items are listed even when the seal is no longer monitored, for its history). */
export function recurringScheduleOf(t: Reader, seal: SealRow, now: Date): RecurringSchedule {
  const { monitored, renewedBy } = monitoringOf(t, seal, now);
  const { graceDays, items } = itemsOf(t, seal, now, new Set([seal.serial]));
  return { monitored, renewedBy, graceDays, items };
}

/** The requirements past due + grace in a schedule (the ones that suspend the seal): none unless it is monitored. */
export function overdueIn(schedule: RecurringSchedule): { ref: string; title: string }[] {
  if (!schedule.monitored) return [];
  return schedule.items.filter((i) => i.standing === "overdue").map((i) => ({ ref: i.ref, title: i.title }));
}

/** The recurring requirements that suspend a monitored seal now (none for a seal that is not monitored). */
export function overdueRecurringOf(t: Reader, seal: SealRow, now: Date): { ref: string; title: string }[] {
  if (!isMonitored(seal, now)) return [];
  return overdueIn(recurringScheduleOf(t, seal, now));
}
