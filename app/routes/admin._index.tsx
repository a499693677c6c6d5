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
      <section className="card" aria-labelledby="two-step-title">
        <h2 id="two-step-title">Two-step login</h2>
        <div className="table-wrap">
          <table className="stack" data-testid="two-step-adoption">
            <thead>
              <tr>
                <th scope="col">Role</th>
                <th scope="col" className="num">
                  Active accounts
                </th>
                <th scope="col" className="num">
                  With two-step login
                </th>
                <th scope="col">Required here</th>
              </tr>
            </thead>
            <tbody>
              {ROLES.map((r) => {
                const t = d.twoStep[r];
                const missing = t.accounts - t.on;
                return (
                  <tr key={r}>
                    <td data-label="Role">{ROLE_LABELS[r]}</td>
                    <td className="num" data-label="Active accounts">
                      {t.accounts}
                    </td>
                    <td className="num" data-label="With two-step login">
                      {t.on}
                      {t.accounts ? <span className="muted"> ({Math.round((100 * t.on) / t.accounts)}%)</span> : null}
                    </td>
                    <td data-label="Required here">
                      {t.required ? (
                        <>
                          Yes
                          {missing ? (
                            <span className="muted"> · {missing} still to set it up (asked at their next page)</span>
                          ) : null}
                        </>
                      ) : (
                        <span className="muted">No</span>
                      )}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
        <p className="small">
          TWO_STEP_REQUIRED_FOR (README) makes it required for roles. Who has it on is on{" "}
          <Link to="/admin/users">Users</Link>.
        </p>
      </section>
      <section className="card" aria-labelledby="keys-title">
        <h2 id="keys-title">Keys of secrets kept in the database</h2>
        <p className="small">
          So that a copy of the database alone (a replica, a backup of the file) gives none of them away, these secrets
          are kept encrypted under key files in the data directory&apos;s <code>keys/</code>, beside the seal signing
          keys. Back <code>keys/</code> up with the database (<code>npm run backup</code> does).
        </p>
        <div className="table-wrap">
          <table className="stack" data-testid="keys-at-rest">
            <thead>
              <tr>
                <th scope="col">Kept encrypted</th>
                <th scope="col">Key file</th>
                <th scope="col">In use for</th>
                <th scope="col">State</th>
              </tr>
            </thead>
            <tbody>
              {d.keysAtRest.map((k) => (
                <tr key={k.file}>
                  <td data-label="Kept encrypted">{k.keeps}</td>
                  <td data-label="Key file" className="mono">
                    keys/{k.file}
                  </td>
                  <td data-label="In use for">{k.sealedFor}</td>
                  <td data-label="State">
                    {k.problem ? (
                      <span className="badge badge--bad" data-status="key-problem">
                        {k.state === "missing"
                          ? "Missing"
                          : k.state === "unreadable"
                            ? "Cannot be read"
                            : `Not the key of ${k.cannotOpen}`}
                      </span>
                    ) : k.state === "usable" ? (
                      <span className="badge badge--ok">Present</span>
                    ) : (
                      <span className="muted">Made when first needed</span>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        {d.keysAtRest
          .filter((k) => k.problem)
          .map((k) => (
            <p className="alert alert--error" role="alert" key={k.file}>
              {k.problem}
            </p>
          ))}
      </section>
      <section className="card" aria-labelledby="recent-title">
        <h2 id="recent-title">Recent activity</h2>
        <ActivityList items={d.activity} />
      </section>
    </>
  );
}
