import { Form } from "@remix-run/react";
import type { ReactNode } from "react";
import type {
  CraClocks as Clocks,
  CraClockSet,
  CraClockState,
  CraSubject,
  AuthorityReportKind,
} from "../features/findings/domain/cra-clocks";
import { ARTICLE_14_APPLIES_FROM_TEXT, CRA_STATE_LABELS } from "../features/findings/domain/cra-clocks";
import { formatDateTime } from "../platform/format";
import { FieldError, fieldAria } from "./Field";
import { SubmitButton } from "./SubmitButton";
import { ScrollBox } from "./ScrollBox";

const BADGE: Record<CraClockState, string> = {
  waiting: "badge badge--info",
  due: "badge badge--info",
  due_soon: "badge badge--warn",
  overdue: "badge badge--bad",
  done_on_time: "badge badge--ok",
  done_late: "badge badge--warn",
  not_applicable: "badge badge--wrap",
};

/** Which Article 14 paragraph a flag is (shown beside its name). */
const PARAGRAPH: Record<CraSubject, string> = { vulnerability: "Article 14(1)-(2)", incident: "Article 14(3)-(4)" };
/** What the supplier became aware of, per flag. */
const AWARE_OF: Record<CraSubject, string> = { vulnerability: "the exploitation", incident: "the incident" };

export interface CraPanelProps {
  cra: {
    activelyExploited: boolean;
    severeIncident: boolean;
    exploitedAwareAt: Date | null;
    incidentAwareAt: Date | null;
    clocks: Clocks | null;
    reports: {
      id: number;
      kind: AuthorityReportKind;
      label: string;
      subject: CraSubject;
      subjectLabel: string;
      submittedAt: Date;
      reference: string;
    }[];
    canFlag: boolean;
    /** The report is withdrawn: its clocks have stopped, nothing more is reported on it. */
    withdrawn: boolean;
    /** Whether a submission to the authority may be recorded (flagged, not withdrawn). */
    canRecord: boolean;
    /** Whether an awareness time may be corrected (not withdrawn). */
    canCorrect: boolean;
    /** Per flag: whether it may be removed (no submission of it recorded yet). */
    canUnflag: Record<CraSubject, boolean>;
    /** The report's version, sent back by every form (a stale page is refused). */
    version: number;
  };
  errors?: Record<string, string | undefined>;
  values?: Record<string, string | undefined>;
  busy: boolean;
}

/** "2026-12-03T09:00": a time as a datetime-local field's value, in UTC (as the fields are read). */
const localValue = (d: Date) => new Date(d).toISOString().slice(0, 16);

/**
 * CRA Article 14 reporting clocks (Regulation (EU) 2024/2847), beside the disclosure clock: a set
 * of three per flag (the actively exploited vulnerability's, the severe incident's), each with
 * when the supplier became aware, its own correction form and, until a submission of it is
 * recorded, a form to remove the flag. Forms work without JavaScript; each carries the report's version.
 */
