import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { SummaryBar } from "../components/BulkSummary";
import { VerdictBadge } from "../components/SealVerdict";
import { UpdateRequired } from "../components/UpdateRequired";
import { countOf, formatDateTime } from "../platform/format";
import { serviceOrThrow } from "../platform/http/service-response.server";
import { requirePermission } from "../features/accounts/session.server";
import { bulkCheck } from "../features/retail/bulk-checks.server";

export const meta: MetaFunction = () => [{ title: "Bulk check result — IoT Seal" }];

const SHOWN = 500;

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const user = await requirePermission(request, context, "seals.verify");
  const run = serviceOrThrow(() => bulkCheck(user, params.runId ?? ""));
  // Rows that need attention first (a valid seal whose firmware needs an update too); the full answer is in the download.
  // A note (a GTIN that is not the seal's product, a record that is not well-formed CSV) needs attention too.
  const attention = run.rows.filter((r) => r.status !== "valid" || r.missesPolicy || r.updateRequired || r.note);
  return {
    id: run.id,
    fileName: run.fileName,
    rowCount: run.rowCount,
    createdAt: run.createdAt,
    summary: run.summary,
    policySummary: run.policySummary,
    columns: run.columns,
    keyColumns: run.keyColumns,
    attention: attention.slice(0, SHOWN),
    attentionCount: attention.length,
  };
}

/**
 * A serial or GTIN cell is kept on one line; what the buyer's file has there instead (a line of
 * other text, a value a broken quote ran together) breaks anywhere rather than widening the table.
 */
const keyCellClass = (value: string) => (value.length <= 24 ? "mono nowrap" : "mono hash");

export default function BulkResult() {
  const r = useLoaderData<typeof loader>();
  return (
    <>
      <div className="page-head">
        <div>
          <p className="eyebrow">
            <Link to="/retailer/verify/bulk">Bulk checks</Link>
          </p>
          <h1>{r.fileName}</h1>
          <p>
            {countOf(r.rowCount, "row")} checked {formatDateTime(r.createdAt)}.
          </p>
        </div>
        <a className="button" href={`/retailer/verify/bulk/${r.id}/download`} download>
          Download the result (CSV)
        </a>
      </div>
      <section className="card" aria-labelledby="summary-title">
        <h2 id="summary-title">Summary by status</h2>
        <SummaryBar summary={r.summary} total={r.rowCount} />
        {r.policySummary ? (
          <p data-testid="policy-summary">
            Your acceptance policies: <strong>{r.policySummary.meets.toLocaleString("en")}</strong>{" "}
            {r.policySummary.meets === 1 ? "row meets" : "rows meet"} every policy that applies;{" "}
            <strong>{r.policySummary.misses.toLocaleString("en")}</strong>{" "}
            {r.policySummary.misses === 1 ? "misses" : "miss"} at least one.{" "}
            <Link to="/retailer/policies">Your policies</Link>
          </p>
        ) : null}
      </section>
      <section className="card" aria-labelledby="attention-title">
        <h2 id="attention-title">Rows that need attention ({r.attentionCount.toLocaleString("en")})</h2>
        {r.attentionCount === 0 ? (
          <p className="alert alert--ok">
            Every seal in the file is valid{r.policySummary ? " and meets your policies" : ""}.
          </p>
        ) : (
          <div className="table-wrap">
            <table className="stack bulk-rows" data-testid="attention-rows">
              <thead>
                <tr>
                  <th scope="col">Line</th>
                  {r.columns.map((c, i) => (
                    <th scope="col" key={`${c}-${i}`}>
                      {c}
                    </th>
                  ))}
                  <th scope="col">Status and why</th>
                  <th scope="col">Seal and product</th>
                </tr>
              </thead>
              <tbody>
                {r.attention.map((row) => (
                  <tr key={row.line}>
                    <td className="num" data-label="Line">
                      {row.line}
                    </td>
                    {r.columns.map((c, i) => (
                      <td
                        key={`${c}-${i}`}
                        data-label={c}
                        className={r.keyColumns.includes(i) ? keyCellClass(row.cells[i] ?? "") : undefined}
                      >
                        {row.cells[i]}
                      </td>
                    ))}
                    <td data-label="Status" className="bulk-verdict">
                      <VerdictBadge verdict={row.status} />
                      <UpdateRequired update={row.updateRequired} verdict={row.status} compact />
                      {row.gtin === "mismatch" ? (
                        <span className="badge badge--bad" title="The row's GTIN is another product's">
                          GTIN mismatch
                        </span>
                      ) : row.gtin === "uncompared" ? (
                        <span className="badge badge--warn" title="The seal's product has no GTIN">
                          GTIN not compared
                        </span>
                      ) : null}
                      {/* Why, and the policies' answer, under the verdict: a column each was squeezed to a word a line beside the buyer's own columns. */}
                      {row.reason || row.note ? (
                        <p className="small">{[row.reason, row.note].filter(Boolean).join(" ")}</p>
                      ) : null}
                      {row.policy ? <p className="small">{row.policy}</p> : null}
                    </td>
                    <td data-label="Seal" className="bulk-seal">
                      <span className={keyCellClass(row.serial ?? "")}>
                        {row.serial && row.status !== "not_found" ? (
                          <Link to={`/s/${row.serial}`}>{row.serial}</Link>
                        ) : (
                          row.serial
                        )}
                      </span>
                      {row.product ? <p className="small">{row.product}</p> : null}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
            {r.attentionCount > r.attention.length ? (
              <p className="small muted">
                The first {r.attention.length.toLocaleString("en")} are shown; the download has every row, with its line
                in your file (<code>file_line</code>).
              </p>
            ) : null}
          </div>
        )}
      </section>
    </>
  );
}
