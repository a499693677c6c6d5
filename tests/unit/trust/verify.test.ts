import crypto from "node:crypto";
import canonicalize from "canonicalize";
import { base64url, type JWK } from "jose";
import { beforeAll, describe, expect, it } from "vitest";
import {
  buildSealCredential,
  FORGERY_MESSAGES,
  signCredential,
  type SealCredential,
  type SealSubject,
} from "../../../app/features/trust/domain/credential";
import {
  checkpointBody,
  inclusionProof,
  leafHash,
  noteKeyId,
  rootFromLeafHashes,
  signatureLine,
} from "../../../app/features/trust/domain/merkle";
import { visibleFacts } from "../../../app/features/trust/domain/seal-facts";
import { logOrigin, TLOG_PROOF_FORMAT, type TlogProof } from "../../../app/features/trust/domain/tlog";
import { checkArtefacts, VERDICT_LABELS } from "../../../app/features/trust/domain/verify";
import { demoSubject } from "../../fixtures/seal-subject";

function makeKey(kid: string) {
  const { publicKey, privateKey } = crypto.generateKeyPairSync("ed25519");
  const jwk: JWK = { ...(publicKey.export({ format: "jwk" }) as JWK), kid, alg: "EdDSA", use: "sig" };
  return { kid, privateKey, jwk, raw: Buffer.from(jwk.x!, "base64url") };
}

const ISSUER = makeKey("issuer-2026-11-25-abcdef");
const STRANGER = makeKey("stranger");
const JWKS = [ISSUER.jwk];
const BASE = "https://seal.example";
const SERIAL = "IOTS-7KQ2-M9XD";

const subject: SealSubject = demoSubject(SERIAL);

function credential(overrides: Partial<SealSubject> = {}): SealCredential {
  return buildSealCredential({
    baseUrl: BASE,
    issuerName: "IoT Seal Assurance",
    subject: { ...subject, ...overrides },
    validFrom: new Date("2026-11-25T00:00:00Z"),
    validUntil: new Date("2028-11-25T00:00:00Z"),
    revocation: { listCredentialUrl: `${BASE}/status/revocation-1`, index: 4711 },
    suspension: { listCredentialUrl: `${BASE}/status/suspension-1`, index: 90210 },
  });
}

/** The certificate page as text: a heading, each fact as "label" then "value" on its own line, a footer. */
function pageText(c: SealCredential, edit: (label: string, value: string) => string = (_l, v) => v): string {
  const lines = visibleFacts(c).flatMap((f) => [f.label, edit(f.label, f.value)]);
  return ["IoT Security Seal", "Certificate", ...lines, "Verify at https://seal.example/verify"].join("\n");
}

const sha256Hex = (s: string) => crypto.createHash("sha256").update(s).digest("hex");

/**
 * A log proof as the service builds it (seals.server.ts recordIssuedSeal → appendLog →
 * inclusionProofFor): our issue entry at `position` among other seals' entries, with a
 * checkpoint for the whole tree signed under `origin`.
 */
function logProof(
  jws: string,
  opts: { size?: number; position?: number; origin?: string; key?: ReturnType<typeof makeKey>; serial?: string } = {},
): TlogProof {
  const size = opts.size ?? 7;
  const position = opts.position ?? 3;
  const origin = opts.origin ?? logOrigin(BASE);
  const key = opts.key ?? ISSUER;
  const leaves = Array.from({ length: size }, (_, index) =>
    canonicalize(
      index === position
        ? {
            index,
            event: "issued",
            serial: opts.serial ?? SERIAL,
            at: "2026-11-25T00:00:00.000Z",
            credentialSha256: sha256Hex(jws),
            kid: ISSUER.kid,
          }
        : {
            index,
            event: "issued",
            serial: `IOTS-0THR-${String(index).padStart(4, "0")}`,
            at: "2026-11-24T00:00:00.000Z",
            credentialSha256: sha256Hex(`other ${index}`),
            kid: ISSUER.kid,
          },
    )!,
  );
  const hashes = leaves.map((l) => leafHash(Buffer.from(l)));
  const body = checkpointBody(origin, size, rootFromLeafHashes(hashes));
  const sig = crypto.sign(null, Buffer.from(body), key.privateKey);
  return {
    format: TLOG_PROOF_FORMAT,
    origin,
    leafIndex: position,
    treeSize: size,
    leaf: leaves[position],
    inclusionProof: inclusionProof(hashes, position).map((h) => h.toString("base64")),
    checkpoint: `${body}\n${signatureLine(origin, noteKeyId(origin, key.raw), sig)}`,
  };
}

let jws: string;
beforeAll(async () => {
  jws = await signCredential(credential(), ISSUER.privateKey, ISSUER.kid);
});

/** The genuine credential with its payload swapped for an altered one (signature kept). */
function tampered(edit: Partial<SealSubject>): string {
  const [h, , s] = jws.split(".");
  return `${h}.${base64url.encode(JSON.stringify(credential(edit)))}.${s}`;
}

