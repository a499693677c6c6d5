/**
 * Restores the database from its Litestream replica into a fresh data directory
 * (`npm run db:restore`, decision 029), then checks what was restored: the audit chain, and the
 * transparency log against its last signed checkpoint. The replica holds only the database: the
 * signing keys, the evidence files and the session secret also live in DATA_DIR, so they are
 * copied from a source the operator names (a backup made by `npm run backup`, or the old data
 * directory) and whatever is still missing is listed, file by file. A missing signing key fails
 * the restore (exit 1): the seals and checkpoints it signed do not verify without it. The newest
 * write restored (the recovery point) is reported and recorded with the restore. Last, the restored
 * log is compared with the publication verifiers were shown (PUBLISH_TO, or the restored portal's
 * default, DATA_DIR/public-artefacts, copied from the old data directory): a restored log behind
 * it is reported (exit 1), since the portal refuses to start on it until log:recover has put the
 * missing entries back.
 */
import { execFile } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import Database from "better-sqlite3";
import { openDatabase } from "../../db/connection";
import { SigningKeys } from "../features/trust/adapters/signing-keys.server";
import { CSAF_KEY_FILE } from "../features/findings/adapters/csaf-openpgp.server";
import { twoStepBox } from "../features/accounts/two-step-secrets.server";
import { webhookBox } from "../features/retail/webhook-secrets.server";
import type { SecretBox, StoredSecret } from "../platform/secret-box.server";
import {
  leafHash,
  parseCheckpointBody,
  parseSignatureLines,
  rootFromLeafHashes,
} from "../features/trust/domain/merkle";
import { verifyCheckpoint } from "../features/trust/domain/tlog";
import type { AnyActor } from "../platform/actor";
import type { ChainCheck } from "../platform/audit-chain";
import { checkAuditChain, recordAudit } from "../platform/audit.server";
import { copyHashed, evidenceRelPath, verifyBackup } from "../platform/backup.server";
import { restoredMode, safeRelativePath } from "../platform/backup-manifest";
import { isDurableTemp } from "../platform/durable-fs.server";
import { ServiceError } from "../platform/errors.server";
import type { ReplicaTarget } from "../platform/replica-url";
import { DB_FILE, litestreamBinary, litestreamConfig, type S3Settings } from "../platform/replication.server";
import type { PublishTarget } from "../platform/env";
import { publicationTargetName, sinkFor } from "../features/public/publication.server";
import type { PublicationSink } from "../features/public/adapters/publication-sinks.server";
import { storedPathOf } from "../features/public/domain/publication";

const run = promisify(execFile);

export interface LogCheck {
  ok: boolean;
  leaves: number;
  /** The tree size of the newest signed checkpoint in the database (0: none). */
  checkpointSize: number;
  /** Whether the checkpoint's signature verified under a key of the restored keys/ (null: no key to check it with). */
  signatureVerified: boolean | null;
  problem?: string;
}

/**
 * The transparency log of `client` against its newest signed checkpoint: every leaf hash matches
 * its data, the leaves are 0..n-1, the checkpoint covers exactly n leaves (a leaf and its
 * checkpoint are written in one transaction) and its root is the root of those leaves; its
 * signature is checked when `jwks` holds a key.
 */
