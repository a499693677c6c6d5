import { Form } from "@remix-run/react";
import { FieldError, fieldAria, FormError } from "./Field";
import { SubmitButton } from "./SubmitButton";

interface Failed {
  formError?: string;
  fieldErrors?: Record<string, string>;
  values?: Record<string, string>;
}

/** On a product version without a seal: open a delta re-certification from the product's current seal. */
export function Recertify({
  versionId,
  firmware,
  seals,
  busy,
  failed,
}: {
  versionId: string;
  firmware: string;
  seals: { serial: string; firmware: string; state: string }[];
  busy: boolean;
  failed?: Failed;
}) {
  const err = failed?.fieldErrors ?? {};
  return (
    <details className="recertify" open={Boolean(failed)}>
      <summary>Re-certify from seal {seals[0].serial}</summary>
      <p className="small">
        Only what changed since firmware {seals[0].firmware} is reviewed again: the certified answers and evidence carry
        over, and so do the verdicts of the requirements you do not mark as changed. Approval replaces the old seal with
        the new one.
      </p>
      <FormError message={failed?.formError} />
      <Form method="post" noValidate className="stack">
        <input type="hidden" name="intent" value="recertify" />
        <input type="hidden" name="productVersionId" value={versionId} />
        {seals.length > 1 ? (
          <div className="field">
            <label htmlFor={`serial-${versionId}`}>From seal</label>
            <select id={`serial-${versionId}`} name="serial" defaultValue={failed?.values?.serial}>
              {seals.map((s) => (
                <option key={s.serial} value={s.serial}>
                  {s.serial} (firmware {s.firmware}, {s.state})
                </option>
              ))}
            </select>
          </div>
        ) : (
          <input type="hidden" name="serial" value={seals[0].serial} />
        )}
        <div className={err.changeSummary ? "field field--error" : "field"}>
          <label htmlFor={`summary-${versionId}`}>What changed in firmware {firmware}</label>
          <textarea
            id={`summary-${versionId}`}
            name="changeSummary"
            rows={3}
            defaultValue={failed?.values?.changeSummary}
            {...fieldAria(`summary-${versionId}`, { error: err.changeSummary })}
          />
          <FieldError id={`summary-${versionId}`} message={err.changeSummary} />
        </div>
        <SubmitButton className="button button--small" busy={busy}>
          Open the re-certification
        </SubmitButton>
      </Form>
    </details>
  );
}
