import { describe, expect, it } from "vitest";
import type { Claim } from "../../../app/features/certification/domain/answers";
import {
  awaitingConfirmationBy,
  checkConfirmation,
  currentVerdictAuthors,
  isMet,
  mayJudgeNotApplicable,
  type ReviewedRequirement,
  scoreSubmission,
  scoringClosedReason,
  type Verdict,
  type VerdictFacts,
  VERDICTS,
  verdictProblem,
  waitingForSentence,
} from "../../../app/features/certification/domain/review";

const req = (r: Partial<ReviewedRequirement> & { ref?: string }): ReviewedRequirement => ({
  ref: "R-1",
  sectionRef: "S1",
  applicability: "mandatory",
  condition: null,
  claim: null,
  ...r,
});
const v = (verdict: Verdict, comment = "", accepted = false): VerdictFacts => ({ verdict, comment, accepted });

const mandatory = req({ applicability: "mandatory" });
const mandatoryCond = req({ applicability: "mandatory", condition: "If the device has a camera" });
const mandatoryClaimedNA = req({ applicability: "mandatory", claim: "not_applicable" });
const advisory = req({ applicability: "advisory" });
const advisoryCond = req({ applicability: "advisory", condition: "If it has Bluetooth" });
const advisoryClaimedNA = req({ applicability: "advisory", claim: "not_applicable" });

describe("may judge not applicable", () => {
  it.each([
    ["no condition, no claim", null, null, false],
    ["empty condition, no claim", "", null, false],
    ["condition, no claim", "If it has Bluetooth", null, true],
    ["condition, claimed implemented", "If it has Bluetooth", "implemented", true],
    ["no condition, claimed not applicable", null, "not_applicable", true],
    ["no condition, claimed implemented", null, "implemented", false],
    ["no condition, claimed not implemented", null, "not_implemented", false],
    ["condition and claimed not applicable", "If it has Bluetooth", "not_applicable", true],
  ] as [string, string | null, Claim | null, boolean][])("%s -> %s", (_what, condition, claim, expected) => {
    expect(mayJudgeNotApplicable({ condition, claim })).toBe(expected);
  });
});

describe("verdict problem", () => {
  const COMMENT = (label: string) => `A comment is required for "${label}".`;
  const NA =
    "Not applicable is allowed only where the requirement has a condition or the supplier claimed it does not apply.";
  const ONLY_ADVISORY = "Only an advisory requirement can be accepted on its justification.";
  const PASS_ACCEPTED = "A passed requirement needs no accepted justification.";
  const ASK_FIRST = "Ask for the information first; accept the justification once you have it.";

  const cases: [string, ReviewedRequirement, VerdictFacts, string | null][] = [
    // comments
    ["pass without comment", mandatory, v("pass"), null],
    ["pass with whitespace comment", mandatory, v("pass", "  "), null],
    ["pass with comment", advisory, v("pass", "Looks good."), null],
    ["fail without comment", mandatory, v("fail"), COMMENT("Fail")],
    ["fail with whitespace comment", mandatory, v("fail", " \t\n "), COMMENT("Fail")],
    ["fail with comment", mandatory, v("fail", "Weak cipher."), null],
    ["needs information without comment", mandatory, v("needs_information"), COMMENT("Needs information")],
    [
      "needs information with whitespace comment",
      advisory,
      v("needs_information", "   "),
      COMMENT("Needs information"),
    ],
    ["needs information with comment", mandatory, v("needs_information", "Which version?"), null],
    ["not applicable without comment (condition)", mandatoryCond, v("not_applicable"), COMMENT("Not applicable")],
    [
      "not applicable with whitespace comment (condition)",
      mandatoryCond,
      v("not_applicable", "\n"),
      COMMENT("Not applicable"),
    ],
    // not applicable: only with a condition or a supplier N/A claim
    ["not applicable, mandatory with condition", mandatoryCond, v("not_applicable", "No camera."), null],
    ["not applicable, mandatory claimed N/A", mandatoryClaimedNA, v("not_applicable", "Agreed."), null],
    ["not applicable, mandatory neither", mandatory, v("not_applicable", "No radio."), NA],
    ["not applicable, mandatory claimed implemented", req({ claim: "implemented" }), v("not_applicable", "x"), NA],
    ["not applicable, mandatory empty condition", req({ condition: "" }), v("not_applicable", "x"), NA],
    ["not applicable, advisory neither", advisory, v("not_applicable", "No radio."), NA],
    ["not applicable, advisory with condition", advisoryCond, v("not_applicable", "No Bluetooth."), null],
    ["not applicable, advisory claimed N/A", advisoryClaimedNA, v("not_applicable", "Agreed."), null],
    // accepted
    ["accepted fail on mandatory", mandatory, v("fail", "Justified.", true), ONLY_ADVISORY],
    ["accepted N/A on mandatory with condition", mandatoryCond, v("not_applicable", "Justified.", true), ONLY_ADVISORY],
    ["accepted pass on mandatory", mandatory, v("pass", "", true), ONLY_ADVISORY],
    ["accepted pass on advisory", advisory, v("pass", "", true), PASS_ACCEPTED],
    ["accepted pass on advisory with comment", advisory, v("pass", "ok", true), PASS_ACCEPTED],
    ["accepted needs information on advisory", advisory, v("needs_information", "Which version?", true), ASK_FIRST],
    ["accepted fail on advisory with comment", advisory, v("fail", "Justification accepted.", true), null],
    ["accepted N/A on advisory with condition and comment", advisoryCond, v("not_applicable", "Accepted.", true), null],
    [
      "accepted N/A on advisory claimed N/A and comment",
      advisoryClaimedNA,
      v("not_applicable", "Accepted.", true),
      null,
    ],
    ["accepted fail on advisory without comment", advisory, v("fail", "", true), COMMENT("Fail")],
    ["unaccepted fail on advisory with comment", advisory, v("fail", "Not good enough."), null],
  ];

  it.each(cases)("%s", (_what, r, facts, expected) => {
    expect(verdictProblem(r, facts)).toBe(expected);
  });
});

