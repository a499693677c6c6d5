// CRA Article 14 (Regulation (EU) 2024/2847) and what it covers, against a real database and a moved
// clock: a report fixed before it is flagged actively exploited has its final report due 14 days
// after the awareness, not overdue at once (nor reminded of as overdue); a flag the supplier became
// aware of before 11 September 2026 is shown to buyers and on the report's page without naming
// Article 14 (no report to the authority is due); flagging both ways at once with one awareness
// before that day and one after says which of the two runs Article 14 clocks.
import { and, eq } from "drizzle-orm";
import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { findings, productVersions } from "../../../db/schema";
import { nowMs, testClock } from "../../../app/platform/clock.server";
import { db } from "../../../app/platform/db.server";
import { recordFinding } from "../../../app/features/findings/findings.server";
import { craView, flagCraReport } from "../../../app/features/findings/cra-reporting.server";
import { sealAdvisories, watchedProductAdvisories } from "../../../app/features/findings/advisories.server";
import { craFlaggedNotice } from "../../../app/features/findings/domain/cra-clocks";
import { sendReminders } from "../../../app/features/notifications/reminders.server";
import { watchBySerial } from "../../../app/features/retail/watchlist.server";
import { buyerDashboard } from "../../../app/features/retail/dashboard.server";
import { sealBySerial } from "../../../app/features/certification/seals.server";
import { demoSealSerials } from "../../../app/demo/seed-seals.server";
import { DEMO_ADVISORY_TITLE } from "../../../app/demo/seed-advisories.server";
import { seedDemoData } from "../../support/demo-seed";
import { SealAdvisories, WatchedAdvisories } from "../../../app/components/Advisories";
import { FindingDisclosurePanel } from "../../../app/components/FindingDisclosure";
import { asha, buyer, grace } from "../../support/actors";

const DAY = 24 * 60 * 60 * 1000;
let watch: { productId: string; versionId: string; serial: string };

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

beforeAll(async () => {
  await seedDemoData();
  const serial = demoSealSerials()["Gator Kids Watch 3 3.1.0"];
  const seal = sealBySerial(serial)!;
  const v = db().select().from(productVersions).where(eq(productVersions.id, seal.productVersionId)).get()!;
  watch = { productId: v.productId, versionId: v.id, serial };
  watchBySerial(buyer(), { serial, label: "" });
});

afterEach(() => testClock.reset());

describe("Article 14(2)(c): a report fixed before it is flagged actively exploited", () => {
  it("the final report is due 14 days after the awareness, not overdue at once, and no overdue reminder", () => {
    const demo = db()
      .select({ id: findings.id, status: findings.status, advisoryId: findings.advisoryId })
      .from(findings)
      .where(and(eq(findings.productId, watch.productId), eq(findings.title, DEMO_ADVISORY_TITLE)))
      .get()!;
    expect(demo.status).toBe("verified_fixed"); // fixed 5 weeks ago, verified 4 weeks ago
    const now = nowMs(); // the demo's dates are relative to today
    testClock.set(now);
    flagCraReport(grace(), demo.id, { activelyExploited: "yes" }); // aware now
    const final = craView(grace(), demo.id).clocks!.clocks.find((c) => c.kind === "final_report")!;
    expect(final.dueAt!.toISOString()).toBe(new Date(now + 14 * DAY).toISOString());
    expect(final.state).toBe("due");
    const keys = sendReminders().keys.filter((k) => k.startsWith(`reminder:cra:${demo.id}:final_report:`));
    expect(keys).toEqual([]);
  });
});

