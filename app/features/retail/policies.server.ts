/**
 * Retailer acceptance policies: a retail organisation states what it needs before a product goes
 * on its shelves (per product category: accepted checklists and minimum level, provisions that
 * must be met — directly or through the crosswalk —, support left, no overdue findings, seal
 * age), and every check it makes applies them: single and bulk checks, the API with the
 * organisation's token, the watchlist. The rules are app/features/retail/domain/policy.ts; this service builds
 * the facts of each seal from the database and remembers the last result of each policy for
 * each seal of a watched product, so a product that stops (or starts) meeting a policy raises a
 * watch event and a webhook once.
 */
import crypto from "node:crypto";
import { and, asc, eq, inArray, max, sql } from "drizzle-orm";
import {
  acceptancePolicies,
  answers,
  checklistSections,
  checklistVersions,
  crosswalkLinks,
  findings,
  findingVersions,
  policyStates,
  products,
  productVersions,
  requirements,
  seals,
  submissions,
  verdicts,
  watchlistEntries,
} from "../../../db/schema";
import { nowMs } from "../../platform/clock.server";
import { formatDateTime } from "../../platform/format";
import { checklistShortName } from "../catalogue/domain/checklist/crosswalk";
import { byNewest } from "../catalogue/domain/checklist/newest";
import { verdictModelOfContent } from "../catalogue/domain/checklist/verdict-model";
import { sealVerdictOf, type SealVerdict } from "../trust/domain/verdict";
import { isOpen } from "../findings/domain/findings";
import { publicAdvisoriesOfProducts } from "../findings/advisories.server";
import {
  describeResult,
  evaluatePolicy,
  policyApplies,
  policyInput,
  summarizePolicy,
  type Policy,
  type PolicyInput,
  type PolicyLink,
  type PolicyNames,
  type PolicyResult,
  type PolicySealFacts,
} from "./domain/policy";
import type { ProductCategory } from "../catalogue/domain/product";
import { supportFactsOf } from "../catalogue/domain/support-period";
import { can } from "../../platform/roles";
import { isMetOnMerits } from "../certification/domain/review";
import type { Actor } from "../../platform/actor";
import { listAudit, recordAudit } from "../../platform/audit.server";
import { requireConfirmation } from "../../platform/confirmation.server";
import { db, preparedQueries, transaction, type Tx } from "../../platform/db.server";
import { ServiceError } from "../../platform/errors.server";
import { policyForm, REQUIRED_PROVISIONS_MAX } from "./forms";
import { publishWatchEvent, VERSION_SEAL_COLUMNS } from "./watch-feed.server";
import { currentSealsOf } from "./followed-products.server";
import { currentSealsOfVersions } from "./domain/version-seals";
import type { SealState } from "../trust/domain/seal-state";

type Reader = Pick<Tx, "select">;

/**
 * The states of the seals whose remembered policy results are counted (superseded ones drop out);
 * of these, a watch counts only the seals it follows (followsSeal).
 */
const WATCHED_SEAL_STATES: ("active" | "suspended" | "revoked")[] = ["active", "suspended", "revoked"];

function assertBuyer(actor: Actor): void {
  if (!can(actor.role, "seals.verify") || actor.role !== "retailer")
    throw new ServiceError("forbidden", "Acceptance policies belong to retail buyers.");
}

const toPolicy = (row: typeof acceptancePolicies.$inferSelect): Policy => ({
  id: row.id,
  name: row.name,
  category: row.category as Policy["category"],
  accepted: row.accepted,
  requiredProvisions: row.requiredProvisions,
  minSupportMonths: row.minSupportMonths,
  blockingFindingSeverity: row.blockingFindingSeverity,
  maxSealAgeMonths: row.maxSealAgeMonths,
  noAffectingAdvisory: row.noAffectingAdvisory,
  craSupportPeriod: row.craSupportPeriod,
});

export function policiesOf(t: Reader, organizationId: string): Policy[] {
  return t
    .select()
    .from(acceptancePolicies)
    .where(eq(acceptancePolicies.organizationId, organizationId))
    .orderBy(asc(acceptancePolicies.name))
    .all()
    .map(toPolicy);
}

// --- Names and the catalogue the policy form offers ------------------------------------------

/** Display names of every imported checklist and its levels (from its newest version). */
export function policyNames(t: Reader = db()): PolicyNames {
  const out: Record<string, { title: string; levels: { id: string; title: string }[] }> = {};
  // Newest first (byNewest), so the first version seen of each checklist names it.
  for (const v of t
    .select({
      checklistId: checklistVersions.checklistId,
      levels: checklistVersions.levels,
      publishedOn: checklistVersions.publishedOn,
      version: checklistVersions.version,
    })
    .from(checklistVersions)
    .all()
    .sort(byNewest)) {
    out[v.checklistId] ??= { title: checklistShortName(v.checklistId), levels: v.levels };
  }
  return out;
}

/**
 * What a policy may name: each checklist with its levels and its sections (from the newest
 * published version), each section with its requirements (ref, title, mandatory or advisory at
 * some level), so the form can offer "every provision of clause 5.1" or "every advisory one".
 */
