/**
 * Package URLs (purl, https://github.com/package-url/purl-spec): how an SBOM names a software
 * component and an advisory names what it affects. Pure. `parsePurl` is the portal's lenient
 * reading for matching (type, namespace, name, version; never throws on hostile input); the
 * "Affected components" field and imported advisories are checked with packageurl-js, the
 * reference implementation (`parsePurlLines`, `canonicalPurl`).
 */
import { PackageURL } from "packageurl-js";

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

export const MAX_ADVISORY_PURLS = 50;

/** A package URL in its canonical form by packageurl-js (the reference implementation); throws on an invalid one. */
function canonicalPurlOrThrow(input: string): string {
  return PackageURL.fromString(input.trim()).toString();
}

/** A valid package URL (packageurl-js, then readable by the portal's matching) in canonical form, or null. */
export function canonicalPurl(input: string): string | null {
  if (typeof input !== "string" || input.length > 2048) return null;
  try {
    const canonical = canonicalPurlOrThrow(input);
    return parsePurl(canonical) ? canonical : null;
  } catch {
    return null;
  }
}

/**
 * The "Affected components (package URLs)" field of an advisory: one purl per line (blank lines
 * ignored). Each is checked with packageurl-js, the reference implementation of the purl
 * specification, and kept in its canonical form; duplicates are dropped. The first bad line is
 * named in the refusal.
 */
export function parsePurlLines(
  text: string,
  max = MAX_ADVISORY_PURLS,
): { ok: true; purls: string[] } | { ok: false; message: string } {
  const out = new Set<string>();
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (line === "") continue;
    const shown = line.length > 80 ? `${line.slice(0, 80)}…` : line;
    let canonical: string;
    try {
      canonical = canonicalPurlOrThrow(line);
    } catch (e) {
      const why = e instanceof Error ? e.message.replace(/^Invalid purl: /, "") : "not a package URL";
      return { ok: false, message: `Line ${i + 1}: "${shown}" is not a valid package URL (${why}).` };
    }
    // The portal's own matching reads it too (type, namespace, name, version).
    if (!parsePurl(canonical))
      return { ok: false, message: `Line ${i + 1}: "${shown}" is not a package URL the portal can match.` };
    out.add(canonical);
    if (out.size > max) return { ok: false, message: `Name at most ${max} package URLs.` };
  }
  return { ok: true, purls: [...out] };
}
