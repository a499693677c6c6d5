import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { readForm } from "../platform/http/request-body.server";
import { redirect } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { ConfirmTick, Notice } from "../components/Field";
import { PolicyForm } from "../components/PolicyForm";
import { attempt, failure, sentTwice, unknownIntent } from "../platform/http/action-errors.server";
import { formValues } from "../platform/forms";
import { isConfirmed } from "../platform/confirmation.server";
import { serviceOrThrow } from "../platform/http/service-response.server";
import { requirePermission } from "../features/accounts/session.server";
import {
  deletePolicy,
  getPolicy,
  policyCatalog,
  policyFromForm,
  policyVersionFromForm,
  savePolicy,
} from "../features/retail/policies.server";
import { SubmitButton } from "../components/SubmitButton";

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: `${data?.policy.name ?? "Policy"} — IoT Seal` },
];

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const user = await requirePermission(request, context, "retailer.workspace");
  return { policy: serviceOrThrow(() => getPolicy(user, params.policyId ?? "")), catalog: policyCatalog() };
}

export async function action({ request, context, params }: ActionFunctionArgs) {
  const user = await requirePermission(request, context, "retailer.workspace");
  const posted = await readForm(request);
  const twice = sentTwice(posted);
  if (twice) return twice;
  const values = formValues(posted);
  const id = params.policyId ?? "";
  const refused = unknownIntent(values.intent, [null, "delete"]);
  if (refused) return refused;
  if (values.intent === "delete") {
    // Asked first (the tick box beside the button); the service refuses without it.
    const r = await attempt(() => deletePolicy(user, id, { confirmed: isConfirmed(values.confirm) }));
    if (!r.ok) return r.response;
    // The list says "Policy … deleted." (its name read from the audit log by this id).
    throw redirect(`/retailer/policies?deleted=${encodeURIComponent(id)}`);
  }
  // The version the buyer edited: a save over a colleague's newer one is refused (409), the form kept.
  const version = policyVersionFromForm(values);
  if (!version.ok) return failure(version.message, {}, values);
  const form = policyFromForm(values);
  if (!form.ok) return failure("Check the highlighted fields.", form.fieldErrors, values);
  const r = await attempt(() => savePolicy(user, form.value, id, version.expected), values);
  return r.ok ? { ok: true as const, notice: "Policy saved: every check you make now applies it." } : r.response;
}

export default function PolicyPage() {
  const { policy, catalog } = useLoaderData<typeof loader>();
  const a = useActionData<typeof action>();
  const busy = useNavigation().state === "submitting";
  const deleteError = a && !a.ok ? a.fieldErrors?.confirm : undefined;
  return (
    <>
      <div className="page-head">
        <div>
          <p className="eyebrow">
            <Link to="/retailer/policies">Acceptance policies</Link>
          </p>
          <h1>{policy.name}</h1>
        </div>
        <Form method="post" className="stack" aria-label="Delete this policy">
          <input type="hidden" name="intent" value="delete" />
          <ConfirmTick error={deleteError}>I understand: {policy.name} is deleted for good</ConfirmTick>
          <SubmitButton className="button button--danger" busy={busy}>
            Delete this policy
          </SubmitButton>
        </Form>
      </div>
      <Notice message={a?.ok ? a.notice : undefined} />
      <section className="card">
        <PolicyForm
          headingLevel={2}
          key={JSON.stringify(policy)}
          catalog={catalog}
          policy={policy}
          updatedAt={new Date(policy.updatedAt).getTime()}
          failed={a && !a.ok ? a : undefined}
          busy={busy}
          submitLabel="Save changes"
        />
      </section>
    </>
  );
}
