/**
 * Recurring evidence (continuous monitoring): after a seal is issued, each recurring requirement
 * of it needs fresh accepted evidence on schedule (see recurring-schedule.server.ts for where each
 * stands). The supplier uploads fresh evidence for one requirement with a note (the same upload
 * rules as submissions: streamed, size-limited, type sniffed from the bytes, stored once by its
 * SHA-256); an assessor without a conflict of interest accepts it or rejects it with a comment.
 * Accepted evidence moves the due date and, if the seal was suspended only because evidence was
 * overdue, reinstates it in the same transaction. Every change writes the audit log.
 */
import crypto from "node:crypto";
import type { Readable } from "node:stream";
import { and, asc, desc, eq, inArray } from "drizzle-orm";
import { z } from "zod";
import {
  checklistVersions,
  evidenceFiles,
  evidenceLinks,
  organizations,
  products,
  productVersions,
  recurringEvidence,
  requirements,
  seals,
  submissions,
  users,
} from "../../../db/schema";
import { nowMs } from "../../platform/clock.server";
import { formatDate } from "../../platform/format";
import { checklistShortName } from "../catalogue/domain/checklist/crosswalk";
import { fileNameForMessage, fileNameProblem, sniffMediaType } from "../certification/domain/evidence-type";
import { consequenceWords, DUE_SOON_DAYS } from "./domain/recurring";
import { normalizeSerial } from "../trust/domain/serial";
import type { Actor } from "../../platform/actor";
import { recordAudit } from "../../platform/audit.server";
import { assertCan } from "../../platform/authorize.server";
import { decideAutomaticSuspension, suspensionOriginOf } from "./automatic-suspension.server";
import { db, transaction, type Tx } from "../../platform/db.server";
import { ServiceError } from "../../platform/errors.server";
import { emit } from "../../platform/events.server";
import type { recurringDecisionInput, recurringEvidenceInput } from "./forms";
import { assertEvidenceQuota } from "../certification/evidence-quota.server";
import { openStored, store, type UploadedFile } from "../certification/evidence.server";
import { nameEvidenceBytes } from "../certification/evidence-gc.server";
import { isMonitored, monitoringOf, recurringScheduleOf, type RecurringItem } from "./recurring-schedule.server";
import { assertNoConflict, conflictChecker } from "../accounts/conflicts.server";
import { checklistLabelFor } from "../catalogue/checklists.server";

type Reader = Pick<Tx, "select">;

/** How the supplier sees who decided: the certification body, not a named person (as for findings). */
const ASSESSOR_LABEL = "IoT Seal assessor";

const SEAL_COLUMNS = {
  serial: seals.serial,
  state: seals.state,
  organizationId: seals.organizationId,
  submissionId: seals.submissionId,
  productVersionId: seals.productVersionId,
  issuedAt: seals.issuedAt,
  validUntil: seals.validUntil,
  supersededBy: seals.supersededBy,
};
type SealRow = { [K in keyof typeof SEAL_COLUMNS]: (typeof seals.$inferSelect)[K] };

function sealRow(t: Reader, serialInput: string): SealRow | undefined {
  const serial = normalizeSerial(serialInput);
  if (!serial) return undefined;
  return t.select(SEAL_COLUMNS).from(seals).where(eq(seals.serial, serial)).get();
}

/** The supplier's own seal (another organisation's is "not found": its existence is not revealed). */
function ownSeal(t: Reader, actor: Actor, serial: string): SealRow {
  assertCan(actor, "supplier.workspace");
  const seal = sealRow(t, serial);
  if (!seal || seal.organizationId !== actor.organizationId)
    throw new ServiceError("not_found", "None of your seals has this serial.");
  return seal;
}

/**
 * What ended a seal's monitoring ("This seal is revoked"), or null while it is monitored; `successor`
 * is the seal whose recurring evidence is checked instead (it replaced or renewed this one).
 */
