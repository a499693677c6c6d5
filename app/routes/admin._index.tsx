import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { ActivityList } from "../components/Activity";
import { ORGANIZATION_KIND_LABELS, ROLE_LABELS, ROLES, ORGANIZATION_KINDS } from "../platform/roles";
import { requirePermission } from "../features/accounts/session.server";
import { adminDashboard } from "../system/activity.server";

export const meta: MetaFunction = () => [{ title: "Administration — IoT Seal" }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const user = await requirePermission(request, context, "admin.workspace");
  return { name: user.name, ...adminDashboard(user) };
}

export default function AdminDashboard() {
  const d = useLoaderData<typeof loader>();
  return (
    <>
      <div className="page-head">
        <div>
          <p className="eyebrow">Administration</p>
          <h1>Welcome, {d.name}</h1>
          <p>Users and organisations of the portal, and the audit log of everything that changed.</p>
        </div>
        <Link className="button" to="/admin/users#new-user">
          Add a user
        </Link>
      </div>
      <div className="grid grid--4">
        {ROLES.map((r) => (
          <div className="stat" key={r}>
            <div className="stat__value">{d.usersByRole[r]}</div>
            <div className="stat__label">{ROLE_LABELS[r]} accounts</div>
          </div>
        ))}
      </div>
      <div className="grid grid--2">
        <section className="card" aria-labelledby="orgs-title">
          <h2 id="orgs-title">Organisations</h2>
          <dl className="facts">
            {ORGANIZATION_KINDS.map((k) => (
              <div key={k} className="contents">
                <dt>{ORGANIZATION_KIND_LABELS[k]}</dt>
                <dd>{d.organizationsByKind[k]}</dd>
              </div>
            ))}
          </dl>
          <p className="small">
            <Link to="/admin/organizations">All organisations</Link>
          </p>
        </section>
        <section className="card" aria-labelledby="chain-title">
          <h2 id="chain-title">Audit log integrity</h2>
          <p data-testid="audit-count">
            The audit log holds {d.auditEvents} {d.auditEvents === 1 ? "event" : "events"}. Verifying the chain
            recomputes every hash, so it runs only when you ask.
          </p>
          <p className="small">
            <Link to="/admin/audit?verify=1">Verify the audit chain</Link> ·{" "}
            <Link to="/admin/audit">Open the audit log</Link>
          </p>
        </section>
      </div>
      <section className="card" aria-labelledby="recent-title">
        <h2 id="recent-title">Recent activity</h2>
        <ActivityList items={d.activity} />
      </section>
    </>
  );
}
