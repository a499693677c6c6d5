import { Form } from "@remix-run/react";
import { SEAL_STATE_LABELS, SEAL_STATES } from "../features/trust/domain/seal-state";

/** A seal list's filters (GET, so a filtered list has an address): by state ("expired": past its date, not revoked) and text. */
export function SealFilters({
  query,
  searchLabel,
  shown,
}: {
  query: { state: string; q: string };
  searchLabel: string;
  /** How many seals the list shows: said under the filters, and announced when a filter changes it (WCAG 4.1.3). */
  shown: number;
}) {
  return (
    <>
      <Form method="get" className="card filters" role="search">
        <div className="field">
          <label htmlFor="state">State</label>
          <select id="state" name="state" defaultValue={query.state}>
            <option value="all">All</option>
            {SEAL_STATES.map((s) => (
              <option key={s} value={s}>
                {SEAL_STATE_LABELS[s]}
              </option>
            ))}
            <option value="expired">Expired</option>
          </select>
        </div>
        <div className="field">
          <label htmlFor="q">{searchLabel}</label>
          <input id="q" name="q" type="search" defaultValue={query.q} maxLength={100} />
        </div>
        <button className="button" type="submit">
          Filter
        </button>
      </Form>
      <p className="small muted" aria-live="polite">
        {shown} seal{shown === 1 ? "" : "s"} shown.
      </p>
    </>
  );
}
