/**
 * Automatic suspension: the one sweep that suspends a seal while something holds it — a
 * critical or high finding open past its disclosure deadline, or recurring evidence overdue past
 * its grace period — and reinstates it once nothing does. Both causes make one suspension
 * (app/features/monitoring/domain/automatic-suspension.ts decides); a suspension made by a person is never lifted here.
 *
 * A report's change decides the seals of its product versions at once, in its own transaction
 * (decideSealsOfFinding); the sweep catches up on what time alone changes (a deadline passing).
 *
 * Each seal is decided and changed inside one IMMEDIATE transaction, so running the sweep twice,
 * or in two processes at once, changes each seal once. Every change goes through the seal-status
 * service (log leaf, seal event, watchers, audit). The public reason never names a finding; the
 * seal event's `cause` records which findings and requirements (see suspensionCause).
 */
import { and, desc, eq, gte, inArray, sql } from "drizzle-orm";
import { findings, findingUpdates, findingVersions, sealEvents, seals } from "../../../db/schema";
import { nowMs } from "../../platform/clock.server";
import { blocksSeal, isOpen } from "../findings/domain/findings";
import {
  parseCause,
  sweepDecision,
  type BlockingFinding,
  type CauseKind,
  type HeldFinding,
  type SuspendedBy,
} from "./domain/automatic-suspension";
import type { Actor, AnyActor } from "../../platform/actor";
import { afterCommit, db, preparedQueries, transaction, type Tx } from "../../platform/db.server";
import { overdueIn, overdueRecurringOf, recurringScheduleOf } from "./recurring-schedule.server";
import { applySealAction, changeSealStatus, restateSuspension } from "../trust/seal-status.server";
import type { sealStatusInput } from "../trust/forms";
import { can } from "../../platform/roles";
import { ServiceError } from "../../platform/errors.server";
import { formatDate } from "../../platform/format";
import type { z } from "zod";
import { assertNoConflict } from "../accounts/conflicts.server";

type Reader = Pick<Tx, "select">;

/** The decision's reads, prepared once per connection: every seal issued and every sweep asks them. */
const deciding = preparedQueries((t) => ({
  seal: t
    .select({
      serial: seals.serial,
      state: seals.state,
      productVersionId: seals.productVersionId,
      submissionId: seals.submissionId,
      issuedAt: seals.issuedAt,
      validUntil: seals.validUntil,
    })
    .from(seals)
    .where(eq(seals.serial, sql.placeholder("serial")))
    .prepare(),
  findingsOf: t
    .select({
      id: findings.id,
      title: findings.title,
      severity: findings.severity,
      status: findings.status,
      deadline: findings.deadline,
    })
    .from(findingVersions)
    .innerJoin(findings, eq(findings.id, findingVersions.findingId))
    .where(eq(findingVersions.productVersionId, sql.placeholder("productVersionId")))
    .prepare(),
  eventKind: t
    .select({ kind: sealEvents.kind })
    .from(sealEvents)
    .where(eq(sealEvents.id, sql.placeholder("id")))
    .prepare(),
}));

/** The critical/high findings of a product version open past their deadline at `now`. */
export function blockingFindingsOf(
  t: Reader,
  productVersionId: string,
  now: Date,
): (BlockingFinding & { severity: string; deadline: Date })[] {
  return deciding(t)
    .findingsOf.all({ productVersionId })
    .filter((f) => blocksSeal(f, now))
    .map((f) => ({ id: f.id, title: f.title, severity: f.severity, deadline: f.deadline }));
}

interface CurrentSuspension {
  by: SuspendedBy | null;
  reason: string;
  kinds: Set<CauseKind>;
  recurringRefs: string[];
}

/**
 * The current suspension as recorded: who made it, and (if the sweeper) its public reason, cause
 * kinds and overdue requirements. Ask it of a suspended seal only (its latest "suspended" event).
 */
function currentSuspension(t: Reader, serial: string): CurrentSuspension {
  const last = t
    .select({ cause: sealEvents.cause, reason: sealEvents.reason })
    .from(sealEvents)
    .where(and(eq(sealEvents.serial, serial), eq(sealEvents.kind, "suspended")))
    .orderBy(desc(sealEvents.id))
    .limit(1)
    .get();
  if (!last) return { by: null, reason: "", kinds: new Set(), recurringRefs: [] };
  const cause = parseCause(last.cause);
  return {
    by: cause.automatic ? "automatic" : "manual",
    reason: last.reason,
    kinds: cause.kinds,
    recurringRefs: cause.recurringRefs,
  };
}

