/**
 * Vulnerability reports ("findings") against a product's firmware versions, with the coordinated-
 * disclosure clock: assessors record them, suppliers answer, assessors extend a deadline (with a
 * reason), verify or reject a fix, or withdraw a report. The disclosure sweeper suspends every
 * active seal of an affected version while a critical or high finding is open past its deadline,
 * and reinstates the seals it suspended once none is — through the one seal-status service.
 */
import crypto from "node:crypto";
import { and, asc, desc, eq, inArray } from "drizzle-orm";
import { z } from "zod";
import {
  checklistVersions,
  requirements,
  findings,
  findingUpdates,
  findingVersions,
  organizations,
  products,
  productVersions,
  seals,
  submissions,
} from "../../../db/schema";
import { nowMs } from "../../platform/clock.server";
import { scoreCvss31 } from "./domain/cvss";
import { backdatingWarnings, unconfirmedWarnings } from "./domain/backdating";
import {
  availableFindingActions,
  blocksSeal,
  checkFixedInVersion,
  clockOf,
  disclosureDeadline,
  extendDeadline,
  fixInAffectedVersionProblem,
  nextFindingStatus,
  SEVERITIES,
  severityBelowCvss,
  type DisclosureDays,
  type FindingAction,
  type Severity,
} from "./domain/findings";
import { can } from "../../platform/roles";
import type { Actor } from "../../platform/actor";
import { recordAudit } from "../../platform/audit.server";
import { db, transaction, type Tx } from "../../platform/db.server";
import { ServiceError } from "../../platform/errors.server";
import type { extensionInput, findingActionInput, findingInput } from "./forms";
import { emit, withoutAfterCommit } from "../../platform/events.server";
import { extensionProblem, findingDisclosure, nextAdvisoryId, noteDisclosures } from "./disclosure.server";
import { affectedVersionsOf, WITHDRAWN_AT, withdrawnAtOf } from "./advisories.server";
import { fixStateOf, isRegistered, registerFixVersionNotice, unregisteredFixRefusal } from "./domain/update-required";
import { NO_HELD_SEALS, type HeldSeals } from "./domain/overdue-seals";
import { assertNoConflict, conflictChecker } from "../accounts/conflicts.server";
import { currentSealsOfProduct } from "../catalogue/products.server";
import { byNewest } from "../catalogue/domain/checklist/newest";
import { checklistShortLabel } from "../catalogue/domain/checklist/label";

/** When no certified checklist version says otherwise (ETSI EN 303 645's defaults). */
export const DEFAULT_DISCLOSURE_DAYS: DisclosureDays = { critical: 30, high: 90, medium: 90, low: 180 };

const isAssessor = (a: Actor) => can(a.role, "seals.manage");

/** The strictest disclosure days among the checklists the product's seals were certified against. */
function disclosureDaysFor(t: Tx | ReturnType<typeof db>, versionIds: string[]): DisclosureDays {
  const rows = t
    .select({ days: checklistVersions.disclosureDays })
    .from(seals)
    .innerJoin(submissions, eq(submissions.id, seals.submissionId))
    .innerJoin(checklistVersions, eq(checklistVersions.id, submissions.checklistVersionId))
    .where(inArray(seals.productVersionId, versionIds))
    .all();
  if (rows.length === 0) return DEFAULT_DISCLOSURE_DAYS;
  return Object.fromEntries(SEVERITIES.map((s) => [s, Math.min(...rows.map((r) => r.days[s]))])) as DisclosureDays;
}

/**
 * A change to a finding emits `finding.changed` in its transaction (the automatic suspension
 * subscribes: a change may suspend or reinstate seals at once), then notes the advisories that
 * became public. `deferSweep`: the caller runs both itself later (the demo seed, which writes
 * back-dated history and must not sweep at a past time); the event waits in the outbox.
 */
export interface FindingChangeOptions {
  deferSweep?: boolean;
}