describe("is met", () => {
  const cases: [string, ReviewedRequirement, VerdictFacts | undefined, boolean][] = [
    ["mandatory unscored", mandatory, undefined, false],
    ["advisory unscored", advisory, undefined, false],
    ["mandatory pass", mandatory, v("pass"), true],
    ["advisory pass", advisory, v("pass"), true],
    ["mandatory fail", mandatory, v("fail", "Broken.")],
    ["mandatory fail accepted with comment", mandatory, v("fail", "Justified.", true)],
    ["mandatory needs information", mandatory, v("needs_information", "Which?")],
    ["mandatory N/A with condition", mandatoryCond, v("not_applicable", "No camera."), true],
    ["mandatory N/A, no condition, claimed N/A", mandatoryClaimedNA, v("not_applicable", "Agreed."), true],
    ["mandatory N/A, neither", mandatory, v("not_applicable", "No radio.")],
    [
      "mandatory N/A, empty condition, claimed implemented",
      req({ condition: "", claim: "implemented" }),
      v("not_applicable", "x"),
    ],
    ["advisory fail not accepted", advisory, v("fail", "Not good enough.")],
    ["advisory fail accepted with comment", advisory, v("fail", "Justification accepted.", true), true],
    ["advisory fail accepted, empty comment", advisory, v("fail", "", true)],
    ["advisory fail accepted, whitespace comment", advisory, v("fail", " \t ", true)],
    ["advisory N/A with condition, not accepted", advisoryCond, v("not_applicable", "No Bluetooth.")],
    ["advisory N/A with condition, accepted with comment", advisoryCond, v("not_applicable", "Accepted.", true), true],
    ["advisory N/A claimed, accepted with comment", advisoryClaimedNA, v("not_applicable", "Accepted.", true), true],
    ["advisory N/A claimed, accepted, empty comment", advisoryClaimedNA, v("not_applicable", "", true)],
    ["advisory needs information", advisory, v("needs_information", "Which?")],
    ["advisory needs information, accepted with comment", advisory, v("needs_information", "Which?", true)],
  ].map(
    ([what, r, facts, met]) =>
      [what, r, facts, met ?? false] as [string, ReviewedRequirement, VerdictFacts | undefined, boolean],
  );

  it.each(cases)("%s -> %s", (_what, r, facts, expected) => {
    expect(isMet(r, facts)).toBe(expected);
  });
});

