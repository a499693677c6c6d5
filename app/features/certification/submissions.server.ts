/**
 * Submissions from the supplier's side: open one against a published checklist version and
 * level, answer each requirement, and move it through its life (submit, withdraw, delete).
 * Every change is one transaction, checks the actor and the submission's state, bumps the
 * optimistic version counter and writes the audit log.
 */
import crypto from "node:crypto";
import { and, asc, desc, eq, gt, inArray, lte, sql } from "drizzle-orm";
import { alias } from "drizzle-orm/sqlite-core";
import { z } from "zod";
import {
  answers,
  auditEvents,
  checklistSections,
  checklistVersions,
  decisions,
  evidenceFiles,
  evidenceLinks,
  products,
  productVersions,
  seals,
  submissions,
  verdicts,
} from "../../../db/schema";
import { nowMs } from "../../platform/clock.server";
import { updateRequiredBySerial } from "../findings/advisories.server";
import { wholeDaysLeft } from "../../platform/calendar";
import { sealVerdictOf } from "../trust/domain/verdict";
import {
  EMPTY_ANSWER,
  mayClaimNotApplicable,
  submissionProgress,
  type AnswerProblem,
  type RequirementInScope,
} from "./domain/answers";
import {
  availableTransitions,
  canDelete,
  checkTransition,
  editableScope,
  RENEWAL_WINDOW_DAYS,
  type SubmissionStatus,
  type Transition,
} from "./domain/submission-state";
import type { Actor } from "../../platform/actor";
import { recordAudit } from "../../platform/audit.server";
import { assertCan, assertSameOrganization } from "../../platform/authorize.server";
import { db, preparedQueries, transaction, type Tx } from "../../platform/db.server";
import { ServiceError } from "../../platform/errors.server";
import { requireConfirmation } from "../../platform/confirmation.server";
import { emit } from "../../platform/events.server";
import type { answerInput, openSubmissionInput } from "./forms";
import { carryOverVerdicts, recertificationContext, type CarryOver } from "./recertification.server";
import { supportEndedProblem } from "./domain/support-period-end";
import { describeReason } from "./domain/recertification";
import {
  answerFacts,
  continuingChecklistVersion,
  copyAnswersAndEvidence,
  en18031ProblemOf,
  loadSubmission,
  openSubmissionTx,
  requirementsInScope,
  type SubmissionRow,
} from "./submission-records.server";
import { checklistLabelFor, levelTitleFor } from "../catalogue/checklists.server";
import { mandatoryClaimedNotImplemented, notImplementedWarning, sendsBack } from "./domain/review";
import { reviewedRequirements } from "./verdicts.server";
import { carryAcrossTx, carryMarks, carryNoticeOf, clearCarryMark, describeMark } from "./carry-across.server";

export type { SubmissionRow };

/**
 * Opens a draft submission; with `prefill`, in the same transaction, pre-fills it through the
 * crosswalk from the organisation's other submissions for the same product version (marked for
 * the supplier to check: carry-across.server.ts).
 */
export function openSubmission(
  actor: Actor,
  input: Omit<z.infer<typeof openSubmissionInput>, "prefill"> & { prefill?: boolean },
): string {
  assertCan(actor, "supplier.workspace");
  return transaction((tx) => {
    const id = openSubmissionTx(tx, actor, input);
    if (input.prefill) carryAcrossTx(tx, actor, id);
    return id;
  });
}

/**
 * The organisation's active or suspended seals that expire within `days` (RENEWAL_WINDOW_DAYS by
 * default), soonest first, with `state` and any renewal already started: an open submission for
 * the same product version against the same checklist (any of its versions: a renewal moves on
 * from a retired one).
 * A seal already renewed (a newer seal of the same product version and checklist, active or
 * suspended) is not listed: its renewal was approved. A renewal does not supersede the old seal
 * (only a re-certification of a newer firmware does, DESIGN.md): it runs to its own end date.
 */
