/**
 * Third parties' CSAF 2.0 advisories imported by an assessor or admin (an upload or a paste): read
 * (domain/csaf-import.ts), stored once per publisher and tracking id, replaced by a newer tracking
 * version, listed. Each import of a new document emits "advisory.imported" in its transaction:
 * the notifications module matches its purls against certified firmware SBOMs (the "possibly
 * affected" task, app/features/notifications/sbom-rules.server.ts), and again for each seal issued
 * later. The purls column lists the affected purls; their product status groups, and what the
 * import left out, are read again from the stored document (storedCsafAffected).
 */
import crypto from "node:crypto";
import { and, desc, eq } from "drizzle-orm";
import { importedAdvisories, users } from "../../../db/schema";
import type { Actor } from "../../platform/actor";
import { recordAudit } from "../../platform/audit.server";
import { assertCan } from "../../platform/authorize.server";
import { nowMs } from "../../platform/clock.server";
import { db, transaction, type Tx } from "../../platform/db.server";
import { ServiceError } from "../../platform/errors.server";
import { emit } from "../../platform/events.server";
import { getEnv } from "../../platform/env.server";
import { jsonDepth } from "../../platform/json-depth";
import {
  compareTrackingVersions,
  CSAF_IMPORT_MAX_BYTES,
  CSAF_IMPORT_MAX_DEPTH,
  readCsafImport,
  readStoredCsaf,
  storedPurlsAsNamed,
} from "./domain/csaf-import";
import type { AdvisoryPurl } from "../catalogue/domain/purl";

export interface CsafImportOutcome {
  id: string;
  outcome: "imported" | "updated" | "unchanged";
  trackingId: string;
  trackingVersion: string;
  purls: string[];
  invalidPurls: string[];
  invalidCount: number;
  /** Distinct valid purls past the first CSAF_IMPORT_MAX_PURLS (not matched). */
  truncated: number;
  /** For "unchanged": the version already stored (this one is the same or older). */
  storedVersion?: string;
}

const refuse = (message: string): never => {
  throw new ServiceError("invalid", message, { document: message });
};

/** Imports a CSAF 2.0 document (its JSON text). A newer tracking version replaces the stored one; the same or an older one changes nothing. */
export function importCsafAdvisory(actor: Actor, text: string): CsafImportOutcome {
  assertCan(actor, "seals.manage");
  const bytes = Buffer.byteLength(text, "utf8");
  if (bytes === 0 || text.trim() === "") refuse("Upload a CSAF JSON file or paste the document.");
  if (bytes > CSAF_IMPORT_MAX_BYTES)
    refuse(`A CSAF document may be at most ${CSAF_IMPORT_MAX_BYTES / 1024 / 1024} MiB.`);
  const clean = text.replace(/^\uFEFF/, "");
  if (jsonDepth(clean, CSAF_IMPORT_MAX_DEPTH) > CSAF_IMPORT_MAX_DEPTH)
    refuse(`The document nests deeper than ${CSAF_IMPORT_MAX_DEPTH} levels.`);
  let doc: unknown;
  try {
    doc = JSON.parse(clean);
  } catch {
    return refuse("This is not JSON: a CSAF 2.0 document is a JSON file.");
  }
  const read = readCsafImport(doc);
  if (!read.ok) return refuse(read.message);
  const csaf = read.csaf;
  // Our own advisories are published by this portal (the CSAF provider), from its reports: imported
  // back as a third party's, one would be listed twice and answer to nobody's updates.
  const ours = getEnv().baseUrl.replace(/\/+$/, "");
  if (csaf.publisherNamespace.replace(/\/+$/, "") === ours)
    refuse(
      `This advisory is one of ours (publisher namespace ${ours}): the portal publishes its own advisories from its reports; only other publishers' advisories are imported.`,
    );
  const sha256 = crypto.createHash("sha256").update(clean).digest("hex");
  return transaction((tx) => {
    const stored = tx
      .select({ id: importedAdvisories.id, version: importedAdvisories.trackingVersion })
      .from(importedAdvisories)
      .where(
        and(
          eq(importedAdvisories.publisherNamespace, csaf.publisherNamespace),
          eq(importedAdvisories.trackingId, csaf.trackingId),
        ),
      )
      .get();
    const base = {
      trackingId: csaf.trackingId,
      trackingVersion: csaf.trackingVersion,
      purls: csaf.purls,
      invalidPurls: csaf.invalidPurls,
      invalidCount: csaf.invalidCount,
      truncated: csaf.truncated,
    };
    if (stored && compareTrackingVersions(csaf.trackingVersion, stored.version) <= 0)
      return { ...base, id: stored.id, outcome: "unchanged" as const, storedVersion: stored.version };
    const at = new Date(nowMs());
    const values = {
      publisherName: csaf.publisherName,
      title: csaf.title,
      trackingVersion: csaf.trackingVersion,
      currentReleaseDate: csaf.currentReleaseDate,
      purls: csaf.purls,
      document: clean,
      sha256,
      receivedBy: actor.userId,
      receivedAt: at,
    };
    const id = stored?.id ?? crypto.randomUUID();
    if (stored) tx.update(importedAdvisories).set(values).where(eq(importedAdvisories.id, id)).run();
    else
      tx.insert(importedAdvisories)
        .values({
          id,
          publisherNamespace: csaf.publisherNamespace,
          trackingId: csaf.trackingId,
          firstReceivedAt: at,
          ...values,
        })
        .run();
    recordAudit(tx, actor, {
      action: stored ? "csaf.import_updated" : "csaf.imported",
      target: { type: "imported_advisory", id },
      details: {
        publisher: csaf.publisherNamespace,
        trackingId: csaf.trackingId,
        version: csaf.trackingVersion,
        ...(stored ? { previousVersion: stored.version } : {}),
        purls: csaf.purls.length,
        sha256,
      },
    });
    emit(tx, "advisory.imported", { importedAdvisoryId: id, trackingVersion: csaf.trackingVersion });
    return { ...base, id, outcome: stored ? ("updated" as const) : ("imported" as const) };
  });
}

