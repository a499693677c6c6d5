import { describe, expect, it } from "vitest";
import {
  certificationEnded,
  describeReason,
  reasonsFor,
  recertificationDelta,
  recertificationProblem,
  refsNamedFor,
  sameAnswer,
  type CertifiedRequirement,
  type DeltaInput,
} from "../../../app/features/certification/domain/recertification";

const answer = (justification: string, claim = "implemented") => ({ claim, justification, noEvidenceReason: "" });
const certified = (ref: string, over: Partial<CertifiedRequirement> = {}): [string, CertifiedRequirement] => [
  ref,
  { answer: answer(`why ${ref}`), evidence: [`sha-${ref}`], metVerdictId: 100 + Number(ref), ...over },
];
const current = (
  ref: string,
  over: Partial<{ answer: ReturnType<typeof answer> | null; evidence: string[] }> = {},
) => ({ ref, answer: answer(`why ${ref}`), evidence: [`sha-${ref}`], ...over });

function input(over: Partial<DeltaInput> = {}): DeltaInput {
  return {
    current: ["1", "2", "3", "4"].map((r) => current(r)),
    certified: new Map(["1", "2", "3", "4"].map((r) => certified(r))),
    marked: new Map(),
    findings: new Map(),
    ...over,
  };
}

describe("recertificationDelta", () => {
  it("carries every verdict over when nothing changed", () => {
    expect(recertificationDelta(input())).toEqual({
      toReview: [],
      carried: [1, 2, 3, 4].map((n) => ({ ref: String(n), verdictId: 100 + n })),
    });
  });

  it.each([
    [
      "a supplier's mark",
      { marked: new Map([["2", "New pairing flow"]]) },
      "2",
      [{ kind: "marked", note: "New pairing flow" }],
    ],
    [
      "a changed justification",
      { current: [current("1"), current("2", { answer: answer("rewritten") }), current("3"), current("4")] },
      "2",
      [{ kind: "answer_changed" }],
    ],
    [
      "a changed claim",
      {
        current: [
          current("1"),
          current("2", { answer: answer("why 2", "not_applicable") }),
          current("3"),
          current("4"),
        ],
      },
      "2",
      [{ kind: "answer_changed" }],
    ],
    [
      "an answer removed",
      { current: [current("1"), current("2", { answer: null }), current("3"), current("4")] },
      "2",
      [{ kind: "answer_changed" }],
    ],
    [
      "a file added",
      { current: [current("1"), current("2", { evidence: ["sha-2", "sha-new"] }), current("3"), current("4")] },
      "2",
      [{ kind: "evidence_changed", added: 1, removed: 0 }],
    ],
    [
      "a file replaced",
      { current: [current("1"), current("2", { evidence: ["sha-new"] }), current("3"), current("4")] },
      "2",
      [{ kind: "evidence_changed", added: 1, removed: 1 }],
    ],
    [
      "an open finding naming it",
      { findings: new Map([["2", ["f1", "f2"]]]) },
      "2",
      [{ kind: "finding", findingIds: ["f1", "f2"] }],
    ],
    [
      "a requirement new in the checklist version",
      { certified: new Map(["1", "3", "4"].map((r) => certified(r))) },
      "2",
      [{ kind: "new_requirement" }],
    ],
    [
      "a requirement whose text changed",
      { changedRequirements: new Map([["2", ["text" as const]]]) },
      "2",
      [{ kind: "requirement_changed", fields: ["text"] }],
    ],
    [
      "no certified verdict that met it",
      { certified: new Map([certified("1"), certified("2", { metVerdictId: null }), certified("3"), certified("4")]) },
      "2",
      [{ kind: "no_certified_verdict" }],
    ],
  ])("re-reviews a requirement because of %s, and carries the others", (_name, over, ref, reasons) => {
    const delta = recertificationDelta(input(over as Partial<DeltaInput>));
    expect(delta.toReview).toEqual([{ ref, reasons }]);
    expect(delta.carried.map((c) => c.ref)).toEqual(["1", "2", "3", "4"].filter((r) => r !== ref));
  });

  it("lists every reason of one requirement, and keeps checklist order", () => {
    const delta = recertificationDelta(
      input({
        current: [current("1"), current("2"), current("3", { answer: answer("new") }), current("4")],
        marked: new Map([
          ["3", "x"],
          ["1", "y"],
        ]),
        findings: new Map([["3", ["f"]]]),
      }),
    );
    expect(delta.toReview.map((d) => [d.ref, d.reasons.map((r) => r.kind)])).toEqual([
      ["1", ["marked"]],
      ["3", ["marked", "answer_changed", "finding"]],
    ]);
  });

  it("ignores whitespace around texts when comparing answers", () => {
    expect(sameAnswer(answer("  same "), answer("same"))).toBe(true);
    expect(sameAnswer(null, null)).toBe(true);
    expect(sameAnswer(answer("a"), null)).toBe(false);
    expect(reasonsFor(current("1", { answer: answer(" why 1 ") }), input())).toEqual([]);
  });
});