function findingTransaction<T>(opts: FindingChangeOptions, fn: (tx: Tx) => T): T {
  return opts.deferSweep ? withoutAfterCommit(() => transaction(fn)) : transaction(fn);
}

function afterFindingChange(opts: FindingChangeOptions): void {
  if (opts.deferSweep) return;
  noteDisclosures();
}

/**
 * What is wrong with a report's date and CVSS vector, by field (empty: nothing): a date in the
 * future or before 1970 (the advisory id carries the year reported; a date before computers had
 * firmware is a typo), a vector CVSS 3.1 does not score. recordFinding refuses them; the form names
 * them beside its other problems, so that a report needs one round of corrections, not three.
 */
export function findingFactProblems(input: {
  reportedOn?: string;
  cvssVector?: string | null;
}): Record<string, string> {
  const problems: Record<string, string> = {};
  if (input.reportedOn && /^\d{4}-\d{2}-\d{2}$/.test(input.reportedOn)) {
    const reportedAt = new Date(`${input.reportedOn}T00:00:00Z`);
    if (reportedAt.getTime() > nowMs()) problems.reportedOn = "The report date cannot be in the future.";
    else if (reportedAt.getUTCFullYear() < 1970) problems.reportedOn = "The report date must be in 1970 or later.";
  }
  if (input.cvssVector) {
    const scored = scoreCvss31(input.cvssVector);
    if (!scored.ok) problems.cvssVector = scored.message;
  }
  return problems;
}

/** What recording a report takes: the form's fields (with its confirmations). */
export type RecordFindingInput = z.infer<typeof findingInput>;

/**
 * An assessor records a vulnerability report; its deadline follows from the checklist's disclosure
 * days; it gets the next advisory id of its year. What recording it would do that may be a mistake
 * (public at once, a date long ago, a severity below its CVSS score) needs the matching
 * confirmation, whoever calls it.
 */
