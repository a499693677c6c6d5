/**
 * Delta re-certification of a new firmware version from a product's current seal: the answers and
 * evidence carry over, the supplier marks what the new firmware changed, and at submission the
 * certified verdicts of every unchanged requirement carry over too, so the assessor re-reviews
 * only what changed (see app/features/certification/domain/recertification.ts for the rules). Its approval issues the
 * new seal, supersedes the old one through the seal-status service and certifies the fixes of
 * the findings that the new firmware was declared to fix.
 */
import { and, asc, desc, eq, inArray, ne } from "drizzle-orm";
import { z } from "zod";
import {
  answers,
  evidenceLinks,
  findings,
  findingUpdates,
  findingVersions,
  products,
  productVersions,
  requirements,
  sbomDocuments,
  sealEvents,
  seals,
  submissionChanges,
  submissions,
  users,
  verdicts,
} from "../../../db/schema";
import { nowMs } from "../../platform/clock.server";
import { changedFields, type ComparedField } from "../catalogue/domain/checklist/diff";
import { isOpen as isOpenFinding } from "../findings/domain/findings";
import {
  canDelete,
  checkTransition,
  isOpen,
  SUBMISSION_STATUS_LABELS,
  type SubmissionStatus,
} from "./domain/submission-state";
import {
  certificationEnded,
  recertificationDelta,
  recertificationOrderProblem,
  recertificationProblem,
  refsNamedFor,
  type CertificationEnded,
  type CertifiedRequirement,
  type Delta,
  type DeltaReason,
  type VersionFacts,
} from "./domain/recertification";
import { isMet } from "./domain/review";
import { sealVerdictOf, VERDICT_LABELS, type SealVerdict } from "../trust/domain/verdict";
import type { Actor, AnyActor } from "../../platform/actor";
import { recordAudit } from "../../platform/audit.server";
import { assertCan, assertSameOrganization } from "../../platform/authorize.server";
import { db, transaction, type Tx } from "../../platform/db.server";
import { noteDisclosureIn } from "../findings/disclosure.server";
import { ServiceError } from "../../platform/errors.server";
import type { changeMarkInput, recertificationInput } from "./forms";
import { applySealAction, resupersedeLostSuccessor } from "../trust/seal-status.server";
import {
  continuingChecklistVersion,
  copyAnswersAndEvidence,
  loadSubmission,
  checklistVerdictModel,
  openSubmissionTx,
  requirementsInScope,
  type SubmissionRow,
} from "./submission-records.server";

type Reader = Pick<Tx, "select">;

const sealOf = (t: Reader, serial: string) => t.select().from(seals).where(eq(seals.serial, serial)).get();

const OPEN_SUBMISSION = ["draft", "submitted", "in_review", "changes_requested"] as const;

type VersionRow = VersionFacts & { id: string; productId: string };

/** The columns of a VersionRow. */
const VERSION_COLUMNS = {
  id: productVersions.id,
  productId: productVersions.productId,
  firmware: productVersions.firmwareVersion,
  hardware: productVersions.hardwareRevision,
  createdAt: productVersions.createdAt,
};

const versionFacts = (t: Reader, id: string): VersionRow | undefined =>
  t.select(VERSION_COLUMNS).from(productVersions).where(eq(productVersions.id, id)).get();

/**
 * Why the version `to` cannot be re-certified from a seal of the version `from` of the same product
 * (null: it can). One rule for the product page's choices and for startRecertification:
 *  - not the certified version itself, and newer firmware of the same hardware revision
 *    (recertificationOrderProblem);
 *  - no seal of its own that is not revoked, and no open submission;
 *  - no vulnerability report lists it as affected without being fixed in it: such firmware is
 *    refused (nothing may carry over to it), and goes through a full assessment instead.
 */
