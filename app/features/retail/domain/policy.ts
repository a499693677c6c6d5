/**
 * Retailer acceptance policies: what a retailer needs before a product goes on its shelves,
 * applied to every seal check. Pure: the seal's facts, the time and the names are passed in.
 *
 * A policy applies to one product category (or "any"). Against the facts of one seal it either
 * meets or lists every clause it misses, in this order, each with a message for people:
 *
 *  - status:    the live verdict is "valid".
 *  - checklist: when `accepted` is not empty, the seal is against one of the listed checklists at
 *               that entry's minLevel or higher, in the seal checklist's own level order (lowest
 *               first). A minLevel that checklist does not define never matches.
 *  - provision: each "<checklist-id>:<ref>" is met by a requirement of the seal that is met
 *               (passed or not applicable) and either is that ref of that checklist or is linked to
 *               it through the crosswalk as `equivalent`: the rule that makes it "covered" on the
 *               seal's coverage page (catalogue/domain/checklist/coverage.ts). A partial link, or
 *               one of unspecified kind, meets it only partly, which is a miss. An advisory
 *               accepted on its justification is NOT met.
 *  - support:   the support period (through 23:59:59Z of its last day) lasts at least until
 *               now + minSupportMonths calendar months ("at least 5 years of support from today").
 *  - cra-support: with craSupportPeriod, the product's support period meets the EU Cyber
 *               Resilience Act, Article 13(8): at least five years from going on sale, or a stated
 *               shorter expected use time with its reason (catalogue/domain/support-period.ts).
 *  - findings:  no open finding of blockingFindingSeverity or above is past its deadline
 *               (strictly later than it, as in findings.blocksSeal).
 *  - age:       now is before issuedAt + maxSealAgeMonths calendar months.
 *  - advisory:  with noAffectingAdvisory, no public advisory lists the seal's certified firmware among
 *               its affected versions (fixed in another version or not fixed yet): "sell only with the
 *               update installed" is not "valid" (findings/domain/update-required.ts).
 *
 * Calendar months are UTC and clamp to the month's end: Jan 31 + 1 month = Feb 28 (29).
 * Buyers see policy results, so no message ever carries a finding's title or details: only
 * counts and severities.
 */
import { z } from "zod";
import { lineText } from "../../../platform/forms";
import type { SealVerdict } from "../../trust/domain/credential";
import { SEVERITIES, type Severity } from "../../findings/domain/findings";
import { PRODUCT_CATEGORIES, type ProductCategory } from "../../catalogue/domain/product";
import { advisoriesAffecting } from "../../findings/domain/update-required";
import { addMonthsUtc, formatMonths, wholeMonthsBetween } from "../../../platform/calendar";
import { supportPeriodShortfall, type SupportPeriodFacts } from "../../catalogue/domain/support-period";
import { coverageStatus, mergeLinks } from "../../catalogue/domain/checklist/coverage";
import type { CrosswalkKind } from "../../catalogue/domain/checklist/schema";
import { formatDate } from "../../../platform/format";

export const POLICY_CATEGORIES = ["any", ...PRODUCT_CATEGORIES] as const;
export type PolicyCategory = (typeof POLICY_CATEGORIES)[number];

export interface AcceptedChecklist {
  checklistId: string;
  minLevel: string;
}

export interface Policy {
  id: string;
  name: string;
  category: PolicyCategory;
  accepted: AcceptedChecklist[];
  requiredProvisions: string[];
  minSupportMonths: number | null;
  blockingFindingSeverity: Severity | null;
  maxSealAgeMonths: number | null;
  /** No public advisory may affect the certified firmware (absent: not asked). */
  noAffectingAdvisory?: boolean;
  /** The product's support period must meet the EU CRA (absent: not asked). */
  craSupportPeriod?: boolean;
}

/** A crosswalk link of a seal's requirement, either file's: "<checklist-id>:<ref>" and its kind (null: unspecified). */
export interface PolicyLink {
  to: string;
  kind: CrosswalkKind | null;
}

