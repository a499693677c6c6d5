/**
 * What an evidence file really is, decided from its first bytes (never from its name or the
 * browser's claim). Binary formats by their signatures (the `file-type` package, plus pcapng);
 * text by being valid UTF-8 without NUL bytes, then JSON / CSV / plain text. Only the formats
 * an assessor can safely open are accepted; anything else is refused with its detected type.
 */
import { fileTypeFromBuffer } from "file-type";
import { INVISIBLE } from "../../../platform/forms";
import { mentionsSbom, notJsonSbomMessage } from "./sbom";

export const ACCEPTED_TYPES = {
  "application/pdf": "PDF document",
  "image/png": "PNG image",
  "image/jpeg": "JPEG image",
  "text/plain": "plain text",
  "application/json": "JSON",
  "text/csv": "CSV",
  "application/zip": "ZIP archive",
  "application/vnd.tcpdump.pcap": "pcap capture",
  "application/x-pcapng": "pcapng capture",
} as const;
export type AcceptedMediaType = keyof typeof ACCEPTED_TYPES;

export const ACCEPTED_LIST = "PDF, PNG, JPEG, plain text, JSON, CSV, ZIP, pcap or pcapng";

/** How many leading bytes the sniffer looks at. */
export const SNIFF_BYTES = 64 * 1024;

export type Sniffed =
  { ok: true; mediaType: AcceptedMediaType; label: string } | { ok: false; detected: string; message: string };

const NAMES: Record<string, string> = {
  "application/x-elf": "an ELF executable",
  "application/x-msdownload": "a Windows executable",
  "application/x-mach-binary": "a macOS executable",
  "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "a Word document (export it as PDF)",
  "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "an Excel workbook (export it as PDF or CSV)",
  "application/vnd.openxmlformats-officedocument.presentationml.presentation": "a PowerPoint file (export it as PDF)",
  "image/gif": "a GIF image",
  "image/webp": "a WebP image",
  "image/svg+xml": "an SVG image",
  "application/x-sh": "a shell script",
};

function refuse(detected: string): Sniffed {
  return {
    ok: false,
    detected,
    message: `This file is ${detected}, which is not accepted as evidence. Upload ${ACCEPTED_LIST}.`,
  };
}

function accept(mediaType: AcceptedMediaType): Sniffed {
  return { ok: true, mediaType, label: ACCEPTED_TYPES[mediaType] };
}

const startsWith = (b: Uint8Array, sig: number[]) => sig.every((x, i) => b[i] === x);

/** `head` is the file's first bytes (up to SNIFF_BYTES); `complete` says whether it is the whole file. */
export async function sniffMediaType(head: Uint8Array, complete: boolean): Promise<Sniffed> {
  if (head.length === 0) return { ok: false, detected: "empty", message: "The file is empty." };
  // pcap (both byte orders, micro- and nanosecond) and pcapng.
  for (const sig of [
    [0xd4, 0xc3, 0xb2, 0xa1],
    [0xa1, 0xb2, 0xc3, 0xd4],
    [0x4d, 0x3c, 0xb2, 0xa1],
    [0xa1, 0xb2, 0x3c, 0x4d],
  ]) {
    if (startsWith(head, sig)) return accept("application/vnd.tcpdump.pcap");
  }
  if (startsWith(head, [0x0a, 0x0d, 0x0d, 0x0a])) return accept("application/x-pcapng");
  const found = await fileTypeFromBuffer(head);
  if (found) {
    if (found.mime in ACCEPTED_TYPES) return accept(found.mime as AcceptedMediaType);
    // Short signatures ("MZ", "BM", "ID3") also begin ordinary text ("MZ-1 test report"): text that
    // is valid UTF-8 without NUL or control bytes is judged as text, real binaries never are.
    if (found.mime === "application/xml" || found.ext === "xml" || isCleanText(head, complete))
      return classifyText(head, complete);
    return refuse(NAMES[found.mime] ?? `${found.ext.toUpperCase()} (${found.mime})`);
  }
  return classifyText(head, complete);
}