export function recordFinding(actor: Actor, input: RecordFindingInput, opts: FindingChangeOptions = {}): string {
  if (!isAssessor(actor)) throw new ServiceError("forbidden", "Only assessors record vulnerability reports.");
  const problems = findingFactProblems(input);
  if (Object.keys(problems).length) throw new ServiceError("invalid", Object.values(problems).join(" "), problems); // every one at once
  const reportedAt = new Date(`${input.reportedOn}T00:00:00Z`);
  let cvss: { vector: string; score: number } | null = null;
  if (input.cvssVector) {
    const scored = scoreCvss31(input.cvssVector);
    if (scored.ok) cvss = { vector: scored.vector, score: scored.score };
  }
  // The form's own id (made when the form was shown) is the report's: the same form posted twice (a
  // second click without JavaScript, a resent request) records one report, and answers with it.
  const id = input.formId ?? crypto.randomUUID();
  const recorded = findingTransaction(opts, (tx) => {
    const already = tx.select({ createdBy: findings.createdBy }).from(findings).where(eq(findings.id, id)).get();
    if (already) {
      if (already.createdBy === actor.userId) return false;
      throw new ServiceError("conflict", "This form was already used: open a new report form.");
    }
    const product = tx.select().from(products).where(eq(products.id, input.productId)).get();
    if (!product) throw new ServiceError("not_found", "No product has this id.");
    assertNoConflict(tx, actor, product.organizationId, "Another assessor must record this report.");
    const versions = tx
      .select({ id: productVersions.id })
      .from(productVersions)
      .where(and(eq(productVersions.productId, product.id), inArray(productVersions.id, input.versionIds)))
      .all();
    if (versions.length !== new Set(input.versionIds).size)
      throw new ServiceError("invalid", "Choose firmware versions of this product.", {
        versionIds: "Choose firmware versions of this product.",
      });
    const known = new Set(requirementChoices(tx, product.id).map((r) => r.value));
    const unknownRef = (input.requirementRefs ?? []).find((r) => !known.has(r));
    if (unknownRef)
      throw new ServiceError("invalid", `${unknownRef} is not a requirement this product was assessed against.`, {
        requirementRefs: `${unknownRef} is not a requirement this product was assessed against.`,
      });
    const disclosureDays = disclosureDaysFor(tx, input.versionIds);
    const deadline = disclosureDeadline(reportedAt, input.severity, disclosureDays);
    const at = new Date(nowMs());
    // A report public at once (or within a day), or dated more than a year ago, is never recorded silently.
    const warnings = backdatingWarnings({ reportedAt, deadline, severity: input.severity, now: at });
    // Nor a severity below its CVSS score's rating: a later deadline, and perhaps no suspension.
    const belowCvss = cvss
      ? severityBelowCvss({ severity: input.severity, cvssScore: cvss.score, disclosureDays })
      : null;
    const unconfirmed = [
      ...unconfirmedWarnings(warnings, {
        confirmPublic: input.confirmPublic === "yes",
        confirmReportedOn: input.confirmReportedOn === "yes",
      }),
      ...(belowCvss && input.confirmSeverity !== "yes" ? [belowCvss] : []),
    ];
    if (unconfirmed.length)
      throw new ServiceError(
        "invalid",
        `Confirm before recording: ${unconfirmed.map((w) => w.message).join(" ")}`,
        Object.fromEntries(unconfirmed.map((w) => [w.field, w.message])),
      );
    const advisoryId = nextAdvisoryId(tx, reportedAt.getUTCFullYear());
    tx.insert(findings)
      .values({
        id,
        advisoryId,
        productId: product.id,
        organizationId: product.organizationId,
        title: input.title,
        description: input.description,
        severity: input.severity,
        cvssVector: cvss?.vector ?? null,
        cvssScore: cvss?.score ?? null,
        reporter: input.reporter,
        reportedAt,
        deadline,
        status: "open",
        requirementRefs: [...new Set(input.requirementRefs ?? [])],
        affectedPurls: input.affectedPurls ?? [],
        createdBy: actor.userId,
        createdAt: at,
        updatedAt: at,
      })
      .run();
    for (const v of versions) tx.insert(findingVersions).values({ findingId: id, productVersionId: v.id }).run();
    tx.insert(findingUpdates)
      .values({
        findingId: id,
        kind: "reported",
        note: `Reported by ${input.reporter}.`,
        newDeadline: deadline,
        actorId: actor.userId,
        actorLabel: actor.email,
        at,
      })
      .run();
    recordAudit(tx, actor, {
      action: "finding.reported",
      target: { type: "finding", id },
      organizationId: product.organizationId,
      details: {
        severity: input.severity,
        deadline: deadline.toISOString(),
        versions: input.versionIds,
        cvss: cvss?.score ?? null,
        ...(belowCvss ? { cvssSeverity: belowCvss.cvssSeverity } : {}),
        advisoryId,
        ...(input.affectedPurls?.length ? { affectedPurls: input.affectedPurls } : {}),
        ...(warnings.length || belowCvss
          ? { confirmed: [...warnings, ...(belowCvss ? [belowCvss] : [])].map((w) => w.kind) }
          : {}),
      },
    });
    // Watchers learn that a report of this severity exists (embargo-safe: no title, no description).
    emit(tx, "finding.changed", { findingId: id, productId: product.id, change: "recorded", severity: input.severity });
    return true;
  });
  if (recorded) afterFindingChange(opts); // a report dated long ago may already be overdue (and so public)
  return id;
}

export function loadForActor(t: Tx | ReturnType<typeof db>, actor: Actor, id: string) {
  const f = t.select().from(findings).where(eq(findings.id, id)).get();
  if (!f) throw new ServiceError("not_found", "No finding has this id.");
  if (actor.role === "supplier" ? f.organizationId !== actor.organizationId : !isAssessor(actor)) {
    throw new ServiceError(
      actor.role === "supplier" ? "not_found" : "forbidden",
      actor.role === "supplier"
        ? "No finding has this id."
        : "Only the supplier and the certification body see a finding.",
    );
  }
  return f;
}

