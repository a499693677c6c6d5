/**
 * Importing a third party's CSAF 2.0 advisory (e.g. an OpenSSL advisory): what the portal reads of
 * it, checked with zod (the fields it uses, not the whole CSAF schema: @secvisogram/csaf-validator-lib
 * is a test dependency only, see docs/decisions/026-spdx-and-advisory-purls.md), and the package URLs
 * of its affected products. Pure.
 *
 * Affected products: the product ids of every vulnerability's product_status known_affected,
 * first_affected and last_affected (CSAF 2.0 3.2.3.9: the "affected" group). Their purls: the
 * product_identification_helper.purl of the full product name defining that id, in the branches,
 * full_product_names or relationships of the product tree (3.1.3.3.5: one purl per product); a
 * relationship without a purl of its own (e.g. "openssl 3.0.13 default_component_of appliance 2")
 * stands for its product_reference's purl. Each purl keeps its group: known_affected names exact
 * versions, first_affected and last_affected the ends of a range, and a product of a
 * product_version_range branch (often a purl without a version) its range
 * (catalogue/domain/purl.ts advisoryPurlMatcher reads them). What is left out is counted: purls
 * past the first 500, invalid purl values, affected products without a purl.
 */
import { z } from "zod";
import { normalizeName } from "../../../platform/forms";
import { canonicalPurl, parsePurl, type AdvisoryPurl } from "../../catalogue/domain/purl";

export const CSAF_IMPORT_MAX_BYTES = 2 * 1024 * 1024;
export const CSAF_IMPORT_MAX_DEPTH = 64;
export const CSAF_IMPORT_MAX_PURLS = 500;

const fullProductName = z.object({
  name: z.string(),
  product_id: z.string().min(1),
  product_identification_helper: z.object({ purl: z.string().optional() }).loose().optional(),
});
type FullProductName = z.infer<typeof fullProductName>;

interface Branch {
  product?: FullProductName;
  branches?: Branch[];
}
const branch: z.ZodType<Branch> = z.lazy(() =>
  z.object({ product: fullProductName.optional(), branches: z.array(branch).optional() }).loose(),
);

/** CSAF 2.0 3.1.11.3.3 version: integer versioning or semantic versioning. */
const TRACKING_VERSION =
  /^(0|[1-9][0-9]*)$|^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$/;

const productIds = z.array(z.string()).optional();

/**
 * A value the portal shows (a title, the publisher's name, the tracking id): as a name is kept
 * (normalizeName: no invisible or bidi characters, single spaces), no control characters.
 */
const shownLine = (max: number) =>
  z
    .string()
    .overwrite(normalizeName)
    .min(1)
    .max(max)
    .refine((v) => !/[\u0000-\u001f\u007f-\u009f]/.test(v), "must not contain control characters");

/** The parts of a CSAF 2.0 document the import reads; anything else in it is kept but not checked. */
export const csafImportSchema = z
  .object({
    document: z
      .object({
        category: z.string().min(1),
        csaf_version: z.literal("2.0", { message: 'must be "2.0" (only CSAF 2.0 documents are imported)' }),
        title: shownLine(500),
        publisher: z
          .object({
            name: shownLine(200),
            namespace: z.url({ protocol: /^https?$/, message: "must be an http(s) URL" }).max(500),
          })
          .loose(),
        tracking: z
          .object({
            id: shownLine(200),
            version: z.string().regex(TRACKING_VERSION, "must be an integer or a semantic version"),
            status: z.enum(["draft", "final", "interim"]),
            current_release_date: z.iso.datetime({ offset: true, message: "must be a date and time" }),
          })
          .loose(),
      })
      .loose(),
    product_tree: z
      .object({
        branches: z.array(branch).optional(),
        full_product_names: z.array(fullProductName).optional(),
        relationships: z
          .array(z.object({ product_reference: z.string(), full_product_name: fullProductName }).loose())
          .optional(),
      })
      .loose()
      .optional(),
    vulnerabilities: z
      .array(
        z
          .object({
            product_status: z
              .object({ known_affected: productIds, first_affected: productIds, last_affected: productIds })
              .loose()
              .optional(),
          })
          .loose(),
      )
      .optional(),
  })
  .loose();
export type CsafImportDocument = z.infer<typeof csafImportSchema>;

export interface ImportedCsaf {
  title: string;
  publisherName: string;
  publisherNamespace: string;
  trackingId: string;
  trackingVersion: string;
  status: "draft" | "final" | "interim";
  currentReleaseDate: string;
  /** Canonical package URLs of the affected products (deduplicated, in document order), at most CSAF_IMPORT_MAX_PURLS. */
  purls: string[];
  /** The purls with their product status groups (see CsafAffected.named): what matching reads. */
  named: AdvisoryPurl[];
  /** purl values of affected products that are not valid package URLs (left out), the first CSAF_IMPORT_MAX_INVALID_SHOWN. */
  invalidPurls: string[];
  invalidCount: number;
  /** Distinct valid purls past the first CSAF_IMPORT_MAX_PURLS (left out). */
  truncated: number;
  /** Affected products without a package URL. */
  withoutPurl: number;
}

