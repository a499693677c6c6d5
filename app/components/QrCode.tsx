/** A QR code drawn from its SVG path (app/platform/qr-svg.server.ts), black on white, 4 px a module. */
export function QrCode({
  qr,
  label,
  className,
}: {
  qr: { size: number; path: string };
  label: string;
  className?: string;
}) {
  return (
    <svg
      className={className}
      viewBox={`0 0 ${qr.size} ${qr.size}`}
      width={qr.size * 4}
      height={qr.size * 4}
      role="img"
      aria-label={label}
      shapeRendering="crispEdges"
    >
      <rect width={qr.size} height={qr.size} fill="#ffffff" />
      <path d={qr.path} fill="#000000" />
    </svg>
  );
}
