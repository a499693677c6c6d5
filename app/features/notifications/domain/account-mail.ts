/**
 * The account mails (pure): the password reset mail, the registration's confirmation and the
 * warning that an address with an account was used to register. Plain text and HTML, everything
 * that comes from a user escaped. Unlike a notification's mail they have no settings link: they are
 * sent whatever the preferences, because someone asked for them. The reset and confirmation mails
 * carry a secret link; the outbox's copy keeps it only until the mail is sent (below).
 */
import { escapeHtml, oneLine, type MailBody } from "./mail-body";

/**
 * A kind of account mail whose key names one thing (a reset link, a registration request), so that
 * there is one mail per thing: the key of the thing's mail, and the thing a mail of this kind names
 * (null for a mail of another kind).
 */
function keyedKind(kind: string, prefix: string) {
  return {
    key: (id: string): string => `${prefix}:${id}`,
    idOf: (mail: { kind: string; key: string }): string | null =>
      mail.kind === kind && mail.key.startsWith(`${prefix}:`) ? mail.key.slice(prefix.length + 1) : null,
  };
}

/** The mail outbox's kind of a reset mail, and its key: one mail per link. */
export const PASSWORD_RESET_MAIL_KIND = "account.password_reset";
const resetMail = keyedKind(PASSWORD_RESET_MAIL_KIND, "password-reset");
export const passwordResetMailKey = resetMail.key;
/** The link a reset mail carries (its key names it), or null for another mail. */
export const resetIdOfMail = resetMail.idOf;

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

/** The words before a secret link in the text ("Set a new password: <url>"), and its button's label. */
const LINK_LABEL = "Set a new password";
const CONFIRM_LABEL = "Confirm your registration";
const LINK_LABELS = [LINK_LABEL, CONFIRM_LABEL] as const;

/** The button and the copyable address of the HTML part. */
function linkBlockHtml(url: string, label: (typeof LINK_LABELS)[number]): string {
  const u = escapeHtml(url);
  return (
    `<p style="margin:24px 0"><a href="${u}" style="display:inline-block;background:#0b4f6c;color:#ffffff;` +
    `text-decoration:none;padding:12px 20px;border-radius:6px;font-weight:600">${label}</a></p>` +
    `<p style="font-size:13px;color:#555555">Or copy this address: ${u}</p>`
  );
}

/** An account mail's HTML: the portal's name, a greeting and the paragraphs given (already HTML). */
function accountMailHtml(subject: string, name: string | null, parts: string[]): string {
  return (
    `<!doctype html><html lang="en-GB"><head><meta charset="utf-8">` +
    `<meta name="viewport" content="width=device-width, initial-scale=1"><title>${escapeHtml(subject)}</title></head>` +
    `<body style="margin:0;padding:0;background:#f4f6f8">` +
    `<div style="max-width:600px;margin:0 auto;padding:24px;font-family:Arial,Helvetica,sans-serif;` +
    `font-size:16px;line-height:1.5;color:#1b1f23;background:#ffffff">` +
    `<p style="font-weight:700;color:#0b4f6c;margin:0 0 16px">IoT Seal</p>` +
    `<p style="margin:0 0 16px">Hello${name ? ` ${escapeHtml(name)}` : ""},</p>` +
    parts.join("") +
    `</div></body></html>`
  );
}

/** A paragraph of an account mail's HTML. */
function para(html: string): string {
  return `<p style="margin:0 0 12px">${html}</p>`;
}

/** A link in an account mail's HTML (both escaped). */
function anchor(url: string, label: string): string {
  return `<a href="${escapeHtml(url)}" style="color:#0b4f6c">${escapeHtml(label)}</a>`;
}

/** An account mail's text: the greeting, the blocks given a blank line apart, and the signature. */
function accountMailText(name: string | null, blocks: string[]): string {
  return [name ? `Hello ${name},` : "Hello,", ...blocks, "-- \nIoT Seal\n"].join("\n\n");
}

/**
 * A mail that carries a secret link (a reset, a registration's confirmation): the greeting, why it
 * came, the link (its label before it in the text, a button in the HTML), its rules, and what to do
 * if it was not asked for, with the page to ask again.
 */
