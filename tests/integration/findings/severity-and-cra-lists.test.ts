// Two review findings on vulnerability reports, against the demo data:
// - A severity below the CVSS score's rating is refused unless confirmed (whoever calls the service):
//   "Low" with a 9.8 vector would get the 180-day deadline and never suspend a seal. A severity
//   above the rating is stricter and is recorded as given.
// - The CRA Article 14 clocks are visible outside the report's page: the reports list and both
//   dashboards show each flagged report's next submission, and a report verified fixed that still
//   owes the authority a report stays on the dashboards; a withdrawn one does not.
import { and, eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { auditEvents, findings, organizations, productVersions } from "../../../db/schema";
import { db } from "../../../app/platform/db.server";
import { ServiceError } from "../../../app/platform/errors.server";
import { actOnFinding, recordFinding } from "../../../app/features/findings/findings.server";
import { craView } from "../../../app/features/findings/cra-reporting.server";
import {
  craReportsDue,
  findingsListWithCra,
  supplierOpenReports,
} from "../../../app/features/findings/dashboard.server";
import { declareConflict } from "../../../app/features/accounts/conflicts.server";
import { sealBySerial } from "../../../app/features/certification/seals.server";
import { demoSealSerials } from "../../../app/demo/seed-seals.server";
import { seedDemoData } from "../../support/demo-seed";
import { admin, asha, bram, buyer, grace, sam } from "../../support/actors";
import { sessionCookie } from "../../support/http";
import { action as newFindingAction } from "../../../app/routes/findings.new";

const CRITICAL_VECTOR = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"; // 9.8
const MEDIUM_VECTOR = "CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:U/C:H/I:N/A:N"; // 6.5
const today = () => new Date().toISOString().slice(0, 10);
const count = () => db().select({ id: findings.id }).from(findings).all().length;
const findingVersion = (id: string) => db().select().from(findings).where(eq(findings.id, id)).get()!.version;

let watch: { productId: string; versionId: string };

beforeAll(async () => {
  await seedDemoData();
  const seal = sealBySerial(demoSealSerials()["Gator Kids Watch 3 3.1.0"])!;
  const v = db().select().from(productVersions).where(eq(productVersions.id, seal.productVersionId)).get()!;
  watch = { productId: v.productId, versionId: v.id };
}, 120_000);

function report(severity: "critical" | "high" | "medium" | "low", cvssVector: string, confirmSeverity?: "yes") {
  return recordFinding(asha(), {
    productId: watch.productId,
    versionIds: [watch.versionId],
    title: `Unauthenticated firmware upload (${severity})`,
    description: "The local update endpoint accepts any firmware image without a signature check.",
    severity,
    cvssVector,
    reporter: "A. Researcher",
    reportedOn: today(),
    ...(confirmSeverity ? { confirmSeverity } : {}),
  });
}

describe("a severity that disagrees with the CVSS score", () => {
  it("below the score's rating is refused without the confirmation, on its field, and nothing is recorded", () => {
    const before = count();
    let refusal: unknown;
    try {
      report("low", CRITICAL_VECTOR);
    } catch (e) {
      refusal = e;
    }
    expect(refusal).toBeInstanceOf(ServiceError);
    const e = refusal as ServiceError;
    expect(e.code).toBe("invalid");
    expect(e.message).toMatch(
      /^Confirm before recording: The severity chosen, Low, is lower than the CVSS base score's rating: 9\.8 is Critical\. At Low the disclosure deadline is \d+ days after the report, not \d+, and the seals of the affected versions are not suspended when it passes/,
    );
    expect(Object.keys(e.fieldErrors)).toEqual(["confirmSeverity"]);
    expect(count()).toBe(before);
  });

  it("is recorded once confirmed, and the audit entry says so", () => {
    const id = report("low", CRITICAL_VECTOR, "yes");
    const f = db().select().from(findings).where(eq(findings.id, id)).get()!;
    expect(f).toMatchObject({ severity: "low", cvssScore: 9.8 });
    const audit = db()
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.action, "finding.reported"), eq(auditEvents.targetId, id)))
      .get()!;
    expect(JSON.parse(String(audit.details))).toMatchObject({
      cvss: 9.8,
      cvssSeverity: "critical",
      confirmed: ["severity_below_cvss"],
    });
  });

  it("above the score's rating (stricter on the supplier) needs no confirmation", () => {
    const id = report("high", MEDIUM_VECTOR);
    expect(db().select().from(findings).where(eq(findings.id, id)).get()).toMatchObject({
      severity: "high",
      cvssScore: 6.5,
    });
  });
});