export function recertificationTargetProblem(
  t: Reader,
  from: VersionRow,
  to: VersionRow,
): { code: "invalid" | "conflict"; message: string } | null {
  if (to.id === from.id)
    return { code: "invalid", message: "This is the certified version itself; add the new firmware version first." };
  const order = recertificationOrderProblem(from, to);
  if (order) return { code: "invalid", message: order };
  const sealed = t
    .select({ serial: seals.serial })
    .from(seals)
    .where(and(eq(seals.productVersionId, to.id), ne(seals.state, "revoked")))
    .get();
  if (sealed) return { code: "conflict", message: `Firmware ${to.firmware} already has a seal (${sealed.serial}).` };
  const busy = t
    .select({ id: submissions.id })
    .from(submissions)
    .where(and(eq(submissions.productVersionId, to.id), inArray(submissions.status, [...OPEN_SUBMISSION])))
    .get();
  if (busy)
    return {
      code: "conflict",
      message: `Firmware ${to.firmware} already has an open submission: continue that one, or withdraw it first.`,
    };
  const affecting = t
    .select({ title: findings.title, status: findings.status, fixedIn: findings.fixedInVersion })
    .from(findingVersions)
    .innerJoin(findings, eq(findings.id, findingVersions.findingId))
    .where(and(eq(findingVersions.productVersionId, to.id), ne(findings.status, "withdrawn")))
    .all()
    .filter(
      (f) => !((f.status === "fixed" || f.status === "verified_fixed") && f.fixedIn?.trim() === to.firmware.trim()),
    );
  if (affecting.length) {
    const named = affecting
      .slice(0, 3)
      .map((f) => `"${f.title}"`)
      .join(", ");
    const reports = affecting.length === 1 ? "a vulnerability report" : `${affecting.length} vulnerability reports`;
    return {
      code: "conflict",
      message: `Firmware ${to.firmware} is listed as affected by ${reports} not fixed in it (${named}${affecting.length > 3 ? ", …" : ""}), so no certified verdict may carry over to it. Submit ${to.firmware} for a full assessment, where every requirement is reviewed, or re-certify the firmware that fixes ${affecting.length === 1 ? "it" : "them"}.`,
    };
  }
  return null;
}

/**
 * Opens a re-certification of `productVersionId` (a newer firmware of the same product) from the
 * seal `serial`: same checklist (or its newest published version if retired) and level, the
 * certified answers and evidence copied in.
 */
export function startRecertification(actor: Actor, input: z.infer<typeof recertificationInput>): string {
  assertCan(actor, "supplier.workspace");
  return transaction((tx) => {
    const seal = sealOf(tx, input.serial.toUpperCase());
    if (!seal || seal.organizationId !== actor.organizationId)
      throw new ServiceError("not_found", "None of your seals has this serial.", {
        serial: "None of your seals has this serial.",
      });
    const problem = recertificationProblem(seal, new Date(nowMs()));
    if (problem) throw new ServiceError("conflict", problem, { serial: problem });
    const from = versionFacts(tx, seal.productVersionId)!;
    const to = versionFacts(tx, input.productVersionId);
    if (!to || to.productId !== from.productId)
      throw new ServiceError("invalid", "Choose a version of the same product.", {
        productVersionId: "Choose a version of the same product.",
      });
    const open = tx
      .select({ fw: productVersions.firmwareVersion, status: submissions.status })
      .from(submissions)
      .innerJoin(productVersions, eq(productVersions.id, submissions.productVersionId))
      .where(and(eq(submissions.recertifiesSerial, seal.serial), inArray(submissions.status, [...OPEN_SUBMISSION])))
      .get();
    if (open)
      throw new ServiceError("conflict", openRecertificationRefusal(open.fw, open.status), {
        serial: "A re-certification from this seal is already open.",
      });
    const refused = recertificationTargetProblem(tx, from, to);
    if (refused) throw new ServiceError(refused.code, refused.message, { productVersionId: refused.message });
    const previous = loadSubmission(tx, seal.submissionId);
    const cv = continuingChecklistVersion(tx, previous.checklistVersionId);
    const id = openSubmissionTx(tx, actor, {
      productVersionId: input.productVersionId,
      target: { checklistVersionId: cv.id, targetLevel: previous.targetLevel },
    });
    tx.update(submissions)
      .set({ recertifiesSerial: seal.serial, changeSummary: input.changeSummary })
      .where(eq(submissions.id, id))
      .run();
    const copied = copyAnswersAndEvidence(tx, actor, previous.id, id, cv.id, previous.targetLevel);
    recordAudit(tx, actor, {
      action: "submission.recertification_started",
      target: { type: "submission", id },
      details: { seal: seal.serial, from: from.firmware, to: to.firmware, checklist: cv.id, answersCopied: copied },
    });
    return id;
  });
}