describe("score submission", () => {
  const M1 = req({ ref: "M-1", sectionRef: "A" });
  const M2 = req({ ref: "M-2", sectionRef: "A", condition: "If the device has a camera" });
  const M3 = req({ ref: "M-3", sectionRef: "B", claim: "not_applicable" });
  const A1 = req({ ref: "A-1", sectionRef: "B", applicability: "advisory" });
  const A2 = req({ ref: "A-2", sectionRef: "C", applicability: "advisory" });
  const REQS = [M1, M2, M3, A1, A2];
  const allPass: Record<string, VerdictFacts> = {
    "M-1": v("pass"),
    "M-2": v("pass"),
    "M-3": v("pass"),
    "A-1": v("pass"),
    "A-2": v("pass"),
  };

  type Expect = {
    canApprove: boolean;
    blockers: [string, string][];
    mandatoryMet: number;
    advisoryMet: number;
    toSendBack: string[];
  };

  // Each case changes the all-pass review; a missing entry (undefined) means not scored.
  const cases: [string, Record<string, VerdictFacts | undefined>, Expect][] = [
    ["all pass", {}, { canApprove: true, blockers: [], mandatoryMet: 3, advisoryMet: 2, toSendBack: [] }],
    [
      "one mandatory unscored",
      { "M-2": undefined },
      { canApprove: false, blockers: [["M-2", "not scored yet"]], mandatoryMet: 2, advisoryMet: 2, toSendBack: [] },
    ],
    [
      "one advisory unscored",
      { "A-2": undefined },
      { canApprove: false, blockers: [["A-2", "not scored yet"]], mandatoryMet: 3, advisoryMet: 1, toSendBack: [] },
    ],
    [
      "mandatory fail",
      { "M-1": v("fail", "Broken.") },
      {
        canApprove: false,
        blockers: [["M-1", "mandatory requirement failed"]],
        mandatoryMet: 2,
        advisoryMet: 2,
        toSendBack: ["M-1"],
      },
    ],
    [
      "mandatory fail, accepted anyway",
      { "M-1": v("fail", "Justified.", true) },
      {
        canApprove: false,
        blockers: [["M-1", "mandatory requirement failed"]],
        mandatoryMet: 2,
        advisoryMet: 2,
        toSendBack: ["M-1"],
      },
    ],
    [
      "mandatory needs information",
      { "M-1": v("needs_information", "Which version?") },
      {
        canApprove: false,
        blockers: [["M-1", "needs information from the supplier"]],
        mandatoryMet: 2,
        advisoryMet: 2,
        toSendBack: ["M-1"],
      },
    ],
    [
      "mandatory N/A with condition",
      { "M-2": v("not_applicable", "No camera.") },
      { canApprove: true, blockers: [], mandatoryMet: 3, advisoryMet: 2, toSendBack: [] },
    ],
    [
      "mandatory N/A without condition, supplier claimed N/A",
      { "M-3": v("not_applicable", "Agreed.") },
      { canApprove: true, blockers: [], mandatoryMet: 3, advisoryMet: 2, toSendBack: [] },
    ],
    [
      "mandatory N/A without condition or claim",
      { "M-1": v("not_applicable", "No radio.") },
      {
        canApprove: false,
        blockers: [["M-1", "not applicable is not allowed here"]],
        mandatoryMet: 2,
        advisoryMet: 2,
        toSendBack: [],
      },
    ],
    [
      "advisory fail, not accepted",
      { "A-1": v("fail", "Not good enough.") },
      {
        canApprove: false,
        blockers: [["A-1", "advisory requirement not met: accept the supplier's justification, or send it back"]],
        mandatoryMet: 3,
        advisoryMet: 1,
        toSendBack: ["A-1"],
      },
    ],
    [
      "advisory fail accepted with comment",
      { "A-1": v("fail", "Justification accepted.", true) },
      // Settled: an accepted advisory fail does not go back to the supplier.
      { canApprove: true, blockers: [], mandatoryMet: 3, advisoryMet: 2, toSendBack: [] },
    ],
    [
      "advisory accepted with empty comment",
      { "A-1": v("fail", "", true) },
      {
        canApprove: false,
        blockers: [["A-1", "advisory requirement not met: accept the supplier's justification, or send it back"]],
        mandatoryMet: 3,
        advisoryMet: 1,
        toSendBack: ["A-1"],
      },
    ],
    [
      "advisory N/A not accepted",
      { "A-2": v("not_applicable", "n/a") },
      {
        canApprove: false,
        blockers: [["A-2", "not applicable is not allowed here"]],
        mandatoryMet: 3,
        advisoryMet: 1,
        toSendBack: [],
      },
    ],
    [
      // A-2 has no condition and was claimed implemented: N/A is not a verdict it can take, accepted or not.
      "advisory N/A accepted with comment, but N/A not allowed here",
      { "A-2": v("not_applicable", "Accepted.", true) },
      {
        canApprove: false,
        blockers: [["A-2", "not applicable is not allowed here"]],
        mandatoryMet: 3,
        advisoryMet: 1,
        toSendBack: [],
      },
    ],
    [
      "advisory needs information, even if accepted",
      { "A-2": v("needs_information", "Which?", true) },
      {
        canApprove: false,
        blockers: [["A-2", "needs information from the supplier"]],
        mandatoryMet: 3,
        advisoryMet: 1,
        toSendBack: ["A-2"],
      },
    ],
    [
      "several blockers, reported in requirement order",
      {
        "A-2": v("needs_information", "Which?"),
        "M-1": undefined,
        "A-1": v("fail", "No."),
        "M-3": v("fail", "No."),
        "M-2": v("not_applicable", "No camera."),
      },
      {
        canApprove: false,
        blockers: [
          ["M-1", "not scored yet"],
          ["M-3", "mandatory requirement failed"],
          ["A-1", "advisory requirement not met: accept the supplier's justification, or send it back"],
          ["A-2", "needs information from the supplier"],
        ],
        mandatoryMet: 1,
        advisoryMet: 0,
        toSendBack: ["M-3", "A-1", "A-2"],
      },
    ],
  ];

  it.each(cases)("%s", (_what, overrides, e) => {
    const merged: Record<string, VerdictFacts | undefined> = { ...allPass, ...overrides };
    const verdicts = new Map(Object.entries(merged).filter((kv): kv is [string, VerdictFacts] => kv[1] !== undefined));
    const score = scoreSubmission(REQS, verdicts);

    const expectedCounts = Object.fromEntries(
      VERDICTS.map((x) => [x, [...verdicts.values()].filter((f) => f.verdict === x).length]),
    );
    expect(score.total).toBe(5);
    expect(score.scored).toBe(verdicts.size);
    expect(score.counts).toEqual(expectedCounts);
    expect(score.canApprove).toBe(e.canApprove);
    expect(score.blockers).toEqual(e.blockers.map(([ref, reason]) => ({ ref, reason })));
    expect(score.mandatory).toEqual({
      total: 3,
      met: e.mandatoryMet,
      percent: Math.round((e.mandatoryMet / 3) * 1000) / 10,
    });
    expect(score.advisory).toEqual({ total: 2, met: e.advisoryMet, percent: (e.advisoryMet / 2) * 100 });
    expect(score.toSendBack).toEqual(e.toSendBack);
    // Approval is exactly "every requirement met".
    expect(score.canApprove).toBe(REQS.every((r) => isMet(r, verdicts.get(r.ref))));
  });

  it("counts each verdict and the scored total explicitly", () => {
    const verdicts = new Map<string, VerdictFacts>([
      ["M-1", v("fail", "x")],
      ["M-2", v("not_applicable", "x")],
      ["M-3", v("needs_information", "x")],
      ["A-1", v("fail", "x", true)],
    ]);
    const score = scoreSubmission(REQS, verdicts);
    expect(score.scored).toBe(4);
    expect(score.counts).toEqual({ pass: 0, fail: 2, not_applicable: 1, needs_information: 1 });
    expect(score.toSendBack).toEqual(["M-1", "M-3"]); // A-1's justification is accepted
  });

  it("ignores verdicts on refs that are not in the list", () => {
    const score = scoreSubmission(
      [M1],
      new Map([
        ["M-1", v("pass")],
        ["X-9", v("fail", "x")],
      ]),
    );
    expect(score).toMatchObject({ total: 1, scored: 1, canApprove: true, toSendBack: [] });
    expect(score.counts.fail).toBe(0);
  });

  it("an empty requirement list cannot be approved", () => {
    expect(scoreSubmission([], new Map())).toEqual({
      total: 0,
      scored: 0,
      counts: { pass: 0, fail: 0, not_applicable: 0, needs_information: 0 },
      mandatory: { total: 0, met: 0, percent: 100 },
      advisory: { total: 0, met: 0, percent: 100 },
      blockers: [],
      canApprove: false,
      toSendBack: [],
    });
  });

  it.each([
    [
      "no mandatory requirements",
      [A1],
      ["A-1"],
      { total: 0, met: 0, percent: 100 },
      { total: 1, met: 1, percent: 100 },
    ],
    ["no advisory requirements", [M1], ["M-1"], { total: 1, met: 1, percent: 100 }, { total: 0, met: 0, percent: 100 }],
  ] as const)("%s -> that bucket is 100%%", (_what, reqs, passed, m, a) => {
    const score = scoreSubmission(reqs, new Map(passed.map((ref) => [ref, v("pass")])));
    expect(score.mandatory).toEqual(m);
    expect(score.advisory).toEqual(a);
    expect(score.canApprove).toBe(true);
  });

  it.each([
    [1, 3, 33.3],
    [2, 3, 66.7],
    [1, 6, 16.7],
    [5, 6, 83.3],
    [1, 7, 14.3],
    [1, 8, 12.5],
    [0, 4, 0],
    [4, 4, 100],
  ])("percent %i of %i -> %s (one decimal)", (met, total, percent) => {
    const reqs = Array.from({ length: total }, (_, i) => req({ ref: `M-${i}` }));
    const verdicts = new Map(reqs.slice(0, met).map((r) => [r.ref, v("pass")]));
    const score = scoreSubmission(reqs, verdicts);
    expect(score.mandatory).toEqual({ total, met, percent });
    expect(score.advisory).toEqual({ total: 0, met: 0, percent: 100 });
  });

  describe("levels: the same requirements and verdicts scored at two levels", () => {
    // At level "basic" R-2 is advisory and R-3 is not required; at "high" both are mandatory.
    // R-2 has a condition, so "not applicable" is a possible verdict at both levels.
    const basic: ReviewedRequirement[] = [
      req({ ref: "R-1", applicability: "mandatory" }),
      req({ ref: "R-2", applicability: "advisory", condition: "If it has Bluetooth" }),
    ];
    const high: ReviewedRequirement[] = [
      req({ ref: "R-1", applicability: "mandatory" }),
      req({ ref: "R-2", applicability: "mandatory", condition: "If it has Bluetooth" }),
      req({ ref: "R-3", applicability: "mandatory" }),
    ];

    it.each([
      [
        "R-2 failed with an accepted justification",
        { "R-1": v("pass"), "R-2": v("fail", "Justification accepted.", true), "R-3": v("pass") },
        { canApprove: true, blockers: [] as string[], advisory: { total: 1, met: 1, percent: 100 } },
        { canApprove: false, blockers: ["R-2"], mandatory: { total: 3, met: 2, percent: 66.7 } },
      ],
      [
        "R-3 not scored",
        { "R-1": v("pass"), "R-2": v("pass") },
        { canApprove: true, blockers: [] as string[], advisory: { total: 1, met: 1, percent: 100 } },
        { canApprove: false, blockers: ["R-3"], mandatory: { total: 3, met: 2, percent: 66.7 } },
      ],
      [
        "R-2 judged not applicable (it has a condition), justification not accepted",
        { "R-1": v("pass"), "R-2": v("not_applicable", "No Bluetooth."), "R-3": v("pass") },
        { canApprove: false, blockers: ["R-2"], advisory: { total: 1, met: 0, percent: 0 } },
        { canApprove: true, blockers: [] as string[], mandatory: { total: 3, met: 3, percent: 100 } },
      ],
    ])("%s", (_what, facts, atBasic, atHigh) => {
      const verdicts = new Map(Object.entries(facts));
      const b = scoreSubmission(basic, verdicts);
      const h = scoreSubmission(high, verdicts);
      expect(b.canApprove).toBe(atBasic.canApprove);
      expect(b.blockers.map((x) => x.ref)).toEqual(atBasic.blockers);
      expect(b.advisory).toEqual(atBasic.advisory);
      expect(b.mandatory).toEqual({ total: 1, met: 1, percent: 100 });
      expect(h.canApprove).toBe(atHigh.canApprove);
      expect(h.blockers.map((x) => x.ref)).toEqual(atHigh.blockers);
      expect(h.mandatory).toEqual(atHigh.mandatory);
      expect(h.advisory).toEqual({ total: 0, met: 0, percent: 100 });
    });
  });
});

