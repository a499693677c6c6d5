import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { readForm } from "../platform/http/request-body.server";
import { redirect } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation, useSearchParams } from "@remix-run/react";
import { FormError, SelectField } from "../components/Field";
import { attempt, failure } from "../platform/http/action-errors.server";
import { checkTheFields, formValues, parseForm } from "../platform/forms";
import { requirePermission } from "../features/accounts/session.server";
import { selectableVersions } from "../features/catalogue/checklists.server";
import { listProductVersionChoices } from "../features/catalogue/products.server";
import { openSubmission } from "../features/certification/submissions.server";
import { openSubmissionInput } from "../features/certification/forms";
import { SubmitButton } from "../components/SubmitButton";

export const meta: MetaFunction = () => [{ title: "Open a submission — IoT Seal" }];

/** The form's labels: on the fields, and in the message that names the fields to check. */
const LABELS = {
  productVersionId: "Product version",
  target: "Checklist version and target level",
};

export async function loader({ request, context }: LoaderFunctionArgs) {
  const user = await requirePermission(request, context, "supplier.workspace");
  return { versions: listProductVersionChoices(user), checklists: selectableVersions() };
}

export async function action({ request, context }: ActionFunctionArgs) {
  const user = await requirePermission(request, context, "supplier.workspace");
  const form = await readForm(request);
  const parsed = parseForm(openSubmissionInput, form);
  if (!parsed.ok) return failure(checkTheFields(parsed.fieldErrors, LABELS), parsed.fieldErrors, parsed.values);
  const r = await attempt(() => openSubmission(user, parsed.data), formValues(form));
  if (!r.ok) return r.response;
  return redirect(`/supplier/submissions/${r.value}`);
}

export default function NewSubmission() {
  const { versions, checklists } = useLoaderData<typeof loader>();
  const a = useActionData<typeof action>();
  const [params] = useSearchParams();
  const busy = useNavigation().state === "submitting";
  const selected = a?.values?.productVersionId ?? params.get("productVersion") ?? "";
  return (
    <>
      <p className="small">
        <Link to="/supplier/submissions">Submissions</Link>
      </p>
      <div className="page-head">
        <div>
          <p className="eyebrow">Supplier workspace</p>
          <h1>Open a submission</h1>
          <p>
            Choose what is assessed: one product version, against one published checklist version, at a target level.
          </p>
        </div>
      </div>
      {versions.length === 0 ? (
        <p className="alert alert--info">
          First <Link to="/supplier/products">register a product and a version</Link> of it.
        </p>
      ) : (
        <section className="card">
          <FormError message={a?.formError} fieldErrors={a?.fieldErrors} />
          <Form method="post" noValidate className="stack">
            <SelectField
              label={LABELS.productVersionId}
              name="productVersionId"
              id="f-pv"
              defaultValue={selected}
              required
              error={a?.fieldErrors?.productVersionId}
            >
              <option value="">Choose…</option>
              {versions.map((v) => (
                <option key={v.id} value={v.id}>
                  {/* What tells the versions apart first: a phone's closed drop-down shows the start only. */}
                  {v.name} — firmware {v.firmwareVersion}, hardware {v.hardwareRevision} ({v.model})
                </option>
              ))}
            </SelectField>
            <SelectField
              label={LABELS.target}
              name="target"
              id="f-target"
              hint={
                <>
                  Retired checklist versions cannot be chosen. The numbers are the requirements you will answer at that
                  level. A version &ldquo;with continuous monitoring&rdquo; (such as 3.1.3-r1) is the same checklist
                  plus fresh evidence after the seal: some requirements must be shown again every few months, or the
                  seal is suspended.
                </>
              }
              defaultValue={a?.values?.target ?? ""}
              required
              error={a?.fieldErrors?.target}
            >
              <option value="">Choose…</option>
              {checklists.map((c) => (
                <optgroup key={c.id} label={c.label}>
                  {c.levels.map((l) => (
                    <option key={l.id} value={`${c.id}|${l.id}`}>
                      {c.shortLabel}: {l.title} ({l.mandatory} mandatory, {l.advisory} advisory)
                    </option>
                  ))}
                </optgroup>
              ))}
            </SelectField>
            <div className="field">
              <label className="check">
                <input
                  type="checkbox"
                  name="prefill"
                  value="on"
                  // Checked by default; after a refused attempt, as the supplier left it.
                  defaultChecked={a?.values ? a.values.prefill === "on" : true}
                  aria-describedby="f-prefill-hint"
                />{" "}
                Pre-fill from my other submissions for this firmware through the crosswalk
              </label>
              <p className="field__hint" id="f-prefill-hint">
                Answers and evidence of your other submissions for the same product version (against other checklists)
                are copied to the requirements the crosswalk links them to. Each carried answer is marked until you
                check and save it.
              </p>
            </div>
            <SubmitButton className="button" busy={busy}>
              Open submission
            </SubmitButton>
          </Form>
        </section>
      )}
    </>
  );
}
