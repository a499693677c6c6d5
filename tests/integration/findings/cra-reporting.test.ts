// CRA Article 14 (Regulation (EU) 2024/2847) reporting on a vulnerability report, against a real
// database and a moved clock: the supplier flags a report actively exploited and sees the three
// deadlines; it records its submissions to the authority (validated, audited, one event each); a
// buyer watching the product sees only that an actively exploited vulnerability is being handled
// and its severity; the lifecycle sweep's reminders tell each clock's threshold once.
import { and, eq, like } from "drizzle-orm";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { auditEvents, domainEvents, findings, notifications, productVersions } from "../../../db/schema";
import { testClock } from "../../../app/platform/clock.server";
import { db } from "../../../app/platform/db.server";
import { ServiceError } from "../../../app/platform/errors.server";
import { actOnFinding, recordFinding } from "../../../app/features/findings/findings.server";
import {
  correctCraAwareAt,
  craView,
  flagCraReport,
  recordAuthorityReport,
} from "../../../app/features/findings/cra-reporting.server";
import { sealAdvisories, watchedProductAdvisories } from "../../../app/features/findings/advisories.server";
import { authorityReportInput, craFlagInput } from "../../../app/features/findings/forms";
import { sendReminders } from "../../../app/features/notifications/reminders.server";
import { watchBySerial } from "../../../app/features/retail/watchlist.server";
import { sealBySerial } from "../../../app/features/certification/seals.server";
import { demoSealSerials } from "../../../app/demo/seed-seals.server";
import { seedDemoData } from "../../support/demo-seed";
import { asha, buyer, grace, sam } from "../../support/actors";

const HOUR = 60 * 60 * 1000;
const AWARE = Date.parse("2026-12-03T09:00:00Z");
let watch: { productId: string; versionId: string; serial: string };
let reportId: string;

const TITLE = "Pairing PIN exploited in the wild to take over watches";

beforeAll(async () => {
  await seedDemoData();
  const serial = demoSealSerials()["Gator Kids Watch 3 3.1.0"];
  const seal = sealBySerial(serial)!;
  const v = db().select().from(productVersions).where(eq(productVersions.id, seal.productVersionId)).get()!;
  watch = { productId: v.productId, versionId: v.id, serial };
  testClock.set(AWARE + HOUR);
  reportId = recordFinding(asha(), {
    productId: watch.productId,
    versionIds: [watch.versionId],
    title: TITLE,
    description: "The pairing PIN can be brute-forced over BLE; attacks seen against customers' watches.",
    severity: "critical",
    reporter: "A researcher",
    reportedOn: "2026-12-03",
  });
  testClock.reset();
  watchBySerial(buyer(), { serial, label: "" });
});

afterEach(() => testClock.reset());