/**
 * Why a second re-certification from a seal is refused while one is open (one seal replaces it),
 * with what the supplier can do about the open one in its status: what the state machine allows
 * (delete a draft, withdraw it on the supplier's turn, or wait for the assessor reviewing it).
 */
export function openRecertificationRefusal(firmware: string, status: SubmissionStatus): string {
  const open = `A re-certification of firmware ${firmware} from this seal is already open (${SUBMISSION_STATUS_LABELS[status].toLowerCase()}), and only one re-certification can replace a seal.`;
  if (canDelete(status)) return `${open} Continue that draft, or delete it to start another.`;
  if (checkTransition("withdraw", status, "supplier").ok)
    return status === "changes_requested"
      ? `${open} Change what the assessor sent back and resubmit it, or withdraw it to start another.`
      : `${open} Wait for the assessor's decision, or withdraw it to start another.`;
  return `${open} An assessor is reviewing it, so it cannot be withdrawn now: wait for their decision.`;
}

/** The supplier marks (or unmarks) one requirement as changed by the new firmware; only in a draft re-certification. */
export function markRequirementChanged(
  actor: Actor,
  submissionId: string,
  ref: string,
  input: z.infer<typeof changeMarkInput>,
): void {
  assertCan(actor, "supplier.workspace");
  transaction((tx) => {
    const s = loadSubmission(tx, submissionId);
    assertSameOrganization(actor, s.organizationId);
    if (!s.recertifiesSerial)
      throw new ServiceError("invalid", "Only a re-certification has requirements marked as changed.");
    if (s.status !== "draft")
      throw new ServiceError("conflict", "What changed is fixed once the re-certification is submitted.");
    if (!requirementsInScope(tx, s.checklistVersionId, s.targetLevel).some((r) => r.ref === ref))
      throw new ServiceError("invalid", `Requirement ${ref} is not part of this submission.`);
    const where = and(eq(submissionChanges.submissionId, s.id), eq(submissionChanges.requirementRef, ref));
    if (input.changed) {
      if (input.note.length < 5)
        throw new ServiceError("invalid", "Say what changed for this requirement (at least 5 characters).", {
          note: "Say what changed (at least 5 characters).",
        });
      const values = { note: input.note, markedBy: actor.userId, markedAt: new Date(nowMs()) };
      tx.insert(submissionChanges)
        .values({ submissionId: s.id, requirementRef: ref, ...values })
        .onConflictDoUpdate({ target: [submissionChanges.submissionId, submissionChanges.requirementRef], set: values })
        .run();
    } else {
      tx.delete(submissionChanges).where(where).run();
    }
    recordAudit(tx, actor, {
      action: input.changed ? "submission.requirement_marked_changed" : "submission.requirement_unmarked",
      target: { type: "submission", id: s.id },
      details: { ref, note: input.note },
    });
  });
}

