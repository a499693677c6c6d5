import { Form } from "@remix-run/react";
import { FieldError, fieldAria } from "./Field";
import { SubmitButton } from "./SubmitButton";

/**
 * In a re-certification: why the assessor reviews this requirement again, and (while it is a
 * draft) the supplier's mark that the new firmware changed it, with what changed. `values`: what
 * a refused post of this form sent, shown again instead of the saved mark so nothing typed is lost
 * (also without JavaScript).
 */
export function ChangeMark({
  reasons,
  note,
  canMark,
  busy,
  error,
  values,
}: {
  reasons: string[];
  note: string | null;
  canMark: boolean;
  busy: boolean;
  error?: string;
  values?: { changed?: string; note?: string };
}) {
  const changed = values ? values.changed === "on" || values.changed === "true" : note !== null;
  const noteText = values ? (values.note ?? "") : (note ?? "");
  return (
    <section className="card" aria-labelledby="change-title" data-testid="change-mark">
      <h2 id="change-title">Changed in this firmware?</h2>
      {reasons.length ? (
        <>
          <p>The assessor reviews this requirement again:</p>
          <ul className="problem-list">
            {reasons.map((r) => (
              <li key={r}>{r}</li>
            ))}
          </ul>
        </>
      ) : (
        <p className="muted">Unchanged: the certified verdict carries over.</p>
      )}
      {canMark ? (
        <Form method="post" noValidate className="stack">
          <input type="hidden" name="intent" value="mark-change" />
          <label className="check">
            <input type="checkbox" name="changed" defaultChecked={changed} /> The new firmware changes how this
            requirement is met
          </label>
          <div className={error ? "field field--error" : "field"}>
            <label htmlFor="change-note">What changed</label>
            <textarea
              id="change-note"
              name="note"
              rows={2}
              defaultValue={noteText}
              {...fieldAria("change-note", { error })}
            />
            <FieldError id="change-note" message={error} />
          </div>
          <SubmitButton className="button button--quiet" busy={busy}>
            Save the mark
          </SubmitButton>
        </Form>
      ) : null}
    </section>
  );
}
