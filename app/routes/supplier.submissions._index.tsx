import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { StatusBadge } from "../components/StatusBadge";
import { Notice } from "../components/Field";
import { formatDateTime } from "../platform/format";
import { requirePermission } from "../features/accounts/session.server";
import { listOwnSubmissions } from "../features/certification/submissions.server";

export const meta: MetaFunction = () => [{ title: "Submissions — IoT Seal" }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const user = await requirePermission(request, context, "supplier.workspace");
  // After "Delete draft" (which redirects here), the page says what happened.
  const deleted = new URL(request.url).searchParams.get("deleted") === "1";
  return { submissions: listOwnSubmissions(user), notice: deleted ? "The draft was deleted." : null };
}

export default function Submissions() {
  const { submissions, notice } = useLoaderData<typeof loader>();
  return (
    <>
      <div className="page-head">
        <div>
          <p className="eyebrow">Supplier workspace</p>
          <h1>Submissions</h1>
          <p>Each submission answers one checklist version at one level for one product version.</p>
        </div>
        <Link className="button" to="/supplier/submissions/new">
          Open a submission
        </Link>
      </div>
      <Notice message={notice} />
      <section className="card">
        {submissions.length === 0 ? (
          <p className="muted">
            No submission yet. <Link to="/supplier/products">Register a product</Link> and open one.
          </p>
        ) : (
          <div className="table-wrap">
            <table className="stack">
              <thead>
                <tr>
                  <th>Product version</th>
                  <th>Checklist and level</th>
                  <th>Status</th>
                  <th className="num">Complete</th>
                  <th>Last change</th>
                </tr>
              </thead>
              <tbody>
                {submissions.map((r) => (
                  <tr key={r.s.id}>
                    <td data-label="Product version">
                      <Link to={`/supplier/submissions/${r.s.id}`}>{r.productName}</Link>
                      <div className="small muted">
                        hw {r.hardwareRevision} · fw {r.firmwareVersion}
                      </div>
                    </td>
                    <td data-label="Checklist and level">
                      {r.checklistLabel}
                      <div className="small muted">level {r.levelTitle}</div>
                    </td>
                    <td data-label="Status">
                      <StatusBadge status={r.s.status} />
                    </td>
                    <td data-label="Complete" className="num">
                      {r.progress.complete}/{r.progress.total}
                    </td>
                    <td data-label="Last change" className="small">
                      {formatDateTime(r.s.updatedAt)}
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