function isCleanText(head: Uint8Array, complete: boolean): boolean {
  if (head.includes(0)) return false;
  try {
    const text = new TextDecoder("utf-8", { fatal: true }).decode(head, { stream: !complete });
    return !/[\u0001-\u0008\u000e-\u001a\u001c-\u001f\u007f]/.test(text);
  } catch {
    return false;
  }
}

function classifyText(head: Uint8Array, complete: boolean): Sniffed {
  if (head.includes(0)) return refuse("binary data of an unrecognised format");
  let text: string;
  try {
    // `stream: true` tolerates a multi-byte character cut at the end of the sample.
    text = new TextDecoder("utf-8", { fatal: true }).decode(head, { stream: !complete });
  } catch {
    return refuse("binary data of an unrecognised format (not UTF-8 text)");
  }
  const body = text.replace(/^\uFEFF/, "");
  const markup = markupOf(body);
  if (markup) return refuse(markup);
  const start = body.trimStart();
  if (/[\u0001-\u0008\u000e-\u001a\u001c-\u001f]/.test(body.slice(0, 4096)))
    return refuse("binary data of an unrecognised format (control characters)");
  if (start.startsWith("{") || start.startsWith("[")) {
    if (!complete) return accept("application/json");
    try {
      JSON.parse(body);
      return accept("application/json");
    } catch (error) {
      // Naming an SBOM format but not parsing: a broken SBOM (checked as one), not plain text.
      // (A larger file is sniffed as JSON from its first bytes; sbom.server.ts refuses it the same way.)
      if (mentionsSbom(body))
        return { ok: false, detected: "an SBOM that is not valid JSON", message: notJsonSbomMessage(error) };
      return accept("text/plain");
    }
  }
  if (looksLikeCsv(body, complete)) return accept("text/csv");
  return accept("text/plain");
}

/**
 * The HTML signatures of the WHATWG MIME Sniffing Standard (rules for identifying an unknown MIME
 * type): after leading whitespace, one of these tags (any case) followed by a space or `>`; here
 * also by any whitespace or `/` (`<br/>`).
 */
const HTML_SIGNATURE =
  /^<(?:!doctype html|html|head|script|iframe|h1|div|font|table|a|style|title|b|body|br|p|!--)[\s/>]/;
/** An SVG element, with a namespace prefix or without (`<svg `, `<a:svg>`). */
const SVG_ELEMENT = /<(?:[^\s<>/:!?]+:)?svg[\s/>]/;
const SVG_NAMESPACE = "http://www.w3.org/2000/svg";

/**
 * Markup, refused as evidence whatever its name (defence in depth: downloads are text/plain
 * attachments with nosniff and a sandbox; what a browser would render is kept out all the same): the
 * WHATWG HTML signatures, any `<!DOCTYPE`, an XML declaration, and SVG (its namespace or an `svg`
 * element anywhere in the sample). Only a text that starts as markup (a tag, a declaration or a
 * comment, after whitespace) is looked at: a report that quotes `<script>` further down stays
 * plain text, and so does a syslog line (`<134>Oct 11 …`). The label, or null for no markup.
 */
function markupOf(body: string): string | null {
  const text = body.trimStart();
  if (!/^<[\p{L}_:!?]/u.test(text)) return null;
  const lower = text.toLowerCase();
  if (lower.includes(SVG_NAMESPACE) || SVG_ELEMENT.test(lower)) return NAMES["image/svg+xml"];
  // Leading comments do not hide what follows them (a comment itself is an HTML signature).
  const start = lower.replace(/^(\s*<!--[\s\S]*?-->)+/, "").trimStart();
  if (HTML_SIGNATURE.test(start)) return "an HTML document";
  if (start.startsWith("<!doctype") || start.startsWith("<?xml")) return "an XML document";
  if (HTML_SIGNATURE.test(lower)) return "an HTML document";
  return null;
}

