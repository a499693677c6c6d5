/**
 * Recurring evidence (continuous monitoring) as people see it: the recurrence of a checklist
 * requirement, where one recurring requirement of a seal stands, and the public seal page's
 * "Continuous monitoring" section.
 */
import { formatDate } from "../platform/format";

export type Standing = "fresh" | "due_soon" | "in_grace" | "awaiting_decision" | "overdue";

/** "90" or "90–180" (days), from a version's recurring summary. */
export function periodRange(r: { shortestDays: number | null; longestDays: number | null }): string {
  if (r.shortestDays === null) return "";
  return r.longestDays === null || r.longestDays === r.shortestDays
    ? String(r.shortestDays)
    : `${r.shortestDays}–${r.longestDays}`;
}

/** On a checklist page: this requirement needs fresh evidence after the seal. */
export function RecurrenceNote({ days }: { days: number }) {
  return (
    <p className="small recurrence" data-testid="recurrence">
      <span className="badge badge--info">Recurring</span> Fresh evidence every {days} days after the seal; an assessor
      accepts each.
    </p>
  );
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;

/** Where a recurring requirement stands, as a badge ("Due in 10 days", "Overdue: in grace", ...). */
export function StandingBadge({ standing, daysUntilDue }: { standing: Standing; daysUntilDue?: number | null }) {
  switch (standing) {
    case "fresh":
      return <span className="badge badge--ok">Up to date</span>;
    case "due_soon":
      return (
        <span className="badge badge--warn">
          {daysUntilDue === 0
            ? "Due within a day"
            : daysUntilDue != null
              ? `Due in ${plural(daysUntilDue, "day")}`
              : "Due soon"}
        </span>
      );
    case "in_grace":
      return (
        <span className="badge badge--bad">
          {daysUntilDue != null
            ? `Overdue by ${plural(-daysUntilDue, "day")} (grace period)`
            : "Overdue (grace period)"}
        </span>
      );
    case "awaiting_decision":
      return <span className="badge badge--info">Sent in time: with an assessor</span>;
    case "overdue":
      return <span className="badge badge--bad">Overdue: seal suspended</span>;
  }
}

export interface PublicRecurringItem {
  ref: string;
  title: string;
  everyDays: number;
  lastAcceptedAt: string | Date;
  sinceIssue: boolean;
  /** The earlier seal (replaced by this one) whose issue or accepted evidence the clock runs from, or null. */
  continuedFrom?: string | null;
  dueAt: string | Date;
  standing: Standing;
}

const PUBLIC_STANDING: Record<Standing, string> = {
  fresh: "up to date",
  due_soon: "due soon",
  in_grace: "overdue, in its grace period",
  awaiting_decision: "fresh evidence sent in time, being assessed",
  overdue: "overdue",
};

/**
 * The public seal page's "Continuous monitoring": each requirement that needs fresh evidence,
 * when the last accepted evidence was sent (with the file's SHA-256) and when the next is due.
 * Nothing private: no file names, notes or people.
 */
export function RecurringStatus({ items, graceDays }: { items: PublicRecurringItem[]; graceDays: number }) {
  if (!items.length) return null;
  return (
    <section className="card recurring-status" aria-labelledby="monitoring-title">
      <h2 id="monitoring-title">Continuous monitoring</h2>
      <p className="small muted">
        These requirements need fresh evidence, accepted by an assessor, on schedule.{" "}
        {graceDays === 0
          ? "If none is sent by the due date"
          : `If none is sent within ${plural(graceDays, "day")} after the due date`}
        , the seal is suspended until accepted evidence arrives.
      </p>
      <div className="table-wrap">
        <table className="stack">
          <thead>
            <tr>
              <th scope="col">Requirement</th>
              <th scope="col">Last accepted evidence</th>
              <th scope="col">Next due</th>
            </tr>
          </thead>
          <tbody>
            {items.map((i) => (
              <tr key={i.ref} data-ref={i.ref}>
                <td data-label="Requirement">
                  <span className="requirement__ref">{i.ref}</span> {i.title}
                  <div className="small muted">every {i.everyDays} days</div>
                </td>
                <td data-label="Last accepted evidence">
                  {formatDate(i.lastAcceptedAt)}
                  {i.continuedFrom ? (
                    <div className="small muted">
                      {i.sinceIssue
                        ? `at the certification of earlier seal ${i.continuedFrom}`
                        : `sent for earlier seal ${i.continuedFrom}`}
                      ; this seal's re-certification did not review it again
                    </div>
                  ) : i.sinceIssue ? (
                    <div className="small muted">at certification</div>
                  ) : null}
                </td>
                <td data-label="Next due">
                  {formatDate(i.dueAt)}{" "}
                  <span
                    className={
                      i.standing === "fresh"
                        ? "badge badge--ok"
                        : i.standing === "due_soon"
                          ? "badge badge--warn"
                          : "badge badge--bad"
                    }
                  >
                    {PUBLIC_STANDING[i.standing]}
                  </span>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