describe("a flag the supplier became aware of before 11 September 2026", () => {
  let reportId: string;

  beforeAll(() => {
    testClock.set(Date.parse("2026-09-06T12:00:00Z"));
    reportId = recordFinding(asha(), {
      productId: watch.productId,
      versionIds: [watch.versionId],
      title: "Step counter resets over BLE without pairing",
      description: "A nearby phone can reset the step counter over BLE without pairing; seen used in the wild.",
      severity: "low",
      reporter: "A researcher",
      reportedOn: "2026-09-05",
    });
    const r = flagCraReport(grace(), reportId, { activelyExploited: "yes", awareAt: "2026-09-06T10:00" });
    expect(r.flagged).toEqual([{ subject: "vulnerability", applicable: false }]);
    testClock.reset();
  });

  const before =
    "A vulnerability (low) the supplier flagged as actively exploited is being handled (no report to the authority is due: the supplier became aware before 11 September 2026)";

  it("the watchlist and the seal page say the supplier flagged it, never that it is handled under Article 14", () => {
    testClock.set(Date.parse("2026-09-07T12:00:00Z")); // still under embargo
    const seen = watchedProductAdvisories(buyer())[watch.productId];
    expect(seen.exploitedBeforeArticle14).toEqual(["low"]);
    expect(seen.exploitedEmbargoed).not.toContain("low");
    const badge = text(renderToStaticMarkup(createElement(WatchedAdvisories, { summary: seen, serial: watch.serial })));
    expect(badge).toContain(before);
    expect(badge).not.toContain("An actively exploited vulnerability (low)");

    const page = sealAdvisories(buyer(), watch.serial)!;
    expect(page.exploitedBeforeArticle14).toEqual(["low"]);
    const section = text(renderToStaticMarkup(createElement(SealAdvisories, { view: page })));
    expect(section).toContain(`${before}; details are published when fixed or at the deadline.`);
    // The Article 14 sentence is said only of reports it applies to (the demo's own high one, if any).
    const article14Lines = section.split("Article 14)").length - 1;
    expect(article14Lines).toBe((page.exploitedEmbargoed ?? []).length + (page.incidentEmbargoed ?? []).length);
    // Anyone else sees not even that.
    expect(sealAdvisories(null, watch.serial)!.exploitedBeforeArticle14).toBeUndefined();
  });

  it("the buyer's dashboard lists it too, worded as flagged, not as handled under Article 14", async () => {
    testClock.set(Date.parse("2026-09-07T12:00:00Z")); // still under embargo
    const row = (await buyerDashboard(buyer())).exploited.find((e) => e.productId === watch.productId)!;
    expect(row.flaggedBefore).toEqual([before]);
    expect(row.severities).not.toContain("low");
  });

  it("the report's page quotes the same line, without claiming Article 14", () => {
    const flag = craView(grace(), reportId).publicFlag;
    expect(flag).toBe("exploited_before_article_14");
    const panel = text(
      renderToStaticMarkup(
        createElement(FindingDisclosurePanel, {
          disclosure: {
            advisoryId: "IOTSEAL-2026-0099",
            public: false,
            label: "embargoed",
            reason: "embargoed",
            canPublish: false,
          },
          severity: "low",
          craFlagged: flag,
          version: 1,
          busy: false,
        }),
      ),
    );
    expect(panel).toContain(`; because it is flagged actively exploited, they also see "${before}".`);
    expect(panel).not.toContain("under CRA Article 14");
  });
});

describe("flagging both ways at once, awareness on either side of 11 September 2026", () => {
  it("says the incident's clocks run, and the exploitation needs no report", () => {
    testClock.set(Date.parse("2026-09-12T12:00:00Z"));
    const id = recordFinding(asha(), {
      productId: watch.productId,
      versionIds: [watch.versionId],
      title: "Companion cloud breached through the watch's pairing API",
      description: "The pairing API let attackers into parents' accounts; exploited, then a breach of the cloud.",
      severity: "high",
      reporter: "The supplier's own monitoring",
      reportedOn: "2026-09-05",
    });
    const r = flagCraReport(grace(), id, {
      activelyExploited: "yes",
      awareAt: "2026-09-06T10:00",
      severeIncident: "yes",
      incidentAwareAt: "2026-09-12T10:00",
    });
    expect(r.flagged).toEqual([
      { subject: "vulnerability", applicable: false },
      { subject: "incident", applicable: true },
    ]);
    const notice = craFlaggedNotice(r.flagged);
    expect(notice).toContain("Severe incident: the CRA Article 14 reporting clocks are running.");
    expect(notice).toContain("Actively exploited vulnerability: you became aware before 11 September 2026");
    const view = craView(grace(), id);
    expect(view.clocks!.sets.map((s) => [s.subject, s.applicable])).toEqual([
      ["vulnerability", false],
      ["incident", true],
    ]);
    // Buyers read it as the severe incident being reported under Article 14.
    expect(view.publicFlag).toBe("incident");
  });
});
