/**
 * Witness cosignatures of our checkpoints: C2SP tlog-cosignature (cosignature/v1, Ed25519) and
 * the request and answers of C2SP tlog-witness's add-checkpoint
 * (https://c2sp.org/tlog-cosignature, https://c2sp.org/tlog-witness).
 *
 * - A witness is known by its note verifier key `<name>+<hex key id>+<base64(0x04 || Ed25519 key)>`
 *   (signed-note vkey with the cosignature/v1 type byte 0x04), whose key ID is
 *   SHA-256(<name> || "\n" || 0x04 || key)[:4].
 * - Its cosignature is a signed-note signature line `— <name> base64(key ID || timestamp || signature)`:
 *   an 8-byte big-endian POSIX timestamp and an Ed25519 signature over
 *   "cosignature/v1\ntime <timestamp>\n" followed by the checkpoint body.
 *
 * Pure apart from the signature maths (node:crypto). Parsers and verifiers never throw.
 */
import crypto from "node:crypto";
import { isValidNoteName, parseSignatureLines, SIGNATURE_LINE_PREFIX } from "./merkle";

/** The signed-note signature type of an Ed25519 cosignature/v1 key. */
export const COSIGNATURE_V1_TYPE = 0x04;
/** The signed-note signature type of an Ed25519 note key (the log's own). */
export const NOTE_ED25519_TYPE = 0x01;
/** The spec allows a verifier to reject timestamps in the future; we allow this much clock skew. */
export const MAX_COSIGNATURE_SKEW_MS = 10 * 60 * 1000;
/** tlog-witness: a client MUST NOT send more than 63 consistency proof lines. */
export const MAX_CONSISTENCY_LINES = 63;

const HEX8 = /^[0-9a-f]{8}$/;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
const DECIMAL = /^(0|[1-9][0-9]*)$/;

function base64Strict(s: string): Buffer | null {
  if (s.length === 0 || s.length % 4 !== 0 || !BASE64.test(s)) return null;
  const out = Buffer.from(s, "base64");
  return out.toString("base64") === s ? out : null;
}

/** SHA-256(name || "\n" || type || key)[:4]: the signed-note key ID for a key of `type`. */
export function keyIdFor(name: string, type: number, publicKey: Uint8Array): Buffer {
  return crypto
    .createHash("sha256")
    .update(Buffer.concat([Buffer.from(name, "utf8"), Buffer.from([0x0a, type]), publicKey]))
    .digest()
    .subarray(0, 4);
}

export interface VerifierKey {
  name: string;
  keyId: Buffer;
  type: number;
  /** The 32-byte Ed25519 public key. */
  publicKey: Buffer;
}

/**
 * Parses a signed-note verifier key `<name>+<8 hex digits>+<base64(type || key)>` with an Ed25519
 * key (type 0x01 for a note signer such as the log, 0x04 for a cosignature/v1 witness), checking
 * that the key ID is the one the name and key give. Null otherwise (never throws).
 */
export function parseVerifierKey(vkey: unknown): VerifierKey | null {
  if (typeof vkey !== "string" || vkey.length > 1000) return null;
  // The name has no "+", the key ID is hex; the base64 key may contain "+".
  const first = vkey.indexOf("+");
  const second = vkey.indexOf("+", first + 1);
  if (first < 0 || second < 0) return null;
  const [name, hex, b64] = [vkey.slice(0, first), vkey.slice(first + 1, second), vkey.slice(second + 1)];
  if (!isValidNoteName(name) || !HEX8.test(hex)) return null;
  const blob = base64Strict(b64);
  if (!blob || blob.length !== 33) return null;
  const type = blob[0];
  if (type !== COSIGNATURE_V1_TYPE && type !== NOTE_ED25519_TYPE) return null;
  const publicKey = Buffer.from(blob.subarray(1));
  const keyId = keyIdFor(name, type, publicKey);
  if (keyId.toString("hex") !== hex) return null;
  return { name, keyId, type, publicKey };
}

/** A witness's verifier key, as it publishes it (for tests and documentation). */
export function cosignerVerifierKey(name: string, publicKey: Uint8Array): string {
  const id = keyIdFor(name, COSIGNATURE_V1_TYPE, publicKey).toString("hex");
  return `${name}+${id}+${Buffer.concat([Buffer.from([COSIGNATURE_V1_TYPE]), publicKey]).toString("base64")}`;
}

/** The message a cosignature/v1 signs: header line, time line, the checkpoint body (with its final newline). */
export function cosignedMessage(checkpointBody: string, timestamp: number): Buffer {
  return Buffer.from(`cosignature/v1\ntime ${timestamp}\n${checkpointBody}`, "utf8");
}

/** A cosignature line `— <name> base64(key ID || u64 timestamp || signature)\n`. */
export function cosignatureLine(name: string, keyId: Uint8Array, timestamp: number, signature: Uint8Array): string {
  const ts = Buffer.alloc(8);
  ts.writeBigUInt64BE(BigInt(timestamp));
  return `${SIGNATURE_LINE_PREFIX}${name} ${Buffer.concat([keyId, ts, signature]).toString("base64")}\n`;
}

