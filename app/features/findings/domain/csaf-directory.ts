/**
 * The CSAF 2.0 provider's directory (section 7.1 of the standard): where each document lives, the
 * index.txt and changes.csv that list them, provider-metadata.json, the hash files and the
 * security.txt that points at the metadata. Pure: the documents and the URLs are passed in.
 *
 *   /.well-known/csaf/provider-metadata.json              7.1.7, 7.1.9
 *   /.well-known/csaf/white/<year>/<file>.json            7.1.1, 7.1.2, 7.1.4, 7.1.11
 *   /.well-known/csaf/white/<year>/<file>.json.sha256     7.1.18
 *   /.well-known/csaf/white/<year>/<file>.json.asc        7.1.19 (signed by the service)
 *   /.well-known/csaf/white/index.txt, changes.csv        7.1.12, 7.1.13
 *   /.well-known/csaf/openpgp/<FINGERPRINT>.asc           7.1.20
 *   /.well-known/security.txt                             7.1.8 (RFC 9116)
 */
import type { CsafDocument } from "./csaf";

export const CSAF_BASE_PATH = "/.well-known/csaf";
/** Every advisory the portal publishes is TLP:WHITE (CLEAR): one distribution folder. */
export const CSAF_WHITE_PATH = `${CSAF_BASE_PATH}/white`;
export const PROVIDER_METADATA_PATH = `${CSAF_BASE_PATH}/provider-metadata.json`;
export const SECURITY_TXT_PATH = "/.well-known/security.txt";

/**
 * 5.1 Filename: /document/tracking/id in lower case, every run of characters other than a-z, 0-9,
 * + and - replaced by one "_", then ".json". "IOTSEAL-2026-0004" -> "iotseal-2026-0004.json".
 */
export function csafFileName(trackingId: string): string {
  return `${trackingId.toLowerCase().replace(/[^a-z0-9+-]+/g, "_")}.json`;
}

/** 7.1.11: the path under the distribution folder: the year of the initial release, then the file name. */
export function csafPathFor(trackingId: string, initialReleaseDate: string): string {
  return `${initialReleaseDate.slice(0, 4)}/${csafFileName(trackingId)}`;
}

/** Where a public advisory's CSAF document is served (its initial release is its disclosure: same UTC year). */
export function csafPathOfAdvisory(a: { advisoryId: string; disclosedOn: string }): string {
  return `${CSAF_WHITE_PATH}/${csafPathFor(a.advisoryId, a.disclosedOn)}`;
}

/** The path of a document (csafPathFor its tracking id and initial release date). */
export function csafRelativePath(doc: Pick<CsafDocument, "document">): string {
  return csafPathFor(doc.document.tracking.id, doc.document.tracking.initial_release_date);
}

/** The URL of a document, given the portal's base URL and its relative path. */
export const csafDocumentUrl = (baseUrl: string, relativePath: string) =>
  `${baseUrl}${CSAF_WHITE_PATH}/${relativePath}`;

export interface CsafListing {
  /** "2026/iotseal-2026-0004.json" */
  path: string;
  /** /document/tracking/current_release_date */
  currentReleaseDate: string;
}

/** 7.1.12 index.txt: every document's path relative to the folder, one per line (sorted by path). */
export function indexTxt(listings: readonly CsafListing[]): string {
  return listings
    .map((l) => l.path)
    .sort()
    .map((p) => `${p}\n`)
    .join("");
}

/** The listings newest first, as changes.csv orders them (ties: by path, for stable bytes). */
export function newestFirst(listings: readonly CsafListing[]): CsafListing[] {
  return [...listings].sort(
    (a, b) =>
      b.currentReleaseDate.localeCompare(a.currentReleaseDate) || (a.path < b.path ? -1 : a.path > b.path ? 1 : 0),
  );
}

/**
 * 7.1.13 changes.csv: the path and the current_release_date of every document, newest first, each
 * field in double quotes: "2026/iotseal-2026-0004.json","2026-11-05T10:00:00Z".
 */
export function changesCsv(listings: readonly CsafListing[]): string {
  const q = (s: string) => `"${s.replace(/"/g, '""')}"`;
  return newestFirst(listings)
    .map((l) => `${q(l.path)},${q(l.currentReleaseDate)}\n`)
    .join("");
}

/** 7.1.18: the .sha256 file: the hex digest, two spaces and the file name (as sha256sum writes it). */
export function sha256File(hexDigest: string, fileName: string): string {
  return `${hexDigest}  ${fileName}\n`;
}

export interface ProviderMetadataInput {
  baseUrl: string;
  publisher: CsafDocument["document"]["publisher"];
  /** The newest current_release_date of the documents (or when the key was made, with none). */
  lastUpdated: string;
  openpgpKeys: { fingerprint: string; url: string }[];
}

/** 7.1.7 provider-metadata.json for the role csaf_provider, with a directory distribution (7.1.11-7.1.14). */
export function providerMetadata(input: ProviderMetadataInput) {
  return {
    canonical_url: `${input.baseUrl}${PROVIDER_METADATA_PATH}`,
    distributions: [{ directory_url: `${input.baseUrl}${CSAF_WHITE_PATH}/` }],
    last_updated: input.lastUpdated,
    list_on_CSAF_aggregators: true,
    metadata_version: "2.0" as const,
    mirror_on_CSAF_aggregators: true,
    public_openpgp_keys: input.openpgpKeys,
    publisher: input.publisher,
    role: "csaf_provider" as const,
  };
}

export type ProviderMetadata = ReturnType<typeof providerMetadata>;

/**
 * RFC 9116 security.txt with the CSAF field (7.1.8): the certification body's contact, when the
 * file expires (RFC 9116 2.5.5: less than a year ahead; here 180 days, to the day), the CSAF
 * provider metadata, its canonical URL and the preferred language.
 */
export function securityTxt(input: { baseUrl: string; contact: string; now: Date }): string {
  const expires = new Date(Date.UTC(input.now.getUTCFullYear(), input.now.getUTCMonth(), input.now.getUTCDate() + 180));
  return [
    `Contact: ${input.contact}`,
    `Expires: ${expires.toISOString().replace(".000Z", "Z")}`,
    `CSAF: ${input.baseUrl}${PROVIDER_METADATA_PATH}`,
    `Canonical: ${input.baseUrl}${SECURITY_TXT_PATH}`,
    "Preferred-Languages: en",
    "",
  ].join("\n");
}
