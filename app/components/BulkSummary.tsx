import type { SealVerdict } from "../features/trust/domain/credential";
import { VERDICT_LOOK, VerdictIcon } from "./SealVerdict";

const ORDER: SealVerdict[] = ["valid", "expired", "superseded", "suspended", "revoked", "forged", "not_found"];

/** Counts by status as a stacked bar (with the numbers as text for everyone). */
export function SummaryBar({
  summary,
  total,
  compact = false,
}: {
  summary: Record<SealVerdict, number>;
  total: number;
  compact?: boolean;
}) {
  const present = ORDER.filter((s) => summary[s] > 0);
  const offsets = new Map<SealVerdict, number>();
  let at = 0;
  for (const s of present) {
    offsets.set(s, at);
    at += (summary[s] / Math.max(1, total)) * 100;
  }
  return (
    <div>
      {/* SVG attributes, not inline styles: the CSP allows no style attributes. */}
      <svg
        className="summary-bar"
        viewBox="0 0 100 10"
        preserveAspectRatio="none"
        role="img"
        aria-label={present.map((s) => `${summary[s]} ${VERDICT_LOOK[s].title.toLowerCase()}`).join(", ")}
      >
        {present.map((s) => {
          const x = offsets.get(s)!;
          return (
            <rect key={s} className={`s-${s}`} x={x} y={0} width={(summary[s] / Math.max(1, total)) * 100} height={10}>
              <title>{`${VERDICT_LOOK[s].title}: ${summary[s]}`}</title>
            </rect>
          );
        })}
      </svg>
      {compact ? (
        <span className="small">
          {present.map((s) => `${summary[s].toLocaleString("en")} ${VERDICT_LOOK[s].title.toLowerCase()}`).join(" · ")}
        </span>
      ) : (
        <dl className="summary-counts" data-testid="bulk-summary">
          {ORDER.map((s) => (
            <div key={s}>
              <dt className={`verdict-tone--${VERDICT_LOOK[s].tone}`}>
                <VerdictIcon verdict={s} size={14} /> {VERDICT_LOOK[s].title}
              </dt>
              <dd data-status={s}>{summary[s].toLocaleString("en")}</dd>
            </div>
          ))}
        </dl>
      )}
    </div>
  );
}
