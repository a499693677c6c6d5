/**
 * The facts a seal certificate prints, as exact strings, and the check that a PDF page still
 * shows them. The renderer (`app/features/trust/adapters/seal-pdf.server.ts`) prints `visibleFacts` and the
 * verifier compares the page's extracted text with the same function, so the two always agree.
 *
 * The page check catches a certificate whose visible text was edited while the genuine signed
 * credential stayed attached. It is a consistency check, not a security boundary: the
 * signature on the attached credential is what proves anything.
 *
 * Pure apart from SHA-256 (deterministic, no I/O).
 */
import { createHash } from "node:crypto";
import type { SealCredential } from "./credential";

export type FactKey =
  | "serial"
  | "product"
  | "model"
  | "gtin"
  | "hardwareRevision"
  | "firmwareVersion"
  | "supplier"
  | "checklist"
  | "level"
  | "results"
  | "issued"
  | "validUntil"
  | "supportPeriodEnd"
  | "issuer";

export interface VisibleFact {
  key: FactKey;
  label: string;
  value: string;
  /**
   * Checked only when the page prints the label: certificates issued before the fact was printed
   * (the GTIN, from issue 15) lack it, and a page without it claims nothing false about it.
   */
  checkedWhenPrinted?: boolean;
  /** Earlier printed forms of the same value, still accepted on the page of an older certificate. */
  formerly?: string[];
  /** Some character of the signed value could not be printed and shows as "?" (a non-Latin script, an emoji). */
  lossy?: boolean;
}

const questionMarks = (text: string) => text.split("?").length - 1;

export interface PageDisagreement {
  key: FactKey;
  label: string;
  expected: string;
  /** What the page shows after the label instead (up to the next fact's label), when it shows the label at all. */
  shown?: string;
}

/**
 * The facts as the certificate prints them, in reading order. Values are already limited to
 * what the standard PDF fonts can show (see `printableText`), so what is printed is exactly
 * what is checked.
 */
export function visibleFacts(credential: SealCredential): VisibleFact[] {
  const s = credential.credentialSubject;
  const r = s.results;
  const mandatoryTotal = r.requirements - r.advisoryTotal;
  const facts: [FactKey, string, string][] = [
    ["product", "Product", s.product.name],
    ["model", "Model", s.product.model],
    ...(s.product.gtin ? [["gtin", "GTIN", s.product.gtin] as [FactKey, string, string]] : []),
    ["hardwareRevision", "Hardware revision", s.hardwareRevision],
    ["firmwareVersion", "Firmware version", s.firmwareVersion],
    ["supplier", "Supplier", s.supplier.name],
    ["checklist", "Assessed against", checklistWords(s.checklist.title, s.checklist.version)],
    ["level", "Level", s.level],
    [
      "results",
      "Results",
      `${r.pass} of ${r.requirements} requirements passed, ${r.notApplicable} not applicable · mandatory ${r.mandatoryMet}/${mandatoryTotal} met · advisory ${r.advisoryMet}/${r.advisoryTotal} met`,
    ],
    ["issued", "Issued", isoDate(credential.validFrom)],
    ["validUntil", "Valid until", isoDate(credential.validUntil)],
    ["supportPeriodEnd", "Security updates until", s.supportPeriodEnd],
    ["serial", "Serial", s.serial],
    ["issuer", "Issued by", credential.issuer.name],
  ];
  // Before issue 15 the checklist was always printed as "<title>, version <version>".
  const formerChecklist = `${s.checklist.title}, version ${s.checklist.version}`;
  return facts.map(([key, label, value]) => ({
    key,
    label,
    value: printableText(value),
    ...(key === "gtin" ? { checkedWhenPrinted: true } : {}),
    ...(key === "checklist" && formerChecklist !== value ? { formerly: [printableText(formerChecklist)] } : {}),
    ...(questionMarks(printableText(value)) > questionMarks(value) ? { lossy: true } : {}),
  }));
}

/** The facts whose label followed by value cannot be found in a page's extracted text. */
export function pageDisagreements(pageText: string, credential: SealCredential): PageDisagreement[] {
  const page = squeeze(pageText);
  const facts = visibleFacts(credential);
  return facts
    .filter((f) => !f.checkedWhenPrinted || containsAtBoundaries(page, squeeze(f.label).chars))
    .filter((f) =>
      [f.value, ...(f.formerly ?? [])].every((v) => !containsAtBoundaries(page, squeeze(`${f.label} ${v}`).chars)),
    )
    .map((f) => {
      const shown = shownAfterLabel(
        pageText,
        f.label,
        facts.map((o) => o.label),
      );
      return { key: f.key, label: f.label, expected: f.value, ...(shown && shown !== f.value ? { shown } : {}) };
    });
}

/**
 * What a page shows after `label` (white space collapsed), up to the next of `labels` or 80
 * characters: for telling a reader what an edited certificate says ("2031-09-17") beside what was
 * signed. Null when the page does not show the label.
 */
