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
import { getEnv } from "../platform/env.server";
import { listOrganizations } from "../features/accounts/users.server";
import { sealVerdictOf } from "../features/trust/domain/verdict";
import { clockOf, isOpen } from "../features/findings/domain/findings";
import { evidenceUsageBytes } from "../features/certification/evidence-quota.server";
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
  evidence: { usedBytes: number; quotaBytes: number };
}

export function organizationsOverview(actor: Actor) {
  const organizations = listOrganizations(actor); // the permission check (admin.users.manage)
  const t = db();
  const now = new Date(nowMs());
  const bump = <K extends string>(m: Map<string, Record<K, number>>, id: string, make: () => Record<K, number>) => {
    if (!m.has(id)) m.set(id, make());
    return m.get(id)!;
  };

  const productCounts = new Map(
    t
      .select({ id: products.organizationId, n: count() })
      .from(products)
      .groupBy(products.organizationId)
      .all()
      .map((r) => [r.id, r.n]),
  );

  const sealCounts = new Map<string, SupplierActivity["seals"]>();
  for (const s of t
    .select({ id: seals.organizationId, state: seals.state, validFrom: seals.validFrom, validUntil: seals.validUntil })
    .from(seals)
    .where(ne(seals.state, "superseded"))
    .all()) {
    const { verdict } = sealVerdictOf(s, now);
    const c = bump(sealCounts, s.id, () => ({ valid: 0, suspended: 0, expired: 0, revoked: 0 }));
    if (verdict === "valid" || verdict === "suspended" || verdict === "expired" || verdict === "revoked") c[verdict]++;
  }

  const submissionCounts = new Map<string, SupplierActivity["submissions"]>();
  for (const r of t
    .select({ id: submissions.organizationId, status: submissions.status, n: count() })
    .from(submissions)
    .groupBy(submissions.organizationId, submissions.status)
    .all()) {
    const c = bump(submissionCounts, r.id, () => ({ withSupplier: 0, withAssessors: 0 }));
    if (WITH_SUPPLIER.includes(r.status)) c.withSupplier += r.n;
    if (WITH_ASSESSORS.includes(r.status)) c.withAssessors += r.n;
  }

  const findingCounts = new Map<string, SupplierActivity["findings"]>();
  for (const f of t
    .select({ id: findings.organizationId, status: findings.status, deadline: findings.deadline })
    .from(findings)
    .all()) {
    if (!isOpen(f.status)) continue;
    const c = bump(findingCounts, f.id, () => ({ open: 0, overdue: 0 }));
    c.open++;
    if (clockOf(f.deadline, now).overdue) c.overdue++;
  }

  const watched = new Map(
    t
      .select({ id: watchlistEntries.organizationId, n: count() })
      .from(watchlistEntries)
      .groupBy(watchlistEntries.organizationId)
      .all()
      .map((r) => [r.id, r.n]),
  );

  const quotaBytes = getEnv().evidenceQuotaBytesPerOrg;
  return organizations.map((o) => ({
    ...o,
    supplier:
      o.kind === "supplier"
        ? ({
            products: productCounts.get(o.id) ?? 0,
            seals: sealCounts.get(o.id) ?? { valid: 0, suspended: 0, expired: 0, revoked: 0 },
            submissions: submissionCounts.get(o.id) ?? { withSupplier: 0, withAssessors: 0 },
            findings: findingCounts.get(o.id) ?? { open: 0, overdue: 0 },
            evidence: { usedBytes: evidenceUsageBytes(t, o.id), quotaBytes },
          } satisfies SupplierActivity)
        : null,
    /** A retailer's watched products. */
    watching: o.kind === "retailer" ? (watched.get(o.id) ?? 0) : null,
  }));
}

/** One organisation's row, as the page gets it. */
export type OrganizationOverview = ReturnType<typeof organizationsOverview>[number];