function monitoringEnded(t: Reader, seal: SealRow, now: Date): { text: string; successor: string | null } | null {
  if (seal.state === "revoked") return { text: "This seal is revoked", successor: null };
  if (seal.state === "superseded")
    return {
      text: `This seal was replaced by seal ${seal.supersededBy ?? "a newer one"}`,
      successor: seal.supersededBy,
    };
  if (!isMonitored(seal, now)) return { text: `This seal expired on ${formatDate(seal.validUntil)}`, successor: null };
  const { renewedBy } = monitoringOf(t, seal, now);
  if (renewedBy) return { text: `This seal was renewed by seal ${renewedBy}`, successor: renewedBy };
  return null;
}

/** For the supplier: why a seal takes no more recurring evidence, or null while it is monitored. */
function notMonitoredReason(t: Reader, seal: SealRow, now: Date): string | null {
  const ended = monitoringEnded(t, seal, now);
  if (!ended) return null;
  if (ended.successor) return `${ended.text}: send recurring evidence for that seal.`;
  return `${ended.text}: it needs no more recurring evidence.${seal.state === "revoked" ? "" : " Renew it to be certified again."}`;
}

function assertMonitored(t: Reader, seal: SealRow, now: Date): void {
  const why = notMonitoredReason(t, seal, now);
  if (why) throw new ServiceError("conflict", why);
}

function sealHeader(t: Reader, seal: SealRow) {
  const row = t
    .select({
      product: products.name,
      model: products.model,
      productId: products.id,
      firmware: productVersions.firmwareVersion,
      hardware: productVersions.hardwareRevision,
      supplier: organizations.name,
      checklistId: checklistVersions.checklistId,
      checklistVersion: checklistVersions.version,
      checklistTitle: checklistVersions.title,
      level: submissions.targetLevel,
      levels: checklistVersions.levels,
    })
    .from(submissions)
    .innerJoin(productVersions, eq(productVersions.id, submissions.productVersionId))
    .innerJoin(products, eq(products.id, productVersions.productId))
    .innerJoin(organizations, eq(organizations.id, submissions.organizationId))
    .innerJoin(checklistVersions, eq(checklistVersions.id, submissions.checklistVersionId))
    .where(eq(submissions.id, seal.submissionId))
    .get()!;
  const { levels, ...rest } = row;
  return {
    ...rest,
    checklistName: checklistShortName(row.checklistId),
    // "with continuous monitoring" only when the version has recurring requirements (a UK PSTI seal
    // has none: its recurring page says so, and must not claim monitoring in its heading).
    checklistLabel: checklistLabelFor({
      id: row.checklistId,
      title: row.checklistTitle,
      version: row.checklistVersion,
    }),
    levelTitle: levels.find((l) => l.id === row.level)?.title ?? row.level,
    serial: seal.serial,
    state: seal.state,
    issuedAt: seal.issuedAt,
    validUntil: seal.validUntil,
  };
}

// --- Uploading fresh evidence (supplier) -------------------------------------------------------

/**
 * Checked before a byte of an upload is read: the seal is the supplier's own, still monitored
 * (active or suspended, not expired, revoked or superseded), and has recurring requirements.
 */
export function preflightRecurringUpload(actor: Actor, serial: string): void {
  const t = db();
  const seal = ownSeal(t, actor, serial);
  const now = new Date(nowMs());
  assertMonitored(t, seal, now);
  if (!recurringScheduleOf(t, seal, now).items.length)
    throw new ServiceError(
      "conflict",
      "This seal has no recurring requirement: its checklist version asks for no fresh evidence after the seal.",
    );
}

/**
 * Records fresh evidence for one recurring requirement, waiting for an assessor. The file is
 * checked (name, not empty, type sniffed from its bytes) before anything is kept; on any refusal
 * the received file is discarded and nothing changes. One piece of evidence per requirement
 * waits at a time.
 */
