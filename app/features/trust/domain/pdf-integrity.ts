/**
 * Whether a seal PDF is still the file the issuer made. The issuer writes a seal PDF once, in one
 * revision (pdfkit: one xref table, one trailer, one `startxref`, one `%%EOF`, at the very end),
 * and stores those bytes. Any PDF editor's plain "Save" appends an incremental update instead:
 * new objects, a second xref section and a trailer whose /Prev points back, then another
 * `%%EOF`. Readers show the last revision, so white boxes and new text can sit over the issued
 * page while its text (which the page check reads) is still there underneath.
 *
 * - `revisionProblem` (the offline check, no stored bytes): more than one revision, or anything
 *   but white space after the first `%%EOF`, means the file was edited after issue. A file
 *   rewritten whole in one revision is beyond this check (the page check still applies).
 * - `pdfDifference` (the portal, which keeps the issued bytes): the upload must be the issued
 *   file byte for byte; otherwise it says what differs.
 * - `pdfDigestDifference` (the offline verifier when it asks the issuer's seal API, which names the
 *   issued file's SHA-256): the same rule without the bytes, so it can only say that they differ.
 *
 * Pure apart from SHA-256 (deterministic, no I/O).
 */
import { createHash } from "node:crypto";

export interface PdfRevisions {
  /** The original plus each incremental update: the most of xref sections, `startxref` pointers and `%%EOF` markers. */
  revisions: number;
  /** Where the first revision ends (after its `%%EOF` and end-of-line), or null when there is no `%%EOF`. */
  firstEnd: number | null;
  /** Bytes after the first revision's end (0 when they are only white space). */
  appended: number;
}

const latin1 = (bytes: Uint8Array) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("latin1");
const count = (text: string, re: RegExp) => text.match(re)?.length ?? 0;
const plural = (n: number, one: string, many = `${one}s`) => `${n.toLocaleString("en")} ${n === 1 ? one : many}`;

// Keywords as the PDF syntax has them (preceded by white space or the file start): a classic xref
// table ("xref" then a subsection header), a cross-reference stream, a startxref pointer.
const XREF_TABLE = /(?:^|[\0\t\n\f\r ])xref[\0\t\f ]*(?:\r\n|\r|\n)[\0\t\n\f\r ]*\d+[\0\t\f ]+\d+/g;
const XREF_STREAM = /\/Type[\0\t\n\f\r ]*\/XRef(?![A-Za-z0-9])/g;
const STARTXREF = /(?:^|[\0\t\n\f\r ])startxref[\0\t\n\f\r ]+\d+/g;
const EOF = /%%EOF/g;
const WHITE = /^[\0\t\n\f\r ]*$/;

export function pdfRevisions(bytes: Uint8Array): PdfRevisions {
  const text = latin1(bytes);
  const eof = text.indexOf("%%EOF");
  let firstEnd: number | null = null;
  if (eof >= 0) {
    firstEnd = eof + 5;
    if (text.startsWith("\r\n", firstEnd)) firstEnd += 2;
    else if (text[firstEnd] === "\n" || text[firstEnd] === "\r") firstEnd += 1;
  }
  const rest = firstEnd === null ? "" : text.slice(firstEnd);
  return {
    revisions: Math.max(
      1,
      count(text, XREF_TABLE) + count(text, XREF_STREAM),
      count(text, STARTXREF),
      count(text, EOF),
    ),
    firstEnd,
    appended: WHITE.test(rest) ? 0 : rest.length,
  };
}

/** What shows that a PDF was edited after it was issued (offline: no issued bytes to compare), or null. */
export function revisionProblem(bytes: Uint8Array): string | null {
  const r = pdfRevisions(bytes);
  if (r.revisions <= 1 && r.appended === 0) return null;
  const what =
    r.revisions > 1
      ? `it has ${r.revisions} revisions${r.appended ? ` (${plural(r.appended, "byte")} appended after the end of the first)` : ""}: ${plural(r.revisions - 1, "incremental update")} made after it was issued`
      : `${plural(r.appended, "byte")} appended after its end (%%EOF)`;
  return `This PDF was edited after it was issued: ${what}. A seal certificate is issued in one revision; what its page shows now is not what was issued. Trust the signed facts, not the page.`;
}

export const sha256Hex = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");

/**
 * How `uploaded` differs from `issued`, the PDF issued for seal `serial`, or null when they are
 * the same bytes. Says where: bytes appended after the issued file's end (an incremental update
 * when they hold a revision), the file cut short, or the first byte offset that differs. With
 * `short`, the SHA-256s are cut to 16 hex digits (for a list of checks; the reason has them whole).
 */
export function pdfDifference(serial: string, issued: Uint8Array, uploaded: Uint8Array, short = false): string | null {
  const a = Buffer.from(issued.buffer, issued.byteOffset, issued.byteLength);
  const b = Buffer.from(uploaded.buffer, uploaded.byteOffset, uploaded.byteLength);
  if (a.equals(b)) return null;
  let what: string;
  if (b.length > a.length && b.subarray(0, a.length).equals(a)) {
    const tail = b.subarray(a.length);
    const updates = pdfRevisions(tail).revisions;
    const holdsRevision = /%%EOF|startxref|(?:^|\s)xref\s/.test(latin1(tail));
    what = `${plural(tail.length, "byte")} appended after the issued file's end${
      holdsRevision
        ? ` (${updates === 1 ? "an incremental update: a second revision" : `${updates} incremental updates: ${updates + 1} revisions`})`
        : ""
    }`;
  } else if (a.length > b.length && a.subarray(0, b.length).equals(b)) {
    what = `it is cut short: the last ${plural(a.length - b.length, "byte")} of the issued file are missing`;
  } else {
    const n = Math.min(a.length, b.length);
    let at = 0;
    while (at + 65_536 <= n && a.subarray(at, at + 65_536).equals(b.subarray(at, at + 65_536))) at += 65_536; // whole chunks, natively
    while (at < n && a[at] === b[at]) at++;
    const revisions = pdfRevisions(b).revisions;
    what = `they differ from byte offset ${at.toLocaleString("en")} on (the issued file has ${plural(a.length, "byte")}, this one ${plural(b.length, "byte")}${revisions > 1 ? `, in ${revisions} revisions` : ""})`;
  }
  const hash = (x: Buffer) => (short ? `${sha256Hex(x).slice(0, 16)}…` : sha256Hex(x));
  return `The file differs from the PDF issued for ${serial}: ${what}. Issued SHA-256 ${hash(a)}, this file's ${hash(b)}. Trust the signed facts, not the page.`;
}

/**
 * Whether `uploaded` is the PDF issued for seal `serial`, known only by its SHA-256 (`issuedSha256`, lower-case hex,
 * as the issuer's seal API names it): null when it is; otherwise why not, in pdfDifference's words.
 */
export function pdfDigestDifference(
  serial: string,
  issuedSha256: string,
  uploaded: Uint8Array,
  short = false,
): string | null {
  const own = sha256Hex(uploaded);
  const issued = issuedSha256.trim().toLowerCase();
  if (own === issued) return null;
  const hash = (x: string) => (short ? `${x.slice(0, 16)}…` : x);
  return `The file differs from the PDF issued for ${serial}: it is not the same file (the issuer recorded its SHA-256). Issued SHA-256 ${hash(issued)}, this file's ${hash(own)}. Trust the signed facts, not the page.`;
}