function looksLikeCsv(text: string, complete: boolean): boolean {
  const lines = text.split(/\r?\n/);
  if (!complete) lines.pop(); // the last line of a sample may be cut
  const rows = lines.filter((l) => l.length > 0).slice(0, 20);
  if (rows.length < 2) return false;
  for (const delimiter of [",", ";", "\t"]) {
    const counts = rows.map((r) => r.split(delimiter).length - 1);
    if (counts[0] > 0 && counts.every((c) => c === counts[0])) return true;
  }
  return false;
}

/** Each invisible or direction-changing character of a text as U+XXXX (one entry per distinct character). */
function invisibleCharacters(text: string): string[] {
  return [...new Set(text.match(INVISIBLE) ?? [])].map(
    (c) => `U+${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, "0")}`,
  );
}

/**
 * A file name as the supplier gave it, kept only as display text. Names that try a path, carry
 * control characters or are absurdly long are refused rather than silently changed; so are names
 * with the invisible and direction-changing characters that the findings module strips from titles
 * (platform/forms.ts INVISIBLE: zero-width characters, bidi overrides, marks and isolates): with
 * U+202E, "report\u202Efdp.exe" shows as "reportexe.pdf".
 */
export function fileNameProblem(name: string): string | null {
  if (!name.trim()) return "The file has no name.";
  if ([...name].length > 255) return "The file name is longer than 255 characters.";
  if (/[\u0000-\u001f\u007f]/.test(name)) return "The file name contains control characters.";
  if (/[/\\]/.test(name) || name === "." || name === "..") return "The file name contains a path (/, \\ or ..).";
  const invisible = invisibleCharacters(name);
  if (invisible.length)
    return `The file name contains invisible or direction-changing characters (${invisible.join(", ")}), which can disguise what it is: rename the file without them.`;
  return null;
}

/**
 * A file name for a message (at most 80 characters, quoted), with any invisible, direction-changing
 * or control character shown as <U+XXXX> so the message reads as written.
 */
export function fileNameForMessage(name: string): string {
  const shown = [...name.slice(0, 80)]
    .map((c) =>
      /[\u0000-\u001f\u007f]/.test(c) || c.search(INVISIBLE) === 0
        ? `<U+${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, "0")}>`
        : c,
    )
    .join("");
  return `"${shown}"`;
}

/** The file name extensions that agree with each accepted type (lower case, without the dot); the first is added when none does. */
export const EXTENSIONS: Record<AcceptedMediaType, readonly string[]> = {
  "application/pdf": ["pdf"],
  "image/png": ["png"],
  "image/jpeg": ["jpg", "jpeg"],
  "text/plain": ["txt", "log", "text"],
  "application/json": ["json"],
  "text/csv": ["csv", "tsv"],
  "application/zip": ["zip"],
  "application/vnd.tcpdump.pcap": ["pcap", "cap"],
  "application/x-pcapng": ["pcapng"],
};

/**
 * The name an evidence file is downloaded under: the supplier's name, without invisible or
 * direction-changing characters (names stored before they were refused), and with an extension
 * that agrees with the type its bytes were detected as: a text file named "scan-results.js" is
 * downloaded as "scan-results.js.txt", so no browser or desktop opens it as a script.
 */
export function downloadFileName(originalName: string, mediaType: string): string {
  const name = originalName.replace(INVISIBLE, "").replace(/[\s.]+$/, "") || "evidence";
  const allowed = EXTENSIONS[mediaType as AcceptedMediaType] as readonly string[] | undefined;
  if (!allowed) return name;
  const dot = name.lastIndexOf(".");
  const ext = dot > 0 ? name.slice(dot + 1).toLowerCase() : "";
  return allowed.includes(ext) ? name : `${name}.${allowed[0]}`;
}