/** The proposer is still able to review the submission (enabled, no conflict of interest since). */
const ABLE = { able: true, name: "Alice" };

describe("check confirmation (four eyes)", () => {
  const proposal = { assessorId: "alice", submissionVersion: 3 };
  it.each([
    ["no proposal", null, "bob", 3, /^There is no approval proposal/],
    ["same assessor, same version", proposal, "alice", 3, /^Four eyes/],
    ["same assessor, version changed", proposal, "alice", 4, /^Four eyes/],
    [
      "different assessor, version changed since the proposal",
      proposal,
      "bob",
      4,
      /changed after the approval was proposed/,
    ],
    ["different assessor, older version", proposal, "bob", 2, /changed after the approval was proposed/],
    ["different assessor, same version", proposal, "bob", 3, null],
  ] as const)("%s", (_what, p, confirmer, version, reason) => {
    const result = checkConfirmation(p, confirmer, version, new Set(["alice"]), ABLE);
    if (reason === null) {
      expect(result).toEqual({ ok: true });
    } else {
      expect(result.ok).toBe(false);
      if (result.ok) return;
      expect(result.reason).toMatch(reason);
    }
  });
});

describe("check confirmation: the confirmer did not score the review (four eyes)", () => {
  const proposal = { assessorId: "bob", submissionVersion: 3 };
  it("refuses an assessor who recorded any current verdict, even when another proposed it", () => {
    const result = checkConfirmation(proposal, "alice", 3, new Set(["bob", "alice"]), ABLE);
    expect(result).toEqual({
      ok: false,
      reason: expect.stringMatching(/^Four eyes: you recorded verdicts of this review/),
    });
    expect(checkConfirmation(proposal, "carol", 3, new Set(["bob", "alice"]), ABLE)).toEqual({ ok: true });
  });

  it("counts the latest verdicts recorded in this review, not those carried over from a certified one", () => {
    const authors = currentVerdictAuthors([
      { assessorId: "alice", carriedFromId: null },
      { assessorId: "bob", carriedFromId: null },
      { assessorId: "carol", carriedFromId: 17 },
    ]);
    expect([...authors].sort()).toEqual(["alice", "bob"]);
    expect(checkConfirmation(proposal, "carol", 3, authors, ABLE)).toEqual({ ok: true });
  });
});

