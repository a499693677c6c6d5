import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { requireWithinPageLimit } from "../platform/http/rate-limits.server";
import { data, redirect } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { SealAdvisories } from "../components/Advisories";
import { RecurringStatus } from "../components/RecurringStatus";
import { UpdateRequired } from "../components/UpdateRequired";
import { SignedFacts, VERDICT_LOOK, VerdictBanner } from "../components/SealVerdict";
import { ShopperSummary } from "../components/ShopperSummary";
import { formatDateTime } from "../platform/format";
import { nowMs } from "../platform/clock.server";
import { validityEndedWhileSuspended } from "../features/trust/domain/verdict";
import { getOptionalUser } from "../features/accounts/session.server";
import { sealAdvisories } from "../features/findings/advisories.server";
import { publicRecurringStatus } from "../features/monitoring/recurring-evidence.server";
import { publicSealView } from "../features/certification/seals.server";
import { productGtinOfSeal } from "../features/certification/product-seals.server";
import { digitalLinkQr } from "../features/public/digital-link-qr.server";
import { DigitalLinkQrCard } from "../components/DigitalLinkQr";

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  {
    title: !data
      ? "Seal — IoT Seal"
      : "unknown" in data
        ? "No such seal — IoT Seal"
        : `Seal ${data.serial}: ${VERDICT_LOOK[data.verdict].title} — IoT Seal`,
  },
];

/** At most this much of an unknown serial is shown back (it came from a label or a link, not from the issuer). */
const ASKED_SHOWN = 40;

/** The public page of a seal (the QR code's target): no login, nothing private. */
export async function loader({ request, context, params }: LoaderFunctionArgs) {
  requireWithinPageLimit(context);
  const view = await publicSealView(params.serial ?? "");
  // A serial nobody issued (a typo, or the QR code of a label that is not genuine): the page a shopper who scanned it
  // reads, with the verdict in the same words as /verify's, answered 404.
  if (!view)
    return data({ unknown: true as const, asked: (params.serial ?? "").slice(0, ASKED_SHOWN) }, { status: 404 });
  if (view.serial !== params.serial) throw redirect(`/s/${view.serial}`);
  // The product's security advisories, as this viewer may see them (anonymous, a watching buyer, ...).
  const advisories = sealAdvisories(await getOptionalUser(request, context), view.serial);
  // The product's GTIN as a GS1 Digital Link QR code (only when the product has a GTIN).
  const gtin14 = productGtinOfSeal(view.serial);
  const digitalLink = gtin14 ? digitalLinkQr(gtin14) : null;
  // The firmware to update to is called certified only if it has a valid seal of its own (decision 015).
  const updateRequired = view.updateRequired && {
    ...view.updateRequired,
    fixedInSeal: advisories?.certifiedFixes[view.updateRequired.fixedIn] ?? null,
  };
  // A suspension of a seal whose validity has ended too: the page does not say to wait for it to be lifted.
  const validityEnded = view.credential
    ? validityEndedWhileSuspended(view.verdict, view.credential.validUntil, new Date(nowMs()))
    : false;
  return {
    ...view,
    updateRequired,
    advisories,
    recurring: publicRecurringStatus(view.serial),
    digitalLink,
    validityEnded,
  };
}

export default function SealPage() {
  const loaded = useLoaderData<typeof loader>();
  if ("unknown" in loaded) return <UnknownSeal asked={loaded.asked} />;
  return <KnownSeal d={loaded} />;
}

/** No seal has the serial of the address: said as a verdict, with what to do, never as a bare "page not found". */
function UnknownSeal({ asked }: { asked: string }) {
  return (
    <>
      <VerdictBanner verdict="not_found" serial={asked}>
        <p className="small">
          Seal serials look like IOTS-7KQ2-M9XD. Check the serial on the label or the certificate for a typo, or{" "}
          <Link to={`/verify?serial=${encodeURIComponent(asked)}`}>check it on the verify page</Link>, where you can
          also upload the certificate&apos;s PDF or type the product&apos;s barcode number.
        </p>
      </VerdictBanner>
      <p className="alert alert--warn" data-testid="unknown-seal-advice">
        {VERDICT_LOOK.not_found.advice}
      </p>
    </>
  );
}

