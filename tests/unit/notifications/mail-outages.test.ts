// The admins' "mail delivery failing" alert (pure): mails whose failing spells overlap are one outage,
// named by its oldest mail; an outage goes on while a mail of it is still retried or was given up
// within a day; a mail given up long ago is not an outage, so a new failure later is a new one.
import { describe, expect, it } from "vitest";
import {
  MAIL_GAVE_UP_RECENTLY_MS,
  mailOutages,
  type UndeliveredMail,
} from "../../../app/features/notifications/domain/reminders";

const HOUR = 3600_000;
const DAY = 24 * HOUR;
const now = new Date("2027-03-01T12:00:00Z");
const ago = (ms: number) => new Date(now.getTime() - ms);
const mail = (id: string, writtenAgo: number, gaveUpAgo: number | null = null): UndeliveredMail => ({
  id,
  createdAt: ago(writtenAgo),
  gaveUpAt: gaveUpAgo === null ? null : ago(gaveUpAgo),
});
const named = (mails: UndeliveredMail[]) => mailOutages(mails, now).map((o) => [o.oldest.id, o.mails.length]);

describe("mailOutages", () => {
  it("nothing failing: no outage", () => {
    expect(mailOutages([], now)).toEqual([]);
  });

  it("a mail given up months ago is over; a mail failing today is a new outage of its own", () => {
    const old = mail("old", 90 * DAY, 90 * DAY - 13 * HOUR);
    expect(named([old])).toEqual([]);
    const outages = mailOutages([old, mail("new", 2 * HOUR)], now);
    expect(outages).toHaveLength(1);
    expect(outages[0]).toMatchObject({ oldest: { id: "new" }, since: ago(2 * HOUR), stillFailing: 1 });
  });

  it("a long outage stays one, named by its first mail, after that mail is given up while newer ones keep failing", () => {
    const first = mail("first", 40 * HOUR, 26 * HOUR); // given up more than a day ago
    const second = mail("second", 30 * HOUR); // written while the first was still retried; still retried
    expect(named([second, first])).toEqual([["first", 2]]);
    expect(mailOutages([first, second], now)[0].since).toEqual(ago(40 * HOUR));
  });

  it("a quiet spell between two failures: two outages; only the one still failing is reported", () => {
    const early = mail("early", 5 * DAY, 5 * DAY - 13 * HOUR);
    const late = mail("late", 3 * HOUR);
    expect(named([early, late])).toEqual([["late", 1]]);
  });

  it("a mail given up within a day still counts as failing; a day and a minute ago no more", () => {
    expect(named([mail("a", 14 * HOUR, MAIL_GAVE_UP_RECENTLY_MS)])).toEqual([["a", 1]]);
    expect(named([mail("a", 40 * HOUR, MAIL_GAVE_UP_RECENTLY_MS + 60_000)])).toEqual([]);
  });

  it("mails written in the future or with invalid dates are left out", () => {
    expect(named([mail("future", -HOUR), { id: "bad", createdAt: new Date(NaN), gaveUpAt: null }])).toEqual([]);
  });
});
