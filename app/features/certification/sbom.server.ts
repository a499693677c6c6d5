/**
 * SBOMs as evidence (issue 19, docs/decisions/021-sbom-evidence.md): a JSON evidence file that
 * declares CycloneDX 1.5 or 1.6 is validated against the official JSON schema (shipped offline by
 * @cyclonedx/cyclonedx-library under res/schema, compiled once with ajv) before it is attached;
 * its components are stored by the file's SHA-256 and listed per firmware version.
 */
import fs from "node:fs";
import path from "node:path";
import { createRequire } from "node:module";
import { Ajv, type ValidateFunction } from "ajv";
import addFormatsPlugin from "ajv-formats";
import { and, asc, eq, inArray, sql } from "drizzle-orm";
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
import { db, type Tx } from "../../platform/db.server";
import type { Actor } from "../../platform/actor";
import { assertCan, assertSameOrganization } from "../../platform/authorize.server";
import { ServiceError } from "../../platform/errors.server";
import { assertNoConflict } from "../accounts/conflicts.server";
import { loadSubmission } from "./submission-records.server";
import {
  extractComponents,
  jsonDepth,
  mentionsSbom,
  parsePurl,
  purlMatches,
  recogniseSbom,
  SBOM_MAX_BYTES,
  SBOM_MAX_DEPTH,
  schemaProblemMessage,
  unsupportedSbom,
  type SbomComponent,
  type SbomFormat,
} from "./domain/sbom";

const addFormats = ((addFormatsPlugin as unknown as { default?: typeof addFormatsPlugin }).default ??
  addFormatsPlugin) as typeof addFormatsPlugin;

let validators: Map<string, ValidateFunction> | null = null;

function schemaDir(): string {
  const require = createRequire(import.meta.url);
  return path.join(path.dirname(require.resolve("@cyclonedx/cyclonedx-library/package.json")), "res", "schema");
}

/** Compiled once per process (about a second for both CycloneDX versions). */
function cycloneDxValidator(version: "1.5" | "1.6"): ValidateFunction {
  if (!validators) {
    const dir = schemaDir();
    const read = (f: string) => JSON.parse(fs.readFileSync(path.join(dir, f), "utf8")) as Record<string, unknown>;
    // The official schemas use formats ajv knows via ajv-formats, and keywords strict mode rejects ("deprecated", "meta:enum").
    const ajv = new Ajv({ strict: false, allErrors: false, validateFormats: true });
    addFormats(ajv);
    // The bom schemas refer to their neighbours by relative file name, resolved against their $id.
    for (const f of ["spdx.SNAPSHOT.schema.json", "jsf-0.82.SNAPSHOT.schema.json"]) {
      const { $id: _id, ...schema } = read(f);
      ajv.addSchema(schema, `http://cyclonedx.org/schema/${f}`);
    }
    const compiled = new Map<string, ValidateFunction>();
    for (const v of ["1.5", "1.6"] as const) compiled.set(v, ajv.compile(read(`bom-${v}.SNAPSHOT.schema.json`)));
    validators = compiled;
  }
  return validators.get(version)!;
}

export type SbomCheck =
  | { kind: "not_sbom" }
  | { kind: "invalid"; message: string }
  | { kind: "sbom"; format: SbomFormat; components: SbomComponent[] };

/**
 * Examines a received JSON evidence file. Not an SBOM (or not JSON): "not_sbom", attached as an
 * ordinary file. An SBOM this portal reads but invalid, too large, too deep or of another version:
 * "invalid" with the reason (the schema path of the first problem). Never throws on hostile input.
 */
