/**
 * Verification as the portal answers it: by serial, by pasted credential, by uploaded PDF and in
 * bulk. The artefacts are checked by the same pure code the offline verifier uses; the live
 * status comes from the seal's state as the seal-status service recorded it.
 */
import { and, asc, inArray } from "drizzle-orm";
import type { JWK } from "jose";
import { sealEvents, seals } from "../../../db/schema";
import { nowMs } from "../../platform/clock.server";
import { PdfReadError, readSealPdf, warmPdfReader } from "./adapters/pdf-read.server";
import { signingKeys } from "./adapters/signing-keys.server";
import { getEnv } from "../../platform/env.server";
import { unverifiedPayload, type SealCredential, type SealSubject } from "./domain/credential";
import { sealVerdictOf, type SealVerdict } from "./domain/verdict";
import { normalizeSerial, isValidSerial } from "./domain/serial";
import { checkArtefacts, type ArtefactCheck, type Artefacts } from "./domain/verify";
import { logProofOfAttachments } from "./domain/tlog-proof";
import { compactJwsOf, cutShortCredential, cutShortText } from "./domain/pasted-credential";
import { db } from "../../platform/db.server";
import { lostSeal, lostSealsBySerial } from "./seal-status.server";

export interface VerifyAnswer {
  status: SealVerdict;
  reason?: string;
  serial?: string;
  subject?: SealSubject;
  /** What the credential says beyond its subject (issuer, dates), for the verify page. */
  credential?: Pick<SealCredential, "issuer" | "validFrom" | "validUntil">;
  checks: ArtefactCheck[];
  supersededBy?: string | null;
  /**
   * A file that is not the certificate as issued (status forged) but carries the issuer's own credential: that
   * seal's live verdict. The file's printed page is not to be trusted; the seal it carries is, with this status.
   */
  credentialInside?: { serial: string; verdict: SealVerdict; reason?: string };
}

/** Input that is not a seal at all (not a PDF, not a JWS): the caller answers 400. */
export class VerifyInputError extends Error {}

/** The largest seal PDF (or credential) checked, on the verify page and in the API: a seal certificate is far smaller. */
export const VERIFY_MAX_BYTES = 10 * 1024 * 1024;
/** Far longer than any seal credential (about 2 KB): a pasted credential, or a credential file, beyond it is not one. */
export const CREDENTIAL_MAX_CHARS = 50_000;

const jwks = () => signingKeys(getEnv().dataDir).jwks().keys;

type SealRow = Pick<
  typeof seals.$inferSelect,
  "serial" | "credential" | "state" | "validFrom" | "validUntil" | "supersededBy"
>;
const LIVE_COLUMNS = {
  serial: seals.serial,
  credential: seals.credential,
  state: seals.state,
  validFrom: seals.validFrom,
  validUntil: seals.validUntil,
  supersededBy: seals.supersededBy,
};

/** The public reason recorded with each seal's current state (suspension, revocation, supersession). */
function stateReasons(rows: readonly SealRow[]): Map<string, string> {
  const changed = rows.filter((r) => r.state !== "active").map((r) => r.serial);
  const reasons = new Map<string, string>();
  for (let i = 0; i < changed.length; i += 500) {
    const events = db()
      .select({ serial: sealEvents.serial, kind: sealEvents.kind, reason: sealEvents.reason })
      .from(sealEvents)
      .where(
        and(
          inArray(sealEvents.serial, changed.slice(i, i + 500)),
          inArray(sealEvents.kind, ["suspended", "revoked", "superseded"]),
        ),
      )
      .orderBy(asc(sealEvents.id))
      .all();
    for (const e of events) reasons.set(`${e.serial}:${e.kind}`, e.reason);
  }
  const byState = new Map<string, string>();
  for (const r of rows) {
    const reason = reasons.get(`${r.serial}:${r.state}`);
    if (reason) byState.set(r.serial, reason);
  }
  return byState;
}

/** A recorded seal's verdict now, with its public reason. */
const liveVerdict = (row: SealRow) =>
  sealVerdictOf({ ...row, stateReason: stateReasons([row]).get(row.serial) }, new Date(nowMs()));

