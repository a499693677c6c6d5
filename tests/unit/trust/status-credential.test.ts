import crypto from "node:crypto";
import { base64url, CompactSign, type JWK } from "jose";
import { describe, expect, it } from "vitest";
import {
  buildSealCredential,
  signCredential,
  VC_CONTEXT,
  type SealCredential,
  type SealSubject,
} from "../../../app/features/trust/domain/credential";
import {
  buildStatusListCredential,
  signStatusListCredential,
  STATUS_LIST_TTL_MS,
  statusFromLists,
  statusListCacheControl,
  verifyStatusListCredential,
  type StatusListCheck,
  type StatusListCredential,
} from "../../../app/features/trust/domain/status-credential";
import {
  STATUS_LIST_MIN_ENTRIES,
  StatusBitstring,
  statusListCredentialSubject,
  type StatusPurpose,
} from "../../../app/features/trust/domain/status-list";
import { demoSubject } from "../../fixtures/seal-subject";

function makeKey(kid: string) {
  const { publicKey, privateKey } = crypto.generateKeyPairSync("ed25519");
  const jwk: JWK = { ...(publicKey.export({ format: "jwk" }) as JWK), kid, alg: "EdDSA", use: "sig" };
  return { kid, privateKey, jwk };
}

const ISSUER_KEY = makeKey("issuer-2026");
const STRANGER = makeKey("stranger");
const JWKS = [ISSUER_KEY.jwk];

const BASE = "https://seal.example";
const ISSUER = { id: BASE, name: "IoT Seal Assurance" };
const REVOCATION_URL = `${BASE}/status/revocation-1`;
const SUSPENSION_URL = `${BASE}/status/suspension-1`;
const NOW = new Date("2026-11-25T10:00:00.000Z");

const REVOCATION_INDEX = 4711;
const SUSPENSION_INDEX = 90210;

const subject: SealSubject = demoSubject();

function seal(revocationIndex = REVOCATION_INDEX, suspensionIndex = SUSPENSION_INDEX): SealCredential {
  return buildSealCredential({
    baseUrl: BASE,
    issuerName: ISSUER.name,
    subject,
    validFrom: new Date("2026-11-25T00:00:00Z"),
    validUntil: new Date("2028-11-25T00:00:00Z"),
    revocation: { listCredentialUrl: REVOCATION_URL, index: revocationIndex },
    suspension: { listCredentialUrl: SUSPENSION_URL, index: suspensionIndex },
  });
}

function bitsWith(...indexes: number[]): StatusBitstring {
  const bits = new StatusBitstring();
  for (const i of indexes) bits.set(i, true);
  return bits;
}

const list = (
  purpose: StatusPurpose,
  bits: StatusBitstring,
  url = purpose === "revocation" ? REVOCATION_URL : SUSPENSION_URL,
) => buildStatusListCredential({ url, issuer: ISSUER, purpose, bits, now: NOW });

async function signedList(purpose: StatusPurpose, bits: StatusBitstring, url?: string): Promise<string> {
  return signStatusListCredential(list(purpose, bits, url), ISSUER_KEY.privateKey, ISSUER_KEY.kid);
}

async function verified(
  purpose: StatusPurpose,
  bits: StatusBitstring,
  url?: string,
): Promise<Extract<StatusListCheck, { ok: true }>> {
  const r = await verifyStatusListCredential(await signedList(purpose, bits, url), JWKS);
  if (!r.ok) throw new Error(`list did not verify: ${r.message}`);
  return r;
}

const encode = (o: unknown) => base64url.encode(JSON.stringify(o));
const decodePart = (part: string) => JSON.parse(Buffer.from(part, "base64url").toString("utf8"));

function expectRefused(r: StatusListCheck, message: RegExp) {
  expect(r.ok).toBe(false);
  if (!r.ok) expect(r.message).toMatch(message);
}

