// Issue 17: the transparency log as C2SP tlog-tiles (https://c2sp.org/tlog-tiles), on the stored
// Merkle tree (log_nodes): appends and proofs read O(log n) nodes and give exactly merkle.ts's
// proofs; a data directory from before log_nodes gets its tree back-filled; the tiles and entry
// bundles are served at the spec's paths, immutable, and an independent checker (below: plain
// SHA-256, its own path encoding) rebuilds the signed checkpoint's root from tiles alone.
import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { logLeaves } from "../../../db/schema";
import { db, transaction } from "../../../app/platform/db.server";
import { getEnv } from "../../../app/platform/env.server";
import { signingKeys } from "../../../app/features/trust/adapters/signing-keys.server";
import {
  consistencyProof,
  inclusionProof,
  leafHash,
  rootFromLeafHashes,
  verifyConsistency,
  verifyInclusion,
} from "../../../app/features/trust/domain/merkle";
import { logOrigin, verifyCheckpoint } from "../../../app/features/trust/domain/tlog";
import {
  appendLog,
  appendLogWithProof,
  consistencyProofFor,
  inclusionProofFor,
  latestCheckpoint,
  logSize,
} from "../../../app/features/trust/transparency-log.server";
import { ensureLogTree, treeLeafCount } from "../../../app/features/trust/log-tree.server";
import { startFastRoutes, type TestServer } from "../../support/http";
import { prng } from "../../support/prng";

let server: TestServer;
const jwks = () => signingKeys(getEnv().dataDir).jwks().keys;
const origin = () => logOrigin(getEnv().baseUrl);
const b64 = (list: string[]) => list.map((h) => Buffer.from(h, "base64"));
const nodeRows = () => db().$client.prepare("select count(*) from log_nodes").pluck().get() as number;
const popcount = (n: number) => n.toString(2).replace(/0/g, "").length;

/** Every leaf hash of the log, from log_leaves (what merkle.ts's O(n) functions take). */
function allLeafHashes(): Buffer[] {
  return db()
    .select({ h: logLeaves.leafHash })
    .from(logLeaves)
    .orderBy(logLeaves.leafIndex)
    .all()
    .map((r) => Buffer.from(r.h, "hex"));
}

function appendSome(n: number): void {
  for (let i = 0; i < n; i++) transaction((tx) => appendLog(tx, { event: "test", serial: `T-${i}` }));
}

/** Leaves written straight into log_leaves, as a data directory from before log_nodes has them. */
function insertRawLeaves(from: number, to: number): void {
  const insert = db().$client.prepare("insert into log_leaves (leaf_index, data, leaf_hash, at) values (?, ?, ?, ?)");
  transaction(() => {
    for (let i = from; i < to; i++) {
      const data = JSON.stringify({ event: "bulk", index: i });
      insert.run(i, data, leafHash(Buffer.from(data)).toString("hex"), 1_700_000_000_000);
    }
  });
}

async function get(path: string, init?: RequestInit): Promise<Response> {
  return fetch(`${server.base}${path}`, init);
}

async function bytes(path: string): Promise<Buffer> {
  const res = await get(path);
  expect(res.status, path).toBe(200);
  return Buffer.from(await res.arrayBuffer());
}

// ---- an independent tlog-tiles client: node:crypto only, nothing from app/ ----
const sha256 = (...parts: Uint8Array[]) => {
  const h = createHash("sha256");
  for (const p of parts) h.update(p);
  return h.digest();
};
const hashesOf = (tile: Buffer) =>
  Array.from({ length: tile.length / 32 }, (_, i) => tile.subarray(i * 32, i * 32 + 32));