export function expiringSeals(actor: Actor, days = RENEWAL_WINDOW_DAYS) {
  assertCan(actor, "supplier.workspace");
  const now = nowMs();
  const t = db();
  const rows = t
    .select({
      serial: seals.serial,
      state: seals.state,
      validUntil: seals.validUntil,
      issuedAt: seals.issuedAt,
      productVersionId: seals.productVersionId,
      product: products.name,
      firmware: productVersions.firmwareVersion,
      checklistVersionId: submissions.checklistVersionId,
      checklistId: checklistVersions.checklistId,
    })
    .from(seals)
    .innerJoin(submissions, eq(submissions.id, seals.submissionId))
    .innerJoin(checklistVersions, eq(checklistVersions.id, submissions.checklistVersionId))
    .innerJoin(productVersions, eq(productVersions.id, seals.productVersionId))
    .innerJoin(products, eq(products.id, productVersions.productId))
    .where(
      and(
        eq(seals.organizationId, actor.organizationId),
        // A suspended seal is renewed too (startRenewal takes it, and its expiry reminder sends the supplier here).
        inArray(seals.state, ["active", "suspended"]),
        gt(seals.validUntil, new Date(now)),
        lte(seals.validUntil, new Date(now + days * 86_400_000)),
      ),
    )
    .orderBy(asc(seals.validUntil))
    .all();
  const sameLine = (r: (typeof rows)[number]) =>
    and(eq(submissions.productVersionId, r.productVersionId), eq(checklistVersions.checklistId, r.checklistId));
  return rows
    .filter((r) => !renewingSealOf(t, r.serial))
    .map((r) => {
      const renewal = t
        .select({ id: submissions.id, status: submissions.status })
        .from(submissions)
        .innerJoin(checklistVersions, eq(checklistVersions.id, submissions.checklistVersionId))
        .where(and(sameLine(r), inArray(submissions.status, ["draft", "submitted", "in_review", "changes_requested"])))
        .get();
      const { issuedAt: _issuedAt, checklistId: _checklistId, ...row } = r;
      return { ...row, daysLeft: wholeDaysLeft(r.validUntil, new Date(now)), renewal: renewal ?? null };
    });
}

/**
 * The newer seal (active or suspended) that renews `serial`: the same product version certified
 * again against the same checklist (any version of it). The dashboard's renewal prompts and the
 * expiry reminders both ask this: a seal renewed is not prompted for, nor reminded of.
 */
export function renewingSealOf(t: Pick<Tx, "select">, serial: string): string | null {
  return renewal(t).newer.get({ serial })?.serial ?? null;
}

/** renewingSealOf's one statement (the expiry sweep and every seal issued ask it), prepared once per connection. */
const renewal = preparedQueries((t) => {
  const old = alias(seals, "old_seal");
  const oldSubmission = alias(submissions, "old_submission");
  const oldVersion = alias(checklistVersions, "old_version");
  return {
    newer: t
      .select({ serial: seals.serial })
      .from(old)
      .innerJoin(oldSubmission, eq(oldSubmission.id, old.submissionId))
      .innerJoin(oldVersion, eq(oldVersion.id, oldSubmission.checklistVersionId))
      .innerJoin(seals, and(eq(seals.productVersionId, old.productVersionId), gt(seals.issuedAt, old.issuedAt)))
      .innerJoin(submissions, eq(submissions.id, seals.submissionId))
      .innerJoin(
        checklistVersions,
        and(
          eq(checklistVersions.id, submissions.checklistVersionId),
          eq(checklistVersions.checklistId, oldVersion.checklistId),
        ),
      )
      .where(and(eq(old.serial, sql.placeholder("serial")), inArray(seals.state, ["active", "suspended"])))
      .orderBy(asc(seals.issuedAt))
      .limit(1)
      .prepare(),
  };
});

/**
 * Starts the renewal of a seal: a new draft submission for the same product version (against the
 * same checklist version, or the newest published version of that checklist if it was retired),
 * pre-filled with the previous answers and evidence for every requirement still in scope.
 */
export function startRenewal(actor: Actor, serial: string): string {
  assertCan(actor, "supplier.workspace");
  return transaction((tx) => {
    const seal = tx.select().from(seals).where(eq(seals.serial, serial)).get();
    if (!seal || seal.organizationId !== actor.organizationId)
      throw new ServiceError("not_found", "None of your seals has this serial.");
    // A renewal continues a seal's assessment; a revoked or replaced seal has nothing to continue.
    if (seal.state === "revoked")
      throw new ServiceError(
        "conflict",
        `Seal ${serial} was revoked: it cannot be renewed. Start a new submission for this firmware; it is assessed in full.`,
      );
    if (seal.state === "superseded")
      throw new ServiceError(
        "conflict",
        `Seal ${serial} was replaced${seal.supersededBy ? ` by seal ${seal.supersededBy}` : ""}: renew the seal that replaced it.`,
      );
    // Its renewal was approved already (a page opened before that still offers it): not a second one.
    const renewedBy = renewingSealOf(tx, serial);
    if (renewedBy)
      throw new ServiceError(
        "conflict",
        `Seal ${serial} was already renewed by seal ${renewedBy}, so no second renewal is opened.`,
      );
    const previous = loadSubmission(tx, seal.submissionId);
    const cv = continuingChecklistVersion(tx, previous.checklistVersionId);
    const id = openSubmissionTx(tx, actor, {
      productVersionId: seal.productVersionId,
      target: { checklistVersionId: cv.id, targetLevel: previous.targetLevel },
    });
    const copied = copyAnswersAndEvidence(tx, actor, previous.id, id, cv.id, previous.targetLevel);
    recordAudit(tx, actor, {
      action: "submission.renewal_started",
      target: { type: "submission", id },
      details: { seal: serial, from: previous.id, checklist: cv.id, answersCopied: copied },
    });
    return id;
  });
}

