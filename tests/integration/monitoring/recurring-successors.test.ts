// Recurring evidence when a seal is rejected, replaced or renewed, against a real database and a
// moved clock (the demo watch's 5.2-3 scan is due in 10 days):
//  - a rejection tells the supplier what it means now: the due date, the grace period's end, or
//    (the grace period over) that the seal is suspended, which it is at once;
//  - a re-certification of the seal suspended for that scan carries 5.2-3's verdict over unreviewed:
//    its clock runs on from the replaced seal (still overdue: the new seal is suspended at issue, and the
//    public page names the earlier seal), while 5.2-1, reviewed afresh, starts at the new issue;
//  - once that seal is renewed, it is no longer monitored: its suspension for overdue evidence is
//    kept as recorded (never lifted as if evidence came), and once lifted by hand nothing suspends
//    it again; no reminders, no dashboard row, the supplier's page says why.
import { and, eq, like } from "drizzle-orm";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { Readable } from "node:stream";
import { notifications, productVersions, sealEvents, submissions } from "../../../db/schema";
import { testClock } from "../../../app/platform/clock.server";
import { db } from "../../../app/platform/db.server";
import { formatDate } from "../../../app/platform/format";
import { DAY_MS } from "../../../app/features/findings/domain/findings";
import { actOnFinding, listFindings } from "../../../app/features/findings/findings.server";
import { addProductVersion } from "../../../app/features/catalogue/products.server";
import { store } from "../../../app/features/certification/evidence.server";
import { sealBySerial } from "../../../app/features/certification/seals.server";
import {
  markRequirementChanged,
  startRecertification,
} from "../../../app/features/certification/recertification.server";
import {
  confirmApproval,
  proposeApproval,
  recordVerdict,
  takeSubmission,
} from "../../../app/features/certification/review.server";
import { startRenewal, submitSubmission } from "../../../app/features/certification/submissions.server";
import { answerFacts, requirementsInScope } from "../../../app/features/certification/submission-records.server";
import {
  changeSealStatusByHand,
  sweepAutomaticSuspensions,
} from "../../../app/features/monitoring/automatic-suspension.server";
import { RECURRING_REINSTATE_REASON } from "../../../app/features/monitoring/domain/automatic-suspension";
import {
  decideRecurringEvidence,
  preflightRecurringUpload,
  publicRecurringStatus,
  recurringEvidenceView,
  recurringQueue,
  submitRecurringEvidence,
  supplierRecurringDue,
  supplierRecurringView,
} from "../../../app/features/monitoring/recurring-evidence.server";
import { sendReminders } from "../../../app/features/notifications/reminders.server";
import { verifySerial } from "../../../app/features/trust/verify.server";
import { seedDemoData } from "../../support/demo-seed";
import { demoSealSerials } from "../../../app/demo/seed-seals.server";
import { asha, bram, grace } from "../../support/actors";
import { submissionVersion as version } from "../../support/submissions";

const SCAN_REASON = "Recurring evidence overdue: 5.2-3 Continuous vulnerability monitoring.";

let watch: string; // the demo watch's seal (firmware 3.1.0)
let recert: string; // its re-certification (firmware 3.1.1)
let renewed: string; // the renewal of the re-certification's seal
let dueAt: Date; // of 5.2-3 on the watch's seal
let graceEndsAt: Date;

const itemOf = (serial: string, ref: string) =>
  supplierRecurringView(grace(), serial).items.find((i) => i.ref === ref)!;
const state = (serial: string) => sealBySerial(serial)!.state;
const lastEvent = (serial: string, kind: "suspended" | "reinstated") =>
  db()
    .select()
    .from(sealEvents)
    .where(and(eq(sealEvents.serial, serial), eq(sealEvents.kind, kind)))
    .all()
    .at(-1);
const rejectionNotice = (id: string) =>
  db()
    .select()
    .from(notifications)
    .where(and(eq(notifications.userId, grace().userId), eq(notifications.key, `recurring:${id}:rejected`)))
    .get()!;

async function send(serial: string, ref: string, note = "Quarterly external scan of the production back end.") {
  const received = await store().receive(Readable.from([Buffer.from(`${ref} ${serial} ${Date.now()}\n`)]), 1 << 20);
  return submitRecurringEvidence(grace(), serial, { ref, note }, { originalName: "scan.txt", received });
}

const reject = (id: string) =>
  decideRecurringEvidence(asha(), id, { decision: "reject", comment: "This scans staging, not production." });

/** Passes every requirement in scope (agreeing with each "not applicable" claim), proposes, and a second assessor confirms. */
async function approveInFull(id: string): Promise<string> {
  const s = db().select().from(submissions).where(eq(submissions.id, id)).get()!;
  const facts = answerFacts(db(), id);
  for (const req of requirementsInScope(db(), s.checklistVersionId, s.targetLevel))
    recordVerdict(
      asha(),
      id,
      req.ref,
      facts.get(req.ref)?.claim === "not_applicable"
        ? {
            verdict: "not_applicable",
            comment: "Agreed.",
            accepted: req.applicability === "advisory",
            version: version(id),
          }
        : { verdict: "pass", comment: "", accepted: false, version: version(id) },
    );
  proposeApproval(asha(), id, version(id), "Reviewed.");
  return confirmApproval(bram(), id, version(id), "Confirmed.");
}

