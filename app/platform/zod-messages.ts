/**
 * Plain words for zod's size checks wherever a schema gives none of its own: "At most 500
 * characters." rather than zod's "Too big: expected string to have <=500 characters". A schema's
 * own message still wins (zod 4: a schema's `error` before this global `customError`); other
 * issues keep zod's wording. Imported for its effect by the form helpers and the server entry, so
 * every parse in the portal (forms, API, files) uses it.
 */
import { z } from "zod";

const count = (n: number | bigint) => Number(n).toLocaleString("en");

z.config({
  customError: (issue) => {
    if (issue.code !== "too_big" && issue.code !== "too_small") return undefined;
    const big = issue.code === "too_big";
    const limit = big ? issue.maximum : issue.minimum;
    const inclusive = issue.inclusive !== false;
    switch (issue.origin) {
      case "string":
        if (!big && Number(limit) === 1) return "Fill this in.";
        return big
          ? `At most ${count(inclusive ? limit : Number(limit) - 1)} characters.`
          : `At least ${count(inclusive ? limit : Number(limit) + 1)} characters.`;
      case "array":
      case "set":
        return big ? `At most ${count(limit)} items.` : `At least ${count(limit)} items.`;
      case "number":
      case "int":
      case "bigint":
        return big
          ? `Must be ${inclusive ? "at most" : "less than"} ${count(limit)}.`
          : `Must be ${inclusive ? "at least" : "more than"} ${count(limit)}.`;
      default:
        return undefined;
    }
  },
});
