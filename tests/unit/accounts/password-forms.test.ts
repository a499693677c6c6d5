// The password forms (zod, the same in the routes and the services' callers): the one password policy,
// the confirmation, field-named messages; and the reset link's token as the address carries it.
import { describe, expect, it } from "vitest";
import {
  changePasswordInput,
  forgotPasswordInput,
  resetPasswordInput,
  resetTokenParam,
} from "../../../app/features/accounts/forms";
import { generatePassword } from "../../../app/features/accounts/passwords.server";
import { passwordProblems } from "../../../app/features/accounts/domain/password-policy";
import { fieldErrorsOf } from "../../../app/platform/forms";

const errors = (r: { success: boolean; error?: unknown }) =>
  r.success ? {} : fieldErrorsOf(r.error as Parameters<typeof fieldErrorsOf>[0]);

describe("the new password fields", () => {
  it("accept a password that meets the policy, typed twice", () => {
    const ok = resetPasswordInput.safeParse({
      newPassword: "a long enough password",
      confirmPassword: "a long enough password",
    });
    expect(ok.success).toBe(true);
  });

  it("apply the same policy as sign-up and user creation (one rule), naming the field", () => {
    for (const bad of ["short", "password1234", "aaaaaaaaaaaaaaaa"]) {
      expect(errors(resetPasswordInput.safeParse({ newPassword: bad, confirmPassword: bad }))).toEqual({
        newPassword: passwordProblems(bad).join(" "),
      });
    }
  });

  it("name the confirmation when the two differ, or when it is left empty", () => {
    expect(
      errors(
        resetPasswordInput.safeParse({
          newPassword: "a long enough password",
          confirmPassword: "a long enough passwort",
        }),
      ),
    ).toEqual({ confirmPassword: "The two passwords do not match." });
    expect(
      errors(resetPasswordInput.safeParse({ newPassword: "a long enough password", confirmPassword: "" })),
    ).toEqual({
      confirmPassword: "Type the new password again.",
    });
    expect(errors(resetPasswordInput.safeParse({}))).toMatchObject({
      newPassword: "Choose a new password.",
      confirmPassword: "Type the new password again.",
    });
  });

  it("the account page also asks for the current password", () => {
    expect(
      errors(
        changePasswordInput.safeParse({
          newPassword: "a long enough password",
          confirmPassword: "a long enough password",
        }),
      ),
    ).toEqual({ currentPassword: "Enter your current password." });
    expect(
      changePasswordInput.safeParse({
        currentPassword: "old one",
        newPassword: "a long enough password",
        confirmPassword: "a long enough password",
      }).success,
    ).toBe(true);
  });

  it("a generated password meets the policy", () => {
    for (let i = 0; i < 50; i++) expect(passwordProblems(generatePassword())).toEqual([]);
  });
});

describe("the forgot-password form and the link's token", () => {
  it("normalises the email and names a bad one", () => {
    expect(forgotPasswordInput.parse({ email: "  Jane@Example.COM " })).toEqual({ email: "jane@example.com" });
    expect(errors(forgotPasswordInput.safeParse({ email: "not an email" }))).toEqual({
      email: "Enter a valid email address, like name@example.com.",
    });
  });

  it("accepts only a 256-bit base64url token", () => {
    expect(resetTokenParam.safeParse("A".repeat(43)).success).toBe(true);
    expect(resetTokenParam.safeParse("A-_z".repeat(10) + "abc").success).toBe(true);
    for (const bad of [
      "",
      "A".repeat(42),
      "A".repeat(44),
      "A".repeat(42) + "=",
      "../../etc/passwd",
      "A".repeat(42) + ".",
    ])
      expect(resetTokenParam.safeParse(bad).success).toBe(false);
  });
});
