/**
 * The lifecycle sweeper: notes expiry and applies the disclosure clock (suspend / reinstate for
 * overdue critical or high findings). Idempotent and safe in several processes at once; run at
 * start-up, every 15 minutes in the server, and by `npm run lifecycle:sweep`.
 */
import type { AnyActor } from "./actor";
import { sweepFindings } from "./findings.server";
import { sweepExpiredSeals } from "./seal-status.server";

export interface SweepReport {
  expired: string[];
  suspended: string[];
  reinstated: string[];
}

export function runLifecycleSweep(actor: AnyActor = { system: "lifecycle" }): SweepReport {
  const findings = sweepFindings(actor);
  const expired = sweepExpiredSeals(actor);
  return { expired, ...findings };
}

export function describeSweep(r: SweepReport): string {
  const parts = [
    r.suspended.length ? `suspended ${r.suspended.join(", ")} (overdue findings)` : "",
    r.reinstated.length ? `reinstated ${r.reinstated.join(", ")}` : "",
    r.expired.length ? `noted the expiry of ${r.expired.join(", ")}` : "",
  ].filter(Boolean);
  return parts.length ? `Lifecycle sweep: ${parts.join("; ")}.` : "Lifecycle sweep: nothing to change.";
}
