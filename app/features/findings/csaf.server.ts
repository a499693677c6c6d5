/**
 * The CSAF 2.0 provider (issue 17): every public advisory as a CSAF document, with its directory,
 * hashes, OpenPGP signatures, provider metadata and security.txt. The rules are pure
 * (domain/csaf.ts, domain/csaf-directory.ts); this service loads what they need and nothing more.
 *
 * What is public is decided exactly as for the seal pages and the API: the findings are loaded
 * WITHOUT their description, reporter, CVSS vector or history (DISCLOSURE_COLUMNS), and
 * disclosureOf/publicAdvisory decide, at the clock's now, which are public. An advisory under
 * embargo, or withdrawn under embargo, is in no document, listing, index or changes file.
 *
 * The documents are built per request from the database (a few advisories: cheap), so an advisory
 * whose deadline passes appears at that moment. Their bytes are deterministic (the same state gives
 * the same bytes), and each signature is made once per content (the adapter). What a document says
 * about the product (its name, model, GTIN, SKU, vendor, disclosure policy, the page it links, and
 * whether its ids name hardware revisions) is the snapshot frozen with the finding when the advisory
 * was disclosed (noteDisclosureIn, or the document's first build, whichever comes first): editing
 * the product or issuing a new seal changes no published document (CSAF 2.0 3.1.11: a change is a
 * new version, and only the advisory's own public steps make one).
 */
import crypto from "node:crypto";
import { and, desc, eq, lt, lte, or } from "drizzle-orm";
import { findings, organizations, products, productVersions, seals } from "../../../db/schema";
import { nowMs } from "../../platform/clock.server";
import { db, transaction, type Tx } from "../../platform/db.server";
import { getEnv } from "../../platform/env.server";
import { CERTIFICATION_BODY_NAME } from "../accounts/users.server";
import { gtin14Of } from "../catalogue/domain/gtin";
import { affectedVersionsOf, currentSerial, DISCLOSURE_COLUMNS, disclosureFindingOf } from "./advisories.server";
import { publicAdvisory } from "./domain/disclosure";
import {
  csafAffectedVersions,
  csafDate,
  csafDocument,
  csafPublisher,
  csafText,
  csafTimelineOf,
  isCsafSnapshot,
  type CsafDocument,
  type CsafPublisher,
  type CsafSnapshot,
  type CsafTimeline,
} from "./domain/csaf";
import {
  changesCsv,
  csafDocumentUrl,
  csafPathFor,
  indexTxt,
  providerMetadata,
  securityTxt,
  sha256File,
  type CsafListing,
  type ProviderMetadata,
} from "./domain/csaf-directory";
import { csafOpenPgp, type CsafOpenPgp } from "./adapters/csaf-openpgp.server";

export const CSAF_GENERATOR = { name: "IoT Seal CSAF provider", version: "1.0.0" };

export interface PublishedCsaf {
  advisoryId: string;
  /** "2026/iotseal-2026-0004.json" */
  path: string;
  url: string;
  doc: CsafDocument;
  /** The exact bytes served (UTF-8 JSON). */
  bytes: Buffer;
  sha256: string;
}

type Reader = Pick<Tx, "select">;

function publisherOf(t: Reader): CsafPublisher {
  const env = getEnv();
  const body = t
    .select({ name: organizations.name })
    .from(organizations)
    .where(eq(organizations.kind, "certifier"))
    .orderBy(organizations.createdAt)
    .get();
  return { name: body?.name ?? CERTIFICATION_BODY_NAME, namespace: env.baseUrl, contact: env.securityContact };
}

/**
 * What the product's CSAF documents would say about it now: its details, the page to link (its
 * current seal, the one rule for "current" the advisory events use too: advisories.server.ts
 * currentSerial; else its GS1 Digital Link; else none) and whether it has several hardware revisions.
 */
export function csafSnapshotNow(t: Reader, productId: string): CsafSnapshot {
  const p = t
    .select({
      name: products.name,
      model: products.model,
      gtin: products.gtin,
      sku: products.sku,
      disclosurePolicyUrl: products.disclosurePolicyUrl,
      vendor: organizations.name,
    })
    .from(products)
    .innerJoin(organizations, eq(organizations.id, products.organizationId))
    .where(eq(products.id, productId))
    .get()!;
  const serial = currentSerial(t, productId);
  const gtin14 = gtin14Of(p.gtin);
  const revisions = new Set(
    t
      .select({ hw: productVersions.hardwareRevision })
      .from(productVersions)
      .where(eq(productVersions.productId, productId))
      .all()
      .map((r) => r.hw),
  );
  return {
    product: {
      name: p.name,
      model: p.model,
      gtin: p.gtin,
      sku: p.sku,
      vendor: p.vendor,
      disclosurePolicyUrl: p.disclosurePolicyUrl,
    },
    page: serial ? `/s/${serial}` : gtin14 ? `/01/${gtin14}` : null,
    hardwareRevisions: revisions.size > 1,
  };
}

