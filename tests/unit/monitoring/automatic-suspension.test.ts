import { describe, expect, it } from "vitest";
import {
  AUTOMATIC_REINSTATE_REASON,
  automaticReinstateReason,
  automaticSuspensionReason,
  FINDING_AND_RECURRING_REINSTATE_REASON,
  FINDING_REINSTATE_REASON,
  FINDING_SUSPENSION_REASON,
  parseCause,
  RECURRING_REINSTATE_REASON,
  reinstatementCause,
  suspensionCause,
  sweepDecision,
  type BlockingFinding,
  type CauseKind,
  type OverdueRequirement,
  type SuspendedBy,
  type SweepInput,
} from "../../../app/features/monitoring/domain/automatic-suspension";
import { SEAL_STATES, type SealState } from "../../../app/features/trust/domain/seal-state";
import { sealVerdictOf } from "../../../app/features/trust/domain/verdict";
import { blocksSeal, type ClockedFinding } from "../../../app/features/findings/domain/findings";

const NOW = new Date("2027-06-15T12:00:00Z");
const FROM = new Date("2026-11-25T00:00:00Z");
const FUTURE = new Date("2028-11-25T00:00:00Z");

const SECRET: BlockingFinding = { id: "f-1", title: "Hard-coded root password in the telnet daemon (CVE pending)" };
const SECRET2: BlockingFinding = { id: "f-2", title: "Unauthenticated OTA update endpoint" };
const SCAN: OverdueRequirement = { ref: "5.2-3", title: "Continuous vulnerability monitoring" };
const POLICY: OverdueRequirement = { ref: "5.2-1", title: "Public vulnerability disclosure policy" };
const SCAN_REASON = "Recurring evidence overdue: 5.2-3 Continuous vulnerability monitoring.";
const BOTH_REASON = `${FINDING_SUSPENSION_REASON} ${SCAN_REASON}`;

/**
 * The seal as the sweeper leaves it: suspended (with the public reason it recorded) when it
 * suspends, as it was otherwise. The verdict then follows (trust/domain/verdict.ts, whose own
 * cases, once deriveSealStatus's, are in tests/unit/trust/verdict.test.ts).
 */
function verdictAfterSweep(d: ReturnType<typeof sweepDecision>, now = NOW) {
  const swept =
    d.action === "suspend" ? { state: "suspended" as const, stateReason: d.reason } : { state: "active" as const };
  return sealVerdictOf({ validFrom: FROM, validUntil: FUTURE, ...swept }, now);
}

describe("the verdict after a sweep", () => {
  it("never reveals a finding's title or id in its reason", () => {
    for (const overdueRecurring of [[], [SCAN]]) {
      const blockingFindings = [SECRET, SECRET2];
      const v = verdictAfterSweep(
        sweepDecision({ state: "active", suspendedBy: null, blockingFindings, overdueRecurring }),
      );
      expect(v.verdict).toBe("suspended");
      for (const f of [SECRET, SECRET2]) {
        expect(v.reason ?? "").not.toContain(f.title);
        expect(v.reason ?? "").not.toContain(f.id);
      }
    }
  });

  it("agrees with the findings clock: suspended exactly while a critical finding is overdue", () => {
    const finding: ClockedFinding & BlockingFinding = {
      id: "f-9",
      title: "x",
      severity: "critical",
      status: "open",
      deadline: new Date("2027-06-15T12:00:00Z"),
    };
    for (const offsetH of [-2, -1, 0, 1, 2]) {
      const now = new Date(finding.deadline.getTime() + offsetH * 3600_000);
      const blocking = [finding].filter((f) => blocksSeal(f, now));
      const d = sweepDecision({ state: "active", suspendedBy: null, blockingFindings: blocking });
      expect(verdictAfterSweep(d, now).verdict).toBe(offsetH > 0 ? "suspended" : "valid");
    }
  });
});

