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
