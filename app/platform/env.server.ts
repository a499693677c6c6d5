/** Reads the process environment once; generates the session secret under DATA_DIR when absent. */
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { writeFileDurableSync } from "./durable-fs.server";
import { isInside, parseEnv, type Env } from "./env";
import type { ReplicaTarget } from "./replica-url";

export interface RuntimeEnv extends Env {
  sessionSecret: string;
  dataDir: string; // absolute
}

export class EnvError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid environment:\n  ${problems.join("\n  ")}`);
  }
}

let cached: RuntimeEnv | undefined;
/** DATA_DIR as it was read for `cached`: the hot path compares the string, with no path work. */
let cachedRawDir: string | undefined;

export function getEnv(): RuntimeEnv {
  const raw = process.env.DATA_DIR;
  if (cached && raw === cachedRawDir) return cached;
  if (cached && cached.dataDir === path.resolve(raw || "./data")) {
    cachedRawDir = raw;
    return cached;
  }
  const parsed = parseEnv(process.env);
  if (!parsed.ok) throw new EnvError(parsed.errors);
  const dataDir = path.resolve(parsed.env.dataDir);
  makeDataDir(dataDir);
  const replicaProblem = replicaInsideDataDirProblem(dataDir, parsed.env.dbReplica);
  if (replicaProblem) throw new EnvError([replicaProblem]);
  cached = { ...parsed.env, dataDir, sessionSecret: parsed.env.sessionSecret ?? loadOrCreateSecret(dataDir) };
  cachedRawDir = raw;
  return cached;
}

/** DATA_DIR resolved, without making it or anything in it (parseEnv's problems as an EnvError). */
export function dataDirOfEnvironment(env: Record<string, string | undefined> = process.env): string {
  const parsed = parseEnv(env);
  if (!parsed.ok) throw new EnvError(parsed.errors);
  return path.resolve(parsed.env.dataDir);
}

/** What is wrong with `dataDir` as DATA_DIR when it exists but is not a directory (or is under a file); null otherwise. */
export function dataDirProblem(dataDir: string): string | null {
  try {
    return fs.statSync(dataDir).isDirectory()
      ? null
      : `DATA_DIR: ${dataDir} is a file, not a directory: set DATA_DIR to the portal's data directory`;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT") return null;
    if (code === "ENOTDIR")
      return `DATA_DIR: ${dataDir} is inside a file, not a directory: set DATA_DIR to the portal's data directory`;
    return `DATA_DIR: ${dataDir} cannot be read (${(error as Error).message})`;
  }
}

/** `p` with symbolic links resolved: its nearest existing ancestor's real path, the rest (not made yet) appended. */
function realPathOf(p: string): string {
  const rest: string[] = [];
  let existing = path.resolve(p);
  for (;;) {
    try {
      return path.join(fs.realpathSync(existing), ...rest);
    } catch {
      const parent = path.dirname(existing);
      if (parent === existing) return path.resolve(p);
      rest.unshift(path.basename(existing));
      existing = parent;
    }
  }
}

/**
 * A file replica (DB_REPLICA) inside DATA_DIR through a symbolic link (either of them, or a parent,
 * a link to the other): lost with the disk it protects, as parseEnv refuses for the paths as
 * written. Null when it is elsewhere, in S3, or not set.
 */
export function replicaInsideDataDirProblem(dataDir: string, replica: ReplicaTarget | undefined): string | null {
  if (replica?.kind !== "file") return null;
  const realData = realPathOf(dataDir);
  const realReplica = realPathOf(replica.dir);
  if (!isInside(realReplica, realData)) return null;
  return (
    `DB_REPLICA: is inside DATA_DIR (${dataDir}) through a symbolic link (${replica.dir} is ${realReplica}, DATA_DIR is ${realData}): ` +
    `a replica there is lost with the disk it protects; put it on another disk or in S3`
  );
}

/** Makes DATA_DIR when it is missing; one that is a file, or cannot be made, is an EnvError naming DATA_DIR. */
function makeDataDir(dataDir: string): void {
  const problem = dataDirProblem(dataDir);
  if (problem) throw new EnvError([problem]);
  try {
    fs.mkdirSync(dataDir, { recursive: true });
  } catch (error) {
    throw new EnvError([`DATA_DIR: ${dataDir} cannot be created (${(error as Error).message})`]);
  }
}

function loadOrCreateSecret(dataDir: string): string {
  const file = path.join(dataDir, "session-secret");
  try {
    const existing = fs.readFileSync(file, "utf8").trim();
    if (existing.length >= 32) return existing;
  } catch {
    // not there yet
  }
  const secret = crypto.randomBytes(32).toString("base64url");
  // Whole or not at all; made once: a process that lost the race to make it reads the winner's.
  try {
    writeFileDurableSync(file, secret + "\n", { mode: 0o600, exclusive: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    const existing = fs.readFileSync(file, "utf8").trim();
    if (existing.length >= 32) return existing;
    writeFileDurableSync(file, secret + "\n", { mode: 0o600 }); // too short to be one of ours: replaced
  }
  return secret;
}
