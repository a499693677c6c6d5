/** Formatting shared by server and browser (fixed locale and time zone, so hydration matches). */
const dateTime = new Intl.DateTimeFormat("en-GB", { dateStyle: "medium", timeStyle: "short", timeZone: "UTC" });
const date = new Intl.DateTimeFormat("en-GB", { dateStyle: "medium", timeZone: "UTC" });

export function formatDateTime(value: Date | number | string | null | undefined): string {
  if (value === null || value === undefined) return "—";
  return `${dateTime.format(new Date(value))} UTC`;
}

export function formatDate(value: Date | number | string | null | undefined): string {
  if (value === null || value === undefined) return "—";
  return date.format(new Date(value));
}

/** "user.login_failed" -> "User login failed" */
export function humanizeAction(action: string): string {
  const text = action.replace(/[._]/g, " ").replace(/organization/g, "organisation");
  return text.charAt(0).toUpperCase() + text.slice(1);
}
