// Vulnerability reports and the disclosure clock against a real database and a moved clock:
// an overdue high finding suspends the seal (once, however often the sweeper runs, with a public
// reason that names no details); a verified fix reinstates it; a manual suspension is never
// lifted by the sweeper; deadlines follow the checklist and are extended only with a reason.
import crypto from "node:crypto";
import { and, eq } from "drizzle-orm";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { auditEvents, findings, products, productVersions, sealEvents } from "../../../db/schema";
import { testClock } from "../../../app/platform/clock.server";
import { DAY_MS } from "../../../app/features/findings/domain/findings";
import { FINDING_SUSPENSION_REASON } from "../../../app/features/monitoring/domain/automatic-suspension";
import { checkAuditChain } from "../../../app/platform/audit.server";
import { declareConflict } from "../../../app/features/accounts/conflicts.server";
import { db } from "../../../app/platform/db.server";
import { addProductVersion } from "../../../app/features/catalogue/products.server";
import {
  actOnFinding,
  extendFindingDeadline,
  findingView,
  listFindings,
  recordFinding,
} from "../../../app/features/findings/findings.server";
import {
  automaticHoldOf,
  changeSealStatusByHand,
  sweepAutomaticSuspensions,
} from "../../../app/features/monitoring/automatic-suspension.server";
import { runLifecycleSweep } from "../../../app/system/sweep.server";
import { changeSealStatus } from "../../../app/features/trust/seal-status.server";
import { sealBySerial } from "../../../app/features/certification/seals.server";
import { actorByEmail, asha, bram, grace } from "../../support/actors";
import { demoSealSerials } from "../../../app/demo/seed-seals.server";
import { seedDemoData } from "../../support/demo-seed";
import { verifySerial } from "../../../app/features/trust/verify.server";
import { keepRecurringFresh } from "../../fixtures/recurring";

let watch: { productId: string; versionId: string; serial: string };
const today = () => new Date(Date.now()).toISOString().slice(0, 10);
const events = (serial: string, kind: "suspended" | "reinstated") =>
  db()
    .select()
    .from(sealEvents)
    .where(and(eq(sealEvents.serial, serial), eq(sealEvents.kind, kind)))
    .all();
const version = (id: string) => db().select({ v: findings.version }).from(findings).where(eq(findings.id, id)).get()!.v;

beforeAll(async () => {
  await seedDemoData();
  const serial = demoSealSerials()["Gator Kids Watch 3 3.1.0"];
  const seal = sealBySerial(serial)!;
  const v = db().select().from(productVersions).where(eq(productVersions.id, seal.productVersionId)).get()!;
  watch = { productId: v.productId, versionId: v.id, serial };
  // The firmware the fixes below ship in is registered on the product: a fix is certified only for a version it has.
  for (const firmwareVersion of ["3.1.1", "3.1.2"])
    addProductVersion(grace(), watch.productId, { hardwareRevision: "C", firmwareVersion, appVersion: "", notes: "" });
});

describe("the demo findings", () => {
  it("one on the watch 10 days from its deadline; one overdue that suspended the demo camera's seal", async () => {
    const demo = listFindings(asha());
    const onWatch = demo.find((f) => f.product === "Gator Kids Watch 3")!;
    expect(onWatch).toMatchObject({ severity: "high", status: "open", blocking: false });
    expect(onWatch.clock.daysLeft).toBe(9); // a few minutes short of 10 whole days
    const onCam = demo.find((f) => f.product === "Brightnest Indoor Cam 1")!;
    expect(onCam).toMatchObject({ severity: "high", blocking: true });
    const cam = demoSealSerials()["Brightnest Indoor Cam 1 1.9.2"];
    expect(await verifySerial(cam)).toMatchObject({ status: "suspended", reason: FINDING_SUSPENSION_REASON });
    // This file moves the clock past the watch finding's deadline: withdraw it so each test controls its own findings.
    actOnFinding(asha(), onWatch.id, {
      action: "withdraw",
      note: "Set aside for this test run.",
      version: version(onWatch.id),
    });
    // ... and past the watch's recurring evidence due dates (ETSI EN 303 645 3.1.3-r1): keep them beyond this file's clock moves.
    await keepRecurringFresh(watch.serial, new Date(Date.now() + 400 * DAY_MS));
  });
});

afterEach(() => testClock.reset());