function secretLinkMail(m: {
  subject: string;
  /** The recipient's name, or null for "Hello,". */
  name: string | null;
  why: string;
  label: (typeof LINK_LABELS)[number];
  url: string;
  rules: string;
  ignore: string;
  again: { label: string; url: string };
}): MailBody {
  const text = accountMailText(m.name, [
    m.why,
    `${m.label}: ${m.url}`,
    m.rules,
    `${m.ignore} An expired link? ${m.again.label}: ${m.again.url}`,
  ]);
  const html = accountMailHtml(m.subject, m.name, [
    para(escapeHtml(m.why)),
    linkBlockHtml(m.url, m.label),
    para(escapeHtml(m.rules)),
    para(`${escapeHtml(m.ignore)} An expired link? ${anchor(m.again.url, m.again.label)}.`),
  ]);
  return { subject: m.subject, text, html };
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
  return secretLinkMail({
    subject,
    name,
    why,
    label: LINK_LABEL,
    url: m.url,
    rules,
    ignore,
    again: { label: "Ask for a new one", url: m.askAgainUrl },
  });
}

/** The mail outbox's kind of a registration's confirmation, and its key: one mail per request. */
export const SIGNUP_CONFIRM_MAIL_KIND = "account.signup_confirm";
const confirmMail = keyedKind(SIGNUP_CONFIRM_MAIL_KIND, "signup-confirm");
export const signupConfirmMailKey = confirmMail.key;
/** The registration request a confirmation mail's link confirms (its key names it), or null for another mail. */
export const signupRequestIdOfMail = confirmMail.idOf;

export interface SignupConfirmMailInput {
  kind: "supplier" | "retailer";
  /** Absolute URL of the confirmation link (with its token). */
  url: string;
  /** Absolute URL of /signup, to register again. */
  signupUrl: string;
  expiresAt: number;
}

/**
 * The confirmation: no name or organisation name in it (whatever a registrant types would otherwise
 * be mailed to any address they give, a way to send spam through the portal); the link's page says
 * what it confirms.
 */
export function renderSignupConfirmMail(m: SignupConfirmMailInput): MailBody {
  const subject = "Confirm your registration with IoT Seal";
  const what = `Someone, we hope you, registered an organisation with IoT Seal as a ${m.kind}, with this address for its first account.`;
  const rules =
    `The link works once, until ${when(m.expiresAt)} (24 hours). ` +
    "It shows what you registered; to finish, type the password you chose when you registered.";
  const ignore = "If you did not register, ignore this mail: nothing is created without the link and that password.";
  return secretLinkMail({
    subject,
    name: null,
    why: what,
    label: CONFIRM_LABEL,
    url: m.url,
    rules,
    ignore,
    again: { label: "Register again", url: m.signupUrl },
  });
}

/** The mail outbox's kind of the warning that an address with an account was used to register. */
export const SIGNUP_ADDRESS_IN_USE_MAIL_KIND = "account.signup_address_in_use";
export const signupAddressInUseMailKey = keyedKind(SIGNUP_ADDRESS_IN_USE_MAIL_KIND, "signup-address-in-use").key;

export interface SignupAddressInUseMailInput {
  recipientName: string;
  /** Absolute URLs of the log-in and the password reset pages. */
  loginUrl: string;
  forgotPasswordUrl: string;
}

export function renderSignupAddressInUseMail(m: SignupAddressInUseMailInput): MailBody {
  const subject = "Someone tried to register with your address at IoT Seal";
  const name = oneLine(m.recipientName, 100);
  const what =
    "Someone, perhaps you, tried to register a new organisation with IoT Seal using this address. " +
    "It already has an account, so nothing was created.";
  const login = "If it was you, log in with your account";
  const forgot = "Forgot your password? Set a new one";
  const ignore = "If it was not you, ignore this mail: your account has not changed.";
  const text = accountMailText(name, [what, `${login}: ${m.loginUrl}\n${forgot}: ${m.forgotPasswordUrl}`, ignore]);
  const html = accountMailHtml(subject, name, [
    para(escapeHtml(what)),
    para(`${anchor(m.loginUrl, login)}. Forgot your password? ${anchor(m.forgotPasswordUrl, "Set a new one")}.`),
    para(escapeHtml(ignore)),
  ]);
  return { subject, text, html };
}

