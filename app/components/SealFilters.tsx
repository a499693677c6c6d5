import { Form } from "@remix-run/react";
import { SEAL_STATE_LABELS, SEAL_STATES } from "../features/trust/domain/seal-state";

/** A seal list's filters (GET, so a filtered list has an address): by state ("expired": past its date, not revoked) and text. */
export function SealFilters({ query, searchLabel }: { query: { state: string; q: string }; searchLabel: string }) {
  return (
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
  );
}
