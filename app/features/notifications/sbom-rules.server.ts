/**
 * "Possibly affected" (issue 19): when an advisory becomes public and names package URLs
 * ("pkg:..." in its title or description), the assessors of every certified firmware whose SBOM
 * (evidence of its approved submission) contains a matching component get a task. Subscribed to
 * "advisory.published" in app/system/wiring.server.ts; runs in the publishing transaction.
 */
import { eq } from "drizzle-orm";
import { findings } from "../../../db/schema";
import type { DomainEvent } from "../../platform/events.server";
import type { Tx } from "../../platform/db.server";
import { purlsIn } from "../certification/domain/sbom";
import { certifiedSbomMatches } from "../certification/sbom.server";
import { notify } from "./notify.server";
import { assessorsFor } from "./recipients.server";

export function notifyPossiblyAffected(tx: Tx, e: DomainEvent<"advisory.published">): void {
  const advisoryId =
    typeof e.body.advisory === "object" && e.body.advisory !== null
      ? (e.body.advisory as { advisoryId?: unknown }).advisoryId
      : undefined;
  if (typeof advisoryId !== "string") return;
  const finding = tx
    .select({ title: findings.title, description: findings.description, productId: findings.productId })
    .from(findings)
    .where(eq(findings.advisoryId, advisoryId))
    .get();
  if (!finding) return;
  const purls = purlsIn(`${finding.title}\n${finding.description}`);
  if (purls.length === 0) return;
  const bySeal = new Map<string, ReturnType<typeof certifiedSbomMatches>>();
  for (const m of certifiedSbomMatches(tx, purls)) bySeal.set(m.serial, [...(bySeal.get(m.serial) ?? []), m]);
  for (const [serial, matches] of bySeal) {
    const m = matches[0];
    const components = matches.map((x) => x.componentPurl);
    notify(tx, {
      userIds: assessorsFor(tx, m.organizationId),
      category: "reports",
      kind: "sbom.possibly_affected",
      key: `sbom-affected:${advisoryId}:${serial}`,
      title: `Possibly affected: ${m.productName} ${m.firmwareVersion} (advisory ${advisoryId})`,
      body: `Advisory ${advisoryId} names ${purls.join(", ")}. The SBOM of ${m.productName} firmware ${m.firmwareVersion} (seal ${serial}) contains ${components.join(", ")}. Check whether the product is affected.`,
      link: `/assessor/submissions/${m.submissionId}?sbom=${m.sha256}#sbom-title`,
    });
  }
}
