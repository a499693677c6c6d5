/**
 * Watching from a CSV (the buyer's stock file, or the file of a bulk check): which columns name the
 * products and which one is the buyer's label, and what each row asks to watch. Pure: the service
 * parses the file and looks the products up.
 *
 * Columns are matched by their header, trimmed and case-insensitive:
 * - a product by its GTIN: `gtin`, or its aliases `ean`, `upc`, `barcode` (the first such column);
 * - a product by one of its seals: `serial`;
 * - the label: `label`, else `sku`, else `name`; without any of them, the first other column
 *   (as before), leaving out the columns a bulk check's answer adds.
 * A row with a GTIN cell watches by GTIN (the watch follows the product's current seal); else its
 * serial cell watches by serial; a row with neither is skipped. A GTIN cell is read by the one rule
 * of catalogue/domain/gtin.ts (gtinOfCell). A GTIN that is not valid is reported with its line, the
 * rest of the file is still watched.
 */
import { BULK_POLICY_COLUMN, BULK_RESULT_COLUMNS } from "./csv-columns";
import { gtinOfCell } from "../../catalogue/domain/gtin";

export const GTIN_HEADERS = ["gtin", "ean", "upc", "barcode"] as const;
export const SERIAL_HEADER = "serial";
/** The label column, by preference. */
export const LABEL_HEADERS = ["label", "sku", "name"] as const;
/** The most rows one file may watch. */
export const WATCH_CSV_MAX_ROWS = 50_000;
/** The longest label kept (the form's limit). */
export const LABEL_MAX = 100;
/** Columns a bulk check's answer adds: never a label. */
/** The columns a bulk check added: never a label when a checked file is watched. */
const ANSWER_HEADERS = new Set<string>([...BULK_RESULT_COLUMNS, BULK_POLICY_COLUMN]);

export interface WatchCsvColumns {
  gtin: number | null;
  serial: number | null;
  label: number | null;
}

const norm = (h: string) => h.trim().toLowerCase();

/**
 * Why a header line is ambiguous, or null: two columns a barcode could be read from ("GTIN" and
 * "EAN"), or two serial columns. Only the first of each would be read, and a row whose second one
 * names another product (a revoked one, say) would be answered for the first without a word, so
 * such a file is refused, for checking and for watching alike.
 */
export function ambiguousKeyColumns(header: readonly string[]): string | null {
  const names = header.map(norm);
  const gtins = header.filter((_, i) => (GTIN_HEADERS as readonly string[]).includes(names[i]));
  const serials = header.filter((_, i) => names[i] === SERIAL_HEADER);
  const twice = gtins.length > 1 ? gtins : serials.length > 1 ? serials : null;
  if (!twice) return null;
  return `The CSV has ${twice.length} columns a ${gtins.length > 1 ? "barcode" : "serial"} could be read from (${twice.map((h) => `"${h}"`).join(", ")}): keep one, or rename the others, so that no row is checked by the wrong one.`;
}

/** The separators a spreadsheet may have written instead of commas, as a buyer is told about them. */
const OTHER_SEPARATORS = [
  { char: ";", name: "semicolons" },
  { char: "\t", name: "tabs" },
] as const;

const isKeyHeader = (name: string) => name === SERIAL_HEADER || (GTIN_HEADERS as readonly string[]).includes(name);

/**
 * A header cell of a file split at another separator, as a name: `"Material";"EAN"` is read as one
 * CSV cell `Material;"EAN"` (text after a closing quote), so each part may keep its quotes.
 */
const unquoted = (part: string) => norm(part).replace(/^"|"$/g, "");

/**
 * Why a header line has no column to check or watch by (for checking and for watching alike). A
 * header whose cells name such a column once split at semicolons (or tabs), quoted or not, is a
 * file of another separator, as a spreadsheet set to a European locale saves it: said so, rather than listing one
 * column "sku;gtin;description" as found.
 */
