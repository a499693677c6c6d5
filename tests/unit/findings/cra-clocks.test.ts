// CRA Article 14 (Regulation (EU) 2024/2847) reporting clocks: pure rules, with a moved clock.
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import {
  addMonthUtc,
  ARTICLE_14_APPLIES_FROM,
  ARTICLE_14_APPLIES_FROM_TEXT,
  checkAwareAt,
  craClocks,
  CRA_STATE_LABELS,
  craFlaggedNotice,
  craFlagUnderArticle14,
  craHandledLine,
  craPublicFlagOf,
  HOUR_MS,
  type AuthoritySubmission,
  type CraFacts,
} from "../../../app/features/findings/domain/cra-clocks";

const aware = new Date("2026-12-01T10:00:00Z");
const at = (iso: string) => new Date(iso);
const exploited = (over: Partial<CraFacts> = {}): CraFacts => ({
  activelyExploited: true,
  severeIncident: false,
  exploitedAwareAt: aware,
  incidentAwareAt: null,
  fixAvailableAt: null,
  submissions: [],
  ...over,
});
const sub = (
  kind: AuthoritySubmission["kind"],
  iso: string,
  subject: AuthoritySubmission["subject"] = "vulnerability",
): AuthoritySubmission => ({
  subject,
  kind,
  submittedAt: at(iso),
  reference: `ENISA-${kind}`,
});
const byKind = (facts: CraFacts, now: Date, subject: AuthoritySubmission["subject"] = "vulnerability") => {
  const r = craClocks(facts, now)!;
  return Object.fromEntries(r.clocks.filter((c) => c.subject === subject).map((c) => [c.kind, c]));
};

describe("not flagged", () => {
  it("has no clocks", () => {
    expect(craClocks({ ...exploited(), activelyExploited: false }, aware)).toBeNull();
  });
  it("a flagged report needs the time the supplier became aware", () => {
    expect(() => craClocks(exploited({ exploitedAwareAt: null }), aware)).toThrow(RangeError);
    expect(() => craClocks(exploited({ severeIncident: true }), aware)).toThrow(RangeError); // no incident time
  });
});

describe("Article 14(2)(a): early warning within 24 hours of becoming aware", () => {
  it("is due 24 h after awareness, due soon in its last 6 hours, overdue after", () => {
    expect(byKind(exploited(), aware).early_warning.dueAt).toEqual(at("2026-12-02T10:00:00Z"));
    expect(byKind(exploited(), aware).early_warning.article).toBe("Article 14(2)(a)");
    expect(byKind(exploited(), at("2026-12-02T03:59:00Z")).early_warning.state).toBe("due");
    expect(byKind(exploited(), at("2026-12-02T04:00:00Z")).early_warning.state).toBe("due_soon");
    expect(byKind(exploited(), at("2026-12-02T10:00:00Z")).early_warning.state).toBe("due_soon");
    expect(byKind(exploited(), at("2026-12-02T10:00:01Z")).early_warning.state).toBe("overdue");
  });
  it("is done on time when submitted by the deadline, late after it", () => {
    const onTime = exploited({ submissions: [sub("early_warning", "2026-12-02T09:00:00Z")] });
    expect(byKind(onTime, at("2026-12-10T00:00:00Z")).early_warning.state).toBe("done_on_time");
    const late = exploited({ submissions: [sub("early_warning", "2026-12-02T11:00:00Z")] });
    expect(byKind(late, at("2026-12-10T00:00:00Z")).early_warning.state).toBe("done_late");
  });
});

describe("Article 14(2)(b): vulnerability notification within 72 hours", () => {
  it("is due 72 h after awareness", () => {
    const c = byKind(exploited(), at("2026-12-03T00:00:00Z")).notification;
    expect(c.dueAt).toEqual(at("2026-12-04T10:00:00Z"));
    expect(c.state).toBe("due");
    expect(byKind(exploited(), at("2026-12-04T10:00:00.001Z")).notification.state).toBe("overdue");
  });
});

