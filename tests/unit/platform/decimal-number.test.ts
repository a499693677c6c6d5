import { describe, expect, it } from "vitest";
import { z } from "zod";
import { decimalNumber } from "../../../app/platform/forms";

// A number field of a form or a query: decimal as people write it, not whatever Number() reads.
const page = z.object({
  page: decimalNumber(
    z.number({ error: "Not a number." }).int({ error: "Not whole." }).min(1, { error: "Too small." }),
  ),
  since: decimalNumber(z.number().int().min(0).default(0)),
  revision: decimalNumber(z.number().int().min(0).optional()),
});

const errorOf = (input: Record<string, string>) => {
  const r = page.safeParse(input);
  return r.success ? null : r.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ");
};

describe("decimalNumber", () => {
  it("reads decimal digits, with spaces around, a sign or a fraction left to the field's own checks", () => {
    expect(page.parse({ page: "12", since: " 7 ", revision: "0" })).toEqual({ page: 12, since: 7, revision: 0 });
    expect(errorOf({ page: "1.5" })).toBe("page: Not whole.");
    expect(errorOf({ page: "-3" })).toBe("page: Too small.");
    expect(errorOf({ page: "+0" })).toBe("page: Too small.");
  });

  it.each(["0x10", "0b11", "0o7", "1e3", "Infinity", "-Infinity", "NaN", "1 2", "1_000", "١٢", "12abc", ".5", "5."])(
    "%s is not a number (Number() would read some of them)",
    (text) => {
      expect(errorOf({ page: text })).toBe("page: Not a number.");
    },
  );

  it("empty or only spaces is absent: the default or optional applies, a required number is missing", () => {
    expect(page.parse({ page: "2", since: "", revision: "  " })).toEqual({ page: 2, since: 0 });
    expect(errorOf({ page: "" })).toBe("page: Not a number.");
    expect(errorOf({})).toBe("page: Not a number.");
  });

  it("a number given as a number (JSON) is checked as it is", () => {
    expect(page.parse({ page: 3 } as never)).toEqual({ page: 3, since: 0 });
    expect(errorOf({ page: 2.5 } as never)).toBe("page: Not whole.");
  });
});
