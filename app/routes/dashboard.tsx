import type { LoaderFunctionArgs } from "@remix-run/node";
import { redirect } from "@remix-run/node";
import { DASHBOARD_PATH } from "../platform/roles";
import { requireUser } from "../features/accounts/session.server";

/** /dashboard takes each user to their own role's dashboard. */
export async function loader({ request, context }: LoaderFunctionArgs) {
  const user = await requireUser(request, context);
  throw redirect(DASHBOARD_PATH[user.role]);
}
