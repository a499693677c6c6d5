// The registration mails (pure, decision record 037): the confirmation with its link, its 24 hours
// and the password step; the warning to an existing account's owner, with no link to confirm
// anything. The outbox's copy of a confirmation loses its link like a reset mail's.
import { describe, expect, it } from "vitest";
import {
  bodyOnceDone,
  outboxTextOf,
  renderSignupAddressInUseMail,
  renderSignupConfirmMail,
  RESET_LINK_REMOVED,
  SIGNUP_CONFIRM_MAIL_KIND,
  signupConfirmMailKey,
  signupRequestIdOfMail,
} from "../../../app/features/notifications/domain/account-mail";

const confirm = {
  kind: "supplier" as const,
  url: "https://seal.example/signup/confirm/abc_DEF-123",
  signupUrl: "https://seal.example/signup",
  expiresAt: Date.UTC(2026, 11, 7, 9, 30),
};

describe("the confirmation mail", () => {
  it("gives the link, its 24 hours and the password step", () => {
    const m = renderSignupConfirmMail(confirm);
    expect(m.subject).toBe("Confirm your registration with IoT Seal");
    expect(m.text).toMatch(/^Hello,$/m);
    expect(m.text).toContain("registered an organisation with IoT Seal as a supplier");
    expect(m.text).toContain("Confirm your registration: https://seal.example/signup/confirm/abc_DEF-123\n");
    expect(m.text).toContain("The link works once, until 09:30 UTC on 7 December 2026 (24 hours).");
    expect(m.text).toContain("type the password you chose when you registered");
    expect(m.text).toContain("Register again: https://seal.example/signup");
  });

  it("carries nothing the registrant typed: no one can mail their words to any address through it", () => {
    // The input has no name, organisation name or other free text: only the kind, an enum.
    expect(Object.keys(confirm).sort()).toEqual(["expiresAt", "kind", "signupUrl", "url"]);
    expect(renderSignupConfirmMail(confirm).html).toContain("Hello,</p>");
  });

  it("loses its link from the outbox's copy once sent, and shows it to admins only while kept", () => {
    const mail = {
      kind: SIGNUP_CONFIRM_MAIL_KIND,
      key: signupConfirmMailKey("req-1"),
      ...renderSignupConfirmMail(confirm),
    };
    expect(signupRequestIdOfMail(mail)).toBe("req-1");
    const done = bodyOnceDone(mail);
    expect(done.text).not.toContain("abc_DEF-123");
    expect(done.html).not.toContain("abc_DEF-123");
    expect(done.text).toContain(`Confirm your registration: ${RESET_LINK_REMOVED}`);
    expect(outboxTextOf({ ...mail, status: "kept" })).toMatchObject({ link: "shown" });
    const pending = outboxTextOf({ ...mail, status: "pending" });
    expect(pending.link).toBe("hidden");
    expect(pending.text).not.toContain("abc_DEF-123");
    expect(pending.text).toContain("https://seal.example/signup/confirm/[hidden]");
  });
});

describe("the warning to an existing account's owner", () => {
  it("says nothing was created and how to log in or reset the password, with no link to confirm anything", () => {
    const m = renderSignupAddressInUseMail({
      recipientName: "Grace",
      loginUrl: "https://seal.example/login",
      forgotPasswordUrl: "https://seal.example/forgot-password",
    });
    expect(m.subject).toBe("Someone tried to register with your address at IoT Seal");
    expect(m.text).toContain("It already has an account, so nothing was created.");
    expect(m.text).toContain("If it was you, log in with your account: https://seal.example/login\n");
    expect(m.text).toContain("Forgot your password? Set a new one: https://seal.example/forgot-password\n");
    expect(m.text).not.toMatch(/signup\/confirm/);
    expect(m.html).toContain('href="https://seal.example/forgot-password"');
    // Not a mail with a secret link: the outbox keeps it as it is.
    const mail = { kind: "account.signup_address_in_use", key: "signup-address-in-use:x", ...m };
    expect(bodyOnceDone(mail)).toEqual({ text: m.text, html: m.html });
    expect(outboxTextOf({ ...mail, status: "kept" }).link).toBeNull();
  });
});
