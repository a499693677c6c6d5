/**
 * Issuing seals. A seal is prepared and signed (jose signs asynchronously) before the
 * approval's transaction, then recorded inside it together with the approval, its log leaf,
 * its event and the audit entry: a failure anywhere leaves no half seal, and a credential
 * whose transaction failed was never published. Its certificate PDF is rendered and stored just
 * after that commit, while the commit is synced (decision record 035).
 */
import { designationBeforeTitle } from "../catalogue/domain/checklist/label";
import crypto from "node:crypto";
import { and, desc, eq, getTableColumns, isNotNull, isNull, sql } from "drizzle-orm";
import { z } from "zod";
import {
  checklistVersions,
  crosswalkLinks,
  evidenceLinks,
  lostSeals,
  organizations,
  products,
  productVersions,
  sealEvents,
  seals,
  submissions,
} from "../../../db/schema";
import { renderSealPdf } from "../trust/adapters/seal-pdf.server";
import { signingKeys } from "../trust/adapters/signing-keys.server";
import { nowMs } from "../../platform/clock.server";
import { getEnv } from "../../platform/env.server";
import {
  buildSealCredential,
  sealPageUrl,
  signCredential,
  unverifiedPayload,
  type SealCredential,
  type SealSubject,
} from "../trust/domain/credential";
import { sealVerdictOf, type SealRecord, type SealVerdict } from "../trust/domain/verdict";
import { leafHash, rootFromLeafHashes } from "../trust/domain/merkle";
import { checklistIdOf, checklistPageUrl } from "../trust/domain/checklist-url";
import { makeSerial, normalizeSerial, SERIAL_RANDOM_BYTES } from "../trust/domain/serial";
import { pickFreeIndex, STATUS_LIST_MIN_ENTRIES } from "../trust/domain/status-list";
import { isSystem, type Actor, type AnyActor } from "../../platform/actor";
import { assertCan } from "../../platform/authorize.server";
import { conflictReason } from "../accounts/conflicts.server";
import { manualActions, SEAL_STATES } from "../trust/domain/seal-state";
import { recordAudit } from "../../platform/audit.server";
import { db, placeholders, preparedQueries, transaction, whileCommitSyncs, type Tx } from "../../platform/db.server";
import { lostSeal, statusListUrl } from "../trust/seal-status.server";
import { appendLogWithProof } from "../trust/transparency-log.server";
import { tlogProofText } from "../trust/domain/tlog";
import { storedCredentialChecked } from "../trust/verify.server";
import {
  SEAL_API_FINDING_COLUMNS,
  SEAL_API_FINDING_MAY_BE_PUBLIC,
  sealApiAdvisories,
  sealApiAdvisoriesOf,
  updateRequiredBySerial,
  type SealApiFindingRow,
} from "../findings/advisories.server";
import { updateRequiredOf, type UpdateRequired } from "../findings/domain/update-required";
import { emit } from "../../platform/events.server";
import { ServiceError } from "../../platform/errors.server";
import { latestVerdicts, scoreOf } from "./verdicts.server";
import { loadSubmission, requirementsInScope } from "./submission-records.server";
import { keyPromisesShown, levelMeaning, supportSummary, type SupportSummary } from "./domain/shopper-summary";
import { supportFactsOf } from "../catalogue/domain/support-period";
import { supportEndsAt, supportHasEnded } from "./domain/support-period-end";
import { checklistLabelFor, hasRecurringRequirements, levelTitleFor } from "../catalogue/checklists.server";
import { CERTIFICATION_BODY_NAME } from "../accounts/users.server";

export interface PreparedSeal {
  serial: string;
  submissionId: string;
  organizationId: string;
  productVersionId: string;
  credential: SealCredential;
  jws: string;
  kid: string;
  revocationIndex: number;
  suspensionIndex: number;
}

function addMonths(d: Date, months: number): Date {
  const r = new Date(d);
  r.setUTCMonth(r.getUTCMonth() + months);
  return r;
}

const random = () => crypto.randomInt(0, 2 ** 31) / 2 ** 31;

