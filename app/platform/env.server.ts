/** Reads the process environment once; generates the session secret under DATA_DIR when absent. */
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { writeFileDurableSync } from "./durable-fs.server";
import { parseEnv, type Env } from "./env";

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
  fs.mkdirSync(dataDir, { recursive: true });
  cached = { ...parsed.env, dataDir, sessionSecret: parsed.env.sessionSecret ?? loadOrCreateSecret(dataDir) };
  cachedRawDir = raw;
  return cached;
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
