// "Valid, update required" and "fix announced, not yet certified": the pure rules.
import { describe, expect, it } from "vitest";
import {
  advisoriesAffecting,
  compareFirmware,
  fixStateLabel,
  fixStateOf,
  isRegistered,
  parseUpdateRequiredCell,
  registerFixVersionNotice,
  unregisteredFixRefusal,
  updateRequiredCell,
  updateRequiredOf,
  updateRequiredSentence,
} from "../../../app/features/findings/domain/update-required";

const advisory = (advisoryId: string, affectedVersions: string[], fixedInVersion: string | null) => ({
  advisoryId,
  affectedVersions,
  fixedInVersion,
});

describe("updateRequiredOf", () => {
  it("a public advisory affecting the certified firmware, fixed in another version: update required", () => {
    expect(updateRequiredOf("1.0.3", [advisory("IOTSEAL-2026-0003", ["1.0.3"], "1.0.4")])).toEqual({
      advisories: ["IOTSEAL-2026-0003"],
      fixedIn: "1.0.4",
    });
  });

  it("an advisory naming hardware revisions affects only the revisions it names", () => {
    const revB = {
      ...advisory("IOTSEAL-2026-0009", ["1.0"], "1.1"),
      affected: [{ hardwareRevision: "B", firmwareVersion: "1.0" }],
    };
    expect(updateRequiredOf("1.0", [revB], "A")).toBeNull();
    expect(updateRequiredOf("1.0", [revB], "B")).toEqual({ advisories: ["IOTSEAL-2026-0009"], fixedIn: "1.1" });
    expect(advisoriesAffecting("1.0", [revB], "A")).toEqual([]);
    // Without the certified revision (or an advisory that names none), the firmware alone decides.
    expect(advisoriesAffecting("1.0", [revB])).toEqual([revB]);
    expect(advisoriesAffecting("1.0", [advisory("IOTSEAL-2026-0010", ["1.0"], null)], "A")).toHaveLength(1);
  });

  it("no advisory, or one that affects other versions only: null", () => {
    expect(updateRequiredOf("1.0.3", [])).toBeNull();
    expect(updateRequiredOf("1.0.3", [advisory("IOTSEAL-2026-0001", ["1.0.2", "1.0.30"], "1.0.4")])).toBeNull();
  });

  it("the certified firmware is the fixed one (the advisory is about older firmware): null", () => {
    expect(updateRequiredOf("3.1.0", [advisory("IOTSEAL-2026-0001", ["3.0.4"], "3.1.0")])).toBeNull();
    // A nonsensical advisory listing the fixed version as affected does not ask to "update" to the same version.
    expect(updateRequiredOf("3.1.0", [advisory("IOTSEAL-2026-0001", ["3.1.0"], "3.1.0")])).toBeNull();
  });

  it("no certified fix yet (public by deadline or published early): no update to name, so null", () => {
    expect(updateRequiredOf("1.0.3", [advisory("IOTSEAL-2026-0003", ["1.0.3"], null)])).toBeNull();
  });

  it("several advisories: all the fixed ones, and the highest fixed version (numeric order)", () => {
    const u = updateRequiredOf("1.0.3", [
      advisory("IOTSEAL-2026-0009", ["1.0.3"], "1.0.10"),
      advisory("IOTSEAL-2026-0004", ["1.0.2", "1.0.3"], "1.0.4"),
      advisory("IOTSEAL-2026-0002", ["1.0.3"], null),
      advisory("IOTSEAL-2026-0001", ["0.9.0"], "1.0.0"),
    ]);
    expect(u).toEqual({ advisories: ["IOTSEAL-2026-0009", "IOTSEAL-2026-0004"], fixedIn: "1.0.10" });
  });

  it("compares versions exactly, forgiving surrounding spaces", () => {
    expect(updateRequiredOf(" 1.0.3 ", [advisory("IOTSEAL-2026-0003", ["1.0.3 "], " 1.0.4")])).toEqual({
      advisories: ["IOTSEAL-2026-0003"],
      fixedIn: "1.0.4",
    });
    expect(updateRequiredOf("1.0", [advisory("IOTSEAL-2026-0003", ["1.0.0"], "1.0.4")])).toBeNull();
    expect(updateRequiredOf("", [advisory("IOTSEAL-2026-0003", [""], "1.0.4")])).toBeNull();
  });

  it("advisoriesAffecting keeps every affecting advisory, fixed or not, in order", () => {
    const list = [advisory("A", ["1.0.3"], null), advisory("B", ["1.0.2"], "1.0.3"), advisory("C", ["1.0.3"], "1.0.4")];
    expect(advisoriesAffecting("1.0.3", list).map((a) => a.advisoryId)).toEqual(["A", "C"]);
  });
});