/** The imported advisories, newest received first. */
export function listImportedAdvisories(actor: Actor) {
  assertCan(actor, "seals.manage");
  return db()
    .select({
      id: importedAdvisories.id,
      title: importedAdvisories.title,
      publisherName: importedAdvisories.publisherName,
      trackingId: importedAdvisories.trackingId,
      trackingVersion: importedAdvisories.trackingVersion,
      purls: importedAdvisories.purls,
      receivedAt: importedAdvisories.receivedAt,
    })
    .from(importedAdvisories)
    .orderBy(desc(importedAdvisories.receivedAt))
    .limit(500)
    .all();
}

/**
 * What matching and the advisory's page read of an imported advisory, from its stored document:
 * each purl with its product status group, and what the import left out. A document that no longer
 * reads (never expected: it was checked at import) gives its stored purls as exact versions.
 */
export function storedCsafAffected(row: { document: string; purls: string[] }): {
  named: AdvisoryPurl[];
  invalidPurls: string[];
  invalidCount: number;
  truncated: number;
  withoutPurl: number;
} {
  const read = readStoredCsaf(row.document);
  if (!read)
    return { named: storedPurlsAsNamed(row.purls), invalidPurls: [], invalidCount: 0, truncated: 0, withoutPurl: 0 };
  const { named, invalidPurls, invalidCount, truncated, withoutPurl } = read;
  return { named, invalidPurls, invalidCount, truncated, withoutPurl };
}

/** An imported advisory as the "possibly affected" rule reads it (no permission check: for subscribers in a transaction). */
export function importedAdvisoryForMatching(t: Pick<Tx, "select">, id: string) {
  const a = t
    .select({
      id: importedAdvisories.id,
      publisherName: importedAdvisories.publisherName,
      trackingId: importedAdvisories.trackingId,
      purls: importedAdvisories.purls,
      document: importedAdvisories.document,
    })
    .from(importedAdvisories)
    .where(eq(importedAdvisories.id, id))
    .get();
  if (!a) return null;
  return { id: a.id, publisherName: a.publisherName, trackingId: a.trackingId, named: storedCsafAffected(a).named };
}

/** One imported advisory (the certified firmware it may affect: certification's possiblyAffectedFirmware). */
export function importedAdvisoryView(actor: Actor, id: string) {
  assertCan(actor, "seals.manage");
  const t = db();
  const a = t
    .select({
      id: importedAdvisories.id,
      title: importedAdvisories.title,
      publisherName: importedAdvisories.publisherName,
      publisherNamespace: importedAdvisories.publisherNamespace,
      trackingId: importedAdvisories.trackingId,
      trackingVersion: importedAdvisories.trackingVersion,
      currentReleaseDate: importedAdvisories.currentReleaseDate,
      purls: importedAdvisories.purls,
      document: importedAdvisories.document,
      sha256: importedAdvisories.sha256,
      firstReceivedAt: importedAdvisories.firstReceivedAt,
      receivedAt: importedAdvisories.receivedAt,
      receivedBy: users.email,
    })
    .from(importedAdvisories)
    .innerJoin(users, eq(users.id, importedAdvisories.receivedBy))
    .where(eq(importedAdvisories.id, id))
    .get();
  if (!a) throw new ServiceError("not_found", "There is no such imported advisory.");
  const { document, ...rest } = a;
  return { ...rest, ...storedCsafAffected({ document, purls: a.purls }) };
}
