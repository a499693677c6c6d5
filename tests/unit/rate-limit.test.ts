import { describe, expect, it } from "vitest";
import { SlidingWindowLimiter } from "../../app/domain/rate-limit";

describe("sliding window rate limiter", () => {
  it("allows `limit` attempts per window, then refuses with the wait time", () => {
    const l = new SlidingWindowLimiter(10, 60_000);
    for (let i = 0; i < 10; i++) expect(l.hit("k", 1_000 + i * 100).allowed).toBe(true);
    const refused = l.hit("k", 2_000);
    expect(refused.allowed).toBe(false);
    expect(refused.retryAfterMs).toBe(1_000 + 60_000 - 2_000);
  });

  it("frees a slot once the oldest attempt leaves the window", () => {
    const l = new SlidingWindowLimiter(2, 60_000);
    l.hit("k", 0);
    l.hit("k", 30_000);
    expect(l.hit("k", 59_999).allowed).toBe(false);
    expect(l.hit("k", 60_001).allowed).toBe(true);
    expect(l.hit("k", 60_002).allowed).toBe(false);
  });

  it("keeps keys apart, and refused attempts do not extend the block", () => {
    const l = new SlidingWindowLimiter(1, 1_000);
    expect(l.hit("a", 0).allowed).toBe(true);
    expect(l.hit("b", 0).allowed).toBe(true);
    for (let t = 1; t < 1_000; t += 100) expect(l.hit("a", t).allowed).toBe(false);
    expect(l.hit("a", 1_001).allowed).toBe(true);
  });

  it("peek does not count", () => {
    const l = new SlidingWindowLimiter(1, 1_000);
    expect(l.peek("a", 0).allowed).toBe(true);
    expect(l.peek("a", 0).allowed).toBe(true);
    l.hit("a", 0);
    expect(l.peek("a", 10)).toMatchObject({ allowed: false, remaining: 0 });
  });
});
