/**
 * A retail buyer's bulk checks: a CSV of serials or GTINs answered row for row, kept for the
 * buyer's organisation so the result can be downloaded again and compared later. The stored
 * result is the answered CSV itself: the buyer's columns, then ours (from `status` on). Each
 * check's rows count against the organisation's hourly budget of rows (BULK_ROWS_PER_HOUR, shared
 * with its API tokens), and only its newest BULK_RUNS_KEPT checks are kept.
 */
import crypto from "node:crypto";
import { and, desc, eq, notInArray, sql } from "drizzle-orm";
import { users, verificationRuns } from "../../../db/schema";
import { nowMs } from "../../platform/clock.server";
import type { SealVerdict } from "../trust/domain/credential";
import { can } from "../../platform/roles";
import {
  attachUpdateRequired,
  BULK_POLICY_COLUMN,
  BULK_UPDATE_COLUMN,
  bulkCsv,
  bulkCounts,
  storedCounts,
  checkBulkRows,
  parseBulkCsv,
} from "./bulk-csv.server";
import { csvCellValue, readWrittenCsv, rewriteCsvSafely } from "../../platform/csv.server";
import { decodeCsvBytes, type CsvDecode } from "../../platform/csv-decode.server";
import { attachPolicies } from "./policies.server";
import { parseUpdateRequiredCell, type UpdateRequired } from "../findings/domain/update-required";
import type { Actor } from "../../platform/actor";
import { recordAudit } from "../../platform/audit.server";
import { db, transaction, type Tx } from "../../platform/db.server";
import { ServiceError } from "../../platform/errors.server";
import { hitBulkRowBudget } from "../../platform/http/rate-limits.server";
import type { BulkAnswer } from "../trust/verify.server";
import { gtinNoteKind, keyColumnsOf } from "./domain/bulk-rows";

function assertBuyer(actor: Actor): void {
  if (!can(actor.role, "seals.verify")) throw new ServiceError("forbidden", "Bulk checks belong to retail buyers.");
}

const safeName = (name: string) => name.replace(/[^\w.\- ]+/g, "_").slice(0, 120) || "seals.csv";

/** How many of an organisation's bulk checks are kept: storing one more deletes the oldest beyond these. */
export const BULK_RUNS_KEPT = 20;

/** Newest first (a run stored in the same millisecond as another: the one stored later first). */
const newestFirst = [desc(verificationRuns.createdAt), desc(sql`${verificationRuns}.rowid`)] as const;

/** Deletes the organisation's runs older than its newest BULK_RUNS_KEPT; returns how many. */
function pruneRuns(tx: Tx, organizationId: string): number {
  const kept = tx
    .select({ id: verificationRuns.id })
    .from(verificationRuns)
    .where(eq(verificationRuns.organizationId, organizationId))
    .orderBy(...newestFirst)
    .limit(BULK_RUNS_KEPT)
    .all()
    .map((r) => r.id);
  return tx
    .delete(verificationRuns)
    .where(and(eq(verificationRuns.organizationId, organizationId), notInArray(verificationRuns.id, kept)))
    .run().changes;
}

/**
 * Checks every row of the CSV and keeps the result; returns the run's id, and a note when the file
 * had to be read in a way the buyer should know (not UTF-8: read as Windows-1252). The file is its
 * bytes as uploaded (decoded by platform/csv-decode.server.ts), or text. Bad CSV, or a file that
 * is not CSV text (a workbook): a ServiceError naming the problem; over the organisation's budget
 * of rows: "rate_limited" (429, with the rows left and when enough are back), or "too_large" for a
 * file above a whole hour's budget.
 */
