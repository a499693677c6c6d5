// A report withdrawn under embargo stays unpublished for good, against a real database, the real
// public API and GS1 resolver (fastRoutes on 127.0.0.1) and a moved clock. The repro of the review:
// a high report flagged actively exploited, withdrawn on day 10 (deadline day 90); on day 95 the
// supplier tries to record its final report to ENISA. The portal refuses (a withdrawn report has no
// Article 14 duty left) and hides the form; and whatever later write touches the withdrawn report's
// row, its withdrawal time is its `withdrawn` history row, so its title, severity and firmware never
// reach the seal page, the seal API, the GS1 linkset or a CSAF document. A report withdrawn after
// its disclosure keeps its real withdrawal day.
import { eq } from "drizzle-orm";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { findingAuthorityReports, findings, productVersions, products } from "../../../db/schema";
import { testClock } from "../../../app/platform/clock.server";
import { db } from "../../../app/platform/db.server";
import { ServiceError } from "../../../app/platform/errors.server";
import { DAY_MS } from "../../../app/features/findings/domain/findings";
import { actOnFinding, findingView, listFindings, recordFinding } from "../../../app/features/findings/findings.server";
import {
  craView,
  flagCraReport,
  recordAuthorityReport,
  WITHDRAWN_NO_CRA_DUTY,
} from "../../../app/features/findings/cra-reporting.server";
import {
  publicAdvisoriesOfProducts,
  sealAdvisories,
  sealApiAdvisories,
} from "../../../app/features/findings/advisories.server";
import { publishedCsafDocuments } from "../../../app/features/findings/csaf.server";
import { publicSealView, sealBySerial } from "../../../app/features/certification/seals.server";
import { runLifecycleSweep } from "../../../app/system/sweep.server";
import { demoSealSerials } from "../../../app/demo/seed-seals.server";
import { seedDemoData } from "../../support/demo-seed";
import { asha, buyer, grace } from "../../support/actors";
import { startFastRoutes, type TestServer } from "../../support/http";

let watch: { productId: string; versionId: string; serial: string; gtin: string };
let server: TestServer;

const row = (id: string) => db().select().from(findings).where(eq(findings.id, id)).get()!;
const ymd = (ms: number) => new Date(ms).toISOString().slice(0, 10);
/** "2026-12-03T09:00" (UTC, as the form's datetime-local field sends it). */
const local = (ms: number) => new Date(ms).toISOString().slice(0, 16);

beforeAll(async () => {
  server = await startFastRoutes();
  await seedDemoData();
  const serial = demoSealSerials()["Gator Kids Watch 3 3.1.0"];
  const v = db()
    .select({ id: productVersions.id, productId: productVersions.productId, gtin: products.gtin })
    .from(productVersions)
    .innerJoin(products, eq(products.id, productVersions.productId))
    .where(eq(productVersions.id, sealBySerial(serial)!.productVersionId))
    .get()!;
  watch = { productId: v.productId, versionId: v.id, serial, gtin: v.gtin! };
});

afterAll(async () => {
  testClock.reset();
  await server.close();
});

afterEach(() => testClock.reset());

/** Everything outside the supplier and the certification body can read of the watch's advisories, at the clock's now. */
async function outsideText(): Promise<string> {
  const api = await (await fetch(`${server.base}/api/v1/seals/${watch.serial}`)).text();
  const linkset = await (await fetch(`${server.base}/01/${watch.gtin}?linkType=linkset`)).text();
  return JSON.stringify({
    page: await publicSealView(watch.serial),
    advisories: [null, buyer()].map((viewer) => sealAdvisories(viewer, watch.serial)),
    sealApi: sealApiAdvisories(watch.serial),
    api,
    linkset,
    gs1: publicAdvisoriesOfProducts(db(), [watch.productId]).get(watch.productId),
    csaf: publishedCsafDocuments().map((d) => d.bytes.toString("utf8")),
  });
}

/** A high report on the watch's certified firmware, recorded (and reported) at `at`. */
function report(title: string, at: number): string {
  testClock.set(at);
  return recordFinding(asha(), {
    productId: watch.productId,
    versionIds: [watch.versionId],
    title,
    description: "SECRET-DESCRIPTION: how the flaw is exploited, for the supplier and the assessors only.",
    severity: "high",
    reporter: "A researcher",
    reportedOn: ymd(at),
  });
}

