// A severity chosen below its CVSS score's rating (domain/findings.ts, severityBelowCvss) needs a
// confirmation: "Low" with a 9.8 vector gets the 180-day deadline and never suspends a seal. A
// severity above the rating is stricter and needs none. severityOfCvssScore is cvss.ts's rating.
import { describe, expect, it } from "vitest";
import {
  SEVERITIES,
  severityBelowCvss,
  severityOfCvssScore,
  severityVersusCvss,
  type DisclosureDays,
} from "../../../app/features/findings/domain/findings";
import { severityOfScore } from "../../../app/features/findings/domain/cvss";

const ETSI: DisclosureDays = { critical: 30, high: 90, medium: 90, low: 180 };

describe("severityBelowCvss", () => {
  it("asks to confirm Low with a 9.8 vector, saying what the lower severity does", () => {
    const w = severityBelowCvss({ severity: "low", cvssScore: 9.8, disclosureDays: ETSI })!;
    expect(w).toMatchObject({ field: "confirmSeverity", kind: "severity_below_cvss", cvssSeverity: "critical" });
    expect(w.message).toBe(
      "The severity chosen, Low, is lower than the CVSS base score's rating: 9.8 is Critical. " +
        "At Low the disclosure deadline is 180 days after the report, not 30, and the seals of the affected versions are not suspended when it passes (they would be at Critical). " +
        "Confirm only if the severity differs from the CVSS score on purpose.",
    );
  });

  it("says nothing of suspension when both severities suspend (High for a critical score)", () => {
    const w = severityBelowCvss({ severity: "high", cvssScore: 9.1, disclosureDays: ETSI })!;
    expect(w.message).toContain("At High the disclosure deadline is 90 days after the report, not 30.");
    expect(w.message).not.toContain("suspended");
  });

  it.each([
    ["critical", 9.8],
    ["high", 7.0],
    ["medium", 4.0],
    ["low", 3.9],
    ["high", 6.5], // stricter than the score: no confirmation
    ["critical", 0.1],
    ["low", 0], // a 0.0 score rates nothing
  ] as const)("needs no confirmation for %s at %s", (severity, cvssScore) => {
    expect(severityBelowCvss({ severity, cvssScore, disclosureDays: ETSI })).toBeNull();
  });

  it("compares with the CVSS rating, one step below is enough", () => {
    for (const severity of SEVERITIES)
      for (const score of [0.1, 3.9, 4.0, 6.9, 7.0, 8.9, 9.0, 10]) {
        const rated = severityOfCvssScore(score)!;
        const below = SEVERITIES.indexOf(severity) > SEVERITIES.indexOf(rated);
        expect(severityBelowCvss({ severity, cvssScore: score, disclosureDays: ETSI }) !== null).toBe(below);
      }
  });

  it("rates a score as cvss.ts does (one rule)", () => {
    for (const score of [0, 0.1, 3.9, 4, 6.9, 7, 8.9, 9, 10])
      expect(severityOfCvssScore(score) ?? "none").toBe(severityOfScore(score));
  });
});

describe("severityVersusCvss (the report page's note beside the score)", () => {
  it("explains a severity above the score's rating as stricter (High for a 6.5 leak)", () => {
    expect(severityVersusCvss({ severity: "high", cvssScore: 6.5 })).toBe(
      "CVSS rates 6.5 Medium; the report is recorded as High, stricter: its severity, not the score, sets the disclosure deadline and whether seals are suspended.",
    );
  });

  it("explains a severity below the score's rating as lowered on purpose", () => {
    expect(severityVersusCvss({ severity: "low", cvssScore: 9.8 })).toMatch(
      /^CVSS rates 9\.8 Critical; the report is recorded as Low, lower on purpose \(confirmed when it was recorded\)/,
    );
  });

  it("says nothing when they agree, with no score, or with a 0.0 score", () => {
    expect(severityVersusCvss({ severity: "medium", cvssScore: 6.5 })).toBeNull();
    expect(severityVersusCvss({ severity: "critical", cvssScore: 9.0 })).toBeNull();
    expect(severityVersusCvss({ severity: "high", cvssScore: null })).toBeNull();
    expect(severityVersusCvss({ severity: "low", cvssScore: 0 })).toBeNull();
  });
});
