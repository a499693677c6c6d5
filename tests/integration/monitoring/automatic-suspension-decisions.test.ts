// Automatic suspension against a real database and a moved clock:
//  - a suspension made by hand is said to be lifted by staff, not automatically (the staff seal
//    page's hold, the supplier's recurring reminders), and staff can reinstate it once nothing holds it;
//  - a report's change decides the seals of its product versions in its own transaction;
//  - a suspension lifted because a report's deadline was extended says so, never that it was fixed;
//  - a suspended seal close to its expiry is offered for renewal on the supplier's dashboard.
import { and, desc, eq, isNull, like } from "drizzle-orm";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { domainEvents, findings, notifications, productVersions, sealEvents } from "../../../db/schema";
import { nowMs, testClock } from "../../../app/platform/clock.server";
import { db } from "../../../app/platform/db.server";
import { withoutAfterCommit } from "../../../app/platform/events.server";
import { formatDate } from "../../../app/platform/format";
import { DAY_MS } from "../../../app/features/findings/domain/findings";
import {
  FINDING_REINSTATE_REASON,
  FINDING_SUSPENSION_REASON,
} from "../../../app/features/monitoring/domain/automatic-suspension";
import { BY_HAND_UNTIL_ACCEPTED } from "../../../app/features/monitoring/domain/recurring";
import { addProductVersion } from "../../../app/features/catalogue/products.server";
import {
  actOnFinding,
  extendFindingDeadline,
  listFindings,
  recordFinding,
} from "../../../app/features/findings/findings.server";
import { publishAdvisory } from "../../../app/features/findings/disclosure.server";
import {
  automaticHoldOf,
  changeSealStatusByHand,
  suspensionOriginOf,
} from "../../../app/features/monitoring/automatic-suspension.server";
import { supplierRecurringView } from "../../../app/features/monitoring/recurring-evidence.server";
import { sendReminders } from "../../../app/features/notifications/reminders.server";
import { changeSealStatus } from "../../../app/features/trust/seal-status.server";
import { sealBySerial } from "../../../app/features/certification/seals.server";
import { expiringSeals, startRenewal } from "../../../app/features/certification/submissions.server";
import { runLifecycleSweep } from "../../../app/system/sweep.server";
import { verifySerial } from "../../../app/features/trust/verify.server";
import { demoSealSerials } from "../../../app/demo/seed-seals.server";
import { seedDemoData } from "../../support/demo-seed";
import { keepRecurringFresh } from "../../fixtures/recurring";
import { asha, grace } from "../../support/actors";

let watch: { productId: string; versionId: string; serial: string };
const ymd = (d: Date) => d.toISOString().slice(0, 10);
const version = (id: string) => db().select({ v: findings.version }).from(findings).where(eq(findings.id, id)).get()!.v;
const deadlineOf = (id: string) =>
  db().select({ d: findings.deadline }).from(findings).where(eq(findings.id, id)).get()!.d;
const lastEvent = (kind: "suspended" | "reinstated") =>
  db()
    .select()
    .from(sealEvents)
    .where(and(eq(sealEvents.serial, watch.serial), eq(sealEvents.kind, kind)))
    .orderBy(desc(sealEvents.id))
    .get();
const state = () => sealBySerial(watch.serial)!.state;

/** A report on the watch's firmware: on the clock's day, or `daysAgo` days back (past a high report's 90-day deadline: public at once). */
function report(severity: "critical" | "high", title: string, daysAgo = 0) {
  return recordFinding(asha(), {
    productId: watch.productId,
    versionIds: [watch.versionId],
    title,
    description: "The BLE pairing endpoint does not rate-limit PIN attempts, so the 6-digit PIN falls in hours.",
    severity,
    reporter: "A. Researcher",
    reportedOn: ymd(new Date(nowMs() - daysAgo * DAY_MS)),
    ...(daysAgo > 90 ? { confirmPublic: "yes" as const } : {}),
  });
}

const withdraw = (id: string) =>
  actOnFinding(asha(), id, { action: "withdraw", note: "Set aside after this test.", version: version(id) });

function suspendByHand() {
  changeSealStatus(asha(), {
    serial: watch.serial,
    action: "suspend",
    reason: "Suspended by hand while we check the supplier's claims.",
  });
}

