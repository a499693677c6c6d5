// Issue 17: the seal credential is JSON-LD that a strict processor reads whole. Its terms are
// defined by the seal's own published context (listed after the W3C v2 context), so expansion
// in safe mode (jsonld.js, which fails on any dropped term or relative IRI) succeeds, offline,
// for a freshly issued demo seal and for the status list credentials; the context served is
// the pinned bytes; the checklist is named by a URL; seals issued before still verify.
import crypto from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { getEnv } from "../../../app/platform/env.server";
import { sealBySerial } from "../../../app/features/certification/seals.server";
import { statusListCredential } from "../../../app/features/trust/seal-status.server";
import { signingKeys } from "../../../app/features/trust/adapters/signing-keys.server";
import {
  buildSealCredential,
  signCredential,
  verifySealSignature,
  VC_CONTEXT,
  type SealCredential,
} from "../../../app/features/trust/domain/credential";
import { checklistIdOf } from "../../../app/features/trust/domain/checklist-url";
import { checklistLabelFor } from "../../../app/features/catalogue/checklists.server";
import {
  SEAL_CONTEXT_PATH,
  SEAL_CONTEXT_SHA256,
  SEAL_VOCAB,
  sealContextDigest,
  sealContextUrl,
} from "../../../app/features/trust/domain/seal-context";
import { demoSealSerials } from "../../../app/demo/seed-seals.server";
import { seedDemoData } from "../../support/demo-seed";
import jsonld from "jsonld";
import { expandSafely, offlineLoader } from "../../support/json-ld";

const CRED = "https://www.w3.org/2018/credentials#";
const payloadOf = (jws: string) => JSON.parse(Buffer.from(jws.split(".")[1], "base64url").toString("utf8"));

let jws: string;
let credential: SealCredential;
let contextUrl: string;

beforeAll(async () => {
  await seedDemoData();
  const serial = demoSealSerials()["Gator Kids Watch 3 3.1.0"];
  jws = sealBySerial(serial)!.credential;
  credential = payloadOf(jws);
  contextUrl = sealContextUrl(getEnv().baseUrl);
});

/** Every property IRI anywhere in an expanded document. */
function iris(node: unknown, into = new Set<string>()): Set<string> {
  if (Array.isArray(node)) for (const n of node) iris(n, into);
  else if (node && typeof node === "object")
    for (const [k, v] of Object.entries(node)) {
      if (!k.startsWith("@")) into.add(k);
      iris(v, into);
    }
  return into;
}

describe("VC Data Model 2.0 section 5.2: every term of the seal is defined by a published context", () => {
  it("lists the seal context after the v2 context", () => {
    expect(credential["@context"]).toEqual([VC_CONTEXT, `${getEnv().baseUrl}${SEAL_CONTEXT_PATH}`]);
  });

  it("expands a freshly issued demo seal in safe mode, offline, every subject term and the type expanded", async () => {
    const [expanded] = await expandSafely(credential, contextUrl);
    expect(expanded["@type"]).toEqual([`${CRED}VerifiableCredential`, `${SEAL_VOCAB}IoTSecuritySeal`]);
    const [subject] = expanded[`${CRED}credentialSubject`] as Record<string, unknown>[];
    for (const term of [
      "serial",
      "supplier",
      "product",
      "hardwareRevision",
      "firmwareVersion",
      "checklist",
      "level",
      "results",
      "evidenceMerkleRoot",
      "supportPeriodEnd",
    ])
      expect(subject, term).toHaveProperty([`${SEAL_VOCAB}${term}`]);
    // Nothing of the subject was dropped: as many properties in, as many IRIs out (id aside).
    const { id: _id, ...terms } = credential.credentialSubject;
    expect(Object.keys(subject).filter((k) => !k.startsWith("@"))).toHaveLength(Object.keys(terms).length);
    const all = iris(expanded);
    for (const nested of ["model", "category", "checklistVersion", "checklistTitle", "checklistContentHash"])
      expect(all, nested).toContain(`${SEAL_VOCAB}${nested}`);
    for (const count of ["requirementsAssessed", "requirementsPassed", "mandatoryMet", "advisoryTotal"])
      expect(all, count).toContain(`${SEAL_VOCAB}${count}`);
    expect(subject[`${SEAL_VOCAB}supportPeriodEnd`]).toEqual([
      { "@type": "http://www.w3.org/2001/XMLSchema#date", "@value": credential.credentialSubject.supportPeriodEnd },
    ]);
  });

  it("converts to RDF in safe mode: typed dates and integers, the checklist a URL node", async () => {
    const nquads = await jsonld.toRDF(credential, {
      safe: true,
      base: null,
      format: "application/n-quads",
      documentLoader: offlineLoader(contextUrl),
    });
    const s = credential.credentialSubject;
    expect(nquads).toContain(
      `<${SEAL_VOCAB}supportPeriodEnd> "${s.supportPeriodEnd}"^^<http://www.w3.org/2001/XMLSchema#date>`,
    );
    expect(nquads).toContain(
      `<${SEAL_VOCAB}requirementsAssessed> "${s.results.requirements}"^^<http://www.w3.org/2001/XMLSchema#integer>`,
    );
    expect(nquads).toContain(`<${SEAL_VOCAB}checklist> <${s.checklist.id}>`);
    expect(nquads).toContain(`<${s.checklist.id}> <${SEAL_VOCAB}checklistVersion> "${s.checklist.version}"`);
  });

  it("expands both status list credentials in safe mode (their terms are the v2 context's)", async () => {
    for (const list of ["revocation-1", "suspension-1"]) {
      const signed = await statusListCredential(list);
      const [expanded] = await expandSafely(payloadOf(signed!.jws), contextUrl);
      expect(expanded["@type"]).toContain("https://www.w3.org/ns/credentials/status#BitstringStatusListCredential");
      expect(iris(expanded)).toContain("https://www.w3.org/ns/credentials/status#encodedList");
      expect(iris(expanded)).toContain("https://www.w3.org/ns/credentials/status#ttl");
    }
  });

  it("fails safe-mode expansion for a term the contexts do not define (the check is real)", async () => {
    const extra = { ...credential, credentialSubject: { ...credential.credentialSubject, colour: "green" } };
    await expect(expandSafely(extra, contextUrl)).rejects.toThrow(/Safe mode validation error/);
    const onlyV2 = { ...credential, "@context": [VC_CONTEXT] };
    await expect(expandSafely(onlyV2, contextUrl)).rejects.toThrow(/Safe mode validation error/);
  });
});

