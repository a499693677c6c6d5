/**
 * The session cookie and the guards every loader and action uses. The cookie holds only a
 * random session token (signed with SESSION_SECRET); the session itself is a database row.
 */
import { createCookie, data, redirect, type AppLoadContext } from "@remix-run/node";
import { getEnv } from "../../platform/env.server";
import { can, DASHBOARD_PATH, ROLE_LABELS, rolesWith, type Permission, type Role } from "../../platform/roles";
import { safeRedirectPath } from "../../platform/http/redirect";
import { twoStepSetupDue, userForSession, type SessionUser } from "./auth.server";
import { TWO_STEP } from "./domain/two-step";

/**
 * Over https the cookie is `__Host-` prefixed: a browser then keeps it only if it is Secure, for
 * Path=/ and without a Domain, so a sibling subdomain cannot plant a session cookie of its own here
 * (logging a victim in as the attacker). Plain http (a local demo) cannot use the prefix.
 */
export function sessionCookieName(secure: boolean): string {
  return secure ? "__Host-iotseal_session" : "iotseal_session";
}

/**
 * A cookie of the portal's own: HttpOnly, SameSite=Lax, Path=/, signed with SESSION_SECRET and Secure
 * over https, living `maxAgeMs`; made again when the settings it depends on change (a test's
 * environment). `name` gets the secure flag: the `__Host-` prefix needs it.
 */
function portalCookie(name: (secure: boolean) => string, maxAgeMs: () => number) {
  let made: { key: string; value: ReturnType<typeof createCookie> } | undefined;
  return () => {
    const env = getEnv();
    const key = `${env.sessionSecret}|${env.cookieSecure}|${maxAgeMs()}`;
    if (!made || made.key !== key) {
      made = {
        key,
        value: createCookie(name(env.cookieSecure), {
          httpOnly: true,
          sameSite: "lax",
          secure: env.cookieSecure,
          path: "/",
          secrets: [env.sessionSecret],
          maxAge: Math.floor(maxAgeMs() / 1000),
        }),
      };
    }
    return made.value;
  };
}

const sessionCookie = portalCookie(sessionCookieName, () => getEnv().sessionTtlMs);

export async function sessionToken(request: Request): Promise<string | null> {
  return sessionTokenFromHeader(request.headers.get("Cookie"));
}

/** The session token from a raw Cookie header (the fast routes have no web Request). */
export async function sessionTokenFromHeader(cookieHeader: string | null | undefined): Promise<string | null> {
  const value = await sessionCookie().parse(cookieHeader ?? null);
  return typeof value === "string" && value ? value : null;
}

/**
 * Whoever the session belongs to, even a user who must set up two-step login first: for the page
 * frame (their name, logging out) and requireUser, which sends them to the setup.
 */
export async function getSessionUser(request: Request, context?: AppLoadContext): Promise<SessionUser | null> {
  const token = await sessionToken(request);
  return token ? userForSession(token, context?.ip) : null;
}

/**
 * The signed-in user for a page anyone may open (it shows them more, or sends them on), or null; a
 * user who must set up two-step login first (TWO_STEP_REQUIRED_FOR) counts as nobody here.
 */
export async function getOptionalUser(request: Request, context?: AppLoadContext): Promise<SessionUser | null> {
  const user = await getSessionUser(request, context);
  return user && !twoStepSetupDue(user) ? user : null;
}

/** The page where two-step login is set up: the one page (with logging out) a user who must set it up can open. */
export const TWO_STEP_SETUP_PATH = "/account/two-step";

/**
 * The logged-in user, or a redirect to the login page that comes back here afterwards. A user whose
 * role must use two-step login (TWO_STEP_REQUIRED_FOR) and has not set it up is sent to set it up.
 */
export async function requireUser(request: Request, context?: AppLoadContext): Promise<SessionUser> {
  const user = await getSessionUser(request, context);
  const url = new URL(request.url);
  if (!user) {
    const back = url.pathname + url.search;
    throw redirect(`/login?redirectTo=${encodeURIComponent(back)}`);
  }
  if (twoStepSetupDue(user) && url.pathname !== TWO_STEP_SETUP_PATH) throw redirect(TWO_STEP_SETUP_PATH);
  return user;
}