describe("the words and the CSV cell", () => {
  const u = { advisories: ["IOTSEAL-2026-0003", "IOTSEAL-2026-0007"], fixedIn: "1.0.4" };
  it("say what to install and which advisories it fixes", () => {
    expect(updateRequiredSentence(u)).toBe(
      "Update required: install firmware 1.0.4 (fixes IOTSEAL-2026-0003, IOTSEAL-2026-0007).",
    );
    expect(updateRequiredCell(u)).toBe("update to 1.0.4: IOTSEAL-2026-0003 IOTSEAL-2026-0007");
    expect(updateRequiredCell(null)).toBe("");
  });
  it("the cell reads back to the same facts; an empty or foreign cell is null", () => {
    expect(parseUpdateRequiredCell(updateRequiredCell(u))).toEqual(u);
    expect(parseUpdateRequiredCell("")).toBeNull();
    expect(parseUpdateRequiredCell("yes")).toBeNull();
  });
});

describe("a fix is certified only for a registered firmware version", () => {
  const registered = ["1.0.2", "1.0.3"];
  it("announced: fixed (not yet verified), with whether its version is registered", () => {
    expect(fixStateOf({ status: "fixed", fixedInVersion: "1.0.4" }, registered)).toEqual({
      state: "announced",
      version: "1.0.4",
      registered: false,
    });
    expect(fixStateOf({ status: "fixed", fixedInVersion: "1.0.3" }, registered)).toEqual({
      state: "announced",
      version: "1.0.3",
      registered: true,
    });
  });
  it("certified once verified; nothing for a rejected fix, an open or withdrawn report", () => {
    expect(fixStateOf({ status: "verified_fixed", fixedInVersion: "1.0.3" }, registered)).toEqual({
      state: "certified",
      version: "1.0.3",
    });
    expect(fixStateOf({ status: "fix_in_progress", fixedInVersion: "1.0.4" }, registered)).toEqual({ state: "none" });
    expect(fixStateOf({ status: "open", fixedInVersion: null }, registered)).toEqual({ state: "none" });
    expect(fixStateOf({ status: "withdrawn", fixedInVersion: "1.0.4" }, registered)).toEqual({ state: "none" });
  });
  it("labels: 'fix announced, not yet verified' until it is", () => {
    expect(fixStateLabel(fixStateOf({ status: "fixed", fixedInVersion: "1.0.4" }, registered))).toBe(
      "Fix announced in 1.0.4, not yet verified (1.0.4 is not registered on the product)",
    );
    expect(fixStateLabel({ state: "announced", version: "1.0.3", registered: true })).toBe(
      "Fix announced in 1.0.3, not yet verified",
    );
    expect(fixStateLabel({ state: "none" })).toBeNull();
  });
  it("a verified fix is called verified, by the certification body's assessor; its firmware certified only with a valid seal of its own", () => {
    // Decision 015: the assessor's verification discloses the advisory and names the update, but seals nothing.
    expect(fixStateLabel({ state: "certified", version: "1.0.3" })).toBe(
      "Fix verified in 1.0.3 by the certification body's assessor; 1.0.3 has no seal of its own",
    );
    expect(fixStateLabel({ state: "certified", version: "1.0.3" }, true)).toBe(
      "Fix verified in 1.0.3; firmware 1.0.3 is certified",
    );
    for (const sealed of [false, true])
      expect(fixStateLabel({ state: "certified", version: "1.0.3" }, sealed)).not.toMatch(/fix certified/i);
  });
  it("isRegistered matches exactly; the messages say what to do", () => {
    expect(isRegistered("1.0.3", registered)).toBe(true);
    expect(isRegistered("1.0.30", registered)).toBe(false);
    expect(registerFixVersionNotice("1.0.4", "Smart Speaker", true)).toMatch(
      /1\.0\.4 is not registered on Smart Speaker.*fix announced, not yet verified.*Add a version.*Re-certify/,
    );
    // Without a current seal the product page offers no "Re-certify from seal …": submit the version instead.
    const unsealed = registerFixVersionNotice("1.0.4", "Smart Speaker", false);
    expect(unsealed).toMatch(/Add a version\); an assessor then verifies the fix\./);
    expect(unsealed).toMatch(
      /no current seal to re-certify from: to certify firmware 1\.0\.4 itself, submit that version/,
    );
    expect(unsealed).not.toMatch(/Re-certify from seal/);
    expect(unregisteredFixRefusal("1.0.4", "Smart Speaker")).toMatch(
      /1\.0\.4 is not registered on Smart Speaker: a fix is certified only for a firmware version of the product/,
    );
  });
});

describe("compareFirmware", () => {
  it("orders numerically, and says when two versions cannot be compared", () => {
    expect(compareFirmware("3.10.0", "3.9.0")).toBeGreaterThan(0);
    expect(compareFirmware("3.0.4", "3.1.0")).toBeLessThan(0);
    expect(compareFirmware(" 3.1.0 ", "3.1.0")).toBe(0);
    expect(compareFirmware("nightly", "3.1.0")).toBeNull();
    expect(compareFirmware("1.0", "1.00")).toBeNull();
  });
});
