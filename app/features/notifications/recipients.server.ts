/**
 * Who may be told about something, as user ids (read in the caller's transaction): the users of a
 * supplier organisation, the assessors free to act on a supplier (the one conflict-of-interest
 * rule, app/features/accounts/domain/conflicts.ts), the users of the organisations watching a
 * product, the administrators. Disabled users are never told. Each answer is sorted, so a
 * notification's recipients do not depend on the order rows come back in.
 */
import { and, eq, inArray, isNull } from "drizzle-orm";
import { conflictDeclarations, organizations, users, watchlistEntries } from "../../../db/schema";
import type { Tx } from "../../platform/db.server";
import { conflictOfInterest } from "../accounts/domain/conflicts";

type Reader = Pick<Tx, "select">;

/** The enabled users of these organisations (any role). */
export function usersOfOrganizations(t: Reader, organizationIds: readonly string[]): string[] {
  if (!organizationIds.length) return [];
  return t
    .select({ id: users.id })
    .from(users)
    .where(and(inArray(users.organizationId, [...new Set(organizationIds)]), isNull(users.disabledAt)))
    .all()
    .map((r) => r.id)
    .sort();
}

/** The supplier organisation's enabled users (they see everything of their own organisation). */
export function supplierUsers(t: Reader, organizationId: string): string[] {
  return usersOfOrganizations(t, [organizationId]);
}

/**
 * The enabled assessors who may act on this supplier organisation's work: none with a conflict of
 * interest with it (their own organisation, or declared by an admin). Who may confirm an approval
 * proposal is narrower (four eyes): possibleConfirmers, in app/features/certification/review.server.ts.
 */
export function assessorsFor(t: Reader, supplierOrganizationId: string): string[] {
  const supplierName =
    t.select({ name: organizations.name }).from(organizations).where(eq(organizations.id, supplierOrganizationId)).get()
      ?.name ?? "this supplier";
  const declared = t
    .select({ assessorId: conflictDeclarations.assessorId, reason: conflictDeclarations.reason })
    .from(conflictDeclarations)
    .where(eq(conflictDeclarations.organizationId, supplierOrganizationId))
    .all();
  return t
    .select({ id: users.id, organizationId: users.organizationId })
    .from(users)
    .where(and(eq(users.role, "assessor"), isNull(users.disabledAt)))
    .all()
    .filter(
      (a) =>
        conflictOfInterest({
          assessorOrganizationId: a.organizationId,
          supplierOrganizationId,
          supplierName,
          declaredConflicts: declared
            .filter((d) => d.assessorId === a.id)
            .map((d) => ({ organizationId: supplierOrganizationId, reason: d.reason })),
        }) === null,
    )
    .map((a) => a.id)
    .sort();
}

/** The enabled users of the organisations watching this product (retail watchlists). */
export function watcherUsers(t: Reader, productId: string): string[] {
  const orgs = t
    .select({ org: watchlistEntries.organizationId })
    .from(watchlistEntries)
    .where(eq(watchlistEntries.productId, productId))
    .all()
    .map((r) => r.org);
  return usersOfOrganizations(t, orgs);
}

/** The enabled administrators. */
export function admins(t: Reader): string[] {
  return t
    .select({ id: users.id })
    .from(users)
    .where(and(eq(users.role, "admin"), isNull(users.disabledAt)))
    .all()
    .map((r) => r.id)
    .sort();
}
