/**
 * What the supplier dashboard shows of certification work: the submissions an assessor sent back
 * for changes, each with the requirements to change (in the checklist's order, so the first link
 * is the first requirement to work on) and the assessor's message. The requirements sent back are
 * those of the latest request for changes (sentBack, the rule the supplier's pages use).
 */
import { and, asc, desc, eq } from "drizzle-orm";
import { checklistVersions, decisions, products, productVersions, submissions } from "../../../db/schema";
import { assertCan } from "../../platform/authorize.server";
import type { Actor } from "../../platform/actor";
import { db } from "../../platform/db.server";
import { checklistLabelFor } from "../catalogue/checklists.server";
import { requirementsInScope } from "./submission-records.server";
import { sentBack } from "./submissions.server";

/** The organisation's submissions in "changes requested", longest waiting first, with what to change. */
export function changesRequestedOf(actor: Actor) {
  assertCan(actor, "supplier.workspace");
  const t = db();
  const rows = t
    .select({
      id: submissions.id,
      checklistVersionId: submissions.checklistVersionId,
      targetLevel: submissions.targetLevel,
      product: products.name,
      firmwareVersion: productVersions.firmwareVersion,
      checklistId: checklistVersions.checklistId,
      checklistVersion: checklistVersions.version,
      checklistTitle: checklistVersions.title,
    })
    .from(submissions)
    .innerJoin(productVersions, eq(productVersions.id, submissions.productVersionId))
    .innerJoin(products, eq(products.id, productVersions.productId))
    .innerJoin(checklistVersions, eq(checklistVersions.id, submissions.checklistVersionId))
    // Ownership: only the actor's own organisation's submissions.
    .where(and(eq(submissions.organizationId, actor.organizationId), eq(submissions.status, "changes_requested")))
    .orderBy(asc(submissions.updatedAt), asc(submissions.id))
    .all();
  return rows
    .map((r) => {
      const back = sentBack(t, r.id);
      const refs = requirementsInScope(t, r.checklistVersionId, r.targetLevel)
        .filter((q) => back.has(q.ref))
        .map((q) => ({ ref: q.ref, title: q.title }));
      const request = t
        .select({ comment: decisions.comment, at: decisions.createdAt })
        .from(decisions)
        .where(and(eq(decisions.submissionId, r.id), eq(decisions.kind, "changes_requested")))
        .orderBy(desc(decisions.id))
        .limit(1)
        .get();
      return {
        id: r.id,
        product: r.product,
        firmwareVersion: r.firmwareVersion,
        checklistLabel: checklistLabelFor({ id: r.checklistId, version: r.checklistVersion, title: r.checklistTitle }),
        requestedAt: request?.at ?? null,
        message: request?.comment ?? "",
        /** The requirements sent back, in the checklist's order: the first is where to start. */
        requirements: refs,
      };
    })
    .sort((a, b) => (a.requestedAt?.getTime() ?? 0) - (b.requestedAt?.getTime() ?? 0));
}
