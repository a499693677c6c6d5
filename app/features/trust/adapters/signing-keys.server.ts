/**
 * The issuer's Ed25519 signing keys, under <DATA_DIR>/keys/: the private key of each as a PKCS#8
 * PEM file readable only by the portal (mode 0600, never in the database, never logged), its
 * public JWK and status beside it. The `kid` is the key's RFC 7638 JWK thumbprint. Rotation makes
 * a new active key; retired keys stay published so older seals keep verifying, but sign nothing.
 *
 * The directory always has an active key once it has any key: a rotation writes the new key (on
 * the disk) before it retires the old one, so a process reading the directory meanwhile finds one
 * or the other, never none, and a key is made only where there is none at all (the first start,
 * ensureActive). Two active keys (a rotation stopped half-way) sign as the newer one.
 */
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import type { JWK } from "jose";
import { calculateJwkThumbprint } from "jose";
import { writeFileDurableSync } from "../../../platform/durable-fs.server";

export interface KeyRecord {
  kid: string;
  jwk: JWK; // public part only
  createdAt: string;
  status: "active" | "retired";
  retiredAt?: string;
}

/** How long the key directory's listing is trusted before it is looked at again (list()). */
const RECHECK_MS = 1_000;

export class SigningKeys {
  constructor(readonly dir: string) {}

  private metaPath(kid: string) {
    return path.join(this.dir, `${kid}.json`);
  }

  private privatePath(kid: string) {
    return path.join(this.dir, `${kid}.private.pem`);
  }

  private cache: { mtimeMs: number; keys: KeyRecord[]; checkedAt: number } | undefined;

  /**
   * Every key, oldest first. Cached until the directory changes (a rotation adds a file); the
   * directory is looked at again at most every RECHECK_MS (a rotation in this process is seen at
   * once, one by `npm run keys:rotate` beside a running portal within a second: an issuance signs
   * three times, and a stat each time was a tenth of its own cost).
   */
  list(): KeyRecord[] {
    const now = performance.now();
    if (this.cache && now - this.cache.checkedAt < RECHECK_MS) return this.cache.keys;
    let mtimeMs: number;
    try {
      mtimeMs = fs.statSync(this.dir).mtimeMs;
    } catch {
      return [];
    }
    if (this.cache?.mtimeMs === mtimeMs) {
      this.cache.checkedAt = now;
      return this.cache.keys;
    }
    const keys = this.readAll();
    this.cache = { mtimeMs, keys, checkedAt: now };
    return keys;
  }

  private readAll(): KeyRecord[] {
    let files: string[];
    try {
      files = fs.readdirSync(this.dir);
    } catch {
      return [];
    }
    return files
      .filter((f) => f.endsWith(".json"))
      .map((f) => JSON.parse(fs.readFileSync(path.join(this.dir, f), "utf8")) as KeyRecord)
      .sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.kid.localeCompare(b.kid));
  }

  /**
   * The key that signs: the newest active one (oldest first by list(), so the last; a rotation
   * stopped between writing the new key and retiring the old leaves both active). When the cached
   * listing has none, the directory is read once more: a listing taken while a rotation wrote the
   * new key and retired the old may have missed the one and seen the other retired.
   */
  active(): KeyRecord | undefined {
    const newest = (keys: KeyRecord[]) => keys.filter((k) => k.status === "active").at(-1);
    const found = newest(this.list());
    if (found) return found;
    this.cache = undefined;
    return newest(this.list());
  }

  /**
   * The active key. A key is made only when the directory has none at all (the first start:
   * start-up calls this before anything signs). Keys but none active is an error, as for
   * signerSync: making one then (a rotation seen half-way, say) would add an unaudited second key.
   */
  async ensureActive(now = new Date()): Promise<KeyRecord> {
    const active = this.active();
    if (active) return active;
    if (this.list().length > 0) throw this.noActiveKey();
    return this.create(now);
  }

  private noActiveKey(): Error {
    return new Error(`No active signing key in ${this.dir}; start the portal once or run npm run keys:rotate.`);
  }

  async create(now = new Date()): Promise<KeyRecord> {
    fs.mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    const { privateKey, publicKey } = crypto.generateKeyPairSync("ed25519");
    const jwk = publicKey.export({ format: "jwk" }) as JWK;
    const kid = await calculateJwkThumbprint(jwk);
    const record: KeyRecord = {
      kid,
      jwk: { ...jwk, kid, alg: "EdDSA", use: "sig" },
      createdAt: now.toISOString(),
      status: "active",
    };
    // Whole and on the disk before the key signs anything (a seal signed by a key lost in a crash could never be checked).
    writeFileDurableSync(this.privatePath(kid), privateKey.export({ format: "pem", type: "pkcs8" }), {
      mode: 0o600,
      exclusive: true,
    });
    writeFileDurableSync(this.metaPath(kid), JSON.stringify(record, null, 2) + "\n", { mode: 0o644, exclusive: true });
    this.cache = undefined;
    return record;
  }

  /**
   * Makes a new active key, on the disk, then retires every other active key; returns the new key,
   * the one that was signing (`retired`) and any other active key retired with it (`alsoRetired`:
   * left by a rotation stopped half-way). In that order, a process reading the directory meanwhile
   * always finds an active key.
   */
  async rotate(
    now = new Date(),
  ): Promise<{ retired: KeyRecord | undefined; alsoRetired: KeyRecord[]; active: KeyRecord }> {
    this.cache = undefined;
    const previous = this.list().filter((k) => k.status === "active");
    const active = await this.create(now);
    const retired = previous.map((k): KeyRecord => ({ ...k, status: "retired", retiredAt: now.toISOString() }));
    for (const k of retired) writeFileDurableSync(this.metaPath(k.kid), JSON.stringify(k, null, 2) + "\n"); // never half-written
    this.cache = undefined;
    return { retired: retired.at(-1), alsoRetired: retired.slice(0, -1), active };
  }

  /** The private key of the active key, for signing (never makes one: see ensureActive). */
  async signer(): Promise<{ kid: string; key: crypto.KeyObject }> {
    const { kid, key } = this.signerSync();
    return { kid, key };
  }

  /**
   * The active key for signing inside a database transaction (which cannot await). The key is
   * made at start-up (ensureActive), so a missing one is a deployment error.
   */
  signerSync(): { kid: string; key: crypto.KeyObject; publicKeyRaw: Buffer } {
    const record = this.active();
    if (!record) throw this.noActiveKey();
    let key = this.privateKeys.get(record.kid);
    if (!key) {
      key = crypto.createPrivateKey(fs.readFileSync(this.privatePath(record.kid)));
      this.privateKeys.set(record.kid, key);
    }
    return { kid: record.kid, key, publicKeyRaw: Buffer.from(record.jwk.x!, "base64url") };
  }

  private privateKeys = new Map<string, crypto.KeyObject>();

  /** Every public key, retired ones included: the JWKS at /.well-known/jwks.json. */
  jwks(): { keys: JWK[] } {
    return { keys: this.list().map((k) => k.jwk) };
  }
}

let current: SigningKeys | undefined;

export function signingKeys(dataDir: string): SigningKeys {
  const dir = path.join(dataDir, "keys");
  if (!current || current.dir !== dir) current = new SigningKeys(dir);
  return current;
}
