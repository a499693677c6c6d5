/**
 * The checklist file format: one YAML file per version, `checklists/<id>/<version>.yaml`.
 * This zod schema is the contract the importer enforces; docs/checklist-format.md describes it
 * for authors. Unknown keys are errors, so a typo never passes silently.
 */
import { z } from "zod";

/** Days of grace after a recurring requirement falls due, unless the checklist sets `recurring_grace_days`. */
export const DEFAULT_RECURRING_GRACE_DAYS = 14;

export const SEVERITIES = ["critical", "high", "medium", "low"] as const;
export type Severity = (typeof SEVERITIES)[number];

export const APPLICABILITY = ["mandatory", "advisory"] as const;
export type Applicability = (typeof APPLICABILITY)[number];

/**
 * How an assessor may judge a requirement. `standard` (the default): "Not applicable" only where the
 * requirement has a condition or the supplier claimed it does not apply. `decision-tree` (EN 18031):
 * each requirement's decision tree ends in PASS, FAIL or NOT APPLICABLE, so any requirement may be
 * judged not applicable, always with a written justification.
 */
export const VERDICT_MODELS = ["standard", "decision-tree"] as const;
export type VerdictModel = (typeof VERDICT_MODELS)[number];
export const DEFAULT_VERDICT_MODEL: VerdictModel = "standard";

const SLUG = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
const VERSION = /^[0-9A-Za-z][0-9A-Za-z._-]{0,31}$/;
const REF = /^[0-9A-Za-z][0-9A-Za-z._-]{0,31}$/;
/**
 * Version names the portal's own pages use under /checklists/<id>/ (the comparison page is
 * /checklists/<id>/diff): a version by that name could be imported but its page never reached.
 * Compared without regard to case, as the page addresses are.
 */
export const RESERVED_VERSION_NAMES = ["diff"] as const;
const isReservedVersion = (v: string) => (RESERVED_VERSION_NAMES as readonly string[]).includes(v.toLowerCase());

const MAPS_TO = /^[a-z0-9]+(?:-[a-z0-9]+)*:[0-9A-Za-z][0-9A-Za-z._-]{0,31}$/;

const text = (what: string, max = 4000) =>
  z
    .string({ error: (i) => (i.input === undefined ? `${what} is required` : `${what} must be text`) })
    .trim()
    .min(1, { error: `${what} must not be empty` })
    .max(max, { error: `${what} must be at most ${max} characters` });

const isoDate = z
  .string({
    error: (i) => (i.input === undefined ? "published is required" : "published must be a date written YYYY-MM-DD"),
  })
  .superRefine((v, ctx) => {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(v))
      ctx.addIssue({ code: "custom", message: "published must be a date written YYYY-MM-DD" });
    else {
      const d = new Date(`${v}T00:00:00Z`);
      if (Number.isNaN(d.getTime()) || d.toISOString().slice(0, 10) !== v)
        ctx.addIssue({ code: "custom", message: "published is not a real calendar date" });
    }
  });

/** A required string field whose message says whether it was missing or of the wrong type. */
const str = (what: string, wrongType: string) =>
  z.string({ error: (i) => (i.input === undefined ? `${what} is required` : wrongType) });

const positiveInt = (what: string) =>
  z
    .number({ error: `${what} must be a whole number of days` })
    .int({ error: `${what} must be a whole number of days` })
    .positive({ error: `${what} must be greater than zero` });

/** How closely a crosswalk link's target says the same as its source; a plain string link leaves it unspecified. */
export const CROSSWALK_KINDS = ["equivalent", "partial"] as const;
export type CrosswalkKind = (typeof CROSSWALK_KINDS)[number];

const MAPS_TO_FORMAT = 'must be <checklist-id>:<ref>, such as "etsi-en-303-645:5.1-1"';
const mapsToTarget = z.string().regex(MAPS_TO, { error: MAPS_TO_FORMAT });
const mapsToObject = z.strictObject({
  to: str("to", 'to must be a <checklist-id>:<ref> string, such as "etsi-en-303-645:5.1-1"').regex(MAPS_TO, {
    error: `to ${MAPS_TO_FORMAT}`,
  }),
  kind: z.enum(CROSSWALK_KINDS, {
    error: (i) =>
      i.input === undefined ? "kind is required: equivalent or partial" : "kind must be equivalent or partial",
  }),
});

/** One maps_to entry: "<checklist-id>:<ref>" (kind unspecified) or `{ to: "<checklist-id>:<ref>", kind }`. */
export type MapsToEntry = string | z.output<typeof mapsToObject>;

