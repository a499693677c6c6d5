/**
 * Crosswalk coverage of a certified submission: for every other checklist (its newest published
 * version), which of its requirements the certified assessment covers through the crosswalk,
 * fully (an `equivalent` link from a met requirement) or partly (only `partial` or unspecified
 * links). "Met" is the rule a buyer's provision uses (isMetOnMerits): passed, or judged not
 * applicable where that is allowed; an advisory "fail" accepted on its justification is not met. Seen by the supplier organisation that owns the submission, and by
 * the certification body (assessors and admins; not an assessor with a conflict of interest with the supplier).
 */
import { asc, eq } from "drizzle-orm";
import { checklistVersions, products, productVersions, requirements } from "../../../db/schema";
import type { Actor } from "../../platform/actor";
import { assertSameOrganization } from "../../platform/authorize.server";
import { nowMs } from "../../platform/clock.server";
import { db } from "../../platform/db.server";
import { ServiceError } from "../../platform/errors.server";
import { can } from "../../platform/roles";
import { assertNoConflict } from "../accounts/conflicts.server";
import { checklistLabelFor } from "../catalogue/checklists.server";
import { crosswalkCoverageTargets } from "../catalogue/crosswalk-coverage.server";
import {
  coverageHeadline,
  crosswalkCoverage,
  type ChecklistCoverage,
  type CoverageSourceRequirement,
} from "../catalogue/domain/checklist/coverage";
import { checklistShortName } from "../catalogue/domain/checklist/crosswalk";
import { sealVerdictOf, type SealVerdict } from "../trust/domain/verdict";
import { isMetOnMerits } from "./domain/review";
import { sealForSubmission } from "./seals.server";
import { loadSubmission } from "./submission-records.server";
import { latestVerdicts, reviewedRequirements } from "./verdicts.server";

export interface CoverageBlock extends ChecklistCoverage {
  checklistId: string;
  version: string;
  label: string;
  /** The short name used in sentences: "EU CRA Annex I". */
  name: string;
  lowestLevel: { id: string; title: string };
  headline: string;
}

export interface SealCoverageView {
  submissionId: string;
  organizationId: string;
  product: { id: string; name: string; firmware: string };
  seal: { serial: string; verdict: SealVerdict; validUntil: Date };
  source: { checklistId: string; version: string; label: string; name: string; level: { id: string; title: string } };
  /** Requirements of the certified version in scope at the level, and how many of them were met on their merits. */
  sourceCounts: { inScope: number; met: number };
  targets: CoverageBlock[];
}

export function sealCoverageView(actor: Actor, submissionId: string): SealCoverageView {
  if (actor.role !== "supplier" && !can(actor.role, "seals.manage"))
    throw new ServiceError("forbidden", "Crosswalk coverage is shown to the supplier and the certification body.");
  const t = db();
  const s = loadSubmission(t, submissionId);
  if (actor.role === "supplier") assertSameOrganization(actor, s.organizationId);
  // The certified result requirement by requirement is the supplier's work, as on the review page.
  else assertNoConflict(t, actor, s.organizationId, "Another assessor must review this submission.");
  const seal = sealForSubmission(s.id);
  if (!seal)
    throw new ServiceError(
      "not_found",
      "This submission has no seal: crosswalk coverage is worked out for a certified submission.",
    );
  const cv = t.select().from(checklistVersions).where(eq(checklistVersions.id, s.checklistVersionId)).get()!;
  const product = t
    .select({ id: products.id, name: products.name, firmware: productVersions.firmwareVersion })
    .from(productVersions)
    .innerJoin(products, eq(products.id, productVersions.productId))
    .where(eq(productVersions.id, s.productVersionId))
    .get()!;

  const reviewed = new Map(reviewedRequirements(t, s).map((r) => [r.ref, r]));
  const latest = latestVerdicts(t, s.id);
  const sources: CoverageSourceRequirement[] = t
    .select({ ref: requirements.ref, title: requirements.title })
    .from(requirements)
    .where(eq(requirements.versionId, cv.id))
    .orderBy(asc(requirements.position))
    .all()
    .map((r) => {
      const req = reviewed.get(r.ref);
      return { ...r, inScope: Boolean(req), met: req ? isMetOnMerits(req, latest.get(r.ref)) : false };
    });

  const sourceName = checklistShortName(cv.checklistId);
  const targets = crosswalkCoverageTargets({ versionId: cv.id, checklistId: cv.checklistId }).map(
    (target): CoverageBlock => {
      const coverage = crosswalkCoverage(sources, target.requirements, target.links);
      const name = checklistShortName(target.checklistId);
      return {
        checklistId: target.checklistId,
        version: target.version,
        label: target.label,
        name,
        lowestLevel: target.lowestLevel,
        ...coverage,
        headline: coverageHeadline(sourceName, name, coverage),
      };
    },
  );
  return {
    submissionId: s.id,
    organizationId: s.organizationId,
    product,
    seal: {
      serial: seal.serial,
      verdict: sealVerdictOf(seal, new Date(nowMs())).verdict,
      validUntil: seal.validUntil,
    },
    source: {
      checklistId: cv.checklistId,
      version: cv.version,
      label: checklistLabelFor({ id: cv.checklistId, version: cv.version, title: cv.title }),
      name: sourceName,
      level: cv.levels.find((l) => l.id === s.targetLevel) ?? { id: s.targetLevel, title: s.targetLevel },
    },
    sourceCounts: { inScope: reviewed.size, met: sources.filter((r) => r.met).length },
    targets,
  };
}