export function policyCatalog() {
  const t = db();
  const versions = t
    .select()
    .from(checklistVersions)
    .where(eq(checklistVersions.status, "published"))
    .all()
    .sort(byNewest);
  const newest = new Map<string, (typeof versions)[number]>();
  for (const v of versions) if (!newest.has(v.checklistId)) newest.set(v.checklistId, v);
  return [...newest.values()]
    .sort((a, b) => a.checklistId.localeCompare(b.checklistId))
    .map((v) => {
      const reqs = t
        .select()
        .from(requirements)
        .where(eq(requirements.versionId, v.id))
        .orderBy(asc(requirements.position))
        .all();
      return {
        id: v.checklistId,
        name: checklistShortName(v.checklistId),
        title: v.title,
        version: v.version,
        levels: v.levels,
        sections: t
          .select()
          .from(checklistSections)
          .where(eq(checklistSections.versionId, v.id))
          .orderBy(asc(checklistSections.position))
          .all()
          .map((s) => ({
            ref: s.ref,
            title: s.title,
            requirements: reqs
              .filter((r) => r.sectionRef === s.ref)
              .map((r) => ({
                ref: r.ref,
                title: r.title,
                advisory: Object.values(r.applies).every((a) => a === "advisory"),
              })),
          })),
      };
    });
}

/** Checks a parsed policy against what is imported: known checklists and levels, provisions that exist. */
function checkAgainstCatalog(t: Reader, input: PolicyInput): void {
  const versions = t
    .select({ checklistId: checklistVersions.checklistId, id: checklistVersions.id, levels: checklistVersions.levels })
    .from(checklistVersions)
    .all();
  input.accepted.forEach((a, i) => {
    const of = versions.filter((v) => v.checklistId === a.checklistId);
    if (!of.length)
      throw new ServiceError("invalid", `No checklist "${a.checklistId}" is imported.`, {
        [`accepted.${i}.checklistId`]: "Choose an imported checklist.",
      });
    if (!of.some((v) => v.levels.some((l) => l.id === a.minLevel))) {
      throw new ServiceError("invalid", `${checklistShortName(a.checklistId)} has no level "${a.minLevel}".`, {
        [`accepted.${i}.minLevel`]: `Choose a level of ${checklistShortName(a.checklistId)}.`,
      });
    }
  });
  for (const p of input.requiredProvisions) {
    const [checklistId, ref] = [p.slice(0, p.indexOf(":")), p.slice(p.indexOf(":") + 1)];
    const ids = versions.filter((v) => v.checklistId === checklistId).map((v) => v.id);
    const found =
      ids.length &&
      t
        .select({ id: requirements.id })
        .from(requirements)
        .where(and(inArray(requirements.versionId, ids), eq(requirements.ref, ref)))
        .get();
    if (!found)
      throw new ServiceError("invalid", `${checklistShortName(checklistId)} has no provision ${ref}.`, {
        requiredProvisions: `${p} is not a provision of an imported checklist.`,
      });
  }
}

// --- The policy form -------------------------------------------------------------------------------

/**
 * Turns the posted form into a policy (see policyInput): the accepted checklists from the
 * checkboxes, and the required provisions from the lines of the text box, where a clause
 * (`etsi-en-303-645:5.1`) stands for all its provisions and `… advisory` for its advisory ones,
 * expanded against the newest published version of that checklist.
 */
export function policyFromForm(
  form: Record<string, string>,
): { ok: true; value: unknown } | { ok: false; fieldErrors: Record<string, string> } {
  const parsed = policyForm.safeParse(form);
  // Every field's problem is reported at once: the provisions are read even when another field is wrong.
  const fieldErrors: Record<string, string> = parsed.success
    ? {}
    : Object.fromEntries(parsed.error.issues.map((i) => [i.path.join("."), i.message]));
  const catalog = policyCatalog();
  const accepted = catalog
    .filter((c) => form[`accept.${c.id}`] === "on")
    .map((c) => ({ checklistId: c.id, minLevel: form[`level.${c.id}`] ?? "" }));
  const provisions: string[] = [];
  const errors: string[] = [];
  for (const raw of (form.requiredProvisions ?? "").slice(0, REQUIRED_PROVISIONS_MAX).split(/\r?\n/)) {
    const line = raw.trim();
    if (!line) continue;
    const m = /^([a-z0-9-]+):(\S+)(?:\s+(advisory|all))?$/.exec(line);
    const checklist = m ? catalog.find((c) => c.id === m[1]) : undefined;
    if (!m || !checklist) {
      errors.push(`"${line}" is not <checklist-id>:<ref> of an imported checklist`);
      continue;
    }
    const requirement = checklist.sections.flatMap((s) => s.requirements).find((r) => r.ref === m[2]);
    const section = checklist.sections.find((s) => s.ref === m[2]);
    if (requirement && !m[3]) provisions.push(`${checklist.id}:${requirement.ref}`);
    else if (section)
      provisions.push(
        ...section.requirements.filter((r) => m[3] !== "advisory" || r.advisory).map((r) => `${checklist.id}:${r.ref}`),
      );
    else errors.push(`${checklist.name} has no provision or clause "${m[2]}"`);
  }
  if (errors.length) fieldErrors.requiredProvisions ??= `${errors.join("; ")}.`;
  if (!parsed.success || Object.keys(fieldErrors).length) {
    // The policy's own rules (policyInput: the name's length, the months' range...) are checked too, on the
    // fields that could be read, so that every problem is named at once rather than one round at a time.
    const readable = policyForm.safeParse(
      Object.fromEntries(Object.entries(form).map(([k, v]) => [k, k in fieldErrors ? "" : v])),
    );
    if (readable.success) {
      const value = { ...readable.data, accepted, requiredProvisions: [...new Set(provisions)] };
      for (const issue of policyInput.safeParse(value).error?.issues ?? []) {
        const key = issue.path.join(".") || "form"; // as savePolicy names them
        const formKey = key === "minSupportMonths" ? "minSupport" : key;
        if (!(formKey in fieldErrors) && !(key in fieldErrors)) fieldErrors[formKey] = issue.message;
      }
    }
    return { ok: false, fieldErrors };
  }
  return {
    ok: true,
    value: { ...parsed.data, accepted, requiredProvisions: [...new Set(provisions)] },
  };
}

