// The reminder that a critical or high report's disclosure deadline has passed says what happened
// to the seals of the affected firmware from the seals the report holds (overdueSealsText, as the
// report's page and its notice word it), never assumed: suspended by the sweep that sends it, or no
// current seal at all (a version never certified).
import { and, eq, like } from "drizzle-orm";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { findings, notifications, seals } from "../../../db/schema";
import { testClock } from "../../../app/platform/clock.server";
import { db } from "../../../app/platform/db.server";
import { recordFinding } from "../../../app/features/findings/findings.server";
import { runLifecycleSweep } from "../../../app/system/sweep.server";
import { seedDemoData } from "../../support/demo-seed";
import { asha, grace } from "../../support/actors";
import { certifyPsti } from "../../support/certify";
import { addTestVersion, createTestProduct } from "../../support/submissions";

const today = () => new Date(Date.now()).toISOString().slice(0, 10);

/** A critical report on `versionId`, recorded today; its id and deadline. */
function criticalReport(productId: string, versionId: string, title: string) {
  const id = recordFinding(asha(), {
    productId,
    versionIds: [versionId],
    title,
    description: "A description long enough for the form, about a flaw under embargo.",
    severity: "critical",
    reporter: "A researcher",
    reportedOn: today(),
  });
  return db().select().from(findings).where(eq(findings.id, id)).get()!;
}

/** The body of the supplier's "deadline passed" reminder of report `id`. */
const passedReminder = (id: string) =>
  db()
    .select({ body: notifications.body })
    .from(notifications)
    .where(
      and(eq(notifications.userId, grace().userId), like(notifications.key, `reminder:report:${id}:deadline:%:passed`)),
    )
    .get()?.body;

beforeAll(async () => {
  await seedDemoData();
});
afterEach(() => testClock.reset());

describe("the deadline-passed reminder of a critical report", () => {
  it("says the seal is suspended only once it is, and that a version never certified has no seal", async () => {
    const productId = createTestProduct(grace(), { name: "Deadline Hub", model: "DL-1" });
    const serial = await certifyPsti(grace(), productId);
    const sealed = db().select().from(seals).where(eq(seals.serial, serial)).get()!.productVersionId;
    const unsealed = addTestVersion(grace(), productId, "2.0.0");
    const onSeal = criticalReport(productId, sealed, "Debug shell open on the sealed firmware");
    const onNone = criticalReport(productId, unsealed, "Debug shell open on the uncertified firmware");
    expect(onNone.deadline.getTime()).toBe(onSeal.deadline.getTime());

    testClock.set(onSeal.deadline.getTime() + 3600_000);
    const report = runLifecycleSweep(); // suspends the seal, then sends the reminders
    expect(report.suspended).toContain(serial);
    expect(db().select().from(seals).where(eq(seals.serial, serial)).get()!.state).toBe("suspended");

    expect(passedReminder(onSeal.id)).toContain(
      "Its advisory is now public. The seal of the affected firmware is suspended until the fix is verified. ",
    );
    const none = passedReminder(onNone.id);
    expect(none).toContain(
      "Its advisory is now public. The affected firmware has no current seal; a seal issued for it would be suspended at once. ",
    );
    expect(none).not.toContain("are suspended until the fix is verified");
  }, 30_000);
});
