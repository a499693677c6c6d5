import { describe, expect, it } from "vitest";
import {
  SERIAL_RANDOM_BYTES,
  isValidSerial,
  makeSerial,
  normalizeSerial,
  pastedAddressElsewhere,
  pastedSerial,
} from "../../../app/features/trust/domain/serial";
import { prng } from "../../support/prng";

const ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
const CHECK_ALPHABET = ALPHABET + "*~$=U";
const SHAPE = /^IOTS-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{3}[0-9A-HJKMNP-TV-Z*~$=U]$/;

function randomBytes(random: () => number, n = SERIAL_RANDOM_BYTES): Uint8Array {
  return Uint8Array.from({ length: n }, () => Math.floor(random() * 256));
}

/** The 5 random bytes that make the payload with value `v` (0 <= v < 2^35). */
function bytesForPayload(v: number): Uint8Array {
  let x = v * 32;
  const out = new Uint8Array(5);
  for (let i = 4; i >= 0; i--) {
    out[i] = x % 256;
    x = Math.floor(x / 256);
  }
  return out;
}

/** The serial whose payload is `payload` (7 base32 characters). */
function serialFor(payload: string): string {
  let v = 0;
  for (const ch of payload) v = v * 32 + ALPHABET.indexOf(ch);
  return makeSerial(bytesForPayload(v));
}

/** "IOTS-ABCD-EFGH" → "ABCDEFGH" and back. */
const compact = (serial: string) => serial.slice(5).replace("-", "");
const display = (c: string) => `IOTS-${c.slice(0, 4)}-${c.slice(4)}`;

/** Every serial that differs from `c` in exactly one character (using any character of either alphabet). */
function substitutions(c: string): string[] {
  const out: string[] = [];
  for (let pos = 0; pos < 8; pos++) {
    for (const ch of CHECK_ALPHABET) if (ch !== c[pos]) out.push(c.slice(0, pos) + ch + c.slice(pos + 1));
  }
  return out;
}

/** Every serial made by swapping two adjacent different characters of `c` (check character included). */
function transpositions(c: string): string[] {
  const out: string[] = [];
  for (let pos = 0; pos < 7; pos++) {
    if (c[pos] !== c[pos + 1]) out.push(c.slice(0, pos) + c[pos + 1] + c[pos] + c.slice(pos + 2));
  }
  return out;
}

describe("makeSerial", () => {
  it("makes IOTS-XXXX-XXXX: 7 Crockford base32 characters and a check character", () => {
    const random = prng(3);
    const bad: string[] = [];
    for (let n = 0; n < 1_000; n++) {
      const s = makeSerial(randomBytes(random));
      if (!SHAPE.test(s) || !isValidSerial(s) || normalizeSerial(s) !== s) bad.push(s);
    }
    expect(bad).toEqual([]);
  });

  it("uses Crockford's mod-37 check symbols", () => {
    const cases: [number, string][] = [
      [0, "IOTS-0000-0000"],
      [1, "IOTS-0000-0011"],
      [31, "IOTS-0000-00ZZ"],
      [32, "IOTS-0000-010*"],
      [33, "IOTS-0000-011~"],
      [34, "IOTS-0000-012$"],
      [35, "IOTS-0000-013="],
      [36, "IOTS-0000-014U"],
      [37, "IOTS-0000-0150"],
      [2 ** 35 - 1, `IOTS-ZZZZ-ZZZ${CHECK_ALPHABET[(2 ** 35 - 1) % 37]}`],
    ];
    for (const [value, serial] of cases) expect(makeSerial(bytesForPayload(value)), String(value)).toBe(serial);
  });

  it("uses 35 bits of the first 5 bytes and ignores the rest; refuses fewer than 5", () => {
    expect(makeSerial(Uint8Array.from([255, 255, 255, 255, 224]))).toBe(
      makeSerial(Uint8Array.from([255, 255, 255, 255, 255, 1, 2])),
    );
    expect(makeSerial(Uint8Array.from([0x80, 0, 0, 0, 0]))).toMatch(/^IOTS-G000-000/);
    expect(makeSerial(Uint8Array.from([0, 0, 0, 0, 0x20]))).toBe("IOTS-0000-0011");
    expect(() => makeSerial(new Uint8Array(4))).toThrow(RangeError);
  });

  it("gives 10,000 distinct serials from 10,000 draws of 5 random bytes", () => {
    const random = prng(2024);
    const seen = new Set<string>();
    for (let n = 0; n < 10_000; n++) seen.add(makeSerial(randomBytes(random)));
    expect(seen.size).toBe(10_000);
  });
});