// --- Managing policies ---------------------------------------------------------------------------

/**
 * The organisation's policies in words, each with how the seals on its watchlist stand against it:
 * the seals its watches follow now (followsSeal: a product watched by GTIN counts its current seal
 * alone, not the stale result of a newer seal it fell back from), as the results are judged.
 */
export function listPolicies(actor: Actor) {
  assertBuyer(actor);
  const names = policyNames();
  const policies = policiesOf(db(), actor.organizationId);
  const watches = db()
    .select({ productId: watchlistEntries.productId, gtin: watchlistEntries.gtin })
    .from(watchlistEntries)
    .where(eq(watchlistEntries.organizationId, actor.organizationId))
    .all();
  // One watch per product and organisation: by product, the GTIN it is watched by (absent: by a serial).
  const byGtin = new Map(watches.flatMap((w) => (w.gtin ? [[w.productId, w.gtin] as const] : [])));
  const currentOf = currentSealsOf(
    db(),
    [...byGtin].map(([productId, gtin]) => ({ productId, gtin })),
  );
  // Watched by serial: each firmware version's current seal (domain/version-seals.ts).
  const bySerial = watches.filter((w) => !w.gtin).map((w) => w.productId);
  const bySerialSeals = [];
  for (let i = 0; policies.length && i < bySerial.length; i += 500)
    bySerialSeals.push(
      ...db()
        .select(VERSION_SEAL_COLUMNS)
        .from(seals)
        .innerJoin(productVersions, eq(productVersions.id, seals.productVersionId))
        .where(inArray(productVersions.productId, bySerial.slice(i, i + 500)))
        .all(),
    );
  const versionCurrent = versionCurrentSerials(bySerialSeals);
  // Only the seals the watchlist follows now: not those of products no longer watched, nor superseded seals.
  const states = policies.length
    ? db()
        .select({
          policyId: policyStates.policyId,
          meets: policyStates.meets,
          serial: seals.serial,
          state: seals.state,
          productId: productVersions.productId,
        })
        .from(policyStates)
        .innerJoin(seals, eq(seals.serial, policyStates.serial))
        .innerJoin(productVersions, eq(productVersions.id, seals.productVersionId))
        .innerJoin(
          watchlistEntries,
          and(
            eq(watchlistEntries.productId, productVersions.productId),
            eq(watchlistEntries.organizationId, actor.organizationId),
          ),
        )
        .where(
          and(
            inArray(
              policyStates.policyId,
              policies.map((p) => p.id),
            ),
            inArray(seals.state, WATCHED_SEAL_STATES),
          ),
        )
        .all()
        .filter((s) => followsSeal(s, byGtin.get(s.productId) ?? null, currentOf, versionCurrent))
    : [];
  return policies.map((p) => ({
    ...p,
    summary: summarizePolicy(p, names),
    watched: {
      meets: states.filter((s) => s.policyId === p.id && s.meets).length,
      misses: states.filter((s) => s.policyId === p.id && !s.meets).length,
    },
  }));
}

/** One of the organisation's policies, with when it was last saved (the edit form's version stamp). */
export function getPolicy(actor: Actor, id: string): Policy & { updatedAt: Date } {
  assertBuyer(actor);
  const row = db()
    .select()
    .from(acceptancePolicies)
    .where(and(eq(acceptancePolicies.id, id), eq(acceptancePolicies.organizationId, actor.organizationId)))
    .get();
  if (!row) throw new ServiceError("not_found", "Your organisation has no policy with this id.");
  return { ...toPolicy(row), updatedAt: row.updatedAt };
}

/** Said when the edit form's version stamp is missing or malformed (a page from before the stamp, or a hand-made post). */
export const STALE_POLICY_FORM = "This form is out of date: reload the page, then enter your changes again.";

/**
 * The policy edit form's version stamp (its hidden `updatedAt` field: the time, in ms, of the version
 * shown), for savePolicy's `expected`; or the message when it is missing or malformed.
 */
