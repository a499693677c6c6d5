/**
 * What the automatic-suspension sweeper should do to one seal, and the public reasons and
 * internal causes it records. Pure: the recorded state and the causes are passed in. The verdict
 * anyone sees follows from the recorded state (trust/domain/verdict.ts): a cause counts once the
 * sweeper has recorded the suspension.
 *
 * Causes of automatic suspension (one suspension, whatever the mix):
 *  - findings: a critical/high finding open past its disclosure deadline (findings.blocksSeal);
 *  - recurring: a recurring requirement past its due date plus the grace period (recurring.ts).
 * The seal is suspended while any cause holds and reinstated only once none does. A suspension
 * made by a person is never lifted automatically.
 *
 * Finding details stay private until disclosure: no reason produced here ever names a finding
 * (the recurring part names the requirement, which is public checklist text). Which findings
 * and requirements caused a change is recorded internally in the seal event's `cause`
 * (`finding:<ids>;recurring:<refs>`, see suspensionCause).
 */
import { recurringSuspensionReason } from "./recurring";
import { nextSealState, type SealState } from "../../trust/domain/seal-state";
import { formatDate } from "../../../platform/format";

/** Who recorded the current suspension: an assessor by hand, or the sweeper (findings and/or recurring evidence). */
export type SuspendedBy = "manual" | "automatic";

export interface BlockingFinding {
  id: string;
  title: string;
}

/** A recurring requirement past its due date and grace period. */
export interface OverdueRequirement {
  ref: string;
  title: string;
}

/** What holds a seal suspended automatically, now. */
export interface SuspensionCauses {
  findings: readonly BlockingFinding[];
  recurring: readonly OverdueRequirement[];
}

export type CauseKind = "finding" | "recurring";

/** The public reason for a suspension caused by findings (never the findings' titles or details). */
export const FINDING_SUSPENSION_REASON = "Under review for a reported security issue past its disclosure deadline.";
/**
 * (Each report that held it was fixed and the fix verified, or withdrawn: the reason says only what is true
 * of both. A report still open had its deadline extended instead, and is told as such: automaticReinstateReason.)
 */
export const FINDING_REINSTATE_REASON =
  "No open security report is past its disclosure deadline any more: each was fixed and verified, or withdrawn.";
export const RECURRING_REINSTATE_REASON = "Fresh recurring evidence was accepted; none is overdue any more.";
export const FINDING_AND_RECURRING_REINSTATE_REASON =
  "No open security report is past its disclosure deadline (each was fixed and verified, or withdrawn) and no recurring evidence is overdue any more.";
/** Reinstating an automatic suspension whose recorded cause is not known (kept for old records). */
export const AUTOMATIC_REINSTATE_REASON = "Nothing that suspended this seal automatically remains.";

const NO_CAUSES: SuspensionCauses = { findings: [], recurring: [] };

const hasCauses = (c: SuspensionCauses) => c.findings.length > 0 || c.recurring.length > 0;

/**
 * The public reason for an automatic suspension with these causes, or null when none holds:
 * the findings part first (generic), then "Recurring evidence overdue: <ref> <title>." for the
 * requirements in the order given. Never a finding's title or id.
 */
export function automaticSuspensionReason(causes: SuspensionCauses): string | null {
  const parts: string[] = [];
  if (causes.findings.length) parts.push(FINDING_SUSPENSION_REASON);
  if (causes.recurring.length) parts.push(recurringSuspensionReason(uniqueByRef(causes.recurring)));
  return parts.length ? parts.join(" ") : null;
}

/**
 * A report that held the seal during its suspension (named in the suspension's cause, or released
 * since by a deadline extended after it had passed), as it stands now. Never named in a reason.
 */
export interface HeldFinding {
  /** Still open (not fixed and verified, not withdrawn). */
  open: boolean;
  /** Its disclosure deadline now (for one still open that holds nothing any more: the extended one). */
  deadline: Date;
}

/**
 * The public reason for lifting an automatic suspension, from the kinds of cause it was recorded
 * with and the reports that held it. A report still open was not fixed or withdrawn: its deadline
 * was extended (after it had passed: allowed once its advisory is public), and the reason says so,
 * with the new date, never the report.
 */
