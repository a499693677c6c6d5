import crypto from "node:crypto";
import canonicalize from "canonicalize";
import type { JWK } from "jose";
import { describe, expect, it } from "vitest";
import {
  checkpointBody,
  inclusionProof,
  leafHash,
  noteKeyId,
  rootFromLeafHashes,
  signatureLine,
} from "../../../app/features/trust/domain/merkle";
import {
  checkTlogProof,
  logOrigin,
  noteVerifierKey,
  TLOG_PROOF_FORMAT,
  verifyCheckpoint,
  type TlogProof,
} from "../../../app/features/trust/domain/tlog";

// ---------------------------------------------------------------------------
// Fixtures: Ed25519 keys as the issuer publishes them, signed checkpoint notes, and a small log
// whose leaves are built exactly as app/features/certification/seals.server.ts recordIssuedSeal and
// app/features/trust/transparency-log.server.ts appendLog build them:
//   canonicalize({ index, event: "issued", serial, at, credentialSha256: sha256hex(jws), kid })
// hashed as an RFC 6962 leaf, with a checkpoint signed over the C2SP body.
// ---------------------------------------------------------------------------

interface TestKey {
  kid: string;
  privateKey: crypto.KeyObject;
  jwk: JWK;
  raw: Buffer;
}

function makeKey(kid: string): TestKey {
  const { publicKey, privateKey } = crypto.generateKeyPairSync("ed25519");
  const jwk = { ...(publicKey.export({ format: "jwk" }) as JWK), kid, alg: "EdDSA", use: "sig" };
  return { kid, privateKey, jwk, raw: Buffer.from(jwk.x!, "base64url") };
}

const sha256Hex = (s: string) => crypto.createHash("sha256").update(s).digest("hex");

/** A signed-note signature line by `key` over `body`, under the key name `name`. */
function sigLine(body: string, name: string, key: TestKey): string {
  return signatureLine(name, noteKeyId(name, key.raw), crypto.sign(null, Buffer.from(body), key.privateKey));
}

/** A checkpoint note as the service signs it: body, blank line, one signature line named for the origin. */
function signedCheckpoint(origin: string, treeSize: number, root: Buffer, key: TestKey): string {
  const body = checkpointBody(origin, treeSize, root);
  return `${body}\n${sigLine(body, origin, key)}`;
}

/** A JWS-shaped string; checkTlogProof only hashes it, so it need not verify. */
const fakeJws = (tag: string) =>
  `eyJhbGciOiJFZERTQSJ9.${Buffer.from(`{"seal":"${tag}"}`).toString("base64url")}.${crypto.createHash("sha256").update(tag).digest("base64url")}`;

const ORIGIN = "seal.example/log";
const ISSUER = makeKey("issuer-2026");
const STRANGER = makeKey("stranger");
const JWKS: JWK[] = [ISSUER.jwk];

const SERIAL = "IOTS-7KQ2-M9XD";
const JWS = fakeJws("ours");

interface Entry {
  event: string;
  serial: string;
  jws: string;
}

/** The log entry exactly as the service hashes it (its index is part of what is hashed). */
function leafText(index: number, e: Entry): string {
  return canonicalize({
    index,
    event: e.event,
    serial: e.serial,
    at: new Date(Date.UTC(2026, 10, 25, 0, 0, index)).toISOString(),
    credentialSha256: sha256Hex(e.jws),
    kid: ISSUER.kid,
  })!;
}

/**
 * A log of `size` entries with our seal's issue entry at `position` (other seals' issue and
 * status entries elsewhere), and the proof the PDF would carry for it against the checkpoint
 * of the whole tree.
 */
function buildLog(
  size: number,
  position: number,
  opts: { ours?: Partial<Entry>; key?: TestKey; origin?: string } = {},
) {
  const entries: Entry[] = [];
  for (let i = 0; i < size; i++) {
    if (i === position) entries.push({ event: "issued", serial: SERIAL, jws: JWS, ...opts.ours });
    else
      entries.push({
        event: i % 3 === 2 ? "suspended" : "issued",
        serial: `IOTS-OTHR-${String(i).padStart(4, "0")}`,
        jws: fakeJws(`other-${i}`),
      });
  }
  const leaves = entries.map((e, i) => leafText(i, e));
  const hashes = leaves.map((l) => leafHash(Buffer.from(l)));
  const root = rootFromLeafHashes(hashes);
  const origin = opts.origin ?? ORIGIN;
  const proofFor = (index: number): TlogProof => ({
    format: TLOG_PROOF_FORMAT,
    origin,
    leafIndex: index,
    treeSize: size,
    leaf: leaves[index],
    inclusionProof: inclusionProof(hashes, index).map((h) => h.toString("base64")),
    checkpoint: signedCheckpoint(origin, size, root, opts.key ?? ISSUER),
  });
  return { entries, leaves, hashes, root, proofFor, proof: proofFor(position) };
}