/**
 * Inside `tx`: freezes what the finding's CSAF document says about its product, unless it is frozen
 * already (a snapshot is never replaced). Called when the advisory is disclosed (noteDisclosureIn);
 * the document's first build does it for an advisory public before it was noted.
 */
export function freezeCsafSnapshot(tx: Tx, findingId: string): void {
  const row = tx
    .select({ productId: findings.productId, snapshot: findings.csafSnapshot })
    .from(findings)
    .where(eq(findings.id, findingId))
    .get();
  if (!row || row.snapshot) return;
  tx.update(findings)
    .set({ csafSnapshot: csafSnapshotNow(tx, row.productId) })
    .where(eq(findings.id, findingId))
    .run();
}

/**
 * The snapshot of a finding whose document is built and has none (public before it was noted), or
 * the mark of migration 0030 (disclosed before snapshots existed): taken now, from the product's
 * current details, and stored, in its own transaction (a second build reads it). For the latter, a
 * document this release would word differently than the one served before (ids naming hardware
 * revisions, a withdrawn report's products not affected, another page linked) records that as a
 * revision of its own, so the change comes with a new version.
 */
function backfillCsafSnapshot(findingId: string, timeline: CsafTimeline, publisherName: string): CsafSnapshot {
  return transaction((tx) => {
    const row = tx
      .select({ productId: findings.productId, snapshot: findings.csafSnapshot })
      .from(findings)
      .where(eq(findings.id, findingId))
      .get()!;
    if (isCsafSnapshot(row.snapshot)) return row.snapshot; // another request took it meanwhile
    const snapshot = csafSnapshotNow(tx, row.productId);
    if (row.snapshot?.backfill === "revision") {
      // Before 0030 a document linked the newest seal in any state, and named firmware versions only.
      const linkedBefore = tx
        .select({ serial: seals.serial })
        .from(seals)
        .innerJoin(productVersions, eq(productVersions.id, seals.productVersionId))
        .where(eq(productVersions.productId, row.productId))
        .orderBy(desc(seals.issuedAt))
        .get()?.serial;
      const changes = [
        ...(snapshot.hardwareRevisions ? ["its product ids and names give the hardware revision"] : []),
        ...(timeline.withdrawnAt ? ["the products of the withdrawn report are listed as not affected"] : []),
        ...(snapshot.page !== (linkedBefore ? `/s/${linkedBefore}` : null)
          ? ["it links the product's current seal page or GS1 Digital Link"]
          : []),
      ];
      if (changes.length)
        snapshot.revised = {
          at: new Date(nowMs()).toISOString(),
          summary: `Revised by ${publisherName}: ${changes.join("; ")}.`,
        };
    }
    tx.update(findings).set({ csafSnapshot: snapshot }).where(eq(findings.id, findingId)).run();
    return snapshot;
  });
}

