/**
 * What a row of a bulk check (or of a file watched from: domain/watch-csv.ts) asks about: the buyer's file names a seal by our `serial`, or a
 * product by the GTIN on its box (`gtin`, `ean`, `upc` or `barcode`, in any case), or both. The
 * serial wins when a row has both (it names one seal, the GTIN only a product); the GTIN is then
 * compared with the seal's product. The GTIN rule itself is catalogue/domain/gtin.ts's.
 */
import { gtinOfCell } from "../../catalogue/domain/gtin";
import { normalizeSerial } from "../../trust/domain/serial";

// One header rule for every CSV a buyer gives us (bulk checks and watching from a CSV: domain/watch-csv.ts).
export const GTIN_HEADERS = ["gtin", "ean", "upc", "barcode"] as const;
export const SERIAL_HEADER = "serial";

export interface KeyColumns {
  /** -1 when the file has none. */
  serialColumn: number;
  gtinColumn: number;
}

/** The columns that name what to check (the first of each kind), matched case-insensitively. */
export function keyColumnsOf(header: readonly string[]): KeyColumns {
  const names = header.map((h) => h.trim().toLowerCase());
  return {
    serialColumn: names.indexOf(SERIAL_HEADER),
    gtinColumn: names.findIndex((h) => (GTIN_HEADERS as readonly string[]).includes(h)),
  };
}

export type RowKey =
  | { kind: "serial"; serial: string; gtin14: string | null; note: string | null }
  | { kind: "gtin"; gtin14: string; note: string | null }
  /** `cell`: the GTIN cell as written (trimmed); `reason`: gtinOfCell's sentence, for a caller with its own words. */
  | { kind: "invalid_gtin"; message: string; cell: string; reason: string }
  | { kind: "empty"; message: string };

/**
 * What the row asks about. A serial cell wins when it is shaped like a serial; else the GTIN cell.
 * A serial cell that is not (a placeholder such as "n/a" or "-") beside a GTIN: the row is checked
 * by the GTIN, and its note says so. A GTIN beside a serial is kept for the comparison only when
 * it is valid; one that is not is said in the row's note. The GTIN cell rule (spaces, hyphens,
 * scientific notation, leading zeros a spreadsheet removed) is catalogue/domain/gtin.ts's. The one
 * rule for a bulk check and for watching from a CSV (domain/watch-csv.ts): `use` is the verb its
 * notes say ("checked by the GTIN", "watched by the GTIN").
 */
export function rowKeyOf(
  cells: readonly string[],
  columns: KeyColumns,
  use: "checked" | "watched" = "checked",
): RowKey {
  const serial = columns.serialColumn >= 0 ? (cells[columns.serialColumn] ?? "").trim() : "";
  const gtinCell = columns.gtinColumn >= 0 ? (cells[columns.gtinColumn] ?? "").trim() : "";
  const gtin = gtinCell ? gtinOfCell(gtinCell) : null;
  const gtinNote = gtin?.ok ? gtin.note : null;
  if (serial && (normalizeSerial(serial) !== null || !gtin?.ok))
    return {
      kind: "serial",
      serial,
      gtin14: gtin?.ok ? gtin.gtin14 : null,
      note: gtin && !gtin.ok ? `The row's GTIN was not compared with the seal. ${notValid(gtin.message)}` : gtinNote,
    };
  if (gtin?.ok) {
    const placeholder = serial ? `"${serial}" is not a seal serial: ${use} by the GTIN.` : null;
    return { kind: "gtin", gtin14: gtin.gtin14, note: [placeholder, gtinNote].filter(Boolean).join(" ") || null };
  }
  if (gtin) return { kind: "invalid_gtin", message: notValid(gtin.message), cell: gtinCell, reason: gtin.message };
  const asked = [columns.serialColumn >= 0 ? "serial" : null, columns.gtinColumn >= 0 ? "GTIN" : null]
    .filter(Boolean)
    .join(" or ");
  return { kind: "empty", message: `No ${asked} in this row.` };
}

/** "Not a valid GTIN: the check digit should be…", from gtinOfCell's sentence. */
const notValid = (message: string) => `Not a valid GTIN: ${message.charAt(0).toLowerCase()}${message.slice(1)}`;

/** The note for a row whose GTIN is not the product of the seal its serial names; null when they agree or cannot be compared. */
export function gtinMismatch(rowGtin14: string | null, sealProductGtin14: string | null): string | null {
  if (!rowGtin14 || rowGtin14 === sealProductGtin14) return null;
  return sealProductGtin14
    ? `${ROW_GTIN} ${rowGtin14} ${NOT_THE_PRODUCT} (its GTIN is ${sealProductGtin14}).`
    : `${ROW_GTIN} ${rowGtin14} ${NOT_COMPARED}.`;
}

const ROW_GTIN = "The row's GTIN";
const NOT_THE_PRODUCT = "is not this seal's product";
const NOT_COMPARED = "cannot be compared: this seal's product has no GTIN";

/**
 * What a stored row's note says of its GTIN (the note gtinMismatch wrote, perhaps after a line's
 * own note): "mismatch" (another product's GTIN: the seal may be valid, but not for this row's
 * product), "uncompared", or null. So that a valid seal's row is not shown as plainly valid.
 */
export function gtinNoteKind(note: string): "mismatch" | "uncompared" | null {
  if (!note.includes(`${ROW_GTIN} `)) return null;
  if (note.includes(NOT_THE_PRODUCT)) return "mismatch";
  return note.includes(NOT_COMPARED) ? "uncompared" : null;
}
