import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { Workspace } from "../components/Workspace";
import { ConfirmationsTable, MyProposalsList, Panel, ReportTable } from "../components/Dashboards";
import { StandingBadge } from "../components/RecurringStatus";
import { requirePermission } from "../features/accounts/session.server";
import { workspaceDashboard } from "../system/activity.server";
import { assessorWork } from "../features/certification/review.server";
import { craReportsDue, fixesToVerify } from "../features/findings/dashboard.server";
import { FindingStatusBadge } from "../components/FindingBits";
import { pendingRecurringCount, recurringQueue } from "../features/monitoring/recurring-evidence.server";
import { formatDate } from "../platform/format";
import { NextCraClock } from "../components/CraClocks";

export const meta: MetaFunction = () => [{ title: "Assessor workspace — IoT Seal" }];

/** How many pieces of recurring evidence the dashboard lists (the rest are on /assessor/recurring). */
const RECURRING_SHOWN = 5;

export async function loader({ request, context }: LoaderFunctionArgs) {
  const user = await requirePermission(request, context, "assessor.workspace");
  const queue = recurringQueue(user); // oldest first; those of a supplier the assessor is conflicted with are marked
  return {
    user: { name: user.name, organizationName: user.organizationName },
    work: assessorWork(user),
    fixes: fixesToVerify(user),
    craDue: craReportsDue(user),
    recurringPending: pendingRecurringCount(user),
    recurring: queue.slice(0, RECURRING_SHOWN),
    recurringTotal: queue.length,
    ...workspaceDashboard(user, "assessor.workspace"),
  };
}

export default function AssessorDashboard() {
  const { user, colleagues, activity, work, fixes, craDue, recurringPending, recurring, recurringTotal } =
    useLoaderData<typeof loader>();
  return (
    <Workspace
      eyebrow="Assessor workspace"
      title={`Welcome, ${user.name}`}
      intro="Review submitted evidence requirement by requirement, request changes, and propose or confirm approvals — a second assessor confirms every approval."
      organizationName={user.organizationName}
      colleagues={colleagues}
      activity={activity}
    >
      <div className="grid grid--4" data-testid="queue-counts">
        <Link className="stat" to="/assessor/queue?status=submitted">
          <div className="stat__value" data-testid="waiting-count">
            {work.counts.waiting}
          </div>
          <div className="stat__label">
            {work.counts.waiting === 1 ? "submission" : "submissions"} waiting for an assessor
          </div>
        </Link>
        <Link className="stat" to="/assessor/queue?status=in_review">
          <div className="stat__value" data-testid="mine-count">
            {work.counts.mine}
          </div>
          <div className="stat__label">in review by you</div>
        </Link>
        <Link className="stat" to="/assessor/queue?status=in_review">
          <div className="stat__value" data-testid="others-count">
            {work.counts.others}
          </div>
          <div className="stat__label">in review by other assessors</div>
        </Link>
        <Link className="stat" to="/assessor/recurring">
          <div className="stat__value" data-testid="recurring-count">
            {recurringPending}
          </div>
          <div className="stat__label">
            {recurringPending === 1 ? "piece" : "pieces"} of recurring evidence (scans, disclosure checks) to check
          </div>
        </Link>
      </div>
      <Panel
        id="confirmations"
        title="Confirmations waiting for you"
        testId="confirmations"
        isEmpty={work.confirmations.length === 0}
        empty="None: no approval proposed by another assessor is waiting for your confirmation."
      >
        <p className="small">
          {work.confirmations.length === 1
            ? "1 approval proposed by another assessor is waiting for your confirmation."
            : `${work.confirmations.length} approvals proposed by other assessors are waiting for your confirmation.`}{" "}
          Four eyes: confirm each or send it back with a reason.
        </p>
        <ConfirmationsTable rows={work.confirmations} />
      </Panel>
      {work.myProposals.length ? (
        <Panel id="my-proposals" title="Your proposals" isEmpty={false} empty="">
          <MyProposalsList rows={work.myProposals} />
        </Panel>
      ) : null}
      <Panel
        id="fixes"
        title="Fixes to verify"
        testId="fixes-to-verify"
        isEmpty={fixes.length === 0}
        empty="None: no supplier has claimed a fix that waits for verification."
      >
        <ReportTable rows={fixes} label="Fixes to verify" forAssessor />
      </Panel>
      {craDue.length ? (
        <Panel id="cra-due" title="CRA Article 14 reports due" testId="cra-due" isEmpty={false} empty="">
          <p className="small">
            Reports flagged actively exploited or a severe incident, with the next submission the supplier owes the
            authority; a verified fix does not end this (the final report is still due).
          </p>
          <ul className="timeline">
            {craDue.map((r) => (
              <li key={r.id} data-finding={r.id}>
                <span>
                  <Link to={`/findings/${r.id}`}>{r.title}</Link> — {r.product} ({r.supplier}){" "}
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
        id="recurring"
        title="Recurring evidence to check"
        testId="recurring-to-check"
        isEmpty={recurring.length === 0}
        empty="None: no supplier's fresh evidence is waiting for an assessor."
      >
        <ul className="timeline">
          {recurring.map((r) => (
            <li key={r.id}>
              <span>
                {r.conflict ? (
                  <>
                    <span className="requirement__ref">{r.ref}</span> {r.title}{" "}
                    <span className="badge badge--bad">conflict of interest</span>
                  </>
                ) : (
                  <Link to={`/assessor/recurring/${r.id}`}>
                    <span className="requirement__ref">{r.ref}</span> {r.title}
                  </Link>
                )}{" "}
                — {r.product} firmware {r.firmware} ({r.supplier}), sent {formatDate(r.submittedAt)}
                {r.dueAt && r.standing ? (
                  <>
                    ; requirement due {formatDate(r.dueAt)}{" "}
                    <StandingBadge standing={r.standing} daysUntilDue={r.daysUntilDue} />
                  </>
                ) : null}
              </span>
            </li>
          ))}
        </ul>
        {recurringTotal > recurring.length ? (
          <p className="small">
            <Link to="/assessor/recurring">All {recurringTotal} in the recurring evidence queue</Link>
          </p>
        ) : null}
      </Panel>
    </Workspace>
  );
}