/** RFC 6962 MTH over already-hashed items (a tile's hashes are the leaves of its subtree). */
function mth(items: Buffer[]): Buffer {
  if (items.length === 1) return items[0];
  let k = 1;
  while (k * 2 < items.length) k *= 2;
  return sha256(Buffer.from([1]), mth(items.slice(0, k)), mth(items.slice(k)));
}
function indexPath(n: number): string {
  const parts = [String(n % 1000).padStart(3, "0")];
  for (let m = Math.floor(n / 1000); m > 0; m = Math.floor(m / 1000))
    parts.unshift(`x${String(m % 1000).padStart(3, "0")}`);
  return parts.join("/");
}
/** The tile holding hash number `i` of tile level `level` in a tree of `size` leaves, as its path. */
function tileFor(level: number, i: number, size: number): string {
  const n = Math.floor(i / 256);
  const width = Math.min(256, Math.floor(size / 256 ** level) - n * 256);
  return `/log/tile/${level}/${indexPath(n)}${width < 256 ? `.p/${width}` : ""}`;
}
/**
 * The root of the tree of `size` leaves from tiles alone: one complete subtree per set bit of the
 * size, largest first; a subtree of height h is the MTH of 2^(h mod 8) consecutive hashes of one
 * tile at tile level floor(h / 8); the subtrees fold from the right.
 */
async function rootFromTiles(size: number): Promise<Buffer> {
  const parts: Buffer[] = [];
  let start = 0;
  for (let h = 52; h >= 0; h--) {
    if (Math.floor(size / 2 ** h) % 2 === 0) continue;
    const level = Math.floor(h / 8);
    const first = start / 256 ** level;
    const tile = hashesOf(await bytes(tileFor(level, first, size)));
    parts.push(mth(tile.slice(first % 256, (first % 256) + 2 ** (h % 8))));
    start += 2 ** h;
  }
  let root = parts.pop()!;
  while (parts.length) root = sha256(Buffer.from([1]), parts.pop()!, root);
  return root;
}

beforeAll(async () => {
  await signingKeys(getEnv().dataDir).ensureActive();
  server = await startFastRoutes();
});
afterAll(() => server.close());

describe("the stored tree (log_nodes)", () => {
  it("each append stores its leaf and the nodes it completes: 2n - popcount(n) nodes for n leaves", () => {
    appendSome(300);
    expect(logSize()).toBe(300);
    expect(treeLeafCount()).toBe(300);
    expect(nodeRows()).toBe(2 * 300 - popcount(300));
    const { index, proof } = transaction((tx) => appendLogWithProof(tx, { event: "test", serial: "T-with-proof" }));
    expect(index).toBe(300);
    expect(b64(proof.inclusionProof)).toEqual(inclusionProof(allLeafHashes(), 300));
    expect(nodeRows()).toBe(2 * 301 - popcount(301));
  });

  it("inclusion and consistency proofs from the stored nodes equal merkle.ts's over all leaf hashes, and verify", () => {
    appendSome(800); // 1,101 leaves, a signed checkpoint at every size
    const leaves = allLeafHashes();
    const rnd = prng(6962);
    for (let t = 0; t < 60; t++) {
      const size = 1 + Math.floor(rnd() * leaves.length);
      const tree = leaves.slice(0, size);
      const root = rootFromLeafHashes(tree);
      const index = Math.floor(rnd() * size);
      const p = inclusionProofFor(index, size);
      if (!p.ok) throw new Error(p.message);
      expect(b64(p.value.inclusionProof)).toEqual(inclusionProof(tree, index));
      expect(verifyInclusion(leaves[index], index, size, b64(p.value.inclusionProof), root)).toBe(true);
      const from = 1 + Math.floor(rnd() * size);
      const c = consistencyProofFor(from, size);
      if (!c.ok) throw new Error(c.message);
      expect(b64(c.value.proof)).toEqual(consistencyProof(tree, from));
      expect(verifyConsistency(from, size, rootFromLeafHashes(leaves.slice(0, from)), root, b64(c.value.proof))).toBe(
        true,
      );
    }
  });

  it("a data directory from before log_nodes gets the same tree back-filled, once (idempotent), and appends go on", () => {
    const before = db().$client.prepare("select level, idx, hex(hash) h from log_nodes order by level, idx").all();
    db().$client.prepare("delete from log_nodes").run(); // as after migration 0017 on an old data directory
    expect(treeLeafCount()).toBe(0);
    expect(ensureLogTree()).toBe(1101);
    expect(db().$client.prepare("select level, idx, hex(hash) h from log_nodes order by level, idx").all()).toEqual(
      before,
    );
    expect(ensureLogTree()).toBe(0);

    // Half-filled (a tree behind its leaves): an append fills the rest first, in its own transaction.
    db().$client.prepare("delete from log_nodes where (idx + 1) * (1 << level) > 500").run();
    expect(treeLeafCount()).toBe(500);
    appendSome(1);
    expect(nodeRows()).toBe(2 * 1102 - popcount(1102));
    const cp = verifyCheckpoint(latestCheckpoint().note, origin(), jwks())!;
    expect(cp.treeSize).toBe(1102);
    expect(cp.rootHash).toEqual(rootFromLeafHashes(allLeafHashes()));
  });

  it("leaves written without their nodes are back-filled in bulk, checked against the signed checkpoint", () => {
    insertRawLeaves(1102, 69_999);
    expect(ensureLogTree()).toBe(69_999 - 1102);
    appendSome(1); // 70,000 leaves: the spec's example
    expect(logSize()).toBe(70_000);
    expect(nodeRows()).toBe(2 * 70_000 - popcount(70_000));
    const leaves = allLeafHashes();
    for (const [index, size] of [
      [0, 70_000],
      [69_999, 70_000],
      [65_536, 70_000],
      [1101, 1102],
    ]) {
      const p = inclusionProofFor(index, size);
      if (!p.ok) throw new Error(p.message);
      expect(b64(p.value.inclusionProof)).toEqual(inclusionProof(leaves.slice(0, size), index));
    }
    const c = consistencyProofFor(1102, 70_000);
    expect(c.ok && b64(c.value.proof)).toEqual(consistencyProof(leaves, 1102));
  });
});

