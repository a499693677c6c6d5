// The retail pages' words (review of the buyer's journey): a barcode number typed in the
// watchlist's serial field is pointed to the GTIN form instead of answered as an unknown serial,
// and counts read as people write them ("1 row", "3,334 rows"). Against a real database.
import { beforeAll, describe, expect, it } from "vitest";
import { seedDemoData } from "../../support/demo-seed";
import { watchBySerial } from "../../../app/features/retail/watchlist.server";
import { countOf } from "../../../app/platform/format";
import { buyer } from "../../support/actors";

beforeAll(async () => {
  await seedDemoData();
}, 60_000);

describe("the watchlist's serial field given a GTIN", () => {
  it("points to the GTIN form, on the serial field", () => {
    for (const typed of ["5060123450002", " 5060123450003 ", "5 060123 450002", "12345678"])
      expect(() => watchBySerial(buyer(), { serial: typed, label: "" })).toBeRefused(
        "not_found",
        `${typed.trim()} is a barcode number (GTIN), not a seal serial: watch the product with "Watch a product by its GTIN".`,
      );
    try {
      watchBySerial(buyer(), { serial: "5060123450002", label: "" });
    } catch (e) {
      expect((e as { fieldErrors: Record<string, string> }).fieldErrors.serial).toMatch(/^5060123450002 is a barcode/);
    }
  });

  it("a serial no seal has is still said as such", () => {
    expect(() => watchBySerial(buyer(), { serial: "IOTS-0000-0000", label: "" })).toBeRefused(
      "not_found",
      "No seal has the serial IOTS-0000-0000.",
    );
  });
});

describe("counts", () => {
  it("one row, many rows, with thousands separated", () => {
    expect(countOf(1, "row")).toBe("1 row");
    expect(countOf(0, "row")).toBe("0 rows");
    expect(countOf(3334, "row")).toBe("3,334 rows");
  });
});
