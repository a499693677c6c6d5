/**
 * The panels of the role dashboards that show work: vulnerability reports with their clocks,
 * submissions sent back, approvals waiting for a second assessor, watched seals by status, policy
 * misses and the latest watch events. Presentation only: what counts as open, due, waiting or
 * missed is decided by the services (findings, certification, monitoring, retail).
 * Tables are `stack` tables (one block per row on a phone, each cell under its column's name).
 */
import { Link } from "@remix-run/react";
import type { ReactNode } from "react";
import type { FindingStatus, Severity } from "../features/findings/domain/findings";
import { overdueSealsText, type HeldSeals } from "../features/findings/domain/overdue-seals";
import type { SealVerdict } from "../features/trust/domain/credential";
import { formatDate, formatDateTime } from "../platform/format";
import { ClockBadge, FindingStatusBadge, SeverityBadge } from "./FindingBits";
import { VerdictBadge } from "./SealVerdict";
import { waitingForSentence } from "../features/certification/domain/review";

type When = Date | string;

/** A dashboard card: a heading, and either its content or the sentence that says all is fine. */
export function Panel({
  id,
  title,
  empty,
  isEmpty,
  children,
  testId,
}: {
  id: string;
  title: string;
  /** What is fine when there is nothing to do ("None: …"). */
  empty: ReactNode;
  isEmpty: boolean;
  children?: ReactNode;
  testId?: string;
}) {
  return (
    <section className="card" aria-labelledby={`${id}-title`} data-testid={testId}>
      <h2 id={`${id}-title`}>{title}</h2>
      {isEmpty ? <p className="muted">{empty}</p> : children}
    </section>
  );
}

// ---------------------------------------------------------------------------------------------
// Vulnerability reports

export interface ReportRow {
  id: string;
  title: string;
  advisoryId: string | null;
  severity: Severity;
  status: FindingStatus;
  product: string;
  supplier: string;
  deadline: When;
  fixedInVersion: string | null;
  clock: { label: string; overdue: boolean; daysLeft: number };
  blocking: boolean;
  /** The current seals of its affected versions (worded by overdueSealsText when blocking). */
  heldSeals: HeldSeals;
}

/**
 * Reports with their disclosure clocks, soonest deadline first. `forAssessor`: the supplier's name
 * and the version the fix is claimed in are shown (the assessor verifies it).
 */
