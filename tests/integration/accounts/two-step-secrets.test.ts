// Two-step login's app keys at rest: encrypted under keys/two-step.private.key, bound to their user,
// so a copy of the database alone (a replica, a backup of the file) cannot make anyone's codes. Keys
// stored before encryption are encrypted at the start; a server without the key file says so, and
// its users sign in with a recovery code.
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { eq } from "drizzle-orm";
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { recoveryCodes, twoStepLogins } from "../../../db/schema";
import { resetRateLimits } from "../../../app/features/accounts/auth.server";
import { beginTwoStep, finishLogin, pendingTwoStepKey } from "../../../app/features/accounts/two-step.server";
import {
  encryptStoredTwoStepSecrets,
  hashRecoveryCode,
  openTwoStepSecret,
  recoveryCodeMatches,
  strengthenLegacyRecoveryCodes,
  TWO_STEP_KEY_FILE,
} from "../../../app/features/accounts/two-step-secrets.server";
import { testClock } from "../../../app/platform/clock.server";
import { db } from "../../../app/platform/db.server";
import { getEnv } from "../../../app/platform/env.server";
import { seedDemoData } from "../../support/demo-seed";
import { appCode, client, passwordStep, turnOn } from "../../support/two-step";
import { actorByEmail, DEMO_EMAILS } from "../../support/actors";

beforeAll(async () => {
  await seedDemoData({ seals: false });
});
const T0 = Date.parse("2031-06-01T08:00:00Z");
beforeEach(() => testClock.set(T0));
afterEach(() => {
  testClock.reset();
  resetRateLimits();
});

const keyFile = () => path.join(getEnv().dataDir, "keys", TWO_STEP_KEY_FILE);
const stored = (userId: string) =>
  db().select({ s: twoStepLogins.secret }).from(twoStepLogins).where(eq(twoStepLogins.userId, userId)).get()!.s;

