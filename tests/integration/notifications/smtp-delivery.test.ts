// Mail delivery against a real SMTP server on 127.0.0.1 (the `smtp-server` package, started by the
// test): mails arrive with the right recipient, subject, link and Message-ID; a server that answers
// 4xx, then 5xx, then is down is retried with backoff, every attempt recorded, and the mail is
// delivered once it comes back; a worker "killed" after claiming (its rows abandoned) or between the
// server's 250 and its record loses nothing: after the lease each mail is sent again, and the
// Message-ID lets the receiver drop the copy. The last test prints the delivery figures.
import { eq, inArray } from "drizzle-orm";
import type { AddressInfo } from "node:net";
import { SMTPServer } from "smtp-server";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { mailAttempts, mailOutbox } from "../../../db/schema";
import { testClock } from "../../../app/platform/clock.server";
import { db, transaction } from "../../../app/platform/db.server";
import { notify } from "../../../app/features/notifications/notify.server";
import {
  claimDueMail,
  deliverPendingMail,
  MAIL_LEASE_MS,
  sendDigests,
} from "../../../app/features/notifications/mail.server";
import { smtpSender } from "../../../app/features/notifications/adapters/smtp.server";
import { MAIL_MAX_ATTEMPTS } from "../../../app/features/notifications/domain/backoff";
import type { UrgentReason } from "../../../app/features/notifications/domain/categories";
import { PASSWORD_RESET_MAIL_KIND } from "../../../app/features/notifications/domain/account-mail";
import { requestPasswordReset } from "../../../app/features/accounts/password-reset.server";
import type { Actor } from "../../../app/platform/actor";
import { prng } from "../../support/prng";
import { makeUser } from "./fixtures";

// notify() queues mail as "pending" only when an SMTP server is configured (else "kept"); set
// before the environment is first read. The worker is pointed at the test's receiver explicitly.
process.env.SMTP_URL = "smtp://127.0.0.1:9";

interface Received {
  from: string;
  to: string[];
  subject: string;
  messageId: string;
  raw: string;
  text: string;
}

type Mode = "ok" | "4xx" | "5xx" | "flaky";
let mode: Mode = "ok";
let flakyRandom = prng(16);
const received: Received[] = [];
let server: SMTPServer | undefined;
let port = 0;

/** Undoes quoted-printable (nodemailer wraps long lines of the text part). */
function unQuotedPrintable(s: string): string {
  return s.replace(/=\r?\n/g, "").replace(/=([0-9A-F]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16)));
}

function header(raw: string, name: string): string {
  const head = raw.split(/\r?\n\r?\n/)[0]!.replace(/\r?\n[ \t]+/g, " ");
  return new RegExp(`^${name}: (.*)$`, "mi").exec(head)?.[1]?.trim() ?? "";
}

function refusal(code: number, text: string): Error {
  return Object.assign(new Error(text), { responseCode: code });
}

async function startReceiver(onPort = 0): Promise<void> {
  server = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS", "AUTH"],
    logger: false,
    onRcptTo(_address, _session, callback) {
      if (mode === "4xx") return callback(refusal(451, "4.3.0 Mailbox busy, try again later"));
      if (mode === "5xx") return callback(refusal(554, "5.7.1 Relay access denied for now"));
      if (mode === "flaky" && flakyRandom() < 0.3) return callback(refusal(421, "4.7.0 Too many connections"));
      callback();
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on("data", (c: Buffer) => chunks.push(c));
      stream.on("end", () => {
        const raw = Buffer.concat(chunks).toString("utf8");
        received.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : "",
          to: session.envelope.rcptTo.map((r) => r.address),
          subject: header(raw, "Subject"),
          messageId: header(raw, "Message-ID"),
          raw,
          text: unQuotedPrintable(raw),
        });
        callback();
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    server!.once("error", reject);
    server!.listen(onPort, "127.0.0.1", () => resolve());
  });
  port = (server.server.address() as AddressInfo).port;
}

async function stopReceiver(): Promise<void> {
  const s = server;
  server = undefined;
  if (s) await new Promise<void>((resolve) => s.close(() => resolve()));
}

const smtpUrl = () => `smtp://127.0.0.1:${port}`;
const deliver = () => deliverPendingMail({ smtpUrl: smtpUrl() });

let grace: Actor, sam: Actor;
let seq = 0;

