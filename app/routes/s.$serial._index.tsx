import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { redirect } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { SealMark } from "../components/AppShell";
import { formatDate, formatDateTime } from "../lib/format";
import { notFound } from "../lib/session.server";
import { PRODUCT_CATEGORY_LABELS, type ProductCategory } from "../domain/product";
import { publicSealView } from "../services/seals.server";

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: data ? `Seal ${data.serial}: ${data.verdict} — IoT Seal` : "Seal — IoT Seal" }];

/** The public page of a seal (the QR code's target): no login, nothing private. */
export async function loader({ params }: LoaderFunctionArgs) {
  const view = await publicSealView(params.serial ?? "");
  if (!view) notFound("No seal has this serial. Check it for a typo: seal serials look like IOTS-7KQ2-M9XD.");
  if (view.serial !== params.serial) throw redirect(`/s/${view.serial}`);
  return view;
}

const VERDICT: Record<string, { title: string; tone: string; text: string }> = {
  valid: { title: "Valid", tone: "ok", text: "This seal is genuine and in force." },
  expired: { title: "Expired", tone: "warn", text: "This seal was genuine but its validity has ended." },
  suspended: { title: "Suspended", tone: "bad", text: "This seal is suspended while a security issue is resolved." },
  revoked: { title: "Revoked", tone: "bad", text: "This seal has been revoked and no longer certifies the product." },
  superseded: { title: "Superseded", tone: "warn", text: "A newer certification of this product replaces this seal." },
  forged: { title: "Not genuine", tone: "bad", text: "The stored credential does not verify." },
};

export default function SealPage() {
  const d = useLoaderData<typeof loader>();
  const v = VERDICT[d.verdict];
  const s = d.credential?.credentialSubject;
  return (
    <>
      <section className={`seal-status seal-status--${v.tone}`} aria-labelledby="verdict">
        <SealMark size={56} />
        <div>
          <p className="eyebrow">IoT Seal {d.serial}</p>
          <h1 id="verdict" data-testid="seal-verdict">
            {v.title}
          </h1>
          <p>
            {v.text} {d.reason ?? ""}
          </p>
        </div>
      </section>
      {s && d.credential ? (
        <div className="grid grid--2">
          <section className="card" aria-labelledby="facts-title">
            <h2 id="facts-title">What was certified (signed)</h2>
            <dl className="facts">
              <dt>Product</dt>
              <dd>
                {s.product.name} <span className="muted">({PRODUCT_CATEGORY_LABELS[s.product.category as ProductCategory] ?? s.product.category})</span>
              </dd>
              <dt>Model</dt>
              <dd>{s.product.model}</dd>
              {s.product.gtin ? (
                <>
                  <dt>GTIN</dt>
                  <dd className="mono">{s.product.gtin}</dd>
                </>
              ) : null}
              <dt>Hardware / firmware</dt>
              <dd>
                {s.hardwareRevision} / {s.firmwareVersion}
              </dd>
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
                {s.results.requirements} requirements: {s.results.pass} pass, {s.results.notApplicable} not applicable; advisory met {s.results.advisoryMet} of {s.results.advisoryTotal}
              </dd>
              <dt>Security support until</dt>
              <dd>{formatDate(s.supportPeriodEnd)}</dd>
              <dt>Valid</dt>
              <dd>
                {formatDate(d.credential.validFrom)} to {formatDate(d.credential.validUntil)}
              </dd>
              <dt>Issuer</dt>
              <dd>
                {d.credential.issuer.name} <span className="muted small">({d.credential.issuer.id})</span>
              </dd>
            </dl>
          </section>
          <section className="card" aria-labelledby="proof-title">
            <h2 id="proof-title">Check it yourself</h2>
            <p className="small">
              The credential is a W3C Verifiable Credential signed with Ed25519 (key <code>{d.kid}</code>, published at{" "}
              <a href="/.well-known/jwks.json">/.well-known/jwks.json</a>).
            </p>
            <p>
              <a className="button button--quiet" href={`/s/${d.serial}/credential`} download>
                Download the credential
              </a>
            </p>
            <h3>History (transparency log)</h3>
            <ul className="timeline" aria-label="Seal history">
              {d.events.map((e) => (
                <li key={`${e.kind}-${e.logIndex}`}>
                  <time dateTime={new Date(e.at).toISOString()}>{formatDateTime(e.at)}</time>
                  <span>
                    <strong>{e.kind}</strong> {e.reason} <span className="muted small">log entry #{e.logIndex}</span>
                  </span>
                </li>
              ))}
            </ul>
            <p className="small hash">Evidence Merkle root {s.evidenceMerkleRoot}</p>
          </section>
        </div>
      ) : null}
    </>
  );
}
