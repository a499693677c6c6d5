/**
 * Transparency-log primitives: an append-only Merkle tree hashed exactly as in
 * RFC 6962 / RFC 9162 section 2.1, inclusion and consistency proofs, and the
 * text formats of C2SP tlog-checkpoint (https://c2sp.org/tlog-checkpoint) and
 * C2SP signed-note signature lines (https://c2sp.org/signed-note).
 *
 * Pure module: no I/O, no signing (signatures are produced and checked
 * elsewhere; this module only formats and parses them).
 *
 * Conventions:
 * - Tree sizes and indexes are JavaScript numbers; they must be non-negative
 *   safe integers. All tree arithmetic uses division rather than 32-bit bitwise
 *   operators, so sizes beyond 2^31 work.
 * - Proof generators throw `RangeError`/`TypeError` on invalid arguments
 *   (they are called with trusted, local data); verifiers never throw and
 *   return `false` on any malformed input.
 */
import * as nodeCrypto from "node:crypto";

/** Size in bytes of a SHA-256 digest, i.e. of every leaf, node and root hash. */
export const HASH_SIZE = 32;

// `crypto.hash` (one-shot, noticeably faster for tiny inputs) exists from Node
// 20.12 / 21.7; fall back to createHash on older runtimes (engines allows 20.11).
const oneShotHash: ((algorithm: string, data: Uint8Array, outputEncoding: "buffer") => Buffer) | undefined =
  typeof (nodeCrypto as { hash?: unknown }).hash === "function"
    ? (nodeCrypto as unknown as { hash: (a: string, d: Uint8Array, e: "buffer") => Buffer }).hash
    : undefined;

function sha256(data: Uint8Array): Buffer {
  if (oneShotHash) return oneShotHash("sha256", data, "buffer");
  return nodeCrypto.createHash("sha256").update(data).digest();
}

/** Root of the empty tree: SHA-256 of the empty string (RFC 6962 section 2.1). */
export const EMPTY_ROOT: Buffer = sha256(new Uint8Array(0));

// Scratch buffer for node hashes: 0x01 || left || right. Safe to share because
// hashing is synchronous and the buffer never escapes.
const nodeScratch = Buffer.alloc(1 + 2 * HASH_SIZE);
nodeScratch[0] = 0x01;

/** RFC 6962 leaf hash: SHA-256(0x00 || data). */
export function leafHash(data: Uint8Array): Buffer {
  const buf = Buffer.allocUnsafe(1 + data.length); // every byte is written below
  buf[0] = 0x00;
  buf.set(data, 1);
  return sha256(buf);
}

/** RFC 6962 interior node hash: SHA-256(0x01 || left || right). */
export function nodeHash(left: Uint8Array, right: Uint8Array): Buffer {
  if (left.length === HASH_SIZE && right.length === HASH_SIZE) {
    nodeScratch.set(left, 1);
    nodeScratch.set(right, 1 + HASH_SIZE);
    return sha256(nodeScratch);
  }
  const buf = Buffer.alloc(1 + left.length + right.length);
  buf[0] = 0x01;
  buf.set(left, 1);
  buf.set(right, 1 + left.length);
  return sha256(buf);
}

function isSafeCount(n: unknown): n is number {
  return typeof n === "number" && Number.isSafeInteger(n) && n >= 0;
}

function isHash(h: unknown): h is Uint8Array {
  return h instanceof Uint8Array && h.length === HASH_SIZE;
}

function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i] ^ b[i];
  return diff === 0;
}

