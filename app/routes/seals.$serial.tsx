import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { readForm } from "../platform/http/request-body.server";
import { data, redirect } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { Field, FormError, Notice, TextareaField } from "../components/Field";
import { SignedFacts, VerdictBanner } from "../components/SealVerdict";
import { SEAL_STATE_LABELS } from "../features/trust/domain/seal-state";
import { attempt, failure, sentTwice } from "../platform/http/action-errors.server";
import { formatDateTime } from "../platform/format";
import { nowMs } from "../platform/clock.server";
import { validityEndedWhileSuspended } from "../features/trust/domain/verdict";
import { formValues } from "../platform/forms";
import { requirePermission } from "../features/accounts/session.server";
import {
  automaticHoldOf,
  changeSealStatusByHand,
  mayTakeOverSuspension,
} from "../features/monitoring/automatic-suspension.server";
import { sealStatusInput } from "../features/trust/forms";
import { staffSealView } from "../features/certification/seals.server";
import { publicRecurringStatus } from "../features/monitoring/recurring-evidence.server";
import { RecurringStatus } from "../components/RecurringStatus";
import { ServiceError } from "../platform/errors.server";
import { can } from "../platform/roles";
import { SubmitButton } from "../components/SubmitButton";

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: data ? `Seal ${data.serial} — IoT Seal` : "Seal — IoT Seal" },
];

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const user = await requirePermission(request, context, "seals.manage");
  try {
    const view = await staffSealView(user, params.serial ?? "");
    // A serial typed loosely (lower case, without hyphens or prefix) shows this page at its exact
    // address, so the forms post the serial the actions look up.
    if (view.serial !== params.serial) throw redirect(`/seals/${view.serial}`);
    return {
      ...view,
      recurring: publicRecurringStatus(view.serial),
      held: automaticHoldOf(view.serial),
      // Suspended by the sweep: staff may make the suspension theirs (it then stays until they reinstate it).
      takeOver: mayTakeOverSuspension(view.serial),
      // An administrator manages seals but has no assessor's workspace: no link to a page that refuses them.
      submissionLink: can(user.role, "assessor.workspace"),
      validityEnded: view.credential
        ? validityEndedWhileSuspended(view.verdict, view.credential.validUntil, new Date(nowMs()))
        : false,
    };
  } catch (e) {
    if (e instanceof ServiceError) throw data({ message: e.message }, { status: e.status });
    throw e;
  }
}

/** What happened, naming the seal (the public reason is on its page, in the API and in the watchers' feeds). */
const DONE = {
  suspend: (serial: string) =>
    `Seal ${serial} is suspended: its public page, the API and the verifiers say so until it is reinstated, and watching buyers were told.`,
  reinstate: (serial: string) => `Seal ${serial} is reinstated: it is valid again (unless it has expired).`,
  revoke: (serial: string) =>
    `Seal ${serial} is revoked: its public page, the API and the verifiers say so, watching buyers were told, and it can never be valid again.`,
} as const;

const TOOK_OVER = (serial: string) =>
  `Seal ${serial} stays suspended, now by hand, with your public reason: the lifecycle sweep no longer lifts it; reinstate it here once nothing holds it.`;

/** The suspend form on a seal the sweep suspended: it makes the suspension a person's. */
const TAKE_OVER_TEXT = {
  title: "Keep it suspended by hand",
  hint: "The lifecycle sweep suspended this seal and lifts the suspension once nothing holds it. With grounds of your own, make it yours: it then stays suspended until staff reinstate it, and the public reason becomes yours.",
  button: "Keep it suspended",
  danger: false,
} as const;

export async function action({ request, context, params }: ActionFunctionArgs) {
  const user = await requirePermission(request, context, "seals.manage");
  const form = await readForm(request);
  const twice = sentTwice(form);
  if (twice) return twice;
  const values = formValues(form);
  const parsed = sealStatusInput.safeParse({ ...values, serial: params.serial });
  if (!parsed.success) {
    const fieldErrors = Object.fromEntries(parsed.error.issues.map((i) => [String(i.path[0]), i.message]));
    return failure("Check the form: " + parsed.error.issues[0].message, fieldErrors, values);
  }
  const result = await attempt(() => changeSealStatusByHand(user, parsed.data), values);
  if (!result.ok) return result.response;
  const serial = parsed.data.serial.toUpperCase();
  return {
    ok: true as const,
    notice: `${result.value.tookOver ? TOOK_OVER(serial) : DONE[parsed.data.action](serial)} Log entry #${result.value.logIndex}.`,
  };
}

