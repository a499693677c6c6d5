import type { PolicyResult } from "../features/retail/domain/policy";

/**
 * "Meets <policy>" or "Misses <policy>" with the exact clauses it misses, for each policy that applies.
 * `compact` (a table's cell, one row of many): the clauses a seal misses fold under "Why", so one
 * product's long list neither widens the table past the page nor makes its row a screen tall.
 */
export function PolicyResults({
  results,
  compact = false,
}: {
  results: PolicyResult[] | null | undefined;
  compact?: boolean;
}) {
  if (!results) return <span className="muted small">—</span>;
  if (results.length === 0) return <span className="muted small">No policy applies to this category</span>;
  return (
    <ul className={compact ? "policy-results policy-results--compact" : "policy-results"} data-testid="policy-results">
      {results.map((r) => {
        if (r.meets)
          return (
            <li key={r.policyId}>
              <span className={compact ? "badge badge--ok badge--wrap" : "badge badge--ok"}>Meets {r.policyName}</span>
            </li>
          );
        const misses = (
          <ul className="small policy-results__misses">
            {r.misses.map((m) => (
              <li key={`${m.clause}:${m.provision ?? ""}`}>{m.message}</li>
            ))}
          </ul>
        );
        return (
          <li key={r.policyId}>
            <span className={compact ? "badge badge--bad badge--wrap" : "badge badge--bad"}>Misses {r.policyName}</span>
            {compact ? (
              <details className="policy-results__why">
                <summary className="small">
                  Why: {r.misses.length} {r.misses.length === 1 ? "reason" : "reasons"}
                </summary>
                {misses}
              </details>
            ) : (
              misses
            )}
          </li>
        );
      })}
    </ul>
  );
}