/** "document.tracking.version: must be an integer or a semantic version". */
export function csafIssueMessage(issue: { path: PropertyKey[]; message: string }): string {
  const where = issue.path
    .map((p) => (typeof p === "number" ? `[${p}]` : `.${String(p)}`))
    .join("")
    .replace(/^\./, "");
  return `${where || "(document)"}: ${issue.message}`;
}

/** What the portal reads of a parsed CSAF document, or the first problem (with its path). */
export function readCsafImport(doc: unknown): { ok: true; csaf: ImportedCsaf } | { ok: false; message: string } {
  const parsed = csafImportSchema.safeParse(doc);
  if (!parsed.success)
    return { ok: false, message: `Not a CSAF 2.0 document: ${csafIssueMessage(parsed.error.issues[0])}` };
  const d = parsed.data;
  if (d.document.tracking.status === "draft")
    return {
      ok: false,
      message: "This CSAF document is a draft (document.tracking.status): import a final or interim release.",
    };
  const { purls, named, invalid, invalidCount, truncated, withoutPurl } = affectedPurls(d);
  return {
    ok: true,
    csaf: {
      title: d.document.title,
      publisherName: d.document.publisher.name,
      publisherNamespace: d.document.publisher.namespace,
      trackingId: d.document.tracking.id,
      trackingVersion: d.document.tracking.version,
      status: d.document.tracking.status,
      currentReleaseDate: d.document.tracking.current_release_date,
      purls,
      named,
      invalidPurls: invalid,
      invalidCount,
      truncated,
      withoutPurl,
    },
  };
}

/** At most this many purl values that are not valid package URLs are kept (to be shown); the rest are counted. */
export const CSAF_IMPORT_MAX_INVALID_SHOWN = 100;

/** What a CSAF document's affected products name, and what of it is left out. */
export interface CsafAffected {
  /** Canonical package URLs of the affected products (deduplicated, in document order), at most CSAF_IMPORT_MAX_PURLS. */
  purls: string[];
  /**
   * Each of those purls with the product status group it came from (a purl may come from several)
   * and, for a product of a product_version_range branch, its range; then the exact purls the
   * document names fixed (fixed, first_fixed) in the same packages. What matching reads.
   */
  named: AdvisoryPurl[];
  /** purl values of affected products that are not valid package URLs (left out), at most CSAF_IMPORT_MAX_INVALID_SHOWN. */
  invalid: string[];
  /** How many distinct invalid purl values there are in all. */
  invalidCount: number;
  /** How many more distinct valid purls the affected products name past the first CSAF_IMPORT_MAX_PURLS (not matched). */
  truncated: number;
  /** Affected products (distinct product ids) without a package URL: identified otherwise, or not defined in the product tree. */
  withoutPurl: number;
}

const AFFECTED_GROUPS = ["first_affected", "known_affected", "last_affected"] as const;
const FIXED_GROUPS = ["fixed", "first_fixed"] as const;

/** A product status list read leniently (the import's schema checks only the affected groups). */
const idsIn = (status: unknown, group: string): string[] => {
  const list = typeof status === "object" && status !== null ? (status as Record<string, unknown>)[group] : undefined;
  return Array.isArray(list) ? list.filter((x): x is string => typeof x === "string") : [];
};

