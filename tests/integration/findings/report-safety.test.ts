// Issue 15, the sharp edges of disclosure, against a real database: a back-dated report is never
// published silently (the service refuses it without the confirmation, whoever calls it); recording a
// report on a watched product tells the watchers (severity and the open count only) in the watchlist,
// the feed and the webhooks; a report withdrawn after its advisory was disclosed keeps the advisory
// public, marked, everywhere it was.
import { formatDate } from "../../../app/platform/format";
import { and, eq } from "drizzle-orm";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { findings, productVersions, webhookDeliveries } from "../../../db/schema";
import { nowMs, testClock } from "../../../app/platform/clock.server";
import { DAY_MS } from "../../../app/features/findings/domain/findings";
import { db } from "../../../app/platform/db.server";
import {
  sealAdvisories,
  sealApiAdvisoriesJson,
  watchedProductAdvisories,
} from "../../../app/features/findings/advisories.server";
import { actOnFinding, findingView, listFindings, recordFinding } from "../../../app/features/findings/findings.server";
import { runLifecycleSweep } from "../../../app/system/sweep.server";
import { sealBySerial } from "../../../app/features/certification/seals.server";
import { demoSealSerials } from "../../../app/demo/seed-seals.server";
import { seedDemoData } from "../../support/demo-seed";
import { registerWebhook } from "../../../app/features/retail/webhooks.server";
import { watchlistFeed, watchlistView } from "../../../app/features/retail/watchlist.server";
import { asha, buyer, grace } from "../../support/actors";

const ymd = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const version = (id: string) => db().select({ v: findings.version }).from(findings).where(eq(findings.id, id)).get()!.v;
const count = () => db().select({ id: findings.id }).from(findings).all().length;

let watch: { productId: string; versionId: string; serial: string };
let endpointId: string;

beforeAll(async () => {
  await seedDemoData();
  const serial = demoSealSerials()["Gator Kids Watch 3 3.1.0"];
  const v = db()
    .select()
    .from(productVersions)
    .where(eq(productVersions.id, sealBySerial(serial)!.productVersionId))
    .get()!;
  watch = { productId: v.productId, versionId: v.id, serial };
  // The demo buyer watches the watch; its webhook endpoint receives what the feed shows.
  endpointId = registerWebhook(buyer(), { url: "http://127.0.0.1:9/hook" }).id;
});

afterAll(() => testClock.reset());
afterEach(() => testClock.reset());

function report(
  title: string,
  over: Partial<Parameters<typeof recordFinding>[1]> = {},
  severity: "critical" | "high" | "medium" | "low" = "high",
) {
  return recordFinding(asha(), {
    productId: watch.productId,
    versionIds: [watch.versionId],
    title,
    description: `SECRET-DESCRIPTION of "${title}": exploit notes for the supplier and the assessors only.`,
    severity,
    reporter: "SECRET-REPORTER",
    reportedOn: ymd(nowMs()),
    ...over,
  });
}

