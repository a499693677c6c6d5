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
 * What a row asks for is the bulk check's rule (domain/bulk-rows.ts, rowKeyOf), so that one file
 * gets the same reading in both: a serial cell shaped like a serial wins (watching the product of
 * that seal), with a valid GTIN beside it compared with the seal's product (serialRowWatch); a
 * placeholder serial ("n/a") beside a valid GTIN, or no serial, watches by GTIN (the watch follows
 * the product's current seal); a row with neither is skipped. What the rule notes (a GTIN not valid
 * beside a serial, a placeholder serial, leading zeros restored) is reported with the row's line. A
 * GTIN that is not valid, alone, is reported with its line; the rest of the file is still watched.
 */
import { BULK_POLICY_COLUMN, BULK_RESULT_COLUMNS } from "./csv-columns";
import { normalizeName } from "../../../platform/forms";
import { GTIN_HEADERS, SERIAL_HEADER, gtinMismatch, keyColumnsOf, rowKeyOf } from "./bulk-rows";

export { GTIN_HEADERS, SERIAL_HEADER };
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

/** The most header cells a message names, and the longest cell it shows whole: a first line of 100,000 cells is not echoed back. */
const CELLS_NAMED = 10;
const CELL_SHOWN = 40;

/** `"sku", "price" and 99,998 more`: header cells as a message names them (at most 10, each cut at 40 characters). */
export function namedCells(cells: readonly string[]): string {
  const shown = cells
    .slice(0, CELLS_NAMED)
    .map((h) => `"${h.length > CELL_SHOWN ? `${h.slice(0, CELL_SHOWN)}…` : h}"`)
    .join(", ");
  const more = cells.length - Math.min(cells.length, CELLS_NAMED);
  return more > 0 ? `${shown} and ${more.toLocaleString("en")} more` : shown;
}

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
  return `The CSV has ${twice.length.toLocaleString("en")} columns a ${gtins.length > 1 ? "barcode" : "serial"} could be read from (${namedCells(twice)}): keep one, or rename the others, so that no row is checked by the wrong one.`;
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
 * column "sku;gtin;description" as found. Otherwise the cells found are named, at most 10 of them
 * (namedCells).
 */
export function missingKeyColumnMessage(header: readonly string[]): string {
  for (const sep of OTHER_SEPARATORS) {
    if (
      header.some((h) => h.includes(sep.char)) &&
      header.some((h) => h.split(sep.char).map(unquoted).some(isKeyHeader))
    )
      return `This file uses ${sep.name} between columns; save it as comma-separated CSV.`;
  }
  return `The CSV needs a column named "gtin" (or "ean", "upc", "barcode") or "serial" in its first line (found: ${namedCells(header) || "nothing"}).`;
}

/** The columns of a header line, or why the file cannot be watched from. */
export function watchCsvColumns(
  header: readonly string[],
): { ok: true; columns: WatchCsvColumns } | { ok: false; message: string } {
  const names = header.map(norm);
  const keys = keyColumnsOf(header);
  const gtin = keys.gtinColumn < 0 ? null : keys.gtinColumn;
  const serial = keys.serialColumn < 0 ? null : keys.serialColumn;
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

/**
 * `note`: what the row's reading needs to say, as the bulk check says it (leading zeros a
 * spreadsheet removed, restored; a placeholder serial beside the GTIN; a GTIN that is not valid
 * beside the serial). `gtin14` of a serial row: a valid GTIN beside it, to compare with the seal's
 * product (serialRowWatch).
 */
export type WatchCsvRow =
  | { kind: "gtin"; gtin14: string; label: string; note?: string }
  | { kind: "serial"; serial: string; label: string; gtin14?: string; note?: string }
  | { kind: "invalid"; value: string; message: string }
  | { kind: "empty"; message: string };

/** What one data row asks to watch: the bulk check's reading of the row (rowKeyOf). */
export function watchCsvRow(row: readonly string[], columns: WatchCsvColumns): WatchCsvRow {
  // A cell may hold anything: kept as one line, like a label typed in the form (no line breaks, invisible or control characters).
  const label =
    columns.label === null
      ? ""
      : normalizeName(row[columns.label] ?? "")
          .replace(/[\u0000-\u001f\u007f-\u009f]/g, "")
          .slice(0, LABEL_MAX);
  const key = rowKeyOf(row, { serialColumn: columns.serial ?? -1, gtinColumn: columns.gtin ?? -1 }, "watched");
  switch (key.kind) {
    case "gtin":
      return { kind: "gtin", gtin14: key.gtin14, label, ...(key.note ? { note: key.note } : {}) };
    case "serial":
      return {
        kind: "serial",
        serial: key.serial,
        label,
        ...(key.gtin14 ? { gtin14: key.gtin14 } : {}),
        ...(key.note ? { note: key.note } : {}),
      };
    case "invalid_gtin":
      // The cell quoted as written ("-1.5", "5060 1234 5000 3"): not with its spaces and hyphens taken out.
      return {
        kind: "invalid",
        value: key.cell,
        message: `${namedCells([key.cell])} is not a valid GTIN. ${key.reason}`,
      };
    case "empty":
      return { kind: "empty", message: key.message };
  }
}

/**
 * How a row with a serial and a valid GTIN is watched, once the seal's product is known: by the
 * GTIN when it is that product's (the watch then follows the product's current seal, as a row with
 * only the GTIN would), else the serial's product, with the bulk check's note on the mismatch
 * (gtinMismatch). `sealProductGtin14`: the GTIN of the seal's product, null when it has none.
 */
export function serialRowWatch(
  rowGtin14: string | null,
  sealProductGtin14: string | null,
): { gtin14: string | null; note: string | null } {
  const mismatch = gtinMismatch(rowGtin14, sealProductGtin14);
  if (mismatch) return { gtin14: null, note: `${mismatch} The serial's product is watched.` };
  return { gtin14: rowGtin14, note: null };
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
