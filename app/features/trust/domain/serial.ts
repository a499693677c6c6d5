/**
 * Seal serials: short, human-typable, self-checking, like `IOTS-7KQ2-M9XD`. Seven Crockford
 * base32 payload characters (35 random bits) and one check character, in two groups of four.
 *
 * The check character is Crockford's check symbol: the payload's value mod 37, written with the
 * base32 alphabet extended by `*~$=U` (https://www.crockford.com/base32.html). Because 37 is prime
 * and larger than every digit difference, it catches every single-character substitution and every
 * transposition of two adjacent different characters, including the last payload character with
 * the check character. A weighted sum mod 32 cannot do both: substitutions need every weight odd
 * (invertible mod 32), adjacent transpositions need every neighbouring weight difference odd, and
 * two odd weights always differ by an even number (weights 1..7: a +16 change under weight 2 is
 * missed). The price is that about 5 serials in 37 end in one of `*~$=U`.
 */

const ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
const CHECK_ALPHABET = ALPHABET + "*~$=U";
const PREFIX = "IOTS";
const PAYLOAD_LENGTH = 7;
/** Random bytes makeSerial needs: 5 bytes = 40 bits, of which the payload uses 35. */
export const SERIAL_RANDOM_BYTES = 5;

const READING_AIDS: Record<string, string> = { O: "0", I: "1", L: "1" };

function checkSymbol(payload: string): string {
  let value = 0;
  for (const ch of payload) value = (value * 32 + ALPHABET.indexOf(ch)) % 37;
  return CHECK_ALPHABET[value];
}

function format(compact: string): string {
  return `${PREFIX}-${compact.slice(0, 4)}-${compact.slice(4)}`;
}

/** A new serial from the first 5 bytes of `randomBytes` (pass CSPRNG output; extra bytes are ignored). */
export function makeSerial(randomBytes: Uint8Array): string {
  if (randomBytes.length < SERIAL_RANDOM_BYTES) {
    throw new RangeError(`makeSerial needs at least ${SERIAL_RANDOM_BYTES} random bytes, got ${randomBytes.length}`);
  }
  let value = 0;
  for (let i = 0; i < SERIAL_RANDOM_BYTES; i++) value = value * 256 + randomBytes[i];
  value = Math.floor(value / 32); // keep the top 35 bits
  let payload = "";
  for (let i = 0; i < PAYLOAD_LENGTH; i++) {
    payload = ALPHABET[value % 32] + payload;
    value = Math.floor(value / 32);
  }
  return format(payload + checkSymbol(payload));
}

/**
 * The canonical form (`IOTS-XXXX-XXXX`) of a typed serial, or null when it is not shaped like one.
 * Case-insensitive; spaces and hyphens are optional; the `IOTS` prefix is optional; O reads as 0
 * and I, L as 1, except in a leading IOTS, which is always the prefix. Does not verify the check character: see isValidSerial.
 */
export function normalizeSerial(input: string): string | null {
  if (typeof input !== "string") return null;
  let s = input.toUpperCase().replace(/[\s-]+/g, "");
  // Written with the letters of the prefix, IOTS is the prefix: "IOTS-K0VF" is half a serial, not the payload
  // 10TSK0VF shown back as IOTS-10TS-K0VF, a serial nobody typed. (A payload that starts 10TS, one in a million, is
  // still read when typed with its digits.)
  if (s.startsWith(PREFIX)) s = s.slice(PREFIX.length);
  if (s.length !== PAYLOAD_LENGTH + 1) return null;
  s = s.replace(/[OIL]/g, (c) => READING_AIDS[c]);
  const payload = s.slice(0, PAYLOAD_LENGTH);
  for (const ch of payload) if (!ALPHABET.includes(ch)) return null;
  if (!CHECK_ALPHABET.includes(s[PAYLOAD_LENGTH])) return null;
  return format(s);
}

/** Whether `input` normalizes to a serial whose check character matches its payload. */
export function isValidSerial(input: string): boolean {
  const canonical = normalizeSerial(input);
  if (canonical === null) return false;
  const compact = canonical.slice(PREFIX.length + 1).replace("-", "");
  return checkSymbol(compact.slice(0, PAYLOAD_LENGTH)) === compact[PAYLOAD_LENGTH];
}

/**
 * What a person pasted or typed into a serial field, reduced to what normalizeSerial (or a barcode lookup) reads: the
 * address a QR code reader shows (…/s/IOTS-7KQ2-M9XD, or a GS1 Digital Link …/01/<GTIN>) to its serial or GTIN;
 * zero-width characters dropped; typographic dashes (as a word processor writes them) read as hyphens; a sentence's
 * closing full stop, comma or semicolon removed. Anything else is left as it was, for the field's own message.
 */
export function pastedSerial(input: string): string {
  const s = cleanPaste(input);
  return fromAddress(s) ?? s.replace(/[.,;]+$/, "");
}

/** Zero-width characters dropped, typographic dashes read as hyphens, trimmed. */
function cleanPaste(input: string): string {
  return input
    .replace(/[\u200B-\u200D\u2060\uFEFF]/g, "")
    .replace(/[\u2010-\u2015\u2212]/g, "-")
    .trim();
}

/** The serial or GTIN in a seal's or a product's address (…/s/<serial>, …/01/<GTIN>), or null when `s` is not one. */
function fromAddress(s: string): string | null {
  if (!/^(https?:\/\/|\/)/i.test(s)) return null;
  const seal = /\/s\/([0-9A-Za-z-]{4,40})(?:[/?#]|$)/.exec(s);
  if (seal) return seal[1];
  const gtin = /\/01\/(\d{8,14})(?:[/?#]|$)/.exec(s);
  return gtin ? gtin[1] : null;
}

const hostOf = (url: string): string => {
  try {
    return new URL(url).host.toLowerCase(); // an international name in its xn-- form: a look-alike shows as such
  } catch {
    return url
      .replace(/^[a-z]+:\/\//i, "")
      .split(/[/?#]/)[0]
      .toLowerCase();
  }
};

/**
 * The website a pasted seal or product address is on (the host of `…/s/<serial>` or `…/01/<GTIN>`, as pastedSerial
 * reads it) when that is not the portal's own (`portalUrl`, the PUBLIC_URL every genuine QR code and barcode link
 * names); null for a typed serial, a path, or an address on the portal. A counterfeit label's QR code can open a
 * look-alike page for a genuine serial: the issuer's answer about that serial says nothing about that page.
 */
export function pastedAddressElsewhere(input: string, portalUrl: string): string | null {
  const s = cleanPaste(input);
  if (!/^https?:\/\//i.test(s) || fromAddress(s) === null) return null;
  const host = hostOf(s);
  return host && host !== hostOf(portalUrl) ? host : null;
}
