// What `npm run db:restore` (app/system/db-restore.server.ts) tells and refuses, against a real
// Litestream replica of the demo database:
// - the recovery point: the newest write restored (its newest audit event), how long before the
//   time asked for or the restore, printed and recorded in the `database.restored` audit event;
// - a signing key that the restored seals or checkpoints name and the data directory lacks fails
//   the restore: the command exits 1 (the seals would not verify, the portal would not start);
// - a target that is not empty is refused unless --force, as `npm run restore` refuses it; with
//   --force what it holds is kept, but each evidence file is checked against its SHA-256 first (a
//   damaged one is set aside and copied again from --from);
// - the restored log against the publication verifiers were shown: the old data directory's
//   public-artefacts/ is copied along (the restored portal's default publication), and a restored
//   log behind it is reported and exits 1 (the portal would refuse to start until log:recover).
import { spawnSync } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getEnv } from "../../../app/platform/env.server";
import { seedDemoData } from "../../support/demo-seed";
import { parseReplicaUrl, type ReplicaTarget } from "../../../app/platform/replica-url";
import { startReplication } from "../../../app/platform/replication.server";
import { evidenceRelPath } from "../../../app/platform/backup.server";
import { newestWriteLine, restoreDatabase } from "../../../app/system/db-restore.server";
import { publishArtefacts } from "../../../app/features/public/publication.server";
import { db, transaction } from "../../../app/platform/db.server";
import { appendLog, latestCheckpoint } from "../../../app/features/trust/transparency-log.server";

const root = path.resolve(__dirname, "../../..");
const tsx = path.join(root, "node_modules", ".bin", "tsx");
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "iotseal-db-restore-"));
const replica = parseReplicaUrl(`file://${path.join(scratch, "replica")}`) as ReplicaTarget;
let live: string;
let newestLive: number;

beforeAll(async () => {
  await seedDemoData();
  live = getEnv().dataDir;
  newestLive = (db().$client.prepare("select max(at) as at from audit_events").get() as { at: number }).at;
  const r = startReplication({ dataDir: live, target: replica, log: () => {} });
  const end = Date.now() + 30_000;
  while (!fs.existsSync(path.join(replica.kind === "file" ? replica.dir : "", "generations"))) {
    if (Date.now() > end) throw new Error("timed out waiting for the replica's first generation");
    await new Promise((done) => setTimeout(done, 100));
  }
  await new Promise((done) => setTimeout(done, 2_000)); // a WAL sync or two
  await r.stop(); // its last sync
}, 120_000);

afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }));

const restoredAudit = (dir: string) => {
  const client = new Database(path.join(dir, "iot-seal.db"), { readonly: true });
  try {
    const row = client
      .prepare("select details from audit_events where action = 'database.restored' order by seq desc limit 1")
      .get() as { details: string };
    return JSON.parse(row.details) as Record<string, unknown>;
  } finally {
    client.close();
  }
};

