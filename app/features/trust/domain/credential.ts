/**
 * The seal credential: a W3C Verifiable Credential 2.0 secured as a compact JWS (VC-JOSE-COSE,
 * `typ: vc+jwt`, EdDSA over Ed25519, `kid` in the header), made and checked with `jose`. Checks
 * also accept the fully specified `alg` "Ed25519" (RFC 9864); new seals keep "EdDSA".
 * Building and checking are pure apart from the signature maths; keys come from outside. Signing
 * is node:crypto's (signCompactJws, byte for byte what jose's CompactSign makes); checking parses
 * with jose and verifies the Ed25519 signature with node:crypto.
 */
import crypto, { type KeyObject } from "node:crypto";
import { base64url, decodeProtectedHeader, type JWK } from "jose";
import { sealContextUrl } from "./seal-context";
import { sealVerdictOf, type SealVerdict } from "./verdict";

export const VC_CONTEXT = "https://www.w3.org/ns/credentials/v2";
export const SEAL_TYPE = "IoTSecuritySeal";
export const JWS_TYPE = "vc+jwt";
/** The `alg` new seals and lists are signed with (ADR 005: unchanged until a decision record says otherwise). */
export const SIGNING_ALG = "EdDSA";
/**
 * The `alg` values a verifier accepts: both name Ed25519 over the same key and signature bytes,
 * "EdDSA" (RFC 8037) and the fully specified "Ed25519" (RFC 9864). Anything else is refused.
 */
export const ACCEPTED_ALGS: readonly string[] = [SIGNING_ALG, "Ed25519"];

export function isAcceptedAlg(alg: unknown): alg is string {
  return typeof alg === "string" && ACCEPTED_ALGS.includes(alg);
}

export interface SealSubject {
  serial: string;
  supplier: { name: string };
  product: { name: string; model: string; gtin: string | null; sku: string | null; category: string };
  hardwareRevision: string;
  firmwareVersion: string;
  /**
   * `id` is the URL of the checklist version's page (checklistPageUrl; VC Data Model 2.0 section
   * 4.4: an `id` is a URL). Seals issued before issue 17 carry the bare checklist id
   * ("etsi-en-303-645"): read it with checklistIdOf (./checklist-url), which understands both.
   */
  checklist: { id: string; version: string; title: string; contentHash: string };
  level: string;
  results: {
    requirements: number;
    pass: number;
    notApplicable: number;
    mandatoryMet: number;
    advisoryMet: number;
    advisoryTotal: number;
  };
  evidenceMerkleRoot: string; // hex SHA-256 Merkle root (RFC 6962 hashing) over the assessed files' SHA-256 hashes
  supportPeriodEnd: string; // YYYY-MM-DD
}

export interface StatusPointer {
  listCredentialUrl: string;
  index: number;
}

export interface SealCredential {
  "@context": string[];
  id: string;
  type: string[];
  issuer: { id: string; name: string };
  validFrom: string;
  validUntil: string;
  credentialSubject: SealSubject & { id: string };
  credentialStatus: {
    id: string;
    type: "BitstringStatusListEntry";
    statusPurpose: "revocation" | "suspension";
    statusListIndex: string;
    statusListCredential: string;
  }[];
}

export function sealPageUrl(baseUrl: string, serial: string): string {
  return `${baseUrl}/s/${serial}`;
}

export function buildSealCredential(p: {
  baseUrl: string;
  issuerName: string;
  subject: SealSubject;
  validFrom: Date;
  validUntil: Date;
  revocation: StatusPointer;
  suspension: StatusPointer;
}): SealCredential {
  const entry = (purpose: "revocation" | "suspension", s: StatusPointer) => ({
    id: `${s.listCredentialUrl}#${s.index}`,
    type: "BitstringStatusListEntry" as const,
    statusPurpose: purpose,
    statusListIndex: String(s.index),
    statusListCredential: s.listCredentialUrl,
  });
  return {
    // The seal's own terms (serial, product, results…) are defined by its context, after v2's (issue 17).
    "@context": [VC_CONTEXT, sealContextUrl(p.baseUrl)],
    id: sealPageUrl(p.baseUrl, p.subject.serial),
    type: ["VerifiableCredential", SEAL_TYPE],
    issuer: { id: p.baseUrl, name: p.issuerName },
    validFrom: p.validFrom.toISOString(),
    validUntil: p.validUntil.toISOString(),
    credentialSubject: { id: `urn:iotseal:seal:${p.subject.serial}`, ...p.subject },
    credentialStatus: [entry("revocation", p.revocation), entry("suspension", p.suspension)],
  };
}