/**
 * A maps_to entry is checked against the form its value has (text or a mapping), so a wrong kind
 * is reported as such at maps_to[i].kind instead of as "matches neither form". The value is kept
 * as written: a file of plain-string links canonicalises, and hashes, exactly as before kinds existed.
 */
const mapsToEntrySchema = z.custom<MapsToEntry>().superRefine((value, ctx) => {
  const isText = typeof value === "string";
  if (!isText && (typeof value !== "object" || value === null || Array.isArray(value))) {
    ctx.addIssue({
      code: "custom",
      message:
        'each maps_to entry must be "<checklist-id>:<ref>" or { to: "<checklist-id>:<ref>", kind: equivalent | partial }',
    });
    return;
  }
  const result = (isText ? mapsToTarget : mapsToObject).safeParse(value);
  if (!result.success)
    for (const issue of result.error.issues)
      ctx.addIssue({ ...issue, input: value } as unknown as Parameters<typeof ctx.addIssue>[0]);
});

export const requirementSchema = z.strictObject({
  ref: str("ref", 'ref must be a quoted string, such as "5.1-1"').regex(REF, {
    error: 'ref must be letters, digits, dots, dashes or underscores, such as "5.1-1"',
  }),
  title: text("title", 200),
  text: text("text"),
  applies: z.record(z.string(), z.enum(APPLICABILITY, { error: "must be mandatory or advisory" }), {
    error: "applies must map level ids to mandatory or advisory",
  }),
  condition: text("condition", 1000).optional(),
  evidence: text("evidence", 2000).optional(),
  recurs_every_days: z
    .number({ error: "recurs_every_days must be a whole number of days" })
    .int({ error: "recurs_every_days must be a whole number of days" })
    .min(1, { error: "recurs_every_days must be at least 1" })
    .max(3650, { error: "recurs_every_days must be at most 3650 (ten years)" })
    .optional(),
  maps_to: z
    .array(mapsToEntrySchema, {
      error: 'maps_to must be a list of "<checklist-id>:<ref>" strings or { to, kind } entries',
    })
    .optional(),
});

export const sectionSchema = z.strictObject({
  ref: str("ref", 'ref must be a quoted string, such as "5.1"').regex(REF, {
    error: 'ref must be letters, digits, dots, dashes or underscores, such as "5.1"',
  }),
  title: text("title", 200),
  requirements: z
    .array(requirementSchema, { error: "requirements must be a list" })
    .min(1, { error: "a section needs at least one requirement" }),
});

export const levelSchema = z.strictObject({
  id: str("id", "level id must be text").regex(SLUG, {
    error: "level id must be a slug: lowercase letters, digits and dashes",
  }),
  title: text("title", 120),
});

export const checklistFileSchema = z.strictObject({
  id: str("id", 'id must be text, such as "etsi-en-303-645"').regex(SLUG, {
    error: 'id must be a slug: lowercase letters, digits and single dashes, such as "etsi-en-303-645"',
  }),
  title: text("title", 300),
  publisher: text("publisher", 200),
  version: str("version", 'version must be a quoted string, such as "2.1.1"')
    .regex(VERSION, {
      error: 'version must be letters, digits, dots or dashes, such as "2.1.1"',
    })
    .refine((v) => !isReservedVersion(v), {
      error: (i) =>
        `version "${String(i.input)}" is reserved: /checklists/<id>/${String(i.input).toLowerCase()} is the portal's page for comparing versions; choose another version name, such as "2.1.1"`,
    }),
  published: isoDate,
  source: z.url({ protocol: /^https?$/, error: "source must be an http(s) URL" }).optional(),
  levels: z.array(levelSchema, { error: "levels must be a list" }).min(1, { error: "declare at least one level" }),
  validity_months: z
    .number({
      error: (i) => (i.input === undefined ? "validity_months is required" : "validity_months must be a whole number"),
    })
    .int({ error: "validity_months must be a whole number" })
    .min(1, { error: "validity_months must be at least 1" })
    .max(120, { error: "validity_months must be at most 120" }),
  disclosure_days: z.strictObject(
    {
      critical: positiveInt("critical"),
      high: positiveInt("high"),
      medium: positiveInt("medium"),
      low: positiveInt("low"),
    },
    { error: "disclosure_days must map critical, high, medium and low to days" },
  ),
  recurring_grace_days: z
    .number({ error: "recurring_grace_days must be a whole number of days" })
    .int({ error: "recurring_grace_days must be a whole number of days" })
    .min(0, { error: "recurring_grace_days must be 0 or more" })
    .max(365, { error: "recurring_grace_days must be at most 365" })
    .optional(),
  verdicts: z.enum(VERDICT_MODELS, { error: "verdicts must be standard or decision-tree" }).optional(),
  sections: z
    .array(sectionSchema, { error: "sections must be a list" })
    .min(1, { error: "a checklist needs at least one section" }),
});

