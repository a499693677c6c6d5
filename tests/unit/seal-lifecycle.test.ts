import { describe, expect, it } from "vitest";
import {
  deriveSealStatus,
  FINDING_REINSTATE_REASON,
  FINDING_SUSPENSION_REASON,
  MANUAL_SUSPENSION_REASON,
  REVOKED_REASON,
  SUPERSEDED_REASON,
  sweepDecision,
  type BlockingFinding,
  type DerivedSealStatus,
  type SealStatusInput,
  type SuspendedBy,
} from "../../app/domain/seal-lifecycle";
import { SEAL_STATES, type SealState } from "../../app/domain/seal-state";
import { blocksSeal, type ClockedFinding } from "../../app/domain/findings";

const NOW = new Date("2027-06-15T12:00:00Z");
const FUTURE = new Date("2028-11-25T00:00:00Z");
const PAST = new Date("2027-06-01T00:00:00Z");
const SUPPORT_FUTURE = new Date("2029-12-31T23:59:59Z");
const SUPPORT_PAST = new Date("2027-05-31T23:59:59Z");

const SECRET: BlockingFinding = { id: "f-1", title: "Hard-coded root password in the telnet daemon (CVE pending)" };
const SECRET2: BlockingFinding = { id: "f-2", title: "Unauthenticated OTA update endpoint" };

function input(over: Partial<SealStatusInput>): SealStatusInput {
  return { state: "active", validUntil: FUTURE, supportPeriodEnd: SUPPORT_FUTURE, now: NOW, blockingFindings: [], suspendedBy: null, ...over };
}

type Row = [name: string, over: Partial<SealStatusInput>, status: DerivedSealStatus, reason: string | undefined];

const ROWS: Row[] = [
  ["active, in date, no findings", {}, "valid", undefined],
  ["active with a stale 'finding' flag and no findings", { suspendedBy: "finding" }, "valid", undefined],
  ["active, blocking finding not yet swept", { blockingFindings: [SECRET] }, "suspended", FINDING_SUSPENSION_REASON],
  ["suspended by hand", { state: "suspended", suspendedBy: "manual" }, "suspended", MANUAL_SUSPENSION_REASON],
  ["suspended, origin unknown", { state: "suspended", suspendedBy: null }, "suspended", MANUAL_SUSPENSION_REASON],
  ["suspended by the sweeper, findings still block", { state: "suspended", suspendedBy: "finding", blockingFindings: [SECRET] }, "suspended", FINDING_SUSPENSION_REASON],
  ["suspended by the sweeper, findings resolved (awaiting reinstatement)", { state: "suspended", suspendedBy: "finding" }, "suspended", FINDING_SUSPENSION_REASON],
  ["suspended by hand and blocked by findings", { state: "suspended", suspendedBy: "manual", blockingFindings: [SECRET] }, "suspended", MANUAL_SUSPENSION_REASON],
  ["revoked", { state: "revoked" }, "revoked", REVOKED_REASON],
  ["revoked and expired and blocked", { state: "revoked", validUntil: PAST, supportPeriodEnd: SUPPORT_PAST, blockingFindings: [SECRET] }, "revoked", REVOKED_REASON],
  ["superseded", { state: "superseded" }, "superseded", SUPERSEDED_REASON],
  ["superseded and expired", { state: "superseded", validUntil: PAST }, "superseded", SUPERSEDED_REASON],
  ["superseded and blocked", { state: "superseded", blockingFindings: [SECRET] }, "superseded", SUPERSEDED_REASON],
  ["active, validity ended", { validUntil: PAST }, "expired", "Valid until 2027-06-01."],
  ["active, support period ended", { supportPeriodEnd: SUPPORT_PAST }, "expired", "Security support for this product ended on 2027-05-31."],
  ["both ended, support first", { validUntil: PAST, supportPeriodEnd: SUPPORT_PAST }, "expired", "Security support for this product ended on 2027-05-31."],
  ["both ended, validity first", { validUntil: new Date("2027-05-01T00:00:00Z"), supportPeriodEnd: SUPPORT_PAST }, "expired", "Valid until 2027-05-01."],
  ["suspended and expired", { state: "suspended", suspendedBy: "manual", validUntil: PAST }, "expired", "Valid until 2027-06-01."],
  ["blocked and expired", { validUntil: PAST, blockingFindings: [SECRET] }, "expired", "Valid until 2027-06-01."],
  ["exactly at validUntil", { validUntil: NOW }, "expired", "Valid until 2027-06-15."],
  ["1 ms before validUntil", { validUntil: new Date(NOW.getTime() + 1) }, "valid", undefined],
  ["exactly at the end of support", { supportPeriodEnd: NOW }, "expired", "Security support for this product ended on 2027-06-15."],
  ["1 ms before the end of support", { supportPeriodEnd: new Date(NOW.getTime() + 1) }, "valid", undefined],
];

