/**
 * The EU Cyber Resilience Act's reporting obligations on a vulnerability report (Regulation (EU)
 * 2024/2847, Article 14): the supplier (or an assessor) flags a report actively exploited and/or a
 * severe incident, each with when the supplier became aware of it (two notifications, two sets of
 * clocks); corrects such a time, or removes a flag ticked by mistake until a submission of it is
 * recorded; and records each submission to the authority (the CSIRT coordinator, via ENISA's single
 * reporting platform), for the vulnerability or for the incident. The clocks themselves are pure
 * rules (domain/cra-clocks.ts). Every form carries the report's version: a stale page is refused.
 * Each change runs in one transaction, is audit-logged and emits `finding.changed` through the
 * outbox, as the module's other report changes do.
 */
import { and, asc, desc, eq } from "drizzle-orm";
import type { z } from "zod";
import { findingAuthorityReports, findings, findingUpdates } from "../../../db/schema";
import { nowMs } from "../../platform/clock.server";
import type { Actor } from "../../platform/actor";
import { recordAudit } from "../../platform/audit.server";
import { db, transaction, type Tx } from "../../platform/db.server";
import { ServiceError } from "../../platform/errors.server";
import { emit } from "../../platform/events.server";
import { assertNoConflict } from "../accounts/conflicts.server";
import {
  article14Applies,
  AUTHORITY_REPORT_LABELS,
  checkAwareAt,
  craClocks,
  craPublicFlagOf,
  CRA_SUBJECT_LABELS,
  type CraClocks,
  type CraSubject,
} from "./domain/cra-clocks";
import { fixStateOf } from "./domain/update-required";
import { loadForActor } from "./findings.server";
import {
  toIsoUtc,
  type authorityReportInput,
  type craCorrectInput,
  type craFlagInput,
  type craUnflagInput,
} from "./forms";

type Reader = Tx | ReturnType<typeof db>;
type FindingRow = typeof findings.$inferSelect;

/**
 * A form's input as a service takes it: `version` is the report's version the page was drawn from,
 * compared with the report's (a stale page is refused). Code that has just read the report itself
 * (the demo seed) may leave it out.
 */
type Versioned<T extends { version: number }> = Omit<T, "version"> & { version?: number };
export type CraFlagArgs = Versioned<z.infer<typeof craFlagInput>>;
export type CraCorrectArgs = Versioned<z.infer<typeof craCorrectInput>>;
export type CraUnflagArgs = Versioned<z.infer<typeof craUnflagInput>>;
export type AuthorityReportArgs = Versioned<z.infer<typeof authorityReportInput>>;

/**
 * When a corrective or mitigating measure became available (Article 14(2)(c)'s start): when the
 * report was last marked fixed, as long as that fix stands. Whether a fix stands is the report
 * page's and "update required"'s rule (domain/update-required.ts, fixStateOf): marked fixed or
 * verified; a fix the assessor rejected (back to fix in progress) is no fix, and the next "fixed"
 * starts the clock afresh. A verified report without a "fixed" row: its verification time.
 */
export function fixAvailableAt(
  t: Reader,
  f: Pick<FindingRow, "id" | "status" | "fixedInVersion" | "verifiedAt">,
): Date | null {
  if (fixStateOf(f, []).state === "none") return null;
  const row = t
    .select({ at: findingUpdates.at })
    .from(findingUpdates)
    .where(and(eq(findingUpdates.findingId, f.id), eq(findingUpdates.kind, "fixed")))
    .orderBy(desc(findingUpdates.id))
    .get();
  return row?.at ?? f.verifiedAt ?? null;
}

export function authorityReportsOf(t: Reader, findingId: string) {
  return t
    .select()
    .from(findingAuthorityReports)
    .where(eq(findingAuthorityReports.findingId, findingId))
    .orderBy(asc(findingAuthorityReports.submittedAt), asc(findingAuthorityReports.id))
    .all();
}

/** The report's Article 14 clocks at `now` (null: not flagged). */
export function craClocksOf(t: Reader, f: FindingRow, now: Date): CraClocks | null {
  if (!f.activelyExploited && !f.severeIncident) return null;
  return craClocks(
    {
      activelyExploited: f.activelyExploited,
      severeIncident: f.severeIncident,
      exploitedAwareAt: f.exploitedAwareAt,
      incidentAwareAt: f.incidentAwareAt,
      fixAvailableAt: fixAvailableAt(t, f),
      submissions: authorityReportsOf(t, f.id).map((r) => ({
        subject: r.subject,
        kind: r.kind,
        submittedAt: r.submittedAt,
        reference: r.reference,
      })),
    },
    now,
  );
}

const assertActor = (t: Reader, actor: Actor, id: string) => {
  const f = loadForActor(t, actor, id);
  assertNoConflict(t, actor, f.organizationId, "Another assessor must act on this report.");
  return f;
};