/**
 * Everything an assessor does with a finding — recording it (a report dated in the past may
 * suspend seals and publish an advisory at once), verifying or rejecting a fix (verifying
 * certifies it and makes its advisory public), withdrawing, extending (what the supplier must do
 * and when the world learns of it), even opening it — is refused to an assessor with a conflict of
 * interest with the supplier, as for reviews, evidence and seal status changes (one rule:
 * conflicts.server.ts).
 */
function assertNoFindingConflict(t: Pick<Tx, "select">, actor: Actor, f: { organizationId: string }): void {
  assertNoConflict(t, actor, f.organizationId, "Another assessor must act on this report.");
}

/** A supplier answers (acknowledged, fix in progress, fixed in version X); an assessor verifies, rejects or withdraws. */
export function actOnFinding(
  actor: Actor,
  id: string,
  input: z.infer<typeof findingActionInput>,
  opts: FindingChangeOptions = {},
): { notice: string | null } {
  let notice: string | null = null;
  findingTransaction(opts, (tx) => {
    const f = loadForActor(tx, actor, id);
    assertNoFindingConflict(tx, actor, f);
    if (f.version !== input.version)
      throw new ServiceError("conflict", "Someone changed this finding meanwhile; reload the page and try again.");
    const role = actor.role === "admin" ? "assessor" : actor.role;
    const next = nextFindingStatus(f.status, input.action as FindingAction, role);
    // Another role's action is forbidden (403); an action the finding's status does not allow is a conflict (409).
    if (!next.ok) throw new ServiceError(next.refusal === "role" ? "forbidden" : "conflict", next.message);
    let fixedIn: string | null = null;
    // A fix is in a version the report does not affect (one rule: fixInAffectedVersionProblem).
    const affectedFirmware = () => (affectedVersionsOf(tx, [id]).get(id) ?? []).map((v) => v.firmwareVersion);
    if (input.action === "mark_fixed") {
      const v = checkFixedInVersion(input.fixedInVersion ?? "");
      if (!v.ok) throw new ServiceError("invalid", v.message, { fixedInVersion: v.message });
      const affected = fixInAffectedVersionProblem(v.version, affectedFirmware());
      if (affected) throw new ServiceError("invalid", affected, { fixedInVersion: affected });
      fixedIn = v.version;
      // Announced, not certified: a version the product does not have must be registered and re-certified first.
      const product = fixProduct(tx, f.productId);
      if (!isRegistered(fixedIn, product.firmware)) {
        // Worded by whether the product has a current seal (active or suspended, not expired) to re-certify from.
        const currentSeal = currentSealsOfProduct(tx, f.productId).length > 0;
        notice = registerFixVersionNotice(fixedIn, product.name, currentSeal);
      }
    }
    if (input.action === "verify_fix") {
      // A fix is certified only for a firmware version that exists on the product.
      const product = fixProduct(tx, f.productId);
      if (!f.fixedInVersion || !isRegistered(f.fixedInVersion, product.firmware)) {
        throw new ServiceError("conflict", unregisteredFixRefusal(f.fixedInVersion ?? "(none)", product.name));
      }
      // A claim made before the rule above (or by a script): not a fix of this report.
      const affected = fixInAffectedVersionProblem(f.fixedInVersion, affectedFirmware());
      if (affected) {
        const message = `${affected} Reject the fix, so that the supplier names the version that has it.`;
        throw new ServiceError("conflict", message, { note: message });
      }
    }
    if ((input.action === "reject_fix" || input.action === "withdraw") && input.note.length < 10) {
      throw new ServiceError("invalid", "Say why (at least 10 characters).", {
        note: "Say why (at least 10 characters).",
      });
    }
    const at = new Date(nowMs());
    tx.update(findings)
      .set({
        status: next.status,
        updatedAt: at,
        version: f.version + 1,
        ...(fixedIn ? { fixedInVersion: fixedIn } : {}),
        ...(input.action === "verify_fix" ? { verifiedAt: at } : {}),
      })
      .where(eq(findings.id, id))
      .run();
    const kind = {
      acknowledge: "acknowledged",
      start_fix: "fix_in_progress",
      mark_fixed: "fixed",
      verify_fix: "verified_fixed",
      reject_fix: "fix_rejected",
      withdraw: "withdrawn",
    }[input.action] as "acknowledged";
    const update = tx
      .insert(findingUpdates)
      .values({
        findingId: id,
        kind,
        note: input.note,
        fixedInVersion: fixedIn,
        actorId: actor.userId,
        actorLabel: actor.email,
        at,
      })
      .run();
    recordAudit(tx, actor, {
      action: `finding.${kind}`,
      target: { type: "finding", id },
      organizationId: f.organizationId,
      details: { from: f.status, to: next.status, ...(fixedIn ? { fixedInVersion: fixedIn } : {}) },
    });
    emit(tx, "finding.changed", {
      findingId: id,
      productId: f.productId,
      // Watchers are told of a withdrawal (an advisory disclosed before stays public, marked withdrawn);
      // the assessors of a claimed fix, the supplier of a rejected one (app/features/notifications).
      ...(input.action === "withdraw" ? { change: "withdrawn" as const, severity: f.severity } : {}),
      ...(input.action === "mark_fixed" ? { change: "fix_claimed" as const } : {}),
      ...(input.action === "reject_fix" ? { change: "fix_rejected" as const } : {}),
      updateId: Number(update.lastInsertRowid),
    });
  });
  afterFindingChange(opts); // a verified fix (or a withdrawal) may reinstate seals at once; a verified fix discloses
  return { notice };
}

