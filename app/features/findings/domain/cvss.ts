/**
 * CVSS v3.1 base scores, per the FIRST specification
 * (https://www.first.org/cvss/v3.1/specification-document): section 7.1 (base equations),
 * 7.4 (metric values), section 5 (qualitative severity) and Appendix A (Roundup). Pure.
 *
 * Only base vectors are accepted: "CVSS:3.1/" followed by the eight base metrics
 * AV, AC, PR, UI, S, C, I and A, each exactly once. Like FIRST's own calculator we accept
 * them in any order; the normalized vector lists them in the specification's order.
 * Temporal and environmental metrics are refused: a finding is rated on its base score.
 */

export const CVSS31_PREFIX = "CVSS:3.1/";

/** The base metrics in the order the specification lists them (and the normalized vector uses). */
export const CVSS31_BASE_METRICS = ["AV", "AC", "PR", "UI", "S", "C", "I", "A"] as const;
export type Cvss31Metric = (typeof CVSS31_BASE_METRICS)[number];

export interface Cvss31Metrics {
  AV: "N" | "A" | "L" | "P";
  AC: "L" | "H";
  PR: "N" | "L" | "H";
  UI: "N" | "R";
  S: "U" | "C";
  C: "H" | "L" | "N";
  I: "H" | "L" | "N";
  A: "H" | "L" | "N";
}

/** The allowed values of each metric, with their names (for messages and display). */
export const CVSS31_METRIC_VALUES: { [M in Cvss31Metric]: Record<Cvss31Metrics[M], string> } = {
  AV: { N: "Network", A: "Adjacent", L: "Local", P: "Physical" },
  AC: { L: "Low", H: "High" },
  PR: { N: "None", L: "Low", H: "High" },
  UI: { N: "None", R: "Required" },
  S: { U: "Unchanged", C: "Changed" },
  C: { H: "High", L: "Low", N: "None" },
  I: { H: "High", L: "Low", N: "None" },
  A: { H: "High", L: "Low", N: "None" },
};

export const CVSS31_METRIC_NAMES: Record<Cvss31Metric, string> = {
  AV: "Attack Vector",
  AC: "Attack Complexity",
  PR: "Privileges Required",
  UI: "User Interaction",
  S: "Scope",
  C: "Confidentiality",
  I: "Integrity",
  A: "Availability",
};

/** Temporal and environmental metric abbreviations: recognised only to say why they are refused. */
const NON_BASE_METRICS = new Set([
  "E",
  "RL",
  "RC",
  "CR",
  "IR",
  "AR",
  "MAV",
  "MAC",
  "MPR",
  "MUI",
  "MS",
  "MC",
  "MI",
  "MA",
]);

export type CvssParseResult = { ok: true; metrics: Cvss31Metrics; vector: string } | { ok: false; message: string };

const isBaseMetric = (m: string): m is Cvss31Metric => (CVSS31_BASE_METRICS as readonly string[]).includes(m);

/** Parses a CVSS v3.1 base vector; the message names the metric that is wrong or missing. */
export function parseCvss31(input: string): CvssParseResult {
  const vector = input.trim();
  if (vector === "")
    return { ok: false, message: "Enter a CVSS v3.1 vector, such as CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H." };
  if (!vector.startsWith(CVSS31_PREFIX)) {
    const version = /^CVSS:([^/]*)/.exec(vector)?.[1];
    return {
      ok: false,
      message:
        version !== undefined
          ? `Only CVSS version 3.1 is supported (this vector is version ${version}).`
          : 'A CVSS v3.1 vector starts with "CVSS:3.1/".',
    };
  }
  const found: Partial<Record<Cvss31Metric, string>> = {};
  for (const part of vector.slice(CVSS31_PREFIX.length).split("/")) {
    if (part === "") return { ok: false, message: 'The vector has an empty part (a doubled or trailing "/").' };
    const colon = part.indexOf(":");
    if (colon <= 0) return { ok: false, message: `"${part}" is not a metric: write it as METRIC:VALUE, such as AV:N.` };
    const metric = part.slice(0, colon);
    const value = part.slice(colon + 1);
    if (!isBaseMetric(metric)) {
      if (NON_BASE_METRICS.has(metric))
        return { ok: false, message: `${metric} is a temporal or environmental metric; enter the base vector only.` };
      return { ok: false, message: `${metric} is not a CVSS v3.1 metric.` };
    }
    if (found[metric] !== undefined)
      return { ok: false, message: `${metric} (${CVSS31_METRIC_NAMES[metric]}) appears more than once.` };
    const allowed = Object.keys(CVSS31_METRIC_VALUES[metric]);
    if (!allowed.includes(value)) {
      return {
        ok: false,
        message: `${metric} (${CVSS31_METRIC_NAMES[metric]}) must be one of ${allowed.join(", ")}, not "${value}".`,
      };
    }
    found[metric] = value;
  }
  const missing = CVSS31_BASE_METRICS.filter((m) => found[m] === undefined);
  if (missing.length > 0) {
    return {
      ok: false,
      message: `The vector is missing ${missing.map((m) => `${m} (${CVSS31_METRIC_NAMES[m]})`).join(", ")}.`,
    };
  }
  const metrics = found as Cvss31Metrics;
  return { ok: true, metrics, vector: formatCvss31(metrics) };
}

