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
 * whose deadline passes appears at that moment with no write. Their bytes are deterministic (the
 * same state gives the same bytes), and each signature is made once per content (the adapter).
 */
import crypto from "node:crypto";
import { and, desc, eq, inArray, lt, lte, or } from "drizzle-orm";
import { findings, organizations, products, productVersions, seals } from "../../../db/schema";
import { nowMs } from "../../platform/clock.server";
import { db } from "../../platform/db.server";
import { getEnv } from "../../platform/env.server";
import { CERTIFICATION_BODY_NAME } from "../accounts/users.server";
import { affectedVersionsOf, DISCLOSURE_COLUMNS, disclosureFindingOf } from "./advisories.server";
import { publicAdvisory } from "./domain/disclosure";
import {
  csafDate,
  csafDocument,
  csafPublisher,
  csafText,
  csafTimelineOf,
  type CsafDocument,
  type CsafPublisher,
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

type Reader = ReturnType<typeof db>;

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

/** The newest seal of each product (any state): its public page lists the product's advisories. */
function pageSerials(t: Reader, productIds: readonly string[]): Map<string, string> {
  const out = new Map<string, string>();
  if (productIds.length === 0) return out;
  const rows = t
    .select({ productId: productVersions.productId, serial: seals.serial })
    .from(seals)
    .innerJoin(productVersions, eq(productVersions.id, seals.productVersionId))
    .where(inArray(productVersions.productId, [...productIds]))
    .orderBy(desc(seals.issuedAt))
    .all();
  for (const r of rows) if (!out.has(r.productId)) out.set(r.productId, r.serial);
  return out;
}

/** Every public advisory as its CSAF document, at the clock's now (sorted by path). */
export function publishedCsafDocuments(t: Reader = db()): PublishedCsaf[] {
  const now = new Date(nowMs());
  const { baseUrl } = getEnv();
  // Only what may be public now (the same pre-filter as the seal API); the domain then decides.
  const rows = t
    .select({
      ...DISCLOSURE_COLUMNS,
      productId: products.id,
      productName: products.name,
      model: products.model,
      gtin: products.gtin,
      sku: products.sku,
      disclosurePolicyUrl: products.disclosurePolicyUrl,
      vendor: organizations.name,
      affectedPurls: findings.affectedPurls,
    })
    .from(findings)
    .innerJoin(products, eq(products.id, findings.productId))
    .innerJoin(organizations, eq(organizations.id, products.organizationId))
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
  const serials = pageSerials(
    t,
    rows.map((r) => r.productId),
  );
  const out: PublishedCsaf[] = [];
  for (const r of rows) {
    const f = disclosureFindingOf(r, versions.get(r.id) ?? []);
    if (!f) continue;
    const advisory = publicAdvisory(f, now);
    const timeline = csafTimelineOf(f, now);
    if (!advisory || !timeline || advisory.affectedVersions.length === 0) continue;
    const path = csafPathFor(advisory.advisoryId, csafDate(timeline.disclosedAt));
    const url = csafDocumentUrl(baseUrl, path);
    const serial = serials.get(r.productId);
    const doc = csafDocument({
      advisory,
      timeline,
      product: {
        name: r.productName,
        model: r.model,
        gtin: r.gtin,
        sku: r.sku,
        vendor: r.vendor,
        disclosurePolicyUrl: r.disclosurePolicyUrl,
      },
      publisher,
      links: { self: url, page: serial ? `${baseUrl}/s/${serial}#${advisory.advisoryId}` : null },
      generator: CSAF_GENERATOR,
      components: r.affectedPurls,
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
