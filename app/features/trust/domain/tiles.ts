/**
 * The transparency log's Merkle tree as stored nodes and as C2SP tlog-tiles
 * (https://c2sp.org/tlog-tiles): pure arithmetic, no I/O.
 *
 * Stored nodes: node (level L, index i) is the Merkle Tree Hash of the complete subtree over
 * leaves [i * 2^L, (i + 1) * 2^L); level 0 holds the leaf hashes. A node exists once the tree has
 * (i + 1) * 2^L leaves and never changes after. Every RFC 6962 subtree D[lo:hi] that the root,
 * an inclusion proof or a consistency proof needs is a short run of such nodes (at most one per
 * level, largest first) folded from the right, so the root and each proof element cost
 * O(log n) node reads and a whole proof O(log^2 n), whatever the tree size.
 *
 * Tiles: a tile at tile level T holds consecutive nodes of tree level 8T, 256 of them when full
 * (8,192 bytes), the first W (1..255) when partial; tile N at level T holds nodes
 * [N * 256, N * 256 + W). Entry bundles hold the entries of level-0 tile N. Paths are
 * `tile/<T>/<N>[.p/<W>]` and `tile/entries/<N>[.p/<W>]`, N written in zero-padded 3-digit
 * elements, all but the last prefixed with "x" (1234067 is x001/x234/067).
 */
import { EMPTY_ROOT, nodeHash } from "./merkle";

/** Tree levels per tile: a full tile is 2^8 = 256 hashes wide. */
export const TILE_HEIGHT = 8;
export const TILE_WIDTH = 256;
/** Tile levels the spec allows in a path (0..63); with safe-integer sizes, only 0..6 can ever exist. */
export const MAX_TILE_LEVEL = 63;
/** The largest entry a bundle can carry (its length is a big-endian uint16). */
export const MAX_ENTRY_BYTES = 0xffff;

/** A stored node: the hash of leaves [index * 2^level, (index + 1) * 2^level). */
export interface NodeId {
  level: number;
  index: number;
}

/** A tile or an entry bundle, as its path names it; `width` is set only for a partial one (1..255). */
export interface TileRef {
  /** A tile level (0..63), or "entries" for an entry bundle. */
  level: number | "entries";
  index: number;
  width?: number;
}

const pow2 = (n: number) => 2 ** n;

function assertCount(name: string, n: number): void {
  if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`${name} must be a non-negative safe integer, not ${n}`);
}

/** The smallest power of two >= n (n >= 1). */
function ceilPow2(n: number): number {
  let p = 1;
  while (p < n) p *= 2;
  return p;
}

/**
 * True when D[lo:hi] is a subtree RFC 6962 can produce while splitting a tree that starts at 0:
 * non-empty, and lo a multiple of the smallest power of two >= hi - lo.
 */
export function isRfc6962Subtree(lo: number, hi: number): boolean {
  return Number.isSafeInteger(lo) && Number.isSafeInteger(hi) && lo >= 0 && hi > lo && lo % ceilPow2(hi - lo) === 0;
}

/**
 * The stored nodes whose right fold is MTH(D[lo:hi]), left to right (largest first): the binary
 * decomposition of hi - lo. Throws RangeError unless D[lo:hi] is an RFC 6962 subtree (see
 * {@link isRfc6962Subtree}).
 */
export function subtreeNodes(lo: number, hi: number): NodeId[] {
  if (!isRfc6962Subtree(lo, hi)) throw new RangeError(`[${lo}, ${hi}) is not an RFC 6962 subtree`);
  const out: NodeId[] = [];
  let at = lo;
  let level = 53; // sizes are safe integers
  while (at < hi) {
    while (pow2(level) > hi - at) level--;
    out.push({ level, index: at / pow2(level) }); // at is a multiple of 2^level (RFC 6962 subtree)
    at += pow2(level);
  }
  return out;
}

/** The nodes that make up the root of a tree of `size` leaves (none for the empty tree). */
export function rootNodes(size: number): NodeId[] {
  assertCount("size", size);
  return size === 0 ? [] : subtreeNodes(0, size);
}

/**
 * MTH of a subtree from its nodes' hashes as {@link subtreeNodes} lists them:
 * H(n0, H(n1, ... H(nk-1, nk))). The empty list gives the empty tree's root.
 */
