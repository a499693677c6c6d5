/** Opening a notification: marks it read (the user's own only) and goes to the page it is about. */
import { redirect, type LoaderFunctionArgs } from "@remix-run/node";
import { requireUser } from "../features/accounts/session.server";
import { openNotification } from "../features/notifications/inbox.server";
import { serviceOrThrow } from "../platform/http/service-response.server";
import { safeRedirectPath } from "../platform/http/redirect";

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const user = await requireUser(request, context);
  const link = serviceOrThrow(() => openNotification(user, params.notificationId ?? ""));
  throw redirect(safeRedirectPath(link, "/notifications"));
}

/**
 * Never rendered (the loader always redirects or throws), but it makes this a page rather than a
 * resource route, so an unknown or someone else's notification shows the site's "not found" page
 * (the root error boundary) instead of a bare error body.
 */
export default function OpenNotification() {
  return null;
}
