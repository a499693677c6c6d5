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

// ---------------------------------------------------------------------------------------------
// What an advisory names, and how a component matches it (imported CSAF advisories keep the
// product status group of each purl; our own advisories' purls are "known_affected").

/**
 * How an advisory names a package URL: a CSAF 2.0 product status group (3.2.3.9). known_affected
 * lists exact versions; first_affected and last_affected are the ends of a range; "fixed" (fixed
 * and first_fixed) names versions that are not affected.
 */
export type AdvisoryPurlGroup = "known_affected" | "first_affected" | "last_affected" | "fixed";

export interface AdvisoryPurl {
  /** Canonical package URL. */
  purl: string;
  group: AdvisoryPurlGroup;
  /** For a product of a CSAF product_version_range branch: the range as written (e.g. "vers:generic/>=3.0.0|<3.0.14"). */
  range?: string;
}

/**
 * How sure a match is: "affected_version" (the component's exact version is named as affected);
 * "check_version" (the same package, in a version the advisory may cover: a range, or a purl
 * without a version; an assessor reads the advisory to decide).
 */
export type PurlMatchKind = "affected_version" | "check_version";

export interface AdvisoryPurlMatch {
  /** The advisory's purl (and its group) the component matched. */
  named: AdvisoryPurl;
  kind: PurlMatchKind;
}

/** "3", "3.0.7", "10.2.0.1": versions compared number by number (nothing else is compared). */
const DOTTED_NUMERIC = /^\d{1,9}(\.\d{1,9}){0,9}$/;

/**
 * Compares two dotted-numeric versions ("3.0.7" < "3.0.13"; a missing part counts as 0), or null
 * when either is anything else ("1.1.1w", "2.0-rc1", "20240101T..."): such versions are not
 * ordered here, because version schemes differ between packages.
 */
export function compareDottedVersions(a: string, b: string): number | null {
  if (!DOTTED_NUMERIC.test(a) || !DOTTED_NUMERIC.test(b)) return null;
  const x = a.split(".").map(Number);
  const y = b.split(".").map(Number);
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    const d = (x[i] ?? 0) - (y[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

const isAffectedGroup = (g: AdvisoryPurlGroup) => g !== "fixed";

/**
 * Whether a version range in the vers syntax (https://github.com/package-url/vers-spec, e.g.
 * "vers:generic/>=3.0.0|<3.0.14") contains a version, by the spec's algorithm; null when it cannot
 * be told here: not a vers range, or a version in it (or the one asked about) that is not
 * dotted-numeric.
 */
export function versRangeContains(range: string, version: string): boolean | null {
  const m = /^vers:[a-z0-9.+-]+\/(.+)$/i.exec(range.replace(/\s+/g, ""));
  if (!m || compareDottedVersions(version, version) === null) return null;
  if (m[1] === "*") return true;
  const constraints: { op: string; version: string }[] = [];
  for (const part of m[1].split("|")) {
    const c = /^(<=|>=|!=|<|>|=)?(.+)$/.exec(part);
    const v = c ? decode(c[2]) : null;
    if (!c || v === null || compareDottedVersions(v, v) === null) return null;
    constraints.push({ op: c[1] ?? "=", version: v });
  }
  for (const c of constraints) {
    if (c.op === "=" && compareDottedVersions(version, c.version) === 0) return true;
    if (c.op === "!=" && compareDottedVersions(version, c.version) === 0) return false;
  }
  const ranges = constraints
    .filter((c) => c.op !== "=" && c.op !== "!=")
    .sort((x, y) => compareDottedVersions(x.version, y.version)!);
  if (ranges.length === 0) return constraints.some((c) => c.op === "!=");
  const holds = (c: { op: string; version: string }) => {
    const d = compareDottedVersions(version, c.version)!;
    return c.op === "<" ? d < 0 : c.op === "<=" ? d <= 0 : c.op === ">" ? d > 0 : d >= 0;
  };
  const lower = (c: { op: string }) => c.op === ">" || c.op === ">=";
  for (let i = 0; i < ranges.length; i++) {
    const c = ranges[i];
    if (i === 0 && !lower(c) && holds(c)) return true;
    if (i === ranges.length - 1 && lower(c) && holds(c)) return true;
    const next = ranges[i + 1];
    if (next && lower(c) && !lower(next) && holds(c) && holds(next)) return true;
  }
  return false;
}

/**
 * A matcher of SBOM components against what an advisory names (same package always):
 * - its exact version named as affected (known_affected, or equal to a first or last affected
 *   version): "affected_version";
 * - its exact version named as fixed: no match;
 * - a purl of the package without a version (any version, or a product_version_range): "check_version";
 * - first_affected / last_affected versions of the package: "check_version" when the component's
 *   version lies from the lowest first affected to the highest last affected version (a missing
 *   end is open); when the versions are not all dotted-numeric they are not compared, and every
 *   version of the package is "check_version";
 * - a known_affected purl of another version: no match.
 */
export function advisoryPurlMatcher(
  named: readonly AdvisoryPurl[],
): (componentPurl: string) => AdvisoryPurlMatch | null {
  const byPackage = new Map<string, { named: AdvisoryPurl; version: string }[]>();
  for (const n of named) {
    const p = parsePurl(n.purl);
    if (!p) continue;
    byPackage.set(p.package, [...(byPackage.get(p.package) ?? []), { named: n, version: p.version }]);
  }
  return (componentPurl) => {
    const c = parsePurl(componentPurl);
    const entries = c ? byPackage.get(c.package) : undefined;
    if (!c || !entries) return null;
    const affected = entries.filter((e) => isAffectedGroup(e.named.group));
    const exact = affected.find((e) => e.version !== "" && e.version === c.version);
    if (exact) return { named: exact.named, kind: "affected_version" };
    if (c.version !== "" && entries.some((e) => e.named.group === "fixed" && e.version === c.version)) return null;
    // A purl without a version: any version, or those of its range when the range says which.
    const anyVersion = affected.find(
      (e) => e.version === "" && (e.named.range === undefined || versRangeContains(e.named.range, c.version) !== false),
    );
    if (anyVersion) return { named: anyVersion.named, kind: "check_version" };
    const firsts = affected.filter((e) => e.named.group === "first_affected");
    const lasts = affected.filter((e) => e.named.group === "last_affected");
    if (firsts.length === 0 && lasts.length === 0) return null;
    const bounds = [...firsts, ...lasts];
    const comparable = bounds.every((e) => compareDottedVersions(e.version, c.version) !== null);
    if (!comparable) return { named: bounds[0].named, kind: "check_version" };
    const cmp = (e: { version: string }) => compareDottedVersions(c.version, e.version)!;
    const fromFirst = firsts.length === 0 || firsts.some((e) => cmp(e) >= 0);
    const toLast = lasts.length === 0 || lasts.some((e) => cmp(e) <= 0);
    if (!fromFirst || !toLast) return null;
    // The nearest end below (else above) the component's version names the match.
    const order = (x: { version: string }, y: { version: string }) => compareDottedVersions(x.version, y.version)!;
    const below = firsts.filter((e) => cmp(e) >= 0).sort((x, y) => order(y, x))[0];
    const above = lasts.filter((e) => cmp(e) <= 0).sort(order)[0];
    return { named: (below ?? above).named, kind: "check_version" };
  };
}
