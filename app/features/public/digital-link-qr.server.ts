/**
 * The GS1 Digital Link QR code of a product, for its public seal page: the product's Digital Link
 * URI on the portal's own resolver (<PUBLIC_URL>/01/<GTIN-14>), drawn as one SVG path so the page
 * needs no image file and no script. Error correction level M, as the PDF's QR code.
 */
import QRCode from "qrcode";
import { getEnv } from "../../platform/env.server";
import { digitalLinkUri } from "../catalogue/domain/digital-link";

export interface DigitalLinkQr {
  gtin14: string;
  uri: string;
  /** Modules per side, quiet zone (4 modules each side) included: the SVG viewBox. */
  size: number;
  /** The dark modules as one SVG path ("M x y h 1 v 1 h -1 z" per run). */
  path: string;
}

export function digitalLinkQr(gtin14: string): DigitalLinkQr {
  const uri = digitalLinkUri(getEnv().baseUrl, gtin14);
  const { modules } = QRCode.create(uri, { errorCorrectionLevel: "M" });
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
  return { gtin14, uri, size: n + 2 * quiet, path };
}