const ACTION_TEXT = {
  suspend: {
    title: "Suspend",
    hint: "The seal shows as suspended everywhere until it is reinstated.",
    button: "Suspend the seal",
    danger: false,
  },
  reinstate: {
    title: "Reinstate",
    hint: "The seal is valid again (if it has not expired).",
    button: "Reinstate the seal",
    danger: false,
  },
  revoke: {
    title: "Revoke",
    hint: "Revocation is final: the seal can never be valid again.",
    button: "Revoke the seal for good",
    danger: true,
  },
} as const;

export default function StaffSealPage() {
  const d = useLoaderData<typeof loader>();
  const a = useActionData<typeof action>();
  const nav = useNavigation();
  const failed = a && !a.ok ? a : null;
  return (
    <>
      <p className="eyebrow">
        <Link to="/seals">Seals</Link> · state: {SEAL_STATE_LABELS[d.state]} ·{" "}
        <Link to={`/s/${d.serial}`}>public page</Link>
        {d.submissionLink && d.submissionId ? (
          <>
            {" "}
            · <Link to={`/assessor/submissions/${d.submissionId}`}>submission</Link>
          </>
        ) : null}
      </p>
      <VerdictBanner
        verdict={d.verdict}
        serial={d.serial}
        reason={d.reason}
        validityEnded={d.validityEnded}
        subject={d.credential?.credentialSubject.product.name}
      />
      <Notice message={a?.ok ? a.notice : undefined} />
      <FormError message={failed?.formError} fieldErrors={failed?.fieldErrors} />
      <div className="grid grid--2">
        <section className="card" aria-labelledby="status-title">
          <h2 id="status-title">Change the status</h2>
          {d.conflict ? (
            <p className="alert alert--error" role="alert">
              {d.conflict} Another assessor must act on this seal.
            </p>
          ) : d.actions.length === 0 && !d.takeOver ? (
            <p className="muted">No change is possible: this seal is {SEAL_STATE_LABELS[d.state].toLowerCase()}.</p>
          ) : null}
          {[...(d.takeOver ? (["suspend"] as const) : []), ...d.actions].map((action) => {
            const t =
              action === "suspend" && d.takeOver ? TAKE_OVER_TEXT : ACTION_TEXT[action as keyof typeof ACTION_TEXT];
            const err = failed?.values?.action === action ? failed.fieldErrors : {};
            if (action === "reinstate" && d.held)
              return (
                <div className="stack status-change" key={action} aria-label={t.title}>
                  <h3>{t.title}</h3>
                  <p className="alert alert--warn">Not possible by hand now. {d.held}</p>
                </div>
              );
            return (
              <Form method="post" key={action} className="stack status-change" aria-label={t.title}>
                <h3>{t.title}</h3>
                <p className="small muted">{t.hint}</p>
                <input type="hidden" name="action" value={action} />
                <TextareaField
                  label="Public reason"
                  name="reason"
                  id={`reason-${action}`}
                  hint="Shown on the seal's public page and written to the transparency log."
                  rows={2}
                  required
                  maxLength={500}
                  defaultValue={failed?.values?.action === action ? failed.values.reason : ""}
                  error={err.reason}
                />
                {action === "revoke" ? (
                  <Field
                    label={`Type the serial ${d.serial} to confirm`}
                    name="confirmSerial"
                    id="confirmSerial"
                    autoComplete="off"
                    spellCheck={false}
                    required
                    error={err.confirmSerial}
                  />
                ) : null}
                <SubmitButton className={t.danger ? "button button--danger" : "button"} busy={nav.state !== "idle"}>
                  {t.button}
                </SubmitButton>
              </Form>
            );
          })}
        </section>
        <section className="card" aria-labelledby="history-title">
          <h2 id="history-title">History</h2>
          <ul className="timeline">
            {d.events.map((e) => (
              <li key={e.logIndex}>
                <time dateTime={new Date(e.at).toISOString()}>{formatDateTime(e.at)}</time>
                <span>
                  <strong>{e.kind}</strong> {e.reason}{" "}
                  <span className="muted small">
                    by {e.by} · log #{e.logIndex}
                  </span>
                </span>
              </li>
            ))}
          </ul>
          {d.pdfSha256 ? <p className="small hash">Certificate PDF SHA-256 {d.pdfSha256}</p> : null}
        </section>
      </div>
      {d.credential ? (
        <section className="card" aria-labelledby="facts-title">
          <h2 id="facts-title">Signed facts</h2>
          <SignedFacts
            subject={d.credential.credentialSubject}
            issuer={d.credential.issuer}
            validFrom={d.credential.validFrom}
            validUntil={d.credential.validUntil}
            checklistLabel={d.summary?.checklistLabel}
            levelTitle={d.summary?.level.title}
          />
        </section>
      ) : null}
      {d.recurring ? <RecurringStatus items={d.recurring.items} graceDays={d.recurring.graceDays} /> : null}
    </>
  );
}