export function policyVersionFromForm(
  form: Record<string, string>,
): { ok: true; expected: { updatedAt: number } } | { ok: false; message: string } {
  const raw = (form.updatedAt ?? "").trim();
  return /^\d{1,15}$/.test(raw)
    ? { ok: true, expected: { updatedAt: Number(raw) } }
    : { ok: false, message: STALE_POLICY_FORM };
}

/** Said when a colleague saved the policy after the buyer opened it: nothing is saved, the form keeps what was typed. */
export function policyChangedMeanwhile(savedAt: Date): string {
  return `Someone else saved this policy at ${formatDateTime(savedAt)}, after you opened it. Your changes are not saved yet: they are still in the form. Save again to replace their version with yours, or reload the page to see theirs.`;
}

function nameClash(tx: Reader, organizationId: string, name: string, except?: string) {
  const rows = tx
    .select({ id: acceptancePolicies.id, name: acceptancePolicies.name })
    .from(acceptancePolicies)
    .where(eq(acceptancePolicies.organizationId, organizationId))
    .all();
  return rows.some((r) => r.id !== except && r.name.toLowerCase() === name.toLowerCase());
}

/**
 * Creates (no id) or replaces (with id) one of the organisation's policies, then re-evaluates the
 * watched products against it. `expected.updatedAt` (the edit form's version stamp) is the time of
 * the version the buyer edited: a save over a newer one (a colleague saved meanwhile) is refused
 * with a conflict, nothing written (absent: not checked, for the demo seed and scripts).
 */
export function savePolicy(actor: Actor, raw: unknown, id?: string, expected?: { updatedAt: number }): string {
  assertBuyer(actor);
  const parsed = policyInput.safeParse(raw);
  if (!parsed.success) {
    const fieldErrors = Object.fromEntries(parsed.error.issues.map((i) => [i.path.join("."), i.message]));
    throw new ServiceError("invalid", "Check the highlighted fields.", fieldErrors);
  }
  const input = parsed.data;
  const policyId = id ?? crypto.randomUUID();
  transaction((tx) => {
    let at = new Date(nowMs());
    if (id) {
      // Read in the (immediate) transaction: no other save can come between the check and the write.
      const before = tx
        .select({ updatedAt: acceptancePolicies.updatedAt })
        .from(acceptancePolicies)
        .where(and(eq(acceptancePolicies.id, id), eq(acceptancePolicies.organizationId, actor.organizationId)))
        .get();
      if (!before) throw new ServiceError("not_found", "Your organisation has no policy with this id.");
      if (expected && before.updatedAt.getTime() !== expected.updatedAt)
        throw new ServiceError("conflict", policyChangedMeanwhile(before.updatedAt));
      // Strictly later than the version replaced, even within one millisecond: the stamp tells two versions apart.
      at = new Date(Math.max(at.getTime(), before.updatedAt.getTime() + 1));
    }
    checkAgainstCatalog(tx, input);
    if (nameClash(tx, actor.organizationId, input.name, id))
      throw new ServiceError("conflict", `You already have a policy named "${input.name}".`, {
        name: "Choose another name.",
      });
    const values = { ...input, requiredProvisions: [...new Set(input.requiredProvisions)], updatedAt: at };
    if (id) {
      const done = tx
        .update(acceptancePolicies)
        .set(values)
        .where(and(eq(acceptancePolicies.id, id), eq(acceptancePolicies.organizationId, actor.organizationId)))
        .run();
      if (!done.changes) throw new ServiceError("not_found", "Your organisation has no policy with this id.");
    } else {
      tx.insert(acceptancePolicies)
        .values({
          id: policyId,
          organizationId: actor.organizationId,
          ...values,
          createdBy: actor.userId,
          createdAt: at,
        })
        .run();
    }
    recordAudit(tx, actor, {
      action: id ? "policy.updated" : "policy.created",
      target: { type: "policy", id: policyId },
      organizationId: actor.organizationId,
      details: values,
    });
    syncPolicyStates(tx, { organizationId: actor.organizationId });
  });
  return policyId;
}

/**
 * Deletes a policy for good: checks stop applying it and its results on the watchlist are
 * forgotten. Asked first (the page's tick box); refused without it, as revoking an API token is.
 */
export function deletePolicy(actor: Actor, id: string, opts: { confirmed: boolean }): { name: string } {
  assertBuyer(actor);
  return transaction((tx) => {
    const row = tx
      .select()
      .from(acceptancePolicies)
      .where(and(eq(acceptancePolicies.id, id), eq(acceptancePolicies.organizationId, actor.organizationId)))
      .get();
    // A policy that is not the organisation's is none (404), asked or not; then the tick box.
    if (!row) throw new ServiceError("not_found", "Your organisation has no policy with this id.");
    requireConfirmation(
      opts.confirmed,
      "the policy is deleted for good (checks stop applying it and its results on your watchlist are forgotten)",
    );
    tx.delete(acceptancePolicies).where(eq(acceptancePolicies.id, id)).run(); // its states cascade
    recordAudit(tx, actor, {
      action: "policy.deleted",
      target: { type: "policy", id },
      organizationId: actor.organizationId,
      details: { name: row.name },
    });
    return { name: row.name };
  });
}

