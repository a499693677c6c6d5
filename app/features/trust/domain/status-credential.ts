/**
 * The two status lists as signed credentials (W3C Bitstring Status List v1.0, secured as a
 * compact JWS like the seals), and what a verifier reads from them. Pure apart from jose.
 */
import { compactVerify, decodeProtectedHeader, importJWK, type JWK } from "jose";
import type { KeyObject } from "node:crypto";
import { ACCEPTED_ALGS, isAcceptedAlg, signCompactJws, VC_CONTEXT, type SealCredential } from "./credential";
import {
  decodeStatusList,
  statusListCredentialSubject,
  type BitstringStatusListSubject,
  type StatusBitstring,
  type StatusPurpose,
} from "./status-list";

export interface StatusListCredential {
  "@context": string[];
  id: string;
  type: ["VerifiableCredential", "BitstringStatusListCredential"];
  issuer: { id: string; name: string };
  validFrom: string;
  validUntil: string;
  credentialSubject: BitstringStatusListSubject;
}

/** How long a signed list is good for: verifiers refetch after this (and CDNs may hold it until then). */
export const STATUS_LIST_TTL_MS = 10 * 60 * 1000;

/** How long a browser keeps a list before asking again (shared caches follow `s-maxage`). */
const BROWSER_MAX_AGE_S = 60;

/**
 * The HTTP `Cache-Control` of a signed list, aligned with its `ttl` and `validUntil` (Bitstring
 * Status List v1.0 asks that caching not outlive them): `freshSeconds` is how long until the
 * issuer signs a new list (a shared cache's `s-maxage`), `validForSeconds` how long until this
 * list's `validUntil`. `stale-if-error` only covers the rest of that validity, so a cache that
 * cannot reach the issuer may serve a list until its `validUntil` and never after (it was a flat
 * day before: a list could be served 24 hours past its validity). No `max-age` or `s-maxage`
 * exceeds the validity either.
 */
export function statusListCacheControl(p: { freshSeconds: number; validForSeconds: number }): string {
  const valid = Math.max(0, Math.floor(p.validForSeconds));
  const shared = Math.min(Math.max(0, Math.floor(p.freshSeconds)), valid);
  const browser = Math.min(BROWSER_MAX_AGE_S, shared);
  return `public, max-age=${browser}, s-maxage=${shared}, stale-if-error=${valid - shared}`;
}

export function buildStatusListCredential(p: {
  url: string;
  issuer: { id: string; name: string };
  purpose: StatusPurpose;
  bits: StatusBitstring;
  now: Date;
  ttlMs?: number;
}): StatusListCredential {
  const ttl = p.ttlMs ?? STATUS_LIST_TTL_MS;
  return {
    "@context": [VC_CONTEXT],
    id: p.url,
    type: ["VerifiableCredential", "BitstringStatusListCredential"],
    issuer: p.issuer,
    validFrom: p.now.toISOString(),
    // The list's lifetime is its TTL: an old list (from before a revocation) cannot be replayed as current.
    validUntil: new Date(p.now.getTime() + ttl).toISOString(),
    credentialSubject: {
      ...statusListCredentialSubject({ id: `${p.url}#list`, purpose: p.purpose, bits: p.bits }),
      ttl,
    } as BitstringStatusListSubject,
  };
}

/** Signs a status list credential as the seals are signed (signCompactJws). */
export function signStatusListCredential(c: StatusListCredential, key: KeyObject | CryptoKey, kid: string): string {
  return signCompactJws(c, key, kid);
}

export type StatusListCheck =
  | { ok: true; url: string; purpose: StatusPurpose; bits: StatusBitstring; validUntil: string }
  | { ok: false; message: string };

/** Checks a status list credential's signature against the issuer's keys and decodes its bits. */
export async function verifyStatusListCredential(jws: string, jwks: readonly JWK[]): Promise<StatusListCheck> {
  const token = jws.trim();
  let kid: unknown;
  let alg: string;
  try {
    const header = decodeProtectedHeader(token);
    if (!isAcceptedAlg(header.alg))
      return { ok: false, message: "The status list is not signed with Ed25519 (alg EdDSA or Ed25519)." };
    alg = header.alg;
    kid = header.kid;
  } catch {
    return { ok: false, message: "The status list is not a signed credential." };
  }
  const jwk = jwks.find((k) => k.kid === kid);
  if (!jwk) return { ok: false, message: "The status list is signed with a key the issuer never published." };
  let c: StatusListCredential;
  try {
    // The JWKS names its keys "EdDSA"; the same Ed25519 key checks an "Ed25519" header (RFC 9864).
    const key = await importJWK({ ...jwk, alg }, alg);
    const { payload } = await compactVerify(token, key, { algorithms: [...ACCEPTED_ALGS] });
    c = JSON.parse(new TextDecoder().decode(payload));
  } catch {
    return { ok: false, message: "The status list's signature does not match." };
  }
  if (!c?.type?.includes?.("BitstringStatusListCredential") || c.credentialSubject?.type !== "BitstringStatusList") {
    return { ok: false, message: "The signed content is not a Bitstring Status List." };
  }
  const purpose = c.credentialSubject.statusPurpose;
  if (purpose !== "revocation" && purpose !== "suspension")
    return { ok: false, message: `Unknown status purpose "${String(purpose)}".` };
  try {
    return {
      ok: true,
      url: c.id,
      purpose,
      bits: decodeStatusList(c.credentialSubject.encodedList),
      validUntil: c.validUntil,
    };
  } catch (e) {
    return { ok: false, message: `The status list cannot be decoded: ${(e as Error).message}` };
  }
}

/**
 * Where a credential's status for `purpose` is kept: the list's URL and the index in it, or null
 * when the credential has no such entry or its index is not a non-negative integer.
 */
export function statusPointerOf(
  credential: Pick<SealCredential, "credentialStatus">,
  purpose: StatusPurpose,
): { url: string; index: number } | null {
  const entry = credential.credentialStatus.find((e) => e.statusPurpose === purpose);
  if (!entry) return null;
  const index = Number(entry.statusListIndex);
  return Number.isSafeInteger(index) && index >= 0 ? { url: entry.statusListCredential, index } : null;
}

/**
 * Reads a seal's revocation and suspension bits from verified lists (matched by the URL the
 * credential names). A purpose whose list is missing is reported as unknown.
 */
export function statusFromLists(
  credential: SealCredential,
  lists: readonly Extract<StatusListCheck, { ok: true }>[],
): { revoked: boolean | null; suspended: boolean | null } {
  const read = (purpose: StatusPurpose): boolean | null => {
    const pointer = statusPointerOf(credential, purpose);
    if (!pointer) return null;
    const list = lists.find((l) => l.purpose === purpose && l.url === pointer.url);
    if (!list || pointer.index >= list.bits.size) return null;
    return list.bits.get(pointer.index);
  };
  return { revoked: read("revocation"), suspended: read("suspension") };
}
