// The password reset mail (pure): the link, when it stops working, who sent it; escaped HTML.
import { describe, expect, it } from "vitest";
import { renderPasswordResetMail } from "../../../app/features/notifications/domain/password-reset-mail";

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