/**
 * The name of a policy of the buyer's organisation that was deleted (its audit entry), for the
 * page the deletion lands on ("Policy … deleted."); null for any other id. Read from the log, not
 * from the address, so a link cannot make the page announce a deletion that did not happen.
 */
export function deletedPolicyName(actor: Actor, id: string): string | null {
  assertBuyer(actor);
  if (!id) return null;
  const [entry] = listAudit({
    organizationId: actor.organizationId,
    action: "policy.deleted",
    targetType: "policy",
    targetId: id,
    limit: 1,
  }).events;
  const name = entry ? (JSON.parse(entry.details) as { name?: unknown }).name : null;
  return typeof name === "string" ? name : null;
}

// --- The facts of seals --------------------------------------------------------------------------

/** What a seal certified, per requirement: met or not, and its crosswalk links with their kinds. Fixed once the seal is issued, so kept per process. */
interface StaticFacts {
  checklist: PolicySealFacts["checklist"];
  requirements: PolicySealFacts["requirements"];
  productVersionId: string;
  productId: string;
  issuedAt: Date;
}
const staticCache = new Map<string, StaticFacts>();
let crosswalkStamp = -1;

function staticFacts(t: Reader, serials: string[]): Map<string, StaticFacts> {
  // A newly imported checklist can add crosswalk links: the cache follows the links table.
  const stamp =
    t
      .select({ n: max(crosswalkLinks.id) })
      .from(crosswalkLinks)
      .get()?.n ?? 0;
  if (stamp !== crosswalkStamp) {
    staticCache.clear();
    crosswalkStamp = stamp;
  }
  const missing = serials.filter((s) => !staticCache.has(s));
  for (let i = 0; i < missing.length; i += 200) {
    const rows = t
      .select({
        serial: seals.serial,
        submissionId: seals.submissionId,
        productVersionId: seals.productVersionId,
        productId: productVersions.productId,
        issuedAt: seals.issuedAt,
        level: submissions.targetLevel,
        cv: checklistVersions,
      })
      .from(seals)
      .innerJoin(submissions, eq(submissions.id, seals.submissionId))
      .innerJoin(checklistVersions, eq(checklistVersions.id, submissions.checklistVersionId))
      .innerJoin(productVersions, eq(productVersions.id, seals.productVersionId))
      .where(inArray(seals.serial, missing.slice(i, i + 200)))
      .all();
    for (const r of rows) {
      const verdictModel = verdictModelOfContent(r.cv.content);
      const reqs = t
        .select()
        .from(requirements)
        .where(eq(requirements.versionId, r.cv.id))
        .orderBy(asc(requirements.position))
        .all()
        .filter((q) => q.applies[r.level] !== undefined);
      const claims = new Map(
        t
          .select({ ref: answers.requirementRef, claim: answers.claim })
          .from(answers)
          .where(eq(answers.submissionId, r.submissionId))
          .all()
          .map((a) => [a.ref, a.claim]),
      );
      const latest = new Map<string, typeof verdicts.$inferSelect>();
      for (const v of t
        .select()
        .from(verdicts)
        .where(eq(verdicts.submissionId, r.submissionId))
        .orderBy(asc(verdicts.id))
        .all())
        latest.set(v.requirementRef, v);
      const forward = t.select().from(crosswalkLinks).where(eq(crosswalkLinks.fromVersionId, r.cv.id)).all();
      const reverse = t.select().from(crosswalkLinks).where(eq(crosswalkLinks.toChecklistId, r.cv.checklistId)).all();
      staticCache.set(r.serial, {
        checklist: {
          id: r.cv.checklistId,
          title: checklistShortName(r.cv.checklistId),
          version: r.cv.version,
          level: r.level,
          levels: r.cv.levels,
        },
        requirements: reqs.map((q) => {
          const v = latest.get(q.ref);
          const reviewed = {
            ref: q.ref,
            sectionRef: q.sectionRef,
            applicability: q.applies[r.level],
            condition: q.condition,
            claim: claims.get(q.ref) ?? null,
            verdictModel,
          };
          // Met = passed, or judged not applicable where that is allowed; an advisory accepted on its justification is not met.
          const met = isMetOnMerits(reviewed, v);
          // Its crosswalk links both ways, each with its kind: the policy merges a pair both files
          // state, and only an equivalent link meets a provision (the coverage page's rule).
          const mapsTo = new Map<string, PolicyLink>();
          for (const l of [
            ...forward
              .filter((l) => l.fromRef === q.ref)
              .map((l) => ({ to: `${l.toChecklistId}:${l.toRef}`, kind: l.kind })),
            ...reverse
              .filter((l) => l.toRef === q.ref)
              .map((l) => ({ to: `${l.fromVersionId.split("@")[0]}:${l.fromRef}`, kind: l.kind })),
          ])
            mapsTo.set(`${l.to}\u0000${l.kind ?? ""}`, l);
          return { ref: q.ref, met, accepted: Boolean(v?.accepted) && !met, mapsTo: [...mapsTo.values()] };
        }),
        productVersionId: r.productVersionId,
        productId: r.productId,
        issuedAt: r.issuedAt,
      });
    }
  }
  if (staticCache.size > 50_000) staticCache.clear();
  return new Map(serials.filter((s) => staticCache.has(s)).map((s) => [s, staticCache.get(s)!]));
}

