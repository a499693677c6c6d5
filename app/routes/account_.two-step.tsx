/**
 * /account/two-step: a signed-in user sets up two-step login (a key for an authenticator app, shown as
 * a QR code and as text, confirmed with the code the app shows), keeps the recovery codes shown once,
 * makes new ones, or turns it off (the password again for both).
 */
import {
  redirect,
  type ActionFunctionArgs,
  type HeadersFunction,
  type LoaderFunctionArgs,
  type MetaFunction,
} from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { useEffect, useRef } from "react";
import { Field, FormError, Notice } from "../components/Field";
import { QrCode } from "../components/QrCode";
import { SubmitButton } from "../components/SubmitButton";
import { formatRecoveryCode, groupedSecret, TWO_STEP } from "../features/accounts/domain/two-step";
import { twoStepChangeInput, twoStepConfirmInput } from "../features/accounts/forms";
import { requireUser, sessionToken } from "../features/accounts/session.server";
import {
  beginTwoStep,
  cancelTwoStepSetup,
  confirmTwoStep,
  pendingTwoStepKey,
  renewRecoveryCodes,
  turnOffTwoStep,
  twoStepRequired,
  twoStepStatus,
} from "../features/accounts/two-step.server";
import { ROLE_LABELS } from "../platform/roles";
import { rateLimitedFormHeaders } from "../features/public/domain/page-headers";
import { formatDate } from "../platform/format";
import { parseForm } from "../platform/forms";
import { attempt, failure, unknownIntent } from "../platform/http/action-errors.server";
import { readForm } from "../platform/http/request-body.server";
import { qrSvg } from "../platform/qr-svg.server";

export const meta: MetaFunction = () => [{ title: "Two-step login — Your account — IoT Seal" }];
/** A refusal by the rate limit (429) keeps its Retry-After. */
export const headers: HeadersFunction = rateLimitedFormHeaders;

export async function loader({ request, context }: LoaderFunctionArgs) {
  const user = await requireUser(request, context);
  const status = twoStepStatus(user);
  const key = status.state === "pending" ? pendingTwoStepKey(user) : null;
  return {
    email: user.email,
    /** The role must use two-step login (TWO_STEP_REQUIRED_FOR): "assessors", or null. */
    requiredFor: twoStepRequired(user) ? `${ROLE_LABELS[user.role].toLowerCase()}s` : null,
    state: status.state,
    since: status.since,
    recoveryCodesLeft: status.recoveryCodesLeft,
    setup: key ? { secret: groupedSecret(key.secret), uri: key.uri, qr: qrSvg(key.uri, "M") } : null,
  };
}

const SETUP_INTENTS = ["begin", "confirm", "cancel", "renew-codes", "turn-off"] as const;

export async function action({ request, context }: ActionFunctionArgs) {
  const user = await requireUser(request, context);
  const form = await readForm(request);
  const intent = form.get("intent");
  const unknown = unknownIntent(intent, SETUP_INTENTS);
  if (unknown) return unknown;
  if (intent === "begin" || intent === "cancel") {
    const result = await attempt(() => (intent === "begin" ? beginTwoStep(user) : cancelTwoStepSetup(user)));
    if (!result.ok) return result.response;
    return redirect("/account/two-step");
  }
  if (intent === "confirm") {
    const parsed = parseForm(twoStepConfirmInput, form);
    if (!parsed.ok) return failure("Two-step login is not on yet.", parsed.fieldErrors);
    const token = await sessionToken(request);
    const result = await attempt(() => confirmTwoStep(user, token, parsed.data));
    if (!result.ok) return result.response;
    const n = result.value.otherSessionsEnded;
    return {
      ok: true as const,
      notice: `Two-step login is on.${n ? ` You were signed out of ${n} other session${n === 1 ? "" : "s"}: logging in there asks for the code now.` : ""}`,
      recoveryCodes: result.value.recoveryCodes,
    };
  }
  const parsed = parseForm(twoStepChangeInput, form);
  const values = { intent: String(intent) }; // which of the two password forms answers
  if (!parsed.ok) return failure("Check the highlighted field.", parsed.fieldErrors, values);
  if (parsed.data.intent === "renew-codes") {
    const result = await attempt(() => renewRecoveryCodes(user, parsed.data), values);
    if (!result.ok) return result.response;
    return {
      ok: true as const,
      notice: "Here are your new recovery codes. The old ones no longer work.",
      recoveryCodes: result.value.recoveryCodes,
    };
  }
  const result = await attempt(() => turnOffTwoStep(user, parsed.data), values);
  if (!result.ok) return result.response;
  return {
    ok: true as const,
    notice: "Two-step login is off: your password alone logs you in. Your recovery codes no longer work.",
    recoveryCodes: null,
  };
}

