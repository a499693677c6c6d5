/**
 * The OpenPGP key that signs the CSAF documents (CSAF 2.0 7.1.19, 7.1.20), and the signatures.
 *
 * One Ed25519 key (OpenPGP v4, EdDSA "legacy" algorithm 22: what GnuPG 2.2+, gopenpgp and the BSI's
 * csaf_checker read), made on first use and kept beside the seal signing keys as
 * <DATA_DIR>/keys/csaf-openpgp.private.asc (mode 0600, unencrypted like the seal keys' PEM files;
 * the backup copies it with the keys). A separate key, not the seal key: one key, one protocol.
 * Its public part is derived from it, so several processes agree on it without another file.
 *
 * Signatures are detached, ASCII-armoured, over the exact bytes served. An OpenPGP signature
 * carries its creation time, so signing the same bytes twice gives two different (both valid)
 * signatures: each is made once per (document SHA-256, key) and kept under
 * <DATA_DIR>/csaf/signatures/, so every process and every restart serves the same .asc.
 */
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import * as openpgp from "openpgp";
import { writeFileDurableSync } from "../../../platform/durable-fs.server";

export const CSAF_KEY_FILE = "csaf-openpgp.private.asc";

export interface CsafSigningKey {
  /** Upper-case hex, 40 digits. */
  fingerprint: string;
  /** The ASCII-armoured public key. */
  publicArmored: string;
  createdAt: Date;
  privateKey: openpgp.PrivateKey;
}

export class CsafOpenPgp {
  private key: Promise<CsafSigningKey> | undefined;
  private signatures = new Map<string, string>();

  constructor(
    readonly keysDir: string,
    readonly signaturesDir: string,
    private readonly userId: { name: string; email?: string },
  ) {}

  private get keyPath() {
    return path.join(this.keysDir, CSAF_KEY_FILE);
  }

  /** The key, made on first use (exclusively: a process that loses the race reads the winner's). */
  signingKey(): Promise<CsafSigningKey> {
    this.key ??= this.loadOrCreate().catch((error: unknown) => {
      this.key = undefined;
      throw error;
    });
    return this.key;
  }

  private async loadOrCreate(): Promise<CsafSigningKey> {
    if (!fs.existsSync(this.keyPath)) {
      fs.mkdirSync(this.keysDir, { recursive: true, mode: 0o700 });
      const { privateKey } = await openpgp.generateKey({
        type: "ecc",
        curve: "ed25519Legacy",
        userIDs: [this.userId],
        subkeys: [],
        format: "armored",
      });
      try {
        writeFileDurableSync(this.keyPath, privateKey, { mode: 0o600, exclusive: true });
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      }
    }
    const privateKey = await openpgp.readPrivateKey({ armoredKey: fs.readFileSync(this.keyPath, "utf8") });
    return {
      fingerprint: privateKey.getFingerprint().toUpperCase(),
      publicArmored: privateKey.toPublic().armor(),
      createdAt: privateKey.getCreationTime(),
      privateKey,
    };
  }

  /** The detached, armoured signature of `bytes` (made once per content and key, then kept). */
  async sign(bytes: Uint8Array): Promise<string> {
    const key = await this.signingKey();
    const digest = crypto.createHash("sha256").update(bytes).digest("hex");
    const name = `${digest}.${key.fingerprint.slice(-16).toLowerCase()}.asc`;
    const cached = this.signatures.get(name);
    if (cached) return cached;
    const file = path.join(this.signaturesDir, name);
    let armored: string;
    try {
      armored = fs.readFileSync(file, "utf8");
    } catch {
      armored = await openpgp.sign({
        message: await openpgp.createMessage({ binary: bytes }),
        signingKeys: key.privateKey,
        detached: true,
        format: "armored",
      });
      fs.mkdirSync(this.signaturesDir, { recursive: true });
      try {
        writeFileDurableSync(file, armored, { exclusive: true }); // never a torn signature served for ever
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
        armored = fs.readFileSync(file, "utf8"); // another process signed it first: serve the same one
      }
    }
    if (this.signatures.size > 10_000) this.signatures.clear();
    this.signatures.set(name, armored);
    return armored;
  }
}

let current: CsafOpenPgp | undefined;

/** The CSAF signer of this data directory. */
export function csafOpenPgp(dataDir: string, userId: { name: string; email?: string }): CsafOpenPgp {
  const keysDir = path.join(dataDir, "keys");
  if (!current || current.keysDir !== keysDir)
    current = new CsafOpenPgp(keysDir, path.join(dataDir, "csaf", "signatures"), userId);
  return current;
}