export async function runBulkCheck(
  actor: Actor,
  input: { fileName: string; text: string } | { fileName: string; bytes: Uint8Array },
): Promise<{ id: string; rows: number; note: string | null }> {
  assertBuyer(actor);
  const decoded: CsvDecode = "text" in input ? { ok: true, text: input.text, note: null } : decodeCsvBytes(input.bytes);
  if (!decoded.ok) throw new ServiceError("invalid", decoded.message, { file: decoded.message });
  const parsed = parseBulkCsv(decoded.text);
  if (!parsed.ok) throw new ServiceError("invalid", parsed.message, { file: parsed.message });
  const budget = hitBulkRowBudget({ organizationId: actor.organizationId }, parsed.value.rows.length);
  if (!budget.allowed)
    throw new ServiceError(
      budget.status === 413 ? "too_large" : "rate_limited",
      budget.message,
      { file: budget.message },
      budget.retryAfterSeconds,
    );
  const answers = await checkBulkRows(parsed.value);
  const withPolicies = attachPolicies(actor.organizationId, answers);
  attachUpdateRequired(answers);
  const summary = bulkCounts(answers);
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
    const deletedRuns = pruneRuns(tx, actor.organizationId);
    recordAudit(tx, actor, {
      action: "seals.bulk_checked",
      target: { type: "verification_run", id },
      organizationId: actor.organizationId,
      details: { rows: answers.length, summary, ...(deletedRuns ? { deletedRuns } : {}) },
    });
  });
  return { id, rows: answers.length, note: decoded.note };
}

/** The organisation's kept checks, newest first. */
export function listBulkChecks(actor: Actor, limit = BULK_RUNS_KEPT) {
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
    .orderBy(...newestFirst)
    .limit(limit)
    .all()
    .map((r) => ({ ...r, summary: storedCounts(r.summary) }));
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
  const records = readWrittenCsv(run.resultCsv);
  const [header = [], ...body] = records;
  const h = header.map((c) => c.trim().toLowerCase());
  // Our columns start at the last "status" (a buyer's own column of that name is kept as "Status (yours)"); theirs come before.
  const ours = h.lastIndexOf("status");
  const columns = ours >= 0 ? header.slice(0, ours) : header;
  const col = (name: string) => {
    const i = h.indexOf(name, Math.max(0, ours));
    return i >= 0 && ours >= 0 ? i : -1;
  };
  const serialColumn = h.indexOf("serial");
  const updateColumn = col(BULK_UPDATE_COLUMN);
  // The policy column is ours only when the check added it (a buyer's own "policy" column stays theirs: it comes before "status").
  const policyColumn = col(BULK_POLICY_COLUMN);
  const withPolicies = policyColumn >= 0;
  const rows: (Pick<BulkAnswer, "serial" | "status" | "reason" | "product"> & {
    line: number;
    /** The buyer's own cells, as they wrote them, in `columns` order. */
    cells: string[];
    note: string;
    policy: string | null;
    updateRequired: UpdateRequired | null;
  })[] = body.map((r, n) => {
    // The stored CSV's cells are escaped against formula injection; the page shows the values.
    const cell = (i: number) => (i >= 0 ? csvCellValue(r[i] ?? "") : "");
    const line = Number(cell(col("file_line")));
    return {
      line: Number.isInteger(line) && line > 0 ? line : n + 2, // runs kept from before file_line: one line per row
      cells: columns.map((_, i) => cell(i)),
      serial: cell(col("checked_serial")) || (col("checked_serial") < 0 ? cell(serialColumn) : ""),
      status: cell(col("status")) as SealVerdict,
      reason: cell(col("reason")),
      product: cell(col("checked_product")),
      note: cell(col("check_note")),
      policy: withPolicies ? cell(policyColumn) : null,
      updateRequired: updateColumn >= 0 ? parseUpdateRequiredCell(cell(updateColumn)) : null,
    };
  });
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
    summary: storedCounts(run.summary),
    /** The buyer's own column names, in their order, and which of them name a serial or a GTIN. */
    columns,
    keyColumns: Object.values(keyColumnsOf(columns)).filter((i) => i >= 0),
    rows: rows.map((r) => ({ ...r, missesPolicy: missesPolicy(r.policy), gtin: gtinNoteKind(r.note) })),
    policySummary,
    /** The answered CSV to download (computed when read: a run stored before cells were escaped against formula injection is escaped now). */
    get csv() {
      return rewriteCsvSafely(run.resultCsv);
    },
  };
}
