/**
 * The transparency log: every seal event is appended as a leaf (RFC 6962 hashing) inside the
 * transaction that makes the change, with the tree nodes it completes (log-tree.server.ts) and a
 * signed C2SP checkpoint for the new tree size. An append, a root and a proof read O(log n)
 * stored nodes, never the whole log. The log is also served as C2SP tlog-tiles (`logTile`);
 * the JSON inclusion and consistency proofs stay as a convenience.
 */
import crypto from "node:crypto";
import canonicalize from "canonicalize";
import { desc, eq, sql } from "drizzle-orm";
import { logCheckpoints, logLeaves } from "../../../db/schema";
import { signingKeys } from "./adapters/signing-keys.server";
import { nowMs } from "../../platform/clock.server";
import { getEnv } from "../../platform/env.server";
import {
  checkpointBody,
  leafHash,
  noteKeyId,
  parseSignatureLines,
  rootFromLeafHashes,
  signatureLine,
} from "./domain/merkle";
import { MAX_ENTRY_BYTES, parseTilePath } from "./domain/tiles";
import {
  appendLeafHashes,
  ensureLogTree,
  tileBytes,
  treeConsistencyProof,
  treeInclusionProof,
  treeRoot,
} from "./log-tree.server";
import { logOrigin, noteVerifierKey, TLOG_PROOF_FORMAT, verifyCheckpoint, type TlogProof } from "./domain/tlog";
import { entryNotBefore, leafTime } from "./domain/log-time";
import { commitDurably, db, placeholders, preparedQueries, type Tx } from "../../platform/db.server";

/** Every append's reads and writes, prepared once per connection (an append is on every seal event). */
const appending = preparedQueries((t) => ({
  last: t
    .select({ i: logLeaves.leafIndex, at: logLeaves.at })
    .from(logLeaves)
    .orderBy(desc(logLeaves.leafIndex))
    .limit(1)
    .prepare(),
  insertLeaf: t
    .insert(logLeaves)
    .values(placeholders(["leafIndex", "data", "leafHash", "at"] as const))
    .prepare(),
  insertCheckpoint: t
    .insert(logCheckpoints)
    .values(placeholders(["treeSize", "rootHash", "note", "kid", "at"] as const))
    .prepare(),
}));

type Reader = Tx | ReturnType<typeof db>;

let originCache: { baseUrl: string; origin: string } | undefined;

/** The origin this process's PUBLIC_URL (or localhost:PORT) would give a new log (parsed once per URL). */
function environmentLogOrigin(): string {
  const baseUrl = getEnv().baseUrl;
  if (originCache?.baseUrl !== baseUrl) originCache = { baseUrl, origin: logOrigin(baseUrl) };
  return originCache.origin;
}

/** The origin line of the latest stored checkpoint (one indexed row; the line only, not the cosignatures). */
const latestOrigin = preparedQueries((t) =>
  t
    .select({ origin: sql<string>`substr(${logCheckpoints.note}, 1, instr(${logCheckpoints.note}, char(10)) - 1)` })
    .from(logCheckpoints)
    .orderBy(desc(logCheckpoints.treeSize))
    .limit(1)
    .prepare(),
);
const warnedOrigins = new Set<string>();

/** Whether this process is the server, the authority on where the portal lives (signLogAsServer). */
let signsAsServer = false;

/**
 * Declares this process the server: from now on it signs the log's checkpoints under the origin
 * its own PUBLIC_URL (or localhost:PORT) gives, whatever the log's latest checkpoint was signed
 * under (a portal moved to a new PUBLIC_URL signs as its new address, which its new seals name as
 * their issuer). Returns the warning to give when that differs from the latest checkpoint's
 * origin (null when it does not, or `quiet`: a cluster's workers, whose primary has said it); the
 * caller prints it once the start is not refused. The server's startup calls it; every other
 * process (the npm run scripts, tests) follows the server's latest checkpoint.
 */
export function signLogAsServer(opts: { quiet?: boolean } = {}): string | null {
  signsAsServer = true;
  if (opts.quiet) return null;
  const latest = latestOrigin(db()).get()?.origin;
  const own = environmentLogOrigin();
  if (latest === undefined || latest === own) return null;
  return (
    `[log] The transparency log's latest checkpoint was signed as ${latest}; this server, with ${serverAddressSettings()}, signs as ${own} from now on. ` +
    `Seals issued before keep their proofs under ${latest} and still verify. If the portal has not moved, set PUBLIC_URL (or PORT) as it was.`
  );
}

