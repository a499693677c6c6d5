// Crosswalk coverage against a real database with the demo data: the demo watch's ETSI EN 303 645
// seal read against the EU CRA Annex I (and the other shipped checklists), who may see it, and the
// kinds stored with the links, both ways.
import { and, eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { crosswalkLinks, products, productVersions, seals, submissions, verdicts } from "../../../db/schema";
import { getChecklistVersion } from "../../../app/features/catalogue/checklists.server";
import { sealCoverageView, type SealCoverageView } from "../../../app/features/certification/coverage.server";
import { seedDemoData } from "../../support/demo-seed";
import { db } from "../../../app/platform/db.server";
import { admin, asha, buyer, grace, sam } from "../../support/actors";

function submissionOf(productName: string, firmware: string): string {
  return db()
    .select({ id: submissions.id })
    .from(seals)
    .innerJoin(submissions, eq(submissions.id, seals.submissionId))
    .innerJoin(productVersions, eq(productVersions.id, seals.productVersionId))
    .innerJoin(products, eq(products.id, productVersions.productId))
    .where(and(eq(products.name, productName), eq(productVersions.firmwareVersion, firmware)))
    .get()!.id;
}

let watch: string; // the demo watch's ETSI EN 303 645 3.1.3-r1 submission (sealed)
let view: SealCoverageView;
const block = (checklistId: string) => view.targets.find((t) => t.checklistId === checklistId)!;
const row = (checklistId: string, ref: string) => block(checklistId).rows.find((r) => r.ref === ref)!;

beforeAll(async () => {
  await seedDemoData();
  watch = submissionOf("Gator Kids Watch 3", "3.1.0");
  view = sealCoverageView(grace(), watch);
});

describe("the stored kinds", () => {
  it("keeps each link's kind from the file, and none for a plain string", () => {
    const kinds = (fromVersionId: string) =>
      db()
        .select({ ref: crosswalkLinks.fromRef, to: crosswalkLinks.toRef, kind: crosswalkLinks.kind })
        .from(crosswalkLinks)
        .where(eq(crosswalkLinks.fromVersionId, fromVersionId))
        .all();
    const cra = kinds("eu-cra-annex-i@2024");
    expect(cra.length).toBe(72);
    expect(cra.filter((l) => l.kind === "equivalent").map((l) => `${l.ref}->${l.to}`)).toEqual([
      "II.5->5.2-1",
      "II.5->2.4.3.5.1",
    ]);
    expect(cra.filter((l) => l.kind !== "equivalent" && l.kind !== "partial")).toEqual([]);
    const psti = kinds("uk-psti@2023");
    expect(psti.length).toBeGreaterThan(0);
    expect(psti.every((l) => l.kind === null)).toBe(true);
  });

  it("shows the kind on both ends of a link", () => {
    const etsi = getChecklistVersion("etsi-en-303-645", "3.1.3-r1")!;
    const r521 = etsi.sections.flatMap((s) => s.requirements).find((r) => r.ref === "5.2-1")!;
    expect(r521.mappedFrom).toContainEqual(
      expect.objectContaining({ checklistId: "eu-cra-annex-i", ref: "II.5", kind: "equivalent" }),
    );
    const r511 = etsi.sections.flatMap((s) => s.requirements).find((r) => r.ref === "5.1-1")!;
    expect(r511.mappedFrom).toContainEqual(
      expect.objectContaining({ checklistId: "eu-cra-annex-i", ref: "I.2.b", kind: "partial" }),
    );
    expect(r511.mapsTo).toContainEqual(expect.objectContaining({ checklistId: "uk-psti", ref: "1", kind: null }));
    const cra = getChecklistVersion("eu-cra-annex-i", "2024")!;
    const ii5 = cra.sections.flatMap((s) => s.requirements).find((r) => r.ref === "II.5")!;
    expect(ii5.mapsTo).toContainEqual(
      expect.objectContaining({
        checklistId: "etsi-en-303-645",
        ref: "5.2-1",
        version: "3.1.3-r1",
        kind: "equivalent",
      }),
    );
  });
});

describe("the demo watch's ETSI seal against the EU CRA Annex I", () => {
  it("reads every other checklist's newest published version, not ETSI itself", () => {
    expect(view.source).toMatchObject({ checklistId: "etsi-en-303-645", version: "3.1.3-r1", name: "ETSI EN 303 645" });
    const ids = view.targets.map((t) => t.checklistId);
    expect(ids).toEqual(expect.arrayContaining(["eu-cra-annex-i", "iotsf-assurance-framework", "uk-psti"]));
    expect(ids).not.toContain("etsi-en-303-645");
    expect(block("iotsf-assurance-framework").version).toBe("3.0-r1");
  });

  it("covers II.5 fully through the equivalent link from 5.2-1, and I.2.b partly", () => {
    expect(row("eu-cra-annex-i", "II.5")).toMatchObject({
      status: "covered",
      via: expect.arrayContaining([{ ref: "5.2-1", title: expect.any(String), kind: "equivalent" }]),
    });
    expect(row("eu-cra-annex-i", "I.2.b").status).toBe("partly_covered");
    expect(row("eu-cra-annex-i", "I.2.b").via.map((v) => v.ref)).toEqual(
      expect.arrayContaining(["5.1-1", "5.1-2", "5.6-1"]),
    );
  });

  it("matches the verdicts: a requirement covers only through met source requirements", () => {
    const latest = new Map(
      db()
        .select()
        .from(verdicts)
        .where(eq(verdicts.submissionId, watch))
        .orderBy(verdicts.id)
        .all()
        .map((v) => [v.requirementRef, v]),
    );
    // The watch's advisories judged not applicable (accepted, as approval needs) are met: "not
    // applicable where that is allowed". Only an advisory "fail" accepted on its justification is not.
    const acceptedNotApplicable = [...latest.values()].filter((v) => v.accepted && v.verdict === "not_applicable");
    expect(acceptedNotApplicable.length).toBeGreaterThan(0);
    const acceptedFails = [...latest.values()].filter((v) => v.accepted && v.verdict === "fail").length;
    expect(view.sourceCounts).toEqual({ inScope: latest.size, met: latest.size - acceptedFails });
    const cra = block("eu-cra-annex-i");
    for (const r of cra.rows) {
      for (const v of r.via) {
        const verdict = latest.get(v.ref);
        expect(verdict?.verdict === "pass" || verdict?.verdict === "not_applicable", `${r.ref} via ${v.ref}`).toBe(
          true,
        );
      }
      for (const n of r.linkedNotMet) {
        const verdict = latest.get(n.ref);
        // Not met here: no verdict (outside the level), or neither a pass nor a not applicable.
        expect(
          !verdict || (verdict.verdict !== "pass" && verdict.verdict !== "not_applicable"),
          `${r.ref} from ${n.ref}`,
        ).toBe(true);
      }
    }
  });

  it("gives a headline that adds up and names what is missing", () => {
    const cra = block("eu-cra-annex-i");
    expect(cra.all.total).toBe(22);
    expect(cra.mandatory.total).toBe(22);
    expect(cra.all.covered + cra.all.partly + cra.all.notCovered).toBe(22);
    expect(cra.all.covered).toBeGreaterThanOrEqual(1);
    expect(cra.headline).toBe(
      `Your ETSI EN 303 645 seal covers ${cra.all.covered + cra.all.partly} of 22 EU CRA Annex I requirements (${cra.all.covered} fully, ${cra.all.partly} partly); not covered: ${cra.rows
        .filter((r) => r.status === "not_covered")
        .slice(0, 6)
        .map((r) => `${r.ref} ${r.title}`)
        .join(", ")}${cra.all.notCovered > 6 ? `, and ${cra.all.notCovered - 6} more` : ""}.`,
    );
    // The demo figures: the watch met every ETSI requirement linked to the CRA but one point has no
    // ETSI link at all (I.1, the risk-based level of cybersecurity, links to IoTSF only).
    expect(cra.headline).toBe(
      "Your ETSI EN 303 645 seal covers 21 of 22 EU CRA Annex I requirements (1 fully, 20 partly); not covered: I.1 Appropriate level of cybersecurity based on the risks.",
    );
    expect(row("eu-cra-annex-i", "I.1")).toMatchObject({ status: "not_covered", via: [], linkedNotMet: [] });
  });
});

describe("who sees it", () => {
  it("shows it to the owning supplier, assessors and admins", () => {
    expect(sealCoverageView(asha(), watch).targets.length).toBe(view.targets.length);
    expect(sealCoverageView(admin(), watch).seal.serial).toBe(view.seal.serial);
  });

  it("refuses another supplier, a retail buyer, and a submission without a seal", async () => {
    await expect(() => sealCoverageView(sam(), watch)).toBeRefused("forbidden");
    await expect(() => sealCoverageView(buyer(), watch)).toBeRefused("forbidden");
    const unsealed = db()
      .select({ id: submissions.id })
      .from(submissions)
      .innerJoin(productVersions, eq(productVersions.id, submissions.productVersionId))
      .where(eq(productVersions.firmwareVersion, "3.2.0"))
      .get()!.id;
    await expect(() => sealCoverageView(grace(), unsealed)).toBeRefused("not_found", /no seal/);
    await expect(() => sealCoverageView(grace(), "no-such-submission")).toBeRefused("not_found");
  });
});

describe("every demo seal against every other checklist", () => {
  it("prints the figures", () => {
    const rows = db()
      .select({
        serial: seals.serial,
        submissionId: seals.submissionId,
        name: products.name,
        fw: productVersions.firmwareVersion,
        org: products.organizationId,
      })
      .from(seals)
      .innerJoin(productVersions, eq(productVersions.id, seals.productVersionId))
      .innerJoin(products, eq(products.id, productVersions.productId))
      .all();
    const lines: string[] = [];
    for (const r of rows) {
      const v = sealCoverageView(admin(), r.submissionId);
      for (const t of v.targets)
        lines.push(
          `${r.name} ${r.fw} (${v.source.name} ${v.source.version}, ${v.seal.verdict}) -> ${t.name} ${t.version}: ` +
            `${t.all.covered + t.all.partly}/${t.all.total} (${t.all.covered} fully, ${t.all.partly} partly, ${t.all.notCovered} not); ` +
            `mandatory at ${t.lowestLevel.title}: ${t.mandatory.covered + t.mandatory.partly}/${t.mandatory.total}`,
        );
    }
    console.log(lines.join("\n"));
    expect(lines.length).toBeGreaterThan(0);
  });
});
