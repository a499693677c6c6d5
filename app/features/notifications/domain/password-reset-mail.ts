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

/** The words before the link in the text ("Set a new password: <url>"), and the button's label. */
const LINK_LABEL = "Set a new password";

/** The button and the copyable address of the HTML part. */
function linkBlockHtml(url: string): string {
  const u = escapeHtml(url);
  return (
    `<p style="margin:24px 0"><a href="${u}" style="display:inline-block;background:#0b4f6c;color:#ffffff;` +
    `text-decoration:none;padding:12px 20px;border-radius:6px;font-weight:600">${LINK_LABEL}</a></p>` +
    `<p style="font-size:13px;color:#555555">Or copy this address: ${u}</p>`
  );
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
    `${LINK_LABEL}: ${m.url}`,
    "",
    rules,
    "",
    `${ignore} An expired link? Ask for a new one: ${m.askAgainUrl}`,
    "",
    "-- ",
    "IoT Seal",
    "",
  ].join("\n");
  const html =
    `<!doctype html><html lang="en-GB"><head><meta charset="utf-8">` +
    `<meta name="viewport" content="width=device-width, initial-scale=1"><title>${escapeHtml(subject)}</title></head>` +
    `<body style="margin:0;padding:0;background:#f4f6f8">` +
    `<div style="max-width:600px;margin:0 auto;padding:24px;font-family:Arial,Helvetica,sans-serif;` +
    `font-size:16px;line-height:1.5;color:#1b1f23;background:#ffffff">` +
    `<p style="font-weight:700;color:#0b4f6c;margin:0 0 16px">IoT Seal</p>` +
    `<p style="margin:0 0 16px">Hello ${escapeHtml(name)},</p>` +
    `<p style="margin:0 0 12px">${escapeHtml(why)}</p>` +
    linkBlockHtml(m.url) +
    `<p style="margin:0 0 12px">${escapeHtml(rules)}</p>` +
    `<p style="margin:0 0 12px">${escapeHtml(ignore)} An expired link? ` +
    `<a href="${escapeHtml(m.askAgainUrl)}" style="color:#0b4f6c">Ask for a new one</a>.</p>` +
    `</div></body></html>`;
  return { subject, text, html };
}

// --- The link in the outbox's copy of the mail -------------------------------------------------
//
// The outbox keeps a reset mail's text until it is sent: a crash must not lose it. Once the mail is
// sent or set aside (any final status), the copy loses its link; until then admins see the link
// masked, except in a mail "kept" without SMTP_URL, which is never sent: the admin hands that link
// over to its recipient (the demo's way).

/** What stands for the link in the outbox's copy once the mail has been sent or set aside. */
export const RESET_LINK_REMOVED = "[link removed from this copy once the mail was sent or set aside]";
/** What stands for the link's token on /admin/outbox while the mail waits to be sent. */
export const RESET_TOKEN_HIDDEN = "[hidden]";

/** The link a reset mail's text carries, or null (another mail, or a copy without it). */
function linkIn(text: string): string | null {
  return new RegExp(`^${LINK_LABEL}: (https?://\\S+)$`, "m").exec(text)?.[1] ?? null;
}

/** The mail without its link: what the outbox keeps of a reset mail once it has been sent or set aside. */
export function withoutResetLink(mail: { text: string; html: string }): { text: string; html: string } {
  const url = linkIn(mail.text);
  if (!url) return { text: mail.text, html: mail.html };
  const removed = escapeHtml(RESET_LINK_REMOVED);
  return {
    text: mail.text.replaceAll(url, RESET_LINK_REMOVED),
    html: mail.html
      .replace(linkBlockHtml(url), `<p style="margin:24px 0">${removed}</p>`)
      .replaceAll(escapeHtml(url), removed)
      .replaceAll(url, removed),
  };
}

/**
 * The body the outbox keeps of a mail that reached a final status ("sent" or "failed"): a reset
 * mail without its link, any other mail as it is.
 */
export function bodyOnceDone<M extends { kind: string; key: string; text: string; html: string }>(
  mail: M,
): { text: string; html: string } {
  return resetIdOfMail(mail) ? withoutResetLink(mail) : { text: mail.text, html: mail.html };
}

/**
 * What /admin/outbox shows of a mail's text. A reset mail's link is "shown" only when the mail is
 * kept (no SMTP_URL: the admin hands it over); while it waits to be sent its token is "hidden"; once
 * sent or set aside the outbox has no link any more ("removed"). `link` is null for other mails.
 */
export function outboxTextOf(mail: { kind: string; key: string; status: string; text: string }): {
  text: string;
  link: "shown" | "hidden" | "removed" | null;
} {
  if (!resetIdOfMail(mail)) return { text: mail.text, link: null };
  const url = linkIn(mail.text);
  if (!url) return { text: mail.text, link: "removed" };
  if (mail.status === "kept") return { text: mail.text, link: "shown" };
  const masked = url.slice(0, url.lastIndexOf("/") + 1) + RESET_TOKEN_HIDDEN;
  return { text: mail.text.replaceAll(url, masked), link: "hidden" };
}
