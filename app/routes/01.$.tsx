import { data, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { isRouteErrorResponse, Link, useRouteError } from "@remix-run/react";
import { requireWithinPageLimit } from "../platform/http/rate-limits.server";
import { acceptsHtml, problemOf, resolutionHeaders, resolveDigitalLink } from "../features/public/gs1-resolver.server";

/** The error page's title says what went wrong, as its heading does. */
export const meta: MetaFunction = ({ error }) => [
  { title: error === undefined ? "GS1 Digital Link — IoT Seal" : `${errorTitle(error)} — IoT Seal` },
];

function errorTitle(error: unknown): string {
  const body = isRouteErrorResponse(error) ? (error.data as { title?: string } | null) : null;
  const status = isRouteErrorResponse(error) ? error.status : 500;
  return status >= 500 ? "Something went wrong" : (body?.title ?? (status === 404 ? "Not found" : "Not a valid link"));
}

/**
 * /01/<GTIN>…: the GS1 Digital Link resolver for browsers. Machine clients are answered by the fast
 * route (public/gs1-resolver.server.ts), which leaves only a browser's error to this route; it
 * answers everything the same way, though, so it is right on its own: a 307 to the seal page, the
 * linkset, or an error page (400 for a malformed link or a wrong check digit, 404 for a GTIN
 * without an IoT Seal or a link type the product does not have).
 */
export async function loader({ request, context }: LoaderFunctionArgs) {
  requireWithinPageLimit(context);
  const url = new URL(request.url);
  const accept = request.headers.get("accept");
  const r = await resolveDigitalLink(url.pathname, url.searchParams, accept);
  if (r.kind === "error") {
    if (!acceptsHtml(accept))
      return new Response(JSON.stringify(problemOf(r)), {
        status: r.status,
        headers: { "Content-Type": "application/problem+json", "Access-Control-Allow-Origin": "*", Vary: "Accept" },
      });
    throw data({ title: r.title, message: r.message, linkTypes: r.linkTypes ?? null }, { status: r.status });
  }
  const headers = resolutionHeaders(r, accept);
  if (r.kind === "redirect") return new Response(null, { status: 307, headers });
  return new Response(JSON.stringify(r.body), { status: 200, headers });
}

export default function DigitalLink() {
  return null; // the loader always answers with a redirect, a linkset or an error
}

export function ErrorBoundary() {
  const error = useRouteError();
  const body = isRouteErrorResponse(error) ? (error.data as { title?: string; message?: string } | null) : null;
  const status = isRouteErrorResponse(error) ? error.status : 500;
  const title = errorTitle(error);
  return (
    <section className="error-page" aria-labelledby="error-title">
      <p className="error-page__code">{status}</p>
      <h1 id="error-title">{title}</h1>
      <p>
        {status >= 500
          ? "An unexpected error happened on our side. It has been logged; please try again."
          : (body?.message ?? "Check the address for a typo.")}
      </p>
      {status === 404 ? (
        <p className="small">
          A product shows the IoT Seal only once it is certified. You can also look a seal up by its serial on the
          verify page.
        </p>
      ) : null}
      <p className="error-page__links">
        <Link to="/verify">Verify a seal</Link>
        <Link to="/">Go to the home page</Link>
      </p>
    </section>
  );
}
