import { Link } from "@remix-run/react";
import type { DisclosureReason, PublicAdvisory } from "../features/findings/domain/disclosure";
import { SEVERITIES, SEVERITY_LABELS, type Severity } from "../features/findings/domain/findings";
import { csafPathOfAdvisory } from "../features/findings/domain/csaf-directory";
import { formatDate } from "../platform/format";
import {
  craFlagUnderArticle14,
  craHandledLine,
  craHandledWhat,
  type CraPublicFlag,
} from "../features/findings/domain/cra-clocks";
import { SeverityBadge } from "./FindingBits";

/** What the advisories service built for this viewer (see app/features/findings/advisories.server.ts); nothing is decided here. */
export interface AdvisoriesView {
  advisories: PublicAdvisory[];
  openEmbargoed: { count: number; bySeverity: Record<Severity, number> } | null;
  audience: "public" | "watcher" | "staff";
  /** CRA Article 14: open embargoed reports flagged actively exploited, by severity only (watchers). */
  exploitedEmbargoed?: Severity[];
  /** The same for reports flagged a severe incident only. */
  incidentEmbargoed?: Severity[];
  /** The same two for flags the supplier became aware of before Article 14 applied: no report to the authority is due. */
  exploitedBeforeArticle14?: Severity[];
  incidentBeforeArticle14?: Severity[];
  /** Fixed firmware versions with a valid seal of their own (certified), with that seal's serial. */
  certifiedFixes?: Record<string, string>;
}

// A fix the certification body's assessor verified is not a certified firmware: "verified" here, and the
// fixed firmware is called certified only when it has a valid seal of its own (decision 015).
const REASON_TEXT: Record<DisclosureReason, string> = {
  fix_certified: "fix verified",
  deadline_passed: "disclosure deadline passed",
  published_by_supplier: "published early by the supplier",
};

/** "1 high, 2 medium" (most severe first; severities with none left out). */
export function severityCounts(bySeverity: Record<Severity, number>): string {
  return SEVERITIES.filter((s) => bySeverity[s] > 0)
    .map((s) => `${bySeverity[s]} ${SEVERITY_LABELS[s].toLowerCase()}`)
    .join(", ");
}

/** "2 open reports under embargo: 1 high, 1 low" (or "No open reports under embargo"). */
export function embargoSummary(open: { count: number; bySeverity: Record<Severity, number> }): string {
  if (open.count === 0) return "No open reports under embargo";
  return `${open.count} open report${open.count === 1 ? "" : "s"} under embargo: ${severityCounts(open.bySeverity)}`;
}

/**
 * "1.0 (hardware B), 1.1 (hardware B, C)": each affected firmware version with the hardware revisions
 * it is affected in (a report against revision B only does not read as every revision of 1.0).
 */
export function affectedText(a: Pick<PublicAdvisory, "affectedVersions" | "affected">): string {
  if (!a.affected?.length) return a.affectedVersions.join(", ");
  const byFirmware = new Map<string, string[]>();
  for (const v of a.affected)
    byFirmware.set(v.firmwareVersion, [...(byFirmware.get(v.firmwareVersion) ?? []), v.hardwareRevision]);
  const order = [...a.affectedVersions, ...byFirmware.keys()].filter((fw, i, all) => all.indexOf(fw) === i);
  return order
    .map((fw) => (byFirmware.has(fw) ? `${fw} (hardware ${[...new Set(byFirmware.get(fw))].join(", ")})` : fw))
    .join(", ");
}

const Day = ({ value }: { value: string | null }) =>
  value ? <time dateTime={value}>{formatDate(value)}</time> : <span className="muted">—</span>;

