import { describe, expect, it } from "vitest";
import {
  type AnswerFacts,
  type AnswerProblemCode,
  answerProblems,
  EMPTY_ANSWER,
  mayClaimNotApplicable,
  type RequirementInScope,
  submissionProgress,
} from "../../../app/features/certification/domain/answers";

const mandatory: RequirementInScope = { ref: "R-1", sectionRef: "S1", applicability: "mandatory", condition: null };
const conditional: RequirementInScope = {
  ref: "R-2",
  sectionRef: "S1",
  applicability: "mandatory",
  condition: "If the device has a camera",
};
const advisory: RequirementInScope = { ref: "R-3", sectionRef: "S1", applicability: "advisory", condition: null };

const answer = (a: Partial<AnswerFacts>): AnswerFacts => ({ ...EMPTY_ANSWER, ...a });

describe("may claim not applicable", () => {
  it.each([
    ["mandatory without condition", { applicability: "mandatory", condition: null }, false],
    ["mandatory with empty condition", { applicability: "mandatory", condition: "" }, false],
    ["mandatory with condition", { applicability: "mandatory", condition: "If it has Bluetooth" }, true],
    ["advisory without condition", { applicability: "advisory", condition: null }, true],
    ["advisory with condition", { applicability: "advisory", condition: "If it has Bluetooth" }, true],
  ] as const)("%s -> %s", (_what, req, expected) => {
    expect(mayClaimNotApplicable(req)).toBe(expected);
  });
});

describe("answer problems", () => {
  const cases: [string, RequirementInScope, Partial<AnswerFacts>, AnswerProblemCode[]][] = [
    ["no claim (mandatory)", mandatory, {}, ["no_claim"]],
    ["no claim (advisory)", advisory, {}, ["no_claim"]],
    [
      "no claim, even with justification and evidence",
      mandatory,
      { justification: "x", evidenceCount: 3 },
      ["no_claim"],
    ],
    [
      "N/A on mandatory without condition, justified",
      mandatory,
      { claim: "not_applicable", justification: "No radio." },
      ["na_not_allowed"],
    ],
    [
      "N/A on mandatory without condition, unjustified",
      mandatory,
      { claim: "not_applicable" },
      ["na_not_allowed", "justification_needed"],
    ],
    [
      "N/A on conditional mandatory, justified",
      conditional,
      { claim: "not_applicable", justification: "No camera." },
      [],
    ],
    [
      "N/A on conditional mandatory, no justification",
      conditional,
      { claim: "not_applicable" },
      ["justification_needed"],
    ],
    [
      "N/A on conditional mandatory, whitespace justification",
      conditional,
      { claim: "not_applicable", justification: " \t\n " },
      ["justification_needed"],
    ],
    ["N/A on advisory, justified", advisory, { claim: "not_applicable", justification: "n/a" }, []],
    ["N/A on advisory, no justification", advisory, { claim: "not_applicable" }, ["justification_needed"]],
    ["not implemented, justified", mandatory, { claim: "not_implemented", justification: "Planned for v2." }, []],
    ["not implemented, no justification", mandatory, { claim: "not_implemented" }, ["justification_needed"]],
    [
      "not implemented, whitespace justification",
      mandatory,
      { claim: "not_implemented", justification: "   " },
      ["justification_needed"],
    ],
    ["not implemented on advisory, no justification", advisory, { claim: "not_implemented" }, ["justification_needed"]],
    [
      "not implemented needs no evidence",
      mandatory,
      { claim: "not_implemented", justification: "Later.", evidenceCount: 0 },
      [],
    ],
    ["implemented mandatory, no evidence, no reason", mandatory, { claim: "implemented" }, ["evidence_needed"]],
    [
      "implemented mandatory, no evidence, whitespace reason",
      mandatory,
      { claim: "implemented", noEvidenceReason: "  \n" },
      ["evidence_needed"],
    ],
    ["implemented mandatory, one file", mandatory, { claim: "implemented", evidenceCount: 1 }, []],
    [
      "implemented mandatory, reason and no file",
      mandatory,
      { claim: "implemented", noEvidenceReason: "Verified on site." },
      [],
    ],
    ["implemented conditional mandatory, no evidence", conditional, { claim: "implemented" }, ["evidence_needed"]],
    ["implemented advisory, no evidence", advisory, { claim: "implemented" }, []],
    [
      "implemented needs no justification",
      mandatory,
      { claim: "implemented", evidenceCount: 2, justification: "" },
      [],
    ],
  ];

  it.each(cases)("%s", (_what, req, a, codes) => {
    const problems = answerProblems(req, answer(a));
    expect(problems.map((p) => p.code)).toEqual(codes);
    for (const p of problems) expect(p.message.length).toBeGreaterThan(5);
  });

  it("each problem points at the right field with a useful message", () => {
    expect(answerProblems(mandatory, EMPTY_ANSWER)).toEqual([
      { code: "no_claim", field: "claim", message: "No claim yet." },
    ]);
    const na = answerProblems(mandatory, answer({ claim: "not_applicable" }));
    expect(na).toEqual([
      {
        code: "na_not_allowed",
        field: "claim",
        message: "This mandatory requirement has no condition, so it cannot be not applicable.",
      },
      { code: "justification_needed", field: "justification", message: '"Not applicable" needs a justification.' },
    ]);
    expect(answerProblems(mandatory, answer({ claim: "not_implemented" }))).toEqual([
      { code: "justification_needed", field: "justification", message: '"Not implemented" needs a justification.' },
    ]);
    expect(answerProblems(mandatory, answer({ claim: "implemented" }))).toEqual([
      {
        code: "evidence_needed",
        field: "evidence",
        message: "Attach at least one evidence file, or explain why no evidence is possible.",
      },
    ]);
  });
});

