/**
 * Backup and restore of a data directory (`npm run backup -- <dir>`, `npm run restore -- <dir>`).
 *
 * A backup holds everything the portal cannot rebuild:
 *   - iot-seal.db: the database, copied with SQLite's online backup API (safe while the portal
 *     serves: a consistent snapshot, whatever is written meanwhile). Seal PDFs as issued, the
 *     transparency log, the status of every seal and the audit log live in it;
 *   - keys/: the seal signing keys (private keys 0600). Lose them and no seal verifies;
 *   - evidence/: every evidence file the snapshot's rows name, checked against its SHA-256;
 *   - session-secret, when the secret is not given by SESSION_SECRET (losing it logs everyone out);
 *   - manifest.json: each file's SHA-256, size and mode, the migration level, the time, the
 *     audit chain's head.
 * Not copied: tmp/ (uploads in flight) and the SQLite -wal/-shm files (the snapshot is whole).
 * Status lists and checkpoints are signed from the database on demand.
 *
 * Restore verifies every file against the manifest before writing anything, refuses a non-empty
 * data directory unless forced (then the previous contents are moved to `replaced-<time>/` inside
 * it, not deleted; the publication folder stays in place), stages the files beside their final
 * place and moves them in, then checks the audit chain of the restored database and records the
 * restore in it.
 */
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import Database from "better-sqlite3";
import { knownMigrations, newerSchemaProblem, openDatabase } from "../../db/connection";
import { nowMs } from "./clock.server";
import { getEnv } from "./env.server";
import { isInside, parsePublishTo } from "./env";
import {
  BACKUP_FORMAT,
  backupManifestSchema,
  restoredMode,
  safeRelativePath,
  type BackupFile,
  type BackupManifest,
} from "./backup-manifest";
import type { AnyActor } from "./actor";
import { checkAuditChain, recordAudit } from "./audit.server";
import { db, transaction } from "./db.server";
import { isDurableTemp } from "./durable-fs.server";
import { ServiceError } from "./errors.server";

const DB_FILE = "iot-seal.db";
const MANIFEST = "manifest.json";

/** Where an evidence file lives inside a data directory (and a backup): evidence/<2 hex>/<2 hex>/<sha256>. */
export function evidenceRelPath(sha256: string): string {
  return `evidence/${sha256.slice(0, 2)}/${sha256.slice(2, 4)}/${sha256}`;
}

/** Copies `from` to `to` (created exclusively, with `mode`), returning the SHA-256 and size of the bytes copied. */
export async function copyHashed(from: string, to: string, mode: number): Promise<{ sha256: string; size: number }> {
  const hash = crypto.createHash("sha256");
  let size = 0;
  const tap = new Transform({
    transform(chunk: Buffer, _enc, done) {
      hash.update(chunk);
      size += chunk.length;
      done(null, chunk);
    },
  });
  await fs.promises.mkdir(path.dirname(to), { recursive: true, mode: 0o700 });
  await pipeline(
    fs.createReadStream(from, { highWaterMark: 1024 * 1024 }),
    tap,
    fs.createWriteStream(to, { flags: "wx", mode: 0o600 }),
  );
  await fs.promises.chmod(to, mode);
  return { sha256: hash.digest("hex"), size };
}

async function hashFile(file: string): Promise<{ sha256: string; size: number }> {
  const hash = crypto.createHash("sha256");
  let size = 0;
  for await (const chunk of fs.createReadStream(file, { highWaterMark: 1024 * 1024 })) {
    hash.update(chunk as Buffer);
    size += (chunk as Buffer).length;
  }
  return { sha256: hash.digest("hex"), size };
}

/** Whether `dir` is missing or holds nothing but the names in `ignoring`. */
function isEmptyDir(dir: string, ignoring: readonly string[] = []): boolean {
  try {
    return fs.readdirSync(dir).every((n) => ignoring.includes(n));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return true;
    throw error;
  }
}

/** The hash of the newest audit event (the chain's head; all zeros when the log is empty). */
function auditHead(client: Pick<Database.Database, "prepare">): string {
  return (
    (client.prepare("select hash from audit_events order by seq desc limit 1").get() as { hash: string } | undefined)
      ?.hash ?? "0".repeat(64)
  );
}

export interface BackupReport {
  dir: string;
  manifest: BackupManifest;
  bytes: number;
}

