// CRA Article 14 reporting (Regulation (EU) 2024/2847), against a real database and a moved clock:
// an awareness time is corrected with its own form and a flag ticked by mistake is removed (with a
// reason, audited) until a submission of it is recorded; every form carries the report's version, so
// a stale page changes nothing; a severe incident added later has its own awareness time, clocks and
// submissions; the final report's deadline counts from the fix that stands, not from one the assessor
// rejected; awareness before 11 September 2026 starts no clock and no reminder; the same submission
// sent twice is recorded once.
import { and, eq, like } from "drizzle-orm";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  auditEvents,
  domainEvents,
  findingAuthorityReports,
  findings,
  notifications,
  productVersions,
} from "../../../db/schema";
import { testClock } from "../../../app/platform/clock.server";
import { db } from "../../../app/platform/db.server";
import { ServiceError } from "../../../app/platform/errors.server";
import { actOnFinding, recordFinding } from "../../../app/features/findings/findings.server";
import {
  correctCraAwareAt,
  craView,
  flagCraReport,
  recordAuthorityReport,
  removeCraFlag,
} from "../../../app/features/findings/cra-reporting.server";
import { sendReminders } from "../../../app/features/notifications/reminders.server";
import { sealBySerial } from "../../../app/features/certification/seals.server";
import { demoSealSerials } from "../../../app/demo/seed-seals.server";
import { seedDemoData } from "../../support/demo-seed";
import { asha, grace } from "../../support/actors";

let watch: { productId: string; versionId: string };

beforeAll(async () => {
  await seedDemoData();
  const seal = sealBySerial(demoSealSerials()["Gator Kids Watch 3 3.1.0"])!;
  const v = db().select().from(productVersions).where(eq(productVersions.id, seal.productVersionId)).get()!;
  watch = { productId: v.productId, versionId: v.id };
});

afterEach(() => testClock.reset());

/** A fresh report on the demo watch, recorded at `at` (the clock is left there). */
function report(title: string, reportedOn: string, at: string): string {
  testClock.set(Date.parse(at));
  return recordFinding(asha(), {
    productId: watch.productId,
    versionIds: [watch.versionId],
    title,
    description: "A description long enough for the form, about a flaw under embargo.",
    severity: "medium",
    reporter: "A researcher",
    reportedOn,
  });
}

const version = (id: string) => db().select({ v: findings.version }).from(findings).where(eq(findings.id, id)).get()!.v;
const row = (id: string) => db().select().from(findings).where(eq(findings.id, id)).get()!;
const audits = (id: string, action: string) =>
  db()
    .select()
    .from(auditEvents)
    .where(and(eq(auditEvents.action, action), eq(auditEvents.targetId, id)))
    .all()
    .map((a) => JSON.parse(a.details) as Record<string, unknown>);
const refusal = (fn: () => unknown): ServiceError => {
  try {
    fn();
  } catch (e) {
    if (e instanceof ServiceError) return e;
    throw e;
  }
  throw new Error("not refused");
};
const STALE = "Someone changed this finding meanwhile; reload the page and try again.";