/**
 * Who made a seal's current suspension ("manual": a person, or not known), or null when the seal
 * is not suspended. The reminders and pages word what lifts it by this: the sweeper lifts only its own.
 */
export function suspensionOriginOf(serial: string, t: Reader = db()): SuspendedBy | null {
  const seal = deciding(t).seal.get({ serial });
  if (seal?.state !== "suspended") return null;
  return currentSuspension(t, serial).by ?? "manual";
}

/**
 * The reports that held an automatic suspension, as they stand now (for its reinstatement's public
 * reason): those the causes of its events name (the suspension and each restatement since), and
 * those of the product version whose deadline was extended after it had passed while it lasted (one
 * that blocked meanwhile and was let go that way, which no cause written before names).
 */
function heldFindingsOf(t: Reader, serial: string, productVersionId: string): HeldFinding[] {
  const ofVersion = new Map(
    deciding(t)
      .findingsOf.all({ productVersionId })
      .map((f) => [f.id, f]),
  );
  // This suspension's events: the "suspended" ones since the seal last changed otherwise, newest first.
  const streak: { cause: string | null; at: Date }[] = [];
  for (const e of t
    .select({ kind: sealEvents.kind, cause: sealEvents.cause, at: sealEvents.at })
    .from(sealEvents)
    .where(eq(sealEvents.serial, serial))
    .orderBy(desc(sealEvents.id))
    .all()) {
    if (e.kind !== "suspended") break;
    streak.push(e);
  }
  if (!streak.length) return [];
  const ids = new Set(streak.flatMap((e) => parseCause(e.cause).findingIds));
  for (const u of t
    .select({
      findingId: findingUpdates.findingId,
      previousDeadline: findingUpdates.previousDeadline,
      at: findingUpdates.at,
    })
    .from(findingUpdates)
    .innerJoin(findingVersions, eq(findingVersions.findingId, findingUpdates.findingId))
    .where(
      and(
        eq(findingVersions.productVersionId, productVersionId),
        eq(findingUpdates.kind, "deadline_extended"),
        gte(findingUpdates.at, streak[streak.length - 1].at),
      ),
    )
    .all()) {
    const f = ofVersion.get(u.findingId);
    // It blocked the seal just before it was extended (an extension is refused once a report is closed).
    if (
      f &&
      u.previousDeadline &&
      blocksSeal({ severity: f.severity, status: "open", deadline: u.previousDeadline }, u.at)
    )
      ids.add(f.id);
  }
  return [...ids].flatMap((id) => {
    const f = ofVersion.get(id);
    return f ? [{ open: isOpen(f.status), deadline: f.deadline }] : [];
  });
}

export type AutomaticChange =
  | { serial: string; action: "suspend" | "restate"; findings: number; recurring: string[] }
  | { serial: string; action: "reinstate" };

/** The seal if it is active or suspended (the only states an automatic suspension concerns), else null. */
function liveSeal(t: Reader, serial: string) {
  const seal = deciding(t).seal.get({ serial });
  return seal && (seal.state === "active" || seal.state === "suspended") ? seal : null;
}

/**
 * Decides one seal inside `tx` and applies the decision through the seal-status service. Called
 * by the sweep (one transaction per seal) and by the use cases whose change may suspend or lift a
 * suspension at once (deciding recurring evidence; a report's change, decideSealsOfFinding), inside
 * their own transaction. A renewed seal
 * is no longer monitored for recurring evidence: nothing suspends it for that any more, and a
 * suspension recorded for overdue evidence is kept as recorded, never lifted as if evidence came.
 */
