/**
 * The bytes of an uploaded CSV as text: the one decoder for every CSV a buyer gives us (the bulk
 * check's page and upload endpoint, the bulk-check API, watching from a CSV).
 *
 * `File.text()` and `Buffer.toString("utf8")` read every file as UTF-8 and replace what is not
 * with U+FFFD without a word: Excel's "CSV (Comma delimited)" is saved in the Windows code page
 * (Windows-1252 in Western Europe and the Americas), so "Caméra" came back "Cam\uFFFDra", and a
 * workbook (.xlsx, a ZIP archive) was read as junk ("needs a column named gtin (found: "PK…")").
 * Here:
 * - a byte order mark is honoured: UTF-8 (dropped), UTF-16 LE or BE (Excel's "Unicode Text");
 * - a ZIP archive (.xlsx, .ods) or an OLE2 file (.xls) is refused, and so is any file with NUL
 *   bytes (a binary file, or UTF-16 without its byte order mark): none is CSV text;
 * - otherwise the file must be UTF-8 (strictly); one that is not is read as Windows-1252, the
 *   code page Excel most likely used, and the answer says so (`note`), since any other code page
 *   would read differently.
 */

export type CsvDecode = { ok: true; text: string; note: string | null } | { ok: false; message: string };

export const NOT_CSV_TEXT = "This is not a CSV text file (an Excel workbook?): save it as CSV UTF-8.";
export const NOT_UTF8_NOTE =
  'The file is not UTF-8, so it was read as Windows-1252 (what Excel\'s "CSV (Comma delimited)" saves): if a letter with an accent looks wrong, save the file as "CSV UTF-8" and upload it again.';

const startsWith = (bytes: Uint8Array, signature: readonly number[]) =>
  bytes.length >= signature.length && signature.every((b, i) => bytes[i] === b);

/** ZIP (local file header, or an empty archive) and OLE2 compound files: workbooks, never CSV text. */
const BINARY_SIGNATURES = [
  [0x50, 0x4b, 0x03, 0x04],
  [0x50, 0x4b, 0x05, 0x06],
  [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1],
] as const;

/**
 * Windows-1252's characters for the bytes 0x80 to 0x9F (the WHATWG Encoding Standard's index; the
 * five bytes it leaves undefined stay the C1 control of the same number). Decoded here, since
 * Node's TextDecoder("windows-1252") reads these bytes as ISO-8859-1 controls (€ would be U+0080).
 */
const CP1252_80_9F =
  "\u20ac\u0081\u201a\u0192\u201e\u2026\u2020\u2021\u02c6\u2030\u0160\u2039\u0152\u008d\u017d\u008f" +
  "\u0090\u2018\u2019\u201c\u201d\u2022\u2013\u2014\u02dc\u2122\u0161\u203a\u0153\u009d\u017e\u0178";

/** Bytes as Windows-1252 text: 0x80 to 0x9F by the table above, every other byte is its own code point (as in ISO-8859-1). */
export function decodeWindows1252(bytes: Uint8Array): string {
  let text = "";
  for (let i = 0; i < bytes.length; i += 8192) {
    const codes = Array.from(bytes.subarray(i, i + 8192), (b) =>
      b >= 0x80 && b <= 0x9f ? CP1252_80_9F.charCodeAt(b - 0x80) : b,
    );
    text += String.fromCharCode(...codes);
  }
  return text;
}

/** The text of an uploaded CSV file, or why it is not CSV text (a sentence to show the buyer). */
export function decodeCsvBytes(input: Uint8Array | ArrayBuffer): CsvDecode {
  const bytes = input instanceof Uint8Array ? input : new Uint8Array(input);
  if (BINARY_SIGNATURES.some((s) => startsWith(bytes, s))) return { ok: false, message: NOT_CSV_TEXT };
  const utf16 = startsWith(bytes, [0xff, 0xfe]) ? "utf-16le" : startsWith(bytes, [0xfe, 0xff]) ? "utf-16be" : null;
  if (utf16) {
    try {
      return { ok: true, text: new TextDecoder(utf16, { fatal: true, ignoreBOM: false }).decode(bytes), note: null };
    } catch {
      return { ok: false, message: NOT_CSV_TEXT };
    }
  }
  if (bytes.includes(0)) return { ok: false, message: NOT_CSV_TEXT };
  try {
    // The UTF-8 byte order mark, when there is one, is dropped (ignoreBOM: false).
    return { ok: true, text: new TextDecoder("utf-8", { fatal: true }).decode(bytes), note: null };
  } catch {
    if (startsWith(bytes, [0xef, 0xbb, 0xbf]))
      return {
        ok: false,
        message:
          'The file starts with a UTF-8 byte order mark but is not UTF-8: save it as "CSV UTF-8" and upload it again.',
      };
    return { ok: true, text: decodeWindows1252(bytes), note: NOT_UTF8_NOTE };
  }
}
