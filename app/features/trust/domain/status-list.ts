/**
 * W3C Bitstring Status List v1.0 (https://www.w3.org/TR/vc-bitstring-status-list/): the bitstring
 * behind a seal's revocation / suspension status, its `encodedList` form (multibase base64url of
 * the GZIP-compressed bytes), and the credential fragments that point into it. Pure: no I/O.
 */
import { gunzipSync, gzipSync } from "node:zlib";

/** The spec's minimum list size in entries (16 KiB), so one entry hides among many (group privacy). */
export const STATUS_LIST_MIN_ENTRIES = 131_072;
/** Largest decompressed list we accept (and build): 16 MiB, a guard against decompression bombs. */
export const STATUS_LIST_MAX_BYTES = 16 * 1024 * 1024;

export type StatusPurpose = "revocation" | "suspension";

/** A fixed-size bitstring. Index 0 is the left-most (most significant) bit of the first byte. */
export class StatusBitstring {
  private readonly bytes: Uint8Array;

  constructor(readonly size: number = STATUS_LIST_MIN_ENTRIES) {
    if (!Number.isInteger(size) || size <= 0 || size % 8 !== 0) {
      throw new RangeError(`status list size must be a positive multiple of 8, got ${size}`);
    }
    if (size < STATUS_LIST_MIN_ENTRIES) {
      throw new RangeError(`status list size must be at least ${STATUS_LIST_MIN_ENTRIES} entries, got ${size}`);
    }
    if (size / 8 > STATUS_LIST_MAX_BYTES) {
      throw new RangeError(`status list size must be at most ${STATUS_LIST_MAX_BYTES * 8} entries, got ${size}`);
    }
    this.bytes = new Uint8Array(size / 8);
  }

  /** A bitstring over a copy of `bytes` (the decompressed list); the size rules of the constructor apply. */
  static fromBytes(bytes: Uint8Array): StatusBitstring {
    const bits = new StatusBitstring(bytes.length * 8);
    bits.bytes.set(bytes);
    return bits;
  }

  /** A copy of the underlying bytes. */
  toBytes(): Uint8Array {
    return this.bytes.slice();
  }

  get(index: number): boolean {
    this.check(index);
    return (this.bytes[index >> 3] & (0x80 >> (index & 7))) !== 0;
  }

  set(index: number, value: boolean): void {
    this.check(index);
    const mask = 0x80 >> (index & 7);
    if (value) this.bytes[index >> 3] |= mask;
    else this.bytes[index >> 3] &= ~mask;
  }

  private check(index: number): void {
    if (!Number.isInteger(index) || index < 0 || index >= this.size) {
      throw new RangeError(`status list index ${index} is outside 0..${this.size - 1}`);
    }
  }
}

/**
 * The `encodedList` value: "u" + base64url (no padding) of the GZIP-compressed bytes.
 * The GZIP header is pinned (mtime 0, no name, OS byte 3 = Unix), so for a given zlib the output is
 * byte-for-byte stable; Node's default level 6 reproduces the spec's example for an empty list.
 * The deflate body itself depends on the zlib build, so compare lists by decoded bits, not by string.
 */
export function encodeStatusList(bits: StatusBitstring): string {
  const gz = gzipSync(bits.toBytes(), { level: 6 });
  gz.fill(0, 4, 8); // MTIME: Node already writes 0; make it explicit.
  gz[9] = 3; // OS: zlib writes a platform code (10 on Windows); pin it.
  return "u" + gz.toString("base64url");
}

/** Decodes an `encodedList`. Throws an Error saying what is wrong rather than guessing. */
export function decodeStatusList(encoded: string): StatusBitstring {
  if (typeof encoded !== "string" || !encoded.startsWith("u")) {
    throw new Error('encodedList must be multibase base64url: it must start with "u"');
  }
  const body = encoded.slice(1);
  if (body.length === 0 || !/^[A-Za-z0-9_-]+$/.test(body) || body.length % 4 === 1) {
    throw new Error("encodedList is not valid unpadded base64url");
  }
  const compressed = Buffer.from(body, "base64url");
  if (compressed.toString("base64url") !== body) {
    throw new Error("encodedList is not canonical base64url (stray trailing bits)");
  }
  let bytes: Buffer;
  try {
    bytes = gunzipSync(compressed, { maxOutputLength: STATUS_LIST_MAX_BYTES });
  } catch (e) {
    if ((e as { code?: string }).code === "ERR_BUFFER_TOO_LARGE") {
      throw new Error(`encodedList decompresses to more than ${STATUS_LIST_MAX_BYTES} bytes; refused`, { cause: e });
    }
    throw new Error(`encodedList is not valid GZIP data: ${(e as Error).message}`, { cause: e });
  }
  if (bytes.length * 8 < STATUS_LIST_MIN_ENTRIES) {
    throw new Error(`status list has ${bytes.length * 8} entries, below the minimum of ${STATUS_LIST_MIN_ENTRIES}`);
  }
  return StatusBitstring.fromBytes(bytes);
}

export interface BitstringStatusListSubject {
  id: string;
  type: "BitstringStatusList";
  statusPurpose: StatusPurpose;
  encodedList: string;
}

/** The `credentialSubject` of a BitstringStatusListCredential. */
export function statusListCredentialSubject(params: {
  id: string;
  purpose: StatusPurpose;
  bits: StatusBitstring;
}): BitstringStatusListSubject {
  return {
    id: params.id,
    type: "BitstringStatusList",
    statusPurpose: params.purpose,
    encodedList: encodeStatusList(params.bits),
  };
}

export interface BitstringStatusListEntry {
  id: string;
  type: "BitstringStatusListEntry";
  statusPurpose: StatusPurpose;
  statusListIndex: string;
  statusListCredential: string;
}

/** The `credentialStatus` entry of a credential at `index` in the list; the spec wants the index as a string. */
export function statusEntry(params: {
  listCredentialUrl: string;
  index: number;
  purpose: StatusPurpose;
}): BitstringStatusListEntry {
  const { listCredentialUrl: url, index, purpose } = params;
  if (!Number.isInteger(index) || index < 0)
    throw new RangeError(`status list index must be a non-negative integer, got ${index}`);
  return {
    id: `${url}#${index}`,
    type: "BitstringStatusListEntry",
    statusPurpose: purpose,
    statusListIndex: String(index),
    statusListCredential: url,
  };
}

/**
 * A uniformly random index in 0..size-1 not in `used`, so a seal's position says nothing about
 * when it was issued. `random` returns a number in [0, 1) (pass a CSPRNG-backed one in production).
 * Throws when every index is taken.
 */
export function pickFreeIndex(used: { has(index: number): boolean }, size: number, random: () => number): number {
  if (!Number.isInteger(size) || size <= 0)
    throw new RangeError(`status list size must be a positive integer, got ${size}`);
  const draw = (n: number) => Math.min(n - 1, Math.floor(random() * n));
  // Rejection sampling is uniform over the free indexes and fast while the list is not nearly full.
  for (let attempt = 0; attempt < 64; attempt++) {
    const i = draw(size);
    if (!used.has(i)) return i;
  }
  const free: number[] = [];
  for (let i = 0; i < size; i++) if (!used.has(i)) free.push(i);
  if (free.length === 0) throw new Error(`status list is full: all ${size} indexes are in use`);
  return free[draw(free.length)];
}
