/**
 * What the dashboards show of vulnerability reports: a supplier's open reports with their
 * disclosure clocks, and the fixes an assessor can verify. Both read through listFindings (the one
 * place that scopes reports to the actor: a supplier's own organisation, every report for the
 * certification body) and keep its clock and rules; nothing here decides anything new.
 */
import { assertCan } from "../../platform/authorize.server";
import type { Actor } from "../../platform/actor";
import { availableFindingActions } from "./domain/findings";
import { listFindings } from "./findings.server";

type ListedFinding = ReturnType<typeof listFindings>[number];

/** The fields a dashboard row needs (never the description or the reporter: the dashboard links to the report). */
function dashboardRow(f: ListedFinding) {
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
    /** Critical or high and past its deadline: the product's seals are suspended because of it. */
    blocking: f.blocking,
  };
}

/** The supplier's open reports (the clock still runs), soonest deadline first. */
export function supplierOpenReports(actor: Actor) {
  assertCan(actor, "supplier.workspace");
  return listFindings(actor, { open: true }).map(dashboardRow);
}

/**
 * Reports whose supplier claims a fix that this assessor can verify now (the transition rules say
 * which statuses allow "verify fix"), soonest deadline first. A report the assessor has a conflict
 * of interest with is not theirs to verify and is left out.
 */
export function fixesToVerify(actor: Actor) {
  assertCan(actor, "assessor.workspace");
  return listFindings(actor, { open: true })
    .filter((f) => !f.conflicted && availableFindingActions(f.status, "assessor").includes("verify_fix"))
    .map(dashboardRow);
}
