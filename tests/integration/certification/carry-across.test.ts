// Reuse across schemes: opening an EU CRA Annex I submission for the demo watch's certified
// firmware (approved against ETSI EN 303 645 3.1.3-r1) pre-fills it through the crosswalk, marks
// what it carried, and never draws on another organisation's or another firmware's submissions.
import crypto from "node:crypto";
import { and, asc, eq, isNotNull } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import {
  answers,
  auditEvents,
  checklistVersions,
  evidenceLinks,
  organizations,
  productVersions,
  products,
  submissions,
} from "../../../db/schema";
import { db } from "../../../app/platform/db.server";
import { seedDemoData } from "../../support/demo-seed";
import { crosswalkFor } from "../../../app/features/catalogue/checklists.server";
import {
  openSubmission,
  saveAnswer,
  submissionView,
  submitSubmission,
} from "../../../app/features/certification/submissions.server";
import { recordVerdict, reviewView, takeSubmission } from "../../../app/features/certification/review.server";
import { requirementsInScope } from "../../../app/features/certification/submission-records.server";
import { actorByEmail, grace } from "../../support/actors";
import { addTestVersion, createTestProduct, submissionVersion } from "../../support/submissions";

const CRA = "eu-cra-annex-i@2024";
let watch310: string; // Gator Kids Watch 3 firmware 3.1.0: approved against ETSI EN 303 645 3.1.3-r1
let watch320: string; // Gator Kids Watch 3 firmware 3.2.0: submitted against ETSI EN 303 645 2.1.1
let etsiApproved: string;

function versionOf(model: string, firmware: string): string {
  return db()
    .select({ id: productVersions.id })
    .from(productVersions)
    .innerJoin(products, eq(products.id, productVersions.productId))
    .where(and(eq(products.model, model), eq(productVersions.firmwareVersion, firmware)))
    .get()!.id;
}

const answersOf = (id: string) =>
  db().select().from(answers).where(eq(answers.submissionId, id)).orderBy(asc(answers.requirementRef)).all();
const linksOf = (id: string) => db().select().from(evidenceLinks).where(eq(evidenceLinks.submissionId, id)).all();
const openCra = (productVersionId: string, prefill: boolean) =>
  openSubmission(grace(), { productVersionId, target: { checklistVersionId: CRA, targetLevel: "essential" }, prefill });

beforeAll(async () => {
  await seedDemoData();
  watch310 = versionOf("GW-KW3", "3.1.0");
  watch320 = versionOf("GW-KW3", "3.2.0");
  etsiApproved = db()
    .select({ id: submissions.id })
    .from(submissions)
    .where(and(eq(submissions.productVersionId, watch310), eq(submissions.status, "approved")))
    .get()!.id;

  // Another organisation's submission for the very same product version, newer and approved, with
  // answers and a file on every ETSI ref (it cannot be made through the services: a product
  // version is its owner's; the carry must refuse it all the same).
  const brightnest = db()
    .select()
    .from(organizations)
    .where(eq(organizations.name, "Brightnest Smart Home Ltd"))
    .get()!;
  const sam = actorByEmail("supplier2@demo.test");
  const foreign = crypto.randomUUID();
  const later = new Date(Date.now() + 86_400_000);
  db()
    .insert(submissions)
    .values({
      id: foreign,
      organizationId: brightnest.id,
      productVersionId: watch310,
      checklistVersionId: "etsi-en-303-645@3.1.3",
      targetLevel: "baseline",
      status: "approved",
      createdBy: sam.userId,
      updatedAt: later,
    })
    .run();
  const sha = linksOf(etsiApproved)[0].sha256;
  for (const r of requirementsInScope(db(), "etsi-en-303-645@3.1.3", "baseline")) {
    db()
      .insert(answers)
      .values({
        id: crypto.randomUUID(),
        submissionId: foreign,
        requirementRef: r.ref,
        claim: "not_implemented",
        justification: "FOREIGN ANSWER",
        updatedAt: later,
      })
      .run();
    db()
      .insert(evidenceLinks)
      .values({
        id: crypto.randomUUID(),
        submissionId: foreign,
        requirementRef: r.ref,
        sha256: sha,
        originalName: "FOREIGN.pdf",
        linkedBy: sam.userId,
        linkedAt: later,
      })
      .run();
  }
});

