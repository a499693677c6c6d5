/**
 * The accounts module's form schemas: pure zod (no server imports), so the services, the routes and
 * the browser parse a form with the same rules and messages.
 */
import { z } from "zod";
import { emailField, lineText, nameField } from "../../platform/forms";
import { ROLES, SELF_SIGNUP_KINDS } from "../../platform/roles";
import { passwordProblems } from "./domain/password-policy";

/** A password typed to prove who one is (logging in, or again before a change): any, not empty. */
const currentPassword = () =>
  z.string({ error: "Enter your password." }).min(1, { error: "Enter your password." }).max(1000);

export const loginInput = z.object({
  email: emailField,
  password: currentPassword(),
});

export const signupInput = z
  .object({
    kind: z.enum(SELF_SIGNUP_KINDS, { error: "Choose whether you are a supplier or a retailer." }),
    organizationName: nameField("the organisation's name"),
    name: nameField("your name"),
    email: emailField,
    password: z.string({ error: "Choose a password." }).max(1000),
  })
  .superRefine((v, ctx) => {
    const problems = passwordProblems(v.password, { email: v.email, name: v.name });
    if (problems.length) ctx.addIssue({ code: "custom", path: ["password"], message: problems.join(" ") });
  });

export const createUserInput = z
  .object({
    email: emailField,
    name: nameField("the person's name"),
    role: z.enum(ROLES, { error: `Choose a role: ${ROLES.join(", ")}.` }),
    organizationId: z.string().trim().optional(),
    password: z.string().max(1000).optional(),
  })
  .superRefine((v, ctx) => {
    if (v.password) {
      const problems = passwordProblems(v.password, { email: v.email });
      if (problems.length) ctx.addIssue({ code: "custom", path: ["password"], message: problems.join(" ") });
    }
  });

/** A new password and the same again: the password policy (the service adds the account's own context) and a match. */
const newPasswordFields = {
  newPassword: z.string({ error: "Choose a new password." }).max(1000),
  confirmPassword: z.string({ error: "Type the new password again." }).max(1000),
};

function checkNewPassword(v: { newPassword: string; confirmPassword: string }, ctx: z.RefinementCtx): void {
  const problems = passwordProblems(v.newPassword);
  if (problems.length) ctx.addIssue({ code: "custom", path: ["newPassword"], message: problems.join(" ") });
  if (v.confirmPassword !== v.newPassword)
    ctx.addIssue({
      code: "custom",
      path: ["confirmPassword"],
      message: v.confirmPassword ? "The two passwords do not match." : "Type the new password again.",
    });
}

/** /account: the signed-in user changes their own password. */
export const changePasswordInput = z
  .object({
    currentPassword: z
      .string({ error: "Enter your current password." })
      .min(1, { error: "Enter your current password." })
      .max(1000),
    ...newPasswordFields,
  })
  .superRefine(checkNewPassword);

/** /account: one of the user's other sessions to sign out (its id as listOwnSessions gave it). */
export const endSessionInput = z.object({
  session: z
    .string({ error: "Choose a session from the list." })
    .regex(/^[\w-]{22}$/, { error: "Choose a session from the list." }),
});

/** /forgot-password: where to send a reset link. */
export const forgotPasswordInput = z.object({ email: emailField });

/** /reset-password/<token>: the new password. */
export const resetPasswordInput = z.object(newPasswordFields).superRefine(checkNewPassword);

/** A reset link's token as the link carries it (256 random bits, base64url); anything else is no link of ours. */
export const resetTokenParam = z.string().regex(/^[A-Za-z0-9_-]{43}$/);
/** The token of a link's address (a reset or a registration's confirmation link), or null: no link of ours. */
export function linkTokenOf(params: { token?: string }): string | null {
  const token = resetTokenParam.safeParse(params.token ?? "");
  return token.success ? token.data : null;
}

export const apiTokenInput = z.object({
  name: lineText("the token's name", 80, { tooLong: "Keep the name under 80 characters." }).min(2, {
    error: "Name the token (at least 2 characters), e.g. the system that uses it.",
  }),
});

export const conflictInput = z.object({
  assessorId: z.string().min(1, { error: "Choose an assessor." }),
  organizationId: z.string().min(1, { error: "Choose a supplier organisation." }),
  reason: z.string().trim().min(5, { error: "Say why, in at least 5 characters." }).max(500),
});

/** /signup/confirm/<token>: the password chosen when registering, typed again to finish. */
export const confirmSignupInput = z.object({
  password: z
    .string({ error: "Enter the password you chose." })
    .min(1, { error: "Enter the password you chose." })
    .max(1000),
});

/** The code page of a two-step login, and the setup page's confirmation: the app's code or a recovery code. */
export const twoStepCodeInput = z.object({
  code: z
    .string({ error: "Type the code your authenticator app shows." })
    .trim()
    .min(1, { error: "Type the code your authenticator app shows." })
    .max(40, { error: "That is longer than any code: type the 6 digits your app shows." }),
});

/** Confirming two-step login's setup: the code the app shows, and the password. */
export const twoStepConfirmInput = twoStepCodeInput.extend({ password: currentPassword() });

/** Turning two-step login off, or new recovery codes: the password again, and a code. */
export const twoStepChangeInput = twoStepCodeInput.extend({
  intent: z.enum(["turn-off", "renew-codes"]),
  password: currentPassword(),
});