describe("correcting when the supplier became aware, and removing a flag", () => {
  it("the correction has its own form and the page's version; the flag can be removed with a reason until a submission is recorded", () => {
    const id = report("Correctable exploited report", "2026-12-03", "2026-12-03T12:00:00Z");
    flagCraReport(grace(), id, { activelyExploited: "yes", awareAt: "2026-12-03T09:00", version: version(id) });
    const page = craView(grace(), id);
    expect(page).toMatchObject({ canCorrect: true, canUnflag: { vulnerability: true, incident: false } });
    expect(page.exploitedAwareAt!.toISOString()).toBe("2026-12-03T09:00:00.000Z");

    // A page drawn before the flag: refused, nothing changed.
    const stale = refusal(() =>
      correctCraAwareAt(grace(), id, {
        subject: "vulnerability",
        awareAt: "2026-12-03T08:00",
        version: page.version - 1,
      }),
    );
    expect([stale.code, stale.message]).toEqual(["conflict", STALE]);
    expect(row(id).exploitedAwareAt!.toISOString()).toBe("2026-12-03T09:00:00.000Z");

    // The same time again says so on the field; a flag the report does not have has no time to correct.
    const same = refusal(() =>
      correctCraAwareAt(grace(), id, { subject: "vulnerability", awareAt: "2026-12-03T09:00", version: page.version }),
    );
    expect(same.fieldErrors.awareAt).toBe(
      "That is already when you became aware (2026-12-03 09:00 UTC): enter the corrected time.",
    );
    expect(
      refusal(() =>
        correctCraAwareAt(grace(), id, { subject: "incident", awareAt: "2026-12-03T08:00", version: page.version }),
      ).message,
    ).toBe("This report is not flagged a severe incident: there is no time to correct.");

    correctCraAwareAt(grace(), id, { subject: "vulnerability", awareAt: "2026-12-03T08:00", version: page.version });
    expect(craView(grace(), id).clocks!.clocks[0].dueAt!.toISOString()).toBe("2026-12-04T08:00:00.000Z");
    expect(audits(id, "finding.cra_aware_corrected")).toEqual([
      { subject: "vulnerability", from: "2026-12-03T09:00:00.000Z", to: "2026-12-03T08:00:00.000Z" },
    ]);

    // Removed, with the reason: the clocks stop, audited with the time it had, one event.
    const events = db().select().from(domainEvents).all().length;
    removeCraFlag(grace(), id, {
      subject: "vulnerability",
      reason: "Ticked by mistake: the exploit seen was against another product.",
      version: version(id),
    });
    const after = craView(grace(), id);
    expect(after).toMatchObject({ activelyExploited: false, exploitedAwareAt: null, clocks: null, canFlag: true });
    expect(audits(id, "finding.cra_flag_removed")).toEqual([
      {
        subject: "vulnerability",
        awareAt: "2026-12-03T08:00:00.000Z",
        reason: "Ticked by mistake: the exploit seen was against another product.",
      },
    ]);
    expect(db().select().from(domainEvents).all().length).toBe(events + 1);
    expect(
      refusal(() =>
        removeCraFlag(grace(), id, {
          subject: "vulnerability",
          reason: "Once more, by mistake.",
          version: version(id),
        }),
      ).message,
    ).toBe("This report is not flagged actively exploited.");

    // Flagged again, then a submission recorded: from then on the flag stays.
    flagCraReport(grace(), id, { activelyExploited: "yes", awareAt: "2026-12-03T10:00", version: version(id) });
    recordAuthorityReport(grace(), id, {
      kind: "early_warning",
      submittedAt: "2026-12-03T11:00",
      reference: "ENISA-SRP-CORR-1",
      version: version(id),
    });
    expect(craView(grace(), id).canUnflag.vulnerability).toBe(false);
    const before = row(id);
    const kept = refusal(() =>
      removeCraFlag(asha(), id, { subject: "vulnerability", reason: "Not exploited after all.", version: version(id) }),
    );
    expect(kept.code).toBe("conflict");
    expect(kept.message).toBe(
      "The flag actively exploited cannot be removed: its early warning to the authority is recorded (submitted 2026-12-03 11:00 UTC, reference ENISA-SRP-CORR-1).",
    );
    expect(row(id)).toEqual(before);
  });
});

describe("a stale page never moves the awareness time", () => {
  it("re-flagging from a page opened earlier, with an earlier time, is refused; a recorded early warning stays on time", () => {
    const id = report("Stale page exploited report", "2026-12-03", "2026-12-03T12:00:00Z");
    const opened = version(id); // the supplier's second tab, drawn before the flag
    flagCraReport(grace(), id, { activelyExploited: "yes", awareAt: "2026-12-03T10:00", version: opened });
    testClock.set(Date.parse("2026-12-04T12:00:00Z"));
    recordAuthorityReport(grace(), id, {
      kind: "early_warning",
      submittedAt: "2026-12-04T09:30",
      reference: "ENISA-SRP-STALE-1",
      version: version(id),
    });
    expect(craView(grace(), id).clocks!.clocks[0].state).toBe("done_on_time");
    const before = row(id);
    // The earlier tab posts its flag form: stale.
    const stale = refusal(() =>
      flagCraReport(grace(), id, { activelyExploited: "yes", awareAt: "2026-12-03T08:00", version: opened }),
    );
    expect([stale.code, stale.message]).toEqual(["conflict", STALE]);
    // Even with the current version, flagging again changes nothing: only the correction moves the time.
    const again = refusal(() =>
      flagCraReport(grace(), id, { activelyExploited: "yes", awareAt: "2026-12-03T08:00", version: version(id) }),
    );
    expect(again.message).toMatch(/^This report is already flagged actively exploited \(aware 2026-12-03 10:00 UTC\)/);
    expect(row(id)).toEqual(before);
    expect(craView(grace(), id).clocks!.clocks[0].state).toBe("done_on_time");
    // The submission form of a stale page is refused too.
    expect(
      refusal(() =>
        recordAuthorityReport(grace(), id, {
          kind: "notification",
          submittedAt: "2026-12-04T11:00",
          reference: "ENISA-SRP-STALE-2",
          version: opened,
        }),
      ).message,
    ).toBe(STALE);
  });
});

