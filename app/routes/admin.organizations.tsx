import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { formatBytes, formatDate } from "../platform/format";
import { requirePermission } from "../features/accounts/session.server";
import { organizationsOverview } from "../system/organizations.server";

export const meta: MetaFunction = () => [{ title: "Organisations — IoT Seal administration" }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const admin = await requirePermission(request, context, "admin.users.manage");
  return { organizations: organizationsOverview(admin) };
}

type Row = ReturnType<typeof useLoaderData<typeof loader>>["organizations"][number];
type Supplier = NonNullable<Row["supplier"]>;

/** The organisation's name, and a link to what the audit log holds of it (the log's organisation filter). */
function OrganizationName({ o }: { o: Row }) {
  return (
    <>
      {o.name}
      <div className="small">
        <Link to={`/admin/audit?organization=${encodeURIComponent(o.id)}`} aria-label={`Audit log of ${o.name}`}>
          Audit log
        </Link>
      </div>
    </>
  );
}

function Seals({ s }: { s: Supplier["seals"] }) {
  const ended = [s.expired ? `${s.expired} expired` : "", s.revoked ? `${s.revoked} revoked` : ""].filter(Boolean);
  if (!s.valid && !s.suspended && !ended.length) return <span className="muted">none</span>;
  return (
    <>
      {s.valid ? <span className="badge badge--ok">{s.valid} valid</span> : null}{" "}
      {s.suspended ? <span className="badge badge--warn">{s.suspended} suspended</span> : null}
      {ended.length ? <div className="muted small">{ended.join(", ")}</div> : null}
    </>
  );
}

function Submissions({ s }: { s: Supplier["submissions"] }) {
  if (!s.withSupplier && !s.withAssessors) return <span className="muted">none under way</span>;
  return (
    <>
      {s.withAssessors ? <div>{s.withAssessors} with the assessors</div> : null}
      {s.withSupplier ? <div className="muted small">{s.withSupplier} in preparation</div> : null}
    </>
  );
}

function Reports({ f }: { f: Supplier["findings"] }) {
  if (!f.open) return <span className="muted">none open</span>;
  return (
    <>
      {f.open} open {f.overdue ? <span className="badge badge--bad">{f.overdue} past the deadline</span> : null}
    </>
  );
}

function Evidence({ e }: { e: Supplier["evidence"] }) {
  const percent = e.quotaBytes ? Math.min(100, Math.round((e.usedBytes / e.quotaBytes) * 100)) : 0;
  return (
    <>
      <div>
        {formatBytes(e.usedBytes)} of {formatBytes(e.quotaBytes)}
      </div>
      <meter min={0} max={100} low={80} high={95} optimum={0} value={percent} aria-label="Evidence quota used" />
    </>
  );
}

export default function AdminOrganizations() {
  const { organizations } = useLoaderData<typeof loader>();
  const suppliers = organizations.filter((o) => o.kind === "supplier");
  const retailers = organizations.filter((o) => o.kind === "retailer");
  const certifiers = organizations.filter((o) => o.kind === "certifier");
  return (
    <>
      <div className="page-head">
        <div>
          <p className="eyebrow">Administration</p>
          <h1>Organisations</h1>
          <p>
            Suppliers and retailers register themselves; the certification body employs the assessors. What each
            supplier has on the portal now: its products, its seals by status, its submissions under way, its
            vulnerability reports still open and the evidence it stores.
          </p>
        </div>
      </div>
      <section className="card" aria-labelledby="suppliers-title">
        <h2 id="suppliers-title">Suppliers ({suppliers.length})</h2>
        {suppliers.length ? (
          <div className="table-wrap">
            <table className="stack" data-testid="suppliers">
              <thead>
                <tr>
                  <th>Name</th>
                  <th className="num">Members</th>
                  <th className="num">Products</th>
                  <th>Seals</th>
                  <th>Submissions</th>
                  <th>Vulnerability reports</th>
                  <th>Evidence stored</th>
                  <th>Registered</th>
                </tr>
              </thead>
              <tbody>
                {suppliers.map((o) => (
                  <tr key={o.id}>
                    <td data-label="Name">
                      <OrganizationName o={o} />
                    </td>
                    <td className="num" data-label="Members">
                      {o.members}
                    </td>
                    <td className="num" data-label="Products">
                      {o.supplier!.products}
                    </td>
                    <td data-label="Seals">
                      <Seals s={o.supplier!.seals} />
                    </td>
                    <td data-label="Submissions">
                      <Submissions s={o.supplier!.submissions} />
                    </td>
                    <td data-label="Vulnerability reports">
                      <Reports f={o.supplier!.findings} />
                    </td>
                    <td data-label="Evidence stored">
                      <Evidence e={o.supplier!.evidence} />
                    </td>
                    <td data-label="Registered">{formatDate(o.createdAt)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        ) : (
          <p className="muted">No supplier has registered yet.</p>
        )}
      </section>
      <div className="grid grid--2">
        <section className="card" aria-labelledby="retailers-title">
          <h2 id="retailers-title">Retailers ({retailers.length})</h2>
          {retailers.length ? (
            <div className="table-wrap">
              <table className="stack" data-testid="retailers">
                <thead>
                  <tr>
                    <th>Name</th>
                    <th className="num">Members</th>
                    <th className="num">Watched products</th>
                    <th>Registered</th>
                  </tr>
                </thead>
                <tbody>
                  {retailers.map((o) => (
                    <tr key={o.id}>
                      <td data-label="Name">
                        <OrganizationName o={o} />
                      </td>
                      <td className="num" data-label="Members">
                        {o.members}
                      </td>
                      <td className="num" data-label="Watched products">
                        {o.watching}
                      </td>
                      <td data-label="Registered">{formatDate(o.createdAt)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          ) : (
            <p className="muted">No retailer has registered yet.</p>
          )}
        </section>
        <section className="card" aria-labelledby="certifiers-title">
          <h2 id="certifiers-title">Certification body</h2>
          <div className="table-wrap">
            <table className="stack" data-testid="certifiers">
              <thead>
                <tr>
                  <th>Name</th>
                  <th className="num">Members</th>
                  <th>Registered</th>
                </tr>
              </thead>
              <tbody>
                {certifiers.map((o) => (
                  <tr key={o.id}>
                    <td data-label="Name">
                      <OrganizationName o={o} />
                    </td>
                    <td className="num" data-label="Members">
                      {o.members}
                    </td>
                    <td data-label="Registered">{formatDate(o.createdAt)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </section>
      </div>
    </>
  );
}
