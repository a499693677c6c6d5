/**
 * The data model of IoT Seal: the one source of truth for tables and columns.
 * Migrations under db/migrations are generated from this file by drizzle-kit.
 * Times are stored as integer milliseconds since the epoch (drizzle `timestamp_ms`).
 */
import { sql } from "drizzle-orm";
import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";

export const ORGANIZATION_KINDS = ["supplier", "retailer", "certifier"] as const;
export type OrganizationKind = (typeof ORGANIZATION_KINDS)[number];

export const ROLES = ["supplier", "assessor", "retailer", "admin"] as const;
export type Role = (typeof ROLES)[number];

const createdAt = () =>
  integer("created_at", { mode: "timestamp_ms" })
    .notNull()
    .default(sql`(cast(unixepoch('subsec') * 1000 as integer))`);

export const organizations = sqliteTable(
  "organizations",
  {
    id: text("id").primaryKey(),
    name: text("name").notNull(),
    kind: text("kind", { enum: ORGANIZATION_KINDS }).notNull(),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex("organizations_name_unique").on(sql`lower(${t.name})`)],
);

/** One user belongs to one organisation with one role (enough for now; see DESIGN.md). */
export const users = sqliteTable(
  "users",
  {
    id: text("id").primaryKey(),
    email: text("email").notNull(),
    name: text("name").notNull(),
    passwordHash: text("password_hash").notNull(),
    role: text("role", { enum: ROLES }).notNull(),
    organizationId: text("organization_id")
      .notNull()
      .references(() => organizations.id, { onDelete: "restrict" }),
    disabledAt: integer("disabled_at", { mode: "timestamp_ms" }),
    lastLoginAt: integer("last_login_at", { mode: "timestamp_ms" }),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex("users_email_unique").on(t.email),
    index("users_organization_idx").on(t.organizationId),
  ],
);

/**
 * Sessions live in the database; the cookie carries only a random token, and the row keeps
 * only the token's SHA-256, so a copy of the database does not hand out live sessions.
 */
export const sessions = sqliteTable(
  "sessions",
  {
    tokenHash: text("token_hash").primaryKey(),
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    createdAt: createdAt(),
    expiresAt: integer("expires_at", { mode: "timestamp_ms" }).notNull(),
    ip: text("ip"),
    userAgent: text("user_agent"),
  },
  (t) => [index("sessions_user_idx").on(t.userId), index("sessions_expires_idx").on(t.expiresAt)],
);

/**
 * Append-only, hash-chained log of everything that changed. `hash` is the SHA-256 of
 * `prevHash` and the row's canonical content (see app/domain/audit-chain.ts). Triggers in the
 * migrations refuse UPDATE and DELETE.
 */
export const auditEvents = sqliteTable(
  "audit_events",
  {
    seq: integer("seq").primaryKey(),
    at: integer("at", { mode: "timestamp_ms" }).notNull(),
    actorUserId: text("actor_user_id"),
    actorLabel: text("actor_label").notNull(),
    organizationId: text("organization_id"),
    action: text("action").notNull(),
    targetType: text("target_type"),
    targetId: text("target_id"),
    ip: text("ip"),
    details: text("details").notNull().default("{}"),
    prevHash: text("prev_hash").notNull(),
    hash: text("hash").notNull(),
  },
  (t) => [
    index("audit_events_org_idx").on(t.organizationId, t.seq),
    index("audit_events_actor_idx").on(t.actorUserId, t.seq),
    index("audit_events_target_idx").on(t.targetType, t.targetId),
  ],
);

// ---------------------------------------------------------------------------------------------
// Checklists: versioned data files imported from checklists/<id>/<version>.yaml.

export const CHECKLIST_VERSION_STATUSES = ["draft", "published", "retired"] as const;

export const checklists = sqliteTable("checklists", {
  id: text("id").primaryKey(), // the slug, e.g. etsi-en-303-645
  title: text("title").notNull(),
  publisher: text("publisher").notNull(),
  createdAt: createdAt(),
});

/** A published version never changes: a change is a new version (enforced by the content hash). */
export const checklistVersions = sqliteTable(
  "checklist_versions",
  {
    id: text("id").primaryKey(), // `${checklistId}@${version}`
    checklistId: text("checklist_id")
      .notNull()
      .references(() => checklists.id),
    version: text("version").notNull(),
    title: text("title").notNull(),
    publisher: text("publisher").notNull(),
    publishedOn: text("published_on").notNull(), // YYYY-MM-DD, from the file
    source: text("source"),
    levels: text("levels", { mode: "json" }).notNull().$type<{ id: string; title: string }[]>(),
    validityMonths: integer("validity_months").notNull(),
    disclosureDays: text("disclosure_days", { mode: "json" }).notNull().$type<Record<"critical" | "high" | "medium" | "low", number>>(),
    status: text("status", { enum: CHECKLIST_VERSION_STATUSES }).notNull(),
    contentHash: text("content_hash").notNull(), // SHA-256 of the RFC 8785 canonical content
    content: text("content").notNull(), // the canonical JSON itself
    requirementCount: integer("requirement_count").notNull(),
    importedAt: integer("imported_at", { mode: "timestamp_ms" }).notNull(),
    importedBy: text("imported_by").notNull(),
    retiredAt: integer("retired_at", { mode: "timestamp_ms" }),
    retiredReason: text("retired_reason"),
  },
  (t) => [uniqueIndex("checklist_versions_unique").on(t.checklistId, t.version)],
);

export const checklistSections = sqliteTable(
  "checklist_sections",
  {
    versionId: text("version_id")
      .notNull()
      .references(() => checklistVersions.id),
    ref: text("ref").notNull(),
    title: text("title").notNull(),
    position: integer("position").notNull(),
  },
  (t) => [primaryKey({ columns: [t.versionId, t.ref] })],
);

export const requirements = sqliteTable(
  "requirements",
  {
    id: text("id").primaryKey(), // `${versionId}#${ref}`
    versionId: text("version_id")
      .notNull()
      .references(() => checklistVersions.id),
    sectionRef: text("section_ref").notNull(),
    ref: text("ref").notNull(),
    title: text("title").notNull(),
    text: text("text").notNull(),
    applies: text("applies", { mode: "json" }).notNull().$type<Record<string, "mandatory" | "advisory">>(),
    condition: text("condition"),
    evidenceHint: text("evidence_hint"),
    position: integer("position").notNull(),
  },
  (t) => [uniqueIndex("requirements_version_ref").on(t.versionId, t.ref), index("requirements_version_position").on(t.versionId, t.position)],
);

/** A requirement's maps_to entries; the target is resolved when read, so it may be imported later. */
export const crosswalkLinks = sqliteTable(
  "crosswalk_links",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    fromVersionId: text("from_version_id")
      .notNull()
      .references(() => checklistVersions.id),
    fromRef: text("from_ref").notNull(),
    toChecklistId: text("to_checklist_id").notNull(),
    toRef: text("to_ref").notNull(),
  },
  (t) => [index("crosswalk_from").on(t.fromVersionId, t.fromRef), index("crosswalk_to").on(t.toChecklistId, t.toRef)],
);
