/**
 * The one CSV writer of the portal: every CSV it produces (the bulk check's download and the
 * bulk-check API) is written here, and every cell goes through `csvSafeCell`.
 *
 * Formula injection (CWE-1236, OWASP "CSV Injection"): a spreadsheet treats a cell that starts
 * with `=`, `+`, `-`, `@`, a tab or a carriage return as a formula (and some trim leading spaces
 * first, so ` =1+1` too), so a product name such as `=HYPERLINK("http://x","y")` chosen by a
 * supplier, or a buyer's own cell, could run in the buyer's spreadsheet. Such a cell, whitespace
 * before the `=` or not, is written with a single quote in front (`'=HYPERLINK(…)`, `' =1+1`),
 * which spreadsheets show as text. Consistently, with no exception: a negative number such as
 * `-1.5` is also written `'-1.5` (it stays readable, and a cell like `-1+1` or `-2+3*cmd|…` cannot
 * be told apart from a number by a rule simple enough to trust). Cells containing `;` are quoted
 * as well, so a spreadsheet that splits on semicolons cannot start a new cell mid-value.
 * JSON answers keep the raw values: only CSV is escaped.
 *
 * A download meant for a spreadsheet starts with a UTF-8 byte order mark (`forSpreadsheet`):
 * without it Excel on Windows reads the file in the system's code page and garbles every
 * character beyond ASCII (a product named "Caméra" shows as "CamÃ©ra"). Machine answers (the
 * API) have none. Every reader of ours drops a BOM, so such a file can be uploaded again.
 */
import { parse } from "csv-parse/sync";
import { stringify } from "csv-stringify/sync";

const FORMULA_START = /^(?:[\t\r]|\s*[=+\-@])/;

/** A cell as written to a CSV: a `'` in front when it starts with = + - @ (whitespace first or not), tab or CR (idempotent). */
export function csvSafeCell(value: string): string {
  return FORMULA_START.test(value) ? `'${value}` : value;
}

/** The value a `csvSafeCell` cell was made from (for showing a stored CSV's cells on a page). */
export function csvCellValue(cell: string): string {
  return cell.startsWith("'") && FORMULA_START.test(cell.slice(1)) ? cell.slice(1) : cell;
}

/** Rows to CSV text, every cell made safe. */
export function writeCsv(rows: readonly (readonly string[])[]): string {
  return stringify(
    rows.map((r) => r.map(csvSafeCell)),
    { quoted_match: ";" },
  );
}

/**
 * A CSV the portal wrote earlier (a stored bulk-check result), re-written with every cell made
 * safe: results stored before cells were escaped are escaped when downloaded; for the others
 * nothing changes.
 */
export function rewriteCsvSafely(text: string): string {
  return writeCsv(readWrittenCsv(text));
}

/** The rows of a CSV the portal wrote (well-formed by construction), cells as stored; a leading BOM dropped. */
export function readWrittenCsv(text: string): string[][] {
  return parse(text, { bom: true, relax_column_count: true, skip_empty_lines: true }) as string[][];
}

/** The UTF-8 byte order mark, as the first character of a text. */
export const UTF8_BOM = "\uFEFF";

/** A CSV as a file to open in a spreadsheet: with the byte order mark that makes Excel read it as UTF-8. */
export function forSpreadsheet(csv: string): string {
  return csv.startsWith(UTF8_BOM) ? csv : UTF8_BOM + csv;
}
