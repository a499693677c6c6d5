// Two-step login in the integration tests: what a phone's app shows, the password step, and turning it on.
import * as OTPAuth from "otpauth";
import { startLogin } from "../../app/features/accounts/auth.server";
import { beginTwoStep, confirmTwoStep, pendingTwoStepKey } from "../../app/features/accounts/two-step.server";
import { nowMs } from "../../app/platform/clock.server";
import { DEMO_PASSWORD } from "../../app/demo/seed.server";
import { actorByEmail } from "./actors";

let ip = 0;
/** A client from a new address each time (the login rate limit counts per address). */
export const client = () => ({ ip: `198.51.100.${++ip % 250}` });

/** What the phone's app shows for this key at `at`. */
export const appCode = (secret: string, at: number) =>
  new OTPAuth.TOTP({ secret: OTPAuth.Secret.fromBase32(secret) }).generate({ timestamp: at });

/** The demo password for `email`: the login challenge's token (the code page's), never a session. */
export async function passwordStep(email: string): Promise<string> {
  const r = await startLogin({ email, password: DEMO_PASSWORD }, client());
  if (!("secondStep" in r)) throw new Error("the password alone opened a session");
  return r.secondStep.token;
}

/** Sets two-step login up for `email` now (by the test clock); its key and recovery codes. */
export async function turnOn(email: string): Promise<{ secret: string; codes: string[] }> {
  const who = actorByEmail(email);
  beginTwoStep(who);
  const secret = pendingTwoStepKey(who)!.secret;
  const { recoveryCodes } = await confirmTwoStep(who, null, {
    code: appCode(secret, nowMs()),
    password: DEMO_PASSWORD,
  });
  return { secret, codes: recoveryCodes };
}
