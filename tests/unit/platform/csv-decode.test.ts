// The bytes of an uploaded CSV as text (platform/csv-decode.server.ts): the one decoder for the bulk
// check's page, its upload endpoint, the bulk-check API and watching from a CSV. Excel's
// "CSV (Comma delimited)" is Windows-1252, not UTF-8; a workbook is not CSV text at all.
import { describe, expect, it } from "vitest";
import { decodeCsvBytes, NOT_CSV_TEXT, NOT_UTF8_NOTE } from "../../../app/platform/csv-decode.server";

const bytes = (...parts: (string | number[])[]) =>
  Buffer.concat(parts.map((p) => (typeof p === "string" ? Buffer.from(p, "utf8") : Buffer.from(p))));

describe("decodeCsvBytes", () => {
  it("UTF-8, with or without its byte order mark: read as it is, the mark dropped, nothing to say", () => {
    expect(decodeCsvBytes(bytes("sku,gtin\nCAM,Caméra\n"))).toEqual({
      ok: true,
      text: "sku,gtin\nCAM,Caméra\n",
      note: null,
    });
    expect(decodeCsvBytes(bytes([0xef, 0xbb, 0xbf], "gtin\nCaméra\n"))).toEqual({
      ok: true,
      text: "gtin\nCaméra\n",
      note: null,
    });
  });

  it('Windows-1252 (Excel\'s "CSV (Comma delimited)"): read as such, never as U+FFFD, and said so', () => {
    // "Caméra" and "€5" in Windows-1252: é is 0xE9, € is 0x80.
    const r = decodeCsvBytes(bytes("sku,name\nCAM,Cam", [0xe9], "ra ", [0x80], "5\n"));
    expect(r).toEqual({ ok: true, text: "sku,name\nCAM,Caméra €5\n", note: NOT_UTF8_NOTE });
    // Every byte 0x80 to 0x9F as Windows-1252 has it (Node's own decoder reads them as C1 controls).
    const high = decodeCsvBytes(Buffer.from(Array.from({ length: 32 }, (_, i) => 0x80 + i)));
    expect(high.ok && high.text).toBe("€\u0081‚ƒ„…†‡ˆ‰Š‹Œ\u008dŽ\u008f\u0090‘’“”•–—˜™š›œ\u009džŸ");
    expect(NOT_UTF8_NOTE).toMatch(/not UTF-8.*Windows-1252.*save the file as "CSV UTF-8"/);
  });

  it('UTF-16 by its byte order mark (Excel\'s "Unicode Text"), little- and big-endian', () => {
    const le = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from("gtin\tname\nCaméra\n", "utf16le")]);
    expect(decodeCsvBytes(le)).toEqual({ ok: true, text: "gtin\tname\nCaméra\n", note: null });
    const be = Buffer.from(le);
    be.swap16();
    expect(decodeCsvBytes(be)).toEqual({ ok: true, text: "gtin\tname\nCaméra\n", note: null });
  });

  it("a workbook (.xlsx is a ZIP archive, .xls an OLE2 file) or a binary file is refused: not CSV text", () => {
    expect(NOT_CSV_TEXT).toBe("This is not a CSV text file (an Excel workbook?): save it as CSV UTF-8.");
    const refused = { ok: false, message: NOT_CSV_TEXT };
    expect(decodeCsvBytes(bytes([0x50, 0x4b, 0x03, 0x04, 0x14, 0x00], "[Content_Types].xml"))).toEqual(refused);
    expect(decodeCsvBytes(bytes([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1, 0, 0]))).toEqual(refused);
    expect(decodeCsvBytes(bytes("gtin\n", [0x00, 0x01, 0x02]))).toEqual(refused);
    // UTF-16 without its byte order mark is full of NUL bytes: refused rather than read as junk.
    expect(decodeCsvBytes(Buffer.from("gtin\n", "utf16le"))).toEqual(refused);
  });

  it("a UTF-8 byte order mark on a file that is not UTF-8 is refused, saying what to do", () => {
    expect(decodeCsvBytes(bytes([0xef, 0xbb, 0xbf], "gtin\nCam", [0xe9], "ra\n"))).toEqual({
      ok: false,
      message:
        'The file starts with a UTF-8 byte order mark but is not UTF-8: save it as "CSV UTF-8" and upload it again.',
    });
  });

  it("takes an ArrayBuffer as File.arrayBuffer() gives it", () => {
    const buffer = new TextEncoder().encode("gtin\n5060123450002\n").buffer;
    expect(decodeCsvBytes(buffer)).toMatchObject({ ok: true, text: "gtin\n5060123450002\n" });
  });
});
