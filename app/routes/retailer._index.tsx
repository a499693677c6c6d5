import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { Workspace } from "../components/Workspace";
import { requirePermission } from "../features/accounts/session.server";
import { workspaceOverview } from "../features/accounts/dashboard.server";

export const meta: MetaFunction = () => [{ title: "Retail buyer workspace — IoT Seal" }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const user = await requirePermission(request, context, "retailer.workspace");
  return {
    user: { name: user.name, organizationName: user.organizationName },
    ...workspaceOverview(user, "retailer.workspace"),
  };
}

export default function RetailerDashboard() {
  const { user, colleagues, activity } = useLoaderData<typeof loader>();
  return (
    <Workspace
      eyebrow="Retail buyer workspace"
      title={`Welcome, ${user.name}`}
      intro="Verify the seals of the products you stock — one at a time or a whole CSV — and watch their status after they are on your shelves."
      organizationName={user.organizationName}
      colleagues={colleagues}
      activity={activity}
    />
  );
}
