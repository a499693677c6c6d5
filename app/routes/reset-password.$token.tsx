/**
 * A password reset link: opening it shows the form (and changes nothing: mail scanners open links);
 * sending the form sets the password, ends every session of the user and leads to the login page.
 * A link that does not work (unknown, expired, used, replaced by a newer one) says so, with a way to ask again.
 */
import type { ActionFunctionArgs, HeadersFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data, redirect } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { useEffect, useRef } from "react";
import { Field, FormError } from "../components/Field";
import { PASSWORD_MIN_LENGTH } from "../features/accounts/domain/password-policy";
import { resetPasswordInput, linkTokenOf } from "../features/accounts/forms";
import { RESET_LINK_PROBLEMS, resetLinkState, resetPassword } from "../features/accounts/password-reset.server";
import { clearSessionCookie } from "../features/accounts/session.server";
import { parseForm } from "../platform/forms";
import { attempt, failure } from "../platform/http/action-errors.server";
import { readForm } from "../platform/http/request-body.server";
import { SubmitButton } from "../components/SubmitButton";

export const meta: MetaFunction = () => [{ title: "Set a new password — IoT Seal" }];

/**
 * The token is in the address: never kept in a cache. (Other sites never see it either: the
 * portal's Referrer-Policy, strict-origin-when-cross-origin, sends them the origin only.)
 */
export const headers: HeadersFunction = () => ({ "Cache-Control": "no-store" });

export async function loader({ params }: LoaderFunctionArgs) {
  const token = linkTokenOf(params);
  const state = token ? resetLinkState(token) : ({ ok: false, problem: "unknown" } as const);
  if (state.ok) return { ok: true as const, email: state.email, problem: null };
  return data(
    { ok: false as const, email: null, problem: RESET_LINK_PROBLEMS[state.problem] },
    { status: state.problem === "unknown" ? 404 : 410 },
  );
}

export async function action({ request, context, params }: ActionFunctionArgs) {
  const form = await readForm(request);
  const token = linkTokenOf(params);
  if (!token) return failure(RESET_LINK_PROBLEMS.unknown, {}, undefined, 404);
  const parsed = parseForm(resetPasswordInput, form);
  if (!parsed.ok) return failure("Check the highlighted fields.", parsed.fieldErrors);
  const result = await attempt(() => resetPassword(token, parsed.data, { ip: context.ip }));
  if (!result.ok) return result.response;
  // Every session of the user has ended: this browser's too, if it had one.
  return redirect("/login?reset=1", { headers: { "Set-Cookie": await clearSessionCookie() } });
}

export default function ResetPassword() {
  const { ok, email, problem } = useLoaderData<typeof loader>();
  const a = useActionData<typeof action>();
  const busy = useNavigation().state === "submitting";
  const formRef = useRef<HTMLFormElement>(null);
  // After a refusal the password fields are empty again, as after a full page load.
  useEffect(() => {
    if (a) formRef.current?.reset();
  }, [a]);
  if (!ok) {
    return (
      <div className="auth">
        <section className="card">
          <h1>This link does not work</h1>
          <div className="alert alert--error" role="alert">
            {problem}
          </div>
          <p>
            <Link className="button" to="/forgot-password">
              Ask for a new link
            </Link>
          </p>
          <p className="small muted">
            Remembered your password? <Link to="/login">Log in</Link>.
          </p>
        </section>
      </div>
    );
  }
  return (
    <div className="auth">
      <section className="card">
        <h1>Set a new password</h1>
        <p className="muted">
          For <strong>{email}</strong>. At least {PASSWORD_MIN_LENGTH} characters; a few words you will remember are
          fine. You will be signed out everywhere and log in again with it.
        </p>
        <FormError message={a?.formError} />
        <Form method="post" noValidate ref={formRef}>
          {/* For password managers: whose password this is. */}
          <input type="text" name="username" autoComplete="username" value={email ?? ""} readOnly hidden />
          <Field
            label="New password"
            name="newPassword"
            type="password"
            autoComplete="new-password"
            required
            error={a?.fieldErrors.newPassword}
          />
          <Field
            label="New password again"
            name="confirmPassword"
            type="password"
            autoComplete="new-password"
            required
            error={a?.fieldErrors.confirmPassword}
          />
          <SubmitButton className="button" busy={busy}>
            {busy ? "Saving…" : "Set new password"}
          </SubmitButton>
        </Form>
      </section>
    </div>
  );
}
