/**
 * What a visitor typed or scanned into /verify's one box: a seal serial, or the barcode number
 * (GTIN) printed under the product's barcode, which a shopper holding the box finds first. One rule:
 * a valid serial is a serial (an 8-digit serial without its prefix is also a GTIN-8's length); other
 * input of digits only (spaces and hyphens between groups ignored, as printed) is a GTIN, valid or
 * not; anything else is looked up as a serial (and not found, said as the serial lookup says it).
 */
import { parseGtin } from "../../catalogue/domain/gtin";
import { isValidSerial } from "../../trust/domain/serial";

export type VerifyLookup =
  { by: "serial"; serial: string } | { by: "gtin"; gtin14: string } | { by: "gtin"; gtin14: null; message: string };

export function verifyLookupOf(input: string): VerifyLookup {
  const value = input.trim();
  if (isValidSerial(value)) return { by: "serial", serial: value };
  const digits = value.replace(/[\s-]/g, "");
  if (!/^\d{6,}$/.test(digits)) return { by: "serial", serial: value };
  const gtin = parseGtin(digits);
  return gtin.ok
    ? { by: "gtin", gtin14: gtin.gtin14 }
    : {
        by: "gtin",
        gtin14: null,
        message: `${digits} is not a seal serial, and not a valid barcode number (GTIN) either: ${gtin.message}`,
      };
}