export function automaticReinstateReason(recorded: ReadonlySet<CauseKind>, held: readonly HeldFinding[] = []): string {
  const finding = recorded.has("finding");
  const recurring = recorded.has("recurring");
  const extended = finding ? held.filter((f) => f.open) : [];
  if (extended.length)
    return [extendedReason(extended, held.length - extended.length), recurring ? RECURRING_REINSTATE_REASON : ""]
      .filter(Boolean)
      .join(" ");
  if (finding && recurring) return FINDING_AND_RECURRING_REINSTATE_REASON;
  if (finding) return FINDING_REINSTATE_REASON;
  if (recurring) return RECURRING_REINSTATE_REASON;
  return AUTOMATIC_REINSTATE_REASON;
}

/**
 * "The disclosure deadline of the report that held it was extended to 24 Apr 2027.", or, with
 * reports that were closed besides, "No open security report is past its disclosure deadline any
 * more: the deadline of one report that held it was extended to …; the other was fixed and
 * verified, or withdrawn." Several extended: "…, the earliest to <date>".
 */
function extendedReason(extended: readonly HeldFinding[], closed: number): string {
  const earliest = formatDate(Math.min(...extended.map((f) => f.deadline.getTime())));
  const several = extended.length > 1;
  if (closed === 0)
    return several
      ? `The disclosure deadlines of the reports that held it were extended, the earliest to ${earliest}.`
      : `The disclosure deadline of the report that held it was extended to ${earliest}.`;
  const moved = several
    ? `the deadlines of ${extended.length} reports that held it were extended, the earliest to ${earliest}`
    : `the deadline of one report that held it was extended to ${earliest}`;
  const others = closed === 1 ? "the other was" : "the others were";
  return `No open security report is past its disclosure deadline any more: ${moved}; ${others} fixed and verified, or withdrawn.`;
}

function uniqueByRef<T extends { ref: string }>(list: readonly T[]): T[] {
  const seen = new Set<string>();
  return list.filter((r) => !seen.has(r.ref) && seen.add(r.ref));
}

/**
 * The internal record of an automatic change, as stored in the seal event's `cause`:
 * "finding:<id>,<id>" and/or "recurring:<ref>,<ref>", joined by ";" ("finding:f-1;recurring:5.2-3").
 * For a reinstatement, the kinds that were lifted with "none" ("finding:none;recurring:none").
 * Finding ids are uuids and refs are letters, digits, ".", "-" and "_", so "," and ";" never
 * occur inside them.
 */
export function suspensionCause(causes: SuspensionCauses): string {
  const parts: string[] = [];
  if (causes.findings.length) parts.push(`finding:${[...new Set(causes.findings.map((f) => f.id))].join(",")}`);
  if (causes.recurring.length)
    parts.push(
      `recurring:${uniqueByRef(causes.recurring)
        .map((r) => r.ref)
        .join(",")}`,
    );
  return parts.join(";");
}

export function reinstatementCause(recorded: ReadonlySet<CauseKind>): string {
  const kinds = (["finding", "recurring"] as const).filter((k) => recorded.has(k));
  return kinds.length ? kinds.map((k) => `${k}:none`).join(";") : "automatic:none";
}

/**
 * Reads a seal event's `cause`: whether the sweeper made the change, and what it named. A
 * person's change has no cause (null); "recertification:<id>" and other causes are not
 * automatic suspensions.
 */
export function parseCause(cause: string | null | undefined): {
  automatic: boolean;
  kinds: Set<CauseKind>;
  findingIds: string[];
  recurringRefs: string[];
} {
  const out = {
    automatic: false,
    kinds: new Set<CauseKind>(),
    findingIds: [] as string[],
    recurringRefs: [] as string[],
  };
  for (const part of (cause ?? "").split(";")) {
    const i = part.indexOf(":");
    if (i <= 0) continue;
    const kind = part.slice(0, i);
    const items = part
      .slice(i + 1)
      .split(",")
      .filter((x) => x && x !== "none");
    if (kind === "finding") {
      out.automatic = true;
      out.kinds.add("finding");
      out.findingIds.push(...items);
    } else if (kind === "recurring") {
      out.automatic = true;
      out.kinds.add("recurring");
      out.recurringRefs.push(...items);
    } else if (kind === "automatic") out.automatic = true;
  }
  return out;
}

