/**
 * The transparency log as a verifier sees it: the log's checkpoint origin, checking a signed
 * checkpoint note against the issuer's published keys, and the inclusion proof a seal PDF
 * carries: `seal.tlog-proof` (C2SP tlog-proof@v1, tlog-proof.ts) in new seals,
 * `seal.tlog-proof.json` (TlogProof below) in seals issued before. Pure apart from the signature
 * maths (node:crypto).
 */
import crypto from "node:crypto";
import type { JWK } from "jose";
import { leafHash, noteKeyId, parseCheckpointBody, parseSignatureLines, verifyInclusion } from "./merkle";
import { formatTlogProof, parseTlogProof } from "./tlog-proof";

export const TLOG_PROOF_FORMAT = "iot-seal/tlog-proof/v1";

/** The checkpoint origin (and signed-note key name) for a portal: its host and path plus "/log". */
export function logOrigin(baseUrl: string): string {
  const u = new URL(baseUrl);
  return `${u.host}${u.pathname.replace(/\/+$/, "")}/log`;
}

/** The log's note verifier key ("<name>+<hex key id>+<base64(0x01 || key)>"), as Go's sumdb/note writes it. */
export function noteVerifierKey(origin: string, publicKeyRaw: Uint8Array): string {
  return `${origin}+${noteKeyId(origin, publicKeyRaw).toString("hex")}+${Buffer.concat([Buffer.from([1]), publicKeyRaw]).toString("base64")}`;
}

export interface VerifiedCheckpoint {
  origin: string;
  treeSize: number;
  rootHash: Buffer;
  kid: string;
}

/**
 * Checks a signed checkpoint note: its body parses, its origin is the expected one, and one of
 * its signature lines (named for the origin) verifies under one of the Ed25519 keys of the
 * issuer's JWKS. Null otherwise.
 */
export function verifyCheckpoint(note: string, origin: string, jwks: readonly JWK[]): VerifiedCheckpoint | null {
  const parsed = parseSignatureLines(note);
  if (!parsed) return null;
  const body = parseCheckpointBody(parsed.body);
  if (!body || body.origin !== origin) return null;
  for (const jwk of jwks) {
    if (jwk.kty !== "OKP" || jwk.crv !== "Ed25519" || typeof jwk.x !== "string") continue;
    const raw = Buffer.from(jwk.x, "base64url");
    if (raw.length !== 32) continue;
    const keyId = noteKeyId(origin, raw);
    for (const sig of parsed.signatures) {
      if (sig.name !== origin || !sig.keyId.equals(keyId) || sig.signature.length !== 64) continue;
      const key = crypto.createPublicKey({ key: { kty: "OKP", crv: "Ed25519", x: jwk.x }, format: "jwk" });
      if (crypto.verify(null, Buffer.from(parsed.body), key, sig.signature)) {
        return { ...body, kid: typeof jwk.kid === "string" ? jwk.kid : "" };
      }
    }
  }
  return null;
}

/**
 * What seal PDFs issued before tlog-proof@v1 carry as `seal.tlog-proof.json` (and what the log
 * service still returns internally): the issue leaf, its audit path, a signed checkpoint.
 */
export interface TlogProof {
  format: typeof TLOG_PROOF_FORMAT;
  origin: string;
  leafIndex: number;
  treeSize: number;
  /** The log entry exactly as hashed (canonical JSON). */
  leaf: string;
  /** The audit path, leaf's sibling first, base64. */
  inclusionProof: string[];
  /** The signed checkpoint (C2SP tlog-checkpoint note) for treeSize. */
  checkpoint: string;
}

export type TlogProofCheck = { ok: true; leafIndex: number; treeSize: number } | { ok: false; message: string };

const sha256Hex = (s: string) => crypto.createHash("sha256").update(s).digest("hex");

/**
 * Checks a seal's log proof: it is the issue entry of exactly this credential (serial and
 * SHA-256 of the JWS), its audit path leads to the root of a checkpoint signed by the issuer,
 * at the expected origin. `proof` is the tlog-proof@v1 text (a string or its bytes) or the
 * parsed legacy JSON object; anything else is refused, never thrown on.
 */
