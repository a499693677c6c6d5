import type { ReactNode } from "react";
import { Link } from "@remix-run/react";
import type { SealSubject, SealVerdict } from "../features/trust/domain/credential";
import { checklistIdOf } from "../features/trust/domain/checklist-url";
import { VERDICT_LABELS } from "../features/trust/domain/verdict";
import { PRODUCT_CATEGORY_LABELS, type ProductCategory } from "../features/catalogue/domain/product";
import { checklistVersionLabel, designationBeforeTitle } from "../features/catalogue/domain/checklist/label";
import { formatDate } from "../platform/format";
import { SealMark } from "./AppShell";

// ---------------------------------------------------------------------------------------------
// How each verdict looks: the one mapping verdict -> icon, colour (tone) and words. Presentation
// only: the verdict itself comes from the services (trust/domain/verdict.ts sealVerdictOf).
// The trust mark (the tick rosette and the "IoT Seal" label) belongs to `valid` alone; every
// other verdict has its own icon and colour, so no answer can be mistaken for a valid seal.

export type VerdictTone = "valid" | "expired" | "suspended" | "revoked" | "superseded" | "forged" | "unknown";
type IconName = "tick" | "clock" | "pause" | "ban" | "arrow" | "alert" | "question";

export interface VerdictLook {
  /** The verdict in one or two words (the same words as the offline verifier's). */
  title: string;
  tone: VerdictTone;
  icon: IconName;
  /** What the verdict means, in one sentence. */
  text: string;
  /** What a shopper should do now (none for a valid seal). */
  advice?: string;
  /** Only `valid` shows the trust mark. */
  trustMark: boolean;
}

export const VERDICT_LOOK: Record<SealVerdict, VerdictLook> = {
  valid: {
    title: VERDICT_LABELS.valid,
    tone: "valid",
    icon: "tick",
    text: "This seal is genuine and in force.",
    trustMark: true,
  },
  expired: {
    title: VERDICT_LABELS.expired,
    tone: "expired",
    icon: "clock",
    text: "This seal was genuine, but its validity has ended.",
    advice:
      "Do not rely on this seal: it no longer certifies the product. Ask the seller or the maker whether a newer certification exists.",
    trustMark: false,
  },
  suspended: {
    title: VERDICT_LABELS.suspended,
    tone: "suspended",
    icon: "pause",
    text: "This seal is suspended: the issuer has stopped vouching for it until the matter is resolved.",
    advice:
      "Do not rely on this seal for now. If you have not bought the product yet, wait or ask the seller; if you own it, install the maker's updates and check this page again.",
    trustMark: false,
  },
  revoked: {
    title: VERDICT_LABELS.revoked,
    tone: "revoked",
    icon: "ban",
    text: "This seal has been revoked and no longer certifies the product.",
    advice:
      "Do not rely on this seal. Ask the seller about it; if you own the product, follow the maker's security advice or consider returning it.",
    trustMark: false,
  },
  superseded: {
    title: VERDICT_LABELS.superseded,
    tone: "superseded",
    icon: "arrow",
    text: "A newer certification of this product replaces this seal.",
    advice: "Check the newer seal, and install the maker's latest updates.",
    trustMark: false,
  },
  not_found: {
    title: VERDICT_LABELS.not_found,
    tone: "unknown",
    icon: "question",
    text: "The issuer has no seal with this serial.",
    advice:
      "Check the serial for a typo. If it is right, the label is not an IoT Seal: do not rely on it, and tell the seller.",
    trustMark: false,
  },
  forged: {
    title: VERDICT_LABELS.forged,
    tone: "forged",
    icon: "alert",
    text: "This is not a genuine IoT Seal. Do not rely on it.",
    advice: "Do not rely on this seal or on what it claims. Tell the seller, and check the product's serial again.",
    trustMark: false,
  },
};

/**
 * A suspended seal whose validity has also ended (trust/domain/verdict.ts validityEndedWhileSuspended):
 * still "Suspended", but nobody is told to wait for the suspension to be lifted.
 */
export const SUSPENDED_AND_ENDED_LOOK: VerdictLook = {
  ...VERDICT_LOOK.suspended,
  text: "This seal is suspended, and its validity period has also ended: it will not become valid again.",
  advice:
    "Do not rely on this seal: only a new certification can restore it. Ask the seller or the maker whether a newer certification exists; if you own the product, install the maker's updates.",
};

/** For a status this page does not know (an older or newer server): nothing that looks like trust. */
export const UNKNOWN_LOOK: VerdictLook = {
  title: "Unknown",
  tone: "unknown",
  icon: "question",
  text: "The status of this seal could not be determined.",
  advice: "Do not rely on this seal until it can be checked.",
  trustMark: false,
};

