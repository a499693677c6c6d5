/**
 * The mail worker: sends the rows of the mail outbox (written by `notify` in the transaction of
 * each event) through SMTP_URL, and combines the rows waiting for a daily digest into one mail.
 *
 * - Claiming: a due row (pending, next_attempt_at <= now) is taken in an IMMEDIATE transaction by
 *   moving it to "sending" with a lease (`claimed_until`) and a random claim token, so two workers,
 *   in one process or several, never send one row. A worker that dies mid-send leaves the row
 *   "sending"; once the lease has passed, the next run puts it back to pending (counted as a failed
 *   attempt, recorded) and it is sent again: at least once, never lost.
 * - Duplicates: the Message-ID is derived from (key, recipient), the same on every attempt, so a
 *   receiver can drop the second copy if a crash fell between the server's 250 and our record.
 * - Failures (4xx, 5xx, refused or dropped connections, timeouts) are retried with backoff
 *   (domain/backoff.ts) up to MAIL_MAX_ATTEMPTS, then "failed". Every attempt is a mail_attempts row.
 * - Without SMTP_URL nothing is sent: `notify` writes the rows as "kept" for admins to read.
 * - A password reset or registration confirmation mail loses its link from the outbox's copy as
 *   soon as it is sent or set aside (`bodyOnceDone`): the link is for its recipient alone.
 *
 * The server runs `deliverPendingMail` every 10 seconds and right after a commit that queued mail
 * (`startMailWorker`, app/startup.server.ts); the lifecycle sweep writes the daily digests.
 */
import crypto from "node:crypto";
import { and, asc, eq, inArray, isNotNull, isNull, lte, ne, sql } from "drizzle-orm";
import { mailAttempts, mailOutbox, notifications, users } from "../../../db/schema";
import { nowMs } from "../../platform/clock.server";
import { db, transaction, type Tx } from "../../platform/db.server";
import { getEnv } from "../../platform/env.server";
import { inBackground } from "../../platform/background.server";
import { afterAttempt, MAIL_MAX_ATTEMPTS } from "./domain/backoff";
import {
  digestTime,
  fromDomain,
  messageIdFor,
  notificationPath,
  portalUrl,
  renderDigestMail,
  utcDay,
} from "./domain/mail-body";
import { smtpSender, type MailSender } from "./adapters/smtp.server";
import {
  bodyOnceDone,
  PASSWORD_RESET_MAIL_KIND,
  resetIdOfMail,
  SIGNUP_CONFIRM_MAIL_KIND,
  signupRequestIdOfMail,
} from "./domain/account-mail";
import { resetLinkProblemOf, type ResetLinkProblem } from "../accounts/password-reset.server";
import { signupRequestProblemOf, type SignupLinkProblem } from "../accounts/signup.server";

const DEAD_LINK: Record<ResetLinkProblem, string> = {
  expired: "expired",
  used: "was used",
  superseded: "was replaced by a newer one",
  disabled: "belongs to a disabled account",
  unknown: "no longer exists",
};
const DEAD_CONFIRMATION: Record<SignupLinkProblem, string> = {
  expired: "expired",
  used: "was used",
  taken: "leads to an address that has an account since",
  nameTaken: "names an organisation registered since",
  guessed: "stopped working after too many wrong passwords",
  unknown: "no longer exists",
};

/** How long a claim holds a row; longer than one send can take (the sender's timeouts add up to 90 s). */
export const MAIL_LEASE_MS = 5 * 60_000;

export interface DeliveryReport {
  /** Rows taken from the outbox and tried. */
  attempted: number;
  sent: number;
  /** Failed attempts scheduled to be tried again. */
  retried: number;
  /** Rows that failed their last attempt ("failed"). */
  failed: number;
  /** Rows of a worker that stopped mid-send, put back to pending after their lease. */
  released: number;
}

const emptyReport = (): DeliveryReport => ({ attempted: 0, sent: 0, retried: 0, failed: 0, released: 0 });

type Claimed = typeof mailOutbox.$inferSelect & { claimToken: string };

/**
 * Puts back to pending the rows whose worker's lease has passed (it stopped mid-send), each with an
 * attempt recorded. Returns how many.
 */