describe("a report withdrawn under embargo", () => {
  const TITLE = "WITHDRAWN-UNDER-EMBARGO: pairing PIN said to be brute-forced in the wild";
  let id: string;
  let day0: number;

  it("flagged actively exploited, withdrawn on day 10: never public, not at day 95 either", async () => {
    day0 = Date.parse(`${ymd(Date.now())}T00:00:00Z`);
    id = report(TITLE, day0 + 9 * 3600_000);
    testClock.set(day0 + 10 * 3600_000);
    flagCraReport(grace(), id, { activelyExploited: "yes", awareAt: local(day0 + 9 * 3600_000) });
    recordAuthorityReport(grace(), id, {
      kind: "early_warning",
      submittedAt: local(day0 + 10 * 3600_000),
      reference: "ENISA-SRP-EW-1",
    });
    testClock.set(day0 + 10 * DAY_MS);
    actOnFinding(asha(), id, {
      action: "withdraw",
      note: "Not exploitable: the PIN is rate-limited in hardware.",
      version: row(id).version,
    });
    expect(row(id).deadline.getTime()).toBeLessThan(day0 + 95 * DAY_MS); // a 90-day deadline (or shorter)
    testClock.set(day0 + 95 * DAY_MS);
    runLifecycleSweep();
    expect(await outsideText()).not.toContain(TITLE);
  });

  it("day 95: recording the final report to ENISA is refused, saying why; the form is hidden; nothing changes", async () => {
    testClock.set(day0 + 95 * DAY_MS);
    const before = row(id);
    let refused: unknown;
    try {
      recordAuthorityReport(grace(), id, {
        kind: "final_report",
        submittedAt: local(day0 + 95 * DAY_MS - 3600_000),
        reference: "ENISA-SRP-FINAL-1",
      });
    } catch (e) {
      refused = e;
    }
    expect(refused).toBeInstanceOf(ServiceError);
    expect((refused as ServiceError).code).toBe("conflict");
    expect((refused as ServiceError).message).toBe(WITHDRAWN_NO_CRA_DUTY);
    expect(WITHDRAWN_NO_CRA_DUTY).toMatch(/withdrawn.*no Article 14 reporting duty/);
    // An assessor is refused the same way.
    expect(() =>
      recordAuthorityReport(asha(), id, {
        kind: "final_report",
        submittedAt: local(day0 + 95 * DAY_MS - 3600_000),
        reference: "ENISA-SRP-FINAL-2",
      }),
    ).toThrow(WITHDRAWN_NO_CRA_DUTY);
    // Nothing written: the report's row (its version, its last change) and its submissions are as they were.
    expect(row(id)).toEqual(before);
    expect(
      db()
        .select({ reference: findingAuthorityReports.reference })
        .from(findingAuthorityReports)
        .where(eq(findingAuthorityReports.findingId, id))
        .all(),
    ).toEqual([{ reference: "ENISA-SRP-EW-1" }]);
    // The page: no form to record a submission, nor to flag; what was recorded before is still listed.
    const view = craView(grace(), id);
    expect(view).toMatchObject({ withdrawn: true, canRecord: false, canFlag: false });
    expect(view.reports.map((r) => r.reference)).toEqual(["ENISA-SRP-EW-1"]);
    expect(await outsideText()).not.toContain(TITLE);
  });

  it("any later write to the withdrawn report's row leaves its disclosure alone: its withdrawal is its history's", async () => {
    // Whatever path may touch the row after the withdrawal (today none may), its last change is not its withdrawal.
    db()
      .update(findings)
      .set({ updatedAt: new Date(day0 + 95 * DAY_MS), version: row(id).version + 1 })
      .where(eq(findings.id, id))
      .run();
    testClock.set(day0 + 96 * DAY_MS);
    runLifecycleSweep();
    const outside = await outsideText();
    for (const secret of [TITLE, "SECRET-DESCRIPTION", "ENISA-SRP", row(id).advisoryId!])
      expect(outside).not.toContain(secret);
    expect(row(id).disclosureNotedAt).toBeNull(); // never announced to watchers
    for (const who of [grace(), asha()]) {
      expect(findingView(who, id).disclosure).toMatchObject({ public: false, label: "Withdrawn: never disclosed" });
      expect(listFindings(who).find((f) => f.id === id)!.disclosure.label).toBe("Withdrawn: never disclosed");
    }
  });
});

describe("a report withdrawn after its disclosure", () => {
  it("stays public, marked withdrawn on the day it was withdrawn, whatever writes come later", async () => {
    const TITLE = "WITHDRAWN-AFTER-DISCLOSURE: companion app logs the parent's e-mail";
    const day0 = Date.parse(`${ymd(Date.now())}T00:00:00Z`) - 200 * DAY_MS;
    testClock.set(day0 + 200 * DAY_MS);
    const id = recordFinding(asha(), {
      productId: watch.productId,
      versionIds: [watch.versionId],
      title: TITLE,
      description: "SECRET-DESCRIPTION of an old report, public at once.",
      severity: "low",
      reporter: "Archive",
      reportedOn: ymd(day0),
      confirmPublic: "yes",
    });
    const withdrawnOn = ymd(day0 + 201 * DAY_MS);
    testClock.set(day0 + 201 * DAY_MS);
    actOnFinding(asha(), id, {
      action: "withdraw",
      note: "A duplicate of an earlier report.",
      version: row(id).version,
    });
    db()
      .update(findings)
      .set({ updatedAt: new Date(day0 + 240 * DAY_MS) })
      .where(eq(findings.id, id))
      .run();
    testClock.set(day0 + 250 * DAY_MS);
    const advisory = sealApiAdvisories(watch.serial).find((a) => a.title === TITLE);
    expect(advisory).toMatchObject({ withdrawnOn, reason: "deadline_passed" });
    expect(sealAdvisories(null, watch.serial)!.advisories.find((a) => a.title === TITLE)).toMatchObject({
      withdrawnOn,
    });
    expect(findingView(grace(), id).disclosure.withdrawnOn).toBe(withdrawnOn);
    expect(listFindings(asha()).find((f) => f.id === id)!.disclosure.withdrawnOn).toBe(withdrawnOn);
  });
});