beforeAll(async () => {
  await seedDemoData();
  watch = demoSealSerials()["Gator Kids Watch 3 3.1.0"];
  ({ dueAt, graceEndsAt } = itemOf(watch, "5.2-3"));
  // The demo's findings on the watch would suspend it as the clock moves: set aside.
  for (const f of listFindings(asha(), { open: true }).filter((x) => x.product === "Gator Kids Watch 3"))
    actOnFinding(asha(), f.id, { action: "withdraw", note: "Set aside for this test run.", version: f.version });
});

afterEach(() => testClock.reset());

describe("a rejection says what it means for the seal now", () => {
  it('not yet due: the due date, never "before it is overdue"', () => {
    const waiting = recurringQueue(asha()).find((r) => r.serial === watch && r.ref === "5.2-1")!; // the demo's
    const policy = itemOf(watch, "5.2-1");
    expect(reject(waiting.id)).toMatchObject({ status: "rejected", sealChange: null });
    const n = rejectionNotice(waiting.id);
    expect(n.body).toContain(
      `It is due on ${formatDate(policy.dueAt)}. New evidence must be sent before the grace period ends on ${formatDate(policy.graceEndsAt)}, or the seal will be suspended for it.`,
    );
    expect(n.body).not.toContain("before it is overdue");
  });

  it("in the grace period: names its end", async () => {
    testClock.set(dueAt.getTime() + DAY_MS);
    const sent = await send(watch, "5.2-3");
    testClock.set(dueAt.getTime() + 2 * DAY_MS);
    expect(recurringEvidenceView(asha(), sent.id).ifRejected).toBe(
      `It was due on ${formatDate(dueAt)}. New evidence must be sent before the grace period ends on ${formatDate(graceEndsAt)}, or the seal will be suspended for it.`,
    );
    expect(reject(sent.id)).toMatchObject({ sealChange: null });
    expect(rejectionNotice(sent.id).body).toContain(`the grace period ends on ${formatDate(graceEndsAt)}`);
    expect(state(watch)).toBe("active");
  });

  it("the grace period over: the assessor is warned, and rejecting suspends the seal at once; the notice says so", async () => {
    testClock.set(graceEndsAt.getTime() - DAY_MS);
    const sent = await send(watch, "5.2-3"); // in time: it holds the seal while it waits
    testClock.set(graceEndsAt.getTime() + DAY_MS);
    expect(sweepAutomaticSuspensions().suspended).toEqual([]);
    const view = recurringEvidenceView(asha(), sent.id);
    expect(view.ifRejected).toBe(
      `Its grace period ended on ${formatDate(graceEndsAt)}: the seal will be suspended until accepted evidence arrives.`,
    );
    expect(reject(sent.id)).toEqual({ status: "rejected", nextDueAt: null, sealChange: "suspend" });
    expect(state(watch)).toBe("suspended");
    expect(await verifySerial(watch)).toMatchObject({ status: "suspended", reason: SCAN_REASON });
    const body = rejectionNotice(sent.id).body;
    // The sweep's own suspension, said as such (a suspension by hand is worded otherwise: consequenceWords).
    expect(body).toContain(
      `Its grace period ended on ${formatDate(graceEndsAt)}: the seal is suspended while this evidence is overdue.`,
    );
    expect(body).not.toContain("before it is overdue");
    // The page after the decision says the same, from the record.
    expect(recurringEvidenceView(asha(), sent.id).consequenceNow).toMatch(/the seal is suspended/);
  });
});