beforeAll(async () => {
  await seedDemoData();
  const serial = demoSealSerials()["Gator Kids Watch 3 3.1.0"];
  const seal = sealBySerial(serial)!;
  const v = db().select().from(productVersions).where(eq(productVersions.id, seal.productVersionId)).get()!;
  watch = { productId: v.productId, versionId: v.id, serial };
  addProductVersion(grace(), watch.productId, {
    hardwareRevision: "C",
    firmwareVersion: "3.1.1",
    appVersion: "",
    notes: "",
  });
  // The demo's report on the watch is set aside: each test controls its own reports.
  for (const f of listFindings(asha(), { open: true }).filter((x) => x.product === "Gator Kids Watch 3"))
    withdraw(f.id);
});

afterEach(() => testClock.reset());

describe("a suspension made by hand", () => {
  it("is held, is never lifted automatically, and staff reinstate it once nothing holds it", () => {
    suspendByHand();
    expect(suspensionOriginOf(watch.serial)).toBe("manual");
    const title = "Pairing PIN can be brute-forced over BLE";
    const id = report("high", title, 100);
    expect(lastEvent("suspended")!.cause).toBeNull(); // the person's suspension stays as it was recorded
    const held = automaticHoldOf(watch.serial)!;
    expect(held).toBe(
      `Held by the open high report "${title}", past its disclosure deadline of ${formatDate(deadlineOf(id))}. ` +
        "Reinstated by hand, the seal would be suspended again by the next lifecycle sweep. It was suspended by a person, " +
        "so it is not reinstated automatically: once nothing holds it (each report fixed and verified, withdrawn or given a later deadline), reinstate it here.",
    );
    expect(held).not.toContain("reinstated automatically once");
    expect(() =>
      changeSealStatusByHand(asha(), {
        serial: watch.serial,
        action: "reinstate",
        reason: "The supplier says it is fine.",
      }),
    ).toThrow(`Not reinstated. ${held}`);

    withdraw(id);
    expect(runLifecycleSweep().reinstated).not.toContain(watch.serial);
    expect(state()).toBe("suspended"); // nothing lifts a person's suspension but a person
    expect(automaticHoldOf(watch.serial)).toBeNull(); // so the page offers the Reinstate form again
    changeSealStatusByHand(asha(), {
      serial: watch.serial,
      action: "reinstate",
      reason: "Checked; reinstated by hand.",
    });
    expect(state()).toBe("active");
    expect(suspensionOriginOf(watch.serial)).toBeNull();
  });

  it("the supplier's recurring evidence reminders say accepted evidence alone does not reinstate it", () => {
    suspendByHand();
    const scan = supplierRecurringView(grace(), watch.serial).items.find((i) => i.ref === "5.2-3")!;
    const body = (t: string) =>
      db()
        .select({ body: notifications.body })
        .from(notifications)
        .where(like(notifications.key, `reminder:recurring:${watch.serial}:5.2-3:${ymd(scan.dueAt)}:${t}`))
        .get()?.body;
    sendReminders(new Date(scan.dueAt.getTime() + DAY_MS));
    expect(body("grace")).toContain(
      "After that the seal, suspended by an assessor, cannot be reinstated until accepted evidence arrives.",
    );
    sendReminders(new Date(scan.graceEndsAt.getTime() + DAY_MS));
    expect(body("overdue")).toContain(`grace ended): ${BY_HAND_UNTIL_ACCEPTED}`);
    expect(body("overdue")).not.toContain("the seal is suspended until accepted evidence arrives");
    changeSealStatus(asha(), { serial: watch.serial, action: "reinstate", reason: "Checked; reinstated by hand." });
  });
});

describe("a report's change decides its seals in its own transaction", () => {
  beforeAll(async () => {
    // This part moves the clock past the watch's recurring due dates: keep them beyond its clock moves.
    await keepRecurringFresh(watch.serial, new Date(Date.now() + 400 * DAY_MS));
  });

  it("a report recorded past its deadline suspends the seal in the same call; verifying the fix reinstates it", () => {
    // The after-commit follow-ups held back (as a crash or the demo seed would leave them): the decision is the change's own.
    const id = withoutAfterCommit(() => report("high", "Companion app accepts any TLS certificate", 100));
    expect(state()).toBe("suspended");
    expect(lastEvent("suspended")).toMatchObject({ reason: FINDING_SUSPENSION_REASON, cause: `finding:${id}` });
    const pending = db().select().from(domainEvents).where(isNull(domainEvents.handledAt)).all();
    expect(pending.filter((e) => e.type === "finding.changed")).toEqual([]);
    // The supplier's notice, written in the same transaction, says what is already so.
    const notice = db()
      .select({ body: notifications.body })
      .from(notifications)
      .where(eq(notifications.key, `report:${id}:recorded`))
      .get()!;
    expect(notice.body).toContain("The seal of the affected firmware is suspended until the fix is verified.");

    actOnFinding(grace(), id, { action: "acknowledge", note: "Reproduced.", version: version(id) });
    actOnFinding(grace(), id, {
      action: "mark_fixed",
      note: "Certificates are pinned.",
      fixedInVersion: "3.1.1",
      version: version(id),
    });
    expect(state()).toBe("suspended"); // a fix claimed is not verified
    withoutAfterCommit(() =>
      actOnFinding(asha(), id, { action: "verify_fix", note: "Retested: refused.", version: version(id) }),
    );
    expect(state()).toBe("active");
    expect(lastEvent("reinstated")).toMatchObject({ reason: FINDING_REINSTATE_REASON, cause: "finding:none" });
  });
});

