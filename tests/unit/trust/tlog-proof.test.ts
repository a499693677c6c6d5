// C2SP tlog-proof@v1 (https://c2sp.org/tlog-proof), clause by clause: the text a new seal PDF
// attaches as seal.tlog-proof, its strict parser, and checkTlogProof over it (with the older
// seal.tlog-proof.json still accepted).
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
  TLOG_PROOF_FORMAT,
  tlogProofText,
  type TlogProof,
} from "../../../app/features/trust/domain/tlog";
import {
  formatTlogProof,
  LEGACY_TLOG_PROOF_ATTACHMENT,
  logProofOfAttachments,
  parseTlogProof,
  TLOG_PROOF_ATTACHMENT,
  TLOG_PROOF_HEADER,
} from "../../../app/features/trust/domain/tlog-proof";

const ORIGIN = "seal.example/log";
const { publicKey, privateKey } = crypto.generateKeyPairSync("ed25519");
const JWK_ = { ...(publicKey.export({ format: "jwk" }) as JWK), kid: "k1" };
const RAW = Buffer.from(JWK_.x!, "base64url");
const JWS = "eyJhbGciOiJFZERTQSJ9.eyJzZWFsIjoib3VycyJ9.c2lnbmF0dXJl";
const SERIAL = "IOTS-7KQ2-M9XD";
const sha256Hex = (s: string) => crypto.createHash("sha256").update(s).digest("hex");

/** A 7-leaf log with our issue entry at 4, as the service builds it, and its proof both ways. */
function log(size = 7, position = 4) {
  const leaves = Array.from({ length: size }, (_, index) =>
    canonicalize({
      index,
      event: "issued",
      serial: index === position ? SERIAL : `IOTS-OTHR-${1000 + index}`,
      at: new Date(Date.UTC(2026, 10, 25, 0, 0, index)).toISOString(),
      credentialSha256: sha256Hex(index === position ? JWS : `other ${index}`),
      kid: "k1",
    })!,
  );
  const hashes = leaves.map((l) => leafHash(Buffer.from(l)));
  const body = checkpointBody(ORIGIN, size, rootFromLeafHashes(hashes));
  const sig = signatureLine(ORIGIN, noteKeyId(ORIGIN, RAW), crypto.sign(null, Buffer.from(body), privateKey));
  const checkpoint = `${body}\n${sig}`;
  const json: TlogProof = {
    format: TLOG_PROOF_FORMAT,
    origin: ORIGIN,
    leafIndex: position,
    treeSize: size,
    leaf: leaves[position],
    inclusionProof: inclusionProof(hashes, position).map((h) => h.toString("base64")),
    checkpoint,
  };
  return { leaves, hashes, checkpoint, json, text: tlogProofText(json) };
}

const expected = { jws: JWS, serial: SERIAL, origin: ORIGIN, jwks: [JWK_] };
const refused = (text: string | Uint8Array, message: RegExp) => {
  const r = parseTlogProof(text);
  expect(r.ok).toBe(false);
  if (!r.ok) expect(r.message).toMatch(message);
};

