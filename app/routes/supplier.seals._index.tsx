import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { ValidUntilCell, VerdictBadge } from "../components/SealVerdict";
import { UpdateRequired } from "../components/UpdateRequired";
import { SealFilters } from "../components/SealFilters";
import { formatDate } from "../platform/format";
import { requirePermission } from "../features/accounts/session.server";
import { listOwnSeals, sealListQuery } from "../features/certification/seals.server";

export const meta: MetaFunction = () => [{ title: "Your seals — IoT Seal" }];

/** The supplier's seals, every one ever issued to its organisation, with what each stands for now. */
export async function loader({ request, context }: LoaderFunctionArgs) {
  const user = await requirePermission(request, context, "supplier.workspace");
  const query = sealListQuery.parse(Object.fromEntries(new URL(request.url).searchParams));
  return { query, seals: listOwnSeals(user, query) };
}

export default function SupplierSeals() {
  const { query, seals } = useLoaderData<typeof loader>();
  const filtered = query.state !== "all" || query.q !== "";
  return (
    <>
      <div className="page-head">
        <div>
          <p className="eyebrow">Supplier workspace</p>
          <h1>Your seals</h1>
          <p>
            Every seal issued to your products, newest first, as buyers see it now: valid, suspended, revoked, expired
            or replaced by a renewal. Each has its public page, its certificate and, while it is monitored, the
            recurring evidence it asks for.
          </p>
        </div>
      </div>
      <SealFilters query={query} searchLabel="Serial or product" shown={seals.length} />
      <section className="card table-wrap" aria-label="Seals">
        {seals.length === 0 ? (
          <p className="muted">
            {filtered ? (
              <>
                No seal matches. <Link to="/supplier/seals">Show them all</Link>.
              </>
            ) : (
              <>
                No seal yet: a seal is issued when assessors approve a submission.{" "}
                <Link to="/supplier/submissions">Your submissions</Link>.
              </>
            )}
          </p>
        ) : (
          <table className="stack" data-testid="own-seals">
            <thead>
              <tr>
                <th scope="col">Serial</th>
                <th scope="col">Product</th>
                <th scope="col">Checklist</th>
                <th scope="col">Status</th>
                <th scope="col">Issued</th>
                <th scope="col">Valid until</th>
                <th scope="col">More</th>
              </tr>
            </thead>
            <tbody>
              {seals.map((s) => (
                <tr key={s.serial}>
                  <td className="mono nowrap" data-label="Serial">
                    <Link to={`/s/${s.serial}`}>{s.serial}</Link>
                  </td>
                  <td data-label="Product">
                    <Link to={`/supplier/products/${s.productId}`}>{s.product}</Link>{" "}
                    <span className="muted small">
                      {s.model} · firmware {s.firmware}
                    </span>
                  </td>
                  <td className="small" data-label="Checklist">
                    {s.checklistLabel}, level {s.level}
                  </td>
                  <td data-label="Status">
                    <VerdictBadge verdict={s.verdict} />
                    <UpdateRequired update={s.updateRequired} verdict={s.verdict} compact />
                  </td>
                  <td className="nowrap" data-label="Issued">
                    {formatDate(s.issuedAt)}
                  </td>
                  <td className="nowrap" data-label="Valid until">
                    <ValidUntilCell verdict={s.verdict} validUntil={s.validUntil} />
                  </td>
                  <td className="small" data-label="More">
                    <a href={`/s/${s.serial}/seal.pdf`} download>
                      Certificate (PDF)
                    </a>
                    {s.monitored ? (
                      <>
                        {" · "}
                        <Link to={`/supplier/seals/${s.serial}/recurring`}>Recurring evidence</Link>
                      </>
                    ) : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
    </>
  );
}
