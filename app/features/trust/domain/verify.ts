/**
 * Verification shared by the portal (which knows each seal's state from its database) and the
 * offline verifier (which reads the signed status lists): what the artefacts a buyer holds say,
 * and whether they are genuine. A seal is "forged" when its signature fails, when it names a
 * key the issuer never published, when the serial it was presented under (URL, PDF page)
 * differs from the signed one, when a PDF's page disagrees with the signed facts, when the PDF's
 * log proof belongs to something else, or when the PDF was edited after it was issued (offline:
 * it has more than one revision; at the portal, which keeps the issued bytes: it is not that file).
 */
import type { JWK } from "jose";
import { verifySealSignature, type SealCredential } from "./credential";
import { pdfDifference, revisionProblem, sha256Hex } from "./pdf-integrity";
import { pageDisagreements } from "./seal-facts";
import { normalizeSerial } from "./serial";
import { checkTlogProof, logOrigin } from "./tlog";

// The verdicts' words, shared with the pages (verdict.ts holds them: pure, safe for the browser).
export { VERDICT_LABELS } from "./verdict";

export interface ArtefactCheck {
  label: string;
  ok: boolean;
  detail?: string;
}

export type ArtefactResult =
  | { ok: true; credential: SealCredential; kid: string; checks: ArtefactCheck[] }
  | {
      ok: false;
      reason: string;
      checks: ArtefactCheck[];
      credential?: SealCredential;
      claimedSerial?: string;
      /**
       * The signature is the issuer's and the credential was presented under its own serial: what failed is the
       * file around it (edited after issue, a page that differs from the signed facts, a bad attached log proof).
       * The credential itself may still be the issuer's record, whose live status the file cannot change.
       */
      fileOnly?: true;
    };

export interface Artefacts {
  jws: string;
  /** The serial the credential was presented under: a URL, a typed serial, the PDF page. */
  presentedSerial?: string;
  /** Text of the PDF page carrying the credential. */
  pageText?: string;
  /**
   * The PDF's log proof (tlog-proof.ts logProofOfAttachments): `seal.tlog-proof`'s bytes, or an older PDF's
   * `seal.tlog-proof.json` parsed (undefined when not a PDF; null when the PDF has none).
   */
  logProof?: unknown;
  /** The PDF file itself: it must be in one revision, with nothing appended (an incremental update). */
  pdfBytes?: Uint8Array;
  /**
   * The PDF the issuer stored when it issued seal `serial` (the portal only). A PDF whose signed
   * serial is that one must be this file, byte for byte; otherwise the answer says what differs.
   */
  issuedPdf?: { serial: string; bytes: Uint8Array } | null;
}

export const PDF_REVISION_CHECK = "PDF not edited after issue (one revision)";
export const PDF_ISSUED_CHECK = "PDF identical to the one issued";

/** Checks the credential and whatever came with it. The first failure decides the reason. */
export async function checkArtefacts(a: Artefacts, jwks: readonly JWK[]): Promise<ArtefactResult> {
  const checks: ArtefactCheck[] = [];
  const sig = await verifySealSignature(a.jws, jwks);
  if (!sig.ok) {
    checks.push({ label: "Signature by the issuer", ok: false, detail: sig.message });
    return { ok: false, reason: sig.message, checks };
  }
  const credential = sig.credential;
  const serial = credential.credentialSubject.serial;
  checks.push({ label: "Signature by the issuer", ok: true, detail: `Ed25519 key ${sig.kid.slice(0, 12)}…` });

  if (a.presentedSerial !== undefined) {
    const presented = normalizeSerial(a.presentedSerial) ?? a.presentedSerial;
    if (presented !== serial) {
      const reason = `The credential is for seal ${serial}, but it was presented as ${presented}.`;
      checks.push({ label: "Serial matches", ok: false, detail: reason });
      return { ok: false, reason, checks, credential, claimedSerial: presented };
    }
    checks.push({ label: "Serial matches", ok: true });
  }

  // An edit appended after issue is named first: the page check would read the issued text under it.
  const issued = a.pdfBytes && a.issuedPdf?.serial === serial ? a.issuedPdf.bytes : undefined;
  if (a.pdfBytes) {
    const edited = revisionProblem(a.pdfBytes);
    const reason = edited && issued ? pdfDifference(serial, issued, a.pdfBytes) : edited;
    if (reason) {
      const detail = issued ? pdfDifference(serial, issued, a.pdfBytes, true)! : reason;
      checks.push({ label: issued ? PDF_ISSUED_CHECK : PDF_REVISION_CHECK, ok: false, detail });
      return { ok: false, reason, checks, credential, fileOnly: true };
    }
    if (!issued)
      checks.push({ label: PDF_REVISION_CHECK, ok: true, detail: "Nothing appended after the issued file's end" });
  }

  if (a.pageText !== undefined) {
    const differ = pageDisagreements(a.pageText, credential);
    if (differ.length) {
      const list = differ
        .map((d) =>
          d.shown
            ? `${d.label} (the page shows "${d.shown}"; signed: ${d.expected})`
            : `${d.label} (signed: ${d.expected})`,
        )
        .join("; ");
      const reason = `The PDF page does not show what was signed: ${list}. Trust the signed facts, not the page.`;
      checks.push({ label: "PDF page matches the signed facts", ok: false, detail: reason });
      return { ok: false, reason, checks, credential, fileOnly: true };
    }
    checks.push({ label: "PDF page matches the signed facts", ok: true });
  }

  if (a.logProof !== undefined) {
    const proof =
      a.logProof === null
        ? { ok: false as const, message: "The PDF carries no log proof." }
        : checkTlogProof(a.logProof, { jws: a.jws, serial, origin: logOrigin(credential.issuer.id), jwks });
    if (!proof.ok) {
      checks.push({ label: "Transparency log proof", ok: false, detail: proof.message });
      return { ok: false, reason: proof.message, checks, credential, fileOnly: true };
    }
    checks.push({
      label: "Transparency log proof",
      ok: true,
      detail: `Leaf ${proof.leafIndex} of ${proof.treeSize}, signed checkpoint`,
    });
  }

  if (a.pdfBytes && issued) {
    const reason = pdfDifference(serial, issued, a.pdfBytes);
    if (reason) {
      checks.push({ label: PDF_ISSUED_CHECK, ok: false, detail: pdfDifference(serial, issued, a.pdfBytes, true)! });
      return { ok: false, reason, checks, credential, fileOnly: true };
    }
    checks.push({
      label: PDF_ISSUED_CHECK,
      ok: true,
      detail: `Byte for byte, SHA-256 ${sha256Hex(issued).slice(0, 16)}…`,
    });
  }
  return { ok: true, credential, kid: sig.kid, checks };
}
