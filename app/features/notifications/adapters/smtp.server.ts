/**
 * Sending one mail through SMTP with nodemailer: the only place that talks to the mail server.
 * Each send reports the server's answer as text ("250 2.0.0 Ok: queued as …", or the error with
 * its SMTP code), never throws, and never waits longer than the timeouts below.
 */
import nodemailer from "nodemailer";

export interface OutgoingMail {
  from: string;
  to: string;
  subject: string;
  text: string;
  html: string;
  /** With its angle brackets, e.g. <abc@iotseal.local>. */
  messageId: string;
}

export interface SendResult {
  ok: boolean;
  /** The server's answer, or what went wrong (for mail_attempts and the admin's outbox). */
  detail: string;
}

export interface MailSender {
  send(mail: OutgoingMail): Promise<SendResult>;
  close(): void;
}

/** Timeouts a hung server cannot exceed (nodemailer's defaults wait minutes). Query parameters of SMTP_URL win. */
const TIMEOUTS = { connectionTimeout: 15_000, greetingTimeout: 15_000, socketTimeout: 60_000 } as const;

function withTimeouts(smtpUrl: string): string {
  const url = new URL(smtpUrl);
  for (const [name, ms] of Object.entries(TIMEOUTS))
    if (!url.searchParams.has(name)) url.searchParams.set(name, String(ms));
  return url.toString();
}

/** Removes user:password from an SMTP URL, for messages. */
export function redactSmtpUrl(smtpUrl: string): string {
  try {
    const url = new URL(smtpUrl);
    url.username = url.password = "";
    url.search = "";
    return url.toString();
  } catch {
    return "(an SMTP URL that cannot be parsed)";
  }
}

/** A sender over one SMTP connection at a time (nodemailer's URL options: smtp://, smtps://, ?requireTLS=true …). */
export function smtpSender(smtpUrl: string): MailSender {
  const transport = nodemailer.createTransport(withTimeouts(smtpUrl));
  return {
    async send(mail) {
      try {
        const info = await transport.sendMail({
          from: mail.from,
          to: mail.to,
          subject: mail.subject,
          text: mail.text,
          html: mail.html,
          messageId: mail.messageId,
        });
        const refused = [...(info.rejected ?? [])].map(String);
        if (refused.length) return { ok: false, detail: `refused recipient ${refused.join(", ")}: ${info.response}` };
        return { ok: true, detail: String(info.response ?? "accepted") };
      } catch (error) {
        return { ok: false, detail: describeSmtpError(error) };
      }
    },
    close() {
      transport.close();
    },
  };
}

/** "451 4.3.0 Try again later (at RCPT TO)" or "ECONNREFUSED: connect ECONNREFUSED 127.0.0.1:2525". */
export function describeSmtpError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const e = error as Error & { responseCode?: number; response?: string; code?: string; command?: string };
  const answer = e.response ?? e.message;
  const where = e.command ? ` (at ${e.command})` : "";
  if (e.responseCode && !answer.startsWith(String(e.responseCode))) return `${e.responseCode} ${answer}${where}`;
  if (e.responseCode) return `${answer}${where}`;
  return `${e.code ? `${e.code}: ` : ""}${e.message}${where}`.slice(0, 1000);
}