/** The vector for `metrics`, in the specification's order. */
export function formatCvss31(metrics: Cvss31Metrics): string {
  return CVSS31_PREFIX + CVSS31_BASE_METRICS.map((m) => `${m}:${metrics[m]}`).join("/");
}

// Section 7.4, Table 16: metric values.
const AV_WEIGHT = { N: 0.85, A: 0.62, L: 0.55, P: 0.2 } as const;
const AC_WEIGHT = { L: 0.77, H: 0.44 } as const;
const PR_WEIGHT_UNCHANGED = { N: 0.85, L: 0.62, H: 0.27 } as const;
/** Privileges Required weighs less when the scope changes (Table 16, footnote). */
const PR_WEIGHT_CHANGED = { N: 0.85, L: 0.68, H: 0.5 } as const;
const UI_WEIGHT = { N: 0.85, R: 0.62 } as const;
const CIA_WEIGHT = { H: 0.56, L: 0.22, N: 0 } as const;

/**
 * Appendix A: the smallest number with one decimal place that is equal to or higher than
 * `value`, in integer arithmetic so that floating-point noise (4.000000000000001) does not
 * round up a whole tenth.
 */
export function roundup(value: number): number {
  const intInput = Math.round(value * 100000);
  if (intInput % 10000 === 0) return intInput / 100000;
  return (Math.floor(intInput / 10000) + 1) / 10;
}

/** The impact and exploitability sub-scores (section 7.1), unrounded. */
export function cvssSubScores(m: Cvss31Metrics): { iss: number; impact: number; exploitability: number } {
  const iss = 1 - (1 - CIA_WEIGHT[m.C]) * (1 - CIA_WEIGHT[m.I]) * (1 - CIA_WEIGHT[m.A]);
  const impact = m.S === "U" ? 6.42 * iss : 7.52 * (iss - 0.029) - 3.25 * Math.pow(iss - 0.02, 15);
  const pr = (m.S === "U" ? PR_WEIGHT_UNCHANGED : PR_WEIGHT_CHANGED)[m.PR];
  const exploitability = 8.22 * AV_WEIGHT[m.AV] * AC_WEIGHT[m.AC] * pr * UI_WEIGHT[m.UI];
  return { iss, impact, exploitability };
}

/** The base score, 0.0 to 10.0 with one decimal (section 7.1). */
export function cvssBaseScore(m: Cvss31Metrics): number {
  const { impact, exploitability } = cvssSubScores(m);
  if (impact <= 0) return 0;
  if (m.S === "U") return roundup(Math.min(impact + exploitability, 10));
  return roundup(Math.min(1.08 * (impact + exploitability), 10));
}

export const CVSS_SEVERITIES = ["none", "low", "medium", "high", "critical"] as const;
export type CvssSeverity = (typeof CVSS_SEVERITIES)[number];

export const CVSS_SEVERITY_LABELS: Record<CvssSeverity, string> = {
  none: "None",
  low: "Low",
  medium: "Medium",
  high: "High",
  critical: "Critical",
};

/** Section 5, Table 14: the qualitative rating of a score (0.0 none, 0.1–3.9 low, 4.0–6.9 medium, 7.0–8.9 high, 9.0–10.0 critical). */
export function severityOfScore(score: number): CvssSeverity {
  if (!Number.isFinite(score) || score < 0 || score > 10)
    throw new RangeError(`A CVSS score is between 0.0 and 10.0, not ${score}.`);
  if (score === 0) return "none";
  if (score < 4) return "low";
  if (score < 7) return "medium";
  if (score < 9) return "high";
  return "critical";
}

/** Parses, scores and rates a vector in one step. */
export function scoreCvss31(
  input: string,
):
  | { ok: true; vector: string; metrics: Cvss31Metrics; score: number; severity: CvssSeverity }
  | { ok: false; message: string } {
  const parsed = parseCvss31(input);
  if (!parsed.ok) return parsed;
  const score = cvssBaseScore(parsed.metrics);
  return { ok: true, vector: parsed.vector, metrics: parsed.metrics, score, severity: severityOfScore(score) };
}