/** Backs up the portal's data directory (DATA_DIR) into `targetDir`, which must be new or empty. */
export async function createBackup(actor: AnyActor, targetDir: string): Promise<BackupReport> {
  const dataDir = getEnv().dataDir;
  const target = path.resolve(targetDir);
  if (isInside(target, dataDir))
    throw new ServiceError(
      "invalid",
      `Put the backup outside the data directory (${dataDir}): a backup inside it is lost with it.`,
      { dir: "Choose a directory outside DATA_DIR." },
    );
  if (!isEmptyDir(target))
    throw new ServiceError("conflict", `${target} is not empty: back up into a new or empty directory.`, {
      dir: "Choose a new or empty directory.",
    });
  fs.mkdirSync(target, { recursive: true, mode: 0o700 });
  fs.chmodSync(target, 0o700); // it holds the private signing keys

  // 1. The database: SQLite's online backup API, a consistent snapshot while the portal serves.
  await db().$client.backup(path.join(target, DB_FILE));
  fs.chmodSync(path.join(target, DB_FILE), 0o600);
  // One self-contained file: out of WAL mode, so that reading it leaves no -wal and -shm beside it
  // (a read-only connection cannot remove them). The portal puts a restored database back in WAL.
  const copy = new Database(path.join(target, DB_FILE), { fileMustExist: true });
  copy.pragma("journal_mode = DELETE");
  copy.close();
  const snapshot = new Database(path.join(target, DB_FILE), { readonly: true, fileMustExist: true });
  let manifest: BackupManifest;
  try {
    const known = knownMigrations();
    const applied = (snapshot.prepare("select count(*) as n from __drizzle_migrations").get() as { n: number }).n;
    const chain = checkAuditChain(snapshot);
    const events = (snapshot.prepare("select count(*) as n from audit_events").get() as { n: number }).n;
    const head = auditHead(snapshot);
    const seals = (snapshot.prepare("select count(*) as n from seals").get() as { n: number }).n;
    const evidenceRows = snapshot.prepare("select sha256, size from evidence_files order by sha256").all() as {
      sha256: string;
      size: number;
    }[];
    const named = new Set(
      (
        snapshot.prepare("select sha256 from evidence_links union select sha256 from recurring_evidence").all() as {
          sha256: string;
        }[]
      ).map((r) => r.sha256),
    );
    const files: BackupFile[] = [];
    const add = async (rel: string, from: string, mode: number) => {
      const copied = await copyHashed(from, path.join(target, rel), mode);
      files.push({ path: rel, ...copied, mode });
      return copied;
    };

    // 2. The signing keys: without them no seal verifies.
    const keysDir = path.join(dataDir, "keys");
    const keyFiles = fs.existsSync(keysDir)
      ? fs
          .readdirSync(keysDir)
          .filter((f) => safeRelativePath(f) && !isDurableTemp(f) && fs.statSync(path.join(keysDir, f)).isFile())
          .sort()
      : [];
    if (!keyFiles.some((f) => f.endsWith(".private.pem")))
      throw new ServiceError(
        "conflict",
        `There is no signing key in ${keysDir}: nothing a backup could restore would verify the seals.`,
      );
    // Private keys (the seal keys' .private.pem, the CSAF OpenPGP key's .private.asc) stay 0600.
    for (const f of keyFiles) await add(`keys/${f}`, path.join(keysDir, f), /\.private\./.test(f) ? 0o600 : 0o644);

    // 3. The session secret, when it lives in the data directory.
    const secret = path.join(dataDir, "session-secret");
    const hasSecret = fs.existsSync(secret);
    if (hasSecret) await add("session-secret", secret, 0o600);

    // 4. Evidence: every file the snapshot names, checked against its SHA-256 as it is copied. Not
    // on S3 (EVIDENCE_STORE=s3://…): the bucket is the evidence's own copy, kept with its versioning
    // or replication (decision 027), and the snapshot names every object by its SHA-256.
    const damaged: string[] = [];
    for (const row of getEnv().evidenceStore.kind === "s3" ? [] : evidenceRows) {
      const rel = evidenceRelPath(row.sha256);
      const from = path.join(dataDir, rel);
      if (!fs.existsSync(from)) {
        if (named.has(row.sha256)) damaged.push(`${rel} is missing`);
        continue; // an unreferenced file the collector removed after the snapshot
      }
      const copied = await add(rel, from, 0o400);
      if (copied.sha256 !== row.sha256) damaged.push(`${rel} does not match its SHA-256`);
    }
    if (damaged.length) {
      throw new ServiceError(
        "conflict",
        `The evidence store is damaged, so the backup is incomplete: ${damaged.slice(0, 5).join("; ")}${damaged.length > 5 ? `; and ${damaged.length - 5} more` : ""}.`,
      );
    }

    const dbHash = await hashFile(path.join(target, DB_FILE));
    files.unshift({ path: DB_FILE, ...dbHash, mode: 0o600 });
    manifest = backupManifestSchema.parse({
      format: BACKUP_FORMAT,
      formatVersion: 1,
      createdAt: new Date(nowMs()).toISOString(),
      source: { dataDir, host: os.hostname() },
      schema: { migrations: applied, lastMigration: applied > 0 ? (known[applied - 1] ?? null) : null },
      auditChain: { events, head, intact: chain.ok },
      counts: {
        seals,
        evidenceFiles: evidenceRows.length,
        signingKeys: keyFiles.filter((f) => f.endsWith(".private.pem")).length,
      },
      sessionSecret: hasSecret ? "included" : "absent",
      files,
    } satisfies BackupManifest);
  } catch (error) {
    snapshot.close();
    throw error;
  }
  snapshot.close();
  fs.writeFileSync(path.join(target, MANIFEST), JSON.stringify(manifest, null, 2) + "\n", { mode: 0o600, flag: "wx" });
  const bytes = manifest.files.reduce((a, f) => a + f.size, 0);
  transaction((tx) =>
    recordAudit(tx, actor, {
      action: "backup.created",
      target: { type: "backup", id: target },
      details: {
        files: manifest.files.length,
        bytes,
        auditHead: manifest.auditChain.head,
        auditEvents: manifest.auditChain.events,
        migrations: manifest.schema.migrations,
      },
    }),
  );
  return { dir: target, manifest, bytes };
}