/** Where the issuer publishes its keys (RFC 7517 JWK Set), relative to the issuer URL. */
export const JWKS_PATH = "/.well-known/jwks.json";

/**
 * SD-JWT VC issuer metadata (`/.well-known/jwt-vc-issuer`): the issuer exactly as the
 * credentials name it (`issuer.id`, the portal's base URL) and the absolute URL of its JWKS.
 */
export function issuerMetadata(baseUrl: string): { issuer: string; jwks_uri: string } {
  return { issuer: baseUrl, jwks_uri: `${baseUrl}${JWKS_PATH}` };
}

/**
 * A compact JWS (RFC 7515) of `payload` as JSON, signed with an Ed25519 private key (a KeyObject or
 * CryptoKey) under the header `{ alg: "EdDSA", typ: "vc+jwt", kid }`. Signed by node:crypto, at
 * once: jose's CompactSign signs through WebCrypto, whose job goes to libuv's thread pool and back,
 * about 1 ms of waiting for some 50 µs of work on every seal issued (decision record 033). Ed25519
 * signatures are deterministic, so the bytes are exactly CompactSign's (a unit test holds the two
 * side by side); checking stays with jose's parser (verifySealSignature).
 */
export function signCompactJws(payload: unknown, key: CryptoKey | KeyObject, kid: string): string {
  const k = key instanceof crypto.KeyObject ? key : crypto.KeyObject.from(key);
  if (k.type !== "private" || k.asymmetricKeyType !== "ed25519")
    throw new TypeError(
      `A seal or status list is signed with an Ed25519 private key, not a ${k.asymmetricKeyType ?? k.type} ${k.type} key.`,
    );
  const input = `${b64(JSON.stringify({ alg: SIGNING_ALG, typ: JWS_TYPE, kid }))}.${b64(JSON.stringify(payload))}`;
  return `${input}.${crypto.sign(null, Buffer.from(input), k).toString("base64url")}`;
}

const b64 = (text: string) => Buffer.from(text).toString("base64url");

/** Signs a seal credential (signCompactJws); `kid` names the public key in the JWKS. */
export function signCredential(credential: SealCredential, key: CryptoKey | KeyObject, kid: string): string {
  return signCompactJws(credential, key, kid);
}

export type ForgeryReason =
  | "not_a_jws"
  | "bad_header"
  | "alg_not_allowed"
  | "missing_kid"
  | "unknown_kid"
  | "bad_signature"
  | "bad_payload"
  | "not_a_seal";

export const FORGERY_MESSAGES: Record<ForgeryReason, string> = {
  not_a_jws: "This is not a signed credential (a compact JWS has three base64url parts).",
  bad_header: "The credential's header cannot be read.",
  alg_not_allowed:
    "The credential is not signed with Ed25519 (alg EdDSA or Ed25519); any other algorithm, including none, is refused.",
  missing_kid: "The credential does not name its signing key.",
  unknown_kid: "The credential names a signing key the issuer never published.",
  bad_signature: "The signature does not match: the credential was altered or signed by someone else.",
  bad_payload: "The signed content is not a credential.",
  not_a_seal: "The signed content is not an IoT Seal credential.",
};

export type SignatureCheck =
  { ok: true; credential: SealCredential; kid: string } | { ok: false; reason: ForgeryReason; message: string };

// The signature part may be empty (an "alg: none" token) so that such a token is named for what it is.
const COMPACT = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;

function forged(reason: ForgeryReason): SignatureCheck {
  return { ok: false, reason, message: FORGERY_MESSAGES[reason] };
}

/**
 * Checks the signature of a compact JWS against the issuer's published keys (a JWKS). Refuses
 * any algorithm but Ed25519 (`alg` EdDSA or Ed25519) before touching the signature, and a `kid`
 * that is not in the set.
 */