describe("Article 14(2)(c): final report 14 days after a corrective measure is available", () => {
  it("waits for a fix, then is due 14 days after it", () => {
    const waiting = byKind(exploited(), aware).final_report;
    expect(waiting.state).toBe("waiting");
    expect(waiting.dueAt).toBeNull();
    expect(waiting.waitingFor).toMatch(/fix/);
    const fixed = exploited({ fixAvailableAt: at("2026-12-05T12:00:00Z") });
    expect(byKind(fixed, at("2026-12-10T00:00:00Z")).final_report.dueAt).toEqual(at("2026-12-19T12:00:00Z"));
    expect(byKind(fixed, at("2026-12-17T00:00:00Z")).final_report.state).toBe("due_soon");
    expect(byKind(fixed, at("2026-12-20T00:00:00Z")).final_report.state).toBe("overdue");
  });
  // The final report is due 14 days after the later of the fix and the awareness, never before the
  // notification's own due time (72 h after awareness).
  it.each([
    ["fix after awareness", "2026-12-05T12:00:00Z", "2026-12-19T12:00:00Z"],
    ["fix at awareness", "2026-12-01T10:00:00Z", "2026-12-15T10:00:00Z"],
    ["fix before awareness (a report fixed, then flagged)", "2026-10-20T09:00:00Z", "2026-12-15T10:00:00Z"],
    ["fix long before awareness", "2026-09-11T00:00:00Z", "2026-12-15T10:00:00Z"],
  ])("%s: due %s + 14 days, counted from the later one", (_, fix, due) => {
    const c = byKind(exploited({ fixAvailableAt: at(fix) }), aware).final_report;
    expect(c.dueAt).toEqual(at(due));
    expect(c.dueAt!.getTime()).toBeGreaterThanOrEqual(byKind(exploited(), aware).notification.dueAt!.getTime());
    expect(c.state).toBe("due"); // never overdue the moment it is flagged
  });
});

describe("Article 14(4): severe incidents", () => {
  const severe = (over: Partial<CraFacts> = {}) =>
    exploited({
      activelyExploited: false,
      exploitedAwareAt: null,
      severeIncident: true,
      incidentAwareAt: aware,
      ...over,
    });
  it("(4)(a) and (4)(b): 24 h and 72 h after awareness", () => {
    const c = byKind(severe(), aware, "incident");
    expect(c.early_warning.article).toBe("Article 14(4)(a)");
    expect(c.early_warning.dueAt).toEqual(new Date(aware.getTime() + 24 * HOUR_MS));
    expect(c.notification.dueAt).toEqual(new Date(aware.getTime() + 72 * HOUR_MS));
  });
  it("(4)(c): the final report is due one month after the incident notification", () => {
    expect(byKind(severe(), aware, "incident").final_report.waitingFor).toMatch(/incident notification/);
    const notified = severe({ submissions: [sub("notification", "2026-12-03T08:00:00Z", "incident")] });
    expect(byKind(notified, at("2026-12-04T00:00:00Z"), "incident").final_report.dueAt).toEqual(
      at("2027-01-03T08:00:00Z"),
    );
  });
  it("both flags: two notifications, each with its own start, its own submissions and its own final report", () => {
    // The exploitation known on 1 December; the incident only learnt of on 5 December.
    const both = exploited({
      severeIncident: true,
      incidentAwareAt: at("2026-12-05T10:00:00Z"),
      fixAvailableAt: at("2026-12-02T00:00:00Z"),
      submissions: [sub("early_warning", "2026-12-01T12:00:00Z"), sub("notification", "2026-12-03T08:00:00Z")],
    });
    const now = at("2026-12-05T12:00:00Z");
    const r = craClocks(both, now)!;
    expect(r.sets.map((s) => [s.subject, s.awareAt.toISOString()])).toEqual([
      ["vulnerability", "2026-12-01T10:00:00.000Z"],
      ["incident", "2026-12-05T10:00:00.000Z"],
    ]);
    const v = byKind(both, now, "vulnerability");
    expect(v.early_warning.state).toBe("done_on_time");
    expect(v.notification.state).toBe("done_on_time");
    expect(v.final_report.dueAt).toEqual(at("2026-12-16T00:00:00Z"));
    expect(v.final_report.article).toBe("Article 14(2)(c)");
    // The vulnerability's submissions do not count for the incident, whose clocks start at its own awareness.
    const i = byKind(both, now, "incident");
    expect(i.early_warning.dueAt).toEqual(at("2026-12-06T10:00:00Z"));
    expect(i.early_warning.state).toBe("due");
    expect(i.notification.dueAt).toEqual(at("2026-12-08T10:00:00Z"));
    expect(i.final_report.state).toBe("waiting");
    expect(i.final_report.article).toBe("Article 14(4)(c)");
    // What is next overall: the clock due first (the incident's early warning, before the vulnerability's final report).
    expect([r.next?.subject, r.next?.kind]).toEqual(["incident", "early_warning"]);
  });
});

