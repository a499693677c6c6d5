import { describe, expect, it } from "vitest";
import {
  carryNotice,
  carrySourceLabel,
  carrySourcesLabel,
  planCarryAcross,
  rankSources,
  summarisePlan,
  type CandidateSubmission,
  type SourceAnswer,
  type SourceFile,
  type TargetRequirement,
} from "../../../app/features/certification/domain/carry-across";
import { JUSTIFICATION_MAX } from "../../../app/features/certification/domain/answers";

const ETSI = "etsi-en-303-645";
const PSTI = "uk-psti";
const CRA = "eu-cra-annex-i";

const sub = (id: string, checklistId: string, status: CandidateSubmission["status"], updatedAt: number) => ({
  id,
  checklistId,
  version: checklistId === ETSI ? "3.1.3-r1" : "2023",
  status,
  updatedAt,
});

const answer = (
  submissionId: string,
  ref: string,
  claim: SourceAnswer["claim"],
  justification = "",
  noEvidenceReason = "",
): SourceAnswer => ({ submissionId, ref, claim, justification, noEvidenceReason });

const file = (submissionId: string, ref: string, sha256: string, originalName = `${sha256}.pdf`): SourceFile => ({
  submissionId,
  ref,
  sha256,
  originalName,
});

const target = (ref: string, links: [string, string][], mayBeNotApplicable = true): TargetRequirement => ({
  ref,
  mayBeNotApplicable,
  links: links.map(([checklistId, r]) => ({ checklistId, ref: r })),
});

describe("rankSources", () => {
  it("puts approved submissions first, then the most recently updated; drops withdrawn ones and the same checklist", () => {
    const ranked = rankSources(
      [
        sub("draft-new", PSTI, "draft", 300),
        sub("approved-old", ETSI, "approved", 100),
        sub("withdrawn", ETSI, "withdrawn", 400),
        sub("cra-other", CRA, "approved", 500),
        sub("submitted", ETSI, "submitted", 200),
      ],
      CRA,
    );
    expect(ranked.map((s) => s.id)).toEqual(["approved-old", "draft-new", "submitted"]);
  });
});