describe("a suspension lifted by a deadline extension", () => {
  it("says the deadline was extended, with the new date, never that the report was fixed", async () => {
    const title = "Debug shell reachable over USB";
    const id = report("critical", title);
    // Published early, its deadline can still be extended after it has passed.
    publishAdvisory(grace(), id, { version: version(id), confirm: "yes" });
    const deadline = deadlineOf(id);
    testClock.set(deadline.getTime() + 3_600_000);
    expect(runLifecycleSweep().suspended).toEqual([watch.serial]);
    expect(automaticHoldOf(watch.serial)).toMatch(
      /It is reinstated automatically once nothing holds it \(each report fixed and verified, withdrawn or given a later deadline\)\.$/,
    );
    const later = ymd(new Date(deadline.getTime() + 20 * DAY_MS));
    extendFindingDeadline(asha(), id, {
      deadline: later,
      reason: "The fix needs a hardware revision; agreed with the reporter.",
      version: version(id),
    });
    expect(state()).toBe("active"); // at once, in the extension's transaction
    const reason = `The disclosure deadline of the report that held it was extended to ${formatDate(new Date(`${later}T00:00:00Z`))}.`;
    expect(lastEvent("reinstated")).toMatchObject({ reason, cause: "finding:none" });
    expect(reason).not.toContain(title);
    expect(await verifySerial(watch.serial)).toMatchObject({ status: "valid" });
    withdraw(id);
  });

  it("with another report that held it withdrawn meanwhile, says both", () => {
    // Later than everything the test before did (time only moves forward for the seal's history).
    testClock.set(Date.now() + 40 * DAY_MS);
    const first = report("high", "Companion API leaks the parent's email address", 100);
    expect(lastEvent("suspended")!.cause).toBe(`finding:${first}`);
    const second = report("critical", "Firmware update signature not checked");
    publishAdvisory(grace(), second, { version: version(second), confirm: "yes" });
    const deadline = deadlineOf(second);
    testClock.set(deadline.getTime() + 3_600_000);
    const before = db().select().from(sealEvents).where(eq(sealEvents.serial, watch.serial)).all().length;
    runLifecycleSweep(); // the second report holds it too: the same public reason, nothing restated
    withdraw(first);
    expect(state()).toBe("suspended"); // the second report still holds it
    expect(db().select().from(sealEvents).where(eq(sealEvents.serial, watch.serial)).all()).toHaveLength(before);
    const later = ymd(new Date(deadline.getTime() + 20 * DAY_MS));
    extendFindingDeadline(asha(), second, {
      deadline: later,
      reason: "The fix needs a signed bootloader; agreed with the reporter.",
      version: version(second),
    });
    expect(state()).toBe("active");
    expect(lastEvent("reinstated")!.reason).toBe(
      `No open security report is past its disclosure deadline any more: the deadline of one report that held it was extended to ${formatDate(new Date(`${later}T00:00:00Z`))}; the other was fixed and verified, or withdrawn.`,
    );
    withdraw(second);
  });
});

describe("renewing a suspended seal", () => {
  it("is offered on the supplier's dashboard once it is close to expiry, as for an active one", () => {
    suspendByHand();
    const validUntil = sealBySerial(watch.serial)!.validUntil;
    testClock.set(validUntil.getTime() - 30 * DAY_MS);
    expect(expiringSeals(grace()).find((e) => e.serial === watch.serial)).toMatchObject({
      state: "suspended",
      daysLeft: 30,
      renewal: null,
    });
    const id = startRenewal(grace(), watch.serial);
    expect(expiringSeals(grace()).find((e) => e.serial === watch.serial)?.renewal).toMatchObject({ id });
  });
});
