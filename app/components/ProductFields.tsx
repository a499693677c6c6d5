import { Field } from "./Field";
import { PRODUCT_CATEGORIES, PRODUCT_CATEGORY_LABELS } from "../features/catalogue/domain/product";

export interface ProductValues {
  name?: string;
  model?: string;
  gtin?: string | null;
  sku?: string | null;
  category?: string;
  description?: string;
  supportPeriodEnd?: string;
  disclosurePolicyUrl?: string;
}

/** The fields of a product, for both the create and the edit form. */
export function ProductFields({
  values = {},
  errors = {},
}: {
  values?: ProductValues;
  errors?: Record<string, string>;
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
      <div className={errors.category ? "field field--error" : "field"}>
        <label htmlFor="f-category">Category</label>
        <select id="f-category" name="category" defaultValue={values.category ?? "childrens-wearable"}>
          {PRODUCT_CATEGORIES.map((c) => (
            <option key={c} value={c}>
              {PRODUCT_CATEGORY_LABELS[c]}
            </option>
          ))}
        </select>
        {errors.category ? <p className="field__error">{errors.category}</p> : null}
      </div>
      <div className={errors.description ? "field field--error" : "field"}>
        <label htmlFor="f-description">Description</label>
        <textarea id="f-description" name="description" defaultValue={values.description ?? ""} rows={3} />
        {errors.description ? <p className="field__error">{errors.description}</p> : null}
      </div>
      <div className="form-row">
        <Field
          label="Security support ends"
          name="supportPeriodEnd"
          type="date"
          required
          defaultValue={values.supportPeriodEnd}
          error={errors.supportPeriodEnd}
          hint="The published end of the defined support period (UK PSTI, EU CRA)"
        />
        <Field
          label="Vulnerability disclosure policy"
          name="disclosurePolicyUrl"
          type="url"
          required
          placeholder="https://example.com/security"
          defaultValue={values.disclosurePolicyUrl}
          error={errors.disclosurePolicyUrl}
        />
      </div>
    </>
  );
}
