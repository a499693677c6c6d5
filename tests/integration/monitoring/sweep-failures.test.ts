// The lifecycle sweep runs each stage, each seal's automatic decision and each reminder item on its
// own: one that throws is logged and reported (the CLI prints describeSweep), and everything else
// still runs. Against a real database and a moved clock; one stage and one seal made to throw.
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { eq } from "drizzle-orm";
import { findings } from "../../../db/schema";

const HOUR_MS = 60 * 60 * 1000;

/** The serial whose recurring schedule throws (each automatic decision and recurring reminder reads it), or null. */
let broken: string | null = null;
let policiesDown = false;

vi.mock("../../../app/features/monitoring/recurring-schedule.server", async (importOriginal) => {
  const original = await importOriginal<typeof import("../../../app/features/monitoring/recurring-schedule.server")>();
  return {
    ...original,
    recurringScheduleOf: (...args: Parameters<typeof original.recurringScheduleOf>) => {
      if (args[1].serial === broken) throw new Error(`schedule of ${broken} unreadable`);
      return original.recurringScheduleOf(...args);
    },
  };
});
vi.mock("../../../app/features/retail/policies.server", async (importOriginal) => {
  const original = await importOriginal<typeof import("../../../app/features/retail/policies.server")>();
  return {
    ...original,
    sweepPolicies: () => {
      if (policiesDown) throw new Error("policy store unavailable");
      return original.sweepPolicies();
    },
  };
});

// The setup wired the events with the modules as they were: the app is loaded afresh, with the two above
// standing in, and wired again (one database file, one clock, as at start-up).
vi.resetModules();
const { wireEvents } = await import("../../../app/system/wiring.server");
wireEvents();
const { db } = await import("../../../app/platform/db.server");
const { testClock } = await import("../../../app/platform/clock.server");
const { seedDemoData } = await import("../../../app/demo/seed.server");
const { demoSealSerials } = await import("../../../app/demo/seed-seals.server");
const { sealBySerial } = await import("../../../app/features/certification/seals.server");
const { describeSweep, runLifecycleSweep } = await import("../../../app/system/sweep.server");
const { sweepAutomaticSuspensions } = await import("../../../app/features/monitoring/automatic-suspension.server");
const { sendReminders } = await import("../../../app/features/notifications/reminders.server");

let watch: string;
let cam: string;

beforeAll(async () => {
  await seedDemoData();
  watch = demoSealSerials()["Gator Kids Watch 3 3.1.0"];
  cam = demoSealSerials()["Brightnest Indoor Cam 1 1.9.2"];
});

afterEach(() => {
  broken = null;
  policiesDown = false;
  testClock.reset();
  vi.restoreAllMocks();
});

describe("a failure in the lifecycle sweep", () => {
  it("one seal that throws does not stop the others being decided", () => {
    const logged = vi.spyOn(console, "error").mockImplementation(() => {});
    // The demo watch's high report (10 days from its deadline) is overdue a day after it.
    const onWatch = db()
      .select({ deadline: findings.deadline })
      .from(findings)
      .where(eq(findings.title, "Location history readable after unpairing"))
      .get()!;
    testClock.set(onWatch.deadline.getTime() + HOUR_MS);
    broken = cam;
    const report = sweepAutomaticSuspensions();
    expect(report.suspended).toEqual([watch]);
    expect(report.failed).toEqual([{ serial: cam, error: `schedule of ${cam} unreadable` }]);
    expect(sealBySerial(watch)!.state).toBe("suspended");
    expect(logged).toHaveBeenCalledWith(expect.stringContaining(`seal ${cam} could not be decided`), expect.any(Error));
  });

  it("a stage that throws, a seal and a reminder item that throw: the rest still runs, and the report says what failed", () => {
    const logged = vi.spyOn(console, "error").mockImplementation(() => {});
    const onWatch = db()
      .select({ deadline: findings.deadline })
      .from(findings)
      .where(eq(findings.title, "Location history readable after unpairing"))
      .get()!;
    testClock.set(onWatch.deadline.getTime() + 2 * HOUR_MS);
    broken = watch;
    policiesDown = true;
    const report = runLifecycleSweep();
    expect(report.failures).toEqual([
      { stage: `automatic suspension of seal ${watch}`, error: `schedule of ${watch} unreadable` },
      { stage: "retailer policies", error: "policy store unavailable" },
      { stage: `reminders for the recurring evidence of seal ${watch}`, error: `schedule of ${watch} unreadable` },
    ]);
    // The stages after the failed one ran: the report's passed deadline was told to the supplier.
    expect(report.reminders.keys).toEqual(expect.arrayContaining([expect.stringMatching(/:deadline:.*:passed$/)]));
    expect(describeSweep(report)).toContain(
      `Failed, to be tried again by the next sweep: automatic suspension of seal ${watch} (schedule of ${watch} unreadable); retailer policies (policy store unavailable); reminders for the recurring evidence of seal ${watch} (schedule of ${watch} unreadable).`,
    );
    expect(logged).toHaveBeenCalledWith(
      expect.stringContaining("[lifecycle sweep] retailer policies failed"),
      expect.any(Error),
    );

    // Mended: the next sweep does what failed, and reports nothing failed.
    broken = null;
    policiesDown = false;
    const next = runLifecycleSweep();
    expect(next.failures).toEqual([]);
    expect(describeSweep(next)).not.toContain("Failed");
  });

  it("a reminder item that throws does not hold back the others", () => {
    const logged = vi.spyOn(console, "error").mockImplementation(() => {});
    broken = watch;
    const now = new Date(sealBySerial(cam)!.validUntil.getTime() - 29 * 24 * HOUR_MS); // the cam seal's 30-day expiry reminder
    const report = sendReminders(now);
    expect(report.failed).toContainEqual({
      item: `the recurring evidence of seal ${watch}`,
      error: `schedule of ${watch} unreadable`,
    });
    expect(report.keys).toEqual(
      expect.arrayContaining([expect.stringMatching(new RegExp(`^reminder:seal:${cam}:expiry:`))]),
    );
    expect(logged).toHaveBeenCalled();
  });
});
