/**
 * C2SP tlog-proof@v1 (https://c2sp.org/tlog-proof): the text form of an offline-verifiable
 * inclusion proof, as a seal PDF carries it (attached as `seal.tlog-proof`):
 *
 *     c2sp.org/tlog-proof@v1
 *     extra <base64 of the log entry>
 *     index <leaf index>
 *     <base64 hash>            (the audit path, the leaf's sibling first; zero or more lines)
 *     ...
 *                              (an empty line)
 *     <the signed checkpoint note, verbatim, with any witness cosignature lines>
 *
 * How this log uses `extra`: a leaf of our log hashes its entry, the canonical JSON of the seal
 * event (`{"at":…,"credentialSha256":…,"event":"issued","index":N,…}`), not a hash of it. A
 * verifier needs those exact bytes to recompute the leaf hash (SHA-256(0x00 || entry)) and to see
 * that the entry is the issue of the attached credential (its serial and the credential's
 * SHA-256). The spec's `extra` is "additional data necessary to reconstruct the record hash", so
 * it carries the entry bytes. As the spec says, extra is not authenticated by itself: it is
 * trusted only once its leaf hash, through the audit path, reaches the root of a checkpoint
 * signed by the issuer.
 *
 * Pure: formatting and strict parsing only (no signature checks: see tlog.ts). The parser never
 * throws; anything that is not exactly the format is refused with a message.
 * PDFs issued before this format carry `seal.tlog-proof.json` instead (tlog.ts `TlogProof`).
 */
import { parseCheckpointBody, parseSignatureLines } from "./merkle";

export const TLOG_PROOF_HEADER = "c2sp.org/tlog-proof@v1";
/** The PDF attachment of new seals (the spec's file extension is `.tlog-proof`). */
export const TLOG_PROOF_ATTACHMENT = "seal.tlog-proof";
/** The attachment of seals issued before: our own JSON (tlog.ts `TlogProof`). */
export const LEGACY_TLOG_PROOF_ATTACHMENT = "seal.tlog-proof.json";
/** Far above any real proof (a few hundred bytes of path, a checkpoint with a few cosignatures). */
export const MAX_TLOG_PROOF_BYTES = 64 * 1024;
/** Tree sizes are safe integers (< 2^53), so an audit path has at most 53 hashes; 64 is the cap. */
export const MAX_PROOF_HASHES = 64;

export interface TlogProofText {
  /** Opaque extra data (for this log: the log entry bytes); omitted when absent. */
  extra?: Uint8Array | null;
  index: number;
  /** The audit path, leaf's sibling first, 32-byte hashes. */
  proof: readonly Uint8Array[];
  /** The signed checkpoint note, verbatim (body, blank line, signature lines; ends with a newline). */
  checkpoint: string;
}

export interface ParsedTlogProof {
  extra: Buffer | null;
  index: number;
  proof: Buffer[];
  checkpoint: string;
  /** From the checkpoint's body (not yet verified: its signatures are checked by the verifier). */
  origin: string;
  treeSize: number;
  rootHash: Buffer;
}

export type TlogProofParse = { ok: true; value: ParsedTlogProof } | { ok: false; message: string };

const DECIMAL = /^(0|[1-9][0-9]*)$/;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
const CONTROL_EXCEPT_NEWLINE = /[\u0000-\u0009\u000b-\u001f\u007f]/;

/** Strict standard base64 (RFC 4648 section 4, padded, canonical); null otherwise. */
function base64Strict(s: string): Buffer | null {
  if (s.length === 0 || s.length % 4 !== 0 || !BASE64.test(s)) return null;
  const out = Buffer.from(s, "base64");
  return out.toString("base64") === s ? out : null;
}

/**
 * The proof's text. Throws (TypeError/RangeError) on arguments a log never produces: a negative
 * or fractional index, a hash that is not 32 bytes, empty extra data, a checkpoint that does not
 * end with a newline.
 */
export function formatTlogProof(p: TlogProofText): string {
  if (!Number.isSafeInteger(p.index) || p.index < 0) throw new RangeError(`invalid leaf index ${p.index}`);
  if (p.proof.length > MAX_PROOF_HASHES) throw new RangeError("too many proof hashes");
  for (const h of p.proof) if (h.length !== 32) throw new TypeError("a proof hash must be 32 bytes");
  if (typeof p.checkpoint !== "string" || !p.checkpoint.endsWith("\n") || p.checkpoint.startsWith("\n"))
    throw new TypeError("the checkpoint must be a signed note ending with a newline");
  if (p.extra && p.extra.length === 0) throw new TypeError("extra data must not be empty (omit it instead)");
  return (
    `${TLOG_PROOF_HEADER}\n` +
    (p.extra ? `extra ${Buffer.from(p.extra).toString("base64")}\n` : "") +
    `index ${p.index}\n` +
    p.proof.map((h) => `${Buffer.from(h).toString("base64")}\n`).join("") +
    "\n" +
    p.checkpoint
  );
}