export function foldNodes(hashes: readonly Uint8Array[]): Buffer {
  if (hashes.length === 0) return Buffer.from(EMPTY_ROOT);
  let h: Uint8Array = hashes[hashes.length - 1];
  for (let i = hashes.length - 2; i >= 0; i--) h = nodeHash(hashes[i], h);
  return Buffer.from(h);
}

/** A subtree D[lo:hi]: one proof element. */
export interface Range {
  lo: number;
  hi: number;
}

/**
 * The subtrees whose hashes are RFC 6962 PATH(index, D[0:size]), leaf's sibling first: the same
 * walk as merkle.ts's inclusionProof, naming ranges instead of hashing leaves.
 */
export function inclusionRanges(index: number, size: number): Range[] {
  assertCount("size", size);
  assertCount("index", index);
  if (index >= size) throw new RangeError(`leaf index ${index} out of range for tree size ${size}`);
  const topDown: Range[] = [];
  let lo = 0;
  let hi = size;
  let m = index;
  while (hi - lo > 1) {
    const k = ceilPow2(hi - lo) / 2;
    if (m < k) {
      topDown.push({ lo: lo + k, hi });
      hi = lo + k;
    } else {
      topDown.push({ lo, hi: lo + k });
      lo += k;
      m -= k;
    }
  }
  return topDown.reverse();
}

/**
 * The subtrees whose hashes are RFC 6962 PROOF(from, D[0:to]), in proof order: the same walk as
 * merkle.ts's consistencyProof. Empty when from is 0 or equals to.
 */
export function consistencyRanges(from: number, to: number): Range[] {
  assertCount("from", from);
  assertCount("to", to);
  if (from > to) throw new RangeError(`old size ${from} out of range for tree size ${to}`);
  if (from === 0 || from === to) return [];
  const topDown: Range[] = [];
  let lo = 0;
  let hi = to;
  let m = from;
  let complete = true;
  while (m !== hi - lo) {
    const k = ceilPow2(hi - lo) / 2;
    if (m <= k) {
      topDown.push({ lo: lo + k, hi });
      hi = lo + k;
    } else {
      topDown.push({ lo, hi: lo + k });
      lo += k;
      m -= k;
      complete = false;
    }
  }
  if (!complete) topDown.push({ lo, hi });
  return topDown.reverse();
}

// ---------------------------------------------------------------------------
// Tiles
// ---------------------------------------------------------------------------

/**
 * How many hashes of tile `index` at tile level `level` a tree of `size` leaves has: 256 for a
 * full tile, 1..255 for the partial one, 0 for a tile that does not exist yet. For an entry
 * bundle, use level 0.
 */
export function tileWidthAt(level: number, index: number, size: number): number {
  assertCount("size", size);
  assertCount("index", index);
  const hashes = Math.floor(size / TILE_WIDTH ** level); // nodes of tree level 8 * level
  return Math.max(0, Math.min(TILE_WIDTH, hashes - index * TILE_WIDTH));
}

/** The stored nodes a tile holds: tree level 8T, indexes [from, from + width). */
export function tileNodeRange(
  level: number,
  index: number,
  width: number,
): { level: number; from: number; to: number } {
  return { level: TILE_HEIGHT * level, from: index * TILE_WIDTH, to: index * TILE_WIDTH + width };
}

/** Every tile (and entry bundle, when `entries`) of a tree of `size` leaves: the full ones and the partial one of each level. */
export function tilesOfTree(size: number, entries = false): TileRef[] {
  assertCount("size", size);
  const out: TileRef[] = [];
  for (let level = 0; TILE_WIDTH ** level <= size; level++) {
    const hashes = Math.floor(size / TILE_WIDTH ** level);
    const full = Math.floor(hashes / TILE_WIDTH);
    const partial = hashes % TILE_WIDTH;
    for (let n = 0; n < full; n++) out.push({ level, index: n });
    if (partial) out.push({ level, index: full, width: partial });
    if (entries && level === 0) {
      for (let n = 0; n < full; n++) out.push({ level: "entries", index: n });
      if (partial) out.push({ level: "entries", index: full, width: partial });
    }
  }
  return out;
}