describe("buildStatusListCredential", () => {
  it("is a W3C BitstringStatusListCredential for the list's URL and purpose", () => {
    const c = list("revocation", new StatusBitstring());
    expect(c["@context"]).toEqual([VC_CONTEXT]);
    expect(c.id).toBe(REVOCATION_URL);
    expect(c.type).toEqual(["VerifiableCredential", "BitstringStatusListCredential"]);
    expect(c.issuer).toEqual(ISSUER);
    expect(c.credentialSubject).toMatchObject({
      id: `${REVOCATION_URL}#list`,
      type: "BitstringStatusList",
      statusPurpose: "revocation",
    });
    expect(c.credentialSubject.encodedList).toMatch(/^u[A-Za-z0-9_-]+$/);
    expect(list("suspension", new StatusBitstring()).credentialSubject.statusPurpose).toBe("suspension");
  });

  it("carries the same encodedList as the status-list module produces", () => {
    const bits = bitsWith(1, 2, 3);
    const c = list("revocation", bits);
    expect(c.credentialSubject.encodedList).toBe(
      statusListCredentialSubject({ id: "x", purpose: "revocation", bits }).encodedList,
    );
  });

  it("is valid from now for exactly its ttl (milliseconds, as in the spec), so an old list cannot be replayed as current", () => {
    const c = list("revocation", new StatusBitstring());
    expect(c.validFrom).toBe(NOW.toISOString());
    expect(Date.parse(c.validUntil) - NOW.getTime()).toBe(STATUS_LIST_TTL_MS);
    expect(STATUS_LIST_TTL_MS).toBe(10 * 60 * 1000);
    expect((c.credentialSubject as unknown as { ttl: number }).ttl).toBe(STATUS_LIST_TTL_MS);
  });

  it("takes a custom ttl", () => {
    const c = buildStatusListCredential({
      url: REVOCATION_URL,
      issuer: ISSUER,
      purpose: "revocation",
      bits: new StatusBitstring(),
      now: NOW,
      ttlMs: 60_000,
    });
    expect((c.credentialSubject as unknown as { ttl: number }).ttl).toBe(60_000);
    expect(Date.parse(c.validUntil) - NOW.getTime()).toBe(60_000);
  });
});

describe("signStatusListCredential / verifyStatusListCredential round trip", () => {
  const SET = [0, 7, 8, REVOCATION_INDEX, SUSPENSION_INDEX, STATUS_LIST_MIN_ENTRIES - 1];

  it("signs as vc+jwt with EdDSA and the key's kid, over the credential JSON", async () => {
    const c = list("revocation", bitsWith(...SET));
    const jws = await signStatusListCredential(c, ISSUER_KEY.privateKey, ISSUER_KEY.kid);
    const [header, payload] = jws.split(".");
    expect(decodePart(header)).toEqual({ alg: "EdDSA", typ: "vc+jwt", kid: ISSUER_KEY.kid });
    expect(decodePart(payload)).toEqual(c);
  });

  it.each(["revocation", "suspension"] as const)(
    "a %s list verifies and reads back purpose, URL, bits and validUntil",
    async (purpose) => {
      const bits = bitsWith(...SET);
      const c = list(purpose, bits);
      const r = await verifyStatusListCredential(
        await signStatusListCredential(c, ISSUER_KEY.privateKey, ISSUER_KEY.kid),
        JWKS,
      );
      expect(r.ok).toBe(true);
      if (!r.ok) return;
      expect(r.purpose).toBe(purpose);
      expect(r.url).toBe(purpose === "revocation" ? REVOCATION_URL : SUSPENSION_URL);
      expect(r.validUntil).toBe(c.validUntil);
      expect(r.bits.size).toBeGreaterThanOrEqual(STATUS_LIST_MIN_ENTRIES);
      const set: number[] = [];
      for (let i = 0; i < r.bits.size; i++) if (r.bits.get(i)) set.push(i);
      expect(set).toEqual(SET);
    },
  );

  it("an empty list has at least 131,072 entries, all clear", async () => {
    const r = await verified("revocation", new StatusBitstring());
    expect(r.bits.size).toBeGreaterThanOrEqual(131_072);
    expect(Buffer.from(r.bits.toBytes()).every((b) => b === 0)).toBe(true);
  });

  it("verifies under any published key (after a rotation), and tolerates surrounding whitespace", async () => {
    const older = makeKey("issuer-2025");
    const jws = await signStatusListCredential(list("suspension", bitsWith(5)), older.privateKey, older.kid);
    expect(await verifyStatusListCredential(`\n${jws}\n`, [ISSUER_KEY.jwk, older.jwk])).toMatchObject({
      ok: true,
      purpose: "suspension",
    });
  });

  it('RFC 9864: a list signed with the fully specified alg "Ed25519" by the issuer key verifies', async () => {
    const c = list("revocation", bitsWith(3));
    const jws = await new CompactSign(new TextEncoder().encode(JSON.stringify(c)))
      .setProtectedHeader({ alg: "Ed25519", typ: "vc+jwt", kid: ISSUER_KEY.kid })
      .sign(ISSUER_KEY.privateKey);
    expect(await verifyStatusListCredential(jws, JWKS)).toMatchObject({ ok: true, purpose: "revocation" });
    // ...and a stranger's "Ed25519" signature under the issuer's kid is still refused.
    const stranger = await new CompactSign(new TextEncoder().encode(JSON.stringify(c)))
      .setProtectedHeader({ alg: "Ed25519", typ: "vc+jwt", kid: ISSUER_KEY.kid })
      .sign(STRANGER.privateKey);
    expectRefused(await verifyStatusListCredential(stranger, JWKS), /signature/);
  });
});

