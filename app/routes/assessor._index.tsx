import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { Workspace } from "../components/Workspace";
import { requirePermission } from "../features/accounts/session.server";
import { Link } from "@remix-run/react";
import { workspaceOverview } from "../features/accounts/dashboard.server";
import { assessorCounts } from "../features/certification/review.server";
import { pendingRecurringCount } from "../features/monitoring/recurring-evidence.server";

export const meta: MetaFunction = () => [{ title: "Assessor workspace — IoT Seal" }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const user = await requirePermission(request, context, "assessor.workspace");
  return {
    user: { name: user.name, organizationName: user.organizationName },
    counts: assessorCounts(user),
    recurringPending: pendingRecurringCount(user),
    ...workspaceOverview(user, "assessor.workspace"),
  };
}

export default function AssessorDashboard() {
  const { user, colleagues, activity, counts, recurringPending } = useLoaderData<typeof loader>();
  return (
    <Workspace
      eyebrow="Assessor workspace"
      title={`Welcome, ${user.name}`}
      intro="Review submitted evidence requirement by requirement, request changes, and propose or confirm approvals — a second assessor confirms every approval."
      organizationName={user.organizationName}
      colleagues={colleagues}
      activity={activity}
    >
      <div className="grid grid--3">
        <Link className="stat" to="/assessor/queue?status=submitted">
          <div className="stat__value" data-testid="waiting-count">
            {counts.waiting}
          </div>
          <div className="stat__label">submissions waiting for an assessor</div>
        </Link>
        <Link className="stat" to="/assessor/queue?status=in_review">
          <div className="stat__value">{counts.mine}</div>
          <div className="stat__label">in review by you</div>
        </Link>
        <Link className="stat" to="/assessor/recurring">
          <div className="stat__value" data-testid="recurring-count">
            {recurringPending}
          </div>
          <div className="stat__label">pieces of recurring evidence (scans, disclosure checks) to check</div>
        </Link>
        <div className="stat">
          <div className="stat__value">{counts.awaitingConfirmation.length}</div>
          <div className="stat__label">
            approvals proposed by a colleague, waiting for your confirmation
            {counts.awaitingConfirmation.map((id) => (
              <div key={id}>
                <Link to={`/assessor/submissions/${id}`}>Open</Link>
              </div>
            ))}
          </div>
        </div>
      </div>
    </Workspace>
  );
}