const expected = { jws: JWS, serial: SERIAL, origin: ORIGIN, jwks: JWKS };

function expectRefused(result: ReturnType<typeof checkTlogProof>, message?: RegExp) {
  expect(result.ok).toBe(false);
  if (!result.ok) {
    expect(result.message.length).toBeGreaterThan(10);
    if (message) expect(result.message).toMatch(message);
  }
}

// ---------------------------------------------------------------------------

describe("logOrigin", () => {
  it.each([
    ["http://localhost:3000", "localhost:3000/log"],
    ["http://localhost:3000/", "localhost:3000/log"],
    ["https://seal.example", "seal.example/log"],
    ["https://seal.example/portal/", "seal.example/portal/log"],
    ["https://seal.example/portal", "seal.example/portal/log"],
    ["https://seal.example/a/b///", "seal.example/a/b/log"],
    // The URL parser's normalisation applies: default port dropped, host lower-cased.
    ["https://seal.example:443/", "seal.example/log"],
    ["http://seal.example:80", "seal.example/log"],
    ["https://seal.example:8443/", "seal.example:8443/log"],
    ["https://SEAL.Example/Portal/", "seal.example/Portal/log"],
    // Query and fragment are not part of the origin.
    ["https://seal.example/portal/?utm=x#top", "seal.example/portal/log"],
  ])("%s → %s", (baseUrl, origin) => {
    expect(logOrigin(baseUrl)).toBe(origin);
  });

  it("does not depend on the scheme (a portal moving to https keeps its log identity)", () => {
    expect(logOrigin("http://seal.example/p")).toBe(logOrigin("https://seal.example/p"));
  });

  it("is always usable as a signed-note key name", () => {
    for (const url of ["http://localhost:3000", "https://seal.example/portal/", "https://seal.example:8443/x"]) {
      expect(() => noteKeyId(logOrigin(url), ISSUER.raw)).not.toThrow();
    }
  });

  it("throws on something that is not a URL", () => {
    expect(() => logOrigin("seal.example")).toThrow();
  });
});

describe("noteVerifierKey", () => {
  it("reproduces the golang.org/x/mod/sumdb/note PeterNeumann verifier key byte for byte", () => {
    const vkey = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW";
    const pub = Buffer.from("ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW", "base64").subarray(1);
    expect(noteVerifierKey("PeterNeumann", pub)).toBe(vkey);
  });

  it("is <name>+<8 hex digits of SHA-256(name \\n 0x01 key)>+<standard base64 of 0x01 || key>", () => {
    for (const origin of ["localhost:3000/log", "seal.example/portal/log"]) {
      const key = makeKey("k");
      const vkey = noteVerifierKey(origin, key.raw);
      // The base64 part may itself contain '+', so split only twice.
      const first = vkey.indexOf("+");
      const second = vkey.indexOf("+", first + 1);
      const [name, hash, data] = [vkey.slice(0, first), vkey.slice(first + 1, second), vkey.slice(second + 1)];
      expect(name).toBe(origin);
      expect(hash).toMatch(/^[0-9a-f]{8}$/);
      const independent = crypto
        .createHash("sha256")
        .update(Buffer.concat([Buffer.from(`${origin}\n`), Buffer.from([0x01]), key.raw]))
        .digest();
      expect(hash).toBe(independent.subarray(0, 4).toString("hex"));
      expect(data).toMatch(/^[A-Za-z0-9+/]{43}[A-Za-z0-9+/=]$/); // standard alphabet, padded: 33 bytes → 44 chars
      const decoded = Buffer.from(data, "base64");
      expect(decoded).toHaveLength(33);
      expect(decoded[0]).toBe(0x01);
      expect(decoded.subarray(1).equals(key.raw)).toBe(true);
    }
  });

  it("names the same key ID as the signature lines of the checkpoints it verifies", () => {
    const vkey = noteVerifierKey(ORIGIN, ISSUER.raw);
    const note = signedCheckpoint(ORIGIN, 0, rootFromLeafHashes([]), ISSUER);
    const blob = Buffer.from(note.trimEnd().split(" ").pop()!, "base64");
    expect(vkey.split("+")[1]).toBe(blob.subarray(0, 4).toString("hex"));
  });
});

