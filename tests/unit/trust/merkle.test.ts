import { createHash, createPrivateKey, createPublicKey, sign as edSign, verify as edVerify } from "node:crypto";
import { describe, expect, it } from "vitest";
import {
  checkpointBody,
  consistencyProof,
  EMPTY_ROOT,
  inclusionProof,
  leafHash,
  nodeHash,
  noteKeyId,
  parseCheckpointBody,
  parseSignatureLines,
  rootFromLeafHashes,
  signatureLine,
  verifyConsistency,
  verifyInclusion,
} from "../../../app/features/trust/domain/merkle";
import { prng } from "../../support/prng";

const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");
const unhex = (s: string) => Buffer.from(s, "hex");
const hexList = (list: readonly Uint8Array[]) => list.map(hex);

/** Independent SHA-256 (createHash, not the module's helper). */
function sha256(...parts: Uint8Array[]): Buffer {
  const h = createHash("sha256");
  for (const p of parts) h.update(p);
  return h.digest();
}

function flipByte(proof: readonly Uint8Array[], element: number, byte = 0, mask = 0x08): Buffer[] {
  return proof.map((p, i) => {
    const c = Buffer.from(p);
    if (i === element) c[byte] ^= mask;
    return c;
  });
}

const randInt = (rnd: () => number, lo: number, hiInclusive: number) => lo + Math.floor(rnd() * (hiInclusive - lo + 1));

// ---------------------------------------------------------------------------
// Naive reference straight from RFC 6962 section 2.1, over the raw entries.
// MTH({}) = SHA-256(), MTH({d0}) = SHA-256(0x00 || d0),
// MTH(D[n]) = SHA-256(0x01 || MTH(D[0:k]) || MTH(D[k:n])), k largest power of two < n.
// PATH and PROOF/SUBPROOF are the section 2.1.1 / 2.1.2 recursions verbatim.
// MTH is memoised per (lo, hi) range only so that recomputing the root of every
// prefix of a 1000-entry log stays fast; the recursion itself is the definition.
// ---------------------------------------------------------------------------
function naiveTree(entries: readonly Uint8Array[]) {
  const memo = new Map<string, Buffer>();
  const largestPow2Below = (n: number) => {
    let k = 1;
    while (k * 2 < n) k *= 2;
    return k;
  };
  function mth(lo: number, hi: number): Buffer {
    const n = hi - lo;
    if (n === 0) return sha256();
    if (n === 1) return sha256(Buffer.from([0x00]), entries[lo]);
    const key = `${lo}:${hi}`;
    const hit = memo.get(key);
    if (hit) return hit;
    const k = largestPow2Below(n);
    const r = sha256(Buffer.from([0x01]), mth(lo, lo + k), mth(lo + k, hi));
    memo.set(key, r);
    return r;
  }
  function path(m: number, lo: number, hi: number): Buffer[] {
    const n = hi - lo;
    if (n === 1) return [];
    const k = largestPow2Below(n);
    if (m < k) return [...path(m, lo, lo + k), mth(lo + k, hi)];
    return [...path(m - k, lo + k, hi), mth(lo, lo + k)];
  }
  function subproof(m: number, lo: number, hi: number, b: boolean): Buffer[] {
    const n = hi - lo;
    if (m === n) return b ? [] : [mth(lo, hi)];
    const k = largestPow2Below(n);
    if (m <= k) return [...subproof(m, lo, lo + k, b), mth(lo + k, hi)];
    return [...subproof(m - k, lo + k, hi, false), mth(lo, lo + k)];
  }
  return {
    root: (n: number) => mth(0, n),
    path: (m: number, n: number) => path(m, 0, n),
    proof: (m: number, n: number) => (m === 0 || m === n ? [] : subproof(m, 0, n, true)),
  };
}

// ---------------------------------------------------------------------------
// RFC 6962 test vectors used by certificate-transparency implementations.
// Source: github.com/transparency-dev/merkle, testonly/constants.go
// (LeafInputs, NodeHashes, RootHashes, EmptyRootHash) and proof/verify_test.go
// (inclusionProofs, consistencyProofs, roots); the same vectors as
// google/certificate-transparency's merkle_tree_test.cc. Proof shapes in
// "node-id vectors" below come from transparency-dev/merkle proof/proof_test.go
// (TestInclusion / TestConsistency), resolved to hashes with NodeHashes.
// ---------------------------------------------------------------------------
const LEAF_INPUTS = [
  "",
  "00",
  "10",
  "2021",
  "3031",
  "40414243",
  "5051525354555657",
  "606162636465666768696a6b6c6d6e6f",
].map(unhex);

// NodeHashes()[level][index]: all complete subtrees of the 8-leaf tree.
const NH = [
  [
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
    "0298d122906dcfc10892cb53a73992fc5b9f493ea4c9badb27b791b4127a7fe7",
    "07506a85fd9dd2f120eb694f86011e5bb4662e5c415a62917033d4a9624487e7",
    "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
    "4271a26be0d8a84f0bd54c8c302e7cb3a3b5d1fa6780a40bcce2873477dab658",
    "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
    "46f6ffadd3d06a09ff3c5860d2755c8b9819db7df44251788c7d8e3180de8eb1",
  ],
  [
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
    "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
    "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
  ],
  [
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
  ],
  ["5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328"],
];

// RootHashes()[size] for sizes 0..8.
const ROOTS = [
  "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
  "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
  "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
  "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
  "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
  "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
  "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
  "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
  "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
];

