// Issue 17: the tree arithmetic behind the stored Merkle tree and C2SP tlog-tiles
// (https://c2sp.org/tlog-tiles): which stored nodes make a root or a proof element, which nodes a
// tile holds, tile paths. Checked against merkle.ts's proofs over all the leaf hashes.
import { describe, expect, it } from "vitest";
import {
  consistencyProof,
  inclusionProof,
  leafHash,
  nodeHash,
  rootFromLeafHashes,
  verifyConsistency,
  verifyInclusion,
} from "../../../app/features/trust/domain/merkle";
import {
  consistencyRanges,
  encodeTileIndex,
  entryBundle,
  foldNodes,
  inclusionRanges,
  isRfc6962Subtree,
  parseEntryBundle,
  parseTilePath,
  rootNodes,
  subtreeNodes,
  tileNodeRange,
  tilePath,
  tilesOfTree,
  tileWidthAt,
  type NodeId,
  type Range,
} from "../../../app/features/trust/domain/tiles";
import { prng } from "../../support/prng";

/** Every complete node of a tree over `leaves`, built level by level as the log stores them. */
function nodeStore(leaves: Buffer[]): (n: NodeId) => Buffer {
  const levels: Buffer[][] = [leaves];
  while (levels[levels.length - 1].length > 1) {
    const below = levels[levels.length - 1];
    const up: Buffer[] = [];
    for (let i = 0; i + 1 < below.length; i += 2) up.push(nodeHash(below[i], below[i + 1]));
    levels.push(up);
  }
  return (n) => {
    const h = levels[n.level]?.[n.index];
    if (!h) throw new Error(`no node (${n.level}, ${n.index})`);
    return h;
  };
}

const leavesOf = (n: number) => Array.from({ length: n }, (_, i) => leafHash(Buffer.from(`entry ${i}`)));
const rangeHash = (get: (n: NodeId) => Buffer, r: Range) => foldNodes(subtreeNodes(r.lo, r.hi).map(get));

describe("stored nodes give RFC 6962's roots and proofs", () => {
  it("the root of every size up to 600 is the fold of its nodes, one per set bit", () => {
    const leaves = leavesOf(600);
    const get = nodeStore(leaves);
    expect(foldNodes(rootNodes(0).map(get))).toEqual(rootFromLeafHashes([]));
    for (let n = 1; n <= 600; n++) {
      const nodes = rootNodes(n);
      expect(nodes.length).toBe(n.toString(2).replace(/0/g, "").length);
      expect(foldNodes(nodes.map(get)).equals(rootFromLeafHashes(leaves.slice(0, n)))).toBe(true);
    }
  });

  it("inclusion and consistency proofs from nodes equal merkle.ts's, and verify, on random sizes up to 4,000", () => {
    const leaves = leavesOf(4000);
    const get = nodeStore(leaves);
    const rnd = prng(17);
    for (let t = 0; t < 60; t++) {
      const size = 1 + Math.floor(rnd() * 4000);
      const tree = leaves.slice(0, size);
      const root = rootFromLeafHashes(tree);
      for (const index of [0, size - 1, Math.floor(rnd() * size)]) {
        const proof = inclusionRanges(index, size).map((r) => rangeHash(get, r));
        expect(proof).toEqual(inclusionProof(tree, index));
        expect(verifyInclusion(leaves[index], index, size, proof, root)).toBe(true);
      }
      for (const from of [0, 1, size, Math.floor(rnd() * size) + 1]) {
        const proof = consistencyRanges(from, size).map((r) => rangeHash(get, r));
        expect(proof).toEqual(consistencyProof(tree, from));
        expect(verifyConsistency(from, size, rootFromLeafHashes(leaves.slice(0, from)), root, proof)).toBe(true);
      }
    }
  });

  it("a proof reads O(log^2 n) nodes: at most 53 ranges of at most 53 nodes at 2^52 leaves", () => {
    const size = 2 ** 52 + 12345;
    const ranges = inclusionRanges(size - 2, size);
    const reads = ranges.reduce((a, r) => a + subtreeNodes(r.lo, r.hi).length, 0);
    expect(ranges.length).toBeLessThanOrEqual(53);
    expect(reads).toBeLessThanOrEqual(53 * 53);
  });

  it("only RFC 6962 subtrees are folded from nodes", () => {
    expect(isRfc6962Subtree(4, 7)).toBe(true);
    expect(isRfc6962Subtree(2, 5)).toBe(false); // 3 leaves must start on a multiple of 4
    expect(() => subtreeNodes(2, 5)).toThrow(RangeError);
    expect(subtreeNodes(8, 15)).toEqual([
      { level: 2, index: 2 },
      { level: 1, index: 6 },
      { level: 0, index: 14 },
    ]);
  });
});

