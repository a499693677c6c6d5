import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { readForm } from "../platform/http/request-body.server";
import { redirect } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { Field, FieldGroup, FormError, SelectField, TextareaField } from "../components/Field";
import { SEVERITIES, SEVERITY_LABELS } from "../features/findings/domain/findings";
import { failure, serviceFailure } from "../platform/http/action-errors.server";
import { ServiceError } from "../platform/errors.server";
import { requirePermission } from "../features/accounts/session.server";
import {
  findingFactProblems,
  findingTargets,
  recordFinding,
  type RequirementChoice,
} from "../features/findings/findings.server";
import { findingInput } from "../features/findings/forms";
import { SubmitButton } from "../components/SubmitButton";

export const meta: MetaFunction = () => [{ title: "Record a vulnerability report — IoT Seal" }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const user = await requirePermission(request, context, "seals.manage");
  const productId = new URL(request.url).searchParams.get("product") ?? "";
  const products = findingTargets(user);
  return {
    products,
    product: products.find((p) => p.id === productId) ?? null,
    today: new Date().toISOString().slice(0, 10),
    // The report's id, made with the form: posted twice, the form records one report (findings.server.ts).
    formId: crypto.randomUUID(),
  };
}

export async function action({ request, context }: ActionFunctionArgs) {
  const user = await requirePermission(request, context, "seals.manage");
  const form = await readForm(request);
  const values: Record<string, string> = Object.fromEntries(
    [...form.entries()].filter(([k]) => k !== "versionIds" && k !== "requirementRefs").map(([k, v]) => [k, String(v)]),
  );
  const versionIds = form.getAll("versionIds").map(String);
  const requirementRefs = form.getAll("requirementRefs").map(String);
  // Kept for the form's second round (ids and refs have no spaces): the confirmation re-posts everything.
  values.versionIds = versionIds.join(" ");
  values.requirementRefs = requirementRefs.join(" ");
  const parsed = findingInput.safeParse({
    ...values,
    versionIds,
    requirementRefs,
    cvssVector: values.cvssVector || undefined,
    confirmPublic: values.confirmPublic || undefined,
    confirmReportedOn: values.confirmReportedOn || undefined,
    confirmSeverity: values.confirmSeverity || undefined,
  });
  if (!parsed.success) {
    const fieldErrors = Object.fromEntries(parsed.error.issues.map((i) => [String(i.path[0]), i.message]));
    // The date and the CVSS vector are checked as well, so that every problem is named in one round.
    const facts = findingFactProblems({ reportedOn: values.reportedOn, cvssVector: values.cvssVector?.trim() });
    for (const [field, message] of Object.entries(facts)) fieldErrors[field] ??= message;
    return failure("Check the highlighted fields.", fieldErrors, values);
  }
  let id: string;
  try {
    id = recordFinding(user, parsed.data);
  } catch (e) {
    // What recording it would do needs a yes (domain/backdating.ts, and a severity below the CVSS
    // score's: domain/findings.ts): said once, next to the tick boxes.
    if (
      e instanceof ServiceError &&
      (e.fieldErrors.confirmPublic || e.fieldErrors.confirmReportedOn || e.fieldErrors.confirmSeverity)
    )
      return failure("Check what recording this report will do, then confirm it below.", e.fieldErrors, values);
    return serviceFailure(e, values); // another refusal as usual; anything else is rethrown
  }
  throw redirect(`/findings/${id}`);
}

/** The choices as listed, under a heading each time the checklist version changes: its title once, not on every line. */
function underEachChecklist(choices: RequirementChoice[]): { checklist: string; choices: RequirementChoice[] }[] {
  const groups: { checklist: string; choices: RequirementChoice[] }[] = [];
  for (const c of choices) {
    const last = groups.at(-1);
    if (last?.checklist === c.checklist) last.choices.push(c);
    else groups.push({ checklist: c.checklist, choices: [c] });
  }
  return groups;
}