describe("the form to record a report", () => {
  /** Posts the form as a browser without JavaScript would; the action's answer as status and body, or the redirect. */
  async function post(fields: Record<string, string>) {
    const cookie = await sessionCookie("assessor1@demo.test", "203.0.113.81");
    const body = new URLSearchParams({
      productId: watch.productId,
      versionIds: watch.versionId,
      title: "Debug console open on the charging pins",
      description: "A UART console on the cradle pins gives a root shell without a password.",
      severity: "low",
      cvssVector: CRITICAL_VECTOR,
      reporter: "A. Researcher",
      reportedOn: today(),
      ...fields,
    });
    const request = new Request("http://localhost/findings/new", {
      method: "POST",
      body,
      headers: { Cookie: cookie, "content-type": "application/x-www-form-urlencoded" },
    });
    try {
      const out = (await newFindingAction({ request, params: {}, context: {} } as never)) as {
        data: { formError?: string; fieldErrors?: Record<string, string>; values?: Record<string, string> };
        init: { status?: number } | null;
      };
      return { status: out.init?.status ?? 200, body: out.data, location: null };
    } catch (thrown) {
      if (thrown instanceof Response)
        return { status: thrown.status, body: null, location: thrown.headers.get("Location") };
      throw thrown;
    }
  }

  it("asks for the confirmation next to its tick box, keeps what was typed, and records the report once it is ticked", async () => {
    const before = count();
    const refused = await post({});
    expect(refused.status).toBe(400);
    expect(refused.body!.formError).toBe("Check what recording this report will do, then confirm it below.");
    expect(refused.body!.fieldErrors!.confirmSeverity).toMatch(/^The severity chosen, Low, is lower than/);
    expect(refused.body!.values).toMatchObject({ severity: "low", cvssVector: CRITICAL_VECTOR });
    expect(count()).toBe(before);
    const recorded = await post({ confirmSeverity: "yes" });
    expect(recorded.status).toBe(302);
    expect(recorded.location).toMatch(/^\/findings\/[\w-]+$/);
    expect(count()).toBe(before + 1);
  });
});

describe("the next CRA Article 14 clock outside the report's page", () => {
  /** The demo watch's high report, flagged actively exploited by the seed. */
  const flagged = () =>
    supplierOpenReports(grace()).find((r) => r.title === "Location history readable after unpairing")!;

  it("is on the reports list and the dashboards, as the report's page computes it", () => {
    const id = flagged().id;
    const next = craView(grace(), id).clocks!.next!;
    const row = findingsListWithCra(grace()).find((f) => !f.conflicted && f.id === id)!;
    expect(row.cra).toMatchObject({ label: next.label, article: next.article, dueAt: next.dueAt });
    expect(flagged().cra).toMatchObject({ label: next.label });
    expect(craReportsDue(grace()).map((r) => r.id)).toContain(id);
    expect(craReportsDue(asha()).map((r) => r.id)).toContain(id);
    // Never another organisation's; an unflagged report has no CRA clock.
    expect(craReportsDue(sam()).map((r) => r.id)).not.toContain(id);
    expect(findingsListWithCra(sam()).every((f) => f.cra === null)).toBe(true);
  });

  it("keeps a report verified fixed on the dashboards while it still owes the authority a report", () => {
    const id = flagged().id;
    actOnFinding(grace(), id, {
      action: "mark_fixed",
      note: "The companion API forgets the previous parent at unpairing.",
      fixedInVersion: "3.2.0",
      version: findingVersion(id),
    });
    actOnFinding(asha(), id, { action: "verify_fix", note: "", version: findingVersion(id) });
    expect(db().select().from(findings).where(eq(findings.id, id)).get()!.status).toBe("verified_fixed");
    expect(supplierOpenReports(grace()).map((r) => r.id)).not.toContain(id); // closed: not an open report
    const due = craReportsDue(grace()).find((r) => r.id === id)!;
    expect(due).toMatchObject({ status: "verified_fixed", open: false });
    expect(due.cra).toMatchObject({ label: craView(grace(), id).clocks!.next!.label });
    expect(findingsListWithCra(asha()).find((f) => !f.conflicted && f.id === id)!.cra).not.toBeNull();
  });

  it("is not shown to an assessor with a conflict of interest, and is refused to buyers", async () => {
    const id = craReportsDue(grace())[0].id;
    const gator = db().select().from(organizations).where(eq(organizations.name, "Gator Wearables Ltd")).get()!;
    declareConflict(admin(), { assessorId: bram().userId, organizationId: gator.id, reason: "Advised Gator in 2025." });
    expect(craReportsDue(bram()).map((r) => r.id)).not.toContain(id);
    expect(
      findingsListWithCra(bram())
        .filter((f) => f.conflicted)
        .every((f) => f.cra === null),
    ).toBe(true);
    await expect(() => craReportsDue(buyer())).toBeRefused("forbidden", /permission/);
  });

  it("leaves a withdrawn report off: no duty is left on it", () => {
    const id = report("high", MEDIUM_VECTOR);
    db()
      .update(findings)
      .set({ activelyExploited: true, exploitedAwareAt: new Date() })
      .where(eq(findings.id, id))
      .run();
    expect(craReportsDue(asha()).map((r) => r.id)).toContain(id);
    actOnFinding(asha(), id, {
      action: "withdraw",
      note: "Not reproducible on any firmware.",
      version: findingVersion(id),
    });
    expect(craReportsDue(asha()).map((r) => r.id)).not.toContain(id);
    expect(findingsListWithCra(asha()).find((f) => !f.conflicted && f.id === id)!.cra).toBeNull();
  });
});