export type SweepDecision =
  | { action: "suspend"; reason: string; cause: string; findingIds: string[]; recurringRefs: string[] }
  /** Already suspended automatically, but the public reason no longer says why (a cause came or went): record the new one. */
  | { action: "restate"; reason: string; cause: string; findingIds: string[]; recurringRefs: string[] }
  | { action: "reinstate"; reason: string; cause: string }
  | { action: "none"; why: string };

export interface SweepInput {
  state: SealState;
  /** Who made the current suspension (null when not suspended, or unknown: treated as a person). */
  suspendedBy: SuspendedBy | null;
  blockingFindings: readonly BlockingFinding[];
  overdueRecurring?: readonly OverdueRequirement[];
  /** The seal has passed its validUntil (or the support period ended): its verdict is expired whatever is done. */
  expired?: boolean;
  /**
   * For an automatic suspension: the public reason and the cause kinds recorded with it, and (read
   * when it may be lifted) the reports that held it, as they stand now (automaticReinstateReason).
   */
  recorded?: { reason: string; kinds: ReadonlySet<CauseKind>; heldBy?: readonly HeldFinding[] } | null;
}

/**
 * What the automatic-suspension sweeper does to one seal:
 *  - "suspend" an active seal while any cause holds (`reason` is public, `cause` the internal
 *    record of which findings and requirements);
 *  - "restate" an automatic suspension whose causes changed so that its public reason no longer
 *    fits (a finding was fixed but evidence is still overdue, or the other way round);
 *  - "reinstate" a seal the sweeper itself suspended once no cause remains;
 *  - "none" otherwise: a manual suspension is never lifted automatically (nor one of unknown
 *    origin), revoked and superseded seals are never touched, an expired seal is left as it
 *    is (its verdict is "expired" or, if suspended, stays "suspended" with its reason), and a
 *    seal suspended automatically stays suspended while any cause holds.
 */
export function sweepDecision(input: SweepInput): SweepDecision {
  const { state, suspendedBy } = input;
  const causes: SuspensionCauses = {
    findings: input.blockingFindings,
    recurring: input.overdueRecurring ?? NO_CAUSES.recurring,
  };
  const blocked = hasCauses(causes);
  const ids = () => ({
    findingIds: [...new Set(causes.findings.map((f) => f.id))],
    recurringRefs: uniqueByRef(causes.recurring).map((r) => r.ref),
  });
  switch (state) {
    case "revoked":
    case "superseded":
      return { action: "none", why: `The seal is ${state}; the sweeper never changes it.` };
    case "active":
      if (input.expired) return { action: "none", why: "The seal has expired; there is nothing to suspend." };
      if (!blocked)
        return { action: "none", why: "Nothing holds this seal: no overdue finding or recurring evidence." };
      if (!nextSealState(state, "suspend").ok) return { action: "none", why: "The seal cannot be suspended." };
      return {
        action: "suspend",
        reason: automaticSuspensionReason(causes)!,
        cause: suspensionCause(causes),
        ...ids(),
      };
    case "suspended": {
      if (suspendedBy !== "automatic")
        return { action: "none", why: "The seal was suspended by hand; only an assessor can reinstate it." };
      if (input.expired) return { action: "none", why: "The seal has expired; its suspension stays as recorded." };
      if (blocked) {
        const reason = automaticSuspensionReason(causes)!;
        if (input.recorded && input.recorded.reason !== reason)
          return { action: "restate", reason, cause: suspensionCause(causes), ...ids() };
        return { action: "none", why: "What suspended this seal still holds." };
      }
      if (!nextSealState(state, "reinstate").ok) return { action: "none", why: "The seal cannot be reinstated." };
      const kinds = input.recorded?.kinds ?? new Set<CauseKind>();
      return {
        action: "reinstate",
        reason: automaticReinstateReason(kinds, input.recorded?.heldBy),
        cause: reinstatementCause(kinds),
      };
    }
  }
}