/** The "Security advisories" section of a public seal page. */
export function SealAdvisories({ view }: { view: AdvisoriesView }) {
  return (
    <section className="card" aria-labelledby="advisories-title" data-testid="advisories">
      <h2 id="advisories-title">Security advisories</h2>
      <p className="small muted">
        Vulnerability reports about this product follow coordinated disclosure: an advisory is published here when the
        certification body&apos;s assessor verifies the fix, when its disclosure deadline passes, or earlier if the
        supplier chooses. Until then its details stay with the supplier and the certification body.
      </p>
      {view.openEmbargoed ? (
        <p className={view.openEmbargoed.count ? "alert alert--warn" : "alert alert--info"} data-testid="embargoed">
          <strong>{embargoSummary(view.openEmbargoed)}</strong>
          {view.openEmbargoed.count ? " — details are published when fixed or at the deadline." : "."}{" "}
          <span className="small">You see this because your organisation watches this product.</span>
        </p>
      ) : null}
      {craLines(view).map(({ flag, severity }, i) =>
        craFlagUnderArticle14(flag) ? (
          <p key={i} className="alert alert--error" data-testid="exploited-embargoed">
            <strong>{craHandledWhat(flag, severity)}</strong> under the EU Cyber Resilience Act&apos;s reporting
            obligations (Regulation (EU) 2024/2847, Article 14); details are published when fixed or at the deadline.
          </p>
        ) : (
          <p key={i} className="alert alert--error" data-testid="exploited-embargoed">
            <strong>{craHandledLine(flag, severity)}</strong>; details are published when fixed or at the deadline.
          </p>
        ),
      )}
      {view.audience === "staff" ? (
        <p className="small muted">
          You see this section as the public does. The full reports are under{" "}
          <Link to="/findings">Vulnerability reports</Link>.
        </p>
      ) : null}
      {view.advisories.length === 0 ? (
        <p className="muted" data-testid="no-advisories">
          No published advisories for this product.
        </p>
      ) : (
        <div className="table-wrap">
          <table className="advisory-list stack" data-testid="advisory-list">
            <thead>
              <tr>
                <th scope="col">Advisory</th>
                <th scope="col">Severity</th>
                <th scope="col">Affected firmware</th>
                <th scope="col">Fixed firmware</th>
                <th scope="col">Reported</th>
                <th scope="col">Fix verified</th>
                <th scope="col">Disclosed</th>
              </tr>
            </thead>
            <tbody>
              {view.advisories.map((a) => (
                <tr key={a.advisoryId} id={a.advisoryId} data-testid="advisory">
                  <td data-label="Advisory">
                    <span className="mono">{a.advisoryId}</span>
                    <br />
                    <strong>{a.title}</strong>
                    <br />
                    <a
                      className="small"
                      href={csafPathOfAdvisory(a)}
                      type="application/json"
                      data-testid="advisory-csaf"
                    >
                      Machine-readable: CSAF 2.0
                    </a>
                    {a.withdrawnOn ? (
                      <>
                        <br />
                        <span className="badge" data-testid="advisory-withdrawn">
                          Withdrawn after disclosure on {a.disclosedOn}
                        </span>{" "}
                        <span className="small muted">
                          The certification body withdrew the report on {formatDate(a.withdrawnOn)}. A published
                          advisory cannot be un-published, so it stays here, marked.
                        </span>
                      </>
                    ) : null}
                  </td>
                  <td data-label="Severity">
                    <SeverityBadge severity={a.severity} />
                  </td>
                  <td data-label="Affected firmware">{affectedText(a)}</td>
                  <td data-label="Fixed firmware">
                    {a.fixedInVersion ?? <span className="muted">not yet</span>}
                    {a.fixedInVersion && view.certifiedFixes?.[a.fixedInVersion] ? (
                      <>
                        <br />
                        <span className="small" data-testid="fix-certified">
                          certified: seal{" "}
                          <Link to={`/s/${view.certifiedFixes[a.fixedInVersion]}`} className="mono">
                            {view.certifiedFixes[a.fixedInVersion]}
                          </Link>
                        </span>
                      </>
                    ) : null}
                  </td>
                  <td data-label="Reported">
                    <Day value={a.reportedOn} />
                  </td>
                  <td data-label="Fix verified">
                    <Day value={a.fixedOn} />
                  </td>
                  <td data-label="Disclosed">
                    <Day value={a.disclosedOn} />
                    <br />
                    <span className="small muted">{REASON_TEXT[a.reason]}</span>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

/** A watched product's advisories on the watchlist: the public count (linking to the seal page) and the embargoed open count by severity. */
export function WatchedAdvisories({
  summary,
  serial,
}: {
  summary?: {
    advisoryIds: string[];
    openEmbargoed: { count: number; bySeverity: Record<Severity, number> };
    exploitedEmbargoed?: Severity[];
    incidentEmbargoed?: Severity[];
    exploitedBeforeArticle14?: Severity[];
    incidentBeforeArticle14?: Severity[];
  };
  serial: string | null;
}) {
  if (!summary) return <span className="muted">—</span>;
  const n = summary.advisoryIds.length;
  const open = summary.openEmbargoed;
  return (
    <span data-testid="watched-advisories">
      {n === 0 ? (
        <span className="muted">No advisories</span>
      ) : serial ? (
        <Link to={`/s/${serial}#advisories-title`} title={summary.advisoryIds.join(", ")}>
          {n} advisor{n === 1 ? "y" : "ies"}
        </Link>
      ) : (
        <span title={summary.advisoryIds.join(", ")}>
          {n} advisor{n === 1 ? "y" : "ies"}
        </span>
      )}
      {open.count ? (
        <>
          <br />
          <span
            className="badge badge--warn badge--wrap"
            title="Open reports under embargo: details are published when fixed or at the deadline."
          >
            {open.count} open under embargo: {severityCounts(open.bySeverity)}
          </span>
        </>
      ) : null}
      {craLines(summary).map(({ flag, severity }, i) => (
        <span key={i}>
          <br />
          <span className="badge badge--bad badge--wrap" data-testid="exploited-embargoed">
            {craHandledLine(flag, severity)}
          </span>
        </span>
      ))}
    </span>
  );
}

/**
 * The flagged-report lines a watcher is shown: the actively exploited reports first, then the severe
 * incidents; those under CRA Article 14 before those the supplier became aware of before it applied.
 */
function craLines(
  v: Pick<
    AdvisoriesView,
    "exploitedEmbargoed" | "incidentEmbargoed" | "exploitedBeforeArticle14" | "incidentBeforeArticle14"
  >,
) {
  const of = (flag: CraPublicFlag, severities: Severity[] = []) => severities.map((severity) => ({ flag, severity }));
  return [
    ...of("exploited", v.exploitedEmbargoed),
    ...of("exploited_before_article_14", v.exploitedBeforeArticle14),
    ...of("incident", v.incidentEmbargoed),
    ...of("incident_before_article_14", v.incidentBeforeArticle14),
  ];
}
