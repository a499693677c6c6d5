// After `npm run log:recover` (restoreLeaves) the log has a stored checkpoint for the size the
// recovered leaves reach, not for the sizes in between. The proofs for those sizes come from the
// stored tree nodes all the same: an inclusion proof in the tree of any size up to the log's, a
// consistency proof from any such size (a witness's last cosigned size among them), with the
// checkpoint where one is stored and null where none is; a 404 only for sizes beyond the log.
import fs from "node:fs";
import path from "node:path";
import { asc, gte } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeDb } from "../../../db/connection";
import { logLeaves } from "../../../db/schema";
import { db, transaction } from "../../../app/platform/db.server";
import { getEnv } from "../../../app/platform/env.server";
import { signingKeys } from "../../../app/features/trust/adapters/signing-keys.server";
import {
  appendLog,
  checkpointAt,
  consistencyProofFor,
  inclusionProofFor,
  latestCheckpoint,
  logSize,
  restoreLeaves,
} from "../../../app/features/trust/transparency-log.server";
import { leafHash, verifyConsistency, verifyInclusion } from "../../../app/features/trust/domain/merkle";
import { logOrigin, verifyCheckpoint } from "../../../app/features/trust/domain/tlog";
import { startFastRoutes, type TestServer } from "../../support/http";

const origin = () => logOrigin(getEnv().baseUrl);
const jwks = () => signingKeys(getEnv().dataDir).jwks().keys;
const append = (n: number, tag: string) => {
  for (let i = 0; i < n; i++)
    transaction((tx) => appendLog(tx, { event: "test", serial: `IOTS-RCVR-${tag}${i}`, at: new Date().toISOString() }));
};
const b64 = (hashes: string[]) => hashes.map((h) => Buffer.from(h, "base64"));

/** The signed roots the log had at every size before the restore (as verifiers and witnesses saw them). */
const signedRoots = new Map<number, Buffer>();
let server: TestServer;

beforeAll(async () => {
  await signingKeys(getEnv().dataDir).ensureActive();
  append(3, "a"); // sizes 1..3: what the replica holds
  const dbFile = db().$client.name;
  const copy = path.join(getEnv().dataDir, "trailing.db");
  await db().$client.backup(copy);
  append(4, "b"); // sizes 4..7: published, then lost with the machine
  for (let size = 1; size <= 7; size++)
    signedRoots.set(size, verifyCheckpoint(checkpointAt(size)!.note, origin(), jwks())!.rootHash);
  const published = db()
    .select({ data: logLeaves.data })
    .from(logLeaves)
    .where(gte(logLeaves.leafIndex, 3))
    .orderBy(asc(logLeaves.leafIndex))
    .all()
    .map((r) => Buffer.from(r.data));
  const note = latestCheckpoint().note;
  // The replica is restored, and log:recover puts the published leaves back with their checkpoint.
  closeDb();
  for (const f of [dbFile, `${dbFile}-wal`, `${dbFile}-shm`]) fs.rmSync(f, { force: true });
  fs.renameSync(copy, dbFile);
  expect(logSize()).toBe(3);
  expect(transaction((tx) => restoreLeaves(tx, published, note))).toEqual({ from: 3, to: 7 });
  server = await startFastRoutes();
});

afterAll(async () => {
  await server?.close();
});

describe("proofs for the sizes log:recover has no checkpoint for", () => {
  it("the recovered log has checkpoints for sizes 1-3 and 7 only", () => {
    expect([1, 2, 3, 4, 5, 6, 7].map((n) => checkpointAt(n) !== null)).toEqual([
      true,
      true,
      true,
      false,
      false,
      false,
      true,
    ]);
  });

  it("inclusion in a tree of an intermediate size: served from the stored nodes, checkpoint null", () => {
    for (const size of [4, 5, 6]) {
      for (let index = 0; index < size; index++) {
        const p = inclusionProofFor(index, size);
        if (!p.ok) throw new Error(p.message);
        expect(p.value).toMatchObject({ treeSize: size, leafIndex: index, checkpoint: null });
        const leaf = leafHash(Buffer.from(p.value.leaf));
        expect(verifyInclusion(leaf, index, size, b64(p.value.inclusionProof), signedRoots.get(size)!)).toBe(true);
      }
    }
    const stored = inclusionProofFor(1, 3);
    expect(stored.ok && stored.value.checkpoint).toBe(checkpointAt(3)!.note);
  });

  it("consistency from or to an intermediate size (a witness's last cosigned size): served, with the stored checkpoints", () => {
    for (let from = 1; from <= 7; from++)
      for (let to = from; to <= 7; to++) {
        const c = consistencyProofFor(from, to);
        if (!c.ok) throw new Error(c.message);
        expect(c.value.fromCheckpoint).toBe(checkpointAt(from)?.note ?? null);
        expect(c.value.toCheckpoint).toBe(checkpointAt(to)?.note ?? null);
        expect(
          verifyConsistency(from, to, signedRoots.get(from)!, signedRoots.get(to)!, b64(c.value.proof)),
          `${from} -> ${to}`,
        ).toBe(true);
      }
  });

  it("a 404 only for a size beyond the log, saying how large it is", () => {
    expect(inclusionProofFor(0, 8)).toEqual({
      ok: false,
      status: 404,
      message: "The log has 7 leaves; it has never had 8.",
    });
    expect(inclusionProofFor(5, 5)).toMatchObject({ ok: false, status: 404 });
    expect(consistencyProofFor(5, 8)).toMatchObject({ ok: false, status: 404 });
    expect(consistencyProofFor(6, 5)).toMatchObject({ ok: false, status: 400 });
  });

  it("over HTTP: JSON proofs for the intermediate sizes; a tlog-proof for one is a 404 that says why", async () => {
    const proof = await fetch(`${server.base}/log/proof/2?treeSize=5`);
    expect(proof.status).toBe(200);
    expect(await proof.json()).toMatchObject({ leafIndex: 2, treeSize: 5, checkpoint: null });
    const consistency = await fetch(`${server.base}/log/consistency?from=5&to=7`);
    expect(consistency.status).toBe(200);
    expect(await consistency.json()).toMatchObject({ from: 5, to: 7, fromCheckpoint: null });
    const text = await fetch(`${server.base}/log/proof/2?treeSize=5&format=tlog-proof`);
    expect(text.status).toBe(404);
    expect(((await text.json()) as { error: string }).error).toMatch(/No signed checkpoint is stored for tree size 5/);
    expect((await fetch(`${server.base}/log/proof/2?treeSize=7&format=tlog-proof`)).status).toBe(200);
    const beyond = await fetch(`${server.base}/log/proof/2?treeSize=9`);
    expect(beyond.status).toBe(404);
    expect(((await beyond.json()) as { error: string }).error).toBe("The log has 7 leaves; it has never had 9.");
  });
});