describe("verifyCheckpoint", () => {
  const root = crypto.createHash("sha256").update("some root").digest();
  const body = checkpointBody(ORIGIN, 42, root);
  const note = `${body}\n${sigLine(body, ORIGIN, ISSUER)}`;

  it("accepts a checkpoint signed by a published key, returning its contents and the key's kid", () => {
    const cp = verifyCheckpoint(note, ORIGIN, JWKS);
    expect(cp).not.toBeNull();
    expect(cp!.origin).toBe(ORIGIN);
    expect(cp!.treeSize).toBe(42);
    expect(cp!.rootHash.equals(root)).toBe(true);
    expect(cp!.kid).toBe(ISSUER.kid);
  });

  it("finds the signing key among several (after a key rotation)", () => {
    const newer = makeKey("issuer-2027");
    expect(verifyCheckpoint(note, ORIGIN, [newer.jwk, ISSUER.jwk])?.kid).toBe(ISSUER.kid);
    const byNewer = `${body}\n${sigLine(body, ORIGIN, newer)}`;
    expect(verifyCheckpoint(byNewer, ORIGIN, [ISSUER.jwk, newer.jwk])?.kid).toBe("issuer-2027");
  });

  it("reports an empty kid when the published key has none", () => {
    const { kid: _kid, ...noKid } = ISSUER.jwk;
    expect(verifyCheckpoint(note, ORIGIN, [noKid])?.kid).toBe("");
  });

  it("refuses a checkpoint for another origin, even one correctly signed by the issuer's key", () => {
    expect(verifyCheckpoint(note, "seal.example/portal/log", JWKS)).toBeNull();
    expect(verifyCheckpoint(note, "seal.example", JWKS)).toBeNull();
    const otherBody = checkpointBody("other.example/log", 42, root);
    const otherNote = `${otherBody}\n${sigLine(otherBody, "other.example/log", ISSUER)}`;
    expect(verifyCheckpoint(otherNote, "other.example/log", JWKS)).not.toBeNull(); // genuine for its own origin…
    expect(verifyCheckpoint(otherNote, ORIGIN, JWKS)).toBeNull(); // …but not for ours
    // A body naming another origin is refused even when its signature line is named and keyed for ours.
    const mixed = `${otherBody}\n${sigLine(otherBody, ORIGIN, ISSUER)}`;
    expect(verifyCheckpoint(mixed, ORIGIN, JWKS)).toBeNull();
  });

  it("refuses a checkpoint signed by a key that is not in the JWKS", () => {
    const forged = `${body}\n${sigLine(body, ORIGIN, STRANGER)}`;
    expect(verifyCheckpoint(forged, ORIGIN, JWKS)).toBeNull();
    expect(verifyCheckpoint(note, ORIGIN, [STRANGER.jwk])).toBeNull();
    expect(verifyCheckpoint(note, ORIGIN, [])).toBeNull();
  });

  it("refuses a stranger's signature that reuses the issuer's key ID", () => {
    const sig = crypto.sign(null, Buffer.from(body), STRANGER.privateKey);
    const forged = `${body}\n${signatureLine(ORIGIN, noteKeyId(ORIGIN, ISSUER.raw), sig)}`;
    expect(verifyCheckpoint(forged, ORIGIN, JWKS)).toBeNull();
  });

  it("refuses a tampered tree size or root under the original signature", () => {
    const line = note.slice(body.length + 1);
    const biggerTree = `${checkpointBody(ORIGIN, 43, root)}\n${line}`;
    const otherRoot = Buffer.from(root);
    otherRoot[31] ^= 1;
    const swappedRoot = `${checkpointBody(ORIGIN, 42, otherRoot)}\n${line}`;
    expect(verifyCheckpoint(biggerTree, ORIGIN, JWKS)).toBeNull();
    expect(verifyCheckpoint(swappedRoot, ORIGIN, JWKS)).toBeNull();
  });

  it("refuses a signature line named for another key name, even with a good signature", () => {
    // Same key, same body, but the line (and its key ID) is for the name "witness.example".
    const otherName = `${body}\n${sigLine(body, "witness.example", ISSUER)}`;
    expect(verifyCheckpoint(otherName, ORIGIN, JWKS)).toBeNull();
    // The right name, but a key ID computed for another name.
    const sig = crypto.sign(null, Buffer.from(body), ISSUER.privateKey);
    const wrongId = `${body}\n${signatureLine(ORIGIN, noteKeyId("witness.example", ISSUER.raw), sig)}`;
    expect(verifyCheckpoint(wrongId, ORIGIN, JWKS)).toBeNull();
    // Another name carrying our key ID and a good signature: the name must match too.
    const renamed = `${body}\n${signatureLine("witness.example", noteKeyId(ORIGIN, ISSUER.raw), sig)}`;
    expect(verifyCheckpoint(renamed, ORIGIN, JWKS)).toBeNull();
  });

  it("signs exactly the body with its final newline: a signature over other bytes does not verify", () => {
    const signOver = (bytes: string) =>
      signatureLine(ORIGIN, noteKeyId(ORIGIN, ISSUER.raw), crypto.sign(null, Buffer.from(bytes), ISSUER.privateKey));
    expect(verifyCheckpoint(`${body}\n${signOver(body.slice(0, -1))}`, ORIGIN, JWKS)).toBeNull();
    expect(verifyCheckpoint(`${body}\n${signOver(`${body}\n`)}`, ORIGIN, JWKS)).toBeNull();
  });

  it("accepts a valid signature line that follows unrelated or broken ones", () => {
    const junk = [
      sigLine(body, "witness.example/w1", STRANGER), // a cosignature by someone else
      sigLine(body, ORIGIN, STRANGER), // our name, an unknown key
      signatureLine(ORIGIN, noteKeyId(ORIGIN, ISSUER.raw), Buffer.alloc(64, 7)), // our key ID, a bad signature
      `\u2014 ${ORIGIN} ${Buffer.concat([noteKeyId(ORIGIN, ISSUER.raw), Buffer.alloc(32, 1)]).toString("base64")}\n`, // our key ID, not 64 bytes
    ].join("");
    const withJunk = `${body}\n${junk}${sigLine(body, ORIGIN, ISSUER)}`;
    expect(verifyCheckpoint(withJunk, ORIGIN, JWKS)?.treeSize).toBe(42);
    // Without the good line, the junk alone proves nothing.
    expect(verifyCheckpoint(`${body}\n${junk}`, ORIGIN, JWKS)).toBeNull();
  });

  it("skips published keys that are not Ed25519 without throwing", () => {
    const ec = crypto.generateKeyPairSync("ec", { namedCurve: "P-256" }).publicKey.export({ format: "jwk" }) as JWK;
    const x25519 = crypto.generateKeyPairSync("x25519").publicKey.export({ format: "jwk" }) as JWK;
    const odd: JWK[] = [
      { ...ec, kid: "ec" },
      { ...x25519, kid: "x25519" },
      { kty: "OKP", crv: "Ed25519", kid: "short", x: Buffer.alloc(16).toString("base64url") },
      { kty: "OKP", crv: "Ed25519", kid: "no-x" },
      { kty: "oct", k: "c2VjcmV0", kid: "hmac" },
    ];
    expect(verifyCheckpoint(note, ORIGIN, odd)).toBeNull();
    expect(verifyCheckpoint(note, ORIGIN, [...odd, ISSUER.jwk])?.kid).toBe(ISSUER.kid);
  });

  it("refuses malformed notes without throwing", () => {
    const bad: unknown[] = [
      "",
      body, // no signatures
      `${body}\n`, // blank line, no signatures
      `${body}${sigLine(body, ORIGIN, ISSUER)}`, // no blank line before the signature
      note.replace("\u2014", "--"),
      note.replace(/\n$/, ""),
      `${body.replace("\n42\n", "\n042\n")}\n${note.slice(body.length + 1)}`,
      `${body}extension line\n\n${note.slice(body.length + 1)}`,
      note.replace(/\n/g, "\r\n"),
      null,
      42,
    ];
    for (const n of bad) expect(verifyCheckpoint(n as string, ORIGIN, JWKS), JSON.stringify(n)).toBeNull();
  });
});

