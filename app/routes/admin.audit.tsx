import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, Link, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { actionLabel } from "../components/action-label";
import { formatDateTime } from "../platform/format";
import { requirePermission } from "../features/accounts/session.server";
import { checkAuditChain, listAudit } from "../platform/audit.server";

export const meta: MetaFunction = () => [{ title: "Audit log — IoT Seal administration" }];

const query = z.object({
  before: z.coerce.number().int().positive().optional().catch(undefined),
  verify: z.literal("1").optional().catch(undefined),
});

export async function loader({ request, context }: LoaderFunctionArgs) {
  const admin = await requirePermission(request, context, "admin.audit.read");
  const q = query.parse(Object.fromEntries(new URL(request.url).searchParams));
  void admin;
  return {
    page: listAudit({ before: q.before, limit: 50 }),
    chain: q.verify ? checkAuditChain() : null,
    first: !q.before,
  };
}

export default function AdminAudit() {
  const { page, chain, first } = useLoaderData<typeof loader>();
  return (
    <>
      <div className="page-head">
        <div>
          <p className="eyebrow">Administration</p>
          <h1>Audit log</h1>
          <p>
            Append-only: each event carries the SHA-256 of the one before it, so no event can be changed or removed
            unnoticed.
          </p>
        </div>
        <Form method="get">
          <input type="hidden" name="verify" value="1" />
          <button className="button button--quiet" type="submit">
            Verify the whole chain
          </button>
        </Form>
      </div>
      {chain ? (
        chain.ok ? (
          <p className="alert alert--ok" role="status" data-testid="chain-status">
            Verified {chain.checked} events. Chain head <span className="hash">{chain.head}</span>
          </p>
        ) : (
          <p className="alert alert--error" role="alert" data-testid="chain-status">
            Broken at event #{chain.firstBrokenSeq}: {chain.reason}. {chain.checked} events before it verify.
          </p>
        )
      ) : null}
      <section className="card">
        {/* Wider than the screen: the keyboard can scroll it too (it takes the focus; WCAG 2.1.1). */}
        <div className="table-wrap" tabIndex={0} role="region" aria-label="Audit events (scrolls sideways)">
          <table>
            <thead>
              <tr>
                <th className="num">#</th>
                <th>When</th>
                <th>What</th>
                <th>Who</th>
                <th>Details</th>
                <th>Hash</th>
              </tr>
            </thead>
            <tbody>
              {page.events.map((e) => (
                <tr key={e.seq}>
                  <td className="num">{e.seq}</td>
                  <td className="small">{formatDateTime(e.at)}</td>
                  <td>
                    {actionLabel(e.action)}
                    {e.targetType ? <div className="small muted">{e.targetType}</div> : null}
                  </td>
                  <td className="small">
                    {e.actorLabel}
                    {e.ip ? <div className="muted">{e.ip}</div> : null}
                  </td>
                  <td className="small mono">{e.details === "{}" ? "" : e.details}</td>
                  <td className="hash" title={e.hash}>
                    {e.hash.slice(0, 12)}…
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        <div className="pager">
          {first ? <span /> : <Link to="/admin/audit">Newest</Link>}
          {page.nextBefore ? <Link to={`/admin/audit?before=${page.nextBefore}`}>Older events</Link> : <span />}
        </div>
      </section>
    </>
  );
}
