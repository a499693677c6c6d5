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

/**
 * Runs `fn` with the clock set to `at` (then restores it). Only for work done before the server
 * listens, such as the demo seed's back-dated seal: nothing else may run meanwhile.
 */
export async function runAt<T>(at: Date, fn: () => Promise<T>): Promise<T> {
  const saved = { fixed, offsetMs };
  fixed = at.getTime();
  try {
    return await fn();
  } finally {
    ({ fixed, offsetMs } = saved);
  }
}