describe("statusListCacheControl (Bitstring Status List: caching aligned with ttl and validUntil)", () => {
  const lifetime = (cc: string) => {
    const n = (name: string) => Number(new RegExp(`${name}=(\\d+)`).exec(cc)![1]);
    return { browser: n("max-age") + n("stale-if-error"), shared: n("s-maxage") + n("stale-if-error") };
  };

  it("a fresh list: fresh for half its ttl in shared caches, stale-if-error only up to its validUntil", () => {
    const ttlS = STATUS_LIST_TTL_MS / 1000;
    const cc = statusListCacheControl({ freshSeconds: ttlS / 2, validForSeconds: ttlS });
    expect(cc).toBe(`public, max-age=60, s-maxage=${ttlS / 2}, stale-if-error=${ttlS / 2}`);
    expect(lifetime(cc).shared).toBe(ttlS);
  });

  it.each([
    [300, 600],
    [120, 420],
    [30, 330],
    [0, 300],
    [0, 0],
    [900, 100], // inconsistent input: still nothing past validity
  ])("no cache serves a list past its validity (fresh %is, valid %is)", (freshSeconds, validForSeconds) => {
    const cc = statusListCacheControl({ freshSeconds, validForSeconds });
    const { browser, shared } = lifetime(cc);
    expect(browser).toBeLessThanOrEqual(validForSeconds);
    expect(shared).toBeLessThanOrEqual(validForSeconds);
    expect(cc).not.toMatch(/86400/);
  });
});

