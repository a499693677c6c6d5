/**
 * Someone guessing an account's password from many addresses is never stopped by the per-address
 * limit on logins (auth.server.ts: a limit per account would let anyone lock its owner out). The
 * owner is told instead: when the failures with a wrong password on the account reach THRESHOLD
 * within WINDOW, they are mailed, at most once a day (the mail's key is the day). Nothing is
 * locked: the mail says what happened and what to do.
 */
export const LOGIN_FAILURE_WARNING = { threshold: 5, windowMs: 60 * 60 * 1000 } as const;

/**
 * A wrong two-step code comes after the right password: someone has it. Its owner is told sooner (a
 * mistyped code or two are not worth a mail; a third within the hour is), at most once a day too.
 */
export const CODE_FAILURE_WARNING = { threshold: 3, windowMs: 60 * 60 * 1000 } as const;

/** Which step of a login failed: the password, or the two-step code after a right password. */
export type FailedStep = "password" | "code";

export const LOGIN_FAILURE_WARNINGS: Record<FailedStep, { threshold: number; windowMs: number }> = {
  password: LOGIN_FAILURE_WARNING,
  code: CODE_FAILURE_WARNING,
};

/**
 * Whether the failure just recorded is the one that tells the owner: the one that brings the count
 * within the window to the threshold (not each one after it). Counted one at a time, a sliding count
 * cannot step over the threshold; it reaches it again only after falling below it.
 */
export function failureWarnsOwner(failuresInWindow: number, step: FailedStep = "password"): boolean {
  return failuresInWindow === LOGIN_FAILURE_WARNINGS[step].threshold;
}
