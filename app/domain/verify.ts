/**
 * Verification shared by the portal (which knows each seal's state from its database) and the
 * offline verifier (which reads the signed status lists): what the artefacts a buyer holds say,
 * and whether they are genuine. A seal is "forged" when its signature fails, when it names a
 * key the issuer never published, when the serial it was presented under (URL, PDF page)
 * differs from the signed one, when a PDF's page disagrees with the signed facts, or when the
 * PDF's log proof belongs to something else.
 */
import type { JWK } from "jose";
import { verifySealSignature, type SealCredential, type SealVerdict } from "./credential";
import { pageDisagreements } from "./seal-facts";
import { normalizeSerial } from "./serial";
import { checkTlogProof, logOrigin } from "./tlog";

export const VERDICT_LABELS: Record<SealVerdict, string> = {
  valid: "Valid",
  expired: "Expired",
  suspended: "Suspended",
  revoked: "Revoked",
  superseded: "Superseded",
  not_found: "Not found",
  forged: "Not genuine",
};

export interface ArtefactCheck {
  label: string;
  ok: boolean;
  detail?: string;
}

export type ArtefactResult =
  | { ok: true; credential: SealCredential; kid: string; checks: ArtefactCheck[] }
  | { ok: false; reason: string; checks: ArtefactCheck[]; credential?: SealCredential; claimedSerial?: string };

export interface Artefacts {
  jws: string;
  /** The serial the credential was presented under: a URL, a typed serial, the PDF page. */
  presentedSerial?: string;
  /** Text of the PDF page carrying the credential. */
  pageText?: string;
  /** The PDF's `seal.tlog-proof.json`, parsed (undefined when not a PDF; null when the PDF has none). */
  logProof?: unknown;
}

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

  if (a.pageText !== undefined) {
    const differ = pageDisagreements(a.pageText, credential);
    if (differ.length) {
      const list = differ.map((d) => `${d.label} (signed: ${d.expected})`).join("; ");
      const reason = `The PDF page does not show what was signed: ${list}. Trust the signed facts, not the page.`;
      checks.push({ label: "PDF page matches the signed facts", ok: false, detail: reason });
      return { ok: false, reason, checks, credential };
    }
    checks.push({ label: "PDF page matches the signed facts", ok: true });
  }

  if (a.logProof !== undefined) {
    const proof = a.logProof === null ? { ok: false as const, message: "The PDF carries no log proof." } : checkTlogProof(a.logProof, { jws: a.jws, serial, origin: logOrigin(credential.issuer.id), jwks });
    if (!proof.ok) {
      checks.push({ label: "Transparency log proof", ok: false, detail: proof.message });
      return { ok: false, reason: proof.message, checks, credential };
    }
    checks.push({ label: "Transparency log proof", ok: true, detail: `Leaf ${proof.leafIndex} of ${proof.treeSize}, signed checkpoint` });
  }
  return { ok: true, credential, kid: sig.kid, checks };
}
