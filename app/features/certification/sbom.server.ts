/**
 * SBOMs as evidence (issue 19, docs/decisions/021-sbom-evidence.md, 026-spdx-and-advisory-purls.md):
 * a JSON evidence file that declares CycloneDX 1.5 or 1.6, or SPDX 2.3, is validated against the
 * official JSON schema before it is attached: CycloneDX's are shipped offline by
 * @cyclonedx/cyclonedx-library under res/schema (draft-07, plain Ajv); SPDX 2.3's is vendored in
 * adapters/spdx-2.3.schema.json (draft 2019-09, Ajv2019). Each is compiled once per process (the
 * server warms them right after it starts listening: warmSbomValidators). The components are
 * stored by the file's SHA-256 and listed per firmware version.
 */
import fs from "node:fs";
import path from "node:path";
import { createRequire } from "node:module";
import { Ajv, type ValidateFunction } from "ajv";
import { Ajv2019 } from "ajv/dist/2019.js";
import addFormatsPlugin from "ajv-formats";
import { and, asc, eq, inArray, isNotNull, sql } from "drizzle-orm";
import {
  evidenceLinks,
  products,
  productVersions,
  sbomComponents,
  sbomDocuments,
  seals,
  submissions,
} from "../../../db/schema";
import { z } from "zod";
import { decimalNumber } from "../../platform/forms";
import { db, preparedQueries, type Tx } from "../../platform/db.server";
import { reachedAssessors } from "./domain/review";
import type { Actor } from "../../platform/actor";
import { assertCan, assertSameOrganization } from "../../platform/authorize.server";
import { ServiceError } from "../../platform/errors.server";
import { assertNoConflict, conflictChecker } from "../accounts/conflicts.server";
import { loadSubmission } from "./submission-records.server";
// The official SPDX 2.3 JSON schema (spdx/spdx-spec, schemas/spdx-schema.json, title "SPDX 2.3",
// commit 8a595028b0386138c84f7188237787c374f6a6cf), unchanged; SHA-256
// ed9c4def98a8117d5d9ccb152cf05b5d6ba2a0958cac5f1d700a6de343968f5b. Bundled with the server build.
import spdxSchema from "./adapters/spdx-2.3.schema.json";
import {
  componentCountProblem,
  extractComponents,
  jsonDepth,
  mentionsSbom,
  notJsonSbomMessage,
  parsePurl,
  recogniseSbom,
  SBOM_MAX_BYTES,
  SBOM_MAX_DEPTH,
  schemaProblemMessage,
  unsupportedSbom,
  type SbomComponent,
  type SbomFormat,
  sbomSubject,
  type SbomSubject,
} from "./domain/sbom";
import {
  advisoryPurlMatcher,
  type AdvisoryPurl,
  type AdvisoryPurlGroup,
  type PurlMatchKind,
} from "../catalogue/domain/purl";

const addFormats = ((addFormatsPlugin as unknown as { default?: typeof addFormatsPlugin }).default ??
  addFormatsPlugin) as typeof addFormatsPlugin;

/**
 * ajv-formats, and the two formats the CycloneDX schemas use that it lacks, accepted unchecked (as
 * ajv would, noisily). And no `uniqueItems`: the schemas ask it of arrays of objects (components,
 * dependencies), which ajv checks by comparing every pair: 8,000 components took 13 s, and 50,000
 * (the cap) would hold the server for minutes. Nothing here relies on an SBOM's items being unique
 * (components are matched one by one), so a repeated component is accepted, not refused.
 */
function withFormats<T extends Ajv | Ajv2019>(ajv: T): T {
  addFormats(ajv);
  for (const f of ["iri-reference", "idn-email"]) ajv.addFormat(f, true);
  ajv.removeKeyword("uniqueItems");
  return ajv;
}

let cycloneDxAjv: Ajv | null = null;
const cycloneDx = new Map<string, ValidateFunction>();
let spdx: ValidateFunction | null = null;