describe("tlog-proof@v1 format", () => {
  const { text, json, checkpoint, leaves } = log();
  const lines = text.split("\n");

  it("is a sequence of lines separated by newlines (U+000A); a CR is refused", () => {
    expect(text.endsWith("\n")).toBe(true);
    expect(text).not.toContain("\r");
    refused(text.replaceAll("\n", "\r\n"), /control characters/);
    refused(text.replace("\n", "\r\n"), /control characters/);
  });

  it("the first line MUST be the string c2sp.org/tlog-proof@v1", () => {
    expect(lines[0]).toBe(TLOG_PROOF_HEADER);
    expect(TLOG_PROOF_HEADER).toBe("c2sp.org/tlog-proof@v1");
    for (const first of ["c2sp.org/tlog-proof@v2", "C2SP.org/tlog-proof@v1", " c2sp.org/tlog-proof@v1", ""])
      refused([first, ...lines.slice(1)].join("\n"), /does not start with the line/);
    refused(lines.slice(1).join("\n"), /does not start with the line/);
  });

  it("the second line MAY be `extra` + space + base64 opaque data: ours carries the log entry bytes", () => {
    expect(lines[1]).toBe(`extra ${Buffer.from(leaves[4]).toString("base64")}`);
    const parsed = parseTlogProof(text);
    expect(parsed.ok && parsed.value.extra!.toString("utf8")).toBe(json.leaf);
    // Absent extra: the line is omitted, and the proof still parses (but our verifier needs the entry).
    const bare = formatTlogProof({ index: 4, proof: [], checkpoint });
    expect(bare.split("\n")[1]).toBe("index 4");
    expect(parseTlogProof(bare)).toMatchObject({ ok: true, value: { extra: null } });
    for (const extra of ["extra", "extra ", "extra Zm9vYg", "extra Zm9vYg==x", "extra Zm9v-_==", "extra  Zm9v"])
      refused([lines[0], extra, ...lines.slice(2)].join("\n"), /extra line|no index line/);
  });

  it("the index line is `index` + space + a decimal with no leading zeroes (unless 0)", () => {
    expect(lines[2]).toBe("index 4");
    expect(parseTlogProof(log(7, 0).text)).toMatchObject({ ok: true, value: { index: 0 } });
    for (const index of [
      "index 04",
      "index +4",
      "index -4",
      "index 4.0",
      "index 0x4",
      "index  4",
      "index 4 ",
      "index",
      "Index 4",
    ])
      refused([lines[0], lines[1], index, ...lines.slice(3)].join("\n"), /index/);
    refused([lines[0], lines[1], "index 9007199254740993", ...lines.slice(3)].join("\n"), /index/);
    refused([lines[0], lines[1], ...lines.slice(3)].join("\n"), /index/);
  });

  it("then zero or more base64 SHA-256 hashes, the leaf's sibling first (RFC 6962 PATH)", () => {
    const parsed = parseTlogProof(text);
    expect(parsed.ok && parsed.value.proof.map((h) => h.toString("base64"))).toEqual(json.inclusionProof);
    expect(parseTlogProof(log(1, 0).text)).toMatchObject({ ok: true, value: { proof: [] } });
    const short = Buffer.alloc(31).toString("base64");
    const long = Buffer.alloc(33).toString("base64");
    for (const bad of [short, long, "not base64!", json.inclusionProof[0].slice(0, -1), ` ${json.inclusionProof[0]}`])
      refused([...lines.slice(0, 3), bad, ...lines.slice(4)].join("\n"), /proof line/);
    const many = Array.from({ length: 65 }, () => Buffer.alloc(32).toString("base64"));
    refused([...lines.slice(0, 3), ...many, ...lines.slice(3 + json.inclusionProof.length)].join("\n"), /too many/);
  });

  it("after the proof lines and an empty line, the checkpoint verbatim (with all its signature lines)", () => {
    const blank = 3 + json.inclusionProof.length;
    expect(lines[blank]).toBe("");
    expect(lines.slice(blank + 1).join("\n")).toBe(checkpoint);
    const parsed = parseTlogProof(text);
    expect(parsed).toMatchObject({ ok: true, value: { checkpoint, origin: ORIGIN, treeSize: 7 } });
    // A witness cosignature line after the log's own: kept verbatim.
    const cosigned = `${checkpoint}\u2014 witness.example/w1 ${Buffer.alloc(76, 3).toString("base64")}\n`;
    const withWitness = formatTlogProof({ extra: Buffer.from(json.leaf), index: 4, proof: [], checkpoint: cosigned });
    expect(parseTlogProof(withWitness)).toMatchObject({ ok: true, value: { checkpoint: cosigned } });
    // No empty line, no checkpoint, no signature line, a body that is not a checkpoint.
    refused(lines.slice(0, blank).join("\n") + "\n", /empty line|signed checkpoint/);
    refused(lines.slice(0, blank).join("\n"), /empty line/);
    refused(lines.slice(0, blank + 1).join("\n") + "\n", /signed checkpoint/);
    refused(text.replace(/\n\n\u2014[^\n]*\n$/, "\n"), /signed checkpoint/);
    refused(text.replace(`${ORIGIN}\n7\n`, `${ORIGIN}\nseven\n`), /signed checkpoint/);
  });

  it("names a leaf inside the checkpointed tree", () => {
    const { checkpoint: cp7 } = log(7, 4);
    refused(formatTlogProof({ index: 7, proof: [], checkpoint: cp7 }), /not in a tree of 7/);
  });

  it("proofs SHOULD be stored with the extension .tlog-proof: the PDF attaches seal.tlog-proof", () => {
    expect(TLOG_PROOF_ATTACHMENT).toBe("seal.tlog-proof");
    expect(LEGACY_TLOG_PROOF_ATTACHMENT).toBe("seal.tlog-proof.json");
  });

  it("base64 is the standard RFC 4648 section 4 alphabet, padded (no URL-safe, no whitespace)", () => {
    const urlSafe = text.replace(lines[1], lines[1].replaceAll("+", "-").replaceAll("/", "_"));
    if (urlSafe !== text) refused(urlSafe, /extra/);
    refused(text.replace(lines[3], lines[3].replace(/=$/, "")), /proof line/);
  });

  it("never throws on hostile input, and refuses it", () => {
    const hostile: unknown[] = [
      "",
      "\n",
      TLOG_PROOF_HEADER,
      `${TLOG_PROOF_HEADER}\n`,
      `${TLOG_PROOF_HEADER}\nindex 0\n\n`,
      text.slice(0, -1),
      text + "\n",
      text.replace("\u2014", "-"),
      "\u0000" + text,
      text.replace(ORIGIN, "seal.example/\ud800log"),
      "x".repeat(70_000),
      Buffer.from([0xff, 0xfe, 0x00]),
      new Uint8Array(70_000),
      42,
      null,
      {},
    ];
    for (const h of hostile) {
      let r: ReturnType<typeof parseTlogProof> | undefined;
      expect(() => (r = parseTlogProof(h as string))).not.toThrow();
      expect(r!.ok).toBe(false);
    }
    for (let cut = 0; cut < text.length; cut += 7) {
      expect(() => parseTlogProof(text.slice(0, cut))).not.toThrow();
      expect(parseTlogProof(text.slice(0, cut)).ok).toBe(false);
    }
  });

  it("reads back the same from bytes (UTF-8) as from text, and formats what it parsed identically", () => {
    const fromBytes = parseTlogProof(Buffer.from(text, "utf8"));
    expect(fromBytes).toEqual(parseTlogProof(text));
    if (!fromBytes.ok) throw new Error(fromBytes.message);
    expect(formatTlogProof(fromBytes.value)).toBe(text);
  });
});

