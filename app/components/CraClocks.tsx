import { Form } from "@remix-run/react";
import type { CraClocks as Clocks, CraClockState } from "../features/findings/domain/cra-clocks";
import { CRA_STATE_LABELS } from "../features/findings/domain/cra-clocks";
import { formatDateTime } from "../platform/format";

const BADGE: Record<CraClockState, string> = {
  waiting: "badge badge--info",
  due: "badge badge--info",
  due_soon: "badge badge--warn",
  overdue: "badge badge--bad",
  done_on_time: "badge badge--ok",
  done_late: "badge badge--warn",
};

export interface CraPanelProps {
  cra: {
    activelyExploited: boolean;
    severeIncident: boolean;
    awareAt: Date | null;
    clocks: Clocks | null;
    reports: { id: number; label: string; submittedAt: Date; reference: string }[];
    canFlag: boolean;
    /** The report is withdrawn: its clocks have stopped, nothing more is reported on it. */
    withdrawn: boolean;
    /** Whether a submission to the authority may be recorded (flagged, not withdrawn). */
    canRecord: boolean;
  };
  errors?: Record<string, string | undefined>;
  values?: Record<string, string | undefined>;
  busy: boolean;
}

/** CRA Article 14 reporting clocks (Regulation (EU) 2024/2847), beside the disclosure clock; forms work without JavaScript. */
export function CraReportingPanel({ cra, errors = {}, values = {}, busy }: CraPanelProps) {
  const field = (name: string) => (errors[name] ? "field field--error" : "field");
  const error = (name: string) =>
    errors[name] ? (
      <p className="field__error" role="alert">
        {errors[name]}
      </p>
    ) : null;
  return (
    <section className="card" aria-labelledby="cra-title" data-testid="cra-clocks">
      <h2 id="cra-title">CRA Article 14 reporting</h2>
      {cra.clocks ? (
        <>
          <p>
            {[
              cra.activelyExploited ? "Actively exploited vulnerability" : null,
              cra.severeIncident ? "severe incident" : null,
            ]
              .filter(Boolean)
              .join(" and ")}
            ; the supplier became aware {cra.awareAt ? formatDateTime(cra.awareAt) : ""}.
            {cra.withdrawn
              ? null
              : " Report to the CSIRT coordinator through ENISA's single reporting platform (Regulation (EU) 2024/2847, Article 14)."}
          </p>
          {cra.withdrawn ? (
            <p data-testid="cra-withdrawn">
              This report is withdrawn (not a real vulnerability): its Article 14 clocks have stopped, and no submission
              to the authority is recorded on it any more.
              {cra.reports.length ? " The submissions recorded before the withdrawal:" : ""}
            </p>
          ) : (
            <>
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
                  {cra.clocks.clocks.map((c) => (
                    <tr key={c.kind} data-testid={`cra-${c.kind}`}>
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
              <p className="small">
                {cra.clocks.next ? `Next: ${cra.clocks.next.label.toLowerCase()}.` : "All three reports are submitted."}
              </p>
            </>
          )}
          {cra.reports.length ? (
            <ul className="small">
              {cra.reports.map((r) => (
                <li key={r.id}>
                  {r.label} submitted {formatDateTime(r.submittedAt)}, reference <code>{r.reference}</code>
                </li>
              ))}
            </ul>
          ) : null}
          {cra.canRecord ? (
            <Form method="post" className="stack" aria-label="Record a submission to the authority">
              <input type="hidden" name="intent" value="cra_report" />
              <div className={field("kind")}>
                <label htmlFor="cra-kind">Submitted to the authority</label>
                <select
                  id="cra-kind"
                  name="kind"
                  defaultValue={values.kind ?? cra.clocks.next?.kind ?? "early_warning"}
                >
                  <option value="early_warning">Early warning (24 h)</option>
                  <option value="notification">Notification (72 h)</option>
                  <option value="final_report">Final report</option>
                </select>
                {error("kind")}
              </div>
              <div className={field("submittedAt")}>
                <label htmlFor="cra-submittedAt">Submitted at (UTC)</label>
                <input
                  id="cra-submittedAt"
                  name="submittedAt"
                  type="datetime-local"
                  defaultValue={values.submittedAt ?? ""}
                />
                {error("submittedAt")}
              </div>
              <div className={field("reference")}>
                <label htmlFor="cra-reference">Reference (e.g. the ENISA single reporting platform&apos;s)</label>
                <input id="cra-reference" name="reference" type="text" defaultValue={values.reference ?? ""} />
                {error("reference")}
              </div>
              <button className="button" type="submit" disabled={busy}>
                Record the submission
              </button>
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
          coordinator (Regulation (EU) 2024/2847, Article 14): an early warning within 24 hours of becoming aware, a
          notification within 72 hours, a final report 14 days after a fix is available (one month after the
          notification for a severe incident).
        </p>
      )}
      {cra.canFlag ? (
        <Form method="post" className="stack status-change" aria-label="Flag for CRA Article 14 reporting">
          <input type="hidden" name="intent" value="cra_flag" />
          <div className={field("activelyExploited")}>
            {!cra.activelyExploited ? (
              <label className="check">
                <input type="checkbox" name="activelyExploited" value="yes" /> Actively exploited (Article 14(2))
              </label>
            ) : null}
            {!cra.severeIncident ? (
              <label className="check">
                <input type="checkbox" name="severeIncident" value="yes" /> Severe incident (Article 14(4))
              </label>
            ) : null}
            {error("activelyExploited")}
          </div>
          {!cra.awareAt ? (
            <div className={field("awareAt")}>
              <label htmlFor="cra-awareAt">Became aware at (UTC; empty: now)</label>
              <input id="cra-awareAt" name="awareAt" type="datetime-local" defaultValue={values.awareAt ?? ""} />
              {error("awareAt")}
            </div>
          ) : null}
          <button className="button button--quiet" type="submit" disabled={busy}>
            Flag the report
          </button>
        </Form>
      ) : null}
    </section>
  );
}