/** A tile index as the spec writes it: 3-digit elements, all but the last prefixed "x" (1234067 is x001/x234/067). */
export function encodeTileIndex(index: number): string {
  assertCount("index", index);
  let n = index;
  let s = String(n % 1000).padStart(3, "0");
  while (n >= 1000) {
    n = Math.floor(n / 1000);
    s = `x${String(n % 1000).padStart(3, "0")}/${s}`;
  }
  return s;
}

/** A tile's path below the log's prefix, e.g. "tile/0/x001/x234/067.p/5" or "tile/entries/000". */
export function tilePath(t: TileRef): string {
  return `tile/${t.level}/${encodeTileIndex(t.index)}${t.width === undefined ? "" : `.p/${t.width}`}`;
}

const LEVEL = /^(0|[1-9][0-9]?)$/;
const WIDTH = /^[1-9][0-9]{0,2}$/;
const INDEX_ELEMENT = /^x[0-9]{3}$/;
const LAST_ELEMENT = /^[0-9]{3}$/;
/** More elements than this cannot name a safe-integer index. */
const MAX_INDEX_ELEMENTS = 6;

/**
 * Parses a tile or entry-bundle path below the log's prefix ("tile/<L>/<N>[.p/<W>]" or
 * "tile/entries/<N>[.p/<W>]") strictly: L 0..63 and W 1..255 without leading zeros, N in the
 * spec's elements and canonical (no leading "x000"), a safe integer. Null for anything else.
 */
export function parseTilePath(path: string): TileRef | null {
  if (typeof path !== "string" || path.length > 64) return null;
  const parts = path.split("/");
  if (parts.length < 3 || parts[0] !== "tile") return null;
  let level: number | "entries";
  if (parts[1] === "entries") level = "entries";
  else if (LEVEL.test(parts[1]) && Number(parts[1]) <= MAX_TILE_LEVEL) level = Number(parts[1]);
  else return null;
  let elements = parts.slice(2);
  let width: number | undefined;
  const last = elements[elements.length - 1];
  if (elements.length >= 2 && elements[elements.length - 2].endsWith(".p")) {
    if (!WIDTH.test(last) || Number(last) >= TILE_WIDTH) return null;
    width = Number(last);
    elements = elements.slice(0, -1);
    elements[elements.length - 1] = elements[elements.length - 1].slice(0, -2);
  }
  if (elements.length === 0 || elements.length > MAX_INDEX_ELEMENTS) return null;
  let index = 0;
  for (const [i, e] of elements.entries()) {
    const isLast = i === elements.length - 1;
    if (!(isLast ? LAST_ELEMENT : INDEX_ELEMENT).test(e)) return null;
    index = index * 1000 + Number(isLast ? e : e.slice(1));
  }
  if (!Number.isSafeInteger(index)) return null;
  const tile: TileRef = width === undefined ? { level, index } : { level, index, width };
  return tilePath(tile) === path ? tile : null; // canonical only (e.g. no "x000/001")
}

/** An entry bundle: each entry as a big-endian uint16 length and its bytes. Throws RangeError for an entry over 65,535 bytes. */
export function entryBundle(entries: readonly Uint8Array[]): Buffer {
  let total = 0;
  for (const e of entries) {
    if (e.length > MAX_ENTRY_BYTES)
      throw new RangeError(`a log entry of ${e.length} bytes does not fit in an entry bundle`);
    total += 2 + e.length;
  }
  const out = Buffer.allocUnsafe(total);
  let at = 0;
  for (const e of entries) {
    out.writeUInt16BE(e.length, at);
    out.set(e, at + 2);
    at += 2 + e.length;
  }
  return out;
}

/** Splits an entry bundle into its entries; null if it is malformed (a length running past the end). */
export function parseEntryBundle(bundle: Uint8Array): Buffer[] | null {
  const b = Buffer.from(bundle.buffer, bundle.byteOffset, bundle.length);
  const out: Buffer[] = [];
  let at = 0;
  while (at < b.length) {
    if (at + 2 > b.length) return null;
    const len = b.readUInt16BE(at);
    if (at + 2 + len > b.length) return null;
    out.push(Buffer.from(b.subarray(at + 2, at + 2 + len)));
    at += 2 + len;
  }
  return out;
}