function liveAnswer(credential: SealCredential, row: SealRow, checks: ArtefactCheck[]): VerifyAnswer {
  return answerWithVerdict(credential, row.serial, liveVerdict(row), checks, row.supersededBy);
}

/** A lost seal (seal-status.server.ts, recordLostSeal): revoked, with the reason logged. */
const lostVerdict = (lost: { reason: string }) => ({ verdict: "revoked" as const, reason: lost.reason });

function answerWithVerdict(
  credential: SealCredential,
  serial: string,
  v: { verdict: SealVerdict; reason?: string },
  checks: ArtefactCheck[],
  supersededBy: string | null,
): VerifyAnswer {
  return {
    status: v.verdict,
    ...(v.reason ? { reason: v.reason } : {}),
    serial,
    subject: credential.credentialSubject,
    credential: { issuer: credential.issuer, validFrom: credential.validFrom, validUntil: credential.validUntil },
    checks: [
      ...checks,
      {
        label: "Status at the issuer",
        ok: v.verdict === "valid",
        detail: v.verdict === "valid" ? "In force" : `not in force: ${v.verdict.replace("_", " ")}`,
      },
    ],
    supersededBy,
  };
}

function notFound(serial: string | undefined, reason: string): VerifyAnswer {
  return { status: "not_found", reason, ...(serial ? { serial } : {}), checks: [] };
}

/** A credential (compact JWS) as pasted, posted or found in a PDF, presented under an optional serial. */
async function answerFor(jws: string, extra: Omit<Artefacts, "jws"> = {}): Promise<VerifyAnswer> {
  const result = await checkArtefacts({ jws, ...extra }, jwks());
  if (!result.ok) {
    return {
      status: "forged",
      reason: result.reason,
      ...(result.credential
        ? { serial: result.credential.credentialSubject.serial, subject: result.credential.credentialSubject }
        : {}),
      checks: result.checks,
      ...(result.fileOnly && result.credential ? credentialInside(result.credential, jws) : {}),
    };
  }
  const serial = result.credential.credentialSubject.serial;
  const row = db()
    .select(LIVE_COLUMNS)
    .from(seals)
    .where(inArray(seals.serial, [serial]))
    .get();
  if (!row) {
    const lost = lostSeal(serial);
    if (lost && lost.credential.trim() === jws.trim())
      return answerWithVerdict(result.credential, serial, lostVerdict(lost), result.checks, null);
    return {
      ...notFound(serial, "The signature is the issuer's, but the issuer has no record of this seal."),
      checks: result.checks,
    };
  }
  if (row.credential.trim() !== jws.trim()) {
    return {
      status: "forged",
      reason: "This credential is not the one the issuer recorded for this seal.",
      serial,
      checks: result.checks,
    };
  }
  return liveAnswer(result.credential, row, result.checks);
}

/**
 * The live verdict of the seal whose credential an altered file carries, when that credential is the issuer's
 * record of it, byte for byte (not only signed by the issuer): a re-saved or edited certificate of a real seal.
 */
function credentialInside(credential: SealCredential, jws: string): Pick<VerifyAnswer, "credentialInside"> {
  const serial = credential.credentialSubject.serial;
  const row = db()
    .select(LIVE_COLUMNS)
    .from(seals)
    .where(inArray(seals.serial, [serial]))
    .get();
  if (!row || row.credential.trim() !== jws.trim()) return {};
  const v = liveVerdict(row);
  return { credentialInside: { serial, verdict: v.verdict, ...(v.reason ? { reason: v.reason } : {}) } };
}

const JWS_SHAPE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;

/**
 * A pasted or posted credential: the compact JWS, or JSON `{"credential": "<jws>"}`. Whitespace
 * inside it (line breaks from a mail client or a terminal) is removed: a compact JWS has none.
 */
