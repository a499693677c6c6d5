import type { LoaderFunctionArgs } from "@remix-run/node";
import { z } from "zod";
import { decimalNumber } from "../platform/forms";
import { requirePermission } from "../features/accounts/session.server";
import { watchlistFeed } from "../features/retail/watchlist.server";
import { answeringRefusals } from "../platform/http/resource-refusals.server";

/** The feed's paging: absent (or empty) means from the start, 100 at a time; anything else must be a valid number. */
const query = z.object({
  since: decimalNumber(
    z
      .number({ error: "since must be a number (the `next` of the previous page)" })
      .int("since must be a whole number")
      .min(0, "since must be 0 or more")
      .default(0),
  ),
  limit: decimalNumber(
    z
      .number({ error: "limit must be a number from 1 to 500" })
      .int("limit must be a whole number from 1 to 500")
      .min(1, "limit must be a number from 1 to 500")
      .max(500, "limit must be a number from 1 to 500")
      .default(100),
  ),
});

const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body, null, 1), {
    status,
    headers: { "Content-Type": "application/json; charset=utf-8", "Cache-Control": "private, no-store", ...headers },
  });

/**
 * The watchlist's feed of status changes, oldest first after the `since` cursor: `{events, next, hasMore}`.
 * A `since` or `limit` that is not a valid number is answered 400 `{error, field}`, not replaced.
 */
export function loader({ request, context }: LoaderFunctionArgs) {
  return answeringRefusals(async () => {
    const user = await requirePermission(request, context, "seals.verify");
    const params = new URL(request.url).searchParams;
    const given = (name: string) => {
      const v = params.get(name);
      return v === null || v.trim() === "" ? undefined : v.trim();
    };
    const parsed = query.safeParse({ since: given("since"), limit: given("limit") });
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      return json(400, { error: issue.message, field: String(issue.path[0]) });
    }
    const q = parsed.data;
    const page = watchlistFeed(user, q.since, q.limit);
    const next = `/retailer/watchlist/feed?since=${page.next}&limit=${q.limit}`;
    return json(200, { ...page, nextUrl: next }, page.hasMore ? { Link: `<${next}>; rel="next"` } : {});
  });
}
