/**
 * Two-step login's app keys, encrypted at rest (decision record 039, addendum). Whoever holds an
 * account's key makes its codes, so a copy of the database alone (a Litestream replica in a bucket,
 * a database file sent for a support case) must not hold them in the clear: each is sealed in
 * app/platform/secret-box.server.ts's box under DATA_DIR/keys/two-step.private.key (made at the
 * first setup) and bound to its user (a key copied into another user's row does not open).
 *
 * Without that file (a database restored without keys/), an app's code cannot be checked: the
 * login says so and takes a recovery code, which is kept as a hash and needs no key; the server
 * says so at its start.
 */
import crypto from "node:crypto";
import { and, eq, isNotNull, like, not } from "drizzle-orm";
import { recoveryCodes, twoStepLogins } from "../../../db/schema";
import { db, transaction } from "../../platform/db.server";
import { getEnv } from "../../platform/env.server";
import { ServiceError } from "../../platform/errors.server";
import {
  keyAtRestReport,
  sealPlainSecrets,
  secretBox,
  SecretKeyUnavailable,
  type KeyAtRestReport,
} from "../../platform/secret-box.server";
import { hashToken } from "./auth.server";

export const TWO_STEP_KEY_FILE = "two-step.private.key";
/**
 * The confirmed app keys sealed in the box. A setup begun and not confirmed is not counted: it asks
 * for nothing at login, and a new setup replaces it (so a lost key does not hold setups back for it).
 */
const sealedSecrets = (limit?: number) => {
  const q = db()
    .select({ owner: twoStepLogins.userId, stored: twoStepLogins.secret })
    .from(twoStepLogins)
    .where(and(isNotNull(twoStepLogins.confirmedAt), like(twoStepLogins.secret, twoStepBox.sealedPattern)))
    .$dynamic();
  return (limit ? q.limit(limit) : q).all();
};

/** The box of the app keys: each bound to its user (the associated data, as since the first encrypted one). */
export const twoStepBox = secretBox(
  TWO_STEP_KEY_FILE,
  (userId) => `iot-seal two-step key of user ${userId}`,
  () => sealedSecrets(1).length > 0,
);

/**
 * The app key `secret` (base32) of `userId` as stored: encrypted under the server's two-step key
 * (made if missing). A key file that cannot be read or made refuses the setup ("unavailable").
 */
export function sealTwoStepSecret(userId: string, secret: string, dataDir = getEnv().dataDir): string {
  try {
    return twoStepBox.seal(userId, secret, dataDir);
  } catch (error) {
    if (error instanceof SecretKeyUnavailable)
      console.error(`[two-step] a two-step login setup is refused: ${error.message}`, error.cause ?? "");
    else
      console.error(
        `[two-step] a two-step login setup is refused: ${twoStepBox.keyPath(dataDir)} cannot be read or made:`,
        error,
      );
    throw new ServiceError(
      "unavailable",
      "Two-step login cannot be set up right now: the server cannot read the key it keeps two-step logins under. Try again later, or tell an administrator.",
    );
  }
}

const CANNOT_CHECK =
  "Codes from your app cannot be checked right now: this server is missing the key its two-step logins are kept under. Use one of your recovery codes, or ask an administrator.";

/**
 * The app key of `userId` from its stored form. Refused ("unavailable", saying to use a recovery
 * code) when the server's two-step key is missing or is not the one it was stored under.
 */
export function openTwoStepSecret(userId: string, stored: string, dataDir = getEnv().dataDir): string {
  try {
    return twoStepBox.open(userId, stored, dataDir); // one stored before encryption is encrypted at the next start
  } catch (error) {
    if (!(error instanceof SecretKeyUnavailable)) throw error;
    const file = twoStepBox.keyPath(dataDir);
    if (error.reason === "missing")
      console.error(
        `[two-step] ${file} is missing: app codes cannot be checked (recovery codes still work). Copy keys/ from a backup.`,
      );
    else if (error.reason === "unreadable")
      console.error(`[two-step] ${file} cannot be read: app codes cannot be checked.`, error.cause ?? error.message);
    else
      console.error(
        `[two-step] the app key of user ${userId} does not open with ${file}: another server's key, or an altered row.`,
      );
    throw new ServiceError("unavailable", CANNOT_CHECK);
  }
}

/** The two-step key's state and the app keys sealed under it (the administration page). */
export function twoStepKeyReport(dataDir = getEnv().dataDir): KeyAtRestReport {
  const status = twoStepBox.status(sealedSecrets(), dataDir);
  return keyAtRestReport(twoStepBox, status, {
    keeps: "Two-step login's app keys",
    sealedFor: `${status.sealed} account${status.sealed === 1 ? "" : "s"} with two-step login`,
    withoutIt: "their app codes cannot be checked (recovery codes still work)",
    noNew: "nobody can set two-step login up",
  });
}

