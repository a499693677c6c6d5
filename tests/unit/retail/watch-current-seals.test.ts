// The rules behind a watchlist's rows and counts: each firmware version's current seal (a renewal
// stands for its version, not the seal it renews), and the counts by standing that the watchlist's
// "By status" and the buyer's dashboard both show ("No seal" included).
import { describe, expect, it } from "vitest";
import {
  currentSealsOfVersions,
  noCurrentSealReason,
  replacedInItsVersion,
} from "../../../app/features/retail/domain/version-seals";
import { countStandings, watchStandingOf } from "../../../app/features/retail/domain/watch-standing";
import type { SealVerdict } from "../../../app/features/trust/domain/verdict";

const seal = (serial: string, version: string, day: number, verdict: SealVerdict, state = "active") => ({
  serial,
  productVersionId: version,
  issuedAt: new Date(Date.UTC(2026, 0, day)),
  verdict,
  state,
});

describe("each firmware version's current seal", () => {
  it("a renewal replaces the seal it renews; another version keeps its own", () => {
    const old = seal("OLD", "v1", 1, "valid");
    const renewal = seal("NEW", "v1", 20, "valid");
    const other = seal("V2", "v2", 10, "valid");
    expect(currentSealsOfVersions([old, other, renewal]).map((s) => s.serial)).toEqual(["NEW", "V2"]);
    expect(replacedInItsVersion("OLD", [old, renewal])).toBe(true);
    expect(replacedInItsVersion("NEW", [old, renewal])).toBe(false);
  });

  it("the renewal suspended: the older valid seal stands for the version (the one rule for current seals)", () => {
    const list = [seal("OLD", "v1", 1, "valid"), seal("NEW", "v1", 20, "suspended")];
    expect(currentSealsOfVersions(list).map((s) => s.serial)).toEqual(["OLD"]);
  });

  it("superseded seals never stand for their version; a version with only superseded seals has none", () => {
    const list = [seal("GONE", "v1", 1, "superseded", "superseded"), seal("V2", "v2", 5, "expired")];
    expect(currentSealsOfVersions(list).map((s) => s.serial)).toEqual(["V2"]);
    expect(replacedInItsVersion("GONE", [list[0]])).toBe(false); // its expiry is still news
  });

  it("says plainly why a product watched by GTIN has no current seal", () => {
    expect(noCurrentSealReason("05060123450941", { serial: "IOTS-AAAA-BBBB", firmware: "1.0.0" })).toBe(
      "No seal names GTIN 05060123450941 now, so the product has no current seal (it was seal IOTS-AAAA-BBBB, firmware 1.0.0).",
    );
  });
});

describe("counts by standing", () => {
  it("count every row: a valid seal needing an update apart, and a product without a seal", () => {
    const rows = [
      { status: "valid" as const, updateRequired: null },
      { status: "valid" as const, updateRequired: { fixedIn: "2.0" } },
      { status: "expired" as const, updateRequired: null },
      { status: "no_seal" as const, updateRequired: null },
    ];
    expect(watchStandingOf(rows[1])).toBe("valid_update_required");
    const counts = countStandings(rows);
    expect(counts).toMatchObject({ valid: 1, valid_update_required: 1, expired: 1, no_seal: 1, revoked: 0 });
    expect(Object.values(counts).reduce((a, b) => a + b, 0)).toBe(rows.length);
  });
});