/** What was certified, per requirement: answers, evidence hashes and the verdict that met it. */
function certifiedRequirements(t: Reader, certified: SubmissionRow): Map<string, CertifiedRequirement> {
  const answerRows = t.select().from(answers).where(eq(answers.submissionId, certified.id)).all();
  const evidence = t
    .select({ ref: evidenceLinks.requirementRef, sha: evidenceLinks.sha256 })
    .from(evidenceLinks)
    .where(eq(evidenceLinks.submissionId, certified.id))
    .all();
  const latest = new Map<string, typeof verdicts.$inferSelect>();
  for (const v of t
    .select()
    .from(verdicts)
    .where(eq(verdicts.submissionId, certified.id))
    .orderBy(asc(verdicts.id))
    .all())
    latest.set(v.requirementRef, v);
  const out = new Map<string, CertifiedRequirement>();
  const verdictModel = checklistVerdictModel(t, certified.checklistVersionId);
  for (const r of requirementsInScope(t, certified.checklistVersionId, certified.targetLevel)) {
    const a = answerRows.find((x) => x.requirementRef === r.ref) ?? null;
    const v = latest.get(r.ref);
    const met =
      v &&
      isMet(
        {
          ref: r.ref,
          sectionRef: r.sectionRef,
          applicability: r.applicability,
          condition: r.condition,
          claim: a?.claim ?? null,
          verdictModel,
        },
        v,
      );
    out.set(r.ref, {
      answer: a,
      evidence: evidence.filter((e) => e.ref === r.ref).map((e) => e.sha),
      metVerdictId: met ? v.id : null,
    });
  }
  return out;
}

/** Open findings of the certified or the new version that name requirements of this checklist: ref -> finding ids. */
function findingsByRef(
  t: Reader,
  s: SubmissionRow,
  certifiedVersionId: string,
  checklistId: string,
): Map<string, string[]> {
  const rows = t
    .select({ id: findings.id, status: findings.status, refs: findings.requirementRefs })
    .from(findingVersions)
    .innerJoin(findings, eq(findings.id, findingVersions.findingId))
    .where(inArray(findingVersions.productVersionId, [certifiedVersionId, s.productVersionId]))
    .all();
  const out = new Map<string, string[]>();
  for (const f of rows) {
    if (!isOpenFinding(f.status)) continue;
    for (const ref of refsNamedFor(checklistId, f.refs)) {
      const list = out.get(ref) ?? [];
      if (!list.includes(f.id)) list.push(f.id);
      out.set(ref, list);
    }
  }
  return out;
}

/** Requirements whose own text changed between the certified and the current checklist version. */
function changedBetweenVersions(t: Reader, fromVersionId: string, toVersionId: string): Map<string, ComparedField[]> {
  const out = new Map<string, ComparedField[]>();
  if (fromVersionId === toVersionId) return out;
  const facts = (versionId: string) =>
    new Map(
      t
        .select()
        .from(requirements)
        .where(eq(requirements.versionId, versionId))
        .all()
        .map((r) => [
          r.ref,
          {
            ref: r.ref,
            sectionRef: r.sectionRef,
            sectionTitle: "",
            title: r.title,
            text: r.text,
            applies: r.applies,
            condition: r.condition,
          },
        ]),
    );
  const before = facts(fromVersionId);
  for (const [ref, after] of facts(toVersionId)) {
    const old = before.get(ref);
    const fields = old ? changedFields(old, after) : [];
    if (fields.length) out.set(ref, fields);
  }
  return out;
}

export interface RecertificationContext {
  seal: {
    serial: string;
    state: string;
    /** Its verdict now (valid, suspended, expired, revoked, superseded), in words too, with the public reason recorded. */
    verdict: SealVerdict;
    verdictLabel: string;
    reason: string | null;
    validUntil: Date;
    firmware: string;
    hardware: string;
    submissionId: string;
  };
  /**
   * The seal's certification ended (revoked, or expired) while this re-certification is still open:
   * its verdicts no longer carry over and every requirement is reviewed again (null: it stands).
   */
  sourceEnded: { ended: CertificationEnded; at: Date } | null;
  changeSummary: string;
  delta: Delta;
  reasonsByRef: Map<string, DeltaReason[]>;
  marks: Map<string, string>;
  /** Requirements whose evidence still holds the certified firmware's SBOM (to be replaced by this firmware's). */
  sbomRefs: string[];
  /** The certified verdict of each requirement, for showing beside the new review. */
  certifiedVerdicts: Map<
    string,
    { verdict: string; comment: string; accepted: boolean; assessorName: string; createdAt: Date }
  >;
}

