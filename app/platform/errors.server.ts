/** Errors a use case reports to its caller; routes turn them into a status and a message. */
export type ServiceErrorCode =
  "invalid" | "unauthenticated" | "forbidden" | "not_found" | "conflict" | "too_large" | "rate_limited" | "unavailable";

const STATUS: Record<ServiceErrorCode, number> = {
  invalid: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  too_large: 413, // e.g. an upload past the organisation's evidence quota
  rate_limited: 429,
  unavailable: 503, // a service the portal depends on (the S3 evidence store) cannot be reached: try again later
};

export class ServiceError extends Error {
  constructor(
    readonly code: ServiceErrorCode,
    message: string,
    readonly fieldErrors: Record<string, string> = {},
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
  }

  get status(): number {
    return STATUS[this.code];
  }
}