describe("tlog-tiles: tiles and paths", () => {
  it("tlog-tiles: N is written in 3-digit elements, all but the last prefixed x (1234067 is x001/x234/067)", () => {
    expect(encodeTileIndex(1234067)).toBe("x001/x234/067");
    expect(encodeTileIndex(0)).toBe("000");
    expect(encodeTileIndex(999)).toBe("999");
    expect(encodeTileIndex(1000)).toBe("x001/000");
    expect(tilePath({ level: 0, index: 1234067 })).toBe("tile/0/x001/x234/067");
    expect(tilePath({ level: 2, index: 5, width: 17 })).toBe("tile/2/005.p/17");
    expect(tilePath({ level: "entries", index: 1, width: 3 })).toBe("tile/entries/001.p/3");
  });

  it("tlog-tiles: paths parse strictly (levels 0-63, widths 1-255 without leading zeros, canonical N)", () => {
    expect(parseTilePath("tile/0/x001/x234/067")).toEqual({ level: 0, index: 1234067 });
    expect(parseTilePath("tile/63/000.p/255")).toEqual({ level: 63, index: 0, width: 255 });
    expect(parseTilePath("tile/entries/x001/000.p/1")).toEqual({ level: "entries", index: 1000, width: 1 });
    for (const bad of [
      "tile/0/1", // not 3 digits
      "tile/0/0001",
      "tile/0/x000/001", // not canonical
      "tile/0/001/002", // missing x
      "tile/0/x001", // last element with x
      "tile/64/000",
      "tile/01/000",
      "tile/-1/000",
      "tile/0/000.p/0",
      "tile/0/000.p/256",
      "tile/0/000.p/01",
      "tile/0/000.p/",
      "tile/0/000.p",
      "tile/0/000/",
      "tile/0/",
      "tile/entry/000",
      "tiles/0/000",
      "tile/0/x001/x002/x003/x004/x005/x006/007",
      "tile/0/x9007/000",
    ])
      expect(parseTilePath(bad), bad).toBeNull();
  });

  it("tlog-tiles: a tree of 70,000 leaves is 273 full level-0 tiles, a partial of width 112, one full level-1 tile, a partial of width 17 and a partial level-2 tile of width 1", () => {
    const tiles = tilesOfTree(70_000);
    expect(tiles.filter((t) => t.level === 0 && t.width === undefined)).toHaveLength(273);
    expect(tiles.filter((t) => t.level === 0 && t.width !== undefined)).toEqual([{ level: 0, index: 273, width: 112 }]);
    expect(tiles.filter((t) => t.level === 1)).toEqual([
      { level: 1, index: 0 },
      { level: 1, index: 1, width: 17 },
    ]);
    expect(tiles.filter((t) => t.level === 2)).toEqual([{ level: 2, index: 0, width: 1 }]);
    expect(tiles).toHaveLength(277);
    expect(tilesOfTree(256)).toEqual([
      { level: 0, index: 0 },
      { level: 1, index: 0, width: 1 },
    ]);
    expect(tilesOfTree(0)).toEqual([]);
  });

  it("tlog-tiles: the partial tile at level l for size s has floor(s / 256^l) mod 256 hashes; empty tiles do not exist", () => {
    expect(tileWidthAt(0, 273, 70_000)).toBe(112);
    expect(tileWidthAt(0, 272, 70_000)).toBe(256);
    expect(tileWidthAt(0, 274, 70_000)).toBe(0);
    expect(tileWidthAt(1, 1, 70_000)).toBe(17);
    expect(tileWidthAt(2, 0, 70_000)).toBe(1);
    expect(tileWidthAt(3, 0, 70_000)).toBe(0);
  });

  it("tlog-tiles: a level-L tile holds nodes of tree level 8L, [N * 256, N * 256 + W)", () => {
    expect(tileNodeRange(0, 3, 256)).toEqual({ level: 0, from: 768, to: 1024 });
    expect(tileNodeRange(1, 1, 17)).toEqual({ level: 8, from: 256, to: 273 });
  });

  it("tlog-tiles: entry bundles are big-endian uint16 length-prefixed entries", () => {
    const bundle = entryBundle([Buffer.from("ab"), Buffer.alloc(0), Buffer.alloc(300, 1)]);
    expect(bundle.subarray(0, 4)).toEqual(Buffer.from([0, 2, 0x61, 0x62]));
    expect(bundle.subarray(4, 8)).toEqual(Buffer.from([0, 0, 1, 44]));
    expect(parseEntryBundle(bundle)?.map((b) => b.length)).toEqual([2, 0, 300]);
    expect(parseEntryBundle(Buffer.from([0, 5, 1]))).toBeNull();
    expect(() => entryBundle([Buffer.alloc(65_536)])).toThrow(RangeError);
  });
});
