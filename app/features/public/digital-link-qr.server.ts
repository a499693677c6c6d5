/**
 * The GS1 Digital Link QR code of a product, for its public seal page: the product's Digital Link
 * URI on the portal's own resolver (<PUBLIC_URL>/01/<GTIN-14>), drawn as one SVG path so the page
 * needs no image file and no script. Error correction level M, as the PDF's QR code.
 */
import { getEnv } from "../../platform/env.server";
import { qrSvg, type QrSvg } from "../../platform/qr-svg.server";
import { digitalLinkUri } from "../catalogue/domain/digital-link";

export interface DigitalLinkQr extends QrSvg {
  gtin14: string;
  uri: string;
}

export function digitalLinkQr(gtin14: string): DigitalLinkQr {
  const uri = digitalLinkUri(getEnv().baseUrl, gtin14);
  return { gtin14, uri, ...qrSvg(uri, "M") };
}
