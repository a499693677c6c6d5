import { Form } from "@remix-run/react";
import {
  PRODUCT_CATEGORY_LABELS,
  PRODUCT_CATEGORIES,
  type ProductCategory,
} from "../features/catalogue/domain/product";
import { SEVERITIES, SEVERITY_LABELS } from "../features/findings/domain/findings";
import type { Policy } from "../features/retail/domain/policy";
import { Field, FieldError, FieldGroup, fieldAria, FormError, SelectField } from "./Field";
import { DURATION_UNITS, durationFormValue } from "../platform/calendar";
import { SubmitButton } from "./SubmitButton";

export interface CatalogChecklist {
  id: string;
  name: string;
  title: string;
  version: string;
  levels: { id: string; title: string }[];
  sections: { ref: string; title: string; requirements: { ref: string; title: string; advisory: boolean }[] }[];
}

/** "Every product" or the category's label. */
export const categoryLabel = (c: string) =>
  c === "any" ? "Every product" : (PRODUCT_CATEGORY_LABELS[c as ProductCategory] ?? c);

interface Failed {
  formError?: string;
  fieldErrors?: Record<string, string>;
  values?: Record<string, string>;
}

/** A retailer's acceptance policy, as a form that works without JavaScript. */
export function PolicyForm({
  catalog,
  policy,
  updatedAt,
  failed,
  busy,
  submitLabel,
  headingLevel,
}: {
  catalog: CatalogChecklist[];
  policy?: Policy;
  /** The edited policy's version stamp (ms): a save over a colleague's newer version is refused. */
  updatedAt?: number;
  failed?: Failed;
  busy: boolean;
  submitLabel: string;
  /** The level of the checklists' headings in the provisions' lookup: one below the heading the form is under. */
  headingLevel: 2 | 3 | 4;
}) {
  const Heading = `h${headingLevel}` as const;
  const v = failed?.values;
  const err = failed?.fieldErrors ?? {};
  const accepted = (id: string) =>
    v ? v[`accept.${id}`] === "on" : Boolean(policy?.accepted.some((a) => a.checklistId === id));
  const level = (id: string) => v?.[`level.${id}`] ?? policy?.accepted.find((a) => a.checklistId === id)?.minLevel;
  const minSupport = durationFormValue(policy?.minSupportMonths ?? null);
  const acceptedError = Object.entries(err).find(([k]) => k.startsWith("accepted"))?.[1];
  return (
    <Form method="post" noValidate className="stack policy-form">
      {updatedAt === undefined ? null : <input type="hidden" name="updatedAt" value={updatedAt} />}
      <FormError message={failed?.formError} fieldErrors={err} />
      <Field
        label="Name"
        name="name"
        defaultValue={v?.name ?? policy?.name}
        error={err.name}
        hint={`For example "Children's wearables".`}
      />
      <SelectField
        label="Applies to"
        name="category"
        id="category"
        defaultValue={v?.category ?? policy?.category ?? "any"}
        error={err.category}
      >
        <option value="any">Every product</option>
        {PRODUCT_CATEGORIES.map((c) => (
          <option key={c} value={c}>
            {PRODUCT_CATEGORY_LABELS[c]}
          </option>
        ))}
      </SelectField>
      <FieldGroup
        legend="Accepted checklists (none ticked: any checklist, any level)"
        name="accepted"
        id="accepted"
        className="field"
        error={acceptedError}
      >
        {catalog.map((c) => (
          <div className="accept-row" key={c.id}>
            <label className="check">
              <input type="checkbox" name={`accept.${c.id}`} defaultChecked={accepted(c.id)} /> {c.name}{" "}
              <span className="muted small">({c.title})</span>
            </label>
            <label className="small">
              at level{" "}
              <select
                name={`level.${c.id}`}
                defaultValue={level(c.id) ?? c.levels[0]?.id}
                aria-label={`at level, for ${c.name}`}
              >
                {c.levels.map((l) => (
                  <option key={l.id} value={l.id}>
                    {l.title.split(" — ")[0]}
                  </option>
                ))}
              </select>{" "}
              or higher
            </label>
          </div>
        ))}
      </FieldGroup>
      <div className={err.requiredProvisions ? "field field--error" : "field"}>
        <label htmlFor="requiredProvisions">Provisions that must be met (one per line)</label>
        <p className="field__hint" id="requiredProvisions-hint">
          Write <code>checklist:ref</code>, such as <code>etsi-en-303-645:5.1-1</code>. A clause such as{" "}
          <code>etsi-en-303-645:5.1</code> takes all its provisions; <code>etsi-en-303-645:5.1 advisory</code> takes its
          advisory ones. A seal meets a provision when it meets that requirement itself, or a requirement the crosswalk
          links to it as equivalent (an ETSI EN 303 645 seal meets EU CRA Annex I II.5 through ETSI 5.2-1). A partial
          link, or one whose kind the checklists do not state, meets it only partly, and that does not count.
        </p>
        <textarea
          id="requiredProvisions"
          name="requiredProvisions"
          rows={5}
          defaultValue={v?.requiredProvisions ?? policy?.requiredProvisions.join("\n")}
          {...fieldAria("requiredProvisions", { hint: true, error: err.requiredProvisions })}
        />
        <FieldError id="requiredProvisions" message={err.requiredProvisions} />
        <details className="small">
          <summary>Look up clauses and provisions</summary>
          {catalog.map((c) => (
            <div key={c.id}>
              <Heading>
                {c.name} <span className="muted">(version {c.version})</span>
              </Heading>
              <ul className="provision-list">
                {c.sections.map((s) => (
                  <li key={s.ref}>
                    <code>
                      {c.id}:{s.ref}
                    </code>{" "}
                    {s.title}: {s.requirements.map((r) => `${r.ref}${r.advisory ? " (advisory)" : ""}`).join(", ")}
                  </li>
                ))}
              </ul>
            </div>
          ))}
        </details>
      </div>
      <div className="form-row">
        <Field
          label="Support from today, at least"
          name="minSupport"
          inputMode="numeric"
          defaultValue={v?.minSupport ?? minSupport.amount}
          error={err.minSupport ?? err.minSupportMonths}
          hint="Security updates the product still gets, counted from the day of the check"
        />
        <SelectField
          label="Unit"
          name="minSupportUnit"
          id="minSupportUnit"
          defaultValue={v?.minSupportUnit ?? minSupport.unit}
          error={err.minSupportUnit}
        >
          {DURATION_UNITS.map((u) => (
            <option key={u} value={u}>
              {u}
            </option>
          ))}
        </SelectField>
        <Field
          label="Seal age, at most (months)"
          name="maxSealAgeMonths"
          inputMode="numeric"
          defaultValue={v?.maxSealAgeMonths ?? policy?.maxSealAgeMonths?.toString() ?? ""}
          error={err.maxSealAgeMonths}
        />
        <SelectField
          label="No reported vulnerability past its deadline of severity"
          name="blockingFindingSeverity"
          id="blockingFindingSeverity"
          defaultValue={v?.blockingFindingSeverity ?? policy?.blockingFindingSeverity ?? ""}
          error={err.blockingFindingSeverity}
        >
          <option value="">(no condition)</option>
          {SEVERITIES.map((s) => (
            <option key={s} value={s}>
              {SEVERITY_LABELS[s]}
              {s === "critical" ? "" : " or above"}
            </option>
          ))}
        </SelectField>
      </div>
      <label className="check">
        <input
          type="checkbox"
          name="noAffectingAdvisory"
          defaultChecked={v ? v.noAffectingAdvisory === "on" : Boolean(policy?.noAffectingAdvisory)}
        />{" "}
        No public advisory affecting the certified firmware (a seal whose firmware needs an update misses the policy)
      </label>
      <label className="check">
        <input
          type="checkbox"
          name="craSupportPeriod"
          defaultChecked={v ? v.craSupportPeriod === "on" : Boolean(policy?.craSupportPeriod)}
        />{" "}
        Support period meets the EU Cyber Resilience Act (at least five years from going on sale, or a stated shorter
        expected use time)
      </label>
      <SubmitButton className="button" busy={busy}>
        {submitLabel}
      </SubmitButton>
    </Form>
  );
}
