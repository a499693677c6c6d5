/**
 * The issuer's Ed25519 signing keys, under <DATA_DIR>/keys/: the private key of each as a PKCS#8
 * PEM file readable only by the portal (mode 0600, never in the database, never logged), its
 * public JWK and status beside it. The `kid` is the key's RFC 7638 JWK thumbprint. Rotation makes
 * a new active key; retired keys stay published so older seals keep verifying, but sign nothing.
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
    return fs
      .readdirSync(this.dir)
      .filter((f) => f.endsWith(".json"))
      .map((f) => JSON.parse(fs.readFileSync(path.join(this.dir, f), "utf8")) as KeyRecord)
      .sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  }

  active(): KeyRecord | undefined {
    return this.list().find((k) => k.status === "active");
  }

  /** The active key, created on first use. */
  async ensureActive(now = new Date()): Promise<KeyRecord> {
    return this.active() ?? this.create(now);
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

  /** Retires the active key and makes a new one; returns both. */
  async rotate(now = new Date()): Promise<{ retired: KeyRecord | undefined; active: KeyRecord }> {
    const current = this.active();
    if (current) {
      const retired: KeyRecord = { ...current, status: "retired", retiredAt: now.toISOString() };
      writeFileDurableSync(this.metaPath(current.kid), JSON.stringify(retired, null, 2) + "\n"); // never half-written
      this.cache = undefined;
    }
    return {
      retired: current && { ...current, status: "retired", retiredAt: now.toISOString() },
      active: await this.create(now),
    };
  }

  /** The private key of the active key, for signing. */
  async signer(now = new Date()): Promise<{ kid: string; key: crypto.KeyObject }> {
    const record = await this.ensureActive(now);
    return { kid: record.kid, key: crypto.createPrivateKey(fs.readFileSync(this.privatePath(record.kid))) };
  }

  /**
   * The active key for signing inside a database transaction (which cannot await). The key is
   * made at start-up (ensureActive), so a missing one is a deployment error.
   */
  signerSync(): { kid: string; key: crypto.KeyObject; publicKeyRaw: Buffer } {
    const record = this.active();
    if (!record)
      throw new Error(`No active signing key in ${this.dir}; start the portal once or run npm run keys:rotate.`);
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