export interface VerifiedCosignature {
  /** The line exactly as received (ending with a newline). */
  line: string;
  /** The cosignature's POSIX timestamp, in seconds. */
  timestamp: number;
}

/**
 * The cosignatures by `witness` on the checkpoint `note` (the log's signed note) among `lines`
 * (one or more signature lines, as a witness answers add-checkpoint): lines from other keys are
 * ignored, as the spec requires; a line with the witness's name and key ID must verify. Returns
 * the verified lines, or a message when none does or the answer is not signature lines.
 */
export function verifyCosignatures(
  note: string,
  lines: string,
  witness: VerifierKey,
  nowMs: number,
): { ok: true; cosignatures: VerifiedCosignature[] } | { ok: false; message: string } {
  try {
    const combined = parseSignatureLines(note + lines);
    const own = parseSignatureLines(note);
    if (!combined || !own || !lines.endsWith("\n") || !lines.startsWith(SIGNATURE_LINE_PREFIX))
      return { ok: false, message: "The witness's answer is not signature lines." };
    const answered = lines.slice(0, -1).split("\n");
    const added = combined.signatures.slice(own.signatures.length);
    const found: VerifiedCosignature[] = [];
    let mine = 0;
    for (let i = 0; i < added.length; i++) {
      const sig = added[i];
      if (sig.name !== witness.name || !sig.keyId.equals(witness.keyId)) continue; // unknown keys: ignored
      mine++;
      if (witness.type !== COSIGNATURE_V1_TYPE || sig.signature.length !== 8 + 64) continue;
      const ts = sig.signature.readBigUInt64BE(0);
      if (ts > BigInt(Math.floor((nowMs + MAX_COSIGNATURE_SKEW_MS) / 1000))) continue; // in the future
      const timestamp = Number(ts);
      const key = crypto.createPublicKey({
        key: { kty: "OKP", crv: "Ed25519", x: witness.publicKey.toString("base64url") },
        format: "jwk",
      });
      if (crypto.verify(null, cosignedMessage(own.body, timestamp), key, sig.signature.subarray(8)))
        found.push({ line: `${answered[i]}\n`, timestamp });
    }
    if (found.length) return { ok: true, cosignatures: found };
    return {
      ok: false,
      message: mine
        ? `The cosignature from ${witness.name} does not verify under its configured key (or is dated in the future).`
        : `The witness's answer has no cosignature from ${witness.name} with the configured key ID.`,
    };
  } catch {
    return { ok: false, message: "The witness's answer cannot be read." };
  }
}

/** The add-checkpoint request body: `old <size>`, the consistency proof lines, an empty line, the checkpoint. */
export function addCheckpointBody(oldSize: number, proof: readonly Uint8Array[], note: string): string {
  if (!Number.isSafeInteger(oldSize) || oldSize < 0) throw new RangeError(`invalid old size ${oldSize}`);
  if (proof.length > MAX_CONSISTENCY_LINES) throw new RangeError("too many consistency proof lines");
  return `old ${oldSize}\n${proof.map((h) => `${Buffer.from(h).toString("base64")}\n`).join("")}\n${note}`;
}

/**
 * Parses an add-checkpoint request body (what a witness reads; used by the tests' witness):
 * the old size, the proof hashes, the checkpoint note. Null when malformed.
 */
export function parseAddCheckpointBody(body: string): { oldSize: number; proof: Buffer[]; note: string } | null {
  try {
    const lines = body.split("\n");
    const first = lines[0];
    if (!first?.startsWith("old ")) return null;
    const digits = first.slice(4);
    const oldSize = Number(digits);
    if (!DECIMAL.test(digits) || !Number.isSafeInteger(oldSize)) return null;
    const proof: Buffer[] = [];
    let i = 1;
    for (; i < lines.length && lines[i] !== ""; i++) {
      const h = base64Strict(lines[i]);
      if (!h || h.length !== 32 || proof.length === MAX_CONSISTENCY_LINES) return null;
      proof.push(h);
    }
    const note = lines.slice(i + 1).join("\n");
    if (i >= lines.length || !note) return null;
    return { oldSize, proof, note };
  } catch {
    return null;
  }
}

/** A 409 answer's body: the witness's latest cosigned size, a decimal and a newline. Null otherwise. */
export function parseWitnessSize(body: string): number | null {
  const m = /^(0|[1-9][0-9]*)\n$/.exec(body);
  if (!m) return null;
  const n = Number(m[1]);
  return Number.isSafeInteger(n) ? n : null;
}

/** The checkpoint note with witness cosignature lines after the log's own signature line(s). */
export function withCosignatures(note: string, lines: readonly string[]): string {
  return note + lines.filter((l) => l.startsWith(SIGNATURE_LINE_PREFIX) && l.endsWith("\n")).join("");
}