/** Loads a submission the supplier may see (own organisation), or throws. */
export function ownSubmission(actor: Actor, id: string): SubmissionRow {
  assertCan(actor, "supplier.workspace");
  const s = loadSubmission(db(), id);
  assertSameOrganization(actor, s.organizationId);
  return s;
}

/** The refs a supplier may change now (all in a draft; those sent back after a request for changes). */
export function editableRefs(tx: Pick<Tx, "select">, s: SubmissionRow): Set<string> | "all" {
  const scope = editableScope(s.status);
  if (scope === "all") return "all";
  if (scope === "none") return new Set();
  return reopenedRefs(tx, s.id);
}

/**
 * Requirements sent back by the latest request for changes, with the assessor's comment on each:
 * the latest verdict before the request sends it back (domain/review.ts sendsBack, the rule the
 * assessor's score applies: an advisory "fail" whose justification was accepted is settled, not
 * sent back).
 */
export function sentBack(
  tx: Pick<Tx, "select">,
  submissionId: string,
): Map<string, { verdict: string; comment: string }> {
  const request = latestChangeRequest(tx, submissionId);
  const out = new Map<string, { verdict: string; comment: string }>();
  if (!request) return out;
  const rows = tx
    .select()
    .from(verdicts)
    .where(and(eq(verdicts.submissionId, submissionId), lte(verdicts.createdAt, request.createdAt)))
    .orderBy(asc(verdicts.id))
    .all();
  const latest = new Map<string, (typeof rows)[number]>();
  for (const r of rows) latest.set(r.requirementRef, r);
  const reqs = new Map(reviewedRequirements(tx, loadSubmission(tx, submissionId)).map((r) => [r.ref, r]));
  for (const [ref, v] of latest) {
    const req = reqs.get(ref);
    if (req && sendsBack(req, v)) out.set(ref, { verdict: v.verdict, comment: v.comment });
  }
  return out;
}

/** The latest request for changes of the submission (its time), if any. */
function latestChangeRequest(tx: Pick<Tx, "select">, submissionId: string): { createdAt: Date } | undefined {
  return tx
    .select({ createdAt: decisions.createdAt })
    .from(decisions)
    .where(and(eq(decisions.submissionId, submissionId), eq(decisions.kind, "changes_requested")))
    .orderBy(desc(decisions.id))
    .limit(1)
    .get();
}

export function reopenedRefs(tx: Pick<Tx, "select">, submissionId: string): Set<string> {
  return new Set(sentBack(tx, submissionId).keys());
}

/**
 * What the assessors told the supplier and is still to act on: the latest request for changes
 * while the submission is sent back, or the rejection once rejected, with per-requirement comments
 * (changes requested). Once resubmitted (and then in review, approved or withdrawn) the request was
 * answered: nothing is shown.
 */
function feedbackFor(tx: Pick<Tx, "select">, s: SubmissionRow) {
  const none = new Map<string, { verdict: string; comment: string }>();
  if (s.status !== "changes_requested" && s.status !== "rejected") return { decision: null, byRef: none };
  const last = tx
    .select({ kind: decisions.kind, comment: decisions.comment, createdAt: decisions.createdAt })
    .from(decisions)
    .where(and(eq(decisions.submissionId, s.id), inArray(decisions.kind, ["changes_requested", "rejected"])))
    .orderBy(desc(decisions.id))
    .limit(1)
    .get();
  return {
    decision: last ?? null,
    byRef: s.status === "changes_requested" ? sentBack(tx, s.id) : none,
  };
}

function assertEditable(tx: Pick<Tx, "select">, s: SubmissionRow, ref: string): void {
  const editable = editableRefs(tx, s);
  if (editable === "all" || editable.has(ref)) return;
  if (s.status === "changes_requested")
    throw new ServiceError(
      "conflict",
      `Requirement ${ref} was not sent back for changes; only the requirements the assessor reopened can be changed.`,
    );
  throw new ServiceError(
    "conflict",
    `This submission is ${s.status.replace("_", " ")}: its answers and evidence are frozen.`,
  );
}