describe("tlog-tiles over HTTP (a tree of 70,000 leaves)", () => {
  it("tlog-tiles: a full tile at level 0 holds 256 leaf hashes (8,192 bytes), immutable, CORS open", async () => {
    const res = await get("/log/tile/0/001");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/octet-stream");
    expect(res.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
    expect(res.headers.get("access-control-allow-origin")).toBe("*");
    const tile = Buffer.from(await res.arrayBuffer());
    expect(tile.length).toBe(8192);
    expect(tile).toEqual(Buffer.concat(allLeafHashes().slice(256, 512)));
  });

  it("tlog-tiles: each hash of a level-1 tile is the MTH of the full level-0 tile below it", async () => {
    const level1 = hashesOf(await bytes("/log/tile/1/000"));
    expect(level1).toHaveLength(256);
    for (const n of [0, 1, 100, 255])
      expect(level1[n]).toEqual(mth(hashesOf(await bytes(`/log/tile/0/${indexPath(n)}`))));
    const partial = hashesOf(await bytes("/log/tile/1/001.p/17"));
    expect(partial[16]).toEqual(mth(hashesOf(await bytes("/log/tile/0/272"))));
    expect(hashesOf(await bytes("/log/tile/2/000.p/1"))[0]).toEqual(mth(level1));
  });

  it("tlog-tiles: tiles rebuild the checkpoint's root", async () => {
    const checkpoint = await (await get("/log/checkpoint")).text();
    const cp = verifyCheckpoint(checkpoint, origin(), jwks());
    expect(cp).not.toBeNull();
    expect(cp!.treeSize).toBe(70_000);
    expect(await rootFromTiles(cp!.treeSize)).toEqual(cp!.rootHash);
    // And every smaller tree the log has signed, from the same tiles (their partial widths).
    for (const size of [1, 255, 256, 257, 1101, 1102]) {
      const p = inclusionProofFor(0, size);
      const signed = p.ok && p.value.checkpoint ? verifyCheckpoint(p.value.checkpoint, origin(), jwks()) : null;
      expect(await rootFromTiles(size), `size ${size}`).toEqual(signed!.rootHash);
    }
  });

  it("tlog-tiles: entry bundles hash to the level-0 tile (full and partial), gzip-compressed on request", async () => {
    for (const [bundle, tile] of [
      ["/log/tile/entries/000", "/log/tile/0/000"],
      ["/log/tile/entries/004", "/log/tile/0/004"],
      ["/log/tile/entries/273.p/112", "/log/tile/0/273.p/112"],
    ]) {
      const res = await get(bundle, { headers: { "Accept-Encoding": "gzip" } });
      expect(res.status).toBe(200);
      expect(res.headers.get("content-encoding")).toBe("gzip");
      expect(res.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
      const body = Buffer.from(await res.arrayBuffer()); // fetch has decompressed it
      const entries: Buffer[] = [];
      for (let at = 0; at < body.length;) {
        const len = body.readUInt16BE(at);
        entries.push(body.subarray(at + 2, at + 2 + len));
        at += 2 + len;
      }
      const hashes = hashesOf(await bytes(tile));
      expect(entries).toHaveLength(hashes.length);
      entries.forEach((e, i) => expect(sha256(Buffer.from([0]), e)).toEqual(hashes[i]));
    }
  });

  it("tlog-tiles: a partial tile of width W is the first W hashes, for every width the tree passed through; wider is 404", async () => {
    const p112 = await bytes("/log/tile/0/273.p/112");
    expect(p112.length).toBe(112 * 32);
    expect(await bytes("/log/tile/0/273.p/5")).toEqual(p112.subarray(0, 5 * 32));
    expect(await bytes("/log/tile/0/000.p/255")).toEqual((await bytes("/log/tile/0/000")).subarray(0, 255 * 32));
    expect((await get("/log/tile/0/273.p/113")).status).toBe(404);
    expect((await get("/log/tile/0/273")).status).toBe(404);
    expect((await get("/log/tile/1/001.p/18")).status).toBe(404);
    expect((await get("/log/tile/entries/273.p/113")).status).toBe(404);
    // The tree grows: the partial tile served before is unchanged, and the next width exists.
    appendSome(1);
    expect(await bytes("/log/tile/0/273.p/112")).toEqual(p112);
    expect((await bytes("/log/tile/0/273.p/113")).subarray(0, 112 * 32)).toEqual(p112);
  });

  it("tlog-tiles: a tile the tree does not have yet is 404, not cached", async () => {
    for (const path of [
      "/log/tile/0/274.p/1",
      "/log/tile/0/x001/x234/067",
      "/log/tile/2/000",
      "/log/tile/3/000.p/1",
      "/log/tile/63/000.p/1",
      "/log/tile/entries/275",
    ]) {
      const res = await get(path);
      expect(res.status, path).toBe(404);
      expect(res.headers.get("cache-control"), path).toBe("no-store");
      expect(await res.json()).toEqual({ error: expect.stringMatching(/no such tile/) });
    }
  });

  it("tlog-tiles: paths are parsed strictly (x001/x234/067 elements, no leading zeros): anything else is 400", async () => {
    for (const path of [
      "/log/tile/0/1",
      "/log/tile/0/x000/001",
      "/log/tile/00/000",
      "/log/tile/64/000",
      "/log/tile/0/000.p/256",
      "/log/tile/0/000.p/0",
      "/log/tile/0/001/002",
      "/log/tile/0/%30%30%30",
      "/log/tile/entries",
      "/log/tile/",
    ]) {
      const res = await get(path);
      expect(res.status, path).toBe(400);
      expect((await res.json()).error, path).toMatch(/tlog-tiles path/);
    }
  });

  it("tlog-tiles: GET and HEAD only", async () => {
    const head = await get("/log/tile/0/000", { method: "HEAD" });
    expect(head.status).toBe(200);
    expect(head.headers.get("content-length")).toBe("8192");
    expect((await get("/log/tile/0/000", { method: "POST" })).status).toBe(405);
  });
});

describe("a log that does not match its checkpoint", () => {
  it("is refused by the back-fill, which changes nothing", () => {
    const size = logSize();
    db()
      .$client.prepare("insert into log_leaves (leaf_index, data, leaf_hash, at) values (?, ?, ?, ?)")
      .run(size, "{}", "00".repeat(32), 0);
    const nodes = nodeRows();
    expect(() => ensureLogTree()).toThrow(/stored hash is not the hash of its entry/);
    expect(nodeRows()).toBe(nodes);
  });
});