export function CraReportingPanel({ cra, errors = {}, values = {}, busy }: CraPanelProps) {
  // The errors and the values sent belong to the form that was sent: its intent (and, for a flag's own forms, its subject).
  const sent = (intent: string, subject?: CraSubject) =>
    values.intent === intent && (subject === undefined || values.subject === subject);
  const fieldOf = (intent: string, subject?: CraSubject) => {
    const mine = sent(intent, subject);
    return {
      className: (name: string) => (mine && errors[name] ? "field field--error" : "field"),
      value: (name: string) => (mine ? values[name] : undefined),
      /** aria-invalid and aria-describedby of the control `id`, pointing at its error. */
      aria: (name: string, id: string) => fieldAria(id, { error: mine && errors[name] }),
      has: (name: string) => Boolean(mine && errors[name]),
      error: (name: string, id: string) => <FieldError id={id} message={mine ? errors[name] : undefined} />,
    };
  };
  const version = <input type="hidden" name="version" value={cra.version} />;
  const record = fieldOf("cra_report");
  const flag = fieldOf("cra_flag");
  const both = cra.activelyExploited && cra.severeIncident;
  return (
    <section className="card" aria-labelledby="cra-title" data-testid="cra-clocks">
      <h2 id="cra-title">CRA Article 14 reporting</h2>
      {cra.clocks ? (
        <>
          {cra.withdrawn ? (
            <p data-testid="cra-withdrawn">
              This report is withdrawn (not a real vulnerability): its Article 14 clocks have stopped, and no submission
              to the authority is recorded on it any more.
              {cra.reports.length ? " The submissions recorded before the withdrawal are listed below." : ""}
            </p>
          ) : (
            <p>
              Report to the CSIRT coordinator through ENISA&apos;s single reporting platform (Regulation (EU) 2024/2847,
              Article 14). An actively exploited vulnerability and a severe incident are separate notifications, each
              with its own clocks.
            </p>
          )}
          {cra.clocks.sets.map((set) => (
            <ClockSet
              key={set.subject}
              set={set}
              cra={cra}
              version={version}
              correct={fieldOf("cra_correct", set.subject)}
              unflag={fieldOf("cra_unflag", set.subject)}
              unflagOpen={sent("cra_unflag", set.subject)}
              busy={busy}
            />
          ))}
          {cra.reports.length ? (
            <>
              <h3>Submissions recorded</h3>
              <ul className="small" data-testid="cra-submissions">
                {cra.reports.map((r) => (
                  <li key={r.id}>
                    {r.label} ({r.subjectLabel.toLowerCase()}) submitted {formatDateTime(r.submittedAt)}, reference{" "}
                    <code>{r.reference}</code>
                  </li>
                ))}
              </ul>
            </>
          ) : null}
          {cra.canRecord ? (
            <Form method="post" className="stack" aria-label="Record a submission to the authority">
              <input type="hidden" name="intent" value="cra_report" />
              {version}
              {both ? (
                <div className={record.className("subject")}>
                  <label htmlFor="cra-subject">Concerning</label>
                  <select
                    id="cra-subject"
                    name="subject"
                    defaultValue={record.value("subject") ?? cra.clocks.next?.subject ?? "vulnerability"}
                    {...record.aria("subject", "cra-subject")}
                  >
                    <option value="vulnerability">The actively exploited vulnerability (Article 14(2))</option>
                    <option value="incident">The severe incident (Article 14(4))</option>
                  </select>
                  {record.error("subject", "cra-subject")}
                </div>
              ) : (
                <input type="hidden" name="subject" value={cra.activelyExploited ? "vulnerability" : "incident"} />
              )}
              <div className={record.className("kind")}>
                <label htmlFor="cra-kind">Submitted to the authority</label>
                <select
                  id="cra-kind"
                  name="kind"
                  defaultValue={record.value("kind") ?? cra.clocks.next?.kind ?? "early_warning"}
                  {...record.aria("kind", "cra-kind")}
                >
                  <option value="early_warning">Early warning (24 h)</option>
                  <option value="notification">Notification (72 h)</option>
                  <option value="final_report">Final report</option>
                </select>
                {record.error("kind", "cra-kind")}
              </div>
              <div className={record.className("submittedAt")}>
                <label htmlFor="cra-submittedAt">Submitted at (UTC)</label>
                <input
                  id="cra-submittedAt"
                  name="submittedAt"
                  type="datetime-local"
                  defaultValue={record.value("submittedAt") ?? ""}
                  {...record.aria("submittedAt", "cra-submittedAt")}
                />
                {record.error("submittedAt", "cra-submittedAt")}
              </div>
              <div className={record.className("reference")}>
                <label htmlFor="cra-reference">Reference (e.g. the ENISA single reporting platform&apos;s)</label>
                <input
                  id="cra-reference"
                  name="reference"
                  type="text"
                  defaultValue={record.value("reference") ?? ""}
                  {...record.aria("reference", "cra-reference")}
                />
                {record.error("reference", "cra-reference")}
              </div>
              <SubmitButton className="button" busy={busy}>
                Record the submission
              </SubmitButton>
            </Form>
          ) : null}
        </>
      ) : cra.withdrawn ? (
        <p className="muted">
          Not flagged. The report is withdrawn (not a real vulnerability): nothing is reported on it.
        </p>
      ) : (
        <p className="muted">
          Not flagged. An actively exploited vulnerability or a severe incident must be reported to the CSIRT
          coordinator (Regulation (EU) 2024/2847, Article 14, from {ARTICLE_14_APPLIES_FROM_TEXT}): an early warning
          within 24 hours of becoming aware, a notification within 72 hours, a final report 14 days after a fix is
          available (one month after the notification for a severe incident).
        </p>
      )}
      {cra.canFlag && (cra.activelyExploited || cra.severeIncident) ? (
        // One notification is flagged; the other is a form of its own below it, not part of the one above.
        <div className="cra-other">
          <h3>
            {cra.activelyExploited ? "Severe incident" : "Actively exploited vulnerability"}{" "}
            <span className="muted small">{cra.activelyExploited ? "Article 14(4)" : "Article 14(1)-(2)"}</span>
          </h3>
          <p className="small muted">Not flagged. It is a separate notification, with clocks of its own.</p>
        </div>
      ) : null}
      {cra.canFlag ? (
        <Form method="post" className="stack status-change" aria-label="Flag for CRA Article 14 reporting">
          <input type="hidden" name="intent" value="cra_flag" />
          {version}
          {!cra.activelyExploited ? (
            <>
              <label className="check">
                <input
                  type="checkbox"
                  name="activelyExploited"
                  value="yes"
                  defaultChecked={flag.value("activelyExploited") === "yes"}
                  {...flag.aria("activelyExploited", "cra-flag")}
                />{" "}
                Actively exploited (Article 14(2))
              </label>
              <div className={flag.className("awareAt")}>
                <label htmlFor="cra-awareAt">Became aware of the exploitation at (UTC; empty: now)</label>
                <input
                  id="cra-awareAt"
                  name="awareAt"
                  type="datetime-local"
                  defaultValue={flag.value("awareAt") ?? ""}
                  {...flag.aria("awareAt", "cra-awareAt")}
                />
                {flag.error("awareAt", "cra-awareAt")}
              </div>
            </>
          ) : null}
          {!cra.severeIncident ? (
            <>
              <label className="check">
                <input
                  type="checkbox"
                  name="severeIncident"
                  value="yes"
                  defaultChecked={flag.value("severeIncident") === "yes"}
                  // The service names the error "neither is ticked" by the first box: it is both boxes'.
                  {...flag.aria("activelyExploited", "cra-flag")}
                />{" "}
                Severe incident (Article 14(4))
              </label>
              <div className={flag.className("incidentAwareAt")}>
                <label htmlFor="cra-incidentAwareAt">Became aware of the incident at (UTC; empty: now)</label>
                <input
                  id="cra-incidentAwareAt"
                  name="incidentAwareAt"
                  type="datetime-local"
                  defaultValue={flag.value("incidentAwareAt") ?? ""}
                  {...flag.aria("incidentAwareAt", "cra-incidentAwareAt")}
                />
                {flag.error("incidentAwareAt", "cra-incidentAwareAt")}
              </div>
            </>
          ) : null}
          {flag.has("activelyExploited") ? (
            <div className="field field--error">{flag.error("activelyExploited", "cra-flag")}</div>
          ) : null}
          <SubmitButton className="button button--quiet" busy={busy}>
            Flag the report
          </SubmitButton>
        </Form>
      ) : null}
    </section>
  );
}

