/**
 * The transparency log's Merkle tree, stored (table log_nodes): the hash of every complete
 * subtree, written as leaves are appended, so that an append, a root and a proof cost O(log n)
 * (O(log^2 n) node reads at worst for a proof) whatever the size of the log, and so that the
 * C2SP tlog-tiles (https://c2sp.org/tlog-tiles) are read straight from it: a tile at tile level T
 * is a run of nodes of tree level 8T, an entry bundle a run of log_leaves.data.
 *
 * The tree arithmetic is in domain/tiles.ts; this module only reads and writes rows. Its
 * statements run on the process's one SQLite connection, the one every transaction runs on, so
 * inside `transaction(...)` they are part of it.
 *
 * A data directory from before log_nodes has leaves but no nodes: `ensureLogTree` fills them
 * from log_leaves in one transaction (idempotent, resumable: it starts where the nodes end),
 * checking every leaf hash against its entry and the tree against the latest signed checkpoint
 * it covers. It runs at start-up, and before any append or read finds the nodes behind.
 */
import type BetterSqlite3 from "better-sqlite3";
import { db, transaction, type Db } from "../../platform/db.server";
import { HASH_SIZE, leafHash, nodeHash } from "./domain/merkle";
import {
  consistencyRanges,
  entryBundle,
  foldNodes,
  inclusionRanges,
  rootNodes,
  subtreeNodes,
  tileNodeRange,
  tileWidthAt,
  type Range,
  type TileRef,
} from "./domain/tiles";

type Client = Db["$client"];
type Statement = BetterSqlite3.Statement<unknown[]>;

interface Statements {
  node: Statement;
  insertNode: Statement;
  nodeRun: Statement;
  leafCount: Statement;
  nodeLeafCount: Statement;
  leavesFrom: Statement;
  leafData: Statement;
  checkpointAtOrBelow: Statement;
}

const prepared = new WeakMap<Client, Statements>();

function statements(): Statements {
  const client = db().$client;
  let s = prepared.get(client);
  if (!s) {
    s = {
      node: client.prepare("select hash from log_nodes where level = ? and idx = ?").pluck(),
      insertNode: client.prepare("insert into log_nodes (level, idx, hash) values (?, ?, ?)"),
      nodeRun: client
        .prepare("select hash from log_nodes where level = ? and idx >= ? and idx < ? order by idx")
        .pluck(),
      leafCount: client.prepare("select coalesce(max(leaf_index) + 1, 0) from log_leaves").pluck(),
      nodeLeafCount: client.prepare("select coalesce(max(idx) + 1, 0) from log_nodes where level = 0").pluck(),
      leavesFrom: client.prepare(
        "select leaf_index as i, data, leaf_hash as h from log_leaves where leaf_index >= ? order by leaf_index limit ?",
      ),
      leafData: client
        .prepare("select data from log_leaves where leaf_index >= ? and leaf_index < ? order by leaf_index")
        .pluck(),
      checkpointAtOrBelow: client.prepare(
        "select tree_size as size, root_hash as root from log_checkpoints where tree_size <= ? order by tree_size desc limit 1",
      ),
    };
    prepared.set(client, s);
  }
  return s;
}

/** The hash of stored node (level, index); throws if the tree does not have it (yet). */
function node(s: Statements, level: number, index: number): Buffer {
  const h = s.node.get(level, index) as Buffer | undefined;
  if (!h) throw new Error(`The log's tree has no node (${level}, ${index}).`);
  return h;
}

/**
 * Stores the leaf hashes of leaves start, start+1, ... and every node they complete. `start`
 * must be the number of leaves the stored tree has. A left sibling is read once (O(log n) reads
 * for one leaf), then kept while the run lasts. Call inside a transaction.
 */
export function appendLeafHashes(start: number, hashes: readonly Buffer[]): void {
  const s = statements();
  const pending = new Map<number, Buffer>(); // level -> the latest left child waiting for its right sibling
  for (let k = 0; k < hashes.length; k++) {
    let h = hashes[k];
    if (h.length !== HASH_SIZE) throw new TypeError("a leaf hash is 32 bytes");
    let index = start + k;
    let level = 0;
    s.insertNode.run(level, index, h);
    while (index % 2 === 1) {
      const left = pending.get(level) ?? node(s, level, index - 1);
      pending.delete(level);
      h = nodeHash(left, h);
      index = (index - 1) / 2;
      level++;
      s.insertNode.run(level, index, h);
    }
    pending.set(level, h);
  }
}