describe("flagging a report actively exploited (Article 14(2))", () => {
  it("validates the form: at least one flag, a real date", () => {
    expect(craFlagInput.safeParse({}).success).toBe(false);
    const bad = craFlagInput.safeParse({ activelyExploited: "yes", awareAt: "2026-13-45T10:00", version: "1" });
    expect(bad.success).toBe(false);
    expect(craFlagInput.safeParse({ activelyExploited: "yes", awareAt: "", version: "1" }).success).toBe(true);
  });

  it("refuses an awareness time in the future, another supplier and a buyer", () => {
    testClock.set(AWARE + 2 * HOUR);
    expect(() => flagCraReport(grace(), reportId, { activelyExploited: "yes", awareAt: "2026-12-03T12:00" })).toThrow(
      /cannot be in the future/,
    );
    // Nor before the day the report was reported (2026-12-03): years back, every clock would be overdue at once.
    let refused: unknown;
    try {
      flagCraReport(grace(), reportId, { activelyExploited: "yes", awareAt: "2020-01-01T00:00" });
    } catch (e) {
      refused = e;
    }
    expect(refused).toBeInstanceOf(ServiceError);
    expect((refused as ServiceError).code).toBe("invalid");
    expect((refused as ServiceError).fieldErrors).toEqual({
      awareAt: "When you became aware cannot be before the report's date reported, 2026-12-03.",
    });
    expect(() => flagCraReport(grace(), reportId, { activelyExploited: "yes", awareAt: "2026-12-02T23:59" })).toThrow(
      /cannot be before the report's date reported/,
    );
    expect(craView(grace(), reportId).clocks).toBeNull(); // nothing flagged by the refusals
    expect(() => flagCraReport(sam(), reportId, { activelyExploited: "yes" })).toThrow(ServiceError);
    expect(() => flagCraReport(buyer(), reportId, { activelyExploited: "yes" })).toThrow(ServiceError);
  });

  it("the supplier flags it; the page shows the three deadlines, moved clock", () => {
    testClock.set(AWARE + 2 * HOUR);
    const before = db().select().from(domainEvents).all().length;
    flagCraReport(grace(), reportId, { activelyExploited: "yes", awareAt: "2026-12-03T09:00" });
    const view = craView(grace(), reportId);
    expect(view.activelyExploited).toBe(true);
    expect(view.clocks!.clocks.map((c) => [c.kind, c.article, c.dueAt?.toISOString() ?? null, c.state])).toEqual([
      ["early_warning", "Article 14(2)(a)", "2026-12-04T09:00:00.000Z", "due"],
      ["notification", "Article 14(2)(b)", "2026-12-06T09:00:00.000Z", "due"],
      ["final_report", "Article 14(2)(c)", null, "waiting"],
    ]);
    // Audited, and one finding.changed through the outbox.
    const audit = db()
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.action, "finding.cra_flagged"), eq(auditEvents.targetId, reportId)))
      .all();
    expect(audit).toHaveLength(1);
    const after = db().select().from(domainEvents).all();
    expect(after.length).toBe(before + 1);
    expect(after.at(-1)!.type).toBe("finding.changed");
    // Flagging the same again is refused, saying so plainly; the clocks do not restart.
    expect(() => flagCraReport(grace(), reportId, { activelyExploited: "yes" })).toThrow(
      'This report is already flagged actively exploited (aware 2026-12-03 09:00 UTC): nothing was changed. To change when you became aware, use "Correct when you became aware".',
    );
    // Nor does flagging again with another time change it: only the correction does.
    expect(() => flagCraReport(grace(), reportId, { activelyExploited: "yes", awareAt: "2026-12-03T08:00" })).toThrow(
      /already flagged actively exploited/,
    );
    expect(craView(grace(), reportId).exploitedAwareAt!.toISOString()).toBe("2026-12-03T09:00:00.000Z");
    // A mistyped awareness time is corrected with its own form (audited with the time it replaces), within the same bounds.
    correctCraAwareAt(grace(), reportId, { subject: "vulnerability", awareAt: "2026-12-03T08:00" });
    expect(craView(grace(), reportId).clocks!.clocks[0].dueAt!.toISOString()).toBe("2026-12-04T08:00:00.000Z");
    const corrected = db()
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.action, "finding.cra_aware_corrected"), eq(auditEvents.targetId, reportId)))
      .all();
    expect(corrected.map((a) => JSON.parse(a.details))).toEqual([
      { subject: "vulnerability", from: "2026-12-03T09:00:00.000Z", to: "2026-12-03T08:00:00.000Z" },
    ]);
    expect(() =>
      correctCraAwareAt(grace(), reportId, { subject: "vulnerability", awareAt: "2020-01-01T00:00" }),
    ).toThrow(/cannot be before the report's date reported/);
    correctCraAwareAt(grace(), reportId, { subject: "vulnerability", awareAt: "2026-12-03T09:00" });
    expect(craView(grace(), reportId).exploitedAwareAt!.toISOString()).toBe("2026-12-03T09:00:00.000Z");
    // Later: the early warning is due soon, then overdue.
    testClock.set(Date.parse("2026-12-04T05:00:00Z"));
    expect(craView(grace(), reportId).clocks!.clocks[0].state).toBe("due_soon");
    testClock.set(Date.parse("2026-12-04T10:00:00Z"));
    expect(craView(grace(), reportId).clocks!.clocks[0].state).toBe("overdue");
  });
});