export function forbidden(message: string): never {
  throw data({ message }, { status: 403, statusText: "Forbidden" });
}

export function notFound(message = "There is nothing at this address."): never {
  throw data({ message }, { status: 404, statusText: "Not Found" });
}

/** The logged-in user holding a permission, or a 403 page saying who the page is for. */
export async function requirePermission(
  request: Request,
  context: AppLoadContext | undefined,
  permission: Permission,
): Promise<SessionUser> {
  const user = await requireUser(request, context);
  if (!can(user.role, permission)) {
    const who = rolesWith(permission).map((r) => ROLE_LABELS[r].toLowerCase() + "s");
    forbidden(
      `This page is for ${who.join(" and ")}. You are signed in as ${withArticle(ROLE_LABELS[user.role].toLowerCase())}.`,
    );
  }
  return user;
}

/** The logged-in user having one of `roles`, or a 403. */
export async function requireRole(
  request: Request,
  context: AppLoadContext | undefined,
  roles: Role | Role[],
): Promise<SessionUser> {
  const user = await requireUser(request, context);
  const allowed = Array.isArray(roles) ? roles : [roles];
  if (!allowed.includes(user.role)) {
    forbidden(
      `This page is for ${allowed.map((r) => ROLE_LABELS[r].toLowerCase() + "s").join(" and ")}. You are signed in as ${withArticle(ROLE_LABELS[user.role].toLowerCase())}.`,
    );
  }
  return user;
}

/** Ownership: the resource's organisation must be the user's own. */
export function requireSameOrganization(user: SessionUser, organizationId: string): void {
  if (user.organizationId !== organizationId) forbidden("This belongs to another organisation.");
}

/** The Set-Cookie header value that makes `token` the browser's session (after a log-in, or a session's new token). */
export async function setSessionCookie(token: string): Promise<string> {
  return sessionCookie().serialize(token);
}

/**
 * The session's cookie set, on to `redirectTo` (the role's dashboard instead of the home, login or
 * sign-up pages). `alsoSet`: more Set-Cookie values (the code page clears the login challenge's).
 */
export async function startSessionAndRedirect(
  token: string,
  role: Role,
  redirectTo: unknown,
  alsoSet: string[] = [],
): Promise<Response> {
  const to = safeRedirectPath(redirectTo, DASHBOARD_PATH[role]);
  const headers = new Headers();
  for (const cookie of [await setSessionCookie(token), ...alsoSet]) headers.append("Set-Cookie", cookie);
  return redirect(to === "/" || to.startsWith("/login") || to.startsWith("/signup") ? DASHBOARD_PATH[role] : to, {
    headers,
  });
}

export async function clearSessionCookie(): Promise<string> {
  return sessionCookie().serialize("", { maxAge: 0, expires: new Date(0) });
}

/**
 * Between the password and the code of a two-step login: the login challenge's token, for five
 * minutes, HttpOnly and signed like the session cookie (and `__Host-` prefixed over https). It is
 * no session: it opens nothing but the code page.
 */
const loginChallengeCookie = portalCookie(
  (secure) => (secure ? "__Host-iotseal_login" : "iotseal_login"),
  () => TWO_STEP.challengeTtlMs,
);

export async function loginChallengeToken(request: Request): Promise<string | null> {
  const value = await loginChallengeCookie().parse(request.headers.get("Cookie"));
  return typeof value === "string" && value ? value : null;
}

/** After a right password on an account with two-step login: on to the code page, the challenge in its cookie. */
export async function askForSecondStep(token: string, redirectTo: unknown): Promise<Response> {
  const to = safeRedirectPath(redirectTo, "");
  return redirect(`/login/code${to && to !== "/" ? `?redirectTo=${encodeURIComponent(to)}` : ""}`, {
    headers: { "Set-Cookie": await loginChallengeCookie().serialize(token) },
  });
}

export async function clearLoginChallengeCookie(): Promise<string> {
  return loginChallengeCookie().serialize("", { maxAge: 0, expires: new Date(0) });
}

/** "an administrator", "a supplier". */
function withArticle(noun: string): string {
  return `${/^[aeiou]/.test(noun) ? "an" : "a"} ${noun}`;
}
