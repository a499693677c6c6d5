// CRA Article 14 (Regulation (EU) 2024/2847) reporting clocks: pure rules, with a moved clock.
import { describe, expect, it } from "vitest";
import {
  addMonthUtc,
  checkAwareAt,
  craClocks,
  HOUR_MS,
  type AuthoritySubmission,
  type CraFacts,
} from "../../../app/features/findings/domain/cra-clocks";

const aware = new Date("2026-12-01T10:00:00Z");
const at = (iso: string) => new Date(iso);
const exploited = (over: Partial<CraFacts> = {}): CraFacts => ({
  activelyExploited: true,
  severeIncident: false,
  awareAt: aware,
  fixAvailableAt: null,
  submissions: [],
  ...over,
});
const sub = (kind: AuthoritySubmission["kind"], iso: string): AuthoritySubmission => ({
  kind,
  submittedAt: at(iso),
  reference: `ENISA-${kind}`,
});
const byKind = (facts: CraFacts, now: Date) => {
  const r = craClocks(facts, now)!;
  return Object.fromEntries(r.clocks.map((c) => [c.kind, c]));
};

describe("not flagged", () => {
  it("has no clocks", () => {
    expect(craClocks({ ...exploited(), activelyExploited: false }, aware)).toBeNull();
  });
  it("a flagged report needs the time the supplier became aware", () => {
    expect(() => craClocks(exploited({ awareAt: null }), aware)).toThrow(RangeError);
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
});

describe("Article 14(4): severe incidents", () => {
  const severe = (over: Partial<CraFacts> = {}) =>
    exploited({ activelyExploited: false, severeIncident: true, ...over });
  it("(4)(a) and (4)(b): 24 h and 72 h after awareness", () => {
    const c = byKind(severe(), aware);
    expect(c.early_warning.article).toBe("Article 14(4)(a)");
    expect(c.early_warning.dueAt).toEqual(new Date(aware.getTime() + 24 * HOUR_MS));
    expect(c.notification.dueAt).toEqual(new Date(aware.getTime() + 72 * HOUR_MS));
  });
  it("(4)(c): the final report is due one month after the incident notification", () => {
    expect(byKind(severe(), aware).final_report.waitingFor).toMatch(/incident notification/);
    const notified = severe({ submissions: [sub("notification", "2026-12-03T08:00:00Z")] });
    expect(byKind(notified, at("2026-12-04T00:00:00Z")).final_report.dueAt).toEqual(at("2027-01-03T08:00:00Z"));
  });
  it("both flags: the earlier final report deadline counts, citing both paragraphs", () => {
    const both = exploited({
      severeIncident: true,
      fixAvailableAt: at("2026-12-02T00:00:00Z"),
      submissions: [sub("notification", "2026-12-03T08:00:00Z")],
    });
    const c = byKind(both, aware).final_report;
    expect(c.dueAt).toEqual(at("2026-12-16T00:00:00Z"));
    expect(c.article).toBe("Article 14(2)(c) and (4)(c)");
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
