/**
 * The transparency log: every seal event is appended as a leaf (RFC 6962 hashing) inside the
 * transaction that makes the change, and a signed C2SP checkpoint for the new tree size is
 * stored with it. Proofs are computed from the stored leaf hashes.
 */
import crypto from "node:crypto";
import canonicalize from "canonicalize";
import { asc, desc, eq, lte } from "drizzle-orm";
import { logCheckpoints, logLeaves } from "../../../db/schema";
import { signingKeys } from "./adapters/signing-keys.server";
import { nowMs } from "../../platform/clock.server";
import { getEnv } from "../../platform/env.server";
import {
  checkpointBody,
  consistencyProof,
  inclusionProof,
  leafHash,
  rootFromLeafHashes,
  signatureLine,
  noteKeyId,
} from "./domain/merkle";
import { logOrigin, noteVerifierKey, TLOG_PROOF_FORMAT, type TlogProof } from "./domain/tlog";
import { db, type Tx } from "../../platform/db.server";

type Reader = Tx | ReturnType<typeof db>;

export function currentLogOrigin(): string {
  return logOrigin(getEnv().baseUrl);
}

/** The leaf hashes of the first `size` leaves (all when omitted), in order. */
function leafHashes(t: Reader, size?: number): Buffer[] {
  const q = t.select({ h: logLeaves.leafHash }).from(logLeaves);
  const rows = (size === undefined ? q : q.where(lte(logLeaves.leafIndex, size - 1)))
    .orderBy(asc(logLeaves.leafIndex))
    .all();
  return rows.map((r) => Buffer.from(r.h, "hex"));
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
  const hashes = leafHashes(tx); // read once: the root and the proof both come from it
  const index = hashes.length;
  const data = canonicalize({ index, ...entry })!;
  const at = new Date(nowMs());
  const hash = leafHash(Buffer.from(data));
  tx.insert(logLeaves)
    .values({ leafIndex: index, data, leafHash: hash.toString("hex"), at })
    .run();
  hashes.push(hash);
  const note = signCheckpoint(tx, hashes, at);
  if (!withProof) return { index };
  const proof: TlogProof = {
    format: TLOG_PROOF_FORMAT,
    origin: currentLogOrigin(),
    leafIndex: index,
    treeSize: hashes.length,
    leaf: data,
    inclusionProof: inclusionProof(hashes, index).map((h) => h.toString("base64")),
    checkpoint: note,
  };
  return { index, proof };
}

function signCheckpoint(tx: Tx, hashes: readonly Buffer[], at: Date): string {
  const treeSize = hashes.length;
  const root = rootFromLeafHashes(hashes);
  const origin = currentLogOrigin();
  const signer = signingKeys(getEnv().dataDir).signerSync();
  const body = checkpointBody(origin, treeSize, root);
  const signature = crypto.sign(null, Buffer.from(body), signer.key);
  const note = `${body}\n${signatureLine(origin, noteKeyId(origin, signer.publicKeyRaw), signature)}`;
  tx.insert(logCheckpoints)
    .values({ treeSize, rootHash: root.toString("hex"), note, kid: signer.kid, at })
    .run();
  return note;
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
  const last = t.select({ i: logLeaves.leafIndex }).from(logLeaves).orderBy(desc(logLeaves.leafIndex)).limit(1).get();
  return last ? last.i + 1 : 0;
}

export type ProofAnswer<T> = { ok: true; value: T } | { ok: false; status: 400 | 404; message: string };

/** The inclusion proof of leaf `index` in the tree of `treeSize` leaves (the latest when omitted). */
export function inclusionProofFor(index: number, treeSize?: number, t: Reader = db()): ProofAnswer<TlogProof> {
  const size = treeSize ?? logSize(t);
  if (index >= size) return { ok: false, status: 404, message: `The log has no leaf ${index} in a tree of ${size}.` };
  const checkpoint = t.select().from(logCheckpoints).where(eq(logCheckpoints.treeSize, size)).get();
  if (!checkpoint) return { ok: false, status: 404, message: `The log has never had ${size} leaves.` };
  const hashes = leafHashes(t, size);
  const leaf = t.select({ data: logLeaves.data }).from(logLeaves).where(eq(logLeaves.leafIndex, index)).get()!;
  return {
    ok: true,
    value: {
      format: TLOG_PROOF_FORMAT,
      origin: currentLogOrigin(),
      leafIndex: index,
      treeSize: size,
      leaf: leaf.data,
      inclusionProof: inclusionProof(hashes, index).map((h) => h.toString("base64")),
      checkpoint: checkpoint.note,
    },
  };
}

/** The RFC 6962 consistency proof between two tree sizes the log has had. */
export function consistencyProofFor(
  from: number,
  to: number,
): ProofAnswer<{ from: number; to: number; proof: string[]; fromCheckpoint: string; toCheckpoint: string }> {
  if (from > to) return { ok: false, status: 400, message: "from must not be larger than to." };
  const size = logSize();
  if (to > size) return { ok: false, status: 404, message: `The log has ${size} leaves; it has never had ${to}.` };
  const older = from === 0 ? null : checkpointAt(from);
  const newer = checkpointAt(to);
  if ((from > 0 && !older) || !newer)
    return { ok: false, status: 404, message: "No signed checkpoint for that tree size." };
  const proof = consistencyProof(leafHashes(db(), to), from).map((h) => h.toString("base64"));
  return { ok: true, value: { from, to, proof, fromCheckpoint: older?.note ?? "", toCheckpoint: newer.note } };
}

/** The note verifier keys of every signing key (for Go's sumdb/note and similar tools). */
export function logVerifierKeys(): string[] {
  const origin = currentLogOrigin();
  return signingKeys(getEnv().dataDir)
    .list()
    .map((k) => noteVerifierKey(origin, Buffer.from(k.jwk.x!, "base64url")));
}