export async function verifyCredentialText(text: string, presentedSerial?: string): Promise<VerifyAnswer> {
  let jws = text.trim();
  if (jws.startsWith("{")) {
    try {
      const body = JSON.parse(jws) as { credential?: unknown };
      if (typeof body.credential !== "string")
        throw new VerifyInputError('The JSON has no "credential" string: send {"credential": "<compact JWS>"}.');
      jws = body.credential;
    } catch (e) {
      if (e instanceof VerifyInputError) throw e;
      throw new VerifyInputError("The body is not valid JSON.");
    }
  }
  jws = compactJwsOf(jws);
  // One of the issuer's credentials with part of its end missing was cut short when it was copied,
  // not forged: say so, and verify nothing. Any other token goes on to be judged (forged).
  const cut = cutShortCredential(jws, jwks());
  if (cut)
    throw new VerifyInputError(
      `This credential is cut short: ${cutShortText(cut)}. Paste all of it (the seal page's "Download the credential" gives the whole text), or verify by serial.`,
    );
  if (!JWS_SHAPE.test(jws))
    throw new VerifyInputError(
      "This is not a seal credential: a credential is a compact JWS (three base64url parts separated by dots).",
    );
  return answerFor(jws, presentedSerial ? { presentedSerial } : {});
}

/**
 * A file given where the seal's PDF is asked for: the PDF, or the credential file (seal.vc.jwt, as
 * the seal page downloads it) given in its place, checked as the same credential pasted would be
 * (a cut-short one is said to be so).
 */
export async function verifyUploadedFile(
  bytes: Uint8Array,
): Promise<{ answer: VerifyAnswer; by: "pdf" | "credential-file" }> {
  const credential = credentialFileText(bytes);
  if (credential !== null) return { answer: await verifyCredentialText(credential), by: "credential-file" };
  return { answer: await verifyPdf(bytes), by: "pdf" };
}

/** A credential's text, when the file is one: small, UTF-8, and base64url parts from a JSON header on ("eyJ"). */
function credentialFileText(bytes: Uint8Array): string | null {
  if (bytes.byteLength > CREDENTIAL_MAX_CHARS) return null;
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    return null;
  }
  return /^eyJ[A-Za-z0-9_.-]*$/.test(compactJwsOf(text)) ? text : null;
}

/** The verify form is on screen: the PDF reader starts now, while someone chooses their file. */
export function preparePdfCheck(): void {
  void warmPdfReader();
}

/** An uploaded seal PDF: its attached credential and log proof, checked against its own page. */
export async function verifyPdf(bytes: Uint8Array): Promise<VerifyAnswer> {
  let pdf: Awaited<ReturnType<typeof readSealPdf>>;
  try {
    pdf = await readSealPdf(bytes);
  } catch (e) {
    if (e instanceof PdfReadError) throw new VerifyInputError(e.message);
    throw e;
  }
  const jws = pdf.attachments.get("seal.vc.jwt")?.toString("utf8").trim();
  if (!jws)
    return {
      status: "forged",
      reason:
        "This PDF carries no seal credential (seal.vc.jwt): it is not an IoT Seal certificate, or it was altered.",
      checks: [{ label: "Credential attached", ok: false }],
    };
  const logProof = logProofOfAttachments(pdf.attachments); // seal.tlog-proof, or an older PDF's seal.tlog-proof.json
  const answer = await answerFor(jws, {
    pageText: pdf.pageText,
    logProof,
    pdfBytes: bytes,
    issuedPdf: issuedPdfFor(jws),
  });
  return { ...answer, checks: [{ label: "Credential attached", ok: true }, ...answer.checks] };
}

/**
 * The PDF stored when the seal the credential names was issued (its serial is read before the
 * signature is checked; checkArtefacts compares only when the signed serial is this one).
 */
function issuedPdfFor(jws: string): Artefacts["issuedPdf"] {
  const serial = (unverifiedPayload(jws) as { credentialSubject?: { serial?: unknown } } | null)?.credentialSubject
    ?.serial;
  if (typeof serial !== "string") return null;
  const row = db()
    .select({ serial: seals.serial, pdf: seals.pdf })
    .from(seals)
    .where(inArray(seals.serial, [serial]))
    .get();
  return row?.pdf ? { serial: row.serial, bytes: row.pdf } : null;
}

/** What a serial not shaped like one, or whose check character does not match (a typo), is told (/verify and the seal API). */
export const NOT_A_VALID_SERIAL =
  "This is not a valid seal serial: check it for a typo (serials look like IOTS-7KQ2-M9XD and end in a check character).";

