import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction, HeadersFunction } from "@remix-run/node";
import { rateLimitedFormHeaders } from "../features/public/domain/page-headers";
import { readForm } from "../platform/http/request-body.server";
import { redirect } from "@remix-run/node";
import { Form, Link, useActionData, useNavigation } from "@remix-run/react";
import { Field, FieldGroup, FormError } from "../components/Field";
import { PASSWORD_MIN_LENGTH } from "../features/accounts/domain/password-policy";
import { DASHBOARD_PATH } from "../platform/roles";
import { attempt, failure } from "../platform/http/action-errors.server";
import { parseForm } from "../platform/forms";
import { getOptionalUser, startSessionAndRedirect } from "../features/accounts/session.server";
import { signup } from "../features/accounts/auth.server";
import { signupInput } from "../features/accounts/forms";
import { SubmitButton } from "../components/SubmitButton";

export const meta: MetaFunction = () => [{ title: "Register your organisation — IoT Seal" }];
/** A refusal by the rate limit (429) keeps its Retry-After. */
export const headers: HeadersFunction = rateLimitedFormHeaders;

export async function loader({ request, context }: LoaderFunctionArgs) {
  const user = await getOptionalUser(request, context);
  if (user) throw redirect(DASHBOARD_PATH[user.role]);
  return null;
}

export async function action({ request, context }: ActionFunctionArgs) {
  const form = await readForm(request);
  const parsed = parseForm(signupInput, form);
  if (!parsed.ok) return failure("Check the highlighted fields.", parsed.fieldErrors, parsed.values);
  const { password: _omit, ...values } = parsed.data;
  const result = await attempt(
    () => signup(parsed.data, { ip: context.ip, userAgent: request.headers.get("user-agent") }),
    values,
  );
  if (!result.ok) return result.response;
  return startSessionAndRedirect(result.value.token, result.value.user.role, null);
}

export default function Signup() {
  const actionData = useActionData<typeof action>();
  const values = actionData?.values ?? {};
  const errors = actionData?.fieldErrors ?? {};
  const busy = useNavigation().state === "submitting";
  return (
    <div className="auth">
      <section className="card">
        <h1>Register your organisation</h1>
        <p className="muted">Creates your organisation and your account as its first member.</p>
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
            {busy ? "Creating…" : "Create organisation and account"}
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
