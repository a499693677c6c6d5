/**
 * The bulk check's CSV in and out: a retailer's file with a `serial` column, or a GTIN column
 * (`gtin`, `ean`, `upc`, `barcode`), or both (domain/bulk-rows.ts), answered row for row as CSV
 * or JSON. Every other column (their SKU, description…) is passed through, and each row keeps
 * the line it has in their file. A record that is not well-formed CSV is read as spreadsheets
 * read it and reported on its row (domain/csv-records.ts), never a refusal of the whole file.
 */
import { BULK_POLICY_COLUMN, BULK_RESULT_COLUMNS } from "./domain/csv-columns";
export { BULK_POLICY_COLUMN, BULK_RESULT_COLUMNS };
import { writeCsv } from "../../platform/csv.server";
import type { SealVerdict } from "../trust/domain/credential";
import { isValidSerial, normalizeSerial } from "../trust/domain/serial";
import { verifySerials, type BulkAnswer } from "../trust/verify.server";
import { currentSealsOfGtins, productGtinsOfSeals } from "../certification/product-seals.server";
import { describeResult, type PolicyResult } from "./domain/policy";
import { gtinMismatch, keyColumnsOf, rowKeyOf } from "./domain/bulk-rows";
import { readCsvRecords, recordProblem } from "./domain/csv-records";
import { ambiguousKeyColumns, missingKeyColumnMessage } from "./domain/watch-csv";
import { tooLargeMessage } from "./forms";
import { updateRequiredBySerial } from "../findings/advisories.server";
import { updateRequiredCell, type UpdateRequired } from "../findings/domain/update-required";

/**
 * One checked serial, with the checking organisation's acceptance policies that apply (set only
 * for a retailer with policies; empty: none applies) and whether its firmware needs an update
 * (set for every seal found: null when none is needed).
 */
export type BulkRow = BulkAnswer & {
  /** The line of the buyer's file the row starts on. */
  line: number;
  /** What the row was checked by: its serial, its GTIN (the product's current seal), or nothing usable. */
  by: "serial" | "gtin" | null;
  /** The row's GTIN in 14 digits, when it has a valid one. */
  gtin: string | null;
  /** Why the row needs attention although its seal may be valid: a CSV record not well-formed, a GTIN that is not the seal's product. */
  note: string;
  /**
   * The row names no seal or product that could exist: its GTIN is not valid, its serial is not a
   * serial (a typo in its check character, "n/a"), or it has neither. Its status is "not_found"
   * (as the API has always answered); the summaries count it apart, as "not valid".
   */
  notValid: boolean;
  policies?: PolicyResult[];
  updateRequired?: UpdateRequired | null;
};

export const BULK_MAX_ROWS = 50_000;
export const BULK_MAX_BYTES = 10 * 1024 * 1024;
/** What the bulk check's pages answer to a larger file. */
export const BULK_TOO_LARGE = tooLargeMessage(BULK_MAX_BYTES);
/** "update to 1.0.4: IOTSEAL-2026-0003" when a public advisory affects the certified firmware and is fixed in another version. */
export const BULK_UPDATE_COLUMN = "update_required";

export interface BulkInput {
  header: string[];
  /** -1 when the file has no such column. */
  serialColumn: number;
  gtinColumn: number;
  rows: string[][];
  /** Each row's line in the file. */
  lines: number[];
  /** What is wrong with each row's CSV text or its cell count (the row was read anyway), or null. */
  problems: (string | null)[];
}

export type BulkParse = { ok: true; value: BulkInput } | { ok: false; message: string };

/**
 * Reads the uploaded CSV; refused only when it has no rows, no column to check by (a file of
 * semicolons is named as such), or too many rows. A row with more cells than the header is read
 * anyway and its problem noted (an unquoted comma has moved its cells).
 */