/** Builds and signs the seal credential for an approvable submission; writes nothing. */
/** The reads of issuing, prepared once (issue 20: drizzle building each query's SQL cost more than running it). */
const issuing = preparedQueries((t) => ({
  subject: t
    .select({ org: organizations, product: products, version: productVersions })
    .from(productVersions)
    .innerJoin(products, eq(products.id, productVersions.productId))
    .innerJoin(organizations, eq(organizations.id, products.organizationId))
    .where(eq(productVersions.id, sql.placeholder("id")))
    .prepare(),
  // What the credential names of the checklist version (not its content: tens of kilobytes of JSON).
  checklistVersion: t
    .select({
      checklistId: checklistVersions.checklistId,
      version: checklistVersions.version,
      title: checklistVersions.title,
      contentHash: checklistVersions.contentHash,
      validityMonths: checklistVersions.validityMonths,
    })
    .from(checklistVersions)
    .where(eq(checklistVersions.id, sql.placeholder("id")))
    .prepare(),
  // Taken by a seal or by a lost seal (trust's recordLostSeal): a serial or status-list position
  // once published is never given to another seal.
  serialTaken: t
    .select({ s: seals.serial })
    .from(seals)
    .where(eq(seals.serial, sql.placeholder("serial")))
    .unionAll(
      t
        .select({ s: lostSeals.serial })
        .from(lostSeals)
        .where(eq(lostSeals.serial, sql.placeholder("serial"))),
    )
    .prepare(),
  revocationIndexTaken: t
    .select({ i: seals.revocationIndex })
    .from(seals)
    .where(eq(seals.revocationIndex, sql.placeholder("i")))
    .unionAll(
      t
        .select({ i: lostSeals.revocationIndex })
        .from(lostSeals)
        .where(eq(lostSeals.revocationIndex, sql.placeholder("i"))),
    )
    .prepare(),
  suspensionIndexTaken: t
    .select({ i: seals.suspensionIndex })
    .from(seals)
    .where(eq(seals.suspensionIndex, sql.placeholder("i")))
    .unionAll(
      t
        .select({ i: lostSeals.suspensionIndex })
        .from(lostSeals)
        .where(eq(lostSeals.suspensionIndex, sql.placeholder("i"))),
    )
    .prepare(),
  evidenceHashes: t
    .selectDistinct({ sha: evidenceLinks.sha256 })
    .from(evidenceLinks)
    .where(eq(evidenceLinks.submissionId, sql.placeholder("id")))
    .prepare(),
  sealOfSubmission: t
    .select({ serial: seals.serial })
    .from(seals)
    .where(eq(seals.submissionId, sql.placeholder("id")))
    .prepare(),
  insertSeal: t.insert(seals).values(placeholders(SEAL_INSERT_COLUMNS)).prepare(),
  storePdf: t
    .update(seals)
    .set({ pdf: sql`${sql.placeholder("pdf")}`, pdfSha256: sql`${sql.placeholder("pdfSha256")}` })
    .where(and(eq(seals.serial, sql.placeholder("serial")), isNull(seals.pdfSha256)))
    .prepare(),
  insertIssuedEvent: t
    .insert(sealEvents)
    .values({
      ...placeholders(["serial", "actorLabel", "logIndex", "at"] as const),
      kind: "issued",
    })
    .returning({ id: sealEvents.id })
    .prepare(),
}));

const SEAL_INSERT_COLUMNS = [
  "serial",
  "submissionId",
  "organizationId",
  "productVersionId",
  "credential",
  "kid",
  "validFrom",
  "validUntil",
  "state",
  "revocationIndex",
  "suspensionIndex",
  "issuedLogIndex",
  "issuedAt",
  "pdf",
  "pdfSha256",
  "logProof",
] as const;

export async function prepareSeal(submissionId: string): Promise<PreparedSeal> {
  const t = db();
  const q = issuing(t);
  const s = loadSubmission(t, submissionId);
  const row = q.subject.get({ id: s.productVersionId })!;
  const cv = q.checklistVersion.get({ id: s.checklistVersionId })!;
  const score = scoreOf(t, s);
  if (!score.canApprove)
    throw new ServiceError("conflict", "This submission does not meet its checklist; no seal can be issued.");
  const now = new Date(nowMs());
  const supportEnds = supportEndsAt(row.product.supportPeriodEnd);
  if (supportHasEnded(row.product.supportPeriodEnd, now))
    throw new ServiceError("conflict", "The product's security support period has ended; no seal can be issued.");
  const validUntil = new Date(Math.min(addMonths(now, cv.validityMonths).getTime(), supportEnds.getTime()));

  // Issued serials are letters and digits only: a draw whose check symbol is one of Crockford's
  // extra symbols (* ~ $ =) is drawn again, so serials are safe in URLs, QR codes and typing.
  // (Validation stays mod 37, so errors in a typed serial are still detected.)
  const draw = () => makeSerial(crypto.randomBytes(SERIAL_RANDOM_BYTES));
  let serial = draw();
  while (!/^[0-9A-Z-]+$/.test(serial) || q.serialTaken.get({ serial })) serial = draw();
  // A random free position in each list, probed on the unique index (the lists are far from full).
  const free = (taken: typeof q.revocationIndexTaken) =>
    pickFreeIndex({ has: (i: number) => taken.get({ i }) !== undefined }, STATUS_LIST_MIN_ENTRIES, random);
  const revocationIndex = free(q.revocationIndexTaken);
  const suspensionIndex = free(q.suspensionIndexTaken);

  const hashes = q.evidenceHashes
    .all({ id: s.id })
    .map((r) => r.sha)
    .sort();
  const subject: SealSubject = {
    serial,
    supplier: { name: row.org.name },
    product: {
      name: row.product.name,
      model: row.product.model,
      gtin: row.product.gtin,
      sku: row.product.sku,
      category: row.product.category,
    },
    hardwareRevision: row.version.hardwareRevision,
    firmwareVersion: row.version.firmwareVersion,
    // The checklist version's page: an `id` is a URL (VC Data Model 2.0 section 4.4, issue 17).
    checklist: {
      id: checklistPageUrl(getEnv().baseUrl, cv.checklistId, cv.version),
      version: cv.version,
      title: cv.title,
      contentHash: cv.contentHash,
    },
    level: s.targetLevel,
    results: {
      requirements: score.total,
      pass: score.counts.pass,
      notApplicable: score.counts.not_applicable,
      mandatoryMet: score.mandatory.met,
      advisoryMet: score.advisory.met,
      advisoryTotal: score.advisory.total,
    },
    evidenceMerkleRoot: rootFromLeafHashes(hashes.map((h) => leafHash(Buffer.from(h, "hex")))).toString("hex"),
    supportPeriodEnd: row.product.supportPeriodEnd,
  };
  const env = getEnv();
  const credential = buildSealCredential({
    baseUrl: env.baseUrl,
    issuerName: CERTIFICATION_BODY_NAME,
    subject,
    validFrom: now,
    validUntil,
    revocation: { listCredentialUrl: statusListUrl("revocation"), index: revocationIndex },
    suspension: { listCredentialUrl: statusListUrl("suspension"), index: suspensionIndex },
  });
  await signingKeys(env.dataDir).ensureActive(now);
  const signer = signingKeys(env.dataDir).signerSync();
  const jws = signCredential(credential, signer.key, signer.kid);
  return {
    serial,
    submissionId: s.id,
    organizationId: s.organizationId,
    productVersionId: s.productVersionId,
    credential,
    jws,
    kid: signer.kid,
    revocationIndex,
    suspensionIndex,
  };
}

