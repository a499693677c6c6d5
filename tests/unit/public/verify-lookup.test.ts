// /verify's one box takes a seal serial or the barcode number (GTIN) under the product's barcode.
import { describe, expect, it } from "vitest";
import { verifyLookupOf } from "../../../app/features/public/domain/verify-lookup";
import { makeSerial } from "../../../app/features/trust/domain/serial";

describe("verifyLookupOf", () => {
  it("a serial, in any case, with or without hyphens or its prefix, is a serial", () => {
    const serial = makeSerial(new Uint8Array([1, 2, 3, 4, 5]));
    for (const typed of [serial, serial.toLowerCase(), serial.replace(/-/g, ""), serial.slice(5)])
      expect(verifyLookupOf(typed)).toEqual({ by: "serial", serial: typed });
  });

  it("a GTIN-13, -12, -8 or -14, as printed with spaces or hyphens, is the GTIN in its 14-digit form", () => {
    expect(verifyLookupOf("5060123450002")).toEqual({ by: "gtin", gtin14: "05060123450002" });
    expect(verifyLookupOf(" 5 060123 450002 ")).toEqual({ by: "gtin", gtin14: "05060123450002" });
    expect(verifyLookupOf("036000-291452")).toEqual({ by: "gtin", gtin14: "00036000291452" });
    expect(verifyLookupOf("96385074")).toEqual({ by: "gtin", gtin14: "00000096385074" });
    expect(verifyLookupOf("05060123450002")).toEqual({ by: "gtin", gtin14: "05060123450002" });
  });

  it("digits that are no valid GTIN say why, naming both readings", () => {
    expect(verifyLookupOf("5060123450003")).toEqual({
      by: "gtin",
      gtin14: null,
      message:
        "5060123450003 is not a seal serial, and not a valid barcode number (GTIN) either: The check digit should be 2, not 3: check the number for a typo.",
    });
    expect(verifyLookupOf("1234567")).toMatchObject({ by: "gtin", gtin14: null });
  });

  it("anything else is looked up as a serial (and not found there)", () => {
    expect(verifyLookupOf("IOTS-0000-0000")).toEqual({ by: "serial", serial: "IOTS-0000-0000" });
    expect(verifyLookupOf("12345")).toEqual({ by: "serial", serial: "12345" });
    expect(verifyLookupOf("garbage")).toEqual({ by: "serial", serial: "garbage" });
  });
});
