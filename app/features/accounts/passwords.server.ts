/**
 * Password hashing with scrypt from node:crypto (memory-hard), a random 16-byte salt per
 * password, parameters stored with the hash so they can be raised later, and a constant-time
 * comparison. Stored form: `scrypt$<log2 N>$<r>$<p>$<salt b64url>$<hash b64url>`. The cost of
 * new hashes is PASSWORD_HASH_COST (log2 N, 15 by default); a hash cheaper than that is stored
 * again at the next login with it (needsRehash), so raising the setting reaches every account that
 * is used.
 */
import crypto from "node:crypto";
import { promisify } from "node:util";
import { getEnv } from "../../platform/env.server";

const scrypt = promisify(crypto.scrypt) as (
  password: crypto.BinaryLike,
  salt: crypto.BinaryLike,
  keylen: number,
  options: crypto.ScryptOptions,
) => Promise<Buffer>;

const R = 8;
const P = 1;
const KEY_LENGTH = 32;

function options(logN: number, r: number, p: number): crypto.ScryptOptions {
  return { N: 2 ** logN, r, p, maxmem: 128 * 2 ** logN * r * 2 };
}

/** A new hash of the password, at PASSWORD_HASH_COST unless `logN` says otherwise. */
export async function hashPassword(password: string, logN = getEnv().passwordHashCost): Promise<string> {
  const salt = crypto.randomBytes(16);
  const hash = await scrypt(password.normalize("NFKC"), salt, KEY_LENGTH, options(logN, R, P));
  return ["scrypt", logN, R, P, salt.toString("base64url"), hash.toString("base64url")].join("$");
}

/** A stored hash's parts, or null when it is not one this module made (malformed, foreign, out of range). */
function parseStored(stored: string): { logN: number; r: number; p: number; salt: Buffer; hash: Buffer } | null {
  const parts = stored.split("$");
  if (parts.length !== 6 || parts[0] !== "scrypt") return null;
  const [logN, r, p] = parts.slice(1, 4).map(Number);
  if (![logN, r, p].every((n) => Number.isInteger(n) && n > 0) || logN > 20) return null;
  const salt = Buffer.from(parts[4], "base64url");
  const hash = Buffer.from(parts[5], "base64url");
  // An empty or truncated hash would "match" an empty derivation: never accept one.
  if (salt.length < 16 || hash.length < 32) return null;
  return { logN, r, p, salt, hash };
}

/**
 * Whether a stored hash (one that verified) costs less than new hashes do now: PASSWORD_HASH_COST
 * was raised since it was made. Never to a cheaper one: lowering the setting leaves hashes as they are.
 */
export function needsRehash(stored: string, cost = getEnv().passwordHashCost): boolean {
  const parsed = parseStored(stored);
  return parsed !== null && (parsed.logN < cost || parsed.r < R || parsed.p < P);
}

/** The cost (log2 N) a stored hash was made at; null when it is not one this module made. */
export function hashCost(stored: string): number | null {
  return parseStored(stored)?.logN ?? null;
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parsed = parseStored(stored);
  if (!parsed) return false;
  const { logN, r, p, salt, hash: expected } = parsed;
  const actual = await scrypt(password.normalize("NFKC"), salt, expected.length, options(logN, r, p));
  return actual.length === expected.length && crypto.timingSafeEqual(actual, expected);
}

/** A password for someone to be told once (16 base64url characters, 96 random bits): it meets the password policy. */
export function generatePassword(): string {
  return crypto.randomBytes(12).toString("base64url");
}

let dummy: Promise<string> | undefined;

/** Spends the same time as a real check, so a login for an unknown email is not faster. */
export async function burnPasswordCheck(password: string): Promise<void> {
  dummy ??= hashPassword("not-a-real-password-" + crypto.randomUUID());
  await verifyPassword(password, await dummy);
}