describe("the public reasons", () => {
  it("name the overdue requirements, never a finding", () => {
    expect(automaticSuspensionReason({ findings: [], recurring: [] })).toBeNull();
    expect(automaticSuspensionReason({ findings: [SECRET, SECRET2], recurring: [] })).toBe(FINDING_SUSPENSION_REASON);
    expect(automaticSuspensionReason({ findings: [], recurring: [SCAN] })).toBe(SCAN_REASON);
    expect(automaticSuspensionReason({ findings: [], recurring: [POLICY, SCAN, POLICY] })).toBe(
      "Recurring evidence overdue: 5.2-1 Public vulnerability disclosure policy; Recurring evidence overdue: 5.2-3 Continuous vulnerability monitoring.",
    );
    expect(automaticSuspensionReason({ findings: [SECRET], recurring: [SCAN] })).toBe(BOTH_REASON);
  });

  it.each<[CauseKind[], string]>([
    [["finding"], FINDING_REINSTATE_REASON],
    [["recurring"], RECURRING_REINSTATE_REASON],
    [["finding", "recurring"], FINDING_AND_RECURRING_REINSTATE_REASON],
    [[], AUTOMATIC_REINSTATE_REASON],
  ])("a reinstatement after %j says %s", (kinds, reason) => {
    expect(automaticReinstateReason(new Set(kinds))).toBe(reason);
  });
});

describe("the recorded cause", () => {
  it("is finding:<ids>;recurring:<refs>, deduplicated, and reads back", () => {
    const cause = suspensionCause({ findings: [SECRET, SECRET2, SECRET], recurring: [SCAN, POLICY, SCAN] });
    expect(cause).toBe("finding:f-1,f-2;recurring:5.2-3,5.2-1");
    expect(parseCause(cause)).toEqual({
      automatic: true,
      kinds: new Set(["finding", "recurring"]),
      findingIds: ["f-1", "f-2"],
      recurringRefs: ["5.2-3", "5.2-1"],
    });
    expect(suspensionCause({ findings: [SECRET], recurring: [] })).toBe("finding:f-1"); // as the disclosure sweeper always wrote it
    expect(suspensionCause({ findings: [], recurring: [SCAN] })).toBe("recurring:5.2-3");
  });

  it("of a reinstatement names what was lifted", () => {
    expect(reinstatementCause(new Set(["finding"]))).toBe("finding:none");
    expect(reinstatementCause(new Set(["recurring", "finding"]))).toBe("finding:none;recurring:none");
    expect(parseCause("recurring:none")).toMatchObject({ automatic: true, recurringRefs: [] });
  });

  it("tells a person's change from the sweeper's", () => {
    expect(parseCause(null).automatic).toBe(false);
    expect(parseCause("").automatic).toBe(false);
    expect(parseCause("recertification:abc").automatic).toBe(false);
    expect(parseCause("finding:f-1").automatic).toBe(true);
    expect(parseCause("automatic:none").automatic).toBe(true);
  });
});

type Action = "suspend" | "restate" | "reinstate" | "none";
type SweepRow = [
  state: SealState,
  suspendedBy: SuspendedBy | null,
  findings: boolean,
  recurring: boolean,
  action: Action,
];

/**
 * Every recorded state × who suspended × whether findings block × whether recurring evidence is
 * overdue, and what the sweeper does (in date; the recorded reason matches the causes, so an
 * automatic suspension that still holds is left alone).
 */