describe("npm run db:restore", () => {
  it("reports the newest write restored and records it; fails on the signing keys the seals name that are missing", async () => {
    const dir = path.join(scratch, "no-keys");
    const started = Date.now();
    const r = await restoreDatabase({ system: "test" }, { dataDir: dir, replica }); // no --from: no keys/
    expect(r.newestWrite).toMatchObject({ at: new Date(newestLive).toISOString(), reference: "now" });
    expect(r.newestWrite!.secondsBefore).toBeGreaterThanOrEqual((started - newestLive) / 1000 - 0.001);
    // Every key the seals and checkpoints name, and the private key of the one that signed last (keys/ is
    // gone, so it cannot say which is active).
    const kids = fs.readdirSync(path.join(live, "keys")).filter((f) => f.endsWith(".json"));
    const active = db()
      .$client.prepare("select kid from log_checkpoints order by tree_size desc limit 1")
      .pluck()
      .get();
    expect(r.missingKeys).toEqual([...kids.map((f) => `keys/${f}`), `keys/${active}.private.pem`]);
    // The demo's published advisories are signed with the CSAF OpenPGP key: listed as missing too (not a failure).
    expect(r.missing).toContainEqual(
      expect.stringMatching(
        /^keys\/csaf-openpgp\.private\.asc, if the portal had made it \(the OpenPGP key of the \d+ published CSAF advisor/,
      ),
    );
    // The demo buyer's webhook secret is kept encrypted: its key is listed (not a failure: deliveries wait for it).
    expect(r.missing).toContain(
      "keys/webhook.private.key (the key of the signing secrets of 1 webhook endpoint: without it their deliveries are held, none sent)",
    );
    expect(r.missing.join("\n")).not.toContain("two-step.private.key"); // nobody in the demo has two-step login on
    expect(restoredAudit(dir)).toMatchObject({
      newestWrite: new Date(newestLive).toISOString(),
      newestWriteSecondsBefore: r.newestWrite!.secondsBefore,
      missingKeys: r.missingKeys.length,
    });
  });

  it("the command prints the recovery point and exits 1 without the keys", () => {
    const dir = path.join(scratch, "cli-no-keys");
    const out = spawnSync(tsx, ["scripts/db-restore.ts", dir, "--replica", replica.url], {
      cwd: root,
      encoding: "utf8",
      env: { ...process.env, DB_REPLICA: "" },
    });
    expect(out.status, out.stderr).toBe(1);
    expect(out.stdout).toMatch(
      new RegExp(
        `newest restored write: ${new Date(newestLive).toISOString().replace(/\./g, "\\.")} \\(\\d+\\.\\d s before now\\)`,
      ),
    );
    expect(out.stdout).toContain("FAILED: ");
    expect(out.stdout).toMatch(/signing key file\(s\) the restored seals and checkpoints need are missing \(keys\//);
  }, 60_000);

  it("says how far before the requested time the newest write is", () => {
    const at = "2026-12-03T09:14:59.400Z";
    expect(newestWriteLine({ at, secondsBefore: 0.6, reference: "requested time" })).toBe(
      `newest restored write: ${at} (0.6 s before the requested time)`,
    );
    expect(newestWriteLine(null)).toBe("newest restored write: none (the restored audit log is empty)");
  });

  it("refuses a target that is not empty unless --force, and nothing is restored", async () => {
    const dir = path.join(scratch, "not-empty");
    fs.mkdirSync(path.join(dir, "keys"), { recursive: true });
    fs.writeFileSync(path.join(dir, "keys", "stale.json"), "{}");
    await expect(restoreDatabase({ system: "test" }, { dataDir: dir, replica, from: live })).rejects.toThrow(
      `${dir} is not empty (keys): restore into a new or empty data directory, or add --force`,
    );
    expect(fs.existsSync(path.join(dir, "iot-seal.db"))).toBe(false);
    expect(fs.readdirSync(dir)).toEqual(["keys"]);
  });

  it("with --force keeps what is there, but sets a damaged evidence file aside and copies it again", async () => {
    const dir = path.join(scratch, "forced");
    const sha = (
      db().$client.prepare("select sha256 from evidence_files order by sha256 limit 1").get() as {
        sha256: string;
      }
    ).sha256;
    const rel = evidenceRelPath(sha);
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), "not the evidence these bytes claim to be");
    fs.writeFileSync(path.join(dir, "notes.txt"), "kept");
    const r = await restoreDatabase({ system: "test" }, { dataDir: dir, replica, from: live, force: true });
    expect(r.damaged).toEqual([rel]);
    expect(fs.readFileSync(path.join(r.damagedTo!, rel), "utf8")).toBe("not the evidence these bytes claim to be");
    expect(fs.readFileSync(path.join(dir, rel))).toEqual(fs.readFileSync(path.join(live, rel))); // the right bytes again
    expect(fs.readFileSync(path.join(dir, "notes.txt"), "utf8")).toBe("kept");
    expect(r.missingKeys).toEqual([]);
    expect(r.missing).toEqual([]);
    expect(r.log).toMatchObject({ ok: true, signatureVerified: true });
    expect(restoredAudit(dir)).toMatchObject({ damagedEvidence: 1, missingKeys: 0 });
  });

  it("with --force over a key file of its own: --from does not replace it, and the restore says it is not the key", async () => {
    const dir = path.join(scratch, "own-webhook-key");
    fs.mkdirSync(path.join(dir, "keys"), { recursive: true, mode: 0o700 });
    fs.writeFileSync(path.join(dir, "keys", "webhook.private.key"), `${crypto.randomBytes(32).toString("base64")}\n`);
    const r = await restoreDatabase({ system: "test" }, { dataDir: dir, replica, from: live, force: true });
    expect(r.missing).toEqual([
      "keys/webhook.private.key is not the key of the signing secrets of 1 webhook endpoint (another installation's): copy the right one from a backup, or their deliveries are held, none sent",
    ]);
  });

  it("copies the old data directory's publication along and finds the restored log in agreement with it", async () => {
    delete process.env.PUBLISH_TO; // the default: DATA_DIR/public-artefacts
    await publishArtefacts();
    const size = latestCheckpoint().treeSize;
    const dir = path.join(scratch, "with-publication");
    const r = await restoreDatabase({ system: "test" }, { dataDir: dir, replica, from: live });
    expect(r.publication).toMatchObject({
      state: "agrees",
      target: path.join(dir, "public-artefacts"),
      copiedFrom: path.join(live, "public-artefacts"),
      publishedSize: size,
    });
    expect(fs.readFileSync(path.join(dir, "public-artefacts", "log", "checkpoint"))).toEqual(
      fs.readFileSync(path.join(live, "public-artefacts", "log", "checkpoint")),
    );
    expect(restoredAudit(dir)).toMatchObject({ publication: "agrees", publishedLogSize: size });
    // Without --from (and PUBLISH_TO unset) there is nothing to compare with: said so, with what to do.
    const bare = await restoreDatabase({ system: "test" }, { dataDir: path.join(scratch, "bare"), replica });
    expect(bare.publication.state).toBe("nothing-published");
    expect(bare.publication.message).toContain("set PUBLISH_TO to it");
  });

  it("reports a restored log behind the publication, and the command exits 1 saying log:recover", async () => {
    delete process.env.PUBLISH_TO;
    const restored = latestCheckpoint().treeSize; // the replica stopped here
    transaction((tx) => appendLog(tx, { event: "test", note: "published after the replica stopped" }));
    transaction((tx) => appendLog(tx, { event: "test", note: "and another" }));
    await publishArtefacts();
    const dir = path.join(scratch, "behind");
    const r = await restoreDatabase({ system: "test" }, { dataDir: dir, replica, from: live });
    expect(r.publication).toMatchObject({ state: "behind", publishedSize: restored + 2 });
    expect(r.publication.message).toContain(
      `BEHIND: the log published at ${path.join(dir, "public-artefacts")} has ${restored + 2} entries, the restored one ${restored} entries`,
    );
    const cli = path.join(scratch, "cli-behind");
    const out = spawnSync(tsx, ["scripts/db-restore.ts", cli, "--replica", replica.url, "--from", live], {
      cwd: root,
      encoding: "utf8",
      env: { ...process.env, DB_REPLICA: "", PUBLISH_TO: "" },
    });
    expect(out.status, out.stderr).toBe(1);
    expect(out.stdout).toContain(`against the publication at ${path.join(cli, "public-artefacts")} (copied from`);
    expect(out.stdout).toContain("npm run log:recover");
    expect(out.stdout).not.toContain("nothing missing: start the portal");
  }, 60_000);
});
