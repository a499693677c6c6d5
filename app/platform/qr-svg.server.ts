/**
 * A QR code drawn as one SVG path, so a page needs no image file and no script: the seal page's GS1
 * Digital Link, the two-step login setup's otpauth:// key.
 */
import QRCode from "qrcode";

export interface QrSvg {
  /** Modules per side, quiet zone (4 modules each side) included: the SVG viewBox. */
  size: number;
  /** The dark modules as one SVG path ("M x y h 1 v 1 h -1 z" per run). */
  path: string;
}

export function qrSvg(text: string, errorCorrectionLevel: "L" | "M" | "Q" | "H" = "M"): QrSvg {
  const { modules } = QRCode.create(text, { errorCorrectionLevel });
  const n = modules.size;
  const quiet = 4;
  let path = "";
  for (let row = 0; row < n; row++) {
    for (let col = 0; col < n; col++) {
      if (!modules.get(row, col)) continue;
      const start = col;
      while (col + 1 < n && modules.get(row, col + 1)) col++;
      path += `M${start + quiet} ${row + quiet}h${col - start + 1}v1h-${col - start + 1}z`;
    }
  }
  return { size: n + 2 * quiet, path };
}
