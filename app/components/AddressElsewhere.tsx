/**
 * A pasted seal or product address on another website than the portal's: the answer is the issuer's about the serial;
 * the page at that address is not the issuer's, whatever it shows.
 */
export function AddressElsewhere({ host, portalHost }: { host: string; portalHost: string }) {
  return (
    <div className="alert alert--warn" data-testid="address-elsewhere">
      <p>
        <strong>The address you pasted is on another website: {host}.</strong> Genuine IoT Seal QR codes and links open{" "}
        {portalHost}. The answer here is the issuer&apos;s own record; the page at {host} is not the issuer&apos;s, so
        do not trust what it shows. If a product&apos;s label or QR code led you there, tell the seller.
      </p>
    </div>
  );
}
