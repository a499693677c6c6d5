import type { ActionFunctionArgs } from "@remix-run/node";
import { redirect } from "@remix-run/node";
import { clearSessionCookie, sessionToken } from "../features/accounts/session.server";
import { logout } from "../features/accounts/auth.server";

export async function action({ request, context }: ActionFunctionArgs) {
  const token = await sessionToken(request);
  if (token) logout(token, context.ip);
  return redirect("/login", { headers: { "Set-Cookie": await clearSessionCookie() } });
}

/** Logging out is a POST (a link or a prefetch must not end a session); a GET just goes home. */
export async function loader() {
  return redirect("/");
}