describe("checkTlogProof: genuine proofs", () => {
  const cases: [number, number][] = [
    [1, 0],
    [2, 0],
    [2, 1],
    [7, 0],
    [7, 3],
    [7, 5],
    [7, 6],
    [100, 0],
    [100, 31],
    [100, 64],
    [100, 97],
    [100, 99],
  ];

  it.each(cases)("tree of %i leaves, our issue entry at %i", (size, position) => {
    const { proof } = buildLog(size, position);
    expect(checkTlogProof(proof, expected)).toEqual({ ok: true, leafIndex: position, treeSize: size });
  });

  it("the entry it checks is the service's canonical issue entry (sorted keys, no spaces, SHA-256 of the JWS)", () => {
    const { proof } = buildLog(7, 3);
    expect(proof.leaf).toBe(
      `{"at":"2026-11-25T00:00:03.000Z","credentialSha256":"${sha256Hex(JWS)}","event":"issued","index":3,"kid":"${ISSUER.kid}","serial":"${SERIAL}"}`,
    );
  });

  it("survives a JSON round trip (as read from the PDF's seal.tlog-proof.json)", () => {
    const { proof } = buildLog(7, 4);
    expect(checkTlogProof(JSON.parse(JSON.stringify(proof)), expected)).toMatchObject({ ok: true, leafIndex: 4 });
  });

  it("hashes the JWS as text without surrounding whitespace (a JWS read from a file with a newline)", () => {
    const { proof } = buildLog(7, 2);
    expect(checkTlogProof(proof, { ...expected, jws: `${JWS}\n` })).toMatchObject({ ok: true });
    expect(checkTlogProof(proof, { ...expected, jws: `  ${JWS}  ` })).toMatchObject({ ok: true });
  });

  it("accepts a checkpoint signed by an older, still-published key", () => {
    const old = makeKey("issuer-2025");
    const { proof } = buildLog(7, 2, { key: old });
    expect(checkTlogProof(proof, { ...expected, jwks: [old.jwk, ISSUER.jwk] })).toMatchObject({ ok: true });
  });

  it("works for a portal under a path, with the origin derived from its base URL", () => {
    const origin = logOrigin("https://seal.example/portal/");
    const { proof } = buildLog(7, 2, { origin });
    expect(checkTlogProof(proof, { ...expected, origin })).toMatchObject({ ok: true });
  });
});

