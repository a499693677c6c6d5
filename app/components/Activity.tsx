import { Link } from "@remix-run/react";
import { actionLabel } from "./action-label";
import { formatDateTime } from "../platform/format";

export interface ActivityRow {
  seq: number;
  at: Date | string;
  actorLabel: string;
  action: string;
  /** The organisation it happened to, when not the viewer's own. */
  about?: string | null;
  /** What it was about, in words ("Gator Kids Watch 3, firmware 3.2.0, requirement 6-8"), when it has a name. */
  subject?: string | null;
  /** Its page, when the viewer has one. */
  subjectHref?: string | null;
}

export function ActivityList({ items, empty = "Nothing has happened yet." }: { items: ActivityRow[]; empty?: string }) {
  if (!items.length) return <p className="muted">{empty}</p>;
  return (
    <ul className="timeline timeline--stacked" data-testid="activity">
      {items.map((e) => (
        <li key={e.seq}>
          <time dateTime={new Date(e.at).toISOString()}>{formatDateTime(e.at)}</time>
          <span>
            <strong>{actionLabel(e.action)}</strong>
            {e.subject ? (
              <span data-testid="activity-subject">
                : {e.subjectHref ? <Link to={e.subjectHref}>{e.subject}</Link> : e.subject}
              </span>
            ) : null}{" "}
            <span className="muted">
              by {e.actorLabel}
              {e.about ? ` · ${e.about}` : ""}
            </span>
          </span>
        </li>
      ))}
    </ul>
  );
}