/** By serial, as typed or scanned. */
export async function verifySerial(input: string): Promise<VerifyAnswer> {
  const serial = normalizeSerial(input);
  if (!serial || !isValidSerial(serial)) return notFound(serial ?? undefined, NOT_A_VALID_SERIAL);
  const row = db()
    .select(LIVE_COLUMNS)
    .from(seals)
    .where(inArray(seals.serial, [serial]))
    .get();
  if (!row) {
    const lost = lostSeal(serial);
    return lost
      ? answerFor(lost.credential, { presentedSerial: serial })
      : notFound(serial, "No seal has this serial.");
  }
  return answerFor(row.credential, { presentedSerial: serial });
}

export interface BulkAnswer {
  serial: string;
  status: SealVerdict;
  reason: string;
  product: string;
  firmware: string;
  validUntil: string;
}

/**
 * Many serials at once (a retailer's CSV). The credentials are the issuer's own records, checked
 * once per process (see storedCredentialChecked); statuses come from one query per 500 serials.
 */
export async function verifySerials(inputs: readonly string[]): Promise<BulkAnswer[]> {
  const normalized = inputs.map((s) => {
    const n = normalizeSerial(s);
    return n && isValidSerial(n) ? n : null;
  });
  const wanted = [...new Set(normalized.filter((s): s is string => s !== null))];
  const rows = new Map<string, SealRow>();
  for (let i = 0; i < wanted.length; i += 500) {
    for (const r of db()
      .select(LIVE_COLUMNS)
      .from(seals)
      .where(inArray(seals.serial, wanted.slice(i, i + 500)))
      .all())
      rows.set(r.serial, r);
  }
  const now = new Date(nowMs());
  let keys: JWK[] | undefined;
  const reasons = stateReasons([...rows.values()]);
  const lost = lostSealsBySerial(wanted.filter((s) => !rows.has(s)));
  const answers: BulkAnswer[] = [];
  for (let i = 0; i < inputs.length; i++) {
    const serial = normalized[i];
    const empty = { product: "", firmware: "", validUntil: "" };
    if (!serial) {
      answers.push({
        serial: inputs[i].trim(),
        status: "not_found",
        reason: inputs[i].trim() ? "Not a valid seal serial (check for a typo)." : "No serial in this row.",
        ...empty,
      });
      continue;
    }
    // A seal here, or a lost seal (revoked, its reason logged).
    const row = rows.get(serial);
    const gone = row ? undefined : lost.get(serial);
    const record = row ?? gone;
    if (!record) {
      answers.push({ serial, status: "not_found", reason: "No seal has this serial.", ...empty });
      continue;
    }
    const credential = await storedCredentialChecked(record, (keys ??= jwks()));
    if (!credential) {
      answers.push({ serial, status: "forged", reason: "The issuer's stored credential does not verify.", ...empty });
      continue;
    }
    const v = row ? sealVerdictOf({ ...row, stateReason: reasons.get(serial) }, now) : lostVerdict(gone!);
    const s = credential.credentialSubject;
    answers.push({
      serial,
      status: v.verdict,
      reason: v.reason ?? "",
      product: `${s.product.name} (${s.product.model})`,
      firmware: s.firmwareVersion,
      validUntil: credential.validUntil.slice(0, 10),
    });
  }
  return answers;
}

/** Stored credentials whose signature was checked in this process, by serial (they never change). */
const checkedStored = new Map<string, { jws: string; credential: SealCredential }>();

/** The stored credential, signature checked (once per process per seal), or null if it fails. */
export async function storedCredentialChecked(
  row: Pick<typeof seals.$inferSelect, "serial" | "credential">,
  keys?: JWK[],
): Promise<SealCredential | null> {
  const hit = checkedStored.get(row.serial);
  if (hit && hit.jws === row.credential) return hit.credential;
  const result = await checkArtefacts({ jws: row.credential, presentedSerial: row.serial }, keys ?? jwks());
  if (!result.ok) return null;
  if (checkedStored.size > 100_000) checkedStored.clear();
  checkedStored.set(row.serial, { jws: row.credential, credential: result.credential });
  return result.credential;
}