/** The product's name and its registered firmware versions (where a fix can be certified). */
function fixProduct(t: Tx | ReturnType<typeof db>, productId: string): { name: string; firmware: string[] } {
  const product = t.select({ name: products.name }).from(products).where(eq(products.id, productId)).get()!;
  const firmware = t
    .select({ fw: productVersions.firmwareVersion })
    .from(productVersions)
    .where(eq(productVersions.productId, productId))
    .all()
    .map((r) => r.fw);
  return { name: product.name, firmware };
}

/** An assessor moves a deadline later, with a reason (the domain caps each extension). */
export function extendFindingDeadline(actor: Actor, id: string, input: z.infer<typeof extensionInput>): void {
  if (!isAssessor(actor)) throw new ServiceError("forbidden", "Only assessors extend a disclosure deadline.");
  transaction((tx) => {
    const f = loadForActor(tx, actor, id);
    assertNoFindingConflict(tx, actor, f);
    if (f.version !== input.version)
      throw new ServiceError("conflict", "Someone changed this finding meanwhile; reload the page and try again.");
    if (f.status === "verified_fixed" || f.status === "withdrawn")
      throw new ServiceError("conflict", "This finding is closed; its deadline no longer runs.");
    const at = new Date(nowMs());
    // Not withdrawn (refused above). An advisory its deadline made public: the deadline stays (one rule with the page).
    const disclosed = extensionProblem({ ...f, withdrawnAt: null }, at);
    if (disclosed) throw new ServiceError("conflict", disclosed, { deadline: disclosed });
    // A deadline is an instant; given as a day, it is 00:00 UTC of that day, as every original deadline
    // is (the day reported, at 00:00 UTC, plus whole days): an extension to day D and a report whose
    // deadline falls on D end together, and the clocks count the same.
    const r = extendDeadline(f.deadline, new Date(`${input.deadline}T00:00:00Z`), input.reason);
    if (!r.ok) throw new ServiceError("invalid", r.message, { deadline: r.message });
    tx.update(findings)
      .set({ deadline: r.deadline, updatedAt: at, version: f.version + 1 })
      .where(eq(findings.id, id))
      .run();
    const written = tx
      .insert(findingUpdates)
      .values({
        findingId: id,
        kind: "deadline_extended",
        note: r.reason,
        previousDeadline: f.deadline,
        newDeadline: r.deadline,
        actorId: actor.userId,
        actorLabel: actor.email,
        at,
      })
      .run();
    recordAudit(tx, actor, {
      action: "finding.deadline_extended",
      target: { type: "finding", id },
      organizationId: f.organizationId,
      details: { from: f.deadline.toISOString(), to: r.deadline.toISOString(), reason: r.reason },
    });
    emit(tx, "finding.changed", { findingId: id, productId: f.productId, updateId: Number(written.lastInsertRowid) });
  });
  afterFindingChange({});
}