export async function submitRecurringEvidence(
  actor: Actor,
  serial: string,
  input: z.infer<typeof recurringEvidenceInput>,
  file: UploadedFile | null,
): Promise<{ id: string; ref: string; sha256: string }> {
  try {
    assertCan(actor, "supplier.workspace");
    if (!file)
      throw new ServiceError("invalid", "Choose the evidence file to upload.", {
        file: "Choose the evidence file to upload.",
      });
    const nameProblem = fileNameProblem(file.originalName);
    if (nameProblem)
      throw new ServiceError("invalid", `${fileNameForMessage(file.originalName)}: ${nameProblem}`, {
        file: nameProblem,
      });
    if (file.received.size === 0)
      throw new ServiceError("invalid", `${file.originalName}: the file is empty.`, { file: "The file is empty." });
    const sniffed = await sniffMediaType(file.received.head, file.received.size <= file.received.head.length);
    if (!sniffed.ok)
      throw new ServiceError("invalid", `${file.originalName}: ${sniffed.message}`, { file: sniffed.message });
    const result = transaction((tx) => {
      const seal = ownSeal(tx, actor, serial);
      const now = new Date(nowMs());
      assertMonitored(tx, seal, now);
      const item = recurringScheduleOf(tx, seal, now).items.find((i) => i.ref === input.ref);
      if (!item)
        throw new ServiceError("invalid", `${input.ref} is not a recurring requirement of this seal.`, {
          ref: "Choose one of this seal's recurring requirements.",
        });
      if (item.pending) {
        throw new ServiceError(
          "conflict",
          `Evidence for ${item.ref} sent on ${formatDate(item.pending.submittedAt)} is waiting for an assessor; send more once it is decided.`,
          {
            ref: "Evidence for this requirement is already waiting for an assessor.",
          },
        );
      }
      assertEvidenceQuota(tx, seal.organizationId, [file.received]); // the organisation's evidence quota (413)
      nameEvidenceBytes(tx, {
        sha256: file.received.sha256,
        size: file.received.size,
        mediaType: sniffed.mediaType,
        createdAt: now,
      });
      const id = crypto.randomUUID();
      tx.insert(recurringEvidence)
        .values({
          id,
          serial: seal.serial,
          organizationId: seal.organizationId,
          requirementRef: item.ref,
          sha256: file.received.sha256,
          originalName: file.originalName,
          note: input.note,
          submittedBy: actor.userId,
          submittedAt: now,
          status: "pending",
        })
        .run();
      recordAudit(tx, actor, {
        action: "recurring_evidence.submitted",
        target: { type: "recurring_evidence", id },
        organizationId: seal.organizationId,
        details: {
          serial: seal.serial,
          ref: item.ref,
          name: file.originalName,
          sha256: file.received.sha256,
          size: file.received.size,
          type: sniffed.mediaType,
          dueAt: item.dueAt.toISOString(),
        },
      });
      emit(tx, "recurring.changed", { evidenceId: id, sealSerial: seal.serial, change: "submitted" }); // the assessors hear it
      return { id, ref: item.ref, sha256: file.received.sha256, serial: seal.serial, org: seal.organizationId };
    });
    try {
      await store().commit(file.received);
    } catch (error) {
      await withdrawUnstored(actor, result, file.originalName);
      throw error;
    }
    return { id: result.id, ref: result.ref, sha256: result.sha256 };
  } catch (error) {
    if (file) await store().discard(file.received);
    throw error;
  }
}

/**
 * Undoes a submission of recurring evidence whose bytes the store failed to take (S3 unreachable
 * after the SDK's retries): the row was written first (decision 027), so without this an assessor
 * would be asked to decide on bytes the store lacks, and the requirement would stay "waiting for an
 * assessor". The assessors' notification of it is taken back (the "withdrawn" event). Its
 * evidence_files row, named by nothing now, goes with the collector.
 */