/** How a verdict looks; `validityEnded`: a suspended seal past its validity period (decided by the server). */
export function verdictLook(verdict: string, validityEnded = false): VerdictLook {
  if (verdict === "suspended" && validityEnded) return SUSPENDED_AND_ENDED_LOOK;
  return Object.hasOwn(VERDICT_LOOK, verdict) ? VERDICT_LOOK[verdict as SealVerdict] : UNKNOWN_LOOK;
}

const ICON_PATHS: Record<IconName, ReactNode> = {
  tick: <path d="M7 12.5l3.5 3.5L17 8.5" />,
  clock: (
    <>
      <circle cx="12" cy="12" r="8" />
      <path d="M12 7.5V12l3 2" />
    </>
  ),
  pause: (
    <>
      <circle cx="12" cy="12" r="8" />
      <path d="M10 9v6M14 9v6" />
    </>
  ),
  ban: (
    <>
      <circle cx="12" cy="12" r="8" />
      <path d="M6.5 17.5l11-11" />
    </>
  ),
  arrow: (
    <>
      <circle cx="12" cy="12" r="8" />
      <path d="M8 12h8M13 9l3 3-3 3" />
    </>
  ),
  alert: (
    <>
      <path d="M12 3.5l9 16H3z" />
      <path d="M12 10v4.5M12 17.2v.3" />
    </>
  ),
  question: (
    <>
      <circle cx="12" cy="12" r="8" />
      <path d="M9.8 9.8a2.3 2.3 0 1 1 3.2 2.1c-.7.3-1 .8-1 1.5v.4M12 16.6v.3" />
    </>
  ),
};

/** A verdict's own icon (decorative: the words always say the verdict). */
export function VerdictIcon({ verdict, size = 20 }: { verdict: string; size?: number }) {
  const look = verdictLook(verdict);
  return (
    <svg
      className={`verdict-icon verdict-icon--${look.tone}`}
      width={size}
      height={size}
      viewBox="0 0 24 24"
      fill="none"
      stroke="currentColor"
      strokeWidth="2.2"
      strokeLinecap="round"
      strokeLinejoin="round"
      aria-hidden="true"
      data-icon={look.icon}
    >
      {ICON_PATHS[look.icon]}
    </svg>
  );
}

/**
 * The answer in large, clear words, its own colour and icon. The trust mark (the tick rosette
 * and the "IoT Seal" label) only for a valid seal. `children`: notices that belong next to the
 * verdict (such as "update required"), shown under its words.
 */
export function VerdictBanner({
  verdict,
  serial,
  reason,
  validityEnded = false,
  headingId = "verdict",
  subject,
  level = 1,
  children,
}: {
  verdict: SealVerdict;
  serial?: string | null;
  reason?: string | null;
  /** A suspended seal whose validity period has also ended (trust/domain/verdict.ts validityEndedWhileSuspended). */
  validityEnded?: boolean;
  headingId?: string;
  /** What the seal is of (the certified product's name), named in the heading after the verdict; without it, the
   * serial. The heading is the page's: "Valid" alone did not say of what. */
  subject?: string | null;
  /** The heading's level: 1 where the verdict is the page's subject (a seal's page), 2 under a page's own heading
   * (the verify page's "Verify a seal"): one h1 per page. */
  level?: 1 | 2;
  children?: ReactNode;
}) {
  const v = verdictLook(verdict, validityEnded);
  const Heading = level === 1 ? "h1" : "h2";
  const of = subject ?? (serial ? `seal ${serial}` : null);
  return (
    <section
      className={`seal-status verdict-tone--${v.tone}`}
      aria-labelledby={headingId}
      data-verdict={verdict}
      data-trust-mark={v.trustMark ? "yes" : "no"}
    >
      {v.trustMark ? (
        <span className="trust-mark" data-testid="trust-mark">
          <SealMark size={56} />
        </span>
      ) : (
        <span className="seal-status__icon">
          <VerdictIcon verdict={verdict} size={56} />
        </span>
      )}
      <div className="seal-status__words">
        {v.trustMark ? (
          <p className="eyebrow trust-label">{serial ? `IoT Seal ${serial}` : "IoT Seal"}</p>
        ) : serial ? (
          <p className="seal-status__serial">Serial {serial}</p>
        ) : null}
        <Heading id={headingId}>
          <span data-testid="seal-verdict">{v.title}</span>
          {of ? (
            <span className="seal-status__subject">
              <span className="visually-hidden">: </span>
              {of}
            </span>
          ) : null}
        </Heading>
        <p>{v.text}</p>
        {reason ? <p data-testid="seal-reason">{reason}</p> : null}
        {children}
      </div>
    </section>
  );
}