/** The page the form came from showed another version of the report: refused, nothing changed. */
function assertVersion(f: FindingRow, version: number | undefined): void {
  if (version !== undefined && version !== f.version)
    throw new ServiceError("conflict", "Someone changed this finding meanwhile; reload the page and try again.");
}

function assertNotWithdrawn(f: FindingRow): void {
  if (f.status === "withdrawn")
    throw new ServiceError("conflict", "This report is withdrawn; nothing is reported on it.");
}

const FLAG_WORDS: Record<CraSubject, string> = {
  vulnerability: "actively exploited",
  incident: "a severe incident",
};
const flagged = (f: FindingRow, s: CraSubject) => (s === "vulnerability" ? f.activelyExploited : f.severeIncident);
const awareOf = (f: FindingRow, s: CraSubject) => (s === "vulnerability" ? f.exploitedAwareAt : f.incidentAwareAt);
const AWARE_FIELD: Record<CraSubject, "awareAt" | "incidentAwareAt"> = {
  vulnerability: "awareAt",
  incident: "incidentAwareAt",
};
const ymdhm = (d: Date) => `${d.toISOString().slice(0, 16).replace("T", " ")} UTC`;
const timeOf = (s: string | undefined, now: Date) => (s ? new Date(Date.parse(toIsoUtc(s))) : now);

/**
 * CRA Article 14(1)-(4): flag a report actively exploited and/or a severe incident, each with when
 * the supplier became aware of it (checked against the report: never before the day it was
 * reported, never in the future), starting that notification's clocks. A flag already set is never
 * changed here: its awareness time is corrected with correctCraAwareAt, its flag removed with
 * removeCraFlag. Returns the flags added, each with whether Article 14 applied at its awareness time
 * (the two may differ: craFlaggedNotice words them per flag).
 */
export function flagCraReport(
  actor: Actor,
  id: string,
  input: CraFlagArgs,
): { flagged: { subject: CraSubject; applicable: boolean }[] } {
  const now = new Date(nowMs());
  const times: Record<CraSubject, Date> = {
    vulnerability: timeOf(input.awareAt, now),
    incident: timeOf(input.incidentAwareAt, now),
  };
  return transaction((tx) => {
    const f = assertActor(tx, actor, id);
    assertNotWithdrawn(f);
    assertVersion(f, input.version);
    const ticked: CraSubject[] = [];
    if (input.activelyExploited === "yes") ticked.push("vulnerability");
    if (input.severeIncident === "yes") ticked.push("incident");
    const adding = ticked.filter((s) => !flagged(f, s));
    if (adding.length === 0) {
      const already = ticked.map((s) => `${FLAG_WORDS[s]} (aware ${ymdhm(awareOf(f, s)!)})`).join(" and ");
      throw new ServiceError(
        "conflict",
        `This report is already flagged ${already}: nothing was changed. To change when you became aware, use "Correct when you became aware".`,
      );
    }
    for (const s of adding) {
      const ok = checkAwareAt(times[s], now, f.reportedAt);
      if (!ok.ok) throw new ServiceError("invalid", ok.message, { [AWARE_FIELD[s]]: ok.message });
    }
    const exploited = f.activelyExploited || adding.includes("vulnerability");
    const severe = f.severeIncident || adding.includes("incident");
    const exploitedAwareAt = adding.includes("vulnerability") ? times.vulnerability : f.exploitedAwareAt;
    const incidentAwareAt = adding.includes("incident") ? times.incident : f.incidentAwareAt;
    tx.update(findings)
      .set({
        activelyExploited: exploited,
        severeIncident: severe,
        exploitedAwareAt,
        incidentAwareAt,
        updatedAt: now,
        version: f.version + 1,
      })
      .where(eq(findings.id, id))
      .run();
    recordAudit(tx, actor, {
      action: "finding.cra_flagged",
      target: { type: "finding", id },
      organizationId: f.organizationId,
      details: {
        activelyExploited: exploited,
        severeIncident: severe,
        exploitedAwareAt: exploitedAwareAt?.toISOString() ?? null,
        incidentAwareAt: incidentAwareAt?.toISOString() ?? null,
      },
    });
    emit(tx, "finding.changed", { findingId: id, productId: f.productId });
    return { flagged: adding.map((s) => ({ subject: s, applicable: article14Applies(times[s]) })) };
  });
}

/**
 * A mistyped awareness time corrected (its own form on the page, showing the current time): the
 * clocks of that notification run from the new one, within the flag's bounds and never after a
 * submission of it already recorded; audited with the time it replaces.
 */
