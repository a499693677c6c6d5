import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { ClockBadge, FindingStatusBadge, SeverityBadge } from "../components/FindingBits";
import { DisclosureState } from "../components/FindingDisclosure";
import { isOpen } from "../features/findings/domain/findings";
import { formatDateTime } from "../platform/format";
import { requireRole } from "../features/accounts/session.server";
import { findingsListWithCra } from "../features/findings/dashboard.server";
import { NextCraClock } from "../components/CraClocks";

export const meta: MetaFunction = () => [{ title: "Vulnerability reports — IoT Seal" }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const user = await requireRole(request, context, ["supplier", "assessor", "admin"]);
  return {
    findings: findingsListWithCra(user),
    canRecord: user.role !== "supplier",
    isSupplier: user.role === "supplier",
  };
}

export default function Findings() {
  const { findings, canRecord, isSupplier } = useLoaderData<typeof loader>();
  return (
    <>
      <div className="page-head">
        <div>
          <p className="eyebrow">Coordinated disclosure</p>
          <h1>Vulnerability reports</h1>
          <p>
            {isSupplier
              ? "Reports against your products. Answer each one before its disclosure deadline: a critical or high report still open past it suspends the product's seals."
              : "Every report, soonest deadline first. A critical or high report still open past its deadline suspends the seals of the affected versions."}
          </p>
        </div>
        {canRecord ? (
          <Link className="button" to="/findings/new">
            Record a report
          </Link>
        ) : null}
      </div>
      <div className="card table-wrap">
        {findings.length === 0 ? (
          <p className="muted">No vulnerability reports.</p>
        ) : (
          // On a phone: one block per report, each value under its column's name (no column off the screen).
          <table className="stack">
            <thead>
              <tr>
                <th scope="col">Report</th>
                <th scope="col">Product</th>
                <th scope="col">Severity</th>
                <th scope="col">Status</th>
                <th scope="col">Deadline</th>
                <th scope="col">Advisory</th>
              </tr>
            </thead>
            <tbody>
              {findings.map((f, i) => (
                <tr key={f.conflicted ? `conflicted-${i}` : f.id}>
                  <td data-label="Report">
                    {f.conflicted ? (
                      <>
                        {f.title} <span className="badge badge--bad">conflict of interest</span>
                      </>
                    ) : (
                      <Link to={`/findings/${f.id}`}>{f.title}</Link>
                    )}
                  </td>
                  <td data-label="Product">
                    {f.product} {isSupplier ? null : <span className="muted small">{f.supplier}</span>}
                  </td>
                  <td data-label="Severity">
                    <SeverityBadge severity={f.severity} />
                  </td>
                  <td data-label="Status">
                    <FindingStatusBadge status={f.status} />
                  </td>
                  <td data-label="Deadline">
                    {/* An instant (00:00 UTC of its day): a day alone would read as through its end. */}
                    {f.conflicted ? null : formatDateTime(f.deadline)}{" "}
                    <ClockBadge clock={f.clock} closed={!isOpen(f.status)} />
                    {f.cra ? (
                      // The next CRA Article 14 submission: it can outlive the disclosure clock (a final report after a verified fix).
                      <div className="small" data-testid="cra-next">
                        <NextCraClock clock={f.cra} />
                      </div>
                    ) : null}
                  </td>
                  <td data-label="Advisory">
                    {f.conflicted ? <span className="muted">—</span> : <DisclosureState disclosure={f.disclosure} />}
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
