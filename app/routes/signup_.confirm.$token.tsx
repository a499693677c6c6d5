/**
 * A registration's confirmation link (decision record 037): opening it shows what it confirms and
 * asks for the password chosen when registering (and changes nothing: mail scanners open links);
 * sending the form creates the organisation and its first user and signs them in. A link that does
 * not work (unknown, expired, used, or the address registered meanwhile) says so, with a way on.
 */
import type { ActionFunctionArgs, HeadersFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { useEffect, useRef } from "react";
import { Field, FormError } from "../components/Field";
import { SubmitButton } from "../components/SubmitButton";
import { confirmSignupInput, linkTokenOf } from "../features/accounts/forms";
import { startSessionAndRedirect } from "../features/accounts/session.server";
import { confirmSignup, SIGNUP_LINK_PROBLEMS, signupLinkState } from "../features/accounts/signup.server";
import { rateLimitedFormHeaders } from "../features/public/domain/page-headers";
import { formatDateTime } from "../platform/format";
import { parseForm } from "../platform/forms";
import { attempt, failure } from "../platform/http/action-errors.server";
import { readForm } from "../platform/http/request-body.server";

export const meta: MetaFunction = () => [{ title: "Confirm your registration — IoT Seal" }];

/** The token is in the address: never kept in a cache. A refusal by the rate limit (429) keeps its Retry-After. */
export const headers: HeadersFunction = (args) => {
  const out = rateLimitedFormHeaders(args);
  out.set("Cache-Control", "no-store");
  return out;
};

export async function loader({ params }: LoaderFunctionArgs) {
  const token = linkTokenOf(params);
  const state = token ? signupLinkState(token) : ({ ok: false, problem: "unknown" } as const);
  if (state.ok) {
    const { email, name, organizationName, kind, expiresAt } = state;
    return { ok: true as const, registration: { email, name, organizationName, kind, expiresAt }, problem: null };
  }
  return data(
    { ok: false as const, registration: null, problem: state.problem, message: SIGNUP_LINK_PROBLEMS[state.problem] },
    { status: state.problem === "unknown" ? 404 : 410 },
  );
}

export async function action({ request, context, params }: ActionFunctionArgs) {
  const form = await readForm(request);
  const token = linkTokenOf(params);
  if (!token) return failure(SIGNUP_LINK_PROBLEMS.unknown, {}, undefined, 404);
  const parsed = parseForm(confirmSignupInput, form);
  if (!parsed.ok) return failure("Check the highlighted field.", parsed.fieldErrors);
  const result = await attempt(() =>
    confirmSignup(token, parsed.data, { ip: context.ip, userAgent: request.headers.get("user-agent") }),
  );
  if (!result.ok) return result.response;
  return startSessionAndRedirect(result.value.token, result.value.user.role, null);
}

export default function ConfirmSignup() {
  const loaded = useLoaderData<typeof loader>();
  const a = useActionData<typeof action>();
  const busy = useNavigation().state === "submitting";
  const formRef = useRef<HTMLFormElement>(null);
  // After a refusal the password field is empty again, as after a full page load.
  useEffect(() => {
    if (a) formRef.current?.reset();
  }, [a]);
  if (!loaded.ok) {
    const signIn = loaded.problem === "used" || loaded.problem === "taken";
    return (
      <div className="auth">
        <section className="card">
          <h1>This link does not work</h1>
          <div className="alert alert--error" role="alert">
            {"message" in loaded ? loaded.message : null}
          </div>
          <p>
            {signIn ? (
              <Link className="button" to="/login">
                Log in
              </Link>
            ) : (
              <Link className="button" to="/signup">
                Register again
              </Link>
            )}
          </p>
        </section>
      </div>
    );
  }
  const r = loaded.registration;
  return (
    <div className="auth">
      <section className="card">
        <h1>Confirm your registration</h1>
        <dl className="facts">
          <dt>Organisation</dt>
          <dd>
            {r.organizationName} ({r.kind})
          </dd>
          <dt>Your account</dt>
          <dd>
            {r.name}, {r.email}
          </dd>
        </dl>
        <p className="muted">
          Type the password you chose when you registered to create the organisation and your account. The link works
          until {formatDateTime(r.expiresAt)}.
        </p>
        <FormError message={a?.formError} fieldErrors={a?.fieldErrors} />
        <Form method="post" noValidate ref={formRef}>
          {/* For password managers: whose password this is. */}
          <input type="text" name="username" autoComplete="username" value={r.email} readOnly hidden />
          <Field
            label="Password"
            name="password"
            type="password"
            autoComplete="current-password"
            required
            error={a?.fieldErrors.password}
          />
          <SubmitButton className="button" busy={busy}>
            {busy ? "Creating…" : "Create organisation and account"}
          </SubmitButton>
        </Form>
        <p className="small muted">
          Not you, or details wrong? Ignore this link (nothing is created without it) and{" "}
          <Link to="/signup">register again</Link>.
        </p>
      </section>
    </div>
  );
}
