import { Link } from "@remix-run/react";
import type { SealSubject, SealVerdict } from "../features/trust/domain/credential";
import { PRODUCT_CATEGORY_LABELS, type ProductCategory } from "../features/catalogue/domain/product";
import { formatDate } from "../platform/format";
import { SealMark } from "./AppShell";

export const VERDICT_TEXT: Record<SealVerdict, { title: string; tone: "ok" | "warn" | "bad"; text: string }> = {
  valid: { title: "Valid", tone: "ok", text: "This seal is genuine and in force." },
  expired: { title: "Expired", tone: "warn", text: "This seal was genuine, but its validity has ended." },
  suspended: {
    title: "Suspended",
    tone: "bad",
    text: "This seal is suspended while a security issue is resolved. Do not rely on it for now.",
  },
  revoked: { title: "Revoked", tone: "bad", text: "This seal has been revoked and no longer certifies the product." },
  superseded: { title: "Superseded", tone: "warn", text: "A newer certification of this product replaces this seal." },
  not_found: { title: "Not found", tone: "bad", text: "The issuer has no seal with this serial." },
  forged: { title: "Not genuine", tone: "bad", text: "This is not a genuine IoT Seal. Do not rely on it." },
};

/** The answer in large, clear words and colour. */
export function VerdictBanner({
  verdict,
  serial,
  reason,
  headingId = "verdict",
}: {
  verdict: SealVerdict;
  serial?: string | null;
  reason?: string | null;
  headingId?: string;
}) {
  const v = VERDICT_TEXT[verdict];
  return (
    <section className={`seal-status seal-status--${v.tone}`} aria-labelledby={headingId} data-verdict={verdict}>
      <SealMark size={56} />
      <div>
        <p className="eyebrow">{serial ? `IoT Seal ${serial}` : "IoT Seal"}</p>
        <h1 id={headingId} data-testid="seal-verdict">
          {v.title}
        </h1>
        <p>{v.text}</p>
        {reason ? <p data-testid="seal-reason">{reason}</p> : null}
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
}: {
  subject: SealSubject;
  issuer?: { id: string; name: string };
  validFrom?: string;
  validUntil?: string;
}) {
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
      <dd>
        <Link to={`/checklists/${s.checklist.id}/${s.checklist.version}`}>
          {s.checklist.title} {s.checklist.version}
        </Link>
        , level {s.level}
      </dd>
      <dt>Result</dt>
      <dd>
        {s.results.requirements} requirements: {s.results.pass} pass, {s.results.notApplicable} not applicable; advisory
        met {s.results.advisoryMet} of {s.results.advisoryTotal}
      </dd>
      <dt>Security support until</dt>
      <dd>{formatDate(s.supportPeriodEnd)}</dd>
      {validFrom && validUntil ? (
        <>
          <dt>Valid</dt>
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

/** A seal's verdict as a small badge (tables, lists). */
export function VerdictBadge({ verdict }: { verdict: SealVerdict }) {
  const v = VERDICT_TEXT[verdict] ?? VERDICT_TEXT.not_found;
  return <span className={`badge badge--${v.tone}`}>{v.title}</span>;
}