describe("carrying answers across schemes", () => {
  let cra: string;

  it("pre-fills every crosswalked CRA requirement from the approved ETSI submission, marked, in one audited step", () => {
    cra = openCra(watch310, true);
    const source = new Map(answersOf(etsiApproved).map((a) => [a.requirementRef, a]));
    const carried = answersOf(cra);
    expect(carried.length).toBeGreaterThan(10);
    // Every carried answer names its sources, each an answered ref of the approved ETSI submission
    // that the crosswalk links to this requirement.
    const cv = db().select().from(checklistVersions).where(eq(checklistVersions.id, CRA)).get()!;
    const refs = requirementsInScope(db(), CRA, "essential").map((r) => r.ref);
    const walk = crosswalkFor(CRA, cv.checklistId, refs);
    for (const a of carried) {
      expect(a.carriedFrom?.length).toBeGreaterThan(0);
      const linked = [
        ...(walk.outgoing.get(a.requirementRef) ?? []),
        ...(walk.incoming.get(a.requirementRef) ?? []),
      ].map((e) => `${e.checklistId}:${e.ref}`);
      for (const from of a.carriedFrom!) {
        expect(from).toMatchObject({ submissionId: etsiApproved, checklistId: "etsi-en-303-645", version: "3.1.3-r1" });
        expect(linked).toContain(`etsi-en-303-645:${from.ref}`);
        expect(source.has(from.ref)).toBe(true);
        // Named in the heading of its line: "From ETSI EN 303 645 5.1-1, 5.1-2 and 5.6-1: …".
        const heads = [...a.justification.matchAll(/^From ETSI EN 303 645 ([^:]+):/gm)].map((m) =>
          m[1].split(/, | and /),
        );
        expect(heads.flat()).toContain(from.ref);
      }
      expect(a.justification).not.toContain("FOREIGN");
    }
    // Fed by one ETSI answer: that answer's claim and text, word for word.
    const singles = carried.filter((a) => a.carriedFrom!.length === 1);
    expect(singles.length).toBeGreaterThan(0);
    for (const a of singles) {
      const from = source.get(a.carriedFrom![0].ref)!;
      expect(a.claim).toBe(from.claim);
      expect(a.justification).toBe(`From ETSI EN 303 645 ${from.requirementRef}: ${from.justification}`);
    }
    // A requirement linked to no ETSI ref (only IoTSF or PSTI, which this firmware has no submission against) stays empty.
    const unlinked = refs.filter(
      (r) =>
        ![...(walk.outgoing.get(r) ?? []), ...(walk.incoming.get(r) ?? [])].some(
          (e) => e.checklistId === "etsi-en-303-645",
        ),
    );
    expect(unlinked.length).toBeGreaterThan(0);
    for (const r of unlinked) expect(carried.find((a) => a.requirementRef === r)).toBeUndefined();

    // The files: the same content-addressed bytes, linked again, each marked; the union per requirement.
    const links = linksOf(cra);
    const sourceLinks = linksOf(etsiApproved);
    expect(links.length).toBeGreaterThan(0);
    for (const l of links) {
      expect(l.originalName).not.toBe("FOREIGN.pdf");
      expect(l.carriedFrom?.length).toBeGreaterThan(0);
      for (const from of l.carriedFrom!)
        expect(sourceLinks.some((s) => s.requirementRef === from.ref && s.sha256 === l.sha256)).toBe(true);
    }
    const b = links.filter((l) => l.requirementRef === "I.2.b").map((l) => l.sha256);
    const bSources = sourceLinks
      .filter((l) => ["5.1-1", "5.1-2", "5.6-1"].includes(l.requirementRef))
      .map((l) => l.sha256);
    expect(new Set(b)).toEqual(new Set(bSources));
    expect(b.length).toBe(new Set(b).size);

    // One audit entry says how much came from where; the submission keeps the same summary for its notice.
    const audit = db()
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.action, "submission.carried_across"), eq(auditEvents.targetId, cra)))
      .all();
    expect(audit).toHaveLength(1);
    const details = JSON.parse(audit[0].details);
    expect(details).toEqual({
      answers: carried.length,
      evidenceLinks: links.length,
      evidenceFiles: new Set(links.map((l) => l.sha256)).size,
      from: [`etsi-en-303-645 3.1.3-r1 (submission ${etsiApproved})`],
    });
    const view = submissionView(grace(), cra);
    expect(view.carriedAcross).toMatchObject({ answers: carried.length, stillMarked: carried.length });
    expect(view.carriedAcross!.text).toBe(
      `${carried.length} answers and ${details.evidenceFiles} evidence files were carried across from your ETSI EN 303 645 submission; each is marked for you to check.`,
    );
    const req = view.sections.flatMap((s) => s.requirements).find((r) => r.ref === singles[0].requirementRef)!;
    expect(req.carriedFrom?.label).toBe(`ETSI EN 303 645 ${singles[0].carriedFrom![0].ref}`);
  });

  it("clears the mark when the supplier saves the answer, and only that one", () => {
    const before = answersOf(cra).find((a) => a.requirementRef === "I.2.b")!;
    saveAnswer(grace(), cra, "I.2.b", {
      claim: "implemented",
      justification: before.justification + " Checked for the CRA.",
      noEvidenceReason: "",
      revision: before.revision,
    });
    const after = answersOf(cra);
    expect(after.find((a) => a.requirementRef === "I.2.b")!.carriedFrom).toBeNull();
    expect(linksOf(cra).filter((l) => l.requirementRef === "I.2.b" && l.carriedFrom)).toHaveLength(0);
    expect(after.filter((a) => a.carriedFrom).length).toBe(after.length - 1);
    expect(submissionView(grace(), cra).carriedAcross!.stillMarked).toBe(after.length - 1);
  });

  it("an assessor's verdict on a carried answer confirms it and clears the mark", () => {
    // Complete whatever the carry left open (saving those clears their marks), then submit.
    const view = submissionView(grace(), cra);
    for (const r of view.sections.flatMap((s) => s.requirements))
      if (r.problems.length)
        saveAnswer(grace(), cra, r.ref, {
          claim: "implemented",
          justification: "Covered by the security policy.",
          noEvidenceReason: "The security policy is public on our website.",
        });
    const stillMarked = answersOf(cra).filter((a) => a.carriedFrom);
    expect(stillMarked.length).toBeGreaterThan(0);
    submitSubmission(grace(), cra);
    const asha = actorByEmail("assessor1@demo.test");
    takeSubmission(asha, cra, submissionVersion(cra));
    const ref = stillMarked[0].requirementRef;
    expect(reviewView(asha, cra).requirements.find((r) => r.ref === ref)!.carriedAcross?.label).toMatch(
      /^ETSI EN 303 645 /,
    );
    recordVerdict(asha, cra, ref, { verdict: "pass", comment: "", accepted: false, version: submissionVersion(cra) });
    expect(answersOf(cra).find((a) => a.requirementRef === ref)!.carriedFrom).toBeNull();
    expect(reviewView(asha, cra).requirements.find((r) => r.ref === ref)!.carriedAcross).toBeNull();
    expect(answersOf(cra).filter((a) => a.carriedFrom)).toHaveLength(stillMarked.length - 1);
  });

  it("takes nothing from other firmware versions: 3.2.0 carries from its own ETSI 2.1.1 submission only", () => {
    const id = openCra(watch320, true);
    const own = db()
      .select({ id: submissions.id })
      .from(submissions)
      .where(
        and(eq(submissions.productVersionId, watch320), eq(submissions.checklistVersionId, "etsi-en-303-645@2.1.1")),
      )
      .get()!.id;
    const carried = answersOf(id);
    expect(carried.length).toBeGreaterThan(0);
    const sources = new Set(carried.flatMap((a) => a.carriedFrom!.map((f) => `${f.submissionId} ${f.version}`)));
    expect([...sources]).toEqual([`${own} 2.1.1`]);
    expect(
      db()
        .select()
        .from(evidenceLinks)
        .where(and(eq(evidenceLinks.submissionId, id), isNotNull(evidenceLinks.carriedFrom)))
        .all()
        .every((l) => l.carriedFrom!.every((f) => f.submissionId === own)),
    ).toBe(true);
  });

  it("opts out: without prefill the submission starts empty and says nothing", () => {
    const pv = db()
      .select({ id: productVersions.id })
      .from(productVersions)
      .innerJoin(products, eq(products.id, productVersions.productId))
      .where(eq(products.model, "GW-KW2"))
      .get()!.id;
    const id = openCra(pv, false);
    expect(answersOf(id)).toHaveLength(0);
    expect(linksOf(id)).toHaveLength(0);
    expect(submissionView(grace(), id).carriedAcross).toBeNull();
    expect(
      db()
        .select()
        .from(auditEvents)
        .where(and(eq(auditEvents.action, "submission.carried_across"), eq(auditEvents.targetId, id)))
        .all(),
    ).toHaveLength(0);
  });

  it("'nothing was carried across' is said until the first answer is saved, not on every later visit", () => {
    const pv = addTestVersion(grace(), createTestProduct(grace(), { name: "Gator New Band", model: "GW-NB1" }));
    const id = openCra(pv, true); // a new product: no other submission to carry from
    expect(submissionView(grace(), id).carriedAcross?.text).toMatch(/^Nothing was carried across/);
    const [first] = requirementsInScope(db(), CRA, "essential");
    saveAnswer(grace(), id, first.ref, {
      claim: "implemented",
      justification: "Described in the product's security design.",
      noEvidenceReason: "",
      revision: 0,
    });
    expect(submissionView(grace(), id).carriedAcross).toBeNull();
  });
});
