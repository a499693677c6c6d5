import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { base64url, CompactSign, type JWK } from "jose";
import { beforeAll, describe, expect, it } from "vitest";
import {
  buildSealCredential,
  sealVerdict,
  signCompactJws,
  signCredential,
  verifySealSignature,
  type SealCredential,
  type SealSubject,
} from "../../../app/features/trust/domain/credential";
import { SigningKeys } from "../../../app/features/trust/adapters/signing-keys.server";
import { demoSubject } from "../../fixtures/seal-subject";

const subject: SealSubject = demoSubject();

function credential(): SealCredential {
  return buildSealCredential({
    baseUrl: "https://seal.example",
    issuerName: "IoT Seal Assurance",
    subject,
    validFrom: new Date("2026-11-25T00:00:00Z"),
    validUntil: new Date("2028-11-25T00:00:00Z"),
    revocation: { listCredentialUrl: "https://seal.example/status/revocation-1", index: 4711 },
    suspension: { listCredentialUrl: "https://seal.example/status/suspension-1", index: 90210 },
  });
}

let keys: SigningKeys;
let jwks: JWK[];
let signer: { kid: string; key: crypto.KeyObject };
let jws: string;

beforeAll(async () => {
  keys = new SigningKeys(fs.mkdtempSync(path.join(os.tmpdir(), "keys-")));
  await keys.ensureActive(new Date("2026-11-25T00:00:00Z")); // the first key, made where there is none
  signer = await keys.signer();
  jwks = keys.jwks().keys;
  jws = await signCredential(credential(), signer.key, signer.kid);
});

const parts = (t: string) => t.split(".");
const encode = (o: unknown) => base64url.encode(JSON.stringify(o));

describe("seal credential", () => {
  it("is a W3C VC 2.0 naming exactly what was assessed, with two status entries", () => {
    const c = credential();
    expect(c["@context"]).toEqual([
      "https://www.w3.org/ns/credentials/v2",
      "https://seal.example/contexts/seal/v1.jsonld",
    ]);
    expect(c.type).toEqual(["VerifiableCredential", "IoTSecuritySeal"]);
    expect(c.id).toBe("https://seal.example/s/IOTS-7KQ2-M9XD");
    expect(c.credentialSubject).toMatchObject({
      id: "urn:iotseal:seal:IOTS-7KQ2-M9XD",
      firmwareVersion: "3.2.0",
      checklist: { id: "https://seal.example/checklists/etsi-en-303-645/2.1.1", version: "2.1.1" },
    });
    expect(c.credentialStatus.map((s) => [s.statusPurpose, s.statusListIndex, s.id])).toEqual([
      ["revocation", "4711", "https://seal.example/status/revocation-1#4711"],
      ["suspension", "90210", "https://seal.example/status/suspension-1#90210"],
    ]);
  });

  it("round-trips: signed as vc+jwt with EdDSA and the key's kid, and verifies against the JWKS", async () => {
    const header = JSON.parse(Buffer.from(parts(jws)[0], "base64url").toString());
    expect(header).toEqual({ alg: "EdDSA", typ: "vc+jwt", kid: signer.kid });
    const r = await verifySealSignature(jws, jwks);
    expect(r).toMatchObject({ ok: true, kid: signer.kid });
    if (r.ok) expect(r.credential).toEqual(credential());
  });

  it("is signed by node:crypto byte for byte as jose's CompactSign signs it (Ed25519 is deterministic), from a KeyObject or a CryptoKey", async () => {
    const byJose = await new CompactSign(new TextEncoder().encode(JSON.stringify(credential())))
      .setProtectedHeader({ alg: "EdDSA", typ: "vc+jwt", kid: signer.kid })
      .sign(signer.key);
    expect(jws).toBe(byJose);
    const der = signer.key.export({ format: "der", type: "pkcs8" });
    const cryptoKey = await crypto.webcrypto.subtle.importKey("pkcs8", der, { name: "Ed25519" }, false, ["sign"]);
    expect(signCompactJws(credential(), cryptoKey, signer.kid)).toBe(byJose);
  });

  it("refuses to sign with anything but an Ed25519 private key", () => {
    const p256 = crypto.generateKeyPairSync("ec", { namedCurve: "P-256" }).privateKey;
    expect(() => signCredential(credential(), p256, "p256")).toThrow(/Ed25519 private key, not a ec private key/);
    expect(() => signCredential(credential(), crypto.createPublicKey(signer.key), signer.kid)).toThrow(
      /Ed25519 private key, not a ed25519 public key/,
    );
    const ed448 = crypto.generateKeyPairSync("ed448").privateKey;
    expect(() => signCredential(credential(), ed448, "ed448")).toThrow(/not a ed448 private key/);
  });

  it('RFC 9864: a credential signed with the fully specified alg "Ed25519" by the issuer key verifies', async () => {
    const fully = await new CompactSign(new TextEncoder().encode(JSON.stringify(credential())))
      .setProtectedHeader({ alg: "Ed25519", typ: "vc+jwt", kid: signer.kid })
      .sign(signer.key);
    const r = await verifySealSignature(fully, jwks);
    expect(r).toMatchObject({ ok: true, kid: signer.kid });
    if (r.ok) expect(r.credential).toEqual(credential());
  });

  it('RFC 9864: an "Ed25519" header is no way around the signature check', async () => {
    const [, p, sig] = parts(jws);
    const relabelled = `${encode({ alg: "Ed25519", typ: "vc+jwt", kid: signer.kid })}.${p}.${sig}`;
    expect(await verifySealSignature(relabelled, jwks)).toMatchObject({ ok: false, reason: "bad_signature" });
  });
});

