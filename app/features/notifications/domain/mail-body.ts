/**
 * The bodies of notification mails (pure): plain text and HTML of one notification, the daily
 * digest, and the deterministic Message-ID. Everything that comes from a notification is escaped
 * in the HTML; links are the portal's public URL plus the notification's path.
 */
import { createHash } from "node:crypto";

export interface MailBody {
  subject: string;
  text: string;
  html: string;
}

/** `&`, `<`, `>`, `"` and `'` as entities: safe in element content and in quoted attributes. */
export function escapeHtml(s: string): string {
  return s
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&#39;");
}

/** One line: control characters and line breaks become spaces (a subject cannot carry a header). */
export function oneLine(s: string, max = 200): string {
  const flat = s
    .replace(/[\u0000-\u001f\u007f]+/g, " ")
    .replace(/\s+/g, " ")
    .trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

/** A path of the portal (`/x/y?z`), never another site (`//evil.example`, `https://…`). */
export function isPortalPath(link: string): boolean {
  return /^\/(?![/\\])[^\s]*$/.test(link);
}

/** The absolute address of a portal path. */
export function portalUrl(baseUrl: string, path: string): string {
  return `${baseUrl.replace(/\/+$/, "")}${path}`;
}

/**
 * Where a mail (or a digest's item) sends its reader: the notification, which marks it read in the
 * app too and goes on to the page it is about (after a log-in, if need be).
 */
export function notificationPath(id: string): string {
  return `/notifications/${encodeURIComponent(id)}`;
}

/**
 * The Message-ID of the mail of event `key` to `to`: the same on every attempt, so a receiver
 * (or the next hop) can drop a duplicate sent after a crash between the server's 250 and our record.
 */
export function messageIdFor(key: string, to: string, domain: string): string {
  const digest = createHash("sha256").update(`${key}\n${to.trim().toLowerCase()}`).digest("hex").slice(0, 40);
  return `<${digest}@${domain}>`;
}

/** The domain of a From address ("IoT Seal <no-reply@iotseal.local>" -> "iotseal.local"). */
export function fromDomain(from: string): string {
  const m = /@([^\s>]+)>?\s*$/.exec(from);
  return m?.[1]?.toLowerCase() ?? "iotseal.local";
}

const paragraphs = (text: string) =>
  text
    .split(/\n\s*\n/)
    .map((p) => p.trim())
    .filter(Boolean);

const FOOTER_TEXT = "You get this mail because of your notification settings";

function button(url: string, label: string): string {
  return (
    `<p style="margin:24px 0"><a href="${escapeHtml(url)}" ` +
    `style="display:inline-block;background:#0b4f6c;color:#ffffff;text-decoration:none;padding:12px 20px;` +
    `border-radius:6px;font-weight:600">${escapeHtml(label)}</a></p>` +
    `<p style="font-size:13px;color:#555555">Or copy this address: ${escapeHtml(url)}</p>`
  );
}

function page(title: string, inner: string, settingsUrl: string): string {
  return (
    `<!doctype html><html lang="en-GB"><head><meta charset="utf-8">` +
    `<meta name="viewport" content="width=device-width, initial-scale=1"><title>${escapeHtml(title)}</title></head>` +
    `<body style="margin:0;padding:0;background:#f4f6f8">` +
    `<div style="max-width:600px;margin:0 auto;padding:24px;font-family:Arial,Helvetica,sans-serif;` +
    `font-size:16px;line-height:1.5;color:#1b1f23;background:#ffffff">` +
    `<p style="font-weight:700;color:#0b4f6c;margin:0 0 16px">IoT Seal</p>` +
    inner +
    `<hr style="border:none;border-top:1px solid #dddddd;margin:24px 0">` +
    `<p style="font-size:13px;color:#555555">${FOOTER_TEXT}: ` +
    `<a href="${escapeHtml(settingsUrl)}" style="color:#0b4f6c">${escapeHtml(settingsUrl)}</a></p>` +
    `</div></body></html>`
  );
}

export interface NotificationMailInput {
  recipientName: string;
  title: string;
  body: string;
  /** Absolute URL of the page to act on. */
  url: string;
  /** Absolute URL of the notification settings. */
  settingsUrl: string;
}

/** The mail of one notification. */
export function renderNotificationMail(n: NotificationMailInput): MailBody {
  const title = oneLine(n.title);
  const text = [
    `Hello ${oneLine(n.recipientName, 100)},`,
    "",
    title,
    "",
    ...paragraphs(n.body).flatMap((p) => [p, ""]),
    `Open it in IoT Seal: ${n.url}`,
    "",
    "-- ",
    `IoT Seal. ${FOOTER_TEXT}: ${n.settingsUrl}`,
    "",
  ].join("\n");
  const html = page(
    title,
    `<p style="margin:0 0 16px">Hello ${escapeHtml(oneLine(n.recipientName, 100))},</p>` +
      `<h1 style="font-size:20px;margin:0 0 16px">${escapeHtml(title)}</h1>` +
      paragraphs(n.body)
        .map((p) => `<p style="margin:0 0 12px">${escapeHtml(p).replace(/\n/g, "<br>")}</p>`)
        .join("") +
      button(n.url, "Open in IoT Seal"),
    n.settingsUrl,
  );
  return { subject: title, text, html };
}

export interface DigestItem {
  title: string;
  body: string;
  url: string;
}

export interface DigestMailInput {
  recipientName: string;
  /** The day of the digest, yyyy-mm-dd (UTC). */
  day: string;
  items: DigestItem[];
  /** Absolute URL of the notifications page. */
  notificationsUrl: string;
  settingsUrl: string;
}

/** The daily digest: every waiting notification of one user in one mail, oldest first. */
export function renderDigestMail(d: DigestMailInput): MailBody {
  const count = d.items.length;
  const subject = `IoT Seal daily digest for ${d.day}: ${count} notification${count === 1 ? "" : "s"}`;
  const text = [
    `Hello ${oneLine(d.recipientName, 100)},`,
    "",
    `${count} notification${count === 1 ? "" : "s"} since your last digest:`,
    "",
    ...d.items.flatMap((item, i) => [
      `${i + 1}. ${oneLine(item.title)}`,
      ...paragraphs(item.body).map((p) => `   ${p.replace(/\n/g, "\n   ")}`),
      `   ${item.url}`,
      "",
    ]),
    `All your notifications: ${d.notificationsUrl}`,
    "",
    "-- ",
    `IoT Seal. ${FOOTER_TEXT}: ${d.settingsUrl}`,
    "",
  ].join("\n");
  const html = page(
    subject,
    `<p style="margin:0 0 16px">Hello ${escapeHtml(oneLine(d.recipientName, 100))},</p>` +
      `<h1 style="font-size:20px;margin:0 0 16px">${count} notification${count === 1 ? "" : "s"} since your last digest</h1>` +
      `<ol style="padding-left:20px;margin:0">` +
      d.items
        .map(
          (item) =>
            `<li style="margin:0 0 16px"><a href="${escapeHtml(item.url)}" style="color:#0b4f6c;font-weight:600">` +
            `${escapeHtml(oneLine(item.title))}</a>` +
            paragraphs(item.body)
              .map((p) => `<div style="margin-top:4px">${escapeHtml(p).replace(/\n/g, "<br>")}</div>`)
              .join("") +
            `</li>`,
        )
        .join("") +
      `</ol>` +
      button(d.notificationsUrl, "All your notifications"),
    d.settingsUrl,
  );
  return { subject, text, html };
}

/** The UTC day of a time, yyyy-mm-dd. */
export function utcDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** Digests go out once a day, at the first run at or after this hour (UTC), with all that waits. */
export const DIGEST_HOUR_UTC = 7;

/** Whether the daily digests may go at `ms` (from DIGEST_HOUR_UTC on, each UTC day). */
export function digestTime(ms: number): boolean {
  return new Date(ms).getUTCHours() >= DIGEST_HOUR_UTC;
}