describe("a re-certification of the suspended seal", () => {
  it("continues the clock of a requirement carried over unreviewed; one reviewed afresh starts at the new issue", async () => {
    testClock.set(graceEndsAt.getTime() + 2 * DAY_MS);
    const old = sealBySerial(watch)!;
    expect(old.state).toBe("suspended");
    const productId = db().select().from(productVersions).where(eq(productVersions.id, old.productVersionId)).get()!
      .productId;
    const newVersion = addProductVersion(grace(), productId, {
      hardwareRevision: "C",
      firmwareVersion: "3.1.1",
      appVersion: null,
      notes: "",
    });
    const id = startRecertification(grace(), {
      serial: watch,
      productVersionId: newVersion,
      changeSummary: "3.1.1 updates the pairing flow and the disclosure inbox.",
    });
    markRequirementChanged(grace(), id, "5.2-1", { changed: true, note: "The disclosure inbox moved to a new host." });
    submitSubmission(grace(), id);
    takeSubmission(asha(), id, version(id));
    recordVerdict(asha(), id, "5.2-1", {
      verdict: "pass",
      comment: "Re-checked.",
      accepted: false,
      version: version(id),
    });
    proposeApproval(asha(), id, version(id), "The changed requirement passes.");
    recert = await confirmApproval(bram(), id, version(id), "Confirmed.");
    expect(state(watch)).toBe("superseded");
    const issuedAt = sealBySerial(recert)!.issuedAt;

    // 5.2-3: carried over, so the scan is as overdue as it was on the replaced seal.
    const scan = itemOf(recert, "5.2-3");
    expect(scan).toMatchObject({
      lastAcceptedAt: old.issuedAt,
      dueAt,
      graceEndsAt,
      standing: "overdue",
      continuedFrom: watch,
      lastAccepted: null,
    });
    // 5.2-1: reviewed afresh in the re-certification, a fair new start.
    expect(itemOf(recert, "5.2-1")).toMatchObject({ lastAcceptedAt: issuedAt, continuedFrom: null, standing: "fresh" });

    // The new seal is suspended as soon as its issue commits, for the same requirement: no sweep needed.
    expect(state(recert)).toBe("suspended");
    expect(sweepAutomaticSuspensions().suspended).not.toContain(recert);
    expect(await verifySerial(recert)).toMatchObject({ status: "suspended", reason: SCAN_REASON });

    // The public page says where the clock comes from, not "at certification" of the new seal.
    const pub = publicRecurringStatus(recert)!.items.find((i) => i.ref === "5.2-3")!;
    expect(pub).toMatchObject({
      lastAcceptedAt: old.issuedAt,
      sinceIssue: true,
      continuedFrom: watch,
      standing: "overdue",
    });
    expect(publicRecurringStatus(recert)!.items.find((i) => i.ref === "5.2-1")).toMatchObject({
      lastAcceptedAt: issuedAt,
      continuedFrom: null,
    });
  });
});

describe("a renewed seal is no longer monitored for recurring evidence", () => {
  it("its automatic suspension for overdue evidence stays as recorded; the supplier's page says why", async () => {
    const at = graceEndsAt.getTime() + 3 * DAY_MS;
    testClock.set(at);
    // Evidence sent for the seal before its renewal: never checked once it is renewed.
    await send(recert, "5.2-3");
    renewed = await approveInFull(
      (() => {
        const id = startRenewal(grace(), recert);
        submitSubmission(grace(), id);
        takeSubmission(asha(), id, version(id));
        return id;
      })(),
    );
    expect(state(recert)).toBe("suspended"); // a renewal supersedes nothing
    const reason = lastEvent(recert, "suspended")!.reason;
    expect(sweepAutomaticSuspensions().reinstated).not.toContain(recert);
    expect(state(recert)).toBe("suspended");
    expect(lastEvent(recert, "suspended")!.reason).toBe(reason);
    expect(lastEvent(recert, "reinstated")?.reason).not.toBe(RECURRING_REINSTATE_REASON);

    const view = supplierRecurringView(grace(), recert);
    expect(view).toMatchObject({ monitored: false, canUpload: false });
    expect(view.notMonitored).toBe(`This seal was renewed by seal ${renewed}: send recurring evidence for that seal.`);
    await expect(() => preflightRecurringUpload(grace(), recert)).toBeRefused("conflict", /renewed by seal/);
    expect(recurringQueue(asha()).map((r) => r.serial)).not.toContain(recert);
    // The renewal was assessed in full: its clocks start at its issue.
    expect(itemOf(renewed, "5.2-3")).toMatchObject({ continuedFrom: null, standing: "fresh" });
  });

  it("lifted by hand, nothing suspends it again; no reminders, no dashboard row for it", () => {
    testClock.set(graceEndsAt.getTime() + 4 * DAY_MS);
    changeSealStatusByHand(asha(), {
      serial: recert,
      action: "reinstate",
      reason: "Renewed: checked on the new seal.",
    });
    expect(state(recert)).toBe("active");
    expect(itemOf(recert, "5.2-3").standing).toBe("overdue"); // as its dates stand; nobody is asked for it
    expect(sweepAutomaticSuspensions().suspended).not.toContain(recert);
    expect(state(recert)).toBe("active");

    const renewedScan = itemOf(renewed, "5.2-3");
    testClock.set(renewedScan.dueAt.getTime() - 7 * DAY_MS + 60_000); // the renewal's 7-day reminder
    sendReminders();
    const keys = db()
      .select({ key: notifications.key })
      .from(notifications)
      .where(like(notifications.key, "reminder:recurring:%"))
      .all()
      .map((r) => r.key);
    expect(keys.filter((k) => k.includes(recert))).toEqual([]);
    expect(keys.filter((k) => k.includes(renewed))).not.toEqual([]);
    expect(sweepAutomaticSuspensions().suspended).not.toContain(recert);

    const due = supplierRecurringDue(grace());
    expect(due.due.map((d) => d.serial)).not.toContain(recert);
    expect(due.due.filter((d) => d.ref === "5.2-3").map((d) => d.serial)).toEqual([renewed]);
    expect(due.monitored.map((m) => m.serial)).not.toContain(recert);
  });
});