function schemaDir(): string {
  const require = createRequire(import.meta.url);
  return path.join(path.dirname(require.resolve("@cyclonedx/cyclonedx-library/package.json")), "res", "schema");
}

const readSchema = (f: string) =>
  JSON.parse(fs.readFileSync(path.join(schemaDir(), f), "utf8")) as Record<string, unknown>;

/** Each CycloneDX version's schema compiled once per process (about 0.8 s each). */
function cycloneDxValidator(version: "1.5" | "1.6"): ValidateFunction {
  let validate = cycloneDx.get(version);
  if (!validate) {
    if (!cycloneDxAjv) {
      // The official schemas use formats ajv knows via ajv-formats, and keywords strict mode rejects ("deprecated", "meta:enum").
      const ajv = withFormats(new Ajv({ strict: false, allErrors: false, validateFormats: true }));
      // The bom schemas refer to their neighbours by relative file name, resolved against their $id.
      for (const f of ["spdx.SNAPSHOT.schema.json", "jsf-0.82.SNAPSHOT.schema.json"]) {
        const { $id: _id, ...schema } = readSchema(f);
        ajv.addSchema(schema, `http://cyclonedx.org/schema/${f}`);
      }
      cycloneDxAjv = ajv;
    }
    validate = cycloneDxAjv.compile(readSchema(`bom-${version}.SNAPSHOT.schema.json`));
    cycloneDx.set(version, validate);
  }
  return validate;
}

/** The SPDX 2.3 schema declares draft 2019-09: compiled with ajv's 2019 build (about 0.15 s). */
function spdxValidator(): ValidateFunction {
  if (!spdx) {
    const ajv = withFormats(new Ajv2019({ strict: false, allErrors: false, validateFormats: true }));
    spdx = ajv.compile(spdxSchema);
  }
  return spdx;
}

function validatorFor(format: SbomFormat): ValidateFunction {
  return format.kind === "spdx" ? spdxValidator() : cycloneDxValidator(format.version);
}

const WARM_STEPS = [() => cycloneDxValidator("1.5"), () => cycloneDxValidator("1.6"), () => spdxValidator()];

/** Compiles every SBOM schema now (about 2 s of CPU, once per process). */
export function warmSbomValidators(): void {
  for (const step of WARM_STEPS) step();
}

/**
 * The same in the background, one schema per turn of the event loop (under a second each), so
 * that the first SBOM upload does not wait for it and no request waits for all of it. The server
 * calls it right after it starts listening; tests and scripts never pay for it unless they
 * validate an SBOM.
 */
export function warmSbomValidatorsInBackground(): void {
  const steps = [...WARM_STEPS];
  const next = () => {
    const step = steps.shift();
    if (!step) return;
    try {
      step();
    } catch (error) {
      console.error("[error] compiling an SBOM schema:", error);
    }
    setTimeout(next, 0).unref();
  };
  setTimeout(next, 0).unref();
}

export type SbomCheck =
  | { kind: "not_sbom" }
  | { kind: "invalid"; message: string }
  | { kind: "sbom"; format: SbomFormat; components: SbomComponent[]; subject: SbomSubject | null };

/**
 * Examines a received JSON evidence file. Not an SBOM: "not_sbom", attached as an ordinary file.
 * A file up to SBOM_MAX_BYTES is parsed whole and recognised by its top-level keys wherever they
 * stand (a sorted-key SPDX document has "spdxVersion" last); only one too large to parse is judged
 * by its first bytes (mentionsSbom). One that names an SBOM format but is not valid JSON, or an SBOM
 * this portal reads but invalid, too large, too deep, with too many components or of another
 * version: "invalid" with the reason (the schema path of the first problem). Never throws on
 * hostile input.
 */