export default function TwoStep() {
  const d = useLoaderData<typeof loader>();
  const a = useActionData<typeof action>();
  const busy = useNavigation().state === "submitting";
  const failed = a && !a.ok ? a : undefined;
  const codes = a && a.ok ? a.recoveryCodes : null;
  const formRef = useRef<HTMLFormElement>(null);
  // After each answer the password and code fields are empty again, as after a full page load.
  useEffect(() => {
    if (a) formRef.current?.reset();
  }, [a]);
  return (
    <>
      <div className="page-head">
        <div>
          <p className="eyebrow">
            <Link to="/account">Your account</Link>
          </p>
          <h1>Two-step login</h1>
          <p>
            With two-step login on, your password alone does not open your account: IoT Seal also asks for the code an
            authenticator app on your phone shows (such as Google Authenticator, Microsoft Authenticator, 1Password or
            Aegis).
          </p>
        </div>
      </div>
      {d.requiredFor && d.state !== "on" ? (
        <p className="alert alert--warn" role="status" data-testid="two-step-required">
          IoT Seal requires two-step login for {d.requiredFor}. Set it up to go on: until then, this is the only page
          your account opens.
        </p>
      ) : null}
      <Notice message={a?.ok ? a.notice : undefined} />
      <FormError message={failed?.formError} />
      {codes ? <RecoveryCodes codes={codes} email={d.email} /> : null}
      {d.state === "off" ? (
        <section className="card" aria-labelledby="setup-title">
          <h2 id="setup-title">Two-step login is off</h2>
          <p>
            Assessors&apos; and administrators&apos; accounts decide which products carry the seal: turn it on there
            above all. Setting it up takes a minute: scan a code with the app, then type the code it shows.
          </p>
          <Form method="post">
            <SubmitButton className="button" name="intent" value="begin" busy={busy}>
              Set up two-step login
            </SubmitButton>
          </Form>
        </section>
      ) : null}
      {d.state === "pending" && d.setup ? (
        <section className="card" aria-labelledby="setup-title">
          <h2 id="setup-title">Set up your authenticator app</h2>
          <ol className="stack">
            <li>
              In the app, add an account and scan this QR code.
              <div>
                <QrCode
                  qr={d.setup.qr}
                  label="QR code of your two-step login key for IoT Seal"
                  className="two-step__qr"
                />
              </div>
              <p className="small">
                On the phone itself? <a href={d.setup.uri}>Open the key in your authenticator app</a>.
              </p>
              <p className="small">
                Cannot scan it? Type this key into the app instead (time-based, 6 digits, every 30 seconds):{" "}
                <code className="mono" data-testid="two-step-key">
                  {d.setup.secret}
                </code>
              </p>
            </li>
            <li>
              Type the code the app now shows for IoT Seal.
              <Form method="post" noValidate className="stack" ref={formRef}>
                <Field
                  label="Code from the app"
                  name="code"
                  autoComplete="one-time-code"
                  inputMode="numeric"
                  spellCheck={false}
                  required
                  error={failed?.fieldErrors.code}
                />
                {/* For password managers: whose password this is. */}
                <input type="text" name="username" autoComplete="username" value={d.email} readOnly hidden />
                <Field
                  label="Your password"
                  name="password"
                  id="confirm-password"
                  type="password"
                  autoComplete="current-password"
                  required
                  error={failed?.fieldErrors.password}
                />
                <div>
                  <SubmitButton className="button" name="intent" value="confirm" busy={busy}>
                    Turn on two-step login
                  </SubmitButton>
                </div>
              </Form>
            </li>
          </ol>
          <Form method="post">
            <button className="button button--quiet button--small" name="intent" value="cancel">
              Cancel the setup
            </button>
          </Form>
        </section>
      ) : null}
      {d.state === "on" ? (
        <>
          <section className="card" aria-labelledby="on-title">
            <h2 id="on-title">Two-step login is on</h2>
            <dl className="facts">
              <dt>Since</dt>
              <dd>{formatDate(d.since)}</dd>
              <dt>Recovery codes</dt>
              <dd data-testid="recovery-codes-left">
                {d.recoveryCodesLeft} of {TWO_STEP.recoveryCodes} left
                {d.recoveryCodesLeft <= 3 ? " — make new ones before they run out" : ""}
              </dd>
            </dl>
          </section>
          <PasswordForm
            intent="renew-codes"
            title="New recovery codes"
            about="A new set of ten ends the old one, used or not. It asks for your password and a code."
            button="Make new recovery codes"
            email={d.email}
            error={failed?.values?.intent === "renew-codes" ? failed.fieldErrors : undefined}
            busy={busy}
          />
          {d.requiredFor ? (
            <section className="card" aria-labelledby="turn-off-title">
              <h2 id="turn-off-title">Turn off two-step login</h2>
              <p className="muted">
                IoT Seal requires two-step login for {d.requiredFor}: it cannot be turned off. Lost your phone? Log in
                with a recovery code, or ask an administrator.
              </p>
            </section>
          ) : (
            <PasswordForm
              intent="turn-off"
              title="Turn off two-step login"
              about="Your password alone will log you in again, and your recovery codes stop working. It asks for your password and a code."
              button="Turn off two-step login"
              email={d.email}
              error={failed?.values?.intent === "turn-off" ? failed.fieldErrors : undefined}
              busy={busy}
              danger
            />
          )}
        </>
      ) : null}
      {d.requiredFor && d.state !== "on" ? null : (
        <p className="small">
          <Link to="/account">Back to your account</Link>
        </p>
      )}
    </>
  );
}

