/**
 * The retail buyer's dashboard: the watched products' seals counted by verdict (a valid seal whose
 * firmware needs an update counted apart), the seals that miss one of the organisation's acceptance
 * policies, the latest alerts of the watch feed, and how the organisation's integrations stand (API
 * tokens, webhooks). Every figure comes from the services that own it (the watchlist with its one
 * verdict, update-required and policy rules; the watch feed; tokens; webhooks): nothing is judged
 * again here. Reading the dashboard does not mark the watchlist's changes as seen.
 */
import { assertCan } from "../../platform/authorize.server";
import type { Actor } from "../../platform/actor";
import { db } from "../../platform/db.server";
import { listApiTokens } from "../accounts/api-tokens.server";
import { watchedProductAdvisories } from "../findings/advisories.server";
import { craHandledLine } from "../findings/domain/cra-clocks";
import { watchEventsOf } from "./watch-feed.server";
import { watchlistView } from "./watchlist.server";
import { webhooksView } from "./webhooks.server";

/** How many of the newest watch events the dashboard lists. */
export const LATEST_ALERTS = 5;

/** The order the dashboard counts statuses in (the watchlist's too): domain/watch-standing.ts. */
export { WATCH_STANDINGS, type WatchStanding } from "./domain/watch-standing";

/**
 * The newest watch events, newest first by when they happened (an event may be recorded after a later
 * one: a back-dated report, say), among the latest recorded. Changes only: the history a new watch
 * copied into the feed (`backfill`) happened before the watch and is not an alert.
 */
function latestAlerts(actor: Actor) {
  return watchEventsOf(db(), actor.organizationId, 0, LATEST_ALERTS * 10, "desc", { backfill: false })
    .sort((a, b) => b.at.localeCompare(a.at) || b.seq - a.seq)
    .slice(0, LATEST_ALERTS);
}

export async function buyerDashboard(actor: Actor) {
  assertCan(actor, "retailer.workspace");
  const view = await watchlistView(actor); // markSeen off: "changed since your last visit" stays for the watchlist
  // One line per current seal that misses a policy, with the clauses it misses (never a vulnerability's details).
  const policyMisses = view.rows.flatMap((r) =>
    r.seal && r.policies
      ? r.policies
          .filter((p) => !p.meets)
          .map((p) => ({
            productId: r.productId,
            product: r.name,
            serial: r.seal!.serial,
            firmware: r.seal!.firmware,
            policyName: p.policyName,
            misses: p.misses.map((m) => m.message),
          }))
      : [],
  );
  const webhooks = webhooksView(actor);
  // CRA Article 14: a watched product's open report under embargo flagged actively exploited is shown
  // as that fact and its severity only (the findings module decides; never its details before disclosure).
  const advisories = watchedProductAdvisories(actor);
  const names = new Map(view.rows.map((r) => [r.productId, r.name]));
  // A flag the supplier became aware of before Article 14 applied is told as flagged, not as handled
  // under the Act (craHandledLine words it).
  const flaggedBefore = (a: (typeof advisories)[string]) => [
    ...(a.exploitedBeforeArticle14 ?? []).map((severity) => craHandledLine("exploited_before_article_14", severity)),
    ...(a.incidentBeforeArticle14 ?? []).map((severity) => craHandledLine("incident_before_article_14", severity)),
  ];
  const exploited = Object.entries(advisories)
    .filter(([, a]) => a.exploitedEmbargoed.length > 0 || a.incidentEmbargoed.length > 0 || flaggedBefore(a).length)
    .map(([productId, a]) => ({
      productId,
      product: names.get(productId) ?? "",
      severities: a.exploitedEmbargoed,
      incidents: a.incidentEmbargoed,
      ...(flaggedBefore(a).length ? { flaggedBefore: flaggedBefore(a) } : {}),
    }));
  return {
    products: new Set(view.rows.map((r) => r.productId)).size,
    seals: view.rows.filter((r) => r.seal).length,
    /** By standing, as the watchlist's "By status" counts them (one rule: domain/watch-standing.ts). */
    counts: view.counts,
    hasPolicies: view.hasPolicies,
    policyMisses,
    exploited,
    alerts: latestAlerts(actor),
    /** Events the watchlist will show as new at the buyer's next visit. */
    unseenChanges: view.changes.length + view.moreChanges,
    activeTokens: listApiTokens(actor).filter((t) => !t.revokedAt).length,
    webhooks: {
      endpoints: webhooks.length,
      // Endpoints with a delivery given up, among their latest deliveries: an answer not worth retrying
      // (a redirect, a 4xx other than 408, 425 and 429) fails at once; the others after the last retry.
      failing: webhooks.filter((w) => w.deliveries.some((d) => d.status === "failed")).length,
    },
  };
}
