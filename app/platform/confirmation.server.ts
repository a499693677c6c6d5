/**
 * Destructive actions that cannot be undone (deleting a draft, retiring a checklist version,
 * revoking an API token; revoking a seal asks for its serial typed out) are asked first: the form
 * carries a required "I understand …" tick box (`confirm=yes`, so it works without JavaScript), and
 * the use case itself refuses a request without it, so a crafted POST or a script cannot skip it.
 */
import { ServiceError } from "./errors.server";

/** The form field of the tick box, and the value a ticked box posts. */
export const CONFIRM_FIELD = "confirm";

/** Whether a posted form value is the ticked box. */
export const isConfirmed = (value: unknown): boolean => value === "yes" || value === true;

/** Refuses (400, naming the `confirm` field) unless the caller confirmed; `what` completes "Tick the box to confirm that …". */
export function requireConfirmation(confirmed: boolean | undefined, what: string): void {
  if (confirmed === true) return;
  const message = `Tick the box to confirm that ${what}.`;
  throw new ServiceError("invalid", message, { [CONFIRM_FIELD]: message });
}
