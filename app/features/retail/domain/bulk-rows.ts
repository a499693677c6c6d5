/**
 * What a row of a bulk check asks about: the buyer's file names a seal by our `serial`, or a
 * product by the GTIN on its box (`gtin`, `ean`, `upc` or `barcode`, in any case), or both. The
 * serial wins when a row has both (it names one seal, the GTIN only a product); the GTIN is then
 * compared with the seal's product. The GTIN rule itself is catalogue/domain/gtin.ts's.
 */
import { parseGtin } from "../../catalogue/domain/gtin";
// One header rule for every CSV a buyer gives us (bulk checks and watching from a CSV).
import { GTIN_HEADERS, SERIAL_HEADER } from "./watch-csv";

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
  | { kind: "serial"; serial: string; gtin14: string | null }
  | { kind: "gtin"; gtin14: string }
  | { kind: "invalid_gtin"; message: string }
  | { kind: "empty"; message: string };

/**
 * What the row asks about. A serial cell that is not empty wins; else the GTIN cell. A GTIN
 * beside a serial is kept for the comparison only when it is a valid GTIN.
 */
export function rowKeyOf(cells: readonly string[], columns: KeyColumns): RowKey {
  const serial = columns.serialColumn >= 0 ? (cells[columns.serialColumn] ?? "").trim() : "";
  const gtinCell = columns.gtinColumn >= 0 ? (cells[columns.gtinColumn] ?? "").trim() : "";
  const gtin = gtinCell ? gtinOfCell(gtinCell) : null;
  if (serial) return { kind: "serial", serial, gtin14: gtin?.ok ? gtin.gtin14 : null };
  if (gtin) return gtin.ok ? { kind: "gtin", gtin14: gtin.gtin14 } : { kind: "invalid_gtin", message: gtin.message };
  const asked = [columns.serialColumn >= 0 ? "serial" : null, columns.gtinColumn >= 0 ? "GTIN" : null]
    .filter(Boolean)
    .join(" or ");
  return { kind: "empty", message: `No ${asked} in this row.` };
}

/** A GTIN cell as a buyer's file has it: spaces and hyphens between digit groups are allowed. */
function gtinOfCell(cell: string): { ok: true; gtin14: string } | { ok: false; message: string } {
  // A spreadsheet that took the GTIN for a number writes 5.06012E+12: the digits are lost.
  if (/^\d([.,]\d+)?e\+?\d+$/i.test(cell))
    return {
      ok: false,
      message: `Not a valid GTIN: ${cell} is a number a spreadsheet shortened (scientific notation); format the column as text and export again.`,
    };
  const parsed = parseGtin(cell.replace(/[\s-]/g, ""));
  if (parsed.ok) return parsed;
  return {
    ok: false,
    message: `Not a valid GTIN: ${parsed.message.charAt(0).toLowerCase()}${parsed.message.slice(1)}`,
  };
}

/** The note for a row whose GTIN is not the product of the seal its serial names; null when they agree or cannot be compared. */
export function gtinMismatch(rowGtin14: string | null, sealProductGtin14: string | null): string | null {
  if (!rowGtin14 || rowGtin14 === sealProductGtin14) return null;
  return sealProductGtin14
    ? `The row's GTIN ${rowGtin14} is not this seal's product (its GTIN is ${sealProductGtin14}).`
    : `The row's GTIN ${rowGtin14} cannot be compared: this seal's product has no GTIN.`;
}
