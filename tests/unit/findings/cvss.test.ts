import { describe, expect, it } from "vitest";
import {
  CVSS31_BASE_METRICS,
  CVSS31_METRIC_VALUES,
  cvssBaseScore,
  cvssSubScores,
  formatCvss31,
  parseCvss31,
  roundup,
  scoreCvss31,
  severityOfScore,
  type Cvss31Metrics,
} from "../../../app/features/findings/domain/cvss";

/**
 * Published base scores (NVD / FIRST calculator) for common vectors. Every value was also
 * recomputed independently with exact rational arithmetic from the specification's tables.
 */
const KNOWN: [string, number][] = [
  ["CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", 9.8],
  ["CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H", 10.0],
  ["CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N", 6.1],
  ["CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H", 7.8],
  ["CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:N/A:N", 5.9],
  ["CVSS:3.1/AV:P/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:N", 0.0],
  ["CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:C/C:L/I:L/A:N", 6.4],
  ["CVSS:3.1/AV:A/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N", 6.5],
  ["CVSS:3.1/AV:N/AC:L/PR:H/UI:N/S:U/C:H/I:H/A:H", 7.2],
  ["CVSS:3.1/AV:L/AC:L/PR:N/UI:R/S:U/C:H/I:H/A:H", 7.8],
  ["CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H", 7.5],
  ["CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:L/I:N/A:N", 5.3],
  ["CVSS:3.1/AV:L/AC:H/PR:L/UI:N/S:C/C:H/I:H/A:H", 7.8],
  ["CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:U/C:H/I:H/A:H", 8.8],
  ["CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H", 8.8],
  ["CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:N/A:N", 5.5],
  ["CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N", 7.5],
  ["CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:H/A:H", 8.1],
  ["CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:C/C:H/I:H/A:H", 8.8],
  ["CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:C/C:H/I:H/A:H", 9.9],
  ["CVSS:3.1/AV:N/AC:L/PR:H/UI:N/S:C/C:H/I:H/A:H", 9.1],
  ["CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:U/C:N/I:H/A:N", 6.5],
  ["CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:U/C:L/I:N/A:N", 4.3],
  ["CVSS:3.1/AV:L/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H", 6.2],
  ["CVSS:3.1/AV:P/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", 6.8],
  ["CVSS:3.1/AV:A/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", 8.8],
  ["CVSS:3.1/AV:N/AC:H/PR:N/UI:R/S:U/C:H/I:H/A:H", 7.5],
  ["CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:U/C:L/I:L/A:N", 5.4],
  ["CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:L/I:N/A:N", 5.8],
  ["CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:H/A:N", 7.4],
  ["CVSS:3.1/AV:L/AC:L/PR:H/UI:N/S:U/C:H/I:H/A:H", 6.7],
  ["CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:L/I:L/A:N", 7.2],
  // The lowest non-zero base score there is.
  ["CVSS:3.1/AV:P/AC:H/PR:H/UI:R/S:U/C:L/I:N/A:N", 1.6],
];

function metricsOf(vector: string): Cvss31Metrics {
  const r = parseCvss31(vector);
  if (!r.ok) throw new Error(r.message);
  return r.metrics;
}

