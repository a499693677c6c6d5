// The least EN 18031 level a product's declared category needs (catalogue/domain/en18031.ts): a
// children's wearable, a wearable or a toy is in scope of RED Article 3(3)(e) by Delegated
// Regulation (EU) 2022/30, Article 1(2)(c)-(d), so Part 1 alone is refused; cameras, speakers and
// hubs process personal data; appliances and "other" cannot be told from the category.
import fs from "node:fs";
import path from "node:path";
import { parse } from "yaml";
import { describe, expect, it } from "vitest";
import {
  EN_18031_CHECKLIST_ID,
  EN_18031_LEVELS,
  EN_18031_MINIMUM,
  en18031LevelProblem,
  minimumEn18031Level,
} from "../../../app/features/catalogue/domain/en18031";
import { PRODUCT_CATEGORIES } from "../../../app/features/catalogue/domain/product";

describe("the least EN 18031 level per product category", () => {
  it("has a floor for every category, and names the checklist's own levels, lowest first", () => {
    expect(Object.keys(EN_18031_MINIMUM).sort()).toEqual([...PRODUCT_CATEGORIES].sort());
    const file = parse(fs.readFileSync(path.resolve(__dirname, "../../../checklists/en-18031/2024.yaml"), "utf8")) as {
      id: string;
      levels: { id: string }[];
    };
    expect(file.id).toBe(EN_18031_CHECKLIST_ID);
    expect(file.levels.map((l) => l.id)).toEqual([...EN_18031_LEVELS]);
  });

  it.each([
    ["childrens-wearable", "part-1-2"],
    ["wearable", "part-1-2"],
    ["toy", "part-1-2"],
    ["camera", "part-1-2"],
    ["speaker", "part-1-2"],
    ["hub", "part-1-2"],
    ["appliance", "part-1"],
    ["other", "part-1"],
    ["a-category-added-later", "part-1-2"],
  ])("%s: at least %s", (category, level) => {
    expect(minimumEn18031Level(category)).toBe(level);
  });

  it("refuses a children's wearable at Part 1 alone, saying why and what to choose", () => {
    const problem = en18031LevelProblem({ checklistId: "en-18031", level: "part-1", category: "childrens-wearable" });
    expect(problem).toBe(
      "A children's wearable cannot be certified against EN 18031 at part-1 (Part 1) alone: wearables are in scope of RED Article 3(3)(e) (Delegated Regulation (EU) 2022/30, Article 1(2)(d)) and a children's wearable processes personal and location data. Choose part-1-2 (Parts 1 and 2) or higher.",
    );
    expect(en18031LevelProblem({ checklistId: "en-18031", level: "part-1", category: "toy" })).toMatch(
      /^A connected toy cannot be certified .*Article 1\(2\)\(c\)/,
    );
  });

  it("accepts the floor and anything higher", () => {
    for (const level of ["part-1-2", "part-1-2-3"])
      expect(en18031LevelProblem({ checklistId: "en-18031", level, category: "childrens-wearable" })).toBeNull();
    for (const level of EN_18031_LEVELS)
      expect(en18031LevelProblem({ checklistId: "en-18031", level, category: "appliance" })).toBeNull();
  });

  it("judges only EN 18031, and only levels it knows", () => {
    expect(en18031LevelProblem({ checklistId: "etsi-en-303-645", level: "part-1", category: "toy" })).toBeNull();
    expect(en18031LevelProblem({ checklistId: "uk-psti", level: "baseline", category: "toy" })).toBeNull();
    expect(en18031LevelProblem({ checklistId: "en-18031", level: "part-9", category: "toy" })).toBeNull();
  });

  it("asks an unknown category for Part 2, the cautious floor", () => {
    expect(en18031LevelProblem({ checklistId: "en-18031", level: "part-1", category: "drone" })).toMatch(
      /^A product of category "drone" cannot be certified .* Choose part-1-2/,
    );
  });
});
