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
  seals: { label: "Seals", hint: "Your seals suspended, reinstated, revoked or about to expire." },
  watch: { label: "Watched products", hint: "Status changes, policy results and advisories of watched products." },
  reviews: {
    label: "Reviews",
    hint: "Submissions to review, approvals to confirm, your proposals confirmed or returned.",
  },
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
 * What is mailed at once even to a user who chose the daily digest for its category (never to one
 * who chose "No email"). `notify` takes one of these reasons, not a bare flag, and checks that it
 * belongs to the notification's category, so the settings page, which lists them, cannot drift
 * from what the rules do.
 */
export const URGENT_MAIL = {
  "report-deadline": { category: "reports", label: "a disclosure deadline a day away or passed" },
  "cra-deadline": { category: "reports", label: "an EU Cyber Resilience Act report due soon or overdue" },
  "recurring-late": { category: "recurring", label: "recurring evidence in its grace period or overdue" },
  "own-seal-withdrawn": { category: "seals", label: "your seal suspended or revoked" },
  "watched-seal-withdrawn": { category: "watch", label: "a watched seal suspended or revoked" },
  "mail-failing": { category: "system", label: "mail delivery failing" },
} as const satisfies Record<string, { category: Category; label: string }>;
export type UrgentReason = keyof typeof URGENT_MAIL;

/** The urgent mails of a category, as the settings page lists them. */
export function urgentMailOf(category: Category): string[] {
  return Object.values(URGENT_MAIL)
    .filter((u) => u.category === category)
    .map((u) => u.label);
}

/**
 * The categories a role is sent (notification rules and reminders), most relevant first: a
 * supplier hears of its reports, submissions, recurring evidence and seals; an assessor of reviews,
 * reports (fixes to verify, deadlines) and recurring evidence to check; a retail buyer of watched
 * products; an administrator of the system. The settings page shows these, and any other category
 * in which the user already has notifications (nothing they get is beyond their control).
 */
export const CATEGORIES_FOR_ROLE: Record<"supplier" | "assessor" | "retailer" | "admin", readonly Category[]> = {
  supplier: ["reports", "submissions", "recurring", "seals"],
  assessor: ["reviews", "reports", "recurring"],
  retailer: ["watch"],
  admin: ["system"],
};
