// A product's current seal (the target of its GS1 Digital Link): the newest valid seal across its
// firmware versions; when none is valid, the newest seal, whose page says why.
import { describe, expect, it } from "vitest";
import { currentSealOf, newestFirst } from "../../../app/features/certification/domain/current-seal";
import type { SealVerdict } from "../../../app/features/trust/domain/verdict";

const seal = (serial: string, verdict: SealVerdict, day: number) => ({
  serial,
  verdict,
  issuedAt: new Date(Date.UTC(2026, 0, day)),
});

describe("currentSealOf", () => {
  it("no seals: none", () => {
    expect(currentSealOf([])).toBeNull();
  });

  it("the newest valid seal wins over a newer seal that is not valid", () => {
    const seals = [seal("A", "valid", 1), seal("B", "valid", 5), seal("C", "suspended", 9)];
    expect(currentSealOf(seals)?.serial).toBe("B");
  });

  it.each(["expired", "suspended", "revoked", "superseded", "forged"] as const)(
    "a newer %s seal never hides an older valid one",
    (verdict) => {
      expect(currentSealOf([seal("OLD", "valid", 1), seal("NEW", verdict, 2)])?.serial).toBe("OLD");
    },
  );

  it("none valid: the newest seal of all", () => {
    const seals = [seal("A", "expired", 1), seal("B", "revoked", 7), seal("C", "suspended", 3)];
    expect(currentSealOf(seals)?.serial).toBe("B");
  });

  it("does not depend on the order it is given", () => {
    const seals = [seal("A", "valid", 1), seal("B", "valid", 5), seal("C", "expired", 9)];
    expect(currentSealOf([...seals].reverse())?.serial).toBe("B");
  });

  it("seals issued at the same instant are ordered by serial, so the answer is stable", () => {
    expect(newestFirst([seal("A", "valid", 1), seal("B", "valid", 1)]).map((s) => s.serial)).toEqual(["B", "A"]);
  });
});