describe("recording submissions to the authority", () => {
  it("validates the fields with clear messages", () => {
    const r = authorityReportInput.safeParse({ kind: "x", submittedAt: "tomorrow", reference: "" });
    expect(r.success).toBe(false);
    const messages = r.error!.issues.map((i) => `${String(i.path[0])}: ${i.message}`);
    expect(messages.some((m) => m.startsWith("kind: Choose what was submitted"))).toBe(true);
    expect(messages.some((m) => m.startsWith("submittedAt: Enter when it was submitted"))).toBe(true);
    expect(messages.some((m) => m.startsWith("reference: Enter the reference"))).toBe(true);
  });

  it("records an early warning (late) and a notification (on time), audited", () => {
    testClock.set(Date.parse("2026-12-04T12:00:00Z"));
    expect(() =>
      recordAuthorityReport(grace(), reportId, {
        kind: "early_warning",
        submittedAt: "2026-12-05T10:00",
        reference: "ENISA-SRP-1",
      }),
    ).toThrow(/future/);
    recordAuthorityReport(grace(), reportId, {
      kind: "early_warning",
      submittedAt: "2026-12-04T11:00",
      reference: "ENISA-SRP-2026-0001",
    });
    recordAuthorityReport(asha(), reportId, {
      kind: "notification",
      submittedAt: "2026-12-04T11:30",
      reference: "ENISA-SRP-2026-0002",
    });
    const view = craView(grace(), reportId);
    expect(view.clocks!.clocks.map((c) => c.state)).toEqual(["done_late", "done_on_time", "waiting"]);
    expect(view.clocks!.next!.kind).toBe("final_report");
    expect(view.reports.map((r) => r.reference)).toEqual(["ENISA-SRP-2026-0001", "ENISA-SRP-2026-0002"]);
    const audit = db()
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.action, "finding.authority_report_recorded"), eq(auditEvents.targetId, reportId)))
      .all();
    expect(audit).toHaveLength(2);
    // The awareness time can no longer be corrected to after a submission already made.
    expect(() =>
      correctCraAwareAt(grace(), reportId, { subject: "vulnerability", awareAt: "2026-12-04T11:30" }),
    ).toThrow("When you became aware cannot be after the early warning submitted 2026-12-04 11:00 UTC.");
  });

  it("refuses a submission on a report not flagged", () => {
    testClock.set(Date.parse("2026-12-04T12:00:00Z"));
    const other = recordFinding(asha(), {
      productId: watch.productId,
      versionIds: [watch.versionId],
      title: "A plain report, not exploited",
      description: "A description long enough for the form, about a flaw under embargo.",
      severity: "low",
      reporter: "A researcher",
      reportedOn: "2026-12-04",
    });
    expect(() =>
      recordAuthorityReport(grace(), other, { kind: "early_warning", submittedAt: "2026-12-04", reference: "R-1" }),
    ).toThrow(/Flag the report/);
  });
});