describe("verifyStatusListCredential refuses", () => {
  it("a payload altered after signing (a revoked seal's bit cleared)", async () => {
    const jws = await signedList("revocation", bitsWith(REVOCATION_INDEX));
    const [h, , s] = jws.split(".");
    const cleared = list("revocation", new StatusBitstring());
    expectRefused(await verifyStatusListCredential(`${h}.${encode(cleared)}.${s}`, JWKS), /signature does not match/);
  });

  it("a flipped signature byte", async () => {
    const [h, p, s] = (await signedList("revocation", bitsWith(1))).split(".");
    const sig = Buffer.from(s, "base64url");
    sig[10] ^= 1;
    expectRefused(
      await verifyStatusListCredential(`${h}.${p}.${sig.toString("base64url")}`, JWKS),
      /signature does not match/,
    );
  });

  it("alg none (unsigned), and any algorithm but EdDSA", async () => {
    const c = list("revocation", new StatusBitstring());
    const none = `${encode({ alg: "none", typ: "vc+jwt", kid: ISSUER_KEY.kid })}.${encode(c)}.`;
    expectRefused(await verifyStatusListCredential(none, JWKS), /EdDSA/);
    const hs256 = await new CompactSign(new TextEncoder().encode(JSON.stringify(c)))
      .setProtectedHeader({ alg: "HS256", kid: ISSUER_KEY.kid })
      .sign(new TextEncoder().encode(JSON.stringify(ISSUER_KEY.jwk)));
    expectRefused(await verifyStatusListCredential(hs256, JWKS), /EdDSA/);
  });

  it("a kid the issuer never published", async () => {
    const jws = await signStatusListCredential(
      list("revocation", new StatusBitstring()),
      STRANGER.privateKey,
      STRANGER.kid,
    );
    expectRefused(await verifyStatusListCredential(jws, JWKS), /never published/);
    const noKid = await new CompactSign(
      new TextEncoder().encode(JSON.stringify(list("revocation", new StatusBitstring()))),
    )
      .setProtectedHeader({ alg: "EdDSA" })
      .sign(ISSUER_KEY.privateKey);
    expectRefused(await verifyStatusListCredential(noKid, JWKS), /never published/);
  });

  it("a stranger's signature under the issuer's kid", async () => {
    const jws = await signStatusListCredential(
      list("revocation", new StatusBitstring()),
      STRANGER.privateKey,
      ISSUER_KEY.kid,
    );
    expectRefused(await verifyStatusListCredential(jws, JWKS), /signature does not match/);
  });

  it("a genuine signed credential that is not a status list (a seal)", async () => {
    const sealJws = await signCredential(seal(), ISSUER_KEY.privateKey, ISSUER_KEY.kid);
    expectRefused(await verifyStatusListCredential(sealJws, JWKS), /not a Bitstring Status List/);
  });

  it("signed content with the right credential type but another subject type, or not JSON", async () => {
    const sign = (payload: string) =>
      new CompactSign(new TextEncoder().encode(payload))
        .setProtectedHeader({ alg: "EdDSA", kid: ISSUER_KEY.kid })
        .sign(ISSUER_KEY.privateKey);
    const c = list("revocation", new StatusBitstring());
    const wrongSubject = { ...c, credentialSubject: { ...c.credentialSubject, type: "Something" } };
    expectRefused(
      await verifyStatusListCredential(await sign(JSON.stringify(wrongSubject)), JWKS),
      /not a Bitstring Status List/,
    );
    const wrongType = { ...c, type: ["VerifiableCredential"] };
    expectRefused(
      await verifyStatusListCredential(await sign(JSON.stringify(wrongType)), JWKS),
      /not a Bitstring Status List/,
    );
    for (const payload of ["null", "42", '"x"', "[]", "{}"]) {
      expectRefused(await verifyStatusListCredential(await sign(payload), JWKS), /not a Bitstring Status List/);
    }
    expect((await verifyStatusListCredential(await sign("not json"), JWKS)).ok).toBe(false);
  });

  it("a signed list with an unknown purpose", async () => {
    const c = list("revocation", new StatusBitstring());
    const message = {
      ...c,
      credentialSubject: { ...c.credentialSubject, statusPurpose: "message" },
    } as unknown as StatusListCredential;
    expectRefused(
      await verifyStatusListCredential(
        await signStatusListCredential(message, ISSUER_KEY.privateKey, ISSUER_KEY.kid),
        JWKS,
      ),
      /Unknown status purpose "message"/,
    );
  });

  it("a signed list whose encodedList cannot be decoded (or is below the minimum size)", async () => {
    const c = list("revocation", new StatusBitstring());
    const tiny = "u" + (await import("node:zlib")).gzipSync(Buffer.alloc(16)).toString("base64url");
    for (const encodedList of ["not multibase", "u!!!", tiny]) {
      const broken = { ...c, credentialSubject: { ...c.credentialSubject, encodedList } };
      expectRefused(
        await verifyStatusListCredential(
          await signStatusListCredential(broken, ISSUER_KEY.privateKey, ISSUER_KEY.kid),
          JWKS,
        ),
        /cannot be decoded/,
      );
    }
  });

  it("garbage, without throwing", async () => {
    for (const g of ["", "not a jws", "a.b.c", "...", `${encode({ alg: "EdDSA", kid: ISSUER_KEY.kid })}.e30.`]) {
      const r = await verifyStatusListCredential(g, JWKS);
      expect(r.ok, g).toBe(false);
    }
  });
});

