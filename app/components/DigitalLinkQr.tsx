import { QrCode } from "./QrCode";

/** A product's GS1 Digital Link QR code with its caption (public seal page). */
export function DigitalLinkQrCard({ qr }: { qr: { gtin14: string; uri: string; size: number; path: string } }) {
  return (
    <section className="card digital-link" aria-labelledby="digital-link-title" data-testid="digital-link">
      <h2 id="digital-link-title">Product barcode (GS1 Digital Link)</h2>
      <figure className="digital-link__figure">
        <QrCode qr={qr} className="digital-link__qr" label={`QR code of the GS1 Digital Link ${qr.uri}`} />
        <figcaption className="small">
          GTIN <span className="mono">{qr.gtin14}</span>. Scanned, this GS1 Digital Link opens this product&apos;s
          current IoT Seal, whichever firmware version it certifies: <a href={qr.uri}>{qr.uri}</a>
        </figcaption>
      </figure>
    </section>
  );
}
