/**
 * Small secrets the portal must read back (a two-step login's app key, a webhook endpoint's signing
 * secret), kept in the database encrypted, so that a copy of the database alone (a Litestream
 * replica in a bucket, a database file sent for a support case) does not hold them in the clear.
 *
 * A box is one key file under DATA_DIR/keys (32 random bytes in base64, mode 0600, made at the
 * first secret sealed with it, exclusively: a process that loses the race reads the winner's) and
 * one purpose. A secret is stored as "v1.<iv>.<ciphertext and tag>" (AES-256-GCM) with the purpose
 * and its owner's id as associated data: a value copied into another owner's row, or into another
 * box's column, does not open. `npm run backup` keeps keys/, and `npm run db:restore -- --from`
 * copies it back; without the file a sealed secret cannot be read (SecretKeyUnavailable), and each
 * caller says what that means for its users.
 */
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { transaction, type Tx } from "./db.server";
import { writeFileDurableSync } from "./durable-fs.server";
import { getEnv } from "./env.server";

const PREFIX = "v1.";
const TAG_BYTES = 16;

/** Why a box's secret cannot be sealed or opened: its key file is missing, cannot be read, or is not the one it was sealed under. */
export class SecretKeyUnavailable extends Error {
  constructor(
    readonly reason: "missing" | "unreadable" | "mismatch",
    readonly file: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = "SecretKeyUnavailable";
  }
}

export interface SecretBox {
  /** The key file's name under keys/. */
  readonly keyFile: string;
  keyPath(dataDir?: string): string;
  /**
   * `plaintext` of `owner` as stored, the key made if missing and nothing is sealed under it yet;
   * SecretKeyUnavailable when it can be neither read nor made.
   */
  seal(owner: string, plaintext: string, dataDir?: string): string;
  /** The secret of `owner` from its stored form (a value stored before encryption is returned as it is). */
  open(owner: string, stored: string, dataDir?: string): string;
  /** Whether a stored value is encrypted (one stored before encryption is the secret itself). */
  isSealed(stored: string): boolean;
  /** The SQL LIKE pattern of an encrypted value. */
  readonly sealedPattern: string;
  /**
   * Whether the key file is there and is a key. "missing" with secrets sealed under it (`anySealed`)
   * means those secrets wait for it, and nothing new is sealed.
   */
  keyState(dataDir?: string): "usable" | "missing" | "unreadable";
  /**
   * The box against the secrets the database holds sealed in it: the key file's state, how many of
   * them do not open with it (all when it is missing or cannot be read), and whether a secret may be
   * sealed now (the key usable, or missing with nothing sealed under it: made at the first seal).
   */
  status(sealed: { owner: string; stored: string }[], dataDir?: string): SecretBoxStatus;
}

export interface SecretBoxStatus {
  state: "usable" | "missing" | "unreadable";
  sealed: number;
  cannotOpen: number;
  canSeal: boolean;
}

function readKey(file: string): Buffer | null {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw new SecretKeyUnavailable("unreadable", file, `${file} cannot be read`, { cause: error });
  }
  const key = Buffer.from(text.trim(), "base64");
  if (key.length !== 32)
    throw new SecretKeyUnavailable("unreadable", file, `${file} is not a key (32 bytes in base64)`);
  return key;
}

/**
 * A box whose key is DATA_DIR/keys/`keyFile`; `purpose(owner)` is the associated data of an
 * owner's secret (it names what the secret is and whose). `anySealed()` says whether the database
 * holds a secret sealed in this box: a missing key is then not made again (a new key would leave
 * those secrets unopenable for good, and the old key put back from a backup would not open the
 * new ones), and sealing is refused ("missing") until the key file is back.
 */
export function secretBox(keyFile: string, purpose: (owner: string) => string, anySealed: () => boolean): SecretBox {
  const keyPath = (dataDir = getEnv().dataDir) => path.join(dataDir, "keys", keyFile);

  const keyMadeIfMissing = (file: string): Buffer => {
    const key = readKey(file);
    if (key) return key;
    if (anySealed())
      throw new SecretKeyUnavailable(
        "missing",
        file,
        `${file} is missing, and secrets sealed under it are in the database: it is not made again (copy keys/ from a backup)`,
      );
    try {
      fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
      writeFileDurableSync(file, `${crypto.randomBytes(32).toString("base64")}\n`, { mode: 0o600, exclusive: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST")
        throw new SecretKeyUnavailable("unreadable", file, `${file} cannot be made`, { cause: error });
    }
    return readKey(file)!;
  };

  /** The secret, or null when it does not open with `key` (another key, another owner or box, an altered value). */
  const openWith = (key: Buffer, owner: string, stored: string): string | null => {
    if (!stored.startsWith(PREFIX)) return stored;
    const [iv, body] = stored.slice(PREFIX.length).split(".");
    const bytes = Buffer.from(body ?? "", "base64url");
    if (bytes.length < TAG_BYTES) return null; // no room for a whole tag (GCM would take a shorter one)
    try {
      const decipher = crypto.createDecipheriv("aes-256-gcm", key, Buffer.from(iv ?? "", "base64url"), {
        authTagLength: TAG_BYTES,
      });
      decipher.setAAD(Buffer.from(purpose(owner), "utf8"));
      decipher.setAuthTag(bytes.subarray(bytes.length - TAG_BYTES));
      return Buffer.concat([decipher.update(bytes.subarray(0, bytes.length - TAG_BYTES)), decipher.final()]).toString(
        "utf8",
      );
    } catch {
      return null;
    }
  };

  const box: SecretBox = {
    keyFile,
    keyPath,
    sealedPattern: `${PREFIX}%`,
    isSealed: (stored) => stored.startsWith(PREFIX),
    keyState(dataDir) {
      try {
        return readKey(keyPath(dataDir)) ? "usable" : "missing";
      } catch {
        return "unreadable";
      }
    },
    seal(owner, plaintext, dataDir) {
      const key = keyMadeIfMissing(keyPath(dataDir));
      const iv = crypto.randomBytes(12);
      const cipher = crypto.createCipheriv("aes-256-gcm", key, iv);
      cipher.setAAD(Buffer.from(purpose(owner), "utf8"));
      const body = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final(), cipher.getAuthTag()]);
      return `${PREFIX}${iv.toString("base64url")}.${body.toString("base64url")}`;
    },
    open(owner, stored, dataDir) {
      if (!stored.startsWith(PREFIX)) return stored; // stored before encryption
      const file = keyPath(dataDir);
      const key = readKey(file);
      if (!key) throw new SecretKeyUnavailable("missing", file, `${file} is missing`);
      const opened = openWith(key, owner, stored);
      if (opened === null)
        throw new SecretKeyUnavailable(
          "mismatch",
          file,
          `a secret does not open with ${file}: another server's key, or an altered row`,
        );
      return opened;
    },
    status(sealed, dataDir) {
      let key: Buffer | null = null;
      let state: SecretBoxStatus["state"];
      try {
        key = readKey(keyPath(dataDir)); // read once for all of them
        state = key ? "usable" : "missing";
      } catch {
        state = "unreadable";
      }
      const cannotOpen = key
        ? sealed.filter(({ owner, stored }) => openWith(key, owner, stored) === null).length
        : sealed.length;
      return {
        state,
        sealed: sealed.length,
        cannotOpen,
        canSeal: state === "usable" || (state === "missing" && !sealed.length),
      };
    },
  };
  return box;
}