/** Reads and checks a backup's manifest, and every file against it; throws naming the first problem. Writes nothing. */
export async function verifyBackup(backupDir: string): Promise<BackupManifest> {
  const dir = path.resolve(backupDir);
  const manifestPath = path.join(dir, MANIFEST);
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(manifestPath, "utf8"));
  } catch (error) {
    const why =
      (error as NodeJS.ErrnoException).code === "ENOENT"
        ? "there is no manifest.json"
        : `manifest.json is not JSON (${(error as Error).message})`;
    throw new ServiceError("invalid", `${dir} is not an IoT Seal backup: ${why}. Nothing was restored.`);
  }
  const parsed = backupManifestSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ServiceError(
      "invalid",
      `manifest.json is not valid: ${issue.path.join(".") || "(root)"} ${issue.message}. Nothing was restored.`,
    );
  }
  const manifest = parsed.data;
  const paths = manifest.files.map((f) => f.path);
  if (new Set(paths).size !== paths.length)
    throw new ServiceError("invalid", "manifest.json lists a file twice. Nothing was restored.");
  if (!paths.includes(DB_FILE))
    throw new ServiceError("invalid", `The backup has no ${DB_FILE}. Nothing was restored.`);
  if (!paths.some((p) => p.startsWith("keys/") && p.endsWith(".private.pem")))
    throw new ServiceError(
      "invalid",
      "The backup has no signing key (keys/*.private.pem): without it no seal verifies. Nothing was restored.",
    );
  const newer = newerSchemaProblem(manifest.schema.migrations, manifest.schema.lastMigration);
  if (newer)
    throw new ServiceError(
      "conflict",
      `This backup was made by ${newer}. Restore it with that version. Nothing was restored.`,
    );
  for (const f of manifest.files) {
    const file = path.join(dir, f.path);
    let actual: { sha256: string; size: number };
    try {
      if (!fs.lstatSync(file).isFile()) throw new Error("not a regular file");
      actual = await hashFile(file);
    } catch {
      throw new ServiceError(
        "invalid",
        `The backup is damaged: ${f.path} is missing or unreadable. Nothing was restored.`,
      );
    }
    if (actual.size !== f.size || actual.sha256 !== f.sha256) {
      throw new ServiceError(
        "invalid",
        `The backup is damaged: ${f.path} does not match its SHA-256 in manifest.json (expected ${f.sha256}, found ${actual.sha256}). Nothing was restored.`,
      );
    }
  }
  return manifest;
}

/**
 * What a restore leaves where it is in the data directory: the publication folder (PUBLISH_TO's
 * default, DATA_DIR/public-artefacts, and PUBLISH_TO when it is a folder inside DATA_DIR). It is
 * what verifiers were shown, not part of a backup: moved aside, the restored portal could no
 * longer tell that its log is behind the published one, and would sign a different log of a size
 * verifiers already saw (a fork).
 */
export function publicationEntries(dataDir: string): string[] {
  const names = new Set(["public-artefacts"]);
  const target = process.env.PUBLISH_TO ? parsePublishTo(process.env.PUBLISH_TO) : null;
  if (target && typeof target !== "string" && target.kind === "folder" && target.dir !== dataDir)
    if (isInside(target.dir, dataDir)) names.add(path.relative(dataDir, target.dir).split(path.sep)[0]);
  return [...names];
}

