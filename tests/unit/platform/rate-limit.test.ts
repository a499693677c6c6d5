import { describe, expect, it } from "vitest";
import { SlidingWindowLimiter, TokenBucketLimiter } from "../../../app/platform/rate-limit";

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

describe("token bucket rate limiter", () => {
  it("allows `burst` requests at once, counting down `remaining`, then refuses with a wait", () => {
    const l = new TokenBucketLimiter(60, 5);
    const remaining = Array.from({ length: 5 }, () => l.hit("k", 1_000));
    expect(remaining.map((d) => [d.allowed, d.remaining, d.retryAfterMs])).toEqual([
      [true, 4, 0],
      [true, 3, 0],
      [true, 2, 0],
      [true, 1, 0],
      [true, 0, 0],
    ]);
    const refused = l.hit("k", 1_000);
    expect(refused).toEqual({ allowed: false, remaining: 0, retryAfterMs: 1_000 }); // 60 a minute: one token a second
  });

  it("bursts up to perMinute when no burst is given", () => {
    const l = new TokenBucketLimiter(30);
    expect(l.burst).toBe(30);
    for (let i = 0; i < 30; i++) expect(l.hit("k", 0).allowed).toBe(true);
    expect(l.hit("k", 0).allowed).toBe(false);
  });

  it("refills at perMinute / 60,000 tokens per millisecond", () => {
    const l = new TokenBucketLimiter(120, 2); // one token every 500 ms
    l.hit("k", 0);
    l.hit("k", 0);
    expect(l.hit("k", 499).allowed).toBe(false);
    expect(l.hit("k", 500).allowed).toBe(true);
    expect(l.hit("k", 500).allowed).toBe(false);
    expect(l.hit("k", 1_000).allowed).toBe(true);
    // Two periods idle: two tokens, back to the full burst.
    expect(l.hit("k", 2_000).allowed).toBe(true);
    expect(l.hit("k", 2_000).allowed).toBe(true);
    expect(l.hit("k", 2_000).allowed).toBe(false);
  });

  it("never holds more than `burst` tokens, however long it was idle", () => {
    const l = new TokenBucketLimiter(60, 3);
    l.hit("k", 0);
    const hourLater = 3_600_000;
    for (let i = 0; i < 3; i++) expect(l.hit("k", hourLater).allowed).toBe(true);
    expect(l.hit("k", hourLater).allowed).toBe(false);
  });

  it("over a long run allows perMinute a minute (plus the initial burst)", () => {
    const l = new TokenBucketLimiter(60, 10);
    let allowed = 0;
    for (let t = 0; t < 10 * 60_000; t += 100) if (l.hit("k", t).allowed) allowed++; // ten requests a second for ten minutes
    expect(allowed).toBeGreaterThanOrEqual(10 + 599);
    expect(allowed).toBeLessThanOrEqual(10 + 600);
  });

  it("refused requests cost nothing: hammering an empty bucket does not delay the next token", () => {
    const l = new TokenBucketLimiter(60, 1);
    l.hit("k", 0);
    for (let t = 1; t < 1_000; t += 7) expect(l.hit("k", t).allowed).toBe(false);
    expect(l.hit("k", 1_000).allowed).toBe(true);
  });

  it("keeps keys independent", () => {
    const l = new TokenBucketLimiter(60, 2);
    expect(l.hit("a", 0).allowed).toBe(true);
    expect(l.hit("a", 0).allowed).toBe(true);
    expect(l.hit("a", 0).allowed).toBe(false);
    expect(l.hit("b", 0)).toMatchObject({ allowed: true, remaining: 1 });
    expect(l.hit("b", 0).allowed).toBe(true);
    expect(l.hit("b", 0).allowed).toBe(false);
    expect(l.hit("c", 0).allowed).toBe(true);
    expect(l.hit("a", 1_000).allowed).toBe(true);
  });

  it("retryAfterMs is exact: refused one millisecond earlier, allowed at that time", () => {
    for (const [perMinute, burst] of [
      [60, 1],
      [7, 3],
      [100, 10],
      [1_000, 50],
      [1, 1],
      [333, 5],
    ]) {
      const l = new TokenBucketLimiter(perMinute, burst);
      let now = 10_000;
      for (let i = 0; i < burst; i++) l.hit("k", now);
      for (let round = 0; round < 5; round++) {
        const refused = l.hit("k", now);
        expect(refused.allowed, `${perMinute}/min`).toBe(false);
        expect(refused.retryAfterMs).toBeGreaterThan(0);
        expect(refused.retryAfterMs).toBeLessThanOrEqual(Math.ceil(60_000 / perMinute));
        expect(l.hit("k", now + refused.retryAfterMs - 1).allowed, `${perMinute}/min, round ${round}`).toBe(false);
        expect(l.hit("k", now + refused.retryAfterMs).allowed, `${perMinute}/min, round ${round}`).toBe(true);
        now += refused.retryAfterMs;
      }
    }
  });

  it("retryAfterMs counts only what is still missing after a partial refill", () => {
    const l = new TokenBucketLimiter(60, 1); // one token a second
    l.hit("k", 0);
    expect(l.hit("k", 300).retryAfterMs).toBe(700);
    expect(l.hit("k", 999).retryAfterMs).toBe(1);
  });

  it("refills nothing when the clock steps back, and counts on from the later time (as the shared store does)", () => {
    const l = new TokenBucketLimiter(60, 2); // one token a second
    l.hit("k", 10_000);
    l.hit("k", 10_000);
    expect(l.hit("k", 5_000).allowed).toBe(false); // back 5 s: no refill, and no negative one either
    expect(l.hit("k", 10_999).allowed).toBe(false);
    expect(l.hit("k", 11_000).allowed).toBe(true);
  });
});