describe("checkArtefacts: the credential alone", () => {
  it("accepts a genuine JWS, returning the signed credential, its kid and one passing check", async () => {
    const r = await checkArtefacts({ jws }, JWKS);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.credential).toEqual(credential());
    expect(r.kid).toBe(ISSUER.kid);
    expect(r.checks).toEqual([
      { label: "Signature by the issuer", ok: true, detail: `Ed25519 key ${ISSUER.kid.slice(0, 12)}…` },
    ]);
  });

  it("refuses a forged JWS with the signature check's reason, and checks nothing else", async () => {
    const forged = tampered({ firmwareVersion: "9.9.9" });
    const r = await checkArtefacts(
      { jws: forged, presentedSerial: SERIAL, pageText: pageText(credential()), logProof: logProof(jws) },
      JWKS,
    );
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.reason).toBe(FORGERY_MESSAGES.bad_signature);
    expect(r.checks).toEqual([{ label: "Signature by the issuer", ok: false, detail: FORGERY_MESSAGES.bad_signature }]);
    expect(r.credential).toBeUndefined();
  });

  it("refuses a credential signed by a key the issuer never published", async () => {
    const r = await checkArtefacts(
      { jws: await signCredential(credential(), STRANGER.privateKey, STRANGER.kid), logProof: null },
      JWKS,
    );
    expect(r).toMatchObject({ ok: false, reason: FORGERY_MESSAGES.unknown_kid });
    expect(r.checks).toHaveLength(1);
  });

  it("refuses text that is not a JWS", async () => {
    expect(await checkArtefacts({ jws: "IOTS-7KQ2-M9XD" }, JWKS)).toMatchObject({
      ok: false,
      reason: FORGERY_MESSAGES.not_a_jws,
    });
  });

  it("labels every verdict", () => {
    expect(Object.keys(VERDICT_LABELS).sort()).toEqual([
      "expired",
      "forged",
      "not_found",
      "revoked",
      "superseded",
      "suspended",
      "valid",
    ]);
    expect(VERDICT_LABELS.forged).toBe("Not genuine");
  });
});

describe("checkArtefacts: the serial it was presented under", () => {
  it.each([SERIAL, "iots-7kq2-m9xd", "iots7kq2m9xd", "IOTS 7KQ2 M9XD", " 7kq2-m9xd ", "7KQ2M9XD"])(
    "%j matches %s",
    async (typed) => {
      const r = await checkArtefacts({ jws, presentedSerial: typed }, JWKS);
      expect(r.ok).toBe(true);
      expect(r.checks).toContainEqual({ label: "Serial matches", ok: true });
    },
  );

  it("refuses another serial, naming both (the presented one normalised)", async () => {
    const r = await checkArtefacts({ jws, presentedSerial: "iots7kq2m9xe" }, JWKS);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.reason).toContain(SERIAL);
    expect(r.reason).toContain("IOTS-7KQ2-M9XE");
    expect(r.claimedSerial).toBe("IOTS-7KQ2-M9XE");
    expect(r.credential?.credentialSubject.serial).toBe(SERIAL);
    expect(r.checks.map((c) => [c.label, c.ok])).toEqual([
      ["Signature by the issuer", true],
      ["Serial matches", false],
    ]);
  });

  it("refuses a presented value that is not a serial at all, quoting it as given", async () => {
    const r = await checkArtefacts({ jws, presentedSerial: "not-a-serial" }, JWKS);
    expect(r).toMatchObject({ ok: false, claimedSerial: "not-a-serial" });
    if (!r.ok) expect(r.reason).toContain("not-a-serial");
    expect((await checkArtefacts({ jws, presentedSerial: "" }, JWKS)).ok).toBe(false);
  });

  it("stops at a serial mismatch: the page and log proof are not checked", async () => {
    const r = await checkArtefacts({ jws, presentedSerial: "IOTS-AAAA-AAAA", pageText: "blank", logProof: null }, JWKS);
    expect(r.ok).toBe(false);
    expect(r.checks.map((c) => c.label)).toEqual(["Signature by the issuer", "Serial matches"]);
  });
});

