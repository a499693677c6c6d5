/**
 * SBOMs as evidence (issue 19): recognising a CycloneDX (1.5, 1.6) or SPDX (2.3) JSON document,
 * extracting its components (name, version, purl), normalising package URLs and matching an
 * advisory's purl against them. Pure: the schema validation itself runs in sbom.server.ts.
 */

export const SBOM_MAX_BYTES = 16 * 1024 * 1024;
/** Deeper JSON is refused before it is parsed or validated (the official schemas nest far less). */
export const SBOM_MAX_DEPTH = 64;
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

/** Whether the first bytes of a JSON file name an SBOM format (for files too large to parse). */
export function mentionsSbom(headText: string): boolean {
  return /"bomFormat"\s*:\s*"CycloneDX"|"spdxVersion"\s*:/.test(headText);
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

/**
 * The nesting depth of a JSON text, counted without parsing it (brackets outside strings);
 * stops counting once past `limit`.
 */
export function jsonDepth(text: string, limit = SBOM_MAX_DEPTH): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92)
        i++; // backslash: skip the escaped character
      else if (c === 34) inString = false;
      continue;
    }
    if (c === 34) inString = true;
    else if (c === 123 || c === 91) {
      depth++;
      if (depth > max) {
        max = depth;
        if (max > limit) return max;
      }
    } else if (c === 125 || c === 93) depth--;
  }
  return max;
}

/** "Not a valid CycloneDX 1.6 SBOM: /components/0/purl must be string". */
export function schemaProblemMessage(format: SbomFormat, problem: { instancePath: string; message?: string }): string {
  const where = problem.instancePath === "" ? "/" : problem.instancePath;
  return `Not a valid ${format.label} SBOM: ${where} ${problem.message ?? "is invalid"}`.slice(0, 500);
}

export interface Purl {
  type: string;
  namespace: string;
  name: string;
  version: string;
  /** "type/namespace/name" (or "type/name"): the package, whatever its version. */
  package: string;
  /** The canonical string without qualifiers and subpath. */
  canonical: string;
}

const decode = (s: string): string | null => {
  try {
    return decodeURIComponent(s);
  } catch {
    return null;
  }
};
const encodeSegment = (s: string) => encodeURIComponent(s).replace(/%3A/gi, ":");

/** Types whose names are case-insensitive (package-url spec): lower-cased when normalised. */
const CASE_INSENSITIVE = new Set(["github", "bitbucket", "pypi", "npm", "golang", "composer", "hex", "deb", "apk"]);

/**
 * Parses a package URL (pkg:type/namespace/name@version?qualifiers#subpath) loosely: the type and
 * name are required; qualifiers and subpath are dropped (they do not identify another package).
 */
export function parsePurl(input: string): Purl | null {
  if (typeof input !== "string" || input.length > 2048) return null;
  let s = input.trim();
  if (!/^pkg:/i.test(s)) return null;
  s = s.slice(4).replace(/^\/+/, "");
  const hash = s.indexOf("#");
  if (hash >= 0) s = s.slice(0, hash);
  const q = s.indexOf("?");
  if (q >= 0) s = s.slice(0, q);
  let version = "";
  const at = s.lastIndexOf("@");
  if (at > s.lastIndexOf("/")) {
    version = decode(s.slice(at + 1)) ?? "";
    s = s.slice(0, at);
  }
  const parts = s.split("/").filter((p) => p !== "");
  if (parts.length < 2) return null;
  const type = parts[0].toLowerCase();
  if (!/^[a-z.+-][a-z0-9.+-]*$/.test(type)) return null;
  const decoded = parts.slice(1).map(decode);
  if (decoded.some((p) => p === null || p === "")) return null;
  let name = decoded[decoded.length - 1] as string;
  let namespace = (decoded.slice(0, -1) as string[]).join("/");
  if (CASE_INSENSITIVE.has(type)) {
    name = name.toLowerCase();
    namespace = namespace.toLowerCase();
  }
  if (type === "pypi") name = name.replace(/_/g, "-");
  const pkg = [type, ...(namespace ? namespace.split("/").map(encodeSegment) : []), encodeSegment(name)].join("/");
  return {
    type,
    namespace,
    name,
    version,
    package: pkg,
    canonical: `pkg:${pkg}${version ? `@${encodeSegment(version)}` : ""}`,
  };
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

/**
 * The components of a recognised (and schema-valid) SBOM. CycloneDX: `components`, with their
 * nested `components`; SPDX: `packages`, the purl from an externalRef of referenceType "purl".
 */
export function extractComponents(doc: unknown, format: SbomFormat): SbomComponent[] {
  const out: SbomComponent[] = [];
  if (!isObject(doc)) return out;
  if (format.kind === "cyclonedx") {
    const walk = (list: unknown, depth: number) => {
      if (!Array.isArray(list) || depth > SBOM_MAX_DEPTH) return;
      for (const c of list) {
        if (out.length >= SBOM_MAX_COMPONENTS) return;
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
    if (out.length >= SBOM_MAX_COMPONENTS) break;
    if (!isObject(p)) continue;
    const refs = Array.isArray(p.externalRefs) ? p.externalRefs : [];
    const purlRef = refs.find(
      (r) => isObject(r) && r.referenceType === "purl" && typeof r.referenceLocator === "string",
    );
    out.push(component(p.name, p.versionInfo, isObject(purlRef) ? purlRef.referenceLocator : null));
  }
  return out;
}

/**
 * Whether a component's purl is named by an advisory's purl: same package (type, namespace and
 * name), and the advisory names no version, the same version, or lists it among `affectedVersions`.
 */
export function purlMatches(advisoryPurl: string, componentPurl: string, affectedVersions: string[] = []): boolean {
  const a = parsePurl(advisoryPurl);
  const c = parsePurl(componentPurl);
  if (!a || !c || a.package !== c.package) return false;
  if (affectedVersions.length > 0) return affectedVersions.includes(c.version);
  return a.version === "" || a.version === c.version;
}

/** The package URLs a text names ("pkg:..."), normalised, at most `max` of them. */
export function purlsIn(text: string, max = 50): string[] {
  const found = new Set<string>();
  for (const m of text.slice(0, 100_000).matchAll(/\bpkg:[A-Za-z0-9.+-]+\/[^\s"'<>(),;]+/g)) {
    const p = parsePurl(m[0].replace(/[.:]+$/, ""));
    if (p) found.add(p.canonical);
    if (found.size >= max) break;
  }
  return [...found];
}
