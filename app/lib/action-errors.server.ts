/** Turns a service error into what a form action returns: the message and per-field errors. */
import { data } from "@remix-run/node";
import { ServiceError } from "../services/errors.server";

export interface ActionFailure {
  ok: false;
  formError: string;
  fieldErrors: Record<string, string>;
  values?: Record<string, string>;
}

export function failure(formError: string, fieldErrors: Record<string, string> = {}, values?: Record<string, string>, status = 400) {
  return data<ActionFailure>({ ok: false, formError, fieldErrors, values }, { status });
}

/** Runs a use case; a ServiceError becomes a form failure with its status, anything else propagates. */
export async function attempt<T>(fn: () => T | Promise<T>, values?: Record<string, string>) {
  try {
    return { ok: true as const, value: await fn() };
  } catch (error) {
    if (error instanceof ServiceError) {
      const headers: Record<string, string> = error.retryAfterSeconds ? { "Retry-After": String(error.retryAfterSeconds) } : {};
      return {
        ok: false as const,
        response: data<ActionFailure>({ ok: false, formError: error.message, fieldErrors: error.fieldErrors, values }, { status: error.status, headers }),
      };
    }
    throw error;
  }
}
