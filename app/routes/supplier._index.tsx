import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { Workspace } from "../components/Workspace";
import { requirePermission } from "../lib/session.server";
import { workspaceOverview } from "../services/dashboard.server";

export const meta: MetaFunction = () => [{ title: "Supplier workspace — IoT Seal" }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const user = await requirePermission(request, context, "supplier.workspace");
  return { user: { name: user.name, organizationName: user.organizationName }, ...workspaceOverview(user, "supplier.workspace") };
}

export default function SupplierDashboard() {
  const { user, colleagues, activity } = useLoaderData<typeof loader>();
  return (
    <Workspace
      eyebrow="Supplier workspace"
      title={`Welcome, ${user.name}`}
      intro="Register your connected products and their firmware versions, answer a checklist with evidence, and follow your submissions through assessment to a seal."
      organizationName={user.organizationName}
      colleagues={colleagues}
      activity={activity}
    />
  );
}