export function checkTlogProof(
  proof: unknown,
  expect: { jws: string; serial: string; origin: string; jwks: readonly JWK[] },
): TlogProofCheck {
  const bad = (message: string): TlogProofCheck => ({ ok: false, message });
  // The C2SP tlog-proof@v1 text (new seals' `seal.tlog-proof`), as text or bytes.
  if (typeof proof === "string" || proof instanceof Uint8Array) {
    const v1 = parseTlogProof(proof);
    if (!v1.ok) return bad(v1.message);
    if (!v1.value.extra) return bad("The log proof carries no log entry (its extra line).");
    let leaf: string;
    try {
      leaf = new TextDecoder("utf-8", { fatal: true }).decode(v1.value.extra);
    } catch {
      return bad("The log proof's entry is not JSON.");
    }
    return checkProofParts(
      {
        leafBytes: v1.value.extra,
        leaf,
        leafIndex: v1.value.index,
        treeSize: v1.value.treeSize,
        path: v1.value.proof,
        checkpoint: v1.value.checkpoint,
      },
      expect,
    );
  }
  // Our own JSON (`seal.tlog-proof.json`), in PDFs issued before.
  if (!proof || typeof proof !== "object") return bad("The log proof is not a JSON object.");
  const p = proof as Partial<TlogProof>;
  if (p.format !== TLOG_PROOF_FORMAT) return bad("The log proof is not in a format this verifier knows.");
  if (
    typeof p.leaf !== "string" ||
    !Number.isSafeInteger(p.leafIndex) ||
    !Number.isSafeInteger(p.treeSize) ||
    !Array.isArray(p.inclusionProof) ||
    typeof p.checkpoint !== "string"
  ) {
    return bad("The log proof is incomplete.");
  }
  return checkProofParts(
    {
      leafBytes: Buffer.from(p.leaf),
      leaf: p.leaf,
      leafIndex: p.leafIndex!,
      treeSize: p.treeSize!,
      path: p.inclusionProof.map((h) => (typeof h === "string" ? Buffer.from(h, "base64") : Buffer.alloc(0))),
      checkpoint: p.checkpoint,
    },
    expect,
  );
}

function checkProofParts(
  p: { leafBytes: Uint8Array; leaf: string; leafIndex: number; treeSize: number; path: Buffer[]; checkpoint: string },
  expect: { jws: string; serial: string; origin: string; jwks: readonly JWK[] },
): TlogProofCheck {
  const bad = (message: string): TlogProofCheck => ({ ok: false, message });
  let entry: { event?: unknown; serial?: unknown; credentialSha256?: unknown; index?: unknown };
  try {
    entry = JSON.parse(p.leaf);
  } catch {
    return bad("The log proof's entry is not JSON.");
  }
  if (!entry || typeof entry !== "object") return bad("The log proof's entry is not a JSON object.");
  if (entry.event !== "issued" || entry.index !== p.leafIndex)
    return bad("The log proof is not the issue entry of a seal.");
  if (entry.serial !== expect.serial || entry.credentialSha256 !== sha256Hex(expect.jws.trim())) {
    return bad("The log proof belongs to a different credential than the one attached.");
  }
  const checkpoint = verifyCheckpoint(p.checkpoint, expect.origin, expect.jwks);
  if (!checkpoint) return bad("The log checkpoint in the proof is not signed by the issuer.");
  if (checkpoint.treeSize !== p.treeSize) return bad("The log proof and its checkpoint disagree on the tree size.");
  if (!verifyInclusion(leafHash(p.leafBytes), p.leafIndex, p.treeSize, p.path, checkpoint.rootHash)) {
    return bad("The log proof does not lead to the signed checkpoint's root.");
  }
  return { ok: true, leafIndex: p.leafIndex, treeSize: p.treeSize };
}

/**
 * A proof as the log service returns it, in the C2SP tlog-proof@v1 text a seal PDF carries: the
 * entry bytes as `extra` (what the leaf hashes), the index, the audit path, the checkpoint note
 * (with whatever cosignature lines it has).
 */
export function tlogProofText(p: TlogProof): string {
  return formatTlogProof({
    extra: Buffer.from(p.leaf, "utf8"),
    index: p.leafIndex,
    proof: p.inclusionProof.map((h) => Buffer.from(h, "base64")),
    checkpoint: p.checkpoint,
  });
}