describe("normalizeSerial", () => {
  const canonical = "IOTS-10KQ-1M0K";
  it("starts from a valid serial", () => {
    expect(serialFor("10KQ1M0")).toBe(canonical);
  });

  const table: [string, string | null][] = [
    ["IOTS-10KQ-1M0K", canonical],
    ["iots-10kq-1m0k", canonical],
    ["IOTS10KQ1M0K", canonical],
    ["10KQ1M0K", canonical],
    ["10kq-1m0k", canonical],
    ["  iots - 10KQ 1M0K  ", canonical],
    ["IOTS--10-KQ1M-0K", canonical],
    ["IOTS\t10KQ\n1M0K", canonical],
    ["IoKQ-lMOK", canonical], // I and l read as 1, o and O as 0
    ["iots-LOKQ-iMoK", canonical],
    ["iots10kqlm0k", canonical],
    ["", null],
    ["IOTS", null],
    ["IOTS-", null],
    ["10KQ1M0", null], // too short
    ["IOTS-K0VF", null], // half a serial: IOTS is the prefix, not the payload 10TSK0VF
    ["iotsk0vf", null],
    ["IOTS10TSK0VF", "IOTS-10TS-K0VF"], // a payload that starts 10TS, with its prefix
    ["10TS-K0VF", "IOTS-10TS-K0VF"], // or without it, typed with its digits
    ["10KQ1M0K0", null], // too long without prefix
    ["IOTS-10KQ-1M0K0", null], // too long with prefix
    ["XOTS-10KQ-1M0K", null], // wrong prefix
    ["IOTS-10KQ-1MUK", null], // U is only a check symbol
    ["IOTS-10KQ-1M*K", null], // so are * ~ $ =
    ["IOTS-10KQ-1M0!", null],
    ["IOTS_10KQ1M0K", null],
    ["IOTS.10KQ.1M0K", null],
    ["IOTS-ÄÖÜ1-2345", null],
    ["not a serial", null],
  ];
  it.each(table)("%j → %j", (input, expected) => {
    expect(normalizeSerial(input)).toBe(expected);
  });

  it("keeps the check symbols, reading lower-case u as U", () => {
    const withU = makeSerial(bytesForPayload(36));
    expect(withU).toBe("IOTS-0000-014U");
    expect(normalizeSerial("iots-0000-014u")).toBe(withU);
    expect(isValidSerial("0000014u")).toBe(true);
    for (const sym of "*~$=") {
      const serial = `IOTS-0000-014${sym}`;
      expect(normalizeSerial(serial.toLowerCase())).toBe(serial);
    }
  });

  it("does not check the check character (isValidSerial does)", () => {
    expect(normalizeSerial("IOTS-10KQ-1M0J")).toBe("IOTS-10KQ-1M0J");
    expect(isValidSerial("IOTS-10KQ-1M0J")).toBe(false);
    expect(isValidSerial(canonical)).toBe(true);
    expect(isValidSerial("IoKQ-lMOK")).toBe(true);
    expect(isValidSerial("junk")).toBe(false);
  });
});

describe("error detection", () => {
  it("catches every single substitution and adjacent transposition, for every position and digit pair", () => {
    // The check is linear mod 37, so whether a change is caught depends only on the position and the
    // two characters involved, not on the rest of the payload: these loops cover every such case.
    const random = prng(99);
    const missed: string[] = [];
    let cases = 0;
    for (let pos = 0; pos < 7; pos++) {
      for (let a = 0; a < 32; a++) {
        for (let b = 0; b < 32; b++) {
          if (b === a) continue;
          const payload = Array.from({ length: 7 }, () => ALPHABET[Math.floor(random() * 32)]);
          payload[pos] = ALPHABET[a];
          if (pos < 6) payload[pos + 1] = ALPHABET[b];
          const c = compact(serialFor(payload.join("")));
          const substituted = c.slice(0, pos) + ALPHABET[b] + c.slice(pos + 1);
          if (isValidSerial(substituted)) missed.push(`${c} → ${substituted}`);
          if (pos < 6) {
            const swapped = c.slice(0, pos) + c[pos + 1] + c[pos] + c.slice(pos + 2);
            if (isValidSerial(swapped)) missed.push(`${c} → ${swapped}`);
          }
          cases++;
        }
      }
    }
    expect(cases).toBe(7 * 32 * 31);
    expect(missed).toEqual([]);
  });

  it("catches all single substitutions and adjacent transpositions of 2,000 random serials", () => {
    const random = prng(5);
    const missed: string[] = [];
    let substituted = 0;
    let transposed = 0;
    let checkSymbols = 0;
    for (let n = 0; n < 2_000; n++) {
      const c = compact(makeSerial(randomBytes(random)));
      if (!ALPHABET.includes(c[7])) checkSymbols++;
      for (const s of substitutions(c)) {
        if (isValidSerial(s)) missed.push(`${c} → ${s}`);
        substituted++;
      }
      for (const s of transpositions(c)) {
        if (isValidSerial(display(s))) missed.push(`${c} → ${s}`);
        transposed++;
      }
    }
    expect(missed).toEqual([]);
    expect(substituted).toBe(2_000 * 8 * 36);
    expect(transposed).toBeGreaterThan(2_000 * 6);
    expect(checkSymbols).toBeGreaterThan(0); // the *~$=U check characters do occur and are covered
  });

  it("catches swapping the last payload character with the check character", () => {
    const missed: string[] = [];
    for (let last = 0; last < 32; last++) {
      for (let head = 0; head < 37; head++) {
        const c = compact(makeSerial(bytesForPayload(head * 1_000_003 * 32 + last)));
        if (c[6] !== c[7] && isValidSerial(c.slice(0, 6) + c[7] + c[6])) missed.push(c);
      }
    }
    expect(missed).toEqual([]);
  });
});

