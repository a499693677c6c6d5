/**
 * Registering an organisation (decision record 037): the form stores the registration and a link to
 * confirm it is mailed to the address given (with SMTP_URL; without it the mail is kept at
 * /admin/outbox and an administrator hands the link over, and the page says so). The answer is the
 * same whether or not the address has an account: sign-up reveals no account.
 */
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction, HeadersFunction } from "@remix-run/node";
import { rateLimitedFormHeaders } from "../features/public/domain/page-headers";
import { readForm } from "../platform/http/request-body.server";
import { redirect } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { Field, FieldGroup, FormError } from "../components/Field";
import { PASSWORD_MIN_LENGTH } from "../features/accounts/domain/password-policy";
import { DASHBOARD_PATH } from "../platform/roles";
import { attempt, failure } from "../platform/http/action-errors.server";
import { parseForm } from "../platform/forms";
import { getOptionalUser } from "../features/accounts/session.server";
import { requestSignup } from "../features/accounts/signup.server";
import { getEnv } from "../platform/env.server";
import { signupInput } from "../features/accounts/forms";
import { SubmitButton } from "../components/SubmitButton";

export const meta: MetaFunction = () => [{ title: "Register your organisation — IoT Seal" }];
/** A refusal by the rate limit (429) keeps its Retry-After. */
export const headers: HeadersFunction = rateLimitedFormHeaders;

export async function loader({ request, context }: LoaderFunctionArgs) {
  const user = await getOptionalUser(request, context);
  if (user) throw redirect(DASHBOARD_PATH[user.role]);
  // Whether the link is mailed at all (SMTP_URL), so the page does not promise a mail that never comes.
  // In the demo (no mail server), where the link waits and who reads it, so that a visitor can try the whole way.
  return { mailSent: Boolean(getEnv().smtpUrl), demo: getEnv().demoMode };
}

export async function action({ request, context }: ActionFunctionArgs) {
  const form = await readForm(request);
  const parsed = parseForm(signupInput, form);
  if (!parsed.ok) return failure("Check the highlighted fields.", parsed.fieldErrors, parsed.values);
  const { password: _omit, ...values } = parsed.data;
  const result = await attempt(
    () => requestSignup(parsed.data, { ip: context.ip, userAgent: request.headers.get("user-agent") }),
    values,
  );
  if (!result.ok) return result.response;
  return { ok: true as const, email: parsed.data.email, organizationName: parsed.data.organizationName };
}

/** After the form: where the link went, and what to do with it. */
function CheckYourInbox({
  email,
  organizationName,
  mailSent,
  demo,
}: {
  email: string;
  organizationName: string;
  mailSent: boolean;
  demo: boolean;
}) {
  return (
    <div className="auth">
      <section className="card">
        <h1>Confirm your email address</h1>
        <div className="alert alert--ok" role="status">
          {mailSent ? (
            <>
              We sent a mail to <strong>{email}</strong> to confirm the registration of{" "}
              <strong>{organizationName}</strong>.
            </>
          ) : (
            <>
              A mail to <strong>{email}</strong> to confirm the registration of <strong>{organizationName}</strong> is
              waiting in IoT Seal&apos;s outbox. This portal does not send mail: ask an administrator of IoT Seal to
              give it to you.
            </>
          )}
        </div>
        <p>
          Open the link in it and type the password you chose: that creates your organisation and your account and signs
          you in. The link works once, for 24 hours.
        </p>
        {demo && !mailSent ? (
          <p className="small">
            In this demo, <Link to="/login">log in</Link> as the administrator (the log-in page lists the demo
            accounts), open <strong>Mail outbox</strong> and the mail to {email}: the link is in it.
          </p>
        ) : null}
        <p className="small muted">
          {mailSent ? "No mail within a few minutes? Check your spam folder. " : null}If this address already has an
          account, the mail says so instead: <Link to="/login">log in</Link>, or{" "}
          <Link to="/forgot-password">set a new password</Link>.
        </p>
        <p className="small">
          <Link to="/signup">Register again</Link> · <Link to="/login">Log in</Link>
        </p>
      </section>
    </div>
  );
}

export default function Signup() {
  const { mailSent, demo } = useLoaderData<typeof loader>();
  const a = useActionData<typeof action>();
  const busy = useNavigation().state === "submitting";
  if (a?.ok)
    return (
      <CheckYourInbox email={a.email} organizationName={a.organizationName} mailSent={mailSent} demo={Boolean(demo)} />
    );
  const actionData = a;
  const values = actionData?.values ?? {};
  const errors = actionData?.fieldErrors ?? {};
  return (
    <div className="auth">
      <section className="card">
        <h1>Register your organisation</h1>
        <p className="muted">
          Creates your organisation and your account as its first member, once you confirm your email address with the
          link we {mailSent ? "mail you" : "make for you"}.
        </p>
        <FormError message={actionData?.formError} fieldErrors={errors} />
        <Form method="post" noValidate>
          <FieldGroup legend="We are a…" name="kind" error={errors.kind}>
            <label className="choice">
              <input type="radio" name="kind" value="supplier" defaultChecked={values.kind !== "retailer"} />
              <span>
                <strong>Supplier</strong> — we make connected products and want them certified
              </span>
            </label>
            <label className="choice">
              <input type="radio" name="kind" value="retailer" defaultChecked={values.kind === "retailer"} />
              <span>
                <strong>Retailer</strong> — we check seals before we stock products
              </span>
            </label>
          </FieldGroup>
          <Field
            label="Organisation name"
            name="organizationName"
            autoComplete="organization"
            required
            defaultValue={values.organizationName}
            error={errors.organizationName}
          />
          <Field
            label="Your name"
            name="name"
            autoComplete="name"
            required
            defaultValue={values.name}
            error={errors.name}
          />
          <Field
            label="Work email"
            name="email"
            type="email"
            autoComplete="email"
            required
            defaultValue={values.email}
            error={errors.email}
          />
          <Field
            label="Password"
            name="password"
            type="password"
            autoComplete="new-password"
            required
            hint={`At least ${PASSWORD_MIN_LENGTH} characters. A few unrelated words make a good password.`}
            error={errors.password}
          />
          <SubmitButton className="button" busy={busy}>
            {busy ? "Registering…" : "Register"}
          </SubmitButton>
        </Form>
        <p className="small muted">
          Already registered? <Link to="/login">Log in</Link>.
        </p>
      </section>
      <section className="card">
        <h2>What happens next</h2>
        <p>
          <strong>Suppliers</strong> register their products and firmware versions, then open a submission against a
          published checklist version and answer each requirement with evidence.
        </p>
        <p>
          <strong>Retailers</strong> verify seals by serial, QR code, PDF or a CSV of thousands, and watch the products
          they stock.
        </p>
        <p className="small muted">Assessors and administrators are added by the certification body, not by sign-up.</p>
      </section>
    </div>
  );
}