describe("the same submission sent twice", () => {
  it("is recorded once; the second says it is already recorded", () => {
    const id = report("Double-submitted exploited report", "2026-12-03", "2026-12-03T12:00:00Z");
    flagCraReport(grace(), id, { activelyExploited: "yes", awareAt: "2026-12-03T09:00", version: version(id) });
    const form = {
      kind: "early_warning" as const,
      submittedAt: "2026-12-03T11:00",
      reference: "ENISA-SRP-TWICE",
      version: version(id),
    };
    recordAuthorityReport(grace(), id, form);
    for (const v of [form.version, version(id)]) {
      const twice = refusal(() => recordAuthorityReport(grace(), id, { ...form, version: v }));
      expect([twice.code, twice.message]).toEqual([
        "conflict",
        "This submission is already recorded: early warning submitted 2026-12-03 11:00 UTC, reference ENISA-SRP-TWICE. Nothing was added.",
      ]);
    }
    const rows = db().select().from(findingAuthorityReports).where(eq(findingAuthorityReports.findingId, id)).all();
    expect(rows).toHaveLength(1);
    // Another reference (a second early warning really sent) is recorded.
    recordAuthorityReport(grace(), id, { ...form, reference: "ENISA-SRP-TWICE-2", version: version(id) });
    expect(craView(grace(), id).reports.map((r) => r.reference)).toEqual(["ENISA-SRP-TWICE", "ENISA-SRP-TWICE-2"]);
  });
});