describe("forged credentials (each one refused, with its reason)", () => {
  const cases: [string, () => Promise<string> | string, string][] = [
    [
      "a flipped signature byte",
      () => {
        const [h, p, s] = parts(jws);
        const b = Buffer.from(s, "base64url");
        b[0] ^= 1;
        return `${h}.${p}.${b.toString("base64url")}`;
      },
      "bad_signature",
    ],
    [
      "a payload altered after signing",
      () => {
        const [h, , s] = parts(jws);
        const c = credential();
        c.credentialSubject.firmwareVersion = "3.3.0";
        return `${h}.${encode(c)}.${s}`;
      },
      "bad_signature",
    ],
    [
      "a validUntil pushed out after signing",
      () => {
        const [h, , s] = parts(jws);
        const c = credential();
        c.validUntil = "2099-01-01T00:00:00.000Z";
        return `${h}.${encode(c)}.${s}`;
      },
      "bad_signature",
    ],
    [
      "a header whose kid was changed",
      () => {
        const [, p, s] = parts(jws);
        return `${encode({ alg: "EdDSA", typ: "vc+jwt", kid: "someone-else" })}.${p}.${s}`;
      },
      "unknown_kid",
    ],
    [
      "an unknown kid (a key the issuer never published)",
      async () => {
        const other = crypto.generateKeyPairSync("ed25519").privateKey;
        return signCredential(credential(), other, "made-up-kid");
      },
      "unknown_kid",
    ],
    [
      "a key not in the JWKS but claiming the issuer's kid",
      async () => {
        const other = crypto.generateKeyPairSync("ed25519").privateKey;
        return signCredential(credential(), other, signer.kid);
      },
      "bad_signature",
    ],
    [
      "alg none (unsigned)",
      () => `${encode({ alg: "none", typ: "vc+jwt", kid: signer.kid })}.${encode(credential())}.`,
      "alg_not_allowed",
    ],
    [
      "alg HS256 keyed with the public key (algorithm confusion)",
      async () =>
        new CompactSign(new TextEncoder().encode(JSON.stringify(credential())))
          .setProtectedHeader({ alg: "HS256", kid: signer.kid })
          .sign(new TextEncoder().encode(JSON.stringify(jwks[0]))),
      "alg_not_allowed",
    ],
    [
      "alg ES256",
      async () => {
        const { privateKey } = crypto.generateKeyPairSync("ec", { namedCurve: "P-256" });
        return new CompactSign(new TextEncoder().encode(JSON.stringify(credential())))
          .setProtectedHeader({ alg: "ES256", kid: signer.kid })
          .sign(privateKey);
      },
      "alg_not_allowed",
    ],
    [
      "no kid in the header",
      async () =>
        new CompactSign(new TextEncoder().encode(JSON.stringify(credential())))
          .setProtectedHeader({ alg: "EdDSA", typ: "vc+jwt" })
          .sign(signer.key),
      "missing_kid",
    ],
    [
      "a validly signed payload that is not a seal",
      async () =>
        new CompactSign(new TextEncoder().encode(JSON.stringify({ hello: "world" })))
          .setProtectedHeader({ alg: "EdDSA", kid: signer.kid })
          .sign(signer.key),
      "not_a_seal",
    ],
    [
      "a validly signed payload that is not JSON",
      async () =>
        new CompactSign(new TextEncoder().encode("not json"))
          .setProtectedHeader({ alg: "EdDSA", kid: signer.kid })
          .sign(signer.key),
      "bad_payload",
    ],
    ["a truncated token", () => jws.split(".").slice(0, 2).join("."), "not_a_jws"],
    ["plain text", () => "IOTS-7KQ2-M9XD is a valid seal, trust me", "not_a_jws"],
    ["an unreadable header", () => `e30x.${parts(jws)[1]}.${parts(jws)[2]}`, "bad_header"],
  ];

  it.each(cases)("%s", async (_what, make, reason) => {
    const r = await verifySealSignature(await make(), jwks);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.reason).toBe(reason);
      expect(r.message.length).toBeGreaterThan(20);
    }
  });
});

