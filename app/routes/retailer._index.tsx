import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { Workspace } from "../components/Workspace";
import { Panel, PolicyMissesList, StandingCounts, WatchEventList } from "../components/Dashboards";
import { requirePermission } from "../features/accounts/session.server";
import { workspaceDashboard } from "../system/activity.server";
import { buyerDashboard } from "../features/retail/dashboard.server";

export const meta: MetaFunction = () => [{ title: "Retail buyer workspace — IoT Seal" }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const user = await requirePermission(request, context, "retailer.workspace");
  return {
    user: { name: user.name, organizationName: user.organizationName },
    // The organisation's own watchlist, policies, feed, tokens and webhooks (scoped by the service).
    dash: await buyerDashboard(user),
    ...workspaceDashboard(user, "retailer.workspace"),
  };
}

export default function RetailerDashboard() {
  const { user, colleagues, activity, dash } = useLoaderData<typeof loader>();
  const s = (n: number) => (n === 1 ? "" : "s");
  return (
    <Workspace
      eyebrow="Retail buyer workspace"
      title={`Welcome, ${user.name}`}
      intro="Verify the seals of the products you stock — one at a time or a whole CSV — and watch their status after they are on your shelves."
      organizationName={user.organizationName}
      colleagues={colleagues}
      activity={activity}
    >
      <div className="grid grid--2">
        <Panel
          id="standings"
          title="Watched products by status"
          testId="watch-summary"
          isEmpty={dash.products === 0}
          empty={
            <>
              Nothing watched yet. <Link to="/retailer/watchlist">Watch a product</Link> by any of its seal serials, or
              from a CSV, to hear when its status changes.
            </>
          }
        >
          <p>
            {dash.products} product{s(dash.products)} watched, {dash.seals} current seal{s(dash.seals)}.{" "}
            {dash.unseenChanges ? (
              <Link to="/retailer/watchlist">
                {dash.unseenChanges} change{s(dash.unseenChanges)} since your last visit to the watchlist
              </Link>
            ) : (
              "No change since your last visit to the watchlist."
            )}
          </p>
          <StandingCounts counts={dash.counts} />
          {dash.exploited.map((e) => (
            <p key={e.productId} className="alert alert--warn" data-testid="exploited-handled">
              <strong>{e.product}:</strong>{" "}
              {e.severities.length || e.incidents.length ? (
                <>
                  {[
                    ...e.severities.map(
                      (severity) => `an actively exploited vulnerability (${severity}) is being handled`,
                    ),
                    ...e.incidents.map(
                      (severity) => `a severe incident affecting the product's security (${severity}) is being handled`,
                    ),
                  ].join("; ")}{" "}
                  under the EU Cyber Resilience Act (Article 14).{" "}
                </>
              ) : null}
              {(e.flaggedBefore ?? []).map((line) => `${line}. `).join("")}
              Details are published when it is fixed or at its deadline.
            </p>
          ))}
        </Panel>
        <Panel
          id="misses"
          title="Policy misses"
          testId="policy-misses-panel"
          isEmpty={!dash.hasPolicies || dash.policyMisses.length === 0}
          empty={
            dash.hasPolicies ? (
              "None: every watched seal meets your acceptance policies."
            ) : (
              <>
                You have no acceptance policy yet: <Link to="/retailer/policies">write one</Link> and every check
                applies it.
              </>
            )
          }
        >
          <PolicyMissesList rows={dash.policyMisses} />
        </Panel>
      </div>
      <Panel
        id="alerts"
        title="Latest alerts"
        testId="latest-alerts"
        isEmpty={dash.alerts.length === 0}
        empty="None yet: status changes, policy results and advisories of the products you watch appear here."
      >
        <WatchEventList events={dash.alerts} testId="alerts" />
      </Panel>
      <section className="card" aria-labelledby="tools-title">
        <h2 id="tools-title">Checks and integrations</h2>
        <ul className="timeline" data-testid="buyer-tools">
          <li>
            <Link to="/retailer/verify/bulk">Check a stock list (CSV)</Link>
            <span className="small muted">
              every GTIN or serial in one go, with your policies, as a CSV to download
            </span>
          </li>
          <li>
            <Link to="/retailer/api">Manage API tokens</Link>
            <span className="small muted">
              {dash.activeTokens} active token{s(dash.activeTokens)}; with a token, the public API applies your policies
            </span>
          </li>
          <li>
            <Link to="/retailer/webhooks">Manage webhook endpoints</Link>
            <span className="small muted">
              {dash.webhooks.endpoints} endpoint{s(dash.webhooks.endpoints)} receiving status changes
              {dash.webhooks.failing
                ? `; ${dash.webhooks.failing} with failed deliveries (given up at once after a redirect or most 4xx answers, or after every retry)`
                : ""}
            </span>
          </li>
        </ul>
      </section>
    </Workspace>
  );
}
