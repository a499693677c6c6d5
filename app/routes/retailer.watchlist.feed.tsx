import type { LoaderFunctionArgs } from "@remix-run/node";
import { z } from "zod";
import { decimalNumber } from "../platform/forms";
import { getOptionalUser, requirePermission } from "../features/accounts/session.server";
import { organizationForBearer } from "../features/accounts/api-tokens.server";
import { watchFeedOfOrganization, watchlistFeed } from "../features/retail/watchlist.server";
import { ServiceError } from "../platform/errors.server";
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

const BEARER = { "WWW-Authenticate": 'Bearer realm="iot-seal"' };

/**
 * Who reads the feed: the organisation of an `Authorization: Bearer <token>` (its API token: a
 * webhook receiver catching up after a delivery given up), else a buyer's session. A token that is
 * wrong or revoked is 401 JSON, never the login page; so is a request with no credentials that is
 * plainly an API call (`Accept: application/json`); a browser without a session goes to log in.
 */
async function feedReader(request: Request, context: LoaderFunctionArgs["context"]) {
  const authorization = request.headers.get("Authorization");
  if (authorization !== null) {
    const check = organizationForBearer(authorization) ?? {
      ok: false as const,
      message: "Send the token as Authorization: Bearer <token>.",
    };
    return check.ok
      ? { by: "token" as const, organizationId: check.organizationId }
      : json(401, { error: check.message }, BEARER);
  }
  const wantsJson = /\bapplication\/json\b/i.test(request.headers.get("Accept") ?? "");
  if (wantsJson && !(await getOptionalUser(request, context)))
    return json(
      401,
      { error: "Log in, or send your organisation's API token as Authorization: Bearer <token> (/retailer/api)." },
      BEARER,
    );
  return { by: "session" as const, user: await requirePermission(request, context, "seals.verify") };
}

/**
 * The watchlist's feed of status changes, oldest first after the `since` cursor: `{events, next, hasMore}`.
 * A `since` or `limit` that is not a valid number, or a `since` beyond the organisation's newest
 * event, is answered 400 `{error, field}`, not replaced.
 */
export function loader({ request, context }: LoaderFunctionArgs) {
  return answeringRefusals(async () => {
    const reader = await feedReader(request, context);
    if (reader instanceof Response) return reader;
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
    let page;
    try {
      page =
        reader.by === "session"
          ? watchlistFeed(reader.user, q.since, q.limit)
          : watchFeedOfOrganization(reader.organizationId, q.since, q.limit);
    } catch (e) {
      if (e instanceof ServiceError) return json(e.status, { error: e.message, ...fieldOf(e) });
      throw e;
    }
    const next = `/retailer/watchlist/feed?since=${page.next}&limit=${q.limit}`;
    return json(200, { ...page, nextUrl: next }, page.hasMore ? { Link: `<${next}>; rel="next"` } : {});
  });
}

const fieldOf = (e: ServiceError) => {
  const [field] = Object.keys(e.fieldErrors);
  return field ? { field } : {};
};
