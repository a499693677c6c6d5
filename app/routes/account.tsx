/** The signed-in user's account: who they are, where they are signed in, and changing their password. */
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
import { changePasswordInput, endSessionInput } from "../features/accounts/forms";
import { endOtherOwnSessions, endOwnSession, listOwnSessions } from "../features/accounts/own-sessions.server";
import { changePassword } from "../features/accounts/password-change.server";
import { requireUser, sessionToken, setSessionCookie } from "../features/accounts/session.server";
import { parseForm } from "../platform/forms";
import { attempt, failure, unknownIntent } from "../platform/http/action-errors.server";
import { readForm } from "../platform/http/request-body.server";
import { ROLE_LABELS } from "../platform/roles";
import { SubmitButton } from "../components/SubmitButton";
import { twoStepStatus } from "../features/accounts/two-step.server";
import { countOf, formatDate, formatDateTime } from "../platform/format";
import { SESSION_SEEN_STEP_MS } from "../features/accounts/domain/session-activity";

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
    sessions: listOwnSessions(user, await sessionToken(request)),
  };
}

/** The page's forms: the password change (no intent, as before there were others), a session, all the others. */
const INTENTS = [null, "change-password", "end-session", "end-other-sessions"] as const;

export async function action({ request, context }: ActionFunctionArgs) {
  const user = await requireUser(request, context);
  const form = await readForm(request);
  const intent = form.get("intent");
  const unknown = unknownIntent(intent, INTENTS);
  if (unknown) return unknown;
  const token = await sessionToken(request);
  if (intent === "end-session") {
    const values = { intent };
    const parsed = parseForm(endSessionInput, form);
    if (!parsed.ok) return failure("No session was signed out.", parsed.fieldErrors, values);
    const ended = await attempt(() => endOwnSession(user, token, parsed.data.session), values);
    if (!ended.ok) return ended.response;
    const { device, startedAt } = ended.value;
    return { ok: true as const, notice: `Signed out of ${device}, signed in since ${formatDateTime(startedAt)}.` };
  }
  if (intent === "end-other-sessions") {
    const ended = await attempt(() => endOtherOwnSessions(user, token), { intent });
    if (!ended.ok) return ended.response;
    const n = ended.value;
    return {
      ok: true as const,
      notice: n
        ? `Signed out of ${n} other session${n === 1 ? "" : "s"}; you stay signed in here.`
        : "You had no other session to sign out of.",
    };
  }
  const parsed = parseForm(changePasswordInput, form);
  if (!parsed.ok) return failure("Your password was not changed.", parsed.fieldErrors);
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
  // Which section a refusal belongs to: the sessions' forms say their intent; the password form none.
  const sessionsFailed = failed?.values?.intent?.startsWith("end-") ? failed : undefined;
  const passwordFailed = sessionsFailed ? undefined : failed;
  const others = me.sessions.filter((s) => !s.current);
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
      <section className="card" aria-labelledby="sessions-title">
        <h2 id="sessions-title">Where you are signed in</h2>
        <p className="muted">
          Every browser or device signed in to your account now, and when it was last used (to within{" "}
          {countOf(SESSION_SEEN_STEP_MS / 60_000, "minute")}). Sign out one you do not recognise or no longer use (a
          shared computer, a lost phone), then change your password if it could be known.
        </p>
        <FormError message={sessionsFailed?.formError ?? sessionsFailed?.fieldErrors.session} />
        <div className="table-wrap">
          <table className="stack" data-testid="own-sessions">
            <thead>
              <tr>
                <th>Browser</th>
                <th>Address</th>
                <th>Signed in</th>
                <th>Last active</th>
                <th>Until</th>
                <th>
                  <span className="visually-hidden">Sign out</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {me.sessions.map((s) => (
                <tr key={s.id}>
                  <td data-label="Browser">
                    {s.device}
                    {s.current ? (
                      <>
                        {" "}
                        <span className="badge badge--ok">this browser</span>
                      </>
                    ) : null}
                  </td>
                  <td data-label="Address">
                    {s.ip ?? "not known"}
                    {s.lastIp && s.lastIp !== s.ip ? <>, last used from {s.lastIp}</> : null}
                  </td>
                  <td data-label="Signed in">{formatDateTime(s.startedAt)}</td>
                  <td data-label="Last active">{s.current ? "now" : formatDateTime(s.lastActiveAt)}</td>
                  <td data-label="Until">{formatDateTime(s.expiresAt)}</td>
                  <td>
                    {s.current ? null : (
                      <Form method="post">
                        <input type="hidden" name="intent" value="end-session" />
                        <input type="hidden" name="session" value={s.id} />
                        <button className="button button--quiet button--small">
                          Sign out
                          <span className="visually-hidden">
                            {" "}
                            {s.device}, signed in {formatDateTime(s.startedAt)}
                          </span>
                        </button>
                      </Form>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        {others.length > 1 ? (
          <Form method="post">
            <input type="hidden" name="intent" value="end-other-sessions" />
            <SubmitButton className="button button--quiet" busy={busy}>
              Sign out everywhere else ({others.length} sessions)
            </SubmitButton>
          </Form>
        ) : null}
      </section>
      <section className="card" aria-labelledby="password-title">
        <h2 id="password-title">Change your password</h2>
        <p className="muted">
          At least {PASSWORD_MIN_LENGTH} characters; a few words you will remember are fine. Your other sessions (other
          browsers and devices) are signed out; you stay signed in here.
        </p>
        <FormError message={passwordFailed?.formError} />
        <Form method="post" noValidate className="stack" ref={formRef}>
          {/* For password managers: whose password this is. */}
          <input type="text" name="username" autoComplete="username" value={me.email} readOnly hidden />
          <Field
            label="Current password"
            name="currentPassword"
            type="password"
            autoComplete="current-password"
            required
            error={passwordFailed?.fieldErrors.currentPassword}
          />
          <Field
            label="New password"
            name="newPassword"
            type="password"
            autoComplete="new-password"
            required
            error={passwordFailed?.fieldErrors.newPassword}
          />
          <Field
            label="New password again"
            name="confirmPassword"
            type="password"
            autoComplete="new-password"
            required
            error={passwordFailed?.fieldErrors.confirmPassword}
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
