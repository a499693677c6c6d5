import {
  data,
  type HeadersFunction,
  type LinksFunction,
  type LoaderFunctionArgs,
  type MetaFunction,
} from "@remix-run/node";
import {
  isRouteErrorResponse,
  Link,
  Links,
  Meta,
  Outlet,
  Scripts,
  ScrollRestoration,
  type ShouldRevalidateFunction,
  useRouteError,
  useRouteLoaderData,
} from "@remix-run/react";
import type { ReactNode } from "react";
import { AppShell, type ShellUser } from "./components/AppShell";
import { DASHBOARD_PATH, navFor, ROLE_LABELS } from "./platform/roles";
import { useNonce } from "./platform/http/nonce";
import { getSessionUser, TWO_STEP_SETUP_PATH } from "./features/accounts/session.server";
import { twoStepSetupDue } from "./features/accounts/auth.server";
import { unreadCount } from "./features/notifications/inbox.server";
import { pageCacheHeaders, rootDocumentHeaders } from "./features/public/domain/page-headers";
import stylesheet from "./styles/app.css";

export const links: LinksFunction = () => [
  { rel: "stylesheet", href: stylesheet },
  { rel: "icon", href: "/favicon.svg", type: "image/svg+xml" },
];

/** An error page's title says what went wrong ("Page not found — IoT Seal"), as its heading does: not just "IoT Seal". */
export const meta: MetaFunction = ({ error }) => [
  { title: error === undefined ? "IoT Seal" : `${errorPage(error).title} — IoT Seal` },
];

/**
 * Every HTML page's cache headers (a route without a `headers` export inherits these): `no-cache`
 * without a session, `private, no-store` with one, `Vary: Cookie` (public/domain/page-headers.ts).
 * The error page of a refusal thrown with a Retry-After (a 429 from the rate limits) keeps it.
 */
export const headers: HeadersFunction = ({ loaderHeaders, errorHeaders }) =>
  rootDocumentHeaders({ loaderHeaders, errorHeaders });

export async function loader({ request, context }: LoaderFunctionArgs) {
  const user = await getSessionUser(request, context);
  // One who must set up two-step login first sees their name and the way out, nothing of the workspace.
  const held = user !== null && twoStepSetupDue(user);
  const shellUser: ShellUser | null = user
    ? {
        name: user.name,
        email: user.email,
        roleLabel: ROLE_LABELS[user.role],
        organizationName: user.organizationName,
        nav: held ? [] : navFor(user.role),
        home: held ? TWO_STEP_SETUP_PATH : DASHBOARD_PATH[user.role],
        unreadNotifications: held ? 0 : unreadCount(user.userId),
      }
    : null;
  return data({ user: shellUser }, { headers: pageCacheHeaders(user !== null) });
}

/** The header's bell count is the root's: fresh on every move to another page, not only after a form is sent. */
export const shouldRevalidate: ShouldRevalidateFunction = ({ currentUrl, nextUrl, defaultShouldRevalidate }) =>
  defaultShouldRevalidate || currentUrl.pathname !== nextUrl.pathname;

export function Layout({ children }: { children: ReactNode }) {
  const nonce = useNonce();
  const data = useRouteLoaderData<typeof loader>("root");
  return (
    <html lang="en-GB">
      <head>
        <meta charSet="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <Meta />
        <Links />
      </head>
      <body>
        <AppShell user={data?.user ?? null}>{children}</AppShell>
        <ScrollRestoration nonce={nonce} />
        <Scripts nonce={nonce} />
      </body>
    </html>
  );
}

export default function App() {
  return <Outlet />;
}

const STATUS_TEXT: Record<number, { title: string; advice: string }> = {
  400: { title: "That request could not be understood", advice: "Check what you entered and try again." },
  401: { title: "Please log in", advice: "You need to be logged in to see this page." },
  403: { title: "Access denied", advice: "Your account cannot open this page." },
  404: { title: "Page not found", advice: "The address may be mistyped, or the page may have moved." },
  405: { title: "Not allowed", advice: "This page does not accept that kind of request." },
  413: { title: "Too large", advice: "What you sent is larger than this page accepts." },
  415: { title: "Not a form", advice: "This page accepts only its own form." },
  429: { title: "Too many requests", advice: "Wait a minute and try again." },
};

/** What an error page says: its status, its title (also the page's <title>) and its text. */
function errorPage(error: unknown): { status: number; title: string; text: string } {
  let status = 500;
  let message: string | undefined;
  if (isRouteErrorResponse(error)) {
    status = error.status;
    const body = error.data as unknown;
    if (
      body &&
      typeof body === "object" &&
      "message" in body &&
      typeof (body as { message: unknown }).message === "string"
    ) {
      message = (body as { message: string }).message;
    } else if (typeof body === "string" && body.length < 300) {
      message = body;
    }
  }
  const text = STATUS_TEXT[status] ?? {
    title: "Something went wrong",
    advice: "An unexpected error happened on our side. It has been logged; please try again.",
  };
  return { status, title: text.title, text: status >= 500 ? text.advice : (message ?? text.advice) };
}

export function ErrorBoundary() {
  const data = useRouteLoaderData<typeof loader>("root");
  const { status, title, text } = errorPage(useRouteError());
  return (
    <section className="error-page" aria-labelledby="error-title">
      <p className="error-page__code">{status}</p>
      <h1 id="error-title">{title}</h1>
      <p>{text}</p>
      <p className="error-page__links">
        {data?.user ? <Link to={data.user.home}>Go to your dashboard</Link> : <Link to="/">Go to the home page</Link>}
        {status === 401 || (status === 403 && !data?.user) ? <Link to="/login">Log in</Link> : null}
      </p>
    </section>
  );
}