/** When the seal's certification ended: its revocation's event, or its validUntil. */
function endedAt(t: Reader, seal: typeof seals.$inferSelect, ended: CertificationEnded): Date {
  if (ended === "expired") return seal.validUntil;
  return (
    t
      .select({ at: sealEvents.at })
      .from(sealEvents)
      .where(and(eq(sealEvents.serial, seal.serial), eq(sealEvents.kind, "revoked")))
      .orderBy(desc(sealEvents.id))
      .get()?.at ?? seal.validUntil
  );
}

/** The delta of a re-certification as it stands now (null for a full assessment). */
export function recertificationContext(t: Reader, s: SubmissionRow): RecertificationContext | null {
  if (!s.recertifiesSerial) return null;
  const seal = sealOf(t, s.recertifiesSerial);
  if (!seal) return null;
  const now = new Date(nowMs());
  const certified = loadSubmission(t, seal.submissionId);
  const version = t
    .select({ firmware: productVersions.firmwareVersion, hardware: productVersions.hardwareRevision })
    .from(productVersions)
    .where(eq(productVersions.id, seal.productVersionId))
    .get()!;
  const checklistId = s.checklistVersionId.split("@")[0];
  const marks = new Map(
    t
      .select()
      .from(submissionChanges)
      .where(eq(submissionChanges.submissionId, s.id))
      .all()
      .map((m) => [m.requirementRef, m.note]),
  );
  const currentAnswers = new Map(
    t
      .select()
      .from(answers)
      .where(eq(answers.submissionId, s.id))
      .all()
      .map((a) => [a.requirementRef, a]),
  );
  const currentEvidence = t
    .select({ ref: evidenceLinks.requirementRef, sha: evidenceLinks.sha256 })
    .from(evidenceLinks)
    .where(eq(evidenceLinks.submissionId, s.id))
    .all();
  const shas = [...new Set(currentEvidence.map((e) => e.sha))];
  const sboms = new Set(
    shas.length
      ? t
          .select({ sha: sbomDocuments.sha256 })
          .from(sbomDocuments)
          .where(inArray(sbomDocuments.sha256, shas))
          .all()
          .map((r) => r.sha)
      : [],
  );
  // Decided once the submission is approved or rejected: what carried over then stays as it was.
  const ended = isOpen(s.status) ? certificationEnded(seal, now) : null;
  const delta = recertificationDelta({
    current: requirementsInScope(t, s.checklistVersionId, s.targetLevel).map((r) => ({
      ref: r.ref,
      answer: currentAnswers.get(r.ref) ?? null,
      evidence: currentEvidence.filter((e) => e.ref === r.ref).map((e) => e.sha),
    })),
    certified: certifiedRequirements(t, certified),
    changedRequirements: changedBetweenVersions(t, certified.checklistVersionId, s.checklistVersionId),
    marked: marks,
    findings: findingsByRef(t, s, seal.productVersionId, checklistId),
    sboms,
    sourceEnded: ended,
  });
  const verdictRows = t
    .select({ v: verdicts, name: users.name })
    .from(verdicts)
    .innerJoin(users, eq(users.id, verdicts.assessorId))
    .where(eq(verdicts.submissionId, certified.id))
    .orderBy(asc(verdicts.id))
    .all();
  const certifiedVerdicts = new Map(
    verdictRows.map((r) => [
      r.v.requirementRef,
      {
        verdict: r.v.verdict,
        comment: r.v.comment,
        accepted: r.v.accepted,
        assessorName: r.name,
        createdAt: r.v.createdAt,
      },
    ]),
  );
  // The public reason recorded with its state (a revocation's, a suspension's), as its public page shows it.
  const stateReason =
    seal.state === "active"
      ? null
      : (t
          .select({ reason: sealEvents.reason })
          .from(sealEvents)
          .where(and(eq(sealEvents.serial, seal.serial), eq(sealEvents.kind, seal.state)))
          .orderBy(desc(sealEvents.id))
          .get()?.reason ?? null);
  const verdict = sealVerdictOf({ ...seal, stateReason }, now);
  return {
    seal: {
      serial: seal.serial,
      state: seal.state,
      verdict: verdict.verdict,
      verdictLabel: VERDICT_LABELS[verdict.verdict],
      reason: verdict.reason ?? null,
      validUntil: seal.validUntil,
      firmware: version.firmware,
      hardware: version.hardware,
      submissionId: seal.submissionId,
    },
    sourceEnded: ended && { ended, at: endedAt(t, seal, ended) },
    changeSummary: s.changeSummary,
    delta,
    reasonsByRef: new Map(delta.toReview.map((d) => [d.ref, d.reasons])),
    marks,
    sbomRefs: delta.toReview
      .filter((d) => d.reasons.some((r) => r.kind === "sbom_of_certified_firmware"))
      .map((d) => d.ref),
    certifiedVerdicts,
  };
}

