import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { ValidUntilCell, VerdictBadge } from "../components/SealVerdict";
import { SealFilters } from "../components/SealFilters";
import { formatDate } from "../platform/format";
import { requirePermission } from "../features/accounts/session.server";
import { listSeals, sealListQuery } from "../features/certification/seals.server";

export const meta: MetaFunction = () => [{ title: "Seals — IoT Seal" }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const user = await requirePermission(request, context, "seals.manage");
  const query = sealListQuery.parse(Object.fromEntries(new URL(request.url).searchParams));
  return { query, seals: listSeals(user, query) };
}

export default function SealsList() {
  const { query, seals } = useLoaderData<typeof loader>();
  return (
    <>
      <div className="page-head">
        <div>
          <p className="eyebrow">Certification body</p>
          <h1>Seals</h1>
          <p>
            Every seal issued, its state, and a way to suspend, reinstate or revoke it. Each change is public: it
            appears on the seal's page, in the status lists and in the log.
          </p>
        </div>
      </div>
      <SealFilters query={query} searchLabel="Serial, product or supplier" shown={seals.length} />
      <div className="card table-wrap">
        {seals.length === 0 ? (
          <p className="muted">No seals match.</p>
        ) : (
          <table>
            <thead>
              <tr>
                <th scope="col">Serial</th>
                <th scope="col">Product</th>
                <th scope="col">Supplier</th>
                <th scope="col">State</th>
                <th scope="col">Issued</th>
                <th scope="col">Valid until</th>
              </tr>
            </thead>
            <tbody>
              {seals.map((s) => (
                <tr key={s.serial}>
                  <td className="mono nowrap">
                    <Link to={`/seals/${s.serial}`}>{s.serial}</Link>
                  </td>
                  <td>
                    {s.product}{" "}
                    <span className="muted small">
                      {s.model} · firmware {s.firmware}
                    </span>
                  </td>
                  <td>{s.supplier}</td>
                  <td>
                    <VerdictBadge verdict={s.verdict} />
                  </td>
                  <td>{formatDate(s.issuedAt)}</td>
                  <td>
                    <ValidUntilCell verdict={s.verdict} validUntil={s.validUntil} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </div>
    </>
  );
}