/**
 * The log's origin line, for the checkpoint signed next (read in `t`). The server
 * (signLogAsServer) signs under its own PUBLIC_URL (or localhost:PORT), with no query: it is the
 * authority on where the portal lives. Any other process (a script run from a shell without the
 * server's PUBLIC_URL or PORT) follows the server: it signs under the latest checkpoint's origin
 * once the log has one, and says so once per process when its own would differ; an empty log
 * takes the process's own. Only a process that appends (`opts.appending`) is told: one that only
 * reads the log (a restore's check against the publication, a proof) has nothing to set.
 */
export function currentLogOrigin(t: Reader = db(), opts: { appending?: boolean } = {}): string {
  const own = environmentLogOrigin();
  if (signsAsServer) return own;
  const latest = latestOrigin(t).get()?.origin;
  if (latest === undefined) return own;
  if (opts.appending && own !== latest && !warnedOrigins.has(`${latest} ${own}`)) {
    warnedOrigins.add(`${latest} ${own}`);
    console.warn(originMismatch(latest, own));
  }
  return latest;
}

/** PUBLIC_URL or PORT, as this process has them: what gives the address it signs the log under. */
export function serverAddressSettings(): string {
  const env = getEnv();
  return env.publicUrlSet ? `PUBLIC_URL=${env.baseUrl}` : `PORT=${env.port} and no PUBLIC_URL (so ${env.baseUrl})`;
}

/** The warning for a process that is not the server and whose PUBLIC_URL/PORT would sign otherwise than the server last did. */
function originMismatch(latest: string, own: string): string {
  return (
    `[log] This process follows the server's log origin ${latest} (its latest checkpoint was signed under it), ` +
    `but has ${serverAddressSettings()}, which would make it ${own}. Set PUBLIC_URL (or PORT) as the server has them.`
  );
}

/** The note key id of the signing key for an origin, computed once per (origin, key). */
const keyIds = new Map<string, Buffer>();
function keyIdOf(origin: string, kid: string, publicKeyRaw: Buffer): Buffer {
  const k = `${origin} ${kid}`;
  let id = keyIds.get(k);
  if (!id) keyIds.set(k, (id = noteKeyId(origin, publicKeyRaw)));
  return id;
}

/**
 * Appends one entry (its index is part of what is hashed) and signs a checkpoint for the new
 * size. Returns the leaf index. Must run inside the transaction that makes the change.
 */
export function appendLog(tx: Tx, entry: Record<string, unknown>): number {
  return append(tx, entry, false).index;
}

/** As appendLog, also returning the new leaf's inclusion proof in the new tree (what a seal PDF carries). */
export function appendLogWithProof(tx: Tx, entry: Record<string, unknown>): { index: number; proof: TlogProof } {
  const r = append(tx, entry, true);
  return { index: r.index, proof: r.proof! };
}

function append(tx: Tx, entry: Record<string, unknown>, withProof: boolean): { index: number; proof?: TlogProof } {
  ensureLogTree(); // a data directory from before log_nodes gets its tree first (once)
  const q = appending(tx);
  const previous = q.last.get();
  const index = previous ? previous.i + 1 : 0;
  // Never a back-dated leaf: its time (and the time its entry states) is not before the previous leaf's (domain/log-time.ts).
  const previousAt = previous ? previous.at.getTime() : null;
  const clock = nowMs();
  const at = new Date(leafTime(clock, previousAt));
  if (at.getTime() - clock > 60_000)
    console.warn(
      `[log] the clock is ${at.getTime() - clock} ms behind the last log leaf; leaf ${index} is dated as it`,
    );
  const data = canonicalize({ index, ...entryNotBefore(entry, previousAt, at.getTime()) })!;
  if (Buffer.byteLength(data) > MAX_ENTRY_BYTES)
    throw new RangeError(
      `A log entry is at most ${MAX_ENTRY_BYTES} bytes (a tlog-tiles entry bundle's uint16 length).`,
    );
  const hash = leafHash(Buffer.from(data));
  q.insertLeaf.run({ leafIndex: index, data, leafHash: hash.toString("hex"), at });
  appendLeafHashes(index, [hash]); // O(log n): the leaf and the nodes it completes
  const treeSize = index + 1;
  const { origin, note } = signCheckpoint(tx, treeSize, treeRoot(treeSize), at);
  commitDurably(); // a signed checkpoint goes out once committed: never one a power cut could take back
  if (!withProof) return { index };
  const proof: TlogProof = {
    format: TLOG_PROOF_FORMAT,
    origin,
    leafIndex: index,
    treeSize,
    leaf: data,
    inclusionProof: treeInclusionProof(index, treeSize).map((h) => h.toString("base64")),
    checkpoint: note,
  };
  return { index, proof };
}