function report(severity: "critical" | "high" | "medium" | "low", title = "Pairing PIN can be brute-forced over BLE") {
  return recordFinding(asha(), {
    productId: watch.productId,
    versionIds: [watch.versionId],
    title,
    description: "The BLE pairing endpoint does not rate-limit PIN attempts, so the 6-digit PIN falls in hours.",
    severity,
    cvssVector: "CVSS:3.1/AV:A/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:N",
    confirmSeverity: "yes", // the vector rates 8.1 (high): a lower severity is on purpose here
    reporter: "A. Researcher",
    reportedOn: today(),
  });
}

describe("recording a finding", () => {
  it("the same form posted twice records one report (its id is the form's), and another assessor cannot reuse it", () => {
    const formId = crypto.randomUUID();
    const input = {
      formId,
      productId: watch.productId,
      versionIds: [watch.versionId],
      title: "Companion app logs the parent's session token",
      description:
        "The Android app writes the session token to logcat, readable by other apps on old Android versions.",
      severity: "medium" as const,
      reporter: "A. Researcher",
      reportedOn: today(),
    };
    const count = () => db().select().from(findings).where(eq(findings.title, input.title)).all().length;
    const audits = () => db().select().from(auditEvents).where(eq(auditEvents.targetId, formId)).all().length;
    expect(recordFinding(asha(), input)).toBe(formId);
    expect(recordFinding(asha(), input)).toBe(formId); // the second click: the same report, nothing new
    expect(count()).toBe(1);
    expect(audits()).toBe(1);
    expect(() => recordFinding(bram(), input)).toThrow(/This form was already used/);
    expect(count()).toBe(1);
    actOnFinding(asha(), formId, {
      action: "withdraw",
      note: "Recorded to test a double post.",
      version: version(formId),
    });
  });

  it("sets the deadline from the certified checklist's disclosure days and scores the CVSS vector", () => {
    const id = report("high");
    const f = db().select().from(findings).where(eq(findings.id, id)).get()!;
    // The watch's seal is for ETSI EN 303 645 3.1.3-r1, whose disclosure_days.high is what the deadline follows.
    expect(Math.round((f.deadline.getTime() - f.reportedAt.getTime()) / DAY_MS)).toBeGreaterThanOrEqual(30);
    expect(f.cvssScore).toBe(8.1);
    expect(f.status).toBe("open");
    expect(findingView(grace(), id).clock.overdue).toBe(false);
  });

  it("refuses what is wrong, naming the field, and a supplier or buyer cannot record one", () => {
    expect(() =>
      recordFinding(asha(), {
        productId: watch.productId,
        versionIds: [watch.versionId],
        title: "Bad vector here",
        description: "x".repeat(30),
        severity: "high",
        cvssVector: "CVSS:3.1/AV:X",
        reporter: "Someone",
        reportedOn: today(),
      }),
    ).toThrow(/AV|Attack Vector|metric/i);
    const other = db().select().from(products).where(eq(products.name, "Brightnest Smart Plug")).get()!;
    expect(() =>
      recordFinding(asha(), {
        productId: other.id,
        versionIds: [watch.versionId],
        title: "Wrong version",
        description: "x".repeat(30),
        severity: "low",
        reporter: "Someone",
        reportedOn: today(),
      }),
    ).toThrow(/versions of this product/);
    expect(() =>
      recordFinding(grace(), {
        productId: watch.productId,
        versionIds: [watch.versionId],
        title: "Self report",
        description: "x".repeat(30),
        severity: "low",
        reporter: "Me",
        reportedOn: today(),
      }),
    ).toThrow(/Only assessors/);
    expect(() =>
      recordFinding(asha(), {
        productId: watch.productId,
        versionIds: [watch.versionId],
        title: "Future",
        description: "x".repeat(30),
        severity: "low",
        reporter: "Me",
        reportedOn: "2999-01-01",
      }),
    ).toThrow(/future/);
    // A typo in the year is a message on the field, not a 500 from the advisory id (IOTSEAL-<four-digit year>-n).
    expect(() =>
      recordFinding(asha(), {
        productId: watch.productId,
        versionIds: [watch.versionId],
        title: "Ancient",
        description: "x".repeat(30),
        severity: "low",
        reporter: "Me",
        reportedOn: "0999-01-01",
      }),
    ).toThrow(expect.objectContaining({ code: "invalid", fieldErrors: { reportedOn: expect.stringMatching(/1970/) } }));
  });

  it("a supplier sees only its own findings; a buyer none", () => {
    expect(listFindings(grace()).every((f) => f.supplier === "Gator Wearables Ltd")).toBe(true);
    expect(listFindings(actorByEmail("supplier2@demo.test")).some((f) => f.product === "Gator Kids Watch 3")).toBe(
      false,
    );
    expect(() => listFindings(actorByEmail("buyer@demo.test"))).toThrow();
    const id = listFindings(grace())[0].id;
    expect(() => findingView(actorByEmail("supplier2@demo.test"), id)).toThrow(/No finding/);
  });
});