describe("a severe incident learnt of later is a notification of its own", () => {
  it("asks for the incident's awareness time, runs its own clocks, and takes its own submissions", () => {
    const id = report("Exploited, later an incident", "2026-12-01", "2026-12-01T12:00:00Z");
    flagCraReport(grace(), id, { activelyExploited: "yes", awareAt: "2026-12-01T10:00", version: version(id) });
    testClock.set(Date.parse("2026-12-01T21:00:00Z"));
    recordAuthorityReport(grace(), id, {
      kind: "early_warning",
      submittedAt: "2026-12-01T20:00",
      reference: "ENISA-SRP-VULN-1",
      version: version(id),
    });
    // Four days later the supplier learns the exploitation became a severe incident.
    testClock.set(Date.parse("2026-12-05T12:00:00Z"));
    const badTime = refusal(() =>
      flagCraReport(grace(), id, { severeIncident: "yes", incidentAwareAt: "2026-12-06T10:00", version: version(id) }),
    );
    expect(badTime.fieldErrors).toEqual({ incidentAwareAt: "When you became aware cannot be in the future." });
    flagCraReport(grace(), id, { severeIncident: "yes", incidentAwareAt: "2026-12-05T10:00", version: version(id) });
    const view = craView(grace(), id);
    expect(view.exploitedAwareAt!.toISOString()).toBe("2026-12-01T10:00:00.000Z");
    expect(view.incidentAwareAt!.toISOString()).toBe("2026-12-05T10:00:00.000Z");
    expect(
      view.clocks!.sets.map((s) => [
        s.subject,
        s.clocks[0].article,
        s.clocks[0].dueAt!.toISOString(),
        s.clocks[0].state,
      ]),
    ).toEqual([
      ["vulnerability", "Article 14(2)(a)", "2026-12-02T10:00:00.000Z", "done_on_time"],
      ["incident", "Article 14(4)(a)", "2026-12-06T10:00:00.000Z", "due"],
    ]);
    expect(audits(id, "finding.cra_flagged").at(-1)).toEqual({
      activelyExploited: true,
      severeIncident: true,
      exploitedAwareAt: "2026-12-01T10:00:00.000Z",
      incidentAwareAt: "2026-12-05T10:00:00.000Z",
    });

    // Flagged both ways: a submission names which notification it belongs to.
    const which = refusal(() =>
      recordAuthorityReport(grace(), id, {
        kind: "early_warning",
        submittedAt: "2026-12-05T11:00",
        reference: "ENISA-SRP-INC-1",
        version: version(id),
      }),
    );
    expect(which.fieldErrors).toEqual({
      subject: "Choose whether it concerns the actively exploited vulnerability or the severe incident.",
    });
    // Before the incident's awareness: refused.
    expect(
      refusal(() =>
        recordAuthorityReport(grace(), id, {
          kind: "early_warning",
          subject: "incident",
          submittedAt: "2026-12-04T11:00",
          reference: "ENISA-SRP-INC-0",
          version: version(id),
        }),
      ).fieldErrors.submittedAt,
    ).toBe("The submission cannot be before the supplier became aware.");
    recordAuthorityReport(grace(), id, {
      kind: "early_warning",
      subject: "incident",
      submittedAt: "2026-12-05T11:00",
      reference: "ENISA-SRP-INC-1",
      version: version(id),
    });
    const after = craView(grace(), id);
    expect(after.clocks!.sets.map((s) => s.clocks.map((c) => c.state))).toEqual([
      ["done_on_time", "overdue", "waiting"],
      ["done_on_time", "due", "waiting"],
    ]);
    expect(after.reports.map((r) => [r.subject, r.reference])).toEqual([
      ["vulnerability", "ENISA-SRP-VULN-1"],
      ["incident", "ENISA-SRP-INC-1"],
    ]);
    // Each flag is removed on its own terms: the incident's has a submission now, so it stays.
    expect(after.canUnflag).toEqual({ vulnerability: false, incident: false });

    // The incident's reminders have keys of their own.
    testClock.set(Date.parse("2026-12-08T00:00:00Z")); // incident notification due 2026-12-08T10:00: due soon
    const keys = sendReminders().keys.filter((k) => k.startsWith(`reminder:cra:${id}:`));
    expect(keys).toContain(`reminder:cra:${id}:incident:notification:2026-12-08T10:00:00.000Z:due_soon`);
    expect(keys).toContain(`reminder:cra:${id}:notification:2026-12-04T10:00:00.000Z:overdue`);
    const titles = db()
      .select({ title: notifications.title })
      .from(notifications)
      .where(
        and(
          eq(notifications.userId, grace().userId),
          eq(notifications.key, `reminder:cra:${id}:incident:notification:2026-12-08T10:00:00.000Z:due_soon`),
        ),
      )
      .all();
    expect(titles[0].title).toMatch(/^CRA severe incident notification due /);
  });

  it("both flags at once, each with its own time", () => {
    const id = report("Exploited and an incident at once", "2026-12-03", "2026-12-03T12:00:00Z");
    flagCraReport(grace(), id, {
      activelyExploited: "yes",
      awareAt: "2026-12-03T08:00",
      severeIncident: "yes",
      incidentAwareAt: "2026-12-03T11:00",
      version: version(id),
    });
    const view = craView(grace(), id);
    expect(view.clocks!.sets.map((s) => s.clocks[1].dueAt!.toISOString())).toEqual([
      "2026-12-06T08:00:00.000Z",
      "2026-12-06T11:00:00.000Z",
    ]);
    expect(view.canFlag).toBe(false);
    // Removing the incident leaves the exploitation's clocks as they were.
    removeCraFlag(grace(), id, {
      subject: "incident",
      reason: "No incident: only the exploit attempt.",
      version: version(id),
    });
    expect(row(id)).toMatchObject({ activelyExploited: true, severeIncident: false, incidentAwareAt: null });
    expect(craView(grace(), id).clocks!.sets.map((s) => s.subject)).toEqual(["vulnerability"]);
  });
});

