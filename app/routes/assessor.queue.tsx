import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, Link, useLoaderData } from "@remix-run/react";
import { StatusBadge } from "../components/StatusBadge";
import { formatDateTime } from "../platform/format";
import { requirePermission } from "../features/accounts/session.server";
import { queueQuery, reviewQueue } from "../features/certification/review.server";

export const meta: MetaFunction = () => [{ title: "Review queue — IoT Seal" }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const user = await requirePermission(request, context, "assessor.workspace");
  const raw = Object.fromEntries([...new URL(request.url).searchParams].filter(([, v]) => v !== ""));
  const q = queueQuery.parse(raw);
  return { q, ...reviewQueue(user, q) };
}

function age(from: Date | string | null, now: number): string {
  if (!from) return "—";
  const days = Math.floor((now - new Date(from).getTime()) / 86_400_000);
  // Whole days since it was submitted (its exact time on hover): "under a day", not "today", which it may not be.
  return days < 1 ? "under a day" : days === 1 ? "1 day" : `${days} days`;
}

export default function Queue() {
  const d = useLoaderData<typeof loader>();
  const pageLink = (page: number) =>
    `?${new URLSearchParams({
      ...Object.fromEntries(
        Object.entries(d.q)
          .filter(([k, v]) => v !== undefined && k !== "page")
          .map(([k, v]) => [k, String(v)]),
      ),
      page: String(page),
    })}`;
  return (
    <>
      <div className="page-head">
        <div>
          <p className="eyebrow">Assessor workspace</p>
          <h1>Review queue</h1>
          <p>Submitted and in-review submissions, oldest first. {d.total} in all.</p>
        </div>
      </div>
      {/* Applied with the button: a filter sent on every change re-ran the search at each arrow key in a list. */}
      <Form method="get" className="card filters" aria-label="Filter the queue">
        <div className="form-row">
          <div className="field">
            <label htmlFor="status">Status</label>
            <select id="status" name="status" defaultValue={d.q.status ?? ""}>
              <option value="">Submitted and in review</option>
              <option value="submitted">Waiting for an assessor</option>
              <option value="in_review">In review</option>
            </select>
          </div>
          <div className="field">
            <label htmlFor="checklist">Checklist</label>
            <select id="checklist" name="checklist" defaultValue={d.q.checklist ?? ""}>
              <option value="">Any</option>
              {d.options.checklists.map((c) => (
                <option key={c.id} value={c.id}>
                  {c.label}
                </option>
              ))}
            </select>
          </div>
          <div className="field">
            <label htmlFor="level">Level</label>
            <select id="level" name="level" defaultValue={d.q.level ?? ""}>
              <option value="">Any</option>
              {d.options.levels.map((l) => (
                <option key={l.id} value={l.id}>
                  {l.label}
                </option>
              ))}
            </select>
          </div>
          <div className="field">
            <label htmlFor="supplier">Supplier</label>
            <select id="supplier" name="supplier" defaultValue={d.q.supplier ?? ""}>
              <option value="">Any</option>
              {d.options.suppliers.map((s) => (
                <option key={s.id} value={s.id}>
                  {s.name}
                </option>
              ))}
            </select>
          </div>
          <div className="field">
            <button className="button" type="submit">
              Filter
            </button>
          </div>
        </div>
        {/* On the page from the start: the count after a filter is announced (WCAG 4.1.3). */}
        <p className="small muted" aria-live="polite">
          Showing {d.rows.length} of {d.total} submissions.
        </p>
      </Form>
      <section className="card">
        {d.rows.length === 0 ? (
          <p className="muted">Nothing waiting here.</p>
        ) : (
          <div className="table-wrap">
            <table className="stack">
              <thead>
                <tr>
                  <th>Supplier</th>
                  <th>Product version</th>
                  <th>Checklist and level</th>
                  <th>Waiting</th>
                  <th>Status</th>
                  <th>Who has it</th>
                </tr>
              </thead>
              <tbody>
                {d.rows.map((r) => (
                  <tr key={r.id}>
                    <td data-label="Supplier">{r.supplier}</td>
                    <td data-label="Product version">
                      {r.conflicted && !r.mine ? (
                        r.product
                      ) : (
                        <Link to={`/assessor/submissions/${r.id}`}>{r.product}</Link>
                      )}
                      <div className="small muted">
                        hw {r.hardwareRevision} · fw {r.firmwareVersion}
                        {r.recertifiesSerial ? <span className="badge badge--info">re-certification</span> : null}
                      </div>
                    </td>
                    <td data-label="Checklist and level">
                      {r.checklistLabel}
                      <div className="small muted">level {r.levelTitle}</div>
                    </td>
                    <td data-label="Waiting" title={r.submittedAt ? formatDateTime(r.submittedAt) : undefined}>
                      {age(r.submittedAt, d.now)}
                    </td>
                    <td data-label="Status">
                      <StatusBadge status={r.status} />
                    </td>
                    <td data-label="Who has it">
                      {r.conflicted ? (
                        <>
                          <span className="badge badge--bad">conflict of interest</span>
                          {r.mine ? (
                            <div className="small">
                              You still hold it: <Link to={`/assessor/submissions/${r.id}`}>step back from it</Link>
                            </div>
                          ) : null}
                        </>
                      ) : r.mine ? (
                        <strong>you</strong>
                      ) : r.takeOver ? (
                        <span data-testid="take-over">
                          {r.assigneeName ? `held by ${r.assigneeName}, ` : ""}
                          <span className="badge badge--warn">available to take</span>
                          <div className="small muted">
                            {r.assigneeName ? `${r.assigneeName} is no longer able to review it.` : "Nobody holds it."}{" "}
                            <Link to={`/assessor/submissions/${r.id}`}>Take it over</Link>
                          </div>
                        </span>
                      ) : (
                        (r.assigneeName ?? <span className="muted">nobody</span>)
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        <nav className="pager" aria-label="Pages">
          {d.page > 1 ? <Link to={pageLink(d.page - 1)}>← Previous</Link> : <span />}
          <span className="small muted">
            Page {d.page} of {d.pages}
          </span>
          {d.page < d.pages ? <Link to={pageLink(d.page + 1)}>Next →</Link> : <span />}
        </nav>
      </section>
    </>
  );
}