describe("checkTlogProof: proofs that belong to something else", () => {
  it("refuses a proof when the attached credential is another one (the JWS differs)", () => {
    const { proof } = buildLog(7, 3);
    expectRefused(checkTlogProof(proof, { ...expected, jws: fakeJws("another seal") }), /different credential/);
    // Even one character changed in the JWS (a re-signed or altered credential) is another credential.
    expectRefused(
      checkTlogProof(proof, { ...expected, jws: JWS.slice(0, -1) + (JWS.endsWith("A") ? "B" : "A") }),
      /different credential/,
    );
  });

  it("refuses a proof when the serial differs", () => {
    const { proof } = buildLog(7, 3);
    expectRefused(checkTlogProof(proof, { ...expected, serial: "IOTS-7KQ2-M9XE" }), /different credential/);
    expectRefused(checkTlogProof(proof, { ...expected, serial: SERIAL.toLowerCase() }), /different credential/);
  });

  it("refuses another seal's genuine, genuinely included issue entry", () => {
    const log = buildLog(7, 3);
    const neighbour = log.proofFor(1); // an "issued" entry of another seal, valid proof in the same signed tree
    expect(JSON.parse(neighbour.leaf).event).toBe("issued");
    expect(
      checkTlogProof(neighbour, { ...expected, jws: log.entries[1].jws, serial: log.entries[1].serial }),
    ).toMatchObject({ ok: true });
    expectRefused(checkTlogProof(neighbour, expected), /different credential/);
  });

  it("refuses a genuine entry of our seal that is not its issue entry", () => {
    for (const event of ["suspended", "revoked", "reinstated", "superseded", "Issued", "issued "]) {
      const { proof } = buildLog(7, 3, { ours: { event } });
      expectRefused(checkTlogProof(proof, expected), /not the issue entry/);
    }
  });

  it("refuses an entry whose own index disagrees with the leaf index it is presented at", () => {
    const { proof } = buildLog(7, 3);
    expectRefused(checkTlogProof({ ...proof, leafIndex: 4 }, expected), /not the issue entry/);
    expectRefused(checkTlogProof({ ...proof, leafIndex: 2 }, expected), /not the issue entry/);
  });

  it("refuses an entry rewritten to claim another index, even with index and leafIndex consistent", () => {
    const log = buildLog(7, 3);
    const moved = canonicalize({ ...JSON.parse(log.proof.leaf), index: 5 })!;
    expectRefused(
      checkTlogProof(
        { ...log.proof, leaf: moved, leafIndex: 5, inclusionProof: log.proofFor(5).inclusionProof },
        expected,
      ),
      /does not lead/,
    );
    expectRefused(checkTlogProof({ ...log.proof, leaf: moved, leafIndex: 5 }, expected), /does not lead/);
  });

  it("refuses an entry whose text was edited (the leaf hash then changes)", () => {
    const { proof } = buildLog(7, 3);
    const entry = JSON.parse(proof.leaf);
    const edits = [
      canonicalize({ ...entry, at: "2020-01-01T00:00:00.000Z" })!,
      canonicalize({ ...entry, kid: "someone-else" })!,
      JSON.stringify(entry, null, 1), // same content, different bytes
      proof.leaf + " ",
    ];
    for (const leaf of edits) expectRefused(checkTlogProof({ ...proof, leaf }, expected), /does not lead/);
  });
});