export interface PolicySealFacts {
  serial: string;
  status: SealVerdict;
  category: ProductCategory;
  checklist: { id: string; title: string; version: string; level: string; levels: { id: string; title: string }[] };
  /** `mapsTo`: the crosswalk links both ways; a pair stated by both files may appear twice (merged here, as coverage does). */
  requirements: { ref: string; met: boolean; accepted?: boolean; mapsTo: PolicyLink[] }[];
  supportPeriodEnd: string;
  /** The product's support facts for the EU CRA clause (absent: not known). */
  supportPeriod?: SupportPeriodFacts;
  issuedAt: Date;
  findings: { severity: Severity; deadline: Date; open: boolean }[];
  /** The certified firmware, and the product's public advisories (what anyone may read: ids, severities, versions). */
  firmware?: string;
  /** The certified hardware revision: an advisory naming revisions affects only those it names. */
  hardwareRevision?: string;
  advisories?: {
    advisoryId: string;
    severity: Severity;
    affectedVersions: string[];
    affected?: { hardwareRevision: string; firmwareVersion: string }[];
    fixedInVersion: string | null;
  }[];
}

/** Display names for checklists and their levels, keyed by checklist id (levels lowest first). */
export type PolicyNames = Readonly<
  Record<string, { title: string; levels?: readonly { id: string; title: string }[] }>
>;

export type PolicyClause =
  "status" | "checklist" | "provision" | "support" | "cra-support" | "findings" | "age" | "advisory";
export const POLICY_CLAUSES: readonly PolicyClause[] = [
  "status",
  "checklist",
  "provision",
  "support",
  "cra-support",
  "findings",
  "age",
  "advisory",
];

export interface PolicyMiss {
  clause: PolicyClause;
  message: string;
  provision?: string;
}

export interface PolicyResult {
  policyId: string;
  policyName: string;
  meets: boolean;
  misses: PolicyMiss[];
}

/** Same pattern as a checklist's maps_to: "<checklist-id>:<ref>". */
export const PROVISION_PATTERN = /^[a-z0-9]+(?:-[a-z0-9]+)*:[0-9A-Za-z][0-9A-Za-z._-]{0,31}$/;

/** How a verdict reads in "The seal is …, not valid." (kept here: verify.ts pulls in node:crypto). */
const STATUS_WORDS: Record<SealVerdict, string> = {
  valid: "valid",
  expired: "expired",
  suspended: "suspended",
  revoked: "revoked",
  superseded: "superseded",
  not_found: "not found",
  forged: "not genuine",
};

export function policyApplies(policy: Pick<Policy, "category">, category: ProductCategory): boolean {
  return policy.category === "any" || policy.category === category;
}

// Calendar months are counted by the platform's calendar (also used for a product's support period).
export { addMonthsUtc, wholeMonthsBetween };

/** A date in a sentence, as the pages write it ("5 Nov 2026", UTC). */
const ymd = (d: Date) => formatDate(d);
const months = (n: number) => `${n} month${n === 1 ? "" : "s"}`;
const own = <T>(rec: Readonly<Record<string, T>> | undefined, key: string): T | undefined =>
  rec && Object.hasOwn(rec, key) ? rec[key] : undefined;
/** Level titles may carry a gloss ("Class 2 — also resists …"): messages use the part before " — ". */
const shortTitle = (title: string) => title.split(" — ")[0].trim() || title;

function namer(names?: PolicyNames) {
  const checklist = (id: string) => own(names, id)?.title ?? id;
  const level = (checklistId: string, levelId: string) => {
    const found = own(names, checklistId)?.levels?.find((l) => l.id === levelId);
    return found ? shortTitle(found.title) : levelId;
  };
  const provision = (p: string) => {
    const i = p.indexOf(":");
    return i > 0 ? `${checklist(p.slice(0, i))} ${p.slice(i + 1)}` : p;
  };
  return { checklist, level, provision };
}

type Namer = ReturnType<typeof namer>;

const acceptedList = (accepted: readonly AcceptedChecklist[], n: Namer) =>
  accepted.map((a) => `${n.checklist(a.checklistId)} at ${n.level(a.checklistId, a.minLevel)} or higher`).join(", or ");

