// The warning of repeated failed logins (pure): when it is due, what it says, and that it is keyed
// by the user and the day (one a day at most: the outbox keeps one row per key).
import { describe, expect, it } from "vitest";
import {
  CODE_FAILURE_WARNING,
  failureWarnsOwner,
  LOGIN_FAILURE_WARNING,
} from "../../../app/features/accounts/domain/login-failures";
import {
  carriesSecretLink,
  LOGIN_FAILURES_MAIL_KIND,
  loginFailuresMailKey,
  renderLoginFailuresMail,
  renderTwoStepChangedMail,
  TWO_STEP_CHANGED_MAIL_KIND,
  twoStepChangedMailKey,
} from "../../../app/features/notifications/domain/account-mail";

const input = {
  recipientName: "Grace <Gator>",
  failures: 5,
  addresses: 1,
  latestAt: Date.UTC(2026, 11, 7, 23, 59),
  forgotPasswordUrl: "https://seal.example/forgot-password",
  accountUrl: "https://seal.example/account",
};

describe("the warning of repeated failed logins", () => {
  it("is due at the threshold within the window, not at each failure after it", () => {
    expect(LOGIN_FAILURE_WARNING).toEqual({ threshold: 5, windowMs: 3_600_000 });
    expect([1, 2, 3, 4, 5, 6, 7, 50].map((n) => failureWarnsOwner(n))).toEqual([
      false,
      false,
      false,
      false,
      true,
      false,
      false,
      false,
    ]);
  });

  it("comes sooner for wrong two-step codes (after the right password): at the third within the hour", () => {
    expect(CODE_FAILURE_WARNING).toEqual({ threshold: 3, windowMs: 3_600_000 });
    expect([1, 2, 3, 4, 5].map((n) => failureWarnsOwner(n, "code"))).toEqual([false, false, true, false, false]);
  });

  it("for wrong two-step codes, says the password is known and to change it", () => {
    const m = renderLoginFailuresMail({ ...input, failures: 3, step: "code" });
    expect(m.text).toContain(
      "3 attempts to log in to your account with your password but a wrong two-step code in the last hour, from one address;",
    );
    expect(m.text).toContain(
      "If it was not you, someone knows your password (two-step login stopped them): change it now, to one used nowhere else, on your account page: https://seal.example/account\n",
    );
    expect(m.text).toContain("check that your phone's clock is right");
    expect(m.text).not.toContain("with a wrong password");
  });

  it("says how many, from how many addresses, when, that nothing changed, and what to do", () => {
    const m = renderLoginFailuresMail(input);
    expect(m.text).toContain(
      "5 attempts to log in to your account with a wrong password in the last hour, from one address; the latest at 23:59 UTC on 7 December 2026.",
    );
    expect(m.text).toContain("None of them logged in, and your account has not changed.");
    expect(m.text).toContain("set a new one: https://seal.example/forgot-password\n");
    expect(m.text).toContain("change it on your account page: https://seal.example/account\n");
    expect(renderLoginFailuresMail({ ...input, addresses: 4 }).text).toContain("from 4 addresses;");
    // The name is the account's, escaped in the HTML part.
    expect(m.html).toContain("Grace &lt;Gator&gt;");
    expect(m.html).not.toContain("<Gator>");
    expect(m.html).toContain('href="https://seal.example/account"');
  });

  it("is keyed by the user and the day, and carries no secret link", () => {
    expect(loginFailuresMailKey("u1", Date.UTC(2026, 11, 7, 23, 59))).toBe("login-failures:u1:2026-12-07");
    expect(loginFailuresMailKey("u1", Date.UTC(2026, 11, 8, 0, 1))).toBe("login-failures:u1:2026-12-08");
    // A day's warning of wrong codes is a mail of its own beside that day's warning of wrong passwords.
    expect(loginFailuresMailKey("u1", Date.UTC(2026, 11, 7, 23, 59), "code")).toBe("login-failures:code:u1:2026-12-07");
    expect(carriesSecretLink({ kind: LOGIN_FAILURES_MAIL_KIND, key: "login-failures:u1:2026-12-07" })).toBe(false);
  });
});

describe("the notice that two-step login changed", () => {
  const base = {
    recipientName: "Asha <Assessor>",
    by: "self" as const,
    at: Date.UTC(2026, 11, 7, 8, 5),
    accountUrl: "https://seal.example/account/two-step",
    forgotPasswordUrl: "https://seal.example/forgot-password",
  };

  it("says what changed, when, and what to do if it was not the owner", () => {
    const on = renderTwoStepChangedMail({ ...base, change: "enabled" });
    expect(on.subject).toBe("Two-step login is on for your IoT Seal account");
    expect(on.text).toContain("This was at 08:05 UTC on 7 December 2026.");
    expect(on.text).toContain(
      "If it was not you, someone is using your account: set a new password now, and tell an administrator of IoT Seal: https://seal.example/forgot-password",
    );
    expect(on.html).toContain("Asha &lt;Assessor&gt;");
    const renewed = renderTwoStepChangedMail({ ...base, change: "codes_renewed" });
    expect(renewed.subject).toBe("New recovery codes for your IoT Seal account");
    expect(renewed.text).toContain("the old ones no longer work");
  });

  it("turned off by an administrator: says so, and that someone may have posed as the owner", () => {
    const off = renderTwoStepChangedMail({ ...base, change: "disabled", by: "admin" });
    expect(off.subject).toBe("Two-step login is off for your IoT Seal account");
    expect(off.text).toContain("An administrator of IoT Seal turned two-step login off for your account");
    expect(off.text).toContain("You can set it up again on your account page: https://seal.example/account/two-step");
    expect(off.text).toContain("If you did not ask an administrator for this, someone may have posed as you");
  });

  it("is one mail per change (keyed by the change), with no secret link", () => {
    expect(twoStepChangedMailKey("c1")).toBe("two-step:c1");
    expect(carriesSecretLink({ kind: TWO_STEP_CHANGED_MAIL_KIND, key: "two-step:c1" })).toBe(false);
  });
});