export interface RestoreReport {
  dataDir: string;
  manifest: BackupManifest;
  files: number;
  bytes: number;
  replacedTo: string | null;
  /** The publication folders left in place in the data directory (see publicationEntries). */
  publicationKept: string[];
  auditChain: { ok: boolean; checked: number; head: string };
}

/**
 * Restores a backup into `dataDir` (stop the portal first). Every file is verified before
 * anything is written; a non-empty data directory is refused unless `force` (its previous
 * contents are then moved to `replaced-<time>/` inside it, except the publication folder, which
 * stays where it is: publicationEntries). Whether the restored log is behind the publication is
 * for the caller to ask (publishedLogProblem, as start-up does).
 */
export async function restoreBackup(
  actor: AnyActor,
  backupDir: string,
  dataDirInput: string,
  opts: { force?: boolean } = {},
): Promise<RestoreReport> {
  const from = path.resolve(backupDir);
  const dataDir = path.resolve(dataDirInput);
  if (isInside(dataDir, from) || isInside(from, dataDir))
    throw new ServiceError(
      "invalid",
      "The backup and the data directory must be separate directories. Nothing was restored.",
    );
  if (fs.existsSync(dataDir) && !fs.statSync(dataDir).isDirectory())
    throw new ServiceError(
      "invalid",
      `DATA_DIR (${dataDir}) is a file, not a directory: set DATA_DIR to the data directory to restore into. Nothing was restored.`,
    );
  const manifest = await verifyBackup(from);
  const kept = publicationEntries(dataDir);
  if (!isEmptyDir(dataDir, kept) && !opts.force) {
    throw new ServiceError(
      "conflict",
      `${dataDir} is not empty: restoring would overwrite it. Restore into an empty directory, or pass --force to move its contents aside (to ${path.join(dataDir, "replaced-<time>")}; the published artefacts stay where they are). Nothing was restored.`,
    );
  }

  // Stage inside the data directory (same file system: the final moves are renames), checking each byte again.
  fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const stamp = new Date(nowMs()).toISOString().replace(/[:.]/g, "-");
  const staging = path.join(dataDir, `.restore-${stamp}-${crypto.randomBytes(4).toString("hex")}`);
  fs.mkdirSync(staging, { mode: 0o700 });
  try {
    for (const f of manifest.files) {
      const copied = await copyHashed(path.join(from, f.path), path.join(staging, f.path), restoredMode(f.path));
      if (copied.sha256 !== f.sha256)
        throw new ServiceError(
          "invalid",
          `The backup changed while it was restored: ${f.path} no longer matches its SHA-256. Nothing was restored.`,
        );
    }
    if (fs.existsSync(path.join(staging, "keys"))) fs.chmodSync(path.join(staging, "keys"), 0o700);
  } catch (error) {
    fs.rmSync(staging, { recursive: true, force: true });
    throw error;
  }

  // Move any previous contents aside (not the publication: it stays, for the log to be checked against), then the staged files in.
  let replacedTo: string | null = null;
  const present = fs.readdirSync(dataDir);
  const publicationKept = kept.filter((n) => present.includes(n)).map((n) => path.join(dataDir, n));
  const previous = present.filter((n) => n !== path.basename(staging) && !kept.includes(n));
  if (previous.length) {
    replacedTo = path.join(dataDir, `replaced-${stamp}`);
    fs.mkdirSync(replacedTo, { mode: 0o700 });
    for (const n of previous) fs.renameSync(path.join(dataDir, n), path.join(replacedTo, n));
  }
  for (const n of fs.readdirSync(staging)) fs.renameSync(path.join(staging, n), path.join(dataDir, n));
  fs.rmSync(staging, { recursive: true, force: true });
  fs.mkdirSync(path.join(dataDir, "evidence"), { recursive: true });

  // Open the restored database (older backups are migrated), check its audit chain, record the restore.
  const restored = openDatabase(path.join(dataDir, DB_FILE));
  try {
    const before = checkAuditChain(restored.$client);
    restored.transaction(
      (tx) =>
        recordAudit(tx, actor, {
          action: "backup.restored",
          target: { type: "backup", id: from },
          details: {
            backupCreatedAt: manifest.createdAt,
            auditHeadAtBackup: manifest.auditChain.head,
            chainIntact: before.ok,
            files: manifest.files.length,
            replacedTo,
          },
        }),
      { behavior: "immediate" },
    );
    const chain = checkAuditChain(restored.$client);
    return {
      dataDir,
      manifest,
      files: manifest.files.length,
      bytes: manifest.files.reduce((a, f) => a + f.size, 0),
      replacedTo,
      publicationKept,
      auditChain: { ok: chain.ok, checked: chain.checked, head: auditHead(restored.$client) },
    };
  } finally {
    restored.$client.close();
  }
}