export function checkLogAgainstCheckpoint(
  client: Pick<Database.Database, "prepare">,
  jwks: Parameters<typeof verifyCheckpoint>[2],
): LogCheck {
  const hashes: Buffer[] = [];
  let expected = 0;
  for (const row of client
    .prepare("select leaf_index, data, leaf_hash from log_leaves order by leaf_index")
    .iterate() as Iterable<{
    leaf_index: number;
    data: string;
    leaf_hash: string;
  }>) {
    const fail = (problem: string): LogCheck => ({
      ok: false,
      leaves: hashes.length,
      checkpointSize: 0,
      signatureVerified: null,
      problem,
    });
    if (row.leaf_index !== expected) return fail(`leaf ${expected} is missing (the next is ${row.leaf_index})`);
    const h = leafHash(Buffer.from(row.data));
    if (h.toString("hex") !== row.leaf_hash) return fail(`leaf ${row.leaf_index} does not match its stored hash`);
    hashes.push(h);
    expected++;
  }
  const cp = client
    .prepare("select tree_size, root_hash, note from log_checkpoints order by tree_size desc limit 1")
    .get() as { tree_size: number; root_hash: string; note: string } | undefined;
  const base = { leaves: hashes.length, checkpointSize: cp?.tree_size ?? 0, signatureVerified: null };
  if (!cp)
    return hashes.length
      ? { ok: false, ...base, problem: "there are leaves but no signed checkpoint" }
      : { ok: true, ...base };
  if (cp.tree_size !== hashes.length)
    return {
      ok: false,
      ...base,
      problem: `the newest checkpoint is for ${cp.tree_size} leaves, the log has ${hashes.length}`,
    };
  const root = rootFromLeafHashes(hashes).toString("hex");
  const body = parseCheckpointBody(parseSignatureLines(cp.note)?.body ?? "");
  if (root !== cp.root_hash || body?.rootHash.toString("hex") !== root || body.treeSize !== cp.tree_size)
    return { ok: false, ...base, problem: `the leaves' root ${root} is not the checkpoint's root` };
  if (!jwks.length) return { ok: true, ...base };
  const verified = verifyCheckpoint(cp.note, body.origin, jwks);
  if (!verified)
    return {
      ok: false,
      ...base,
      signatureVerified: false,
      problem: "the checkpoint's signature does not verify under the restored keys",
    };
  return { ok: true, ...base, signatureVerified: true };
}

/**
 * The newest write the restored database holds (its newest audit event: every change is audited),
 * against the time asked for (`--timestamp`) or, without one, the time of the restore: how much
 * was lost, at most (the recovery point).
 */
export interface NewestWrite {
  at: string;
  /** Seconds from the newest write to `reference` (negative: after it, which a restore never gives). */
  secondsBefore: number;
  reference: "requested time" | "now";
}

/** "newest restored write: T (N s before the requested time)", or that there is none. */
export function newestWriteLine(w: NewestWrite | null): string {
  if (!w) return "newest restored write: none (the restored audit log is empty)";
  return `newest restored write: ${w.at} (${w.secondsBefore.toFixed(1)} s before ${w.reference === "now" ? "now" : "the requested time"})`;
}

export interface DbRestoreReport {
  dataDir: string;
  replica: string;
  timestamp: string | null;
  /** Wall-clock time of `litestream restore` alone. */
  restoreMs: number;
  bytes: number;
  /** The newest write restored: the recovery point. */
  newestWrite: NewestWrite | null;
  auditChain: ChainCheck;
  log: LogCheck;
  /** What was copied from the companion source (keys, session secret, evidence files). */
  copied: { keys: number; sessionSecret: boolean; evidence: number };
  /**
   * The signing key files the restored database needs that the data directory lacks: the public
   * key of a seal or checkpoint (without it they do not verify, and the portal refuses to start
   * against a publication they signed) or the active key's private key. The command exits 1.
   */
  missingKeys: string[];
  /** Evidence files already in the data directory (--force) that did not match their SHA-256, moved to `damagedTo`. */
  damaged: string[];
  damagedTo: string | null;
  /** What the restored database needs that the data directory still lacks, one line each. */
  missing: string[];
  publication: PublicationCheck;
}

/**
 * The restored log against the checkpoint published at the publication target. "behind" (it has
 * more entries than the restored log) and "fork" (another root at its size) keep the portal from
 * starting; "unchecked" says why nothing could be compared.
 */
export interface PublicationCheck {
  state: "agrees" | "behind" | "fork" | "nothing-published" | "unchecked";
  /** The target, as messages name it (a folder, or s3://bucket/prefix); null when there is none. */
  target: string | null;
  /** The folder the publication was copied from (the old data directory's public-artefacts/), if it was. */
  copiedFrom: string | null;
  publishedSize: number | null;
  message: string;
}