describe("scoring closed reason (who records verdicts, when)", () => {
  const me = { isMe: true, name: "Asha" };
  const other = { isMe: false, name: "Asha" };
  it.each([
    ["submitted, nobody took it", "submitted", { isMe: false, name: null }, false, /take it for review first/],
    ["in review with me, no proposal", "in_review", me, false, null],
    ["in review with me, my proposal waits", "in_review", me, true, /withdraw it to change a verdict/],
    ["in review with another assessor", "in_review", other, false, /reviewing this submission \(Asha\) records/],
    ["in review with another assessor, their proposal waits", "in_review", other, true, /confirm or send back/],
    ["approved", "approved", me, false, /no longer in review/],
    ["changes requested", "changes_requested", me, false, /no longer in review/],
  ] as const)("%s", (_what, status, reviewer, proposalPending, reason) => {
    const closed = scoringClosedReason({ status, reviewer, proposalPending });
    if (reason === null) expect(closed).toBeNull();
    else expect(closed).toMatch(reason);
  });
});

describe("an advisory requirement judged not applicable", () => {
  it("blocks until its justification is accepted, and the blocker says so", () => {
    const r = req({ ref: "A-9", applicability: "advisory", claim: "not_applicable" });
    expect(
      scoreSubmission([r], new Map([["A-9", v("not_applicable", "The watch has no Bluetooth.")]])).blockers,
    ).toEqual([
      {
        ref: "A-9",
        reason: "advisory requirement judged not applicable: accept the supplier's justification to settle it",
      },
    ]);
    expect(
      scoreSubmission([r], new Map([["A-9", v("not_applicable", "The watch has no Bluetooth.", true)]])).canApprove,
    ).toBe(true);
  });
});