const SWEEP: SweepRow[] = [
  ["active", null, false, false, "none"],
  ["active", null, true, false, "suspend"],
  ["active", null, false, true, "suspend"],
  ["active", null, true, true, "suspend"],
  ["active", "manual", false, false, "none"], // stale flag from an earlier manual suspension
  ["active", "manual", true, false, "suspend"],
  ["active", "manual", false, true, "suspend"],
  ["active", "manual", true, true, "suspend"],
  ["active", "automatic", false, false, "none"],
  ["active", "automatic", true, false, "suspend"], // reinstated by hand while still held: suspended again
  ["active", "automatic", false, true, "suspend"],
  ["active", "automatic", true, true, "suspend"],
  ["suspended", null, false, false, "none"], // origin unknown: treated as manual
  ["suspended", null, true, false, "none"],
  ["suspended", null, false, true, "none"],
  ["suspended", null, true, true, "none"],
  ["suspended", "manual", false, false, "none"], // never lift a manual suspension
  ["suspended", "manual", true, false, "none"],
  ["suspended", "manual", false, true, "none"],
  ["suspended", "manual", true, true, "none"],
  ["suspended", "automatic", false, false, "reinstate"],
  ["suspended", "automatic", true, false, "none"], // still held: stays suspended
  ["suspended", "automatic", false, true, "none"],
  ["suspended", "automatic", true, true, "none"],
  ...(["revoked", "superseded"] as const).flatMap((state) =>
    ([null, "manual", "automatic"] as const).flatMap((by) =>
      [false, true].flatMap((f) => [false, true].map((r): SweepRow => [state, by, f, r, "none"])),
    ),
  ),
];

function sweepInput(
  state: SealState,
  suspendedBy: SuspendedBy | null,
  findings: boolean,
  recurring: boolean,
  over: Partial<SweepInput> = {},
): SweepInput {
  const blockingFindings = findings ? [SECRET, SECRET2] : [];
  const overdueRecurring = recurring ? [SCAN] : [];
  const reason =
    automaticSuspensionReason({ findings: blockingFindings, recurring: overdueRecurring }) ?? FINDING_SUSPENSION_REASON;
  const kinds = new Set<CauseKind>([
    ...(findings ? ["finding" as const] : []),
    ...(recurring ? ["recurring" as const] : []),
  ]);
  return {
    state,
    suspendedBy,
    blockingFindings,
    overdueRecurring,
    recorded: suspendedBy === "automatic" ? { reason, kinds: kinds.size ? kinds : new Set(["finding"]) } : null,
    ...over,
  };
}