describe("the final report counts from the fix that stands", () => {
  it("a fix the assessor rejected starts nothing; the next fix starts the 14 days", () => {
    const id = report("Exploited, fix rejected once", "2026-12-03", "2026-12-03T12:00:00Z");
    flagCraReport(grace(), id, { activelyExploited: "yes", awareAt: "2026-12-03T09:00", version: version(id) });
    testClock.set(Date.parse("2026-12-05T00:00:00Z"));
    actOnFinding(grace(), id, { action: "mark_fixed", fixedInVersion: "3.2.0", note: "", version: version(id) });
    const final = () => craView(grace(), id).clocks!.clocks[2];
    expect(final().dueAt!.toISOString()).toBe("2026-12-19T00:00:00.000Z");
    testClock.set(Date.parse("2026-12-07T00:00:00Z"));
    actOnFinding(asha(), id, {
      action: "reject_fix",
      note: "The PIN can still be brute-forced in 3.2.0.",
      version: version(id),
    });
    expect(final()).toMatchObject({ state: "waiting", dueAt: null });
    testClock.set(Date.parse("2026-12-10T00:00:00Z"));
    actOnFinding(grace(), id, { action: "mark_fixed", fixedInVersion: "3.2.1", note: "", version: version(id) });
    expect(final().dueAt!.toISOString()).toBe("2026-12-24T00:00:00.000Z");
  });
});

describe("awareness before Article 14 applied (11 September 2026)", () => {
  it("a backdated report flagged with awareness in August 2026: not applicable, no reminders", () => {
    const id = report("Backdated exploited report", "2026-08-01", "2026-09-01T12:00:00Z");
    const flagged = flagCraReport(grace(), id, {
      activelyExploited: "yes",
      awareAt: "2026-08-20T10:00",
      version: version(id),
    });
    expect(flagged).toEqual({ flagged: [{ subject: "vulnerability", applicable: false }] });
    const view = craView(grace(), id);
    expect(view.clocks!.sets[0].applicable).toBe(false);
    expect(view.clocks!.clocks.map((c) => c.state)).toEqual(["not_applicable", "not_applicable", "not_applicable"]);
    expect(view.clocks!.next).toBeNull();
    for (const at of ["2026-09-01T13:00:00Z", "2026-12-01T00:00:00Z"]) {
      testClock.set(Date.parse(at));
      expect(sendReminders().keys.filter((k) => k.startsWith(`reminder:cra:${id}:`))).toEqual([]);
    }
    expect(
      db()
        .select()
        .from(notifications)
        .where(like(notifications.key, `reminder:cra:${id}:%`))
        .all(),
    ).toEqual([]);
    // Awareness corrected to after 11 September: the clocks run (and are reminded of).
    testClock.set(Date.parse("2026-09-12T20:00:00Z"));
    correctCraAwareAt(grace(), id, { subject: "vulnerability", awareAt: "2026-09-12T00:00", version: version(id) });
    expect(craView(grace(), id).clocks!.clocks[0].state).toBe("due_soon");
    expect(sendReminders().keys).toContain(`reminder:cra:${id}:early_warning:2026-09-13T00:00:00.000Z:due_soon`);
  });
});

describe("what the page's forms cannot do on a withdrawn report", () => {
  it("no correction, no removal", () => {
    const id = report("Withdrawn exploited report", "2026-12-03", "2026-12-03T12:00:00Z");
    flagCraReport(grace(), id, { activelyExploited: "yes", awareAt: "2026-12-03T09:00", version: version(id) });
    actOnFinding(asha(), id, { action: "withdraw", note: "A duplicate of another report.", version: version(id) });
    expect(craView(grace(), id)).toMatchObject({
      canCorrect: false,
      canUnflag: { vulnerability: false, incident: false },
    });
    expect(
      refusal(() =>
        correctCraAwareAt(grace(), id, { subject: "vulnerability", awareAt: "2026-12-03T08:00", version: version(id) }),
      ).code,
    ).toBe("conflict");
    expect(
      refusal(() =>
        removeCraFlag(grace(), id, { subject: "vulnerability", reason: "A duplicate report.", version: version(id) }),
      ).code,
    ).toBe("conflict");
  });
});
