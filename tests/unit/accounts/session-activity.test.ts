// A session's last use (/account): its sign-in until a use is written, and a use written at most once a step.
import { describe, expect, it } from "vitest";
import {
  lastActiveAt,
  SESSION_SEEN_STEP_MS,
  sessionSeenDue,
} from "../../../app/features/accounts/domain/session-activity";

const createdAt = new Date("2026-12-07T09:00:00Z");
const at = (ms: number) => createdAt.getTime() + ms;

describe("a session's last use", () => {
  it("is its sign-in until a use is written, then that use", () => {
    expect(lastActiveAt({ createdAt, lastSeenAt: null })).toEqual(createdAt);
    const seen = new Date(at(3_600_000));
    expect(lastActiveAt({ createdAt, lastSeenAt: seen })).toEqual(seen);
  });

  it("is written by a use a whole step (five minutes) or more after the last one written, not before", () => {
    expect(SESSION_SEEN_STEP_MS).toBe(5 * 60_000);
    const fresh = { createdAt, lastSeenAt: null };
    expect(sessionSeenDue(fresh, at(0))).toBe(false);
    expect(sessionSeenDue(fresh, at(SESSION_SEEN_STEP_MS - 1))).toBe(false);
    expect(sessionSeenDue(fresh, at(SESSION_SEEN_STEP_MS))).toBe(true);
    const seen = { createdAt, lastSeenAt: new Date(at(3_600_000)) };
    expect(sessionSeenDue(seen, at(3_600_000 + SESSION_SEEN_STEP_MS - 1))).toBe(false);
    expect(sessionSeenDue(seen, at(3_600_000 + SESSION_SEEN_STEP_MS))).toBe(true);
    // A clock set back (a use "before" the last one written) writes nothing.
    expect(sessionSeenDue(seen, at(0))).toBe(false);
  });
});
