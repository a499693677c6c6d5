/**
 * Continuous replication of the SQLite file with Litestream (decision 029). When DB_REPLICA is
 * set, the server runs `litestream replicate -config <DATA_DIR>/litestream.yml` as a child
 * process: it ships each WAL change to the replica within SYNC_INTERVAL, and restarts it with
 * backoff if it dies. The portal never waits for it: it serves whether Litestream runs or not.
 * The restore side (`npm run db:restore`) uses the same binary and the same config generator.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import readline from "node:readline";
import { stringify } from "yaml";
import type { ReplicaTarget } from "./replica-url";

export const DB_FILE = "iot-seal.db";
export const CONFIG_FILE = "litestream.yml";
const PID_FILE = "litestream.pid";

/** How often Litestream ships new WAL frames: the bound on what a lost machine loses (the RPO). */
export const SYNC_INTERVAL = "1s";
/** A full snapshot this often, so that a restore replays at most this much WAL. */
export const SNAPSHOT_INTERVAL = "6h";
/** Snapshots and WAL kept: the window a point-in-time restore (--timestamp) can reach back. */
export const RETENTION = "72h";

export interface S3Settings {
  endpoint?: string;
  region?: string;
  forcePathStyle?: boolean;
}

/**
 * The Litestream binary: $LITESTREAM_BIN when set, else the one the pinned optional package
 * @flydotio/litestream-<os>-<arch> carries (only linux-x64 is in the lock file: the registry
 * this project installs from serves no other platform's package; elsewhere install Litestream
 * v0.3.13 and set LITESTREAM_BIN).
 */
export function litestreamBinary(): string {
  if (process.env.LITESTREAM_BIN) return process.env.LITESTREAM_BIN;
  const pkg = `@flydotio/litestream-${process.platform}-${process.arch}`;
  try {
    const require = createRequire(import.meta.url);
    return path.join(path.dirname(require.resolve(`${pkg}/package.json`)), "litestream");
  } catch {
    throw new Error(
      `No Litestream binary for ${process.platform}-${process.arch}: the optional package ${pkg} is not installed (npm install installs it on linux-x64); install Litestream v0.3.13 and set LITESTREAM_BIN to its path.`,
    );
  }
}

/**
 * Why Litestream cannot be run (no binary for this platform, or LITESTREAM_BIN not an executable
 * file), naming the variable to fix; null when it can. Start-up asks it when DB_REPLICA is set, so
 * the server stops with the message instead of retrying a replication that never starts.
 */