export default function NewFinding() {
  const { products, product, today, formId } = useLoaderData<typeof loader>();
  const a = useActionData<typeof action>();
  const nav = useNavigation();
  const err: Record<string, string | undefined> = a && !a.ok ? a.fieldErrors : {};
  const v: Record<string, string | undefined> = a && !a.ok ? (a.values ?? {}) : {};
  const chosenVersions = new Set((v.versionIds ?? "").split(" ").filter(Boolean));
  const chosenRefs = new Set((v.requirementRefs ?? "").split(" ").filter(Boolean));
  // What recording it would do that needs a yes (the service says: domain/backdating.ts); kept once ticked.
  const confirmations = (
    [
      ["confirmPublic", "I understand: record it, and its advisory becomes public as said above"],
      ["confirmReportedOn", "The date reported is correct: record it"],
      [
        "confirmSeverity",
        "The severity differs from the CVSS score on purpose (the score does not fit this product): record it at the severity chosen",
      ],
    ] as const
  ).filter(([field]) => err[field] || v[field] === "yes");
  return (
    <>
      <div className="page-head">
        <div>
          <p className="eyebrow">
            <Link to="/findings">Vulnerability reports</Link>
          </p>
          <h1>Record a vulnerability report</h1>
          <p>
            The disclosure deadline follows from the severity and the checklist the product was certified against; only
            the supplier and assessors see the details.
          </p>
        </div>
      </div>
      <section className="card">
        <Form method="get" className="stack">
          <div className="field">
            <label htmlFor="product">Product</label>
            <select id="product" name="product" defaultValue={product?.id ?? ""} required>
              <option value="">Choose a product…</option>
              {products.map((p) => (
                <option key={p.id} value={p.id} disabled={Boolean(p.conflict)}>
                  {p.name} ({p.model}) — {p.supplier}
                  {p.conflict ? " (conflict of interest)" : ""}
                </option>
              ))}
            </select>
          </div>
          <button className={product ? "button button--quiet" : "button"} type="submit">
            {product ? "Change product" : "Continue"}
          </button>
        </Form>
      </section>
      {product?.conflict ? (
        <p className="alert alert--error" role="alert">
          {product.conflict} Another assessor must record this report.
        </p>
      ) : product ? (
        <section className="card" aria-labelledby="report-title">
          <h2 id="report-title">
            Report against {product.name} ({product.model})
          </h2>
          <FormError message={a && !a.ok ? a.formError : undefined} fieldErrors={err} />
          <Form method="post" noValidate className="stack">
            <input type="hidden" name="productId" value={product.id} />
            <input type="hidden" name="formId" value={v.formId ?? formId} />
            <FieldGroup legend="Affected firmware versions" name="versionIds" className="field" error={err.versionIds}>
              {product.versions.map((ver) => (
                <label key={ver.id} className="check">
                  <input type="checkbox" name="versionIds" value={ver.id} defaultChecked={chosenVersions.has(ver.id)} />{" "}
                  {ver.label}
                </label>
              ))}
            </FieldGroup>
            <Field label="Title" name="title" defaultValue={v.title} error={err.title} />
            <TextareaField
              label="Description"
              name="description"
              id="description"
              rows={5}
              defaultValue={v.description}
              error={err.description}
            />
            <SelectField
              label="Severity"
              name="severity"
              id="severity"
              defaultValue={v.severity ?? ""}
              error={err.severity}
            >
              <option value="">Choose…</option>
              {SEVERITIES.map((s) => (
                <option key={s} value={s}>
                  {SEVERITY_LABELS[s]}
                </option>
              ))}
            </SelectField>
            <Field
              label="CVSS 3.1 vector (optional)"
              name="cvssVector"
              defaultValue={v.cvssVector}
              error={err.cvssVector}
              hint="For example CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H; the base score is computed."
            />
            <TextareaField
              label="Affected components (package URLs, optional)"
              name="affectedPurls"
              id="affectedPurls"
              hint="One package URL per line, for example pkg:generic/openssl@3.0.13. When the advisory becomes public, the assessors of every certified firmware whose SBOM contains one are asked to check it."
              rows={3}
              spellCheck={false}
              defaultValue={v.affectedPurls}
              error={err.affectedPurls}
            />
            {product.requirements.length ? (
              <FieldGroup
                legend="Requirements concerned (optional)"
                name="requirementRefs"
                id="requirementRefs"
                className="field"
                hint="Tick the requirements the flaw concerns: a re-certification of a fixed firmware re-reviews them."
                error={err.requirementRefs}
              >
                <div className="check-list" data-testid="requirement-choices">
                  {underEachChecklist(product.requirements).map((group) => (
                    <fieldset key={group.checklist} className="check-list__group">
                      <legend>{group.checklist}</legend>
                      {group.choices.map((r) => (
                        <label key={r.value} className="check">
                          <input
                            type="checkbox"
                            name="requirementRefs"
                            value={r.value}
                            defaultChecked={chosenRefs.has(r.value)}
                          />{" "}
                          {r.label}
                        </label>
                      ))}
                    </fieldset>
                  ))}
                </div>
              </FieldGroup>
            ) : null}
            <Field label="Reported by" name="reporter" defaultValue={v.reporter} error={err.reporter} />
            <Field
              label="Date reported"
              name="reportedOn"
              type="date"
              max={today}
              defaultValue={v.reportedOn ?? today}
              error={err.reportedOn}
            />
            {confirmations.length ? (
              <div className="alert alert--warn stack" data-testid="backdating-warning">
                {confirmations.map(([field, label]) => (
                  <div key={field} className={err[field] ? "field field--error" : "field"}>
                    {err[field] ? (
                      <p id={`${field}-warning`}>
                        <strong>{err[field]}</strong>
                      </p>
                    ) : null}
                    <label className="check">
                      <input
                        type="checkbox"
                        name={field}
                        value="yes"
                        defaultChecked={v[field] === "yes"}
                        aria-describedby={err[field] ? `${field}-warning` : undefined}
                      />{" "}
                      {label}
                    </label>
                  </div>
                ))}
              </div>
            ) : null}
            <SubmitButton className="button" busy={nav.state !== "idle"}>
              Record the report
            </SubmitButton>
          </Form>
        </section>
      ) : null}
    </>
  );
}
