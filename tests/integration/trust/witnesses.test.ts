// Issue 17: witness cosignatures (C2SP tlog-witness, tlog-cosignature). Tiny witnesses on
// 127.0.0.1 implement add-checkpoint as the spec says (they check the log's signature with its
// verifier key from /log/keys, the consistency proof, keep their latest size, answer 409 with
// their size, and cosign with cosignature/v1 and a timestamp); the worker sends them our
// checkpoints, and /log/checkpoint serves the verified cosignature lines after the log's own.
import crypto from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { eq } from "drizzle-orm";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { logCosignatures, logWitnessState } from "../../../db/schema";
import { db, transaction } from "../../../app/platform/db.server";
import { getEnv } from "../../../app/platform/env.server";
import { parseEnv, parseLogWitnesses, type LogWitness } from "../../../app/platform/env";
import { testClock } from "../../../app/platform/clock.server";
import { signingKeys } from "../../../app/features/trust/adapters/signing-keys.server";
import {
  appendLog,
  checkpointAt,
  latestCheckpoint,
  logVerifierKeys,
} from "../../../app/features/trust/transparency-log.server";
import { runWitnessRound, witnessStates } from "../../../app/features/trust/witnesses.server";
import {
  cosignatureLine,
  cosignedMessage,
  cosignerVerifierKey,
  keyIdFor,
  parseAddCheckpointBody,
  parseVerifierKey,
  verifyCosignatures,
  COSIGNATURE_V1_TYPE,
} from "../../../app/features/trust/domain/cosignature";
import {
  parseCheckpointBody,
  parseSignatureLines,
  leafHash,
  verifyConsistency,
  verifyInclusion,
  EMPTY_ROOT,
} from "../../../app/features/trust/domain/merkle";
import { parseTlogProof } from "../../../app/features/trust/domain/tlog-proof";
import { logOrigin, verifyCheckpoint } from "../../../app/features/trust/domain/tlog";
import { startFastRoutes, type TestServer } from "../../support/http";

interface TestWitness {
  name: string;
  url: string;
  /** The verifier key the portal is configured with. */
  vkey: string;
  publicKey: Buffer;
  requests: { oldSize: number; proofLines: number; status: number }[];
  /** The witness's own record: the latest size it cosigned and its root. */
  state: { size: number; root: Buffer };
  close(): Promise<void>;
}

/**
 * A witness per C2SP tlog-witness add-checkpoint. `signWith` makes it sign with another key than
 * the one it claims (the key ID of its configured key, a signature that does not verify).
 */
