import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { StandingBadge } from "../components/RecurringStatus";
import { formatDate, formatDateTime } from "../platform/format";
import { serviceOrThrow } from "../platform/http/service-response.server";
import { requirePermission } from "../features/accounts/session.server";
import { recurringQueue } from "../features/monitoring/recurring-evidence.server";

export const meta: MetaFunction = () => [{ title: "Recurring evidence to check — IoT Seal" }];

/** Fresh evidence for the recurring requirements of issued seals, waiting for an assessor (oldest first). */
export async function loader({ request, context }: LoaderFunctionArgs) {
  const user = await requirePermission(request, context, "assessor.workspace");
  return { rows: serviceOrThrow(() => recurringQueue(user)) };
}

export default function RecurringQueue() {
  const { rows } = useLoaderData<typeof loader>();
  return (
    <>
      <div className="page-head">
        <div>
          <p className="eyebrow">Continuous monitoring</p>
          <h1>Recurring evidence to check</h1>
          <p>
            Suppliers send fresh evidence for the recurring requirements of their seals (a quarterly scan, the
            disclosure inbox's operation). Accept it to move the due date — a seal suspended for overdue evidence is
            reinstated at once — or reject it with a comment the supplier sees.
          </p>
        </div>
      </div>
      <section className="card">
        {rows.length === 0 ? (
          <p className="muted">Nothing is waiting: every piece of recurring evidence has been checked.</p>
        ) : (
          <div className="table-wrap">
            <table data-testid="recurring-queue">
              <thead>
                <tr>
                  <th scope="col">Sent</th>
                  <th scope="col">Supplier and product</th>
                  <th scope="col">Requirement</th>
                  <th scope="col">Due</th>
                  <th scope="col">Seal</th>
                </tr>
              </thead>
              <tbody>
                {rows.map((r) => (
                  <tr key={r.id} data-ref={r.ref}>
                    <td title={formatDateTime(r.submittedAt)}>{formatDate(r.submittedAt)}</td>
                    <td>
                      {r.supplier}
                      <div className="small muted">
                        {r.product} · fw {r.firmware}
                      </div>
                    </td>
                    <td>
                      {r.conflict ? (
                        <>
                          <span className="requirement__ref">{r.ref}</span> {r.title}
                        </>
                      ) : (
                        <Link to={`/assessor/recurring/${r.id}`}>
                          <span className="requirement__ref">{r.ref}</span> {r.title}
                        </Link>
                      )}
                      {r.conflict ? (
                        <div>
                          <span className="badge badge--bad">conflict of interest</span>
                        </div>
                      ) : null}
                    </td>
                    <td>
                      {r.dueAt ? formatDate(r.dueAt) : "—"}{" "}
                      {r.standing ? <StandingBadge standing={r.standing} daysUntilDue={r.daysUntilDue} /> : null}
                    </td>
                    <td>
                      <Link to={`/seals/${r.serial}`} className="mono">
                        {r.serial}
                      </Link>{" "}
                      {r.sealState === "suspended" ? <span className="badge badge--bad">suspended</span> : null}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
    </>
  );
}