/**
 * The facts of each seal for policy evaluation. `statuses` gives the live verdicts the caller
 * already knows (a check's answer); otherwise they follow from the recorded state and dates.
 */
export function sealPolicyFacts(
  t: Reader,
  serials: readonly string[],
  statuses?: ReadonlyMap<string, SealVerdict>,
): Map<string, PolicySealFacts> {
  const wanted = [...new Set(serials)];
  const fixed = staticFacts(t, wanted);
  const now = new Date(nowMs());
  const out = new Map<string, PolicySealFacts>();
  for (let i = 0; i < wanted.length; i += 500) {
    const chunk = wanted.slice(i, i + 500).filter((s) => fixed.has(s));
    if (!chunk.length) continue;
    const live = t
      .select({
        serial: seals.serial,
        state: seals.state,
        validFrom: seals.validFrom,
        validUntil: seals.validUntil,
        category: products.category,
        supportPeriodEnd: products.supportPeriodEnd,
        placedOnMarketOn: products.placedOnMarketOn,
        expectedUseMonths: products.expectedUseMonths,
        expectedUseReason: products.expectedUseReason,
        productCreatedAt: products.createdAt,
        firmware: productVersions.firmwareVersion,
        hardwareRevision: productVersions.hardwareRevision,
      })
      .from(seals)
      .innerJoin(productVersions, eq(productVersions.id, seals.productVersionId))
      .innerJoin(products, eq(products.id, productVersions.productId))
      .where(inArray(seals.serial, chunk))
      .all();
    const versionIds = [...new Set(chunk.map((s) => fixed.get(s)!.productVersionId))];
    const reports = t
      .select({
        pv: findingVersions.productVersionId,
        severity: findings.severity,
        deadline: findings.deadline,
        status: findings.status,
      })
      .from(findingVersions)
      .innerJoin(findings, eq(findings.id, findingVersions.findingId))
      .where(inArray(findingVersions.productVersionId, versionIds))
      .all();
    // The public advisories of each product (anyone may read them): for the "advisory" clause.
    const advisories = publicAdvisoriesOfProducts(t, [...new Set(chunk.map((s) => fixed.get(s)!.productId))]);
    for (const r of live) {
      const f = fixed.get(r.serial)!;
      out.set(r.serial, {
        serial: r.serial,
        status: statuses?.get(r.serial) ?? sealVerdictOf(r, now).verdict,
        category: r.category as ProductCategory,
        checklist: f.checklist,
        requirements: f.requirements,
        supportPeriodEnd: r.supportPeriodEnd,
        supportPeriod: supportFactsOf({ ...r, createdAt: r.productCreatedAt }),
        issuedAt: f.issuedAt,
        // Only what a buyer may know: severity, deadline, open (never a title).
        findings: reports
          .filter((x) => x.pv === f.productVersionId)
          .map((x) => ({ severity: x.severity, deadline: x.deadline, open: isOpen(x.status) })),
        firmware: r.firmware,
        hardwareRevision: r.hardwareRevision,
        advisories: advisories.get(f.productId) ?? [],
      });
    }
  }
  return out;
}

/** Each seal's results under the organisation's policies that apply to its product's category. */
export function evaluateForOrganization(
  t: Reader,
  organizationId: string,
  serials: readonly string[],
  statuses?: ReadonlyMap<string, SealVerdict>,
): Map<string, PolicyResult[]> {
  const policies = policiesOf(t, organizationId);
  const out = new Map<string, PolicyResult[]>();
  if (!policies.length) return out;
  const names = policyNames(t);
  const now = new Date(nowMs());
  for (const [serial, facts] of sealPolicyFacts(t, serials, statuses)) {
    out.set(
      serial,
      policies.filter((p) => policyApplies(p, facts.category)).map((p) => evaluatePolicy(p, facts, now, names)),
    );
  }
  return out;
}

/** Whether the organisation has any policy (so checks know to add the policy column). */
export function hasPolicies(organizationId: string): boolean {
  return Boolean(
    db()
      .select({ id: acceptancePolicies.id })
      .from(acceptancePolicies)
      .where(eq(acceptancePolicies.organizationId, organizationId))
      .limit(1)
      .get(),
  );
}

/** For a logged-in retail buyer's single check: the organisation's policy results for the seal (null: not a buyer, no policy, or no seal). */
export function policyResultsFor(
  actor: Actor | null,
  answer: { serial?: string; status: SealVerdict },
): PolicyResult[] | null {
  if (
    !actor ||
    actor.role !== "retailer" ||
    !answer.serial ||
    answer.status === "not_found" ||
    answer.status === "forged"
  )
    return null;
  if (!hasPolicies(actor.organizationId)) return null;
  return policyResultsOf(actor.organizationId, answer.serial, answer.status);
}

