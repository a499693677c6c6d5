/**
 * A retail buyer's bulk checks: a CSV of serials answered row for row, kept for the buyer's
 * organisation so the result can be downloaded again and compared later.
 */
import crypto from "node:crypto";
import { and, desc, eq } from "drizzle-orm";
import { users, verificationRuns } from "../../../db/schema";
import { nowMs } from "../../platform/clock.server";
import type { SealVerdict } from "../trust/domain/credential";
import { can } from "../../platform/roles";
import {
  attachUpdateRequired,
  BULK_POLICY_COLUMN,
  BULK_UPDATE_COLUMN,
  bulkCsv,
  bulkSummary,
  parseBulkCsv,
  serialsOf,
} from "./bulk-csv.server";
import { csvCellValue, rewriteCsvSafely } from "../../platform/csv.server";
import { attachPolicies } from "./policies.server";
import { parseUpdateRequiredCell, type UpdateRequired } from "../findings/domain/update-required";
import type { Actor } from "../../platform/actor";
import { recordAudit } from "../../platform/audit.server";
import { db, transaction } from "../../platform/db.server";
import { ServiceError } from "../../platform/errors.server";
import { verifySerials, type BulkAnswer } from "../trust/verify.server";

function assertBuyer(actor: Actor): void {
  if (!can(actor.role, "seals.verify")) throw new ServiceError("forbidden", "Bulk checks belong to retail buyers.");
}

const safeName = (name: string) => name.replace(/[^\w.\- ]+/g, "_").slice(0, 120) || "seals.csv";

/** Checks every row of the CSV and keeps the result; returns the run's id. Bad CSV: a ServiceError naming the problem. */
export async function runBulkCheck(
  actor: Actor,
  input: { fileName: string; text: string },
): Promise<{ id: string; rows: number }> {
  assertBuyer(actor);
  const parsed = parseBulkCsv(input.text);
  if (!parsed.ok) throw new ServiceError("invalid", parsed.message, { file: parsed.message });
  const answers = await verifySerials(serialsOf(parsed.value));
  const withPolicies = attachPolicies(actor.organizationId, answers);
  attachUpdateRequired(answers);
  const summary = bulkSummary(answers);
  const id = crypto.randomUUID();
  transaction((tx) => {
    tx.insert(verificationRuns)
      .values({
        id,
        organizationId: actor.organizationId,
        userId: actor.userId,
        fileName: safeName(input.fileName),
        rowCount: answers.length,
        summary: JSON.stringify(summary),
        resultCsv: bulkCsv(parsed.value, answers, { withPolicies }),
        createdAt: new Date(nowMs()),
      })
      .run();
    recordAudit(tx, actor, {
      action: "seals.bulk_checked",
      target: { type: "verification_run", id },
      organizationId: actor.organizationId,
      details: { rows: answers.length, summary },
    });
  });
  return { id, rows: answers.length };
}

export function listBulkChecks(actor: Actor, limit = 20) {
  assertBuyer(actor);
  return db()
    .select({
      id: verificationRuns.id,
      fileName: verificationRuns.fileName,
      rowCount: verificationRuns.rowCount,
      summary: verificationRuns.summary,
      createdAt: verificationRuns.createdAt,
      by: users.name,
    })
    .from(verificationRuns)
    .innerJoin(users, eq(users.id, verificationRuns.userId))
    .where(eq(verificationRuns.organizationId, actor.organizationId))
    .orderBy(desc(verificationRuns.createdAt))
    .limit(limit)
    .all()
    .map((r) => ({ ...r, summary: JSON.parse(r.summary) as Record<SealVerdict, number> }));
}

/** One run of the buyer's organisation (another organisation's run is "not found"). */
export function bulkCheck(actor: Actor, id: string) {
  assertBuyer(actor);
  const run = db()
    .select()
    .from(verificationRuns)
    .where(and(eq(verificationRuns.id, id), eq(verificationRuns.organizationId, actor.organizationId)))
    .get();
  if (!run) throw new ServiceError("not_found", "No bulk check of your organisation has this id.");
  const parsed = parseBulkCsv(run.resultCsv);
  const rows: (Pick<BulkAnswer, "serial" | "status" | "reason" | "product"> & {
    policy: string | null;
    updateRequired: UpdateRequired | null;
  })[] = [];
  let withPolicies = false;
  if (parsed.ok) {
    const h = parsed.value.header.map((c) => c.trim().toLowerCase());
    const col = (name: string) => h.indexOf(name);
    // The policy column is the one the check appended after update_required (valid_until in runs kept from
    // before that column); a buyer's own "policy" column stays theirs.
    withPolicies =
      h.length >= 2 &&
      h[h.length - 1] === BULK_POLICY_COLUMN &&
      (h[h.length - 2] === BULK_UPDATE_COLUMN || h[h.length - 2] === "valid_until");
    const updateColumn = h.lastIndexOf(BULK_UPDATE_COLUMN);
    for (const r of parsed.value.rows) {
      // The stored CSV's cells are escaped against formula injection; the page shows the values.
      const cell = (i: number) => csvCellValue(r[i] ?? "");
      rows.push({
        serial: cell(parsed.value.serialColumn),
        status: r[col("status")] as SealVerdict,
        reason: cell(col("reason")),
        product: cell(col("checked_product")),
        policy: withPolicies ? cell(h.length - 1) : null,
        updateRequired: updateColumn >= 0 ? parseUpdateRequiredCell(cell(updateColumn)) : null,
      });
    }
  }
  // A row "misses" when one of its policies does (the cell joins each policy's result with " | ").
  const missesPolicy = (policy: string | null) =>
    Boolean(policy && policy.split(" | ").some((p) => p.startsWith("misses ")));
  const policySummary = withPolicies
    ? {
        meets: rows.filter((r) => r.policy && !missesPolicy(r.policy) && r.policy.startsWith("meets ")).length,
        misses: rows.filter((r) => missesPolicy(r.policy)).length,
      }
    : null;
  return {
    id: run.id,
    fileName: run.fileName,
    rowCount: run.rowCount,
    createdAt: run.createdAt,
    summary: JSON.parse(run.summary) as Record<SealVerdict, number>,
    rows: rows.map((r) => ({ ...r, missesPolicy: missesPolicy(r.policy) })),
    policySummary,
    /** The answered CSV to download (computed when read: a run stored before cells were escaped against formula injection is escaped now). */
    get csv() {
      return rewriteCsvSafely(run.resultCsv);
    },
  };
}