describe("before Article 14 applied (11 September 2026)", () => {
  it("the date is the regulation's (Article 71(2)), as the EU CRA checklist says", () => {
    expect(ARTICLE_14_APPLIES_FROM.toISOString()).toBe("2026-09-11T00:00:00.000Z");
    const checklist = fs.readFileSync(path.resolve(__dirname, "../../../checklists/eu-cra-annex-i/2024.yaml"), "utf8");
    expect(checklist.replace(/\s+/g, " ")).toContain(
      `reporting under Article 14 from # ${ARTICLE_14_APPLIES_FROM_TEXT}`,
    );
  });
  it("awareness in August 2026: every clock is not applicable, never overdue, and nothing is next", () => {
    const august = exploited({ exploitedAwareAt: at("2026-08-20T10:00:00Z") });
    const r = craClocks(august, at("2026-12-01T00:00:00Z"))!;
    expect(r.sets[0].applicable).toBe(false);
    expect(r.clocks.map((c) => c.state)).toEqual(["not_applicable", "not_applicable", "not_applicable"]);
    expect(r.next).toBeNull();
    expect(CRA_STATE_LABELS.not_applicable).toBe("not applicable (before 11 September 2026)");
  });
  it("awareness from 11 September 2026 00:00 UTC runs the clocks", () => {
    const r = craClocks(exploited({ exploitedAwareAt: at("2026-09-11T00:00:00Z") }), at("2026-12-01T00:00:00Z"))!;
    expect(r.sets[0].applicable).toBe(true);
    expect(r.clocks[0].state).toBe("overdue");
    const before = craClocks(exploited({ exploitedAwareAt: at("2026-09-10T23:59:59Z") }), at("2026-12-01T00:00:00Z"))!;
    expect(before.clocks[0].state).toBe("not_applicable");
  });
  it("each flag on its own: an incident learnt of in September runs while the exploitation known in August does not", () => {
    const both = exploited({
      exploitedAwareAt: at("2026-08-20T10:00:00Z"),
      severeIncident: true,
      incidentAwareAt: at("2026-09-20T10:00:00Z"),
    });
    const r = craClocks(both, at("2026-09-20T12:00:00Z"))!;
    expect(r.sets.map((s) => s.applicable)).toEqual([false, true]);
    expect([r.next?.subject, r.next?.kind]).toEqual(["incident", "early_warning"]);
  });
});

describe("what is next", () => {
  it("is the first clock not done; null once all three are submitted", () => {
    expect(craClocks(exploited(), aware)!.next?.kind).toBe("early_warning");
    const two = exploited({
      submissions: [sub("early_warning", "2026-12-01T12:00:00Z"), sub("notification", "2026-12-02T12:00:00Z")],
    });
    expect(craClocks(two, aware)!.next?.kind).toBe("final_report");
    const all = exploited({
      fixAvailableAt: at("2026-12-05T00:00:00Z"),
      submissions: [
        sub("early_warning", "2026-12-01T12:00:00Z"),
        sub("notification", "2026-12-02T12:00:00Z"),
        sub("final_report", "2026-12-06T12:00:00Z"),
      ],
    });
    expect(craClocks(all, aware)!.next).toBeNull();
  });
});

describe("calendar month and awareness", () => {
  it("one month is clamped to the month's last day", () => {
    expect(addMonthUtc(at("2027-01-31T10:00:00Z"))).toEqual(at("2027-02-28T10:00:00Z"));
    expect(addMonthUtc(at("2028-01-31T10:00:00Z"))).toEqual(at("2028-02-29T10:00:00Z"));
    expect(addMonthUtc(at("2026-12-15T00:00:00Z"))).toEqual(at("2027-01-15T00:00:00Z"));
  });
  it("awareness cannot be in the future", () => {
    expect(checkAwareAt(at("2026-12-03T12:00:00Z"), at("2026-12-03T11:00:00Z")).ok).toBe(false);
    expect(checkAwareAt(aware, at("2026-12-03T11:00:00Z")).ok).toBe(true);
  });
  it("awareness cannot be before the day the report says it was reported", () => {
    const reported = at("2026-12-01T00:00:00Z");
    const now = at("2026-12-03T11:00:00Z");
    expect(checkAwareAt(at("2020-01-01T00:00:00Z"), now, reported)).toEqual({
      ok: false,
      message: "When you became aware cannot be before the report's date reported, 2026-12-01.",
    });
    expect(checkAwareAt(at("2026-11-30T23:59:00Z"), now, reported).ok).toBe(false);
    expect(checkAwareAt(reported, now, reported).ok).toBe(true);
    expect(checkAwareAt(at("2026-12-02T08:00:00Z"), now, reported).ok).toBe(true);
  });
  it("a clock waiting for its start says what it waits for as a clause, read after 'when'", () => {
    const c = byKind(exploited(), aware).final_report;
    expect(`when ${c.waitingFor}`).toBe("when a corrective or mitigating measure (a fix) is available");
  });
});