describe("keys", () => {
  it("stores the private key as a 0600 file, never in the JWKS", () => {
    const file = path.join(keys.dir, `${signer.kid}.private.pem`);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(JSON.stringify(keys.jwks())).not.toMatch(/"d"/);
    expect(jwks[0]).toMatchObject({ kty: "OKP", crv: "Ed25519", kid: signer.kid, alg: "EdDSA", use: "sig" });
  });

  it("rotation keeps old seals verifiable and signs nothing more with the old key", async () => {
    const { retired, active } = await keys.rotate(new Date("2027-01-01T00:00:00Z"));
    expect(retired?.kid).toBe(signer.kid);
    expect(active.kid).not.toBe(signer.kid);
    const published = keys.jwks().keys;
    expect(published.map((k) => k.kid)).toEqual([signer.kid, active.kid]);
    expect(await verifySealSignature(jws, published)).toMatchObject({ ok: true, kid: signer.kid });
    const next = await keys.signer();
    expect(next.kid).toBe(active.kid);
    expect(await verifySealSignature(await signCredential(credential(), next.key, next.kid), published)).toMatchObject({
      ok: true,
      kid: active.kid,
    });
  });
});

describe("the verdict of a genuine credential", () => {
  const c = credential();
  it.each([
    ["valid", { now: new Date("2027-06-01"), revoked: false, suspended: false }, "valid"],
    ["expired at validUntil", { now: new Date("2028-11-25T00:00:00Z"), revoked: false, suspended: false }, "expired"],
    ["suspended", { now: new Date("2027-06-01"), revoked: false, suspended: true }, "suspended"],
    ["revoked beats suspended", { now: new Date("2027-06-01"), revoked: true, suspended: true }, "revoked"],
    ["revoked even when expired", { now: new Date("2030-01-01"), revoked: true, suspended: false }, "revoked"],
    ["superseded", { now: new Date("2027-06-01"), revoked: false, suspended: false, superseded: true }, "superseded"],
    ["not yet valid is not trusted", { now: new Date("2026-01-01"), revoked: false, suspended: false }, "forged"],
  ] as const)("%s", (_what, facts, verdict) => {
    expect(sealVerdict(c, facts).verdict).toBe(verdict);
  });
});