/** What submitting a re-certification did: how many certified verdicts carried over, or why none did. */
export interface CarryOver {
  serial: string;
  carried: number;
  toReview: number;
  /** The seal's certification ended after the re-certification was opened: nothing carried, everything is reviewed. */
  sourceEnded: CertificationEnded | null;
}

/**
 * At first submission: the certified verdicts of the unchanged requirements carry over into the
 * re-certification (append-only rows pointing at the verdict they copy, with its assessor). When the
 * seal it started from was revoked or has expired since it was opened, none does: the submission
 * goes to the assessor as a full assessment (answers and evidence as the supplier left them, every
 * requirement reviewed), still linked to that seal so the fixes it carries can be certified.
 */
export function carryOverVerdicts(tx: Tx, actor: Actor, s: SubmissionRow): CarryOver | null {
  if (!s.recertifiesSerial || s.firstSubmittedAt) return null;
  const ctx = recertificationContext(tx, s);
  if (!ctx) return null;
  const at = new Date(nowMs());
  const ids = ctx.delta.carried.map((c) => c.verdictId);
  const originals = ids.length
    ? new Map(
        tx
          .select()
          .from(verdicts)
          .where(inArray(verdicts.id, ids))
          .all()
          .map((v) => [v.id, v]),
      )
    : new Map();
  for (const c of ctx.delta.carried) {
    const v = originals.get(c.verdictId)!;
    tx.insert(verdicts)
      .values({
        submissionId: s.id,
        requirementRef: c.ref,
        verdict: v.verdict,
        comment: v.comment,
        accepted: v.accepted,
        assessorId: v.assessorId,
        createdAt: at,
        carriedFromId: v.id,
      })
      .run();
  }
  const sourceEnded = ctx.sourceEnded?.ended ?? null;
  recordAudit(tx, actor, {
    action: "submission.verdicts_carried_over",
    target: { type: "submission", id: s.id },
    organizationId: s.organizationId,
    details: {
      seal: ctx.seal.serial,
      carried: ctx.delta.carried.length,
      toReview: ctx.delta.toReview.map((d) => d.ref),
      ...(sourceEnded ? { sourceEnded } : {}),
    },
  });
  return {
    serial: ctx.seal.serial,
    carried: ctx.delta.carried.length,
    toReview: ctx.delta.toReview.length,
    sourceEnded,
  };
}