export function litestreamProblem(): string | null {
  let bin: string;
  try {
    bin = litestreamBinary();
  } catch (error) {
    return `DB_REPLICA: ${(error as Error).message}`;
  }
  const name = process.env.LITESTREAM_BIN ? "LITESTREAM_BIN" : "DB_REPLICA";
  try {
    if (!fs.statSync(bin).isFile()) return `${name}: ${bin} is not a file (it must be the Litestream v0.3.13 binary)`;
    fs.accessSync(bin, fs.constants.X_OK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return `${name}: ${bin} ${code === "ENOENT" ? "does not exist" : code === "EACCES" ? "is not executable" : `cannot be run (${code ?? (error as Error).message})`} (it must be the Litestream v0.3.13 binary)`;
  }
  // The config and the restore command are Litestream 0.3's; `litestream version` says "v0.3.13".
  const version = spawnSync(bin, ["version"], { encoding: "utf8", timeout: 10_000 });
  const said = `${version.stdout ?? ""}${version.stderr ?? ""}`.trim().split("\n")[0]?.slice(0, 120) ?? "";
  if (version.error || version.status !== 0 || !/^v?0\.3\.\d+/.test(said))
    return `${name}: ${bin} is not Litestream v0.3 (\`${path.basename(bin)} version\` answered ${version.error ? version.error.message : JSON.stringify(said)}); it must be the Litestream v0.3.13 binary`;
  return null;
}

/** The replica entry of a Litestream config for `target`. Credentials stay in the environment (AWS_*), never in the file. */
function replicaConfig(target: ReplicaTarget, s3: S3Settings): Record<string, unknown> {
  const common = { "sync-interval": SYNC_INTERVAL, "snapshot-interval": SNAPSHOT_INTERVAL, retention: RETENTION };
  if (target.kind === "file") return { type: "file", path: target.dir, ...common };
  return {
    type: "s3",
    bucket: target.bucket,
    path: target.prefix,
    ...(s3.endpoint ? { endpoint: s3.endpoint } : {}),
    // Litestream looks the region up from AWS when it is missing, which an S3-compatible store does not answer.
    region: s3.region ?? (s3.endpoint ? "us-east-1" : undefined),
    ...(s3.forcePathStyle ? { "force-path-style": true } : {}),
    ...common,
  };
}

/** The text of a Litestream config replicating the database at `dbPath` to `target`. */
export function litestreamConfig(dbPath: string, target: ReplicaTarget, s3: S3Settings = {}): string {
  const replica = Object.fromEntries(Object.entries(replicaConfig(target, s3)).filter(([, v]) => v !== undefined));
  return (
    "# Written by IoT Seal at each start (decision 029); edits are overwritten. Credentials come from AWS_* in the environment.\n" +
    stringify({ dbs: [{ path: dbPath, replicas: [replica] }] })
  );
}

/** Writes the config for `dbPath` into `dir` (mode 0600) and returns its path. */
export function writeLitestreamConfig(dir: string, dbPath: string, target: ReplicaTarget, s3: S3Settings = {}): string {
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, CONFIG_FILE);
  fs.writeFileSync(file, litestreamConfig(dbPath, target, s3), { mode: 0o600 });
  fs.chmodSync(file, 0o600);
  return file;
}

export interface ReplicationOptions {
  dataDir: string;
  target: ReplicaTarget;
  s3?: S3Settings;
  /** Where Litestream's lines and the supervisor's messages go (default: the console, prefixed). */
  log?: (level: "info" | "error", line: string) => void;
  /** First restart delay after Litestream dies; doubles each time, up to maxBackoffMs. */
  backoffMs?: number;
  maxBackoffMs?: number;
}

export interface ReplicationStatus {
  replica: string;
  running: boolean;
  pid: number | null;
  restarts: number;
  lastExit: { code: number | null; signal: string | null; at: string } | null;
}

export interface Replication {
  status(): ReplicationStatus;
  /** SIGTERM (Litestream makes a last sync and exits), then SIGKILL after `timeoutMs`. */
  stop(timeoutMs?: number): Promise<void>;
}

/** Litestream's per-sync lines (one or two a second while the portal writes): not logged. */
const CHATTER = /msg="(write wal segment|wal segment written)"/;

const defaultLog = (level: "info" | "error", line: string) =>
  level === "error" ? console.error(`[litestream] ${line}`) : console.log(`[litestream] ${line}`);

/** Whether `pid` is a live Litestream started with `configFile` (Linux: /proc; elsewhere: unknown, so no). */
function isOurLitestream(pid: number, configFile: string): boolean {
  try {
    const cmdline = fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0");
    return cmdline.some((a) => a.endsWith("litestream")) && cmdline.includes(configFile);
  } catch {
    return false;
  }
}

/**
 * A Litestream left running by a server that was killed (SIGKILL, OOM) would replicate beside the
 * new one: two writers of one replica. It is stopped first (SIGTERM, then SIGKILL after 5 s).
 */
async function stopOrphan(pidFile: string, configFile: string, log: ReplicationOptions["log"] & {}): Promise<void> {
  let pid: number;
  try {
    pid = Number(fs.readFileSync(pidFile, "utf8").trim());
  } catch {
    return;
  }
  if (!Number.isInteger(pid) || pid <= 1 || pid === process.pid || !isOurLitestream(pid, configFile)) return;
  log("info", `stopping Litestream ${pid}, left running by a previous server process`);
  process.kill(pid, "SIGTERM");
  for (let i = 0; i < 50 && isOurLitestream(pid, configFile); i++) await new Promise((r) => setTimeout(r, 100));
  if (isOurLitestream(pid, configFile)) process.kill(pid, "SIGKILL");
}