/** Records a prepared seal inside the approving transaction. */
export function recordIssuedSeal(tx: Tx, p: PreparedSeal, actor: AnyActor): void {
  const s = loadSubmission(tx, p.submissionId);
  if (s.status !== "approved") throw new ServiceError("conflict", "Only an approved submission gets a seal.");
  if (issuing(tx).sealOfSubmission.get({ id: s.id }))
    throw new ServiceError("conflict", "This submission already has its seal.");
  const at = new Date(nowMs());
  const credentialHash = crypto.createHash("sha256").update(p.jws).digest("hex");
  const { index: logIndex, proof } = appendLogWithProof(tx, {
    event: "issued",
    serial: p.serial,
    at: at.toISOString(),
    credentialSha256: credentialHash,
    kid: p.kid,
  });
  // The log proof as C2SP tlog-proof@v1 text (the PDF's seal.tlog-proof). Its checkpoint has no
  // witness cosignatures yet: they are asked for after this transaction (witnesses.server.ts).
  const logProof = tlogProofText(proof);
  const q = issuing(tx);
  q.insertSeal.run({
    serial: p.serial,
    submissionId: s.id,
    organizationId: p.organizationId,
    productVersionId: p.productVersionId,
    credential: p.jws,
    kid: p.kid,
    validFrom: new Date(p.credential.validFrom),
    validUntil: new Date(p.credential.validUntil),
    state: "active",
    revocationIndex: p.revocationIndex,
    suspensionIndex: p.suspensionIndex,
    issuedLogIndex: logIndex,
    issuedAt: at,
    pdf: null, // stored just after the commit (below)
    pdfSha256: null,
    logProof, // the tlog-proof@v1 text (seals issued before hold the JSON of seal.tlog-proof.json)
  });
  // The certificate carries nothing but the credential and this log proof: it is rendered once the
  // transaction has committed, while the commit (with the log leaf) is synced to the disk, and stored
  // then, before anything after the commit is told of the seal (decision record 035). A crash in
  // between leaves the seal without it for a while: storeMissingCertificates, at the next start or sweep.
  const sealUrl = sealPageUrl(getEnv().baseUrl, p.serial);
  whileCommitSyncs(() =>
    storeIssuedCertificate(
      { serial: p.serial, organizationId: p.organizationId },
      { jws: p.jws, credential: p.credential, sealUrl, logProof },
      actor,
    ),
  );
  const { id: eventId } = q.insertIssuedEvent.get({
    serial: p.serial,
    actorLabel: isSystem(actor) ? `system:${actor.system}` : actor.email,
    logIndex,
    at,
  })!;
  emit(tx, "seal.changed", { sealEventId: eventId, serial: p.serial }); // a watched product's new seal reaches the watchers too
  recordAudit(tx, actor, {
    action: "seal.issued",
    target: { type: "seal", id: p.serial },
    organizationId: p.organizationId,
    details: { submission: s.id, kid: p.kid, logIndex, credentialSha256: credentialHash },
  });
}

/**
 * Renders and stores the certificate of a seal that has none yet, with its audit entry (its SHA-256)
 * and a seal event, so the static publication sends it. Skipped (false) when another process stored
 * it first. The PDF is a function of what it is given, all of it stored in the seal's row:
 * rendering it again gives the same bytes.
 */
