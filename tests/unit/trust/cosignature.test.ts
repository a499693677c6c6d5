// C2SP tlog-cosignature (cosignature/v1, Ed25519) and tlog-witness add-checkpoint bodies, clause by clause.
import crypto from "node:crypto";
import { describe, expect, it } from "vitest";
import {
  addCheckpointBody,
  COSIGNATURE_V1_TYPE,
  cosignatureLine,
  cosignedMessage,
  cosignerVerifierKey,
  keyIdFor,
  MAX_COSIGNATURE_SKEW_MS,
  parseAddCheckpointBody,
  parseVerifierKey,
  parseWitnessSize,
  verifyCosignatures,
  withCosignatures,
} from "../../../app/features/trust/domain/cosignature";
import { checkpointBody, noteKeyId, signatureLine } from "../../../app/features/trust/domain/merkle";
import { noteVerifierKey } from "../../../app/features/trust/domain/tlog";

const NAME = "witness.example.com/w1";
const ORIGIN = "seal.example/log";

function keyPair() {
  const { publicKey, privateKey } = crypto.generateKeyPairSync("ed25519");
  return { privateKey, raw: Buffer.from(publicKey.export({ format: "jwk" }).x!, "base64url") };
}
const WITNESS = keyPair();
const LOG = keyPair();
const body = checkpointBody(ORIGIN, 20852163, Buffer.alloc(32, 5));
const note = `${body}\n${signatureLine(ORIGIN, noteKeyId(ORIGIN, LOG.raw), crypto.sign(null, Buffer.from(body), LOG.privateKey))}`;
const NOW = Date.UTC(2026, 11, 3, 10, 0, 0);
const TS = Math.floor(NOW / 1000);

function cosign(
  ts = TS,
  key = WITNESS.privateKey,
  name = NAME,
  keyId = keyIdFor(NAME, COSIGNATURE_V1_TYPE, WITNESS.raw),
) {
  return cosignatureLine(name, keyId, ts, crypto.sign(null, cosignedMessage(body, ts), key));
}
const witness = () => parseVerifierKey(cosignerVerifierKey(NAME, WITNESS.raw))!;