/**
 * Starts replicating `<dataDir>/iot-seal.db` to `target` and returns at once (the portal does not
 * wait). Litestream is restarted with backoff whenever it exits, until `stop()`.
 */
export function startReplication(opts: ReplicationOptions): Replication {
  const log = opts.log ?? defaultLog;
  const dataDir = path.resolve(opts.dataDir);
  const dbPath = path.join(dataDir, DB_FILE);
  const pidFile = path.join(dataDir, PID_FILE);
  const firstBackoff = opts.backoffMs ?? 1000;
  const maxBackoff = opts.maxBackoffMs ?? 60_000;
  const configFile = writeLitestreamConfig(dataDir, dbPath, opts.target, opts.s3);
  let binary: string | null = null;
  try {
    binary = litestreamBinary();
  } catch (error) {
    log("error", `replication is OFF: ${(error as Error).message}`);
  }

  let child: ChildProcess | null = null;
  let stopping = false;
  let restarts = 0;
  let backoff = firstBackoff;
  let timer: NodeJS.Timeout | undefined;
  let lastExit: ReplicationStatus["lastExit"] = null;
  let exited: Promise<void> = Promise.resolve();

  const launch = () => {
    timer = undefined;
    if (stopping || !binary) return;
    const startedAt = Date.now();
    const proc = spawn(binary, ["replicate", "-config", configFile], {
      stdio: ["ignore", "pipe", "pipe"],
      env: process.env, // AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY for an S3 replica
    });
    child = proc;
    exited = new Promise((resolve) => {
      proc.once("close", (code, signal) => {
        child = null;
        lastExit = { code, signal, at: new Date().toISOString() };
        try {
          if (fs.readFileSync(pidFile, "utf8").trim() === String(proc.pid)) fs.rmSync(pidFile, { force: true });
        } catch {
          // no pid file
        }
        resolve();
        if (stopping) return;
        if (Date.now() - startedAt > maxBackoff) backoff = firstBackoff; // it had been running well
        log(
          "error",
          `Litestream exited (${signal ?? `code ${code}`}); replication is paused, restarting in ${backoff / 1000} s`,
        );
        restarts++;
        timer = setTimeout(launch, backoff);
        timer.unref();
        backoff = Math.min(backoff * 2, maxBackoff);
      });
    });
    proc.once("error", (error) => log("error", `cannot run ${binary}: ${error.message}`));
    if (proc.pid) fs.writeFileSync(pidFile, `${proc.pid}\n`);
    for (const stream of [proc.stdout, proc.stderr]) {
      if (!stream) continue;
      readline.createInterface({ input: stream }).on("line", (line) => {
        if (CHATTER.test(line)) return;
        log(/level=(ERROR|WARN)/.test(line) ? "error" : "info", line);
      });
    }
  };

  // However this process ends (process.exit on a hard shutdown timeout included), Litestream is told to
  // make its last sync and stop, rather than run on alone.
  const onExit = () => child?.kill("SIGTERM");
  process.once("exit", onExit);

  log("info", `replicating ${dbPath} to ${opts.target.url} (every ${SYNC_INTERVAL})`);
  void stopOrphan(pidFile, configFile, log)
    .catch((error) => log("error", `checking for a previous Litestream: ${(error as Error).message}`))
    .then(launch);

  return {
    status: () => ({
      replica: opts.target.url,
      running: child !== null,
      pid: child?.pid ?? null,
      restarts,
      lastExit,
    }),
    async stop(timeoutMs = 10_000) {
      stopping = true;
      if (timer) clearTimeout(timer);
      process.removeListener("exit", onExit);
      const proc = child;
      if (!proc) return;
      proc.kill("SIGTERM");
      const killer = setTimeout(() => proc.kill("SIGKILL"), timeoutMs);
      await exited;
      clearTimeout(killer);
    },
  };
}