describe("submission progress", () => {
  const reqs: RequirementInScope[] = [
    { ref: "A-1", sectionRef: "A", applicability: "mandatory", condition: null },
    { ref: "A-2", sectionRef: "A", applicability: "mandatory", condition: "If wireless" },
    { ref: "A-3", sectionRef: "A", applicability: "advisory", condition: null },
    { ref: "B-1", sectionRef: "B", applicability: "mandatory", condition: null },
    { ref: "B-2", sectionRef: "B", applicability: "advisory", condition: null },
    { ref: "C-1", sectionRef: "C", applicability: "mandatory", condition: null },
    { ref: "A-4", sectionRef: "A", applicability: "mandatory", condition: null }, // section A again, later in the order
  ];
  const answers = new Map<string, AnswerFacts>([
    ["A-1", answer({ claim: "implemented", evidenceCount: 2 })], // complete, with evidence
    ["A-2", answer({ claim: "not_applicable", justification: "Wired only." })], // complete
    ["A-3", answer({ claim: "implemented" })], // complete (advisory)
    ["B-1", answer({ claim: "implemented" })], // blocker: evidence
    // B-2: no answer at all -> blocker
    ["C-1", answer({ claim: "not_applicable", evidenceCount: 1 })], // blocker: N/A not allowed + no justification; has evidence
    ["A-4", answer({ evidenceCount: 1 })], // evidence but no claim -> blocker
    ["Z-9", answer({ claim: "implemented", evidenceCount: 5 })], // not in scope: ignored
  ]);

  const p = submissionProgress(reqs, answers);

  it("counts per section, in order of first appearance", () => {
    expect(p.sections).toEqual([
      { sectionRef: "A", total: 4, answered: 3, withEvidence: 2, complete: 3, mandatory: 3 },
      { sectionRef: "B", total: 2, answered: 1, withEvidence: 0, complete: 0, mandatory: 1 },
      { sectionRef: "C", total: 1, answered: 1, withEvidence: 1, complete: 0, mandatory: 1 },
    ]);
  });

  it("totals are the sums over the requirements in scope", () => {
    expect(p).toMatchObject({ total: 7, answered: 5, withEvidence: 3, complete: 3 });
  });

  it("lists blockers in requirement order with their problems; unanswered requirements are blockers", () => {
    expect(p.blockers.map((b) => [b.ref, b.sectionRef, b.problems.map((x) => x.code)])).toEqual([
      ["B-1", "B", ["evidence_needed"]],
      ["B-2", "B", ["no_claim"]],
      ["C-1", "C", ["na_not_allowed", "justification_needed"]],
      ["A-4", "A", ["no_claim"]],
    ]);
  });

  it("complete + blockers = total", () => {
    expect(p.complete + p.blockers.length).toBe(p.total);
  });

  it("no answers at all: everything is a blocker", () => {
    const empty = submissionProgress(reqs, new Map());
    expect(empty).toMatchObject({ total: 7, answered: 0, withEvidence: 0, complete: 0 });
    expect(empty.blockers.map((b) => b.ref)).toEqual(reqs.map((r) => r.ref));
    expect(empty.blockers.every((b) => b.problems.length === 1 && b.problems[0].code === "no_claim")).toBe(true);
    expect(empty.sections.map((s) => [s.sectionRef, s.total, s.mandatory])).toEqual([
      ["A", 4, 3],
      ["B", 2, 1],
      ["C", 1, 1],
    ]);
  });

  it("all complete: no blockers", () => {
    const all = new Map(reqs.map((r) => [r.ref, answer({ claim: "implemented", evidenceCount: 1 })]));
    const done = submissionProgress(reqs, all);
    expect(done).toMatchObject({ total: 7, answered: 7, withEvidence: 7, complete: 7, blockers: [] });
  });

  it("no requirements: zeros and no sections", () => {
    expect(submissionProgress([], answers)).toEqual({
      total: 0,
      answered: 0,
      withEvidence: 0,
      complete: 0,
      sections: [],
      blockers: [],
    });
  });
});
