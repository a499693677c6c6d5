// A forced restore over a data directory whose publication is ahead of the backup (seals issued
// and published after the backup was made): the published artefacts (DATA_DIR/public-artefacts,
// PUBLISH_TO's default) stay where they are, npm run restore says that the restored log is behind
// what verifiers were shown and points to npm run log:recover (exit 1), and the next start refuses
// the data directory instead of signing a different log of a size already published (a fork).
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeDb } from "../../../db/connection";
import { signingKeys } from "../../../app/features/trust/adapters/signing-keys.server";
import { appendLog, latestCheckpoint } from "../../../app/features/trust/transparency-log.server";
import { publishArtefacts, publishedLogProblem } from "../../../app/features/public/publication.server";
import { createBackup } from "../../../app/platform/backup.server";
import { transaction } from "../../../app/platform/db.server";
import { getEnv } from "../../../app/platform/env.server";
import { shutdown, startup, StartupRefusal } from "../../../app/startup.server";

const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "iotseal-restore-publication-"));
const backupDir = path.join(scratch, "backup");
let dataDir: string;
let folder: string;

beforeAll(async () => {
  delete process.env.PUBLISH_TO; // the default: DATA_DIR/public-artefacts
  dataDir = getEnv().dataDir;
  folder = path.join(dataDir, "public-artefacts");
  await signingKeys(dataDir).ensureActive();
  transaction((tx) => appendLog(tx, { event: "test", note: "before the backup" }));
  await publishArtefacts();
}, 60_000);

afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }));

describe("npm run restore --force over a publication that is ahead of the backup", () => {
  it("keeps the publication in place, says the log is behind it, and the next start refuses", async () => {
    await createBackup({ system: "test" }, backupDir);
    const backedUp = latestCheckpoint().treeSize;
    // After the backup: two more entries, published; then the database is lost and the backup restored.
    transaction((tx) => appendLog(tx, { event: "test", note: "published after the backup" }));
    transaction((tx) => appendLog(tx, { event: "test", note: "published after the backup too" }));
    await publishArtefacts();
    const published = fs.readFileSync(path.join(folder, "log", "checkpoint"), "utf8");
    expect(published).toContain(`\n${backedUp + 2}\n`);
    closeDb();

    const r = spawnSync(
      process.execPath,
      ["node_modules/tsx/dist/cli.mjs", "scripts/restore.ts", backupDir, "--force"],
      {
        env: { ...process.env, DATA_DIR: dataDir },
        encoding: "utf8",
      },
    );
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
    expect(r.status, r.stderr).toBe(1);
    expect(r.stdout).toContain(`The published artefacts in ${folder} were left in place`);
    expect(r.stdout).toContain(`has ${backedUp + 2} entries, this database's log only ${backedUp}`);
    expect(r.stdout).toContain("npm run log:recover");
    // The publication is where it was, untouched; the rest of the old contents went aside.
    expect(fs.readFileSync(path.join(folder, "log", "checkpoint"), "utf8")).toBe(published);
    const aside = fs.readdirSync(dataDir).filter((n) => n.startsWith("replaced-"));
    expect(aside).toHaveLength(1);
    expect(fs.existsSync(path.join(dataDir, aside[0], "iot-seal.db"))).toBe(true);
    expect(fs.existsSync(path.join(dataDir, aside[0], "public-artefacts"))).toBe(false);

    // The start-up guard sees the same: the restored log is behind the publication.
    expect(latestCheckpoint().treeSize).toBe(backedUp);
    expect(await publishedLogProblem()).toContain(`has ${backedUp + 2} entries`);
    await expect(startup()).rejects.toBeInstanceOf(StartupRefusal);
    await shutdown();
  }, 90_000);

  it("into a fresh data directory (the publication is not in the backup) says nothing is published there, and what to do", () => {
    const fresh = path.join(scratch, "fresh-data");
    const r = spawnSync(process.execPath, ["node_modules/tsx/dist/cli.mjs", "scripts/restore.ts", backupDir], {
      env: { ...process.env, DATA_DIR: fresh, PUBLISH_TO: "" },
      encoding: "utf8",
    });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain(
      `against the publication: nothing published at ${path.join(fresh, "public-artefacts")} yet. If verifiers were served a publication from elsewhere`,
    );
    expect(r.stdout).toContain("start the portal with PUBLISH_TO set to it: it refuses to start behind it");
  }, 60_000);
});
