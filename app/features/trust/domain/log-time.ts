/**
 * Leaf times never go backwards: a leaf's `at` (and the `at` its entry states, which the leaf
 * hashes) is never earlier than the previous leaf's. Pure.
 *
 * Clamp, not refuse: the time is asked for inside the transaction of a real change (a seal issued,
 * a revocation). Refusing it whenever the clock reads earlier than the last leaf would make a
 * revocation fail because NTP stepped the clock back or a second process on the host runs a few
 * milliseconds behind, and a revocation must not be lost to that. Clamping keeps what the log
 * promises: a leaf appended after another is never dated before it, so nobody can back-date an
 * entry behind what the log already shows (the leaf's time reads "not before"). A clamp of more
 * than a minute means a clock problem; the log service warns about it.
 */

/** The time to give a new leaf: the clock, or the previous leaf's time when the clock is behind it. */
export function leafTime(clockMs: number, previousLeafAtMs: number | null): number {
  return previousLeafAtMs !== null && clockMs < previousLeafAtMs ? previousLeafAtMs : clockMs;
}

/**
 * The entry as logged: an `at` it states (an ISO time, as every seal event does) that is earlier
 * than the previous leaf's time becomes the leaf's time, so the hashed entry is never back-dated
 * either. Anything else is left as it is.
 */
export function entryNotBefore<T extends Record<string, unknown>>(
  entry: T,
  previousLeafAtMs: number | null,
  leafAtMs: number,
): T {
  if (previousLeafAtMs === null || typeof entry.at !== "string") return entry;
  const stated = Date.parse(entry.at);
  if (Number.isNaN(stated) || stated >= previousLeafAtMs) return entry;
  return { ...entry, at: new Date(leafAtMs).toISOString() };
}
