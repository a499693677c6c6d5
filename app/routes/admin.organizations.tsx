import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { ORGANIZATION_KIND_LABELS, type OrganizationKind } from "../platform/roles";
import { formatDate } from "../platform/format";
import { requirePermission } from "../features/accounts/session.server";
import { listOrganizations } from "../features/accounts/users.server";
import { ScrollBox } from "../components/ScrollBox";

export const meta: MetaFunction = () => [{ title: "Organisations — IoT Seal administration" }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const admin = await requirePermission(request, context, "admin.users.manage");
  return { organizations: listOrganizations(admin) };
}

export default function AdminOrganizations() {
  const { organizations } = useLoaderData<typeof loader>();
  return (
    <>
      <div className="page-head">
        <div>
          <p className="eyebrow">Administration</p>
          <h1>Organisations</h1>
          <p>Suppliers and retailers register themselves; the certification body employs the assessors.</p>
        </div>
      </div>
      <section className="card">
        <ScrollBox label="Organisations">
          <table>
            <thead>
              <tr>
                <th>Name</th>
                <th>Kind</th>
                <th className="num">Members</th>
                <th>Registered</th>
              </tr>
            </thead>
            <tbody>
              {organizations.map((o) => (
                <tr key={o.id}>
                  <td>{o.name}</td>
                  <td>
                    <span
                      className={
                        o.kind === "certifier"
                          ? "badge badge--brand"
                          : o.kind === "supplier"
                            ? "badge badge--info"
                            : "badge"
                      }
                    >
                      {ORGANIZATION_KIND_LABELS[o.kind as OrganizationKind]}
                    </span>
                  </td>
                  <td className="num">{o.members}</td>
                  <td>{formatDate(o.createdAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </ScrollBox>
      </section>
    </>
  );
}