/** Signs and stores the checkpoint for a new tree size, under the log's origin (read in `tx`, before the insert). */
function signCheckpoint(tx: Tx, treeSize: number, root: Buffer, at: Date): { origin: string; note: string } {
  const origin = currentLogOrigin(tx, { appending: true });
  const signer = signingKeys(getEnv().dataDir).signerSync();
  const body = checkpointBody(origin, treeSize, root);
  const signature = crypto.sign(null, Buffer.from(body), signer.key);
  const note = `${body}\n${signatureLine(origin, keyIdOf(origin, signer.kid, signer.publicKeyRaw), signature)}`;
  appending(tx).insertCheckpoint.run({ treeSize, rootHash: root.toString("hex"), note, kid: signer.kid, at });
  return { origin, note };
}

/**
 * Puts back leaves this database lost but the log had published (a restore from a replica that
 * trailed the publication; the public module's log recovery reads them from the published entry
 * bundles): `entries` are the leaves from logSize() on, byte for byte, and `note` the published
 * checkpoint for the size they reach, signed by this portal. Refused (RangeError, nothing
 * written) unless each entry states its own index and the tree they make has the checkpoint's
 * root, so the log ends as verifiers were shown it, never forked. Leaf times are the times the
 * entries state, never going backwards. The checkpoint is stored with the portal's own signature
 * line only (witness cosignatures are asked for again). Inside the caller's transaction, which is
 * made durable. Returns the indexes put back.
 */
export function restoreLeaves(tx: Tx, entries: readonly Buffer[], note: string): { from: number; to: number } {
  ensureLogTree();
  const q = appending(tx);
  const previous = q.last.get();
  const from = previous ? previous.i + 1 : 0;
  const keys = signingKeys(getEnv().dataDir).jwks().keys;
  const origin = currentLogOrigin(tx, { appending: true });
  const checkpoint = verifyCheckpoint(note, origin, keys);
  if (!checkpoint)
    throw new RangeError("The checkpoint is not this log's (its origin, or no key of this portal signed it).");
  if (checkpoint.treeSize !== from + entries.length)
    throw new RangeError(
      `The checkpoint is for ${checkpoint.treeSize} leaves; this log has ${from} and ${entries.length} were given.`,
    );
  let at = previous ? previous.at.getTime() : 0;
  const hashes: Buffer[] = [];
  for (const [k, bytes] of entries.entries()) {
    const index = from + k;
    let stated: unknown;
    try {
      stated = JSON.parse(bytes.toString("utf8"));
    } catch {
      throw new RangeError(`Entry ${index} is not JSON.`);
    }
    const s = stated as { index?: unknown; at?: unknown };
    if (typeof stated !== "object" || stated === null || s.index !== index)
      throw new RangeError(`Entry ${index} does not state its index (${JSON.stringify(s?.index)}).`);
    const statedAt = typeof s.at === "string" ? Date.parse(s.at) : NaN;
    at = leafTime(Number.isNaN(statedAt) ? at : statedAt, at);
    const hash = leafHash(bytes);
    q.insertLeaf.run({
      leafIndex: index,
      data: bytes.toString("utf8"),
      leafHash: hash.toString("hex"),
      at: new Date(at),
    });
    hashes.push(hash);
  }
  appendLeafHashes(from, hashes);
  const root = treeRoot(checkpoint.treeSize);
  if (!root.equals(checkpoint.rootHash))
    throw new RangeError(
      `The ${entries.length} entries after leaf ${from - 1} do not make the checkpoint's tree (its root differs): they are not the published log's.`,
    );
  const own = parseSignatureLines(note)!;
  const jwk = keys.find((k) => k.kid === checkpoint.kid)!;
  const keyId = keyIdOf(origin, checkpoint.kid, Buffer.from(jwk.x!, "base64url"));
  const line = own.signatures.find((sig) => sig.name === origin && sig.keyId.equals(keyId))!;
  q.insertCheckpoint.run({
    treeSize: checkpoint.treeSize,
    rootHash: root.toString("hex"),
    note: `${own.body}\n${signatureLine(origin, keyId, line.signature)}`,
    kid: checkpoint.kid,
    at: new Date(at),
  });
  commitDurably();
  return { from, to: checkpoint.treeSize };
}

/** The latest signed checkpoint; for an empty log, one signed now for size 0. */
export function latestCheckpoint(): { treeSize: number; note: string } {
  const row = db()
    .select({ treeSize: logCheckpoints.treeSize, note: logCheckpoints.note })
    .from(logCheckpoints)
    .orderBy(desc(logCheckpoints.treeSize))
    .limit(1)
    .get();
  if (row) return row;
  const origin = currentLogOrigin();
  const signer = signingKeys(getEnv().dataDir).signerSync();
  const body = checkpointBody(origin, 0, rootFromLeafHashes([]));
  return {
    treeSize: 0,
    note: `${body}\n${signatureLine(origin, noteKeyId(origin, signer.publicKeyRaw), crypto.sign(null, Buffer.from(body), signer.key))}`,
  };
}

