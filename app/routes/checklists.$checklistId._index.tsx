import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, Link, useLoaderData } from "@remix-run/react";
import { periodRange } from "../components/RecurringStatus";
import { formatDate } from "../platform/format";
import { notFound } from "../features/accounts/session.server";
import { getChecklist } from "../features/catalogue/checklists.server";

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: `${data?.checklist.title ?? "Checklist"} — IoT Seal` },
];

export async function loader({ params }: LoaderFunctionArgs) {
  const checklist = getChecklist(params.checklistId ?? "");
  if (!checklist) notFound("There is no checklist with this id.");
  return { checklist };
}

export default function ChecklistPage() {
  const { checklist } = useLoaderData<typeof loader>();
  const versions = checklist.versions;
  return (
    <>
      <p className="small">
        <Link to="/checklists">All checklists</Link>
      </p>
      <div className="page-head">
        <div>
          <p className="eyebrow">{checklist.publisher}</p>
          <h1>{checklist.title}</h1>
          <p>
            <code>{checklist.id}</code> · {versions.length} version{versions.length === 1 ? "" : "s"}
          </p>
        </div>
      </div>
      <div className="grid grid--2">
        <section className="card" aria-labelledby="versions-title">
          <h2 id="versions-title">Versions</h2>
          <ul className="timeline">
            {versions.map((v) => (
              <li key={v.id}>
                <time dateTime={v.publishedOn}>{formatDate(v.publishedOn)}</time>
                <span>
                  <Link to={`/checklists/${checklist.id}/${v.version}`}>Version {v.version}</Link> ·{" "}
                  {v.requirementCount} requirements{" "}
                  {v.recurring.count ? (
                    <span
                      className="badge badge--info"
                      title="Requirements that need fresh accepted evidence after the seal"
                    >
                      {v.recurring.count} recurring: fresh evidence every {periodRange(v.recurring)} days
                    </span>
                  ) : null}{" "}
                  {v.status === "retired" ? <span className="badge badge--warn">retired</span> : null}
                </span>
              </li>
            ))}
          </ul>
        </section>
        {versions.length > 1 ? (
          <section className="card" aria-labelledby="diff-title">
            <h2 id="diff-title">Compare two versions</h2>
            <Form method="get" action={`/checklists/${checklist.id}/diff`} className="form-row">
              <div className="field">
                <label htmlFor="from">From</label>
                <select id="from" name="from" defaultValue={versions[versions.length - 1].version}>
                  {versions.map((v) => (
                    <option key={v.id} value={v.version}>
                      {v.version}
                    </option>
                  ))}
                </select>
              </div>
              <div className="field">
                <label htmlFor="to">To</label>
                <select id="to" name="to" defaultValue={versions[0].version}>
                  {versions.map((v) => (
                    <option key={v.id} value={v.version}>
                      {v.version}
                    </option>
                  ))}
                </select>
              </div>
              <div className="field">
                <button className="button" type="submit">
                  Compare
                </button>
              </div>
            </Form>
          </section>
        ) : null}
      </div>
    </>
  );
}