/** The mail outbox's kind of the warning of repeated failed logins; its key names the user and the day (one a day). */
export const LOGIN_FAILURES_MAIL_KIND = "account.login_failures";
const loginFailuresMail = keyedKind(LOGIN_FAILURES_MAIL_KIND, "login-failures");
/** One a day per account and failed step (a wrong password; a wrong two-step code after the right one). */
export const loginFailuresMailKey = (userId: string, at: number, step: "password" | "code" = "password"): string =>
  loginFailuresMail.key(`${step === "code" ? "code:" : ""}${userId}:${new Date(at).toISOString().slice(0, 10)}`);

export interface LoginFailuresMailInput {
  recipientName: string;
  /** Which step failed: the password (someone guessing it), or the two-step code after the right password (someone has it). */
  step?: "password" | "code";
  failures: number;
  addresses: number;
  /** When the latest failed (ms). */
  latestAt: number;
  /** Absolute URLs of the password reset and the account pages. */
  forgotPasswordUrl: string;
  accountUrl: string;
}

/**
 * The warning: what happened (how many, from how many addresses, the latest when), that nothing
 * changed, and what to do whether it was the owner or not. No address is named: the mail may be
 * read by whoever reads the owner's mail, and the audit log keeps them for the administrators.
 */
export function renderLoginFailuresMail(m: LoginFailuresMailInput): MailBody {
  const subject = "Failed attempts to log in to your IoT Seal account";
  const name = oneLine(m.recipientName, 100);
  const from = m.addresses === 1 ? "one address" : `${m.addresses} addresses`;
  const code = m.step === "code";
  const what =
    `${m.failures} attempts to log in to your account with ${code ? "your password but a wrong two-step code" : "a wrong password"} in the last hour, from ${from}; ` +
    `the latest at ${when(m.latestAt)}. None of them logged in, and your account has not changed.`;
  const forgot = code
    ? "If it was you, check that your phone's clock is right; if you no longer have the app, log in with a recovery code, or set a new password"
    : "If it was you and you have forgotten your password, set a new one";
  const change = code
    ? "If it was not you, someone knows your password (two-step login stopped them): change it now, to one used nowhere else, on your account page"
    : "If it was not you, someone may be guessing your password: make sure it is long and used nowhere else, and change it on your account page";
  const closing = "Tell an administrator of IoT Seal if it goes on.";
  const text = accountMailText(name, [
    what,
    `${forgot}: ${m.forgotPasswordUrl}`,
    `${change}: ${m.accountUrl}`,
    closing,
  ]);
  const html = accountMailHtml(subject, name, [
    para(escapeHtml(what)),
    para(`${escapeHtml(forgot)}: ${anchor(m.forgotPasswordUrl, "Set a new password")}.`),
    para(`${escapeHtml(change)}: ${anchor(m.accountUrl, "Your account")}.`),
    para(escapeHtml(closing)),
  ]);
  return { subject, text, html };
}

/** The mail outbox's kind of the notice that two-step login changed; its key names the change (one mail each). */
export const TWO_STEP_CHANGED_MAIL_KIND = "account.two_step_changed";
export const twoStepChangedMailKey = keyedKind(TWO_STEP_CHANGED_MAIL_KIND, "two-step").key;

export type TwoStepChange = "enabled" | "disabled" | "codes_renewed";

export interface TwoStepChangedMailInput {
  recipientName: string;
  change: TwoStepChange;
  /** Who made it: the account's owner, or an administrator (turning it off for a user who lost phone and codes). */
  by: "self" | "admin";
  at: number;
  /** Absolute URLs of the account and the password reset pages. */
  accountUrl: string;
  forgotPasswordUrl: string;
}

/**
 * The notice that two-step login changed on the account: what, when, by whom; and, if it was not the
 * owner, that someone is in the account (or an administrator was deceived) and what to do.
 */
