import { useActionData, useLocation } from "@remix-run/react";
import {
  useRef,
  type InputHTMLAttributes,
  type ReactNode,
  type SelectHTMLAttributes,
  type TextareaHTMLAttributes,
} from "react";

interface FrameProps {
  label: string;
  name: string;
  error?: string;
  hint?: ReactNode;
  id?: string;
}

/**
 * The ARIA that ties a control to its hint and its error, which sit beside it with the ids `<id>-hint` and
 * `<id>-error` (as FieldHint and FieldError give them): for a control that none of the components below can frame.
 */
export function fieldAria(
  id: string,
  { hint, error }: { hint?: unknown; error?: unknown },
): { "aria-invalid"?: true; "aria-describedby"?: string } {
  const describedBy = [hint ? `${id}-hint` : "", error ? `${id}-error` : ""].filter(Boolean).join(" ");
  return {
    ...(error ? { "aria-invalid": true as const } : {}),
    ...(describedBy ? { "aria-describedby": describedBy } : {}),
  };
}

/** A control's error (nothing without one), with the id fieldAria points to. */
export function FieldError({ id, message }: { id: string; message?: string }) {
  if (!message) return null;
  return (
    <p className="field__error" id={`${id}-error`} role="alert">
      {message}
    </p>
  );
}

/**
 * The tick box that confirms what cannot be undone ("I understand: ..."), sent as `name=yes`, with
 * its error (from the server, when it was not ticked) tied to it for screen readers. Required by
 * default, so a browser asks for it before anything is sent; `describedBy` names text beside it
 * that says what the action does.
 */
export function ConfirmTick({
  name = "confirm",
  id = name,
  children,
  ariaLabel,
  error,
  describedBy,
  required = true,
  small = true,
}: {
  name?: string;
  id?: string;
  children: ReactNode;
  ariaLabel?: string;
  error?: string;
  describedBy?: string;
  required?: boolean;
  small?: boolean;
}) {
  const aria = fieldAria(id, { error });
  const described = [describedBy, aria["aria-describedby"]].filter(Boolean).join(" ");
  return (
    <>
      <label className={small ? "check small" : "check"}>
        <input
          type="checkbox"
          name={name}
          value="yes"
          required={required}
          aria-label={ariaLabel}
          aria-invalid={aria["aria-invalid"]}
          aria-describedby={described || undefined}
        />{" "}
        {children}
      </label>
      <FieldError id={id} message={error} />
    </>
  );
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
  return (
    <div className={error ? "field field--error" : "field"}>
      <label htmlFor={inputId}>{label}</label>
      {hint ? (
        <p className="field__hint" id={`${inputId}-hint`}>
          {hint}
        </p>
      ) : null}
      {control({ id: inputId, name, ...fieldAria(inputId, { hint, error }) })}
      <FieldError id={inputId} message={error} />
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

/** The same for a select (its options are the children). */
export function SelectField({
  label,
  name,
  error,
  hint,
  id,
  children,
  ...select
}: FrameProps & SelectHTMLAttributes<HTMLSelectElement>) {
  return (
    <FieldFrame
      {...{ label, name, error, hint, id }}
      control={(wiring) => (
        <select {...wiring} {...select}>
          {children}
        </select>
      )}
    />
  );
}

/**
 * Radio buttons or check boxes under one legend, with the group's hint and error inside the fieldset and tied to it
 * (a screen reader says them on entering the group). The error's id is `<id>-error`, id being `f-<name>` by default.
 */
export function FieldGroup({
  legend,
  name,
  error,
  hint,
  id,
  className,
  children,
}: {
  legend: ReactNode;
  name: string;
  error?: string;
  hint?: ReactNode;
  id?: string;
  className?: string;
  children: ReactNode;
}) {
  const groupId = id ?? `f-${name}`;
  const classes = [className, error ? "field--error" : ""].filter(Boolean).join(" ");
  return (
    <fieldset
      id={groupId}
      className={classes || undefined}
      aria-describedby={fieldAria(groupId, { hint, error })["aria-describedby"]}
    >
      <legend>{legend}</legend>
      {hint ? (
        <p className="field__hint" id={`${groupId}-hint`}>
          {hint}
        </p>
      ) : null}
      {children}
      <FieldError id={groupId} message={error} />
    </fieldset>
  );
}

/**
 * What went wrong with a form as a whole, announced at once (role alert). `fieldErrors`: the form's field errors; a
 * message that only repeats one of them ("The URL must use https://.", or "Check the form: " and the field's error) is
 * left to that field, which shows and announces it: said once, not twice.
 */
export function FormError({
  message,
  fieldErrors,
}: {
  message?: string;
  fieldErrors?: Record<string, string | undefined>;
}) {
  if (!message) return null;
  if (fieldErrors && Object.values(fieldErrors).some((error) => error && message.includes(error))) return null;
  return (
    <div className="alert alert--error" role="alert">
      {message}
    </div>
  );
}

/**
 * A polite live region that is on the page before anything is said in it, so that what comes into it later is
 * announced (a region inserted with its text already in it is not, by every screen reader). The children are the
 * message, or nothing while there is none.
 */
export function LiveRegion({ children, className }: { children?: ReactNode; className?: string }) {
  return (
    <div aria-live="polite" className={className ? `live-region ${className}` : "live-region"}>
      {children}
    </div>
  );
}

/**
 * The confirmation an action returns ("Answer saved."), announced politely to screen readers. Each new
 * answer of the page's action, and each visit (a notice a loader gives after the redirect of a save),
 * puts the message in anew, so the same words after a second save ("Answer saved." again) are
 * announced again, not left as they were.
 */
export function Notice({ message }: { message?: string | null }) {
  const answer = useActionData();
  const { key: visit } = useLocation(); // a loader's notice after a redirect: each visit says it anew
  const said = useRef({ answer, visit, times: 0 });
  if (said.current.answer !== answer || said.current.visit !== visit)
    said.current = { answer, visit, times: said.current.times + 1 };
  return (
    <LiveRegion>
      {message ? (
        <p className="alert alert--ok" role="status" key={said.current.times}>
          {message}
        </p>
      ) : null}
    </LiveRegion>
  );
}
