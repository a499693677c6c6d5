/** The password policy (NIST SP 800-63B style: length over composition, no common passwords). */

export const PASSWORD_MIN_LENGTH = 12;
export const PASSWORD_MAX_LENGTH = 200;

// The most common choices that meet the length rule; refused outright.
const COMMON = new Set([
  "password1234",
  "password12345",
  "password123456",
  "123456789012",
  "qwertyuiop12",
  "qwertyuiopas",
  "iloveyou1234",
  "adminadmin12",
  "letmeinplease",
  "changeme1234",
  "welcome12345",
  "passwordpassword",
]);

export function passwordProblems(password: string, context: { email?: string; name?: string } = {}): string[] {
  const problems: string[] = [];
  const length = [...password].length;
  if (length < PASSWORD_MIN_LENGTH) problems.push(`Use at least ${PASSWORD_MIN_LENGTH} characters.`);
  if (length > PASSWORD_MAX_LENGTH) problems.push(`Use at most ${PASSWORD_MAX_LENGTH} characters.`);
  const lower = password.toLowerCase();
  if (COMMON.has(lower)) problems.push("This password is too common.");
  if (length >= 1 && new Set(lower).size <= 2) problems.push("Use more than two different characters.");
  const local = context.email?.split("@")[0]?.toLowerCase();
  if (local && local.length >= 4 && lower.includes(local))
    problems.push("Do not use your email address in the password.");
  return problems;
}