function queue(users: Actor[], over: { title?: string; link?: string; urgent?: UrgentReason } = {}): string {
  const key = `test.mail:${++seq}`;
  transaction((tx) =>
    notify(tx, {
      userIds: users.map((u) => u.userId),
      category: "reports",
      kind: "report.deadline.7d",
      key,
      title: over.title ?? `High report on Gator Kids Watch 3: deadline in 7 days (${seq})`,
      body: "The disclosure deadline of IOTSEAL-2026-0007 is 2026-12-10.\n\nAnswer it before then.",
      link: over.link ?? `/findings/finding-${seq}`,
      urgent: over.urgent,
    }),
  );
  return key;
}

const rowsOf = (key: string) => db().select().from(mailOutbox).where(eq(mailOutbox.key, key)).all();
const attemptsOf = (ids: string[]) =>
  db().select().from(mailAttempts).where(inArray(mailAttempts.mailId, ids)).orderBy(mailAttempts.id).all();

beforeAll(async () => {
  grace = makeUser("supplier", "Grace");
  sam = makeUser("supplier", "Sam");
  await startReceiver();
});

afterEach(() => {
  mode = "ok";
  testClock.reset();
});

afterAll(async () => {
  await stopReceiver();
  delete process.env.SMTP_URL;
});

describe("delivery through SMTP", () => {
  it("sends each queued mail to its recipient with its subject, link and Message-ID", async () => {
    received.length = 0;
    const key = queue([grace, sam], {
      title: "Changes requested on Gator Kids Watch 3",
      link: "/supplier/submissions/s1/requirements/5.1-1",
    });
    const rows = rowsOf(key);
    expect(rows.map((r) => r.status)).toEqual(["pending", "pending"]);
    const report = await deliver();
    expect(report).toMatchObject({ attempted: 2, sent: 2, retried: 0, failed: 0 });
    expect(received).toHaveLength(2);
    for (const user of [grace, sam]) {
      const mail = received.find((m) => m.to.includes(user.email))!;
      expect(mail.to).toEqual([user.email]); // one recipient per mail: nobody sees another's address
      expect(mail.from).toBe("no-reply@iotseal.local");
      expect(mail.subject).toBe("Changes requested on Gator Kids Watch 3");
      expect(mail.text).toMatch(/http:\/\/localhost:3000\/notifications\/[0-9a-f-]{36}\b/);
      expect(mail.raw).toMatch(/Content-Type: text\/plain/);
      expect(mail.raw).toMatch(/Content-Type: text\/html/);
      const row = rows.find((r) => r.toAddress === user.email)!;
      expect(mail.messageId).toBe(row.messageId);
    }
    const after = rowsOf(key);
    expect(after.every((r) => r.status === "sent" && r.attempts === 1 && r.sentAt && !r.claimedBy)).toBe(true);
    const attempts = attemptsOf(after.map((r) => r.id));
    expect(attempts).toHaveLength(2);
    expect(attempts.every((a) => a.ok && /^250/.test(a.detail))).toBe(true);
    // Sent is sent: a second run finds nothing due.
    expect(await deliver()).toMatchObject({ attempted: 0 });
    expect(received).toHaveLength(2);
  });

  it("retries a server that answers 4xx, then 5xx, then is down, with backoff; delivers when it is back", async () => {
    received.length = 0;
    const t0 = Date.UTC(2031, 5, 1, 9, 0);
    testClock.set(t0);
    const key = queue([grace]);
    const [row] = rowsOf(key);

    mode = "4xx";
    expect(await deliver()).toMatchObject({ attempted: 1, retried: 1 });
    expect(rowsOf(key)[0]).toMatchObject({ status: "pending", attempts: 1, nextAttemptAt: new Date(t0 + 60_000) });
    expect(await deliver()).toMatchObject({ attempted: 0 }); // not before its time

    testClock.set(t0 + 60_000);
    mode = "5xx";
    expect(await deliver()).toMatchObject({ attempted: 1, retried: 1 });
    expect(rowsOf(key)[0]).toMatchObject({ attempts: 2, nextAttemptAt: new Date(t0 + 60_000 + 5 * 60_000) });

    testClock.set(t0 + 6 * 60_000);
    const downPort = port;
    await stopReceiver();
    expect(await deliver()).toMatchObject({ attempted: 1, retried: 1 });
    expect(rowsOf(key)[0]).toMatchObject({ attempts: 3, nextAttemptAt: new Date(t0 + 21 * 60_000) });

    testClock.set(t0 + 21 * 60_000);
    mode = "ok";
    await startReceiver(downPort);
    expect(await deliver()).toMatchObject({ attempted: 1, sent: 1 });
    expect(rowsOf(key)[0]).toMatchObject({ status: "sent", attempts: 4, lastError: null });
    expect(received.map((m) => m.to)).toEqual([[grace.email]]);

    const attempts = attemptsOf([row!.id]);
    expect(attempts.map((a) => a.ok)).toEqual([false, false, false, true]);
    expect(attempts[0]!.detail).toMatch(/^451 .*Mailbox busy/);
    expect(attempts[1]!.detail).toMatch(/^554 .*Relay access denied/);
    expect(attempts[2]!.detail).toMatch(/ECONNREFUSED/);
    expect(attempts[3]!.detail).toMatch(/^250/);
  });

  it("a reset mail held up until its link expired or was replaced is not sent: it would carry a dead link", async () => {
    received.length = 0;
    const t0 = Date.UTC(2031, 5, 1, 12, 0);
    testClock.set(t0);
    const resetMails = () =>
      db()
        .select()
        .from(mailOutbox)
        .where(eq(mailOutbox.kind, PASSWORD_RESET_MAIL_KIND))
        .orderBy(mailOutbox.createdAt)
        .all()
        .filter((m) => m.toAddress === grace.email);
    requestPasswordReset({ email: grace.email }, { ip: "203.0.113.77" });
    mode = "4xx";
    expect(await deliver()).toMatchObject({ attempted: 1, retried: 1 });
    // The outage lasts past the link's hour: the next try does not send it.
    testClock.set(t0 + 61 * 60_000);
    mode = "ok";
    expect(await deliver()).toMatchObject({ attempted: 0 });
    const [expired] = resetMails();
    expect(expired).toMatchObject({ status: "failed", nextAttemptAt: null });
    expect(expired!.lastError).toBe("Not sent: the password reset link it carries expired before the mail could go.");

    // A newer link ends the older one: only the newer mail goes.
    requestPasswordReset({ email: grace.email }, { ip: "203.0.113.77" });
    requestPasswordReset({ email: grace.email }, { ip: "203.0.113.77" });
    expect(await deliver()).toMatchObject({ attempted: 1, sent: 1 });
    const [, replaced, newest] = resetMails();
    expect(replaced!.lastError).toMatch(/was replaced by a newer one/);
    expect(newest).toMatchObject({ status: "sent" });
    expect(received.map((m) => m.to)).toEqual([[grace.email]]);
  });

  it("gives up after the last attempt, and keeps the mail and its errors", async () => {
    const t0 = Date.UTC(2031, 5, 2, 9, 0);
    testClock.set(t0);
    const key = queue([sam]);
    mode = "5xx";
    for (let i = 0; i < MAIL_MAX_ATTEMPTS; i++) {
      await deliver();
      testClock.advance(240 * 60_000);
    }
    const [row] = rowsOf(key);
    expect(row).toMatchObject({ status: "failed", attempts: MAIL_MAX_ATTEMPTS, nextAttemptAt: null });
    expect(row!.lastError).toMatch(/^554/);
    expect(attemptsOf([row!.id])).toHaveLength(MAIL_MAX_ATTEMPTS);
    mode = "ok";
    expect(await deliver()).toMatchObject({ attempted: 0 });
  });

  it("a worker killed after claiming: its rows wait for the lease, then are sent exactly once", async () => {
    received.length = 0;
    const t0 = Date.UTC(2031, 5, 3, 9, 0);
    testClock.set(t0);
    const keys = [queue([grace]), queue([grace]), queue([sam])];
    const claimed = claimDueMail(10); // the worker that dies: it claimed, and never sends nor records
    expect(claimed).toHaveLength(3);
    expect(claimDueMail(10)).toHaveLength(0); // a second worker cannot take them
    expect(await deliver()).toMatchObject({ attempted: 0, released: 0 }); // the lease holds

    testClock.advance(MAIL_LEASE_MS);
    expect(await deliver()).toMatchObject({ released: 3, attempted: 3, sent: 3 });
    expect(received).toHaveLength(3);
    const rows = keys.flatMap(rowsOf);
    expect(rows.every((r) => r.status === "sent" && r.attempts === 2)).toBe(true);
    const attempts = attemptsOf(rows.map((r) => r.id));
    expect(attempts.filter((a) => !a.ok).every((a) => /lease ran out/.test(a.detail))).toBe(true);
    expect(attempts.map((a) => a.ok).sort()).toEqual([false, false, false, true, true, true]);
    testClock.advance(MAIL_LEASE_MS);
    expect(await deliver()).toMatchObject({ attempted: 0, released: 0 });
    expect(received).toHaveLength(3);
  });

  it("a worker killed between the server's 250 and its record: sent again with the same Message-ID", async () => {
    received.length = 0;
    const t0 = Date.UTC(2031, 5, 4, 9, 0);
    testClock.set(t0);
    const key = queue([grace]);
    // A sender that delivers, then dies before the outcome is written.
    const real = smtpSender(smtpUrl());
    const crashing = {
      send: async (m: Parameters<typeof real.send>[0]) => {
        await real.send(m);
        throw new Error("killed");
      },
      close: () => real.close(),
    };
    await expect(deliverPendingMail({ sender: crashing })).rejects.toThrow("killed");
    real.close();
    expect(rowsOf(key)[0]!.status).toBe("sending");
    testClock.advance(MAIL_LEASE_MS);
    expect(await deliver()).toMatchObject({ released: 1, sent: 1 });
    expect(received).toHaveLength(2);
    expect(received[0]!.messageId).toBe(received[1]!.messageId);
    expect(new Set(received.map((m) => m.messageId)).size).toBe(1); // the receiver keeps one
  });

  it("sends a daily digest through the same outbox", async () => {
    received.length = 0;
    const reader = makeUser("retailer", "Digest Buyer");
    testClock.set(Date.UTC(2031, 5, 5, 6, 0));
    for (const n of [1, 2])
      transaction((tx) =>
        notify(tx, {
          userIds: [reader.userId],
          category: "watch",
          kind: "watch.seal.changed",
          key: `smtp-digest:${n}`,
          title: `Watched seal IOTS-000${n} suspended`,
          body: "Under review for a reported security issue.",
          link: "/retailer/watchlist",
        }),
      );
    expect(await deliver()).toMatchObject({ attempted: 0 }); // waiting for the digest
    testClock.set(Date.UTC(2031, 5, 5, 7, 30));
    sendDigests();
    await deliver();
    const digest = received.find((m) => m.to.includes(reader.email))!;
    expect(digest.subject).toBe("IoT Seal daily digest for 2031-06-05: 2 notifications");
    expect(digest.text).toContain("Watched seal IOTS-0001 suspended");
    expect(digest.text).toContain("Watched seal IOTS-0002 suspended");
  });

  it("figures: 40 mails through a flaky server and a killed worker; all sent, none lost, none doubled", async () => {
    received.length = 0;
    flakyRandom = prng(16);
    const t0 = Date.UTC(2031, 5, 6, 9, 0);
    testClock.set(t0);
    const users = [grace, sam, makeUser("assessor", "Asha"), makeUser("retailer", "Bea")];
    const keys = Array.from({ length: 10 }, () => queue(users));
    const ids = keys.flatMap(rowsOf).map((r) => r.id);
    expect(ids).toHaveLength(40);
    mode = "flaky";
    claimDueMail(5); // a worker that dies holding five
    for (let round = 0; round < 40; round++) {
      await deliverPendingMail({ smtpUrl: smtpUrl(), limit: 7 });
      testClock.advance(5 * 60_000);
      const left = db().select({ status: mailOutbox.status }).from(mailOutbox).where(inArray(mailOutbox.id, ids)).all();
      if (left.every((r) => r.status === "sent")) break;
    }
    const rows = db().select().from(mailOutbox).where(inArray(mailOutbox.id, ids)).all();
    const attempts = attemptsOf(ids);
    const delivered = new Set(received.map((m) => m.messageId));
    const figures = {
      queued: ids.length,
      sent: rows.filter((r) => r.status === "sent").length,
      attempts: attempts.length,
      retried: attempts.filter((a) => !a.ok).length,
      refusedBy4xx: attempts.filter((a) => /^421/.test(a.detail)).length,
      abandonedByKilledWorker: attempts.filter((a) => /lease ran out/.test(a.detail)).length,
      receivedMessages: received.length,
      distinctMessageIds: delivered.size,
      lost: rows.filter((r) => !delivered.has(r.messageId!)).length,
      duplicates: received.length - delivered.size,
    };
    console.log(`[mail figures] ${JSON.stringify(figures)}`);
    expect(figures.sent).toBe(40);
    expect(figures.lost).toBe(0);
    expect(figures.duplicates).toBe(0);
    expect(figures.distinctMessageIds).toBe(40);
    expect(figures.abandonedByKilledWorker).toBe(5);
    expect(figures.refusedBy4xx).toBeGreaterThan(0);
    expect(figures.attempts).toBe(figures.sent + figures.retried);
  });
});
