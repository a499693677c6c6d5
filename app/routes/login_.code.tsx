/**
 * The second step of a two-step login: the password was right (the login challenge is in its
 * cookie); the code from the authenticator app, or a recovery code, opens the session.
 */
import {
  redirect,
  type ActionFunctionArgs,
  type HeadersFunction,
  type LoaderFunctionArgs,
  type MetaFunction,
} from "@remix-run/node";
import { Form, Link, useActionData, useNavigation, useSearchParams } from "@remix-run/react";
import { useEffect, useRef } from "react";
import { Field, FormError } from "../components/Field";
import { SubmitButton } from "../components/SubmitButton";
import { twoStepCodeInput } from "../features/accounts/forms";
import {
  clearLoginChallengeCookie,
  getOptionalUser,
  loginChallengeToken,
  startSessionAndRedirect,
} from "../features/accounts/session.server";
import { challengeIsOpen, finishLogin } from "../features/accounts/two-step.server";
import { rateLimitedFormHeaders } from "../features/public/domain/page-headers";
import { ServiceError } from "../platform/errors.server";
import { parseForm } from "../platform/forms";
import { failure, serviceFailure } from "../platform/http/action-errors.server";
import { safeRedirectPath } from "../platform/http/redirect";
import { readForm } from "../platform/http/request-body.server";
import { DASHBOARD_PATH } from "../platform/roles";

export const meta: MetaFunction = () => [{ title: "Your code — Log in — IoT Seal" }];
/** A refusal by the rate limit (429) keeps its Retry-After. */
export const headers: HeadersFunction = rateLimitedFormHeaders;

/** Back to the password, saying why (the login waited too long or took too many codes), the destination kept. */
async function logInAgain(request: Request): Promise<Response> {
  const to = safeRedirectPath(new URL(request.url).searchParams.get("redirectTo"), "");
  return redirect(`/login?again=1${to ? `&redirectTo=${encodeURIComponent(to)}` : ""}`, {
    headers: { "Set-Cookie": await clearLoginChallengeCookie() },
  });
}

export async function loader({ request, context }: LoaderFunctionArgs) {
  const user = await getOptionalUser(request, context);
  if (user) throw redirect(DASHBOARD_PATH[user.role]);
  if (!challengeIsOpen(await loginChallengeToken(request))) throw await logInAgain(request);
  return null;
}

export async function action({ request, context }: ActionFunctionArgs) {
  const form = await readForm(request);
  const parsed = parseForm(twoStepCodeInput, form);
  if (!parsed.ok) return failure("You are not logged in yet.", parsed.fieldErrors);
  let started;
  try {
    started = finishLogin(await loginChallengeToken(request), parsed.data, {
      ip: context.ip,
      userAgent: request.headers.get("user-agent"),
    });
  } catch (error) {
    if (error instanceof ServiceError && error.code === "unauthenticated") return logInAgain(request);
    return serviceFailure(error);
  }
  return startSessionAndRedirect(
    started.token,
    started.user.role,
    new URL(request.url).searchParams.get("redirectTo"),
    [await clearLoginChallengeCookie()],
  );
}

export default function LoginCode() {
  const actionData = useActionData<typeof action>();
  const busy = useNavigation().state === "submitting";
  const [params] = useSearchParams();
  const formRef = useRef<HTMLFormElement>(null);
  // After a wrong code the field is emptied and focused, as after a full page load.
  useEffect(() => {
    const code = formRef.current?.elements.namedItem("code");
    if (actionData && code instanceof HTMLInputElement) {
      code.value = "";
      code.focus();
    }
  }, [actionData]);
  const redirectTo = params.get("redirectTo");
  return (
    <div className="auth">
      <section className="card">
        <h1>Your code</h1>
        <p className="muted">
          Your password was right. Your account also asks for the code your authenticator app shows for IoT Seal.
        </p>
        <FormError message={actionData?.formError} />
        <Form
          method="post"
          action={`/login/code${redirectTo ? `?redirectTo=${encodeURIComponent(redirectTo)}` : ""}`}
          noValidate
          ref={formRef}
          className="stack"
        >
          <Field
            label="Code"
            name="code"
            autoComplete="one-time-code"
            inputMode="text"
            autoCapitalize="characters"
            spellCheck={false}
            required
            autoFocus
            hint="6 digits from the app, or one of your recovery codes if you do not have your phone."
            error={actionData?.fieldErrors?.code}
          />
          <SubmitButton className="button" busy={busy}>
            {busy ? "Checking…" : "Log in"}
          </SubmitButton>
        </Form>
        <p className="small muted">
          Lost your phone and your recovery codes? An administrator of IoT Seal can turn two-step login off for your
          account once they know it is you. <Link to="/login">Start again</Link>.
        </p>
      </section>
    </div>
  );
}