async function withdrawUnstored(
  actor: Actor,
  r: { id: string; ref: string; sha256: string; serial: string; org: string },
  name: string,
): Promise<void> {
  const stored = await store()
    .exists(r.sha256)
    .catch(() => false); // the store still unreachable: the bytes cannot be relied on
  if (stored) return;
  transaction((tx) => {
    tx.delete(recurringEvidence).where(eq(recurringEvidence.id, r.id)).run();
    emit(tx, "recurring.changed", { evidenceId: r.id, sealSerial: r.serial, change: "withdrawn" }); // the assessors' notice goes too
    recordAudit(tx, actor, {
      action: "recurring_evidence.upload_failed",
      target: { type: "recurring_evidence", id: r.id },
      organizationId: r.org,
      details: { serial: r.serial, ref: r.ref, name, sha256: r.sha256 },
    });
  });
}

// --- Deciding (assessor) -------------------------------------------------------------------------

/**
 * An assessor accepts fresh evidence (moving the due date; a seal suspended only for overdue
 * evidence is reinstated at once, in the same transaction) or rejects it with a comment the
 * supplier sees (evidence sent in time no longer holds the requirement: if its grace period has
 * ended, the seal is suspended at once, in the same transaction, so its public status and the
 * supplier's notice agree). Refused to anyone but an assessor, to an assessor with a conflict of
 * interest, for evidence already decided, and once the seal is no longer monitored.
 */
export function decideRecurringEvidence(
  actor: Actor,
  id: string,
  input: z.infer<typeof recurringDecisionInput>,
): {
  status: "accepted" | "rejected";
  nextDueAt: Date | null;
  sealChange: "suspend" | "reinstate" | "restate" | null;
} {
  assertCan(actor, "assessor.workspace");
  return transaction((tx) => {
    const ev = tx.select().from(recurringEvidence).where(eq(recurringEvidence.id, id)).get();
    if (!ev) throw new ServiceError("not_found", "There is no such recurring evidence.");
    assertNoConflict(tx, actor, ev.organizationId, CHECK_INSTEAD);
    if (ev.status !== "pending")
      throw new ServiceError(
        "conflict",
        `This evidence was already ${ev.status} on ${ev.decidedAt ? formatDate(ev.decidedAt) : "an earlier day"}.`,
      );
    const seal = sealRow(tx, ev.serial)!;
    const now = new Date(nowMs());
    const ended = monitoringEnded(tx, seal, now);
    if (ended) throw new ServiceError("conflict", `${ended.text}: its recurring evidence is no longer checked.`);
    const status = input.decision === "accept" ? "accepted" : "rejected";
    const updated = tx
      .update(recurringEvidence)
      .set({ status, decidedBy: actor.userId, decidedAt: now, comment: input.comment })
      .where(and(eq(recurringEvidence.id, id), eq(recurringEvidence.status, "pending")))
      .run();
    if (updated.changes !== 1)
      throw new ServiceError("conflict", "Someone decided this evidence meanwhile; reload the page.");
    const item = recurringScheduleOf(tx, seal, now).items.find((i) => i.ref === ev.requirementRef);
    recordAudit(tx, actor, {
      action: `recurring_evidence.${status}`,
      target: { type: "recurring_evidence", id },
      organizationId: ev.organizationId,
      details: {
        serial: ev.serial,
        ref: ev.requirementRef,
        sha256: ev.sha256,
        submittedAt: ev.submittedAt.toISOString(),
        comment: input.comment,
        ...(item ? { dueAt: item.dueAt.toISOString() } : {}),
      },
    });
    // Accepted evidence may lift (or change the grounds of) an automatic suspension now, and rejected
    // evidence may leave the requirement overdue: decided now, not at the next sweep, and before the
    // supplier is told (the notice says what the seal's state is).
    const change = decideAutomaticSuspension(tx, { system: "lifecycle" }, ev.serial);
    emit(tx, "recurring.changed", { evidenceId: id, sealSerial: ev.serial, change: status }); // the supplier hears it
    return {
      status,
      nextDueAt: status === "accepted" ? (item?.dueAt ?? null) : null,
      sealChange: change?.action ?? null,
    };
  });
}

