/**
 * The EU Cyber Resilience Act's reporting obligations on a vulnerability report (Regulation (EU)
 * 2024/2847, Article 14): the supplier (or an assessor) flags a report actively exploited and/or a
 * severe incident, with when the supplier became aware; the supplier records each submission to the
 * authority (the CSIRT coordinator, via ENISA's single reporting platform). The clocks themselves
 * are pure rules (domain/cra-clocks.ts). Each change runs in one transaction, is audit-logged and
 * emits `finding.changed` through the outbox, as the module's other report changes do.
 */
import { and, asc, eq } from "drizzle-orm";
import type { z } from "zod";
import { findingAuthorityReports, findings, findingUpdates } from "../../../db/schema";
import { nowMs } from "../../platform/clock.server";
import type { Actor } from "../../platform/actor";
import { recordAudit } from "../../platform/audit.server";
import { db, transaction, type Tx } from "../../platform/db.server";
import { ServiceError } from "../../platform/errors.server";
import { emit } from "../../platform/events.server";
import { assertNoConflict } from "../accounts/conflicts.server";
import { AUTHORITY_REPORT_LABELS, checkAwareAt, craClocks, type CraClocks } from "./domain/cra-clocks";
import { loadForActor } from "./findings.server";
import { toIsoUtc, type authorityReportInput, type craFlagInput } from "./forms";

type Reader = Tx | ReturnType<typeof db>;
type FindingRow = typeof findings.$inferSelect;

