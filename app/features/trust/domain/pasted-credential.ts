/**
 * A credential as a person pastes it or a file holds it, read the same way by the portal (the
 * verify page and POST /api/v1/verify) and the offline verifier: a compact JWS has no whitespace,
 * so line breaks and spaces (a mail client or a terminal wrapping it) are taken out; and a seal
 * credential cut short when it was copied is told apart from a forgery. Only a credential whose
 * header is the issuer's (an Ed25519 `alg`, a `kid` the issuer published) can be cut short: any
 * other token, whatever the length of its signature (an HS256 token has 43 characters), is judged
 * by the signature check, and found forged.
 */
import type { JWK } from "jose";
import { isAcceptedAlg } from "./credential";

/** An Ed25519 signature is 64 bytes: 86 base64url characters. */
export const ED25519_SIGNATURE_CHARS = 86;

/** The compact JWS in pasted text: every whitespace character removed (a compact JWS has none). */
export function compactJwsOf(text: string): string {
  return text.replace(/\s+/g, "");
}

/** How a seal credential was cut short: within its signature, or before it (no second dot). */
export type CutShort = { kind: "signature"; chars: number } | { kind: "no_signature" };

const B64URL = /^[A-Za-z0-9_-]+$/;

/** The protected header of a compact JWS (its first part), or null when it is not a JSON object. */
function headerOf(first: string): Record<string, unknown> | null {
  if (!B64URL.test(first)) return null;
  try {
    const header: unknown = JSON.parse(
      new TextDecoder("utf-8", { fatal: true }).decode(Buffer.from(first, "base64url")),
    );
    return header && typeof header === "object" && !Array.isArray(header) ? (header as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/**
 * Whether `jws` (whitespace already removed) is one of the issuer's seal credentials cut short:
 * its header names an Ed25519 `alg` and a key in `jwks`, and it has two parts (cut before the
 * second dot) or a signature shorter than an Ed25519 one. Null otherwise: it is whole, or not the
 * issuer's, and the signature check decides.
 */
export function cutShortCredential(jws: string, jwks: readonly JWK[]): CutShort | null {
  const parts = jws.split(".");
  if (parts.length !== 2 && parts.length !== 3) return null;
  if (parts.slice(1).some((p) => p !== "" && !B64URL.test(p))) return null;
  const header = headerOf(parts[0]);
  if (!header || !isAcceptedAlg(header.alg)) return null;
  const kid = header.kid;
  if (typeof kid !== "string" || !kid || !jwks.some((k) => k.kid === kid)) return null;
  if (parts.length === 2) return { kind: "no_signature" };
  const chars = parts[2].length;
  return chars < ED25519_SIGNATURE_CHARS ? { kind: "signature", chars } : null;
}

/** What is missing, in words: "its signature has 66 of its 86 characters". */
export function cutShortText(cut: CutShort): string {
  return cut.kind === "signature"
    ? `its signature has ${cut.chars} of its ${ED25519_SIGNATURE_CHARS} characters`
    : "it ends before its signature (a credential has three parts separated by dots; this one has two)";
}