/**
 * Strictly parses a tlog-proof@v1 (text, or bytes that must be UTF-8). Refuses: a first line other
 * than the header; a CR or other control character; an `extra` line that is not canonical
 * padded base64 of at least one byte; a missing `index` line, or an index with a sign, leading
 * zeroes or beyond 2^53; a proof line that is not the base64 of exactly 32 bytes, or more than
 * {@link MAX_PROOF_HASHES}; no empty line before the checkpoint; a checkpoint that is not a
 * signed note with a tlog-checkpoint body (origin, size, root hash; extension lines are refused
 * as tlog.ts's checkpoint verifier does); an index not below the checkpoint's size; more than
 * {@link MAX_TLOG_PROOF_BYTES}. Never throws.
 */
export function parseTlogProof(input: string | Uint8Array): TlogProofParse {
  const bad = (message: string): TlogProofParse => ({ ok: false, message: `The log proof ${message}.` });
  try {
    let text: string;
    if (typeof input === "string") text = input;
    else if (input instanceof Uint8Array) {
      if (input.length > MAX_TLOG_PROOF_BYTES) return bad("is too large");
      try {
        text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(input);
      } catch {
        return bad("is not UTF-8 text");
      }
    } else return bad("is not text");
    if (text.length > MAX_TLOG_PROOF_BYTES) return bad("is too large");
    if (CONTROL_EXCEPT_NEWLINE.test(text)) return bad("contains control characters (lines end with LF only)");
    const lines = text.split("\n");
    let i = 0;
    if (lines[i++] !== TLOG_PROOF_HEADER) return bad(`does not start with the line ${TLOG_PROOF_HEADER}`);
    let extra: Buffer | null = null;
    if (lines[i]?.startsWith("extra ")) {
      extra = base64Strict(lines[i].slice("extra ".length));
      if (!extra) return bad("has an extra line that is not base64");
      i++;
    }
    const indexLine = lines[i++];
    if (indexLine === undefined || !indexLine.startsWith("index ")) return bad("has no index line");
    const digits = indexLine.slice("index ".length);
    const index = Number(digits);
    if (!DECIMAL.test(digits) || !Number.isSafeInteger(index)) return bad("has an index that is not a decimal number");
    const proof: Buffer[] = [];
    for (; i < lines.length && lines[i] !== ""; i++) {
      const h = base64Strict(lines[i]);
      if (!h || h.length !== 32) return bad("has a proof line that is not a base64 SHA-256 hash");
      if (proof.length === MAX_PROOF_HASHES) return bad("has too many proof lines");
      proof.push(h);
    }
    if (i >= lines.length) return bad("has no empty line before its checkpoint");
    const checkpoint = lines.slice(i + 1).join("\n");
    const note = parseSignatureLines(checkpoint);
    const body = note && parseCheckpointBody(note.body);
    if (!note || !body) return bad("does not end with a signed checkpoint");
    if (index >= body.treeSize) return bad(`names leaf ${index}, which is not in a tree of ${body.treeSize}`);
    return { ok: true, value: { extra, index, proof, checkpoint, ...body } };
  } catch {
    return bad("cannot be read");
  }
}

/**
 * The log proof a seal PDF carries, from its attachments: the tlog-proof@v1 bytes when it has
 * `seal.tlog-proof` (new seals), else the parsed JSON of `seal.tlog-proof.json` (seals issued
 * before; false when it is not JSON, which the check refuses as "not a JSON object"), else null
 * (no proof).
 */
export function logProofOfAttachments(attachments: ReadonlyMap<string, Uint8Array>): unknown {
  const v1 = attachments.get(TLOG_PROOF_ATTACHMENT);
  if (v1) return v1;
  const legacy = attachments.get(LEGACY_TLOG_PROOF_ATTACHMENT);
  if (!legacy) return null;
  try {
    return JSON.parse(Buffer.from(legacy).toString("utf8"));
  } catch {
    return false;
  }
}