describe("what the report page says buyers see", () => {
  const flags = (over: Partial<Parameters<typeof craPublicFlagOf>[0]>) => ({
    activelyExploited: false,
    severeIncident: false,
    exploitedAwareAt: null,
    incidentAwareAt: null,
    ...over,
  });
  it("an incident-only report is the severe-incident line, as buyers are shown it; both flags read as exploited", () => {
    const incidentOnly = flags({ severeIncident: true, incidentAwareAt: aware });
    expect(craPublicFlagOf(incidentOnly)).toBe("incident");
    expect(craHandledLine(craPublicFlagOf(incidentOnly)!, "high")).toBe(
      "A severe incident affecting the product's security (high) is being handled (CRA Article 14)",
    );
    const both = { activelyExploited: true, severeIncident: true, exploitedAwareAt: aware, incidentAwareAt: aware };
    expect(craPublicFlagOf(both)).toBe("exploited");
    expect(craPublicFlagOf(flags({ activelyExploited: true, exploitedAwareAt: aware }))).toBe("exploited");
    expect(craPublicFlagOf(flags({}))).toBeNull();
  });
  it("awareness before 11 September 2026: the line names no Article 14 and says no report to the authority is due", () => {
    const september = at("2026-09-06T10:00:00Z");
    const exploitedEarly = flags({ activelyExploited: true, exploitedAwareAt: september });
    expect(craPublicFlagOf(exploitedEarly)).toBe("exploited_before_article_14");
    expect(craFlagUnderArticle14("exploited_before_article_14")).toBe(false);
    const line = craHandledLine("exploited_before_article_14", "low");
    expect(line).toBe(
      "A vulnerability (low) the supplier flagged as actively exploited is being handled (no report to the authority is due: the supplier became aware before 11 September 2026)",
    );
    expect(line).not.toContain("Article 14");
    expect(craHandledLine(craPublicFlagOf(flags({ severeIncident: true, incidentAwareAt: september }))!, "low")).toBe(
      "A severe incident affecting the product's security (low), flagged by the supplier, is being handled (no report to the authority is due: the supplier became aware before 11 September 2026)",
    );
    // Both flags, only the incident under Article 14: it reads as the incident being reported.
    expect(
      craPublicFlagOf({
        activelyExploited: true,
        severeIncident: true,
        exploitedAwareAt: september,
        incidentAwareAt: ARTICLE_14_APPLIES_FROM,
      }),
    ).toBe("incident");
    expect(craPublicFlagOf(flags({ activelyExploited: true, exploitedAwareAt: ARTICLE_14_APPLIES_FROM }))).toBe(
      "exploited",
    );
  });
});

describe("what the supplier is told on flagging", () => {
  it("one notice when every flag added is alike; per flag when Article 14 applies to one only", () => {
    expect(craFlaggedNotice([{ subject: "vulnerability", applicable: true }])).toBe(
      "Flagged: the CRA Article 14 reporting clocks are running.",
    );
    expect(craFlaggedNotice([{ subject: "incident", applicable: false }])).toBe(
      "Flagged. You became aware before 11 September 2026, when Article 14's reporting obligations began to apply: no report to the authority is due for it.",
    );
    expect(
      craFlaggedNotice([
        { subject: "vulnerability", applicable: false },
        { subject: "incident", applicable: true },
      ]),
    ).toBe(
      "Flagged. Actively exploited vulnerability: you became aware before 11 September 2026, when Article 14's reporting obligations began to apply: no report to the authority is due for it. Severe incident: the CRA Article 14 reporting clocks are running.",
    );
  });
});
