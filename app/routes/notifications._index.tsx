/** The signed-in user's notifications, newest first (unread marked), and "Mark all read". */
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { Notice } from "../components/Field";
import { requireUser } from "../features/accounts/session.server";
import { CATEGORY_LABELS } from "../features/notifications/domain/categories";
import { pageQuery, readAllInput } from "../features/notifications/forms";
import { listNotifications, markAllRead } from "../features/notifications/inbox.server";
import { formatDateTime } from "../platform/format";
import { failure } from "../platform/http/action-errors.server";
import { readForm } from "../platform/http/request-body.server";

export const meta: MetaFunction = () => [{ title: "Notifications — IoT Seal" }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const user = await requireUser(request, context);
  const q = pageQuery.parse(Object.fromEntries(new URL(request.url).searchParams));
  return listNotifications(user, q.page);
}

export async function action({ request, context }: ActionFunctionArgs) {
  const user = await requireUser(request, context);
  const parsed = readAllInput.safeParse(Object.fromEntries(await readForm(request)));
  if (!parsed.success) return failure(parsed.error.issues[0]?.message ?? "Unknown action.");
  const upTo = parsed.data.upTo;
  const n = markAllRead(user, upTo === undefined ? undefined : new Date(upTo));
  return {
    ok: true as const,
    notice: n ? `Marked ${n} notification${n === 1 ? "" : "s"} read.` : "Nothing was unread.",
  };
}

export default function Notifications() {
  const { items, total, unread, page, pages, newestAt } = useLoaderData<typeof loader>();
  const a = useActionData<typeof action>();
  return (
    <>
      <div className="page-head">
        <div>
          <h1>Notifications</h1>
          <p>
            {total === 0
              ? "Nothing yet."
              : `${total} notification${total === 1 ? "" : "s"}, ${unread ? `${unread} unread` : "all read"}.`}{" "}
            <Link to="/notifications/settings">Email settings</Link>
          </p>
        </div>
        {unread ? (
          <Form method="post">
            <input type="hidden" name="intent" value="read-all" />
            {/* What arrives after this page was shown stays unread. */}
            {newestAt ? <input type="hidden" name="upTo" value={new Date(newestAt).getTime()} /> : null}
            <button className="button button--quiet" type="submit">
              Mark all read
            </button>
          </Form>
        ) : null}
      </div>
      <Notice message={a && "notice" in a ? a.notice : undefined} />
      {a && !a.ok ? (
        <p className="alert alert--error" role="alert">
          {a.formError}
        </p>
      ) : null}
      {items.length ? (
        <ul className="notification-list" aria-label="Notifications, newest first">
          {items.map((n) => (
            <li key={n.id} className={n.readAt ? "notification" : "notification notification--unread"}>
              <p className="notification__meta small">
                {n.readAt ? null : <span className="badge badge--brand">Unread</span>}{" "}
                <span>{CATEGORY_LABELS[n.category].label}</span> · <time>{formatDateTime(n.createdAt)}</time>
              </p>
              {/* Opening it marks it read and goes to the page to act on (works without JavaScript). */}
              <p className="notification__title">
                <Link to={`/notifications/${n.id}`}>
                  {n.title}
                  {n.readAt ? null : <span className="visually-hidden"> (unread)</span>}
                </Link>
              </p>
              <p className="notification__body">{n.body}</p>
            </li>
          ))}
        </ul>
      ) : (
        <section className="card">
          <p className="muted">
            You have no notifications. Deadlines, reviews and changes to your seals will appear here, and by email as
            you choose in your <Link to="/notifications/settings">settings</Link>.
          </p>
        </section>
      )}
      {pages > 1 ? (
        <nav className="pager" aria-label="Pages">
          {page > 1 ? <Link to={`/notifications?page=${page - 1}`}>Newer</Link> : <span />}
          <span className="small muted">
            Page {page} of {pages}
          </span>
          {page < pages ? <Link to={`/notifications?page=${page + 1}`}>Older</Link> : <span />}
        </nav>
      ) : null}
    </>
  );
}
