// Two-step login's pure rules: what counts as a code, how codes are shown, and a code working once.
import { describe, expect, it } from "vitest";
import {
  attemptsLeft,
  formatRecoveryCode,
  groupedSecret,
  readEnteredCode,
  stepIsFresh,
  TWO_STEP,
} from "../../../app/features/accounts/domain/two-step";

describe("what was typed on the code page", () => {
  it("is the app's code: six digits, spaces as apps show them allowed", () => {
    expect(readEnteredCode("123456")).toEqual({ kind: "authenticator", code: "123456" });
    expect(readEnteredCode(" 123 456 ")).toEqual({ kind: "authenticator", code: "123456" });
    expect(readEnteredCode("12345")).toBeNull();
    expect(readEnteredCode("1234567")).toBeNull();
  });

  it("is a recovery code: ten base32 characters, in any case, with or without the hyphen or spaces", () => {
    const code = { kind: "recovery", code: "ABCDE23456" };
    expect(readEnteredCode("ABCDE-23456")).toEqual(code);
    expect(readEnteredCode("abcde 23456")).toEqual(code);
    expect(readEnteredCode("abcde23456")).toEqual(code);
    expect(readEnteredCode("ABCDE-23451")).toBeNull(); // 1 is not base32
    expect(readEnteredCode("ABCDE-2345")).toBeNull();
    expect(readEnteredCode("")).toBeNull();
    expect(readEnteredCode("'; drop table users; --")).toBeNull();
  });
});

describe("showing codes and keys", () => {
  it("groups a recovery code in two halves and a key in fours", () => {
    expect(formatRecoveryCode("ABCDE23456")).toBe("ABCDE-23456");
    expect(groupedSecret("GSYLWTUVBAUFL2W65I5VFNQXCMQN2SKO")).toBe("GSYL WTUV BAUF L2W6 5I5V FNQX CMQN 2SKO");
  });
});

describe("a code works once", () => {
  it("only a time step later than the last one accepted is taken", () => {
    expect(stepIsFresh(100, null)).toBe(true);
    expect(stepIsFresh(101, 100)).toBe(true);
    expect(stepIsFresh(100, 100)).toBe(false);
    expect(stepIsFresh(99, 100)).toBe(false);
  });

  it("five tries, then the password again", () => {
    expect(TWO_STEP.maxAttempts).toBe(5);
    expect([0, 1, 4, 5, 9].map(attemptsLeft)).toEqual([5, 4, 1, 0, 0]);
  });
});