function checklistMiss(policy: Policy, facts: PolicySealFacts, n: Namer): string | null {
  if (policy.accepted.length === 0) return null;
  const order = facts.checklist.levels.map((l) => l.id);
  const sealRank = order.indexOf(facts.checklist.level);
  const same = policy.accepted.filter((a) => a.checklistId === facts.checklist.id);
  if (same.some((a) => order.includes(a.minLevel) && sealRank >= order.indexOf(a.minLevel))) return null;
  const title = n.checklist(facts.checklist.id);
  const unknown = same.filter((a) => !order.includes(a.minLevel)).map((a) => ` ${title} has no level "${a.minLevel}".`);
  return `Certified against ${title} at ${n.level(facts.checklist.id, facts.checklist.level)}; this policy accepts ${acceptedList(policy.accepted, n)}.${unknown.join("")}`;
}

function provisionMiss(p: string, facts: PolicySealFacts, n: Namer): string | null {
  if (!PROVISION_PATTERN.test(p))
    return `The required provision "${p}" is not written as <checklist-id>:<ref>; the policy needs correcting.`;
  const sealId = facts.checklist.id;
  const direct = facts.requirements.find((r) => `${sealId}:${r.ref}` === p);
  if (direct?.met) return null;
  // Through the crosswalk, by the coverage page's rule: one link per pair of requirements, and only
  // an equivalent link from a met requirement covers the provision in full.
  const byRef = new Map(facts.requirements.map((r) => [r.ref, r]));
  const linked = mergeLinks(
    facts.requirements.flatMap((r) =>
      r.mapsTo.filter((l) => l.to === p).map((l) => ({ sourceRef: r.ref, targetRef: l.to, kind: l.kind })),
    ),
  ).map((l) => ({ requirement: byRef.get(l.sourceRef)!, kind: l.kind }));
  const metKinds = linked.filter((l) => l.requirement.met).map((l) => l.kind);
  if (coverageStatus(metKinds) === "covered") return null;
  const wanted = n.provision(p);
  const sealTitle = n.checklist(sealId);
  if (!direct && linked.length === 0) {
    return p.startsWith(`${sealId}:`)
      ? `${wanted} is not among the requirements this seal covers.`
      : `No requirement of ${sealTitle} maps to ${wanted}.`;
  }
  const why = (r: { accepted?: boolean }) =>
    r.accepted ? "accepted on its justification, not implemented" : "not met";
  if (direct) return `${wanted} is ${why(direct)}.`;
  const parts = linked.map(({ requirement: r, kind }) =>
    !r.met
      ? `${sealTitle} ${r.ref} maps to it but is ${why(r)}`
      : kind === "partial"
        ? `${sealTitle} ${r.ref} is met, but the crosswalk links the two only as partial`
        : `${sealTitle} ${r.ref} is met, but the crosswalk does not say the two are equivalent`,
  );
  return metKinds.length
    ? `${wanted} is met only partly, through the crosswalk: ${parts.join(", and ")}.`
    : `${wanted} is not met through the crosswalk: ${parts.join(", and ")}.`;
}

function supportMiss(minMonths: number, supportPeriodEnd: string, now: Date): string | null {
  const end = /^\d{4}-\d{2}-\d{2}$/.test(supportPeriodEnd) ? new Date(`${supportPeriodEnd}T23:59:59Z`) : new Date(NaN);
  const needs = `this policy needs at least ${formatMonths(minMonths)} of support from today`;
  if (Number.isNaN(end.getTime())) return `The end of security support is not known; ${needs}.`;
  if (end.getTime() >= addMonthsUtc(now, minMonths).getTime()) return null;
  const endDate = formatDate(`${supportPeriodEnd}T00:00:00Z`); // "31 Dec 2029", as every other message writes a date
  if (end.getTime() < now.getTime()) return `Security support has ended (${endDate}); ${needs}.`;
  const left = wholeMonthsBetween(now, end);
  return `Security support ends ${endDate}, in ${left === 0 ? "less than a month" : formatMonths(left)}; ${needs}.`;
}

