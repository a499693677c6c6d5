/**
 * GS1 Digital Link URI syntax (GS1 Digital Link standard: URI syntax 1.x), the part the portal
 * resolves: a GTIN (AI 01) with its optional key qualifiers, and the resolver's `linkType`
 * request. Pure: the resolver (public/gs1-resolver.server.ts) decides what the parse means.
 *
 *   /01/<GTIN>[/22/<CPV>][/10/<lot>][/21/<serial>][/]
 *
 * - The GTIN may be a GTIN-8, -12, -13 or -14 and must have its right check digit; it is
 *   normalised to 14 digits (the canonical form of a Digital Link URI).
 * - The key qualifiers are optional, but when present they come in this order (the order the
 *   standard fixes for AI 01: consumer product variant, batch/lot, serial), each once. Their
 *   values are percent-decoded, then checked against the AI's format: up to 20 characters of the
 *   GS1 AI encodable character set 82.
 * - One trailing slash is tolerated (the resolver standard asks resolvers to); anything else after
 *   the last qualifier is a syntax error.
 */
import { parseGtin } from "./gtin";

/** The key qualifiers of AI 01 in the order a Digital Link URI must give them. */
export const GTIN_KEY_QUALIFIERS = [
  { ai: "22", key: "cpv", label: "consumer product variant (AI 22)" },
  { ai: "10", key: "lot", label: "batch or lot number (AI 10)" },
  { ai: "21", key: "serial", label: "serial number (AI 21)" },
] as const;
export type KeyQualifier = (typeof GTIN_KEY_QUALIFIERS)[number]["key"];

/** Each key qualifier's maximum length (GS1 General Specifications, the AI table: X..20 for all three). */
export const KEY_QUALIFIER_MAX_LENGTH = 20;

/** GS1 AI encodable character set 82 (GS1 General Specifications, figure 7.11-1). */
const CSET_82 = /^[!"%&'()*+,\-./0-9:;<=>?A-Z_a-z]*$/;
export const CSET_82_WORDS = "letters, digits and ! \" % & ' ( ) * + , - . / : ; < = > ? _";

export interface DigitalLink {
  gtin14: string;
  qualifiers: Partial<Record<KeyQualifier, string>>;
}

export type DigitalLinkParse = { ok: true; value: DigitalLink } | { ok: false; message: string };

const HOW =
  "A GS1 Digital Link URI for a product is /01/<GTIN>, optionally followed by /22/<variant>, /10/<lot> and /21/<serial> in that order.";

function decode(segment: string): string | null {
  try {
    return decodeURIComponent(segment);
  } catch {
    return null;
  }
}

/** The value of one key qualifier, or why it is not valid for its AI. */
export function keyQualifierProblem(label: string, value: string): string | null {
  if (value.length === 0) return `The ${label} is empty.`;
  if (value.length > KEY_QUALIFIER_MAX_LENGTH)
    return `The ${label} has ${value.length} characters; at most ${KEY_QUALIFIER_MAX_LENGTH} are allowed.`;
  if (!CSET_82.test(value)) return `The ${label} may contain only the GS1 character set 82 (${CSET_82_WORDS}).`;
  return null;
}

/**
 * Parses the path of a Digital Link URI (still percent-encoded, as it arrives; without the query).
 * `path` must start with "/01/" or be "/01"; anything else is not a GTIN Digital Link.
 */
export function parseDigitalLinkPath(path: string): DigitalLinkParse {
  if (path.length > 400) return { ok: false, message: `The address is too long. ${HOW}` };
  let segments = path.split("/").slice(1); // "" before the leading slash
  if (segments.length > 2 && segments[segments.length - 1] === "") segments = segments.slice(0, -1); // one trailing slash
  if (segments[0] !== "01") return { ok: false, message: HOW };
  const rawGtin = segments[1];
  if (rawGtin === undefined || rawGtin === "") return { ok: false, message: `The GTIN is missing. ${HOW}` };
  const gtinText = decode(rawGtin);
  if (gtinText === null) return { ok: false, message: "The GTIN is not a valid URL path segment." };
  const gtin = parseGtin(gtinText);
  if (!gtin.ok) return { ok: false, message: `${shown(gtinText)} is not a valid GTIN: ${gtin.message}` };

  const qualifiers: DigitalLink["qualifiers"] = {};
  let next = 0; // the first qualifier (in the standard's order) still allowed
  for (let i = 2; i < segments.length; i += 2) {
    const ai = segments[i];
    const at = GTIN_KEY_QUALIFIERS.findIndex((q) => q.ai === ai);
    if (at < 0)
      return {
        ok: false,
        message: `${shown(`/${decode(ai) ?? ai}`)} is not a key qualifier of a GTIN. ${HOW}`,
      };
    const q = GTIN_KEY_QUALIFIERS[at];
    if (at < next) return { ok: false, message: `The ${q.label} is out of order or repeated. ${HOW}` };
    next = at + 1;
    const raw = segments[i + 1];
    if (raw === undefined || raw === "") return { ok: false, message: `The ${q.label} after /${q.ai}/ is missing.` };
    const value = decode(raw);
    if (value === null) return { ok: false, message: `The ${q.label} is not a valid URL path segment.` };
    const problem = keyQualifierProblem(q.label, value);
    if (problem) return { ok: false, message: problem };
    qualifiers[q.key] = value;
  }
  return { ok: true, value: { gtin14: gtin.gtin14, qualifiers } };
}

/** A value quoted for a message, cut short and with control characters shown as "?". */
function shown(value: string): string {
  const clean = value.replace(/[\u0000-\u001f\u007f]/g, "?");
  return `"${clean.length > 40 ? `${clean.slice(0, 40)}…` : clean}"`;
}

/**
 * The canonical Digital Link URI of a GTIN on a resolver (`root`: the resolver's origin, no
 * trailing slash), with the key qualifiers given, percent-encoded as the URI syntax asks.
 */
export function digitalLinkUri(root: string, gtin14: string, qualifiers: DigitalLink["qualifiers"] = {}): string {
  let uri = `${root}/01/${gtin14}`;
  for (const q of GTIN_KEY_QUALIFIERS) {
    const v = qualifiers[q.key];
    if (v !== undefined)
      uri += `/${q.ai}/${encodeURIComponent(v).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)}`;
  }
  return uri;
}

// --- linkType --------------------------------------------------------------------------------

/** The namespaces a GS1 link type may be written in (the resolver standard accepts each). */
const GS1_VOC = /^(?:gs1:|https?:\/\/(?:www\.|ref\.)?gs1\.org\/voc\/)([A-Za-z][A-Za-z0-9]{0,80})$/;

export type LinkTypeRequest =
  /** No linkType: the default link. */
  | { kind: "default" }
  /** linkType=linkset (or the deprecated linkType=all): every link, as a linkset. */
  | { kind: "linkset" }
  /** A GS1 Web Vocabulary link type, by its term (e.g. "certificationInfo"). */
  | { kind: "gs1"; term: string }
  /** Anything else, as given. */
  | { kind: "other"; value: string };

/** Reads the `linkType` query value. */
export function parseLinkType(value: string | null | undefined): LinkTypeRequest {
  const v = (value ?? "").trim();
  if (v === "") return { kind: "default" };
  if (v === "linkset" || v === "all") return { kind: "linkset" };
  const gs1 = GS1_VOC.exec(v);
  if (gs1) return { kind: "gs1", term: gs1[1] };
  return { kind: "other", value: v };
}
