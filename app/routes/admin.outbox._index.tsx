/** Administrators read the mail outbox: every mail's status, recipient, subject, attempts and last error; paged. */
import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, Link, useLoaderData } from "@remix-run/react";
import { requirePermission } from "../features/accounts/session.server";
import { MAIL_STATUS_FILTERS, outboxQuery } from "../features/notifications/forms";
import { outboxPage } from "../features/notifications/outbox.server";
import { formatDateTime } from "../platform/format";

export const meta: MetaFunction = () => [{ title: "Mail outbox — IoT Seal administration" }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const admin = await requirePermission(request, context, "admin.workspace");
  const q = outboxQuery.parse(Object.fromEntries(new URL(request.url).searchParams));
  return { ...outboxPage(admin, q), status: q.status };
}

const STATUS_BADGE: Record<string, string> = {
  pending: "badge badge--info",
  sending: "badge badge--info",
  sent: "badge badge--ok",
  failed: "badge badge--bad",
  kept: "badge",
  digest: "badge badge--brand",
};

export default function AdminOutbox() {
  const { mails, total, page, pages, health, smtp, from, status } = useLoaderData<typeof loader>();
  const pageLink = (p: number) => `/admin/outbox?${new URLSearchParams({ status, page: String(p) })}`;
  return (
    <>
      <div className="page-head">
        <div>
          <p className="eyebrow">Administration</p>
          <h1>Mail outbox</h1>
          <p>
            {smtp ? (
              <>
                Mail is sent through <span className="mono">{smtp}</span> from <span className="mono">{from}</span>,
                retried with backoff up to {health.maxAttempts} attempts.
              </>
            ) : (
              <>
                No <code>SMTP_URL</code> is configured: mails are kept here and not sent.
              </>
            )}{" "}
            Mails waiting for a daily digest are marked "digest".
          </p>
        </div>
      </div>
      {health.failingSince ? (
        <p className="alert alert--warn" role="status">
          Delivery has been failing since {formatDateTime(health.failingSince)}: see the last errors below.
        </p>
      ) : null}
      <section className="card">
        <Form method="get" className="form-row">
          <div className="field">
            <label htmlFor="f-status">Status</label>
            <select id="f-status" name="status" defaultValue={status}>
              {MAIL_STATUS_FILTERS.map((s) => (
                <option key={s} value={s}>
                  {s === "all" ? "All" : `${s} (${health.byStatus[s] ?? 0})`}
                </option>
              ))}
            </select>
          </div>
          <button className="button button--quiet" type="submit">
            Show
          </button>
        </Form>
        {/* Announced when a filter changes it (WCAG 4.1.3): on the page from the start. */}
        <p className="small muted" aria-live="polite">
          {total} mail{total === 1 ? "" : "s"}
          {status === "all" ? "" : ` with status ${status}`}, newest first.
        </p>
        {/* On a phone each mail is a block of labelled lines (table.stack), so nothing is wider than the screen. */}
        <div className="table-wrap">
          <table className="stack" data-testid="outbox">
            <thead>
              <tr>
                <th scope="col">Status</th>
                <th scope="col">To</th>
                <th scope="col">Subject</th>
                <th scope="col" className="num">
                  Attempts
                </th>
                <th scope="col">Last error</th>
                <th scope="col">Created</th>
                <th scope="col">Sent</th>
              </tr>
            </thead>
            <tbody>
              {mails.map((m) => (
                <tr key={m.id}>
                  <td data-label="Status">
                    <span className={STATUS_BADGE[m.status] ?? "badge"}>{m.status}</span>
                    {m.status === "digest" ? (
                      <span className="small muted"> {m.digestMailId ? "in a digest" : "waiting"}</span>
                    ) : null}
                  </td>
                  <td data-label="To" className="small">
                    {m.toAddress}
                  </td>
                  <td data-label="Subject">
                    <Link to={`/admin/outbox/${m.id}`}>{m.subject}</Link>
                    <div className="small muted">{m.kind}</div>
                  </td>
                  <td data-label="Attempts" className="num">
                    {m.attempts}
                  </td>
                  <td data-label="Last error" className="small">
                    {m.lastError ?? ""}
                  </td>
                  <td data-label="Created" className="small">
                    {formatDateTime(m.createdAt)}
                  </td>
                  <td data-label="Sent" className="small">
                    {m.sentAt ? formatDateTime(m.sentAt) : ""}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        {pages > 1 ? (
          <nav className="pager" aria-label="Pages">
            {page > 1 ? <Link to={pageLink(page - 1)}>Newer</Link> : <span />}
            <span className="small muted">
              Page {page} of {pages}
            </span>
            {page < pages ? <Link to={pageLink(page + 1)}>Older</Link> : <span />}
          </nav>
        ) : null}
      </section>
    </>
  );
}