export function checkSbomFile(tempPath: string, size: number, head: Buffer): SbomCheck {
  if (size > SBOM_MAX_BYTES)
    return mentionsSbom(head.toString("utf8"))
      ? { kind: "invalid", message: `An SBOM may be at most ${SBOM_MAX_BYTES / 1024 / 1024} MiB of JSON.` }
      : { kind: "not_sbom" };
  const text = fs.readFileSync(tempPath, "utf8").replace(/^\uFEFF/, "");
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (error) {
    // It names an SBOM format: a broken SBOM, not an ordinary file.
    return mentionsSbom(text) ? { kind: "invalid", message: notJsonSbomMessage(error) } : { kind: "not_sbom" };
  }
  const format = recogniseSbom(doc);
  const other = format ? null : unsupportedSbom(doc);
  if (!format && !other) return { kind: "not_sbom" };
  // Before anything walks it (the schema validation recurses): an ordinary JSON file may nest as it likes.
  if (jsonDepth(text) > SBOM_MAX_DEPTH)
    return { kind: "invalid", message: `The SBOM nests deeper than ${SBOM_MAX_DEPTH} levels.` };
  if (!format)
    return {
      kind: "invalid",
      message: `${other} SBOMs are not read here: upload CycloneDX 1.5 or 1.6, or SPDX 2.3, as JSON.`,
    };
  // Counted before the schema validation, which costs far more on a long component list.
  const components = extractComponents(doc, format);
  const tooMany = componentCountProblem(components.length);
  if (tooMany) return { kind: "invalid", message: tooMany };
  const validate = validatorFor(format);
  if (!validate(doc)) {
    const first = validate.errors?.[0] ?? { instancePath: "", message: "is invalid" };
    return { kind: "invalid", message: schemaProblemMessage(format, first) };
  }
  return { kind: "sbom", format, components, subject: sbomSubject(doc, format) };
}

/** Stores a valid SBOM's components by its SHA-256 (once; the same bytes give the same components). */
export function recordSbom(
  tx: Pick<Tx, "insert" | "select">,
  sha256: string,
  sbom: { format: SbomFormat; components: SbomComponent[]; subject?: SbomSubject | null },
) {
  const exists = tx
    .select({ sha: sbomDocuments.sha256 })
    .from(sbomDocuments)
    .where(eq(sbomDocuments.sha256, sha256))
    .get();
  if (exists) return;
  tx.insert(sbomDocuments)
    .values({
      sha256,
      format: sbom.format.label,
      componentCount: sbom.components.length,
      subjectName: sbom.subject?.name || null,
      subjectVersion: sbom.subject?.version || null,
    })
    .run();
  const rows = sbom.components.map((c, position) => ({ sha256, position, ...c }));
  for (let i = 0; i < rows.length; i += 500)
    tx.insert(sbomComponents)
      .values(rows.slice(i, i + 500))
      .run();
}

export interface SubmissionSbom {
  sha256: string;
  originalName: string;
  requirementRefs: string[];
  format: string;
  componentCount: number;
  /** What the SBOM says it describes (null: it does not say). */
  subject: SbomSubject | null;
}

/** The SBOMs attached to a submission (the caller has checked the actor may see it). */
export function submissionSboms(tx: Pick<Tx, "select">, submissionId: string): SubmissionSbom[] {
  const rows = tx
    .select({
      sha256: sbomDocuments.sha256,
      originalName: evidenceLinks.originalName,
      ref: evidenceLinks.requirementRef,
      format: sbomDocuments.format,
      componentCount: sbomDocuments.componentCount,
      subjectName: sbomDocuments.subjectName,
      subjectVersion: sbomDocuments.subjectVersion,
    })
    .from(evidenceLinks)
    .innerJoin(sbomDocuments, eq(sbomDocuments.sha256, evidenceLinks.sha256))
    .where(eq(evidenceLinks.submissionId, submissionId))
    .orderBy(asc(evidenceLinks.linkedAt))
    .all();
  const bySha = new Map<string, SubmissionSbom>();
  for (const r of rows) {
    const s = bySha.get(r.sha256);
    if (s) {
      if (!s.requirementRefs.includes(r.ref)) s.requirementRefs.push(r.ref);
    } else
      bySha.set(r.sha256, {
        sha256: r.sha256,
        originalName: r.originalName,
        requirementRefs: [r.ref],
        format: r.format,
        componentCount: r.componentCount,
        subject:
          r.subjectName || r.subjectVersion ? { name: r.subjectName ?? "", version: r.subjectVersion ?? "" } : null,
      });
  }
  return [...bySha.values()];
}