describe("checkTlogProof: broken audit paths", () => {
  const flip = (b64: string, byte: number) => {
    const b = Buffer.from(b64, "base64");
    b[byte] ^= 0x01;
    return b.toString("base64");
  };

  it.each([
    [2, 1],
    [7, 3],
    [100, 0],
    [100, 64],
    [100, 99],
  ])("tree of %i, leaf %i: every single-bit change, dropped, added or reordered hash is refused", (size, position) => {
    const { proof } = buildLog(size, position);
    const path = proof.inclusionProof;
    expect(path.length).toBeGreaterThan(0);
    const variants: string[][] = [];
    for (let i = 0; i < path.length; i++) {
      variants.push(path.map((h, j) => (j === i ? flip(h, 0) : h)));
      variants.push(path.map((h, j) => (j === i ? flip(h, 31) : h)));
      variants.push(path.filter((_, j) => j !== i));
    }
    variants.push([...path, path[path.length - 1]]);
    variants.push([Buffer.alloc(32).toString("base64"), ...path]);
    if (path.length > 1) variants.push([...path].reverse());
    variants.push([]);
    for (const v of variants) expectRefused(checkTlogProof({ ...proof, inclusionProof: v }, expected), /does not lead/);
  });

  it("refuses path hashes that are not 32 bytes or not strings", () => {
    const { proof } = buildLog(7, 3);
    const path = proof.inclusionProof;
    for (const v of [
      [...path.slice(0, -1), Buffer.alloc(31).toString("base64")],
      [...path.slice(0, -1), Buffer.alloc(33).toString("base64")],
      [...path.slice(0, -1), 12345],
      [...path.slice(0, -1), null],
      [...path.slice(0, -1), { hash: path[path.length - 1] }],
    ]) {
      expectRefused(checkTlogProof({ ...proof, inclusionProof: v as string[] }, expected), /does not lead/);
    }
  });

  it("refuses a one-leaf proof that suddenly carries a path", () => {
    const { proof } = buildLog(1, 0);
    expect(proof.inclusionProof).toEqual([]);
    expectRefused(
      checkTlogProof({ ...proof, inclusionProof: [Buffer.alloc(32).toString("base64")] }, expected),
      /does not lead/,
    );
  });
});

