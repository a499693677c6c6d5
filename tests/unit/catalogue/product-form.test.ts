// The product form's dates: left empty, the message says what to enter (it said "Enter the date as
// YYYY-MM-DD." while the browser's date picker showed mm/dd/yyyy); a typed one is checked as before.
import { describe, expect, it } from "vitest";
import { productForm } from "../../../app/features/catalogue/forms";

const base = { name: "Kids Watch", model: "KW-1", category: "wearable", supportPeriodEnd: "2030-12-31" };
const errorOf = (values: Record<string, string>, field: string) =>
  productForm.safeParse({ ...base, ...values }).error?.issues.find((i) => i.path[0] === field)?.message;

describe("the product form's dates", () => {
  it("an empty support period end asks for the date", () => {
    expect(errorOf({ supportPeriodEnd: "" }, "supportPeriodEnd")).toBe("Enter the date security updates end.");
  });

  it("a badly written or impossible date is still named as such", () => {
    expect(errorOf({ supportPeriodEnd: "31/12/2030" }, "supportPeriodEnd")).toBe("Enter the date as YYYY-MM-DD.");
    expect(errorOf({ supportPeriodEnd: "2030-02-30" }, "supportPeriodEnd")).toBe("That is not a real date.");
  });

  it("an empty sale date is no date (optional)", () => {
    expect(errorOf({ placedOnMarketOn: "" }, "placedOnMarketOn")).toBeUndefined();
  });
});
