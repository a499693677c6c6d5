// A transaction that appends to the transparency log is on the disk before transaction() returns:
// its WAL is synced once it has committed (synchronous = NORMAL alone leaves the last commits to a
// power cut), once per transaction, and never for a rollback or a write that appends nothing.
import fs from "node:fs";
import Database from "better-sqlite3";
import { afterEach, beforeAll, expect, it, vi } from "vitest";
import { afterCommit, db, transaction } from "../../../app/platform/db.server";
import { getEnv } from "../../../app/platform/env.server";
import { appendLog } from "../../../app/features/trust/transparency-log.server";
import { signingKeys } from "../../../app/features/trust/adapters/signing-keys.server";
import { auditEvents } from "../../../db/schema";

let dbFile: string;
beforeAll(async () => {
  await signingKeys(getEnv().dataDir).ensureActive();
  dbFile = db().$client.name;
});
afterEach(() => vi.restoreAllMocks());

/** The WAL syncs, each with the number of leaves another connection could read at that moment. */
function recordWalSyncs(): { file: string; leavesSeen: number }[] {
  const syncs: { file: string; leavesSeen: number }[] = [];
  const real = fs.fdatasyncSync;
  vi.spyOn(fs, "fdatasyncSync").mockImplementation((fd: number) => {
    const file = fs.readlinkSync(`/proc/self/fd/${fd}`);
    const other = new Database(dbFile, { readonly: true });
    const { n } = other.prepare("select count(*) as n from log_leaves").get() as { n: number };
    other.close();
    syncs.push({ file, leavesSeen: n });
    real(fd);
  });
  return syncs;
}

const leafCount = () => (db().$client.prepare("select count(*) as n from log_leaves").get() as { n: number }).n;

it.runIf(process.platform === "linux")("syncs the WAL once the appending transaction has committed", () => {
  const before = leafCount();
  const syncs = recordWalSyncs();
  transaction((tx) => appendLog(tx, { event: "test", note: "one" }));
  expect(syncs).toEqual([{ file: `${dbFile}-wal`, leavesSeen: before + 1 }]); // committed: another connection sees it
});

it.runIf(process.platform === "linux")(
  "syncs before anything that runs after the commit (which may tell of it), even what was asked for first",
  () => {
    const syncs = recordWalSyncs();
    let syncsSeenAfterCommit = -1;
    transaction((tx) => {
      afterCommit(() => (syncsSeenAfterCommit = syncs.length));
      appendLog(tx, { event: "test", note: "told" });
    });
    expect(syncsSeenAfterCommit).toBe(1);
  },
);

it.runIf(process.platform === "linux")("syncs once for a transaction that appends twice", () => {
  const syncs = recordWalSyncs();
  transaction((tx) => {
    appendLog(tx, { event: "test", note: "two" });
    appendLog(tx, { event: "test", note: "three" });
  });
  expect(syncs).toHaveLength(1);
});

it.runIf(process.platform === "linux")("does not sync for a rollback, nor for a write that appends nothing", () => {
  const before = leafCount();
  const syncs = recordWalSyncs();
  expect(() =>
    transaction((tx) => {
      appendLog(tx, { event: "test", note: "rolled back" });
      throw new Error("refused");
    }),
  ).toThrow("refused");
  expect(leafCount()).toBe(before);
  transaction((tx) => tx.select().from(auditEvents).limit(1).all());
  expect(syncs).toEqual([]);
});