function storeCertificate(
  seal: { serial: string; organizationId: string },
  input: SealPdfInput,
  actor: AnyActor,
  repaired: boolean,
): boolean {
  const pdf = renderSealPdf(input);
  const pdfSha256 = crypto.createHash("sha256").update(pdf).digest("hex");
  return transaction((tx) => {
    if (issuing(tx).storePdf.run({ serial: seal.serial, pdf, pdfSha256 }).changes === 0) return false;
    emit(tx, "seal.certificate_stored", { serial: seal.serial });
    recordAudit(tx, actor, {
      action: "seal.certificate_stored",
      target: { type: "seal", id: seal.serial },
      organizationId: seal.organizationId,
      // repaired: stored after a crash or a failed render left it out at issue.
      details: { pdfSha256, bytes: pdf.length, ...(repaired ? { repaired: true } : {}) },
    });
    return true;
  });
}

type SealPdfInput = Parameters<typeof renderSealPdf>[0];
const CERTIFICATE_RETRY_MS = 10_000;

/** The certificate of a seal just issued, stored while its commit syncs; if that fails, a repair is tried soon. */
function storeIssuedCertificate(
  seal: { serial: string; organizationId: string },
  input: SealPdfInput,
  actor: AnyActor,
) {
  try {
    storeCertificate(seal, input, actor, false);
  } catch (error) {
    console.error(
      `[seals] the certificate of seal ${seal.serial} could not be stored; it is tried again in ${CERTIFICATE_RETRY_MS / 1000} s and by every lifecycle sweep:`,
      error,
    );
    retryMissingCertificates();
  }
}

/** The one retry waiting (several failures in a row share it: it stores every missing certificate). */
let retry: NodeJS.Timeout | null = null;

function retryMissingCertificates(): void {
  if (retry) return;
  retry = setTimeout(() => {
    retry = null;
    try {
      storeMissingCertificates(); // each failure is logged there; the lifecycle sweep tries again
    } catch (error) {
      console.error("[seals] could not look for missing certificates; the lifecycle sweep tries again:", error);
    }
  }, CERTIFICATE_RETRY_MS).unref();
}

/**
 * The certificates of seals whose issuance committed but whose PDF was not stored (the process
 * stopped, or the render or the store failed, in between): rendered and stored now, by the lifecycle
 * sweep (at every start and every 15 minutes). Each seal on its own: one that fails is logged and
 * reported in `failed`, and the others are stored. Seals issued before certificates existed (no log proof) are
 * left as they are.
 */
export function storeMissingCertificates(actor: AnyActor = { system: "lifecycle" }): {
  stored: string[];
  failed: { serial: string; error: string }[];
} {
  const missing = db()
    .select({
      serial: seals.serial,
      organizationId: seals.organizationId,
      credential: seals.credential,
      logProof: seals.logProof,
    })
    .from(seals)
    .where(and(isNull(seals.pdfSha256), isNotNull(seals.logProof)))
    .all();
  const baseUrl = getEnv().baseUrl;
  const stored: string[] = [];
  const failed: { serial: string; error: string }[] = [];
  for (const r of missing)
    try {
      const input = {
        jws: r.credential,
        credential: unverifiedPayload(r.credential) as SealCredential,
        sealUrl: sealPageUrl(baseUrl, r.serial),
        // JSON: seals issued before tlog-proof@v1 (none of them lacks its PDF; read as they were written).
        logProof: r.logProof!.startsWith("{") ? JSON.parse(r.logProof!) : r.logProof!,
      };
      if (storeCertificate(r, input, actor, true)) stored.push(r.serial);
    } catch (error) {
      console.error(
        `[seals] the certificate of seal ${r.serial} is still missing (tried again by the next sweep):`,
        error,
      );
      failed.push({ serial: r.serial, error: error instanceof Error ? error.message : String(error) });
    }
  return { stored, failed };
}

/** Every column but the PDF (tens of kilobytes, read only when downloaded). */
const { pdf: _pdf, ...SEAL_COLUMNS } = getTableColumns(seals);

export function sealBySerial(serial: string) {
  return db().select(SEAL_COLUMNS).from(seals).where(eq(seals.serial, serial)).get() ?? null;
}

export function sealForSubmission(submissionId: string) {
  return db().select(SEAL_COLUMNS).from(seals).where(eq(seals.submissionId, submissionId)).get() ?? null;
}

/** The seal a submission issued and its verdict now (revoked, suspended, expired...), or null when it issued none. */
export function issuedSealOf(submissionId: string): { serial: string; verdict: SealVerdict } | null {
  const seal = sealForSubmission(submissionId);
  return seal && { serial: seal.serial, verdict: sealVerdictOf(seal, new Date(nowMs())).verdict };
}

export function sealHistory(serial: string) {
  return db().select().from(sealEvents).where(eq(sealEvents.serial, serial)).orderBy(sealEvents.id).all();
}

/**
 * What anyone may see of a seal: its live verdict, the facts as signed (read from the verified
 * credential, never from the database), the issuer, dates and log entries. No evidence, no
 * user names. Null when no seal has this serial.
 */