// --- Reading -----------------------------------------------------------------------------------

function historyOf(t: Reader, serial: string) {
  return t
    .select({
      e: recurringEvidence,
      size: evidenceFiles.size,
      mediaType: evidenceFiles.mediaType,
      submittedByName: users.name,
    })
    .from(recurringEvidence)
    .innerJoin(evidenceFiles, eq(evidenceFiles.sha256, recurringEvidence.sha256))
    .innerJoin(users, eq(users.id, recurringEvidence.submittedBy))
    .where(eq(recurringEvidence.serial, serial))
    .orderBy(desc(recurringEvidence.submittedAt))
    .all()
    .map((r) => ({ ...r.e, size: r.size, mediaType: r.mediaType, submittedByName: r.submittedByName }));
}

/** The supplier's page for one seal: its recurring requirements, where each stands, the history and whether it takes uploads. */
export function supplierRecurringView(actor: Actor, serial: string) {
  const t = db();
  const seal = ownSeal(t, actor, serial);
  const now = new Date(nowMs());
  const schedule = recurringScheduleOf(t, seal, now);
  const titles = new Map(schedule.items.map((i) => [i.ref, i.title]));
  const notMonitored = notMonitoredReason(t, seal, now);
  return {
    seal: sealHeader(t, seal),
    /** False once the seal is revoked, superseded, expired or renewed: its pages show dates, not standings. */
    monitored: schedule.monitored,
    graceDays: schedule.graceDays,
    dueSoonDays: DUE_SOON_DAYS,
    items: schedule.items,
    history: historyOf(t, seal.serial).map((h) => ({
      id: h.id,
      ref: h.requirementRef,
      title: titles.get(h.requirementRef) ?? "",
      originalName: h.originalName,
      sha256: h.sha256,
      size: h.size,
      mediaType: h.mediaType,
      note: h.note,
      submittedAt: h.submittedAt,
      submittedBy: h.submittedByName,
      status: h.status,
      decidedAt: h.decidedAt,
      decidedBy: h.decidedBy ? ASSESSOR_LABEL : null,
      comment: h.comment,
    })),
    canUpload: !notMonitored && schedule.items.some((i) => !i.pending),
    notMonitored: schedule.items.length ? notMonitored : null,
  };
}

/**
 * The supplier dashboard's panel: every recurring requirement of the organisation's monitored
 * seals (not renewed) that is due within DUE_SOON_DAYS, in its grace period or overdue (soonest
 * first), and the monitored seals with recurring requirements (each with its next due date). Each
 * row carries the seal's expiry: a requirement whose grace period outlasts the seal (expiresFirst)
 * can no longer suspend it.
 */
export function supplierRecurringDue(actor: Actor) {
  assertCan(actor, "supplier.workspace");
  const t = db();
  const now = new Date(nowMs());
  const rows = t
    .select({ ...SEAL_COLUMNS, product: products.name, firmware: productVersions.firmwareVersion })
    .from(seals)
    .innerJoin(productVersions, eq(productVersions.id, seals.productVersionId))
    .innerJoin(products, eq(products.id, productVersions.productId))
    .where(and(eq(seals.organizationId, actor.organizationId), inArray(seals.state, ["active", "suspended"])))
    .orderBy(asc(products.name), asc(productVersions.firmwareVersion))
    .all()
    .filter((s) => isMonitored(s, now));
  const due: (RecurringItem & { serial: string; product: string; firmware: string; validUntil: Date })[] = [];
  const monitored: {
    serial: string;
    product: string;
    firmware: string;
    state: string;
    nextDueAt: Date;
    count: number;
  }[] = [];
  for (const seal of rows) {
    const { items, monitored: stillMonitored } = recurringScheduleOf(t, seal, now);
    if (!items.length || !stillMonitored) continue; // renewed: its successor's evidence is due instead
    monitored.push({
      serial: seal.serial,
      product: seal.product,
      firmware: seal.firmware,
      state: seal.state,
      nextDueAt: new Date(Math.min(...items.map((i) => i.dueAt.getTime()))),
      count: items.length,
    });
    for (const i of items)
      if (i.standing !== "fresh")
        due.push({
          ...i,
          serial: seal.serial,
          product: seal.product,
          firmware: seal.firmware,
          validUntil: seal.validUntil,
        });
  }
  due.sort((a, b) => a.dueAt.getTime() - b.dueAt.getTime());
  return { due, monitored, dueSoonDays: DUE_SOON_DAYS };
}

