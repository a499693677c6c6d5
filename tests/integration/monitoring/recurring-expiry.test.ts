// A recurring requirement whose grace period ends when or after its seal expires can never suspend
// the seal (an expired seal is not monitored): nobody is reminded of it, and the dashboard says the
// seal expires first instead of "the seal is suspended after ...". Against a real database and a
// moved clock: the demo watch's scan is accepted 95 days before the seal expires, so its next due
// date is 5 days before the expiry and its grace period ends 9 days after it.
import { like } from "drizzle-orm";
import { Readable } from "node:stream";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { notifications } from "../../../db/schema";
import { testClock } from "../../../app/platform/clock.server";
import { db } from "../../../app/platform/db.server";
import { DAY_MS } from "../../../app/features/findings/domain/findings";
import { actOnFinding, listFindings } from "../../../app/features/findings/findings.server";
import { store } from "../../../app/features/certification/evidence.server";
import { sealBySerial } from "../../../app/features/certification/seals.server";
import { sweepAutomaticSuspensions } from "../../../app/features/monitoring/automatic-suspension.server";
import {
  decideRecurringEvidence,
  recurringQueue,
  submitRecurringEvidence,
  supplierRecurringDue,
  supplierRecurringView,
} from "../../../app/features/monitoring/recurring-evidence.server";
import { sendReminders } from "../../../app/features/notifications/reminders.server";
import { seedDemoData } from "../../support/demo-seed";
import { demoSealSerials } from "../../../app/demo/seed-seals.server";
import { asha, grace } from "../../support/actors";

let serial: string;
let validUntil: Date;

const itemOf = (ref: string) => supplierRecurringView(grace(), serial).items.find((i) => i.ref === ref)!;
const reminderKeys = () =>
  db()
    .select({ key: notifications.key })
    .from(notifications)
    .where(like(notifications.key, `reminder:recurring:${serial}:%`))
    .all()
    .map((r) => r.key);

async function sendAndAccept(ref: string) {
  const received = await store().receive(Readable.from([Buffer.from(`${ref} ${Date.now()}\n`)]), 1 << 20);
  const sent = await submitRecurringEvidence(
    grace(),
    serial,
    { ref, note: "Fresh evidence, as the requirement asks." },
    { originalName: "evidence.txt", received },
  );
  decideRecurringEvidence(asha(), sent.id, { decision: "accept", comment: "" });
}

beforeAll(async () => {
  await seedDemoData();
  serial = demoSealSerials()["Gator Kids Watch 3 3.1.0"];
  validUntil = sealBySerial(serial)!.validUntil;
  for (const f of listFindings(asha(), { open: true }).filter((x) => x.product === "Gator Kids Watch 3"))
    actOnFinding(asha(), f.id, { action: "withdraw", note: "Set aside for this test run.", version: f.version });
  // The demo's 5.2-1 evidence waits for an assessor: decided, so fresh evidence can be sent below.
  const waiting = recurringQueue(asha()).find((r) => r.serial === serial && r.ref === "5.2-1")!;
  decideRecurringEvidence(asha(), waiting.id, { decision: "accept", comment: "" });
});

afterEach(() => testClock.reset());

describe("a grace period that outlasts the seal", () => {
  it("is flagged on the supplier's schedule", async () => {
    const at = validUntil.getTime() - 95 * DAY_MS;
    expect(at).toBeGreaterThan(Date.now());
    testClock.set(at);
    await sendAndAccept("5.2-3");
    await sendAndAccept("5.2-1");
    expect(sealBySerial(serial)!.state).toBe("active");
    const scan = itemOf("5.2-3");
    expect(scan.dueAt.getTime()).toBe(validUntil.getTime() - 5 * DAY_MS);
    expect(scan.graceEndsAt.getTime()).toBe(validUntil.getTime() + 9 * DAY_MS);
    expect(scan.expiresFirst).toBe(true);
    expect(itemOf("5.2-1").expiresFirst).toBe(true); // due 180 days on: after the expiry
  });

  it("is never reminded of, and suspends nothing", () => {
    const { dueAt } = itemOf("5.2-3");
    const before = reminderKeys();
    for (const at of [
      dueAt.getTime() - 30 * DAY_MS + 60_000,
      dueAt.getTime() - 7 * DAY_MS + 60_000,
      dueAt.getTime() + 3_600_000,
    ]) {
      testClock.set(at);
      sendReminders();
    }
    expect(reminderKeys()).toEqual(before);
    testClock.set(validUntil.getTime() - 60_000);
    expect(sweepAutomaticSuspensions().suspended).not.toContain(serial);
  });

  it("the dashboard row carries the seal's expiry, so it says the seal expires first", () => {
    const { dueAt } = itemOf("5.2-3");
    testClock.set(dueAt.getTime() + 3_600_000);
    const row = supplierRecurringDue(grace()).due.find((d) => d.serial === serial && d.ref === "5.2-3")!;
    expect(row).toMatchObject({ standing: "in_grace", expiresFirst: true, validUntil });
  });
});