export function missingKeyColumnMessage(header: readonly string[]): string {
  for (const sep of OTHER_SEPARATORS) {
    if (
      header.some((h) => h.includes(sep.char)) &&
      header.some((h) => h.split(sep.char).map(unquoted).some(isKeyHeader))
    )
      return `This file uses ${sep.name} between columns; save it as comma-separated CSV.`;
  }
  return `The CSV needs a column named "gtin" (or "ean", "upc", "barcode") or "serial" in its first line (found: ${header.map((h) => `"${h}"`).join(", ") || "nothing"}).`;
}

/** The columns of a header line, or why the file cannot be watched from. */
export function watchCsvColumns(
  header: readonly string[],
): { ok: true; columns: WatchCsvColumns } | { ok: false; message: string } {
  const names = header.map(norm);
  const find = (wanted: readonly string[]) => {
    const i = names.findIndex((n) => wanted.includes(n));
    return i < 0 ? null : i;
  };
  const gtin = find(GTIN_HEADERS);
  const serial = find([SERIAL_HEADER]);
  const ambiguous = ambiguousKeyColumns(header);
  if (ambiguous) return { ok: false, message: ambiguous };
  if (gtin === null && serial === null) return { ok: false, message: missingKeyColumnMessage(header) };
  let label: number | null = null;
  for (const wanted of LABEL_HEADERS) {
    const i = names.findIndex((n, at) => n === wanted && at !== gtin && at !== serial);
    if (i >= 0) {
      label = i;
      break;
    }
  }
  if (label === null) {
    const i = names.findIndex(
      (n, at) =>
        at !== gtin && at !== serial && !ANSWER_HEADERS.has(n) && !(GTIN_HEADERS as readonly string[]).includes(n),
    );
    label = i < 0 ? null : i;
  }
  return { ok: true, columns: { gtin, serial, label } };
}

export type WatchCsvRow =
  /** `note`: how the GTIN cell was read when it needed saying (leading zeros a spreadsheet removed, restored). */
  | { kind: "gtin"; gtin14: string; label: string; note?: string }
  | { kind: "serial"; serial: string; label: string }
  | { kind: "invalid"; value: string; message: string }
  | { kind: "empty" };

/** What one data row asks to watch. */
export function watchCsvRow(row: readonly string[], columns: WatchCsvColumns): WatchCsvRow {
  const cell = (i: number | null) => (i === null ? "" : (row[i] ?? "").trim());
  const label = cell(columns.label).slice(0, LABEL_MAX);
  const gtin = cell(columns.gtin);
  if (gtin) {
    // The one GTIN cell rule (catalogue/domain/gtin.ts), as the bulk check reads the same file.
    const parsed = gtinOfCell(gtin);
    if (parsed.ok) return { kind: "gtin", gtin14: parsed.gtin14, label, ...(parsed.note ? { note: parsed.note } : {}) };
    const value = gtin.replace(/[\s-]/g, "");
    return { kind: "invalid", value, message: `${value} is not a valid GTIN. ${parsed.message}` };
  }
  const serial = cell(columns.serial);
  return serial ? { kind: "serial", serial, label } : { kind: "empty" };
}

/**
 * What a watcher is told when the current seal of a product it follows changes: "now certified:
 * firmware 3.2.0, seal IOTS-…", or why an older seal (or no valid one) is now the current one.
 */
export function currentSealChangeReason(
  previous: { serial: string; firmware: string } | null,
  next: { serial: string; firmware: string; verdict: string; newerThanPrevious: boolean },
): string {
  const seal = `firmware ${next.firmware}, seal ${next.serial}`;
  if (next.verdict !== "valid") return `No valid seal now; the newest is ${seal} (${next.verdict}).`;
  if (!previous || next.newerThanPrevious) return `Now certified: ${seal}.`;
  return `Now certified by ${seal}: the newer seal ${previous.serial} (firmware ${previous.firmware}) is no longer valid.`;
}
