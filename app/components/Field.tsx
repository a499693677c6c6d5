import type { InputHTMLAttributes, ReactNode, TextareaHTMLAttributes } from "react";

interface FrameProps {
  label: string;
  name: string;
  error?: string;
  hint?: ReactNode;
  id?: string;
}

/**
 * The frame of a field: its label, hint and error around the control, wired for screen readers.
 * `control` gets the control's id and the ARIA attributes to put on it.
 */
function FieldFrame({
  label,
  name,
  error,
  hint,
  id,
  control,
}: FrameProps & {
  control: (wiring: { id: string; name: string; "aria-invalid"?: true; "aria-describedby"?: string }) => ReactNode;
}) {
  const inputId = id ?? `f-${name}`;
  const describedBy =
    [hint ? `${inputId}-hint` : "", error ? `${inputId}-error` : ""].filter(Boolean).join(" ") || undefined;
  return (
    <div className={error ? "field field--error" : "field"}>
      <label htmlFor={inputId}>{label}</label>
      {hint ? (
        <p className="field__hint" id={`${inputId}-hint`}>
          {hint}
        </p>
      ) : null}
      {control({
        id: inputId,
        name,
        "aria-invalid": error ? true : undefined,
        "aria-describedby": describedBy,
      })}
      {error ? (
        <p className="field__error" id={`${inputId}-error`} role="alert">
          {error}
        </p>
      ) : null}
    </div>
  );
}

/** A labelled input with its hint and its error, wired for screen readers. */
export function Field({ label, name, error, hint, id, ...input }: FrameProps & InputHTMLAttributes<HTMLInputElement>) {
  return (
    <FieldFrame
      {...{ label, name, error, hint, id }}
      control={(wiring) => <input {...wiring} type="text" {...input} />}
    />
  );
}

/** The same for a textarea. */
export function TextareaField({
  label,
  name,
  error,
  hint,
  id,
  ...textarea
}: FrameProps & TextareaHTMLAttributes<HTMLTextAreaElement>) {
  return (
    <FieldFrame {...{ label, name, error, hint, id }} control={(wiring) => <textarea {...wiring} {...textarea} />} />
  );
}

export function FormError({ message }: { message?: string }) {
  if (!message) return null;
  return (
    <div className="alert alert--error" role="alert">
      {message}
    </div>
  );
}

/** The confirmation an action returns ("Answer saved."), announced politely to screen readers. */
export function Notice({ message }: { message?: string | null }) {
  if (!message) return null;
  return (
    <p className="alert alert--ok" role="status">
      {message}
    </p>
  );
}