export async function publicSealView(serialInput: string) {
  const serial = normalizeSerial(serialInput);
  if (!serial) return null;
  const seal = sealBySerial(serial);
  if (!seal) return lostSealView(serial);
  const credential = await storedCredentialChecked(seal);
  if (!credential)
    return {
      serial,
      verdict: "forged" as const,
      reason: "The issuer's stored credential does not verify.",
      credential: null,
      events: [],
      jws: seal.credential,
      kid: seal.kid,
      supersededBy: null,
      supersedes: null,
      hasPdf: false,
      summary: null,
      updateRequired: null,
    };
  const events = sealHistory(serial).map((e) => ({ kind: e.kind, reason: e.reason, at: e.at, logIndex: e.logIndex }));
  const supersedes = supersedesOf(serial);
  // A suspension, revocation or supersession answers with the public reason recorded with it.
  const stateReason = [...events].reverse().find((e) => e.kind === seal.state)?.reason;
  const verdict = sealVerdictOf({ ...seal, stateReason }, new Date(nowMs()));
  return {
    serial,
    verdict: verdict.verdict,
    reason: verdict.reason ?? null,
    credential,
    events,
    jws: seal.credential,
    kid: seal.kid,
    supersededBy: seal.supersededBy,
    supersedes,
    hasPdf: seal.pdfSha256 !== null,
    /** The plain-language summary for shoppers (null for a seal whose stored credential does not verify). */
    summary: shopperSummary(seal, credential),
    /** A public advisory affects the certified firmware and its fix is certified in another version (null: none). */
    updateRequired: updateRequiredBySerial([serial]).get(serial) ?? null,
  };
}

/** The seal `serial` replaced (superseded when it was issued: a re-certification), or null. Fixed once `serial` exists. */
export function supersedesOf(serial: string): string | null {
  return db().select({ serial: seals.serial }).from(seals).where(eq(seals.supersededBy, serial)).get()?.serial ?? null;
}

/**
 * The public view of a lost seal (trust's recordLostSeal: issued, published, then lost with the
 * database it was recorded in): revoked, with its signed facts, its issuance and revocation leaves,
 * and nothing the lost records would have given (no summary, no certificate). Null when `serial`
 * is not a lost seal either.
 */
async function lostSealView(serial: string) {
  const lost = lostSeal(serial);
  if (!lost) return null;
  const credential = await storedCredentialChecked(lost);
  return {
    serial,
    verdict: credential ? ("revoked" as const) : ("forged" as const),
    reason: credential ? lost.reason : "The issuer's stored credential does not verify.",
    credential,
    events: [
      { kind: "issued" as const, reason: "", at: lost.issuedAt, logIndex: lost.issuedLogIndex },
      { kind: "revoked" as const, reason: lost.reason, at: lost.recoveredAt, logIndex: lost.revokedLogIndex },
    ],
    jws: lost.credential,
    kid: lost.kid,
    supersededBy: null,
    supersedes: null,
    hasPdf: false,
    summary: null,
    updateRequired: null,
  };
}

/**
 * The plain-language summary at the top of the public page, for a shopper: what was checked (the
 * checklist in one line and what its level means), the key promises the certified assessment
 * shows (domain/shopper-summary.ts), until when and for how long the maker provides security updates
 * (first), and where to report a problem (the supplier's disclosure policy).
 */
function shopperSummary(
  seal: { submissionId: string; productVersionId: string },
  credential: SealCredential,
): {
  checklistLabel: string;
  /** The standard's designation where the title does not say it ("ETSI EN 303 645"), shown before it. */
  designation: string | null;
  checklistHref: string;
  level: { title: string; meaning: string };
  promises: { id: string; words: string; detail: string }[];
  supportPeriodEnd: string;
  /** The support period in words (null only if the product row is gone: the signed end date is shown alone). */
  support: SupportSummary | null;
  supplierName: string;
  disclosurePolicyUrl: string | null;
} {
  const t = db();
  const s = credential.credentialSubject;
  const submission = loadSubmission(t, seal.submissionId);
  const cv = t.select().from(checklistVersions).where(eq(checklistVersions.id, submission.checklistVersionId)).get();
  const inScope = cv ? requirementsInScope(t, cv.id, submission.targetLevel) : [];
  const verdicts = latestVerdicts(t, submission.id);
  const links = cv
    ? t
        .select({ ref: crosswalkLinks.fromRef, to: crosswalkLinks.toChecklistId, toRef: crosswalkLinks.toRef })
        .from(crosswalkLinks)
        .where(eq(crosswalkLinks.fromVersionId, cv.id))
        .all()
    : [];
  const mapsTo = (ref: string) => links.filter((l) => l.ref === ref).map((l) => `${l.to}:${l.toRef}`);
  const checklistId = checklistIdOf(s.checklist); // a page URL since issue 17, the bare id before
  const promises = keyPromisesShown(
    checklistId,
    inScope.map((r) => ({ ref: r.ref, mapsTo: mapsTo(r.ref), verdict: verdicts.get(r.ref)?.verdict ?? null })),
  );
  const product = t
    .select({
      supportPeriodEnd: products.supportPeriodEnd,
      placedOnMarketOn: products.placedOnMarketOn,
      expectedUseMonths: products.expectedUseMonths,
      expectedUseReason: products.expectedUseReason,
      createdAt: products.createdAt,
      category: products.category,
      disclosurePolicyUrl: products.disclosurePolicyUrl,
    })
    .from(productVersions)
    .innerJoin(products, eq(products.id, productVersions.productId))
    .where(eq(productVersions.id, seal.productVersionId))
    .get();
  // The support period is never shortened: the product's (perhaps extended) end, at least the signed one.
  const supportPeriodEnd =
    product && product.supportPeriodEnd > s.supportPeriodEnd ? product.supportPeriodEnd : s.supportPeriodEnd;
  const support = product
    ? supportSummary(s.supplier.name, product.category, supportFactsOf({ ...product, supportPeriodEnd }))
    : null;
  return {
    checklistLabel: checklistLabelFor({ ...s.checklist, id: checklistId }),
    designation: designationBeforeTitle(checklistId, s.checklist.title),
    checklistHref: `/checklists/${encodeURIComponent(checklistId)}/${encodeURIComponent(s.checklist.version)}`,
    level: levelMeaning(cv?.levels.find((l) => l.id === s.level) ?? { id: s.level, title: s.level }),
    promises: promises.map(({ id, words, detail }) => ({ id, words, detail })),
    supportPeriodEnd,
    support,
    supplierName: s.supplier.name,
    disclosurePolicyUrl: product?.disclosurePolicyUrl || null,
  };
}