/** Every public advisory as its CSAF document, at the clock's now (sorted by path). */
export function publishedCsafDocuments(): PublishedCsaf[] {
  const t = db();
  const now = new Date(nowMs());
  const { baseUrl } = getEnv();
  // Only what may be public now (the same pre-filter as the seal API); the domain then decides.
  const rows = t
    .select({
      ...DISCLOSURE_COLUMNS,
      productId: findings.productId,
      snapshot: findings.csafSnapshot,
      affectedPurls: findings.affectedPurls,
    })
    .from(findings)
    .where(
      or(
        and(eq(findings.status, "verified_fixed"), lte(findings.verifiedAt, now)),
        lte(findings.publishedAt, now),
        lt(findings.deadline, now),
      ),
    )
    .all();
  if (rows.length === 0) return [];
  const versions = affectedVersionsOf(
    t,
    rows.map((r) => r.id),
  );
  const publisher = publisherOf(t);
  const out: PublishedCsaf[] = [];
  for (const r of rows) {
    const f = disclosureFindingOf(r, versions.get(r.id) ?? []);
    if (!f) continue;
    const advisory = publicAdvisory(f, now);
    const timeline = csafTimelineOf(f, now);
    if (!advisory || !timeline) continue;
    const snapshot = isCsafSnapshot(r.snapshot) ? r.snapshot : backfillCsafSnapshot(r.id, timeline, publisher.name);
    // No affected version (besides the fixed one): no valid document to serve (csafDocument refuses it).
    if (csafAffectedVersions(advisory, snapshot.hardwareRevisions).length === 0) continue;
    const path = csafPathFor(advisory.advisoryId, csafDate(timeline.disclosedAt));
    const url = csafDocumentUrl(baseUrl, path);
    const doc = csafDocument({
      advisory,
      timeline: snapshot.revised
        ? { ...timeline, revised: { at: new Date(snapshot.revised.at), summary: snapshot.revised.summary } }
        : timeline,
      product: snapshot.product,
      publisher,
      links: { self: url, page: snapshot.page ? `${baseUrl}${snapshot.page}#${advisory.advisoryId}` : null },
      generator: CSAF_GENERATOR,
      components: r.affectedPurls,
      hardwareRevisions: snapshot.hardwareRevisions,
    });
    const bytes = Buffer.from(csafText(doc), "utf8");
    out.push({
      advisoryId: advisory.advisoryId,
      path,
      url,
      doc,
      bytes,
      sha256: crypto.createHash("sha256").update(bytes).digest("hex"),
    });
  }
  return out.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/** One published document by its path under the distribution folder ("2026/iotseal-2026-0004.json"), or null. */
export function publishedCsafDocument(relativePath: string): PublishedCsaf | null {
  return publishedCsafDocuments().find((d) => d.path === relativePath) ?? null;
}

const listingsOf = (docs: readonly PublishedCsaf[]): CsafListing[] =>
  docs.map((d) => ({ path: d.path, currentReleaseDate: d.doc.document.tracking.current_release_date }));

/** 7.1.12 index.txt of the TLP:WHITE folder. */
export const csafIndexTxt = () => indexTxt(listingsOf(publishedCsafDocuments()));

/** 7.1.13 changes.csv of the TLP:WHITE folder. */
export const csafChangesCsv = () => changesCsv(listingsOf(publishedCsafDocuments()));

/** The years that hold documents, and the documents of one year (for the directory listings, 7.1.14). */
export function csafYears(): Map<string, PublishedCsaf[]> {
  const out = new Map<string, PublishedCsaf[]>();
  for (const d of publishedCsafDocuments()) {
    const year = d.path.slice(0, 4);
    out.set(year, [...(out.get(year) ?? []), d]);
  }
  return out;
}

/** The .sha256 file of a document. */
export const csafSha256File = (d: PublishedCsaf) => sha256File(d.sha256, d.path.split("/")[1]);

function signer(): CsafOpenPgp {
  const env = getEnv();
  // The key's user id: the contact's address when it is a plain mailto: (no query), else the name only.
  const mailto = /^mailto:([^?@\s]+@[^?@\s]+)$/i.exec(env.securityContact);
  const email = mailto && !mailto[1].includes("%") ? mailto[1] : undefined;
  return csafOpenPgp(env.dataDir, { name: `${publisherOf(db()).name} CSAF signing key`, ...(email ? { email } : {}) });
}

/** The .asc file of a document: a detached OpenPGP signature over its exact bytes. */
export const csafSignature = (d: PublishedCsaf) => signer().sign(d.bytes);

/** The public OpenPGP key (armoured) and its fingerprint. */
export async function csafPublicKey(): Promise<{ fingerprint: string; armored: string }> {
  const key = await signer().signingKey();
  return { fingerprint: key.fingerprint, armored: key.publicArmored };
}

export const csafKeyPath = (fingerprint: string) => `/.well-known/csaf/openpgp/${fingerprint}.asc`;

/** 7.1.7 provider-metadata.json. */
export async function csafProviderMetadata(): Promise<ProviderMetadata> {
  const { baseUrl } = getEnv();
  const key = await signer().signingKey();
  const docs = publishedCsafDocuments();
  const newest = docs.map((d) => d.doc.document.tracking.current_release_date).sort();
  return providerMetadata({
    baseUrl,
    publisher: csafPublisher(publisherOf(db())),
    lastUpdated: newest.length ? newest[newest.length - 1] : csafDate(key.createdAt),
    openpgpKeys: [{ fingerprint: key.fingerprint, url: `${baseUrl}${csafKeyPath(key.fingerprint)}` }],
  });
}

/** RFC 9116 /.well-known/security.txt with the CSAF field. */
export function csafSecurityTxt(): string {
  const env = getEnv();
  return securityTxt({ baseUrl: env.baseUrl, contact: env.securityContact, now: new Date(nowMs()) });
}
