import { craHandledLine, type CraPublicFlag } from "../features/findings/domain/cra-clocks";
import { Form } from "@remix-run/react";
import { SubmitButton } from "./SubmitButton";
import { ConfirmTick } from "./Field";
import { formatDate } from "../platform/format";

/** How the report is flagged, as the embargo box says it (Article 14 named only where it applies). */
const FLAGGED_AS: Record<CraPublicFlag, string> = {
  exploited: "under CRA Article 14",
  incident: "under CRA Article 14",
  exploited_before_article_14: "actively exploited",
  incident_before_article_14: "a severe incident",
};

/** A finding's disclosure state as the disclosure service describes it (app/features/findings/disclosure.server.ts). */
export interface DisclosureStateView {
  advisoryId: string | null;
  public: boolean;
  label: string;
  reason: string;
  canPublish: boolean;
  /** Set when the report was withdrawn after its advisory was disclosed. */
  withdrawnOn?: string | null;
}

/** The advisory id and whether it is public (the /findings list). */
export function DisclosureState({ disclosure: d }: { disclosure: DisclosureStateView }) {
  return (
    <span data-testid="disclosure-state">
      {d.advisoryId ? <span className="mono">{d.advisoryId}</span> : null}
      <br />
      <span className={d.public ? "small" : "small muted"}>{d.label}</span>
    </span>
  );
}

/**
 * The disclosure box of a finding's page: its advisory id and state, and for the supplier, while
 * it is embargoed, the confirmed "publish now" form (works without JavaScript).
 */
export function FindingDisclosurePanel({
  disclosure: d,
  severity,
  craFlagged = null,
  version,
  error,
  busy,
}: {
  disclosure: DisclosureStateView;
  severity: string;
  /** Flagged actively exploited or a severe incident (under CRA Article 14 or before it applied): watching buyers are shown that much more. */
  craFlagged?: CraPublicFlag | null;
  version: number;
  error?: string;
  busy: boolean;
}) {
  return (
    <section className="card" aria-labelledby="disclosure-title" data-testid="finding-disclosure">
      <h2 id="disclosure-title">Public advisory</h2>
      <p>
        {d.advisoryId ? <strong className="mono">{d.advisoryId}</strong> : null}: {d.label}.
      </p>
      {d.public && d.withdrawnOn ? (
        <p className="small" data-testid="withdrawn-after-disclosure">
          The report was withdrawn on {formatDate(d.withdrawnOn)}, after its advisory was disclosed. A published
          advisory cannot be un-published: it stays on the product's public seal pages and in the API, marked "withdrawn
          after disclosure", and watching buyers were told.
        </p>
      ) : d.public ? (
        <p className="small muted">
          The product's public seal pages and the seal API show its title, severity, affected and fixed firmware
          versions and dates; never the description, the reporter or the CVSS vector. Buyers watching the product were
          told.
        </p>
      ) : d.reason === "embargoed" ? (
        // Exactly what advisories.server.ts shows a watching buyer of an embargoed report (the seal page, the
        // watchlist, the watch feed): its severity in the open count and, once flagged, one line more (naming CRA
        // Article 14 only where it applies).
        <p className="small muted" data-testid="embargo-scope">
          Until then nothing about it is public: no title, no severity. Buyers watching the product see only that an
          open report of this severity is under embargo (counted by severity), never its title or details
          {craFlagged
            ? `; because it is flagged ${FLAGGED_AS[craFlagged]}, they also see "${craHandledLine(craFlagged, severity)}".`
            : "."}
        </p>
      ) : null}
      {d.canPublish ? (
        <Form method="post" className="stack status-change" aria-label="Publish the advisory now">
          <input type="hidden" name="intent" value="publish" />
          <input type="hidden" name="version" value={version} />
          <p className="small">
            You may publish the advisory before its time, for example once your customers have the update. Its title,
            severity, affected firmware versions and the date reported appear on the product's public seal pages and in
            the API at once, and watching buyers are told. This cannot be undone.
          </p>
          <div className={error ? "field field--error" : "field"}>
            <ConfirmTick required={false} small={false} error={error}>
              Publish {d.advisoryId} now; I understand it cannot be undone
            </ConfirmTick>
          </div>
          <SubmitButton className="button" busy={busy}>
            Publish the advisory now
          </SubmitButton>
        </Form>
      ) : null}
    </section>
  );
}
