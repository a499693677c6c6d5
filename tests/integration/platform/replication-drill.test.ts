// The replication drill (decision 029): a process started like the server (demo seed, Litestream
// replicating to a file replica on "another machine") writes through the app's services; it and
// its Litestream are killed with SIGKILL mid-write (the machine is gone); the database is restored
// from the replica into a fresh data directory. The restored audit chain verifies, the
// transparency log is consistent with its last signed checkpoint, the restored writes are exactly
// a prefix of what was acknowledged, and what was acknowledged but lost (the RPO, in events and
// seconds) stays within the sync interval's bound. The writer publishes after each write (to a
// folder standing for the CDN), so the publication is ahead of the replica when the machine dies:
// the restored log is brought level with the last published checkpoint by `npm run log:recover`
// and then agrees with it, and the number of leaves it took from the publication is reported. Also: the restore refuses a directory with a
// database, a point-in-time restore stops at its time, the supervisor restarts a dead Litestream,
// and the command line names its bad input.
import { spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import readline from "node:readline";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase } from "../../../db/connection";
import { restoreDatabase, type DbRestoreReport } from "../../../app/system/db-restore.server";
import { parseReplicaUrl, type ReplicaTarget } from "../../../app/platform/replica-url";
import { startReplication } from "../../../app/platform/replication.server";

const root = path.resolve(__dirname, "../../..");
const tsx = path.join(root, "node_modules", ".bin", "tsx");
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "iotseal-drill-"));
const live = path.join(scratch, "live");
const replicaDir = path.join(scratch, "replica"); // "another machine"
const replica = parseReplicaUrl(`file://${replicaDir}`) as ReplicaTarget;
const published = path.join(scratch, "published"); // the publication target (a CDN's origin): not on the lost machine

const acks = new Map<number, number>(); // n -> epoch ms it was acknowledged
let lastPublished = 0; // the log size of the last publication the writer reported
let readyAt = 0;
let killedAt = 0;
let restored: DbRestoreReport;

/** The drill writes found in a restored database, in order. */
function drillWrites(dir: string): number[] {
  const client = new Database(path.join(dir, "iot-seal.db"), { readonly: true });
  try {
    return (
      client
        .prepare("select json_extract(details, '$.n') as n from audit_events where action = 'drill.write' order by seq")
        .all() as { n: number }[]
    ).map((r) => r.n);
  } finally {
    client.close();
  }
}

const waitFor = async (what: string, ok: () => boolean, ms: number) => {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
};

beforeAll(async () => {
  const writer = spawn(tsx, [path.join(__dirname, "replication-drill.writer.ts")], {
    cwd: root,
    detached: true, // its own process group: tsx, the writer and its Litestream die together
    stdio: ["ignore", "pipe", "pipe"],
    env: {
      ...process.env,
      DATA_DIR: live,
      DB_REPLICA: replica.url,
      NODE_ENV: "test",
      DEMO_MODE: "true",
      LOG_REQUESTS: "false",
      DRILL_INTERVAL_MS: "10",
      DRILL_PUBLISH: "true",
      PUBLISH_TO: published,
    },
  });
  const stderr: string[] = [];
  writer.stderr!.on("data", (b: Buffer) => stderr.push(b.toString()));
  const closed = new Promise<void>((resolve) => writer.once("close", () => resolve()));
  readline.createInterface({ input: writer.stdout! }).on("line", (line) => {
    const m = /^ACK (\d+) (\d+)$/.exec(line);
    const pub = /^PUB (\d+) \d+$/.exec(line);
    if (m) acks.set(Number(m[1]), Number(m[2]));
    else if (pub) lastPublished = Math.max(lastPublished, Number(pub[1]));
    else if (line.startsWith("READY ")) readyAt = Date.now();
  });
  try {
    await waitFor("the writer to start", () => readyAt > 0, 60_000);
    // Writes for a few seconds, with Litestream's first snapshot on the replica.
    await waitFor("the first replicated generation", () => fs.existsSync(path.join(replicaDir, "generations")), 15_000);
    await waitFor("4 s of writes", () => Date.now() - readyAt > 4000 && acks.size > 50, 20_000);
  } catch (error) {
    process.kill(-writer.pid!, "SIGKILL");
    throw new Error(`${(error as Error).message}\n${stderr.join("").slice(-2000)}`, { cause: error });
  }
  process.kill(-writer.pid!, "SIGKILL"); // the machine is gone: no last sync, no clean close
  killedAt = Date.now();
  await closed;
  restored = await restoreDatabase(
    { system: "test" },
    { dataDir: path.join(scratch, "restored"), replica, from: live }, // keys, secret, evidence: as from a backup
  );
}, 90_000);

