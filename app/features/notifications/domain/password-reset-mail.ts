/**
 * The password reset mail (pure): plain text and HTML, everything that comes from the account
 * escaped. Unlike a notification's mail it has no settings link: it is sent whatever the
 * preferences, because the user asked for it (or an admin sent it).
 */
import { escapeHtml, oneLine, type MailBody } from "./mail-body";

/** The mail outbox's kind of a reset mail, and its key: one mail per link. */
export const PASSWORD_RESET_MAIL_KIND = "account.password_reset";
export function passwordResetMailKey(resetId: string): string {
  return `password-reset:${resetId}`;
}

/** The link a reset mail carries (its key names it), or null for another mail. */
export function resetIdOfMail(mail: { kind: string; key: string }): string | null {
  return mail.kind === PASSWORD_RESET_MAIL_KIND && mail.key.startsWith("password-reset:")
    ? mail.key.slice("password-reset:".length)
    : null;
}

export interface PasswordResetMailInput {
  recipientName: string;
  /** Absolute URL of the reset link (with its token). */
  url: string;
  /** Absolute URL of the page to ask for a new link. */
  askAgainUrl: string;
  /** When the link stops working (ms). */
  expiresAt: number;
  requestedBy: "self" | "admin";
}

/** "14:05 UTC on 5 December 2026" */
function when(ms: number): string {
  const d = new Date(ms);
  const time = `${String(d.getUTCHours()).padStart(2, "0")}:${String(d.getUTCMinutes()).padStart(2, "0")} UTC`;
  const day = d.toLocaleDateString("en-GB", { day: "numeric", month: "long", year: "numeric", timeZone: "UTC" });
  return `${time} on ${day}`;
}

export function renderPasswordResetMail(m: PasswordResetMailInput): MailBody {
  const subject = "Reset your IoT Seal password";
  const name = oneLine(m.recipientName, 100);
  const why =
    m.requestedBy === "admin"
      ? "An administrator of IoT Seal sent you this link to set a new password for your account."
      : "Someone, we hope you, asked to reset the password of your IoT Seal account.";
  const rules = `The link works once, until ${when(m.expiresAt)} (one hour). Setting a new password signs you out everywhere.`;
  const ignore = "If you did not ask for it, ignore this mail: your password stays as it is.";
  const text = [
    `Hello ${name},`,
    "",
    why,
    "",
    `Set a new password: ${m.url}`,
    "",
    rules,
    "",
    `${ignore} An expired link? Ask for a new one: ${m.askAgainUrl}`,
    "",
    "-- ",
    "IoT Seal",
    "",
  ].join("\n");
  const url = escapeHtml(m.url);
  const html =
    `<!doctype html><html lang="en-GB"><head><meta charset="utf-8">` +
    `<meta name="viewport" content="width=device-width, initial-scale=1"><title>${escapeHtml(subject)}</title></head>` +
    `<body style="margin:0;padding:0;background:#f4f6f8">` +
    `<div style="max-width:600px;margin:0 auto;padding:24px;font-family:Arial,Helvetica,sans-serif;` +
    `font-size:16px;line-height:1.5;color:#1b1f23;background:#ffffff">` +
    `<p style="font-weight:700;color:#0b4f6c;margin:0 0 16px">IoT Seal</p>` +
    `<p style="margin:0 0 16px">Hello ${escapeHtml(name)},</p>` +
    `<p style="margin:0 0 12px">${escapeHtml(why)}</p>` +
    `<p style="margin:24px 0"><a href="${url}" style="display:inline-block;background:#0b4f6c;color:#ffffff;` +
    `text-decoration:none;padding:12px 20px;border-radius:6px;font-weight:600">Set a new password</a></p>` +
    `<p style="font-size:13px;color:#555555">Or copy this address: ${url}</p>` +
    `<p style="margin:0 0 12px">${escapeHtml(rules)}</p>` +
    `<p style="margin:0 0 12px">${escapeHtml(ignore)} An expired link? ` +
    `<a href="${escapeHtml(m.askAgainUrl)}" style="color:#0b4f6c">Ask for a new one</a>.</p>` +
    `</div></body></html>`;
  return { subject, text, html };
}