export function correctCraAwareAt(actor: Actor, id: string, input: CraCorrectArgs): void {
  const now = new Date(nowMs());
  const awareAt = new Date(Date.parse(toIsoUtc(input.awareAt)));
  transaction((tx) => {
    const f = assertActor(tx, actor, id);
    assertNotWithdrawn(f);
    assertVersion(f, input.version);
    const s = input.subject;
    const current = awareOf(f, s);
    if (!flagged(f, s) || !current)
      throw new ServiceError("conflict", `This report is not flagged ${FLAG_WORDS[s]}: there is no time to correct.`);
    const ok = checkAwareAt(awareAt, now, f.reportedAt);
    if (!ok.ok) throw new ServiceError("invalid", ok.message, { awareAt: ok.message });
    if (awareAt.getTime() === current.getTime()) {
      const message = `That is already when you became aware (${ymdhm(current)}): enter the corrected time.`;
      throw new ServiceError("invalid", message, { awareAt: message });
    }
    const first = authorityReportsOf(tx, f.id).find((r) => r.subject === s);
    if (first && awareAt.getTime() > first.submittedAt.getTime() + 60_000) {
      const message = `When you became aware cannot be after the ${AUTHORITY_REPORT_LABELS[first.kind].toLowerCase()} submitted ${ymdhm(first.submittedAt)}.`;
      throw new ServiceError("invalid", message, { awareAt: message });
    }
    tx.update(findings)
      .set({
        ...(s === "vulnerability" ? { exploitedAwareAt: awareAt } : { incidentAwareAt: awareAt }),
        updatedAt: now,
        version: f.version + 1,
      })
      .where(eq(findings.id, f.id))
      .run();
    recordAudit(tx, actor, {
      action: "finding.cra_aware_corrected",
      target: { type: "finding", id: f.id },
      organizationId: f.organizationId,
      details: { subject: s, from: current.toISOString(), to: awareAt.toISOString() },
    });
    emit(tx, "finding.changed", { findingId: f.id, productId: f.productId });
  });
}

/**
 * A flag ticked by mistake taken back, with the reason (audited with the awareness time it had).
 * Only until a submission of that notification to the authority is recorded: from then on the
 * report is on the authority's file, and the page keeps saying so.
 */
export function removeCraFlag(actor: Actor, id: string, input: CraUnflagArgs): void {
  const now = new Date(nowMs());
  transaction((tx) => {
    const f = assertActor(tx, actor, id);
    assertNotWithdrawn(f);
    assertVersion(f, input.version);
    const s = input.subject;
    if (!flagged(f, s)) throw new ServiceError("conflict", `This report is not flagged ${FLAG_WORDS[s]}.`);
    const recorded = authorityReportsOf(tx, f.id).find((r) => r.subject === s);
    if (recorded)
      throw new ServiceError(
        "conflict",
        `The flag ${FLAG_WORDS[s]} cannot be removed: its ${AUTHORITY_REPORT_LABELS[recorded.kind].toLowerCase()} to the authority is recorded (submitted ${ymdhm(recorded.submittedAt)}, reference ${recorded.reference}).`,
      );
    const reason = input.reason.trim();
    if (!reason) {
      const message = "Explain why the flag is removed.";
      throw new ServiceError("invalid", message, { reason: message });
    }
    const was = awareOf(f, s);
    tx.update(findings)
      .set({
        ...(s === "vulnerability"
          ? { activelyExploited: false, exploitedAwareAt: null }
          : { severeIncident: false, incidentAwareAt: null }),
        updatedAt: now,
        version: f.version + 1,
      })
      .where(eq(findings.id, f.id))
      .run();
    recordAudit(tx, actor, {
      action: "finding.cra_flag_removed",
      target: { type: "finding", id: f.id },
      organizationId: f.organizationId,
      details: { subject: s, awareAt: was?.toISOString() ?? null, reason },
    });
    emit(tx, "finding.changed", { findingId: f.id, productId: f.productId });
  });
}

/**
 * Why nothing more is recorded on a withdrawn report: withdrawn means not a real vulnerability, so no
 * Article 14 duty is left on it (the flag is refused too, and the sweep no longer reminds of its
 * clocks). What was recorded before the withdrawal stays on its page.
 */
export const WITHDRAWN_NO_CRA_DUTY =
  "This report is withdrawn (not a real vulnerability): no Article 14 reporting duty is left on it, so no submission to the authority is recorded on it. The submissions recorded before the withdrawal stay on its page.";

/**
 * CRA Article 14: record one submission to the authority (early warning, notification or final
 * report). Not on a withdrawn report (WITHDRAWN_NO_CRA_DUTY).
 */