/**
 * Why an approval of this re-certification cannot be confirmed now (null: nothing in the way): the
 * seal it started from was revoked or has expired since, and some requirement still stands on a
 * verdict carried over from that seal's assessment. The confirmation checks it again inside its
 * transaction, so a revocation recorded after the proposal is never approved on carried verdicts.
 */
export function endedSourceProblem(
  t: Reader,
  s: SubmissionRow,
  latest: ReadonlyMap<string, { carriedFromId: number | null }>,
): string | null {
  const ctx = recertificationContext(t, s);
  if (!ctx?.sourceEnded) return null;
  const stale = [...latest].filter(([, v]) => v.carriedFromId != null).map(([ref]) => ref);
  if (!stale.length) return null;
  const what = ctx.sourceEnded.ended === "revoked" ? "was revoked" : "has expired";
  return `Seal ${ctx.seal.serial}, which this re-certification started from, ${what} since, so the verdicts carried over from its assessment no longer count: ${stale.length} requirement${stale.length === 1 ? "" : "s"} (${stale.slice(0, 5).join(", ")}${stale.length > 5 ? ", …" : ""}) must be reviewed again before approval. Send the proposal back to the reviewing assessor.`;
}

/**
 * Inside the approving transaction of a re-certification, after the new seal is recorded: the
 * old seal is superseded by the new one, and every finding of the old version that the supplier
 * marked fixed in the new firmware is verified fixed (the approval certified the fix).
 */
export function completeRecertification(tx: Tx, actor: AnyActor, s: SubmissionRow, newSerial: string): number {
  if (!s.recertifiesSerial) return 0;
  const old = sealOf(tx, s.recertifiesSerial);
  if (!old) return 0;
  const firmware = tx
    .select({ fw: productVersions.firmwareVersion })
    .from(productVersions)
    .where(eq(productVersions.id, s.productVersionId))
    .get()!.fw;
  // The seal in force in this line of certifications: the one it started from, or (if another
  // re-certification replaced that meanwhile) the newest that replaced it. One seal stays current.
  let current = old;
  for (let hops = 0; current.state === "superseded" && current.supersededBy && hops < 50; hops++) {
    const next = sealOf(tx, current.supersededBy);
    if (!next) break; // replaced by a seal this database lost (a lost seal, revoked by log:recover)
    current = next;
  }
  const reason = `Replaced by seal ${newSerial}, the re-certification of firmware ${firmware}.`;
  if (current.serial !== newSerial && (current.state === "active" || current.state === "suspended")) {
    applySealAction(tx, actor, {
      serial: current.serial,
      action: "supersede",
      reason,
      supersededBy: newSerial,
      cause: `recertification:${s.id}`,
    });
  } else if (current.serial !== newSerial && current.state === "superseded")
    // Its successor was lost and revoked: this re-certification's seal replaces it now. (A revoked
    // seal stays revoked: nothing replaces it; the re-certification was reviewed in full.)
    resupersedeLostSuccessor(tx, actor, {
      serial: current.serial,
      supersededBy: newSerial,
      reason: `${reason} (Seal ${current.supersededBy}, which replaced it first, was lost in a database restore and revoked.)`,
      cause: `recertification:${s.id}`,
    });
  const fixed = fixedIn(tx, old.productVersionId, firmware);
  const at = new Date(nowMs());
  const label = "system" in actor ? `system:${actor.system}` : actor.email;
  for (const f of fixed) {
    tx.update(findings)
      .set({ status: "verified_fixed", verifiedAt: at, updatedAt: at, version: f.version + 1 })
      .where(eq(findings.id, f.id))
      .run();
    tx.insert(findingUpdates)
      .values({
        findingId: f.id,
        kind: "verified_fixed",
        note: `Fix certified by the re-certification of firmware ${firmware} (seal ${newSerial}).`,
        fixedInVersion: firmware,
        actorId: "system" in actor ? null : actor.userId,
        actorLabel: label,
        at,
      })
      .run();
    recordAudit(tx, actor, {
      action: "finding.verified_fixed",
      target: { type: "finding", id: f.id },
      organizationId: f.organizationId,
      details: { from: "fixed", to: "verified_fixed", seal: newSerial },
    });
    noteDisclosureIn(tx, { system: "disclosure" }, f.id); // the certified fix makes its advisory public
  }
  return fixed.length;
}