afterAll(() => {
  fs.rmSync(scratch, { recursive: true, force: true });
});

describe("decision 029: the database survives the machine", () => {
  it("restores from the replica after a kill -9: audit chain intact, log consistent with its signed checkpoint, RPO bounded", () => {
    const acked = Math.max(...acks.keys());
    const writes = drillWrites(restored.dataDir);
    const k = writes.length;
    // Exactly a prefix of what was acknowledged, nothing torn, nothing invented.
    expect(k).toBeGreaterThan(0);
    expect(writes).toEqual(Array.from({ length: k }, (_, i) => i + 1));
    expect(k).toBeLessThanOrEqual(acked);
    expect(restored.auditChain.ok).toBe(true);
    expect(restored.log).toMatchObject({ ok: true, signatureVerified: true });
    expect(restored.log.checkpointSize).toBe(restored.log.leaves);
    // Each drill write appended one leaf in its transaction: the log holds exactly the restored ones.
    const client = new Database(path.join(restored.dataDir, "iot-seal.db"), { readonly: true });
    const leaves = (
      client
        .prepare("select count(*) as n from log_leaves where json_extract(data, '$.type') = 'drill.write'")
        .get() as {
        n: number;
      }
    ).n;
    const seals = (client.prepare("select count(*) as n from seals").get() as { n: number }).n;
    client.close();
    expect(leaves).toBe(k);
    expect(seals).toBe(5); // the demo seed came back too
    expect(restored.missing).toEqual([]);
    expect(restored.copied.keys).toBeGreaterThan(0);
    expect(restored.copied.evidence).toBeGreaterThan(0);

    const lostEvents = acked - k;
    const rpoSeconds = (acks.get(acked)! - acks.get(k)!) / 1000;
    const rate = acked / ((acks.get(acked)! - acks.get(1)!) / 1000);
    console.log(
      `[drill] acknowledged ${acked} writes (${rate.toFixed(0)}/s), restored ${k}: lost ${lostEvents} events, RPO ${rpoSeconds.toFixed(2)} s; ` +
        `killed ${killedAt - acks.get(acked)!} ms after the last ack; litestream restore ${restored.restoreMs.toFixed(0)} ms for ${(restored.bytes / 1e6).toFixed(1)} MB`,
    );
    // Litestream ships every SYNC_INTERVAL (1 s); what a killed machine loses is what was written since.
    expect(rpoSeconds).toBeLessThan(3);
    expect(restored.restoreMs).toBeLessThan(10_000);
  });

  it("brings the restored log level with the last published checkpoint (npm run log:recover), and then it agrees with it", () => {
    const logLeaves = () => {
      const client = new Database(path.join(restored.dataDir, "iot-seal.db"), { readonly: true });
      try {
        return (client.prepare("select count(*) as n from log_leaves").get() as { n: number }).n;
      } finally {
        client.close();
      }
    };
    const before = logLeaves();
    const note = fs.readFileSync(path.join(published, "log", "checkpoint"), "utf8");
    const publishedSize = Number(note.split("\n")[1]);
    expect(publishedSize).toBeGreaterThanOrEqual(lastPublished);
    const recover = () =>
      spawnSync(tsx, ["scripts/log-recover.ts"], {
        cwd: root,
        encoding: "utf8",
        env: { ...process.env, DATA_DIR: restored.dataDir, PUBLISH_TO: published, DB_REPLICA: "" },
      });
    const r = recover();
    expect(r.status, r.stderr).toBe(0);
    if (publishedSize > before) {
      expect(r.stdout).toContain(`Recovered ${publishedSize - before} log leaves (${before}..${publishedSize - 1})`);
      expect(logLeaves()).toBe(publishedSize);
    } else expect(r.stdout).toContain("agrees with this database's");
    // Run again, it finds the log in agreement with the publication (same root at the published size).
    const again = recover();
    expect(again.status, again.stderr).toBe(0);
    expect(again.stdout).toContain(`(${publishedSize} leaves) agrees with this database's`);
    console.log(
      `[drill] last published checkpoint: ${publishedSize} leaves; restored log: ${before}; ` +
        `taken back from the publication by log:recover: ${Math.max(0, publishedSize - before)} leaves`,
    );
  }, 60_000);

  it("refuses to restore over a database", async () => {
    await expect(restoreDatabase({ system: "test" }, { dataDir: restored.dataDir, replica })).rejects.toThrow(
      /already has a database .*Nothing was restored/,
    );
  });

  it("restores to a point in time: nothing written after it", async () => {
    const ns = [...acks.keys()].sort((a, b) => a - b);
    const mid = ns[Math.floor(ns.length / 2)];
    const at = new Date(acks.get(mid)!);
    const r = await restoreDatabase(
      { system: "test" },
      { dataDir: path.join(scratch, "pitr"), replica, timestamp: at, from: live },
    );
    const writes = drillWrites(r.dataDir);
    expect(r.auditChain.ok).toBe(true);
    expect(r.log.ok).toBe(true);
    expect(writes).toEqual(Array.from({ length: writes.length }, (_, i) => i + 1));
    expect(writes.length).toBeLessThanOrEqual(mid);
    expect(writes.length).toBeLessThan(drillWrites(restored.dataDir).length);
  });

  it("a dead Litestream is restarted with backoff; stop() ends it", async () => {
    const dir = path.join(scratch, "supervised");
    openDatabase(path.join(dir, "iot-seal.db")).$client.close();
    const lines: string[] = [];
    const r = startReplication({
      dataDir: dir,
      target: parseReplicaUrl(`file://${path.join(scratch, "replica2")}`) as ReplicaTarget,
      log: (_level, line) => lines.push(line),
      backoffMs: 200,
    });
    try {
      await waitFor("Litestream to run", () => r.status().running, 10_000);
      const first = r.status().pid!;
      process.kill(first, "SIGKILL");
      await waitFor("the restart", () => r.status().restarts === 1 && r.status().running, 10_000);
      expect(r.status().pid).not.toBe(first);
      expect(r.status().lastExit).toMatchObject({ signal: "SIGKILL" });
      expect(
        lines.some((l) => /Litestream exited \(SIGKILL\); replication is paused, restarting in 0.2 s/.test(l)),
      ).toBe(true);
    } finally {
      await r.stop();
    }
    expect(r.status().running).toBe(false);
    expect(fs.existsSync(path.join(dir, "litestream.pid"))).toBe(false);
  });

  it("the command line names its bad input", () => {
    const r = spawnSync(
      tsx,
      [
        "scripts/db-restore.ts",
        path.join(scratch, "x"),
        "--timestamp",
        "yesterday",
        "--replica",
        "http://example.com/db",
      ],
      { cwd: root, encoding: "utf8", env: { ...process.env, DB_REPLICA: "" } },
    );
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^--timestamp: must be an ISO 8601 time/m);
    expect(r.stderr).toMatch(/^--replica: must be file:\/\/\/<absolute path> or s3:\/\/<bucket>\/<path>/m);
  }, 30_000);
});