/** How many leaves the stored tree has (the level-0 nodes). */
export function treeLeafCount(): number {
  return statements().nodeLeafCount.get() as number;
}

/** MTH of the first `size` leaves, from at most log2(size) stored nodes. */
export function treeRoot(size: number): Buffer {
  const s = statements();
  return foldNodes(rootNodes(size).map((n) => node(s, n.level, n.index)));
}

function rangeHash(s: Statements, r: Range): Buffer {
  return foldNodes(subtreeNodes(r.lo, r.hi).map((n) => node(s, n.level, n.index)));
}

/** RFC 6962 PATH(index, D[0:size]) from the stored nodes (as merkle.ts's inclusionProof over all leaf hashes). */
export function treeInclusionProof(index: number, size: number): Buffer[] {
  const s = statements();
  return inclusionRanges(index, size).map((r) => rangeHash(s, r));
}

/** RFC 6962 PROOF(from, D[0:to]) from the stored nodes (as merkle.ts's consistencyProof over all leaf hashes). */
export function treeConsistencyProof(from: number, to: number): Buffer[] {
  const s = statements();
  return consistencyRanges(from, to).map((r) => rangeHash(s, r));
}

/**
 * The bytes of a tile or entry bundle of the tree of `size` leaves: a full one once its 256
 * hashes (entries) exist; a partial one of width W once the tile has at least W (its first W,
 * which never change: the tree had exactly that partial tile at a size it passed through).
 * Null for a tile the tree does not have.
 */
export function tileBytes(t: TileRef, size: number): Buffer | null {
  const s = statements();
  const have = tileWidthAt(t.level === "entries" ? 0 : t.level, t.index, size);
  const width = t.width ?? 256;
  if (have < width) return null;
  if (t.level === "entries") {
    const from = t.index * 256;
    const rows = s.leafData.all(from, from + width) as string[];
    if (rows.length !== width) throw new Error(`The log is missing leaves in [${from}, ${from + width}).`);
    return entryBundle(rows.map((d) => Buffer.from(d, "utf8")));
  }
  const r = tileNodeRange(t.level, t.index, width);
  const hashes = s.nodeRun.all(r.level, r.from, r.to) as Buffer[];
  if (hashes.length !== width)
    throw new Error(`The log's tree is missing nodes of level ${r.level} in [${r.from}, ${r.to}).`);
  return Buffer.concat(hashes);
}

const BACKFILL_CHUNK = 10_000;

/**
 * Makes the stored tree cover every leaf of log_leaves (see the module comment). Returns how
 * many leaves it added (0 when the tree was complete: two index lookups). Throws, changing
 * nothing, if a leaf's hash is not its entry's or the tree's root differs from a signed
 * checkpoint's.
 */
export function ensureLogTree(): number {
  const s = statements();
  // Leaves first: outside a transaction the two reads may see two commits, and nodes only grow.
  const leaves = s.leafCount.get() as number;
  if ((s.nodeLeafCount.get() as number) >= leaves) return 0;
  return transaction(() => {
    const have = s.nodeLeafCount.get() as number;
    const want = s.leafCount.get() as number;
    if (have > want) throw new Error(`The log's tree has ${have} leaves but the log only ${want}.`);
    let at = have;
    while (at < want) {
      const rows = s.leavesFrom.all(at, BACKFILL_CHUNK) as { i: number; data: string; h: string }[];
      const hashes: Buffer[] = [];
      for (const row of rows) {
        if (row.i !== at + hashes.length) throw new Error(`The log has no leaf ${at + hashes.length}.`);
        const h = leafHash(Buffer.from(row.data, "utf8"));
        if (h.toString("hex") !== row.h) throw new Error(`Leaf ${row.i}'s stored hash is not the hash of its entry.`);
        hashes.push(h);
      }
      if (!hashes.length) break;
      appendLeafHashes(at, hashes);
      at += hashes.length;
    }
    const cp = s.checkpointAtOrBelow.get(want) as { size: number; root: string } | undefined;
    if (cp && cp.size > 0 && treeRoot(cp.size).toString("hex") !== cp.root)
      throw new Error(`The log's leaves do not give the root of its signed checkpoint of size ${cp.size}.`);
    return want - have;
  });
}