/** The findings a re-certification's approval would certify as fixed (shown to the assessors before they approve). */
export function fixesCertifiedBy(t: Reader, s: SubmissionRow): { id: string; title: string }[] {
  if (!s.recertifiesSerial) return [];
  const old = sealOf(t, s.recertifiesSerial);
  if (!old) return [];
  const firmware = t
    .select({ fw: productVersions.firmwareVersion })
    .from(productVersions)
    .where(eq(productVersions.id, s.productVersionId))
    .get()!.fw;
  return fixedIn(t, old.productVersionId, firmware).map((f) => ({ id: f.id, title: f.title }));
}

/** The findings of the certified version that the supplier marked fixed in `firmware` (the re-certification's approval certifies them). */
function fixedIn(t: Reader, certifiedVersionId: string, firmware: string) {
  return t
    .select({
      id: findings.id,
      title: findings.title,
      version: findings.version,
      organizationId: findings.organizationId,
    })
    .from(findingVersions)
    .innerJoin(findings, eq(findings.id, findingVersions.findingId))
    .where(
      and(
        eq(findingVersions.productVersionId, certifiedVersionId),
        eq(findings.status, "fixed"),
        eq(findings.fixedInVersion, firmware),
      ),
    )
    .all();
}

/**
 * For the product page: the seals a version could be re-certified from (current, not expired, no
 * re-certification from it open), per version that recertificationTargetProblem allows from that
 * seal's version (newer firmware of the same hardware revision, no seal or open submission of its
 * own, no report listing it as affected and not fixed in it).
 */
export function recertificationChoices(actor: Actor, productId: string) {
  assertCan(actor, "supplier.workspace");
  const t = db();
  const product = t.select({ org: products.organizationId }).from(products).where(eq(products.id, productId)).get();
  if (!product) throw new ServiceError("not_found", "There is no such product.");
  assertSameOrganization(actor, product.org);
  const now = new Date(nowMs());
  const current = t
    .select({
      serial: seals.serial,
      state: seals.state,
      validUntil: seals.validUntil,
      productVersionId: seals.productVersionId,
      firmware: productVersions.firmwareVersion,
    })
    .from(seals)
    .innerJoin(productVersions, eq(productVersions.id, seals.productVersionId))
    .where(and(eq(productVersions.productId, productId), inArray(seals.state, ["active", "suspended"])))
    .all()
    .filter((r) => recertificationProblem(r, now) === null)
    // One re-certification at a time from a seal, so exactly one seal replaces it.
    .filter(
      (r) =>
        !t
          .select({ id: submissions.id })
          .from(submissions)
          .where(and(eq(submissions.recertifiesSerial, r.serial), inArray(submissions.status, [...OPEN_SUBMISSION])))
          .get(),
    );
  const versions = t
    .select(VERSION_COLUMNS)
    .from(productVersions)
    .where(eq(productVersions.productId, productId))
    .all();
  const byId = new Map(versions.map((v) => [v.id, v]));
  const out: Record<string, { serial: string; firmware: string; state: string }[]> = {};
  for (const v of versions) {
    const from = current
      .filter((c) => recertificationTargetProblem(t, byId.get(c.productVersionId)!, v) === null)
      .map((c) => ({ serial: c.serial, firmware: c.firmware, state: c.state }));
    if (from.length) out[v.id] = from;
  }
  return out;
}