function KnownSeal({ d }: { d: Exclude<ReturnType<typeof useLoaderData<typeof loader>>, { unknown: true }> }) {
  const s = d.credential?.credentialSubject;
  return (
    <>
      <VerdictBanner
        verdict={d.verdict}
        serial={d.serial}
        reason={d.reason}
        validityEnded={d.validityEnded}
        subject={s?.product.name}
      />
      <UpdateRequired update={d.updateRequired} firmware={s?.firmwareVersion} verdict={d.verdict} />
      {d.supersededBy ? (
        <p className="alert alert--warn">
          {/* The verdict's reason already says it was replaced, and by which seal: this is the way there. */}
          Check the seal that replaces it: <Link to={`/s/${d.supersededBy}`}>{d.supersededBy}</Link>.
        </p>
      ) : null}
      {d.supersedes ? (
        <p className="alert alert--ok">
          This seal replaces the earlier seal <Link to={`/s/${d.supersedes}`}>{d.supersedes}</Link>.
        </p>
      ) : null}
      {d.summary ? <ShopperSummary verdict={d.verdict} summary={d.summary} validityEnded={d.validityEnded} /> : null}
      {s && d.credential ? (
        <div className="grid grid--2">
          <section className="card" aria-labelledby="facts-title">
            <h2 id="facts-title">What was certified (signed)</h2>
            <SignedFacts
              subject={s}
              issuer={d.credential.issuer}
              validFrom={d.credential.validFrom}
              validUntil={d.credential.validUntil}
              checklistLabel={d.summary?.checklistLabel}
              levelTitle={d.summary?.level.title}
            />
          </section>
          <section className="card" aria-labelledby="history-title">
            <h2 id="history-title">History</h2>
            <ul className="timeline" aria-label="Seal history">
              {d.events.map((e) => (
                <li key={`${e.kind}-${e.logIndex}`}>
                  <time dateTime={new Date(e.at).toISOString()}>{formatDateTime(e.at)}</time>
                  <span>
                    <strong>{EVENT_LABELS[e.kind] ?? e.kind}</strong> {e.reason}
                  </span>
                </li>
              ))}
            </ul>
            <p className="actions">
              {d.hasPdf ? (
                // The PDF is the certificate as issued: once the seal is no longer valid it must not read as proof.
                <a
                  className={d.verdict === "valid" ? "button" : "button button--quiet"}
                  href={`/s/${d.serial}/seal.pdf`}
                  download
                >
                  {d.verdict === "valid"
                    ? "Download the certificate (PDF)"
                    : `Download the certificate as issued (PDF; the seal is now ${VERDICT_LOOK[d.verdict].title.toLowerCase()})`}
                </a>
              ) : null}
              <Link className="button button--quiet" to="/verify">
                Verify a PDF or credential
              </Link>
            </p>
          </section>
        </div>
      ) : null}
      {d.recurring ? <RecurringStatus items={d.recurring.items} graceDays={d.recurring.graceDays} /> : null}
      {d.advisories ? <SealAdvisories view={d.advisories} /> : null}
      {d.digitalLink ? <DigitalLinkQrCard qr={d.digitalLink} /> : null}
      {s && d.credential ? (
        <details className="card tech-details" data-testid="tech-details">
          <summary>
            <h2 id="proof-title">Technical details: check it yourself</h2>
          </summary>
          <p className="small">
            The credential is a W3C Verifiable Credential signed with Ed25519 (key <code>{d.kid.slice(0, 16)}…</code>,
            published at <a href="/.well-known/jwks.json">/.well-known/jwks.json</a>). Its live status is in the signed
            status lists at <a href="/status/revocation-1">/status/revocation-1</a> and{" "}
            <a href="/status/suspension-1">/status/suspension-1</a>.
          </p>
          <p className="actions">
            <a className="button button--quiet" href={`/s/${d.serial}/credential`} download>
              Download the credential
            </a>
          </p>
          <h3>Transparency log</h3>
          <ul className="small" aria-label="Transparency log entries">
            {d.events.map((e) => (
              <li key={`${e.kind}-${e.logIndex}`}>
                {EVENT_LABELS[e.kind] ?? e.kind}: <a href={`/log/proof/${e.logIndex}`}>log entry #{e.logIndex}</a>
              </li>
            ))}
          </ul>
          <p className="small">
            Every event is a leaf of an append-only Merkle tree; the signed checkpoint is at{" "}
            <a href="/log/checkpoint">/log/checkpoint</a>.
          </p>
          <p className="small hash">Evidence Merkle root {s.evidenceMerkleRoot}</p>
        </details>
      ) : null}
    </>
  );
}

const EVENT_LABELS: Record<string, string> = {
  issued: "Issued",
  suspended: "Suspended",
  reinstated: "Reinstated",
  revoked: "Revoked",
  expired: "Expired",
  superseded: "Superseded",
};
