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
import { findings, mailOutbox, notifications, productVersions, products, seals } from "../../../db/schema";
import type { Actor } from "../../../app/platform/actor";
import { testClock } from "../../../app/platform/clock.server";
import { db } from "../../../app/platform/db.server";
import { getEnv } from "../../../app/platform/env.server";
import { formatDate } from "../../../app/platform/format";
import { DAY_MS } from "../../../app/features/findings/domain/findings";
import { actOnFinding, recordFinding } from "../../../app/features/findings/findings.server";
import { store } from "../../../app/features/certification/evidence.server";
import {
  decideRecurringEvidence,
  submitRecurringEvidence,
  supplierRecurringView,
} from "../../../app/features/monitoring/recurring-evidence.server";
import { signingKeys } from "../../../app/features/trust/adapters/signing-keys.server";
import { sendReminders } from "../../../app/features/notifications/reminders.server";
import { runLifecycleSweep } from "../../../app/system/sweep.server";
import { seedDemoData } from "../../../app/demo/seed.server";
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

function gatorVersion(name: string, firmware: string) {
  return db()
    .select({ productId: products.id, versionId: productVersions.id })
    .from(productVersions)
    .innerJoin(products, eq(products.id, productVersions.productId))
    .where(and(eq(products.name, name), eq(productVersions.firmwareVersion, firmware)))
    .get()!;
}

function newReport(title: string): typeof findings.$inferSelect {
  const v = gatorVersion("Gator Kids Watch 3", "3.1.0");
  const id = recordFinding(asha, {
    productId: v.productId,
    versionIds: [v.versionId],
    title,
    description: "A description long enough for the form, about a flaw under embargo.",
    severity: "critical",
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
  it("withdrawn or fixed: no reminder after it was resolved", () => {
    const withdrawn = newReport("Withdrawn before its reminders ran out");
    const fixed = newReport("Fixed before its reminders ran out");
    const v = (id: string) => db().select().from(findings).where(eq(findings.id, id)).get()!.version;
    twiceAt(withdrawn.deadline.getTime() - 14 * DAY_MS + 60_000);
    expect(keys(grace, `reminder:report:${withdrawn.id}`)).toHaveLength(1);
    expect(keys(grace, `reminder:report:${fixed.id}`)).toHaveLength(1);
    testClock.reset();
    actOnFinding(asha, withdrawn.id, {
      action: "withdraw",
      note: "Not reproducible on any unit.",
      version: v(withdrawn.id),
    });
    actOnFinding(grace, fixed.id, { action: "mark_fixed", note: "", fixedInVersion: "3.2.0", version: v(fixed.id) });
    for (const at of [7 * DAY_MS, DAY_MS, -DAY_MS]) twiceAt(withdrawn.deadline.getTime() - at + 60_000);
    expect(anyone(`reminder:report:${withdrawn.id}`)).toHaveLength(1); // the 14-day one, before
    expect(anyone(`reminder:report:${fixed.id}`)).toHaveLength(1);
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