describe("checkArtefacts: the PDF page", () => {
  it("accepts a page that shows every signed fact", async () => {
    const r = await checkArtefacts({ jws, pageText: pageText(credential()) }, JWKS);
    expect(r.ok).toBe(true);
    expect(r.checks).toContainEqual({ label: "PDF page matches the signed facts", ok: true });
  });

  it("accepts the same facts whatever the line breaks and spacing of the extracted text", async () => {
    const flat = visibleFacts(credential())
      .map((f) => `${f.label}   ${f.value}`)
      .join("  ");
    expect((await checkArtefacts({ jws, pageText: flat }, JWKS)).ok).toBe(true);
  });

  it("refuses a page with the firmware changed, naming the firmware and its signed value", async () => {
    const page = pageText(credential(), (label, value) => (label === "Firmware version" ? "3.3.0" : value));
    const r = await checkArtefacts({ jws, pageText: page }, JWKS);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.reason).toMatch(/Firmware/);
    expect(r.reason).toContain('Firmware version (the page shows "3.3.0"; signed: 3.2.0)');
    expect(r.reason).not.toMatch(/Product|Model|Serial/); // only what differs is named
    expect(r.credential?.credentialSubject.firmwareVersion).toBe("3.2.0");
    expect(r.checks.at(-1)).toMatchObject({ label: "PDF page matches the signed facts", ok: false });
  });

  it("refuses a firmware version extended on the page (3.2.0 → 3.2.01)", async () => {
    const page = pageText(credential(), (label, value) => (label === "Firmware version" ? `${value}1` : value));
    const r = await checkArtefacts({ jws, pageText: page }, JWKS);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toMatch(/Firmware/);
  });

  it("names every fact that differs", async () => {
    const page = pageText(credential(), (label, value) =>
      label === "Model" ? "GW-KW4" : label === "Valid until" ? "2099-01-01" : value,
    );
    const r = await checkArtefacts({ jws, pageText: page }, JWKS);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.reason).toContain('Model (the page shows "GW-KW4"; signed: GW-KW3)');
      expect(r.reason).toContain('Valid until (the page shows "2099-01-01"; signed: 2028-11-25)');
    }
  });

  it("refuses an empty page", async () => {
    expect((await checkArtefacts({ jws, pageText: "" }, JWKS)).ok).toBe(false);
  });
});

describe("checkArtefacts: the PDF's transparency log proof", () => {
  it("refuses a PDF that carries no log proof", async () => {
    const r = await checkArtefacts({ jws, logProof: null }, JWKS);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.reason).toMatch(/no log proof/);
    expect(r.checks.at(-1)).toMatchObject({ label: "Transparency log proof", ok: false });
  });

  it.each([
    [1, 0],
    [2, 1],
    [7, 3],
    [100, 64],
  ])(
    "accepts a genuine proof (tree of %i, leaf %i) against the checkpoint at the issuer's log origin",
    async (size, position) => {
      const r = await checkArtefacts({ jws, logProof: logProof(jws, { size, position }) }, JWKS);
      expect(r.ok).toBe(true);
      expect(r.checks).toContainEqual({
        label: "Transparency log proof",
        ok: true,
        detail: `Leaf ${position} of ${size}, signed checkpoint`,
      });
    },
  );

  it("derives the expected origin from the credential's issuer (a proof from another portal's log is refused)", async () => {
    for (const origin of ["localhost:3000/log", "seal.example/portal/log", "seal.example"]) {
      const r = await checkArtefacts({ jws, logProof: logProof(jws, { origin }) }, JWKS);
      expect(r.ok, origin).toBe(false);
    }
  });

  it("refuses a proof for another credential or another serial", async () => {
    const other = await signCredential(credential({ firmwareVersion: "3.3.0" }), ISSUER.privateKey, ISSUER.kid);
    const r = await checkArtefacts({ jws, logProof: logProof(other) }, JWKS);
    expect(r).toMatchObject({ ok: false });
    if (!r.ok) expect(r.reason).toMatch(/different credential/);
    expect((await checkArtefacts({ jws, logProof: logProof(jws, { serial: "IOTS-AAAA-AAAA" }) }, JWKS)).ok).toBe(false);
  });

  it("refuses a proof whose checkpoint is signed by someone else", async () => {
    const r = await checkArtefacts({ jws, logProof: logProof(jws, { key: STRANGER }) }, JWKS);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toMatch(/not signed by the issuer/);
  });

  it("refuses a malformed proof without throwing", async () => {
    for (const p of ["proof", 42, {}, [], { format: TLOG_PROOF_FORMAT }]) {
      expect((await checkArtefacts({ jws, logProof: p }, JWKS)).ok).toBe(false);
    }
  });

  it("does not check the log at all when no PDF was given (logProof undefined)", async () => {
    const r = await checkArtefacts({ jws, logProof: undefined }, JWKS);
    expect(r.ok).toBe(true);
    expect(r.checks.map((c) => c.label)).toEqual(["Signature by the issuer"]);
  });
});

describe("checkArtefacts: everything together", () => {
  it("a genuine PDF passes all four checks, in order", async () => {
    const r = await checkArtefacts(
      { jws, presentedSerial: "iots-7kq2-m9xd", pageText: pageText(credential()), logProof: logProof(jws) },
      JWKS,
    );
    expect(r.ok).toBe(true);
    expect(r.checks.map((c) => [c.label, c.ok])).toEqual([
      ["Signature by the issuer", true],
      ["Serial matches", true],
      ["PDF page matches the signed facts", true],
      ["Transparency log proof", true],
    ]);
  });

  it("the first failure decides the reason: an edited page is reported before a missing log proof", async () => {
    const page = pageText(credential(), (label, value) => (label === "Firmware version" ? "3.3.0" : value));
    const r = await checkArtefacts({ jws, pageText: page, logProof: null }, JWKS);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toMatch(/Firmware/);
    expect(r.checks.map((c) => c.label)).not.toContain("Transparency log proof");
  });
});