/** Whether `file` exists (a database restored over would be lost). */
function exists(file: string): boolean {
  return fs.existsSync(file);
}

/**
 * Copies what the replica does not hold from `source` (a backup directory with manifest.json,
 * verified first; or an old data directory) into `dataDir`: every key file, the session secret,
 * and the evidence files the restored database names, each checked against its SHA-256.
 */
/**
 * The times the replica's generations cover, as `litestream generations` lists them (each from its
 * first snapshot to its last upload): "it covers 2026-12-06T12:31:22Z to 2026-12-06T14:02:10Z", with
 * each generation when there are several; null when it cannot say.
 */
async function replicaCoverage(config: string, dbPath: string): Promise<string | null> {
  // The command reads the database file's time (for the lag column): an empty stand-in, removed after.
  const standIn = !fs.existsSync(dbPath);
  try {
    if (standIn) fs.writeFileSync(dbPath, "");
    const { stdout } = await run(litestreamBinary(), ["generations", "-config", config, dbPath], { env: process.env });
    const spans = stdout
      .split("\n")
      .slice(1)
      .map((line) => line.trim().split(/\s+/))
      .filter((cols) => cols.length >= 5)
      .map(([, generation, , start, end]) => ({ generation, start, end }))
      .sort((a, b) => a.start.localeCompare(b.start));
    if (!spans.length) return null;
    if (spans.length === 1) return `it covers ${spans[0].start} to ${spans[0].end}`;
    return `its ${spans.length} generations cover ${spans.map((g) => `${g.start} to ${g.end}`).join(", ")}`;
  } catch {
    return null;
  } finally {
    if (standIn) fs.rmSync(dbPath, { force: true });
  }
}

async function copyCompanions(source: string, dataDir: string, named: string[]): Promise<DbRestoreReport["copied"]> {
  const from = path.resolve(source);
  if (!fs.existsSync(from) || !fs.statSync(from).isDirectory())
    throw new ServiceError("invalid", `--from ${from} is not a directory (give a backup or the old data directory).`, {
      from: "must be an existing directory",
    });
  if (fs.existsSync(path.join(from, "manifest.json"))) await verifyBackup(from); // every file against its SHA-256
  const copied = { keys: 0, sessionSecret: false, evidence: 0 };
  const keysDir = path.join(from, "keys");
  if (fs.existsSync(keysDir)) {
    fs.mkdirSync(path.join(dataDir, "keys"), { recursive: true, mode: 0o700 });
    for (const f of fs.readdirSync(keysDir).sort()) {
      const rel = `keys/${f}`;
      if (
        !safeRelativePath(rel) ||
        isDurableTemp(f) ||
        !fs.statSync(path.join(keysDir, f)).isFile() ||
        exists(path.join(dataDir, rel))
      )
        continue;
      await copyHashed(path.join(keysDir, f), path.join(dataDir, rel), restoredMode(rel));
      copied.keys++;
    }
  }
  const secret = path.join(from, "session-secret");
  if (fs.existsSync(secret) && !exists(path.join(dataDir, "session-secret"))) {
    await copyHashed(secret, path.join(dataDir, "session-secret"), restoredMode("session-secret"));
    copied.sessionSecret = true;
  }
  for (const sha256 of named) {
    const rel = evidenceRelPath(sha256);
    const src = path.join(from, rel);
    const dst = path.join(dataDir, rel);
    if (!fs.existsSync(src) || exists(dst)) continue;
    const c = await copyHashed(src, dst, restoredMode(rel));
    if (c.sha256 !== sha256) {
      fs.rmSync(dst, { force: true }); // damaged: listed as missing below
      continue;
    }
    copied.evidence++;
  }
  return copied;
}