/** The purls of the affected products (known_affected, first_affected, last_affected), canonical, with their groups. */
export function affectedPurls(d: CsafImportDocument): CsafAffected {
  const purlOf = new Map<string, string>();
  const rangeOf = new Map<string, string>();
  const referenceOf = new Map<string, string>();
  const define = (p: FullProductName, range?: string) => {
    const purl = p.product_identification_helper?.purl;
    if (typeof purl === "string" && !purlOf.has(p.product_id)) {
      purlOf.set(p.product_id, purl);
      if (range) rangeOf.set(p.product_id, range);
    }
  };
  const walk = (list: Branch[] | undefined, depth: number) => {
    if (!list || depth > CSAF_IMPORT_MAX_DEPTH) return;
    for (const b of list) {
      const { category, name } = b as { category?: unknown; name?: unknown };
      const range =
        category === "product_version_range" && typeof name === "string" && name.trim() !== ""
          ? name.trim().slice(0, 200)
          : undefined;
      if (b.product) define(b.product, range);
      walk(b.branches, depth + 1);
    }
  };
  walk(d.product_tree?.branches, 0);
  for (const p of d.product_tree?.full_product_names ?? []) define(p);
  for (const r of d.product_tree?.relationships ?? []) {
    define(r.full_product_name);
    referenceOf.set(r.full_product_name.product_id, r.product_reference);
  }
  // A relationship without a purl of its own stands for its product_reference (and its range).
  const resolve = (id: string) => (purlOf.has(id) ? id : (referenceOf.get(id) ?? id));
  const purls = new Set<string>();
  const extra = new Set<string>();
  const invalid = new Set<string>();
  const without = new Set<string>();
  const named = new Map<string, AdvisoryPurl>();
  for (const v of d.vulnerabilities ?? []) {
    for (const group of AFFECTED_GROUPS) {
      for (const id of idsIn(v.product_status, group)) {
        const ref = resolve(id);
        const raw = purlOf.get(ref);
        if (raw === undefined) {
          without.add(id);
          continue;
        }
        const canonical = canonicalPurl(raw);
        if (!canonical) {
          invalid.add(raw.slice(0, 200));
          continue;
        }
        if (!purls.has(canonical) && purls.size >= CSAF_IMPORT_MAX_PURLS) {
          extra.add(canonical);
          continue;
        }
        purls.add(canonical);
        const range = rangeOf.get(ref);
        named.set(`${group}|${canonical}|${range ?? ""}`, { purl: canonical, group, ...(range ? { range } : {}) });
      }
    }
  }
  // The exact versions named fixed, in the packages named affected: a component in one of them is not affected.
  const packages = new Set([...purls].map((p) => parsePurl(p)?.package));
  let fixedCount = 0;
  for (const v of d.vulnerabilities ?? [])
    for (const group of FIXED_GROUPS)
      for (const id of idsIn(v.product_status, group)) {
        const raw = purlOf.get(resolve(id));
        const canonical = raw === undefined ? null : canonicalPurl(raw);
        const p = canonical ? parsePurl(canonical) : null;
        if (!canonical || !p || p.version === "" || !packages.has(p.package)) continue;
        if (fixedCount >= CSAF_IMPORT_MAX_PURLS || named.has(`fixed|${canonical}|`)) continue;
        named.set(`fixed|${canonical}|`, { purl: canonical, group: "fixed" });
        fixedCount++;
      }
  return {
    purls: [...purls],
    named: [...named.values()],
    invalid: [...invalid].slice(0, CSAF_IMPORT_MAX_INVALID_SHOWN),
    invalidCount: invalid.size,
    truncated: extra.size,
    withoutPurl: without.size,
  };
}

/**
 * An imported advisory's stored document (JSON text, checked when it was imported) read again: what
 * its affected products name. Null if it no longer reads (it was stored by an older version of the
 * import): the caller falls back to the stored purls.
 */
export function readStoredCsaf(text: string): ImportedCsaf | null {
  try {
    const read = readCsafImport(JSON.parse(text));
    return read.ok ? read.csaf : null;
  } catch {
    return null;
  }
}

/** The stored purls of an advisory whose document no longer reads: exact versions as known affected. */
export function storedPurlsAsNamed(purls: readonly string[]): AdvisoryPurl[] {
  return purls.map((purl) => ({ purl, group: "known_affected" }));
}

/**
 * Compares two tracking versions of one advisory (CSAF 2.0 3.1.11.3.3): integers numerically;
 * semantic versions by major, minor, patch, then a release above its pre-releases (build metadata
 * ignored). Negative: `a` is older.
 */
export function compareTrackingVersions(a: string, b: string): number {
  const parts = (v: string) => {
    const [core, pre] = v.split("+")[0].split(/-(.*)/s);
    return { nums: core.split(".").map(Number), pre: pre ?? null };
  };
  const x = parts(a);
  const y = parts(b);
  for (let i = 0; i < Math.max(x.nums.length, y.nums.length); i++) {
    const d = (x.nums[i] ?? 0) - (y.nums[i] ?? 0);
    if (d !== 0) return d;
  }
  if (x.pre === y.pre) return 0;
  if (x.pre === null) return 1;
  if (y.pre === null) return -1;
  const xs = x.pre.split(".");
  const ys = y.pre.split(".");
  for (let i = 0; i < Math.max(xs.length, ys.length); i++) {
    if (xs[i] === undefined) return -1;
    if (ys[i] === undefined) return 1;
    const xn = /^\d+$/.test(xs[i]);
    const yn = /^\d+$/.test(ys[i]);
    if (xn && yn && Number(xs[i]) !== Number(ys[i])) return Number(xs[i]) - Number(ys[i]);
    if (xn !== yn) return xn ? -1 : 1;
    if (xs[i] !== ys[i]) return xs[i] < ys[i] ? -1 : 1;
  }
  return 0;
}
