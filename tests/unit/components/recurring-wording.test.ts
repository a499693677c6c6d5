// The words of the recurring-evidence pages: the rule as the supplier reads it (evidence only has
// to be sent in time), the "sent" notice only while evidence waits, a seal no longer monitored
// shows dates and no standing, a clock continued from a replaced seal says so, and the dashboard
// never says a seal will be suspended when it expires first.
import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import {
  History,
  ScheduleTable,
  scheduleRule,
  sentNotice,
  type HistoryEntry,
  type ScheduleItem,
} from "../../../app/components/RecurringEvidence";
import { RecurringStatus } from "../../../app/components/RecurringStatus";
import { whatThen } from "../../../app/components/RecurringDue";

/** The text a reader sees: tags dropped, entities decoded, spaces collapsed. */
function text(html: string): string {
  return html
    .replace(/<[^>]+>/g, " ")
    .replace(/&quot;/g, '"')
    .replace(/&#x27;/g, "'")
    .replace(/&amp;/g, "&")
    .replace(/\s+/g, " ")
    .replace(/ ([.,;:)])/g, "$1")
    .trim();
}

const item = (over: Partial<ScheduleItem> = {}): ScheduleItem => ({
  ref: "5.2-3",
  title: "Continuous vulnerability monitoring",
  applicability: "mandatory",
  everyDays: 90,
  lastAcceptedAt: "2027-01-10T00:00:00Z",
  dueAt: "2027-04-10T00:00:00Z",
  graceEndsAt: "2027-04-24T00:00:00Z",
  standing: "overdue",
  daysUntilDue: -20,
  lastAccepted: null,
  continuedFrom: null,
  expiresFirst: false,
  pending: null,
  ...over,
});

describe("the rule on the supplier's page", () => {
  it("evidence has to be sent by the end of the grace period; the assessor's decision may come later", () => {
    const rule = scheduleRule(14);
    expect(rule).toContain("by its due date, or at the latest within the grace period of 14 days after it");
    expect(rule).toContain("Evidence sent in time counts while an assessor checks it");
    expect(rule).not.toMatch(/accepted by an assessor, before its due date/);
  });

  it('with no grace period, says so (never "0 days after")', () => {
    const rule = scheduleRule(0);
    expect(rule).toContain("by its due date (there is no grace period)");
    expect(rule).toContain("rejected after the due date has passed");
    expect(rule).not.toMatch(/0 days/);
    expect(scheduleRule(1)).toContain("grace period of 1 day after it");
  });
});

describe("the notice after an upload", () => {
  it("only while evidence for that requirement waits for an assessor", () => {
    const waiting = item({ pending: { id: "e1", submittedAt: "2027-04-01T00:00:00Z" } });
    expect(sentNotice("5.2-3", [waiting])).toMatch(/^Fresh evidence for 5\.2-3 sent/);
    expect(sentNotice("5.2-3", [item()])).toBeNull(); // a stale or crafted link
    expect(sentNotice("9.9-9", [waiting])).toBeNull();
    expect(sentNotice(null, [waiting])).toBeNull();
  });
});

describe("a seal no longer monitored", () => {
  const waiting = item({ pending: { id: "e1", submittedAt: "2027-04-01T00:00:00Z" } });

  it("the schedule shows dates, no standing; waiting evidence is not checked", () => {
    const t = text(
      renderToStaticMarkup(
        createElement(ScheduleTable, {
          items: [waiting],
          canUpload: false,
          monitored: false,
          validUntil: "2028-01-10T00:00:00Z",
        }),
      ),
    );
    expect(t).toContain("10 Apr 2027");
    expect(t).toContain("not checked: monitoring ended");
    expect(t).not.toMatch(/Overdue|seal suspended|waiting for an assessor|Up to date|Due in/);
  });

  it("the history says waiting evidence was never checked", () => {
    const entry: HistoryEntry = {
      id: "e1",
      ref: "5.2-3",
      title: "Continuous vulnerability monitoring",
      originalName: "scan.txt",
      sha256: "a".repeat(64),
      size: 10,
      mediaType: "text/plain",
      note: "Quarterly scan.",
      submittedAt: "2027-04-01T00:00:00Z",
      submittedBy: "Grace",
      status: "pending",
      decidedAt: null,
      decidedBy: null,
      comment: "",
    };
    const ended = text(renderToStaticMarkup(createElement(History, { entries: [entry], monitored: false })));
    expect(ended).toContain("Not checked: monitoring ended");
    expect(ended).not.toContain("Waiting for an assessor");
    expect(text(renderToStaticMarkup(createElement(History, { entries: [entry] })))).toContain(
      "Waiting for an assessor",
    );
  });
});

describe("a clock continued from the seal a re-certification replaced", () => {
  it('the public page names the earlier seal instead of "at certification"', () => {
    const t = text(
      renderToStaticMarkup(
        createElement(RecurringStatus, {
          graceDays: 14,
          items: [
            {
              ref: "5.2-3",
              title: "Continuous vulnerability monitoring",
              everyDays: 90,
              lastAcceptedAt: "2027-01-10T00:00:00Z",
              sinceIssue: true,
              continuedFrom: "IOTS-AAAA-BBBB",
              dueAt: "2027-04-10T00:00:00Z",
              standing: "overdue",
            },
          ],
        }),
      ),
    );
    expect(t).toContain("at the certification of earlier seal IOTS-AAAA-BBBB");
    expect(t).not.toMatch(/\bat certification\b/);
    expect(t).toContain("If none is sent within 14 days after the due date, the seal is suspended");
  });

  it("the supplier's table too", () => {
    const t = text(
      renderToStaticMarkup(
        createElement(ScheduleTable, {
          items: [item({ continuedFrom: "IOTS-AAAA-BBBB" })],
          canUpload: false,
          monitored: false,
          validUntil: "2028-01-10T00:00:00Z",
        }),
      ),
    );
    expect(t).toContain("the issue of seal IOTS-AAAA-BBBB, which this seal replaced");
    expect(t).not.toContain("the seal's issue (certified evidence)");
  });
});

describe("the dashboard's due rows", () => {
  const row = {
    dueAt: "2027-04-10T00:00:00Z",
    graceEndsAt: "2027-04-24T00:00:00Z",
    standing: "in_grace" as const,
    validUntil: "2028-01-10T00:00:00Z",
    expiresFirst: false,
  };

  it("in grace: when the seal is suspended", () => {
    expect(whatThen(row)).toBe(" The seal is suspended after 24 Apr 2027.");
  });

  it("the seal expiring first: never that it will be suspended", () => {
    expect(whatThen({ ...row, expiresFirst: true, validUntil: "2027-04-20T00:00:00Z" })).toBe(
      " The seal expires on 20 Apr 2027, before the grace period ends: it is not suspended for this.",
    );
    expect(whatThen({ ...row, standing: "due_soon", expiresFirst: true, validUntil: "2027-04-01T00:00:00Z" })).toBe(
      " The seal expires on 1 Apr 2027, before this is due.",
    );
  });
});