describe("a back-dated report", () => {
  it("whose deadline has passed is refused without the confirmation, naming it, and nothing is recorded or published", async () => {
    const reportedOn = ymd(nowMs() - 100 * DAY_MS); // high: 90 days at most, so overdue
    const before = count();
    await expect(() => report("Typo'd date: overdue at once", { reportedOn })).toBeRefused(
      "invalid",
      /^Confirm before recording: This report will be public at once: its disclosure deadline \d{4}-\d{2}-\d{2} has passed\./,
    );
    try {
      report("Typo'd date: overdue at once", { reportedOn });
    } catch (e) {
      expect((e as { fieldErrors: Record<string, string> }).fieldErrors).toEqual({
        confirmPublic: expect.stringMatching(/public at once.*seals of the affected versions are suspended/),
      });
    }
    expect(count()).toBe(before);
    expect(sealBySerial(watch.serial)!.state).toBe("active");
    expect(JSON.stringify(sealAdvisories(null, watch.serial))).not.toContain("Typo'd date");
  });

  it("is recorded, and public at once, once confirmed", () => {
    const reportedOn = ymd(nowMs() - 100 * DAY_MS);
    const id = report("Confirmed old report: overdue at once", { reportedOn, confirmPublic: "yes" }, "medium");
    expect(findingView(asha(), id).disclosure).toMatchObject({ public: true, reason: "deadline_passed" });
    expect(sealAdvisories(null, watch.serial)!.advisories.map((a) => a.title)).toContain(
      "Confirmed old report: overdue at once",
    );
  });

  it("due within a day needs the same confirmation", async () => {
    const reportedOn = ymd(nowMs() - 29 * DAY_MS); // critical: 30 days, due within a day
    await expect(() => report("Due within a day", { reportedOn }, "critical")).toBeRefused(
      "invalid",
      /This report will be public within a day: its disclosure deadline is \d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC/,
    );
    const id = report("Due within a day", { reportedOn, confirmPublic: "yes" }, "low"); // low: 180 days, no warning at all
    expect(findingView(asha(), id).disclosure.public).toBe(false);
  });

  it("dated more than a year ago is refused as a likely typo unless that date is confirmed too", async () => {
    const reportedOn = ymd(nowMs() - 400 * DAY_MS);
    await expect(() => report("A year-old typo", { reportedOn, confirmPublic: "yes" })).toBeRefused(
      "invalid",
      `Confirm before recording: The date reported, ${reportedOn}, is more than a year ago: check that it is not a typo (the wrong year?).`,
    );
    const id = report("A year-old report, really", { reportedOn, confirmPublic: "yes", confirmReportedOn: "yes" });
    expect(listFindings(asha()).find((f) => f.id === id)!.disclosure.public).toBe(true);
  });
});

