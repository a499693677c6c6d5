/**
 * What the dashboards and the reports list show of vulnerability reports: a supplier's open reports
 * with their disclosure clocks, the fixes an assessor can verify, and each report's next CRA
 * Article 14 clock (a report flagged actively exploited or a severe incident). They read through
 * listFindings (the one place that scopes reports to the actor: a supplier's own organisation,
 * every report for the certification body) and craClocksOf (the one place that computes the
 * Article 14 clocks of a report) and keep their rules; nothing here decides anything new.
 */
import { and, eq, inArray, ne, or } from "drizzle-orm";
import { findings } from "../../../db/schema";
import { nowMs } from "../../platform/clock.server";
import { db } from "../../platform/db.server";
import { assertCan } from "../../platform/authorize.server";
import type { Actor } from "../../platform/actor";
import { CRA_STATE_LABELS, type CraClock } from "./domain/cra-clocks";
import { availableFindingActions, isOpen } from "./domain/findings";
import { findingsList, listFindings } from "./findings.server";
import { craClocksOf } from "./cra-reporting.server";

type ListedFinding = ReturnType<typeof listFindings>[number];

/** A report's next Article 14 clock, as the lists show it: what is due, when, and in what state. */
export interface CraNext {
  /** "Early warning", "Notification" or "Final report". */
  label: string;
  /** The Article 14 point it comes from, e.g. "Article 14(2)(c)". */
  article: string;
  dueAt: Date | null;
  /** What a waiting clock waits for ("a corrective or mitigating measure (a fix) is available"). */
  waitingFor: string | null;
  /** Its state in words ("due soon", "overdue", …). */
  state: string;
  /** The badge's tone, as on the report's page: overdue bad, due soon warn, otherwise info. */
  tone: "bad" | "warn" | "info";
}

function craNextOf(c: CraClock): CraNext {
  return {
    label: c.label,
    article: c.article,
    dueAt: c.dueAt,
    waitingFor: c.waitingFor,
    state: CRA_STATE_LABELS[c.state],
    tone: c.state === "overdue" ? "bad" : c.state === "due_soon" ? "warn" : "info",
  };
}

/**
 * The next Article 14 clock of each of these reports that has one left: flagged (actively exploited
 * or a severe incident), not withdrawn (no duty is left on a withdrawn report), and a submission to
 * the authority still to make. A verified fix does not end the duty: the final report is due 14
 * days after the fix became available.
 */
function craNextByFinding(ids: readonly string[]): Map<string, CraNext> {
  const out = new Map<string, CraNext>();
  const now = new Date(nowMs());
  const t = db();
  for (let i = 0; i < ids.length; i += 500)
    for (const f of t
      .select()
      .from(findings)
      .where(
        and(
          inArray(findings.id, ids.slice(i, i + 500)),
          ne(findings.status, "withdrawn"),
          or(eq(findings.activelyExploited, true), eq(findings.severeIncident, true)),
        ),
      )
      .all()) {
      const next = craClocksOf(t, f, now)?.next;
      if (next) out.set(f.id, craNextOf(next));
    }
  return out;
}

/** The fields a dashboard row needs (never the description or the reporter: the dashboard links to the report). */
function dashboardRow(f: ListedFinding, cra: Map<string, CraNext>) {
  return {
    id: f.id,
    title: f.title,
    advisoryId: f.advisoryId,
    severity: f.severity,
    status: f.status,
    product: f.product,
    supplier: f.supplier,
    deadline: f.deadline,
    fixedInVersion: f.fixedInVersion,
    clock: f.clock,
    /** Critical or high and past its deadline: the seals of its affected versions are suspended because of it. */
    blocking: f.blocking,
    /** The seals it holds: what the row says of them when blocking (overdueSealsText). */
    heldSeals: f.heldSeals,
    /** The next CRA Article 14 submission it needs, if any. */
    cra: cra.get(f.id) ?? null,
  };
}

/** The supplier's open reports (the clock still runs), soonest deadline first. */
export function supplierOpenReports(actor: Actor) {
  assertCan(actor, "supplier.workspace");
  const rows = listFindings(actor, { open: true });
  const cra = craNextByFinding(rows.map((f) => f.id));
  return rows.map((f) => dashboardRow(f, cra));
}

/**
 * The reports that still owe the authority a CRA Article 14 submission (see craNextByFinding): a
 * supplier's own, or, for an assessor, every one they have no conflict of interest with; soonest
 * due first (a clock still waiting for its start last). A report verified fixed stays here until
 * its final report is recorded, though it has left the open reports.
 */
export function craReportsDue(actor: Actor) {
  if (actor.role === "supplier") assertCan(actor, "supplier.workspace");
  else assertCan(actor, "assessor.workspace");
  const rows = listFindings(actor).filter((f) => !f.conflicted);
  const cra = craNextByFinding(rows.map((f) => f.id));
  const due = (r: { cra: CraNext | null }) => r.cra?.dueAt?.getTime() ?? Number.POSITIVE_INFINITY;
  return rows
    .filter((f) => cra.has(f.id))
    .map((f) => ({ ...dashboardRow(f, cra), open: isOpen(f.status) }))
    .sort((a, b) => due(a) - due(b));
}

/**
 * Reports whose supplier claims a fix that this assessor can verify now (the transition rules say
 * which statuses allow "verify fix"), soonest deadline first. A report the assessor has a conflict
 * of interest with is not theirs to verify and is left out.
 */
export function fixesToVerify(actor: Actor) {
  assertCan(actor, "assessor.workspace");
  const rows = listFindings(actor, { open: true }).filter(
    (f) => !f.conflicted && availableFindingActions(f.status, "assessor").includes("verify_fix"),
  );
  const cra = craNextByFinding(rows.map((f) => f.id));
  return rows.map((f) => dashboardRow(f, cra));
}

/**
 * The /findings page's rows (findingsList) with each report's next CRA Article 14 clock. A report
 * the assessor has a conflict of interest with shows none (its row has no id either).
 */
export function findingsListWithCra(actor: Actor) {
  const rows = findingsList(actor);
  const cra = craNextByFinding(rows.flatMap((f) => (f.conflicted ? [] : [f.id])));
  return rows.map((f) => (f.conflicted ? { ...f, cra: null } : { ...f, cra: cra.get(f.id) ?? null }));
}