/** The seal's certificate PDF as issued, or null. Public: the PDF shows only signed facts. */
export function sealPdf(serialInput: string): { serial: string; pdf: Buffer; sha256: string } | null {
  const serial = normalizeSerial(serialInput);
  if (!serial) return null;
  const row = db()
    .select({ serial: seals.serial, pdf: seals.pdf, sha: seals.pdfSha256 })
    .from(seals)
    .where(eq(seals.serial, serial))
    .get();
  if (!row?.pdf || !row.sha) return null;
  return { serial: row.serial, pdf: row.pdf, sha256: row.sha };
}

/**
 * Why a seal that exists has no certificate to download: `pending` when it will have one (its
 * issuance committed and the PDF is stored just after, or by the next sweep after a crash), or
 * issued before certificates existed. Null when no seal has this serial.
 */
export function missingCertificate(serialInput: string): { serial: string; pending: boolean } | null {
  const serial = normalizeSerial(serialInput);
  const seal = serial ? sealBySerial(serial) : null;
  return seal ? { serial: seal.serial, pending: seal.logProof !== null } : null;
}

export const sealListQuery = z.object({
  state: z.enum(["all", ...SEAL_STATES, "expired"]).catch("all"),
  q: z.string().trim().max(100).catch(""),
});

/** The seals of a list, newest first, each with its verdict now; `organizationId`: one supplier's only. */
function sealListRows(organizationId: string | null) {
  const now = new Date(nowMs());
  return db()
    .select({
      serial: seals.serial,
      state: seals.state,
      validFrom: seals.validFrom,
      validUntil: seals.validUntil,
      issuedAt: seals.issuedAt,
      product: products.name,
      productId: products.id,
      model: products.model,
      firmware: productVersions.firmwareVersion,
      supplier: organizations.name,
      checklistVersionId: checklistVersions.id,
      checklist: {
        id: checklistVersions.checklistId,
        version: checklistVersions.version,
        title: checklistVersions.title,
      },
      level: submissions.targetLevel,
    })
    .from(seals)
    .innerJoin(productVersions, eq(productVersions.id, seals.productVersionId))
    .innerJoin(products, eq(products.id, productVersions.productId))
    .innerJoin(organizations, eq(organizations.id, seals.organizationId))
    .innerJoin(submissions, eq(submissions.id, seals.submissionId))
    .innerJoin(checklistVersions, eq(checklistVersions.id, submissions.checklistVersionId))
    .where(organizationId ? eq(seals.organizationId, organizationId) : undefined)
    .orderBy(desc(seals.issuedAt))
    .all()
    .map((r) => ({ ...r, expired: r.validUntil <= now, verdict: sealVerdictOf(r, now).verdict }));
}

/** A seal list filtered by state ("expired": expired and not revoked) and by text in its serial, product or supplier. */
function filterSealList(rows: ReturnType<typeof sealListRows>, query: z.infer<typeof sealListQuery>) {
  const q = query.q.toLowerCase();
  return rows.filter(
    (r) =>
      (query.state === "all" ||
        (query.state === "expired" ? r.expired && r.state !== "revoked" : r.state === query.state)) &&
      (!q || [r.serial, r.product, r.model, r.supplier, r.firmware].some((v) => v.toLowerCase().includes(q))),
  );
}