describe("describeReason", () => {
  it("says why in words", () => {
    expect(describeReason({ kind: "marked", note: "New OTA signing" })).toBe(
      "Marked as changed by the supplier: New OTA signing",
    );
    expect(describeReason({ kind: "evidence_changed", added: 2, removed: 1 })).toBe(
      "Evidence changed (2 added, 1 removed)",
    );
    expect(describeReason({ kind: "finding", findingIds: ["a"] })).toBe("Named by an open vulnerability report");
    expect(describeReason({ kind: "finding", findingIds: ["a", "b"] })).toBe("Named by 2 open vulnerability reports");
    expect(describeReason({ kind: "requirement_changed", fields: ["title", "text"] })).toBe(
      "The requirement's title, text changed in this checklist version",
    );
  });
});

describe("refsNamedFor", () => {
  it("keeps the refs of one checklist", () => {
    expect(refsNamedFor("uk-psti", ["uk-psti:1", "etsi-en-303-645:5.1-1", "uk-psti:3", "uk-psti-x:9"])).toEqual([
      "1",
      "3",
    ]);
  });
});

describe("an SBOM of the certified firmware", () => {
  const sboms = new Set(["sha-2", "sha-sbom-new"]);
  it("is never carried as certified: the requirement holding it is reviewed again", () => {
    const delta = recertificationDelta(input({ sboms }));
    expect(delta.toReview).toEqual([{ ref: "2", reasons: [{ kind: "sbom_of_certified_firmware" }] }]);
    expect(delta.carried.map((c) => c.ref)).toEqual(["1", "3", "4"]);
  });

  it("replaced by the new firmware's SBOM: reviewed because the evidence changed, no longer as the old SBOM", () => {
    const delta = recertificationDelta(
      input({
        sboms,
        current: [current("1"), current("2", { evidence: ["sha-sbom-new"] }), current("3"), current("4")],
      }),
    );
    expect(delta.toReview).toEqual([{ ref: "2", reasons: [{ kind: "evidence_changed", added: 1, removed: 1 }] }]);
  });

  it("says what to do", () => {
    expect(describeReason({ kind: "sbom_of_certified_firmware" })).toBe(
      "Its SBOM is the certified firmware's: replace it with the SBOM of this firmware",
    );
  });
});

describe("a seal revoked or expired after the re-certification was opened", () => {
  it.each(["revoked", "expired"] as const)("%s: nothing carries over, every requirement is reviewed", (ended) => {
    const delta = recertificationDelta(input({ sourceEnded: ended, marked: new Map([["3", "x"]]) }));
    expect(delta.carried).toEqual([]);
    expect(delta.toReview.map((d) => [d.ref, d.reasons.map((r) => r.kind)])).toEqual([
      ["1", ["certification_ended"]],
      ["2", ["certification_ended"]],
      ["3", ["certification_ended", "marked"]],
      ["4", ["certification_ended"]],
    ]);
    expect(describeReason({ kind: "certification_ended", ended })).toMatch(
      new RegExp(
        `^The seal this re-certification started from (was ${ended}|has ${ended}): its certified verdicts no longer carry over$`,
      ),
    );
  });

  it("certificationEnded: revoked, or past validUntil; a superseded or suspended seal in date still stands", () => {
    const now = new Date("2027-01-01T00:00:00Z");
    const later = new Date("2028-01-01T00:00:00Z");
    expect(certificationEnded({ state: "revoked", validUntil: later }, now)).toBe("revoked");
    expect(certificationEnded({ state: "active", validUntil: now }, now)).toBe("expired");
    expect(certificationEnded({ state: "suspended", validUntil: now }, now)).toBe("expired");
    expect(certificationEnded({ state: "active", validUntil: later }, now)).toBeNull();
    expect(certificationEnded({ state: "suspended", validUntil: later }, now)).toBeNull();
    expect(certificationEnded({ state: "superseded", validUntil: later }, now)).toBeNull();
  });
});

describe("recertificationProblem", () => {
  const now = new Date("2027-01-01T00:00:00Z");
  const later = new Date("2028-01-01T00:00:00Z");
  it("allows an active or suspended seal still in date; refuses revoked, superseded and expired ones", () => {
    expect(recertificationProblem({ state: "active", validUntil: later }, now)).toBeNull();
    expect(recertificationProblem({ state: "suspended", validUntil: later }, now)).toBeNull();
    expect(recertificationProblem({ state: "revoked", validUntil: later }, now)).toMatch(/revoked/);
    expect(recertificationProblem({ state: "superseded", validUntil: later }, now)).toMatch(/superseded/);
    expect(recertificationProblem({ state: "active", validUntil: now }, now)).toMatch(/expired/);
  });
});
