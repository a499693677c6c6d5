/**
 * The bulk check's CSV in and out: a retailer's file with a `serial` column (any other columns,
 * such as their own SKU, are passed through), answered row for row as CSV or JSON.
 */
import { parse } from "csv-parse/sync";
import { writeCsv } from "../../platform/csv.server";
import { formatBytes } from "../../platform/format";
import type { SealVerdict } from "../trust/domain/credential";
import type { BulkAnswer } from "../trust/verify.server";
import { describeResult, type PolicyResult } from "./domain/policy";
import { updateRequiredBySerial } from "../findings/advisories.server";
import { updateRequiredCell, type UpdateRequired } from "../findings/domain/update-required";

/**
 * One checked serial, with the checking organisation's acceptance policies that apply (set only
 * for a retailer with policies; empty: none applies) and whether its firmware needs an update
 * (set for every seal found: null when none is needed).
 */
export type BulkRow = BulkAnswer & { policies?: PolicyResult[]; updateRequired?: UpdateRequired | null };

export const BULK_MAX_ROWS = 50_000;
export const BULK_MAX_BYTES = 10 * 1024 * 1024;
/** What the bulk check's pages answer to a larger file. */
export const BULK_TOO_LARGE = `The file is larger than ${formatBytes(BULK_MAX_BYTES)}.`;
export const BULK_RESULT_COLUMNS = [
  "status",
  "reason",
  "checked_product",
  "checked_firmware",
  "valid_until",
  "update_required",
] as const;
/** "update to 1.0.4: IOTSEAL-2026-0003" when a public advisory affects the certified firmware and is fixed in another version. */
export const BULK_UPDATE_COLUMN = "update_required";
/** Added when the checking organisation has acceptance policies: "meets X" or "misses X: clause; clause", per policy. */
export const BULK_POLICY_COLUMN = "policy";

export interface BulkInput {
  header: string[];
  serialColumn: number;
  rows: string[][];
}

export type BulkParse = { ok: true; value: BulkInput } | { ok: false; message: string };

/** Parses the uploaded CSV; every problem is a message naming the line or column. */
export function parseBulkCsv(text: string): BulkParse {
  if (!text.trim()) return { ok: false, message: "The CSV file is empty." };
  let records: string[][];
  try {
    records = parse(text, {
      bom: true,
      skip_empty_lines: true,
      relax_column_count: true,
      trim: false,
      max_record_size: 64 * 1024,
    });
  } catch (e) {
    const err = e as { lines?: number; message: string };
    return {
      ok: false,
      message: `The CSV cannot be read${err.lines ? ` at line ${err.lines}` : ""}: ${err.message.replace(/^Invalid Record Length: /, "")}`,
    };
  }
  const [header, ...rows] = records;
  if (!header) return { ok: false, message: "The CSV file is empty." };
  const serialColumn = header.findIndex((h) => h.trim().toLowerCase() === "serial");
  if (serialColumn < 0)
    return {
      ok: false,
      message: `The CSV needs a column named "serial" in its first line (found: ${header.map((h) => `"${h}"`).join(", ") || "nothing"}).`,
    };
  if (rows.length === 0) return { ok: false, message: "The CSV has a header but no rows to check." };
  if (rows.length > BULK_MAX_ROWS)
    return {
      ok: false,
      message: `The CSV has ${rows.length.toLocaleString("en")} rows; check at most ${BULK_MAX_ROWS.toLocaleString("en")} at a time.`,
    };
  return { ok: true, value: { header, serialColumn, rows } };
}

export function serialsOf(input: BulkInput): string[] {
  return input.rows.map((r) => r[input.serialColumn] ?? "");
}

/**
 * The input rows with the answer's columns appended (a column of the same name is replaced); a
 * policy column when `withPolicies`. Written by the portal's one CSV writer: every cell (a
 * supplier's product name, the buyer's own cells) is escaped against formula injection.
 */
export function bulkCsv(input: BulkInput, answers: readonly BulkRow[], opts: { withPolicies?: boolean } = {}): string {
  const added: string[] = [...BULK_RESULT_COLUMNS, ...(opts.withPolicies ? [BULK_POLICY_COLUMN] : [])];
  const keep = input.header.map((h, i) => (added.includes(h.trim().toLowerCase()) ? -1 : i)).filter((i) => i >= 0);
  const out: string[][] = [[...keep.map((i) => input.header[i]), ...added]];
  input.rows.forEach((row, n) => {
    const a = answers[n];
    out.push([
      ...keep.map((i) => (i === input.serialColumn ? a.serial : (row[i] ?? ""))),
      a.status,
      a.reason,
      a.product,
      a.firmware,
      a.validUntil,
      updateRequiredCell(a.updateRequired),
      ...(opts.withPolicies ? [policyLine(a.policies)] : []),
    ]);
  });
  return writeCsv(out);
}

/** Adds to check answers (in place) whether each seal found needs a firmware update: null when it does not. */
export function attachUpdateRequired<
  A extends { serial: string; status: string; updateRequired?: UpdateRequired | null },
>(answers: A[]): void {
  const found = answers.filter((a) => a.status !== "not_found" && a.status !== "forged");
  const updates = updateRequiredBySerial(found.map((a) => a.serial));
  for (const a of found) a.updateRequired = updates.get(a.serial) ?? null;
}

/** One cell for a row's policies: each applicable policy's result, or that none applies (empty for a seal not found). */
export function policyLine(results: readonly PolicyResult[] | undefined): string {
  if (!results) return "";
  if (!results.length) return "no policy applies to this product's category";
  return results.map(describeResult).join(" | ");
}

export function bulkSummary(answers: readonly BulkRow[]): Record<SealVerdict, number> {
  const summary: Record<SealVerdict, number> = {
    valid: 0,
    expired: 0,
    suspended: 0,
    revoked: 0,
    superseded: 0,
    not_found: 0,
    forged: 0,
  };
  for (const a of answers) summary[a.status]++;
  return summary;
}

/** The JSON form: a summary and one object per row, with the passed-through columns under `columns`. */
export function bulkJson(input: BulkInput, answers: readonly BulkRow[], checkedAt: string) {
  return {
    checkedAt,
    rows: answers.length,
    summary: bulkSummary(answers),
    results: answers.map((a, n) => ({
      row: n + 1,
      serial: a.serial,
      status: a.status,
      ...(a.reason ? { reason: a.reason } : {}),
      ...(a.product ? { product: a.product, firmware: a.firmware, validUntil: a.validUntil } : {}),
      updateRequired: a.updateRequired ?? null,
      ...(a.policies
        ? {
            policies: a.policies.map((p) => ({
              policy: p.policyName,
              meets: p.meets,
              misses: p.misses.map((m) => ({
                clause: m.clause,
                message: m.message,
                ...(m.provision ? { provision: m.provision } : {}),
              })),
            })),
          }
        : {}),
      columns: Object.fromEntries(
        input.header.map((h, i) => [h, input.rows[n][i] ?? ""]).filter(([,], i) => i !== input.serialColumn),
      ),
    })),
  };
}
