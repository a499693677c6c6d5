import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { readForm } from "../platform/http/request-body.server";
import { redirect } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { FormError } from "../components/Field";
import { Workspace } from "../components/Workspace";
import { attempt } from "../platform/http/action-errors.server";
import { formatDate } from "../platform/format";
import { requirePermission } from "../features/accounts/session.server";
import { workspaceDashboard } from "../system/activity.server";
import { expiringSeals, startRenewal } from "../features/certification/submissions.server";
import { RENEWAL_WINDOW_DAYS } from "../features/certification/domain/submission-state";
import { RecurringDuePanel } from "../components/RecurringDue";
import { supplierRecurringDue } from "../features/monitoring/recurring-evidence.server";
import { ownEvidenceQuota } from "../features/certification/evidence-quota.server";
import { quotaUsageLine } from "../features/certification/domain/evidence-quota";
import { craReportsDue, supplierOpenReports } from "../features/findings/dashboard.server";
import { FindingStatusBadge } from "../components/FindingBits";
import { changesRequestedOf } from "../features/certification/dashboard.server";
import { ChangesRequestedList, Panel, ReportTable } from "../components/Dashboards";
import { NextCraClock } from "../components/CraClocks";

export const meta: MetaFunction = () => [{ title: "Supplier workspace — IoT Seal" }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const user = await requirePermission(request, context, "supplier.workspace");
  return {
    user: { name: user.name, organizationName: user.organizationName },
    // Each read is scoped to the user's own organisation by its service.
    reports: supplierOpenReports(user),
    craDue: craReportsDue(user),
    changesRequested: changesRequestedOf(user),
    expiring: expiringSeals(user),
    recurring: supplierRecurringDue(user),
    evidenceQuota: quotaUsageLine(ownEvidenceQuota(user)),
    ...workspaceDashboard(user, "supplier.workspace"),
  };
}

/** Start the renewal of a seal: a new submission pre-filled with the previous answers and evidence. */
export async function action({ request, context }: ActionFunctionArgs) {
  const user = await requirePermission(request, context, "supplier.workspace");
  const serial = String((await readForm(request)).get("serial") ?? "");
  const r = await attempt(() => startRenewal(user, serial));
  if (!r.ok) return r.response;
  throw redirect(`/supplier/submissions/${r.value}`);
}

export default function SupplierDashboard() {
  const { user, colleagues, activity, reports, craDue, changesRequested, expiring, recurring, evidenceQuota } =
    useLoaderData<typeof loader>();
  const a = useActionData<typeof action>();
  return (
    <Workspace
      eyebrow="Supplier workspace"
      title={`Welcome, ${user.name}`}
      intro="Register your connected products and their firmware versions, answer a checklist with evidence, and follow your submissions through assessment to a seal."
      organizationName={user.organizationName}
      colleagues={colleagues}
      activity={activity}
    >
      <Panel
        id="reports"
        title="Open vulnerability reports"
        testId="open-reports"
        isEmpty={reports.length === 0}
        empty="None: no vulnerability report against your products is waiting for an answer."
      >
        <p className="small">
          Answer each before its disclosure deadline: a critical or high report still open past it suspends the
          product&apos;s seals, and its advisory becomes public.
        </p>
        <ReportTable rows={reports} label="Open vulnerability reports" />
      </Panel>
      {craDue.length ? (
        <Panel id="cra-due" title="CRA Article 14 reports to submit" testId="cra-due" isEmpty={false} empty="">
          <p className="small">
            Reports flagged actively exploited or a severe incident, with the next submission each owes the authority
            (the CSIRT coordinator, through ENISA&apos;s single reporting platform). A verified fix does not end this:
            the final report is still due.
          </p>
          <ul className="timeline">
            {craDue.map((r) => (
              <li key={r.id} data-finding={r.id}>
                <span>
                  <Link to={`/findings/${r.id}`}>{r.title}</Link> — {r.product}{" "}
                  {r.open ? null : <FindingStatusBadge status={r.status} />}
                </span>
                {r.cra ? (
                  <span className="small">
                    <NextCraClock clock={r.cra} withArticle />
                  </span>
                ) : null}
              </li>
            ))}
          </ul>
        </Panel>
      ) : null}
      <Panel
        id="changes"
        title="Changes requested"
        testId="changes-requested-panel"
        isEmpty={changesRequested.length === 0}
        empty="None: no assessor is waiting for changes from you."
      >
        <ChangesRequestedList rows={changesRequested} />
      </Panel>
      <RecurringDuePanel due={recurring.due} monitored={recurring.monitored} dueSoonDays={recurring.dueSoonDays} />
      <section className="card" aria-labelledby="expiring-title">
        <h2 id="expiring-title">{`Seals expiring within ${RENEWAL_WINDOW_DAYS} days`}</h2>
        <FormError message={a && !a.ok ? a.formError : undefined} />
        {expiring.length === 0 ? (
          <p className="muted">{`None: every active or suspended seal is valid for more than ${RENEWAL_WINDOW_DAYS} days.`}</p>
        ) : (
          <ul className="timeline" data-testid="expiring-seals">
            {expiring.map((e) => (
              <li key={e.serial}>
                <span>
                  <strong>{e.product}</strong> firmware {e.firmware} — seal{" "}
                  <Link to={`/s/${e.serial}`}>{e.serial}</Link> expires {formatDate(e.validUntil)} (
                  {e.daysLeft <= 0 ? "less than a day left" : `${e.daysLeft} day${e.daysLeft === 1 ? "" : "s"} left`}).
                </span>
                {e.renewal ? (
                  <Link to={`/supplier/submissions/${e.renewal.id}`}>
                    Renewal in progress ({e.renewal.status.replace("_", " ")})
                  </Link>
                ) : (
                  <Form method="post">
                    <input type="hidden" name="serial" value={e.serial} />
                    <button className="button button--small" type="submit">
                      Start renewal
                    </button>
                  </Form>
                )}
              </li>
            ))}
          </ul>
        )}
        <p className="small">
          <Link to="/supplier/seals">All your seals</Link>, with those expired, revoked or replaced.
        </p>
      </section>
      <p className="muted page-note" data-testid="evidence-quota">
        {evidenceQuota} Each file your submissions and recurring evidence use counts once; evidence you remove stops
        counting.
      </p>
    </Workspace>
  );
}