describe("cvssBaseScore: published vectors", () => {
  it.each(KNOWN)("%s = %s", (vector, score) => {
    expect(cvssBaseScore(metricsOf(vector))).toBe(score);
  });

  it("uses the scope-changed Privileges Required weights (L 0.68, H 0.5) and the 1.08 multiplier", () => {
    // Same vector, scope unchanged vs changed: exploitability uses 0.62 vs 0.68 for PR:L.
    const u = cvssSubScores(metricsOf("CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H"));
    const c = cvssSubScores(metricsOf("CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:C/C:H/I:H/A:H"));
    expect(u.exploitability).toBeCloseTo(8.22 * 0.85 * 0.77 * 0.62 * 0.85, 12);
    expect(c.exploitability).toBeCloseTo(8.22 * 0.85 * 0.77 * 0.68 * 0.85, 12);
    const h = cvssSubScores(metricsOf("CVSS:3.1/AV:N/AC:L/PR:H/UI:N/S:C/C:H/I:H/A:H"));
    expect(h.exploitability).toBeCloseTo(8.22 * 0.85 * 0.77 * 0.5 * 0.85, 12);
    // Scope changed: 1.08 × (impact + exploitability), then Roundup.
    expect(c.impact).toBeCloseTo(7.52 * (c.iss - 0.029) - 3.25 * Math.pow(c.iss - 0.02, 15), 12);
    expect(cvssBaseScore(metricsOf("CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:C/C:H/I:H/A:H"))).toBe(
      roundup(Math.min(1.08 * (c.impact + c.exploitability), 10)),
    );
    // Without the multiplier this vector would score 9.2, not 9.9.
    expect(roundup(c.impact + c.exploitability)).toBe(9.2);
  });

  it("caps at 10.0 (scope changed, everything worst: 1.08 × 10.3… → 10.0)", () => {
    const s = cvssSubScores(metricsOf("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H"));
    expect(1.08 * (s.impact + s.exploitability)).toBeGreaterThan(10);
    expect(cvssBaseScore(metricsOf("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H"))).toBe(10);
  });

  it("scores 0.0 whenever there is no impact, whatever the exploitability", () => {
    expect(cvssBaseScore(metricsOf("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:N/I:N/A:N"))).toBe(0);
    expect(cvssBaseScore(metricsOf("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:N"))).toBe(0);
  });
});

describe("roundup (Appendix A)", () => {
  it.each([
    [4.02, 4.1],
    [4.0, 4.0],
    [4.1, 4.1],
    [0, 0],
    [10, 10],
    [9.760161495, 9.8],
    [5.299442775, 5.3],
    [0.01, 0.1],
    [7.000001, 7.0], // below the 1e-5 resolution of the integer method: not a real tenth
    [7.00001, 7.1],
  ])("roundup(%s) = %s", (input, output) => {
    expect(roundup(input)).toBe(output);
  });

  it("is not fooled by floating-point noise that a naive ceil would round up a whole tenth", () => {
    const noisy = 0.1 + 0.2; // 0.30000000000000004
    expect(Math.ceil(noisy * 10) / 10).toBe(0.4);
    expect(roundup(noisy)).toBe(0.3);
    expect(roundup(4.000000000000001)).toBe(4.0);
    expect(Math.ceil(4.000000000000001 * 10) / 10).toBe(4.1);
    const sum = 1.1 + 2.2; // 3.3000000000000003
    expect(roundup(sum)).toBe(3.3);
  });
});

describe("severityOfScore", () => {
  it.each([
    [0, "none"],
    [0.1, "low"],
    [1.6, "low"],
    [3.9, "low"],
    [4.0, "medium"],
    [6.9, "medium"],
    [7.0, "high"],
    [8.9, "high"],
    [9.0, "critical"],
    [10.0, "critical"],
  ] as const)("%s → %s", (score, severity) => {
    expect(severityOfScore(score)).toBe(severity);
  });

  it("refuses scores outside 0–10", () => {
    expect(() => severityOfScore(-0.1)).toThrow(RangeError);
    expect(() => severityOfScore(10.1)).toThrow(RangeError);
    expect(() => severityOfScore(Number.NaN)).toThrow(RangeError);
  });
});