export function checkSbomFile(tempPath: string, size: number, head: Buffer): SbomCheck {
  const headText = head.toString("utf8");
  if (!mentionsSbom(headText)) return { kind: "not_sbom" };
  if (size > SBOM_MAX_BYTES)
    return { kind: "invalid", message: `An SBOM may be at most ${SBOM_MAX_BYTES / 1024 / 1024} MiB of JSON.` };
  const text = fs.readFileSync(tempPath, "utf8").replace(/^\uFEFF/, "");
  if (jsonDepth(text) > SBOM_MAX_DEPTH)
    return { kind: "invalid", message: `The SBOM nests deeper than ${SBOM_MAX_DEPTH} levels.` };
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    return { kind: "not_sbom" };
  }
  const format = recogniseSbom(doc);
  if (!format) {
    const other = unsupportedSbom(doc);
    return other
      ? { kind: "invalid", message: `${other} SBOMs are not read here: upload CycloneDX 1.5 or 1.6 JSON.` }
      : { kind: "not_sbom" };
  }
  if (format.kind === "spdx")
    // SPDX 2.3 validation is not built yet (its schema is not bundled): refused rather than stored unchecked.
    return { kind: "invalid", message: "SPDX 2.3 SBOMs are not read here yet: upload CycloneDX 1.5 or 1.6 JSON." };
  const validate = cycloneDxValidator(format.version);
  if (!validate(doc)) {
    const first = validate.errors?.[0] ?? { instancePath: "", message: "is invalid" };
    return { kind: "invalid", message: schemaProblemMessage(format, first) };
  }
  return { kind: "sbom", format, components: extractComponents(doc, format) };
}

/** Stores a valid SBOM's components by its SHA-256 (once; the same bytes give the same components). */
export function recordSbom(
  tx: Pick<Tx, "insert" | "select">,
  sha256: string,
  sbom: { format: SbomFormat; components: SbomComponent[] },
) {
  const exists = tx
    .select({ sha: sbomDocuments.sha256 })
    .from(sbomDocuments)
    .where(eq(sbomDocuments.sha256, sha256))
    .get();
  if (exists) return;
  tx.insert(sbomDocuments).values({ sha256, format: sbom.format.label, componentCount: sbom.components.length }).run();
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
  sbomPage: z.coerce.number().int().min(1).max(100_000).optional().catch(undefined),
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
  sboms: SubmissionSbom[];
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
    if (s.status === "draft") throw new ServiceError("not_found", "There is no such submission.");
    assertNoConflict(t, actor, s.organizationId, "Another assessor must review this submission.");
  } else {
    assertCan(actor, "supplier.workspace");
    assertSameOrganization(actor, s.organizationId);
  }
  const sboms = submissionSboms(t, s.id);
  const sha = sboms.find((x) => x.sha256 === query.sbom)?.sha256 ?? sboms[0]?.sha256;
  if (!sha) return { sboms, open: null };
  const q = query.sbom === sha ? (query.sbomQ ?? "") : "";
  return {
    sboms,
    open: { sha256: sha, q, ...sbomComponentPage(t, sha, { q, page: query.sbom === sha ? query.sbomPage : 1 }) },
  };
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
  advisoryPurl: string;
}

/**
 * The certified firmware (an active or suspended seal) whose SBOM names a component an advisory's
 * purls match (same package; same version when the advisory's purl states one).
 */
export function certifiedSbomMatches(t: Pick<Tx, "select">, advisoryPurls: string[]): SbomMatch[] {
  const wanted = advisoryPurls.map((p) => parsePurl(p)).filter((p) => p !== null);
  if (wanted.length === 0) return [];
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
        inArray(
          sbomComponents.purlPackage,
          wanted.map((w) => w.package),
        ),
        inArray(seals.state, ["active", "suspended"]),
      ),
    )
    .all();
  const out = new Map<string, SbomMatch>();
  for (const r of rows) {
    if (!r.componentPurl) continue;
    const advisoryPurl = wanted.find((w) => purlMatches(w.canonical, r.componentPurl!))?.canonical;
    if (!advisoryPurl) continue;
    const key = `${r.serial}|${r.componentPurl}`;
    if (!out.has(key)) out.set(key, { ...r, componentPurl: r.componentPurl, advisoryPurl });
  }
  return [...out.values()];
}