/**
 * The current seals of each report's affected versions (overdueSealsText words them): those in state
 * suspended, and those still active and not expired. Revoked, superseded and expired ones hold nothing.
 */
export function heldSealsOf(t: Pick<Tx, "select">, findingIds: readonly string[], now: Date): Map<string, HeldSeals> {
  const out = new Map<string, HeldSeals>();
  for (let i = 0; i < findingIds.length; i += 500)
    for (const r of t
      .select({ findingId: findingVersions.findingId, state: seals.state, validUntil: seals.validUntil })
      .from(findingVersions)
      .innerJoin(seals, eq(seals.productVersionId, findingVersions.productVersionId))
      .where(
        and(
          inArray(findingVersions.findingId, findingIds.slice(i, i + 500)),
          inArray(seals.state, ["active", "suspended"]),
        ),
      )
      .all()) {
      const held = out.get(r.findingId) ?? { ...NO_HELD_SEALS };
      if (r.state === "suspended") held.suspended++;
      else if (r.validUntil.getTime() > now.getTime()) held.active++;
      out.set(r.findingId, held);
    }
  return out;
}

/**
 * The findings an actor may see: every one for the certification body, its own for a supplier. Named
 * fields only, never the report itself (description, reporter, CVSS, requirements, components: the
 * report's page shows those, to whoever may open it); a report the assessor has a conflict of interest
 * with is listed and marked (see assertNoFindingConflict), and findingsList sends less of it.
 */
export function listFindings(actor: Actor, opts: { open?: boolean } = {}) {
  if (actor.role !== "supplier" && !isAssessor(actor))
    throw new ServiceError("forbidden", "Only suppliers and the certification body see findings.");
  const now = new Date(nowMs());
  const rows = db()
    .select({ f: findings, withdrawnAt: WITHDRAWN_AT, product: products.name, supplier: organizations.name })
    .from(findings)
    .innerJoin(products, eq(products.id, findings.productId))
    .innerJoin(organizations, eq(organizations.id, findings.organizationId))
    .where(actor.role === "supplier" ? eq(findings.organizationId, actor.organizationId) : undefined)
    .orderBy(asc(findings.deadline))
    .all();
  const conflictWith = conflictChecker(db(), actor);
  // A report holds seals only while it blocks them, so while it is open (the filter below keeps it).
  const held = heldSealsOf(
    db(),
    rows.filter((r) => blocksSeal(r.f, now)).map((r) => r.f.id),
    now,
  );
  return rows
    .filter((r) => !opts.open || (r.f.status !== "verified_fixed" && r.f.status !== "withdrawn"))
    .map(({ f, withdrawnAt, product, supplier }) => ({
      id: f.id,
      advisoryId: f.advisoryId,
      title: f.title,
      productId: f.productId,
      organizationId: f.organizationId,
      product,
      supplier,
      severity: f.severity,
      status: f.status,
      deadline: f.deadline,
      fixedInVersion: f.fixedInVersion,
      /** The version an action on it must carry (optimistic concurrency). */
      version: f.version,
      clock: clockOf(f.deadline, now),
      blocking: blocksSeal(f, now),
      /** The seals it holds when blocking (overdueSealsText words them). */
      heldSeals: held.get(f.id) ?? NO_HELD_SEALS,
      disclosure: findingDisclosure(actor, { ...f, withdrawnAt }, now),
      // Listed, but a conflicted assessor cannot open it (see assertNoFindingConflict).
      conflicted: conflictWith(f.organizationId) !== null,
    }));
}

