import { Link } from "@remix-run/react";
import { CLAIM_LABELS, type Claim } from "../features/certification/domain/answers";
import type { VerdictModel } from "../features/catalogue/domain/checklist/schema";
import { DECISION_TREE_NOTE, verdictLabels, type Verdict } from "../features/certification/domain/review";

export interface ReviewRow {
  ref: string;
  title: string;
  applicability: string;
  changed: boolean;
  answer: { claim: Claim | null } | null;
  evidence: unknown[];
  verdict: { verdict: Verdict } | null;
  carried: boolean;
  deltaReasons: string[];
  /** Pre-filled through the crosswalk and not yet edited by the supplier: the verdict confirms it. */
  carriedAcross?: { label: string } | null;
}

const verdictClass = (v: Verdict) =>
  v === "pass" ? "badge badge--ok" : v === "fail" ? "badge badge--bad" : "badge badge--warn";

/**
 * The requirements of a submission under review, with claim, files and verdict (and, in a
 * re-certification, why each is reviewed again). A decision-tree checklist (EN 18031) names its
 * verdicts PASS / FAIL / NOT APPLICABLE and says that NOT APPLICABLE needs a justification.
 */
export function ReviewRequirementTable({
  rows,
  label,
  showReasons,
  verdictModel,
}: {
  rows: ReviewRow[];
  label: string;
  showReasons?: boolean;
  verdictModel?: VerdictModel;
}) {
  const labels = verdictLabels(verdictModel);
  return (
    <table className="requirements-table stack" aria-label={label}>
      {verdictModel === "decision-tree" ? (
        <caption className="small muted" data-testid="decision-tree-note">
          {DECISION_TREE_NOTE}
        </caption>
      ) : null}
      <thead>
        <tr>
          <th>Requirement</th>
          <th>Claim</th>
          <th className="num">Files</th>
          <th>Verdict</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((r) => (
          <tr key={r.ref} className={r.changed ? "changed" : undefined}>
            <td>
              <Link to={`requirements/${r.ref}`}>
                <span className="requirement__ref">{r.ref}</span> {r.title}
              </Link>{" "}
              <span className={r.applicability === "mandatory" ? "badge badge--brand" : "badge badge--info"}>
                {r.applicability}
              </span>
              {r.changed ? <span className="badge badge--warn">changed</span> : null}
              {r.carriedAcross ? (
                <p className="small" data-testid="carried-mark">
                  Carried across from {r.carriedAcross.label} for you to confirm
                </p>
              ) : null}
              {showReasons && r.deltaReasons.length ? (
                <ul className="small reasons">
                  {r.deltaReasons.map((x) => (
                    <li key={x}>{x}</li>
                  ))}
                </ul>
              ) : null}
            </td>
            <td data-label="Claim">{r.answer?.claim ? CLAIM_LABELS[r.answer.claim] : "—"}</td>
            <td className="num" data-label="Files">
              {r.evidence.length || ""}
            </td>
            <td data-label="Verdict">
              {r.verdict ? (
                <span className={verdictClass(r.verdict.verdict)}>{labels[r.verdict.verdict]}</span>
              ) : (
                <span className="muted">not scored</span>
              )}
              {r.carried ? <span className="small muted"> carried over</span> : null}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