function shownAfterLabel(pageText: string, label: string, labels: readonly string[]): string | null {
  const text = pageText.replace(/\s+/g, " ");
  const at = new RegExp(`(^|\\s)${escapeRegExp(label)}(\\s|$)`).exec(text);
  if (!at) return null;
  const rest = text.slice(at.index + at[0].length);
  let end = Math.min(rest.length, 80);
  for (const other of labels) {
    if (other === label) continue;
    const next = new RegExp(`(^|\\s)${escapeRegExp(other)}(\\s|$)`).exec(rest);
    if (next && next.index < end) end = next.index;
  }
  const shown = rest.slice(0, end).trim();
  return shown || null;
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** The checklist and its version, the version not repeated when the title ends with it ("... Regulations 2023"). */
function checklistWords(title: string, version: string): string {
  const t = title.trim();
  return t === version || t.endsWith(` ${version}`) ? t : `${t}, version ${version}`;
}

/** First 64 bits of SHA-256 over the JWS text, as four groups of four hex digits. */
export function credentialFingerprint(jws: string): string {
  const hex = createHash("sha256").update(jws.trim()).digest("hex").slice(0, 16);
  return hex.match(/.{4}/g)!.join(" ");
}

// "2026-11-25T00:00:00.000Z" → "2026-11-25" (the credential's dates are UTC ISO strings).
function isoDate(iso: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toISOString().slice(0, 10);
}

// Characters WinAnsiEncoding (the standard PDF fonts) has beyond Latin-1: € ‚ ƒ „ … † ‡ ˆ ‰ Š ‹ Œ Ž ‘ ’ “ ” • – — ˜ ™ š › œ ž Ÿ.
const WIN_ANSI_EXTRA = new Set("€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ");

// Common characters outside WinAnsi whose closest printable form is not found by stripping accents.
const LOOKALIKES: Record<string, string> = {
  "\u2010": "-",
  "\u2011": "-",
  "\u2012": "–",
  "\u2015": "—",
  "\u2212": "-",
  "\u2032": "'",
  "\u2033": '"',
  ł: "l",
  Ł: "L",
  đ: "d",
  Đ: "D",
  ı: "i",
  ħ: "h",
  Ħ: "H",
  ŀ: "l",
  Ŀ: "L",
  ŧ: "t",
  Ŧ: "T",
};

const isWinAnsi = (ch: string) => {
  const c = ch.codePointAt(0)!;
  return (c >= 0x20 && c <= 0x7e) || (c >= 0xa0 && c <= 0xff) || WIN_ANSI_EXTRA.has(ch);
};

/**
 * Text limited to what the standard PDF fonts can print: accents the font lacks are dropped
 * (ő → o), a few look-alikes are substituted (ł → l, non-breaking hyphen → -), invisible and
 * control characters go, any whitespace becomes one space, and anything else (such as
 * non-Latin scripts) becomes "?". Printable text with single spaces comes back unchanged.
 */
export function printableText(text: string): string {
  let out = "";
  for (const ch of text.normalize("NFC")) {
    if (/\s/u.test(ch)) out += " ";
    else if (isWinAnsi(ch)) out += ch;
    else if (ch in LOOKALIKES) out += LOOKALIKES[ch];
    else if (/[\p{Cc}\p{Cf}]/u.test(ch))
      continue; // controls, zero-width and bidi marks
    else {
      const base = ch.normalize("NFKD").replace(/\p{M}/gu, "");
      out += base && [...base].every(isWinAnsi) ? base : "?";
    }
  }
  return out.replace(/ +/g, " ").trim();
}

/**
 * Text with all whitespace removed (so line wrapping and text-extraction spacing do not
 * matter), remembering where whitespace was: `boundary[i]` is true when chars[i] starts a
 * word (and `boundary[chars.length]` is true), so a match can be required to be whole words.
 */
function squeeze(text: string): { chars: string; boundary: boolean[] } {
  let chars = "";
  const boundary: boolean[] = [];
  let gap = true;
  for (const ch of text.normalize("NFKC")) {
    if (/\s/u.test(ch)) {
      gap = true;
      continue;
    }
    // Index by UTF-16 code unit, as indexOf does; a surrogate pair's second half is no boundary.
    for (let i = 0; i < ch.length; i++) boundary.push(gap && i === 0);
    chars += ch;
    gap = false;
  }
  boundary.push(true);
  return { chars, boundary };
}

// Whole-word containment: "Firmware version 3.2.0" is not found in "Firmware version 3.2.01".
function containsAtBoundaries(page: { chars: string; boundary: boolean[] }, needle: string): boolean {
  for (let i = page.chars.indexOf(needle); i !== -1; i = page.chars.indexOf(needle, i + 1)) {
    if (page.boundary[i] && page.boundary[i + needle.length]) return true;
  }
  return false;
}
