/**
 * "Possibly affected" (issue 19): when an advisory names package URLs, the assessors of every
 * certified firmware whose SBOM (evidence of its approved submission) contains a matching
 * component get a task, once per advisory and seal:
 * - our own advisory, when it becomes public ("advisory.published"): the purls of its "Affected
 *   components" field, and, for advisories written before that field, the purls its title or
 *   description names;
 * - a third party's CSAF advisory an assessor imported ("advisory.imported"): the purls of its
 *   affected products, each with its product status group (read from the stored document); the
 *   task links to the imported advisory;
 * - a seal issued later ("seal.changed", kind issued): its SBOMs against every imported advisory
 *   and every public advisory of ours (not withdrawn), with the same keys, so nobody is told twice.
 * A match is either an affected version (named exactly) or the same package in a version the
 * advisory may cover (a range, or no version): the task says which (catalogue/domain/purl.ts).
 * Subscribed in app/system/wiring.server.ts; runs in the emitting transaction.
 */
import { and, eq, isNotNull, ne, sql } from "drizzle-orm";
import { findings, importedAdvisories, sealEvents } from "../../../db/schema";
import type { DomainEvent } from "../../platform/events.server";
import { preparedQueries, type Tx } from "../../platform/db.server";
import { parsePurl, purlsIn, type AdvisoryPurl } from "../catalogue/domain/purl";
import { certifiedSbomMatches, sealSbomPackages } from "../certification/sbom.server";
import { importedAdvisoryForMatching } from "../findings/csaf-import.server";
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
  /** Plain purls (ours) or with their CSAF product status groups (imported). */
  purls: (string | AdvisoryPurl)[];
  /** Where the task leads: the SBOM of the matching submission (null) or the imported advisory. */
  link: string | null;
}

/** "pkg:generic/openssl@3.0.0 (first affected version)": an advisory's purl as the task names it. */
function namedText(m: { advisoryPurl: string; advisoryGroup: AdvisoryPurl["group"]; advisoryRange: string | null }) {
  if (m.advisoryGroup === "first_affected") return `${m.advisoryPurl} (first affected version)`;
  if (m.advisoryGroup === "last_affected") return `${m.advisoryPurl} (last affected version)`;
  if (parsePurl(m.advisoryPurl)?.version) return m.advisoryPurl;
  return m.advisoryRange ? `${m.advisoryPurl} (versions ${m.advisoryRange})` : `${m.advisoryPurl} (no version given)`;
}

/** The matches of one advisory (`serial`: in that seal's SBOMs only), one task per seal. */
function notifyMatches(tx: Tx, source: AdvisorySource, serial?: string): void {
  if (source.purls.length === 0) return;
  const bySeal = new Map<string, ReturnType<typeof certifiedSbomMatches>>();
  for (const m of certifiedSbomMatches(tx, source.purls, { serial }))
    bySeal.set(m.serial, [...(bySeal.get(m.serial) ?? []), m]);
  for (const [sealSerial, matches] of bySeal) {
    const m = matches[0];
    const components = [
      ...new Set(
        matches.map((x) =>
          x.match === "affected_version" ? x.componentPurl : `${x.componentPurl} (same package: check the version)`,
        ),
      ),
    ];
    const named = [...new Set(matches.map(namedText))];
    notify(tx, {
      userIds: assessorsFor(tx, m.organizationId),
      category: "reports",
      kind: "sbom.possibly_affected",
      key: `sbom-affected:${source.key}:${sealSerial}`,
      title: `Possibly affected: ${m.productName} ${m.firmwareVersion} (${source.label})`,
      body: `${source.label[0].toUpperCase()}${source.label.slice(1)} names ${named.join(", ")}. The SBOM of ${m.productName} firmware ${m.firmwareVersion} (seal ${sealSerial}) contains ${components.join(", ")}. Check whether the product is affected.`,
      link: source.link ?? `/assessor/submissions/${m.submissionId}?sbom=${m.sha256}#sbom-title`,
    });
  }
}

const ownAdvisoryColumns = {
  advisoryId: findings.advisoryId,
  title: findings.title,
  description: findings.description,
  affectedPurls: findings.affectedPurls,
};

function ownSource(f: { advisoryId: string | null; title: string; description: string; affectedPurls: string[] }) {
  return { key: f.advisoryId!, label: `advisory ${f.advisoryId}`, purls: ownAdvisoryPurls(f), link: null };
}

function importedSource(tx: Tx, importedAdvisoryId: string): AdvisorySource | null {
  const a = importedAdvisoryForMatching(tx, importedAdvisoryId);
  if (!a) return null;
  return {
    key: `csaf:${a.id}`,
    label: `${a.publisherName} advisory ${a.trackingId}`,
    purls: a.named,
    link: `/assessor/advisories/${a.id}`,
  };
}

export function notifyPossiblyAffected(tx: Tx, e: DomainEvent<"advisory.published">): void {
  const advisoryId =
    typeof e.body.advisory === "object" && e.body.advisory !== null
      ? (e.body.advisory as { advisoryId?: unknown }).advisoryId
      : undefined;
  if (typeof advisoryId !== "string") return;
  const finding = tx.select(ownAdvisoryColumns).from(findings).where(eq(findings.advisoryId, advisoryId)).get();
  if (!finding) return;
  notifyMatches(tx, ownSource(finding));
}

export function notifyPossiblyAffectedByImport(tx: Tx, e: DomainEvent<"advisory.imported">): void {
  const source = importedSource(tx, e.importedAdvisoryId);
  if (source) notifyMatches(tx, source);
}

/** The kind of a seal event, prepared once per connection (every seal event is asked). */
const eventKind = preparedQueries((t) =>
  t
    .select({ kind: sealEvents.kind })
    .from(sealEvents)
    .where(eq(sealEvents.id, sql.placeholder("id")))
    .prepare(),
);

/**
 * A new seal: its SBOMs against the advisories already known (every imported one, and ours that
 * are public and not withdrawn), as if each had arrived now; the keys are the advisories' own, so a
 * seal is told of each advisory once, whichever came first.
 */
export function notifyPossiblyAffectedBySeal(tx: Tx, e: DomainEvent<"seal.changed">): void {
  if (eventKind(tx).get({ id: e.sealEventId })?.kind !== "issued") return;
  const packages = new Set(sealSbomPackages(tx, e.serial));
  if (packages.size === 0) return;
  const names = (purls: string[]) => purls.some((p) => packages.has(parsePurl(p)?.package ?? ""));
  // The stored purls (every affected group's) say which imported advisories can match: only those documents are read.
  const imported = tx
    .select({ id: importedAdvisories.id, purls: importedAdvisories.purls })
    .from(importedAdvisories)
    .all();
  for (const a of imported) {
    if (!names(a.purls)) continue;
    const source = importedSource(tx, a.id);
    if (source) notifyMatches(tx, source, e.serial);
  }
  const ours = tx
    .select(ownAdvisoryColumns)
    .from(findings)
    .where(and(isNotNull(findings.advisoryId), isNotNull(findings.disclosureNotedAt), ne(findings.status, "withdrawn")))
    .all();
  for (const f of ours) {
    const source = ownSource(f);
    if (names(source.purls)) notifyMatches(tx, source, e.serial);
  }
}