describe("whom an approval proposal waits for", () => {
  it("names the one confirmer, or any other assessor, as a sentence", () => {
    expect(waitingForSentence(awaitingConfirmationBy(["Bram Rao"]))).toBe("Waiting for confirmation by Bram Rao.");
    expect(waitingForSentence(awaitingConfirmationBy(["Bram Rao", "Carol Lee"]))).toBe(
      "Waiting for confirmation by any other assessor.",
    );
  });

  it("nobody free to confirm: every other assessor in conflict or disabled, the administrators act", () => {
    const w = awaitingConfirmationBy([]);
    expect(w.blocked).toBe(true);
    expect(waitingForSentence(w)).toMatch(/^No other assessor can confirm it: every other assessor has a conflict/);
  });

  it("kept out only by four eyes: says who scored which requirements, and what the proposer can do", () => {
    const w = awaitingConfirmationBy([], [{ name: "Asha Rao", refs: ["5.1-1"] }]);
    expect(w.blocked).toBe(true);
    expect(w.text).not.toMatch(/conflict of interest/);
    expect(waitingForSentence(w)).toBe(
      "No other assessor can confirm it: Asha Rao recorded the verdicts that count on requirement 5.1-1, and four eyes keeps an assessor who scored a review from confirming it. Withdraw the proposal, record your own verdict on it and propose again: Asha Rao can then confirm it. The administrators are told, and can add an assessor instead.",
    );
    const two = awaitingConfirmationBy(
      [],
      [
        { name: "Asha Rao", refs: ["1", "2"] },
        { name: "Carol Lee", refs: ["3"] },
      ],
    );
    expect(two.text).toContain("Asha Rao and Carol Lee recorded the verdicts that count on requirements 1, 2 and 3");
    expect(two.text).toContain("keeps assessors who scored");
    const many = awaitingConfirmationBy([], [{ name: "Asha Rao", refs: ["1", "2", "3", "4", "5", "6", "7"] }]);
    expect(many.text).toContain("on 7 requirements (1, 2, 3, 4, …)");
  });

  it("said before proposing: what to do first, not to withdraw a proposal that does not exist", () => {
    expect(awaitingConfirmationBy(["Bram Rao"], [], true)).toEqual({ text: "Bram Rao", blocked: false });
    const scored = awaitingConfirmationBy([], [{ name: "Asha Rao", refs: ["5.1-1", "5.1-2"] }], true);
    expect(waitingForSentence(scored)).toBe(
      "If you propose approval now, no other assessor can confirm it: Asha Rao recorded the verdicts that count on requirements 5.1-1 and 5.1-2, and four eyes keeps an assessor who scored a review from confirming it. Record your own verdicts on them first: Asha Rao can then confirm it. Proposed as it stands, it waits until an administrator adds an assessor (they are told).",
    );
    expect(scored.text).not.toMatch(/withdraw/i);
    expect(waitingForSentence(awaitingConfirmationBy([], [], true))).toBe(
      "If you propose approval now, no other assessor can confirm it: every other assessor has a conflict of interest with this supplier or is disabled. Proposed, it waits until an administrator adds an assessor or lifts a conflict (they are told).",
    );
  });
});
