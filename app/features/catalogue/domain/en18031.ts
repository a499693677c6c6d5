/**
 * The least EN 18031 level a product needs, from what its supplier declared about it: its category.
 * Pure: no I/O.
 *
 * EN 18031 (checklists/en-18031/2024.yaml, docs/decisions/023-en-18031-checklist.md) has three
 * parts, one per point of Article 3(3) of the Radio Equipment Directive 2014/53/EU as Delegated
 * Regulation (EU) 2022/30 activates them, certified as cumulative levels: `part-1` (Part 1, point
 * (d), network), `part-1-2` (Parts 1 and 2, points (d) and (e), personal data) and `part-1-2-3`
 * (also Part 3, point (f), money). Article 1 of the Delegated Regulation says to whom each applies:
 *
 *   1. point (d): any radio equipment that can communicate over the internet, directly or via
 *      other equipment ("internet-connected radio equipment");
 *   2. point (e): radio equipment capable of processing personal data (or traffic and location
 *      data) that is (a) internet-connected, (b) designed exclusively for childcare, (c) a toy
 *      (Directive 2009/48/EC), or (d) designed to be worn on, strapped to or hung from the body
 *      or clothing, whether exclusively or not;
 *   3. point (f): internet-connected radio equipment that lets its holder or user transfer money,
 *      monetary value or virtual currency.
 *
 * A category says less than the law asks about (whether the product processes personal data,
 * whether it moves money), so this rule gives only a floor, and errs on the side of asking for
 * more where a category all but implies personal data:
 *
 *   - children's wearables and wearables: Article 1(2)(d) names them; a connected watch or band
 *     processes location, health or account data. Part 2 at least.
 *   - toys: Article 1(2)(c) names them; a connected toy holds a child's voice, name or account.
 *     Part 2 at least.
 *   - cameras: images and audio of people at home are personal data, and an internet-connected
 *     camera falls under Article 1(2)(a) (a baby monitor under (b) as well). Part 2 at least.
 *   - smart speakers: voice recordings and assistant accounts are personal data (Article 1(2)(a)).
 *     Part 2 at least. A speaker that places orders or pays needs Part 3 too, which its category
 *     cannot tell: the assessor decides.
 *   - smart-home hubs: they hold the household's accounts, presence and automation history
 *     (Article 1(2)(a)). Part 2 at least.
 *   - appliances and "other": the category does not tell whether personal data is processed (a
 *     connected kettle may hold none), so only Part 1, the floor of every level; the assessor
 *     still decides whether Part 2 or 3 applies.
 *
 * No category implies Part 3: no level floor is part-1-2-3. A category this rule does not know (a
 * newer one) gets Part 2, the cautious answer. A level this rule does not know (a later version of
 * the checklist with other level ids) is not judged: null.
 */
import { PRODUCT_CATEGORIES, PRODUCT_CATEGORY_LABELS, type ProductCategory } from "./product";

/** The checklist id of EN 18031 (checklists/en-18031/). */
export const EN_18031_CHECKLIST_ID = "en-18031";

/** Its levels, lowest first (as the checklist file lists them). */
export const EN_18031_LEVELS = ["part-1", "part-1-2", "part-1-2-3"] as const;
export type En18031Level = (typeof EN_18031_LEVELS)[number];

const LEVEL_WORDS: Record<En18031Level, string> = {
  "part-1": "Part 1",
  "part-1-2": "Parts 1 and 2",
  "part-1-2-3": "Parts 1, 2 and 3",
};

/** The least level per category, and why (in words the refusal quotes). See the module comment. */
export const EN_18031_MINIMUM: Record<ProductCategory, { level: En18031Level; why: string | null }> = {
  "childrens-wearable": {
    level: "part-1-2",
    why: "wearables are in scope of RED Article 3(3)(e) (Delegated Regulation (EU) 2022/30, Article 1(2)(d)) and a children's wearable processes personal and location data",
  },
  wearable: {
    level: "part-1-2",
    why: "wearables are in scope of RED Article 3(3)(e) (Delegated Regulation (EU) 2022/30, Article 1(2)(d)) and a connected wearable processes personal data",
  },
  toy: {
    level: "part-1-2",
    why: "toys are in scope of RED Article 3(3)(e) (Delegated Regulation (EU) 2022/30, Article 1(2)(c)) and a connected toy processes a child's personal data",
  },
  camera: {
    level: "part-1-2",
    why: "an internet-connected camera processes personal data (images and sound of people), which puts it in scope of RED Article 3(3)(e) (Delegated Regulation (EU) 2022/30, Article 1(2)(a))",
  },
  speaker: {
    level: "part-1-2",
    why: "an internet-connected smart speaker processes personal data (voice recordings, accounts), which puts it in scope of RED Article 3(3)(e) (Delegated Regulation (EU) 2022/30, Article 1(2)(a))",
  },
  hub: {
    level: "part-1-2",
    why: "an internet-connected smart-home hub processes personal data (accounts, presence, the household's routines), which puts it in scope of RED Article 3(3)(e) (Delegated Regulation (EU) 2022/30, Article 1(2)(a))",
  },
  appliance: { level: "part-1", why: null },
  other: { level: "part-1", why: null },
};

const isCategory = (c: string): c is ProductCategory => (PRODUCT_CATEGORIES as readonly string[]).includes(c);
const isLevel = (l: string): l is En18031Level => (EN_18031_LEVELS as readonly string[]).includes(l);

/** The least EN 18031 level for a product of `category` (an unknown category: Part 2, the cautious floor). */
export function minimumEn18031Level(category: string): En18031Level {
  return isCategory(category) ? EN_18031_MINIMUM[category].level : "part-1-2";
}

/**
 * Why a submission of a product of `category` against `checklistId` at `level` cannot be opened, or
 * null: only EN 18031 is judged, and only at a level this rule knows. The message names the
 * category, the least level and why, for the submission form's level field.
 */
export function en18031LevelProblem(r: { checklistId: string; level: string; category: string }): string | null {
  if (r.checklistId !== EN_18031_CHECKLIST_ID || !isLevel(r.level)) return null;
  const least = minimumEn18031Level(r.category);
  if (EN_18031_LEVELS.indexOf(r.level) >= EN_18031_LEVELS.indexOf(least)) return null;
  // Only categories whose floor is above part-1 get here, and each of their labels reads after "A".
  const name = isCategory(r.category)
    ? `A ${PRODUCT_CATEGORY_LABELS[r.category].toLowerCase()}`
    : `A product of category "${r.category}"`;
  const why = isCategory(r.category)
    ? EN_18031_MINIMUM[r.category].why
    : "its category is not one this rule knows, so Part 2 (personal data) is assumed";
  return (
    `${name} cannot be certified against EN 18031 at ${r.level} (${LEVEL_WORDS[r.level]}) alone: ${why}. ` +
    `Choose ${least} (${LEVEL_WORDS[least]}) or higher.`
  );
}
