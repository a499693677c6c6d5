// Size checks a schema leaves to zod are said in plain words (the admin's conflict reason of 5,000
// characters read "Too big: expected string to have <=500 characters"); a schema's own words win.
import { describe, expect, it } from "vitest";
import { z } from "zod";
import "../../../app/platform/zod-messages";

const messageOf = (schema: z.ZodType, value: unknown) => schema.safeParse(value).error?.issues[0]?.message;

describe("zod's size checks in plain words", () => {
  it("strings: at most / at least N characters; an empty required one: fill this in", () => {
    expect(messageOf(z.string().max(500), "R".repeat(5000))).toBe("At most 500 characters.");
    expect(messageOf(z.string().min(5), "abc")).toBe("At least 5 characters.");
    expect(messageOf(z.string().min(1), "")).toBe("Fill this in.");
    expect(messageOf(z.string().max(10_000), "x".repeat(10_001))).toBe("At most 10,000 characters.");
  });

  it("numbers and lists", () => {
    expect(messageOf(z.number().max(120), 999)).toBe("Must be at most 120.");
    expect(messageOf(z.number().positive(), 0)).toBe("Must be more than 0.");
    expect(messageOf(z.array(z.string()).max(2), ["a", "b", "c"])).toBe("At most 2 items.");
  });

  it("a schema's own message wins; other issues keep zod's words", () => {
    expect(messageOf(z.string().max(3, { error: "Keep it short." }), "abcd")).toBe("Keep it short.");
    expect(messageOf(z.string(), 5)).toMatch(/^Invalid input/);
  });
});