describe("parseCvss31", () => {
  it("accepts a base vector and normalizes the order", () => {
    const r = parseCvss31("CVSS:3.1/S:U/AV:N/C:H/AC:L/PR:N/UI:N/I:H/A:H");
    expect(r).toEqual({
      ok: true,
      metrics: { AV: "N", AC: "L", PR: "N", UI: "N", S: "U", C: "H", I: "H", A: "H" },
      vector: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
    });
  });

  it("trims surrounding whitespace", () => {
    const r = parseCvss31("  CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H\n");
    expect(r.ok && r.vector).toBe("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H");
  });

  const bad: [string, string, RegExp][] = [
    ["empty", "", /Enter a CVSS v3\.1 vector/],
    ["no prefix", "AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", /starts with "CVSS:3\.1\/"/],
    ["version 3.0", "CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", /version 3\.1.*version 3\.0/],
    ["version 4.0", "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N", /version 4\.0/],
    ["lower-case prefix", "cvss:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", /starts with "CVSS:3\.1\/"/],
    ["missing A", "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H", /missing A \(Availability\)/],
    [
      "missing several",
      "CVSS:3.1/AV:N/AC:L/PR:N",
      /missing UI \(User Interaction\), S \(Scope\), C \(Confidentiality\), I \(Integrity\), A \(Availability\)/,
    ],
    ["prefix only", "CVSS:3.1/", /empty part/],
    [
      "duplicate AV",
      "CVSS:3.1/AV:N/AV:L/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
      /AV \(Attack Vector\) appears more than once/,
    ],
    [
      "duplicate with the same value",
      "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/A:H",
      /A \(Availability\) appears more than once/,
    ],
    [
      "bad value",
      "CVSS:3.1/AV:X/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
      /AV \(Attack Vector\) must be one of N, A, L, P, not "X"/,
    ],
    [
      "empty value",
      "CVSS:3.1/AV:N/AC:/PR:N/UI:N/S:U/C:H/I:H/A:H",
      /AC \(Attack Complexity\) must be one of L, H, not ""/,
    ],
    ["lower-case value", "CVSS:3.1/AV:n/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", /AV \(Attack Vector\) must be one of/],
    ["scope value", "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:X/C:H/I:H/A:H", /S \(Scope\) must be one of U, C/],
    ["unknown metric", "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/ZZ:1", /ZZ is not a CVSS v3\.1 metric/],
    ["CVSS v2 metric", "CVSS:3.1/AV:N/AC:L/Au:N/UI:N/S:U/C:H/I:H/A:H", /Au is not a CVSS v3\.1 metric/],
    ["temporal metric", "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/E:P", /E is a temporal or environmental metric/],
    [
      "environmental metric",
      "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/MAV:L",
      /MAV is a temporal or environmental metric/,
    ],
    ["trailing slash", "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/", /empty part/],
    ["doubled slash", "CVSS:3.1/AV:N//AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", /empty part/],
    ["no colon", "CVSS:3.1/AVN/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", /"AVN" is not a metric/],
    ["no metric name", "CVSS:3.1/:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", /":N" is not a metric/],
  ];
  it.each(bad)("refuses %s", (_name, vector, message) => {
    const r = parseCvss31(vector);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.message).toMatch(message);
  });

  it("round-trips through formatCvss31", () => {
    for (const [vector] of KNOWN) {
      const r = parseCvss31(vector);
      expect(r.ok && formatCvss31(r.metrics)).toBe(vector);
    }
  });
});

describe("scoreCvss31", () => {
  it("parses, scores and rates", () => {
    expect(scoreCvss31("CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N")).toEqual({
      ok: true,
      vector: "CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N",
      metrics: { AV: "N", AC: "L", PR: "N", UI: "R", S: "C", C: "L", I: "L", A: "N" },
      score: 6.1,
      severity: "medium",
    });
    expect(scoreCvss31("CVSS:3.1/AV:P/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:N")).toMatchObject({
      ok: true,
      score: 0,
      severity: "none",
    });
  });

  it("passes parse errors through", () => {
    expect(scoreCvss31("CVSS:3.1/AV:N")).toMatchObject({ ok: false, message: expect.stringMatching(/missing AC/) });
  });
});

/**
 * An independent reimplementation, transcribed separately from the specification text
 * (section 7.1 equations, section 7.4 Table 16 values, Appendix A Roundup), keyed by the
 * metric value names rather than the letters the module uses.
 */
const SPEC = {
  attackVector: { Network: 0.85, "Adjacent Network": 0.62, Local: 0.55, Physical: 0.2 },
  attackComplexity: { Low: 0.77, High: 0.44 },
  privilegesRequired: {
    None: { unchanged: 0.85, changed: 0.85 },
    Low: { unchanged: 0.62, changed: 0.68 },
    High: { unchanged: 0.27, changed: 0.5 },
  },
  userInteraction: { None: 0.85, Required: 0.62 },
  cia: { High: 0.56, Low: 0.22, None: 0 },
} as const;