/** When a corrective or mitigating measure became available: the first time the report was marked fixed. */
function fixAvailableAt(t: Reader, findingId: string): Date | null {
  const row = t
    .select({ at: findingUpdates.at })
    .from(findingUpdates)
    .where(and(eq(findingUpdates.findingId, findingId), eq(findingUpdates.kind, "fixed")))
    .orderBy(asc(findingUpdates.id))
    .get();
  return row?.at ?? null;
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
  if (!f.exploitedAwareAt) return null;
  return craClocks(
    {
      activelyExploited: f.activelyExploited,
      severeIncident: f.severeIncident,
      awareAt: f.exploitedAwareAt,
      fixAvailableAt: fixAvailableAt(t, f.id),
      submissions: authorityReportsOf(t, f.id).map((r) => ({
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

const flagsText = (f: { activelyExploited: boolean; severeIncident: boolean }) =>
  [f.activelyExploited ? "actively exploited" : null, f.severeIncident ? "a severe incident" : null]
    .filter(Boolean)
    .join(" and ");
const ymdhm = (d: Date) => `${d.toISOString().slice(0, 16).replace("T", " ")} UTC`;

/**
 * CRA Article 14(1)-(4): flag a report actively exploited and/or a severe incident, starting its
 * reporting clocks. The time the supplier became aware is checked against the report (never before
 * the day it was reported, never in the future). Sent again with the same flags and another aware-at
 * time, it corrects that time (audited with the time it replaces).
 */
export function flagCraReport(actor: Actor, id: string, input: z.infer<typeof craFlagInput>): void {
  const now = new Date(nowMs());
  const awareAt = input.awareAt ? new Date(Date.parse(toIsoUtc(input.awareAt))) : now;
  transaction((tx) => {
    const f = assertActor(tx, actor, id);
    if (f.status === "withdrawn")
      throw new ServiceError("conflict", "This report is withdrawn; nothing is reported on it.");
    const ok = checkAwareAt(awareAt, now, f.reportedAt);
    if (!ok.ok) throw new ServiceError("invalid", ok.message, { awareAt: ok.message });
    const exploited = f.activelyExploited || input.activelyExploited === "yes";
    const severe = f.severeIncident || input.severeIncident === "yes";
    const sameFlags = exploited === f.activelyExploited && severe === f.severeIncident;
    if (sameFlags && f.exploitedAwareAt) {
      if (!input.awareAt || awareAt.getTime() === f.exploitedAwareAt.getTime())
        throw new ServiceError(
          "conflict",
          `This report is already flagged ${flagsText(f)}; its Article 14 clocks run from ${ymdhm(f.exploitedAwareAt)}. To correct when you became aware, enter the corrected time.`,
        );
      correctAwareAt(tx, actor, f, awareAt, now);
      return;
    }
    // The clocks run from the first awareness: a later flag does not restart them.
    const aware = f.exploitedAwareAt ?? awareAt;
    tx.update(findings)
      .set({
        activelyExploited: exploited,
        severeIncident: severe,
        exploitedAwareAt: aware,
        updatedAt: now,
        version: f.version + 1,
      })
      .where(eq(findings.id, id))
      .run();
    recordAudit(tx, actor, {
      action: "finding.cra_flagged",
      target: { type: "finding", id },
      organizationId: f.organizationId,
      details: { activelyExploited: exploited, severeIncident: severe, awareAt: aware.toISOString() },
    });
    emit(tx, "finding.changed", { findingId: id, productId: f.productId });
  });
}

/** A mistyped aware-at time corrected: the clocks run from the new one; never after a submission already recorded. */
function correctAwareAt(tx: Tx, actor: Actor, f: FindingRow, awareAt: Date, now: Date): void {
  const first = authorityReportsOf(tx, f.id)[0];
  if (first && awareAt.getTime() > first.submittedAt.getTime() + 60_000) {
    const message = `When you became aware cannot be after the ${AUTHORITY_REPORT_LABELS[first.kind].toLowerCase()} submitted ${ymdhm(first.submittedAt)}.`;
    throw new ServiceError("invalid", message, { awareAt: message });
  }
  tx.update(findings)
    .set({ exploitedAwareAt: awareAt, updatedAt: now, version: f.version + 1 })
    .where(eq(findings.id, f.id))
    .run();
  recordAudit(tx, actor, {
    action: "finding.cra_aware_corrected",
    target: { type: "finding", id: f.id },
    organizationId: f.organizationId,
    details: { from: f.exploitedAwareAt!.toISOString(), to: awareAt.toISOString() },
  });
  emit(tx, "finding.changed", { findingId: f.id, productId: f.productId });
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
export function recordAuthorityReport(actor: Actor, id: string, input: z.infer<typeof authorityReportInput>): void {
  const now = new Date(nowMs());
  const submittedAt = new Date(Date.parse(toIsoUtc(input.submittedAt)));
  if (submittedAt.getTime() > now.getTime() + 60_000)
    throw new ServiceError("invalid", "The submission date cannot be in the future.", {
      submittedAt: "The submission date cannot be in the future.",
    });
  transaction((tx) => {
    const f = assertActor(tx, actor, id);
    if (f.status === "withdrawn") throw new ServiceError("conflict", WITHDRAWN_NO_CRA_DUTY);
    if (!f.exploitedAwareAt)
      throw new ServiceError(
        "conflict",
        "Flag the report actively exploited or a severe incident first: that starts the Article 14 clocks.",
      );
    if (submittedAt.getTime() < f.exploitedAwareAt.getTime() - 60_000)
      throw new ServiceError("invalid", "The submission cannot be before the supplier became aware.", {
        submittedAt: "The submission cannot be before the supplier became aware.",
      });
    tx.insert(findingAuthorityReports)
      .values({
        findingId: id,
        kind: input.kind,
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
 * What the report page shows of Article 14: the flags, the three clocks and the submissions recorded;
 * whether the actor may flag it or record a submission (neither on a withdrawn report: its clocks
 * have stopped, `withdrawn`).
 */
export function craView(actor: Actor, id: string) {
  const t = db();
  const f = assertActor(t, actor, id);
  const now = new Date(nowMs());
  const clocks = craClocksOf(t, f, now);
  const withdrawn = f.status === "withdrawn";
  return {
    activelyExploited: f.activelyExploited,
    severeIncident: f.severeIncident,
    awareAt: f.exploitedAwareAt,
    clocks,
    withdrawn,
    canRecord: clocks !== null && !withdrawn,
    reports: authorityReportsOf(t, id).map((r) => ({
      id: r.id,
      kind: r.kind,
      label: AUTHORITY_REPORT_LABELS[r.kind],
      submittedAt: r.submittedAt,
      reference: r.reference,
    })),
    canFlag: !withdrawn && !(f.activelyExploited && f.severeIncident),
  };
}
