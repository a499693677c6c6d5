// The EN 18031 checklist against a real database: it imports with its three cumulative levels and
// its decision-tree verdict model; every shipped checklist is linked to at least two others; and
// an assessor may judge any EN 18031 requirement NOT APPLICABLE, but only with a justification,
// while a standard checklist keeps refusing it.
import { eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { checklistVersions, crosswalkLinks, verdicts } from "../../../db/schema";
import type { Actor } from "../../../app/platform/actor";
import { db } from "../../../app/platform/db.server";
import { ServiceError } from "../../../app/platform/errors.server";
import {
  getChecklistVersion,
  importShippedChecklists,
  listChecklists,
} from "../../../app/features/catalogue/checklists.server";
import { requirementsInScope } from "../../../app/features/certification/submission-records.server";
import { openSubmission, saveAnswer, submitSubmission } from "../../../app/features/certification/submissions.server";
import { recordVerdict, reviewView, takeSubmission } from "../../../app/features/certification/review.server";
import { scoreOf } from "../../../app/features/certification/verdicts.server";
import { loadSubmission } from "../../../app/features/certification/submission-records.server";
import { seedDemoData } from "../../support/demo-seed";
import { actorByEmail } from "../../support/actors";
import { addTestVersion, createTestProduct, submissionVersion as version } from "../../support/submissions";

let grace: Actor;
let asha: Actor;

beforeAll(async () => {
  await seedDemoData();
  expect(importShippedChecklists({ system: "test" }).failures).toEqual([]);
  grace = actorByEmail("supplier@demo.test");
  asha = actorByEmail("assessor1@demo.test");
});

describe("the EN 18031 checklist", () => {
  it("imports with its three cumulative levels, its requirement counts per level and the decision-tree model", () => {
    const v = getChecklistVersion("en-18031", "2024")!;
    expect(v).not.toBeNull();
    expect(v.meta).toMatchObject({ publisher: "CEN-CENELEC", verdictModel: "decision-tree" });
    expect(v.version.requirementCount).toBe(34);
    expect(v.version.levels).toEqual([
      { id: "part-1", title: "Part 1: network (Art. 3(3)(d))", mandatory: 32, advisory: 0 },
      {
        id: "part-1-2",
        title: "Parts 1 and 2: network and personal data (Art. 3(3)(d), (e))",
        mandatory: 34,
        advisory: 0,
      },
      {
        id: "part-1-2-3",
        title: "Parts 1, 2 and 3: network, personal data and fraud (Art. 3(3)(d), (e), (f))",
        mandatory: 34,
        advisory: 0,
      },
    ]);
    // The Part 2 requirements are outside Part 1; the Part 1-only mechanisms are in every level.
    const part1 = requirementsInScope(db(), "en-18031@2024", "part-1").map((r) => r.ref);
    expect(part1).not.toContain("ACM-3");
    expect(part1).not.toContain("DLM-1");
    expect(part1).toEqual(expect.arrayContaining(["ACM-1", "AUM-5", "RLM-1", "NMM-1", "TCM-1", "GEC-1", "CRY-1"]));
    const all = requirementsInScope(db(), "en-18031@2024", "part-1-2-3").map((r) => r.ref);
    expect(all).toEqual(expect.arrayContaining(["ACM-3", "DLM-1", "RLM-1"]));
    // The stored content says it, and the other checklists keep the standard model.
    const row = db().select().from(checklistVersions).where(eq(checklistVersions.id, "en-18031@2024")).get()!;
    expect(JSON.parse(row.content).verdicts).toBe("decision-tree");
    expect(getChecklistVersion("uk-psti", "2023")!.meta.verdictModel).toBe("standard");
  });

  it("links every requirement's crosswalk to a real target, with its kind", () => {
    const v = getChecklistVersion("en-18031", "2024")!;
    const links = v.sections.flatMap((s) =>
      s.requirements.flatMap((r) => r.mapsTo.map((m) => ({ from: r.ref, ...m }))),
    );
    expect(links.length).toBe(78);
    expect(links.filter((l) => l.version === null)).toEqual([]); // none unresolved
    expect(new Set(links.map((l) => l.kind))).toEqual(new Set(["partial"]));
    expect(new Set(links.map((l) => l.checklistId))).toEqual(
      new Set(["etsi-en-303-645", "iotsf-assurance-framework", "uk-psti", "eu-cra-annex-i"]),
    );
    // ETSI's newest version shows the link back.
    const etsi = getChecklistVersion("etsi-en-303-645", "3.1.3-r1")!;
    const back = etsi.sections.flatMap((s) => s.requirements).find((r) => r.ref === "5.1-5")!;
    expect(back.mappedFrom).toContainEqual(
      expect.objectContaining({ checklistId: "en-18031", ref: "AUM-6", kind: "partial" }),
    );
  });
});

describe("crosswalk coverage of the shipped checklists", () => {
  it("links the newest version of every shipped checklist to at least two other checklists, counting both directions", () => {
    const checklists = listChecklists();
    expect(checklists.map((c) => c.id)).toContain("en-18031");
    const links = db().select().from(crosswalkLinks).all();
    const coverage = Object.fromEntries(
      checklists.map((c) => {
        const newest = c.versions[0].id; // versions are newest first
        const outgoing = links.filter((l) => l.fromVersionId === newest).map((l) => l.toChecklistId);
        const incoming = links
          .filter((l) => l.toChecklistId === c.id)
          .filter((l) => checklists.some((o) => o.id !== c.id && o.versions[0].id === l.fromVersionId))
          .map((l) => l.fromVersionId.split("@")[0]);
        return [c.id, [...new Set([...outgoing, ...incoming])].filter((id) => id !== c.id).sort()];
      }),
    );
    for (const [id, others] of Object.entries(coverage))
      expect(others.length, `${id} is linked to ${others.join(", ") || "nothing"}`).toBeGreaterThanOrEqual(2);
    expect(coverage["en-18031"]).toEqual(["etsi-en-303-645", "eu-cra-annex-i", "iotsf-assurance-framework", "uk-psti"]);
  });
});

describe("the least EN 18031 level a product's category needs", () => {
  it("a wearable cannot be certified against Part 1 alone; Parts 1 and 2 open, and other checklists are not judged", () => {
    const watch = createTestProduct(grace, { name: "Gator Band", model: "GB-18031", category: "wearable" });
    const pv = addTestVersion(grace, watch, "1.0.0");
    const open = (checklistVersionId: string, targetLevel: string) => () =>
      openSubmission(grace, { productVersionId: pv, target: { checklistVersionId, targetLevel } });
    const before = db().$client.prepare("select count(*) as n from submissions").get() as { n: number };
    expect(open("en-18031@2024", "part-1")).toThrow(
      /^A wearable cannot be certified against EN 18031 at part-1 \(Part 1\) alone: .*Choose part-1-2/,
    );
    expect((db().$client.prepare("select count(*) as n from submissions").get() as { n: number }).n).toBe(before.n);
    expect(open("en-18031@2024", "part-1-2")()).toMatch(/.+/);
  });
});

describe("decision-tree verdicts on an EN 18031 submission", () => {
  let id: string;
  beforeAll(() => {
    // An appliance: its category does not imply personal data, so Part 1 alone may be certified.
    const product = createTestProduct(grace, {
      name: "Gator Smart Plug",
      model: "GSP-1",
      category: "appliance",
      supportPeriodEnd: "2033-12-31",
    });
    const pv = addTestVersion(grace, product, "2.0.0");
    id = openSubmission(grace, {
      productVersionId: pv,
      target: { checklistVersionId: "en-18031@2024", targetLevel: "part-1" },
    });
    for (const r of requirementsInScope(db(), "en-18031@2024", "part-1"))
      saveAnswer(grace, id, r.ref, {
        claim: "implemented",
        justification: `How ${r.ref} is met is described in the technical file.`,
        noEvidenceReason: "The technical file is sent to the assessor separately.",
      });
    submitSubmission(grace, id);
    takeSubmission(asha, id, version(id));
  });

  it("shows the decision-tree model in the review view", () => {
    expect(reviewView(asha, id).checklist.verdictModel).toBe("decision-tree");
  });

  it("refuses NOT APPLICABLE without a justification on the comment field, and records it with one", () => {
    // RLM-1 has a condition; ACM-1 has none and the supplier claims it is implemented: the tree still may end there.
    for (const ref of ["ACM-1", "RLM-1"]) {
      let error: unknown;
      try {
        recordVerdict(asha, id, ref, {
          verdict: "not_applicable",
          comment: " ",
          accepted: false,
          version: version(id),
        });
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(ServiceError);
      expect((error as ServiceError).fieldErrors).toEqual({
        comment: "A comment is required for NOT APPLICABLE: justify why the decision tree ends there.",
      });
    }
    recordVerdict(asha, id, "ACM-1", {
      verdict: "not_applicable",
      comment: "DN-1: the only reachable asset is the advertised SSID, public by design.",
      accepted: false,
      version: version(id),
    });
    const stored = db().select().from(verdicts).where(eq(verdicts.submissionId, id)).all();
    expect(stored.map((v) => [v.requirementRef, v.verdict])).toEqual([["ACM-1", "not_applicable"]]);
    const score = scoreOf(db(), loadSubmission(db(), id));
    expect(score.blockers.find((b) => b.ref === "ACM-1")).toBeUndefined();
    expect(score.counts.not_applicable).toBe(1);
  });

  it("can be approved once every requirement is PASS or justified NOT APPLICABLE", () => {
    for (const r of requirementsInScope(db(), "en-18031@2024", "part-1").filter((r) => r.ref !== "ACM-1"))
      recordVerdict(
        asha,
        id,
        r.ref,
        r.ref === "NMM-1" || r.ref === "TCM-1"
          ? {
              verdict: "not_applicable",
              comment: "Not network equipment: forwards no traffic.",
              accepted: false,
              version: version(id),
            }
          : { verdict: "pass", comment: "", accepted: false, version: version(id) },
      );
    const score = scoreOf(db(), loadSubmission(db(), id));
    expect(score).toMatchObject({ canApprove: true, blockers: [], mandatory: { total: 32, met: 32 } });
  });

  it("a standard checklist still refuses Not applicable on a requirement without a condition", () => {
    const product = createTestProduct(grace, { name: "Gator Band", model: "GB-1", supportPeriodEnd: "2033-12-31" });
    const pv = addTestVersion(grace, product, "1.0.0");
    const psti = openSubmission(grace, {
      productVersionId: pv,
      target: { checklistVersionId: "uk-psti@2023", targetLevel: "baseline" },
    });
    for (const r of requirementsInScope(db(), "uk-psti@2023", "baseline"))
      saveAnswer(grace, psti, r.ref, {
        claim: "implemented",
        justification: "Done.",
        noEvidenceReason: "Sent separately.",
      });
    submitSubmission(grace, psti);
    takeSubmission(asha, psti, version(psti));
    expect(reviewView(asha, psti).checklist.verdictModel).toBe("standard");
    expect(() =>
      recordVerdict(asha, psti, "2", {
        verdict: "not_applicable",
        comment: "Some reason.",
        accepted: false,
        version: version(psti),
      }),
    ).toThrow(/Not applicable is allowed only where the requirement has a condition/);
  });
});