function bump(tx: Tx, s: SubmissionRow): void {
  tx.update(submissions)
    .set({ version: sql`${submissions.version} + 1`, updatedAt: new Date(nowMs()) })
    .where(eq(submissions.id, s.id))
    .run();
}

export function requireInScope(tx: Pick<Tx, "select">, s: SubmissionRow, ref: string) {
  const req = requirementsInScope(tx, s.checklistVersionId, s.targetLevel).find((r) => r.ref === ref);
  if (!req)
    throw new ServiceError(
      "invalid",
      `Requirement ${ref} is not part of this submission (checklist level ${s.targetLevel}).`,
    );
  return req;
}

export function saveAnswer(
  actor: Actor,
  submissionId: string,
  ref: string,
  input: z.infer<typeof answerInput>,
): { revision: number; problems: AnswerProblem[] } {
  assertCan(actor, "supplier.workspace");
  return transaction((tx) => {
    const s = loadSubmission(tx, submissionId);
    assertSameOrganization(actor, s.organizationId);
    const req = requireInScope(tx, s, ref);
    assertEditable(tx, s, ref);
    if (
      input.claim === "not_applicable" &&
      !mayClaimNotApplicable({ applicability: req.applicability, condition: req.condition })
    ) {
      throw new ServiceError(
        "invalid",
        `${ref} is mandatory at this level and has no condition, so it cannot be not applicable.`,
        { claim: "Not applicable is not allowed here." },
      );
    }
    const existing = tx
      .select()
      .from(answers)
      .where(and(eq(answers.submissionId, s.id), eq(answers.requirementRef, ref)))
      .get();
    // The revision the caller edited (the form always sends it: its route requires it). Without one (the demo seed,
    // scripts) the save applies to whatever is stored. A first answer is revision 0 until it is saved.
    if (input.revision !== undefined && input.revision !== (existing?.revision ?? 0)) {
      // Who changed it is not known: often the same user in another tab. fieldErrors.revision marks the conflict.
      throw new ServiceError(
        "conflict",
        `The answer to requirement ${ref} was changed (in another tab or by a colleague) after you opened it, so your change was not saved.`,
        { revision: "The answer changed after you opened it." },
      );
    }
    const values = {
      claim: input.claim,
      justification: input.justification.trim(),
      noEvidenceReason: input.noEvidenceReason.trim(),
      updatedBy: actor.userId,
      updatedAt: new Date(nowMs()),
    };
    let revision = 1;
    if (existing) {
      revision = existing.revision + 1;
      tx.update(answers)
        .set({ ...values, revision })
        .where(eq(answers.id, existing.id))
        .run();
    } else {
      tx.insert(answers)
        .values({ id: crypto.randomUUID(), submissionId: s.id, requirementRef: ref, ...values, revision })
        .run();
    }
    // Saving is the supplier's check of an answer carried across: the mark goes.
    const wasCarried = clearCarryMark(tx, s.id, ref);
    bump(tx, s);
    recordAudit(tx, actor, {
      action: "answer.saved",
      target: { type: "submission", id: s.id },
      details: { ref, claim: input.claim, ...(wasCarried ? { carriedAcrossChecked: true } : {}) },
    });
    // What the saved answer still lacks (empty: complete), as the submission's progress has it.
    const problems = progressOf(tx, s).blockers.find((b) => b.ref === ref)?.problems ?? [];
    return { revision, problems };
  });
}

export function progressOf(tx: Pick<Tx, "select">, s: SubmissionRow) {
  const reqs: RequirementInScope[] = requirementsInScope(tx, s.checklistVersionId, s.targetLevel).map((r) => ({
    ref: r.ref,
    sectionRef: r.sectionRef,
    applicability: r.applicability,
    condition: r.condition,
  }));
  const facts = answerFacts(tx, s.id);
  for (const ref of sentBackUntouched(tx, s)) {
    const a = facts.get(ref);
    if (a) a.sentBackUntouched = true;
  }
  return submissionProgress(reqs, facts);
}

/** What the supplier does to a requirement's answer: each audited with its ref. */
const ANSWER_CHANGES = ["answer.saved", "evidence.uploaded", "evidence.linked", "evidence.unlinked"];

/**
 * The requirements the latest request for changes sent back that nobody has touched since (no
 * answer saved, no evidence attached or removed, as the audit log records them): resubmitting
 * before each is answered would put the same answers in front of the assessor again. Empty unless
 * changes are requested.
 */
