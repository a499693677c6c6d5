// Reminders from the lifecycle sweep, against a real database and a moved clock: the demo's high
// report 10 days from its deadline reaches supplier@demo.test (and its mail outbox) and nobody who
// may not see it; every threshold (reports 14/7/1 days and passed, the assessors' 7 days;
// recurring evidence 30/7 days, grace, overdue; seal expiry 60/30 days; the signing key's age;
// failing mail) is told once, not twice however often the sweep runs (nor in two processes at
// once), and never after its item was resolved.
import { execFile } from "node:child_process";
import crypto from "node:crypto";
import path from "node:path";
import { Readable } from "node:stream";
import { promisify } from "node:util";
import { and, eq, like } from "drizzle-orm";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  findings,
  mailAttempts,
  mailOutbox,
  notifications,
  productVersions,
  products,
  seals,
} from "../../../db/schema";
import type { Actor } from "../../../app/platform/actor";
import { testClock } from "../../../app/platform/clock.server";
import { db } from "../../../app/platform/db.server";
import { getEnv } from "../../../app/platform/env.server";
import { formatDate } from "../../../app/platform/format";
import { blocksSeal, DAY_MS } from "../../../app/features/findings/domain/findings";
import { actOnFinding, recordFinding } from "../../../app/features/findings/findings.server";
import { publishAdvisory } from "../../../app/features/findings/disclosure.server";
import { store } from "../../../app/features/certification/evidence.server";
import {
  decideRecurringEvidence,
  submitRecurringEvidence,
  supplierRecurringView,
} from "../../../app/features/monitoring/recurring-evidence.server";
import { signingKeys } from "../../../app/features/trust/adapters/signing-keys.server";
import { sendReminders } from "../../../app/features/notifications/reminders.server";
import { runLifecycleSweep } from "../../../app/system/sweep.server";
import { seedDemoData } from "../../support/demo-seed";
import { demoSealSerials } from "../../../app/demo/seed-seals.server";
import { actorByEmail } from "../../support/actors";

let asha: Actor;
let bram: Actor;
let grace: Actor;
let sam: Actor;
let buyer: Actor;
let admin: Actor;
let report: typeof findings.$inferSelect; // the demo watch's open high report, 10 days from its deadline
let serial: string; // the demo watch's seal (Gator Kids Watch 3, firmware 3.1.0)

/** The keys of a user's notifications that start with `prefix`. */
function keys(who: Actor, prefix: string): string[] {
  return db()
    .select({ key: notifications.key })
    .from(notifications)
    .where(and(eq(notifications.userId, who.userId), like(notifications.key, `${prefix}%`)))
    .all()
    .map((r) => r.key)
    .sort();
}

/** Every notification whose key starts with `prefix`, for anyone. */
const anyone = (prefix: string) =>
  db()
    .select()
    .from(notifications)
    .where(like(notifications.key, `${prefix}%`))
    .all();

/** Runs the reminders at `at` twice (a second sweep, a second process): the second tells nobody. */
function twiceAt(at: number) {
  testClock.set(at);
  const first = sendReminders();
  expect(sendReminders().notified).toBe(0);
  return first;
}

const today = () => new Date(Date.now()).toISOString().slice(0, 10);
const version = (id: string) => db().select().from(findings).where(eq(findings.id, id)).get()!.version;

function gatorVersion(name: string, firmware: string) {
  return db()
    .select({ productId: products.id, versionId: productVersions.id })
    .from(productVersions)
    .innerJoin(products, eq(products.id, productVersions.productId))
    .where(and(eq(products.name, name), eq(productVersions.firmwareVersion, firmware)))
    .get()!;
}

function newReport(title: string, severity: "critical" | "medium" = "critical"): typeof findings.$inferSelect {
  const v = gatorVersion("Gator Kids Watch 3", "3.1.0");
  const id = recordFinding(asha, {
    productId: v.productId,
    versionIds: [v.versionId],
    title,
    description: "A description long enough for the form, about a flaw under embargo.",
    severity,
    reporter: "A researcher",
    reportedOn: today(),
  });
  return db().select().from(findings).where(eq(findings.id, id)).get()!;
}

