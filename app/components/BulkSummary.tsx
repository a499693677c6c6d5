import type { SealVerdict } from "../features/trust/domain/credential";
import { VERDICT_LOOK, VerdictIcon } from "./SealVerdict";

/** What a bulk check's summary counts: each status, and the rows that are not valid (a GTIN or serial not valid, neither given) apart. */
type Counted = SealVerdict | "not_valid";

const ORDER: Counted[] = ["valid", "expired", "superseded", "suspended", "revoked", "forged", "not_found", "not_valid"];

const TITLE: Record<Counted, string> = {
  ...(Object.fromEntries(Object.entries(VERDICT_LOOK).map(([s, look]) => [s, look.title])) as Record<
    SealVerdict,
    string
  >),
  not_valid: "Not valid",
};

/** The tone of a count's title (a row not valid is not a seal's verdict: the neutral tone of "not found"). */
const toneOf = (s: Counted) => (s === "not_valid" ? "unknown" : VERDICT_LOOK[s].tone);

/**
 * Counts by status as a stacked bar (with the numbers as text for everyone). `not_valid` (absent
 * in a run stored before it was counted: 0) is shown apart from "not found".
 */
export function SummaryBar({
  summary,
  total,
  compact = false,
}: {
  summary: Record<SealVerdict, number> & { not_valid?: number };
  total: number;
  compact?: boolean;
}) {
  const count = (s: Counted) => summary[s] ?? 0;
  const present = ORDER.filter((s) => count(s) > 0);
  const offsets = new Map<Counted, number>();
  let at = 0;
  for (const s of present) {
    offsets.set(s, at);
    at += (count(s) / Math.max(1, total)) * 100;
  }
  const said = (s: Counted) => `${count(s).toLocaleString("en")} ${TITLE[s].toLowerCase()}`;
  return (
    <div>
      {/* SVG attributes, not inline styles: the CSP allows no style attributes. */}
      <svg
        className="summary-bar"
        viewBox="0 0 100 10"
        preserveAspectRatio="none"
        role="img"
        aria-label={present.map(said).join(", ")}
      >
        {present.map((s) => {
          const x = offsets.get(s)!;
          return (
            <rect key={s} className={`s-${s}`} x={x} y={0} width={(count(s) / Math.max(1, total)) * 100} height={10}>
              <title>{`${TITLE[s]}: ${count(s).toLocaleString("en")}`}</title>
            </rect>
          );
        })}
      </svg>
      {compact ? (
        <span className="small">{present.map(said).join(" · ")}</span>
      ) : (
        <dl className="summary-counts" data-testid="bulk-summary">
          {ORDER.map((s) => (
            <div key={s}>
              <dt className={`verdict-tone--${toneOf(s)}`}>
                <VerdictIcon verdict={s} size={14} /> {TITLE[s]}
              </dt>
              <dd data-status={s}>{count(s).toLocaleString("en")}</dd>
            </div>
          ))}
        </dl>
      )}
    </div>
  );
}
