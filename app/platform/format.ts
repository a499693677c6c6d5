/** Formatting shared by server and browser (fixed locale and time zone, so hydration matches). */
const dateTime = new Intl.DateTimeFormat("en-GB", { dateStyle: "medium", timeStyle: "short", timeZone: "UTC" });
const date = new Intl.DateTimeFormat("en-GB", { dateStyle: "medium", timeZone: "UTC" });
const monthYear = new Intl.DateTimeFormat("en-GB", { month: "long", year: "numeric", timeZone: "UTC" });

export function formatDateTime(value: Date | number | string | null | undefined): string {
  if (value === null || value === undefined) return "—";
  return `${dateTime.format(new Date(value))} UTC`;
}

export function formatDate(value: Date | number | string | null | undefined): string {
  if (value === null || value === undefined) return "—";
  return date.format(new Date(value));
}

/** "June 2029": a date as month and year (the CRA's least precision for a support period's end). */
export function formatMonthYear(value: Date | number | string | null | undefined): string {
  if (value === null || value === undefined) return "—";
  return monthYear.format(new Date(value));
}

/** Words of an action name written as initialisms: "finding.cra_flagged" reads "Finding CRA flagged". */
const INITIALISMS = new Map([
  ["api", "API"],
  ["cra", "CRA"],
  ["csaf", "CSAF"],
  ["gtin", "GTIN"],
  ["pdf", "PDF"],
  ["sbom", "SBOM"],
]);

/** "user.login_failed" -> "User login failed"; "csaf.imported" -> "CSAF imported" */
export function humanizeAction(action: string): string {
  const text = action
    .replace(/[._]/g, " ")
    .replace(/organization/g, "organisation")
    .replace(/\b[a-z]+\b/g, (word) => INITIALISMS.get(word) ?? word);
  return text.charAt(0).toUpperCase() + text.slice(1);
}

const KiB = 1024;
const MiB = 1024 * KiB;
const GiB = 1024 * MiB;

/**
 * The one way a size is written, in messages, limits and lists: "10 GiB", "9.8 GiB", "340 MiB",
 * "12 KiB", "512 bytes" (binary units; one decimal below 100, none when whole).
 */
export function formatBytes(bytes: number): string {
  const b = Math.max(0, bytes);
  const fmt = (v: number) =>
    v >= 100 || Number.isInteger(v) ? String(Math.round(v)) : String(Math.round(v * 10) / 10).replace(/\.0$/, "");
  if (b >= GiB) return `${fmt(b / GiB)} GiB`;
  if (b >= MiB) return `${fmt(b / MiB)} MiB`;
  if (b >= KiB) return `${fmt(b / KiB)} KiB`;
  return `${b} byte${b === 1 ? "" : "s"}`;
}

/** A count and its noun, the count as people read it ("1 row", "3,334 rows"); `plural` for an irregular one. */
export function countOf(n: number, singular: string, plural = `${singular}s`): string {
  return `${n.toLocaleString("en")} ${n === 1 ? singular : plural}`;
}