beforeAll(async () => {
  await seedDemoData();
  asha = actorByEmail("assessor1@demo.test");
  bram = actorByEmail("assessor2@demo.test");
  grace = actorByEmail("supplier@demo.test");
  sam = actorByEmail("supplier2@demo.test");
  buyer = actorByEmail("buyer@demo.test");
  admin = actorByEmail("admin@demo.test");
  serial = demoSealSerials()["Gator Kids Watch 3 3.1.0"];
  report = db()
    .select()
    .from(findings)
    .where(and(eq(findings.title, "Location history readable after unpairing"), eq(findings.status, "open")))
    .get()!;
});

afterEach(() => testClock.reset());

describe("the demo on first start", () => {
  it("the sweep tells supplier@demo.test of the high report 10 days from its deadline, naming the product and the date", () => {
    runLifecycleSweep();
    const key = `reminder:report:${report.id}:deadline:${report.deadline.toISOString().slice(0, 10)}:14d`;
    expect(keys(grace, "reminder:report:")).toContain(key);
    const [n] = anyone(key);
    // The clock in the words of the report's page and the dashboard (whole days left: the seed's deadline is a few
    // seconds under 10 days away by the time the sweep runs).
    expect(n.title).toBe(`Disclosure deadline ${formatDate(report.deadline)}, 9 days left: Gator Kids Watch 3`);
    expect(n.body).toContain("Location history readable after unpairing"); // the supplier may see its own report
    expect(n.link).toBe(`/findings/${report.id}`);
    // One mail to the supplier (kept in the outbox without SMTP_URL), none to anyone else.
    const mails = db().select().from(mailOutbox).where(eq(mailOutbox.key, key)).all();
    expect(mails.map((m) => m.toAddress)).toEqual(["supplier@demo.test"]);
    expect(anyone(`reminder:report:${report.id}`).map((x) => x.userId)).toEqual([grace.userId]);
    expect(keys(buyer, "reminder:")).toEqual([]); // a buyer never hears a report's clock
    // However often the sweep runs.
    expect(runLifecycleSweep().reminders.notified).toBe(0);
    expect(anyone(key)).toHaveLength(1);
  });
});

// Recurring evidence first: the report tests move the clock past its due dates.
describe("recurring evidence", () => {
  it("30 and 7 days before due, in grace, overdue: each once; nothing while evidence waits for an assessor", () => {
    const item = supplierRecurringView(grace, serial).items.find((i) => i.ref === "5.2-3")!;
    const due = item.dueAt.toISOString().slice(0, 10);
    const prefix = `reminder:recurring:${serial}:5.2-3:${due}:`;
    expect(keys(grace, prefix)).toEqual([`${prefix}30d`]); // sent by the first sweep (10 days before)
    twiceAt(item.dueAt.getTime() - 7 * DAY_MS + 60_000);
    twiceAt(item.dueAt.getTime() + 3600_000);
    twiceAt(item.graceEndsAt.getTime() + 3600_000);
    expect(keys(grace, prefix)).toEqual([`${prefix}30d`, `${prefix}7d`, `${prefix}grace`, `${prefix}overdue`].sort());
    for (const who of [sam, buyer, asha]) expect(keys(who, "reminder:recurring:")).toEqual([]);
    // 5.2-1 has fresh evidence waiting for an assessor (the demo): no reminder, even when due.
    const policy = supplierRecurringView(grace, serial).items.find((i) => i.ref === "5.2-1")!;
    expect(policy.pending).not.toBeNull();
    twiceAt(policy.dueAt.getTime() - DAY_MS);
    expect(keys(grace, `reminder:recurring:${serial}:5.2-1:`)).toEqual([]);
  });

  it("accepted evidence resolves the clock: nothing more for that due date; the next one starts afresh", async () => {
    const before = supplierRecurringView(grace, serial).items.find((i) => i.ref === "5.2-3")!;
    const received = await store().receive(Readable.from([Buffer.from(`Scan ${crypto.randomUUID()}\n`)]), 1024 * 1024);
    const sent = await submitRecurringEvidence(
      grace,
      serial,
      { ref: "5.2-3", note: "Quarterly external scan." },
      { originalName: "scan.txt", received },
    );
    decideRecurringEvidence(asha, sent.id, { decision: "accept", comment: "" });
    const after = supplierRecurringView(grace, serial).items.find((i) => i.ref === "5.2-3")!;
    expect(after.dueAt.getTime()).toBeGreaterThan(before.dueAt.getTime());
    const count = anyone("reminder:recurring:").length;
    twiceAt(before.graceEndsAt.getTime() + DAY_MS); // the old clock's dates: nothing
    expect(anyone("reminder:recurring:").length).toBe(count);
    twiceAt(after.dueAt.getTime() - 7 * DAY_MS + 60_000);
    expect(keys(grace, `reminder:recurring:${serial}:5.2-3:${after.dueAt.toISOString().slice(0, 10)}:`)).toEqual([
      `reminder:recurring:${serial}:5.2-3:${after.dueAt.toISOString().slice(0, 10)}:7d`,
    ]);
  });
});