export function sentBackUntouched(tx: Pick<Tx, "select">, s: SubmissionRow): string[] {
  if (s.status !== "changes_requested") return [];
  const back = sentBack(tx, s.id);
  if (!back.size) return [];
  const request = latestChangeRequest(tx, s.id)!;
  const touched = new Set(
    tx
      .select({ ref: sql<string>`json_extract(${auditEvents.details}, '$.ref')` })
      .from(auditEvents)
      .where(
        and(
          eq(auditEvents.targetType, "submission"),
          eq(auditEvents.targetId, s.id),
          gt(auditEvents.at, request.createdAt),
          inArray(auditEvents.action, ANSWER_CHANGES),
        ),
      )
      .all()
      .map((r) => r.ref),
  );
  return [...back.keys()].filter((ref) => !touched.has(ref));
}

/** The refusal of a change made on a page that showed an earlier version of the submission. */
export const SUBMISSION_CHANGED =
  "This submission changed since you opened it (in another tab, or by a colleague or an assessor). The page now shows its current state; check it and try again.";

/** Refuses a change made on an earlier version of the submission (`expectedVersion` absent: not checked, for scripts). */
function assertUnchangedSince(s: SubmissionRow, expectedVersion: number | undefined): void {
  if (expectedVersion !== undefined && expectedVersion !== s.version)
    throw new ServiceError("conflict", SUBMISSION_CHANGED);
}

/** One transition, checked against the state machine, the actor and the expected version. */
export function transitionSubmission(
  tx: Tx,
  actor: Actor,
  s: SubmissionRow,
  transition: Transition,
  expectedVersion: number | undefined,
  details: Record<string, unknown> = {},
): SubmissionStatus {
  const check = checkTransition(transition, s.status, actor.role);
  if (!check.ok)
    throw new ServiceError(
      actor.role === "supplier" || actor.role === "assessor" ? "conflict" : "forbidden",
      check.reason,
    );
  assertUnchangedSince(s, expectedVersion);
  const at = new Date(nowMs());
  const submitted = check.to === "submitted" && (transition === "submit" || transition === "resubmit");
  tx.update(submissions)
    .set({
      status: check.to,
      version: sql`${submissions.version} + 1`,
      updatedAt: at,
      ...(submitted ? { submittedAt: at, firstSubmittedAt: s.firstSubmittedAt ?? at } : {}),
    })
    .where(and(eq(submissions.id, s.id), eq(submissions.version, s.version)))
    .run();
  recordAudit(tx, actor, {
    action: `submission.${transition}`,
    target: { type: "submission", id: s.id },
    organizationId: s.organizationId,
    details: { from: s.status, to: check.to, ...details },
  });
  return check.to;
}

/** What submitting did that the supplier should hear of: a re-certification's carried verdicts (null for a full assessment). */
export interface Submitted {
  recertification: CarryOver | null;
}

/** The product's support period, as the seal's issuing checks it: ended, no seal can be issued (null: it has not). */
function supportProblemOf(t: Pick<Tx, "select">, s: SubmissionRow): string | null {
  const product = t
    .select({ name: products.name, supportPeriodEnd: products.supportPeriodEnd })
    .from(productVersions)
    .innerJoin(products, eq(products.id, productVersions.productId))
    .where(eq(productVersions.id, s.productVersionId))
    .get()!;
  return supportEndedProblem(product, new Date(nowMs()));
}

/** Submit (or resubmit after changes): only when nothing blocks it. */
export function submitSubmission(actor: Actor, id: string, expectedVersion?: number): Submitted {
  assertCan(actor, "supplier.workspace");
  return transaction((tx) => {
    const s = loadSubmission(tx, id);
    assertSameOrganization(actor, s.organizationId);
    // EN 18031: the floor of the product's category as it is now (it may have changed since the submission was opened).
    const level = en18031ProblemOf(tx, s);
    if (level)
      throw new ServiceError(
        "conflict",
        `${level} A submission's level cannot change: withdraw this one and open a new submission at that level.`,
      );
    const progress = progressOf(tx, s);
    if (progress.blockers.length) {
      throw new ServiceError(
        "conflict",
        `${progress.blockers.length} requirement${progress.blockers.length === 1 ? "" : "s"} still block${progress.blockers.length === 1 ? "s" : ""} submission: ${progress.blockers
          .slice(0, 5)
          .map((b) => b.ref)
          .join(", ")}${progress.blockers.length > 5 ? ", …" : ""}.`,
      );
    }
    // The rule the seal's issuing applies (no seal past the support period): said now, not at the second assessor's confirmation.
    const support = supportProblemOf(tx, s);
    if (support) throw new ServiceError("conflict", support);
    // A re-certification keeps the verdicts of what did not change (none once its seal was revoked or expired).
    const recertification = s.status === "draft" ? carryOverVerdicts(tx, actor, s) : null;
    transitionSubmission(tx, actor, s, s.status === "changes_requested" ? "resubmit" : "submit", expectedVersion, {
      requirements: progress.total,
    });
    // The assessors hear that it entered the queue (app/features/notifications).
    emit(tx, "submission.changed", {
      submissionId: s.id,
      change: "submitted",
      byUserId: actor.userId,
      version: s.version,
    });
    return { recertification };
  });
}