export function releaseExpiredClaims(): number {
  return transaction((tx) => {
    const now = nowMs();
    const stale = tx
      .select()
      .from(mailOutbox)
      .where(and(eq(mailOutbox.status, "sending"), lte(mailOutbox.claimedUntil, new Date(now))))
      .all();
    for (const row of stale) {
      const attempt = row.attempts + 1;
      const outcome = afterAttempt(attempt, false, now);
      const detail =
        "the worker that claimed this mail stopped before recording the outcome (its lease ran out); " +
        "it is sent again with the same Message-ID, so a receiver can drop a copy that did arrive";
      tx.insert(mailAttempts)
        .values({ mailId: row.id, at: new Date(now), ok: false, detail })
        .run();
      tx.update(mailOutbox)
        .set({
          ...(outcome.status === "failed" ? bodyOnceDone(row) : {}),
          status: outcome.status === "failed" ? "failed" : "pending",
          attempts: attempt,
          // Sent again at once: the receiver was not the problem.
          nextAttemptAt: outcome.status === "failed" ? null : new Date(now),
          claimedUntil: null,
          claimedBy: null,
          lastError: detail,
        })
        .where(and(eq(mailOutbox.id, row.id), eq(mailOutbox.status, "sending")))
        .run();
    }
    return stale.length;
  });
}

/**
 * A reset or confirmation mail held up (a mail outage, retries) whose link has expired, been used or
 * been replaced meanwhile is not sent: it would only deliver a dead link. It is marked failed, saying why.
 */
function setAsideDeadLinkMail(tx: Tx, now: Date): void {
  const due = tx
    .select({
      id: mailOutbox.id,
      kind: mailOutbox.kind,
      key: mailOutbox.key,
      text: mailOutbox.text,
      html: mailOutbox.html,
    })
    .from(mailOutbox)
    .where(
      and(
        eq(mailOutbox.status, "pending"),
        lte(mailOutbox.nextAttemptAt, now),
        inArray(mailOutbox.kind, [PASSWORD_RESET_MAIL_KIND, SIGNUP_CONFIRM_MAIL_KIND]),
      ),
    )
    .all();
  for (const mail of due) {
    const resetId = resetIdOfMail(mail);
    const requestId = signupRequestIdOfMail(mail);
    const resetProblem = resetId ? resetLinkProblemOf(resetId, tx) : null;
    const signupProblem = requestId ? signupRequestProblemOf(requestId, tx) : null;
    const lastError = resetProblem
      ? `Not sent: the password reset link it carries ${DEAD_LINK[resetProblem]} before the mail could go.`
      : signupProblem
        ? `Not sent: the registration link it carries ${DEAD_CONFIRMATION[signupProblem]} before the mail could go.`
        : null;
    if (!lastError) continue;
    tx.update(mailOutbox)
      .set({ ...bodyOnceDone(mail), status: "failed", nextAttemptAt: null, lastError })
      .where(and(eq(mailOutbox.id, mail.id), eq(mailOutbox.status, "pending")))
      .run();
  }
}

/** Why a due mail to a disabled account is not sent (its lastError). */
export const RECIPIENT_DISABLED_ERROR =
  "Not sent: recipient disabled (the account was disabled before the mail could go).";

/**
 * Mail queued for a user who has been disabled since is not sent: it is marked failed, saying why.
 * Password reset mail is left to setAsideDeadLinkMail, whose rule (resetLinkProblemOf) already
 * covers a disabled account, so that there is one rule for it.
 */
function setAsideMailOfDisabledRecipients(tx: Tx, now: Date): void {
  const disabledUsers = tx.select({ id: users.id }).from(users).where(isNotNull(users.disabledAt));
  tx.update(mailOutbox)
    .set({ status: "failed", nextAttemptAt: null, lastError: RECIPIENT_DISABLED_ERROR })
    .where(
      and(
        eq(mailOutbox.status, "pending"),
        lte(mailOutbox.nextAttemptAt, now),
        ne(mailOutbox.kind, PASSWORD_RESET_MAIL_KIND),
        inArray(mailOutbox.userId, disabledUsers),
      ),
    )
    .run();
}

/**
 * Claims up to `limit` due rows for this worker (status "sending", leased until now + leaseMs), in
 * one IMMEDIATE transaction: a row is claimed by one worker only. Exported for the tests that
 * simulate a worker killed after claiming.
 */
export function claimDueMail(limit: number, leaseMs = MAIL_LEASE_MS): Claimed[] {
  return transaction((tx) => {
    const now = new Date(nowMs());
    setAsideDeadLinkMail(tx, now);
    setAsideMailOfDisabledRecipients(tx, now);
    const due = tx
      .select()
      .from(mailOutbox)
      .where(and(eq(mailOutbox.status, "pending"), lte(mailOutbox.nextAttemptAt, now)))
      .orderBy(asc(mailOutbox.nextAttemptAt), asc(mailOutbox.createdAt))
      .limit(limit)
      .all();
    if (!due.length) return [];
    const claimToken = crypto.randomUUID();
    const claimedUntil = new Date(now.getTime() + leaseMs);
    tx.update(mailOutbox)
      .set({ status: "sending", claimedUntil, claimedBy: claimToken })
      .where(
        and(
          inArray(
            mailOutbox.id,
            due.map((d) => d.id),
          ),
          eq(mailOutbox.status, "pending"),
        ),
      )
      .run();
    return due.map((d) => ({ ...d, status: "sending" as const, claimedUntil, claimedBy: claimToken, claimToken }));
  });
}