describe("the disclosure clock", () => {
  it("an overdue high finding suspends the seal once, with a reason that names no details; a verified fix reinstates it", async () => {
    const id = listFindings(grace(), { open: true }).find((f) => f.severity === "high")!.id;
    const deadline = db().select().from(findings).where(eq(findings.id, id)).get()!.deadline;
    testClock.set(deadline.getTime() - 60_000);
    expect(sweepAutomaticSuspensions().suspended).toEqual([]);
    testClock.set(deadline.getTime() + 60_000);
    expect(runLifecycleSweep().suspended).toEqual([watch.serial]);
    expect(runLifecycleSweep().suspended).toEqual([]); // idempotent
    expect(events(watch.serial, "suspended")).toHaveLength(1);
    expect(events(watch.serial, "suspended")[0]).toMatchObject({
      reason: FINDING_SUSPENSION_REASON,
      cause: `finding:${id}`,
    });
    const answer = await verifySerial(watch.serial);
    expect(answer).toMatchObject({ status: "suspended", reason: FINDING_SUSPENSION_REASON });
    expect(JSON.stringify(answer)).not.toContain("brute-forced");

    // An assessor cannot reinstate it by hand meanwhile: the next sweep would suspend it again.
    const title = db().select().from(findings).where(eq(findings.id, id)).get()!.title;
    expect(automaticHoldOf(watch.serial)).toContain(`the open high report "${title}", past its disclosure deadline`);
    expect(() =>
      changeSealStatusByHand(asha(), {
        serial: watch.serial,
        action: "reinstate",
        reason: "The supplier says it is fine.",
      }),
    ).toThrow(/^Not reinstated\. Held by the open high report/);
    expect(events(watch.serial, "reinstated")).toHaveLength(0);

    // The supplier answers; the fix is verified; the seal is reinstated at once.
    actOnFinding(grace(), id, { action: "acknowledge", note: "Reproduced.", version: version(id) });
    expect(() => actOnFinding(grace(), id, { action: "mark_fixed", note: "", version: version(id) })).toThrow(
      /firmware version/,
    );
    actOnFinding(grace(), id, {
      action: "mark_fixed",
      note: "Rate limit added.",
      fixedInVersion: "3.1.1",
      version: version(id),
    });
    expect((await verifySerial(watch.serial)).status).toBe("suspended"); // fixed but not verified: still open
    // Another role's action is forbidden (403), not a conflict.
    expect(() => actOnFinding(grace(), id, { action: "verify_fix", note: "", version: version(id) })).toThrow(
      expect.objectContaining({ code: "forbidden", message: "Only assessors can verify a fix." }),
    );
    actOnFinding(asha(), id, { action: "verify_fix", note: "Retested: 5 tries then lockout.", version: version(id) });
    expect((await verifySerial(watch.serial)).status).toBe("valid");
    expect(events(watch.serial, "reinstated")).toHaveLength(1);
    expect(automaticHoldOf(watch.serial)).toBeNull();
    expect(checkAuditChain().ok).toBe(true);
  });

  it("a medium finding past its deadline does not suspend", () => {
    const id = report("medium", "Verbose error messages on the companion API");
    const deadline = db().select().from(findings).where(eq(findings.id, id)).get()!.deadline;
    testClock.set(deadline.getTime() + DAY_MS);
    expect(sweepAutomaticSuspensions().suspended).toEqual([]);
  });

  it("an extension needs a reason and a later date, and moves the clock", () => {
    const id = report("critical", "Debug shell reachable over USB");
    const f = db().select().from(findings).where(eq(findings.id, id)).get()!;
    const later = new Date(f.deadline.getTime() + 20 * DAY_MS).toISOString().slice(0, 10);
    expect(() =>
      extendFindingDeadline(asha(), id, { deadline: later, reason: "short", version: version(id) }),
    ).toThrow();
    expect(() =>
      extendFindingDeadline(grace(), id, {
        deadline: later,
        reason: "The supplier would like more time.",
        version: version(id),
      }),
    ).toThrow(/Only assessors/);
    extendFindingDeadline(asha(), id, {
      deadline: later,
      reason: "The fix needs a hardware revision; agreed with the reporter.",
      version: version(id),
    });
    const moved = db().select().from(findings).where(eq(findings.id, id)).get()!;
    expect(moved.deadline.getTime()).toBeGreaterThan(f.deadline.getTime());
    // At 00:00 UTC of the day given, as an original deadline falls at 00:00 UTC of its day: the two read alike.
    expect(moved.deadline.toISOString()).toBe(`${later}T00:00:00.000Z`);
    expect(f.deadline.toISOString().slice(11)).toBe("00:00:00.000Z");
    expect(findingView(asha(), id).clock.daysLeft).toBe(Math.floor((moved.deadline.getTime() - Date.now()) / DAY_MS));
    testClock.set(f.deadline.getTime() + DAY_MS); // past the old deadline, before the new one
    expect(sweepAutomaticSuspensions().suspended).toEqual([]);
    actOnFinding(asha(), id, { action: "withdraw", note: "Duplicate of an earlier report.", version: version(id) });
  });

  it("never lifts a suspension an assessor made by hand", () => {
    changeSealStatus(asha(), {
      serial: watch.serial,
      action: "suspend",
      reason: "Suspended by hand while we check the supplier's claims.",
    });
    expect(sweepAutomaticSuspensions().reinstated).toEqual([]);
    expect(sealBySerial(watch.serial)!.state).toBe("suspended");
    changeSealStatus(asha(), { serial: watch.serial, action: "reinstate", reason: "Checked; reinstated by hand." });
  });
});

