/** The signed-in user's mail choice per notification category (in-app notifications are always on). */
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { FieldError, FormError, Notice } from "../components/Field";
import { requireUser } from "../features/accounts/session.server";
import { EMAIL_PREFERENCE_LABELS, EMAIL_PREFERENCES } from "../features/notifications/domain/categories";
import { DIGEST_HOUR_UTC } from "../features/notifications/domain/mail-body";
import { preferencesInput } from "../features/notifications/forms";
import { notificationPreferencesOf, saveNotificationPreferences } from "../features/notifications/inbox.server";
import { failure, sentTwice } from "../platform/http/action-errors.server";
import { readForm } from "../platform/http/request-body.server";
import { fieldErrorsOf, formValues } from "../platform/forms";
import { SubmitButton } from "../components/SubmitButton";

export const meta: MetaFunction = () => [{ title: "Notification settings — IoT Seal" }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const user = await requireUser(request, context);
  return { preferences: notificationPreferencesOf(user), email: user.email };
}

export async function action({ request, context }: ActionFunctionArgs) {
  const user = await requireUser(request, context);
  const form = await readForm(request);
  const twice = sentTwice(form);
  if (twice) return twice;
  const values = formValues(form);
  const parsed = preferencesInput.safeParse(values);
  if (!parsed.success) return failure("Check your choices.", fieldErrorsOf(parsed.error), values);
  const saved = saveNotificationPreferences(user, parsed.data);
  const mails = (n: number) => `${n} mail${n === 1 ? "" : "s"} waiting for the daily digest`;
  const followUp = [
    saved.dropped ? `${mails(saved.dropped)} ${saved.dropped === 1 ? "was" : "were"} dropped.` : "",
    saved.sentNow ? `${mails(saved.sentNow)} ${saved.sentNow === 1 ? "is" : "are"} sent now.` : "",
  ]
    .filter(Boolean)
    .join(" ");
  return {
    ok: true as const,
    notice: `${
      saved.changed
        ? "Your notification settings are saved."
        : "Your notification settings are saved (nothing changed)."
    }${followUp ? ` ${followUp}` : ""}`,
  };
}

export default function NotificationSettings() {
  const { preferences, email } = useLoaderData<typeof loader>();
  const a = useActionData<typeof action>();
  const nav = useNavigation();
  const failed = a && !a.ok ? a : null;
  return (
    <>
      <div className="page-head">
        <div>
          <p className="eyebrow">
            <Link to="/notifications">Notifications</Link>
          </p>
          <h1>Notification settings</h1>
          <p>
            Every notification appears in the app. Choose, for each kind, whether it is also emailed to {email} at once,
            gathered in one daily digest (sent from {String(DIGEST_HOUR_UTC).padStart(2, "0")}:00 UTC), or not emailed.
            A few urgent ones, listed under their kind, are emailed at once even with a daily digest; &ldquo;No
            email&rdquo; means none. A new choice applies to mail already waiting for the next digest.
          </p>
        </div>
      </div>
      <Notice message={a?.ok ? a.notice : undefined} />
      <FormError message={failed?.formError} />
      <Form method="post" className="card stack" aria-label="Email settings">
        {preferences.map((p) => {
          const error = failed?.fieldErrors?.[p.category];
          return (
            <fieldset
              key={p.category}
              aria-describedby={error ? `hint-${p.category} email-${p.category}-error` : `hint-${p.category}`}
            >
              <legend>{p.label}</legend>
              <p className="field__hint" id={`hint-${p.category}`}>
                {p.hint}
                {p.urgent.length ? ` Emailed at once even with the daily digest: ${p.urgent.join("; ")}.` : null}
              </p>
              <FieldError id={`email-${p.category}`} message={error} />
              <div className="choices-row">
                {EMAIL_PREFERENCES.map((choice) => (
                  <label className="choice" key={choice}>
                    <input
                      type="radio"
                      name={`email.${p.category}`}
                      value={choice}
                      defaultChecked={p.email === choice}
                      aria-invalid={error ? true : undefined}
                    />
                    <span>{EMAIL_PREFERENCE_LABELS[choice]}</span>
                  </label>
                ))}
              </div>
            </fieldset>
          );
        })}
        <div>
          <SubmitButton className="button" busy={nav.state !== "idle"}>
            Save settings
          </SubmitButton>
        </div>
      </Form>
    </>
  );
}
