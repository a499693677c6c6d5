// Backup and restore (issue 13, item 9): a data directory with seals (active, expired, suspended,
// revoked), evidence, recurring evidence and audit entries is backed up while open, restored into
// a fresh data directory, and everything that makes a seal verifiable comes back: the audit chain,
// the JWKS, each seal's verdict, the evidence bytes. A backup with one byte changed is refused.
import crypto from "node:crypto";
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeDb } from "../../../db/connection";
import { SigningKeys, signingKeys } from "../../../app/features/trust/adapters/signing-keys.server";
import { getEnv } from "../../../app/platform/env.server";
import { checkAuditChain } from "../../../app/platform/audit.server";
import { createBackup, restoreBackup } from "../../../app/platform/backup.server";
import { db } from "../../../app/platform/db.server";
import { demoSealSerials } from "../../../app/demo/seed-seals.server";
import { seedDemoData } from "../../support/demo-seed";
import { verifySerial } from "../../../app/features/trust/verify.server";

const original = process.env.DATA_DIR!;
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "iotseal-backup-test-"));
const backupDir = path.join(scratch, "backup");
const restoredDir = path.join(scratch, "restored");

function useDataDir(dir: string) {
  closeDb();
  process.env.DATA_DIR = dir;
}

const sha = (b: Buffer) => crypto.createHash("sha256").update(b).digest("hex");

let serials: Record<string, string>;
let verdicts: Record<string, string>;
let jwks: unknown;
let auditEventsBefore: number;

beforeAll(async () => {
  useDataDir(original);
  await seedDemoData(); // seals in every state, evidence, recurring evidence, findings, audit entries
  await signingKeys(getEnv().dataDir).ensureActive();
  serials = demoSealSerials();
  verdicts = {};
  for (const [name, serial] of Object.entries(serials)) verdicts[name] = (await verifySerial(serial)).status;
  jwks = signingKeys(getEnv().dataDir).jwks();
  auditEventsBefore = (db().$client.prepare("select count(*) as n from audit_events").get() as { n: number }).n;
}, 60_000);

afterAll(() => {
  useDataDir(original);
  fs.rmSync(scratch, { recursive: true, force: true });
});