/** What a withdrawal means, for the tick box and the refusal without it. */
export const WITHDRAW_CONFIRMATION = "the submission is withdrawn for good and cannot be resubmitted";

/**
 * Withdraws a draft, a submission waiting for an assessor, or one sent back for changes (the
 * supplier's turn: no assessor is working on it, and a held review is not dropped: a submission in
 * review cannot be withdrawn). It cannot be undone (a withdrawn submission is never resubmitted),
 * so it is asked first, like deleting a draft. It frees the firmware and checklist (or the seal, for
 * a re-certification) for a new submission.
 */
export function withdrawSubmission(
  actor: Actor,
  id: string,
  opts: { confirmed: boolean; expectedVersion?: number },
): void {
  assertCan(actor, "supplier.workspace");
  transaction((tx) => {
    const s = loadSubmission(tx, id);
    assertSameOrganization(actor, s.organizationId);
    requireConfirmation(opts.confirmed, WITHDRAW_CONFIRMATION);
    const from = s.status;
    transitionSubmission(tx, actor, s, "withdraw", opts.expectedVersion);
    // The assessor who sent it back hears of it; the queue's "new" notice is taken back (app/features/notifications).
    if (from === "draft" || from === "submitted" || from === "changes_requested")
      emit(tx, "submission.changed", {
        submissionId: s.id,
        change: "withdrawn",
        byUserId: actor.userId,
        version: s.version,
        from,
      });
  });
}

/**
 * Deletes a draft and its answers. `expectedVersion` (the page's hidden field) is the version the
 * supplier saw: a draft changed since (answers saved in another tab or by a colleague) is not
 * deleted unseen (absent: not checked, for scripts and tests).
 */
export function deleteDraft(actor: Actor, id: string, opts: { confirmed: boolean; expectedVersion?: number }): void {
  assertCan(actor, "supplier.workspace");
  transaction((tx) => {
    const s = loadSubmission(tx, id);
    assertSameOrganization(actor, s.organizationId);
    if (!canDelete(s.status))
      throw new ServiceError("conflict", "Only a draft can be deleted; withdraw a submitted one instead.");
    requireConfirmation(opts.confirmed, "the draft and its answers are deleted for good");
    assertUnchangedSince(s, opts.expectedVersion);
    tx.delete(submissions).where(eq(submissions.id, s.id)).run(); // answers and links cascade; evidence bytes stay (content-addressed, possibly shared)
    recordAudit(tx, actor, { action: "submission.deleted", target: { type: "submission", id: s.id } });
  });
}

// ---------------------------------------------------------------------------------------------
// Views

export function listOwnSubmissions(actor: Actor) {
  assertCan(actor, "supplier.workspace");
  const rows = db()
    .select({
      s: submissions,
      productName: products.name,
      productId: products.id,
      model: products.model,
      hardwareRevision: productVersions.hardwareRevision,
      firmwareVersion: productVersions.firmwareVersion,
      checklistTitle: checklistVersions.title,
      checklistId: checklistVersions.checklistId,
      checklistVersion: checklistVersions.version,
    })
    .from(submissions)
    .innerJoin(productVersions, eq(productVersions.id, submissions.productVersionId))
    .innerJoin(products, eq(products.id, productVersions.productId))
    .innerJoin(checklistVersions, eq(checklistVersions.id, submissions.checklistVersionId))
    .where(eq(submissions.organizationId, actor.organizationId))
    .orderBy(desc(submissions.updatedAt))
    .all();
  return rows.map((r) => {
    const p = progressOf(db(), r.s);
    return {
      ...r,
      checklistLabel: checklistLabelFor({ id: r.checklistId, version: r.checklistVersion, title: r.checklistTitle }),
      levelTitle: levelTitleFor({ id: r.checklistId, version: r.checklistVersion }, r.s.targetLevel), // "Baseline", not its id
      progress: { total: p.total, complete: p.complete, blockers: p.blockers.length },
    };
  });
}