describe("a new report on a watched product", () => {
  it("reaches the watchlist, the feed and the webhook with its severity and the open count only", async () => {
    await watchlistView(buyer(), { markSeen: true });
    const since = watchlistFeed(buyer(), 0, 500).next;
    const TITLE = "Watch event: SOS button can be silenced over BLE";
    const id = report(TITLE, {}, "critical");
    const open = watchedProductAdvisories(buyer())[watch.productId].openEmbargoed;

    const { changes } = await watchlistView(buyer());
    expect(changes.map((c) => c.type)).toEqual(["report.recorded"]);
    expect(changes[0]).toMatchObject({
      product: { id: watch.productId, name: "Gator Kids Watch 3" },
      severity: "critical",
      openEmbargoed: open,
      reason: expect.stringMatching(
        /^New critical vulnerability report under embargo; now \d+ open reports? under embargo \(/,
      ),
    });
    expect(open.bySeverity.critical).toBeGreaterThanOrEqual(1);
    const feed = watchlistFeed(buyer(), since).events;
    expect(feed.map((e) => e.type)).toEqual(["report.recorded"]);

    const deliveries = db()
      .select()
      .from(webhookDeliveries)
      .where(and(eq(webhookDeliveries.endpointId, endpointId), eq(webhookDeliveries.eventId, `report-${id}-recorded`)))
      .all();
    expect(deliveries).toHaveLength(1);
    const body = JSON.parse(deliveries[0].body);
    expect(body).toMatchObject({ type: "report.recorded", severity: "critical", serial: watch.serial });
    // Embargo-safe: no title, description, reporter or advisory id, anywhere a watcher looks.
    const advisoryId = db().select({ a: findings.advisoryId }).from(findings).where(eq(findings.id, id)).get()!.a!;
    for (const text of [JSON.stringify(changes), JSON.stringify(feed), deliveries[0].body])
      for (const secret of [TITLE, "SECRET-DESCRIPTION", "SECRET-REPORTER", advisoryId])
        expect(text).not.toContain(secret);
  });
});

describe("withdrawing a report", () => {
  it("after disclosure says so, and the advisory stays public, marked, on the page, in the API and the feed", async () => {
    const TITLE = "Disclosed, then withdrawn: a duplicate";
    const reportedOn = ymd(nowMs() - 95 * DAY_MS);
    const id = report(TITLE, { reportedOn, confirmPublic: "yes" }, "medium");
    const advisoryId = findingView(asha(), id).disclosure.advisoryId!;
    const disclosedOn = sealAdvisories(null, watch.serial)!.advisories.find((a) => a.title === TITLE)!.disclosedOn;
    const since = watchlistFeed(buyer(), 0, 500).next;

    actOnFinding(asha(), id, { action: "withdraw", note: "A duplicate of an earlier report.", version: version(id) });
    runLifecycleSweep();
    const today = ymd(nowMs());
    const label = `Withdrawn on ${formatDate(nowMs())} after disclosure on ${formatDate(`${disclosedOn}T00:00:00Z`)} (deadline passed): the advisory stays public`;
    expect(findingView(asha(), id).disclosure).toMatchObject({ public: true, label, withdrawnOn: today });
    expect(findingView(grace(), id).disclosure.label).toBe(label);
    expect(listFindings(asha()).find((f) => f.id === id)!.disclosure.label).toBe(label);

    const marked = { advisoryId, title: TITLE, disclosedOn, withdrawnOn: today, reason: "deadline_passed" };
    for (const viewer of [null, buyer(), grace()])
      expect(sealAdvisories(viewer, watch.serial)!.advisories.find((a) => a.advisoryId === advisoryId)).toMatchObject(
        marked,
      );
    expect(JSON.parse(sealApiAdvisoriesJson(watch.serial))).toContainEqual(expect.objectContaining(marked));
    expect(watchedProductAdvisories(buyer())[watch.productId].advisoryIds).toContain(advisoryId);

    const feed = watchlistFeed(buyer(), since).events;
    expect(feed.map((e) => e.type)).toEqual(["advisory.withdrawn"]);
    expect(feed[0]).toMatchObject({
      reason: `Advisory ${advisoryId} withdrawn after disclosure on ${disclosedOn}: ${TITLE} (medium); it stays public, marked withdrawn`,
      advisory: marked,
    });
    expect(
      db()
        .select()
        .from(webhookDeliveries)
        .where(
          and(
            eq(webhookDeliveries.endpointId, endpointId),
            eq(webhookDeliveries.eventId, `advisory-${advisoryId}-withdrawn`),
          ),
        )
        .all(),
    ).toHaveLength(1);
  });

  it("under embargo says it was never disclosed, and tells the watchers only that a report of that severity went", async () => {
    const TITLE = "Withdrawn under embargo: not reproducible";
    const id = report(TITLE, {}, "low");
    const since = watchlistFeed(buyer(), 0, 500).next;
    actOnFinding(asha(), id, { action: "withdraw", note: "Not reproducible on any unit.", version: version(id) });
    testClock.set(nowMs() + 400 * DAY_MS); // its deadline long past: still never public
    runLifecycleSweep();
    expect(findingView(asha(), id).disclosure).toMatchObject({ public: false, label: "Withdrawn: never disclosed" });
    expect(JSON.stringify(sealAdvisories(buyer(), watch.serial))).not.toContain(TITLE);
    expect(sealApiAdvisoriesJson(watch.serial)).not.toContain(TITLE);
    const all = watchlistFeed(buyer(), since, 500).events;
    const feed = all.filter((e) => e.type.startsWith("report."));
    expect(feed.map((e) => e.type)).toEqual(["report.withdrawn"]); // (besides the year's seal events and other advisories)
    expect(feed[0]).toMatchObject({
      severity: "low",
      reason: expect.stringMatching(/^A low report under embargo was withdrawn/),
    });
    expect(JSON.stringify(all)).not.toContain(TITLE);
  });
});