/** The SHA-256 of a file's bytes. */
async function sha256Of(file: string): Promise<string> {
  const hash = crypto.createHash("sha256");
  for await (const chunk of fs.createReadStream(file, { highWaterMark: 1024 * 1024 })) hash.update(chunk as Buffer);
  return hash.digest("hex");
}

/**
 * Checks each evidence file of `named` already in `dataDir` (a restore with --force) against its
 * SHA-256; one that does not match is moved to `damaged-<time>/` in the data directory (kept, not
 * deleted), so it is missing or copied again from --from.
 */
async function setAsideDamagedEvidence(
  dataDir: string,
  named: string[],
): Promise<{ damaged: string[]; damagedTo: string | null }> {
  const damaged: string[] = [];
  const aside = path.join(dataDir, `damaged-${new Date().toISOString().replace(/[:.]/g, "-")}`);
  for (const sha256 of named) {
    const rel = evidenceRelPath(sha256);
    const file = path.join(dataDir, rel);
    if (!exists(file) || (await sha256Of(file)) === sha256) continue;
    fs.mkdirSync(path.dirname(path.join(aside, rel)), { recursive: true, mode: 0o700 });
    fs.renameSync(file, path.join(aside, rel));
    damaged.push(rel);
  }
  return { damaged, damagedTo: damaged.length ? aside : null };
}

export interface DbRestoreOptions {
  /** The fresh data directory to restore into (must hold no database, and be empty unless `force`). */
  dataDir: string;
  /**
   * Restore into a data directory that is not empty (it holds no database): what is there is kept,
   * and each evidence file the restored database names is checked against its SHA-256 first.
   */
  force?: boolean;
  replica: ReplicaTarget;
  s3?: S3Settings;
  /** Point in time (within the replica's retention); the newest state when absent. */
  timestamp?: Date;
  /** A backup directory or the old data directory to copy keys, session secret and evidence from. */
  from?: string;
  /** EVIDENCE_STORE is a bucket: evidence is not in the data directory, so it is neither copied nor listed as missing. */
  evidenceInS3?: boolean;
  /**
   * PUBLISH_TO, as the restored portal will be started with it; undefined when it is not set: the
   * restored portal then publishes to its default, DATA_DIR/public-artefacts, which is filled from
   * `from`'s public-artefacts/ (an old data directory's) when it has one.
   */
  publishTo?: PublishTarget;
}