/** The facts as signed in the credential (never as a page or a database says). */
export function SignedFacts({
  subject: s,
  issuer,
  validFrom,
  validUntil,
  checklistLabel,
  levelTitle,
}: {
  subject: SealSubject;
  issuer?: { id: string; name: string };
  validFrom?: string;
  validUntil?: string;
  /** The checklist version in words, when the server knows it (catalogue checklistLabelFor). */
  checklistLabel?: string;
  /** The level's title as the checklist names it. */
  levelTitle?: string;
}) {
  // "ETSI EN 303 645: Cyber Security for Consumer Internet of Things…": the standard a buyer knows by its number.
  const designation = designationBeforeTitle(checklistIdOf(s.checklist), s.checklist.title);
  return (
    <dl className="facts" data-testid="signed-facts">
      <dt>Product</dt>
      <dd>
        {s.product.name}{" "}
        <span className="muted">
          ({PRODUCT_CATEGORY_LABELS[s.product.category as ProductCategory] ?? s.product.category})
        </span>
      </dd>
      <dt>Model</dt>
      <dd>{s.product.model}</dd>
      {s.product.gtin ? (
        <>
          <dt>GTIN</dt>
          <dd className="mono">{s.product.gtin}</dd>
        </>
      ) : null}
      {s.product.sku ? (
        <>
          <dt>SKU</dt>
          <dd className="mono">{s.product.sku}</dd>
        </>
      ) : null}
      <dt>Hardware revision</dt>
      <dd>{s.hardwareRevision}</dd>
      <dt>Firmware version</dt>
      <dd data-testid="signed-firmware">{s.firmwareVersion}</dd>
      <dt>Supplier</dt>
      <dd>{s.supplier.name}</dd>
      <dt>Checklist</dt>
      <dd data-testid="signed-checklist">
        {designation ? `${designation}: ` : null}
        <Link
          to={`/checklists/${encodeURIComponent(checklistIdOf(s.checklist))}/${encodeURIComponent(s.checklist.version)}`}
        >
          {checklistLabel ?? checklistVersionLabel({ title: s.checklist.title, version: s.checklist.version })}
        </Link>
        , level {levelTitle || s.level}
      </dd>
      <dt>Result</dt>
      <dd>
        {s.results.requirements} requirements: {s.results.pass} pass, {s.results.notApplicable} not applicable
        {s.results.advisoryTotal > 0
          ? `; advisory (recommended) provisions met: ${s.results.advisoryMet} of ${s.results.advisoryTotal}`
          : null}
      </dd>
      <dt>Security support until</dt>
      <dd>{formatDate(s.supportPeriodEnd)}</dd>
      {validFrom && validUntil ? (
        <>
          <dt>Validity period</dt>
          <dd>
            {formatDate(validFrom)} to {formatDate(validUntil)}
          </dd>
        </>
      ) : null}
      {issuer ? (
        <>
          <dt>Issuer</dt>
          <dd>
            {issuer.name} <span className="muted small">({issuer.id})</span>
          </dd>
        </>
      ) : null}
    </dl>
  );
}

/** A seal's verdict as a small badge (tables, lists): its icon, colour and words. */
export function VerdictBadge({ verdict }: { verdict: string }) {
  const v = verdictLook(verdict);
  return (
    <span className={`badge verdict-badge verdict-tone--${v.tone}`} data-verdict={verdict}>
      <VerdictIcon verdict={verdict} size={14} />
      {v.title}
    </span>
  );
}

/**
 * What a seal's signed end of validity means now, in words for a table cell or after its badge: "valid until" is
 * true of a valid seal only. A suspended seal runs to that date only if it is reinstated; a revoked one no longer
 * runs at all (the signed date is not shown as if it still counted); an expired one ended then; a replaced one ran
 * to it, but its renewal is what counts.
 */
export function validityWords(verdict: string, validUntil: string | Date | number, validityEnded?: boolean): string {
  const until = formatDate(validUntil);
  switch (verdict) {
    case "valid":
      return `valid until ${until}`;
    case "suspended":
      // validityEnded: trust/domain/verdict.ts validityEndedWhileSuspended where the page has it (the server's clock);
      // otherwise the date against this clock, which may differ from the server's only for a seal ending right now.
      return (validityEnded ?? new Date(validUntil).getTime() <= Date.now())
        ? `its validity ended ${until}`
        : `valid until ${until} if reinstated`;
    case "expired":
      return `ended ${until}`;
    case "revoked":
      return "no longer in force";
    case "superseded":
      return "replaced by a renewal";
    default:
      return "";
  }
}

/** The "Valid until" cell of a table of seals: the date for a valid seal, and what it means now for the others. */
export function ValidUntilCell({
  verdict,
  validUntil,
  validityEnded,
}: {
  verdict: string;
  validUntil: string | Date | number;
  validityEnded?: boolean;
}) {
  if (verdict === "valid") return <>{formatDate(validUntil)}</>;
  if (verdict === "revoked") return <span className="muted">None: revoked</span>;
  return <span className="muted">{validityWords(verdict, validUntil, validityEnded)}</span>;
}