export function parseBulkCsv(text: string): BulkParse {
  if (!text.trim()) return { ok: false, message: "The CSV file is empty." };
  const [head, ...records] = readCsvRecords(text);
  if (!head) return { ok: false, message: "The CSV file is empty." };
  const header = head.cells;
  const { serialColumn, gtinColumn } = keyColumnsOf(header);
  if (serialColumn < 0 && gtinColumn < 0) return { ok: false, message: missingKeyColumnMessage(header) };
  const ambiguous = ambiguousKeyColumns(header);
  if (ambiguous) return { ok: false, message: ambiguous };
  if (records.length === 0) return { ok: false, message: "The CSV has a header but no rows to check." };
  if (records.length > BULK_MAX_ROWS)
    return {
      ok: false,
      message: `The CSV has ${records.length.toLocaleString("en")} rows; check at most ${BULK_MAX_ROWS.toLocaleString("en")} at a time.`,
    };
  return {
    ok: true,
    value: {
      header,
      serialColumn,
      gtinColumn,
      rows: records.map((r) => r.cells),
      lines: records.map((r) => r.line),
      problems: records.map((r) => recordProblem(r, header.length)),
    },
  };
}

/** The serial cell of each row ("" when the file has no serial column). */
export function serialsOf(input: BulkInput): string[] {
  return input.rows.map((r) => (input.serialColumn >= 0 ? (r[input.serialColumn] ?? "") : ""));
}

/** "No IoT Seal for this GTIN": a valid GTIN no product with a seal carries. */
export const NO_SEAL_FOR_GTIN = "No IoT Seal for this GTIN.";

/**
 * Answers every row: by its serial (a serial cell that is not empty wins), else by its GTIN (the
 * product's current seal: the newest valid seal of any firmware version, else the newest, as the
 * GS1 Digital Link answers). The seal's verdict is the one a check by serial gives.
 */
export async function checkBulkRows(input: BulkInput): Promise<BulkRow[]> {
  const keys = input.rows.map((r) => rowKeyOf(r, input));
  const current = await currentSealsOfGtins(keys.flatMap((k) => (k.kind === "gtin" ? [k.gtin14] : [])));
  // The serial each row is checked by, or the answer it gets without one.
  const toVerify: string[] = [];
  const at: number[] = [];
  const rows: BulkRow[] = keys.map((k, n) => {
    const line = input.lines[n];
    const problem = input.problems[n];
    const keyNote = k.kind === "gtin" || k.kind === "serial" ? k.note : null;
    const base = {
      line,
      by: null,
      notValid: k.kind === "invalid_gtin" || k.kind === "empty" || (k.kind === "serial" && !isSerial(k.serial)),
      gtin: k.kind === "gtin" || k.kind === "serial" ? k.gtin14 : null,
      note: [problem ? `Line ${line}: ${problem}.` : null, keyNote].filter(Boolean).join(" "),
      serial: "",
      status: "not_found" as const,
      product: "",
      firmware: "",
      validUntil: "",
    };
    if (k.kind === "serial" || (k.kind === "gtin" && current.get(k.gtin14)?.current)) {
      at.push(n);
      toVerify.push(k.kind === "serial" ? k.serial : current.get(k.gtin14)!.current!.serial);
      return { ...base, by: k.kind, reason: "" };
    }
    return {
      ...base,
      reason: k.kind === "gtin" ? NO_SEAL_FOR_GTIN : k.message,
    };
  });
  const answers = await verifySerials(toVerify);
  answers.forEach((a, i) => Object.assign(rows[at[i]], a));
  // Serial and GTIN both given: does the GTIN name the seal's product?
  const compared = rows.filter((r) => r.by === "serial" && r.gtin && r.status !== "not_found");
  const sealGtins = productGtinsOfSeals(compared.map((r) => normalizeSerial(r.serial) ?? r.serial));
  for (const r of compared) {
    const mismatch = gtinMismatch(r.gtin, sealGtins.get(r.serial) ?? null);
    if (mismatch) r.note = r.note ? `${r.note} ${mismatch}` : mismatch;
  }
  return rows;
}

/** Whether a header is one of our answered files' (every column a check adds is there): its answer is ours to replace. */
export function isAnsweredHeader(header: readonly string[]): boolean {
  const names = new Set(header.map((h) => h.trim().toLowerCase()));
  return BULK_RESULT_COLUMNS.every((c) => names.has(c));
}

/** The suffix a buyer's own column gets when it has the name of one the check adds ("Status" → "Status (yours)"). */
export const YOURS_SUFFIX = " (yours)";

/**
 * The header of the answered CSV: which of the buyer's columns are kept, and under which names.
 * The buyer's columns are all kept; one named like a column we add ("Status", "Reason", "Policy")
 * is renamed "Status (yours)", so our columns keep their documented names and theirs is not lost.
 * Only a file we answered, uploaded again (isAnsweredHeader), has its old answer replaced: the
 * columns we add, from its last `status` on, are dropped for the new ones.
 */