describe("checkTlogProof over tlog-proof@v1", () => {
  it("accepts a genuine proof, as text and as the attachment's bytes", () => {
    const { text } = log();
    expect(checkTlogProof(text, expected)).toEqual({ ok: true, leafIndex: 4, treeSize: 7 });
    expect(checkTlogProof(Buffer.from(text), expected)).toEqual({ ok: true, leafIndex: 4, treeSize: 7 });
    for (const [size, position] of [
      [1, 0],
      [2, 1],
      [8, 7],
      [13, 6],
    ])
      expect(checkTlogProof(log(size, position).text, expected)).toMatchObject({ ok: true, leafIndex: position });
  });

  it("accepts a checkpoint with extra signature lines from keys it does not know (witnesses)", () => {
    const { json } = log();
    const cosigned = `${json.checkpoint}\u2014 witness.example/w1 ${Buffer.alloc(76, 3).toString("base64")}\n`;
    expect(checkTlogProof(tlogProofText({ ...json, checkpoint: cosigned }), expected)).toMatchObject({ ok: true });
  });

  it("refuses extra that is not this seal's issue entry, or missing", () => {
    const { json, checkpoint } = log();
    expect(checkTlogProof(tlogProofText(json), { ...expected, jws: `${JWS}x` })).toMatchObject({
      ok: false,
      message: /different credential/,
    });
    expect(checkTlogProof(tlogProofText(json), { ...expected, serial: "IOTS-AAAA-AAAA" })).toMatchObject({
      ok: false,
      message: /different credential/,
    });
    const edited = json.leaf.replace("2026-11-25", "2025-11-25");
    expect(checkTlogProof(tlogProofText({ ...json, leaf: edited }), expected)).toMatchObject({
      ok: false,
      message: /does not lead/,
    });
    expect(checkTlogProof(formatTlogProof({ index: 4, proof: [], checkpoint }), expected)).toMatchObject({
      ok: false,
      message: /no log entry/,
    });
    const notUtf8 = formatTlogProof({ extra: Buffer.from([0xff, 0xfe]), index: 4, proof: [], checkpoint });
    expect(checkTlogProof(notUtf8, expected)).toMatchObject({ ok: false, message: /not JSON/ });
  });

  it("refuses a proof whose path or checkpoint was altered", () => {
    const { json } = log();
    const path = [...json.inclusionProof];
    path[0] = Buffer.alloc(32).toString("base64");
    expect(checkTlogProof(tlogProofText({ ...json, inclusionProof: path }), expected)).toMatchObject({ ok: false });
    expect(
      checkTlogProof(tlogProofText({ ...json, checkpoint: json.checkpoint.replace("\n7\n", "\n8\n") }), expected),
    ).toMatchObject({ ok: false, message: /not signed by the issuer/ });
    expect(checkTlogProof(log().text, { ...expected, jwks: [] })).toMatchObject({ ok: false });
  });
});

describe("the PDF's attachments", () => {
  it("prefer seal.tlog-proof; fall back to the JSON of seal.tlog-proof.json for PDFs issued before", () => {
    const { text, json } = log();
    const v1 = Buffer.from(text);
    const legacy = Buffer.from(JSON.stringify(json));
    expect(logProofOfAttachments(new Map([[TLOG_PROOF_ATTACHMENT, v1]]))).toBe(v1);
    expect(logProofOfAttachments(new Map([[LEGACY_TLOG_PROOF_ATTACHMENT, legacy]]))).toEqual(json);
    expect(
      logProofOfAttachments(
        new Map([
          [TLOG_PROOF_ATTACHMENT, v1],
          [LEGACY_TLOG_PROOF_ATTACHMENT, legacy],
        ]),
      ),
    ).toBe(v1);
    expect(logProofOfAttachments(new Map())).toBeNull();
    const unreadable = logProofOfAttachments(new Map([[LEGACY_TLOG_PROOF_ATTACHMENT, Buffer.from("{nope")]]));
    expect(checkTlogProof(unreadable, expected)).toMatchObject({ ok: false, message: /not a JSON object/ });
    expect(checkTlogProof(logProofOfAttachments(new Map([[LEGACY_TLOG_PROOF_ATTACHMENT, legacy]])), expected)).toEqual({
      ok: true,
      leafIndex: 4,
      treeSize: 7,
    });
  });
});
