/** The services' own authorisation checks: a route hiding a button is never the only guard. */
import { can, type Permission } from "./roles";
import { isSystem, type AnyActor } from "./actor";
import { ServiceError } from "./errors.server";

export function assertCan(actor: AnyActor, permission: Permission): void {
  if (isSystem(actor)) return;
  if (!can(actor.role, permission)) throw new ServiceError("forbidden", "You do not have permission to do that.");
}

/** Ownership: the resource must belong to the actor's organisation (system actors pass). */
export function assertSameOrganization(actor: AnyActor, organizationId: string): void {
  if (isSystem(actor)) return;
  if (actor.organizationId !== organizationId)
    throw new ServiceError("forbidden", "This belongs to another organisation.");
}