export function answeredHeader(
  header: readonly string[],
  added: readonly string[],
): { keep: number[]; names: string[] } {
  const lower = header.map((h) => h.trim().toLowerCase());
  const ours = new Set<string>([...BULK_RESULT_COLUMNS, BULK_POLICY_COLUMN]);
  const oldAnswer = isAnsweredHeader(header) ? lower.lastIndexOf("status") : header.length;
  const keep = header.map((_, i) => i).filter((i) => !(i >= oldAnswer && ours.has(lower[i])));
  const taken = new Set([...keep.map((i) => lower[i]), ...added]);
  const names = keep.map((i) => {
    if (!added.includes(lower[i])) return header[i];
    const name = header[i].trim();
    let renamed = `${name}${YOURS_SUFFIX}`;
    for (let n = 2; taken.has(renamed.toLowerCase()); n++) renamed = `${name} (yours ${n})`;
    taken.add(renamed.toLowerCase());
    return renamed;
  });
  return { keep, names };
}

/**
 * The input rows with the answer's columns appended, a policy column when `withPolicies`; a
 * buyer's column named like one of ours is kept, renamed (answeredHeader). Written by the portal's
 * one CSV writer: every cell (a supplier's product name, the buyer's own cells) is escaped against
 * formula injection.
 */
export function bulkCsv(input: BulkInput, answers: readonly BulkRow[], opts: { withPolicies?: boolean } = {}): string {
  const added: string[] = [...BULK_RESULT_COLUMNS, ...(opts.withPolicies ? [BULK_POLICY_COLUMN] : [])];
  const { keep, names } = answeredHeader(input.header, added);
  const out: string[][] = [[...names, ...added]];
  input.rows.forEach((row, n) => {
    const a = answers[n];
    out.push([
      // A serial the row was checked by is written in its normal form; every other cell as the buyer wrote it.
      ...keep.map((i) => (i === input.serialColumn && a.by === "serial" ? a.serial : (row[i] ?? ""))),
      a.status,
      a.reason,
      a.product,
      a.firmware,
      a.validUntil,
      updateRequiredCell(a.updateRequired),
      a.serial,
      String(a.line),
      a.note,
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

/** Whether a cell is shaped like a seal serial with a matching check character (verifySerials's rule). */
function isSerial(cell: string): boolean {
  const serial = normalizeSerial(cell);
  return serial !== null && isValidSerial(serial);
}

/**
 * The counts the pages show: by status, with the rows that are not valid (BulkRow.notValid)
 * counted apart as `not_valid` rather than as "not found". Stored with each run (a run stored
 * before has no `not_valid`: read it as 0, its invalid rows counted as not found).
 */
export type BulkCounts = Record<SealVerdict, number> & { not_valid: number };

export function bulkCounts(answers: readonly BulkRow[]): BulkCounts {
  const counts: BulkCounts = { ...bulkSummary(answers), not_valid: 0 };
  for (const a of answers)
    if (a.notValid) {
      counts[a.status]--;
      counts.not_valid++;
    }
  return counts;
}

/** A run's stored counts, read: one stored before `not_valid` was counted has 0 of them. */
export function storedCounts(json: string): BulkCounts {
  const counts = JSON.parse(json) as Partial<BulkCounts>;
  return { ...(counts as BulkCounts), not_valid: counts.not_valid ?? 0 };
}

/**
 * Rows by their `status`, as the API's JSON has always answered them (a row that is not valid is
 * "not_found" here; the API says how many of those are not valid in `notValid`, beside it).
 */
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
    // Of the rows "not_found" above, those that name nothing that could exist (a GTIN or serial not valid, neither given).
    notValid: answers.filter((a) => a.notValid).length,
    results: answers.map((a, n) => ({
      row: n + 1,
      line: a.line,
      by: a.by,
      ...(a.gtin ? { gtin: a.gtin } : {}),
      serial: a.serial,
      status: a.status,
      ...(a.reason ? { reason: a.reason } : {}),
      ...(a.note ? { note: a.note } : {}),
      ...(a.notValid ? { notValid: true } : {}),
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