describe("refusals", () => {
  it("an action of another role is forbidden (403); one the status does not allow is a conflict (409)", () => {
    const id = report("low", "Debug logs include the Wi-Fi SSID");
    for (const [who, action, code, message] of [
      [grace, "verify_fix", "forbidden", "Only assessors can verify a fix."],
      [grace, "withdraw", "forbidden", "Only assessors can withdraw a finding."],
      [asha, "acknowledge", "forbidden", "Only suppliers can acknowledge a finding."],
      [asha, "verify_fix", "conflict", "A finding that is open cannot be verified fixed."],
    ] as const) {
      let error: unknown;
      try {
        actOnFinding(who(), id, { action, note: "Tried in the wrong role or state.", version: version(id) });
      } catch (e) {
        error = e;
      }
      expect(error, `${action} by ${who().email}`).toMatchObject({ code, message });
      expect((error as { status: number }).status).toBe(code === "forbidden" ? 403 : 409);
    }
    actOnFinding(asha(), id, { action: "withdraw", note: "Duplicate of an earlier report.", version: version(id) });
  });
});

describe("conflicts of interest", () => {
  it("an assessor with a declared conflict with the supplier cannot verify, reject or withdraw a report, nor extend its deadline", () => {
    const id = report("high", "Companion app stores the parent's token in plain text");
    actOnFinding(grace(), id, {
      action: "mark_fixed",
      note: "Token moved to the keystore.",
      fixedInVersion: "3.1.2",
      version: version(id),
    });
    const gator = db()
      .select({ org: products.organizationId })
      .from(products)
      .where(eq(products.id, watch.productId))
      .get()!.org;
    declareConflict(actorByEmail("admin@demo.test"), {
      assessorId: bram().userId,
      organizationId: gator,
      reason: "Advised Gator on its companion app this year.",
    });
    const before = db().select().from(findings).where(eq(findings.id, id)).get()!;
    for (const action of ["verify_fix", "reject_fix", "withdraw"] as const) {
      expect(() =>
        actOnFinding(bram(), id, { action, note: "Checked by the conflicted assessor.", version: version(id) }),
      ).toThrow(/declared conflict of interest with Gator Wearables Ltd/);
    }
    const later = new Date(before.deadline.getTime() + 20 * DAY_MS).toISOString().slice(0, 10);
    expect(() =>
      extendFindingDeadline(bram(), id, {
        deadline: later,
        reason: "The supplier asked for more time.",
        version: version(id),
      }),
    ).toThrow(/declared conflict of interest with Gator Wearables Ltd/);
    // Nothing changed: not certified (so not disclosed), same deadline; the conflicted assessor cannot open the report (issue 13.3).
    expect(db().select().from(findings).where(eq(findings.id, id)).get()).toEqual(before);
    expect(() => findingView(bram(), id)).toThrow(/declared conflict of interest/);
    // An assessor without a conflict still can.
    actOnFinding(asha(), id, { action: "verify_fix", note: "Retested: token in the keystore.", version: version(id) });
    expect(db().select({ s: findings.status }).from(findings).where(eq(findings.id, id)).get()!.s).toBe(
      "verified_fixed",
    );
  });
});
