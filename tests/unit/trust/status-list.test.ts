import { gzipSync, deflateSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import {
  STATUS_LIST_MAX_BYTES,
  STATUS_LIST_MIN_ENTRIES,
  StatusBitstring,
  decodeStatusList,
  encodeStatusList,
  pickFreeIndex,
  statusEntry,
  statusListCredentialSubject,
} from "../../../app/features/trust/domain/status-list";
import { prng } from "../../support/prng";

const setIndexes = (bits: StatusBitstring) => {
  const out: number[] = [];
  for (let i = 0; i < bits.size; i++) if (bits.get(i)) out.push(i);
  return out;
};

const encodeRaw = (bytes: Uint8Array) => "u" + gzipSync(bytes).toString("base64url");

// The "Example: Example BitstringStatusListCredential" of the spec: an empty 131,072-entry list.
const SPEC_EMPTY_LIST = "uH4sIAAAAAAAAA-3BMQEAAADCoPVPbQwfoAAAAAAAAAAAAAAAAAAAAIC3AYbSVKsAQAAA";

describe("StatusBitstring", () => {
  it("defaults to the spec's minimum of 131,072 entries (16 KiB), all clear", () => {
    expect(STATUS_LIST_MIN_ENTRIES).toBe(131_072);
    const bits = new StatusBitstring();
    expect(bits.size).toBe(131_072);
    expect(bits.toBytes().length).toBe(16_384);
    expect(bits.toBytes().every((b) => b === 0)).toBe(true);
  });

  it("uses the spec's bit order: index 0 is the most significant bit of the first byte", () => {
    const cases: [number, number, number][] = [
      [0, 0, 0x80],
      [1, 0, 0x40],
      [7, 0, 0x01],
      [8, 1, 0x80],
      [15, 1, 0x01],
      [131_071, 16_383, 0x01],
    ];
    for (const [index, byte, value] of cases) {
      const bits = new StatusBitstring();
      bits.set(index, true);
      const bytes = bits.toBytes();
      expect(bytes[byte], `index ${index}`).toBe(value);
      expect(bytes.reduce((n, b) => n + (b === 0 ? 0 : 1), 0)).toBe(1);
      expect(setIndexes(bits)).toEqual([index]);
    }
  });

  it("sets and clears bits without touching their neighbours", () => {
    const bits = new StatusBitstring();
    for (const i of [3, 4, 5]) bits.set(i, true);
    bits.set(4, false);
    bits.set(3, true); // idempotent
    expect(bits.toBytes()[0]).toBe(0b0001_0100);
    expect([bits.get(3), bits.get(4), bits.get(5)]).toEqual([true, false, true]);
  });

  it("throws a RangeError for an index out of range or not an integer", () => {
    const bits = new StatusBitstring();
    for (const bad of [-1, 131_072, 1.5, Number.NaN, Infinity]) {
      expect(() => bits.get(bad), String(bad)).toThrow(RangeError);
      expect(() => bits.set(bad, true), String(bad)).toThrow(RangeError);
    }
  });

  it("refuses sizes that are not a positive multiple of 8 at or above the minimum", () => {
    for (const bad of [0, -8, 8, 131_064, 131_073, 131_072.5, (STATUS_LIST_MAX_BYTES + 1) * 8]) {
      expect(() => new StatusBitstring(bad), String(bad)).toThrow(RangeError);
    }
    expect(new StatusBitstring(131_080).size).toBe(131_080);
  });

  it("toBytes returns a copy and fromBytes copies its input", () => {
    const bits = new StatusBitstring();
    bits.toBytes()[0] = 0xff;
    expect(bits.get(0)).toBe(false);
    const raw = new Uint8Array(16_384);
    const fromRaw = StatusBitstring.fromBytes(raw);
    raw[0] = 0xff;
    expect(fromRaw.get(0)).toBe(false);
  });
});

describe("encodeStatusList / decodeStatusList", () => {
  it("reproduces the spec's example encodedList for an empty list, and decodes it", () => {
    const encoded = encodeStatusList(new StatusBitstring());
    expect(encoded).toBe(SPEC_EMPTY_LIST);
    expect(encoded.startsWith("uH4sI")).toBe(true); // "u" + base64 of the GZIP magic 1f 8b 08
    const decoded = decodeStatusList(SPEC_EMPTY_LIST);
    expect(decoded.size).toBe(131_072);
    expect(decoded.toBytes().every((b) => b === 0)).toBe(true);
  });

  it('is multibase base64url: a "u" then only URL-safe characters, no padding', () => {
    const random = prng(1);
    for (let n = 0; n < 10; n++) {
      const bits = new StatusBitstring();
      for (let k = 0; k < 1 + n * 500; k++) bits.set(Math.floor(random() * bits.size), true);
      const encoded = encodeStatusList(bits);
      expect(encoded).toMatch(/^u[A-Za-z0-9_-]+$/);
      expect(encoded).not.toContain("=");
    }
  });

  it("round-trips random sets of indexes", () => {
    const random = prng(42);
    for (const [size, count] of [
      [131_072, 1],
      [131_072, 37],
      [131_072, 5_000],
      [131_072, 60_000],
      [131_080, 1_000],
    ]) {
      const bits = new StatusBitstring(size);
      const chosen = new Set<number>();
      while (chosen.size < count) chosen.add(Math.floor(random() * size));
      for (const i of chosen) bits.set(i, true);
      const decoded = decodeStatusList(encodeStatusList(bits));
      expect(decoded.size).toBe(size);
      expect(Buffer.from(decoded.toBytes()).equals(Buffer.from(bits.toBytes()))).toBe(true);
      expect([...chosen].every((i) => decoded.get(i))).toBe(true);
      expect(setIndexes(decoded).length).toBe(count);
    }
    const full = StatusBitstring.fromBytes(new Uint8Array(16_384).fill(0xff));
    const decodedFull = decodeStatusList(encodeStatusList(full));
    expect([0, 1, 65_536, 131_071].every((i) => decodedFull.get(i))).toBe(true);
    expect(decodedFull.toBytes().every((b) => b === 0xff)).toBe(true);
  });

  it("is deterministic, with a pinned GZIP header (mtime 0, OS 3)", () => {
    const bits = new StatusBitstring();
    for (const i of [0, 9, 1_000, 99_999]) bits.set(i, true);
    const a = encodeStatusList(bits);
    const b = encodeStatusList(bits);
    expect(a).toBe(b);
    const header = Buffer.from(a.slice(1), "base64url").subarray(0, 10);
    expect(header.toString("hex")).toBe("1f8b0800000000000003");
    const again = new StatusBitstring();
    for (const i of [99_999, 1_000, 9, 0]) again.set(i, true);
    expect(encodeStatusList(again)).toBe(a);
  });

  it('refuses an encodedList without the multibase "u" prefix', () => {
    const body = SPEC_EMPTY_LIST.slice(1);
    for (const bad of [body, "z" + body, "U" + body, "m" + Buffer.from(body, "base64url").toString("base64"), ""]) {
      expect(() => decodeStatusList(bad), bad.slice(0, 8)).toThrow(/must start with "u"/);
    }
  });

  it("refuses bad base64url", () => {
    const body = SPEC_EMPTY_LIST.slice(1);
    const bad = [
      "u", // empty
      "u" + body + "=", // padded
      "u" + body.replace("-", "+"), // standard base64, not url-safe
      "u" + body.slice(0, 20) + " " + body.slice(20), // whitespace
      "u" + body.slice(0, 20) + "!" + body.slice(21),
      "u" + body + "A", // length 1 mod 4 cannot be base64
      "u" + body + "AB", // a last character with stray non-zero bits ("AA" would be the canonical form)
    ];
    for (const s of bad) expect(() => decodeStatusList(s), s.slice(-6)).toThrow(/base64url/);
  });

  it("refuses data that is not GZIP, or is truncated", () => {
    const raw = new Uint8Array(16_384);
    const full = gzipSync(raw);
    const bad = [
      "u" + Buffer.from("hello, world").toString("base64url"),
      "u" + deflateSync(raw).toString("base64url"), // zlib wrapper, not gzip
      "u" + full.subarray(0, full.length - 4).toString("base64url"), // missing ISIZE
      "u" + full.subarray(0, 20).toString("base64url"),
      "u" +
        Buffer.concat([full.subarray(0, full.length - 8), Buffer.from([0, 0, 0, 0]), full.subarray(-4)]).toString(
          "base64url",
        ), // bad CRC
    ];
    for (const s of bad) expect(() => decodeStatusList(s), s.slice(0, 12)).toThrow(/not valid GZIP/);
  });

  it("refuses a list smaller than the minimum", () => {
    for (const n of [0, 1, 16_383]) {
      expect(() => decodeStatusList(encodeRaw(new Uint8Array(n))), String(n)).toThrow(/below the minimum of 131072/);
    }
    expect(decodeStatusList(encodeRaw(new Uint8Array(16_385))).size).toBe(16_385 * 8);
  });

  it("refuses to inflate past 16 MiB (decompression bomb guard)", () => {
    // GZIP members concatenate (RFC 1952), so 1 MiB of zeros compressed once and repeated makes
    // a cheap large stream: 17 KiB of encodedList that would inflate to 17 MiB.
    const mib = gzipSync(new Uint8Array(1024 * 1024), { level: 1 });
    const members = (n: number) => "u" + Buffer.concat(Array.from({ length: n }, () => mib)).toString("base64url");
    const bomb = members(17);
    expect(bomb.length).toBeLessThan(120_000);
    expect(() => decodeStatusList(bomb)).toThrow(/more than 16777216 bytes; refused/);
    expect(decodeStatusList(members(16)).size).toBe(STATUS_LIST_MAX_BYTES * 8); // exactly 16 MiB is fine
  });
});

describe("credential fragments", () => {
  it("builds the spec's BitstringStatusList credentialSubject", () => {
    expect(
      statusListCredentialSubject({
        id: "https://example.com/status/3#list",
        purpose: "revocation",
        bits: new StatusBitstring(),
      }),
    ).toStrictEqual({
      id: "https://example.com/status/3#list",
      type: "BitstringStatusList",
      statusPurpose: "revocation",
      encodedList: SPEC_EMPTY_LIST,
    });
    const bits = new StatusBitstring();
    bits.set(94_567, true);
    const subject = statusListCredentialSubject({
      id: "https://seal.example/status/s1#list",
      purpose: "suspension",
      bits,
    });
    expect(subject.statusPurpose).toBe("suspension");
    expect(decodeStatusList(subject.encodedList).get(94_567)).toBe(true);
  });

  it("builds a BitstringStatusListEntry with the index as a string", () => {
    expect(
      statusEntry({
        listCredentialUrl: "https://example.com/credentials/status/3",
        index: 94_567,
        purpose: "revocation",
      }),
    ).toStrictEqual({
      id: "https://example.com/credentials/status/3#94567",
      type: "BitstringStatusListEntry",
      statusPurpose: "revocation",
      statusListIndex: "94567",
      statusListCredential: "https://example.com/credentials/status/3",
    });
    expect(
      statusEntry({ listCredentialUrl: "https://x.example/s", index: 0, purpose: "suspension" }).statusListIndex,
    ).toBe("0");
    for (const bad of [-1, 1.5, Number.NaN]) {
      expect(() =>
        statusEntry({ listCredentialUrl: "https://x.example/s", index: bad, purpose: "revocation" }),
      ).toThrow(RangeError);
    }
  });
});

describe("pickFreeIndex", () => {
  it("never returns a used index, even when the list is nearly full", () => {
    const random = prng(7);
    const size = 1_024;
    const used = new Set<number>();
    const bad: number[] = [];
    while (used.size < size) {
      const i = pickFreeIndex(used, size, random);
      if (!Number.isInteger(i) || i < 0 || i >= size || used.has(i)) bad.push(i);
      used.add(i);
    }
    expect(bad).toEqual([]);
    expect(() => pickFreeIndex(used, size, random)).toThrow(/full/);
  });

  it("does not follow issue order, and reaches every free index", () => {
    const random = prng(11);
    const used = new Set<number>();
    const picks: number[] = [];
    for (let n = 0; n < 50; n++) {
      const i = pickFreeIndex(used, STATUS_LIST_MIN_ENTRIES, random);
      used.add(i);
      picks.push(i);
    }
    expect(picks).not.toEqual([...picks].sort((a, b) => a - b));
    const seen = new Set<number>();
    const almostFull = new Set(Array.from({ length: 100 }, (_, i) => i).filter((i) => i % 10 !== 0));
    for (let n = 0; n < 500; n++) seen.add(pickFreeIndex(almostFull, 100, random));
    expect([...seen].sort((a, b) => a - b)).toEqual([0, 10, 20, 30, 40, 50, 60, 70, 80, 90]);
  });

  it("ignores used indexes outside the list, copes with random() at its edges, throws when full", () => {
    expect(pickFreeIndex(new Set([0, 1, 2, 3, 7, 99]), 8, () => 0.5)).toBe(4);
    expect(pickFreeIndex(new Set(), 8, () => 0)).toBe(0);
    expect(pickFreeIndex(new Set(), 8, () => 0.999_999_999_9)).toBe(7);
    expect(pickFreeIndex(new Set([0, 1, 2, 3, 4, 5, 6]), 8, () => 0)).toBe(7); // falls back to scanning
    expect(() => pickFreeIndex(new Set([0, 1, 2, 3, 4, 5, 6, 7, 8]), 8, Math.random)).toThrow(/full: all 8 indexes/);
    expect(() => pickFreeIndex(new Set(), 0, Math.random)).toThrow(RangeError);
  });
});