/** Every seal, for assessors and administrators: newest first, filtered by state or text. */
export function listSeals(actor: Actor, query: z.infer<typeof sealListQuery>) {
  assertCan(actor, "seals.manage");
  return filterSealList(sealListRows(null), query);
}

/**
 * A supplier's own seals, every one ever issued (valid, suspended, revoked, expired, replaced),
 * newest first, filtered as staff filter theirs, each with the checklist it was issued against.
 */
export function listOwnSeals(actor: Actor, query: z.infer<typeof sealListQuery>) {
  assertCan(actor, "supplier.workspace");
  const labels = new Map<string, { label: string; recurring: boolean }>();
  const rows = filterSealList(sealListRows(actor.organizationId), query);
  // A public advisory affecting a seal's firmware, fixed in another: the supplier sees "update required" as buyers do.
  const updates = updateRequiredBySerial(rows.map((r) => r.serial));
  return rows.map(({ checklist, checklistVersionId, ...r }) => {
    if (!labels.has(checklistVersionId))
      labels.set(checklistVersionId, {
        label: checklistLabelFor(checklist),
        recurring: hasRecurringRequirements(checklistVersionId),
      });
    const { label, recurring } = labels.get(checklistVersionId)!;
    // Its recurring evidence page is worth a link while the seal is monitored (valid or suspended).
    const monitored = recurring && (r.verdict === "valid" || r.verdict === "suspended");
    return {
      ...r,
      level: levelTitleFor(checklist, r.level), // "Baseline", as the checklist names it
      checklistLabel: label,
      monitored,
      updateRequired: r.verdict === "forged" ? null : (updates.get(r.serial) ?? null),
    };
  });
}

/** One seal with what staff may see: who acted, and which actions the lifecycle allows now. */
export async function staffSealView(actor: Actor, serial: string) {
  assertCan(actor, "seals.manage");
  const view = await publicSealView(serial);
  if (!view) throw new ServiceError("not_found", "No seal has this serial.");
  const seal = sealBySerial(view.serial);
  if (!seal)
    // A lost seal (recorded by log recovery, its row gone): revoked for good, nothing to change.
    return {
      ...view,
      state: "revoked" as const,
      submissionId: null,
      events: view.events.map((e) => ({ ...e, by: "log recovery" })),
      actions: [] as ReturnType<typeof manualActions>,
      conflict: null,
      pdfSha256: null,
    };
  const events = sealHistory(view.serial).map((e) => ({
    kind: e.kind,
    reason: e.reason,
    at: e.at,
    logIndex: e.logIndex,
    by: e.actorLabel,
  }));
  // What the public page shows, and the history; an assessor with a conflict of interest changes nothing (changeSealStatus refuses).
  const conflict = conflictReason(db(), actor, seal.organizationId);
  return {
    ...view,
    state: seal.state,
    submissionId: seal.submissionId,
    events,
    actions: conflict ? [] : manualActions(seal.state, seal.validUntil.getTime() <= nowMs()),
    conflict,
    pdfSha256: seal.pdfSha256,
  };
}

type Db = ReturnType<typeof db>;
const apiStatements = new WeakMap<Db, ReturnType<typeof prepareApiStatements>>();

interface LiveRow {
  state: SealRecord["state"];
  validFrom: number;
  validUntil: number;
}

/** The live row with the reason of its state and, left-joined, one of the product's findings that may be public (id null: none). */
type LiveFindingRow = LiveRow & {
  stateReason: string | null;
  supersededBy: string | null;
  pdfSha256: string | null;
} & Nullable<SealApiFindingRow>;
type Nullable<T> = { [K in keyof T]: T[K] | null };

/**
 * The hot path's statements, on the driver itself: the seal API answers thousands of requests a
 * second, and the query builder's placeholder filling and row mapping cost more than the query
 * (timestamps come back as epoch ms and are made Dates here). A request for a seal already
 * checked costs one statement: the seal's state, its reason (suspended, revoked or superseded
 * only) and the findings of its product that may be public (advisories.server.ts's part).
 */
function prepareApiStatements(d: Db) {
  const c = d.$client;
  return {
    live: c.prepare<{ serial: string; now: number }, LiveFindingRow>(
      `select s.state, s.valid_from as validFrom, s.valid_until as validUntil, s.superseded_by as supersededBy,
         s.pdf_sha256 as pdfSha256,
         case when s.state = 'active' then null else
           (select e.reason from seal_events e where e.serial = s.serial and e.kind = s.state order by e.id desc limit 1)
         end as stateReason,
         ${SEAL_API_FINDING_COLUMNS}
       from seals s
       join product_versions v on v.id = s.product_version_id
       left join findings f on f.product_id = v.product_id and ${SEAL_API_FINDING_MAY_BE_PUBLIC}
       where s.serial = @serial`,
    ),
    seal: c.prepare<[string], LiveRow & { serial: string; credential: string }>(
      "select serial, credential, state, valid_from as validFrom, valid_until as validUntil from seals where serial = ?",
    ),
  };
}