export function checkpointAt(treeSize: number) {
  return db().select().from(logCheckpoints).where(eq(logCheckpoints.treeSize, treeSize)).get() ?? null;
}

export function logSize(t: Reader = db()): number {
  const last = appending(t).last.get();
  return last ? last.i + 1 : 0;
}

export type ProofAnswer<T> = { ok: true; value: T } | { ok: false; status: 400 | 404; message: string };

/**
 * An inclusion proof as the log serves it: a TlogProof whose checkpoint is the signed one stored
 * for its tree size, or null when none is (a size between those the log has checkpoints for: the
 * leaves `npm run log:recover` put back have one for the size they reach only).
 */
export type LogInclusionProof = Omit<TlogProof, "checkpoint"> & { checkpoint: string | null };

const neverHad = (size: number, asked: number) => `The log has ${size} leaves; it has never had ${asked}.`;

const storedCheckpoint = (t: Reader, treeSize: number): string | null =>
  t.select({ note: logCheckpoints.note }).from(logCheckpoints).where(eq(logCheckpoints.treeSize, treeSize)).get()
    ?.note ?? null;

/**
 * The inclusion proof of leaf `index` in the tree of `treeSize` leaves (the latest when omitted),
 * for any size up to the log's: the stored tree nodes give it, a stored checkpoint is not needed.
 */
export function inclusionProofFor(index: number, treeSize?: number, t: Reader = db()): ProofAnswer<LogInclusionProof> {
  const logged = logSize(t);
  const size = treeSize ?? logged;
  if (size > logged) return { ok: false, status: 404, message: neverHad(logged, size) };
  if (index >= size) return { ok: false, status: 404, message: `The log has no leaf ${index} in a tree of ${size}.` };
  ensureLogTree();
  const leaf = t.select({ data: logLeaves.data }).from(logLeaves).where(eq(logLeaves.leafIndex, index)).get()!;
  const checkpoint = storedCheckpoint(t, size);
  return {
    ok: true,
    value: {
      format: TLOG_PROOF_FORMAT,
      // The origin the checkpoint for this size was signed under (a portal that moved signed the earlier ones as its old address).
      origin: checkpoint ? checkpoint.slice(0, checkpoint.indexOf("\n")) : currentLogOrigin(t),
      leafIndex: index,
      treeSize: size,
      leaf: leaf.data,
      inclusionProof: treeInclusionProof(index, size).map((h) => h.toString("base64")),
      checkpoint,
    },
  };
}

/**
 * The RFC 6962 consistency proof between two tree sizes up to the log's, from the stored tree
 * nodes, with the signed checkpoint stored for each size (null where none is: size 0, or a size
 * within leaves `npm run log:recover` put back).
 */
export function consistencyProofFor(
  from: number,
  to: number,
): ProofAnswer<{
  from: number;
  to: number;
  proof: string[];
  fromCheckpoint: string | null;
  toCheckpoint: string | null;
}> {
  if (from > to) return { ok: false, status: 400, message: "from must not be larger than to." };
  const size = logSize();
  if (to > size) return { ok: false, status: 404, message: neverHad(size, to) };
  ensureLogTree();
  const proof = treeConsistencyProof(from, to).map((h) => h.toString("base64"));
  const t = db();
  return {
    ok: true,
    value: {
      from,
      to,
      proof,
      fromCheckpoint: storedCheckpoint(t, from),
      toCheckpoint: storedCheckpoint(t, to),
    },
  };
}

/** The note verifier keys of every signing key (for Go's sumdb/note and similar tools). */
export function logVerifierKeys(): string[] {
  const origin = currentLogOrigin();
  return signingKeys(getEnv().dataDir)
    .list()
    .map((k) => noteVerifierKey(origin, Buffer.from(k.jwk.x!, "base64url")));
}

export type TileAnswer = { ok: true; bytes: Buffer } | { ok: false; status: 400 | 404; message: string };

/**
 * A C2SP tlog-tiles resource by its path below /log/ ("tile/<L>/<N>[.p/<W>]" or
 * "tile/entries/<N>[.p/<W>]"): 400 for a path the spec does not allow, 404 for a tile the log
 * does not have (yet). A partial tile of any width up to the current one is served: its first W
 * hashes never change, and the log had exactly that tile at a size it signed a checkpoint for.
 */
export function logTile(path: string): TileAnswer {
  const ref = parseTilePath(path);
  if (!ref)
    return {
      ok: false,
      status: 400,
      message: "Not a tlog-tiles path: tile/<L>/<N>[.p/<W>] or tile/entries/<N>[.p/<W>].",
    };
  ensureLogTree();
  const bytes = tileBytes(ref, logSize());
  return bytes ? { ok: true, bytes } : { ok: false, status: 404, message: "The log has no such tile (yet)." };
}
