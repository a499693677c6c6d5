/**
 * The demo retailer's acceptance policy (part of the demo seed): "Children's wearables" — a seal
 * valid against ETSI EN 303 645 or UK PSTI at baseline, meeting ETSI's no-default-password,
 * disclosure-policy and update-period provisions (directly, or through an equivalent crosswalk
 * link: UK PSTI's links to them do not state a kind, so a PSTI seal meets them only partly, which
 * is a miss), with two years of security support from today and a support period that meets the
 * EU CRA (five years from going on sale, or a stated shorter expected use time), no high or
 * critical vulnerability past its deadline, and a seal at most two years old. Gator Kids Watch 3
 * (ETSI) meets it; Gator Kids Watch 2 (UK PSTI) misses it: expired, the three ETSI provisions met
 * only partly through the crosswalk, and issued 25 months ago. Idempotent.
 */
import { and, eq } from "drizzle-orm";
import { acceptancePolicies } from "../../db/schema";
import { db } from "../platform/db.server";
import { savePolicy } from "../features/retail/policies.server";
import { actorFor } from "./seed-products.server";

export const DEMO_POLICY = {
  name: "Children's wearables",
  category: "childrens-wearable",
  accepted: [
    { checklistId: "etsi-en-303-645", minLevel: "baseline" },
    { checklistId: "uk-psti", minLevel: "baseline" },
  ],
  requiredProvisions: ["etsi-en-303-645:5.1-1", "etsi-en-303-645:5.2-1", "etsi-en-303-645:5.3-13"],
  minSupportMonths: 24,
  blockingFindingSeverity: "high",
  maxSealAgeMonths: 24,
  craSupportPeriod: true,
} as const;

export function seedDemoPolicies(created: string[]): void {
  const buyer = actorFor("buyer@demo.test");
  const exists = db()
    .select({ id: acceptancePolicies.id })
    .from(acceptancePolicies)
    .where(
      and(eq(acceptancePolicies.organizationId, buyer.organizationId), eq(acceptancePolicies.name, DEMO_POLICY.name)),
    )
    .get();
  if (exists) return;
  savePolicy(buyer, {
    ...DEMO_POLICY,
    accepted: [...DEMO_POLICY.accepted],
    requiredProvisions: [...DEMO_POLICY.requiredProvisions],
  });
  created.push(`policy ${DEMO_POLICY.name} (High Street Retail)`);
}