/**
 * The /findings page's rows: what the list shows and nothing more. A report the assessor has a
 * conflict of interest with (which they may not open) is its title and its badges only (severity,
 * status, the clock), with the product and supplier it is against: no id, no deadline, no advisory.
 */
export function findingsList(actor: Actor) {
  return listFindings(actor).map((f) =>
    f.conflicted
      ? {
          conflicted: true as const,
          title: f.title,
          product: f.product,
          supplier: f.supplier,
          severity: f.severity,
          status: f.status,
          clock: f.clock,
        }
      : {
          conflicted: false as const,
          id: f.id,
          title: f.title,
          product: f.product,
          supplier: f.supplier,
          severity: f.severity,
          status: f.status,
          deadline: f.deadline,
          clock: f.clock,
          disclosure: f.disclosure,
        },
  );
}

const ASSESSOR_KINDS = new Set(["reported", "verified_fixed", "fix_rejected", "withdrawn", "deadline_extended"]);

/** One finding with its versions, history, clock and the actions the actor may take. */
export function findingView(actor: Actor, id: string) {
  const t = db();
  const f = loadForActor(t, actor, id);
  assertNoFindingConflict(t, actor, f);
  const now = new Date(nowMs());
  const product = t.select().from(products).where(eq(products.id, f.productId)).get()!;
  const versions = t
    .select({
      id: productVersions.id,
      firmwareVersion: productVersions.firmwareVersion,
      hardwareRevision: productVersions.hardwareRevision,
    })
    .from(findingVersions)
    .innerJoin(productVersions, eq(productVersions.id, findingVersions.productVersionId))
    .where(eq(findingVersions.findingId, id))
    .all();
  const affectedSeals = t
    .select({ serial: seals.serial, state: seals.state, productVersionId: seals.productVersionId })
    .from(seals)
    .where(
      inArray(
        seals.productVersionId,
        versions.map((v) => v.id),
      ),
    )
    .all();
  const history = t
    .select()
    .from(findingUpdates)
    .where(eq(findingUpdates.findingId, id))
    .orderBy(asc(findingUpdates.id))
    .all();
  const role = actor.role === "admin" ? "assessor" : actor.role;
  const disclosure = findingDisclosure(actor, { ...f, withdrawnAt: withdrawnAtOf(t, f.id) }, now);
  const fix = fixStateOf(f, fixProduct(t, f.productId).firmware);
  return {
    finding: f,
    /** Where the fix stands: announced (not yet certified; its version registered on the product or not) or certified. */
    fix,
    product: { id: product.id, name: product.name, model: product.model },
    versions,
    affectedSeals,
    // Suppliers see who in their own organisation answered; the certification body's people are "IoT Seal assessor".
    history: history.map((h) => ({
      ...h,
      actorLabel: actor.role === "supplier" && ASSESSOR_KINDS.has(h.kind) ? "IoT Seal assessor" : h.actorLabel,
    })),
    clock: clockOf(f.deadline, now),
    blocking: blocksSeal(f, now),
    /** The current seals of the affected versions (overdueSealsText words them when blocking). */
    heldSeals: heldSealsOf(t, [f.id], now).get(f.id) ?? NO_HELD_SEALS,
    actions: availableFindingActions(f.status, role),
    // Once the deadline has made the advisory public, the deadline stays (the service's rule: extensionProblem).
    canExtend:
      isAssessor(actor) &&
      f.status !== "verified_fixed" &&
      f.status !== "withdrawn" &&
      extensionProblem({ ...f, withdrawnAt: null }, now) === null,
    disclosure,
  };
}