const LETTER_NAMES = {
  AV: { N: "Network", A: "Adjacent Network", L: "Local", P: "Physical" },
  AC: { L: "Low", H: "High" },
  PR: { N: "None", L: "Low", H: "High" },
  UI: { N: "None", R: "Required" },
  S: { U: "unchanged", C: "changed" },
  CIA: { H: "High", L: "Low", N: "None" },
} as const;

function specRoundup(input: number): number {
  // int_input = round_to_int(input * 100000)
  const intInput = Math.round(input * 100000);
  // if (int_input % 10000) == 0: return int_input / 100000.0
  if (intInput % 10000 === 0) return intInput / 100000.0;
  // else: return (floor(int_input / 10000) + 1) / 10.0
  return (Math.floor(intInput / 10000) + 1) / 10.0;
}

function referenceScore(m: Cvss31Metrics): number {
  const scope = LETTER_NAMES.S[m.S];
  const c = SPEC.cia[LETTER_NAMES.CIA[m.C]];
  const i = SPEC.cia[LETTER_NAMES.CIA[m.I]];
  const a = SPEC.cia[LETTER_NAMES.CIA[m.A]];
  // ISS = 1 - [ (1 - Confidentiality) × (1 - Integrity) × (1 - Availability) ]
  const iss = 1 - (1 - c) * (1 - i) * (1 - a);
  // If Scope is Unchanged: Impact = 6.42 × ISS
  // If Scope is Changed:   Impact = 7.52 × (ISS - 0.029) - 3.25 × (ISS - 0.02)^15
  const impact = scope === "unchanged" ? 6.42 * iss : 7.52 * (iss - 0.029) - 3.25 * (iss - 0.02) ** 15;
  // Exploitability = 8.22 × AttackVector × AttackComplexity × PrivilegesRequired × UserInteraction
  const exploitability =
    8.22 *
    SPEC.attackVector[LETTER_NAMES.AV[m.AV]] *
    SPEC.attackComplexity[LETTER_NAMES.AC[m.AC]] *
    SPEC.privilegesRequired[LETTER_NAMES.PR[m.PR]][scope] *
    SPEC.userInteraction[LETTER_NAMES.UI[m.UI]];
  // If Impact <= 0: 0, else
  if (impact <= 0) return 0;
  // Scope Unchanged: Roundup(Minimum[(Impact + Exploitability), 10])
  if (scope === "unchanged") return specRoundup(Math.min(impact + exploitability, 10));
  // Scope Changed: Roundup(Minimum[1.08 × (Impact + Exploitability), 10])
  return specRoundup(Math.min(1.08 * (impact + exploitability), 10));
}

function allVectors(): Cvss31Metrics[] {
  let combos: Partial<Cvss31Metrics>[] = [{}];
  for (const metric of CVSS31_BASE_METRICS) {
    const values = Object.keys(CVSS31_METRIC_VALUES[metric]);
    combos = combos.flatMap((c) => values.map((v) => ({ ...c, [metric]: v })));
  }
  return combos as Cvss31Metrics[];
}

/**
 * How many of the 2592 base vectors get each score, computed outside this code base with
 * exact rational arithmetic (no floating point) and a true ceiling to one decimal. A
 * transcription error in any weight shifts this distribution.
 */
