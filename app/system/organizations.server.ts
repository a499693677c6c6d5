/**
 * The administrators' list of organisations, with what each does on the portal: a supplier's
 * products, its seals by verdict (the one rule, sealVerdictOf), its submissions under way and with
 * the assessors, its vulnerability reports still open and how many of those are past their disclosure
 * deadline (findings' own rules), and the evidence it stores against its quota; a retailer's watched
 * products. It reads across modules (accounts, catalogue, trust, findings, certification, retail),
 * so it lives here, above them all. Read-only: it changes nothing and writes no audit event.
 */
import { count, ne } from "drizzle-orm";
import { findings, products, seals, submissions, watchlistEntries } from "../../db/schema";
import type { Actor } from "../platform/actor";
import { nowMs } from "../platform/clock.server";
import { db } from "../platform/db.server";
import { listOrganizations } from "../features/accounts/users.server";
import { sealVerdictOf } from "../features/trust/domain/verdict";
import { clockOf, isOpen } from "../features/findings/domain/findings";
import { quotaStanding } from "../features/certification/evidence-quota.server";
import type { QuotaStanding } from "../features/certification/domain/evidence-quota";
import type { SubmissionStatus } from "../features/certification/domain/submission-state";

/** Submissions the supplier is still preparing (or answering a request for changes). */
const WITH_SUPPLIER: readonly SubmissionStatus[] = ["draft", "changes_requested"];
/** Submissions waiting for, or in, review. */
const WITH_ASSESSORS: readonly SubmissionStatus[] = ["submitted", "in_review"];

export interface SupplierActivity {
  products: number;
  /** Seals by verdict now (superseded seals are replaced by a newer one and are not counted). */
  seals: { valid: number; suspended: number; expired: number; revoked: number };
  submissions: { withSupplier: number; withAssessors: number };
  findings: { open: number; overdue: number };
  evidence: QuotaStanding;
}

export function organizationsOverview(actor: Actor) {
  const organizations = listOrganizations(actor); // the permission check (admin.users.manage)
  const t = db();
  const now = new Date(nowMs());
  // Every supplier starts at nothing (and its quota standing); the rows below count into it.
  const supplier = new Map(
    organizations
      .filter((o) => o.kind === "supplier")
      .map((o): [string, SupplierActivity] => [
        o.id,
        {
          products: 0,
          seals: { valid: 0, suspended: 0, expired: 0, revoked: 0 },
          submissions: { withSupplier: 0, withAssessors: 0 },
          findings: { open: 0, overdue: 0 },
          evidence: quotaStanding(o.id, t),
        },
      ]),
  );
  const watching = new Map(organizations.filter((o) => o.kind === "retailer").map((o) => [o.id, 0]));

  for (const r of t
    .select({ id: products.organizationId, n: count() })
    .from(products)
    .groupBy(products.organizationId)
    .all()) {
    const a = supplier.get(r.id);
    if (a) a.products = r.n;
  }

  for (const s of t
    .select({ id: seals.organizationId, state: seals.state, validFrom: seals.validFrom, validUntil: seals.validUntil })
    .from(seals)
    .where(ne(seals.state, "superseded"))
    .all()) {
    const { verdict } = sealVerdictOf(s, now);
    const a = supplier.get(s.id);
    if (a && (verdict === "valid" || verdict === "suspended" || verdict === "expired" || verdict === "revoked"))
      a.seals[verdict]++;
  }

  for (const r of t
    .select({ id: submissions.organizationId, status: submissions.status, n: count() })
    .from(submissions)
    .groupBy(submissions.organizationId, submissions.status)
    .all()) {
    const a = supplier.get(r.id);
    if (a && WITH_SUPPLIER.includes(r.status)) a.submissions.withSupplier += r.n;
    if (a && WITH_ASSESSORS.includes(r.status)) a.submissions.withAssessors += r.n;
  }

  for (const f of t
    .select({ id: findings.organizationId, status: findings.status, deadline: findings.deadline })
    .from(findings)
    .all()) {
    const a = supplier.get(f.id);
    if (!a || !isOpen(f.status)) continue;
    a.findings.open++;
    if (clockOf(f.deadline, now).overdue) a.findings.overdue++;
  }

  for (const r of t
    .select({ id: watchlistEntries.organizationId, n: count() })
    .from(watchlistEntries)
    .groupBy(watchlistEntries.organizationId)
    .all())
    if (watching.has(r.id)) watching.set(r.id, r.n);

  return organizations.map((o) => ({
    ...o,
    supplier: supplier.get(o.id) ?? null,
    /** A retailer's watched products. */
    watching: watching.get(o.id) ?? null,
  }));
}

/** One organisation's row, as the page gets it. */
export type OrganizationOverview = ReturnType<typeof organizationsOverview>[number];
