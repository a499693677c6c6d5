/**
 * The categories of notifications and the mail choices a user has for each (pure: the settings
 * page, the schema and the services share them). In-app notifications are always on; mail is
 * "instant" by default, except for the retail watch events, which come as a daily digest.
 */

export const NOTIFICATION_CATEGORIES = [
  "reports",
  "submissions",
  "recurring",
  "seals",
  "watch",
  "reviews",
  "system",
] as const;
export type Category = (typeof NOTIFICATION_CATEGORIES)[number];

export const EMAIL_PREFERENCES = ["instant", "digest", "off"] as const;
export type EmailPreference = (typeof EMAIL_PREFERENCES)[number];

export const CATEGORY_LABELS: Record<Category, { label: string; hint: string }> = {
  reports: {
    label: "Vulnerability reports",
    hint: "Reports recorded or withdrawn, fixes claimed, rejected or verified, disclosure deadlines and their extensions.",
  },
  submissions: { label: "Submissions", hint: "Changes requested, rejections, approvals." },
  recurring: { label: "Recurring evidence", hint: "Evidence due, overdue, accepted or rejected." },
  seals: { label: "Seals", hint: "Seals issued, suspended, reinstated, revoked or expiring." },
  watch: { label: "Watched products", hint: "Status changes, policy results and advisories of watched products." },
  reviews: { label: "Reviews", hint: "Submissions to review, approvals to confirm, fixes to verify." },
  system: { label: "System", hint: "Mail delivery and signing keys." },
};

export const EMAIL_PREFERENCE_LABELS: Record<EmailPreference, string> = {
  instant: "Email at once",
  digest: "Daily digest",
  off: "No email",
};

/** The mail choice when the user has not made one. */
export function defaultEmailPreference(category: Category): EmailPreference {
  return category === "watch" ? "digest" : "instant";
}

/**
 * What becomes of the mail of one notification: sent at once, kept for the daily digest, or none.
 * An urgent notification (a watched seal revoked, say) is mailed at once even to a digest reader;
 * "off" means no mail, urgent or not (the in-app notification is always there).
 */
export function mailRouting(preference: EmailPreference, urgent: boolean): "instant" | "digest" | "none" {
  if (preference === "off") return "none";
  if (preference === "digest" && !urgent) return "digest";
  return "instant";
}

/**
 * The categories shown on a role's settings page, most relevant first (a category in which the
 * user already has notifications is shown too, whatever the role: nothing they get is beyond
 * their control).
 */
export const CATEGORIES_FOR_ROLE: Record<"supplier" | "assessor" | "retailer" | "admin", readonly Category[]> = {
  supplier: ["reports", "submissions", "recurring", "seals", "system"],
  assessor: ["reviews", "submissions", "reports", "recurring", "seals", "system"],
  retailer: ["watch", "seals", "system"],
  admin: ["system", "reviews", "submissions", "reports", "recurring", "seals"],
};
