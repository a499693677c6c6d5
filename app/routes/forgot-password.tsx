/**
 * "Forgot your password?": asks for a reset link. The answer is the same whether or not the address
 * has an account. With SMTP_URL the link is mailed; without it this portal sends no mail: the mail is
 * kept at /admin/outbox and an administrator hands the link over, and the page says so.
 */
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction, HeadersFunction } from "@remix-run/node";
import { rateLimitedFormHeaders } from "../features/public/domain/page-headers";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { Field, FormError } from "../components/Field";
import { requestPasswordReset } from "../features/accounts/password-reset.server";
import { forgotPasswordInput } from "../features/accounts/forms";
import { getEnv } from "../platform/env.server";
import { emailField, parseForm } from "../platform/forms";
import { attempt, failure } from "../platform/http/action-errors.server";
import { readForm } from "../platform/http/request-body.server";
import { SubmitButton } from "../components/SubmitButton";

export const meta: MetaFunction = () => [{ title: "Forgot your password? — IoT Seal" }];
/** A refusal by the rate limit (429) keeps its Retry-After. */
export const headers: HeadersFunction = rateLimitedFormHeaders;

export async function loader({ request }: LoaderFunctionArgs) {
  // The login page passes the address typed there, if any.
  const email = emailField.safeParse(new URL(request.url).searchParams.get("email") ?? "");
  // Whether reset links are mailed at all (SMTP_URL), so the page does not promise a mail that never comes.
  return { email: email.success ? email.data : "", mailSent: Boolean(getEnv().smtpUrl) };
}

export async function action({ request, context }: ActionFunctionArgs) {
  const parsed = parseForm(forgotPasswordInput, await readForm(request));
  if (!parsed.ok) return failure("Check the highlighted field.", parsed.fieldErrors, parsed.values);
  const values = { email: parsed.data.email };
  const result = await attempt(() => requestPasswordReset(parsed.data, { ip: context.ip }), values);
  if (!result.ok) return result.response;
  return { ok: true as const, email: parsed.data.email };
}

export default function ForgotPassword() {
  const { email, mailSent } = useLoaderData<typeof loader>();
  const a = useActionData<typeof action>();
  const busy = useNavigation().state === "submitting";
  const failed = a && !a.ok ? a : undefined;
  return (
    <div className="auth">
      <section className="card">
        <h1>Forgot your password?</h1>
        {a?.ok ? (
          <>
            {mailSent ? (
              <>
                <div className="alert alert--ok" role="status">
                  If an account exists for <strong>{a.email}</strong>, we sent a link to it to set a new password.
                </div>
                <p>
                  The link works once, for one hour. No mail within a few minutes? Check your spam folder, or ask again;
                  only the newest link works.
                </p>
              </>
            ) : (
              <>
                <div className="alert alert--ok" role="status">
                  If an account exists for <strong>{a.email}</strong>, a link to set a new password was made for it.
                  This portal does not send mail: ask an administrator of IoT Seal to give you the link.
                </div>
                <p>
                  The link works once, for one hour; only the newest link works. If it has expired, ask for a new one
                  here.
                </p>
              </>
            )}
            <p className="small">
              <Link to="/login">Back to log in</Link>
            </p>
          </>
        ) : (
          <>
            <p className="muted">
              {mailSent
                ? "Enter the email address of your account. We will mail you a link to set a new password."
                : "Enter the email address of your account. This portal does not send mail: an administrator of IoT Seal gives you the link to set a new password."}
            </p>
            <FormError message={failed?.formError} />
            <Form method="post" noValidate>
              <Field
                label="Email"
                name="email"
                type="email"
                autoComplete="username"
                required
                defaultValue={failed?.values?.email ?? email}
                error={failed?.fieldErrors.email}
              />
              <SubmitButton className="button" busy={busy}>
                {mailSent ? (busy ? "Sending…" : "Send me a reset link") : busy ? "Asking…" : "Ask for a reset link"}
              </SubmitButton>
            </Form>
            <p className="small muted">
              Remembered it? <Link to="/login">Log in</Link>.
            </p>
          </>
        )}
      </section>
    </div>
  );
}