describe("issue 13.9: backup and restore", () => {
  it("backs up the live data directory with a manifest of every file", async () => {
    const r = await createBackup({ system: "test" }, backupDir);
    const m = r.manifest;
    expect(Object.keys(verdicts).length).toBe(5);
    expect(new Set(Object.values(verdicts))).toEqual(new Set(["valid", "expired", "suspended", "revoked"]));
    expect(m.counts.seals).toBe(5);
    expect(m.counts.evidenceFiles).toBeGreaterThan(0);
    expect(m.auditChain).toMatchObject({ events: auditEventsBefore, intact: true });
    expect(m.schema.lastMigration).toMatch(/^\d{4}_/);
    expect(m.sessionSecret).toBe("included");
    const paths = m.files.map((f) => f.path);
    expect(paths).toContain("iot-seal.db");
    expect(paths).toContain("session-secret");
    expect(paths.filter((p) => p.endsWith(".private.pem")).length).toBeGreaterThan(0);
    expect(paths.filter((p) => p.startsWith("evidence/")).length).toBe(m.counts.evidenceFiles);
    for (const f of m.files) expect(sha(fs.readFileSync(path.join(backupDir, f.path)))).toBe(f.sha256);
    expect(fs.statSync(backupDir).mode & 0o777).toBe(0o700);
    // Exactly what the manifest lists, and the manifest: no SQLite -wal or -shm beside the database.
    expect(fs.readdirSync(backupDir).sort()).toEqual(
      [...new Set([...paths.map((p) => p.split("/")[0]), "manifest.json"])].sort(),
    );
    // The backup itself is audited in the live log.
    expect(
      (db().$client.prepare("select action from audit_events order by seq desc limit 1").get() as { action: string })
        .action,
    ).toBe("backup.created");
  });

  it("restores into a fresh data directory: audit chain, JWKS, seal verdicts and evidence hashes all match", async () => {
    const r = await restoreBackup({ system: "test" }, backupDir, restoredDir);
    expect(r.replacedTo).toBeNull();
    expect(r.auditChain.ok).toBe(true);

    useDataDir(restoredDir);
    expect(getEnv().dataDir).toBe(restoredDir);
    // The audit chain (the audit:verify check) verifies, and carries the restore on top of the backed-up head.
    const chain = checkAuditChain();
    expect(chain).toMatchObject({ ok: true, checked: auditEventsBefore + 1 });
    const last = db().$client.prepare("select action, details from audit_events order by seq desc limit 1").get() as {
      action: string;
      details: string;
    };
    expect(last.action).toBe("backup.restored");
    // The same keys: the JWKS is identical, private keys are readable only by the portal.
    expect(new SigningKeys(path.join(restoredDir, "keys")).jwks()).toEqual(jwks);
    const pems = fs.readdirSync(path.join(restoredDir, "keys")).filter((f) => f.endsWith(".private.pem"));
    for (const f of pems) expect(fs.statSync(path.join(restoredDir, "keys", f)).mode & 0o777).toBe(0o600);
    expect(fs.statSync(path.join(restoredDir, "session-secret")).mode & 0o777).toBe(0o600);
    // Every seal verifies as before (signature under the restored keys, live status from the restored database).
    for (const [name, serial] of Object.entries(serials))
      expect(`${name}: ${(await verifySerial(serial)).status}`).toBe(`${name}: ${verdicts[name]}`);
    // Every evidence row's file is there and its bytes hash to its name.
    const rows = db().$client.prepare("select sha256 from evidence_files").all() as { sha256: string }[];
    expect(rows.length).toBeGreaterThan(0);
    for (const { sha256 } of rows)
      expect(
        sha(fs.readFileSync(path.join(restoredDir, "evidence", sha256.slice(0, 2), sha256.slice(2, 4), sha256))),
      ).toBe(sha256);
    useDataDir(original);
  });

  it("refuses to overwrite a non-empty data directory unless forced, and then keeps the old contents aside", async () => {
    await expect(restoreBackup({ system: "test" }, backupDir, restoredDir)).rejects.toThrow(
      /is not empty: restoring would overwrite it.*--force/,
    );
    const r = await restoreBackup({ system: "test" }, backupDir, restoredDir, { force: true });
    expect(r.replacedTo).toMatch(/replaced-/);
    expect(fs.existsSync(path.join(r.replacedTo!, "iot-seal.db"))).toBe(true);
    expect(r.auditChain.ok).toBe(true);
  });

  it("refuses a backup with one byte changed, naming the file, and writes nothing", async () => {
    const tampered = path.join(scratch, "tampered");
    fs.cpSync(backupDir, tampered, { recursive: true });
    const manifest = JSON.parse(fs.readFileSync(path.join(tampered, "manifest.json"), "utf8")) as {
      files: { path: string }[];
    };
    const victim = manifest.files.find((f) => f.path.startsWith("evidence/"))!.path;
    const file = path.join(tampered, victim);
    fs.chmodSync(file, 0o600);
    const bytes = fs.readFileSync(file);
    bytes[Math.floor(bytes.length / 2)] ^= 0x01;
    fs.writeFileSync(file, bytes);

    const target = path.join(scratch, "from-tampered");
    await expect(restoreBackup({ system: "test" }, tampered, target)).rejects.toThrow(
      new RegExp(
        `The backup is damaged: ${victim.replace(/\//g, "\\/")} does not match its SHA-256 in manifest\\.json.*Nothing was restored\\.`,
      ),
    );
    expect(fs.existsSync(target)).toBe(false);

    // The command line says the same, exit 2, and leaves DATA_DIR untouched.
    let failed: { status: number; stderr: string } | undefined;
    try {
      execFileSync(process.execPath, ["node_modules/tsx/dist/cli.mjs", "scripts/restore.ts", tampered], {
        env: { ...process.env, DATA_DIR: target },
        encoding: "utf8",
        stdio: "pipe",
      });
    } catch (error) {
      failed = error as { status: number; stderr: string };
    }
    expect(failed?.status).toBe(2);
    expect(failed?.stderr).toContain(`The backup is damaged: ${victim} does not match its SHA-256`);
    expect(fs.existsSync(target)).toBe(false);
  }, 60_000);
});
