import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { readForm } from "../platform/http/request-body.server";
import { redirect } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { Field, FormError } from "../components/Field";
import { SEVERITIES, SEVERITY_LABELS } from "../features/findings/domain/findings";
import { attempt, failure } from "../platform/http/action-errors.server";
import { requirePermission } from "../features/accounts/session.server";
import { findingTargets, recordFinding } from "../features/findings/findings.server";
import { findingInput } from "../features/findings/forms";

export const meta: MetaFunction = () => [{ title: "Record a vulnerability report — IoT Seal" }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const user = await requirePermission(request, context, "seals.manage");
  const productId = new URL(request.url).searchParams.get("product") ?? "";
  const products = findingTargets(user);
  return {
    products,
    product: products.find((p) => p.id === productId) ?? null,
    today: new Date().toISOString().slice(0, 10),
  };
}

export async function action({ request, context }: ActionFunctionArgs) {
  const user = await requirePermission(request, context, "seals.manage");
  const form = await readForm(request);
  const values = Object.fromEntries(
    [...form.entries()].filter(([k]) => k !== "versionIds" && k !== "requirementRefs").map(([k, v]) => [k, String(v)]),
  );
  const parsed = findingInput.safeParse({
    ...values,
    versionIds: form.getAll("versionIds").map(String),
    requirementRefs: form.getAll("requirementRefs").map(String),
    cvssVector: values.cvssVector || undefined,
  });
  if (!parsed.success) {
    const fieldErrors = Object.fromEntries(parsed.error.issues.map((i) => [String(i.path[0]), i.message]));
    return failure("Check the highlighted fields.", fieldErrors, values);
  }
  const r = await attempt(() => recordFinding(user, parsed.data), values);
  if (!r.ok) return r.response;
  throw redirect(`/findings/${r.value}`);
}

export default function NewFinding() {
  const { products, product, today } = useLoaderData<typeof loader>();
  const a = useActionData<typeof action>();
  const nav = useNavigation();
  const err = a && !a.ok ? a.fieldErrors : {};
  const v = a && !a.ok ? (a.values ?? {}) : {};
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
          <FormError message={a && !a.ok ? a.formError : undefined} />
          <Form method="post" noValidate className="stack">
            <input type="hidden" name="productId" value={product.id} />
            <fieldset className={err.versionIds ? "field field--error" : "field"}>
              <legend>Affected firmware versions</legend>
              {product.versions.map((ver) => (
                <label key={ver.id} className="check">
                  <input type="checkbox" name="versionIds" value={ver.id} /> {ver.label}
                </label>
              ))}
              {err.versionIds ? <p className="field__error">{err.versionIds}</p> : null}
            </fieldset>
            <Field label="Title" name="title" defaultValue={v.title} error={err.title} />
            <div className={err.description ? "field field--error" : "field"}>
              <label htmlFor="description">Description</label>
              <textarea id="description" name="description" rows={5} defaultValue={v.description} />
              {err.description ? <p className="field__error">{err.description}</p> : null}
            </div>
            <div className={err.severity ? "field field--error" : "field"}>
              <label htmlFor="severity">Severity</label>
              <select id="severity" name="severity" defaultValue={v.severity ?? ""}>
                <option value="">Choose…</option>
                {SEVERITIES.map((s) => (
                  <option key={s} value={s}>
                    {SEVERITY_LABELS[s]}
                  </option>
                ))}
              </select>
              {err.severity ? <p className="field__error">{err.severity}</p> : null}
            </div>
            <Field
              label="CVSS 3.1 vector (optional)"
              name="cvssVector"
              defaultValue={v.cvssVector}
              error={err.cvssVector}
              hint="For example CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H; the base score is computed."
            />
            {product.requirements.length ? (
              <div className={err.requirementRefs ? "field field--error" : "field"}>
                <label htmlFor="requirementRefs">Requirements concerned (optional)</label>
                <select
                  id="requirementRefs"
                  name="requirementRefs"
                  multiple
                  size={Math.min(8, product.requirements.length)}
                  aria-describedby="requirementRefs-hint"
                >
                  {product.requirements.map((r) => (
                    <option key={r.value} value={r.value}>
                      {r.label}
                    </option>
                  ))}
                </select>
                <p className="field__hint" id="requirementRefs-hint">
                  A re-certification of a fixed firmware re-reviews these requirements. Hold Ctrl (or ⌘) to choose
                  several.
                </p>
                {err.requirementRefs ? <p className="field__error">{err.requirementRefs}</p> : null}
              </div>
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
            <button className="button" type="submit" disabled={nav.state !== "idle"}>
              Record the report
            </button>
          </Form>
        </section>
      ) : null}
    </>
  );
}