/**
 * Records one attempt and its outcome; only the holder of the claim moves the row. A mail sent or
 * failed for good keeps only `bodyOnceDone` of its body (a reset mail, no link).
 */
function recordAttempt(mail: Claimed, result: { ok: boolean; detail: string }): "sent" | "pending" | "failed" {
  return transaction((tx) => {
    const now = nowMs();
    const attempt = mail.attempts + 1;
    const outcome = afterAttempt(attempt, result.ok, now);
    tx.insert(mailAttempts)
      .values({ mailId: mail.id, at: new Date(now), ok: result.ok, detail: result.detail.slice(0, 2000) })
      .run();
    tx.update(mailOutbox)
      .set({
        ...(outcome.status === "pending" ? {} : bodyOnceDone(mail)),
        status: outcome.status,
        attempts: attempt,
        nextAttemptAt: outcome.status === "pending" ? new Date(outcome.nextAttemptAt) : null,
        claimedUntil: null,
        claimedBy: null,
        lastError: result.ok ? null : result.detail.slice(0, 2000),
        sentAt: result.ok ? new Date(now) : null,
      })
      .where(
        and(eq(mailOutbox.id, mail.id), eq(mailOutbox.status, "sending"), eq(mailOutbox.claimedBy, mail.claimToken)),
      )
      .run();
    return outcome.status;
  });
}

let delivering: Promise<DeliveryReport> | undefined;

export interface DeliveryOptions {
  /** The SMTP server; default SMTP_URL. (Tests point it at their own receiver.) */
  smtpUrl?: string;
  /** At most this many mails per run. */
  limit?: number;
  /** A sender to use instead of SMTP (tests). */
  sender?: MailSender;
}

/**
 * Sends every due mail once (one at a time, each claimed first), records each attempt, and
 * schedules retries. One run per process at a time (a second call waits for the running one and
 * gets its report); several processes share the work safely. Without SMTP_URL it does nothing.
 */
export function deliverPendingMail(options: DeliveryOptions = {}): Promise<DeliveryReport> {
  delivering ??= runDelivery(options).finally(() => (delivering = undefined));
  return delivering;
}

async function runDelivery(options: DeliveryOptions): Promise<DeliveryReport> {
  const report = emptyReport();
  const env = getEnv();
  const smtpUrl = options.smtpUrl ?? env.smtpUrl;
  if (!smtpUrl && !options.sender) return report;
  report.released = releaseExpiredClaims();
  const limit = options.limit ?? 200;
  let sender: MailSender | undefined = options.sender;
  try {
    while (report.attempted < limit) {
      const [mail] = claimDueMail(1);
      if (!mail) break;
      sender ??= smtpSender(smtpUrl!);
      report.attempted++;
      const result = await sender.send({
        from: env.mailFrom,
        to: mail.toAddress,
        subject: mail.subject,
        text: mail.text,
        html: mail.html,
        messageId: mail.messageId ?? messageIdFor(mail.key, mail.toAddress, fromDomain(env.mailFrom)),
      });
      const status = recordAttempt(mail, result);
      if (status === "sent") report.sent++;
      else if (status === "pending") report.retried++;
      else report.failed++;
    }
  } finally {
    if (sender && sender !== options.sender) sender.close();
  }
  return report;
}

/**
 * Writes the daily digests due at `now`: for each user with mail waiting for the digest, one mail
 * (key `digest:<userId>:<yyyy-mm-dd>`, so at most one a day, however often and in however many
 * processes this runs) that includes every waiting row, which is then marked with the digest's id.
 * Digests go from DIGEST_HOUR_UTC on; rows that arrive after the day's digest wait for the next
 * day's. Returns the number of digest mails written.
 */