/** Everything the supplier's submission page shows. */
export function submissionView(actor: Actor, id: string) {
  const s = ownSubmission(actor, id);
  const t = db();
  const header = t
    .select({
      productName: products.name,
      productId: products.id,
      model: products.model,
      hardwareRevision: productVersions.hardwareRevision,
      firmwareVersion: productVersions.firmwareVersion,
      appVersion: productVersions.appVersion,
    })
    .from(productVersions)
    .innerJoin(products, eq(products.id, productVersions.productId))
    .where(eq(productVersions.id, s.productVersionId))
    .get()!;
  const cv = t.select().from(checklistVersions).where(eq(checklistVersions.id, s.checklistVersionId)).get()!;
  const sections = t
    .select()
    .from(checklistSections)
    .where(eq(checklistSections.versionId, cv.id))
    .orderBy(asc(checklistSections.position))
    .all();
  const reqs = requirementsInScope(t, cv.id, s.targetLevel);
  const facts = answerFacts(t, s.id);
  const links = evidenceOf(t, s.id);
  const progress = progressOf(t, s);
  const editable = editableRefs(t, s);
  const blockersByRef = new Map(progress.blockers.map((b) => [b.ref, b.problems]));
  const feedback = feedbackFor(t, s);
  const sealRow =
    t
      .select({ serial: seals.serial, state: seals.state, validFrom: seals.validFrom, validUntil: seals.validUntil })
      .from(seals)
      .where(eq(seals.submissionId, s.id))
      .get() ?? null;
  // Its verdict now (revoked, suspended, expired, superseded...), not only that it was issued.
  const seal = sealRow && {
    ...sealRow,
    verdict: sealVerdictOf(sealRow, new Date(nowMs())).verdict,
    // A public advisory affecting its firmware, fixed in another: "update required", as buyers see it.
    updateRequired: updateRequiredBySerial([sealRow.serial], t).get(sealRow.serial) ?? null,
  };
  const recert = recertificationContext(t, s);
  const marks = carryMarks(t, s.id);
  const canSubmit = editableScope(s.status) !== "none"; // a draft, or changes requested: it will be submitted
  const levelTitle = cv.levels.find((l) => l.id === s.targetLevel)?.title ?? s.targetLevel;
  const notImplemented = mandatoryClaimedNotImplemented(
    reqs.map((r) => ({ ref: r.ref, applicability: r.applicability, claim: facts.get(r.ref)?.claim ?? null })),
  );
  return {
    submission: s,
    seal,
    /** While it can still be submitted: the product's support period has ended, so no seal could be issued (null: fine). */
    supportEnded: canSubmit ? supportProblemOf(t, s) : null,
    /**
     * While it can still be submitted: the mandatory requirements claimed not implemented, and the
     * warning that, as answered, the assessment cannot approve it at this level (null: none).
     */
    notImplemented:
      canSubmit && notImplemented.length
        ? { refs: notImplemented, warning: notImplementedWarning(notImplemented, levelTitle)! }
        : null,
    /**
     * What opening it carried across through the crosswalk (null: the supplier did not ask), while it
     * still matters: until the submission is sent (a draft), and "nothing was carried across" only
     * until a first answer is saved.
     */
    carriedAcross:
      s.status === "draft" && !(s.carriedAcross?.answers === 0 && progress.answered > 0) ? carryNoticeOf(t, s) : null,
    recertification: recert && {
      serial: recert.seal.serial,
      /** The seal's verdict now, in words, with its public reason (revoked or expired since: nothing carries over). */
      sealVerdict: recert.seal.verdict,
      sealVerdictLabel: recert.seal.verdictLabel,
      sealReason: recert.seal.reason,
      sourceEnded: recert.sourceEnded,
      fromFirmware: recert.seal.firmware,
      changeSummary: recert.changeSummary,
      toReview: recert.delta.toReview.length,
      carried: recert.delta.carried.length,
      /** Requirements still holding the certified firmware's SBOM: the supplier replaces it with this firmware's. */
      sbomRefs: recert.sbomRefs,
      canMark: s.status === "draft",
    },
    feedback: { decision: feedback.decision, sentBack: [...feedback.byRef].map(([ref, f]) => ({ ref, ...f })) },
    header,
    checklist: {
      id: cv.checklistId,
      version: cv.version,
      title: cv.title,
      /** Title and version in words: no slug, no repeated version, "-r1" explained. */
      label: checklistLabelFor({ id: cv.checklistId, version: cv.version, title: cv.title }),
      contentHash: cv.contentHash,
      levelTitle,
    },
    progress,
    transitions: availableTransitions(s.status, actor.role),
    canDelete: canDelete(s.status),
    sections: sections
      .map((sec) => ({
        ref: sec.ref,
        title: sec.title,
        requirements: reqs
          .filter((r) => r.sectionRef === sec.ref)
          .map((r) => ({
            ref: r.ref,
            title: r.title,
            text: r.text,
            applicability: r.applicability,
            condition: r.condition,
            evidenceHint: r.evidenceHint,
            answer: facts.get(r.ref) ?? { ...EMPTY_ANSWER, revision: 0 },
            evidence: links.filter((l) => l.requirementRef === r.ref),
            problems: blockersByRef.get(r.ref) ?? [],
            editable: editable === "all" || editable.has(r.ref),
            assessorComment: feedback.byRef.get(r.ref) ?? null,
            // A re-certification: why the assessor will review it again (empty: its certified verdict carries over).
            delta: recert ? (recert.reasonsByRef.get(r.ref) ?? []).map(describeReason) : null,
            changeMark: recert?.marks.get(r.ref) ?? null,
            // Pre-filled through the crosswalk: marked until the supplier saves it or an assessor gives a verdict.
            carriedFrom: marks.has(r.ref) ? describeMark(marks.get(r.ref)!) : null,
          })),
      }))
      .filter((sec) => sec.requirements.length > 0),
  };
}

