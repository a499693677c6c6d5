/**
 * How each watchlist row stands, and the counts by standing: the one rule the watchlist's "By
 * status" and the buyer's dashboard both show. A row's standing is its seal's verdict, except a
 * valid seal whose firmware needs an update ("valid_update_required") and a watched product with
 * no seal ("no_seal").
 */
import type { SealVerdict } from "../../trust/domain/verdict";

/** The order the standings are counted in: what needs action last, "no seal" at the end. */
export const WATCH_STANDINGS = [
  "valid",
  "valid_update_required",
  "suspended",
  "revoked",
  "expired",
  "superseded",
  "forged",
  "not_found",
  "no_seal",
] as const;
export type WatchStanding = (typeof WATCH_STANDINGS)[number];

/** A watchlist row's standing: its verdict, a valid seal with an update required apart, or "no_seal". */
export function watchStandingOf(row: { status: SealVerdict | "no_seal"; updateRequired: unknown }): WatchStanding {
  return row.status === "valid" && row.updateRequired ? "valid_update_required" : row.status;
}

/** The rows counted by standing (every standing, 0 when none). */
export function countStandings(
  rows: readonly { status: SealVerdict | "no_seal"; updateRequired: unknown }[],
): Record<WatchStanding, number> {
  const counts = Object.fromEntries(WATCH_STANDINGS.map((s) => [s, 0])) as Record<WatchStanding, number>;
  for (const r of rows) counts[watchStandingOf(r)]++;
  return counts;
}