const CHECK_INSTEAD = "Another assessor must check this evidence.";

function assertAssessor(actor: Actor): void {
  assertCan(actor, "assessor.workspace");
}

/** Pending recurring evidence of monitored seals, oldest first, with where each requirement stands and any conflict of interest. */
export function recurringQueue(actor: Actor) {
  assertAssessor(actor);
  const t = db();
  const now = new Date(nowMs());
  const rows = t
    .select({
      e: recurringEvidence,
      seal: SEAL_COLUMNS,
      product: products.name,
      firmware: productVersions.firmwareVersion,
      supplier: organizations.name,
    })
    .from(recurringEvidence)
    .innerJoin(seals, eq(seals.serial, recurringEvidence.serial))
    .innerJoin(productVersions, eq(productVersions.id, seals.productVersionId))
    .innerJoin(products, eq(products.id, productVersions.productId))
    .innerJoin(organizations, eq(organizations.id, recurringEvidence.organizationId))
    .where(eq(recurringEvidence.status, "pending"))
    .orderBy(asc(recurringEvidence.submittedAt))
    .all()
    .filter((r) => isMonitored(r.seal, now));
  const conflictWith = conflictChecker(t, actor);
  const schedules = new Map<string, { monitored: boolean; items: RecurringItem[] }>();
  const scheduleOf = (seal: SealRow) => {
    if (!schedules.has(seal.serial)) schedules.set(seal.serial, recurringScheduleOf(t, seal, now));
    return schedules.get(seal.serial)!;
  };
  // A renewed seal's evidence is not checked any more (its successor's is).
  return rows
    .filter((r) => scheduleOf(r.seal).monitored)
    .map((r) => {
      const item = scheduleOf(r.seal).items.find((i) => i.ref === r.e.requirementRef);
      return {
        id: r.e.id,
        serial: r.seal.serial,
        sealState: r.seal.state,
        product: r.product,
        firmware: r.firmware,
        supplier: r.supplier,
        ref: r.e.requirementRef,
        title: item?.title ?? "",
        submittedAt: r.e.submittedAt,
        dueAt: item?.dueAt ?? null,
        standing: item?.standing ?? null,
        daysUntilDue: item?.daysUntilDue ?? null,
        // Listed, but a conflicted assessor cannot open it (recurringEvidenceView refuses).
        conflict: conflictWith(r.e.organizationId),
      };
    });
}

/** How many pieces of recurring evidence wait for an assessor (the assessor dashboard). */
export function pendingRecurringCount(actor: Actor): number {
  return recurringQueue(actor).filter((r) => !r.conflict).length;
}

/**
 * One piece of recurring evidence for an assessor to check: the file, the requirement, the
 * previous accepted evidence, the history. Refused to an assessor with a conflict of interest
 * with the supplier (the page shows the file's text and links to the files).
 */
