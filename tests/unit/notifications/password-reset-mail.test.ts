// The password reset mail (pure): the link, when it stops working, who sent it; escaped HTML. The
// outbox's copy loses the link once sent or set aside, and admins see it only in a mail kept unsent.
import { describe, expect, it } from "vitest";
import {
  bodyOnceDone,
  outboxTextOf,
  PASSWORD_RESET_MAIL_KIND,
  passwordResetMailKey,
  renderPasswordResetMail,
  RESET_LINK_REMOVED,
  withoutResetLink,
} from "../../../app/features/notifications/domain/account-mail";

const base = {
  recipientName: "Jane <b>Doe</b>",
  url: "https://seal.example/reset-password/abc_DEF-123",
  askAgainUrl: "https://seal.example/forgot-password",
  expiresAt: Date.UTC(2026, 11, 5, 14, 5),
  requestedBy: "self" as const,
};

describe("the password reset mail", () => {
  it("gives the link, its hour and what to do if it was not asked for, in plain text", () => {
    const m = renderPasswordResetMail(base);
    expect(m.subject).toBe("Reset your IoT Seal password");
    expect(m.text).toContain("Set a new password: https://seal.example/reset-password/abc_DEF-123\n");
    expect(m.text).toContain("The link works once, until 14:05 UTC on 5 December 2026 (one hour).");
    expect(m.text).toContain("If you did not ask for it, ignore this mail");
    expect(m.text).toContain("Ask for a new one: https://seal.example/forgot-password");
    expect(m.text).toContain("Someone, we hope you, asked");
    // No notification settings footer: this mail goes whatever the preferences.
    expect(m.text).not.toContain("notification settings");
  });

  it("says when an administrator sent it", () => {
    expect(renderPasswordResetMail({ ...base, requestedBy: "admin" }).text).toContain(
      "An administrator of IoT Seal sent you this link",
    );
  });

  it("escapes everything in the HTML and keeps the name on one line", () => {
    const m = renderPasswordResetMail({ ...base, recipientName: "Jane\r\nBcc: x@y <script>" });
    expect(m.html).not.toContain("<script>");
    expect(m.html).toContain("Jane Bcc: x@y &lt;script&gt;");
    expect(m.text.split("\n")[0]).toBe("Hello Jane Bcc: x@y <script>,");
    expect(m.html).toContain('href="https://seal.example/reset-password/abc_DEF-123"');
  });
});

describe("the link in the outbox's copy", () => {
  const TOKEN = "abc_DEF-123";
  const row = (status: string) => ({
    ...renderPasswordResetMail(base),
    kind: PASSWORD_RESET_MAIL_KIND,
    key: passwordResetMailKey("reset-1"),
    status,
  });

  it("is removed from text and HTML once the mail is done, the rest of the mail kept", () => {
    const done = withoutResetLink(renderPasswordResetMail(base));
    for (const part of [done.text, done.html]) {
      expect(part).not.toContain(TOKEN);
      expect(part).not.toContain("/reset-password/");
    }
    expect(done.text).toContain(`Set a new password: ${RESET_LINK_REMOVED}\n`);
    expect(done.text).toContain("The link works once, until 14:05 UTC on 5 December 2026 (one hour).");
    expect(done.html).toContain(RESET_LINK_REMOVED);
    expect(done.html).not.toContain("Set a new password</a>");
    expect(done.html).toContain('href="https://seal.example/forgot-password"');
    // Done twice, the same; another mail's body is left as it is.
    expect(withoutResetLink(done)).toEqual(done);
    const other = { kind: "report.deadline.7d", key: "k", text: "see /reset-password/x", html: "<p>x</p>" };
    expect(bodyOnceDone(other)).toEqual({ text: other.text, html: other.html });
    expect(bodyOnceDone(row("sent"))).toEqual(done);
  });

  it("is shown to admins only in a mail kept unsent; hidden while it waits; gone once done", () => {
    expect(outboxTextOf(row("kept"))).toEqual({ text: row("kept").text, link: "shown" });
    for (const status of ["pending", "sending", "sent", "failed"]) {
      const seen = outboxTextOf(row(status));
      expect(seen.link).toBe("hidden");
      expect(seen.text).not.toContain(TOKEN);
      expect(seen.text).toContain("Set a new password: https://seal.example/reset-password/[hidden]\n");
    }
    const done = { ...row("sent"), ...bodyOnceDone(row("sent")) };
    expect(outboxTextOf(done)).toEqual({ text: done.text, link: "removed" });
    expect(outboxTextOf({ kind: "digest", key: "digest:u:2026-12-05", status: "sent", text: "t" })).toEqual({
      text: "t",
      link: null,
    });
  });
});