/** What the administration page says of one box's key. */
export interface KeyAtRestReport extends SecretBoxStatus {
  /** The key file's name under keys/. */
  file: string;
  /** What it keeps, as a sentence's subject ("Two-step login's app keys"). */
  keeps: string;
  /** Who those are, in words ("3 accounts"). */
  sealedFor: string;
  /** What is wrong, in a sentence saying what waits and what to do; null when every sealed secret opens. */
  problem: string | null;
}

/**
 * A box's report: its status against the sealed secrets, with what is wrong said in words.
 * `withoutIt`: what waits while the sealed secrets do not open; `noNew`: what cannot be started
 * while nothing new can be sealed.
 */
export function keyAtRestReport(
  box: SecretBox,
  status: SecretBoxStatus,
  words: { keeps: string; sealedFor: string; withoutIt: string; noNew: string },
): KeyAtRestReport {
  const file = `keys/${box.keyFile}`;
  const fix = "Copy keys/ from a backup (npm run db:restore -- <data dir> --from <backup>) and restart.";
  const waits = `${words.withoutIt}${status.canSeal ? "" : `, and ${words.noNew}`}`;
  const problem = !status.cannotOpen
    ? status.state === "unreadable"
      ? `${file} cannot be read: ${words.noNew} until it is mended or removed.`
      : null
    : status.state === "missing"
      ? `${file} is missing, and the ${words.keeps.toLowerCase()} of ${words.sealedFor} are kept under it: until it is back, ${waits}. ${fix}`
      : status.state === "unreadable"
        ? `${file} cannot be read, and the ${words.keeps.toLowerCase()} of ${words.sealedFor} are kept under it: until it is mended, ${waits}. ${fix}`
        : `${status.cannotOpen} of the ${words.sealedFor} do not open with ${file} (another server's key, or altered rows): for those, ${waits}. ${fix}`;
  return { ...status, file: box.keyFile, keeps: words.keeps, sealedFor: words.sealedFor, problem };
}

/** A secret as its table holds it: whose, and the stored value. */
export interface StoredSecret {
  owner: string;
  stored: string;
}

/**
 * At start: each secret of `box` stored before encryption is sealed (one transaction; `write`
 * stores one row's sealed value, only if the row still holds the plain one). Nothing is sealed when
 * no key can be used: a key file that cannot be read, or one missing while secrets are sealed under
 * it (the plain ones stay as they are, and work); nor when the key cannot be made (a read-only
 * keys/): said in the log, never a failed start. Returns how many were sealed, and how many sealed
 * secrets do not open, for the start's report.
 */
export function sealPlainSecrets(
  box: SecretBox,
  rows: {
    plain: (tx: Tx) => StoredSecret[];
    sealed: () => StoredSecret[];
    write: (tx: Tx, row: StoredSecret, sealed: string) => void;
  },
  logPrefix: string,
  dataDir = getEnv().dataDir,
): { encrypted: number; cannotOpen: number } {
  const before = box.status(rows.sealed(), dataDir);
  if (!before.canSeal) {
    if (before.state === "unreadable")
      console.error(
        `${logPrefix} ${box.keyPath(dataDir)} cannot be read: secrets stored before encryption stay as they are.`,
      );
    return { encrypted: 0, cannotOpen: before.cannotOpen };
  }
  let encrypted = 0;
  try {
    encrypted = transaction((tx) => {
      const plain = rows.plain(tx);
      for (const row of plain) rows.write(tx, row, box.seal(row.owner, row.stored, dataDir));
      return plain.length;
    });
  } catch (error) {
    if (!(error instanceof SecretKeyUnavailable)) throw error;
    console.error(
      `${logPrefix} secrets stored before encryption stay as they are: ${error.message}.`,
      error.cause ?? "",
    );
  }
  return { encrypted, cannotOpen: box.status(rows.sealed(), dataDir).cannotOpen };
}
