/** Who may use the retail features: the buyers (and admins) who may verify seals. */
import { can } from "../../platform/roles";
import type { Actor } from "../../platform/actor";
import { ServiceError } from "../../platform/errors.server";

export function assertBuyer(actor: Actor): void {
  if (!can(actor.role, "seals.verify")) throw new ServiceError("forbidden", "Watchlists belong to retail buyers.");
}
