import type { PolicyResult } from "../features/retail/domain/policy";

/** "Meets <policy>" or "Misses <policy>" with the exact clauses it misses, for each policy that applies. */
export function PolicyResults({ results }: { results: PolicyResult[] | null | undefined }) {
  if (!results) return <span className="muted small">—</span>;
  if (results.length === 0) return <span className="muted small">No policy applies to this category</span>;
  return (
    <ul className="policy-results" data-testid="policy-results">
      {results.map((r) => (
        <li key={r.policyId}>
          {r.meets ? (
            <span className="badge badge--ok">Meets {r.policyName}</span>
          ) : (
            <>
              <span className="badge badge--bad">Misses {r.policyName}</span>
              <ul className="small policy-results__misses">
                {r.misses.map((m) => (
                  <li key={`${m.clause}:${m.provision ?? ""}`}>{m.message}</li>
                ))}
              </ul>
            </>
          )}
        </li>
      ))}
    </ul>
  );
}
