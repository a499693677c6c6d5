/**
 * SBOMs as evidence (issue 19): recognising a CycloneDX (1.5, 1.6) or SPDX (2.3) JSON document,
 * extracting its components (name, version, purl), normalising package URLs and matching an
 * advisory's purl against them. Pure: the schema validation itself runs in sbom.server.ts.
 */
import { parsePurl } from "../../catalogue/domain/purl";

// Read with the SBOM rules, so also exported from here.
export { parsePurl, purlMatches, purlsIn, type Purl } from "../../catalogue/domain/purl";
export { jsonDepth } from "../../../platform/json-depth";

export const SBOM_MAX_BYTES = 16 * 1024 * 1024;
/** Deeper JSON is refused before it is parsed or validated (the official schemas nest far less). */
export const SBOM_MAX_DEPTH = 64;
/**
 * The most components read from one SBOM. Every one is stored and matched against advisories, so an
 * SBOM with more is refused (componentCountProblem), never cut short silently.
 */
export const SBOM_MAX_COMPONENTS = 50_000;

export type SbomFormat =
  { kind: "cyclonedx"; version: "1.5" | "1.6"; label: string } | { kind: "spdx"; version: "2.3"; label: string };

export interface SbomComponent {
  name: string;
  version: string;
  purl: string | null; // normalised
  purlPackage: string | null; // "type/namespace/name"
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * Whether JSON text names an SBOM format anywhere: for what cannot be parsed (the first bytes of a
 * file too large to parse, or a file that is not valid JSON). A parsed file is recognised by
 * recogniseSbom and unsupportedSbom instead, whatever the order of its keys.
 */
export function mentionsSbom(headText: string): boolean {
  return /"bomFormat"\s*:\s*"CycloneDX"|"spdxVersion"\s*:/.test(headText);
}

/**
 * A file that names an SBOM format (mentionsSbom) but is not valid JSON: refused
 * rather than attached as an ordinary file. `error`: the JSON parser's error.
 */
export function notJsonSbomMessage(error: unknown): string {
  const reason = error instanceof Error ? error.message : String(error);
  return `The file declares a CycloneDX or SPDX SBOM but is not valid JSON: ${reason}`.slice(0, 500);
}

/** Why an SBOM with this many components is refused (null: it is read in full). */
export function componentCountProblem(count: number): string | null {
  if (count <= SBOM_MAX_COMPONENTS) return null;
  return `The SBOM lists more than ${SBOM_MAX_COMPONENTS.toLocaleString("en-GB")} components, the most read from one SBOM (each is matched against vulnerability advisories). Split it into several SBOMs, for example one per firmware image, and attach each.`;
}

/** The SBOM format a parsed JSON document declares, or null when it is not an SBOM this portal reads. */
export function recogniseSbom(doc: unknown): SbomFormat | null {
  if (!isObject(doc)) return null;
  if (doc.bomFormat === "CycloneDX" && (doc.specVersion === "1.5" || doc.specVersion === "1.6"))
    return { kind: "cyclonedx", version: doc.specVersion, label: `CycloneDX ${doc.specVersion}` };
  if (doc.spdxVersion === "SPDX-2.3") return { kind: "spdx", version: "2.3", label: "SPDX 2.3" };
  return null;
}

/** A CycloneDX document of another spec version, or an SPDX document of another version: named in the refusal. */
export function unsupportedSbom(doc: unknown): string | null {
  if (!isObject(doc)) return null;
  if (doc.bomFormat === "CycloneDX")
    return `CycloneDX ${typeof doc.specVersion === "string" ? doc.specVersion.slice(0, 16) : "(no specVersion)"}`;
  if (typeof doc.spdxVersion === "string" && doc.spdxVersion !== "SPDX-2.3") return doc.spdxVersion.slice(0, 16);
  return null;
}

/** "Not a valid CycloneDX 1.6 SBOM: /components/0/purl must be string". */
export function schemaProblemMessage(format: SbomFormat, problem: { instancePath: string; message?: string }): string {
  const where = problem.instancePath === "" ? "/" : problem.instancePath;
  return `Not a valid ${format.label} SBOM: ${where} ${problem.message ?? "is invalid"}`.slice(0, 500);
}

function str(v: unknown, max = 1024): string {
  return typeof v === "string" ? v.slice(0, max) : "";
}

function component(name: unknown, version: unknown, purl: unknown): SbomComponent {
  const p = typeof purl === "string" ? parsePurl(purl) : null;
  return {
    name: str(name) || p?.name || "(unnamed)",
    version: str(version, 256) || p?.version || "",
    purl: p ? p.canonical : null,
    purlPackage: p ? p.package : null,
  };
}

/** What an SBOM says it describes: the product or firmware build its components are of. */
export interface SbomSubject {
  name: string;
  version: string;
}

/**
 * The subject a recognised SBOM declares, or null when it names none. CycloneDX: `metadata.component`;
 * SPDX: the package the document describes (`documentDescribes`, or a DESCRIBES relationship of SPDXRef-DOCUMENT).
 */
export function sbomSubject(doc: unknown, format: SbomFormat): SbomSubject | null {
  if (!isObject(doc)) return null;
  const described =
    format.kind === "cyclonedx" ? (isObject(doc.metadata) ? doc.metadata.component : null) : spdxDescribed(doc);
  if (!isObject(described)) return null;
  const name = str(described.name, 200).trim();
  const version = str(described.version, 100).trim();
  return name || version ? { name, version } : null;
}

/** The package an SPDX document describes, as `{name, version}`, or null. */
function spdxDescribed(doc: Record<string, unknown>): unknown {
  const ids = Array.isArray(doc.documentDescribes) ? doc.documentDescribes : [];
  const rel = Array.isArray(doc.relationships)
    ? doc.relationships.find(
        (r) => isObject(r) && r.spdxElementId === "SPDXRef-DOCUMENT" && r.relationshipType === "DESCRIBES",
      )
    : undefined;
  const id = typeof ids[0] === "string" ? ids[0] : isObject(rel) ? rel.relatedSpdxElement : null;
  const packages = Array.isArray(doc.packages) ? doc.packages : [];
  const p = typeof id === "string" ? packages.find((x) => isObject(x) && x.SPDXID === id) : undefined;
  return isObject(p) ? { name: p.name, version: p.versionInfo } : null;
}

/**
 * Why an SBOM may not be the one of `firmwareVersion` (null: it says nothing, or its version agrees): it declares
 * another version. Versions compare without a leading "v" and case ("V1.0.3" is 1.0.3); names are not compared
 * (a firmware build rarely carries the product's marketing name).
 */
export function sbomSubjectMismatch(subject: SbomSubject | null, firmwareVersion: string): string | null {
  if (!subject?.version) return null;
  const plain = (v: string) =>
    v
      .trim()
      .replace(/^v(?=\d)/i, "")
      .toLowerCase();
  if (plain(subject.version) === plain(firmwareVersion)) return null;
  return `It describes ${subject.name ? `${subject.name} ` : ""}version ${subject.version}, not firmware ${firmwareVersion}: check that it is this firmware's SBOM.`;
}

/**
 * The components of a recognised SBOM (read defensively: it may not be schema-valid yet).
 * CycloneDX: `components`, with their nested `components`; SPDX: `packages`, the purl from an
 * externalRef of referenceType "purl".
 * At most SBOM_MAX_COMPONENTS + 1 are listed: one more than the limit says the SBOM is over it
 * (componentCountProblem), without listing all of a huge one.
 */
export function extractComponents(doc: unknown, format: SbomFormat): SbomComponent[] {
  const out: SbomComponent[] = [];
  if (!isObject(doc)) return out;
  if (format.kind === "cyclonedx") {
    const walk = (list: unknown, depth: number) => {
      if (!Array.isArray(list) || depth > SBOM_MAX_DEPTH) return;
      for (const c of list) {
        if (out.length > SBOM_MAX_COMPONENTS) return;
        if (!isObject(c)) continue;
        out.push(component(c.name, c.version, c.purl));
        walk(c.components, depth + 1);
      }
    };
    walk(doc.components, 0);
    return out;
  }
  const packages = Array.isArray(doc.packages) ? doc.packages : [];
  for (const p of packages) {
    if (out.length > SBOM_MAX_COMPONENTS) break;
    if (!isObject(p)) continue;
    const refs = Array.isArray(p.externalRefs) ? p.externalRefs : [];
    // SPDX 2.3 Annex F: a purl is an external reference of category PACKAGE-MANAGER (PACKAGE_MANAGER
    // in the JSON schema's enum too) and type "purl".
    const purlRef = refs.find(
      (r) =>
        isObject(r) &&
        (r.referenceCategory === "PACKAGE-MANAGER" || r.referenceCategory === "PACKAGE_MANAGER") &&
        r.referenceType === "purl" &&
        typeof r.referenceLocator === "string",
    );
    out.push(component(p.name, p.versionInfo, isObject(purlRef) ? purlRef.referenceLocator : null));
  }
  return out;
}