describe("what a buyer sees before disclosure", () => {
  it("only that an actively exploited vulnerability is being handled, and its severity", () => {
    testClock.set(Date.parse("2026-12-04T12:00:00Z"));
    const seen = watchedProductAdvisories(buyer())[watch.productId];
    // This report and the demo watch's own high report (flagged actively exploited by the seed).
    expect([...seen.exploitedEmbargoed].sort()).toEqual(["critical", "high"]);
    const text = JSON.stringify(seen);
    expect(text).not.toContain(TITLE);
    expect(text).not.toContain("brute-forced");
    expect(text).not.toContain("ENISA-SRP");
    expect(text).not.toContain(reportId);
    // The public seal page: the watching buyer sees the fact and the severity; anyone else not even that.
    const page = sealAdvisories(buyer(), watch.serial)!;
    expect([...(page.exploitedEmbargoed ?? [])].sort()).toEqual(["critical", "high"]);
    expect(JSON.stringify(page)).not.toContain(TITLE);
    expect(sealAdvisories(null, watch.serial)!.exploitedEmbargoed).toBeUndefined();
    // The report itself stays closed to a buyer.
    expect(() => craView(buyer(), reportId)).toThrow(ServiceError);
  });

  it("a report flagged a severe incident only is shown as that, never as actively exploited", () => {
    testClock.set(Date.parse("2026-12-04T12:00:00Z"));
    const incident = recordFinding(asha(), {
      productId: watch.productId,
      versionIds: [watch.versionId],
      title: "Cloud account store breached through the watch's API",
      description: "A description long enough for the form, about an incident under embargo.",
      severity: "medium",
      reporter: "The supplier's own monitoring",
      reportedOn: "2026-12-04",
    });
    flagCraReport(grace(), incident, { severeIncident: "yes", incidentAwareAt: "2026-12-04T10:00" });
    const seen = watchedProductAdvisories(buyer())[watch.productId];
    expect(seen.incidentEmbargoed).toEqual(["medium"]);
    expect([...seen.exploitedEmbargoed].sort()).toEqual(["critical", "high"]); // unchanged: not exploited
    expect(sealAdvisories(buyer(), watch.serial)!.incidentEmbargoed).toEqual(["medium"]);
    const { version } = db()
      .select({ version: findings.version })
      .from(findings)
      .where(eq(findings.id, incident))
      .get()!;
    actOnFinding(asha(), incident, { action: "withdraw", note: "Recorded to test what buyers see.", version });
    expect(watchedProductAdvisories(buyer())[watch.productId].incidentEmbargoed).toEqual([]);
  });
});

describe("reminders from the lifecycle sweep (moved clock)", () => {
  const craKeys = (userId: string) =>
    db()
      .select({ key: notifications.key })
      .from(notifications)
      .where(and(eq(notifications.userId, userId), like(notifications.key, `reminder:cra:${reportId}:%`)))
      .all()
      .map((r) => r.key)
      .sort();

  it("tells the supplier and assessors once per threshold, never the buyer", async () => {
    // The final report starts once a fix is available (marked fixed), 14 days later.
    const { actOnFinding } = await import("../../../app/features/findings/findings.server");
    testClock.set(Date.parse("2026-12-05T00:00:00Z"));
    const version = db().select({ v: findings.version }).from(findings).where(eq(findings.id, reportId)).get()!.v;
    actOnFinding(grace(), reportId, { action: "mark_fixed", fixedInVersion: "3.2.0", note: "", version });
    const due = craView(grace(), reportId).clocks!.clocks[2].dueAt!;
    expect(due.toISOString()).toBe("2026-12-19T00:00:00.000Z");
    // Two days before: due soon (within 3 days), once however often the sweep runs.
    testClock.set(Date.parse("2026-12-17T00:00:00Z"));
    const first = sendReminders();
    expect(first.keys).toContain(`reminder:cra:${reportId}:final_report:${due.toISOString()}:due_soon`);
    expect(sendReminders().keys.filter((k) => k.startsWith("reminder:cra:"))).toEqual([]);
    // Past it: overdue, once.
    testClock.set(Date.parse("2026-12-19T00:00:01Z"));
    expect(sendReminders().keys).toContain(`reminder:cra:${reportId}:final_report:${due.toISOString()}:overdue`);
    expect(sendReminders().keys.filter((k) => k.startsWith("reminder:cra:"))).toEqual([]);
    expect(craKeys(grace().userId)).toEqual([
      `reminder:cra:${reportId}:final_report:${due.toISOString()}:due_soon`,
      `reminder:cra:${reportId}:final_report:${due.toISOString()}:overdue`,
    ]);
    expect(craKeys(asha().userId)).toHaveLength(2);
    expect(craKeys(buyer().userId)).toEqual([]);
    // Submitted: nothing more.
    testClock.set(Date.parse("2026-12-19T02:00:00Z"));
    recordAuthorityReport(grace(), reportId, {
      kind: "final_report",
      submittedAt: "2026-12-19T01:00",
      reference: "ENISA-SRP-2026-0003",
    });
    testClock.set(Date.parse("2026-12-25T00:00:00Z"));
    expect(sendReminders().keys.filter((k) => k.startsWith("reminder:cra:"))).toEqual([]);
    expect(craView(grace(), reportId).clocks!.next).toBeNull();
  });
});