export interface RuleProblem {
  path: (string | number)[];
  message: string;
  /** Point at the key of the last path element rather than its value. */
  atKey?: boolean;
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

/**
 * The rules that span fields: declared levels, unique refs, every requirement applying somewhere,
 * well-aimed crosswalks. Written against raw data, so they are reported together with the
 * schema's own problems instead of only after those are fixed.
 */
export function crossFieldProblems(raw: unknown): RuleProblem[] {
  const out: RuleProblem[] = [];
  if (!isObj(raw)) return out;
  const levelIds = list(raw.levels).map((l) => (isObj(l) && typeof l.id === "string" ? l.id : undefined));
  levelIds.forEach((id, i) => {
    if (id !== undefined && levelIds.indexOf(id) !== i)
      out.push({ path: ["levels", i, "id"], message: `level "${id}" is declared twice` });
  });
  const declared = levelIds.filter((x): x is string => x !== undefined);
  const sectionRefs = new Set<string>();
  const requirementRefs = new Map<string, string>();
  list(raw.sections).forEach((section, s) => {
    if (!isObj(section)) return;
    if (typeof section.ref === "string") {
      if (sectionRefs.has(section.ref))
        out.push({ path: ["sections", s, "ref"], message: `section ref "${section.ref}" is used twice` });
      sectionRefs.add(section.ref);
    }
    list(section.requirements).forEach((req, r) => {
      if (!isObj(req)) return;
      const here = ["sections", s, "requirements", r];
      if (typeof req.ref === "string") {
        const first = requirementRefs.get(req.ref);
        if (first)
          out.push({
            path: [...here, "ref"],
            message: `requirement ref "${req.ref}" is used twice (first at ${first})`,
          });
        else requirementRefs.set(req.ref, `sections[${s}].requirements[${r}]`);
      }
      if (isObj(req.applies)) {
        const levels = Object.keys(req.applies);
        for (const level of levels) {
          if (declared.length && !declared.includes(level)) {
            out.push({
              path: [...here, "applies", level],
              atKey: true,
              message: `level "${level}" is not declared in levels (declared: ${declared.join(", ")})`,
            });
          }
        }
        if (levels.length === 0)
          out.push({
            path: [...here, "applies"],
            message: "the requirement must apply (mandatory or advisory) at some level",
          });
      }
      const seen = new Set<string>();
      list(req.maps_to).forEach((entry, t) => {
        // Either form names its target: the string itself, or the object's `to`.
        const target =
          typeof entry === "string" ? entry : isObj(entry) && typeof entry.to === "string" ? entry.to : null;
        if (target === null) return;
        const at = typeof entry === "string" ? [...here, "maps_to", t] : [...here, "maps_to", t, "to"];
        if (seen.has(target)) out.push({ path: at, message: `"${target}" is listed twice` });
        seen.add(target);
        if (typeof raw.id === "string" && target.startsWith(`${raw.id}:`)) {
          out.push({ path: at, message: "maps_to must name another checklist, not this one" });
        }
      });
    });
  });
  return out;
}

export type ChecklistFile = z.output<typeof checklistFileSchema>;
export type ChecklistRequirement = z.output<typeof requirementSchema>;
export type ChecklistSection = z.output<typeof sectionSchema>;

export const CHECKLIST_VERSION_PATTERN = VERSION;
export const CHECKLIST_ID_PATTERN = SLUG;

/** How a requirement applies at one level: mandatory, advisory, or not required there. */
export type LevelApplicability = Applicability | "not_required";

export function applicabilityAt(req: { applies: Record<string, Applicability> }, level: string): LevelApplicability {
  return req.applies[level] ?? "not_required";
}

/** Mandatory and advisory counts per level, in the levels' order. */
export function countsPerLevel(
  levels: readonly { id: string; title: string }[],
  applies: readonly Record<string, Applicability>[],
): { id: string; title: string; mandatory: number; advisory: number }[] {
  return levels.map((l) => ({
    id: l.id,
    title: l.title,
    mandatory: applies.filter((a) => a[l.id] === "mandatory").length,
    advisory: applies.filter((a) => a[l.id] === "advisory").length,
  }));
}
