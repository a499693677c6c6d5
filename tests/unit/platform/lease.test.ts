import { describe, expect, it } from "vitest";
import { decideLease, holderName, mayAct, parseHolder, renewEveryMs } from "../../../app/platform/lease";
import { RESTART_BASE_MS, RESTART_CAP_MS, STABLE_AFTER_MS, restartDelayMs } from "../../../app/platform/cluster.server";
import { parseEnv } from "../../../app/platform/env";

const TTL = 30_000;
const a = holderName("host", 101, "aa");
const b = holderName("host", 202, "bb");

describe("decideLease", () => {
  it("gives a free lease to whoever asks, for the duration", () => {
    expect(decideLease(null, a, 1000, TTL)).toEqual({
      take: true,
      kind: "new",
      lease: { holder: a, acquiredAt: 1000, expiresAt: 1000 + TTL },
    });
  });

  it("refuses a lease another holds until it expires, and says who holds it until when", () => {
    const held = { holder: a, acquiredAt: 0, expiresAt: TTL };
    expect(decideLease(held, b, 1, TTL)).toEqual({ take: false, holder: a, expiresAt: TTL });
    expect(decideLease(held, b, TTL - 1, TTL)).toEqual({ take: false, holder: a, expiresAt: TTL });
  });

  it("lets another take it over once it has expired (at the instant of expiry too)", () => {
    const held = { holder: a, acquiredAt: 0, expiresAt: TTL };
    expect(decideLease(held, b, TTL, TTL)).toEqual({
      take: true,
      kind: "taken-over",
      lease: { holder: b, acquiredAt: TTL, expiresAt: 2 * TTL },
    });
  });

  it("renews the holder's own lease, keeping when it was acquired, never shortening it", () => {
    const held = { holder: a, acquiredAt: 5, expiresAt: 5 + TTL };
    expect(decideLease(held, a, 10_005, TTL)).toEqual({
      take: true,
      kind: "renewed",
      lease: { holder: a, acquiredAt: 5, expiresAt: 10_005 + TTL },
    });
    // a clock that stepped back
    expect(decideLease(held, a, 0, TTL)).toMatchObject({ take: true, lease: { expiresAt: 5 + TTL } });
    // an expired lease of its own is simply taken again
    expect(decideLease(held, a, 99_999, TTL)).toMatchObject({ take: true, kind: "renewed" });
  });

  it("takes a lease at once from a holder known to be gone, never from a live one", () => {
    const held = { holder: a, acquiredAt: 0, expiresAt: TTL };
    expect(decideLease(held, b, 1, TTL, true)).toMatchObject({ take: true, kind: "taken-over" });
    expect(decideLease(held, b, 1, TTL, false)).toMatchObject({ take: false });
  });

  it("refuses a lease of no duration", () => {
    expect(() => decideLease(null, a, 0, 0)).toThrow(RangeError);
    expect(() => decideLease(null, a, 0, Number.NaN)).toThrow(RangeError);
  });
});

describe("mayAct and renewEveryMs", () => {
  it("lets a holder act only until the margin before expiry", () => {
    expect(mayAct(10_000, 4_999, 5_000)).toBe(true);
    expect(mayAct(10_000, 5_000, 5_000)).toBe(false);
    expect(mayAct(10_000, 10_001, 0)).toBe(false);
    expect(mayAct(null, 0, 0)).toBe(false);
  });

  it("renews three times per duration", () => {
    expect(renewEveryMs(30_000)).toBe(10_000);
    expect(renewEveryMs(2)).toBe(1);
  });
});

describe("holder names", () => {
  it("round-trip host and pid (a host name may hold colons)", () => {
    expect(parseHolder(holderName("web-1", 4321, "0a1b"))).toEqual({ host: "web-1", pid: 4321 });
    expect(parseHolder(holderName("fe80::1", 7, "ff"))).toEqual({ host: "fe80::1", pid: 7 });
    expect(parseHolder("someone")).toBeNull();
  });
});

describe("restartDelayMs", () => {
  it("doubles after each quick death up to the cap, and starts over after a stable run", () => {
    let d = 0;
    const seen = [];
    for (let i = 0; i < 8; i++) seen.push((d = restartDelayMs(d, 100)));
    expect(seen).toEqual([1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000]);
    expect(restartDelayMs(RESTART_CAP_MS, STABLE_AFTER_MS)).toBe(RESTART_BASE_MS);
  });
});

describe("WEB_CONCURRENCY", () => {
  it("defaults to 1 and takes 1..64", () => {
    const ok = (v?: string) => parseEnv({ WEB_CONCURRENCY: v });
    expect(ok(undefined)).toMatchObject({ ok: true, env: { webConcurrency: 1 } });
    expect(ok("64")).toMatchObject({ ok: true, env: { webConcurrency: 64 } });
    expect(ok("0")).toMatchObject({ ok: false });
    expect(ok("65")).toEqual({ ok: false, errors: ["WEB_CONCURRENCY: WEB_CONCURRENCY must be at most 64"] });
    expect(ok("two")).toMatchObject({ ok: false });
  });
});