describe("checkTlogProof: checkpoints", () => {
  it("refuses a checkpoint signed by a key the issuer never published", () => {
    const { proof } = buildLog(7, 3, { key: STRANGER });
    expectRefused(checkTlogProof(proof, expected), /not signed by the issuer/);
  });

  it("refuses a checkpoint for another origin, and a proof checked against the wrong origin", () => {
    const { proof } = buildLog(7, 3, { origin: "localhost:3000/log" });
    expectRefused(checkTlogProof(proof, expected), /not signed by the issuer/);
    const ours = buildLog(7, 3).proof;
    expectRefused(checkTlogProof(ours, { ...expected, origin: "seal.example/portal/log" }), /not signed by the issuer/);
  });

  it("ignores the proof's own origin field: only the expected origin counts", () => {
    const { proof } = buildLog(7, 3);
    expect(checkTlogProof({ ...proof, origin: "anything" }, expected)).toMatchObject({ ok: true });
  });

  it("refuses a tree size that disagrees with the signed checkpoint", () => {
    const { proof } = buildLog(7, 3);
    expectRefused(checkTlogProof({ ...proof, treeSize: 8 }, expected), /disagree on the tree size/);
    expectRefused(checkTlogProof({ ...proof, treeSize: 6 }, expected), /disagree on the tree size/);
  });

  it("refuses a proof paired with a genuine checkpoint of another tree size", () => {
    const small = buildLog(7, 3);
    const big = buildLog(8, 3);
    // The path for 7 leaves with the signed checkpoint of 8 (and claiming 8): the root does not match.
    expectRefused(
      checkTlogProof({ ...small.proof, treeSize: 8, checkpoint: big.proof.checkpoint }, expected),
      /does not lead/,
    );
    // Claiming 7 with the checkpoint of 8: the sizes disagree.
    expectRefused(
      checkTlogProof({ ...small.proof, checkpoint: big.proof.checkpoint }, expected),
      /disagree on the tree size/,
    );
  });

  it("refuses a checkpoint whose root was swapped under the issuer's signature", () => {
    const { proof, root } = buildLog(7, 3);
    const otherRoot = Buffer.from(root);
    otherRoot[0] ^= 0x80;
    const tampered = proof.checkpoint.replace(root.toString("base64"), otherRoot.toString("base64"));
    expect(tampered).not.toBe(proof.checkpoint);
    expectRefused(checkTlogProof({ ...proof, checkpoint: tampered }, expected), /not signed by the issuer/);
  });

  it("refuses a correctly signed checkpoint for a different tree (a fork) of the same size", () => {
    const { proof } = buildLog(7, 3);
    const forkRoot = crypto.createHash("sha256").update("fork").digest();
    const fork = signedCheckpoint(ORIGIN, 7, forkRoot, ISSUER);
    expectRefused(checkTlogProof({ ...proof, checkpoint: fork }, expected), /does not lead/);
  });
});

describe("checkTlogProof: malformed input", () => {
  const { proof } = buildLog(7, 3);

  it("refuses an unknown format", () => {
    for (const format of ["iot-seal/tlog-proof/v2", "", undefined, "IOT-SEAL/TLOG-PROOF/V1"]) {
      expectRefused(checkTlogProof({ ...proof, format }, expected), /format/);
    }
  });

  it("refuses garbage without throwing", () => {
    const garbage: unknown[] = [
      null,
      undefined,
      "",
      "a string",
      JSON.stringify(proof), // not parsed
      42,
      true,
      {},
      [],
      [proof],
      { format: TLOG_PROOF_FORMAT },
      { ...proof, leaf: undefined },
      { ...proof, leaf: JSON.parse(proof.leaf) }, // parsed object instead of the hashed text
      { ...proof, leafIndex: "3" },
      { ...proof, leafIndex: 3.5 },
      { ...proof, leafIndex: Number.NaN },
      { ...proof, treeSize: "7" },
      { ...proof, treeSize: 2 ** 53 },
      { ...proof, inclusionProof: "not an array" },
      { ...proof, inclusionProof: undefined },
      { ...proof, checkpoint: undefined },
      { ...proof, checkpoint: 7 },
      { ...proof, checkpoint: "" },
      { ...proof, checkpoint: "garbage\n\n\u2014 x y\n" },
      { ...proof, leaf: "" },
      { ...proof, leaf: "not json" },
      { ...proof, leaf: "{" },
      { ...proof, leaf: "1" },
      { ...proof, leaf: "[]" },
      { ...proof, leaf: "null" },
      { ...proof, leaf: '"issued"' },
      { ...proof, leaf: "{}" },
      { ...proof, leafIndex: -1, leaf: canonicalize({ ...JSON.parse(proof.leaf), index: -1 })! },
      { ...proof, leafIndex: 7, leaf: canonicalize({ ...JSON.parse(proof.leaf), index: 7 })! },
    ];
    for (const g of garbage) {
      let result: ReturnType<typeof checkTlogProof> | undefined;
      expect(() => (result = checkTlogProof(g, expected)), JSON.stringify(g)?.slice(0, 80)).not.toThrow();
      expect(result?.ok, JSON.stringify(g)?.slice(0, 80)).toBe(false);
    }
  });

  it("refuses when the issuer publishes no keys", () => {
    expectRefused(checkTlogProof(proof, { ...expected, jwks: [] }), /not signed by the issuer/);
  });
});