export function recurringEvidenceView(actor: Actor, id: string) {
  assertAssessor(actor);
  const t = db();
  const row = t
    .select({
      e: recurringEvidence,
      size: evidenceFiles.size,
      mediaType: evidenceFiles.mediaType,
      submittedByName: users.name,
    })
    .from(recurringEvidence)
    .innerJoin(evidenceFiles, eq(evidenceFiles.sha256, recurringEvidence.sha256))
    .innerJoin(users, eq(users.id, recurringEvidence.submittedBy))
    .where(eq(recurringEvidence.id, id))
    .get();
  if (!row) throw new ServiceError("not_found", "There is no such recurring evidence.");
  assertNoConflict(t, actor, row.e.organizationId, CHECK_INSTEAD);
  const ev = { ...row.e, size: row.size, mediaType: row.mediaType, submittedByName: row.submittedByName };
  const seal = sealRow(t, ev.serial)!;
  const now = new Date(nowMs());
  const header = sealHeader(t, seal);
  const schedule = recurringScheduleOf(t, seal, now);
  const item = schedule.items.find((i) => i.ref === ev.requirementRef) ?? null;
  const req = t
    .select({
      ref: requirements.ref,
      title: requirements.title,
      text: requirements.text,
      evidenceHint: requirements.evidenceHint,
      everyDays: requirements.recursEveryDays,
      condition: requirements.condition,
    })
    .from(requirements)
    .innerJoin(submissions, eq(submissions.checklistVersionId, requirements.versionId))
    .where(and(eq(submissions.id, seal.submissionId), eq(requirements.ref, ev.requirementRef)))
    .get()!;
  const decidedByName = ev.decidedBy
    ? (t.select({ name: users.name }).from(users).where(eq(users.id, ev.decidedBy)).get()?.name ?? null)
    : null;
  const history = historyOf(t, seal.serial).filter((h) => h.requirementRef === ev.requirementRef);
  // The evidence this one follows: the newest accepted before it, or (none yet) the certified submission's files.
  const previousAccepted =
    history.find(
      (h) => h.status === "accepted" && h.submittedAt.getTime() < ev.submittedAt.getTime() && h.id !== ev.id,
    ) ?? null;
  const certifiedFiles = t
    .select({
      id: evidenceLinks.id,
      originalName: evidenceLinks.originalName,
      sha256: evidenceLinks.sha256,
      size: evidenceFiles.size,
      mediaType: evidenceFiles.mediaType,
    })
    .from(evidenceLinks)
    .innerJoin(evidenceFiles, eq(evidenceFiles.sha256, evidenceLinks.sha256))
    .where(and(eq(evidenceLinks.submissionId, seal.submissionId), eq(evidenceLinks.requirementRef, ev.requirementRef)))
    .all();
  const ended = monitoringEnded(t, seal, now);
  const notMonitored = ended ? `${ended.text}: its recurring evidence is no longer checked.` : null;
  // What the requirement's standing without waiting evidence means for the seal: if the waiting
  // evidence is rejected, or (nothing waiting) now. The same words as the supplier's notice.
  const consequence =
    item && !notMonitored
      ? consequenceWords(
          { standing: item.standingWithoutPending, dueAt: item.dueAt, graceEndsAt: item.graceEndsAt },
          {
            suspended: seal.state === "suspended",
            suspendedBy: suspensionOriginOf(seal.serial, t),
            validUntil: seal.validUntil,
          },
        )
      : null;
  return {
    evidence: { ...ev, decidedByName },
    seal: header,
    requirement: { ...req, everyDays: req.everyDays ?? 0 },
    item,
    graceDays: schedule.graceDays,
    previousAccepted,
    certifiedFiles,
    history: history.map((h) => ({
      id: h.id,
      status: h.status,
      submittedAt: h.submittedAt,
      decidedAt: h.decidedAt,
      comment: h.comment,
      sha256: h.sha256,
      originalName: h.originalName,
    })),
    notMonitored,
    /** If this evidence is rejected (it waits), what that means for the seal; null when nothing waits on it. */
    ifRejected: item?.pending?.id === ev.id ? consequence : null,
    /** Nothing waits for the requirement: what its standing means for the seal now. */
    consequenceNow: item && !item.pending ? consequence : null,
    canDecide: ev.status === "pending" && !notMonitored,
  };
}

