import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction, HeadersFunction } from "@remix-run/node";
import { rateLimitedFormHeaders } from "../features/public/domain/page-headers";
import { readForm } from "../platform/http/request-body.server";
import { redirect } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation, useSearchParams } from "@remix-run/react";
import { useEffect, useRef } from "react";
import { Field, FormError, Notice } from "../components/Field";
import { getEnv } from "../platform/env.server";
import { DASHBOARD_PATH, ROLE_LABELS } from "../platform/roles";
import { attempt, failure } from "../platform/http/action-errors.server";
import { parseForm } from "../platform/forms";
import { askForSecondStep, getOptionalUser, startSessionAndRedirect } from "../features/accounts/session.server";
import { startLogin } from "../features/accounts/auth.server";
import { loginInput } from "../features/accounts/forms";
import { DEMO_PASSWORD, DEMO_USERS } from "../demo/seed.server";
import { SubmitButton } from "../components/SubmitButton";
import { CHALLENGE_ENDED } from "../features/accounts/two-step.server";

export const meta: MetaFunction = () => [{ title: "Log in — IoT Seal" }];
/** A refusal by the rate limit (429) keeps its Retry-After. */
export const headers: HeadersFunction = rateLimitedFormHeaders;

export async function loader({ request, context }: LoaderFunctionArgs) {
  const user = await getOptionalUser(request, context);
  if (user) throw redirect(DASHBOARD_PATH[user.role]);
  const demo = getEnv().demoMode
    ? {
        password: DEMO_PASSWORD,
        accounts: DEMO_USERS.map((u) => ({
          email: u.email,
          role: ROLE_LABELS[u.role],
          about: `${u.organization}: ${u.about}`,
        })),
      }
    : null;
  // After a password reset (/reset-password/<token> leads here).
  const asked = new URL(request.url).searchParams;
  const reset = asked.get("reset") === "1";
  // Back from the code page of a two-step login that ended (five minutes, five codes).
  const ended = asked.get("again") === "1";
  return {
    demo,
    notice: reset
      ? "Your new password is set and you were signed out everywhere. Log in with it."
      : ended
        ? CHALLENGE_ENDED
        : null,
  };
}

export async function action({ request, context }: ActionFunctionArgs) {
  const form = await readForm(request);
  const parsed = parseForm(loginInput, form);
  if (!parsed.ok) return failure("Check the highlighted fields.", parsed.fieldErrors, parsed.values);
  const values = { email: parsed.data.email };
  const result = await attempt(
    () => startLogin(parsed.data, { ip: context.ip, userAgent: request.headers.get("user-agent") }),
    values,
  );
  if (!result.ok) return result.response;
  // Two-step login: the code page next (the session comes after the code).
  if ("secondStep" in result.value) return askForSecondStep(result.value.secondStep.token, form.get("redirectTo"));
  return startSessionAndRedirect(result.value.token, result.value.user.role, form.get("redirectTo"));
}

export default function Login() {
  const { demo, notice } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const [params] = useSearchParams();
  const busy = useNavigation().state === "submitting";
  const formRef = useRef<HTMLFormElement>(null);
  // After a failed attempt the password is cleared and focused, as after a full page load.
  useEffect(() => {
    const password = formRef.current?.elements.namedItem("password");
    if (actionData && password instanceof HTMLInputElement) {
      password.value = "";
      if (actionData.fieldErrors?.email)
        (formRef.current?.elements.namedItem("email") as HTMLInputElement | null)?.focus();
      else password.focus();
    }
  }, [actionData]);
  return (
    <div className="auth">
      <section className="card">
        <h1>Log in</h1>
        <p className="muted">Suppliers, assessors, retail buyers and administrators all log in here.</p>
        <Notice message={actionData ? null : notice} />
        <FormError message={actionData?.formError} />
        <Form method="post" noValidate ref={formRef}>
          <input type="hidden" name="redirectTo" value={params.get("redirectTo") ?? ""} />
          <Field
            label="Email"
            name="email"
            type="email"
            autoComplete="username"
            required
            defaultValue={actionData?.values?.email}
            error={actionData?.fieldErrors?.email}
          />
          <Field
            label="Password"
            name="password"
            type="password"
            autoComplete="current-password"
            required
            error={actionData?.fieldErrors?.password}
          />
          <SubmitButton className="button" busy={busy}>
            {busy ? "Logging in…" : "Log in"}
          </SubmitButton>
        </Form>
        <p className="small">
          <Link to="/forgot-password" className="tap-target">
            Forgot your password?
          </Link>
        </p>
        <p className="small muted">
          No account yet? <Link to="/signup">Register your organisation</Link>.
        </p>
      </section>
      {demo ? (
        <section className="card demo-accounts" aria-labelledby="demo-title">
          <h2 id="demo-title">Demo accounts</h2>
          <p className="small">
            This portal runs in demo mode. Every account below uses the password <code>{demo.password}</code>.
          </p>
          <div className="table-wrap">
            <table className="stack">
              <thead>
                <tr>
                  <th>Email</th>
                  <th>Role</th>
                  <th>Who</th>
                </tr>
              </thead>
              <tbody>
                {demo.accounts.map((a) => (
                  <tr key={a.email}>
                    <td data-label="Email">
                      <code>{a.email}</code>
                    </td>
                    <td data-label="Role">{a.role}</td>
                    <td className="small muted" data-label="Who">
                      {a.about}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </section>
      ) : null}
    </div>
  );
}
