import type { LoaderFunctionArgs } from "@remix-run/node";
import { z } from "zod";
import { requirePermission } from "../features/accounts/session.server";
import { watchlistFeed } from "../features/retail/watchlist.server";

const query = z.object({
  since: z.coerce.number().int().min(0).catch(0),
  limit: z.coerce.number().int().min(1).max(500).catch(100),
});

/** The watchlist's feed of status changes, oldest first after the `since` cursor: `{events, next, hasMore}`. */
export async function loader({ request, context }: LoaderFunctionArgs) {
  const user = await requirePermission(request, context, "seals.verify");
  const q = query.parse(Object.fromEntries(new URL(request.url).searchParams));
  const page = watchlistFeed(user, q.since, q.limit);
  const next = `/retailer/watchlist/feed?since=${page.next}&limit=${q.limit}`;
  return new Response(JSON.stringify({ ...page, nextUrl: next }, null, 1), {
    headers: {
      "Content-Type": "application/json; charset=utf-8",
      "Cache-Control": "private, no-store",
      ...(page.hasMore ? { Link: `<${next}>; rel="next"` } : {}),
    },
  });
}