describe("sweepDecision", () => {
  it("the table covers every state, origin and cause combination", () => {
    expect(SWEEP).toHaveLength(SEAL_STATES.length * 3 * 2 * 2);
    const keys = new Set(SWEEP.map(([s, by, f, r]) => `${s}|${by}|${f}|${r}`));
    expect(keys.size).toBe(SWEEP.length);
  });

  it.each(SWEEP)(
    "%s, suspended by %s, findings %s, recurring %s → %s",
    (state, suspendedBy, findings, recurring, action) => {
      const d = sweepDecision(sweepInput(state, suspendedBy, findings, recurring));
      expect(d.action).toBe(action);
      if (d.action === "none") expect(d.why.length).toBeGreaterThan(0);
    },
  );

  it.each(SWEEP)(
    "expired: %s, suspended by %s, findings %s, recurring %s → none",
    (state, suspendedBy, findings, recurring) => {
      expect(sweepDecision(sweepInput(state, suspendedBy, findings, recurring, { expired: true })).action).toBe("none");
    },
  );

  it("suspends with the public reason and names the findings only by id in the cause", () => {
    const d = sweepDecision({ state: "active", suspendedBy: null, blockingFindings: [SECRET, SECRET2, SECRET] });
    expect(d).toEqual({
      action: "suspend",
      reason: FINDING_SUSPENSION_REASON,
      cause: "finding:f-1,f-2",
      findingIds: ["f-1", "f-2"],
      recurringRefs: [],
    });
    expect(FINDING_SUSPENSION_REASON).toContain(
      "Under review for a reported security issue past its disclosure deadline",
    );
  });

  it("suspends for overdue evidence with a reason naming the requirement", () => {
    const d = sweepDecision({ state: "active", suspendedBy: null, blockingFindings: [], overdueRecurring: [SCAN] });
    expect(d).toEqual({
      action: "suspend",
      reason: SCAN_REASON,
      cause: "recurring:5.2-3",
      findingIds: [],
      recurringRefs: ["5.2-3"],
    });
  });

  it("never puts a finding's title or id in any public reason", () => {
    for (const [state, suspendedBy, findings, recurring] of SWEEP) {
      for (const expired of [false, true]) {
        const d = sweepDecision(sweepInput(state, suspendedBy, findings, recurring, { expired }));
        const text = d.action === "none" ? d.why : d.reason;
        for (const f of [SECRET, SECRET2]) {
          expect(text).not.toContain(f.title);
          expect(text).not.toContain(f.id);
        }
      }
    }
  });

  it.each<[string, CauseKind[], string, string]>([
    ["findings", ["finding"], FINDING_REINSTATE_REASON, "finding:none"],
    ["recurring evidence", ["recurring"], RECURRING_REINSTATE_REASON, "recurring:none"],
    ["both", ["finding", "recurring"], FINDING_AND_RECURRING_REINSTATE_REASON, "finding:none;recurring:none"],
  ])("reinstates a suspension for %s with a reason that does not describe a finding", (_what, kinds, reason, cause) => {
    const d = sweepDecision({
      state: "suspended",
      suspendedBy: "automatic",
      blockingFindings: [],
      overdueRecurring: [],
      recorded: { reason: "whatever was said", kinds: new Set(kinds) },
    });
    expect(d).toEqual({ action: "reinstate", reason, cause });
  });

  describe("a report still open that held it: its deadline was extended, and the reason says so", () => {
    const EXTENDED = { open: true, deadline: new Date("2027-07-05T00:00:00Z") };
    const LATER = { open: true, deadline: new Date("2027-08-01T00:00:00Z") };
    const CLOSED = { open: false, deadline: new Date("2027-06-01T00:00:00Z") };
    const lifted = (kinds: CauseKind[], heldBy: { open: boolean; deadline: Date }[]) =>
      sweepDecision({
        state: "suspended",
        suspendedBy: "automatic",
        blockingFindings: [],
        overdueRecurring: [],
        recorded: { reason: FINDING_SUSPENSION_REASON, kinds: new Set(kinds), heldBy },
      });

    it.each<[string, CauseKind[], { open: boolean; deadline: Date }[], string]>([
      [
        "one report",
        ["finding"],
        [EXTENDED],
        "The disclosure deadline of the report that held it was extended to 5 Jul 2027.",
      ],
      [
        "several",
        ["finding"],
        [LATER, EXTENDED],
        "The disclosure deadlines of the reports that held it were extended, the earliest to 5 Jul 2027.",
      ],
      [
        "one extended, one closed",
        ["finding"],
        [CLOSED, EXTENDED],
        "No open security report is past its disclosure deadline any more: the deadline of one report that held it was extended to 5 Jul 2027; the other was fixed and verified, or withdrawn.",
      ],
      [
        "two extended, two closed",
        ["finding"],
        [CLOSED, LATER, CLOSED, EXTENDED],
        "No open security report is past its disclosure deadline any more: the deadlines of 2 reports that held it were extended, the earliest to 5 Jul 2027; the others were fixed and verified, or withdrawn.",
      ],
      [
        "extended, with recurring evidence accepted",
        ["finding", "recurring"],
        [EXTENDED],
        `The disclosure deadline of the report that held it was extended to 5 Jul 2027. ${RECURRING_REINSTATE_REASON}`,
      ],
      ["every one closed: as before", ["finding"], [CLOSED, CLOSED], FINDING_REINSTATE_REASON],
      ["not read (old records): as before", ["finding"], [], FINDING_REINSTATE_REASON],
      ["a recurring suspension: the reports play no part", ["recurring"], [EXTENDED], RECURRING_REINSTATE_REASON],
    ])("%s", (_what, kinds, heldBy, reason) => {
      const d = lifted(kinds, heldBy);
      expect(d).toEqual({ action: "reinstate", reason, cause: reinstatementCause(new Set(kinds)) });
      expect(automaticReinstateReason(new Set(kinds), heldBy)).toBe(reason);
    });

    it("never says an open report was fixed or withdrawn when none of those that held it was", () => {
      const reason = automaticReinstateReason(new Set<CauseKind>(["finding"]), [EXTENDED]);
      expect(reason).not.toMatch(/fixed|withdrawn/);
      for (const f of [SECRET, SECRET2]) {
        expect(reason).not.toContain(f.title);
        expect(reason).not.toContain(f.id);
      }
    });
  });

  it.each<[string, boolean, boolean, string, string]>([
    ["a finding fixed, evidence still overdue", false, true, FINDING_SUSPENSION_REASON, SCAN_REASON],
    ["evidence accepted, a finding still overdue", true, false, SCAN_REASON, FINDING_SUSPENSION_REASON],
    ["evidence became overdue too", true, true, FINDING_SUSPENSION_REASON, BOTH_REASON],
    ["a finding became overdue too", true, true, SCAN_REASON, BOTH_REASON],
  ])("restates an automatic suspension when its grounds change: %s", (_what, findings, recurring, recorded, reason) => {
    const d = sweepDecision({
      state: "suspended",
      suspendedBy: "automatic",
      blockingFindings: findings ? [SECRET] : [],
      overdueRecurring: recurring ? [SCAN] : [],
      recorded: { reason: recorded, kinds: new Set(["finding"]) },
    });
    expect(d).toMatchObject({ action: "restate", reason });
    // ... and once the new reason is recorded, there is nothing more to do.
    expect(
      sweepDecision({
        state: "suspended",
        suspendedBy: "automatic",
        blockingFindings: findings ? [SECRET] : [],
        overdueRecurring: recurring ? [SCAN] : [],
        recorded: { reason, kinds: new Set(["finding"]) },
      }).action,
    ).toBe("none");
  });

  it("never restates a manual suspension, nor one whose recorded reason is not known", () => {
    expect(
      sweepDecision({
        state: "suspended",
        suspendedBy: "manual",
        blockingFindings: [],
        overdueRecurring: [SCAN],
        recorded: { reason: "x", kinds: new Set() },
      }).action,
    ).toBe("none");
    expect(
      sweepDecision({ state: "suspended", suspendedBy: "automatic", blockingFindings: [], overdueRecurring: [SCAN] })
        .action,
    ).toBe("none");
  });

  it("is idempotent: applying each decision and sweeping again does nothing", () => {
    const held = { blockingFindings: [SECRET], overdueRecurring: [SCAN] };
    const first = sweepDecision({ state: "active", suspendedBy: null, ...held });
    expect(first.action).toBe("suspend");
    const recorded = first.action === "suspend" ? { reason: first.reason, kinds: parseCause(first.cause).kinds } : null;
    expect(sweepDecision({ state: "suspended", suspendedBy: "automatic", ...held, recorded }).action).toBe("none");
    const back = sweepDecision({
      state: "suspended",
      suspendedBy: "automatic",
      blockingFindings: [],
      overdueRecurring: [],
      recorded,
    });
    expect(back).toMatchObject({ action: "reinstate", reason: FINDING_AND_RECURRING_REINSTATE_REASON });
    expect(sweepDecision({ state: "active", suspendedBy: null, blockingFindings: [] }).action).toBe("none");
  });

  it("after a sweep, the verdict shows the same public reason", () => {
    for (const held of [
      { blockingFindings: [SECRET] },
      { blockingFindings: [], overdueRecurring: [SCAN] },
      { blockingFindings: [SECRET], overdueRecurring: [SCAN] },
    ]) {
      const d = sweepDecision({ state: "active", suspendedBy: null, ...held });
      const s = verdictAfterSweep(d);
      expect(d.action === "suspend" && d.reason).toBe(s.reason);
      const causes = { findings: held.blockingFindings, recurring: held.overdueRecurring ?? [] };
      expect(s.reason).toBe(automaticSuspensionReason(causes));
    }
  });
});