describe("deriveSealStatus", () => {
  it.each(ROWS)("%s → %s", (_name, over, status, reason) => {
    const r = deriveSealStatus(input(over));
    expect(r.status).toBe(status);
    expect(r.reason).toBe(reason);
  });

  it("never reveals a finding's title or id in its reason", () => {
    for (const state of SEAL_STATES) {
      for (const suspendedBy of ["manual", "finding", null] as const) {
        const r = deriveSealStatus(input({ state, suspendedBy, blockingFindings: [SECRET, SECRET2] }));
        for (const f of [SECRET, SECRET2]) {
          expect(r.reason ?? "").not.toContain(f.title);
          expect(r.reason ?? "").not.toContain(f.id);
        }
      }
    }
  });

  it("agrees with the findings clock: suspended exactly while a critical finding is overdue", () => {
    const finding: ClockedFinding & BlockingFinding = { id: "f-9", title: "x", severity: "critical", status: "open", deadline: new Date("2027-06-15T12:00:00Z") };
    for (const offsetH of [-2, -1, 0, 1, 2]) {
      const now = new Date(finding.deadline.getTime() + offsetH * 3600_000);
      const blocking = [finding].filter((f) => blocksSeal(f, now));
      expect(deriveSealStatus(input({ now, blockingFindings: blocking })).status).toBe(offsetH > 0 ? "suspended" : "valid");
    }
  });
});

type SweepRow = [state: SealState, suspendedBy: SuspendedBy | null, blocked: boolean, action: "suspend" | "reinstate" | "none"];

/** Every recorded state × who suspended × whether findings block, and what the sweeper does. */
const SWEEP: SweepRow[] = [
  ["active", null, false, "none"],
  ["active", null, true, "suspend"],
  ["active", "manual", false, "none"], // stale flag from an earlier manual suspension
  ["active", "manual", true, "suspend"],
  ["active", "finding", false, "none"],
  ["active", "finding", true, "suspend"], // reinstated by hand while still blocked: suspended again
  ["suspended", null, false, "none"], // origin unknown: treated as manual
  ["suspended", null, true, "none"],
  ["suspended", "manual", false, "none"], // never lift a manual suspension
  ["suspended", "manual", true, "none"],
  ["suspended", "finding", false, "reinstate"],
  ["suspended", "finding", true, "none"], // still blocked: stays suspended
  ["revoked", null, false, "none"],
  ["revoked", null, true, "none"],
  ["revoked", "manual", false, "none"],
  ["revoked", "manual", true, "none"],
  ["revoked", "finding", false, "none"],
  ["revoked", "finding", true, "none"],
  ["superseded", null, false, "none"],
  ["superseded", null, true, "none"],
  ["superseded", "manual", false, "none"],
  ["superseded", "manual", true, "none"],
  ["superseded", "finding", false, "none"],
  ["superseded", "finding", true, "none"],
];

describe("sweepDecision", () => {
  it("the table covers every state, origin and blocking combination", () => {
    expect(SWEEP).toHaveLength(SEAL_STATES.length * 3 * 2);
    const keys = new Set(SWEEP.map(([s, by, b]) => `${s}|${by}|${b}`));
    expect(keys.size).toBe(SWEEP.length);
  });

  it.each(SWEEP)("%s, suspended by %s, blocked %s → %s", (state, suspendedBy, blocked, action) => {
    const d = sweepDecision({ state, suspendedBy, blockingFindings: blocked ? [SECRET, SECRET2] : [] });
    expect(d.action).toBe(action);
    if (d.action === "none") expect(d.why.length).toBeGreaterThan(0);
  });

  it("suspends with the public reason and names the findings only by id", () => {
    const d = sweepDecision({ state: "active", suspendedBy: null, blockingFindings: [SECRET, SECRET2, SECRET] });
    expect(d).toEqual({ action: "suspend", reason: FINDING_SUSPENSION_REASON, findingIds: ["f-1", "f-2"] });
    expect(FINDING_SUSPENSION_REASON).toContain("Under review for a reported security issue past its disclosure deadline");
  });

  it("never puts a finding's title or id in any reason", () => {
    for (const [state, suspendedBy, blocked] of SWEEP) {
      const d = sweepDecision({ state, suspendedBy, blockingFindings: blocked ? [SECRET, SECRET2] : [] });
      const text = d.action === "none" ? d.why : d.reason;
      for (const f of [SECRET, SECRET2]) {
        expect(text).not.toContain(f.title);
        expect(text).not.toContain(f.id);
      }
    }
  });

  it("reinstates with a reason that does not describe the finding", () => {
    expect(sweepDecision({ state: "suspended", suspendedBy: "finding", blockingFindings: [] })).toEqual({ action: "reinstate", reason: FINDING_REINSTATE_REASON });
  });

  it("is idempotent: applying a decision and sweeping again does nothing", () => {
    const blocking = [SECRET];
    const first = sweepDecision({ state: "active", suspendedBy: null, blockingFindings: blocking });
    expect(first.action).toBe("suspend");
    expect(sweepDecision({ state: "suspended", suspendedBy: "finding", blockingFindings: blocking }).action).toBe("none");
    const back = sweepDecision({ state: "suspended", suspendedBy: "finding", blockingFindings: [] });
    expect(back.action).toBe("reinstate");
    expect(sweepDecision({ state: "active", suspendedBy: null, blockingFindings: [] }).action).toBe("none");
  });

  it("after a sweep, deriveSealStatus shows the same public reason", () => {
    const d = sweepDecision({ state: "active", suspendedBy: null, blockingFindings: [SECRET] });
    const s = deriveSealStatus(input({ state: "suspended", suspendedBy: "finding", blockingFindings: [SECRET] }));
    expect(d.action === "suspend" && d.reason).toBe(s.reason);
  });
});
