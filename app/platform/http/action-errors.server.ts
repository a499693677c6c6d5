/** Turns a service error into what a form action returns: the message and per-field errors. */
import { data } from "@remix-run/node";
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