export function decideAutomaticSuspension(tx: Tx, actor: AnyActor, serial: string): AutomaticChange | null {
  const seal = liveSeal(tx, serial);
  if (!seal) return null;
  const now = new Date(nowMs());
  const blocking = blockingFindingsOf(tx, seal.productVersionId, now);
  const current = seal.state === "suspended" ? currentSuspension(tx, serial) : null;
  const schedule = recurringScheduleOf(tx, seal, now);
  // A renewed seal is no longer monitored, so nothing new is overdue on it; but a suspension recorded
  // for overdue evidence stays as recorded (lifting it would say evidence was accepted: none was).
  const overdue =
    schedule.renewedBy && current?.by === "automatic"
      ? schedule.items.filter((i) => current.recurringRefs.includes(i.ref)).map((i) => ({ ref: i.ref, title: i.title }))
      : overdueIn(schedule);
  // The reports that held it are read only when it may be lifted (they word the reinstatement's reason).
  const heldBy =
    current?.by === "automatic" && current.kinds.has("finding") && blocking.length === 0
      ? heldFindingsOf(tx, serial, seal.productVersionId)
      : [];
  const decision = sweepDecision({
    state: seal.state,
    suspendedBy: current?.by ?? null,
    blockingFindings: blocking,
    overdueRecurring: overdue,
    expired: seal.validUntil.getTime() <= now.getTime(),
    recorded: current?.by === "automatic" ? { reason: current.reason, kinds: current.kinds, heldBy } : null,
  });
  switch (decision.action) {
    case "suspend":
      applySealAction(tx, actor, { serial, action: "suspend", reason: decision.reason, cause: decision.cause });
      return { serial, action: "suspend", findings: decision.findingIds.length, recurring: decision.recurringRefs };
    case "restate":
      restateSuspension(tx, actor, { serial, reason: decision.reason, cause: decision.cause });
      return { serial, action: "restate", findings: decision.findingIds.length, recurring: decision.recurringRefs };
    case "reinstate":
      applySealAction(tx, actor, { serial, action: "reinstate", reason: decision.reason, cause: decision.cause });
      return { serial, action: "reinstate" };
    case "none":
      return null;
  }
}

/**
 * A seal just issued is decided at once, right after the transaction that issued it commits (by
 * then a re-certification has superseded the seal it replaces, which its carried-over recurring
 * clocks follow): one whose clocks carried over overdue, or a product version with a report past
 * its deadline, is suspended now, not at the next sweep, so no answer calls it valid meanwhile. A
 * crash in between leaves it to the sweep.
 */
export function decideIssuedSeal(tx: Tx, event: { sealEventId: number; serial: string }): void {
  if (deciding(tx).eventKind.get({ id: event.sealEventId })?.kind !== "issued") return;
  afterCommit(() => transaction((t) => void decideAutomaticSuspension(t, { system: "lifecycle" }, event.serial)));
}

/**
 * A report changed (recorded, a fix claimed, rejected or verified, its deadline extended, withdrawn):
 * the live seals of its product versions are decided at once, in the transaction of the change
 * (subscribed to `finding.changed` in app/system/wiring.server.ts), so the change and what it does to
 * the seals stand or fall together, and what the supplier is told in that transaction is already so.
 */
export function decideSealsOfFinding(
  tx: Tx,
  findingId: string,
  actor: AnyActor = { system: "lifecycle" },
): AutomaticChange[] {
  const serials = tx
    .select({ serial: seals.serial })
    .from(seals)
    .innerJoin(findingVersions, eq(findingVersions.productVersionId, seals.productVersionId))
    .where(and(eq(findingVersions.findingId, findingId), inArray(seals.state, ["active", "suspended"])))
    .orderBy(seals.serial)
    .all();
  return serials.flatMap(({ serial }) => decideAutomaticSuspension(tx, actor, serial) ?? []);
}

export interface AutomaticSweepReport {
  suspended: string[];
  reinstated: string[];
  /** Still suspended, with a new public reason (a cause came or went). */
  restated: string[];
  /** Per suspended or restated seal: how many findings and which recurring requirements hold it. */
  causes: Record<string, { findings: number; recurring: string[] }>;
  /** Seals whose decision failed (its transaction rolled back, nothing changed), with the error: the next sweep tries again. */
  failed: { serial: string; error: string }[];
}

/**
 * Decides every active or suspended seal, each in its own transaction. Idempotent. A seal whose
 * decision throws is logged and reported, and the others are still decided.
 */
