import type { SealVerdict } from "../features/trust/domain/credential";
import type { SupportSummary } from "../features/certification/domain/shopper-summary";
import { formatDate } from "../platform/format";
import { verdictLook } from "./SealVerdict";

export interface ShopperSummaryData {
  checklistLabel: string;
  designation?: string | null;
  checklistHref: string;
  level: { title: string; meaning: string };
  promises: { id: string; words: string; detail: string }[];
  supportPeriodEnd: string;
  support: SupportSummary | null;
  supplierName: string;
  disclosurePolicyUrl: string | null;
}

/**
 * The seal in plain words for a shopper (a parent scanning a box), at the top of the public page.
 * Everything comes from the service (certification/seals.server.ts publicSealView): the promises
 * listed are those the certified assessment shows; for a seal that is not valid, what to do comes
 * first and nothing is presented as a promise in force.
 */
export function ShopperSummary({
  verdict,
  summary: s,
  validityEnded = false,
}: {
  verdict: SealVerdict;
  summary: ShopperSummaryData;
  /** A suspended seal whose validity period has also ended: its advice is not to wait (SealVerdict.tsx). */
  validityEnded?: boolean;
}) {
  const look = verdictLook(verdict, validityEnded);
  const inForce = verdict === "valid";
  return (
    <section
      className={`card shopper-summary verdict-tone--${look.tone}`}
      aria-labelledby="shopper-summary-title"
      data-testid="shopper-summary"
    >
      <h2 id="shopper-summary-title">{inForce ? "What this seal means for you" : "What this means for you"}</h2>
      {look.advice ? (
        <p className="shopper-summary__advice" data-testid="shopper-advice">
          <strong>What to do:</strong> {look.advice}
        </p>
      ) : null}
      <dl className="shopper-summary__list">
        <div>
          <dt>Security updates</dt>
          <dd data-testid="summary-support">
            <SupportLine summary={s} />
          </dd>
        </div>
        <div>
          <dt>{inForce ? "What was checked" : "What was checked when the seal was issued"}</dt>
          <dd data-testid="summary-checklist">
            {s.designation ? `${s.designation}: ` : null}
            <a href={s.checklistHref}>{s.checklistLabel}</a>
            {s.level.title ? (
              <>
                , level {s.level.title}
                {s.level.meaning ? <span className="shopper-summary__meaning">: {s.level.meaning}</span> : null}
              </>
            ) : null}
          </dd>
        </div>
        {inForce && s.promises.length ? (
          <div>
            <dt>Checked and passed</dt>
            <dd>
              <ul className="promises" data-testid="summary-promises">
                {s.promises.map((p) => (
                  <li key={p.id}>
                    <strong>{p.words}.</strong> {p.detail}
                  </li>
                ))}
              </ul>
            </dd>
          </div>
        ) : null}
        <div>
          <dt>Found a security problem?</dt>
          <dd>
            {s.disclosurePolicyUrl ? (
              <>
                Report it to {s.supplierName}:{" "}
                <a href={s.disclosurePolicyUrl} rel="noopener noreferrer" data-testid="summary-report">
                  their security reporting page
                </a>
                .
              </>
            ) : (
              <>Contact {s.supplierName}.</>
            )}
          </dd>
        </div>
      </dl>
    </section>
  );
}

/** "Security updates until June 2029 (5 years from going on sale)." and, when it falls short of the EU CRA, why. */
function SupportLine({ summary: s }: { summary: ShopperSummaryData }) {
  const support = s.support;
  if (!support)
    return (
      <>
        Security updates until <strong>{formatDate(s.supportPeriodEnd)}</strong>.
      </>
    );
  return (
    <>
      Security updates until <strong>{support.until}</strong>
      {support.expectedUse ? (
        <>
          , for {support.span} from going on sale: {support.expectedUse.words} (“{support.expectedUse.reason}”).
        </>
      ) : (
        <> ({support.span} from going on sale).</>
      )}
      {support.shortfall ? (
        <span className="shopper-summary__shortfall" data-testid="summary-support-shortfall">
          {" "}
          {support.shortfall}
        </span>
      ) : null}
    </>
  );
}
