/** One mail of the outbox, for administrators: its facts, its plain text and every attempt to send it. */
import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { requirePermission } from "../features/accounts/session.server";
import { outboxMail } from "../features/notifications/outbox.server";
import { formatDateTime } from "../platform/format";
import { serviceOrThrow } from "../platform/http/service-response.server";

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: data ? `${data.mail.subject} — Mail outbox — IoT Seal` : "Mail — IoT Seal" },
];

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const admin = await requirePermission(request, context, "admin.workspace");
  return serviceOrThrow(() => outboxMail(admin, params.mailId ?? ""));
}

/** What the page says about the password reset link in a reset mail's text. */
const RESET_LINK_NOTE = {
  shown:
    "No SMTP_URL is configured, so this mail is not sent. To hand the link over, give it to the recipient " +
    "yourself, and to nobody else: it is for them alone (a reset link sets the account's password). It works once, until the time the mail gives.",
  hidden:
    "The link's token is hidden: the link is for the recipient alone. Once the mail is sent or set " +
    "aside, the outbox keeps no link.",
  removed: "The link was removed from the outbox's copy once the mail was sent or set aside.",
} as const;

export default function OutboxMail() {
  const { mail, resetLink, attempts, included } = useLoaderData<typeof loader>();
  return (
    <>
      <div className="page-head">
        <div>
          <p className="eyebrow">
            <Link to="/admin/outbox">Mail outbox</Link>
          </p>
          <h1>{mail.subject}</h1>
        </div>
      </div>
      <section className="card">
        <dl className="facts">
          <dt>Status</dt>
          <dd>
            {mail.status}
            {mail.status === "digest"
              ? mail.digestMailId
                ? " (included in a daily digest)"
                : " (waiting for the daily digest)"
              : ""}
          </dd>
          <dt>To</dt>
          <dd>{mail.toAddress}</dd>
          <dt>Kind</dt>
          <dd className="mono">{mail.kind}</dd>
          <dt>Key</dt>
          <dd className="mono">{mail.key}</dd>
          <dt>Message-ID</dt>
          <dd className="mono">{mail.messageId}</dd>
          <dt>Created</dt>
          <dd>{formatDateTime(mail.createdAt)}</dd>
          <dt>Attempts</dt>
          <dd>{mail.attempts}</dd>
          {mail.nextAttemptAt && mail.status === "pending" ? (
            <>
              <dt>Next attempt</dt>
              <dd>{formatDateTime(mail.nextAttemptAt)}</dd>
            </>
          ) : null}
          {mail.sentAt ? (
            <>
              <dt>Sent</dt>
              <dd>{formatDateTime(mail.sentAt)}</dd>
            </>
          ) : null}
          {mail.lastError ? (
            <>
              <dt>Last error</dt>
              <dd>{mail.lastError}</dd>
            </>
          ) : null}
          {mail.kind === "digest" ? (
            <>
              <dt>Includes</dt>
              <dd>
                {included} notification{included === 1 ? "" : "s"}
              </dd>
            </>
          ) : null}
          {mail.digestMailId ? (
            <>
              <dt>Digest</dt>
              <dd>
                <Link to={`/admin/outbox/${mail.digestMailId}`}>The digest mail that included it</Link>
              </dd>
            </>
          ) : null}
        </dl>
      </section>
      <section className="card" aria-labelledby="text-title">
        <h2 id="text-title">Text</h2>
        {resetLink ? <p className="small muted">{RESET_LINK_NOTE[resetLink]}</p> : null}
        <pre className="mail-text">{mail.text}</pre>
      </section>
      <section className="card" aria-labelledby="attempts-title">
        <h2 id="attempts-title">Attempts</h2>
        {attempts.length ? (
          <ol className="timeline">
            {attempts.map((a) => (
              <li key={a.id}>
                <span className={a.ok ? "badge badge--ok" : "badge badge--bad"}>{a.ok ? "sent" : "failed"}</span>{" "}
                <time className="small">{formatDateTime(a.at)}</time>
                <div className="small mono">{a.detail}</div>
              </li>
            ))}
          </ol>
        ) : (
          <p className="muted">No attempt yet.</p>
        )}
      </section>
    </>
  );
}