export function sweepAutomaticSuspensions(actor: AnyActor = { system: "lifecycle" }): AutomaticSweepReport {
  const candidates = db()
    .select({ serial: seals.serial })
    .from(seals)
    .where(inArray(seals.state, ["active", "suspended"]))
    .all();
  const report: AutomaticSweepReport = { suspended: [], reinstated: [], restated: [], causes: {}, failed: [] };
  for (const { serial } of candidates) {
    let change: AutomaticChange | null;
    try {
      change = transaction((tx) => decideAutomaticSuspension(tx, actor, serial));
    } catch (error) {
      console.error(`[automatic suspension] seal ${serial} could not be decided; the next sweep tries again:`, error);
      report.failed.push({ serial, error: error instanceof Error ? error.message : String(error) });
      continue;
    }
    if (!change) continue;
    if (change.action === "reinstate") report.reinstated.push(serial);
    else {
      (change.action === "suspend" ? report.suspended : report.restated).push(serial);
      report.causes[serial] = { findings: change.findings, recurring: change.recurring };
    }
  }
  return report;
}

/**
 * Why a seal may not be reinstated by hand now, for staff: what would make the sweep suspend it
 * again at once (a critical or high report open past its deadline, recurring evidence overdue past
 * its grace), named, and what lifts the suspension once nothing holds it: the sweeper, for one it
 * made; staff, here, for one a person made (the sweeper never lifts that). Null when nothing holds
 * it (or it is not a live seal): then the seal can be reinstated by hand.
 */
export function automaticHoldOf(serial: string, t: Reader = db()): string | null {
  const seal = liveSeal(t, serial);
  if (!seal) return null;
  const now = new Date(nowMs());
  if (seal.validUntil.getTime() <= now.getTime()) return null; // expired: the sweep suspends nothing
  const findingsHeld = blockingFindingsOf(t, seal.productVersionId, now);
  const recurringHeld = overdueRecurringOf(t, seal, now);
  const held = [
    ...findingsHeld.map(
      (f) => `the open ${f.severity} report "${f.title}", past its disclosure deadline of ${formatDate(f.deadline)}`,
    ),
    ...recurringHeld.map((r) => `recurring evidence for ${r.ref} ${r.title}, overdue`),
  ];
  if (held.length === 0) return null;
  const lifted = [
    findingsHeld.length ? "each report fixed and verified, withdrawn or given a later deadline" : "",
    recurringHeld.length ? "the evidence accepted" : "",
  ]
    .filter(Boolean)
    .join("; ");
  const byHand = seal.state === "suspended" && currentSuspension(t, serial).by !== "automatic";
  return `Held by ${held.join("; ")}. Reinstated by hand, the seal would be suspended again by the next lifecycle sweep. ${
    byHand
      ? `It was suspended by a person, so it is not reinstated automatically: once nothing holds it (${lifted}), reinstate it here.`
      : `It is reinstated automatically once nothing holds it (${lifted}).`
  }`;
}

/**
 * A person's status change (the staff seal page): changeSealStatus, but a reinstatement is
 * refused while something holds the seal (automaticHoldOf), so a seal does not flip valid and
 * back, each flip a public log entry and a message to every watcher.
 */
export function changeSealStatusByHand(
  actor: Actor,
  input: z.infer<typeof sealStatusInput>,
): { logIndex: number; tookOver?: true } {
  return transaction((tx) => {
    if (input.action === "reinstate" && can(actor.role, "seals.manage")) {
      const held = automaticHoldOf(input.serial, tx);
      if (held) throw new ServiceError("conflict", `Not reinstated. ${held}`);
    }
    if (input.action === "suspend" && can(actor.role, "seals.manage") && mayTakeOverSuspension(input.serial, tx)) {
      // Suspended by the sweep: staff with grounds of their own make it theirs (the sweep lifts only its own).
      const org = tx.select({ id: seals.organizationId }).from(seals).where(eq(seals.serial, input.serial)).get()!.id;
      assertNoConflict(tx, actor, org, "Another assessor must act on this seal.");
      return {
        ...restateSuspension(tx, actor, { serial: input.serial, reason: input.reason, cause: "" }),
        tookOver: true,
      };
    }
    return changeSealStatus(actor, input);
  });
}

/**
 * Whether staff may make a seal's suspension theirs: it is suspended by the sweep (which lifts it
 * once nothing holds it) and not past its validUntil (an expired seal is not suspended by hand:
 * EXPIRED_NOT_SUSPENDED). Suspended by hand, it stays suspended until staff reinstate it.
 */
export function mayTakeOverSuspension(serial: string, t: Reader = db()): boolean {
  const seal = deciding(t).seal.get({ serial });
  if (seal?.state !== "suspended" || seal.validUntil.getTime() <= nowMs()) return false;
  return currentSuspension(t, serial).by === "automatic";
}
