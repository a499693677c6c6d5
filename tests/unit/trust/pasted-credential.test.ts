// A pasted credential: whitespace inside a compact JWS is removed, and only the issuer's own
// credential (an Ed25519 alg, a published kid) with its end missing is "cut short"; every other
// token, whatever the length of its signature, is left to the signature check (forged).
import crypto from "node:crypto";
import { CompactSign, type JWK } from "jose";
import { beforeAll, describe, expect, it } from "vitest";
import { buildSealCredential, signCredential } from "../../../app/features/trust/domain/credential";
import {
  compactJwsOf,
  cutShortCredential,
  cutShortText,
  ED25519_SIGNATURE_CHARS,
} from "../../../app/features/trust/domain/pasted-credential";
import { demoSubject } from "../../fixtures/seal-subject";

const { privateKey, publicKey } = crypto.generateKeyPairSync("ed25519");
const jwks: JWK[] = [{ ...(publicKey.export({ format: "jwk" }) as JWK), kid: "issuer-1", alg: "EdDSA" }];
const credential = buildSealCredential({
  baseUrl: "https://seal.example",
  issuerName: "IoT Seal Assurance",
  subject: demoSubject(),
  validFrom: new Date("2026-11-25T00:00:00Z"),
  validUntil: new Date("2028-11-25T00:00:00Z"),
  revocation: { listCredentialUrl: "https://seal.example/status/revocation-1", index: 1 },
  suspension: { listCredentialUrl: "https://seal.example/status/suspension-1", index: 2 },
});
let jws: string;

beforeAll(async () => {
  jws = await signCredential(credential, privateKey, "issuer-1");
});

describe("compactJwsOf", () => {
  it("removes the line breaks and spaces a mail client or terminal put inside a compact JWS", () => {
    const wrapped = `  ${jws.match(/.{1,64}/g)!.join("\r\n")}\n\t`;
    expect(wrapped).not.toBe(jws);
    expect(compactJwsOf(wrapped)).toBe(jws);
    expect(compactJwsOf(jws)).toBe(jws);
  });
});

describe("cutShortCredential", () => {
  it("a whole credential of the issuer's is not cut short", () => {
    expect(jws.split(".")[2]).toHaveLength(ED25519_SIGNATURE_CHARS);
    expect(cutShortCredential(jws, jwks)).toBeNull();
  });

  it("the issuer's credential missing the end of its signature, or all of it, is cut short", () => {
    expect(cutShortCredential(jws.slice(0, -20), jwks)).toEqual({ kind: "signature", chars: 66 });
    expect(cutShortCredential(jws.slice(0, jws.lastIndexOf(".") + 1), jwks)).toEqual({ kind: "signature", chars: 0 });
    expect(cutShortText({ kind: "signature", chars: 66 })).toBe("its signature has 66 of its 86 characters");
  });

  it("the issuer's credential cut before its second dot (within the payload too) is cut short", () => {
    const [h, p] = jws.split(".");
    expect(cutShortCredential(`${h}.${p}`, jwks)).toEqual({ kind: "no_signature" });
    expect(cutShortCredential(`${h}.${p.slice(0, 40)}`, jwks)).toEqual({ kind: "no_signature" });
    expect(cutShortText({ kind: "no_signature" })).toMatch(/^it ends before its signature/);
  });

  it("an HS256 token (a 43-character signature) is not cut short: the signature check calls it forged", async () => {
    const hs = await new CompactSign(Buffer.from(JSON.stringify(credential)))
      .setProtectedHeader({ alg: "HS256", typ: "vc+jwt", kid: "issuer-1" })
      .sign(crypto.randomBytes(32));
    expect(hs.split(".")[2]).toHaveLength(43);
    expect(cutShortCredential(hs, jwks)).toBeNull();
    expect(cutShortCredential(hs.slice(0, hs.lastIndexOf(".")), jwks)).toBeNull();
  });

  it("an Ed25519 token naming a key the issuer never published is not cut short", async () => {
    const other = crypto.generateKeyPairSync("ed25519").privateKey;
    const theirs = await signCredential(credential, other, "someone-else");
    expect(cutShortCredential(theirs.slice(0, -20), jwks)).toBeNull();
    const noKid = await new CompactSign(Buffer.from("{}")).setProtectedHeader({ alg: "EdDSA" }).sign(other);
    expect(cutShortCredential(noKid.slice(0, -20), jwks)).toBeNull();
  });

  it("anything that is not a JWS with a readable header is not cut short", () => {
    const [h, p, sig] = jws.split(".");
    for (const text of [
      "",
      "hello",
      h,
      `${h}.${p}.${sig.slice(0, 10)}.x`,
      `not+base64.${p}`,
      `e30.${p}.${sig.slice(0, 9)}`,
    ])
      expect(cutShortCredential(text, jwks), text).toBeNull();
  });
});
