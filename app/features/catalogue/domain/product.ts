/** Products as suppliers describe them: categories and the GTIN check digit. */

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

/**
 * GS1 check digit: GTIN-8, -12, -13 or -14. From the right, digits are weighted 3, 1, 3, …
 * (excluding the check digit itself); the check digit brings the sum to a multiple of 10.
 */
export function gtinProblem(value: string): string | null {
  if (!/^\d+$/.test(value)) return "A GTIN has digits only.";
  if (![8, 12, 13, 14].includes(value.length)) return "A GTIN has 8, 12, 13 or 14 digits.";
  const digits = [...value].map(Number);
  const check = digits.pop()!;
  let sum = 0;
  digits.reverse().forEach((d, i) => (sum += d * (i % 2 === 0 ? 3 : 1)));
  const expected = (10 - (sum % 10)) % 10;
  return check === expected
    ? null
    : `The check digit should be ${expected}, not ${check}: check the number for a typo.`;
}