/** Largest power of two strictly smaller than n (n >= 2): the RFC 6962 split point k. */
function splitPoint(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

function assertLeafHashes(leafHashes: readonly Uint8Array[]): void {
  if (!Array.isArray(leafHashes)) throw new TypeError("leafHashes must be an array");
  for (let i = 0; i < leafHashes.length; i++) {
    if (!isHash(leafHashes[i])) throw new TypeError(`leafHashes[${i}] is not a ${HASH_SIZE}-byte hash`);
  }
}

/**
 * MTH over the already-hashed leaves leafHashes[lo..hi), hi > lo. Iterative,
 * level by level: pairing adjacent nodes and promoting an unpaired last node
 * unchanged yields exactly the RFC 6962 tree (left subtrees are always the
 * largest power of two). O(hi - lo) hashes.
 */
function subtreeRoot(leafHashes: readonly Uint8Array[], lo: number, hi: number): Buffer {
  let level: Uint8Array[] = leafHashes.slice(lo, hi);
  while (level.length > 1) {
    const next: Uint8Array[] = new Array(Math.ceil(level.length / 2));
    let j = 0;
    for (let i = 0; i + 1 < level.length; i += 2) next[j++] = nodeHash(level[i], level[i + 1]);
    if (level.length % 2 === 1) next[j] = level[level.length - 1];
    level = next;
  }
  return Buffer.from(level[0]);
}

/**
 * Merkle Tree Hash (RFC 6962 section 2.1) of a list of leaf hashes (each
 * already `leafHash(entry)`). The empty list yields {@link EMPTY_ROOT}.
 * O(n) hashing; 100,000 leaves take well under a second.
 */
export function rootFromLeafHashes(leafHashes: readonly Uint8Array[]): Buffer {
  assertLeafHashes(leafHashes);
  if (leafHashes.length === 0) return Buffer.from(EMPTY_ROOT);
  return subtreeRoot(leafHashes, 0, leafHashes.length);
}

/**
 * Inclusion proof (audit path) for leaf `index` in the tree over `leafHashes`:
 * RFC 6962 section 2.1.1 PATH(m, D[n]), ordered from the leaf's sibling up to
 * the root's child. Empty for a one-leaf tree. Throws RangeError if
 * index >= leafHashes.length. O(n) hashing.
 */
export function inclusionProof(leafHashes: readonly Uint8Array[], index: number): Buffer[] {
  assertLeafHashes(leafHashes);
  const n = leafHashes.length;
  if (!isSafeCount(index) || index >= n) throw new RangeError(`leaf index ${index} out of range for tree size ${n}`);
  // Walk down from the root; each step records the sibling subtree, so the
  // collected list is root-first and gets reversed at the end.
  const topDown: Buffer[] = [];
  let lo = 0;
  let hi = n;
  let m = index;
  while (hi - lo > 1) {
    const k = splitPoint(hi - lo);
    if (m < k) {
      topDown.push(subtreeRoot(leafHashes, lo + k, hi));
      hi = lo + k;
    } else {
      topDown.push(subtreeRoot(leafHashes, lo, lo + k));
      lo += k;
      m -= k;
    }
  }
  return topDown.reverse();
}

/**
 * Verify an inclusion proof with the RFC 9162 section 2.1.3.2 algorithm.
 * Returns false (never throws) on any bad input: index >= treeSize, wrong
 * proof length, hashes that are not 32 bytes, non-integer sizes, or a root
 * mismatch.
 */
export function verifyInclusion(
  leafHash: Uint8Array,
  index: number,
  treeSize: number,
  proof: readonly Uint8Array[],
  root: Uint8Array,
): boolean {
  try {
    if (!isSafeCount(index) || !isSafeCount(treeSize) || index >= treeSize) return false;
    if (!isHash(leafHash) || !isHash(root) || !Array.isArray(proof)) return false;
    let fn = index;
    let sn = treeSize - 1;
    let r: Uint8Array = leafHash;
    for (const p of proof) {
      if (!isHash(p)) return false;
      if (sn === 0) return false;
      if (fn % 2 === 1 || fn === sn) {
        r = nodeHash(p, r);
        // If LSB(fn) is not set, shift both until LSB(fn) is set or fn is 0.
        while (fn % 2 === 0 && fn !== 0) {
          fn /= 2;
          sn = Math.floor(sn / 2);
        }
      } else {
        r = nodeHash(r, p);
      }
      fn = Math.floor(fn / 2);
      sn = Math.floor(sn / 2);
    }
    return sn === 0 && bytesEqual(r, root);
  } catch {
    return false;
  }
}

/**
 * Consistency proof between the tree of the first `oldSize` leaves and the tree
 * over all of `leafHashes`: RFC 6962 section 2.1.2 PROOF(m, D[n]) with
 * m = oldSize, n = leafHashes.length. Empty when m == n or m == 0. Throws
 * RangeError if oldSize > n. O(n) hashing.
 */
export function consistencyProof(leafHashes: readonly Uint8Array[], oldSize: number): Buffer[] {
  assertLeafHashes(leafHashes);
  const n = leafHashes.length;
  if (!isSafeCount(oldSize) || oldSize > n) throw new RangeError(`old size ${oldSize} out of range for tree size ${n}`);
  if (oldSize === 0 || oldSize === n) return [];
  // SUBPROOF(m, D[lo:hi], b), unrolled; nodes are collected root-first.
  const topDown: Buffer[] = [];
  let lo = 0;
  let hi = n;
  let m = oldSize;
  let complete = true; // b: whether D[lo:lo+m] is a subtree already known to the verifier as the old root
  while (m !== hi - lo) {
    const k = splitPoint(hi - lo);
    if (m <= k) {
      topDown.push(subtreeRoot(leafHashes, lo + k, hi));
      hi = lo + k;
    } else {
      topDown.push(subtreeRoot(leafHashes, lo, lo + k));
      lo += k;
      m -= k;
      complete = false;
    }
  }
  if (!complete) topDown.push(subtreeRoot(leafHashes, lo, hi));
  return topDown.reverse();
}

/**
 * Verify a consistency proof with the RFC 9162 section 2.1.4.2 algorithm.
 * Edge cases: oldSize == newSize requires an empty proof and equal roots;
 * oldSize == 0 requires an empty proof and oldRoot == {@link EMPTY_ROOT}
 * (the empty tree is a prefix of every tree). Returns false (never throws) on
 * any bad input: oldSize > newSize, wrong proof length, hashes that are not
 * 32 bytes, non-integer sizes.
 */
export function verifyConsistency(
  oldSize: number,
  newSize: number,
  oldRoot: Uint8Array,
  newRoot: Uint8Array,
  proof: readonly Uint8Array[],
): boolean {
  try {
    if (!isSafeCount(oldSize) || !isSafeCount(newSize) || oldSize > newSize) return false;
    if (!isHash(oldRoot) || !isHash(newRoot) || !Array.isArray(proof)) return false;
    if (!proof.every(isHash)) return false;
    if (oldSize === newSize) return proof.length === 0 && bytesEqual(oldRoot, newRoot);
    if (oldSize === 0) return proof.length === 0 && bytesEqual(oldRoot, EMPTY_ROOT);
    // 1. An empty proof can never prove 0 < m < n.
    if (proof.length === 0) return false;
    // 2. If m is an exact power of two, the old root is itself a node of the new tree.
    const path: Uint8Array[] = isPowerOfTwo(oldSize) ? [oldRoot, ...proof] : [...proof];
    // 3-4.
    let fn = oldSize - 1;
    let sn = newSize - 1;
    while (fn % 2 === 1) {
      fn = Math.floor(fn / 2);
      sn = Math.floor(sn / 2);
    }
    // 5.
    let fr: Uint8Array = path[0];
    let sr: Uint8Array = path[0];
    // 6.
    for (let i = 1; i < path.length; i++) {
      const c = path[i];
      if (sn === 0) return false;
      if (fn % 2 === 1 || fn === sn) {
        fr = nodeHash(c, fr);
        sr = nodeHash(c, sr);
        // If LSB(fn) is not set, shift both until LSB(fn) is set or fn is 0.
        while (fn % 2 === 0 && fn !== 0) {
          fn /= 2;
          sn = Math.floor(sn / 2);
        }
      } else {
        sr = nodeHash(sr, c);
      }
      fn = Math.floor(fn / 2);
      sn = Math.floor(sn / 2);
    }
    // 7.
    return sn === 0 && bytesEqual(fr, oldRoot) && bytesEqual(sr, newRoot);
  } catch {
    return false;
  }
}

function isPowerOfTwo(n: number): boolean {
  if (n < 1) return false;
  while (n % 2 === 0) n /= 2;
  return n === 1;
}

// ---------------------------------------------------------------------------
// C2SP tlog-checkpoint and signed-note text formats
// ---------------------------------------------------------------------------

/** The signature-line prefix of a signed note: U+2014 EM DASH followed by a space. */
export const SIGNATURE_LINE_PREFIX = "\u2014 ";

/** Signature type byte for Ed25519 in C2SP signed-note. */
export const NOTE_SIG_TYPE_ED25519 = 0x01;

/** Upper bound on signature lines accepted by {@link parseSignatureLines} (as Go's sumdb/note). */
export const MAX_NOTE_SIGNATURES = 100;

// ASCII control characters other than newline (forbidden anywhere in a signed note).
const CONTROL_EXCEPT_NEWLINE = /[\u0000-\u0009\u000b-\u001f]/;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
const UNICODE_SPACE = /\p{White_Space}/u;
const DECIMAL_SIZE = /^(0|[1-9][0-9]*)$/;
const BASE64_CHARS = /^[A-Za-z0-9+/]*={0,2}$/;

/**
 * Strict standard base64 (RFC 4648 section 4, padded, canonical) decoding:
 * null for anything Buffer.from would silently tolerate (whitespace, URL-safe
 * alphabet, missing padding, non-zero trailing bits).
 */
function decodeBase64Strict(s: string): Buffer | null {
  if (s.length === 0 || s.length % 4 !== 0 || !BASE64_CHARS.test(s)) return null;
  const out = Buffer.from(s, "base64");
  return out.toString("base64") === s ? out : null;
}

/** A valid signed-note key name: non-empty, well-formed, no Unicode spaces, no '+'. */
export function isValidNoteName(name: string): boolean {
  return (
    typeof name === "string" &&
    name.length > 0 &&
    !name.includes("+") &&
    !UNICODE_SPACE.test(name) &&
    !CONTROL_EXCEPT_NEWLINE.test(name) &&
    !LONE_SURROGATE.test(name)
  );
}

function isValidOrigin(origin: string): boolean {
  return (
    typeof origin === "string" &&
    origin.length > 0 &&
    !origin.includes("\n") &&
    !CONTROL_EXCEPT_NEWLINE.test(origin) &&
    !LONE_SURROGATE.test(origin)
  );
}

/**
 * The C2SP tlog-checkpoint note body: `${origin}\n${treeSize}\n${base64(rootHash)}\n`.
 * No extension lines. Throws TypeError/RangeError on an empty or multi-line
 * origin, a non-integer size or a root hash that is not 32 bytes.
 */
export function checkpointBody(origin: string, treeSize: number, rootHash: Uint8Array): string {
  if (!isValidOrigin(origin))
    throw new TypeError("checkpoint origin must be a non-empty single line without control characters");
  if (!isSafeCount(treeSize)) throw new RangeError(`invalid tree size ${treeSize}`);
  if (!isHash(rootHash)) throw new TypeError(`root hash must be ${HASH_SIZE} bytes`);
  return `${origin}\n${treeSize}\n${Buffer.from(rootHash).toString("base64")}\n`;
}

/**
 * Strictly parse a checkpoint body as produced by {@link checkpointBody}:
 * exactly three lines, each ending in "\n"; a non-empty origin; a decimal size
 * without leading zeros (except "0") that is a safe integer; a canonical padded
 * base64 32-byte root hash. Extension lines are rejected. Null otherwise.
 */
export function parseCheckpointBody(text: string): { origin: string; treeSize: number; rootHash: Buffer } | null {
  if (typeof text !== "string" || !text.endsWith("\n")) return null;
  const lines = text.slice(0, -1).split("\n");
  if (lines.length !== 3) return null;
  const [origin, size, hash] = lines;
  if (!isValidOrigin(origin)) return null;
  if (!DECIMAL_SIZE.test(size)) return null;
  const treeSize = Number(size);
  if (!Number.isSafeInteger(treeSize)) return null;
  const rootHash = decodeBase64Strict(hash);
  if (!rootHash || rootHash.length !== HASH_SIZE) return null;
  return { origin, treeSize, rootHash };
}

/**
 * C2SP signed-note key ID for an Ed25519 key:
 * SHA-256(name || 0x0A || 0x01 || 32-byte public key)[:4].
 * Throws on an invalid key name or a public key that is not 32 bytes.
 */
export function noteKeyId(name: string, publicKeyRaw32: Uint8Array): Buffer {
  if (!isValidNoteName(name)) throw new TypeError("invalid note key name");
  if (!(publicKeyRaw32 instanceof Uint8Array) || publicKeyRaw32.length !== 32) {
    throw new TypeError("Ed25519 public key must be 32 bytes");
  }
  const nameBytes = Buffer.from(name, "utf8");
  const buf = Buffer.concat([nameBytes, Buffer.from([0x0a, NOTE_SIG_TYPE_ED25519]), publicKeyRaw32]);
  return sha256(buf).subarray(0, 4);
}

/**
 * One signed-note signature line for an Ed25519 signature:
 * `— ${name} ${base64(keyId || signature)}\n` (U+2014 EM DASH, space).
 * Throws on an invalid name, a key ID that is not 4 bytes or a signature
 * that is not 64 bytes.
 */
export function signatureLine(name: string, keyId4: Uint8Array, signature64: Uint8Array): string {
  if (!isValidNoteName(name)) throw new TypeError("invalid note key name");
  if (!(keyId4 instanceof Uint8Array) || keyId4.length !== 4) throw new TypeError("key ID must be 4 bytes");
  if (!(signature64 instanceof Uint8Array) || signature64.length !== 64) {
    throw new TypeError("Ed25519 signature must be 64 bytes");
  }
  return `${SIGNATURE_LINE_PREFIX}${name} ${Buffer.concat([keyId4, signature64]).toString("base64")}\n`;
}

/** A signature line parsed by {@link parseSignatureLines}; not verified. */
export interface NoteSignature {
  name: string;
  keyId: Buffer;
  signature: Buffer;
}

/**
 * Split a full signed note (body, blank line, signature lines) into the signed
 * body (including its final "\n", excluding the blank line) and its signature
 * lines, following c2sp.org/signed-note: the body is separated from the
 * signatures by the LAST blank line; every following line must be
 * `— <name> <base64(keyId || signature)>\n` with a valid key name and at least
 * one signature byte. The note must be well-formed text without control
 * characters other than newline. Does not verify anything; signatures of any
 * algorithm (any length) are returned. Null if malformed, if there is no
 * signature line or more than {@link MAX_NOTE_SIGNATURES}.
 */
export function parseSignatureLines(noteText: string): { body: string; signatures: NoteSignature[] } | null {
  if (typeof noteText !== "string") return null;
  if (CONTROL_EXCEPT_NEWLINE.test(noteText) || LONE_SURROGATE.test(noteText)) return null;
  const split = noteText.lastIndexOf("\n\n");
  if (split < 0) return null;
  const body = noteText.slice(0, split + 1);
  const block = noteText.slice(split + 2);
  if (block.length === 0 || !block.endsWith("\n")) return null;
  const lines = block.slice(0, -1).split("\n");
  if (lines.length > MAX_NOTE_SIGNATURES) return null;
  const signatures: NoteSignature[] = [];
  for (const line of lines) {
    if (!line.startsWith(SIGNATURE_LINE_PREFIX)) return null;
    const rest = line.slice(SIGNATURE_LINE_PREFIX.length);
    const space = rest.indexOf(" ");
    if (space < 0) return null;
    const name = rest.slice(0, space);
    const blob = decodeBase64Strict(rest.slice(space + 1));
    if (!isValidNoteName(name) || !blob || blob.length < 5) return null;
    signatures.push({ name, keyId: Buffer.from(blob.subarray(0, 4)), signature: Buffer.from(blob.subarray(4)) });
  }
  return { body, signatures };
}