/** One of the two forms that ask for the password again (new recovery codes; turning two-step login off). */
function PasswordForm(p: {
  intent: "renew-codes" | "turn-off";
  title: string;
  about: string;
  button: string;
  email: string;
  error: Record<string, string> | undefined;
  busy: boolean;
  danger?: boolean;
}) {
  const ref = useRef<HTMLFormElement>(null);
  const a = useActionData<typeof action>();
  // After each answer the password field is empty again, as after a full page load.
  useEffect(() => {
    if (a) ref.current?.reset();
  }, [a]);
  return (
    <section className="card" aria-labelledby={`${p.intent}-title`}>
      <h2 id={`${p.intent}-title`}>{p.title}</h2>
      <p className="muted">{p.about}</p>
      <Form method="post" noValidate className="stack" ref={ref}>
        <input type="hidden" name="intent" value={p.intent} />
        {/* For password managers: whose password this is. */}
        <input type="text" name="username" autoComplete="username" value={p.email} readOnly hidden />
        <Field
          label="Your password"
          name="password"
          id={`${p.intent}-password`}
          type="password"
          autoComplete="current-password"
          required
          error={p.error?.password}
        />
        <Field
          label="Code from your app, or a recovery code"
          name="code"
          id={`${p.intent}-code`}
          autoComplete="one-time-code"
          spellCheck={false}
          required
          error={p.error?.code}
        />
        <div>
          <SubmitButton className={p.danger ? "button button--danger" : "button"} busy={p.busy}>
            {p.button}
          </SubmitButton>
        </div>
      </Form>
    </section>
  );
}

/** The recovery codes, shown this once, with a text file of them to keep. */
function RecoveryCodes({ codes, email }: { codes: string[]; email: string }) {
  const shown = codes.map(formatRecoveryCode);
  const file = `IoT Seal recovery codes for ${email}\nEach works once, in place of the code from your app.\n\n${shown.join("\n")}\n`;
  return (
    <section className="card" aria-labelledby="codes-title">
      <h2 id="codes-title">Your recovery codes</h2>
      <p>
        If you lose your phone, each of these logs you in once in place of the app&apos;s code. They are shown only now:
        keep them somewhere safe, apart from your password (a password manager, or printed).
      </p>
      <ul className="recovery-codes mono" data-testid="recovery-codes">
        {shown.map((c) => (
          <li key={c}>{c}</li>
        ))}
      </ul>
      <p>
        <a
          className="button button--quiet button--small"
          href={`data:text/plain;charset=utf-8,${encodeURIComponent(file)}`}
          download="iot-seal-recovery-codes.txt"
        >
          Download them as a text file
        </a>
      </p>
    </section>
  );
}
