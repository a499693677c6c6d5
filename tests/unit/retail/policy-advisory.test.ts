// The acceptance policy's "no public advisory affecting this firmware" clause: "valid, update
// required" misses it, and the message names only public facts (advisory ids, severities, versions).
import { describe, expect, it } from "vitest";
import type { Severity } from "../../../app/features/findings/domain/findings";
import {
  describeResult,
  evaluatePolicy,
  policyInput,
  summarizePolicy,
  type Policy,
  type PolicySealFacts,
} from "../../../app/features/retail/domain/policy";

const NOW = new Date("2026-12-01T12:00:00Z");

const POLICY: Policy = {
  id: "pol-1",
  name: "Speakers",
  category: "any",
  accepted: [],
  requiredProvisions: [],
  minSupportMonths: null,
  blockingFindingSeverity: null,
  maxSealAgeMonths: null,
  noAffectingAdvisory: true,
};

const FACTS: PolicySealFacts = {
  serial: "IOTS-AAAA-BBBB",
  status: "valid",
  category: "speaker",
  checklist: {
    id: "uk-psti",
    title: "UK PSTI",
    version: "2023",
    level: "baseline",
    levels: [{ id: "baseline", title: "Baseline" }],
  },
  requirements: [],
  supportPeriodEnd: "2030-03-31",
  issuedAt: new Date("2026-08-01T00:00:00Z"),
  findings: [],
  firmware: "1.0.3",
  advisories: [],
};

const adv = (
  advisoryId: string,
  affectedVersions: string[],
  fixedInVersion: string | null,
  severity: Severity = "high",
) => ({
  advisoryId,
  severity,
  affectedVersions,
  fixedInVersion,
});

describe("the advisory clause", () => {
  it("meets when no public advisory affects the certified firmware", () => {
    const r = evaluatePolicy(POLICY, { ...FACTS, advisories: [adv("IOTSEAL-2026-0001", ["1.0.2"], "1.0.3")] }, NOW);
    expect(r).toEqual({ policyId: "pol-1", policyName: "Speakers", meets: true, misses: [] });
  });

  it("misses for a valid seal whose firmware needs an update, saying where the fix is", () => {
    const r = evaluatePolicy(POLICY, { ...FACTS, advisories: [adv("IOTSEAL-2026-0003", ["1.0.3"], "1.0.4")] }, NOW);
    expect(r.meets).toBe(false);
    expect(r.misses).toEqual([
      {
        clause: "advisory",
        message: "Firmware 1.0.3 is affected by 1 public advisory (IOTSEAL-2026-0003, high), fixed in 1.0.4.",
      },
    ]);
    expect(describeResult(r)).toBe(
      "misses Speakers: Firmware 1.0.3 is affected by 1 public advisory (IOTSEAL-2026-0003, high), fixed in 1.0.4",
    );
  });

  it("misses too when the fix is not certified yet (or only some are)", () => {
    const none = evaluatePolicy(POLICY, { ...FACTS, advisories: [adv("IOTSEAL-2026-0003", ["1.0.3"], null)] }, NOW);
    expect(none.misses[0].message).toBe(
      "Firmware 1.0.3 is affected by 1 public advisory (IOTSEAL-2026-0003, high), no fix verified yet.",
    );
    const some = evaluatePolicy(
      POLICY,
      {
        ...FACTS,
        advisories: [
          adv("IOTSEAL-2026-0003", ["1.0.3"], "1.0.4"),
          adv("IOTSEAL-2026-0005", ["1.0.3"], null, "critical"),
        ],
      },
      NOW,
    );
    expect(some.misses[0].message).toBe(
      "Firmware 1.0.3 is affected by 2 public advisories (IOTSEAL-2026-0003, high; IOTSEAL-2026-0005, critical), fixed in 1.0.4; not every fix is verified yet.",
    );
  });

  it("is not asked unless the policy says so; an unknown firmware fails closed", () => {
    const facts = { ...FACTS, advisories: [adv("IOTSEAL-2026-0003", ["1.0.3"], "1.0.4")] };
    expect(evaluatePolicy({ ...POLICY, noAffectingAdvisory: false }, facts, NOW).meets).toBe(true);
    const { noAffectingAdvisory: _, ...older } = POLICY;
    expect(evaluatePolicy(older, facts, NOW).meets).toBe(true);
    expect(evaluatePolicy(POLICY, { ...FACTS, firmware: undefined }, NOW).misses[0].clause).toBe("advisory");
  });

  it("comes after the other clauses, and is summarised in words", () => {
    const r = evaluatePolicy(
      { ...POLICY, maxSealAgeMonths: 1 },
      { ...FACTS, status: "suspended", advisories: [adv("IOTSEAL-2026-0003", ["1.0.3"], "1.0.4")] },
      NOW,
    );
    expect(r.misses.map((m) => m.clause)).toEqual(["status", "age", "advisory"]);
    expect(summarizePolicy(POLICY)).toContain("No public advisory affecting the certified firmware");
    expect(summarizePolicy({ ...POLICY, noAffectingAdvisory: false })).not.toContain(
      "No public advisory affecting the certified firmware",
    );
  });

  it("policyInput takes the flag as a boolean", () => {
    const base = {
      name: "Speakers",
      category: "any",
      accepted: [],
      requiredProvisions: [],
      minSupportMonths: null,
      blockingFindingSeverity: null,
      maxSealAgeMonths: null,
    };
    expect(policyInput.parse({ ...base, noAffectingAdvisory: true }).noAffectingAdvisory).toBe(true);
    expect(policyInput.safeParse({ ...base, noAffectingAdvisory: "yes" }).success).toBe(false);
  });
});