/** One seal's results under an organisation's acceptance policies, given its verdict as answered. */
export function policyResultsOf(organizationId: string, serial: string, status: SealVerdict): PolicyResult[] {
  return evaluateForOrganization(db(), organizationId, [serial], new Map([[serial, status]])).get(serial) ?? [];
}

/**
 * Adds the organisation's policy results to check answers (in place, for seals found; their
 * verdicts as answered). Returns whether the organisation has policies at all.
 */
export function attachPolicies<A extends { serial: string; status: SealVerdict; policies?: PolicyResult[] }>(
  organizationId: string,
  answers: A[],
): boolean {
  if (!hasPolicies(organizationId)) return false;
  const found = answers.filter((a) => a.status !== "not_found" && a.status !== "forged");
  const results = evaluateForOrganization(
    db(),
    organizationId,
    found.map((a) => a.serial),
    new Map(found.map((a) => [a.serial, a.status])),
  );
  for (const a of found) {
    const r = results.get(a.serial);
    if (r) a.policies = r;
  }
  return true;
}

// --- Watched products: results remembered, changes raised ----------------------------------------

/** Forgets the organisation's remembered results for a product it no longer watches (watching it again starts afresh, without an event). */
export function forgetPolicyStates(tx: Tx, organizationId: string, productId: string): void {
  const policyIds = policiesOf(tx, organizationId).map((p) => p.id);
  if (!policyIds.length) return;
  const serials = tx
    .select({ serial: seals.serial })
    .from(seals)
    .innerJoin(productVersions, eq(productVersions.id, seals.productVersionId))
    .where(eq(productVersions.productId, productId))
    .all()
    .map((r) => r.serial);
  if (serials.length)
    tx.delete(policyStates)
      .where(and(inArray(policyStates.policyId, policyIds), inArray(policyStates.serial, serials)))
      .run();
}

/**
 * Whether a watch follows one of its product's seals (its policy results are judged and counted):
 * a product watched by GTIN (`watchedGtin`), its current seal alone, as the GTIN's link answers
 * (followed-products.server.ts); one watched by a seal serial, each firmware version's current seal
 * (`versionCurrent`, from versionCurrentSerials: a renewal, not the seal it renews; never a superseded one).
 */
function followsSeal(
  seal: { serial: string; productId: string },
  watchedGtin: string | null,
  currentOf: ReturnType<typeof currentSealsOf>,
  versionCurrent: ReadonlySet<string>,
): boolean {
  return watchedGtin ? currentOf(seal.productId, watchedGtin)?.serial === seal.serial : versionCurrent.has(seal.serial);
}

/** Of these seals (every seal of their products), the serials of each firmware version's current seal, by the records' verdicts now. */
function versionCurrentSerials(
  rows: readonly {
    serial: string;
    state: SealState;
    validFrom: Date;
    validUntil: Date;
    issuedAt: Date;
    productVersionId: string;
  }[],
): Set<string> {
  const now = new Date(nowMs());
  return new Set(
    currentSealsOfVersions(rows.map((r) => ({ ...r, verdict: sealVerdictOf(r, now).verdict }))).map((r) => r.serial),
  );
}

/**
 * Re-evaluates the policies of every organisation watching the given product (or of one
 * organisation, or everyone) against the current seals of its watched products, and raises a
 * "policy.unmet" / "policy.met" watch event (and webhook) for each result that changed since the
 * last evaluation. The first result of a policy for a seal is recorded without an event. Runs in
 * the caller's transaction: after every seal event, policy change and lifecycle sweep.
 */
function watchesInScope(tx: Tx) {
  return tx
    .select({
      org: watchlistEntries.organizationId,
      productId: watchlistEntries.productId,
      gtin: watchlistEntries.gtin,
    })
    .from(watchlistEntries);
}

/** The watches of one product: what every seal event asks (in its transaction), prepared once per connection. */
const watchesOfProduct = preparedQueries((t) =>
  watchesInScope(t)
    .where(eq(watchlistEntries.productId, sql.placeholder("productId")))
    .prepare(),
);