describe("pastedSerial: what a person pastes into the serial field", () => {
  it.each([
    ["https://seal.example/s/IOTS-10KQ-1M0K", "IOTS-10KQ-1M0K"], // what a QR code reader shows
    ["http://localhost:3000/s/iots-10kq-1m0k/seal.pdf", "iots-10kq-1m0k"],
    ["/s/IOTS-10KQ-1M0K?x=1", "IOTS-10KQ-1M0K"],
    ["https://id.example/01/05060123450002", "05060123450002"], // a GS1 Digital Link: its GTIN
    ["IOTS-10KQ-1M0K.", "IOTS-10KQ-1M0K"], // the end of a sentence
    ["IOTS\u201310KQ\u20131M0K", "IOTS-10KQ-1M0K"], // en dashes from a word processor
    ["IOTS-10KQ-1M0K\u200B", "IOTS-10KQ-1M0K"],
    ["  IOTS 10KQ 1M0K  ", "IOTS 10KQ 1M0K"],
    ["IOTS_10KQ1M0K", "IOTS_10KQ1M0K"], // anything else is left for the field's message
    ["see https://x.example/s/IOTS-10KQ-1M0K", "see https://x.example/s/IOTS-10KQ-1M0K"],
  ])("%j → %j", (input, expected) => {
    expect(pastedSerial(input)).toBe(expected);
  });

  it("each reads as the serial it carries", () => {
    for (const pasted of ["https://seal.example/s/IOTS-10KQ-1M0K", "IOTS\u201310KQ\u20131M0K.", "iots-10kq-1m0k,"])
      expect(normalizeSerial(pastedSerial(pasted))).toBe("IOTS-10KQ-1M0K");
  });
});

describe("pastedAddressElsewhere: a pasted seal or product address on another website than the portal's", () => {
  const PORTAL = "https://seal.example";
  it.each([
    ["https://seal-example.shop/s/IOTS-10KQ-1M0K", "seal-example.shop"], // a look-alike site, a genuine serial
    ["http://evil.example:8080/01/05060123450002", "evil.example:8080"], // a product's Digital Link elsewhere
    ["\u200Bhttps://EVIL.example/s/IOTS-10KQ-1M0K", "evil.example"],
    ["https://s\u0435al.example/s/IOTS-10KQ-1M0K", "xn--sal-rdd.example"], // a Cyrillic е: shown as what it is
  ])("%j is on %j", (input, host) => {
    expect(pastedAddressElsewhere(input, PORTAL)).toBe(host);
  });

  it.each([
    ["https://seal.example/s/IOTS-10KQ-1M0K"], // the portal's own QR code
    ["HTTPS://SEAL.EXAMPLE/01/05060123450002"],
    ["http://seal.example/s/IOTS-10KQ-1M0K"], // the same website without TLS: still the issuer's host
    ["https://seal.example:443/s/IOTS-10KQ-1M0K"],
    ["/s/IOTS-10KQ-1M0K"], // a path has no website of its own
    ["IOTS-10KQ-1M0K"],
    ["https://evil.example/about"], // not a seal's address: nothing was read from it
  ])("%j: null", (input) => {
    expect(pastedAddressElsewhere(input, PORTAL)).toBeNull();
  });

  it("the portal's port counts: localhost:3000 is not localhost:3151", () => {
    expect(pastedAddressElsewhere("http://localhost:3000/s/IOTS-10KQ-1M0K", "http://localhost:3151")).toBe(
      "localhost:3000",
    );
  });
});
