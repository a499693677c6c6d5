// Issue 13.3: an assessor with a conflict of interest with a supplier is refused everything on that
// supplier's work — recording a vulnerability report, acting on findings, the review page, the
// evidence files, recurring evidence, seal status changes — with a 403 that names the supplier;
// the queues and lists still show the items, marked. Against a real database, through the services
// the routes call (and, where it is cheap, the route's loader itself).
import { and, eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import {
  evidenceLinks,
  findings,
  organizations,
  products,
  productVersions,
  recurringEvidence,
  sealEvents,
  seals,
  submissions,
} from "../../../db/schema";
import type { Actor } from "../../../app/platform/actor";
import { declareConflict } from "../../../app/features/accounts/conflicts.server";
import { db } from "../../../app/platform/db.server";
import { openEvidence } from "../../../app/features/certification/evidence.server";
import {
  actOnFinding,
  findingTargets,
  findingView,
  listFindings,
  recordFinding,
} from "../../../app/features/findings/findings.server";
import {
  openRecurringEvidence,
  recurringEvidenceView,
  recurringQueue,
} from "../../../app/features/monitoring/recurring-evidence.server";
import { reviewQueue, reviewView } from "../../../app/features/certification/review.server";
import { changeSealStatus } from "../../../app/features/trust/seal-status.server";
import { staffSealView } from "../../../app/features/certification/seals.server";
import { sealCoverageView } from "../../../app/features/certification/coverage.server";
import { actorByEmail } from "../../support/actors";
import { demoSealSerials } from "../../../app/demo/seed-seals.server";
import { seedDemoData } from "../../support/demo-seed";
import { sessionCookie } from "../../support/http";

const GATOR = "Gator Wearables Ltd";
const REFUSAL =
  /^You have a declared conflict of interest with Gator Wearables Ltd: Advised Gator on its companion app this year\. Another assessor must/;

let asha: Actor; // no conflict
let bram: Actor; // declared conflicted with Gator
let gatorId: string;
let watch: { productId: string; versionId: string; serial: string };
let submissionId: string; // a Gator submission in the queue
let linkId: string; // one of its evidence files
let recurringId: string; // Gator's recurring evidence waiting for an assessor

const count = (rows: unknown[]) => rows.length;
const snapshot = () => ({
  findings: count(db().select({ id: findings.id }).from(findings).all()),
  seal: db().select({ state: seals.state }).from(seals).where(eq(seals.serial, watch.serial)).get()!.state,
  sealEvents: count(db().select({ id: sealEvents.id }).from(sealEvents).all()),
});

/** A Request carrying `actor`'s session cookie (a real login), for calling a route's loader directly. */
async function requestAs(email: string, url: string): Promise<Request> {
  const cookie = await sessionCookie(email, "203.0.113.9");
  return new Request(`http://localhost${url}`, { headers: { Cookie: cookie } });
}

beforeAll(async () => {
  await seedDemoData();
  asha = actorByEmail("assessor1@demo.test");
  bram = actorByEmail("assessor2@demo.test");
  gatorId = db().select().from(organizations).where(eq(organizations.name, GATOR)).get()!.id;
  const serial = demoSealSerials()["Gator Kids Watch 3 3.1.0"];
  const seal = db().select().from(seals).where(eq(seals.serial, serial)).get()!;
  const v = db().select().from(productVersions).where(eq(productVersions.id, seal.productVersionId)).get()!;
  watch = { productId: v.productId, versionId: v.id, serial };
  submissionId = reviewQueue(asha, { page: 1 }).rows.find((r) => r.organizationId === gatorId)!.id;
  linkId = db()
    .select({ id: evidenceLinks.id })
    .from(evidenceLinks)
    .innerJoin(submissions, eq(submissions.id, evidenceLinks.submissionId))
    .where(eq(submissions.id, submissionId))
    .get()!.id;
  recurringId = db()
    .select({ id: recurringEvidence.id })
    .from(recurringEvidence)
    .where(and(eq(recurringEvidence.organizationId, gatorId), eq(recurringEvidence.status, "pending")))
    .get()!.id;
  declareConflict(actorByEmail("admin@demo.test"), {
    assessorId: bram.userId,
    organizationId: gatorId,
    reason: "Advised Gator on its companion app this year",
  });
});

describe("issue 13.3: a conflicted assessor cannot record a vulnerability report", () => {
  it("a back-dated critical report against the supplier's product is refused, and nothing is suspended or published", async () => {
    const before = snapshot();
    await expect(() =>
      recordFinding(bram, {
        productId: watch.productId,
        versionIds: [watch.versionId],
        title: "Companion app leaks the parent's token",
        description: "The companion app logs the parent's bearer token to the shared system log.",
        severity: "critical",
        reporter: "A researcher",
        reportedOn: "2020-01-01",
      }),
    ).toBeRefused("forbidden", REFUSAL);
    expect(snapshot()).toEqual(before);
    expect(before.seal).toBe("active");
    // The form marks the supplier's products; an assessor without a conflict may record the report.
    expect(findingTargets(bram).find((p) => p.id === watch.productId)?.conflict).toMatch(
      /declared conflict of interest with Gator Wearables Ltd/,
    );
    expect(findingTargets(asha).find((p) => p.id === watch.productId)?.conflict).toBeNull();
  });

  it("nor open or act on the supplier's existing reports, which the list still shows, marked", async () => {
    const f = listFindings(bram).find((r) => r.organizationId === gatorId)!;
    expect(f).toMatchObject({ conflicted: true });
    expect(listFindings(asha).find((r) => r.id === f.id)).toMatchObject({ conflicted: false });
    await expect(() => findingView(bram, f.id)).toBeRefused("forbidden", REFUSAL);
    await expect(() =>
      actOnFinding(bram, f.id, {
        action: "withdraw",
        note: "Withdrawn by the conflicted assessor.",
        version: f.version,
      }),
    ).toBeRefused("forbidden", REFUSAL);
    expect(findingView(asha, f.id).finding.id).toBe(f.id);
  });
});

describe("issue 13.3: a conflicted assessor cannot open the review page", () => {
  it("the review service refuses (the page and each requirement page use it); the queue lists the submission, marked", async () => {
    expect(reviewQueue(bram, { page: 1 }).rows.find((r) => r.id === submissionId)).toMatchObject({ conflicted: true });
    await expect(() => reviewView(bram, submissionId)).toBeRefused("forbidden", REFUSAL);
    expect(reviewView(asha, submissionId).submission.id).toBe(submissionId);
  });

  it("the route answers 403 with the message", async () => {
    const { loader } = await import("../../../app/routes/assessor.submissions.$submissionId._index");
    const request = await requestAs("assessor2@demo.test", `/assessor/submissions/${submissionId}`);
    // serviceOrThrow turns the ServiceError into data({ message }, { status: 403 }).
    await expect(() => loader({ request, params: { submissionId }, context: {} } as never)).toBeRefused(
      "forbidden",
      REFUSAL,
    );
  });
});

describe("issue 13.3: a conflicted assessor cannot download the evidence", () => {
  it("a submission's evidence file is refused with 403, for them only", async () => {
    await expect(() => openEvidence(bram, linkId)).toBeRefused("forbidden", REFUSAL);
    const file = await openEvidence(asha, linkId);
    file.stream.on("error", () => {}).destroy();
    expect(file.size).toBeGreaterThan(0);
  });

  it("the download route answers 403 with the message", async () => {
    const { loader } = await import("../../../app/routes/evidence.$linkId");
    const request = await requestAs("assessor2@demo.test", `/evidence/${linkId}`);
    await expect(() => loader({ request, params: { linkId }, context: {} } as never)).toBeRefused(403, REFUSAL); // a thrown Response
  });

  it("recurring evidence: neither its page (which previews the file) nor its file; the queue lists it, marked", async () => {
    expect(recurringQueue(bram).find((r) => r.id === recurringId)?.conflict).toMatch(
      /declared conflict of interest with Gator Wearables Ltd/,
    );
    await expect(() => recurringEvidenceView(bram, recurringId)).toBeRefused("forbidden", REFUSAL);
    await expect(() => openRecurringEvidence(bram, recurringId)).toBeRefused("forbidden", REFUSAL);
    expect(recurringEvidenceView(asha, recurringId).canDecide).toBe(true);
    (await openRecurringEvidence(asha, recurringId)).stream.on("error", () => {}).destroy();
  });
});

describe("issue 13.3: a conflicted assessor cannot change the supplier's seal status", () => {
  it("suspension is refused with the message; the seal page offers no action and says why", async () => {
    const before = snapshot();
    await expect(() =>
      changeSealStatus(bram, {
        serial: watch.serial,
        action: "suspend",
        reason: "Suspended by the conflicted assessor.",
      }),
    ).toBeRefused("forbidden", REFUSAL);
    expect(snapshot()).toEqual(before);
    const page = await staffSealView(bram, watch.serial);
    expect(page.actions).toEqual([]);
    expect(page.conflict).toMatch(/declared conflict of interest with Gator Wearables Ltd/);
    expect((await staffSealView(asha, watch.serial)).actions.length).toBeGreaterThan(0);
  });
});

describe("a conflicted assessor cannot read the supplier's crosswalk coverage", () => {
  it("the certified result requirement by requirement is refused with 403, for them only", async () => {
    const sealed = db().select().from(seals).where(eq(seals.serial, watch.serial)).get()!.submissionId;
    await expect(() => sealCoverageView(bram, sealed)).toBeRefused("forbidden", REFUSAL);
    expect(sealCoverageView(asha, sealed).submissionId).toBe(sealed);
    expect(sealCoverageView(actorByEmail("admin@demo.test"), sealed).submissionId).toBe(sealed);
  });
});

describe("evidence of a draft that never reached the assessors", () => {
  it("is not found for an assessor; its supplier downloads it", async () => {
    // The demo's Brightnest Indoor Cam 2: a half-answered draft, never submitted, with a port scan attached.
    const draftLink = db()
      .select({ id: evidenceLinks.id, status: submissions.status })
      .from(evidenceLinks)
      .innerJoin(submissions, eq(submissions.id, evidenceLinks.submissionId))
      .innerJoin(productVersions, eq(productVersions.id, submissions.productVersionId))
      .innerJoin(products, eq(products.id, productVersions.productId))
      .where(eq(products.name, "Brightnest Indoor Cam 2"))
      .get()!;
    expect(draftLink.status).toBe("draft");
    await expect(() => openEvidence(asha, draftLink.id)).toBeRefused("not_found", "There is no such evidence file.");
    const file = await openEvidence(actorByEmail("supplier2@demo.test"), draftLink.id);
    file.stream.on("error", () => {}).destroy();
    expect(file.size).toBeGreaterThan(0);
  });
});