// verify_test.go inclusionProofs; `leaf` there is 1-based (the test uses p.leaf-1).
const INCLUSION_VECTORS: { leaf: number; size: number; proof: string[] }[] = [
  { leaf: 1, size: 1, proof: [] },
  {
    leaf: 1,
    size: 8,
    proof: [
      "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
      "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
      "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
    ],
  },
  {
    leaf: 6,
    size: 8,
    proof: [
      "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
      "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
      "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    ],
  },
  { leaf: 3, size: 3, proof: ["fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"] },
  {
    leaf: 2,
    size: 5,
    proof: [
      "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
      "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
      "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
    ],
  },
];

// verify_test.go consistencyProofs.
const CONSISTENCY_VECTORS: { size1: number; size2: number; proof: string[] }[] = [
  { size1: 1, size2: 1, proof: [] },
  {
    size1: 1,
    size2: 8,
    proof: [
      "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
      "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
      "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
    ],
  },
  {
    size1: 6,
    size2: 8,
    proof: [
      "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
      "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
      "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    ],
  },
  {
    size1: 2,
    size2: 5,
    proof: [
      "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
      "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
    ],
  },
  {
    size1: 6,
    size2: 7,
    proof: [
      "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
      "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
      "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    ],
  },
];

const VECTOR_LEAF_HASHES = LEAF_INPUTS.map((d) => leafHash(d));

describe("RFC 6962 test vectors (transparency-dev/merkle)", () => {
  it("hashes the 8 leaf inputs to the published level-0 node hashes", () => {
    expect(hexList(VECTOR_LEAF_HASHES)).toEqual(NH[0]);
  });

  it("nodeHash reproduces the published interior nodes", () => {
    for (let level = 1; level < NH.length; level++) {
      for (let i = 0; i < NH[level].length; i++) {
        expect(hex(nodeHash(unhex(NH[level - 1][2 * i]), unhex(NH[level - 1][2 * i + 1])))).toBe(NH[level][i]);
      }
    }
  });

  it("computes the published roots for tree sizes 0..8", () => {
    expect(hex(EMPTY_ROOT)).toBe("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    for (let n = 0; n <= 8; n++) {
      expect(hex(rootFromLeafHashes(VECTOR_LEAF_HASHES.slice(0, n))), `size ${n}`).toBe(ROOTS[n]);
    }
    expect(hex(rootFromLeafHashes(VECTOR_LEAF_HASHES))).toBe(
      "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
    );
  });

  it("generates and verifies the published inclusion proofs", () => {
    for (const v of INCLUSION_VECTORS) {
      const index = v.leaf - 1;
      const leaves = VECTOR_LEAF_HASHES.slice(0, v.size);
      expect(hexList(inclusionProof(leaves, index)), `leaf ${index} size ${v.size}`).toEqual(v.proof);
      const proof = v.proof.map(unhex);
      const root = unhex(ROOTS[v.size]);
      expect(verifyInclusion(VECTOR_LEAF_HASHES[index], index, v.size, proof, root)).toBe(true);
      // The corruptions of verify_test.go's corruptInclusionProof.
      const bad: [Uint8Array, number, number, Uint8Array[], Uint8Array][] = [
        [VECTOR_LEAF_HASHES[index], index - 1, v.size, proof, root],
        [VECTOR_LEAF_HASHES[index], index + 1, v.size, proof, root],
        [VECTOR_LEAF_HASHES[index], index ^ 2, v.size, proof, root],
        [VECTOR_LEAF_HASHES[index], index, v.size * 2, proof, root],
        [VECTOR_LEAF_HASHES[index], index, Math.floor(v.size / 2), proof, root],
        [Buffer.from("WrongLeaf"), index, v.size, proof, root],
        [VECTOR_LEAF_HASHES[index], index, v.size, proof, EMPTY_ROOT],
        [VECTOR_LEAF_HASHES[index], index, v.size, [...proof, Buffer.alloc(0)], root],
        [VECTOR_LEAF_HASHES[index], index, v.size, [...proof, root], root],
        [VECTOR_LEAF_HASHES[index], index, v.size, [root, ...proof], root],
        ...proof.map(
          (_, i) =>
            [VECTOR_LEAF_HASHES[index], index, v.size, flipByte(proof, i), root] as [
              Uint8Array,
              number,
              number,
              Uint8Array[],
              Uint8Array,
            ],
        ),
      ];
      if (proof.length > 0) bad.push([VECTOR_LEAF_HASHES[index], index, v.size, proof.slice(0, -1), root]);
      for (const [lh, i, size, p, r] of bad)
        expect(verifyInclusion(lh, i, size, p, r), `corrupt ${index}/${v.size}`).toBe(false);
    }
  });

  it("generates and verifies the published consistency proofs", () => {
    for (const v of CONSISTENCY_VECTORS) {
      const leaves = VECTOR_LEAF_HASHES.slice(0, v.size2);
      expect(hexList(consistencyProof(leaves, v.size1)), `${v.size1}->${v.size2}`).toEqual(v.proof);
      const proof = v.proof.map(unhex);
      const r1 = unhex(ROOTS[v.size1]);
      const r2 = unhex(ROOTS[v.size2]);
      expect(verifyConsistency(v.size1, v.size2, r1, r2, proof)).toBe(true);
      if (proof.length === 0) continue;
      // The corruptions of verify_test.go's corruptConsistencyProof.
      const bad: [number, number, Uint8Array, Uint8Array, Uint8Array[]][] = [
        [v.size1 - 1, v.size2, r1, r2, proof],
        [v.size1 + 1, v.size2, r1, r2, proof],
        [v.size1 ^ 2, v.size2, r1, r2, proof],
        [v.size1, v.size2 * 2, r1, r2, proof],
        [v.size1, Math.floor(v.size2 / 2), r1, r2, proof],
        [v.size1, v.size2, Buffer.from("WrongRoot"), r2, proof],
        [v.size1, v.size2, r1, Buffer.from("WrongRoot"), proof],
        [v.size1, v.size2, r2, r1, proof],
        [v.size1, v.size2, r1, r2, []],
        [v.size1, v.size2, r1, r2, [...proof, Buffer.alloc(0)]],
        [v.size1, v.size2, r1, r2, [...proof, r1]],
        [v.size1, v.size2, r1, r2, [...proof, r2]],
        [v.size1, v.size2, r1, r2, [r1, ...proof]],
        [v.size1, v.size2, r1, r2, [r2, ...proof]],
        [v.size1, v.size2, r1, r2, [proof[0], ...proof]],
        [v.size1, v.size2, r1, r2, proof.slice(0, -1)],
        ...proof.map(
          (_, i) =>
            [v.size1, v.size2, r1, r2, flipByte(proof, i, 0, 0x10)] as [
              number,
              number,
              Uint8Array,
              Uint8Array,
              Uint8Array[],
            ],
        ),
      ];
      for (const [s1, s2, a, b, p] of bad)
        expect(verifyConsistency(s1, s2, a, b, p), `corrupt ${v.size1}->${v.size2}`).toBe(false);
    }
  });

  it("matches the node-id proof shapes of proof_test.go on the vector tree", () => {
    const n = (level: number, index: number) => NH[level][index];
    // Right-edge nodes that only exist in the smaller trees: l7 = MTH(D[4:7]) = H(i, j).
    const l7 = hex(nodeHash(unhex(n(1, 2)), unhex(n(0, 6))));
    const inclusion: [number, number, string[]][] = [
      [1, 0, []],
      [2, 0, [n(0, 1)]],
      [2, 1, [n(0, 0)]],
      [3, 1, [n(0, 0), n(0, 2)]],
      [7, 0, [n(0, 1), n(1, 1), l7]],
      [7, 1, [n(0, 0), n(1, 1), l7]],
      [7, 2, [n(0, 3), n(1, 0), l7]],
      [7, 3, [n(0, 2), n(1, 0), l7]],
      [7, 4, [n(0, 5), n(0, 6), n(2, 0)]],
      [7, 5, [n(0, 4), n(0, 6), n(2, 0)]],
      [7, 6, [n(1, 2), n(2, 0)]],
      [4, 2, [n(0, 3), n(1, 0)]],
      [5, 3, [n(0, 2), n(1, 0), n(0, 4)]],
      [6, 3, [n(0, 2), n(1, 0), n(1, 2)]],
      [6, 4, [n(0, 5), n(2, 0)]],
    ];
    for (const [size, index, want] of inclusion) {
      expect(hexList(inclusionProof(VECTOR_LEAF_HASHES.slice(0, size), index)), `inclusion ${index}@${size}`).toEqual(
        want,
      );
      expect(verifyInclusion(VECTOR_LEAF_HASHES[index], index, size, want.map(unhex), unhex(ROOTS[size]))).toBe(true);
    }
    const consistency: [number, number, string[]][] = [
      [1, 2, [n(0, 1)]],
      [1, 4, [n(0, 1), n(1, 1)]],
      [1, 6, [n(0, 1), n(1, 1), n(1, 2)]],
      [2, 3, [n(0, 2)]],
      [2, 8, [n(1, 1), n(2, 1)]],
      [3, 7, [n(0, 2), n(0, 3), n(1, 0), l7]],
      [4, 7, [l7]],
      [5, 7, [n(0, 4), n(0, 5), n(0, 6), n(2, 0)]],
      [6, 7, [n(1, 2), n(0, 6), n(2, 0)]],
      [7, 8, [n(0, 6), n(0, 7), n(1, 2), n(2, 0)]],
      [2, 4, [n(1, 1)]],
      [3, 5, [n(0, 2), n(0, 3), n(1, 0), n(0, 4)]],
      [3, 6, [n(0, 2), n(0, 3), n(1, 0), n(1, 2)]],
      [4, 6, [n(1, 2)]],
      [1, 7, [n(0, 1), n(1, 1), l7]],
      [5, 5, []],
      [8, 8, []],
    ];
    for (const [s1, s2, want] of consistency) {
      expect(hexList(consistencyProof(VECTOR_LEAF_HASHES.slice(0, s2), s1)), `consistency ${s1}->${s2}`).toEqual(want);
      expect(verifyConsistency(s1, s2, unhex(ROOTS[s1]), unhex(ROOTS[s2]), want.map(unhex))).toBe(true);
    }
  });

  it("handles the trivial and invalid consistency cases of verify_test.go without throwing", () => {
    const e = EMPTY_ROOT;
    const some = unhex("abacaba000000000000000000000000000000000000000000060061e00123456");
    const r1 = unhex(ROOTS[1]);
    expect(verifyConsistency(0, 0, e, e, [])).toBe(true);
    expect(verifyConsistency(0, 1, e, r1, [])).toBe(true);
    expect(verifyConsistency(1, 1, r1, r1, [])).toBe(true);
    expect(verifyConsistency(1, 1, r1, some, [])).toBe(false); // same size, different roots
    expect(verifyConsistency(0, 0, e, some, [])).toBe(false);
    expect(verifyConsistency(1, 0, r1, e, [])).toBe(false); // time travel
    expect(verifyConsistency(2, 1, r1, r1, [])).toBe(false);
    expect(verifyConsistency(1, 2, r1, unhex(ROOTS[2]), [])).toBe(false); // empty proof
    expect(verifyConsistency(0, 0, e, e, [e])).toBe(false); // roots match but proof not empty
    expect(verifyConsistency(0, 1, e, r1, [e])).toBe(false);
    expect(verifyConsistency(1, 1, e, e, [e])).toBe(false);
    expect(verifyConsistency(0, 5, some, unhex(ROOTS[5]), [])).toBe(false); // size 0 must have the empty root
    expect(verifyConsistency(-1, 5, e, unhex(ROOTS[5]), [])).toBe(false);
    expect(verifyConsistency(1.5, 5, r1, unhex(ROOTS[5]), [])).toBe(false);
    expect(verifyConsistency(Number.NaN, 5, r1, unhex(ROOTS[5]), [])).toBe(false);
    expect(verifyConsistency(2, 5, Buffer.alloc(31), unhex(ROOTS[5]), [some])).toBe(false);
    expect(verifyConsistency(2, 5, unhex(ROOTS[2]), unhex(ROOTS[5]), null as unknown as Uint8Array[])).toBe(false);
  });

  it("rejects invalid inclusion inputs without throwing (verify_test.go TestVerifyInclusion probes and more)", () => {
    const some = unhex("abacaba000000000000000000000000000000000000000000060061e00123456");
    for (const [index, size] of [
      [0, 0],
      [0, 1],
      [1, 0],
      [2, 1],
    ]) {
      expect(verifyInclusion(some, index, size, [], Buffer.alloc(0))).toBe(false);
      expect(verifyInclusion(Buffer.alloc(0), index, size, [], EMPTY_ROOT)).toBe(false);
      expect(verifyInclusion(some, index, size, [], EMPTY_ROOT)).toBe(false);
    }
    const h = leafHash(Buffer.from("data"));
    expect(verifyInclusion(h, 0, 1, [], h)).toBe(true); // TestVerifyInclusionSingleEntry
    expect(verifyInclusion(h, 0, 1, [], Buffer.alloc(0))).toBe(false);
    expect(verifyInclusion(Buffer.alloc(0), 0, 1, [], h)).toBe(false);
    expect(verifyInclusion(h, -1, 1, [], h)).toBe(false);
    expect(verifyInclusion(h, 0.5, 1, [], h)).toBe(false);
    expect(verifyInclusion(h, 0, Number.POSITIVE_INFINITY, [], h)).toBe(false);
    expect(verifyInclusion(h, 0, 1, [h], h)).toBe(false);
    expect(verifyInclusion(h, 0, 1, undefined as unknown as Uint8Array[], h)).toBe(false);
  });

  it("generators reject out-of-range arguments", () => {
    expect(() => inclusionProof(VECTOR_LEAF_HASHES, 8)).toThrow(RangeError);
    expect(() => inclusionProof([], 0)).toThrow(RangeError);
    expect(() => inclusionProof(VECTOR_LEAF_HASHES, -1)).toThrow(RangeError);
    expect(() => consistencyProof(VECTOR_LEAF_HASHES, 9)).toThrow(RangeError);
    expect(() => consistencyProof(VECTOR_LEAF_HASHES, 1.5)).toThrow(RangeError);
    expect(consistencyProof(VECTOR_LEAF_HASHES, 0)).toEqual([]);
    expect(consistencyProof(VECTOR_LEAF_HASHES, 8)).toEqual([]);
    expect(() => rootFromLeafHashes([Buffer.alloc(31)])).toThrow(TypeError);
  });
});

// ---------------------------------------------------------------------------
// Random trees of every size 1..MAX against the naive reference.
// ---------------------------------------------------------------------------
const MAX = 1000;
// One extra entry so that NAIVE.root(n + 1) exists as a "wrong root" for n = MAX.
const ENTRIES: Buffer[] = Array.from({ length: MAX + 1 }, (_, i) => {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(i);
  return sha256(b); // deterministic pseudo-random leaf data
});
const LEAVES = ENTRIES.map((e) => leafHash(e));
const NAIVE = naiveTree(ENTRIES);

/** Leaf hash of an entry that is not in the log. */
const FOREIGN_LEAF = leafHash(Buffer.from("not in the log"));

const sameHashes = (a: readonly Uint8Array[], b: readonly Uint8Array[]) =>
  a.length === b.length && a.every((x, k) => Buffer.compare(x, b[k]) === 0);

/**
 * Checks one inclusion proof; returns descriptions of everything that went
 * wrong (collected instead of thousands of expect() calls, to stay fast).
 */
function checkInclusion(n: number, i: number, flipAll: boolean, rnd: () => number): string[] {
  const fail: string[] = [];
  const at = `${i}@${n}`;
  const leaves = LEAVES.slice(0, n);
  const root = NAIVE.root(n);
  const proof = inclusionProof(leaves, i);
  if (!sameHashes(proof, NAIVE.path(i, n))) fail.push(`path ${at} differs from naive PATH`);
  if (!verifyInclusion(LEAVES[i], i, n, proof, root)) fail.push(`valid proof ${at} rejected`);
  const mustFail = (desc: string, ok: boolean) => {
    if (ok) fail.push(`${desc} accepted for ${at}`);
  };
  // Wrong leaf: a neighbour's hash and a foreign one.
  if (n > 1) mustFail("neighbour leaf", verifyInclusion(LEAVES[(i + 1) % n], i, n, proof, root));
  mustFail("foreign leaf", verifyInclusion(FOREIGN_LEAF, i, n, proof, root));
  // Wrong index.
  for (const j of [i - 1, i + 1, i ^ 1, i ^ 2, n]) {
    if (j !== i) mustFail(`index ${j}`, verifyInclusion(LEAVES[i], j, n, proof, root));
  }
  // Wrong tree height (a size that only differs on the right edge can share the
  // proof's shape, so as in verify_test.go the probes change the height).
  mustFail("size * 2", verifyInclusion(LEAVES[i], i, n * 2, proof, root));
  mustFail("size / 2", verifyInclusion(LEAVES[i], i, Math.floor(n / 2), proof, root));
  // Wrong root.
  mustFail("root of n + 1", verifyInclusion(LEAVES[i], i, n, proof, NAIVE.root(n + 1)));
  // Truncated and extended proofs.
  if (proof.length > 0) {
    mustFail("truncated proof", verifyInclusion(LEAVES[i], i, n, proof.slice(0, -1), root));
    mustFail("proof without first", verifyInclusion(LEAVES[i], i, n, proof.slice(1), root));
  }
  mustFail("extended proof", verifyInclusion(LEAVES[i], i, n, [...proof, root], root));
  // Flipped byte (every element, or one random element).
  const targets = flipAll ? proof.map((_, k) => k) : proof.length > 0 ? [randInt(rnd, 0, proof.length - 1)] : [];
  for (const k of targets) {
    const flipped = flipByte(proof, k, randInt(rnd, 0, 31), 1 << randInt(rnd, 0, 7));
    mustFail(`flipped byte in proof[${k}]`, verifyInclusion(LEAVES[i], i, n, flipped, root));
  }
  return fail;
}

/** Checks one consistency proof; returns descriptions of failures. */
function checkConsistency(m: number, n: number, rnd: () => number): string[] {
  const fail: string[] = [];
  const at = `${m}->${n}`;
  const proof = consistencyProof(LEAVES.slice(0, n), m);
  if (!sameHashes(proof, NAIVE.proof(m, n))) fail.push(`proof ${at} differs from naive PROOF`);
  const r1 = NAIVE.root(m);
  const r2 = NAIVE.root(n);
  if (!verifyConsistency(m, n, r1, r2, proof)) fail.push(`valid proof ${at} rejected`);
  const mustFail = (desc: string, ok: boolean) => {
    if (ok) fail.push(`${desc} accepted for ${at}`);
  };
  if (m === n) {
    mustFail("different new root", verifyConsistency(m, n, r1, NAIVE.root(n + 1), proof));
    mustFail("non-empty proof", verifyConsistency(m, n, r1, r2, [r1]));
    return fail;
  }
  if (m === 0) {
    // Nothing binds the new root when the old tree is empty; only the empty root and an empty proof are checked.
    mustFail("non-empty old root", verifyConsistency(0, n, NAIVE.root(1), r2, proof));
    mustFail("non-empty proof", verifyConsistency(0, n, r1, r2, [r2]));
    return fail;
  }
  mustFail("wrong old root", verifyConsistency(m, n, NAIVE.root(m + 1), r2, proof));
  mustFail("wrong new root", verifyConsistency(m, n, r1, NAIVE.root(n - 1), proof));
  mustFail("swapped roots", verifyConsistency(m, n, r2, r1, proof));
  mustFail("dropped last element", verifyConsistency(m, n, r1, r2, proof.slice(0, -1)));
  mustFail("dropped first element", verifyConsistency(m, n, r1, r2, proof.slice(1)));
  mustFail("extended proof", verifyConsistency(m, n, r1, r2, [...proof, r2]));
  // Wrong sizes, as probed by verify_test.go (size2 +/- 1 can share the proof's shape).
  for (const m2 of [m - 1, m + 1, m ^ 2])
    if (m2 !== m) mustFail(`size1 ${m2}`, verifyConsistency(m2, n, r1, r2, proof));
  for (const n2 of [n * 2, Math.floor(n / 2)]) mustFail(`size2 ${n2}`, verifyConsistency(m, n2, r1, r2, proof));
  const k = randInt(rnd, 0, proof.length - 1);
  const flipped = flipByte(proof, k, randInt(rnd, 0, 31), 1 << randInt(rnd, 0, 7));
  mustFail(`flipped byte in proof[${k}]`, verifyConsistency(m, n, r1, r2, flipped));
  return fail;
}

describe("random trees against the naive RFC 6962 definition", () => {
  it(`root of every size 1..${MAX} equals the naive MTH`, () => {
    for (let n = 1; n <= MAX; n++) {
      const got = rootFromLeafHashes(LEAVES.slice(0, n));
      if (!got.equals(NAIVE.root(n))) expect(hex(got), `size ${n}`).toBe(hex(NAIVE.root(n)));
    }
    expect(rootFromLeafHashes([]).equals(NAIVE.root(0))).toBe(true);
  });

  it("inclusion proofs: every index for n <= 64, sampled indexes above", () => {
    const rnd = prng(0x5ea1);
    const failures: string[] = [];
    let checked = 0;
    for (let n = 1; n <= 64; n++) {
      for (let i = 0; i < n; i++, checked++) failures.push(...checkInclusion(n, i, true, rnd));
    }
    // Above 64: ~10 random indexes (plus both ends) on the power-of-two edges and random sizes.
    const sizes = new Set([65, 100, 127, 128, 129, 255, 256, 257, 511, 512, 513, 999, MAX]);
    while (sizes.size < 25) sizes.add(randInt(rnd, 65, MAX));
    for (const n of sizes) {
      const idx = new Set([0, n - 1]);
      while (idx.size < 10) idx.add(randInt(rnd, 0, n - 1));
      for (const i of idx) {
        failures.push(...checkInclusion(n, i, false, rnd));
        checked++;
      }
    }
    expect(failures).toEqual([]);
    expect(checked).toBe(2080 + 25 * 10);
  });

  it("consistency proofs: every (m, n) for n <= 32, sampled pairs above", () => {
    const rnd = prng(0xc0ffee);
    const failures: string[] = [];
    for (let n = 1; n <= 32; n++) for (let m = 0; m <= n; m++) failures.push(...checkConsistency(m, n, rnd));
    const pairs: [number, number][] = [
      [1, MAX],
      [MAX - 1, MAX],
      [512, MAX],
      [511, 512],
      [512, 513],
      [256, 257],
      [255, 999],
      [64, 65],
    ];
    while (pairs.length < 100) {
      const n = randInt(rnd, 33, MAX);
      pairs.push([randInt(rnd, 1, n - 1), n]);
    }
    for (const [m, n] of pairs) failures.push(...checkConsistency(m, n, rnd));
    expect(failures).toEqual([]);
  });

  it("handles 100,000 leaves", () => {
    const n = 100_000;
    const entries = Array.from({ length: n }, (_, i) => Buffer.from(`seal-event-${i}`));
    const leaves = entries.map((e) => leafHash(e));
    const root = rootFromLeafHashes(leaves);
    const i = 77_777;
    const proof = inclusionProof(leaves, i);
    expect(proof).toHaveLength(17);
    expect(verifyInclusion(leaves[i], i, n, proof, root)).toBe(true);
    expect(verifyInclusion(leaves[i + 1], i, n, proof, root)).toBe(false);
  });
});

// ---------------------------------------------------------------------------
// C2SP tlog-checkpoint body and signed-note signature lines.
// ---------------------------------------------------------------------------
// Example from c2sp.org/tlog-checkpoint (C2SP/C2SP tlog-checkpoint.md).
const C2SP_CHECKPOINT_NOTE =
  "example.com/behind-the-sofa\n" +
  "20852163\n" +
  "CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n" +
  "\n" +
  "\u2014 example.com/behind-the-sofa Az3grlgtzPICa5OS8npVmf1Myq/5IZniMp+ZJurmRDeOoRDe4URYN7u5/Zhcyv2q1gGzGku9nTo+zyWE+xeMcTOAYQ8=\n";

// Example from c2sp.org/signed-note (C2SP/C2SP signed-note.md): the text itself contains a blank line.
const C2SP_SIGNED_NOTE =
  "Ognuno sta solo sul cuor della terra\n" +
  "trafitto da un raggio di sole:\n" +
  "\n" +
  "ed è subito sera.\n" +
  "\n" +
  "\u2014 quasimodo.example/salvatore NnugSzTjtVAewIS+Z/iJhUPeFDkO/5QQ2i5ddnGITLlC+EhfLW9oJKONrMouFSQU0xMcXxj99ihAQwaqP3ZekRwNtIc=\n";

// Known-answer vector from golang.org/x/mod/sumdb/note (golang/mod sumdb/note/note.go package doc):
// verifier key "PeterNeumann+c74f20a3+ARpc2Qc..." = name + key ID + base64(0x01 || Ed25519 public key),
// signer key "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFAL..." = base64(0x01 || 32-byte seed).
const PETER_VKEY_B64 = "ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW";
const PETER_SKEY_B64 = "AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz";
const PETER_TEXT =
  "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n";
const PETER_SIG_LINE =
  "\u2014 PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n";
const ENOCH_SIG_LINE =
  "\u2014 EnochRoot rwz+eBzmZa0SO3NbfRGzPCpDckykFXSdeX+MNtCOXm2/5n2tiOHp+vAF1aGrQ5ovTG01oOTGwnWLox33WWd1RvMc+QQ=\n";

describe("C2SP tlog-checkpoint body", () => {
  const root8 = unhex(ROOTS[8]);

  it("formats origin, size and padded standard base64 root, each line ending in \\n", () => {
    const body = checkpointBody("iot-seal.example/log", 8, root8);
    expect(body).toBe(`iot-seal.example/log\n8\n${root8.toString("base64")}\n`);
    expect(body).toBe("iot-seal.example/log\n8\nXcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=\n");
    expect(parseCheckpointBody(body)).toEqual({ origin: "iot-seal.example/log", treeSize: 8, rootHash: root8 });
  });

  it("round-trips the empty tree and large sizes", () => {
    for (const size of [0, 1, 20852163, Number.MAX_SAFE_INTEGER]) {
      const body = checkpointBody("o", size, EMPTY_ROOT);
      const parsed = parseCheckpointBody(body);
      expect(parsed?.treeSize).toBe(size);
      expect(parsed?.rootHash.equals(EMPTY_ROOT)).toBe(true);
      expect(checkpointBody(parsed!.origin, parsed!.treeSize, parsed!.rootHash)).toBe(body);
    }
    expect(checkpointBody("o", 0, EMPTY_ROOT)).toBe("o\n0\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n");
  });

  it("parses the c2sp.org/tlog-checkpoint example", () => {
    const note = parseSignatureLines(C2SP_CHECKPOINT_NOTE);
    expect(note).not.toBeNull();
    const cp = parseCheckpointBody(note!.body);
    expect(cp?.origin).toBe("example.com/behind-the-sofa");
    expect(cp?.treeSize).toBe(20852163);
    expect(cp?.rootHash).toHaveLength(32);
    expect(checkpointBody(cp!.origin, cp!.treeSize, cp!.rootHash)).toBe(note!.body);
    expect(note!.signatures).toHaveLength(1);
    expect(note!.signatures[0].name).toBe("example.com/behind-the-sofa");
    expect(note!.signatures[0].keyId).toHaveLength(4);
    expect(note!.signatures[0].signature).toHaveLength(64);
  });

  it("parses strictly", () => {
    const b64 = root8.toString("base64");
    const ok = `log\n8\n${b64}\n`;
    expect(parseCheckpointBody(ok)).not.toBeNull();
    const bad = [
      // bad size
      `log\n08\n${b64}\n`,
      `log\n00\n${b64}\n`,
      `log\n-1\n${b64}\n`,
      `log\n+8\n${b64}\n`,
      `log\n8.0\n${b64}\n`,
      `log\n1e3\n${b64}\n`,
      `log\n 8\n${b64}\n`,
      `log\n8 \n${b64}\n`,
      `log\n\n${b64}\n`,
      `log\n0x8\n${b64}\n`,
      `log\n９\n${b64}\n`,
      `log\n9007199254740992\n${b64}\n`,
      // missing newline / CRLF
      `log\n8\n${b64}`,
      `log\r\n8\r\n${b64}\r\n`,
      // extra or missing lines
      `log\n8\n${b64}\nextension\n`,
      `log\n8\n${b64}\n\n`,
      `\nlog\n8\n${b64}\n`,
      `log\n${b64}\n`,
      `8\n${b64}\n`,
      "",
      "\n",
      // empty origin
      `\n8\n${b64}\n`,
      // bad base64
      `log\n8\n${b64.slice(0, -1)}\n`,
      `log\n8\n${"_".repeat(43)}=\n`, // URL-safe alphabet
      `log\n8\n${b64.slice(0, 20)} ${b64.slice(20)}\n`,
      `log\n8\n ${b64}\n`,
      `log\n8\n${b64.slice(0, 42)}B=\n`, // non-canonical trailing bits (43rd char must encode 2 zero bits)
      `log\n8\n${"*".repeat(43)}=\n`,
      // wrong hash length
      `log\n8\n${Buffer.alloc(31, 7).toString("base64")}\n`,
      `log\n8\n${Buffer.alloc(33, 7).toString("base64")}\n`,
      `log\n8\n${Buffer.alloc(64, 7).toString("base64")}\n`,
      `log\n8\n\n`,
    ];
    for (const text of bad) expect(parseCheckpointBody(text), JSON.stringify(text)).toBeNull();
    expect(parseCheckpointBody(42 as unknown as string)).toBeNull();
  });

  it("refuses to format invalid checkpoints", () => {
    expect(() => checkpointBody("", 1, root8)).toThrow();
    expect(() => checkpointBody("a\nb", 1, root8)).toThrow();
    expect(() => checkpointBody("log", -1, root8)).toThrow();
    expect(() => checkpointBody("log", 1.5, root8)).toThrow();
    expect(() => checkpointBody("log", 1, Buffer.alloc(31))).toThrow();
  });
});

describe("C2SP signed-note signature lines", () => {
  const peterPub = Buffer.from(PETER_VKEY_B64, "base64").subarray(1);
  const peterSeed = Buffer.from(PETER_SKEY_B64, "base64").subarray(1);
  const b64url = (b: Uint8Array) => Buffer.from(b).toString("base64url");

  it("noteKeyId matches the published golang.org/x/mod/sumdb/note key ID", () => {
    expect(Buffer.from(PETER_VKEY_B64, "base64")[0]).toBe(0x01);
    expect(peterPub).toHaveLength(32);
    expect(hex(noteKeyId("PeterNeumann", peterPub))).toBe("c74f20a3");
    // Structure: SHA-256(name || 0x0A || 0x01 || key)[:4].
    const key = Buffer.alloc(32, 9);
    const id = noteKeyId("iot-seal.example/log", key);
    expect(id).toHaveLength(4);
    expect(hex(id)).toBe(hex(sha256(Buffer.from("iot-seal.example/log\n\x01"), key).subarray(0, 4)));
    expect(() => noteKeyId("bad name", key)).toThrow();
    expect(() => noteKeyId("bad+name", key)).toThrow();
    expect(() => noteKeyId("", key)).toThrow();
    expect(() => noteKeyId("ok", Buffer.alloc(33))).toThrow();
  });

  it("signatureLine reproduces the published PeterNeumann line byte for byte", () => {
    const priv = createPrivateKey({
      key: { kty: "OKP", crv: "Ed25519", x: b64url(peterPub), d: b64url(peterSeed) },
      format: "jwk",
    });
    const sig = edSign(null, Buffer.from(PETER_TEXT), priv); // Ed25519 is deterministic
    const line = signatureLine("PeterNeumann", noteKeyId("PeterNeumann", peterPub), sig);
    expect(line).toBe(PETER_SIG_LINE);
    expect(Buffer.from(line, "utf8").subarray(0, 4).toString("hex")).toBe("e2809420"); // U+2014 EM DASH, space
    expect(line.endsWith("\n")).toBe(true);
    expect(() => signatureLine("PeterNeumann", Buffer.alloc(3), sig)).toThrow();
    expect(() => signatureLine("PeterNeumann", Buffer.alloc(4), Buffer.alloc(63))).toThrow();
    expect(() => signatureLine("Peter Neumann", Buffer.alloc(4), sig)).toThrow();
  });

  it("parses the published notes into body and signatures", () => {
    const note = parseSignatureLines(PETER_TEXT + "\n" + PETER_SIG_LINE);
    expect(note).not.toBeNull();
    expect(note!.body).toBe(PETER_TEXT);
    expect(note!.signatures).toHaveLength(1);
    const [s] = note!.signatures;
    expect(s.name).toBe("PeterNeumann");
    expect(hex(s.keyId)).toBe("c74f20a3");
    expect(s.signature).toHaveLength(64);
    const pub = createPublicKey({ key: { kty: "OKP", crv: "Ed25519", x: b64url(peterPub) }, format: "jwk" });
    expect(edVerify(null, Buffer.from(note!.body), pub, s.signature)).toBe(true);

    const doubly = parseSignatureLines(PETER_TEXT + "\n" + PETER_SIG_LINE + ENOCH_SIG_LINE);
    expect(doubly!.body).toBe(PETER_TEXT);
    expect(doubly!.signatures.map((x) => x.name)).toEqual(["PeterNeumann", "EnochRoot"]);
    expect(hex(doubly!.signatures[1].keyId)).toBe("af0cfe78");

    // The text is separated from the signatures by the LAST blank line.
    const poem = parseSignatureLines(C2SP_SIGNED_NOTE);
    expect(poem!.body).toBe(
      "Ognuno sta solo sul cuor della terra\ntrafitto da un raggio di sole:\n\ned è subito sera.\n",
    );
    expect(poem!.signatures[0].name).toBe("quasimodo.example/salvatore");
    expect(poem!.signatures[0].signature).toHaveLength(64);
  });

  it("round-trips a checkpoint note built from the helpers", () => {
    const body = checkpointBody("iot-seal.example/log", 8, unhex(ROOTS[8]));
    const keyId = noteKeyId("iot-seal.example/log", Buffer.alloc(32, 1));
    const sig = Buffer.alloc(64, 0xab);
    const note = parseSignatureLines(body + "\n" + signatureLine("iot-seal.example/log", keyId, sig));
    expect(note).toEqual({ body, signatures: [{ name: "iot-seal.example/log", keyId, signature: sig }] });
    expect(parseCheckpointBody(note!.body)?.treeSize).toBe(8);
  });

  it("rejects malformed notes", () => {
    const sigB64 = PETER_SIG_LINE.slice("\u2014 PeterNeumann ".length, -1);
    const bad = [
      PETER_TEXT + PETER_SIG_LINE, // no blank line
      PETER_TEXT + "\n", // no signature lines
      PETER_TEXT + "\n" + PETER_SIG_LINE.slice(0, -1), // last line not terminated
      PETER_TEXT + "\n" + PETER_SIG_LINE + "\n", // trailing blank line
      PETER_TEXT + "\n" + `-- PeterNeumann ${sigB64}\n`, // ASCII instead of em dash
      PETER_TEXT + "\n" + `- PeterNeumann ${sigB64}\n`,
      PETER_TEXT + "\n" + `\u2013 PeterNeumann ${sigB64}\n`, // en dash
      PETER_TEXT + "\n" + `\u2014PeterNeumann ${sigB64}\n`, // no space after the dash
      PETER_TEXT + "\n" + `\u2014 PeterNeumann  ${sigB64}\n`, // double space
      PETER_TEXT + "\n" + `\u2014 PeterNeumann\n`,
      PETER_TEXT + "\n" + `\u2014  ${sigB64}\n`, // empty name
      PETER_TEXT + "\n" + `\u2014 Peter+Neumann ${sigB64}\n`,
      PETER_TEXT + "\n" + `\u2014 Peter\u00a0Neumann ${sigB64}\n`, // Unicode space in name
      PETER_TEXT + "\n" + `\u2014 PeterNeumann ${sigB64.slice(0, -1)}\n`, // bad padding
      PETER_TEXT + "\n" + `\u2014 PeterNeumann ${sigB64.replace(/\+/g, "-").replace(/\//g, "_")}\n`, // URL-safe alphabet
      PETER_TEXT + "\n" + `\u2014 PeterNeumann ${Buffer.alloc(4).toString("base64")}\n`, // key ID only, no signature
      PETER_TEXT + "\n" + PETER_SIG_LINE + "not a signature\n",
      PETER_TEXT.replace("\n", "\r\n") + "\n" + PETER_SIG_LINE, // control character
      "a\tb\n\n" + PETER_SIG_LINE,
      "x\ud800\n\n" + PETER_SIG_LINE, // lone surrogate: not well-formed UTF-8
      PETER_TEXT + "\n" + PETER_SIG_LINE.repeat(101), // too many signatures
    ];
    for (const text of bad) expect(parseSignatureLines(text), JSON.stringify(text.slice(-60))).toBeNull();
    expect(parseSignatureLines(PETER_TEXT + "\n" + PETER_SIG_LINE.repeat(100))?.signatures).toHaveLength(100);
  });
});