describe("a report's disclosure deadline", () => {
  it("withdrawn: no reminder after it was resolved", () => {
    const withdrawn = newReport("Withdrawn before its reminders ran out");
    twiceAt(withdrawn.deadline.getTime() - 14 * DAY_MS + 60_000);
    expect(keys(grace, `reminder:report:${withdrawn.id}`)).toHaveLength(1);
    testClock.reset();
    actOnFinding(asha, withdrawn.id, {
      action: "withdraw",
      note: "Not reproducible on any unit.",
      version: version(withdrawn.id),
    });
    for (const at of [7 * DAY_MS, DAY_MS, -DAY_MS]) twiceAt(withdrawn.deadline.getTime() - at + 60_000);
    expect(anyone(`reminder:report:${withdrawn.id}`)).toHaveLength(1); // the 14-day one, before
  });

  it("marked fixed, not verified: still reminded, since it still suspends the seal at its deadline; the assessors hear a fix awaits their verification", () => {
    const fixed = newReport("Fixed on day 10, never verified");
    const d = fixed.deadline.getTime();
    const day = fixed.deadline.toISOString().slice(0, 10);
    twiceAt(d - 14 * DAY_MS + 60_000);
    testClock.reset();
    actOnFinding(grace, fixed.id, {
      action: "mark_fixed",
      note: "",
      fixedInVersion: "3.9.9",
      version: version(fixed.id),
    });
    // The automatic suspension's own rule: a fix claimed and not verified does not stop the clock.
    const claimed = db().select().from(findings).where(eq(findings.id, fixed.id)).get()!;
    expect(claimed.status).toBe("fixed");
    expect(blocksSeal(claimed, new Date(d + 1))).toBe(true);
    for (const at of [7 * DAY_MS, DAY_MS, -DAY_MS]) twiceAt(d - at + 60_000);
    expect(keys(grace, `reminder:report:${fixed.id}`)).toEqual(
      ["14d", "1d", "7d", "passed"].map((t) => `reminder:report:${fixed.id}:deadline:${day}:${t}`).sort(),
    );
    for (const a of [asha, bram])
      expect(keys(a, `reminder:report:${fixed.id}`)).toEqual([
        `reminder:report:${fixed.id}:deadline:${day}:7d:assessors`,
      ]);
    const [assessors] = anyone(`reminder:report:${fixed.id}:deadline:${day}:7d:assessors`);
    expect(assessors.title).toMatch(/^Fix to verify before the disclosure deadline .*: Gator Kids Watch 3$/);
    expect(assessors.body).toContain("The supplier marked the critical report");
    expect(assessors.body).toContain("fixed in firmware 3.9.9: the fix awaits your verification.");
    expect(assessors.body).toContain(
      "if the fix is not verified by the deadline, the seals of the affected firmware are suspended until it is.",
    );
    // 3.9.9 is not a version of the watch (a typo, say): nobody can verify it until the supplier registers it.
    expect(assessors.body).toContain("firmware 3.9.9 is not registered on the product yet");
    const [oneDay] = anyone(`reminder:report:${fixed.id}:deadline:${day}:1d`);
    expect(oneDay.body).toContain("You marked it fixed in firmware 3.9.9; the fix awaits an assessor's verification.");
    expect(oneDay.body).toContain("Firmware 3.9.9 is not registered on Gator Kids Watch 3 yet: register it");
    const [passed] = anyone(`reminder:report:${fixed.id}:deadline:${day}:passed`);
    expect(passed.body).toContain(
      // sendReminders alone, without the sweep's suspension before it: the seal is still active, and said so.
      "Its advisory is now public. The seal of the affected firmware will be suspended within 15 minutes (at the next lifecycle sweep), until the fix is verified.",
    );
    expect(passed.body).toContain("The fix you marked in firmware 3.9.9 awaits an assessor's verification.");
    for (const who of [sam, buyer]) expect(keys(who, `reminder:report:${fixed.id}`)).toEqual([]);
  });

  it("published early: a critical report is still reminded (it still suspends the seal), a medium one no more (nothing happens at its deadline)", () => {
    const critical = newReport("Critical, published early by the supplier");
    const medium = newReport("Medium, published early by the supplier", "medium");
    for (const f of [critical, medium]) publishAdvisory(grace, f.id, { version: version(f.id), confirm: "yes" });
    twiceAt(critical.deadline.getTime() - 7 * DAY_MS + 60_000);
    twiceAt(critical.deadline.getTime() + 3600_000);
    twiceAt(medium.deadline.getTime() - 7 * DAY_MS + 60_000);
    twiceAt(medium.deadline.getTime() + 3600_000);
    const day = critical.deadline.toISOString().slice(0, 10);
    expect(keys(grace, `reminder:report:${critical.id}`)).toEqual([
      `reminder:report:${critical.id}:deadline:${day}:7d`,
      `reminder:report:${critical.id}:deadline:${day}:passed`,
    ]);
    expect(keys(asha, `reminder:report:${critical.id}`)).toEqual([
      `reminder:report:${critical.id}:deadline:${day}:7d:assessors`,
    ]);
    expect(anyone(`reminder:report:${critical.id}:deadline:${day}:7d`)[0].body).toContain(
      "Its advisory is already public; if the fix is not verified by the deadline, the seals of the affected firmware are suspended until it is.",
    );
    expect(anyone(`reminder:report:${medium.id}`)).toEqual([]);
  });

  it("7 days: the supplier and the assessors; 1 day; passed: the supplier; each once", () => {
    const d = report.deadline.getTime();
    const day = report.deadline.toISOString().slice(0, 10);
    twiceAt(d - 7 * DAY_MS + 60_000);
    twiceAt(d - DAY_MS + 60_000);
    twiceAt(d + 3600_000);
    twiceAt(d + 30 * DAY_MS);
    expect(keys(grace, `reminder:report:${report.id}`)).toEqual(
      ["14d", "1d", "7d", "passed"].map((t) => `reminder:report:${report.id}:deadline:${day}:${t}`).sort(),
    );
    for (const a of [asha, bram])
      expect(keys(a, `reminder:report:${report.id}`)).toEqual([
        `reminder:report:${report.id}:deadline:${day}:7d:assessors`,
      ]);
    expect(anyone(`reminder:report:${report.id}`).map((n) => n.userId)).not.toContain(buyer.userId);
    const [passed] = anyone(`reminder:report:${report.id}:deadline:${day}:passed`);
    expect(passed.title).toBe(`Disclosure deadline passed: Gator Kids Watch 3, ${formatDate(report.deadline)}`);
  });
});