describe("tlog-cosignature", () => {
  it("the Ed25519 key ID is SHA-256(<name> || \\n || 0x04 || key)[:4]", () => {
    const expected = crypto
      .createHash("sha256")
      .update(Buffer.concat([Buffer.from(`${NAME}\n`), Buffer.from([0x04]), WITNESS.raw]))
      .digest()
      .subarray(0, 4);
    expect(keyIdFor(NAME, COSIGNATURE_V1_TYPE, WITNESS.raw)).toEqual(expected);
    expect(witness().keyId).toEqual(expected);
  });

  it("Ed25519 public keys MAY be encoded as vkeys with signature type 0x04 (a '+' in the base64 is fine)", () => {
    for (let i = 0; i < 50; i++) {
      const k = keyPair();
      const vkey = cosignerVerifierKey(NAME, k.raw);
      expect(parseVerifierKey(vkey)).toMatchObject({ name: NAME, type: 0x04, publicKey: k.raw });
    }
    // The log's own note key (type 0x01) parses too; a wrong key ID, a bad type or shape does not.
    expect(parseVerifierKey(noteVerifierKey(ORIGIN, LOG.raw))).toMatchObject({ name: ORIGIN, type: 0x01 });
    const vkey = cosignerVerifierKey(NAME, WITNESS.raw);
    expect(parseVerifierKey(vkey.replace(/\+[0-9a-f]{8}\+/, "+00000000+"))).toBeNull();
    for (const bad of ["", "name", "name+00", `${NAME}+zzzzzzzz+AA==`, `a b+${vkey.split("+")[1]}+x`, 42, null])
      expect(parseVerifierKey(bad)).toBeNull();
  });

  it("the signed message is 'cosignature/v1', 'time <timestamp>', then the checkpoint body", () => {
    expect(cosignedMessage(body, 1679315147).toString()).toBe(
      `cosignature/v1\ntime 1679315147\n${ORIGIN}\n20852163\n${Buffer.alloc(32, 5).toString("base64")}\n`,
    );
  });

  it("the signature is a timestamped_signature: u64 big-endian timestamp || 64-byte Ed25519 signature", () => {
    const line = cosign();
    const blob = Buffer.from(line.trim().split(" ").pop()!, "base64");
    expect(blob).toHaveLength(4 + 8 + 64);
    expect(Number(blob.readBigUInt64BE(4))).toBe(TS);
    expect(verifyCosignatures(note, line, witness(), NOW)).toEqual({
      ok: true,
      cosignatures: [{ line, timestamp: TS }],
    });
  });

  it("clients ignore signature lines that don't match the name and key ID", () => {
    const other = cosign(TS, keyPair().privateKey, "other.example/w2", Buffer.from("wxyz"));
    expect(verifyCosignatures(note, other + cosign(), witness(), NOW)).toMatchObject({
      ok: true,
      cosignatures: [{ line: cosign() }],
    });
    expect(verifyCosignatures(note, other, witness(), NOW)).toMatchObject({ ok: false, message: /no cosignature/ });
  });

  it("refuses a line with the witness's key ID whose signature does not verify, or covers another time", () => {
    const forged = cosign(TS, keyPair().privateKey);
    expect(verifyCosignatures(note, forged, witness(), NOW)).toMatchObject({ ok: false, message: /does not verify/ });
    const line = cosign();
    const blob = Buffer.from(line.trim().split(" ").pop()!, "base64");
    blob.writeBigUInt64BE(BigInt(TS - 1), 4); // the time changed after signing
    const moved = `\u2014 ${NAME} ${blob.toString("base64")}\n`;
    expect(verifyCosignatures(note, moved, witness(), NOW).ok).toBe(false);
  });

  it("verifiers MAY reject cosignatures with timestamps in the future (beyond our clock skew)", () => {
    const future = TS + MAX_COSIGNATURE_SKEW_MS / 1000 + 60;
    expect(verifyCosignatures(note, cosign(future), witness(), NOW).ok).toBe(false);
    expect(verifyCosignatures(note, cosign(TS + 60), witness(), NOW).ok).toBe(true);
  });

  it("an answer that is not signature lines is refused, never thrown on", () => {
    for (const answer of ["", "hello\n", cosign().trim(), `${cosign()}garbage\n`, "\u2014 \n", "\u0000"])
      expect(verifyCosignatures(note, answer, witness(), NOW).ok).toBe(false);
  });

  it("a cosigned checkpoint is the note with the cosignature lines after the log's signature line", () => {
    const cosigned = withCosignatures(note, [cosign()]);
    expect(cosigned).toBe(note + cosign());
    expect(withCosignatures(note, ["not a line"])).toBe(note);
  });
});

describe("tlog-witness add-checkpoint", () => {
  it("the body is 'old <size>', the consistency proof lines, an empty line, the checkpoint", () => {
    const proof = [Buffer.alloc(32, 1), Buffer.alloc(32, 2)];
    const text = addCheckpointBody(20852014, proof, note);
    expect(text).toBe(`old 20852014\n${proof.map((p) => p.toString("base64")).join("\n")}\n\n${note}`);
    expect(parseAddCheckpointBody(text)).toEqual({ oldSize: 20852014, proof, note });
    expect(addCheckpointBody(0, [], note)).toBe(`old 0\n\n${note}`);
    for (const bad of ["", "old 01\n\n", "old -1\n\n", "old 1\nnot-base64\n\n", "old 1\n"])
      expect(parseAddCheckpointBody(bad)).toBeNull();
    expect(() =>
      addCheckpointBody(
        1,
        Array.from({ length: 64 }, () => Buffer.alloc(32)),
        note,
      ),
    ).toThrow(/too many/);
  });

  it("a 409 body is the witness's size in decimal and a newline", () => {
    expect(parseWitnessSize("20852014\n")).toBe(20852014);
    expect(parseWitnessSize("0\n")).toBe(0);
    for (const bad of ["", "12", "012\n", "-1\n", "1 \n", "1\n\n", "99999999999999999999\n"])
      expect(parseWitnessSize(bad)).toBeNull();
  });
});