/** The products an assessor may record a finding against, with their versions; those of a supplier the assessor has a conflict of interest with are marked. */
export function findingTargets(actor: Actor) {
  if (!isAssessor(actor)) throw new ServiceError("forbidden", "Only assessors record vulnerability reports.");
  const conflictWith = conflictChecker(db(), actor);
  const rows = db()
    .select({
      productId: products.id,
      product: products.name,
      model: products.model,
      organizationId: products.organizationId,
      supplier: organizations.name,
      versionId: productVersions.id,
      firmware: productVersions.firmwareVersion,
      hardware: productVersions.hardwareRevision,
    })
    .from(productVersions)
    .innerJoin(products, eq(products.id, productVersions.productId))
    .innerJoin(organizations, eq(organizations.id, products.organizationId))
    .orderBy(asc(products.name), desc(productVersions.createdAt))
    .all();
  const byProduct = new Map<
    string,
    {
      id: string;
      name: string;
      model: string;
      supplier: string;
      conflict: string | null;
      versions: { id: string; label: string }[];
      requirements: RequirementChoice[];
    }
  >();
  for (const r of rows) {
    const p = byProduct.get(r.productId) ?? {
      id: r.productId,
      name: r.product,
      model: r.model,
      supplier: r.supplier,
      conflict: conflictWith(r.organizationId),
      versions: [],
      requirements: requirementChoices(db(), r.productId),
    };
    p.versions.push({ id: r.versionId, label: `firmware ${r.firmware} (hardware ${r.hardware})` });
    byProduct.set(r.productId, p);
  }
  return [...byProduct.values()];
}

/**
 * The requirements a finding against this product may name (`<checklist-id>:<ref>`): those of every
 * checklist version the product was submitted against, so a re-certification re-reviews them. Per
 * checklist in the order of its newest version (byNewest), then the refs only older versions have:
 * two versions' lists are not interleaved ("5.1-1, 5.0-1, 5.1-2, …").
 */
/**
 * A requirement a report may name: `<checklist-id>:<ref>`, "5.1-1 — No universal default passwords",
 * and the checklist version it is listed under ("ETSI EN 303 645 3.1.3 with continuous monitoring").
 */
export interface RequirementChoice {
  value: string;
  label: string;
  checklist: string;
}

function requirementChoices(t: Tx | ReturnType<typeof db>, productId: string): RequirementChoice[] {
  const versionIds = t
    .selectDistinct({ id: submissions.checklistVersionId })
    .from(submissions)
    .innerJoin(productVersions, eq(productVersions.id, submissions.productVersionId))
    .where(eq(productVersions.productId, productId))
    .all()
    .map((r) => r.id);
  if (!versionIds.length) return [];
  const rows = t
    .select({
      checklistId: checklistVersions.checklistId,
      title: checklistVersions.title,
      version: checklistVersions.version,
      publishedOn: checklistVersions.publishedOn,
      ref: requirements.ref,
      reqTitle: requirements.title,
      position: requirements.position,
      versionId: requirements.versionId,
      recurs: requirements.recursEveryDays,
    })
    .from(requirements)
    .innerJoin(checklistVersions, eq(checklistVersions.id, requirements.versionId))
    .where(inArray(requirements.versionId, versionIds))
    .all()
    .sort((a, b) => a.checklistId.localeCompare(b.checklistId) || byNewest(a, b) || a.position - b.position);
  // A version some of whose requirements recur is named as everywhere else: "with continuous monitoring".
  const monitored = new Set(rows.filter((r) => r.recurs !== null).map((r) => r.versionId));
  const seen = new Map<string, RequirementChoice>();
  for (const r of rows) {
    const value = `${r.checklistId}:${r.ref}`;
    // Listed under the newest version that has it: the refs only an older version has come under that version's title.
    if (!seen.has(value))
      seen.set(value, {
        value,
        label: `${r.ref} — ${r.reqTitle}`,
        checklist: checklistShortLabel({
          checklistId: r.checklistId,
          version: r.version,
          continuousMonitoring: monitored.has(r.versionId),
        }),
      });
  }
  return [...seen.values()];
}

export type { Severity };
