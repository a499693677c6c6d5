// A transaction that appends to the transparency log is on the disk before transaction() returns:
// its WAL is synced once it has committed (synchronous = NORMAL alone leaves the last commits to a
// power cut), once per transaction, and never for a rollback or a write that appends nothing. Work
// asked for with whileCommitSyncs (a seal's certificate) runs while the sync runs on a helper thread.
import fs from "node:fs";
import Database from "better-sqlite3";
import { afterEach, beforeAll, expect, it, vi } from "vitest";
import { afterCommit, db, transaction, whileCommitSyncs } from "../../../app/platform/db.server";
import {
  helperSyncsFinished,
  startSync,
  startWalSyncHelper,
  walSyncHelperReady,
} from "../../../app/platform/wal-sync.server";
import { getEnv } from "../../../app/platform/env.server";
import { appendLog } from "../../../app/features/trust/transparency-log.server";
import { signingKeys } from "../../../app/features/trust/adapters/signing-keys.server";
import { auditEvents } from "../../../db/schema";

let dbFile: string;
beforeAll(async () => {
  await signingKeys(getEnv().dataDir).ensureActive();
  dbFile = db().$client.name;
  startWalSyncHelper(); // as start-up does; syncs run on the main thread until it has booted
  while (!walSyncHelperReady()) await new Promise((r) => setTimeout(r, 5));
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

it.runIf(process.platform === "linux")(
  "work asked for with whileCommitSyncs runs after the commit while the WAL is synced on the helper thread; all after-commit work waits for that sync",
  () => {
    const before = leafCount();
    const syncs = recordWalSyncs(); // the main thread's syncs only
    const finishedBefore = helperSyncsFinished();
    const order: string[] = [];
    const result = transaction((tx) => {
      afterCommit(() => order.push(`after-commit (helper syncs finished: ${helperSyncsFinished() - finishedBefore})`));
      whileCommitSyncs(() => {
        order.push(`meanwhile: ${otherConnectionLeaves()} leaves seen by another connection`);
        // Its own transaction's after-commit work waits for the sync as well.
        transaction(() => {
          writeProbe();
          afterCommit(() =>
            order.push(
              `meanwhile's own after-commit (helper syncs finished: ${helperSyncsFinished() - finishedBefore})`,
            ),
          );
        });
        afterCommit(() => order.push("asked for outside a transaction meanwhile"));
      });
      appendLog(tx, { event: "test", note: "overlapped" });
      return "done";
    });
    expect(result).toBe("done");
    expect(order).toEqual([
      `meanwhile: ${before + 1} leaves seen by another connection`,
      "after-commit (helper syncs finished: 1)",
      "meanwhile's own after-commit (helper syncs finished: 1)",
      "asked for outside a transaction meanwhile",
    ]);
    expect(syncs).toEqual([]); // the WAL was synced off the main thread
  },
);

it("work run while the commit syncs that throws is logged; the transaction stands and the after-commit work runs", () => {
  const errors = vi.spyOn(console, "error").mockImplementation(() => {});
  const before = leafCount();
  let after = false;
  transaction((tx) => {
    afterCommit(() => (after = true));
    whileCommitSyncs(() => {
      throw new Error("render failed");
    });
    appendLog(tx, { event: "test", note: "stands" });
  });
  expect(leafCount()).toBe(before + 1);
  expect(after).toBe(true);
  expect(String(errors.mock.calls[0])).toContain("render failed");
});

it("work asked for in an inner transaction that rolls back never runs; the outer one's does", () => {
  const ran: string[] = [];
  transaction((tx) => {
    whileCommitSyncs(() => ran.push("outer"));
    expect(() =>
      transaction(() => {
        whileCommitSyncs(() => ran.push("inner, rolled back"));
        throw new Error("refused");
      }),
    ).toThrow("refused");
    appendLog(tx, { event: "test", note: "outer stands" });
  });
  expect(ran).toEqual(["outer"]);
});

it("after-commit work asked for in an inner transaction that rolls back never runs; what the outer asked before and after does", () => {
  const ran: string[] = [];
  const shared = () => ran.push("asked by both");
  transaction(() => {
    afterCommit(() => ran.push("outer, before"));
    expect(() =>
      transaction(() => {
        afterCommit(() => ran.push("inner, rolled back"));
        afterCommit(shared);
        throw new Error("refused");
      }),
    ).toThrow("refused");
    afterCommit(shared); // asked again after the rollback: runs
    afterCommit(() => ran.push("outer, after"));
  });
  expect(ran).toEqual(["outer, before", "asked by both", "outer, after"]);
});

it("after-commit work asked for by several transactions while a commit syncs runs once, after the first one's", () => {
  const ran: string[] = [];
  const drain = () => ran.push("drain");
  transaction((tx) => {
    afterCommit(drain);
    whileCommitSyncs(() => {
      transaction(() => afterCommit(drain));
      transaction(() => afterCommit(() => ran.push("second's own")));
      afterCommit(drain); // outside a transaction, meanwhile
    });
    appendLog(tx, { event: "test", note: "drained once" });
  });
  expect(ran).toEqual(["drain", "second's own"]);
});

it("in a transaction that is not synced, work asked for meanwhile runs after the commit, its transactions' after-commit work after the first's", () => {
  const order: string[] = [];
  transaction(() => {
    afterCommit(() => order.push("first's after-commit"));
    whileCommitSyncs(() => {
      order.push("meanwhile");
      transaction(() => afterCommit(() => order.push("inner's after-commit")));
    });
  });
  expect(order).toEqual(["meanwhile", "first's after-commit", "inner's after-commit"]);
});

it("work asked for in a transaction that rolls back never runs", () => {
  let ran = false;
  expect(() =>
    transaction((tx) => {
      whileCommitSyncs(() => (ran = true));
      appendLog(tx, { event: "test", note: "rolled back" });
      throw new Error("refused");
    }),
  ).toThrow("refused");
  transaction(() => undefined); // the next transaction does not run it either
  expect(ran).toBe(false);
});

it.runIf(process.platform === "linux")("the helper thread syncs a file and reports a failure by its code", () => {
  const file = `${dbFile}-probe`;
  fs.writeFileSync(file, "probe");
  expect(startSync(file).wait()).toBeNull();
  expect(startSync(`${dbFile}-missing`).wait()).toMatchObject({ code: "ENOENT" });
  fs.rmSync(file);
});

function otherConnectionLeaves(): number {
  const other = new Database(dbFile, { readonly: true });
  const { n } = other.prepare("select count(*) as n from log_leaves").get() as { n: number };
  other.close();
  return n;
}

/** A write in the open transaction (on the one connection). */
function writeProbe(): void {
  db().$client.prepare("create table if not exists meanwhile_probe (n integer)").run();
  db().$client.prepare("insert into meanwhile_probe values (1)").run();
}