const TEXT_TYPES = new Set(["text/plain", "text/csv", "application/json"]);
const PREVIEW_BYTES = 16 * 1024;

/** The start of a text evidence file (16 KiB, decoded leniently) for the assessor's page; null for other types. */
export async function evidenceTextPreview(file: {
  sha256: string;
  mediaType: string;
  size: number;
}): Promise<string | null> {
  if (!TEXT_TYPES.has(file.mediaType)) return null;
  const chunks: Buffer[] = [];
  let read = 0;
  const stream = await openStored(file.sha256);
  try {
    for await (const chunk of stream) {
      chunks.push(chunk as Buffer);
      read += (chunk as Buffer).length;
      if (read >= PREVIEW_BYTES) break;
    }
  } finally {
    stream.destroy();
  }
  const text = new TextDecoder("utf-8").decode(Buffer.concat(chunks).subarray(0, PREVIEW_BYTES));
  return file.size > PREVIEW_BYTES
    ? `${text}\n… (${file.size - PREVIEW_BYTES} more bytes: download the file to read it all)`
    : text;
}

export interface RecurringDownload {
  stream: Readable;
  mediaType: string;
  size: number;
  originalName: string;
  sha256: string;
}

/** The file of one piece of recurring evidence: the supplier's own organisation and the assessors without a conflict of interest only. */
export async function openRecurringEvidence(actor: Actor, id: string): Promise<RecurringDownload> {
  const t = db();
  const row = t
    .select({ e: recurringEvidence, file: evidenceFiles })
    .from(recurringEvidence)
    .innerJoin(evidenceFiles, eq(evidenceFiles.sha256, recurringEvidence.sha256))
    .where(eq(recurringEvidence.id, id))
    .get();
  if (actor.role === "supplier") {
    if (!row || row.e.organizationId !== actor.organizationId)
      throw new ServiceError("not_found", "There is no such evidence file.");
  } else if (actor.role !== "assessor")
    throw new ServiceError("forbidden", "Evidence is visible only to the supplier and the assessors.");
  else if (!row) throw new ServiceError("not_found", "There is no such evidence file.");
  else assertNoConflict(t, actor, row.e.organizationId, CHECK_INSTEAD);
  return {
    stream: await openStored(row!.file.sha256),
    mediaType: row!.file.mediaType,
    size: row!.file.size,
    originalName: row!.e.originalName,
    sha256: row!.file.sha256,
  };
}

/**
 * What anyone may see of a seal's continuous monitoring (the public seal page): each recurring
 * requirement, when its last accepted evidence was sent (or a seal issued: this one, or the earlier
 * seal it replaced whose clock it continues), and when the next is due. No file names, hashes,
 * notes or people. Empty for a seal that is not monitored (expired, revoked, superseded, renewed)
 * or has no recurring requirement; null for no seal.
 */
export function publicRecurringStatus(serialInput: string) {
  const t = db();
  const seal = sealRow(t, serialInput);
  if (!seal) return null;
  const now = new Date(nowMs());
  const schedule = recurringScheduleOf(t, seal, now);
  if (!schedule.monitored) return { serial: seal.serial, graceDays: 0, items: [] };
  return {
    serial: seal.serial,
    graceDays: schedule.graceDays,
    items: schedule.items.map((i) => ({
      ref: i.ref,
      title: i.title,
      everyDays: i.everyDays,
      lastAcceptedAt: i.lastAcceptedAt,
      /** True when the clock still runs from a seal's issue (no fresh evidence accepted yet). */
      sinceIssue: i.lastAccepted === null,
      /** The earlier seal (replaced by this one) whose issue or accepted evidence the clock runs from, or null. */
      continuedFrom: i.continuedFrom,
      // No file name or hash: a hash of a short private text lets anyone confirm a guess of it.
      dueAt: i.dueAt,
      graceEndsAt: i.graceEndsAt,
      standing: i.standing,
    })),
  };
}
