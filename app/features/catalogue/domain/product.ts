/** Products as suppliers describe them: categories (and, from gtin.ts, the GTIN check digit). */

export const PRODUCT_CATEGORIES = [
  "childrens-wearable",
  "wearable",
  "camera",
  "toy",
  "hub",
  "speaker",
  "appliance",
  "other",
] as const;
export type ProductCategory = (typeof PRODUCT_CATEGORIES)[number];

export const PRODUCT_CATEGORY_LABELS: Record<ProductCategory, string> = {
  "childrens-wearable": "Children's wearable",
  wearable: "Wearable",
  camera: "Camera",
  toy: "Connected toy",
  hub: "Smart-home hub",
  speaker: "Smart speaker",
  appliance: "Connected appliance",
  other: "Other",
};

/** How a sentence names a product of the category ("expects this toy to be used for 3 years"). */
export const PRODUCT_CATEGORY_NOUNS: Record<ProductCategory, string> = {
  "childrens-wearable": "wearable",
  wearable: "wearable",
  camera: "camera",
  toy: "toy",
  hub: "hub",
  speaker: "speaker",
  appliance: "appliance",
  other: "product",
};

// The GTIN check-digit rule lives with the other GTIN rules (gtin.ts); re-exported for the product form.
export { gtinProblem } from "./gtin";
