/**
 * Two-step login's rules (decision record 039): after the password, a code from an authenticator app
 * (TOTP, RFC 6238: 6 digits, a new one every 30 seconds) or one of ten recovery codes, each usable
 * once. Pure: the service keeps the secrets, the clock and the counts.
 */

export const TWO_STEP = {
  /** The authenticator app's code: RFC 6238's defaults, the ones every app understands. */
  digits: 6,
  periodSeconds: 30,
  /** Codes of the step before and after the current one are taken too: a phone's clock a little off. */
  window: 1,
  /** How long the code page waits after the password was right, and how many codes it takes. */
  challengeTtlMs: 5 * 60_000,
  maxAttempts: 5,
  /** Recovery codes given at once (a new set ends the old one), each 10 characters of base32: 50 bits. */
  recoveryCodes: 10,
  recoveryCodeLength: 10,
  /**
   * Wrong codes on one account (at login, or when turning two-step login off or making new recovery
   * codes) within the hour after which no more are taken, from anywhere, until the hour has passed:
   * whoever types them has the password, and guesses spread over many addresses and many login
   * challenges would otherwise find a code (3 in a million each) in hours.
   */
  wrongCodesPerAccount: 10,
  wrongCodesWindowMs: 60 * 60_000,
  /** A setup begun and not confirmed within this is forgotten: its key is not shown again. */
  pendingTtlMs: 15 * 60_000,
} as const;

/** Whether an account has taken its wrong codes for the hour (TWO_STEP.wrongCodesPerAccount). */
export function wrongCodeLimitReached(wrongCodesInWindow: number): boolean {
  return wrongCodesInWindow >= TWO_STEP.wrongCodesPerAccount;
}

/** Whether a setup begun at `createdAt` is still waiting for its code at `now`. */
export function setupStillPending(createdAt: number, now: number): boolean {
  return now - createdAt < TWO_STEP.pendingTtlMs;
}

export type EnteredCode = { kind: "authenticator"; code: string } | { kind: "recovery"; code: string };

const BASE32 = /^[A-Z2-7]+$/;

/**
 * What was typed on the code page: six digits (spaces allowed, as apps show "123 456"), or a
 * recovery code (case, spaces and hyphens ignored); null if it is neither.
 */
export function readEnteredCode(input: string): EnteredCode | null {
  const compact = input.replace(/[\s-]/g, "").toUpperCase();
  if (new RegExp(`^\\d{${TWO_STEP.digits}}$`).test(compact)) return { kind: "authenticator", code: compact };
  if (compact.length === TWO_STEP.recoveryCodeLength && BASE32.test(compact))
    return { kind: "recovery", code: compact };
  return null;
}

/** A recovery code as shown to its owner: two groups of five, "ABCDE-FGHIJ". */
export function formatRecoveryCode(code: string): string {
  const half = Math.ceil(code.length / 2);
  return `${code.slice(0, half)}-${code.slice(half)}`;
}

/** The secret as typed into an app by hand: groups of four characters. */
export function groupedSecret(secret: string): string {
  return secret.match(/.{1,4}/g)?.join(" ") ?? secret;
}

/** A code is taken once: only one of a time step later than the last accepted one. */
export function stepIsFresh(step: number, lastStep: number | null): boolean {
  return lastStep === null || step > lastStep;
}

/** Tries left on the code page after `attempts` wrong codes. */
export function attemptsLeft(attempts: number): number {
  return Math.max(0, TWO_STEP.maxAttempts - attempts);
}