describe("two-step login's app keys at rest", () => {
  it("a setup begun and not confirmed does not hold the key: lost, a new setup makes a new one", async () => {
    const asha = actorByEmail(DEMO_EMAILS.asha);
    beginTwoStep(asha); // left unconfirmed: it asks for nothing at login
    expect(stored(asha.userId)).toMatch(/^v1\./);
    fs.rmSync(keyFile());
    expect(encryptStoredTwoStepSecrets()).toEqual({ encrypted: 0, cannotOpen: 0 }); // nobody's login waits for it
    // Still within its time, the setup's key no longer opens: a new setup replaces it, under a new key.
    beginTwoStep(asha);
    expect(fs.existsSync(keyFile())).toBe(true);
    expect(pendingTwoStepKey(asha)!.secret).toMatch(/^[A-Z2-7]{32}$/);
  });

  it("are stored encrypted and bound to their user; the key file is the server's own (0600), and logins work", async () => {
    const grace = actorByEmail(DEMO_EMAILS.grace);
    const { secret } = await turnOn(DEMO_EMAILS.grace);
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    const row = stored(grace.userId);
    expect(row).toMatch(/^v1\.[\w-]{16}\.[\w-]+$/);
    expect(row).not.toContain(secret);
    expect(fs.statSync(keyFile()).mode & 0o777).toBe(0o600);
    expect(openTwoStepSecret(grace.userId, row)).toBe(secret);
    // Copied into another user's row, it does not open.
    expect(() => openTwoStepSecret(actorByEmail(DEMO_EMAILS.sam).userId, row)).toThrow(/cannot be checked/);
    // Nowhere in the database's files.
    db().$client.pragma("wal_checkpoint(TRUNCATE)");
    const file = db().$client.name;
    for (const f of [file, `${file}-wal`].filter((f) => fs.existsSync(f)))
      expect(fs.readFileSync(f).includes(Buffer.from(secret))).toBe(false);
    // The login's code step takes the app's code.
    const token = await passwordStep(DEMO_EMAILS.grace);
    expect(finishLogin(token, { code: appCode(secret, T0 + 30_000) }, client()).user.email).toBe(DEMO_EMAILS.grace);
  });

  it("stored before encryption: still work, and are encrypted at the next start", async () => {
    const bram = actorByEmail(DEMO_EMAILS.bram);
    const { secret } = await turnOn(DEMO_EMAILS.bram);
    // As a server before this change stored it.
    db().update(twoStepLogins).set({ secret }).where(eq(twoStepLogins.userId, bram.userId)).run();
    let token = await passwordStep(DEMO_EMAILS.bram);
    expect(finishLogin(token, { code: appCode(secret, T0 + 30_000) }, client()).user.email).toBe(DEMO_EMAILS.bram);

    expect(encryptStoredTwoStepSecrets()).toEqual({ encrypted: 1, cannotOpen: 0 });
    expect(stored(bram.userId)).toMatch(/^v1\./);
    expect(openTwoStepSecret(bram.userId, stored(bram.userId))).toBe(secret);
    testClock.set(T0 + 60_000);
    token = await passwordStep(DEMO_EMAILS.bram);
    expect(finishLogin(token, { code: appCode(secret, T0 + 60_000) }, client()).user.email).toBe(DEMO_EMAILS.bram);
    expect(encryptStoredTwoStepSecrets()).toEqual({ encrypted: 0, cannotOpen: 0 }); // nothing left to do
  });

  it("without the key file: app codes are refused saying to use a recovery code, which signs in; the start says so", async () => {
    const { secret, codes } = await turnOn(DEMO_EMAILS.buyer);
    const away = `${keyFile()}.away`;
    fs.renameSync(keyFile(), away);
    const errors = vi.spyOn(console, "error").mockImplementation(() => {});
    try {
      let token = await passwordStep(DEMO_EMAILS.buyer);
      await expect(() => finishLogin(token, { code: appCode(secret, T0 + 30_000) }, client())).toBeRefused(
        "unavailable",
        /recovery codes/,
      );
      expect(String(errors.mock.calls[0]?.[0])).toContain(TWO_STEP_KEY_FILE);
      expect(finishLogin(token, { code: codes[0] }, client()).user.email).toBe(DEMO_EMAILS.buyer);
      // No new key is made while app keys are sealed under the missing one: a setup waits for it too.
      await expect(() => beginTwoStep(actorByEmail(DEMO_EMAILS.asha))).toBeRefused("unavailable", /cannot be set up/);
      expect(fs.existsSync(keyFile())).toBe(false);
      const report = encryptStoredTwoStepSecrets();
      expect(report.encrypted).toBe(0);
      expect(report.cannotOpen).toBeGreaterThanOrEqual(1);
      // A key file that is not one (cut short, say): refused the same way, never a crash.
      fs.writeFileSync(keyFile(), "not a key\n", { mode: 0o600 });
      token = await passwordStep(DEMO_EMAILS.buyer);
      await expect(() => finishLogin(token, { code: appCode(secret, T0 + 30_000) }, client())).toBeRefused(
        "unavailable",
        /recovery codes/,
      );
      await expect(() => beginTwoStep(actorByEmail(DEMO_EMAILS.asha))).toBeRefused("unavailable", /cannot be set up/);
      expect(encryptStoredTwoStepSecrets().cannotOpen).toBeGreaterThanOrEqual(1); // the start says so, and goes on
      fs.rmSync(keyFile());
      // The key back (copied from a backup): the app's codes work again.
      fs.renameSync(away, keyFile());
      testClock.set(T0 + 60_000);
      token = await passwordStep(DEMO_EMAILS.buyer);
      expect(finishLogin(token, { code: appCode(secret, T0 + 60_000) }, client()).user.email).toBe(DEMO_EMAILS.buyer);
    } finally {
      if (fs.existsSync(away)) fs.renameSync(away, keyFile());
      errors.mockRestore();
    }
  });

  it("recovery codes are kept as a slow salted hash, none the same twice; codes made before (SHA-256) are wrapped in it at the start and still work once", async () => {
    const sam = actorByEmail(DEMO_EMAILS.sam);
    const { codes } = await turnOn(DEMO_EMAILS.sam);
    const rows = () => db().select().from(recoveryCodes).where(eq(recoveryCodes.userId, sam.userId)).all();
    const hashes = rows().map((r) => r.codeHash);
    expect(hashes).toHaveLength(10);
    for (const h of hashes) expect(h).toMatch(/^rc1\$[\w-]{22}\$[\w-]{43}$/);
    const sha = (c: string) => crypto.createHash("sha256").update(c).digest("hex");
    for (const c of codes) expect(hashes).not.toContain(sha(c));
    expect(recoveryCodeMatches(codes[3], hashRecoveryCode(codes[3]))).toBe(true);
    expect(hashRecoveryCode(codes[3])).not.toBe(hashRecoveryCode(codes[3])); // salted
    expect(recoveryCodeMatches(codes[4], hashRecoveryCode(codes[3]))).toBe(false);

    let token = await passwordStep(DEMO_EMAILS.sam);
    expect(finishLogin(token, { code: codes[2] }, client()).user.email).toBe(DEMO_EMAILS.sam);
    token = await passwordStep(DEMO_EMAILS.sam);
    await expect(() => finishLogin(token, { code: codes[2] }, client())).toBeRefused("invalid"); // once
    expect(rows().filter((r) => r.usedAt)).toHaveLength(1);

    // One made before this change, kept as its bare SHA-256: the start wraps it in the slow hash (and leaves the
    // others alone), then it is taken once, as it was typed.
    const legacyId = crypto.randomUUID();
    db()
      .insert(recoveryCodes)
      .values({ id: legacyId, userId: sam.userId, codeHash: sha("LEGACYCODE"), createdAt: new Date(T0) })
      .run();
    await expect(() => finishLogin(token, { code: "LEGACYCODE" }, client())).toBeRefused("invalid"); // not as it is
    token = await passwordStep(DEMO_EMAILS.sam);
    const before = rows().filter((r) => r.id !== legacyId);
    expect(strengthenLegacyRecoveryCodes()).toBe(1);
    expect(strengthenLegacyRecoveryCodes()).toBe(0);
    const wrapped = rows().find((r) => r.id === legacyId)!.codeHash;
    expect(wrapped).toMatch(/^rc1h\$[\w-]{22}\$[\w-]{43}$/);
    expect(wrapped).not.toContain(sha("LEGACYCODE"));
    expect(rows().filter((r) => r.id !== legacyId)).toEqual(before);
    expect(finishLogin(token, { code: "legac-ycode" }, client()).user.email).toBe(DEMO_EMAILS.sam);
    token = await passwordStep(DEMO_EMAILS.sam);
    await expect(() => finishLogin(token, { code: "LEGACYCODE" }, client())).toBeRefused("invalid");
  });
});
