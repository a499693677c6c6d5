import { Field, SelectField, TextareaField } from "./Field";
import { PRODUCT_CATEGORIES, PRODUCT_CATEGORY_LABELS } from "../features/catalogue/domain/product";
import { DURATION_UNITS } from "../platform/calendar";

export interface ProductValues {
  name?: string;
  model?: string;
  gtin?: string | null;
  sku?: string | null;
  category?: string;
  description?: string;
  supportPeriodEnd?: string;
  placedOnMarketOn?: string | null;
  /** As the form posts it (a number and its unit); durationFormValue turns a stored product's months into them. */
  expectedUseTime?: string;
  expectedUseUnit?: string;
  expectedUseReason?: string | null;
  disclosurePolicyUrl?: string;
}

/** The fields of a product, for both the create and the edit form. */
export function ProductFields({
  values = {},
  errors = {},
  creating = false,
}: {
  values?: ProductValues;
  errors?: Record<string, string>;
  /** The create form (an empty "goes on sale" date means today, not the registration day). */
  creating?: boolean;
}) {
  return (
    <>
      <div className="form-row">
        <Field label="Product name" name="name" required defaultValue={values.name} error={errors.name} />
        <Field
          label="Model designation"
          name="model"
          required
          defaultValue={values.model}
          error={errors.model}
          hint="As printed on the box, e.g. GW-KW3"
        />
      </div>
      <div className="form-row">
        <Field
          label="GTIN (optional)"
          name="gtin"
          inputMode="numeric"
          defaultValue={values.gtin ?? ""}
          error={errors.gtin}
          hint="8, 12, 13 or 14 digits; the check digit is verified"
        />
        <Field label="SKU (optional)" name="sku" defaultValue={values.sku ?? ""} error={errors.sku} />
      </div>
      <SelectField
        label="Category"
        name="category"
        defaultValue={values.category ?? "childrens-wearable"}
        error={errors.category}
      >
        {PRODUCT_CATEGORIES.map((c) => (
          <option key={c} value={c}>
            {PRODUCT_CATEGORY_LABELS[c]}
          </option>
        ))}
      </SelectField>
      <TextareaField
        label="Description"
        name="description"
        defaultValue={values.description ?? ""}
        rows={3}
        error={errors.description}
      />
      <div className="form-row">
        <Field
          label="Goes on sale (optional)"
          name="placedOnMarketOn"
          type="date"
          defaultValue={values.placedOnMarketOn ?? ""}
          error={errors.placedOnMarketOn}
          hint={
            creating
              ? "When the product is (or will be) placed on the market; empty: today"
              : "When the product is (or was) placed on the market; empty: the day it was registered"
          }
        />
        <Field
          label="Security support ends"
          name="supportPeriodEnd"
          type="date"
          required
          defaultValue={values.supportPeriodEnd}
          error={errors.supportPeriodEnd}
          hint="The published end of the defined support period (UK PSTI, EU CRA)"
        />
      </div>
      <fieldset className="support-short" aria-describedby="support-short-hint">
        <legend>Support shorter than five years</legend>
        <p className="field__hint" id="support-short-hint">
          Only for a product expected to be in use for less than five years: the EU Cyber Resilience Act then asks that
          support last at least that expected use time. Say how long and why.
        </p>
        <div className="form-row">
          <Field
            label="Expected use time"
            name="expectedUseTime"
            inputMode="numeric"
            defaultValue={values.expectedUseTime ?? ""}
            error={errors.expectedUseTime}
          />
          <SelectField
            label="Unit"
            name="expectedUseUnit"
            defaultValue={values.expectedUseUnit ?? "years"}
            error={errors.expectedUseUnit}
          >
            {DURATION_UNITS.map((u) => (
              <option key={u} value={u}>
                {u}
              </option>
            ))}
          </SelectField>
        </div>
        <TextareaField
          label="Why it is expected to be in use for that time"
          name="expectedUseReason"
          rows={2}
          defaultValue={values.expectedUseReason ?? ""}
          error={errors.expectedUseReason}
        />
      </fieldset>
      <Field
        label="Vulnerability disclosure policy"
        name="disclosurePolicyUrl"
        type="url"
        required
        placeholder="https://example.com/security"
        defaultValue={values.disclosurePolicyUrl}
        error={errors.disclosurePolicyUrl}
      />
    </>
  );
}