/** The EU CRA's support period (Article 13(8)): the product's own facts, whatever the day. */
function craSupportMiss(facts: PolicySealFacts): string | null {
  if (!facts.supportPeriod)
    return "When the product goes on sale is not known; this policy needs a support period that meets the EU Cyber Resilience Act.";
  return supportPeriodShortfall(facts.supportPeriod);
}

const rank = (s: Severity) => SEVERITIES.indexOf(s); // 0 = critical

function findingsMiss(threshold: Severity, findings: PolicySealFacts["findings"], now: Date): string | null {
  const blocking = findings.filter(
    (f) => f.open && rank(f.severity) <= rank(threshold) && now.getTime() > f.deadline.getTime(),
  );
  if (blocking.length === 0) return null;
  const groups = SEVERITIES.map((s) => [s, blocking.filter((f) => f.severity === s).length] as const).filter(
    ([, c]) => c > 0,
  );
  const counts = groups.map(([s, c]) => `${c} ${s}`).join(" and ");
  return blocking.length === 1
    ? `${counts} finding is open past its disclosure deadline.`
    : `${counts} findings are open past their disclosure deadlines.`;
}

/** "Firmware 1.0.3 is affected by 1 public advisory (IOTSEAL-2026-0003, high), fixed in 1.0.4." */
function advisoryMiss(facts: PolicySealFacts): string | null {
  const firmware = facts.firmware ?? "";
  if (!firmware) return "The certified firmware is not known; this policy needs no public advisory affecting it.";
  const affecting = advisoriesAffecting(firmware, facts.advisories ?? [], facts.hardwareRevision);
  if (affecting.length === 0) return null;
  const list = affecting.map((a) => `${a.advisoryId}, ${a.severity}`).join("; ");
  const withFix = affecting.filter((a) => a.fixedInVersion && a.fixedInVersion !== firmware);
  const fixes = [...new Set(withFix.map((a) => a.fixedInVersion!))].sort((a, b) =>
    a.localeCompare(b, "en", { numeric: true }),
  );
  const fixNote =
    withFix.length === affecting.length
      ? `fixed in ${fixes.join(", ")}`
      : fixes.length
        ? `fixed in ${fixes.join(", ")}; not every fix is verified yet`
        : "no fix verified yet";
  const count = affecting.length === 1 ? "1 public advisory" : `${affecting.length} public advisories`;
  return `Firmware ${firmware} is affected by ${count} (${list}), ${fixNote}.`;
}

function ageMiss(maxMonths: number, issuedAt: Date, now: Date): string | null {
  if (now.getTime() < addMonthsUtc(issuedAt, maxMonths).getTime()) return null;
  return `Issued ${months(wholeMonthsBetween(issuedAt, now))} ago (${ymd(issuedAt)}); this policy accepts seals up to ${months(maxMonths)} old.`;
}

/** Every clause the seal misses, in clause order; meets when there is none. Category is not checked here (see policyApplies). */
export function evaluatePolicy(policy: Policy, facts: PolicySealFacts, now: Date, names?: PolicyNames): PolicyResult {
  const sealEntry = {
    title: own(names, facts.checklist.id)?.title ?? facts.checklist.title,
    levels: facts.checklist.levels,
  };
  const n = namer({ ...names, [facts.checklist.id]: sealEntry });
  const misses: PolicyMiss[] = [];
  const add = (clause: PolicyClause, message: string | null, provision?: string) => {
    if (message !== null) misses.push(provision === undefined ? { clause, message } : { clause, message, provision });
  };
  add("status", facts.status === "valid" ? null : `The seal is ${STATUS_WORDS[facts.status]}, not valid.`);
  add("checklist", checklistMiss(policy, facts, n));
  for (const p of policy.requiredProvisions) add("provision", provisionMiss(p, facts, n), p);
  if (policy.minSupportMonths !== null)
    add("support", supportMiss(policy.minSupportMonths, facts.supportPeriodEnd, now));
  if (policy.craSupportPeriod) add("cra-support", craSupportMiss(facts));
  if (policy.blockingFindingSeverity !== null)
    add("findings", findingsMiss(policy.blockingFindingSeverity, facts.findings, now));
  if (policy.maxSealAgeMonths !== null) add("age", ageMiss(policy.maxSealAgeMonths, facts.issuedAt, now));
  if (policy.noAffectingAdvisory) add("advisory", advisoryMiss(facts));
  return { policyId: policy.id, policyName: policy.name, meets: misses.length === 0, misses };
}

