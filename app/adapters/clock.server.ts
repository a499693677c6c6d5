/** The clock. Services ask it for the time so tests (and the lifecycle sweeper's tests) can move it. */
let offsetMs = 0;
let fixed: number | undefined;

export function now(): Date {
  return new Date(nowMs());
}

export function nowMs(): number {
  return fixed ?? Date.now() + offsetMs;
}

/** Test hooks: fix the time, or move it forward. */
export const testClock = {
  set(at: Date | number) {
    fixed = typeof at === "number" ? at : at.getTime();
  },
  advance(ms: number) {
    if (fixed !== undefined) fixed += ms;
    else offsetMs += ms;
  },
  reset() {
    fixed = undefined;
    offsetMs = 0;
  },
};