export const SBOM_PAGE_SIZE = 50;

/** One page of an SBOM's components, optionally filtered by a search in name or purl. */
export function sbomComponentPage(
  tx: Pick<Tx, "select">,
  sha256: string,
  opts: { q?: string; page?: number } = {},
): { total: number; page: number; pageSize: number; components: SbomComponent[] } {
  const q = (opts.q ?? "").trim().slice(0, 100);
  const pattern = `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  const where = q
    ? and(
        eq(sbomComponents.sha256, sha256),
        sql`(${sbomComponents.name} like ${pattern} escape '\\' or ${sbomComponents.purl} like ${pattern} escape '\\')`,
      )
    : eq(sbomComponents.sha256, sha256);
  const total =
    tx
      .select({ n: sql<number>`count(*)` })
      .from(sbomComponents)
      .where(where)
      .get()?.n ?? 0;
  const pages = Math.max(1, Math.ceil(total / SBOM_PAGE_SIZE));
  const page = Math.min(Math.max(1, Math.floor(opts.page ?? 1)), pages);
  const components = tx
    .select({
      name: sbomComponents.name,
      version: sbomComponents.version,
      purl: sbomComponents.purl,
      purlPackage: sbomComponents.purlPackage,
    })
    .from(sbomComponents)
    .where(where)
    .orderBy(asc(sbomComponents.position))
    .limit(SBOM_PAGE_SIZE)
    .offset((page - 1) * SBOM_PAGE_SIZE)
    .all();
  return { total, page, pageSize: SBOM_PAGE_SIZE, components };
}

/** Whether an SBOM belongs to a submission (so a component page is only shown through it). */
export function sbomInSubmission(tx: Pick<Tx, "select">, submissionId: string, sha256: string): boolean {
  return !!tx
    .select({ id: evidenceLinks.id })
    .from(evidenceLinks)
    .innerJoin(submissions, eq(submissions.id, evidenceLinks.submissionId))
    .innerJoin(sbomDocuments, eq(sbomDocuments.sha256, evidenceLinks.sha256))
    .where(and(eq(evidenceLinks.submissionId, submissionId), eq(evidenceLinks.sha256, sha256)))
    .get();
}

export const sbomQuery = z.object({
  sbom: z
    .string()
    .regex(/^[0-9a-f]{64}$/)
    .optional()
    .catch(undefined),
  sbomQ: z.string().max(100).optional().catch(undefined),
  sbomPage: decimalNumber(z.number().int().min(1).max(100_000).optional()).catch(undefined),
});

/** Reads the SBOM panel's query (?sbom=<sha256>&sbomQ=<search>&sbomPage=<n>) from a URL; hostile values are dropped. */
export function parseSbomQuery(url: string): z.infer<typeof sbomQuery> {
  const params = new URL(url).searchParams;
  return sbomQuery.parse({
    sbom: params.get("sbom") ?? undefined,
    sbomQ: params.get("sbomQ") ?? undefined,
    sbomPage: params.get("sbomPage") ?? undefined,
  });
}

export interface SbomPanel {
  /** `certifiedFirmware`: in a re-certification, the firmware whose certification this SBOM was carried over from, unchanged. */
  sboms: (SubmissionSbom & { certifiedFirmware: string | null })[];
  /** The open SBOM (the one asked for, else the first) and one page of its components. */
  open: (ReturnType<typeof sbomComponentPage> & { sha256: string; q: string }) | null;
}

/**
 * The SBOMs of a submission with one page of components, for its supplier (own organisation) or
 * an assessor (submitted, no conflict of interest).
 */
export function sbomPanel(
  actor: Actor,
  submissionId: string,
  query: z.infer<typeof sbomQuery>,
  as: "assessor" | "supplier",
): SbomPanel {
  const t = db();
  const s = loadSubmission(t, submissionId);
  if (as === "assessor") {
    assertCan(actor, "assessor.workspace");
    if (!reachedAssessors(s)) throw new ServiceError("not_found", "There is no such submission.");
    assertNoConflict(t, actor, s.organizationId, "Another assessor must review this submission.");
  } else {
    assertCan(actor, "supplier.workspace");
    assertSameOrganization(actor, s.organizationId);
  }
  const carried = carriedFromCertified(t, s.recertifiesSerial);
  const sboms = submissionSboms(t, s.id).map((x) => ({
    ...x,
    certifiedFirmware: carried?.shas.has(x.sha256) ? carried.firmware : null,
  }));
  const sha = sboms.find((x) => x.sha256 === query.sbom)?.sha256 ?? sboms[0]?.sha256;
  if (!sha) return { sboms, open: null };
  const q = query.sbom === sha ? (query.sbomQ ?? "") : "";
  return {
    sboms,
    open: { sha256: sha, q, ...sbomComponentPage(t, sha, { q, page: query.sbom === sha ? query.sbomPage : 1 }) },
  };
}

/** A re-certification's seal: its firmware and the SHA-256 of its certified evidence (null for a full assessment). */
function carriedFromCertified(t: Pick<Tx, "select">, serial: string | null) {
  if (!serial) return null;
  const seal = t
    .select({ submissionId: seals.submissionId, firmware: productVersions.firmwareVersion })
    .from(seals)
    .innerJoin(productVersions, eq(productVersions.id, seals.productVersionId))
    .where(eq(seals.serial, serial))
    .get();
  if (!seal) return null;
  const shas = new Set(
    t
      .select({ sha: evidenceLinks.sha256 })
      .from(evidenceLinks)
      .where(eq(evidenceLinks.submissionId, seal.submissionId))
      .all()
      .map((r) => r.sha),
  );
  return { firmware: seal.firmware, shas };
}

export interface SbomMatch {
  productId: string;
  productName: string;
  firmwareVersion: string;
  organizationId: string;
  serial: string;
  submissionId: string;
  sha256: string;
  componentPurl: string;
  /** The advisory's purl the component matched, its product status group and range (advisoryPurlMatcher). */
  advisoryPurl: string;
  advisoryGroup: AdvisoryPurlGroup;
  advisoryRange: string | null;
  /** "affected_version": its exact version is named affected; "check_version": the same package, an assessor checks the version. */
  match: PurlMatchKind;
}

/** An advisory's purls: plain strings (our own advisories: exact versions, or any version without one) or with their CSAF groups. */
const asNamed = (purls: readonly (string | AdvisoryPurl)[]): AdvisoryPurl[] =>
  purls.map((p) => (typeof p === "string" ? { purl: p, group: "known_affected" } : p));

/** The packages ("type/namespace/name") of the components in a seal's SBOMs (evidence of its submission). */
export function sealSbomPackages(t: Pick<Tx, "select">, serial: string): string[] {
  return packagesOfSeal(t)
    .all({ serial })
    .flatMap((r) => (r.pkg ? [r.pkg] : []));
}

/** sealSbomPackages' statement, prepared once per connection (every seal issued asks it). */
const packagesOfSeal = preparedQueries((t) =>
  t
    .select({ pkg: sbomComponents.purlPackage })
    .from(sbomComponents)
    .innerJoin(evidenceLinks, eq(evidenceLinks.sha256, sbomComponents.sha256))
    .innerJoin(seals, eq(seals.submissionId, evidenceLinks.submissionId))
    .where(and(eq(seals.serial, sql.placeholder("serial")), isNotNull(sbomComponents.purlPackage)))
    .groupBy(sbomComponents.purlPackage)
    .prepare(),
);

/**
 * The certified firmware (an active or suspended seal; `serial`: that seal only) whose SBOM names
 * a component an advisory's purls match (catalogue/domain/purl.ts advisoryPurlMatcher: its exact
 * affected version, or the same package in a version the advisory may cover). One match per seal
 * and component, the surer kind first.
 */
export function certifiedSbomMatches(
  t: Pick<Tx, "select">,
  advisoryPurls: readonly (string | AdvisoryPurl)[],
  opts: { serial?: string } = {},
): SbomMatch[] {
  const named = asNamed(advisoryPurls);
  const packages = [
    ...new Set(
      named
        .filter((n) => n.group !== "fixed")
        .map((n) => parsePurl(n.purl)?.package)
        .filter((p) => p !== undefined),
    ),
  ];
  if (packages.length === 0) return [];
  const matcher = advisoryPurlMatcher(named);
  const rows = t
    .select({
      productId: products.id,
      productName: products.name,
      firmwareVersion: productVersions.firmwareVersion,
      organizationId: products.organizationId,
      serial: seals.serial,
      submissionId: seals.submissionId,
      sha256: sbomComponents.sha256,
      componentPurl: sbomComponents.purl,
    })
    .from(sbomComponents)
    .innerJoin(evidenceLinks, eq(evidenceLinks.sha256, sbomComponents.sha256))
    .innerJoin(seals, eq(seals.submissionId, evidenceLinks.submissionId))
    .innerJoin(productVersions, eq(productVersions.id, seals.productVersionId))
    .innerJoin(products, eq(products.id, productVersions.productId))
    .where(
      and(
        inArray(sbomComponents.purlPackage, packages),
        inArray(seals.state, ["active", "suspended"]),
        opts.serial === undefined ? undefined : eq(seals.serial, opts.serial),
      ),
    )
    .all();
  const out = new Map<string, SbomMatch>();
  for (const r of rows) {
    if (!r.componentPurl) continue;
    const m = matcher(r.componentPurl);
    if (!m) continue;
    const key = `${r.serial}|${r.componentPurl}`;
    if (!out.has(key))
      out.set(key, {
        ...r,
        componentPurl: r.componentPurl,
        advisoryPurl: m.named.purl,
        advisoryGroup: m.named.group,
        advisoryRange: m.named.range ?? null,
        match: m.kind,
      });
  }
  return [...out.values()];
}

/**
 * For the certification body: the certified firmware whose SBOM matches these purls, each with a
 * link to that SBOM in its review, withheld where the assessor has a conflict of interest with
 * the supplier (the assessor sees that a product matches, not its review). Exact affected versions
 * first.
 */
export function possiblyAffectedFirmware(actor: Actor, purls: readonly (string | AdvisoryPurl)[]) {
  assertCan(actor, "seals.manage");
  const t = db();
  const conflictWith = conflictChecker(t, actor);
  return certifiedSbomMatches(t, purls)
    .sort((a, b) => (a.match === b.match ? 0 : a.match === "affected_version" ? -1 : 1))
    .map((m) => ({
      productName: m.productName,
      firmwareVersion: m.firmwareVersion,
      serial: m.serial,
      componentPurl: m.componentPurl,
      advisoryPurl: m.advisoryPurl,
      advisoryGroup: m.advisoryGroup,
      advisoryRange: m.advisoryRange,
      match: m.match,
      link: conflictWith(m.organizationId)
        ? null
        : `/assessor/submissions/${m.submissionId}?sbom=${m.sha256}#sbom-title`,
    }));
}