async function startWitness(
  name: string,
  opts: { signWith?: crypto.KeyObject; state?: { size: number; root: Buffer } } = {},
): Promise<TestWitness> {
  const { publicKey, privateKey } = crypto.generateKeyPairSync("ed25519");
  const raw = Buffer.from(publicKey.export({ format: "jwk" }).x!, "base64url");
  const keyId = keyIdFor(name, COSIGNATURE_V1_TYPE, raw);
  // The log's verifier key, exactly as /log/keys publishes it.
  const logKey = parseVerifierKey(logVerifierKeys()[0])!;
  const logPublic = crypto.createPublicKey({
    key: { kty: "OKP", crv: "Ed25519", x: logKey.publicKey.toString("base64url") },
    format: "jwk",
  });
  const w: TestWitness = {
    name,
    url: "",
    vkey: cosignerVerifierKey(name, raw),
    publicKey: raw,
    requests: [],
    state: opts.state ?? { size: 0, root: EMPTY_ROOT },
    close: async () => {},
  };
  const answer = (res: http.ServerResponse, status: number, body: string, type = "text/plain") => {
    res.writeHead(status, { "Content-Type": type }).end(body);
    return status;
  };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks).toString("utf8");
      const parsed = parseAddCheckpointBody(body);
      const log = (status: number) =>
        w.requests.push({ oldSize: parsed?.oldSize ?? -1, proofLines: parsed?.proof.length ?? -1, status });
      if (req.method !== "POST" || req.url !== "/add-checkpoint") return log(answer(res, 404, "not found\n"));
      if (!parsed) return log(answer(res, 400, "bad request\n"));
      const note = parseSignatureLines(parsed.note);
      const cp = note && parseCheckpointBody(note.body);
      if (!note || !cp) return log(answer(res, 400, "bad checkpoint\n"));
      if (cp.origin !== logKey.name) return log(answer(res, 404, "unknown origin\n"));
      const signed = note.signatures.some(
        (s) =>
          s.name === logKey.name &&
          s.keyId.equals(logKey.keyId) &&
          crypto.verify(null, Buffer.from(note.body), logPublic, s.signature),
      );
      if (!signed) return log(answer(res, 403, "no trusted signature\n"));
      if (parsed.oldSize > cp.treeSize) return log(answer(res, 400, "old size larger than checkpoint\n"));
      if (parsed.oldSize !== w.state.size) return log(answer(res, 409, `${w.state.size}\n`, "text/x.tlog.size"));
      if (parsed.oldSize === cp.treeSize) {
        if (!cp.rootHash.equals(w.state.root)) return log(answer(res, 409, `${w.state.size}\n`, "text/x.tlog.size"));
      } else if (
        parsed.oldSize === 0
          ? parsed.proof.length !== 0
          : !verifyConsistency(parsed.oldSize, cp.treeSize, w.state.root, cp.rootHash, parsed.proof)
      ) {
        return log(answer(res, 422, "inconsistent\n"));
      }
      w.state = { size: cp.treeSize, root: cp.rootHash };
      const timestamp = Math.floor(Date.now() / 1000);
      const signature = crypto.sign(null, cosignedMessage(note.body, timestamp), opts.signWith ?? privateKey);
      // An unrelated line from another key first: the portal must ignore it.
      const other = cosignatureLine("unrelated.example/w9", Buffer.from("abcd"), timestamp, Buffer.alloc(64, 1));
      log(answer(res, 200, other + cosignatureLine(name, keyId, timestamp, signature)));
    });
  });
  await new Promise<void>((ready) => server.listen(0, "127.0.0.1", ready));
  w.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/add-checkpoint`;
  w.close = () => new Promise<void>((done) => server.close(() => done()));
  return w;
}

/** Configures LOG_WITNESSES as the server would parse it (the env is parsed once per process). */
function configure(witnesses: { vkey: string; url: string }[]) {
  const raw = witnesses.map((w) => `${w.vkey} ${w.url}`).join("; ");
  const parsed = parseEnv({ ...process.env, LOG_WITNESSES: raw });
  if (!parsed.ok) throw new Error(parsed.errors.join("\n"));
  (getEnv() as { logWitnesses: LogWitness[] }).logWitnesses = parsed.env.logWitnesses;
}

function append(n: number) {
  for (let i = 0; i < n; i++)
    transaction((tx) => appendLog(tx, { event: "test", serial: `IOTS-WTNS-${i}`, at: new Date().toISOString() }));
}

const origin = () => logOrigin(getEnv().baseUrl);
const jwks = () => signingKeys(getEnv().dataDir).jwks().keys;
let server: TestServer;
const witnesses: TestWitness[] = [];

async function servedCheckpoint() {
  const res = await fetch(`${server.base}/log/checkpoint`);
  return { status: res.status, text: await res.text(), lastModified: res.headers.get("last-modified") };
}

beforeAll(async () => {
  await signingKeys(getEnv().dataDir).ensureActive();
  server = await startFastRoutes();
});

afterEach(() => {
  testClock.reset();
  configure([]);
});

afterAll(async () => {
  await server?.close();
  for (const w of witnesses) await w.close();
});

describe("a witness that cosigns", () => {
  it("gets each new checkpoint with add-checkpoint; /log/checkpoint then carries its verified cosignature", async () => {
    const w = await startWitness("witness.test/good");
    witnesses.push(w);
    configure([w]);
    append(3);
    const size = latestCheckpoint().treeSize;
    expect(await runWitnessRound({ force: true })).toEqual([{ witness: w.name, result: "cosigned", treeSize: size }]);
    expect(w.requests).toEqual([{ oldSize: 0, proofLines: 0, status: 200 }]);

    const served = await servedCheckpoint();
    expect(served.status).toBe(200);
    expect(served.lastModified).toMatch(/GMT$/);
    const own = latestCheckpoint().note;
    expect(served.text.startsWith(own)).toBe(true); // body, blank line, the log's signature line, then the witness's
    const added = served.text.slice(own.length);
    expect(added.split("\n").filter(Boolean)).toHaveLength(1); // only the witness's line (the unrelated one is dropped)
    expect(added.startsWith(`\u2014 ${w.name} `)).toBe(true);
    const check = verifyCosignatures(own, added, parseVerifierKey(w.vkey)!, Date.now());
    expect(check.ok).toBe(true);
    // Our own verifier still accepts the note, whatever other signature lines it carries.
    expect(verifyCheckpoint(served.text, origin(), jwks())).toMatchObject({ treeSize: size });
    expect(witnessStates()).toEqual([expect.objectContaining({ witness: w.name, size, lastError: null })]);

    // c2sp.org/tlog-proof@v1 for any leaf, with the witness's cosignature on its checkpoint.
    const proofRes = await fetch(`${server.base}/log/proof/1?format=tlog-proof`);
    expect(proofRes.status).toBe(200);
    const parsed = parseTlogProof(await proofRes.text());
    if (!parsed.ok) throw new Error(parsed.message);
    expect(parsed.value).toMatchObject({ index: 1, treeSize: size });
    expect(parsed.value.checkpoint).toBe(served.text);
    expect(verifyInclusion(leafHash(parsed.value.extra!), 1, size, parsed.value.proof, parsed.value.rootHash)).toBe(
      true,
    );
    expect((await fetch(`${server.base}/log/proof/1?format=xml`)).status).toBe(400);

    // Nothing new: nothing sent.
    expect(await runWitnessRound({ force: true })).toEqual([{ witness: w.name, result: "current", treeSize: size }]);
    expect(w.requests).toHaveLength(1);

    // Two more leaves: the witness gets the old size and a consistency proof from it.
    append(2);
    expect(await runWitnessRound({ force: true })).toMatchObject([{ result: "cosigned", treeSize: size + 2 }]);
    expect(w.requests[1]).toMatchObject({ oldSize: size, status: 200 });
    expect(w.requests[1].proofLines).toBeGreaterThan(0);
    const again = await servedCheckpoint();
    expect(again.text).toContain(`\u2014 ${w.name} `);
    expect(parseCheckpointBody(parseSignatureLines(again.text)!.body)!.treeSize).toBe(size + 2);
    // Each tree size keeps its own cosignature.
    expect(db().select().from(logCosignatures).where(eq(logCosignatures.witness, w.name)).all()).toHaveLength(2);
  });
});

describe("a witness whose cosignature does not verify under its configured key", () => {
  it("is refused: nothing stored, nothing served, the error recorded", async () => {
    const { privateKey: other } = crypto.generateKeyPairSync("ed25519");
    const w = await startWitness("witness.test/wrong-key", { signWith: other });
    witnesses.push(w);
    configure([w]);
    append(1);
    const [outcome] = await runWitnessRound({ force: true });
    expect(outcome).toMatchObject({
      witness: w.name,
      result: "failed",
      error: expect.stringMatching(/does not verify/),
    });
    expect(db().select().from(logCosignatures).where(eq(logCosignatures.witness, w.name)).all()).toEqual([]);
    expect((await servedCheckpoint()).text).not.toContain(w.name);
    expect(db().select().from(logWitnessState).where(eq(logWitnessState.witness, w.name)).get()).toMatchObject({
      size: 0,
      lastError: expect.stringMatching(/does not verify/),
    });
  });
});

describe("a witness that has cosigned another size before (409)", () => {
  it("is resynced to the size it reports, and sent the proof from there", async () => {
    append(1);
    const known = latestCheckpoint().treeSize;
    const root = Buffer.from(checkpointAt(known)!.rootHash, "hex");
    const w = await startWitness("witness.test/resync", { state: { size: known, root } });
    witnesses.push(w);
    configure([w]);
    append(2);
    const [outcome] = await runWitnessRound({ force: true });
    expect(outcome).toMatchObject({ result: "cosigned", treeSize: known + 2 });
    expect(w.requests.map((r) => [r.oldSize, r.status])).toEqual([
      [0, 409],
      [known, 200],
    ]);
    expect(w.requests[1].proofLines).toBeGreaterThan(0);
    expect(db().select().from(logWitnessState).where(eq(logWitnessState.witness, w.name)).get()).toMatchObject({
      size: known + 2,
      lastError: null,
    });
  });
});

describe("a witness that is down", () => {
  it("records the error, backs off, and leaves the log alone", async () => {
    const down = await startWitness("witness.test/down");
    await down.close(); // its port is free now: connections are refused
    const good = await startWitness("witness.test/beside-it");
    witnesses.push(good);
    configure([down, good]);
    append(1);
    const outcomes = await runWitnessRound({ force: true });
    expect(outcomes).toEqual([
      expect.objectContaining({
        witness: down.name,
        result: "failed",
        error: expect.stringMatching(/could not be reached/),
      }),
      expect.objectContaining({ witness: good.name, result: "cosigned" }),
    ]);
    expect(db().select().from(logWitnessState).where(eq(logWitnessState.witness, down.name)).get()).toMatchObject({
      lastError: expect.stringMatching(/could not be reached/),
    });
    // Backoff: the next round (not forced) waits; the log keeps appending and serving.
    expect((await runWitnessRound()).find((o) => o.witness === down.name)).toMatchObject({ result: "waiting" });
    const before = latestCheckpoint().treeSize;
    append(1);
    expect(latestCheckpoint().treeSize).toBe(before + 1);
    const served = await servedCheckpoint();
    expect(verifyCheckpoint(served.text, origin(), jwks())).toMatchObject({ treeSize: before + 1 });
    expect(served.text).not.toContain(down.name);
    // After the backoff it is tried again (and still fails).
    testClock.set(Date.now() + 31_000);
    expect((await runWitnessRound()).find((o) => o.witness === down.name)).toMatchObject({ result: "failed" });
  });
});

describe("LOG_WITNESSES", () => {
  it("parses '<verifier key> <URL>' entries separated by ';' or newlines, and names a bad one", async () => {
    const a = cosignerVerifierKey("a.example/w", crypto.randomBytes(32));
    const b = cosignerVerifierKey("b.example/w", crypto.randomBytes(32));
    expect(
      parseLogWitnesses(`${a} https://a.example/add-checkpoint;\n ${b} http://127.0.0.1:9/add-checkpoint\n`),
    ).toEqual([
      { vkey: a, name: "a.example/w", url: "https://a.example/add-checkpoint" },
      { vkey: b, name: "b.example/w", url: "http://127.0.0.1:9/add-checkpoint" },
    ]);
    expect(parseEnv({ LOG_WITNESSES: "" })).toMatchObject({ ok: true, env: { logWitnesses: [] } });
    const bad = (v: string, m: RegExp) => {
      const r = parseEnv({ LOG_WITNESSES: v });
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.errors.join("\n")).toMatch(m);
    };
    bad(a, /LOG_WITNESSES: witness 1: expected/);
    bad(`${a} ftp://a.example/`, /http/);
    bad(`${a} https://a.example/; ${a} https://b.example/`, /configured twice/);
    bad(`${a.replace(/\+[0-9a-f]{8}\+/, "+00000000+")} https://a.example/`, /key ID 00000000 does not match/);
    const noteKey = logVerifierKeys()[0]; // a note key (type 0x01), not a cosignature key
    bad(`${noteKey} https://a.example/`, /not a cosignature\/v1 key/);
    bad(`nonsense https://a.example/`, /verifier key must be/);
  });
});
