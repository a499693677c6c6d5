/** The signed-in user's account: who they are, and changing their password. */
import {
  data,
  type ActionFunctionArgs,
  type HeadersFunction,
  type LoaderFunctionArgs,
  type MetaFunction,
} from "@remix-run/node";
import { rateLimitedFormHeaders } from "../features/public/domain/page-headers";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { useEffect, useRef } from "react";
import { Field, FormError, Notice } from "../components/Field";
import { PASSWORD_MIN_LENGTH } from "../features/accounts/domain/password-policy";
import { changePasswordInput } from "../features/accounts/forms";
import { changePassword } from "../features/accounts/password-change.server";
import { requireUser, sessionToken, setSessionCookie } from "../features/accounts/session.server";
import { parseForm } from "../platform/forms";
import { attempt, failure } from "../platform/http/action-errors.server";
import { readForm } from "../platform/http/request-body.server";
import { ROLE_LABELS } from "../platform/roles";
import { SubmitButton } from "../components/SubmitButton";
import { twoStepStatus } from "../features/accounts/two-step.server";
import { formatDate } from "../platform/format";

export const meta: MetaFunction = () => [{ title: "Your account — IoT Seal" }];
/** A refusal by the rate limit (429) keeps its Retry-After. */
export const headers: HeadersFunction = rateLimitedFormHeaders;

export async function loader({ request, context }: LoaderFunctionArgs) {
  const user = await requireUser(request, context);
  return {
    name: user.name,
    email: user.email,
    role: ROLE_LABELS[user.role],
    organizationName: user.organizationName,
    twoStep: twoStepStatus(user),
  };
}

export async function action({ request, context }: ActionFunctionArgs) {
  const user = await requireUser(request, context);
  const parsed = parseForm(changePasswordInput, await readForm(request));
  if (!parsed.ok) return failure("Your password was not changed.", parsed.fieldErrors);
  const token = await sessionToken(request);
  const result = await attempt(() => changePassword(user, token, parsed.data));
  if (!result.ok) return result.response;
  const { otherSessionsEnded: n, sessionToken: renewed } = result.value;
  const notice =
    "Your password is changed. " +
    (n
      ? `You were signed out of ${n} other session${n === 1 ? "" : "s"}; you stay signed in here.`
      : "You had no other session to sign out of; you stay signed in here.");
  // This browser's session goes on under a new token: a copy of the old cookie no longer works.
  return data(
    { ok: true as const, notice },
    renewed ? { headers: { "Set-Cookie": await setSessionCookie(renewed) } } : undefined,
  );
}

export default function Account() {
  const me = useLoaderData<typeof loader>();
  const a = useActionData<typeof action>();
  const busy = useNavigation().state === "submitting";
  const failed = a && !a.ok ? a : undefined;
  const formRef = useRef<HTMLFormElement>(null);
  // After each answer the password fields are empty again, as after a full page load.
  useEffect(() => {
    if (a) formRef.current?.reset();
  }, [a]);
  return (
    <>
      <div className="page-head">
        <div>
          <p className="eyebrow">Your account</p>
          <h1>{me.name}</h1>
          <p>
            {me.role} · {me.organizationName}
          </p>
        </div>
      </div>
      <Notice message={a?.ok ? a.notice : undefined} />
      <section className="card">
        <dl className="facts">
          <dt>Email</dt>
          <dd>{me.email}</dd>
          <dt>Role</dt>
          <dd>{me.role}</dd>
          <dt>Organisation</dt>
          <dd>{me.organizationName}</dd>
          <dt>Two-step login</dt>
          <dd data-testid="two-step-state">
            {me.twoStep.state === "on" ? (
              <>
                On since {formatDate(me.twoStep.since)} ·{" "}
                <Link to="/account/two-step">Recovery codes, or turn it off</Link>
              </>
            ) : (
              <>
                Off · <Link to="/account/two-step">Set up two-step login</Link> (a code from an app on your phone after
                your password)
              </>
            )}
          </dd>
          <dt>Notifications</dt>
          <dd>
            <Link to="/notifications/settings">Choose which notifications are emailed to you</Link>
          </dd>
        </dl>
      </section>
      <section className="card" aria-labelledby="password-title">
        <h2 id="password-title">Change your password</h2>
        <p className="muted">
          At least {PASSWORD_MIN_LENGTH} characters; a few words you will remember are fine. Your other sessions (other
          browsers and devices) are signed out; you stay signed in here.
        </p>
        <FormError message={failed?.formError} />
        <Form method="post" noValidate className="stack" ref={formRef}>
          {/* For password managers: whose password this is. */}
          <input type="text" name="username" autoComplete="username" value={me.email} readOnly hidden />
          <Field
            label="Current password"
            name="currentPassword"
            type="password"
            autoComplete="current-password"
            required
            error={failed?.fieldErrors.currentPassword}
          />
          <Field
            label="New password"
            name="newPassword"
            type="password"
            autoComplete="new-password"
            required
            error={failed?.fieldErrors.newPassword}
          />
          <Field
            label="New password again"
            name="confirmPassword"
            type="password"
            autoComplete="new-password"
            required
            error={failed?.fieldErrors.confirmPassword}
          />
          <div>
            <SubmitButton className="button" busy={busy}>
              {busy ? "Changing…" : "Change password"}
            </SubmitButton>
          </div>
        </Form>
        <p className="small muted">
          Forgot your current password? <Link to="/forgot-password">Ask for a reset link</Link>.
        </p>
      </section>
    </>
  );
}