export async function verifySealSignature(jws: string, jwks: readonly JWK[]): Promise<SignatureCheck> {
  const token = jws.trim();
  if (!COMPACT.test(token)) return forged("not_a_jws");
  let header: ReturnType<typeof decodeProtectedHeader>;
  try {
    header = decodeProtectedHeader(token);
  } catch {
    return forged("bad_header");
  }
  if (!isAcceptedAlg(header.alg)) return forged("alg_not_allowed");
  if (typeof header.kid !== "string" || !header.kid) return forged("missing_kid");
  if (header.crit !== undefined || header.b64 !== undefined) return forged("bad_header"); // no JWS extensions are understood
  const jwk = jwks.find((k) => k.kid === header.kid);
  if (!jwk || jwk.kty !== "OKP" || jwk.crv !== "Ed25519" || typeof jwk.x !== "string") return forged("unknown_kid");
  // The Ed25519 check itself is node:crypto's, on the JWS signing input (RFC 7515 section 5.2),
  // with the key object made once per key: jose's WebCrypto path costs about twice as much.
  const [h, p, sig] = token.split(".");
  const signature = Buffer.from(sig, "base64url");
  let key: KeyObject;
  try {
    key = publicKeyOf(jwk.x);
  } catch {
    return forged("unknown_kid");
  }
  if (signature.length !== 64 || !crypto.verify(null, Buffer.from(`${h}.${p}`, "ascii"), key, signature))
    return forged("bad_signature");
  const payload = Buffer.from(p, "base64url");
  let credential: SealCredential;
  try {
    credential = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(payload));
  } catch {
    return forged("bad_payload");
  }
  if (!isSealCredential(credential)) return forged("not_a_seal");
  return { ok: true, credential, kid: header.kid };
}

const publicKeys = new Map<string, KeyObject>();

/** The Ed25519 public key with this JWK `x`, made once. */
function publicKeyOf(x: string): KeyObject {
  let key = publicKeys.get(x);
  if (!key) {
    key = crypto.createPublicKey({ key: { kty: "OKP", crv: "Ed25519", x }, format: "jwk" });
    if (publicKeys.size > 1000) publicKeys.clear();
    publicKeys.set(x, key);
  }
  return key;
}

/**
 * The shape a seal credential must have. `@context` starts with the v2 context; seals issued
 * before issue 17 have only it, later ones the seal context after it: both are accepted.
 */
function isSealCredential(c: unknown): c is SealCredential {
  if (!c || typeof c !== "object") return false;
  const v = c as Partial<SealCredential>;
  return (
    Array.isArray(v["@context"]) &&
    v["@context"][0] === VC_CONTEXT &&
    Array.isArray(v.type) &&
    v.type.includes("VerifiableCredential") &&
    v.type.includes(SEAL_TYPE) &&
    typeof v.issuer?.id === "string" &&
    typeof v.issuer?.name === "string" &&
    typeof v.validFrom === "string" &&
    typeof v.validUntil === "string" &&
    typeof v.credentialSubject?.serial === "string" &&
    Array.isArray(v.credentialStatus)
  );
}

/** Reads the unverified payload (for showing what a forged credential claims; never trusted). */
export function unverifiedPayload(jws: string): unknown {
  try {
    return JSON.parse(new TextDecoder().decode(base64url.decode(jws.trim().split(".")[1] ?? "")));
  } catch {
    return null;
  }
}

export type { SealVerdict } from "./verdict";

/**
 * The answer for a credential whose signature checked out, from its dates and status bits (as the
 * offline verifier reads them from the signed status lists; revocation first: it is final), plus
 * what the portal knows beyond the lists (superseded). The rule itself is sealVerdictOf's.
 */
export function sealVerdict(
  credential: SealCredential,
  facts: { now: Date; revoked: boolean; suspended: boolean; superseded?: boolean },
): { verdict: SealVerdict; reason?: string } {
  const state = facts.revoked ? "revoked" : facts.superseded ? "superseded" : facts.suspended ? "suspended" : "active";
  const dates = { validFrom: new Date(credential.validFrom), validUntil: new Date(credential.validUntil) };
  return sealVerdictOf({ state, ...dates }, facts.now);
}