/** Restores the database from `replica` into `dataDir`, copies its companions, checks it and records the restore in its audit log. */
export async function restoreDatabase(actor: AnyActor, opts: DbRestoreOptions): Promise<DbRestoreReport> {
  const dataDir = path.resolve(opts.dataDir);
  const dbPath = path.join(dataDir, DB_FILE);
  for (const f of [dbPath, `${dbPath}-wal`])
    if (exists(f))
      throw new ServiceError(
        "conflict",
        `${dataDir} already has a database (${f}): restore into a fresh data directory, so nothing is overwritten. Nothing was restored.`,
        { dataDir: "must hold no iot-seal.db" },
      );
  // As npm run restore: what a directory already holds (keys, evidence) would be kept unchecked.
  const present = fs.existsSync(dataDir) ? fs.readdirSync(dataDir).sort() : [];
  if (present.length && !opts.force)
    throw new ServiceError(
      "conflict",
      `${dataDir} is not empty (${present.slice(0, 5).join(", ")}${present.length > 5 ? `, … ${present.length} entries` : ""}): ` +
        `restore into a new or empty data directory, or add --force to keep what it holds (each evidence file the restored database names is then checked against its SHA-256). Nothing was restored.`,
      { dataDir: "must be empty (or --force)" },
    );
  if (opts.replica.kind === "file" && !fs.existsSync(opts.replica.dir))
    throw new ServiceError("invalid", `The replica ${opts.replica.url} does not exist. Nothing was restored.`, {
      replica: "no such directory",
    });
  // A directory this restore made goes again when nothing is restored (what Litestream left in it too).
  const made = fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 }) !== undefined;
  const nothingRestored = (message: string, fields?: Record<string, string>) => {
    if (made) fs.rmSync(dataDir, { recursive: true, force: true });
    else for (const f of [`${dbPath}.tmp`, `${dbPath}.tmp-wal`, `${dbPath}.tmp-shm`]) fs.rmSync(f, { force: true });
    return new ServiceError("conflict", message, fields);
  };

  // litestream restore, with a config naming the replica (an S3 endpoint cannot be given in a URL).
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "iotseal-db-restore-"));
  const config = path.join(tmp, "litestream.yml");
  fs.writeFileSync(config, litestreamConfig(dbPath, opts.replica, opts.s3), { mode: 0o600 });
  const args = ["restore", "-config", config];
  if (opts.timestamp) args.push("-timestamp", opts.timestamp.toISOString());
  args.push(dbPath);
  const started = process.hrtime.bigint();
  try {
    await run(litestreamBinary(), args, { env: process.env, maxBuffer: 16 * 1024 * 1024 });
  } catch (error) {
    // Litestream logs (to stdout) why it failed, e.g. msg="failed to run" error="no matching backups found".
    const e = error as { stdout?: string; stderr?: string; message: string };
    const text = `${e.stderr ?? ""}\n${e.stdout ?? ""}`;
    const why = /error="([^"]+)"/.exec(text)?.[1] ?? (text.trim().split("\n").slice(-3).join(" ") || e.message);
    // A point in time lies inside one of the replica's generations (from its first snapshot to its
    // last upload, as the store dates them) or Litestream finds nothing to restore.
    if (opts.timestamp && why === "no matching backups found") {
      const covered = await replicaCoverage(config, dbPath);
      throw nothingRestored(
        `The replica ${opts.replica.url} holds no backup covering ${opts.timestamp.toISOString()}: a point in time must lie after the replica's first snapshot and no later than its last upload` +
          `${covered ? ` (${covered})` : ""} (litestream: ${why}). Nothing was restored.`,
      );
    }
    throw nothingRestored(`litestream restore from ${opts.replica.url} failed: ${why}. Nothing was restored.`);
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  const restoreMs = Number(process.hrtime.bigint() - started) / 1e6;
  if (!exists(dbPath))
    throw nothingRestored(
      `The replica ${opts.replica.url} holds no database${opts.timestamp ? ` at ${opts.timestamp.toISOString()}` : ""}. Nothing was restored.`,
    );
  fs.chmodSync(dbPath, 0o600);
  // Litestream restores into <db>.tmp and renames it; its SQLite files stay behind, empty.
  for (const f of [`${dbPath}.tmp-wal`, `${dbPath}.tmp-shm`]) fs.rmSync(f, { force: true });
  const bytes = fs.statSync(dbPath).size;

  // What the database names: evidence by SHA-256, signing keys by kid; and its newest write.
  const restoredAt = Date.now();
  const snapshot = new Database(dbPath, { readonly: true, fileMustExist: true });
  let named: string[];
  let kids: string[];
  let newestKid: string | undefined;
  let publishedAdvisories: number;
  /** Secrets the restored database keeps encrypted, by the key file they need (secret-box.server.ts). */
  let sealedSecrets: { box: SecretBox; rows: StoredSecret[]; what: (n: number) => string; without: string }[];
  let newestWrite: NewestWrite | null = null;
  try {
    const newest = (snapshot.prepare("select max(at) as at from audit_events").get() as { at: number | null }).at;
    if (newest !== null) {
      const reference = opts.timestamp?.getTime() ?? restoredAt;
      newestWrite = {
        at: new Date(newest).toISOString(),
        secondsBefore: (reference - newest) / 1000,
        reference: opts.timestamp ? "requested time" : "now",
      };
    }
    named = (snapshot.prepare("select sha256 from evidence_files order by sha256").all() as { sha256: string }[]).map(
      (r) => r.sha256,
    );
    kids = (
      snapshot.prepare("select kid from seals union select kid from log_checkpoints order by 1").all() as {
        kid: string;
      }[]
    ).map((r) => r.kid);
    // The key that signed last: the active one, when keys/ itself is gone and cannot say.
    newestKid = (
      snapshot
        .prepare(
          "select kid from (select kid, at from log_checkpoints union all select kid, issued_at as at from seals) order by at desc limit 1",
        )
        .get() as { kid: string } | undefined
    )?.kid;
    const findingColumns = snapshot.prepare("select name from pragma_table_info('findings')").all() as {
      name: string;
    }[];
    const hasTable = (name: string) =>
      snapshot.prepare("select 1 from sqlite_master where type = 'table' and name = ?").get(name) !== undefined;
    const sealedRows = (table: string, sql: string, pattern: string) =>
      (hasTable(table) ? snapshot.prepare(sql).all(pattern) : []) as StoredSecret[];
    sealedSecrets = [
      {
        box: twoStepBox,
        rows: sealedRows(
          "two_step_logins",
          "select user_id as owner, secret as stored from two_step_logins where confirmed_at is not null and secret like ?",
          twoStepBox.sealedPattern,
        ),
        what: (n) => `the app keys of the two-step login of ${n} account${n === 1 ? "" : "s"}`,
        without: "their app codes cannot be checked (recovery codes still work)",
      },
      {
        box: webhookBox,
        rows: sealedRows(
          "webhook_endpoints",
          "select id as owner, secret as stored from webhook_endpoints where active = 1 and secret like ?",
          webhookBox.sealedPattern,
        ),
        what: (n) => `the signing secrets of ${n} webhook endpoint${n === 1 ? "" : "s"}`,
        without: "their deliveries are held, none sent",
      },
    ];
    publishedAdvisories = findingColumns.some((c) => c.name === "csaf_snapshot")
      ? (snapshot.prepare("select count(*) as n from findings where csaf_snapshot is not null").get() as { n: number })
          .n
      : 0;
  } finally {
    snapshot.close();
  }
  // Evidence already there (--force) is checked before anything is copied: a damaged file is moved
  // aside, so that --from can put the right bytes in its place, or it is listed as missing.
  const { damaged, damagedTo } = await setAsideDamagedEvidence(dataDir, opts.evidenceInS3 ? [] : named);
  const copied = opts.from
    ? await copyCompanions(opts.from, dataDir, opts.evidenceInS3 ? [] : named)
    : { keys: 0, sessionSecret: false, evidence: 0 };
  const publicationFrom = opts.publishTo ? null : copyDefaultPublication(opts.from, dataDir);
  fs.mkdirSync(path.join(dataDir, "evidence"), { recursive: true });

  const missing: string[] = [];
  const missingKeys: string[] = [];
  const keysDir = path.join(dataDir, "keys");
  for (const kid of kids)
    if (!exists(path.join(keysDir, `${kid}.json`))) {
      missingKeys.push(`keys/${kid}.json`);
      missing.push(`keys/${kid}.json (the public key of seals or checkpoints: without it they do not verify)`);
    }
  const keys = new SigningKeys(keysDir).list();
  // The active key as keys/ records it; with no key file at all, the one that signed last.
  const activeKid = keys.find((k) => k.status === "active")?.kid ?? (keys.length ? undefined : newestKid);
  if (activeKid && !exists(path.join(keysDir, `${activeKid}.private.pem`))) {
    missingKeys.push(`keys/${activeKid}.private.pem`);
    missing.push(
      `keys/${activeKid}.private.pem (the active signing key: no new seal or checkpoint can be signed with it)`,
    );
  }
  if (!keys.length && !kids.length)
    missing.push("keys/ is empty: the portal will create a new signing key at its first start");
  // Made at the first signature, so only said without --from (whose keys/ is copied whole): the restore cannot tell.
  if (publishedAdvisories && !opts.from && !exists(path.join(keysDir, CSAF_KEY_FILE)))
    missing.push(
      `keys/${CSAF_KEY_FILE}, if the portal had made it (the OpenPGP key of the ${publishedAdvisories} published CSAF advisor${publishedAdvisories === 1 ? "y" : "ies"}: without it a new key is made at start and every advisory is signed again with it; whoever pinned the old key's fingerprint sees another)`,
    );
  // Each key file the restored database's sealed secrets need, and whether they open with the one here (--from
  // does not replace a key file the target has already: one made there would not open them).
  for (const { box, rows, what, without } of sealedSecrets) {
    const status = box.status(rows, dataDir);
    if (!status.cannotOpen) continue;
    const file = `keys/${box.keyFile}`;
    missing.push(
      status.state === "missing"
        ? `${file} (the key of ${what(rows.length)}: without it ${without})`
        : status.state === "unreadable"
          ? `${file} cannot be read (the key of ${what(rows.length)}: without it ${without})`
          : `${file} is not the key of ${what(status.cannotOpen)} (another installation's): copy the right one from a backup, or ${without}`,
    );
  }
  const absent = (opts.evidenceInS3 ? [] : named).filter((sha) => !exists(path.join(dataDir, evidenceRelPath(sha))));
  for (const sha of absent.slice(0, 20)) missing.push(evidenceRelPath(sha));
  if (absent.length > 20) missing.push(`... and ${absent.length - 20} more evidence files (${absent.length} in all)`);
  if (!exists(path.join(dataDir, "session-secret")))
    missing.push("session-secret (unless SESSION_SECRET is set, a new one is made at start: everyone logs in again)");

  // Open through the app's connection (migrations applied), check, and record the restore in the audit log.
  const restored = openDatabase(dbPath);
  try {
    const auditChain = checkAuditChain(restored.$client);
    const log = checkLogAgainstCheckpoint(
      restored.$client,
      keys.map((k) => k.jwk),
    );
    const publication = await checkAgainstPublication(
      restored.$client,
      keys.map((k) => k.jwk),
      opts.publishTo ?? { kind: "folder", dir: path.join(dataDir, "public-artefacts") },
      { copiedFrom: publicationFrom, explicit: opts.publishTo !== undefined },
    );
    restored.transaction(
      (tx) =>
        recordAudit(tx, actor, {
          action: "database.restored",
          target: { type: "replica", id: opts.replica.url },
          details: {
            timestamp: opts.timestamp?.toISOString() ?? null,
            // The recovery point: the newest write restored, and how long before the time asked for (or the restore).
            newestWrite: newestWrite?.at ?? null,
            newestWriteSecondsBefore: newestWrite?.secondsBefore ?? null,
            chainIntact: auditChain.ok,
            logConsistent: log.ok,
            logSize: log.leaves,
            missing: missing.length,
            missingKeys: missingKeys.length,
            publication: publication.state,
            publishedLogSize: publication.publishedSize,
            ...(damaged.length ? { damagedEvidence: damaged.length } : {}),
          },
        }),
      { behavior: "immediate" },
    );
    return {
      dataDir,
      replica: opts.replica.url,
      timestamp: opts.timestamp?.toISOString() ?? null,
      restoreMs,
      bytes,
      newestWrite,
      auditChain,
      log,
      copied,
      missingKeys,
      damaged,
      damagedTo,
      missing,
      publication,
    };
  } finally {
    restored.$client.close();
  }
}

