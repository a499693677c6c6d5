// `expect(x).toBeRefused(code?, message?)`: the one way tests say "this was refused".
// Registered for every test file by tests/setup/matchers.ts (vitest.config.ts, setupFiles).
//
// `x` is a function (called; it may throw or return a promise that rejects) or a promise. A refusal is
// - a ServiceError: `code` is its code (e.g. "forbidden"), `message` is matched against its message;
// - a thrown Response (a route's answer): `code` is its status, given as a number or as the
//   ServiceError code that maps to it ("forbidden" = 403); `message` is matched against its body;
// - a thrown `data({ message }, { status })` (what serviceOrThrow throws from loaders): the same,
//   against init.status and data.message.
// `message` is a RegExp to match or a string the message must equal. Anything else thrown (a
// TypeError, a plain Error), or nothing thrown, fails. Always await it: the call may be asynchronous.
import { expect } from "vitest";
import { ServiceError, type ServiceErrorCode } from "../../app/platform/errors.server";

export type RefusalCode = ServiceErrorCode | number;
type Refusal = { kind: string; status: number; code: ServiceErrorCode | null; message: string };

const statusOf = (code: ServiceErrorCode) => new ServiceError(code, "").status;

async function outcome(received: unknown): Promise<{ threw: false; value: unknown } | { threw: true; error: unknown }> {
  try {
    const value = typeof received === "function" ? await (received as () => unknown)() : await received;
    return { threw: false, value };
  } catch (error) {
    return { threw: true, error };
  }
}

function isDataWithInit(e: unknown): e is { data: { message?: unknown }; init: { status?: number } | null } {
  return typeof e === "object" && e !== null && (e as { type?: unknown }).type === "DataWithResponseInit";
}

async function asRefusal(e: unknown): Promise<Refusal | null> {
  if (e instanceof ServiceError) return { kind: "ServiceError", status: e.status, code: e.code, message: e.message };
  if (e instanceof Response) return { kind: "Response", status: e.status, code: null, message: await e.clone().text() };
  if (isDataWithInit(e)) {
    const message = typeof e.data?.message === "string" ? e.data.message : JSON.stringify(e.data);
    return { kind: "data()", status: e.init?.status ?? 200, code: null, message };
  }
  return null;
}

function codeMatches(r: Refusal, code: RefusalCode): boolean {
  if (typeof code === "number") return r.status === code;
  return r.code !== null ? r.code === code : r.status === statusOf(code);
}

function messageMatches(actual: string, message: RegExp | string): boolean {
  return typeof message === "string" ? actual === message : message.test(actual);
}

export async function toBeRefused(
  this: { isNot: boolean; utils: { stringify(v: unknown): string } },
  received: unknown,
  code?: RefusalCode,
  message?: RegExp | string,
) {
  const { isNot, utils } = this;
  const wanted = [
    code === undefined ? null : `code ${String(code)}`,
    message === undefined ? null : `message ${String(message)}`,
  ]
    .filter(Boolean)
    .join(" and ");
  const expectation = `to be refused${wanted ? ` with ${wanted}` : ""}`;
  const result = await outcome(received);
  if (!result.threw) {
    const value = utils.stringify(result.value);
    return { pass: false, message: () => `expected a refusal (${expectation}), but it succeeded with ${value}` };
  }
  const refusal = await asRefusal(result.error);
  if (!refusal) {
    const { error } = result;
    const shown = error instanceof Error ? `${error.name}: ${error.message}` : utils.stringify(error);
    return { pass: false, message: () => `expected a refusal (${expectation}), but it threw ${shown}` };
  }
  const codeOk = code === undefined || codeMatches(refusal, code);
  const messageOk = message === undefined || messageMatches(refusal.message, message);
  const got = `${refusal.kind} ${refusal.code ?? refusal.status} ${JSON.stringify(refusal.message)}`;
  return {
    pass: codeOk && messageOk,
    message: () => `expected ${isNot ? "not " : ""}${expectation}; got ${got}`,
    actual: { code: refusal.code ?? refusal.status, message: refusal.message },
    expected: { code: code ?? refusal.code ?? refusal.status, message: message ?? refusal.message },
  };
}

declare module "vitest" {
  // vitest's own signature, which a declaration merged into it must repeat
  // eslint-disable-next-line @typescript-eslint/no-unused-vars
  interface Matchers<T = any> {
    /** Refused with this ServiceError code (or HTTP status) and a message matching `message`; await it. */
    toBeRefused(code?: RefusalCode, message?: RegExp | string): Promise<void>;
  }
}

export const matchers = { toBeRefused };

export function registerMatchers(): void {
  expect.extend(matchers);
}