export function sendDigests(now: number = nowMs()): number {
  if (!digestTime(now)) return 0;
  const env = getEnv();
  const day = utcDay(now);
  const waiting = db()
    .selectDistinct({ userId: mailOutbox.userId })
    .from(mailOutbox)
    .where(
      and(eq(mailOutbox.status, "digest"), isNull(mailOutbox.digestMailId), lte(mailOutbox.createdAt, new Date(now))),
    )
    .all();
  let written = 0;
  let queued = false;
  for (const { userId } of waiting) {
    if (!userId) continue; // digests are of notifications, which always have a user
    const key = `digest:${userId}:${day}`;
    transaction((tx) => {
      const user = tx.select().from(users).where(eq(users.id, userId)).get();
      if (!user || user.disabledAt) return;
      if (tx.select({ id: mailOutbox.id }).from(mailOutbox).where(eq(mailOutbox.key, key)).get()) return; // today's went
      const rows = tx
        .select()
        .from(mailOutbox)
        .where(
          and(
            eq(mailOutbox.userId, userId),
            eq(mailOutbox.status, "digest"),
            isNull(mailOutbox.digestMailId),
            lte(mailOutbox.createdAt, new Date(now)),
          ),
        )
        .orderBy(asc(mailOutbox.createdAt))
        .all();
      if (!rows.length) return;
      // The in-app notification of each row holds its plain body (the mail's text has a greeting and a footer).
      const shown = new Map(
        tx
          .select({ key: notifications.key, id: notifications.id, body: notifications.body })
          .from(notifications)
          .where(
            and(
              eq(notifications.userId, userId),
              inArray(
                notifications.key,
                rows.map((r) => r.key),
              ),
            ),
          )
          .all()
          .map((n) => [n.key, n]),
      );
      const mail = renderDigestMail({
        recipientName: user.name,
        day,
        items: rows.map((r) => {
          const n = shown.get(r.key);
          return {
            title: r.subject,
            body: n?.body ?? "",
            url: portalUrl(env.baseUrl, n ? notificationPath(n.id) : r.link),
          };
        }),
        notificationsUrl: portalUrl(env.baseUrl, "/notifications"),
        settingsUrl: portalUrl(env.baseUrl, "/notifications/settings"),
      });
      const id = crypto.randomUUID();
      const status = env.smtpUrl ? "pending" : "kept";
      const inserted = tx
        .insert(mailOutbox)
        .values({
          id,
          userId,
          toAddress: user.email,
          kind: "digest",
          key,
          ...mail,
          link: "/notifications",
          createdAt: new Date(now),
          status,
          attempts: 0,
          nextAttemptAt: status === "pending" ? new Date(now) : null,
          messageId: messageIdFor(key, user.email, fromDomain(env.mailFrom)),
        })
        .onConflictDoNothing()
        .run().changes;
      if (!inserted) return;
      tx.update(mailOutbox)
        .set({ digestMailId: id })
        .where(
          inArray(
            mailOutbox.id,
            rows.map((r) => r.id),
          ),
        )
        .run();
      written++;
      if (status === "pending") queued = true;
    });
  }
  if (queued) kickMailWorker();
  return written;
}

/** Counts by status and the oldest pending mail that has failed at least once (for admins and the "failing for an hour" alert). */
export function mailHealth(): { byStatus: Record<string, number>; failingSince: Date | null; maxAttempts: number } {
  const t = db();
  const byStatus = Object.fromEntries(
    t
      .select({ status: mailOutbox.status, n: sql<number>`count(*)` })
      .from(mailOutbox)
      .groupBy(mailOutbox.status)
      .all()
      .map((r) => [r.status, r.n]),
  );
  const oldest = t
    .select({ at: sql<number | null>`min(${mailOutbox.createdAt})` })
    .from(mailOutbox)
    .where(and(inArray(mailOutbox.status, ["pending", "sending"]), sql`${mailOutbox.attempts} > 0`))
    .get();
  return { byStatus, failingSince: oldest?.at ? new Date(oldest.at) : null, maxAttempts: MAIL_MAX_ATTEMPTS };
}

// --- The worker in the server process ----------------------------------------------------------

let worker: NodeJS.Timeout | undefined;
let kicked = false;
let mayRun: () => boolean = () => true;
const WORKER_EVERY_MS = 10_000;

function runWorker(): void {
  if (!mayRun()) return; // another process holds the mail worker's lease (decision record 031)
  inBackground(deliverPendingMail())
    .then((r) => {
      if (r.failed)
        console.error(`[mail] ${r.failed} mail${r.failed === 1 ? "" : "s"} failed for good (see /admin/outbox).`);
    })
    .catch((error) => console.error("[error] mail delivery:", error));
}

/**
 * Starts the mail worker of this process: every 10 seconds, and at once after a commit that queued
 * mail. `holds`: whether this process may run it now (its lease, decision record 031).
 */
export function startMailWorker(opts: { holds?: () => boolean } = {}): void {
  mayRun = opts.holds ?? (() => true);
  worker ??= setInterval(runWorker, WORKER_EVERY_MS).unref();
}

export function stopMailWorker(): void {
  if (worker) clearInterval(worker);
  worker = undefined;
}

/** Asks the running worker (if this process has one) to deliver now; cheap, coalesced. */
export function kickMailWorker(): void {
  if (!worker || kicked) return;
  kicked = true;
  setImmediate(() => {
    kicked = false;
    runWorker();
  }).unref();
}