const EXACT_DISTRIBUTION: Record<string, number> = {
  "0.0": 96,
  "1.6": 6,
  "1.7": 6,
  "1.8": 18,
  "1.9": 12,
  "2.0": 18,
  "2.1": 12,
  "2.2": 15,
  "2.3": 12,
  "2.4": 15,
  "2.5": 12,
  "2.6": 21,
  "2.7": 12,
  "2.8": 15,
  "2.9": 24,
  "3.0": 15,
  "3.1": 24,
  "3.2": 21,
  "3.3": 18,
  "3.4": 30,
  "3.5": 22,
  "3.6": 20,
  "3.7": 23,
  "3.8": 22,
  "3.9": 23,
  "4.0": 34,
  "4.1": 25,
  "4.2": 29,
  "4.3": 32,
  "4.4": 38,
  "4.5": 29,
  "4.6": 55,
  "4.7": 34,
  "4.8": 63,
  "4.9": 42,
  "5.0": 38,
  "5.1": 40,
  "5.2": 38,
  "5.3": 51,
  "5.4": 68,
  "5.5": 51,
  "5.6": 53,
  "5.7": 71,
  "5.8": 44,
  "5.9": 79,
  "6.0": 32,
  "6.1": 72,
  "6.2": 53,
  "6.3": 69,
  "6.4": 53,
  "6.5": 64,
  "6.6": 32,
  "6.7": 56,
  "6.8": 69,
  "6.9": 50,
  "7.0": 26,
  "7.1": 75,
  "7.2": 25,
  "7.3": 52,
  "7.4": 31,
  "7.5": 47,
  "7.6": 46,
  "7.7": 32,
  "7.8": 12,
  "7.9": 26,
  "8.0": 18,
  "8.1": 32,
  "8.2": 41,
  "8.3": 21,
  "8.4": 10,
  "8.5": 16,
  "8.6": 7,
  "8.7": 18,
  "8.8": 11,
  "8.9": 9,
  "9.0": 9,
  "9.1": 7,
  "9.2": 3,
  "9.3": 13,
  "9.4": 3,
  "9.6": 11,
  "9.8": 1,
  "9.9": 7,
  "10.0": 7,
};

describe("cvssBaseScore over every base vector", () => {
  const vectors = allVectors();

  it("enumerates all 4×2×3×2×2×3×3×3 = 2592 distinct vectors", () => {
    expect(vectors).toHaveLength(2592);
    expect(new Set(vectors.map(formatCvss31)).size).toBe(2592);
  });

  it("agrees with the reference transcription of the specification on every vector", () => {
    const disagreements = vectors
      .filter((m) => cvssBaseScore(m) !== referenceScore(m))
      .map((m) => `${formatCvss31(m)}: ${cvssBaseScore(m)} vs ${referenceScore(m)}`);
    expect(disagreements).toEqual([]);
  });

  it("matches the exactly computed distribution of scores", () => {
    const distribution: Record<string, number> = {};
    for (const m of vectors) {
      const key = cvssBaseScore(m).toFixed(1);
      distribution[key] = (distribution[key] ?? 0) + 1;
    }
    expect(distribution).toEqual(EXACT_DISTRIBUTION);
  });

  it("always yields one decimal place within 0.0–10.0, and 0.0 exactly when C, I and A are all None", () => {
    for (const m of vectors) {
      const s = cvssBaseScore(m);
      expect(s).toBeGreaterThanOrEqual(0);
      expect(s).toBeLessThanOrEqual(10);
      expect(Math.round(s * 10) / 10).toBe(s);
      expect(s === 0).toBe(m.C === "N" && m.I === "N" && m.A === "N");
    }
  });

  it("never scores lower when one metric gets worse (monotone in every metric)", () => {
    // Values from least to most severe, per metric.
    const order: { [M in (typeof CVSS31_BASE_METRICS)[number]]: string[] } = {
      AV: ["P", "L", "A", "N"],
      AC: ["H", "L"],
      PR: ["H", "L", "N"],
      UI: ["R", "N"],
      S: ["U", "C"],
      C: ["N", "L", "H"],
      I: ["N", "L", "H"],
      A: ["N", "L", "H"],
    };
    for (const m of vectors) {
      for (const metric of CVSS31_BASE_METRICS) {
        if (metric === "S") continue; // a scope change can lower a low-impact score (7.52 × (ISS − 0.029))
        const values = order[metric];
        const idx = values.indexOf(m[metric]);
        if (idx === values.length - 1) continue;
        const worse = { ...m, [metric]: values[idx + 1] } as Cvss31Metrics;
        expect(cvssBaseScore(worse)).toBeGreaterThanOrEqual(cvssBaseScore(m));
      }
    }
  });

  it("rates severities in the proportions the exact distribution implies", () => {
    const counts: Record<string, number> = {};
    for (const m of vectors) {
      const sev = severityOfScore(cvssBaseScore(m));
      counts[sev] = (counts[sev] ?? 0) + 1;
    }
    expect(counts).toEqual({ none: 96, low: 416, medium: 1464, high: 555, critical: 61 });
  });
});