describe("seal expiry", () => {
  it("60 and 30 days before: the supplier, each once; never for a revoked seal", () => {
    const seal = db().select().from(seals).where(eq(seals.serial, serial)).get()!;
    const v = seal.validUntil.getTime();
    const day = seal.validUntil.toISOString().slice(0, 10);
    twiceAt(v - 60 * DAY_MS + 60_000);
    twiceAt(v - 30 * DAY_MS + 60_000);
    twiceAt(v - DAY_MS);
    expect(keys(grace, `reminder:seal:${serial}:`)).toEqual([
      `reminder:seal:${serial}:expiry:${day}:30d`,
      `reminder:seal:${serial}:expiry:${day}:60d`,
    ]);
    const revoked = db().select().from(seals).where(eq(seals.state, "revoked")).get()!;
    twiceAt(revoked.validUntil.getTime() - 30 * DAY_MS + 60_000);
    twiceAt(revoked.validUntil.getTime() - 60 * DAY_MS + 60_000);
    expect(anyone(`reminder:seal:${revoked.serial}:`)).toEqual([]);
  });
});

describe("administrators", () => {
  it("mail failing for an hour: the admins, once per failing mail", () => {
    const at = Date.now();
    const id = crypto.randomUUID();
    db()
      .insert(mailOutbox)
      .values({
        id,
        userId: grace.userId,
        toAddress: grace.email,
        kind: "test",
        key: `test:${id}`,
        subject: "A test mail",
        text: "text",
        html: "<p>html</p>",
        link: "/",
        createdAt: new Date(at),
        status: "pending",
        attempts: 2,
        lastError: "421 4.7.0 Try again later",
      })
      .run();
    twiceAt(at + 59 * 60_000);
    expect(keys(admin, `reminder:mail:failing:${id}`)).toEqual([]);
    twiceAt(at + 61 * 60_000);
    expect(keys(admin, `reminder:mail:failing:${id}`)).toEqual([`reminder:mail:failing:${id}`]);
    expect(anyone(`reminder:mail:failing:${id}`).map((n) => n.userId)).toEqual([admin.userId]);
    db()
      .update(mailOutbox)
      .set({ status: "sent", sentAt: new Date(at) })
      .where(eq(mailOutbox.id, id))
      .run();
  });

  it("mail delivery failing: once per outage; a mail given up months ago does not hide a new outage", () => {
    const t0 = Date.now();
    const HOUR = 3600_000;
    /** A mail that was tried and has not gone out, written at `createdAt`, its failed attempts at `tries`. */
    const mail = (createdAt: number, tries: number[], status: "pending" | "failed", error: string) => {
      const id = crypto.randomUUID();
      db()
        .insert(mailOutbox)
        .values({
          id,
          userId: grace.userId,
          toAddress: grace.email,
          kind: "test",
          key: `test:${id}`,
          subject: "A test mail",
          text: "text",
          html: "<p>html</p>",
          link: "/",
          createdAt: new Date(createdAt),
          status,
          attempts: tries.length,
          nextAttemptAt: status === "pending" ? new Date(tries.at(-1)! + 5 * 60_000) : null,
          lastError: error,
        })
        .run();
      for (const at of tries)
        db()
          .insert(mailAttempts)
          .values({ mailId: id, at: new Date(at), ok: false, detail: error })
          .run();
      return id;
    };
    const giveUp = (id: string, at: number) => {
      db()
        .update(mailOutbox)
        .set({ status: "failed", attempts: 8, nextAttemptAt: null })
        .where(eq(mailOutbox.id, id))
        .run();
      db()
        .insert(mailAttempts)
        .values({ mailId: id, at: new Date(at), ok: false, detail: "given up" })
        .run();
    };
    const failing = () => keys(admin, "reminder:mail:failing:");
    const before = failing();

    // Three months ago: a mail to a mailbox that no longer exists, alerted, then given up for good.
    const old = mail(t0 - 90 * DAY_MS, [t0 - 90 * DAY_MS + 60_000], "pending", "550 5.1.1 mailbox unknown");
    twiceAt(t0 - 90 * DAY_MS + 2 * HOUR);
    expect(failing()).toEqual([...before, `reminder:mail:failing:${old}`].sort());
    giveUp(old, t0 - 90 * DAY_MS + 13 * HOUR);
    twiceAt(t0 - 60 * DAY_MS);
    expect(failing()).toEqual([...before, `reminder:mail:failing:${old}`].sort()); // quiet: nothing more

    // Today: the mail server goes down. A new outage, alerted once it is an hour old.
    const first = mail(t0, [t0 + 60_000], "pending", "421 4.3.2 Service not available");
    twiceAt(t0 + 30 * 60_000);
    expect(failing()).not.toContain(`reminder:mail:failing:${first}`);
    twiceAt(t0 + 61 * 60_000);
    expect(failing()).toContain(`reminder:mail:failing:${first}`);
    const [alert] = anyone(`reminder:mail:failing:${first}`);
    expect(alert).toMatchObject({ userId: admin.userId, category: "system", link: "/admin/outbox" });
    expect(alert.body).toContain("421 4.3.2 Service not available");
    expect(alert.body).not.toContain("550 5.1.1"); // the old mail is not part of this outage

    // The same outage goes on: its first mail is given up while newer ones keep failing: no second alert.
    const second = mail(t0 + 10 * HOUR, [t0 + 10 * HOUR + 60_000], "pending", "421 4.3.2 Service not available");
    giveUp(first, t0 + 14 * HOUR);
    twiceAt(t0 + 20 * HOUR);
    twiceAt(t0 + 40 * HOUR); // the first mail given up more than a day ago; the second still retried
    expect(failing().filter((k) => !before.includes(k))).toEqual(
      [`reminder:mail:failing:${old}`, `reminder:mail:failing:${first}`].sort(),
    );

    // It ends (the second mail goes out); a week later another outage: alerted again.
    db()
      .update(mailOutbox)
      .set({ status: "sent", sentAt: new Date(t0 + 41 * HOUR) })
      .where(eq(mailOutbox.id, second))
      .run();
    twiceAt(t0 + 3 * DAY_MS);
    const third = mail(t0 + 7 * DAY_MS, [t0 + 7 * DAY_MS + 60_000], "pending", "421 4.7.0 Try again later");
    twiceAt(t0 + 7 * DAY_MS + 2 * HOUR);
    expect(failing().filter((k) => !before.includes(k))).toEqual(
      [`reminder:mail:failing:${old}`, `reminder:mail:failing:${first}`, `reminder:mail:failing:${third}`].sort(),
    );
    db()
      .update(mailOutbox)
      .set({ status: "sent", sentAt: new Date(t0) })
      .where(eq(mailOutbox.id, third))
      .run();
  });

  it("a signing key older than KEY_ROTATION_DAYS (365 by default): the admins, once per key", async () => {
    const keysDir = signingKeys(getEnv().dataDir);
    const rotated = await keysDir.rotate(new Date(Date.now()));
    const created = new Date(rotated.active.createdAt).getTime();
    expect(getEnv().keyRotationDays).toBe(365);
    twiceAt(created + 364 * DAY_MS);
    expect(keys(admin, `reminder:key:${rotated.active.kid}`)).toEqual([]);
    twiceAt(created + 366 * DAY_MS);
    twiceAt(created + 400 * DAY_MS);
    expect(keys(admin, `reminder:key:${rotated.active.kid}`)).toEqual([`reminder:key:${rotated.active.kid}:rotation`]);
    for (const who of [grace, asha, buyer]) expect(keys(who, "reminder:key:")).toEqual([]);
  });
});

describe("in several processes at once", () => {
  it("two sweeps running the reminders together tell each threshold once", async () => {
    // A new report whose 14-day threshold is reached at the moved time; two processes race to tell it.
    const fresh = newReport("Raced by two processes at once");
    const at = fresh.deadline.getTime() - 14 * DAY_MS + 60_000;
    const script = path.resolve("tests/integration/notifications/send-reminders-at.ts");
    const run = () =>
      promisify(execFile)(process.execPath, ["--import", "tsx", script, String(at)], {
        env: { ...process.env, DATA_DIR: getEnv().dataDir },
        cwd: process.cwd(),
      });
    const outs = await Promise.all([run(), run()]);
    const told = outs.map((o) => JSON.parse(o.stdout.trim().split("\n").at(-1)!) as { keys: string[] });
    const key = `reminder:report:${fresh.id}:deadline:${fresh.deadline.toISOString().slice(0, 10)}:14d`;
    expect(told.filter((t) => t.keys.includes(key))).toHaveLength(1); // one process told it, the other found it told
    expect(anyone(key)).toHaveLength(1);
    expect(db().select().from(mailOutbox).where(eq(mailOutbox.key, key)).all()).toHaveLength(1);
  }, 60_000);
});
