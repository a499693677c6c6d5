/**
 * The checklists a certified assessment can be read against through the crosswalk: for a source
 * checklist version, every other checklist's newest published version, its requirements, and the
 * links between the two in both directions (the source's maps_to, and the target's maps_to that
 * name the source checklist). Reads only; the caller decides what the source met
 * (domain/checklist/coverage.ts computes the rest).
 */
import { and, asc, eq } from "drizzle-orm";
import { checklistVersions, crosswalkLinks, requirements } from "../../../db/schema";
import { db } from "../../platform/db.server";
import { byNewest, checklistLabelFor } from "./checklists.server";
import type { CoverageLink, CoverageTargetRequirement } from "./domain/checklist/coverage";

export interface CoverageTargetInput {
  checklistId: string;
  versionId: string;
  version: string;
  /** The version in words (title and version). */
  label: string;
  /** The level whose mandatory requirements are counted on their own: the target's lowest. */
  lowestLevel: { id: string; title: string };
  requirements: CoverageTargetRequirement[];
  links: CoverageLink[];
}

export function crosswalkCoverageTargets(source: { versionId: string; checklistId: string }): CoverageTargetInput[] {
  const t = db();
  const newest = new Map<string, typeof checklistVersions.$inferSelect>();
  for (const v of t
    .select()
    .from(checklistVersions)
    .where(eq(checklistVersions.status, "published"))
    .all()
    .sort(byNewest)) {
    if (v.checklistId !== source.checklistId && !newest.has(v.checklistId)) newest.set(v.checklistId, v);
  }
  const outgoing = t.select().from(crosswalkLinks).where(eq(crosswalkLinks.fromVersionId, source.versionId)).all();
  return [...newest.values()]
    .map((v): CoverageTargetInput => {
      const lowest = v.levels[0];
      const incoming = t
        .select()
        .from(crosswalkLinks)
        .where(and(eq(crosswalkLinks.fromVersionId, v.id), eq(crosswalkLinks.toChecklistId, source.checklistId)))
        .all();
      return {
        checklistId: v.checklistId,
        versionId: v.id,
        version: v.version,
        label: checklistLabelFor({ id: v.checklistId, version: v.version, title: v.title }),
        lowestLevel: lowest,
        requirements: t
          .select()
          .from(requirements)
          .where(eq(requirements.versionId, v.id))
          .orderBy(asc(requirements.position))
          .all()
          .map((r) => ({
            ref: r.ref,
            sectionRef: r.sectionRef,
            title: r.title,
            mandatory: r.applies[lowest.id] === "mandatory",
          })),
        links: [
          ...outgoing
            .filter((l) => l.toChecklistId === v.checklistId)
            .map((l) => ({ sourceRef: l.fromRef, targetRef: l.toRef, kind: l.kind })),
          ...incoming.map((l) => ({ sourceRef: l.toRef, targetRef: l.fromRef, kind: l.kind })),
        ],
      };
    })
    .sort((a, b) => a.label.localeCompare(b.label));
}
