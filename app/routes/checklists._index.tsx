import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { formatDate } from "../platform/format";
import { periodRange } from "../components/RecurringStatus";
import { getOptionalUser } from "../features/accounts/session.server";
import { listChecklists } from "../features/catalogue/checklists.server";

export const meta: MetaFunction = () => [{ title: "Checklists — IoT Seal" }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  // Public: the standards a seal is assessed against are for anyone to read (a seal's
  // credential names its checklist version by this page's URL).
  const user = await getOptionalUser(request, context);
  return { checklists: listChecklists(), isAdmin: user?.role === "admin" };
}

export default function Checklists() {
  const { checklists, isAdmin } = useLoaderData<typeof loader>();
  return (
    <>
      <div className="page-head">
        <div>
          <p className="eyebrow">Standards</p>
          <h1>Security checklists</h1>
          <p>
            Every submission is assessed against one published version; the seal names it and its content hash. A
            published version never changes.
          </p>
        </div>
        {isAdmin ? (
          <Link className="button" to="/admin/checklists">
            Import or retire versions
          </Link>
        ) : null}
      </div>
      <div className="stack">
        {checklists.map((c) => (
          <section className="card" key={c.id} aria-labelledby={`c-${c.id}`}>
            <h2 id={`c-${c.id}`}>
              <Link to={`/checklists/${c.id}`}>{c.title}</Link>
            </h2>
            <p className="muted small">
              {c.publisher} · <code>{c.id}</code>
            </p>
            <div className="table-wrap">
              <table>
                <thead>
                  <tr>
                    <th>Version</th>
                    <th>Published</th>
                    <th>Requirements per level (mandatory + advisory)</th>
                    <th>Content hash (SHA-256)</th>
                    <th>Status</th>
                  </tr>
                </thead>
                <tbody>
                  {c.versions.map((v) => (
                    <tr key={v.id}>
                      <td>
                        <Link to={`/checklists/${c.id}/${v.version}`}>{v.version}</Link>
                      </td>
                      <td>{formatDate(v.publishedOn)}</td>
                      <td className="small">
                        {v.levels.map((l) => (
                          <div key={l.id}>
                            <strong>{l.title}</strong>: {l.mandatory} + {l.advisory}
                          </div>
                        ))}
                        {v.recurring.count ? (
                          <div className="muted">
                            {v.recurring.count} recurring: fresh evidence every {periodRange(v.recurring)} days after
                            the seal
                          </div>
                        ) : null}
                      </td>
                      <td className="hash" title={v.contentHash}>
                        {v.contentHash.slice(0, 16)}…
                      </td>
                      <td>
                        {v.status === "retired" ? (
                          <span className="badge badge--warn">retired</span>
                        ) : (
                          <span className="badge badge--ok">published</span>
                        )}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </section>
        ))}
        {checklists.length === 0 ? <p className="muted">No checklist has been imported yet.</p> : null}
      </div>
    </>
  );
}
