// Replication to S3 (decision 029): Litestream replicates a database to a bucket of an S3 API server
// started here (s3rver on 127.0.0.1, with its delimiter listing fixed: tests/support/s3rver.ts), and
// `restoreDatabase` brings it back from the bucket into a fresh data directory: every write that was
// shipped is there and the audit chain verifies; restored to a point in time, nothing after it is.
//
// A point in time must lie inside a Litestream generation: after its first snapshot was uploaded
// and no later than its last upload, as the bucket dates them (LastModified, to the second on S3
// and s3rver). Litestream skips a generation the time falls outside of ("no matching backups
// found"): an earlier version of this test asked for a time before the first snapshot.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase } from "../../../db/connection";
import { recordAudit } from "../../../app/platform/audit.server";
import { restoreDatabase } from "../../../app/system/db-restore.server";
import { parseReplicaUrl, type ReplicaTarget } from "../../../app/platform/replica-url";
import { startReplication, type S3Settings } from "../../../app/platform/replication.server";
import { startS3rver, type TestS3 } from "../../support/s3rver";

const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "iotseal-s3-replica-"));
const live = path.join(scratch, "live");
const target = parseReplicaUrl("s3://replicas/iot-seal/db") as ReplicaTarget;
let s3: TestS3;
let settings: S3Settings;
/** A time after the first 20 writes were shipped and before the next 20 were made. */
let between: Date;
const saved: Record<string, string | undefined> = {};

/** `count` audit events "s3.write" with details {n}, from `from` on, one transaction each. */
function write(db: ReturnType<typeof openDatabase>, from: number, count: number): void {
  for (let n = from; n < from + count; n++)
    db.transaction((tx) => recordAudit(tx, { system: "test" }, { action: "s3.write", details: { n } }), {
      behavior: "immediate",
    });
}

function writesIn(dir: string): number[] {
  const client = new Database(path.join(dir, "iot-seal.db"), { readonly: true });
  try {
    return (
      client
        .prepare("select json_extract(details, '$.n') as n from audit_events where action = 's3.write' order by seq")
        .all() as { n: number }[]
    ).map((r) => r.n);
  } finally {
    client.close();
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

beforeAll(async () => {
  s3 = await startS3rver(["replicas"]);
  for (const [k, v] of Object.entries(s3.env)) {
    saved[k] = process.env[k];
    process.env[k] = v; // Litestream reads the credentials from its environment
  }
  settings = { endpoint: s3.endpoint, region: "us-east-1", forcePathStyle: true };
  const db = openDatabase(path.join(live, "iot-seal.db"));
  const lines: string[] = [];
  const replication = startReplication({ dataDir: live, target, s3: settings, log: (_l, line) => lines.push(line) });
  try {
    write(db, 1, 20);
    // The first snapshot, and a sync interval (1 s) more for the WAL of the writes to follow it.
    for (const until = Date.now() + 20_000; !lines.some((l) => /snapshot written/.test(l)); await sleep(100))
      if (Date.now() > until) throw new Error(`Litestream wrote no snapshot in 20 s:\n${lines.join("\n")}`);
    await sleep(2000);
    between = new Date();
    // The bucket dates objects to the second: the next writes' uploads are dated after `between`.
    await sleep(1000 - (between.getTime() % 1000) + 200);
    write(db, 21, 20);
    await sleep(2500);
  } finally {
    await replication.stop();
    db.$client.close();
  }
  if (!lines.some((l) => /snapshot written/.test(l)))
    throw new Error(`Litestream shipped nothing:\n${lines.join("\n")}`);
}, 60_000);

afterAll(async () => {
  for (const [k, v] of Object.entries(saved)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  await s3?.stop();
  fs.rmSync(scratch, { recursive: true, force: true });
});

describe("a database replicated to S3 comes back from the bucket", () => {
  it("restores every shipped write into a fresh data directory; the audit chain verifies", async () => {
    const r = await restoreDatabase(
      { system: "test" },
      { dataDir: path.join(scratch, "restored"), replica: target, s3: settings, from: live },
    );
    expect(r.auditChain.ok).toBe(true);
    expect(r.log.ok).toBe(true);
    expect(writesIn(r.dataDir)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
    console.log(
      `[s3 restore] ${(r.bytes / 1e3).toFixed(0)} kB restored from ${r.replica} in ${r.restoreMs.toFixed(0)} ms`,
    );
  });

  it("restores to a point in time from the bucket: the writes shipped before it, none after", async () => {
    const r = await restoreDatabase(
      { system: "test" },
      { dataDir: path.join(scratch, "pitr"), replica: target, s3: settings, timestamp: between, from: live },
    );
    expect(r.auditChain.ok).toBe(true);
    expect(writesIn(r.dataDir)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
  });

  it("a time before the replica's first snapshot is refused by name; nothing is restored", async () => {
    const before = new Date(Date.now() - 3_600_000);
    await expect(
      restoreDatabase(
        { system: "test" },
        { dataDir: path.join(scratch, "too-early"), replica: target, s3: settings, timestamp: before, from: live },
      ),
    ).rejects.toThrow(
      new RegExp(
        `holds no backup covering ${before.toISOString().replace(/\./g, "\\.")}: a point in time must lie after .* ` +
          "\\(it covers \\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ to \\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ\\)",
      ),
    );
    expect(fs.existsSync(path.join(scratch, "too-early"))).toBe(false); // the directory it made goes again
  });
});