export function renderTwoStepChangedMail(m: TwoStepChangedMailInput): MailBody {
  const subject = {
    enabled: "Two-step login is on for your IoT Seal account",
    disabled: "Two-step login is off for your IoT Seal account",
    codes_renewed: "New recovery codes for your IoT Seal account",
  }[m.change];
  const name = oneLine(m.recipientName, 100);
  const done = {
    enabled:
      "Two-step login was turned on for your account: from now on, logging in asks for the code your authenticator app shows after your password.",
    disabled:
      m.by === "admin"
        ? "An administrator of IoT Seal turned two-step login off for your account: your password alone logs you in again, and your recovery codes no longer work."
        : "Two-step login was turned off for your account: your password alone logs you in again, and your recovery codes no longer work.",
    codes_renewed: "A new set of two-step recovery codes was made for your account: the old ones no longer work.",
  }[m.change];
  const what = `${done} This was at ${when(m.at)}.`;
  const again =
    m.change === "disabled" ? "You can set it up again on your account page" : "You can see it on your account page";
  const notYou =
    m.by === "admin"
      ? "If you did not ask an administrator for this, someone may have posed as you: set a new password now, and tell an administrator of IoT Seal"
      : "If it was not you, someone is using your account: set a new password now, and tell an administrator of IoT Seal";
  const text = accountMailText(name, [what, `${again}: ${m.accountUrl}`, `${notYou}: ${m.forgotPasswordUrl}`]);
  const html = accountMailHtml(subject, name, [
    para(escapeHtml(what)),
    para(`${escapeHtml(again)}: ${anchor(m.accountUrl, "Your account")}.`),
    para(`${escapeHtml(notYou)}: ${anchor(m.forgotPasswordUrl, "Set a new password")}.`),
  ]);
  return { subject, text, html };
}

// --- The link in the outbox's copy of the mail -------------------------------------------------
//
// The outbox keeps a reset or confirmation mail's text until it is sent: a crash must not lose it.
// Once the mail is sent or set aside (any final status), the copy loses its link; until then admins
// see the link masked, except in a mail "kept" without SMTP_URL, which is never sent: the admin
// hands that link over to its recipient (the demo's way).

/** What stands for the link in the outbox's copy once the mail has been sent or set aside. */
export const RESET_LINK_REMOVED = "[link removed from this copy once the mail was sent or set aside]";
/** What stands for the link's token on /admin/outbox while the mail waits to be sent. */
export const RESET_TOKEN_HIDDEN = "[hidden]";

/** Whether the mail is one that carries a secret link (a password reset or a registration's confirmation). */
export function carriesSecretLink(mail: { kind: string; key: string }): boolean {
  return resetIdOfMail(mail) !== null || signupRequestIdOfMail(mail) !== null;
}

/** The secret link a mail's text carries and the label before it, or null (another mail, or a copy without it). */
function linkIn(text: string): { url: string; label: (typeof LINK_LABELS)[number] } | null {
  for (const label of LINK_LABELS) {
    const url = new RegExp(`^${label}: (https?://\\S+)$`, "m").exec(text)?.[1];
    if (url) return { url, label };
  }
  return null;
}

/** The mail without its secret link: what the outbox keeps of it once it has been sent or set aside. */
export function withoutResetLink(mail: { text: string; html: string }): { text: string; html: string } {
  const found = linkIn(mail.text);
  if (!found) return { text: mail.text, html: mail.html };
  const { url, label } = found;
  const removed = escapeHtml(RESET_LINK_REMOVED);
  return {
    text: mail.text.replaceAll(url, RESET_LINK_REMOVED),
    html: mail.html
      .replace(linkBlockHtml(url, label), `<p style="margin:24px 0">${removed}</p>`)
      .replaceAll(escapeHtml(url), removed)
      .replaceAll(url, removed),
  };
}

/**
 * The body the outbox keeps of a mail that reached a final status ("sent" or "failed"): a mail with
 * a secret link without it, any other mail as it is.
 */
export function bodyOnceDone<M extends { kind: string; key: string; text: string; html: string }>(
  mail: M,
): { text: string; html: string } {
  return carriesSecretLink(mail) ? withoutResetLink(mail) : { text: mail.text, html: mail.html };
}

/**
 * What /admin/outbox shows of a mail's text. A secret link is "shown" only when the mail is kept
 * (no SMTP_URL: the admin hands it over); while it waits to be sent its token is "hidden"; once
 * sent or set aside the outbox has no link any more ("removed"). `link` is null for other mails.
 */
export function outboxTextOf(mail: { kind: string; key: string; status: string; text: string }): {
  text: string;
  link: "shown" | "hidden" | "removed" | null;
} {
  if (!carriesSecretLink(mail)) return { text: mail.text, link: null };
  const found = linkIn(mail.text);
  if (!found) return { text: mail.text, link: "removed" };
  if (mail.status === "kept") return { text: mail.text, link: "shown" };
  const masked = found.url.slice(0, found.url.lastIndexOf("/") + 1) + RESET_TOKEN_HIDDEN;
  return { text: mail.text.replaceAll(found.url, masked), link: "hidden" };
}