/**
 * At start: app keys stored before encryption are stored encrypted (sealPlainSecrets); and the
 * accounts whose app key does not open (the key file missing, damaged or another server's) are
 * counted: their app codes cannot be checked. What it did or found, for the start's report.
 */
export function encryptStoredTwoStepSecrets(dataDir = getEnv().dataDir): { encrypted: number; cannotOpen: number } {
  return sealPlainSecrets(
    twoStepBox,
    {
      plain: (tx) =>
        tx
          .select({ owner: twoStepLogins.userId, stored: twoStepLogins.secret })
          .from(twoStepLogins)
          .where(not(like(twoStepLogins.secret, twoStepBox.sealedPattern)))
          .all(),
      sealed: () => sealedSecrets(),
      write: (tx, row, sealed) =>
        tx
          .update(twoStepLogins)
          .set({ secret: sealed })
          .where(and(eq(twoStepLogins.userId, row.owner), eq(twoStepLogins.secret, row.stored)))
          .run(),
    },
    "[two-step]",
    dataDir,
  );
}

/**
 * Recovery codes are kept as a slow, salted hash: `rc1$<salt>$<scrypt>` (N 2^10, r 8: about 3 ms
 * here), so a copy of the database does not give them away to a search of their 50 bits (one try
 * per 3 ms of a core, per code, not one SHA-256 for all codes at once). They need no key: they are
 * the way in when the app's key cannot be read. Codes made before were kept as their unsalted
 * SHA-256 in hex; the start wraps each in the same slow hash, `rc1h$<salt>$<scrypt of that hex>`
 * (strengthenLegacyRecoveryCodes), so none stays a fast hash until it is used.
 */
const RECOVERY_PREFIX = "rc1$";
const LEGACY_WRAPPED_PREFIX = "rc1h$";
const LEGACY_SHA256 = /^[0-9a-f]{64}$/;
const RECOVERY_SCRYPT = { N: 2 ** 10, r: 8, p: 1 } as const;

function slowHash(prefix: string, text: string): string {
  const salt = crypto.randomBytes(16);
  const hash = crypto.scryptSync(text, salt, 32, RECOVERY_SCRYPT);
  return `${prefix}${salt.toString("base64url")}$${hash.toString("base64url")}`;
}

export function hashRecoveryCode(code: string): string {
  return slowHash(RECOVERY_PREFIX, code);
}

/** Whether `code` (as readEnteredCode gives it) is the one `stored` was made from (either slow form). */
export function recoveryCodeMatches(code: string, stored: string): boolean {
  const [prefix, text] = stored.startsWith(RECOVERY_PREFIX)
    ? [RECOVERY_PREFIX, code]
    : stored.startsWith(LEGACY_WRAPPED_PREFIX)
      ? [LEGACY_WRAPPED_PREFIX, hashToken(code)] // as codes were hashed before, then wrapped
      : [null, ""];
  if (!prefix) return false; // a bare SHA-256 is wrapped at the start; until then it is not taken
  const [salt, hash] = stored.slice(prefix.length).split("$");
  const expected = Buffer.from(hash ?? "", "base64url");
  if (expected.length !== 32) return false;
  const actual = crypto.scryptSync(text, Buffer.from(salt ?? "", "base64url"), 32, RECOVERY_SCRYPT);
  return crypto.timingSafeEqual(actual, expected);
}

/**
 * At start: each unused recovery code still kept as its bare SHA-256 is wrapped in the slow hash
 * (hashed before the transaction, about 3 ms each; a row changed meanwhile is left for the next
 * start). Used ones are wrapped too: nothing fast stays in the database. Returns how many.
 */
export function strengthenLegacyRecoveryCodes(): number {
  const legacy = db()
    .select({ id: recoveryCodes.id, codeHash: recoveryCodes.codeHash })
    .from(recoveryCodes)
    .where(not(like(recoveryCodes.codeHash, "rc1%")))
    .all()
    .filter((r) => LEGACY_SHA256.test(r.codeHash))
    .map((r) => ({ ...r, wrapped: slowHash(LEGACY_WRAPPED_PREFIX, r.codeHash) }));
  if (!legacy.length) return 0;
  return transaction((tx) => {
    let n = 0;
    for (const r of legacy)
      n += tx
        .update(recoveryCodes)
        .set({ codeHash: r.wrapped })
        .where(and(eq(recoveryCodes.id, r.id), eq(recoveryCodes.codeHash, r.codeHash)))
        .run().changes;
    return n;
  });
}