export function syncPolicyStates(tx: Tx, scope: { productId?: string; organizationId?: string } = {}): number {
  const watches =
    scope.productId && !scope.organizationId
      ? watchesOfProduct(tx).all({ productId: scope.productId })
      : watchesInScope(tx)
          .where(
            and(
              scope.productId ? eq(watchlistEntries.productId, scope.productId) : undefined,
              scope.organizationId ? eq(watchlistEntries.organizationId, scope.organizationId) : undefined,
            ),
          )
          .all();
  const byOrg = new Map<string, string[]>();
  for (const w of watches) byOrg.set(w.org, [...(byOrg.get(w.org) ?? []), w.productId]);
  // A product watched by GTIN is judged by its current seal alone (followed-products.server.ts).
  const followed = watches.flatMap((w) => (w.gtin ? [{ productId: w.productId, gtin: w.gtin }] : []));
  const currentOf = currentSealsOf(tx, followed);
  // By organisation and product (one watch each), the GTIN it is watched by (absent: by a serial).
  const byGtin = new Map(watches.flatMap((w) => (w.gtin ? [[`${w.org}|${w.productId}`, w.gtin] as const] : [])));
  let raised = 0;
  const at = new Date(nowMs());
  for (const [org, productIds] of byOrg) {
    const policies = policiesOf(tx, org);
    if (!policies.length) continue;
    const all = tx
      .select({
        ...VERSION_SEAL_COLUMNS,
        productId: productVersions.productId,
        name: products.name,
        model: products.model,
        firmware: productVersions.firmwareVersion,
      })
      .from(seals)
      .innerJoin(productVersions, eq(productVersions.id, seals.productVersionId))
      .innerJoin(products, eq(products.id, productVersions.productId))
      .where(inArray(productVersions.productId, productIds))
      .all();
    const versionCurrent = versionCurrentSerials(all);
    const current = all.filter((c) =>
      followsSeal(c, byGtin.get(`${org}|${c.productId}`) ?? null, currentOf, versionCurrent),
    );
    const results = evaluateForOrganization(
      tx,
      org,
      current.map((c) => c.serial),
    );
    const before = new Map(
      tx
        .select()
        .from(policyStates)
        .where(
          inArray(
            policyStates.policyId,
            policies.map((p) => p.id),
          ),
        )
        .all()
        .map((s) => [`${s.policyId}|${s.serial}`, s]),
    );
    // A re-certification's new seal continues the seal it replaces: its first result is compared with that one's.
    const predecessor = new Map(
      tx
        .select({ serial: seals.serial, from: submissions.recertifiesSerial })
        .from(seals)
        .innerJoin(submissions, eq(submissions.id, seals.submissionId))
        .where(
          inArray(
            seals.serial,
            current.map((c) => c.serial),
          ),
        )
        .all()
        .filter((r) => r.from)
        .map((r) => [r.serial, r.from!]),
    );
    for (const c of current) {
      for (const r of results.get(c.serial) ?? []) {
        const key = `${r.policyId}|${c.serial}`;
        const own = before.get(key);
        const from = predecessor.get(c.serial);
        // Else the last seal judged of what the watch follows: the product (by GTIN), or the firmware
        // version (by serial: a renewal continues the seal it renews).
        const old =
          own ??
          (from ? before.get(`${r.policyId}|${from}`) : undefined) ??
          (byGtin.has(`${org}|${c.productId}`)
            ? lastJudged(all, (s) => s.productId === c.productId, r.policyId, before)
            : lastJudged(all, (s) => s.productVersionId === c.productVersionId, r.policyId, before));
        const misses = r.misses.map((m) => ({ clause: m.clause, message: m.message }));
        if (own && own.meets === r.meets && JSON.stringify(own.misses) === JSON.stringify(misses)) continue;
        tx.insert(policyStates)
          .values({ policyId: r.policyId, serial: c.serial, meets: r.meets, misses, evaluatedAt: at })
          .onConflictDoUpdate({
            target: [policyStates.policyId, policyStates.serial],
            set: { meets: r.meets, misses, evaluatedAt: at },
          })
          .run();
        if (!old || old.meets === r.meets) continue; // first result (of a new policy, product or line of seals), or the same verdict for other reasons: recorded, no event
        const type = r.meets ? "policy.met" : "policy.unmet";
        publishPolicyEvent(tx, org, {
          type,
          serial: c.serial,
          product: { id: c.productId, name: c.name, model: c.model },
          firmwareVersion: c.firmware,
          result: r,
          at,
        });
        raised++;
      }
    }
  }
  return raised;
}

/** A watch whose current seal changed: its new seal continues the last one judged of the seals `follows` picks. */
function lastJudged<S extends { evaluatedAt: Date }, C extends { serial: string }>(
  all: readonly C[],
  follows: (seal: C) => boolean,
  policyId: string,
  before: ReadonlyMap<string, S>,
): S | undefined {
  let last: S | undefined;
  for (const c of all) {
    if (!follows(c)) continue;
    const s = before.get(`${policyId}|${c.serial}`);
    if (s && (!last || s.evaluatedAt > last.evaluatedAt)) last = s;
  }
  return last;
}

function publishPolicyEvent(
  tx: Tx,
  organizationId: string,
  e: {
    type: string;
    serial: string;
    product: { id: string; name: string; model: string };
    firmwareVersion: string;
    result: PolicyResult;
    at: Date;
  },
) {
  const id = `policy-${e.result.policyId}-${e.serial}-${e.at.getTime()}`;
  publishWatchEvent(tx, {
    organizationId,
    productId: e.product.id,
    type: e.type,
    serial: e.serial,
    body: {
      id,
      type: e.type,
      serial: e.serial,
      reason: describeResult(e.result),
      product: e.product,
      firmwareVersion: e.firmwareVersion,
      policy: { id: e.result.policyId, name: e.result.policyName },
      meets: e.result.meets,
      misses: e.result.misses.map((m) => ({ clause: m.clause, message: m.message })),
      at: e.at.toISOString(),
    },
  });
}

/** Everyone's policies against everything watched (the lifecycle sweep: time alone can change a result). */
export function sweepPolicies(): number {
  return transaction((tx) => syncPolicyStates(tx));
}