describe("VC Data Model 2.0 section 4.4: every id is a URL", () => {
  it("section 4.4: checklist id is a URL, the checklist version's page", () => {
    const c = credential.credentialSubject.checklist;
    expect(c.id).toBe(`${getEnv().baseUrl}/checklists/etsi-en-303-645/${c.version}`);
    expect(new URL(c.id).protocol).toMatch(/^https?:$/);
    expect(checklistIdOf(c)).toBe("etsi-en-303-645");
  });

  it("section 4.4: the checklist named by its URL is still read as the checklist (its label says continuous monitoring)", () => {
    const c = credential.credentialSubject.checklist;
    expect(checklistLabelFor(c)).toMatch(/with continuous monitoring/);
    expect(checklistLabelFor(c)).toBe(checklistLabelFor({ ...c, id: "etsi-en-303-645" }));
  });

  it("names the credential, the subject and the status entries by URLs", () => {
    for (const id of [credential.id, credential.credentialSubject.id, ...credential.credentialStatus.map((s) => s.id)])
      expect(() => new URL(id), id).not.toThrow();
  });
});

describe("the published context", () => {
  it("is served at /contexts/seal/v1.jsonld as the bytes whose SHA-256 is pinned, with CORS and immutable caching", async () => {
    expect(sealContextDigest()).toBe(SEAL_CONTEXT_SHA256);
    const { loader } = await import("../../../app/routes/contexts.seal.v1[.]jsonld");
    const res = loader();
    expect(res.headers.get("content-type")).toBe("application/ld+json");
    expect(res.headers.get("access-control-allow-origin")).toBe("*");
    expect(res.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
    const bytes = Buffer.from(await res.arrayBuffer());
    expect(crypto.createHash("sha256").update(bytes).digest("hex")).toBe(SEAL_CONTEXT_SHA256);
  });
});

describe("seals issued before issue 17 (only the v2 context, a bare checklist id)", () => {
  it("still verify, and their checklist id still reads", async () => {
    const now = new Date();
    const fresh = buildSealCredential({
      baseUrl: getEnv().baseUrl,
      issuerName: "IoT Seal Assurance",
      subject: { ...credential.credentialSubject, checklist: { ...credential.credentialSubject.checklist } },
      validFrom: now,
      validUntil: new Date(now.getTime() + 86_400_000),
      revocation: { listCredentialUrl: "https://example.test/status/revocation-1", index: 1 },
      suspension: { listCredentialUrl: "https://example.test/status/suspension-1", index: 2 },
    });
    const old: SealCredential = {
      ...fresh,
      "@context": [VC_CONTEXT],
      credentialSubject: {
        ...fresh.credentialSubject,
        checklist: { ...fresh.credentialSubject.checklist, id: "etsi-en-303-645" },
      },
    };
    const keys = signingKeys(getEnv().dataDir);
    const signer = keys.signerSync();
    const check = await verifySealSignature(await signCredential(old, signer.key, signer.kid), keys.jwks().keys);
    expect(check.ok).toBe(true);
    if (check.ok) expect(checklistIdOf(check.credential.credentialSubject.checklist)).toBe("etsi-en-303-645");
  });
});
