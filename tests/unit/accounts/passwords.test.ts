import { describe, expect, it } from "vitest";
import { passwordProblems } from "../../../app/features/accounts/domain/password-policy";
import { hashPassword, needsRehash, verifyPassword } from "../../../app/features/accounts/passwords.server";

// The tests hash at PASSWORD_HASH_COST=10 (tests/setup/unit-env.ts): production's 15 costs 32 times more.

describe("password hashing (scrypt)", () => {
  it("verifies the right password and refuses a wrong one", async () => {
    const stored = await hashPassword("correct horse battery staple");
    expect(stored).toMatch(/^scrypt\$10\$8\$1\$[\w-]{22}\$[\w-]{43}$/);
    expect(await verifyPassword("correct horse battery staple", stored)).toBe(true);
    expect(await verifyPassword("correct horse battery stapler", stored)).toBe(false);
    expect(await verifyPassword("", stored)).toBe(false);
  });

  it("salts every hash, so the same password hashes differently", async () => {
    const a = await hashPassword("same password twice");
    const b = await hashPassword("same password twice");
    expect(a).not.toBe(b);
    expect(await verifyPassword("same password twice", a)).toBe(true);
    expect(await verifyPassword("same password twice", b)).toBe(true);
  });

  it("treats a malformed or foreign stored value as a mismatch, not an error", async () => {
    for (const stored of ["", "plain", "bcrypt$x", "scrypt$99$8$1$aa$bb", "scrypt$15$8$1$$", "scrypt$a$b$c$d$e"]) {
      expect(await verifyPassword("whatever-password", stored)).toBe(false);
    }
  });

  it("verifies a hash of any cost it made (the cost is stored with it): production's 15 with the tests' 10", async () => {
    const production = await hashPassword("a production hash", 15);
    expect(production).toMatch(/^scrypt\$15\$8\$1\$/);
    expect(await verifyPassword("a production hash", production)).toBe(true);
    expect(await verifyPassword("a production hash!", production)).toBe(false);
  });

  it("asks for a new hash only when the stored one costs less than the setting now", async () => {
    const cheap = await hashPassword("made at ten");
    expect(needsRehash(cheap)).toBe(false);
    expect(needsRehash(cheap, 12)).toBe(true);
    const dearer = await hashPassword("made at twelve", 12);
    expect(needsRehash(dearer)).toBe(false); // the setting lowered again: the dearer hash stays
  });

  it("normalises Unicode so the same password typed differently still matches", async () => {
    const stored = await hashPassword("caf\u00e9 au lait 2026");
    expect(await verifyPassword("cafe\u0301 au lait 2026", stored)).toBe(true);
  });
});

describe("password policy", () => {
  it("accepts a long passphrase", () => {
    expect(passwordProblems("demo-password-2026")).toEqual([]);
  });
  it.each([
    ["short1", /at least 12/],
    ["password1234", /too common/],
    ["aaaaaaaaaaaaaaaa", /more than two different/],
    ["x".repeat(201), /at most 200/],
  ])("refuses %s", (pw, problem) => {
    expect(passwordProblems(pw).join(" ")).toMatch(problem);
  });
  it("refuses a password containing the email's local part", () => {
    expect(passwordProblems("grace.gator-2026!", { email: "grace.gator@example.com" }).join(" ")).toMatch(/email/);
  });
});