type FieldHelpers = {
  className: (name: string) => string;
  value: (name: string) => string | undefined;
  aria: (name: string, id: string) => ReturnType<typeof fieldAria>;
  has: (name: string) => boolean;
  error: (name: string, id: string) => ReactNode;
};

/** One flag's clocks, when the supplier became aware, and its correction and removal forms. */
function ClockSet({
  set,
  cra,
  version,
  correct,
  unflag,
  unflagOpen,
  busy,
}: {
  set: CraClockSet;
  cra: CraPanelProps["cra"];
  version: ReactNode;
  correct: FieldHelpers;
  unflag: FieldHelpers;
  unflagOpen: boolean;
  busy: boolean;
}) {
  const s = set.subject;
  // The vulnerability's rows keep their plain test ids; the incident's are prefixed.
  const rowId = (kind: string) => (s === "vulnerability" ? `cra-${kind}` : `cra-incident-${kind}`);
  return (
    <div className="stack" data-testid={`cra-set-${s}`}>
      <h3>
        {set.label} <span className="muted small">{PARAGRAPH[s]}</span>
      </h3>
      <p data-testid={`cra-aware-${s}`}>
        The supplier became aware of {AWARE_OF[s]} {formatDateTime(set.awareAt)}.
        {set.applicable
          ? null
          : ` That is before ${ARTICLE_14_APPLIES_FROM_TEXT}, when Article 14's reporting obligations began to apply: no report to the authority is due for it.`}
      </p>
      {cra.withdrawn ? null : (
        <>
          <ScrollBox label={`${set.label}: reports to the authority`}>
            <table className="table">
              <thead>
                <tr>
                  <th scope="col">Report</th>
                  <th scope="col">Due</th>
                  <th scope="col">State</th>
                  <th scope="col">Submitted</th>
                </tr>
              </thead>
              <tbody>
                {set.clocks.map((c) => (
                  <tr key={c.kind} data-testid={rowId(c.kind)}>
                    <td>
                      {c.label} <span className="muted small">{c.article}</span>
                    </td>
                    <td>{c.dueAt ? formatDateTime(c.dueAt) : `when ${c.waitingFor ?? "it starts"}`}</td>
                    <td>
                      <span className={BADGE[c.state]}>{CRA_STATE_LABELS[c.state]}</span>
                    </td>
                    <td>
                      {c.submitted ? `${formatDateTime(c.submitted.submittedAt)} (${c.submitted.reference})` : "—"}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </ScrollBox>
          {set.applicable ? (
            <p className="small">
              {set.next ? `Next: ${set.next.label.toLowerCase()}.` : "All three reports are submitted."}
            </p>
          ) : null}
        </>
      )}
      {cra.canCorrect ? (
        <Form
          method="post"
          className="stack status-change"
          aria-label={`Correct when you became aware of ${AWARE_OF[s]}`}
        >
          <input type="hidden" name="intent" value="cra_correct" />
          <input type="hidden" name="subject" value={s} />
          {version}
          <div className={correct.className("awareAt")}>
            <label htmlFor={`cra-correct-${s}`}>Became aware of {AWARE_OF[s]} at (UTC)</label>
            <input
              id={`cra-correct-${s}`}
              name="awareAt"
              type="datetime-local"
              required
              defaultValue={correct.value("awareAt") ?? localValue(set.awareAt)}
              {...correct.aria("awareAt", `cra-correct-${s}`)}
            />
            {correct.error("awareAt", `cra-correct-${s}`)}
          </div>
          <SubmitButton className="button button--quiet" busy={busy}>
            Correct when you became aware
          </SubmitButton>
        </Form>
      ) : null}
      {cra.canUnflag[s] ? (
        <details open={unflagOpen}>
          <summary>Remove this flag (ticked by mistake)</summary>
          <Form method="post" className="stack" aria-label={`Remove the flag: ${set.label.toLowerCase()}`}>
            <input type="hidden" name="intent" value="cra_unflag" />
            <input type="hidden" name="subject" value={s} />
            {version}
            <p className="small">
              Possible until a submission about it to the authority is recorded. Its clocks stop; the removal and your
              reason are kept in the audit log.
            </p>
            <div className={unflag.className("reason")}>
              <label htmlFor={`cra-unflag-reason-${s}`}>Why the flag is removed</label>
              <textarea
                id={`cra-unflag-reason-${s}`}
                name="reason"
                rows={2}
                defaultValue={unflag.value("reason") ?? ""}
                {...unflag.aria("reason", `cra-unflag-reason-${s}`)}
              />
              {unflag.error("reason", `cra-unflag-reason-${s}`)}
            </div>
            <SubmitButton className="button button--danger" busy={busy}>
              Remove the flag
            </SubmitButton>
          </Form>
        </details>
      ) : null}
    </div>
  );
}

/** A report's next Article 14 clock, as the lists and dashboards show it (findings/dashboard.server.ts's CraNext). */
export interface NextCraClockFacts {
  label: string;
  article: string;
  dueAt: string | Date | null;
  waitingFor: string | null;
  state: string;
  tone: "bad" | "warn" | "info";
}

/** One line: which report is next, when it is due (or what it waits for), and its state. */
export function NextCraClock({ clock, withArticle = false }: { clock: NextCraClockFacts; withArticle?: boolean }) {
  return (
    <>
      {withArticle ? (
        <>
          {clock.label} <span className="muted">{clock.article}</span>
        </>
      ) : (
        `CRA ${clock.label.toLowerCase()}`
      )}{" "}
      {clock.dueAt ? `due ${formatDateTime(clock.dueAt)}` : `when ${clock.waitingFor ?? "it starts"}`}{" "}
      <span className={`badge badge--${clock.tone}`}>{clock.state}</span>
    </>
  );
}
