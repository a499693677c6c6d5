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
  /** The seal expires before (or as) the grace period ends: this requirement can no longer suspend it. */
  expiresFirst: boolean;
  /** The seal's expiry. */
  validUntil: string | Date;
  pending: { submittedAt: string | Date } | null;
}

/** What happens at the end of the grace period, or why nothing does (the seal expires first). */
export function whatThen(
  d: Pick<DueItem, "expiresFirst" | "dueAt" | "validUntil" | "standing" | "graceEndsAt">,
): string {
  if (d.expiresFirst)
    return new Date(d.dueAt).getTime() >= new Date(d.validUntil).getTime()
      ? ` The seal expires on ${formatDate(d.validUntil)}, before this is due.`
      : ` The seal expires on ${formatDate(d.validUntil)}, before the grace period ends: it is not suspended for this.`;
  return d.standing === "in_grace" ? ` The seal is suspended after ${formatDate(d.graceEndsAt)}.` : "";
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
                <strong>{d.product}</strong> firmware {d.firmware} <span className="small mono">(seal {d.serial})</span>{" "}
                — <span className="requirement__ref">{d.ref}</span> {d.title}: due{" "}
                <span data-testid={`due-date-${d.ref}`}>{formatDate(d.dueAt)}</span>{" "}
                <StandingBadge standing={d.standing} daysUntilDue={d.daysUntilDue} />
                {whatThen(d) ? <span className="small">{whatThen(d)}</span> : null}
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
              (seal <span className="mono">{m.serial}</span>, next due {formatDate(m.nextDueAt)})
            </span>
          ))}
          .
        </p>
      ) : null}
    </section>
  );
}