/** One line for CSV and UI: "meets X" or "misses X: message; message" (messages without their final period). */
export function describeResult(result: PolicyResult): string {
  if (result.meets) return `meets ${result.policyName}`;
  return `misses ${result.policyName}: ${result.misses.map((m) => m.message.replace(/\.$/, "")).join("; ")}`;
}

/** The policy's clauses in plain words, for showing it to a buyer. */
export function summarizePolicy(policy: Policy, names?: PolicyNames): string[] {
  const n = namer(names);
  const out = ["Seal valid"];
  out.push(
    policy.accepted.length
      ? `Certified against ${acceptedList(policy.accepted, n)}`
      : "Certified against any checklist, at any level",
  );
  for (const p of policy.requiredProvisions)
    out.push(`Meets ${n.provision(p)} (directly, or through an equivalent crosswalk link)`);
  if (policy.minSupportMonths !== null)
    out.push(`At least ${formatMonths(policy.minSupportMonths)} of support from today`);
  if (policy.craSupportPeriod)
    out.push(
      "Support period meets the EU Cyber Resilience Act (at least five years from going on sale, or a stated shorter expected use time)",
    );
  if (policy.blockingFindingSeverity !== null) {
    const sevs = SEVERITIES.slice(0, rank(policy.blockingFindingSeverity) + 1).reverse();
    const list = sevs.length === 1 ? sevs[0] : `${sevs.slice(0, -1).join(", ")} or ${sevs[sevs.length - 1]}`;
    out.push(`No ${list} finding open past its deadline`);
  }
  if (policy.maxSealAgeMonths !== null) out.push(`Seal at most ${months(policy.maxSealAgeMonths)} old`);
  if (policy.noAffectingAdvisory) out.push("No public advisory affecting the certified firmware");
  return out;
}

const monthsField = (label: string) =>
  z
    .number({ error: `Enter the ${label} as a whole number of months, or leave it empty.` })
    .int({ error: `The ${label} must be a whole number of months.` })
    .min(1, { error: `The ${label} must be at least 1 month.` })
    .max(240, { error: `The ${label} must be at most 240 months (20 years).` })
    .nullable();

/** A policy as a retailer enters it (already parsed from the form; the id is assigned on save). */
export const policyInput = z.object({
  name: lineText("the policy name", 100).min(2, { error: "The policy name must be at least 2 characters." }),
  category: z.enum(POLICY_CATEGORIES, { error: "Choose the product category the policy applies to (or any product)." }),
  accepted: z.array(
    z.object({
      checklistId: z
        .string({ error: "Choose the accepted checklist." })
        .trim()
        .min(1, { error: "Choose the accepted checklist." }),
      minLevel: z
        .string({ error: "Choose the minimum level for the accepted checklist." })
        .trim()
        .min(1, { error: "Choose the minimum level for the accepted checklist." }),
    }),
    { error: "The accepted checklists must be a list." },
  ),
  requiredProvisions: z.array(
    z
      .string({ error: "Each required provision must be text." })
      .trim()
      .regex(PROVISION_PATTERN, {
        error: (i) =>
          `Required provision "${String(i.input)}" must be written <checklist-id>:<ref>, e.g. etsi-en-303-645:5.1-3.`,
      }),
    { error: "The required provisions must be a list." },
  ),
  minSupportMonths: monthsField("minimum support from today"),
  blockingFindingSeverity: z
    .enum(SEVERITIES, { error: "Choose the finding severity that blocks (critical, high, medium or low), or none." })
    .nullable(),
  maxSealAgeMonths: monthsField("maximum seal age"),
  noAffectingAdvisory: z
    .boolean({ error: "Say whether a public advisory affecting the firmware is refused." })
    .optional(),
  craSupportPeriod: z
    .boolean({ error: "Say whether the support period must meet the EU Cyber Resilience Act." })
    .optional(),
});
export type PolicyInput = z.infer<typeof policyInput>;