describe("statusFromLists", () => {
  it.each([
    [false, false],
    [true, false],
    [false, true],
    [true, true],
  ])("revoked %s, suspended %s: read at the credential's own indexes", async (revoked, suspended) => {
    const lists = [
      await verified("revocation", revoked ? bitsWith(REVOCATION_INDEX) : new StatusBitstring()),
      await verified("suspension", suspended ? bitsWith(SUSPENSION_INDEX) : new StatusBitstring()),
    ];
    expect(statusFromLists(seal(), lists)).toEqual({ revoked, suspended });
  });

  it("reads exactly the credential's bit, not its neighbours or the other list's index", async () => {
    const lists = [
      await verified("revocation", bitsWith(REVOCATION_INDEX - 1, REVOCATION_INDEX + 1, SUSPENSION_INDEX)),
      await verified("suspension", bitsWith(SUSPENSION_INDEX - 1, SUSPENSION_INDEX + 1, REVOCATION_INDEX)),
    ];
    expect(statusFromLists(seal(), lists)).toEqual({ revoked: false, suspended: false });
  });

  it("reads the first and last entries of a list (bit order: index 0 is the high bit of byte 0)", async () => {
    const last = STATUS_LIST_MIN_ENTRIES - 1;
    const lists = [await verified("revocation", bitsWith(0)), await verified("suspension", bitsWith(last))];
    expect(statusFromLists(seal(0, last), lists)).toEqual({ revoked: true, suspended: true });
    expect(statusFromLists(seal(1, last - 1), lists)).toEqual({ revoked: false, suspended: false });
  });

  it("does not care about the order of the lists", async () => {
    const lists = [
      await verified("suspension", bitsWith(SUSPENSION_INDEX)),
      await verified("revocation", new StatusBitstring()),
    ];
    expect(statusFromLists(seal(), lists)).toEqual({ revoked: false, suspended: true });
  });

  it("reports unknown (null) for a purpose whose list is missing", async () => {
    expect(statusFromLists(seal(), [])).toEqual({ revoked: null, suspended: null });
    expect(statusFromLists(seal(), [await verified("revocation", bitsWith(REVOCATION_INDEX))])).toEqual({
      revoked: true,
      suspended: null,
    });
    expect(statusFromLists(seal(), [await verified("suspension", new StatusBitstring())])).toEqual({
      revoked: null,
      suspended: false,
    });
  });

  it("ignores a list published at another URL than the one the credential names", async () => {
    const elsewhere = [
      await verified("revocation", bitsWith(REVOCATION_INDEX), `${BASE}/status/revocation-2`),
      await verified("suspension", bitsWith(SUSPENSION_INDEX), "https://other.example/status/suspension-1"),
    ];
    expect(statusFromLists(seal(), elsewhere)).toEqual({ revoked: null, suspended: null });
  });

  it("uses a list only for the purpose it was signed for (a suspension list at the revocation URL is not a revocation list)", async () => {
    const swapped = [
      await verified("suspension", bitsWith(REVOCATION_INDEX), REVOCATION_URL),
      await verified("revocation", bitsWith(SUSPENSION_INDEX), SUSPENSION_URL),
    ];
    expect(statusFromLists(seal(), swapped)).toEqual({ revoked: null, suspended: null });
  });

  it("reports unknown for an index outside the list or not a number, rather than throwing", async () => {
    const lists = [
      await verified("revocation", new StatusBitstring()),
      await verified("suspension", new StatusBitstring()),
    ];
    expect(statusFromLists(seal(STATUS_LIST_MIN_ENTRIES, SUSPENSION_INDEX), lists)).toEqual({
      revoked: null,
      suspended: false,
    });
    const odd = seal();
    odd.credentialStatus[0].statusListIndex = "abc";
    odd.credentialStatus[1].statusListIndex = "-1";
    expect(statusFromLists(odd, lists)).toEqual({ revoked: null, suspended: null });
  });

  it("reports unknown for a purpose the credential has no status entry for", async () => {
    const lists = [
      await verified("revocation", bitsWith(REVOCATION_INDEX)),
      await verified("suspension", bitsWith(SUSPENSION_INDEX)),
    ];
    const onlyRevocation = seal();
    onlyRevocation.credentialStatus = onlyRevocation.credentialStatus.filter((e) => e.statusPurpose === "revocation");
    expect(statusFromLists(onlyRevocation, lists)).toEqual({ revoked: true, suspended: null });
  });
});
