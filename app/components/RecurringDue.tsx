/** The supplier dashboard's panel: recurring evidence due soon, in its grace period or overdue, with links to send it. */
import { Link } from "@remix-run/react";
import { formatDate } from "../platform/format";
import { StandingBadge, type Standing } from "./RecurringStatus";

export interface DueItem {
  serial: string;
  product: string;
  firmware: string;
  ref: string;
  title: string;
  dueAt: string | Date;
  graceEndsAt: string | Date;
  standing: Standing;
  daysUntilDue: number;
  pending: { submittedAt: string | Date } | null;
}

export interface MonitoredSeal {
  serial: string;
  product: string;
  firmware: string;
  state: string;
  nextDueAt: string | Date;
  count: number;
}

export function RecurringDuePanel({
  due,
  monitored,
  dueSoonDays,
}: {
  due: DueItem[];
  monitored: MonitoredSeal[];
  dueSoonDays: number;
}) {
  return (
    <section className="card" aria-labelledby="recurring-title">
      <h2 id="recurring-title">Recurring evidence due</h2>
      {monitored.length === 0 ? (
        <p className="muted">None of your current seals needs recurring evidence.</p>
      ) : due.length === 0 ? (
        <p className="muted">Nothing is due within {dueSoonDays} days.</p>
      ) : (
        <ul className="timeline" data-testid="recurring-due">
          {due.map((d) => (
            <li key={`${d.serial}-${d.ref}`} data-ref={d.ref}>
              <span>
                <strong>{d.product}</strong> firmware {d.firmware} — <span className="requirement__ref">{d.ref}</span>{" "}
                {d.title}: due <span data-testid={`due-date-${d.ref}`}>{formatDate(d.dueAt)}</span>{" "}
                <StandingBadge standing={d.standing} daysUntilDue={d.daysUntilDue} />
                {d.standing === "in_grace" ? (
                  <span className="small"> The seal is suspended after {formatDate(d.graceEndsAt)}.</span>
                ) : null}
                {d.pending ? (
                  <span className="small">
                    {" "}
                    Evidence sent {formatDate(d.pending.submittedAt)} is waiting for an assessor.
                  </span>
                ) : null}
              </span>
              {d.pending ? (
                <Link to={`/supplier/seals/${d.serial}/recurring`}>View</Link>
              ) : (
                <Link
                  className="button button--small"
                  to={`/supplier/seals/${d.serial}/recurring?ref=${encodeURIComponent(d.ref)}#upload`}
                >
                  Send fresh evidence
                </Link>
              )}
            </li>
          ))}
        </ul>
      )}
      {monitored.length ? (
        <p className="small">
          Seals under continuous monitoring:{" "}
          {monitored.map((m, i) => (
            <span key={m.serial}>
              {i ? ", " : ""}
              <Link to={`/supplier/seals/${m.serial}/recurring`}>
                {m.product} {m.firmware}
              </Link>{" "}
              (next due {formatDate(m.nextDueAt)})
            </span>
          ))}
          .
        </p>
      ) : null}
    </section>
  );
}