/** A seal's credential never changes: checked once, kept with its JSON forms for the API. */
interface CheckedSeal {
  credential: SealCredential;
  /** JSON.stringify of the JWS and of the signed subject, made once. */
  credentialJson: string;
  subjectJson: string;
  /** The seal this one replaced (never changes once this one is issued). */
  supersedes: string | null;
}
const checkedSeals = new Map<string, CheckedSeal>();

export interface SealApiView {
  serial: string;
  verdict: SealVerdict;
  reason: string | null;
  credentialJson: string;
  subjectJson: string;
  advisoriesJson: string;
  updateRequiredJson: string;
  /** The seal that replaced this one (a re-certification), and the one this one replaced; null: none. */
  supersededBy: string | null;
  supersedes: string | null;
  /**
   * The SHA-256 of the certificate PDF as issued (null until it is stored, and for a seal whose records are lost): a
   * verifier holding a PDF, without the issued bytes, checks that it is that file, as the portal's upload check does.
   */
  pdfSha256: string | null;
}

/**
 * The machine answer for GET /api/v1/seals/<serial>: the live verdict and its public reason, the
 * credential and the signed subject. The hot path: prepared statements, and the credential's
 * signature check and JSON made once per seal per process (only the state is read each time).
 * `advisoriesJson`: the public advisories of the seal's product (one prepared statement; see
 * advisories.server.ts, which decides what is public); `updateRequiredJson`: whether one of them
 * affects the certified firmware with its fix in another version ("null" when none).
 */
export async function sealApiView(serialInput: string): Promise<SealApiView | null> {
  const known = sealApiViewOfChecked(serialInput);
  if (known !== "unchecked") return known;
  const serial = normalizeSerial(serialInput)!;
  const st = apiStatementsOf(db());
  const seal = st.seal.get(serial);
  if (!seal) {
    const lost = await lostSealView(serial);
    return (
      lost && {
        serial,
        verdict: lost.verdict,
        reason: lost.reason,
        credentialJson: JSON.stringify(lost.jws),
        subjectJson: JSON.stringify(lost.credential?.credentialSubject ?? null),
        advisoriesJson: "[]", // its product's advisories are not linked to it: its records are lost
        updateRequiredJson: "null",
        supersededBy: null,
        supersedes: null,
        pdfSha256: null,
      }
    );
  }
  const credential = await storedCredentialChecked(seal);
  if (!credential)
    return {
      serial,
      verdict: "forged",
      reason: "The issuer's stored credential does not verify.",
      credentialJson: JSON.stringify(seal.credential),
      subjectJson: "null",
      advisoriesJson: JSON.stringify(sealApiAdvisories(serial)),
      updateRequiredJson: "null",
      supersededBy: null,
      supersedes: null,
      pdfSha256: null,
    };
  const checked: CheckedSeal = {
    credential,
    credentialJson: JSON.stringify(seal.credential),
    subjectJson: JSON.stringify(credential.credentialSubject),
    supersedes: supersedesOf(serial),
  };
  if (checkedSeals.size > 100_000) checkedSeals.clear();
  checkedSeals.set(serial, checked);
  const view = sealApiViewOfChecked(serial);
  return view === "unchecked" ? null : view;
}

/**
 * The same without waiting, for a seal whose credential this process has already checked (every
 * request but a seal's first): "unchecked" when it has not, and sealApiView must be awaited.
 */
export function sealApiViewOfChecked(serialInput: string): SealApiView | null | "unchecked" {
  const serial = normalizeSerial(serialInput);
  if (!serial) return null;
  const checked = checkedSeals.get(serial);
  if (!checked) return "unchecked";
  const now = nowMs();
  const rows = apiStatementsOf(db()).live.all({ serial, now });
  if (rows.length === 0) {
    checkedSeals.delete(serial); // checked in a database this one replaced (a restore): look again
    return "unchecked";
  }
  const row = rows[0];
  const live: SealRecord = {
    state: row.state,
    validFrom: new Date(row.validFrom),
    validUntil: new Date(row.validUntil),
    stateReason: row.stateReason,
  };
  const v = sealVerdictOf(live, new Date(now));
  const advisories = sealApiAdvisoriesOf(row.id === null ? [] : (rows as SealApiFindingRow[]), now);
  // The signed firmware: the one the credential certifies.
  const updateRequired: UpdateRequired | null = updateRequiredOf(
    checked.credential.credentialSubject.firmwareVersion,
    advisories,
    checked.credential.credentialSubject.hardwareRevision,
  );
  return {
    serial,
    verdict: v.verdict,
    reason: v.reason ?? null,
    credentialJson: checked.credentialJson,
    subjectJson: checked.subjectJson,
    advisoriesJson: JSON.stringify(advisories),
    updateRequiredJson: JSON.stringify(updateRequired),
    supersededBy: row.supersededBy,
    supersedes: checked.supersedes,
    pdfSha256: row.pdfSha256,
  };
}

function apiStatementsOf(d: Db): ReturnType<typeof prepareApiStatements> {
  let st = apiStatements.get(d);
  if (!st) apiStatements.set(d, (st = prepareApiStatements(d)));
  return st;
}
