/**
 * GTINs (GS1 Global Trade Item Numbers): the one check-digit rule, and the normal form the portal
 * compares them in. GTIN-8, -12 (UPC-A), -13 (EAN-13) and -14 are one number space: left-padded
 * with zeros to 14 digits they never collide (GS1 General Specifications, section 3.3.2), so
 * "4006381333931" and "04006381333931" are the same product.
 */

export const GTIN_LENGTHS = [8, 12, 13, 14] as const;

/**
 * GS1 check digit: GTIN-8, -12, -13 or -14. From the right, digits are weighted 3, 1, 3, …
 * (excluding the check digit itself); the check digit brings the sum to a multiple of 10.
 * Null when the GTIN is well formed, else what is wrong with it in words.
 */
export function gtinProblem(value: string): string | null {
  if (!/^\d+$/.test(value)) return "A GTIN has digits only.";
  if (!(GTIN_LENGTHS as readonly number[]).includes(value.length)) return "A GTIN has 8, 12, 13 or 14 digits.";
  const digits = [...value].map(Number);
  const check = digits.pop()!;
  let sum = 0;
  digits.reverse().forEach((d, i) => (sum += d * (i % 2 === 0 ? 3 : 1)));
  const expected = (10 - (sum % 10)) % 10;
  return check === expected
    ? null
    : `The check digit should be ${expected}, not ${check}: check the number for a typo.`;
}

export type GtinParse = { ok: true; gtin14: string } | { ok: false; message: string };

/** A GTIN-8/12/13/14 as typed or scanned → its 14-digit form, or why it is not a GTIN. */
export function parseGtin(value: string): GtinParse {
  const problem = gtinProblem(value);
  return problem ? { ok: false, message: problem } : { ok: true, gtin14: value.padStart(14, "0") };
}

export type GtinCell = { ok: true; gtin14: string; note: string | null } | { ok: false; message: string };

/** Lengths that are not a GTIN's but are one whose leading zeros a spreadsheet removed (a UPC-A of 11 digits, say). */
const SHORTENED_LENGTHS = [7, 9, 10, 11];

/**
 * A GTIN as a buyer's file or a form has it (the one rule for bulk checks, watching from a CSV and
 * the watch-by-GTIN form): trimmed; spaces and hyphens between digit groups, as printed under a
 * barcode, are ignored. A spreadsheet that took the column for numbers wrote a GTIN in scientific
 * notation (the digits are lost: said so), or dropped its leading zeros: a cell of 7, 9, 10 or 11
 * digits (no GTIN has that many) whose check digit matches once the zeros are put back is read as
 * that GTIN, with a note saying so. 12 and 13 digits are GTIN lengths already (a GTIN-13 or -14
 * that lost a zero is the same number as the GTIN-12 or -13 it reads as). `message` is a sentence
 * for the caller to put after its own words ("Not a valid GTIN: …").
 */
export function gtinOfCell(cell: string): GtinCell {
  const value = cell.trim();
  if (/^\d([.,]\d+)?e\+?\d+$/i.test(value))
    return {
      ok: false,
      message: `${value} is a number a spreadsheet shortened (scientific notation); format the column as text and export again.`,
    };
  const digits = value.replace(/[\s-]/g, "");
  if (/^\d+$/.test(digits) && SHORTENED_LENGTHS.includes(digits.length)) {
    const restored = digits.padStart(
      GTIN_LENGTHS.find((n) => n > digits.length)!,
      "0",
    );
    if (gtinProblem(restored) === null) {
      const zeros = restored.length - digits.length;
      return {
        ok: true,
        gtin14: restored.padStart(14, "0"),
        note: `GTIN ${digits} read as ${restored}: ${zeros === 1 ? "its leading zero" : "leading zeros"} restored (a spreadsheet probably removed ${zeros === 1 ? "it" : "them"}).`,
      };
    }
    return {
      ok: false,
      message: `A GTIN has 8, 12, 13 or 14 digits, not ${digits.length} (with leading zeros put back, its check digit does not match either).`,
    };
  }
  const parsed = parseGtin(digits);
  return parsed.ok ? { ...parsed, note: null } : parsed;
}

/**
 * The 14-digit form of a stored GTIN (stored as the supplier typed it: 8, 12, 13 or 14 digits),
 * or null when there is none or it is not a valid GTIN.
 */
export function gtin14Of(stored: string | null | undefined): string | null {
  if (!stored) return null;
  const parsed = parseGtin(stored);
  return parsed.ok ? parsed.gtin14 : null;
}
