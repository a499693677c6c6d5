import { data } from "@remix-run/node";
import { ServiceError } from "../errors.server";

/** For loaders: a ServiceError becomes the matching error page (404, 403, ...); other errors propagate. */
export function serviceOrThrow<T>(fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof ServiceError) throw data({ message: e.message }, { status: e.status });
    throw e;
  }
}