export function ReportTable({
  rows,
  label,
  forAssessor = false,
}: {
  rows: ReportRow[];
  label: string;
  forAssessor?: boolean;
}) {
  return (
    <div className="table-wrap">
      <table className="stack" aria-label={label}>
        <thead>
          <tr>
            <th scope="col">Report</th>
            <th scope="col">Product</th>
            <th scope="col">Severity</th>
            <th scope="col">{forAssessor ? "Fixed in" : "Status"}</th>
            <th scope="col">Disclosure deadline</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((f) => (
            <tr key={f.id} data-finding={f.id}>
              <td data-label="Report">
                <Link to={`/findings/${f.id}`}>{f.title}</Link>
                {f.advisoryId ? <div className="small muted mono">{f.advisoryId}</div> : null}
              </td>
              <td data-label="Product">
                {f.product}
                {forAssessor ? <div className="small muted">{f.supplier}</div> : null}
              </td>
              <td data-label="Severity">
                <SeverityBadge severity={f.severity} />
              </td>
              <td data-label={forAssessor ? "Fixed in" : "Status"}>
                {forAssessor ? <>firmware {f.fixedInVersion ?? "—"}</> : <FindingStatusBadge status={f.status} />}
              </td>
              <td data-label="Disclosure deadline">
                {formatDateTime(f.deadline)} <ClockBadge clock={f.clock} closed={false} />
                {f.blocking ? <div className="small">{overdueSealsText(f.heldSeals)}</div> : null}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

// ---------------------------------------------------------------------------------------------
// Submissions sent back (supplier)

export interface SentBackRow {
  id: string;
  product: string;
  firmwareVersion: string;
  checklistLabel: string;
  requestedAt: When | null;
  message: string;
  requirements: { ref: string; title: string }[];
}

export function ChangesRequestedList({ rows }: { rows: SentBackRow[] }) {
  return (
    <ul className="timeline" data-testid="changes-requested">
      {rows.map((s) => {
        const first = s.requirements[0];
        const n = s.requirements.length;
        return (
          <li key={s.id}>
            <span>
              <strong>{s.product}</strong> firmware {s.firmwareVersion} — {s.checklistLabel}:{" "}
              {`${n} requirement${n === 1 ? "" : "s"} sent back`}
              {s.requestedAt ? ` on ${formatDate(s.requestedAt)}` : ""} ({s.requirements.map((r) => r.ref).join(", ")}).
              {s.message ? <span className="small"> The assessor wrote: “{s.message}”</span> : null}
            </span>
            {first ? (
              <Link
                className="button button--small"
                to={`/supplier/submissions/${s.id}/requirements/${encodeURIComponent(first.ref)}`}
              >
                Start with requirement {first.ref}
              </Link>
            ) : (
              <Link to={`/supplier/submissions/${s.id}`}>Open the submission</Link>
            )}
          </li>
        );
      })}
    </ul>
  );
}

// ---------------------------------------------------------------------------------------------
// Four eyes (assessor)

export interface ConfirmationRow {
  submissionId: string;
  product: string;
  firmwareVersion: string;
  supplier: string;
  proposer: string;
  proposedAt: When;
  comment: string;
  canConfirm: boolean;
  /** Why it can only be sent back (a review changed since, a proposer no longer able to review it, a score that no longer approves). */
  cannotConfirm?: string | null;
}

export function ConfirmationsTable({ rows }: { rows: ConfirmationRow[] }) {
  return (
    <div className="table-wrap">
      <table className="stack" aria-label="Approvals waiting for your confirmation">
        <thead>
          <tr>
            <th scope="col">Submission</th>
            <th scope="col">Supplier</th>
            <th scope="col">Proposed by</th>
            <th scope="col">Proposed</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((c) => (
            <tr key={c.submissionId}>
              <td data-label="Submission">
                <Link to={`/assessor/submissions/${c.submissionId}`}>
                  {c.product} firmware {c.firmwareVersion}
                </Link>
                {c.canConfirm ? null : (
                  <div className="small" data-testid="cannot-confirm">
                    {c.cannotConfirm ?? "It can only be sent back."}
                  </div>
                )}
              </td>
              <td data-label="Supplier">{c.supplier}</td>
              <td data-label="Proposed by">
                {c.proposer}
                {c.comment ? <div className="small muted">“{c.comment}”</div> : null}
              </td>
              <td data-label="Proposed">{formatDateTime(c.proposedAt)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export interface MyProposalRow {
  submissionId: string;
  product: string;
  firmwareVersion: string;
  supplier: string;
  proposedAt: When;
  waitingFor: { text: string; blocked: boolean };
  /** Why nobody can confirm it as it stands, and what to do (null: it waits for a second assessor). */
  cannotConfirm?: string | null;
  /** The proposer now has a conflict of interest with the supplier: the link leads to stepping back only. */
  conflicted?: boolean;
}

export function MyProposalsList({ rows }: { rows: MyProposalRow[] }) {
  return (
    <ul className="timeline" data-testid="my-proposals">
      {rows.map((p) => (
        <li key={p.submissionId}>
          <span>
            <Link to={`/assessor/submissions/${p.submissionId}`}>
              {p.product} firmware {p.firmwareVersion}
            </Link>{" "}
            ({p.supplier}), proposed {formatDateTime(p.proposedAt)}:{" "}
            {p.cannotConfirm ? (
              <>
                <span className="badge badge--bad">
                  {p.conflicted ? "conflict of interest" : "cannot be confirmed"}
                </span>
                <div className="small" data-testid="cannot-confirm">
                  {p.cannotConfirm}
                </div>
              </>
            ) : p.waitingFor.blocked ? (
              <>
                <span className="badge badge--bad">no other assessor can confirm it</span>
                <div className="small">{waitingForSentence(p.waitingFor)}</div>
              </>
            ) : (
              <span className="badge badge--info">waiting for confirmation by {p.waitingFor.text}</span>
            )}
          </span>
        </li>
      ))}
    </ul>
  );
}

// ---------------------------------------------------------------------------------------------
// Retail buyer

/** The words of each standing a watched seal can have (the verdicts' own words, and two of the watchlist's). */
export function StandingLabel({ standing }: { standing: string }) {
  if (standing === "valid_update_required")
    return (
      <>
        <VerdictBadge verdict="valid" /> <span className="badge badge--warn">update required</span>
      </>
    );
  if (standing === "no_seal") return <span className="badge">No seal</span>;
  return <VerdictBadge verdict={standing} />;
}

/** Counts of watched seals by standing, those with none left out (the total says how many there are). */
export function StandingCounts({ counts }: { counts: Record<string, number> }) {
  const present = Object.entries(counts).filter(([, n]) => n > 0);
  return (
    <dl className="summary-counts summary-counts--standings" data-testid="watch-standings">
      {present.map(([standing, n]) => (
        <div key={standing} data-standing={standing}>
          <dt>
            <StandingLabel standing={standing} />
          </dt>
          <dd>{n}</dd>
        </div>
      ))}
    </dl>
  );
}

export interface PolicyMissRow {
  product: string;
  serial: string;
  firmware: string;
  policyName: string;
  misses: string[];
}

export function PolicyMissesList({ rows }: { rows: PolicyMissRow[] }) {
  return (
    <ul className="timeline" data-testid="policy-misses">
      {rows.map((m) => (
        <li key={`${m.serial}:${m.policyName}`}>
          <span>
            <strong>{m.product}</strong> firmware {m.firmware} (
            <Link className="mono" to={`/s/${m.serial}`}>
              {m.serial}
            </Link>
            ): <span className="badge badge--bad">Misses {m.policyName}</span>
            <ul className="small policy-results__misses">
              {m.misses.map((x) => (
                <li key={x}>{x}</li>
              ))}
            </ul>
          </span>
        </li>
      ))}
    </ul>
  );
}

/** Labels of the watch events that are not seal status changes. */
export const WATCH_EVENT_LABELS: Record<string, string> = {
  "policy.unmet": "Policy missed",
  "policy.met": "Policy met",
  "advisory.published": "Advisory published",
  "advisory.withdrawn": "Advisory withdrawn after disclosure",
  "report.recorded": "New vulnerability report",
  "report.withdrawn": "Report withdrawn",
  "product.current_seal": "Current seal changed",
};

export interface WatchEventRow {
  seq: number;
  type: string;
  serial: string | null;
  reason: string;
  product: { name: string };
  at: string;
  status?: SealVerdict;
  firmwareVersion?: unknown;
}

/** Watch events, newest first: the product, the verdict or the kind of change, the reason, the seal. */
export function WatchEventList({ events, testId }: { events: WatchEventRow[]; testId: string }) {
  return (
    <ul className="timeline" data-testid={testId}>
      {events.map((c) => (
        <li key={c.seq}>
          <time dateTime={c.at}>{formatDateTime(c.at)}</time>
          <span>
            <strong>{c.product.name}</strong>
            {typeof c.firmwareVersion === "string" ? ` firmware ${c.firmwareVersion}` : ""}:{" "}
            {c.status ? (
              <VerdictBadge verdict={c.status} />
            ) : (
              <span className="badge badge--info">{WATCH_EVENT_LABELS[c.type] ?? c.type}</span>
            )}{" "}
            {c.reason}{" "}
            {c.serial ? (
              <Link className="small" to={`/s/${c.serial}`}>
                {c.serial}
              </Link>
            ) : null}
          </span>
        </li>
      ))}
    </ul>
  );
}
