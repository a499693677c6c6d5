/**
 * Conflicts of interest: an admin declares an assessor who must not assess an organisation, and
 * every assessor-facing service asks here (one rule, app/features/accounts/domain/conflicts.ts conflictOfInterest)
 * before it shows or acts on a supplier's submission, evidence, seal, finding or recurring evidence.
 */
import crypto from "node:crypto";
import { and, asc, eq } from "drizzle-orm";
import { alias } from "drizzle-orm/sqlite-core";
import { z } from "zod";
import { conflictDeclarations, organizations, users } from "../../../db/schema";
import { nowMs } from "../../platform/clock.server";
import { conflictOfInterest } from "./domain/conflicts";
import type { Actor } from "../../platform/actor";
import { recordAudit } from "../../platform/audit.server";
import { assertCan } from "../../platform/authorize.server";
import { db, transaction, type Tx } from "../../platform/db.server";
import { ServiceError } from "../../platform/errors.server";
import { emit } from "../../platform/events.server";
import type { conflictInput } from "./forms";

type Reader = Pick<Tx, "select">;

/**
 * The conflict-of-interest rule for one actor, for any number of supplier organisations (a queue
 * or a list asks once per row; one query for the declarations). Conflicts are an assessor's: for
 * any other role the answer is always null (admins and suppliers are checked by their own rules).
 */
export function conflictChecker(t: Reader, actor: Actor): (supplierOrganizationId: string) => string | null {
  if (actor.role !== "assessor") return () => null;
  const declaredConflicts = t
    .select({ organizationId: conflictDeclarations.organizationId, reason: conflictDeclarations.reason })
    .from(conflictDeclarations)
    .where(eq(conflictDeclarations.assessorId, actor.userId))
    .all();
  const answers = new Map<string, string | null>();
  return (supplierOrganizationId) => {
    if (!answers.has(supplierOrganizationId)) {
      const supplierName =
        t
          .select({ name: organizations.name })
          .from(organizations)
          .where(eq(organizations.id, supplierOrganizationId))
          .get()?.name ?? "this supplier";
      answers.set(
        supplierOrganizationId,
        conflictOfInterest({
          assessorOrganizationId: actor.organizationId,
          supplierOrganizationId,
          supplierName,
          declaredConflicts,
        }),
      );
    }
    return answers.get(supplierOrganizationId)!;
  };
}

/** Why `actor` may not assess this supplier organisation, or null. */
export function conflictReason(t: Reader, actor: Actor, supplierOrganizationId: string): string | null {
  return conflictChecker(t, actor)(supplierOrganizationId);
}

/**
 * Refuses (403) an assessor with a conflict of interest with the supplier: "You have a declared
 * conflict of interest with <organisation>: <the declared reason>. <next>" — `next` says who must
 * act instead, e.g. "Another assessor must review this submission."
 */
export function assertNoConflict(t: Reader, actor: Actor, supplierOrganizationId: string, next: string): void {
  const reason = conflictReason(t, actor, supplierOrganizationId);
  if (reason) throw new ServiceError("forbidden", `${reason} ${next}`);
}

/** Records a declaration; returns whom it concerns, by name (the assessor and the supplier organisation). */
export function declareConflict(
  actor: Actor,
  input: z.infer<typeof conflictInput>,
): { assessor: string; organization: string } {
  assertCan(actor, "admin.users.manage");
  return transaction((tx) => {
    const assessor = tx.select().from(users).where(eq(users.id, input.assessorId)).get();
    if (!assessor || assessor.role !== "assessor")
      throw new ServiceError("invalid", "Choose an assessor.", { assessorId: "Not an assessor." });
    const org = tx.select().from(organizations).where(eq(organizations.id, input.organizationId)).get();
    if (!org || org.kind !== "supplier")
      throw new ServiceError("invalid", "Choose a supplier organisation.", { organizationId: "Not a supplier." });
    const existing = tx
      .select()
      .from(conflictDeclarations)
      .where(and(eq(conflictDeclarations.assessorId, assessor.id), eq(conflictDeclarations.organizationId, org.id)))
      .get();
    if (existing)
      throw new ServiceError("conflict", `${assessor.name} is already declared conflicted with ${org.name}.`);
    tx.insert(conflictDeclarations)
      .values({
        id: crypto.randomUUID(),
        assessorId: assessor.id,
        organizationId: org.id,
        reason: input.reason,
        declaredBy: actor.userId,
        createdAt: new Date(nowMs()),
      })
      .run();
    emit(tx, "assessors.changed", { organizationId: org.id, change: "conflict_declared" });
    recordAudit(tx, actor, {
      action: "conflict.declared",
      target: { type: "user", id: assessor.id },
      organizationId: org.id,
      details: { assessor: assessor.email, organization: org.name, reason: input.reason },
    });
    return { assessor: assessor.name, organization: org.name };
  });
}

/** Removes a declaration; returns whom it concerned (the assessor and the supplier organisation). */
export function removeConflict(
  actor: Actor,
  id: string,
): { assessorId: string; assessor: string; organizationId: string; organization: string } {
  assertCan(actor, "admin.users.manage");
  return transaction((tx) => {
    const row = tx
      .select({
        d: conflictDeclarations,
        assessor: users.email,
        assessorName: users.name,
        organization: organizations.name,
      })
      .from(conflictDeclarations)
      .innerJoin(users, eq(users.id, conflictDeclarations.assessorId))
      .innerJoin(organizations, eq(organizations.id, conflictDeclarations.organizationId))
      .where(eq(conflictDeclarations.id, id))
      .get();
    if (!row) throw new ServiceError("not_found", "No such declaration.");
    tx.delete(conflictDeclarations).where(eq(conflictDeclarations.id, id)).run();
    emit(tx, "assessors.changed", { organizationId: row.d.organizationId, change: "conflict_removed" });
    recordAudit(tx, actor, {
      action: "conflict.removed",
      target: { type: "user", id: row.d.assessorId },
      organizationId: row.d.organizationId,
      details: { assessor: row.assessor, organization: row.organization, reason: row.d.reason },
    });
    return {
      assessorId: row.d.assessorId,
      assessor: row.assessorName,
      organizationId: row.d.organizationId,
      organization: row.organization,
    };
  });
}

export function listConflicts(actor: Actor) {
  assertCan(actor, "admin.users.manage");
  const declarer = alias(users, "declarer");
  const t = db();
  return {
    declarations: t
      .select({
        id: conflictDeclarations.id,
        reason: conflictDeclarations.reason,
        createdAt: conflictDeclarations.createdAt,
        assessor: users.name,
        assessorEmail: users.email,
        organization: organizations.name,
        declaredBy: declarer.name,
      })
      .from(conflictDeclarations)
      .innerJoin(users, eq(users.id, conflictDeclarations.assessorId))
      .innerJoin(organizations, eq(organizations.id, conflictDeclarations.organizationId))
      .innerJoin(declarer, eq(declarer.id, conflictDeclarations.declaredBy))
      .orderBy(asc(users.name))
      .all(),
    assessors: t
      .select({ id: users.id, name: users.name, email: users.email })
      .from(users)
      .where(eq(users.role, "assessor"))
      .orderBy(asc(users.name))
      .all(),
    suppliers: t
      .select({ id: organizations.id, name: organizations.name })
      .from(organizations)
      .where(eq(organizations.kind, "supplier"))
      .orderBy(asc(organizations.name))
      .all(),
  };
}
