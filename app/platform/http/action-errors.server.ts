/** Turns a service error into what a form action returns: the message and per-field errors. */
import { data } from "@remix-run/node";
import { conflictingFields, SENT_TWICE } from "../forms";
import { ServiceError } from "../errors.server";

export interface ActionFailure {
  ok: false;
  formError: string;
  fieldErrors: Record<string, string>;
  values?: Record<string, string>;
}

export function failure(
  formError: string,
  fieldErrors: Record<string, string> = {},
  values?: Record<string, string>,
  status = 400,
) {
  return data<ActionFailure>({ ok: false, formError, fieldErrors, values }, { status });
}

/**
 * A form's `intent` the action does not know (an old page, a crafted post) is refused (400), never
 * taken for the action's default form: `known` lists the intents, and `null` stands for the one
 * form that sends none. Returns null when the intent is known.
 */
export function unknownIntent(
  intent: FormDataEntryValue | string | null | undefined,
  known: readonly (string | null)[],
) {
  const given = intent === undefined ? null : intent;
  if (given === null ? known.includes(null) : typeof given === "string" && known.includes(given)) return null;
  return failure("That action is not one this page knows: reload the page and try again.", {}, undefined, 400);
}

/**
 * For an action that reads the form's values itself (formValues): a field sent twice with different
 * values is refused on that field, as parseForm refuses it; null when there is none.
 */
export function sentTwice(form: FormData) {
  const twice = conflictingFields(form);
  if (!twice.length) return null;
  return failure(
    "Some fields were sent twice with different values.",
    Object.fromEntries(twice.map((key) => [key, SENT_TWICE])),
  );
}

/** A ServiceError as a form failure with its status; anything else is rethrown (a real 500). */
export function serviceFailure(error: unknown, values?: Record<string, string>) {
  if (!(error instanceof ServiceError)) throw error;
  const headers: Record<string, string> = error.retryAfterSeconds
    ? { "Retry-After": String(error.retryAfterSeconds) }
    : {};
  return data<ActionFailure>(
    { ok: false, formError: error.message, fieldErrors: error.fieldErrors, values },
    { status: error.status, headers },
  );
}

/** Runs a use case; a ServiceError becomes a form failure with its status, anything else propagates. */
export async function attempt<T>(fn: () => T | Promise<T>, values?: Record<string, string>) {
  try {
    return { ok: true as const, value: await fn() };
  } catch (error) {
    return { ok: false as const, response: serviceFailure(error, values) };
  }
}
