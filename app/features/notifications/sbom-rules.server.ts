/**
 * "Possibly affected" (issue 19): when an advisory names package URLs, the assessors of every
 * certified firmware whose SBOM (evidence of its approved submission) contains a matching
 * component get a task, once per advisory and seal:
 * - our own advisory, when it becomes public ("advisory.published"): the purls of its "Affected
 *   components" field, and, for advisories written before that field, the purls its title or
 *   description names;
 * - a third party's CSAF advisory an assessor imported ("advisory.imported"): the purls of its
 *   known affected products; the task links to the imported advisory.
 * Subscribed in app/system/wiring.server.ts; runs in the emitting transaction.
 */
import { eq } from "drizzle-orm";
import { findings, importedAdvisories } from "../../../db/schema";
import type { DomainEvent } from "../../platform/events.server";
import type { Tx } from "../../platform/db.server";
import { purlsIn } from "../certification/domain/sbom";
import { certifiedSbomMatches } from "../certification/sbom.server";
import { notify } from "./notify.server";
import { assessorsFor } from "./recipients.server";

/** The purls an advisory of ours names: its field, then those in its text (older advisories), without duplicates. */
export function ownAdvisoryPurls(f: { affectedPurls: string[]; title: string; description: string }): string[] {
  return [...new Set([...f.affectedPurls, ...purlsIn(`${f.title}\n${f.description}`)])];
}

interface AdvisorySource {
  /** The notification key's advisory part: "IOTSEAL-2026-0004" or "csaf:<imported id>". */
  key: string;
  /** "advisory IOTSEAL-2026-0004" or "OpenSSL advisory OPENSSL-2026-0001". */
  label: string;
  purls: string[];
  /** Where the task leads: the SBOM of the matching submission (null) or the imported advisory. */
  link: string | null;
}

function notifyMatches(tx: Tx, source: AdvisorySource): void {
  if (source.purls.length === 0) return;
  const bySeal = new Map<string, ReturnType<typeof certifiedSbomMatches>>();
  for (const m of certifiedSbomMatches(tx, source.purls)) bySeal.set(m.serial, [...(bySeal.get(m.serial) ?? []), m]);
  for (const [serial, matches] of bySeal) {
    const m = matches[0];
    const components = [...new Set(matches.map((x) => x.componentPurl))];
    const named = [...new Set(matches.map((x) => x.advisoryPurl))];
    notify(tx, {
      userIds: assessorsFor(tx, m.organizationId),
      category: "reports",
      kind: "sbom.possibly_affected",
      key: `sbom-affected:${source.key}:${serial}`,
      title: `Possibly affected: ${m.productName} ${m.firmwareVersion} (${source.label})`,
      body: `${source.label[0].toUpperCase()}${source.label.slice(1)} names ${named.join(", ")}. The SBOM of ${m.productName} firmware ${m.firmwareVersion} (seal ${serial}) contains ${components.join(", ")}. Check whether the product is affected.`,
      link: source.link ?? `/assessor/submissions/${m.submissionId}?sbom=${m.sha256}#sbom-title`,
    });
  }
}

export function notifyPossiblyAffected(tx: Tx, e: DomainEvent<"advisory.published">): void {
  const advisoryId =
    typeof e.body.advisory === "object" && e.body.advisory !== null
      ? (e.body.advisory as { advisoryId?: unknown }).advisoryId
      : undefined;
  if (typeof advisoryId !== "string") return;
  const finding = tx
    .select({ title: findings.title, description: findings.description, affectedPurls: findings.affectedPurls })
    .from(findings)
    .where(eq(findings.advisoryId, advisoryId))
    .get();
  if (!finding) return;
  notifyMatches(tx, { key: advisoryId, label: `advisory ${advisoryId}`, purls: ownAdvisoryPurls(finding), link: null });
}

export function notifyPossiblyAffectedByImport(tx: Tx, e: DomainEvent<"advisory.imported">): void {
  const a = tx
    .select({
      id: importedAdvisories.id,
      publisherName: importedAdvisories.publisherName,
      trackingId: importedAdvisories.trackingId,
      purls: importedAdvisories.purls,
    })
    .from(importedAdvisories)
    .where(eq(importedAdvisories.id, e.importedAdvisoryId))
    .get();
  if (!a) return;
  notifyMatches(tx, {
    key: `csaf:${a.id}`,
    label: `${a.publisherName} advisory ${a.trackingId}`,
    purls: a.purls,
    link: `/assessor/advisories/${a.id}`,
  });
}
