import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { Workspace } from "../components/Workspace";
import { requirePermission } from "../lib/session.server";
import { workspaceOverview } from "../services/dashboard.server";

export const meta: MetaFunction = () => [{ title: "Assessor workspace — IoT Seal" }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const user = await requirePermission(request, context, "assessor.workspace");
  return { user: { name: user.name, organizationName: user.organizationName }, ...workspaceOverview(user, "assessor.workspace") };
}

export default function AssessorDashboard() {
  const { user, colleagues, activity } = useLoaderData<typeof loader>();
  return (
    <Workspace
      eyebrow="Assessor workspace"
      title={`Welcome, ${user.name}`}
      intro="Review submitted evidence requirement by requirement, request changes, and propose or confirm approvals — a second assessor confirms every approval."
      organizationName={user.organizationName}
      colleagues={colleagues}
      activity={activity}
    />
  );
}