/**
 * The old data directory's publication folder (`from`/public-artefacts), copied to the restored
 * portal's default publication folder, as keys/ are copied: it is what verifiers were shown, and
 * the restored portal checks its log against it at start (and npm run log:recover takes missing
 * entries back from it). Not when `from` has none (a backup: publications are not backed up), nor
 * when the data directory already has one (--force: it is kept). Returns the folder copied.
 */
function copyDefaultPublication(from: string | undefined, dataDir: string): string | null {
  if (!from) return null;
  const source = path.join(path.resolve(from), "public-artefacts");
  const target = path.join(dataDir, "public-artefacts");
  if (!fs.existsSync(path.join(source, "log", "checkpoint")) || fs.existsSync(target)) return null;
  fs.cpSync(source, target, { recursive: true, preserveTimestamps: true });
  return source;
}

/** How many entries, or one entry. */
const entries = (n: number) => `${n} entr${n === 1 ? "y" : "ies"}`;

/**
 * The restored log (`client`) against the checkpoint published at `target`, verified under its own
 * origin with the restored keys: behind it (fewer leaves), forked from it (another root at its
 * size), or in agreement. A checkpoint no restored key signs (another installation's, or keys/
 * missing) is not compared.
 */
async function checkAgainstPublication(
  client: Pick<Database.Database, "prepare">,
  jwks: Parameters<typeof verifyCheckpoint>[2],
  target: PublishTarget,
  { copiedFrom, explicit }: { copiedFrom: string | null; explicit: boolean },
): Promise<PublicationCheck> {
  if (target.kind === "none")
    return {
      state: "unchecked",
      target: null,
      copiedFrom,
      publishedSize: null,
      message: "not checked: PUBLISH_TO=none (nothing is published)",
    };
  let sink: PublicationSink;
  let note: Buffer | null;
  try {
    sink = sinkFor(target);
    note = await sink.get(storedPathOf("/log/checkpoint"));
  } catch (error) {
    const name = publicationTargetName(target);
    return {
      state: "unchecked",
      target: name,
      copiedFrom,
      publishedSize: null,
      message: `not checked: ${name} could not be read (${(error as Error).message}). Start the portal only once it can: it checks the restored log against it first`,
    };
  }
  const base = { target: sink.name, copiedFrom };
  if (!note)
    return {
      state: "nothing-published",
      ...base,
      publishedSize: null,
      message:
        `nothing published at ${sink.name}. If verifiers were served a publication from elsewhere (a bucket, a CDN's origin folder), ` +
        `set PUBLISH_TO to it here and when you start the restored portal: it refuses to start behind it`,
    };
  const text = note.toString("utf8");
  const body = parseCheckpointBody(parseSignatureLines(text)?.body ?? "");
  if (!body || !verifyCheckpoint(text, body.origin, jwks))
    return {
      state: "unchecked",
      ...base,
      publishedSize: body?.treeSize ?? null,
      message: `not checked: the checkpoint published at ${sink.name} is not signed by a key of the restored keys/ (another installation's, or keys/ is missing)`,
    };
  const leaves = (client.prepare("select count(*) as n from log_leaves").get() as { n: number }).n;
  const published = { ...base, publishedSize: body.treeSize };
  if (body.treeSize > leaves)
    return {
      state: "behind",
      ...published,
      message:
        `BEHIND: the log published at ${sink.name} has ${entries(body.treeSize)}, the restored one ${entries(leaves)}: ` +
        `the portal refuses to start on it (appending would fork the log). Put the missing entries back from the publication with ` +
        `npm run log:recover (DATA_DIR set to this directory${explicit ? ", PUBLISH_TO as here" : ""}, PUBLIC_URL or PORT as the portal runs), or restore a later point`,
    };
  const hashes = (
    client.prepare("select leaf_hash from log_leaves where leaf_index < ? order by leaf_index").all(body.treeSize) as {
      leaf_hash: string;
    }[]
  ).map((r) => Buffer.from(r.leaf_hash, "hex"));
  if (!rootFromLeafHashes(hashes).equals(body.rootHash))
    return {
      state: "fork",
      ...published,
      message: `FORKED: the log published at ${sink.name} (${entries(body.treeSize)}) has another root than the restored log at that size: do not start the portal against it`,
    };
  return {
    state: "agrees",
    ...published,
    message: `in agreement (${entries(body.treeSize)} published, ${entries(leaves)} restored)`,
  };
}
