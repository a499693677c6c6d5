// What a seal's signed end of validity means now: "valid until" only for a valid seal (a revoked seal is not shown
// as if it ran until its signed date, a suspended one only if reinstated).
import { describe, expect, it } from "vitest";
import { validityWords } from "../../../app/components/SealVerdict";

const future = Date.UTC(2028, 11, 6);
const past = Date.UTC(2026, 0, 31);

describe("validityWords", () => {
  it.each([
    ["valid", future, undefined, "valid until 6 Dec 2028"],
    ["suspended", future, undefined, "valid until 6 Dec 2028 if reinstated"],
    ["suspended", past, undefined, "its validity ended 31 Jan 2026"],
    ["suspended", future, true, "its validity ended 6 Dec 2028"], // the server's verdict decides where given
    ["expired", past, undefined, "ended 31 Jan 2026"],
    ["revoked", future, undefined, "no longer in force"],
    ["superseded", future, undefined, "replaced by a renewal"],
  ] as const)("%s, signed to %s: %s", (verdict, until, ended, words) => {
    expect(validityWords(verdict, until, ended)).toBe(words);
  });

  it("never says valid until of a seal that is not valid", () => {
    for (const verdict of ["suspended", "expired", "revoked", "superseded"])
      expect(validityWords(verdict, future)).not.toMatch(/^valid until \S+ \S+ \S+$/);
  });
});