export function recordAuthorityReport(actor: Actor, id: string, input: AuthorityReportArgs): void {
  const now = new Date(nowMs());
  const submittedAt = new Date(Date.parse(toIsoUtc(input.submittedAt)));
  if (submittedAt.getTime() > now.getTime() + 60_000)
    throw new ServiceError("invalid", "The submission date cannot be in the future.", {
      submittedAt: "The submission date cannot be in the future.",
    });
  transaction((tx) => {
    const f = assertActor(tx, actor, id);
    if (f.status === "withdrawn") throw new ServiceError("conflict", WITHDRAWN_NO_CRA_DUTY);
    if (!f.activelyExploited && !f.severeIncident)
      throw new ServiceError(
        "conflict",
        "Flag the report actively exploited or a severe incident first: that starts the Article 14 clocks.",
      );
    const subject =
      input.subject ??
      (f.activelyExploited && f.severeIncident ? null : f.activelyExploited ? "vulnerability" : "incident");
    if (!subject) {
      const message = "Choose whether it concerns the actively exploited vulnerability or the severe incident.";
      throw new ServiceError("invalid", message, { subject: message });
    }
    const awareAt = awareOf(f, subject);
    if (!flagged(f, subject) || !awareAt) {
      const message = `This report is not flagged ${FLAG_WORDS[subject]}: a submission about it cannot be recorded.`;
      throw new ServiceError("invalid", message, { subject: message });
    }
    if (submittedAt.getTime() < awareAt.getTime() - 60_000)
      throw new ServiceError("invalid", "The submission cannot be before the supplier became aware.", {
        submittedAt: "The submission cannot be before the supplier became aware.",
      });
    // The same form sent twice (a double click without JavaScript, a reload): recorded once.
    const same = authorityReportsOf(tx, id).find(
      (r) =>
        r.subject === subject &&
        r.kind === input.kind &&
        r.submittedAt.getTime() === submittedAt.getTime() &&
        r.reference === input.reference,
    );
    if (same)
      throw new ServiceError(
        "conflict",
        `This submission is already recorded: ${AUTHORITY_REPORT_LABELS[same.kind].toLowerCase()} submitted ${ymdhm(same.submittedAt)}, reference ${same.reference}. Nothing was added.`,
      );
    assertVersion(f, input.version);
    tx.insert(findingAuthorityReports)
      .values({
        findingId: id,
        kind: input.kind,
        subject,
        submittedAt,
        reference: input.reference,
        actorId: actor.userId,
        at: now,
      })
      .run();
    tx.update(findings)
      .set({ updatedAt: now, version: f.version + 1 })
      .where(eq(findings.id, id))
      .run();
    recordAudit(tx, actor, {
      action: "finding.authority_report_recorded",
      target: { type: "finding", id },
      organizationId: f.organizationId,
      details: {
        subject,
        kind: input.kind,
        label: AUTHORITY_REPORT_LABELS[input.kind],
        submittedAt: submittedAt.toISOString(),
        reference: input.reference,
      },
    });
    emit(tx, "finding.changed", { findingId: id, productId: f.productId });
  });
}

/**
 * What the report page shows of Article 14: the flags with their awareness times, the clocks (a set
 * per flag) and the submissions recorded; whether the actor may flag it, record a submission,
 * correct an awareness time or remove a flag (none of them on a withdrawn report: its clocks have
 * stopped, `withdrawn`). `version`: what the page's CRA forms send back.
 */
export function craView(actor: Actor, id: string) {
  const t = db();
  const f = assertActor(t, actor, id);
  const now = new Date(nowMs());
  const clocks = craClocksOf(t, f, now);
  const withdrawn = f.status === "withdrawn";
  const reports = authorityReportsOf(t, id);
  const recorded = (s: CraSubject) => reports.some((r) => r.subject === s);
  return {
    activelyExploited: f.activelyExploited,
    severeIncident: f.severeIncident,
    exploitedAwareAt: f.exploitedAwareAt,
    incidentAwareAt: f.incidentAwareAt,
    /** What a watching buyer is shown of the flags (craPublicFlagOf), quoted on the report's page. */
    publicFlag: craPublicFlagOf(f),
    clocks,
    withdrawn,
    version: f.version,
    canRecord: clocks !== null && !withdrawn,
    reports: reports.map((r) => ({
      id: r.id,
      kind: r.kind,
      label: AUTHORITY_REPORT_LABELS[r.kind],
      subject: r.subject,
      subjectLabel: CRA_SUBJECT_LABELS[r.subject],
      submittedAt: r.submittedAt,
      reference: r.reference,
    })),
    canFlag: !withdrawn && !(f.activelyExploited && f.severeIncident),
    /** Per flag set: whether its awareness time may be corrected (not withdrawn). */
    canCorrect: !withdrawn,
    /** Per flag set: whether it may be removed (not withdrawn, no submission of it recorded). */
    canUnflag: {
      vulnerability: !withdrawn && f.activelyExploited && !recorded("vulnerability"),
      incident: !withdrawn && f.severeIncident && !recorded("incident"),
    },
  };
}