describe("planCarryAcross", () => {
  const etsi = sub("etsi", ETSI, "approved", 100);

  it("copies a single linked answer with its source named, and its files", () => {
    const plan = planCarryAcross(
      [target("I.2.m", [[ETSI, "5.11-1"]]), target("I.2.l", [[ETSI, "5.10-1"]])],
      [etsi],
      [answer("etsi", "5.11-1", "implemented", "Factory reset wipes all user data.")],
      [file("etsi", "5.11-1", "aa"), file("etsi", "5.11-1", "bb")],
    );
    expect(plan).toEqual([
      {
        ref: "I.2.m",
        claim: "implemented",
        justification: "From ETSI EN 303 645 5.11-1: Factory reset wipes all user data.",
        noEvidenceReason: "",
        from: [{ submissionId: "etsi", checklistId: ETSI, version: "3.1.3-r1", ref: "5.11-1" }],
        files: [
          { sha256: "aa", originalName: "aa.pdf", from: [expect.objectContaining({ ref: "5.11-1" })] },
          { sha256: "bb", originalName: "bb.pdf", from: [expect.objectContaining({ ref: "5.11-1" })] },
        ],
      },
    ]); // I.2.l: nothing answered 5.10-1, so it is left out
  });

  it("claims only what every linked source claims, lists each source and unites the files", () => {
    const agree = planCarryAcross(
      [
        target("I.2.b", [
          [ETSI, "5.1-1"],
          [ETSI, "5.1-2"],
        ]),
      ],
      [etsi],
      [answer("etsi", "5.1-1", "implemented", "Unique passwords."), answer("etsi", "5.1-2", "implemented", "")],
      [file("etsi", "5.1-1", "aa"), file("etsi", "5.1-2", "aa"), file("etsi", "5.1-2", "cc")],
    )[0];
    expect(agree.claim).toBe("implemented");
    expect(agree.justification).toBe("From ETSI EN 303 645 5.1-1: Unique passwords."); // an empty text adds no line
    expect(agree.files.map((f) => [f.sha256, f.from.map((s) => s.ref)])).toEqual([
      ["aa", ["5.1-1", "5.1-2"]],
      ["cc", ["5.1-2"]],
    ]);

    const differ = planCarryAcross(
      [
        target("I.2.b", [
          [ETSI, "5.1-1"],
          [ETSI, "5.6-1"],
        ]),
      ],
      [etsi],
      [answer("etsi", "5.1-1", "implemented", "Unique passwords."), answer("etsi", "5.6-1", "not_implemented", "")],
      [],
    )[0];
    expect(differ.claim).toBeNull();
    expect(differ.justification).toBe(
      "From ETSI EN 303 645 5.1-1 (implemented): Unique passwords.\n\nFrom ETSI EN 303 645 5.6-1: not implemented.",
    );
  });

  it("writes a text several sources share once, naming them all", () => {
    const [p] = planCarryAcross(
      [
        target("I.2.b", [
          [ETSI, "5.1-1"],
          [ETSI, "5.1-2"],
          [PSTI, "1"],
          [ETSI, "5.6-1"],
        ]),
      ],
      [etsi, sub("psti", PSTI, "approved", 10)],
      [
        answer("etsi", "5.1-1", "implemented", "Unique pairing codes."),
        answer("etsi", "5.1-2", "implemented", "Unique pairing codes."),
        answer("psti", "1", "implemented", "Unique pairing codes."),
        answer("etsi", "5.6-1", "implemented", "No open ports."),
      ],
      [],
    );
    expect(p.justification).toBe(
      "From ETSI EN 303 645 5.1-1 and 5.1-2; UK PSTI 1: Unique pairing codes.\n\nFrom ETSI EN 303 645 5.6-1: No open ports.",
    );
    expect(carrySourcesLabel(p.from)).toBe("ETSI EN 303 645 5.1-1, 5.1-2 and 5.6-1; UK PSTI 1");
  });

  it("takes each linked ref from the best ranked submission that has it, from several checklists", () => {
    const olderEtsi = sub("etsi-old", ETSI, "rejected", 50);
    const psti = sub("psti", PSTI, "draft", 300);
    const ranked = rankSources([olderEtsi, psti, etsi], CRA);
    const plan = planCarryAcross(
      [
        target("I.2.d", [
          [ETSI, "5.1-3"],
          [ETSI, "5.1-5"],
          [PSTI, "1"],
          [ETSI, "5.1-3"], // the same end from the other direction: once
        ]),
      ],
      ranked,
      [
        answer("etsi", "5.1-3", "implemented", "Approved answer."),
        answer("etsi-old", "5.1-3", "not_implemented", "Old answer."),
        answer("etsi-old", "5.1-5", "implemented", "Only the old one answered this."),
        answer("psti", "1", "implemented", "No default passwords."),
      ],
      [],
    )[0];
    expect(plan.from.map((f) => `${f.submissionId} ${f.ref}`)).toEqual(["etsi 5.1-3", "etsi-old 5.1-5", "psti 1"]);
    expect(plan.claim).toBe("implemented");
    expect(plan.justification).toBe(
      [
        "From ETSI EN 303 645 5.1-3: Approved answer.",
        "From ETSI EN 303 645 5.1-5: Only the old one answered this.",
        "From UK PSTI 1: No default passwords.",
      ].join("\n\n"),
    );
  });

  it("drops a carried 'not applicable' where the target does not allow it, keeps the reason", () => {
    const [p] = planCarryAcross(
      [target("I.2.c", [[ETSI, "5.3-4B"]], false)],
      [etsi],
      [answer("etsi", "5.3-4B", "not_applicable", "No user-facing updates.", "Nothing to show.")],
      [],
    );
    expect(p.claim).toBeNull();
    expect(p.justification).toBe("From ETSI EN 303 645 5.3-4B: No user-facing updates.");
    expect(p.noEvidenceReason).toBe("From ETSI EN 303 645 5.3-4B: Nothing to show.");
    const [allowed] = planCarryAcross(
      [target("I.2.c", [[ETSI, "5.3-4B"]], true)],
      [etsi],
      [answer("etsi", "5.3-4B", "not_applicable", "No user-facing updates.")],
      [],
    );
    expect(allowed.claim).toBe("not_applicable");
  });

  it("carries evidence alone (no claim) and ignores empty answers", () => {
    const plan = planCarryAcross(
      [target("A", [[ETSI, "1"]]), target("B", [[ETSI, "2"]])],
      [etsi],
      [answer("etsi", "2", null, "  ")],
      [file("etsi", "1", "aa")],
    );
    expect(plan).toHaveLength(1);
    expect(plan[0]).toMatchObject({ ref: "A", claim: null, justification: "", files: [{ sha256: "aa" }] });
  });

  it("cuts a combined justification to the answer's limit", () => {
    const long = "x".repeat(JUSTIFICATION_MAX);
    const [p] = planCarryAcross(
      [
        target("A", [
          [ETSI, "1"],
          [ETSI, "2"],
        ]),
      ],
      [etsi],
      [answer("etsi", "1", "implemented", long), answer("etsi", "2", "implemented", long)],
      [],
    );
    expect(p.justification).toHaveLength(JUSTIFICATION_MAX);
    expect(p.justification.endsWith(" […]")).toBe(true);
  });
});

describe("summary and notice", () => {
  it("counts answers, links and distinct files, and names the submissions used", () => {
    const etsi = sub("etsi", ETSI, "approved", 100);
    const psti = sub("psti", PSTI, "draft", 50);
    const plan = planCarryAcross(
      [target("A", [[ETSI, "1"]]), target("B", [[ETSI, "2"]])],
      [etsi, psti],
      [answer("etsi", "1", "implemented", "a"), answer("etsi", "2", "implemented", "b")],
      [file("etsi", "1", "aa"), file("etsi", "2", "aa"), file("etsi", "2", "bb")],
    );
    const summary = summarisePlan(plan, [etsi, psti]);
    expect(summary).toEqual({
      answers: 2,
      evidenceLinks: 3,
      evidenceFiles: 2,
      from: [{ submissionId: "etsi", checklistId: ETSI, version: "3.1.3-r1" }],
    });
    expect(carryNotice(summary)).toBe(
      "2 answers and 2 evidence files were carried across from your ETSI EN 303 645 submission; each is marked for you to check.",
    );
    expect(
      carryNotice({
        answers: 1,
        evidenceLinks: 0,
        evidenceFiles: 0,
        from: [
          { submissionId: "e", checklistId: ETSI, version: "3.1.3" },
          { submissionId: "p", checklistId: PSTI, version: "2023" },
        ],
      }),
    ).toBe(
      "1 answer and no evidence files were carried across from your ETSI EN 303 645 and UK PSTI submissions; each is marked for you to check.",
    );
    expect(carryNotice({ answers: 0, evidenceLinks: 0, evidenceFiles: 0, from: [] })).toMatch(/^Nothing was carried/);
    expect(carrySourceLabel({ checklistId: "iotsf-assurance-framework", ref: "2.4.8.3" })).toBe(
      "IoTSF Assurance Framework 2.4.8.3",
    );
  });
});