export function evidenceOf(tx: Pick<Tx, "select">, submissionId: string) {
  return tx
    .select({
      id: evidenceLinks.id,
      requirementRef: evidenceLinks.requirementRef,
      sha256: evidenceLinks.sha256,
      originalName: evidenceLinks.originalName,
      linkedAt: evidenceLinks.linkedAt,
      size: evidenceFiles.size,
      mediaType: evidenceFiles.mediaType,
      carriedFrom: evidenceLinks.carriedFrom,
    })
    .from(evidenceLinks)
    .innerJoin(evidenceFiles, eq(evidenceFiles.sha256, evidenceLinks.sha256))
    .where(eq(evidenceLinks.submissionId, submissionId))
    .orderBy(asc(evidenceLinks.linkedAt))
    .all();
}

/** A single requirement's page: its facts, answer, evidence, problems, and neighbours for "save and next". */
export function requirementView(actor: Actor, id: string, ref: string) {
  const view = submissionView(actor, id);
  const flat = view.sections.flatMap((s) =>
    s.requirements.map((r) => ({ ...r, sectionRef: s.ref, sectionTitle: s.title })),
  );
  const index = flat.findIndex((r) => r.ref === ref);
  if (index < 0) throw new ServiceError("not_found", `Requirement ${ref} is not part of this submission.`);
  const nextOpen =
    flat.slice(index + 1).find((r) => r.problems.length) ??
    flat.find((r, i) => i !== index && r.problems.length) ??
    null;
  const reusable = uniqueFiles(evidenceOrgFiles(actor.organizationId)).filter(
    (f) => !flat[index].evidence.some((e) => e.sha256 === f.sha256),
  );
  return {
    ...view,
    requirement: flat[index],
    position: { index: index + 1, total: flat.length },
    previousRef: flat[index - 1]?.ref ?? null,
    nextRef: flat[index + 1]?.ref ?? null,
    nextOpenRef: nextOpen?.ref ?? null,
    reusable,
    // As the submission's progress has them (a requirement sent back and not touched since included).
    answerProblems: flat[index].problems,
  };
}

/** Files already uploaded by this organisation (any of its submissions), newest first. */
function evidenceOrgFiles(organizationId: string) {
  return db()
    .select({
      sha256: evidenceLinks.sha256,
      originalName: evidenceLinks.originalName,
      size: evidenceFiles.size,
      mediaType: evidenceFiles.mediaType,
      linkedAt: evidenceLinks.linkedAt,
    })
    .from(evidenceLinks)
    .innerJoin(submissions, eq(submissions.id, evidenceLinks.submissionId))
    .innerJoin(evidenceFiles, eq(evidenceFiles.sha256, evidenceLinks.sha256))
    .where(eq(submissions.organizationId, organizationId))
    .orderBy(desc(evidenceLinks.linkedAt))
    .all();
}

function uniqueFiles<T extends { sha256: string }>(rows: T[]): T[] {
  const seen = new Set<string>();
  return rows.filter((r) => (seen.has(r.sha256) ? false : (seen.add(r.sha256), true)));
}
