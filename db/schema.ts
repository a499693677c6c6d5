/**
 * The data model of IoT Seal: the one source of truth for tables and columns.
 * Migrations under db/migrations are generated from this file by drizzle-kit.
 * Times are stored as integer milliseconds since the epoch (drizzle `timestamp_ms`).
 */
import { sql } from "drizzle-orm";
import { blob, index, integer, primaryKey, real, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import { CLAIMS } from "../app/features/certification/domain/answers";
import { ORGANIZATION_KINDS, ROLES } from "../app/platform/roles";
import { VERDICTS } from "../app/features/certification/domain/review";
import { AUTHORITY_REPORT_KINDS, CRA_SUBJECTS } from "../app/features/findings/domain/cra-clocks";
import { SUBMISSION_STATUSES } from "../app/features/certification/domain/submission-state";
import type { CarrySource, CarrySummary } from "../app/features/certification/domain/carry-across";
import { SEAL_STATES } from "../app/features/trust/domain/seal-state";
import type { StoredCsafSnapshot } from "../app/features/findings/domain/csaf";
import { CROSSWALK_KINDS } from "../app/features/catalogue/domain/checklist/schema";
import { EMAIL_PREFERENCES, NOTIFICATION_CATEGORIES } from "../app/features/notifications/domain/categories";

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
  (t) => [uniqueIndex("users_email_unique").on(t.email), index("users_organization_idx").on(t.organizationId)],
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
    /**
     * When the session was last used, and from where: written when a request uses it at least
     * SESSION_SEEN_STEP_MS after the last time written (so to within that step), null until then.
     */
    lastSeenAt: integer("last_seen_at", { mode: "timestamp_ms" }),
    lastSeenIp: text("last_seen_ip"),
  },
  (t) => [index("sessions_user_idx").on(t.userId), index("sessions_expires_idx").on(t.expiresAt)],
);

/**
 * Two-step login (decision record 039): a user's authenticator-app secret (TOTP, RFC 6238), kept
 * apart from `users` so no listing of users ever carries it. A row with no confirmed_at is an
 * enrolment begun and not yet confirmed with a code; it asks for nothing at login. last_step is
 * the time step of the last code accepted: a code works once.
 */
export const twoStepLogins = sqliteTable("two_step_logins", {
  userId: text("user_id")
    .primaryKey()
    .references(() => users.id, { onDelete: "cascade" }),
  secret: text("secret").notNull(),
  createdAt: createdAt(),
  confirmedAt: integer("confirmed_at", { mode: "timestamp_ms" }),
  lastStep: integer("last_step"),
});

/**
 * One-time recovery codes for two-step login, kept as a slow salted hash (rc1$: scrypt), or, for codes
 * made before, their SHA-256 in hex wrapped in the same slow hash at the start (rc1h$;
 * two-step-secrets.server.ts).
 */
export const recoveryCodes = sqliteTable(
  "recovery_codes",
  {
    id: text("id").primaryKey(),
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    codeHash: text("code_hash").notNull(),
    createdAt: createdAt(),
    usedAt: integer("used_at", { mode: "timestamp_ms" }),
  },
  (t) => [index("recovery_codes_user_idx").on(t.userId)],
);

/**
 * A login half done: the password was right, the code is still to come. The browser holds a random
 * token (only its SHA-256 is kept here) for a few minutes and a few tries; it is not a session.
 */
export const loginChallenges = sqliteTable(
  "login_challenges",
  {
    tokenHash: text("token_hash").primaryKey(),
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    createdAt: createdAt(),
    expiresAt: integer("expires_at", { mode: "timestamp_ms" }).notNull(),
    attempts: integer("attempts").notNull().default(0),
  },
  (t) => [index("login_challenges_user_idx").on(t.userId)],
);

/** Who asked for a password reset link: the user (/forgot-password), an admin (/admin/users), an operator (the CLI). */
export const PASSWORD_RESET_REQUESTERS = ["self", "admin", "cli"] as const;

/**
 * Password reset links (decision record 034). Like sessions, only the SHA-256 of the random token is
 * kept. A link works once (used_at), until expires_at (an hour), and only while it is the user's
 * newest: a newer link, a reset or a password change ends the others (superseded_at).
 */
export const passwordResets = sqliteTable(
  "password_resets",
  {
    id: text("id").primaryKey(),
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    tokenHash: text("token_hash").notNull(),
    requestedBy: text("requested_by", { enum: PASSWORD_RESET_REQUESTERS }).notNull(),
    createdAt: createdAt(),
    expiresAt: integer("expires_at", { mode: "timestamp_ms" }).notNull(),
    usedAt: integer("used_at", { mode: "timestamp_ms" }),
    supersededAt: integer("superseded_at", { mode: "timestamp_ms" }),
  },
  (t) => [uniqueIndex("password_resets_token_hash").on(t.tokenHash), index("password_resets_user").on(t.userId)],
);

/**
 * A registration waiting for its email to be confirmed (decision record 037). /signup stores the
 * details given (the password as its scrypt hash) and mails a link; only the link's SHA-256 is kept.
 * Opening the link and typing the password again creates the organisation and its first user. A
 * request works once, for SIGNUP_LINK_TTL_MS; nothing else refers to it.
 */
export const signupRequests = sqliteTable(
  "signup_requests",
  {
    id: text("id").primaryKey(),
    tokenHash: text("token_hash").notNull(),
    email: text("email").notNull(),
    name: text("name").notNull(),
    organizationName: text("organization_name").notNull(),
    kind: text("kind", { enum: ORGANIZATION_KINDS }).notNull(),
    passwordHash: text("password_hash").notNull(),
    ip: text("ip"),
    createdAt: createdAt(),
    expiresAt: integer("expires_at", { mode: "timestamp_ms" }).notNull(),
    confirmedAt: integer("confirmed_at", { mode: "timestamp_ms" }),
  },
  (t) => [uniqueIndex("signup_requests_token_hash").on(t.tokenHash), index("signup_requests_email").on(t.email)],
);

/**
 * Append-only, hash-chained log of everything that changed. `hash` is the SHA-256 of
 * `prevHash` and the row's canonical content (see app/platform/audit-chain.ts). Triggers in the
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
    disclosureDays: text("disclosure_days", { mode: "json" })
      .notNull()
      .$type<Record<"critical" | "high" | "medium" | "low", number>>(),
    /** Days after a recurring requirement falls due before the seal is suspended (`recurring_grace_days`, 14 by default). */
    recurringGraceDays: integer("recurring_grace_days").notNull().default(14),
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
    /** `recurs_every_days`: after the seal, fresh accepted evidence is needed this often (null: once is enough). */
    recursEveryDays: integer("recurs_every_days"),
    position: integer("position").notNull(),
  },
  (t) => [
    uniqueIndex("requirements_version_ref").on(t.versionId, t.ref),
    index("requirements_version_position").on(t.versionId, t.position),
  ],
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
    /** How closely the target says the same (maps_to `kind`); null: a plain string entry, kind unspecified. */
    kind: text("kind", { enum: CROSSWALK_KINDS }),
  },
  (t) => [index("crosswalk_from").on(t.fromVersionId, t.fromRef), index("crosswalk_to").on(t.toChecklistId, t.toRef)],
);

// ---------------------------------------------------------------------------------------------
// Products, submissions, answers and evidence.

export const products = sqliteTable(
  "products",
  {
    id: text("id").primaryKey(),
    organizationId: text("organization_id")
      .notNull()
      .references(() => organizations.id),
    name: text("name").notNull(),
    model: text("model").notNull(),
    gtin: text("gtin"),
    sku: text("sku"),
    category: text("category").notNull(),
    description: text("description").notNull().default(""),
    supportPeriodEnd: text("support_period_end").notNull(), // YYYY-MM-DD
    /** When the product is (or will be) placed on the market, YYYY-MM-DD (null: its creation date). */
    placedOnMarketOn: text("placed_on_market_on"),
    /** For support shorter than five years (EU CRA Article 13(8)): the expected use time and why. */
    expectedUseMonths: integer("expected_use_months"),
    expectedUseReason: text("expected_use_reason"),
    disclosurePolicyUrl: text("disclosure_policy_url").notNull(),
    createdAt: createdAt(),
    updatedAt: integer("updated_at", { mode: "timestamp_ms" }).notNull(),
  },
  (t) => [
    index("products_org_idx").on(t.organizationId),
    uniqueIndex("products_org_model_unique").on(t.organizationId, sql`lower(${t.model})`),
  ],
);

export const productVersions = sqliteTable(
  "product_versions",
  {
    id: text("id").primaryKey(),
    productId: text("product_id")
      .notNull()
      .references(() => products.id),
    hardwareRevision: text("hardware_revision").notNull(),
    firmwareVersion: text("firmware_version").notNull(),
    appVersion: text("app_version"),
    notes: text("notes").notNull().default(""),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex("product_versions_unique").on(t.productId, t.hardwareRevision, t.firmwareVersion)],
);

export const submissions = sqliteTable(
  "submissions",
  {
    id: text("id").primaryKey(),
    organizationId: text("organization_id")
      .notNull()
      .references(() => organizations.id),
    productVersionId: text("product_version_id")
      .notNull()
      .references(() => productVersions.id),
    checklistVersionId: text("checklist_version_id")
      .notNull()
      .references(() => checklistVersions.id),
    targetLevel: text("target_level").notNull(),
    status: text("status", { enum: SUBMISSION_STATUSES }).notNull(),
    /** Optimistic concurrency: every change increments it; a change based on an older value is refused. */
    version: integer("version").notNull().default(1),
    createdBy: text("created_by")
      .notNull()
      .references(() => users.id),
    createdAt: createdAt(),
    updatedAt: integer("updated_at", { mode: "timestamp_ms" }).notNull(),
    submittedAt: integer("submitted_at", { mode: "timestamp_ms" }),
    firstSubmittedAt: integer("first_submitted_at", { mode: "timestamp_ms" }),
    /** The assessor who has taken it for review. */
    assigneeId: text("assignee_id").references(() => users.id),
    assignedAt: integer("assigned_at", { mode: "timestamp_ms" }),
    /**
     * A delta re-certification names the seal it re-certifies (another firmware version of the
     * same product): answers, evidence and the verdicts of unchanged requirements carry over, and
     * its approval supersedes that seal. Null for a full assessment.
     */
    recertifiesSerial: text("recertifies_serial"),
    /** The supplier's summary of what changed in this firmware (re-certifications). */
    changeSummary: text("change_summary").notNull().default(""),
    /** What was pre-filled through the crosswalk when it was opened (null: nothing was asked for). */
    carriedAcross: text("carried_across", { mode: "json" }).$type<CarrySummary>(),
  },
  (t) => [
    index("submissions_org_idx").on(t.organizationId, t.status),
    index("submissions_status_idx").on(t.status, t.submittedAt),
    index("submissions_queue_idx").on(t.status, t.checklistVersionId, t.targetLevel, t.submittedAt),
    index("submissions_pv_idx").on(t.productVersionId),
    index("submissions_recertifies_idx").on(t.recertifiesSerial),
  ],
);

/** In a re-certification, the requirements the supplier marks as changed by the new firmware, with what changed. */
export const submissionChanges = sqliteTable(
  "submission_changes",
  {
    submissionId: text("submission_id")
      .notNull()
      .references(() => submissions.id, { onDelete: "cascade" }),
    requirementRef: text("requirement_ref").notNull(),
    note: text("note").notNull(),
    markedBy: text("marked_by")
      .notNull()
      .references(() => users.id),
    markedAt: integer("marked_at", { mode: "timestamp_ms" }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.submissionId, t.requirementRef] })],
);

export const answers = sqliteTable(
  "answers",
  {
    id: text("id").primaryKey(),
    submissionId: text("submission_id")
      .notNull()
      .references(() => submissions.id, { onDelete: "cascade" }),
    requirementRef: text("requirement_ref").notNull(),
    claim: text("claim", { enum: CLAIMS }),
    justification: text("justification").notNull().default(""),
    noEvidenceReason: text("no_evidence_reason").notNull().default(""),
    /** Optimistic concurrency per answer, so colleagues editing different requirements do not clash. */
    revision: integer("revision").notNull().default(1),
    updatedBy: text("updated_by").references(() => users.id),
    updatedAt: integer("updated_at", { mode: "timestamp_ms" }).notNull(),
    /** Pre-filled through the crosswalk from these answers, until the supplier saves it or an assessor records a verdict. */
    carriedFrom: text("carried_from", { mode: "json" }).$type<CarrySource[]>(),
  },
  (t) => [uniqueIndex("answers_submission_ref").on(t.submissionId, t.requirementRef)],
);

/** Evidence bytes, stored once by their SHA-256 under data/evidence/; no name here (names are per link). */
export const evidenceFiles = sqliteTable("evidence_files", {
  sha256: text("sha256").primaryKey(),
  size: integer("size").notNull(),
  mediaType: text("media_type").notNull(), // sniffed from the bytes, never taken from the client
  createdAt: createdAt(),
  /**
   * When the evidence garbage collector first found no row naming these bytes (no evidence link,
   * no recurring evidence); cleared when one names them again. The file and this row are deleted
   * once it is older than the grace period (see app/features/certification/evidence-gc.server.ts).
   */
  unreferencedSince: integer("unreferenced_since", { mode: "timestamp_ms" }),
});

/** A file attached to one requirement of one submission; the original file name is display text only. */
export const evidenceLinks = sqliteTable(
  "evidence_links",
  {
    id: text("id").primaryKey(),
    submissionId: text("submission_id")
      .notNull()
      .references(() => submissions.id, { onDelete: "cascade" }),
    requirementRef: text("requirement_ref").notNull(),
    sha256: text("sha256")
      .notNull()
      .references(() => evidenceFiles.sha256),
    originalName: text("original_name").notNull(),
    linkedBy: text("linked_by")
      .notNull()
      .references(() => users.id),
    linkedAt: integer("linked_at", { mode: "timestamp_ms" }).notNull(),
    /** Linked through the crosswalk from these requirements' evidence; cleared with its answer's mark. */
    carriedFrom: text("carried_from", { mode: "json" }).$type<CarrySource[]>(),
  },
  (t) => [
    uniqueIndex("evidence_links_unique").on(t.submissionId, t.requirementRef, t.sha256),
    index("evidence_links_sha").on(t.sha256),
  ],
);

/**
 * An evidence file recognised as an SBOM (CycloneDX 1.5/1.6 JSON) and valid against its bundled
 * schema: its format and components, derived from the bytes once (keyed by their SHA-256, so the
 * same SBOM attached twice is parsed once). Listed per firmware version for the assessor; matched
 * against the purls an advisory names (docs/decisions/021-sbom-evidence.md).
 */
export const sbomDocuments = sqliteTable("sbom_documents", {
  sha256: text("sha256")
    .primaryKey()
    .references(() => evidenceFiles.sha256, { onDelete: "cascade" }),
  format: text("format").notNull(), // "CycloneDX 1.6", "CycloneDX 1.5"
  componentCount: integer("component_count").notNull(),
  /** What the SBOM says it describes (CycloneDX metadata.component, SPDX documentDescribes); null: it does not say, or it was recorded before this was read. */
  subjectName: text("subject_name"),
  subjectVersion: text("subject_version"),
  createdAt: createdAt(),
});

export const sbomComponents = sqliteTable(
  "sbom_components",
  {
    sha256: text("sha256")
      .notNull()
      .references(() => sbomDocuments.sha256, { onDelete: "cascade" }),
    position: integer("position").notNull(),
    name: text("name").notNull(),
    version: text("version").notNull().default(""),
    purl: text("purl"), // normalised; null when the component names none
    /** "type/namespace/name" of the purl, for matching an advisory's purl by package. */
    purlPackage: text("purl_package"),
  },
  (t) => [primaryKey({ columns: [t.sha256, t.position] }), index("sbom_components_package").on(t.purlPackage)],
);

// ---------------------------------------------------------------------------------------------
// Assessment: verdicts (append-only), decisions, assignment, conflicts of interest.

export const verdicts = sqliteTable(
  "verdicts",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    submissionId: text("submission_id")
      .notNull()
      .references(() => submissions.id, { onDelete: "cascade" }),
    requirementRef: text("requirement_ref").notNull(),
    verdict: text("verdict", { enum: VERDICTS }).notNull(),
    comment: text("comment").notNull().default(""),
    accepted: integer("accepted", { mode: "boolean" }).notNull().default(false),
    assessorId: text("assessor_id")
      .notNull()
      .references(() => users.id),
    createdAt: integer("created_at", { mode: "timestamp_ms" }).notNull(),
    /** A re-certification's verdict carried over unchanged from the certified assessment: that verdict's id (its assessor is kept). */
    carriedFromId: integer("carried_from_id"),
  },
  (t) => [index("verdicts_submission_ref").on(t.submissionId, t.requirementRef, t.id)],
);

export const DECISION_KINDS = [
  "changes_requested",
  "approval_proposed",
  "approval_confirmed",
  "proposal_returned",
  "rejected",
  "proposal_withdrawn", // the proposer took the proposal back before a second assessor decided
] as const;

export const decisions = sqliteTable(
  "decisions",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    submissionId: text("submission_id")
      .notNull()
      .references(() => submissions.id, { onDelete: "cascade" }),
    kind: text("kind", { enum: DECISION_KINDS }).notNull(),
    assessorId: text("assessor_id")
      .notNull()
      .references(() => users.id),
    comment: text("comment").notNull().default(""),
    /** The submission's version the decision was taken on (an approval confirms exactly that state). */
    submissionVersion: integer("submission_version").notNull(),
    createdAt: integer("created_at", { mode: "timestamp_ms" }).notNull(),
  },
  (t) => [index("decisions_submission").on(t.submissionId, t.id)],
);

export const conflictDeclarations = sqliteTable(
  "conflict_declarations",
  {
    id: text("id").primaryKey(),
    assessorId: text("assessor_id")
      .notNull()
      .references(() => users.id),
    organizationId: text("organization_id")
      .notNull()
      .references(() => organizations.id),
    reason: text("reason").notNull(),
    declaredBy: text("declared_by")
      .notNull()
      .references(() => users.id),
    createdAt: integer("created_at", { mode: "timestamp_ms" }).notNull(),
  },
  (t) => [uniqueIndex("conflicts_unique").on(t.assessorId, t.organizationId)],
);

// ---------------------------------------------------------------------------------------------
// Seals: the signed credential, its status positions, its events, and the transparency log.

export const SEAL_EVENT_KINDS = ["issued", "suspended", "reinstated", "revoked", "expired", "superseded"] as const;

export const seals = sqliteTable(
  "seals",
  {
    serial: text("serial").primaryKey(),
    submissionId: text("submission_id")
      .notNull()
      .references(() => submissions.id),
    organizationId: text("organization_id")
      .notNull()
      .references(() => organizations.id),
    productVersionId: text("product_version_id")
      .notNull()
      .references(() => productVersions.id),
    credential: text("credential").notNull(), // the compact JWS, exactly as signed
    kid: text("kid").notNull(),
    validFrom: integer("valid_from", { mode: "timestamp_ms" }).notNull(),
    validUntil: integer("valid_until", { mode: "timestamp_ms" }).notNull(),
    /** The state the portal decided (expiry is derived from validUntil). */
    state: text("state", { enum: SEAL_STATES }).notNull(),
    revocationIndex: integer("revocation_index").notNull(),
    suspensionIndex: integer("suspension_index").notNull(),
    supersededBy: text("superseded_by"),
    issuedLogIndex: integer("issued_log_index").notNull(),
    issuedAt: integer("issued_at", { mode: "timestamp_ms" }).notNull(),
    /** The certificate as issued (deterministic pdfkit output) and its SHA-256. */
    pdf: blob("pdf", { mode: "buffer" }),
    pdfSha256: text("pdf_sha256"),
    /** The log inclusion proof at issue time (seal.tlog-proof.json), JSON. */
    logProof: text("log_proof"),
  },
  (t) => [
    uniqueIndex("seals_submission_unique").on(t.submissionId),
    uniqueIndex("seals_revocation_index").on(t.revocationIndex),
    uniqueIndex("seals_suspension_index").on(t.suspensionIndex),
    index("seals_product_version").on(t.productVersionId),
    index("seals_org").on(t.organizationId),
  ],
);

export const sealEvents = sqliteTable(
  "seal_events",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    serial: text("serial")
      .notNull()
      .references(() => seals.serial),
    kind: text("kind", { enum: SEAL_EVENT_KINDS }).notNull(),
    reason: text("reason").notNull().default(""),
    actorLabel: text("actor_label").notNull(),
    logIndex: integer("log_index").notNull(),
    at: integer("at", { mode: "timestamp_ms" }).notNull(),
    /** What caused an automatic change: "finding:<id>" (the sweeper); null for a person's action. */
    cause: text("cause"),
  },
  (t) => [index("seal_events_serial").on(t.serial, t.id)],
);

/**
 * Seals the transparency log and the publication show as issued but whose record a restored
 * database lacks (issued in the window the replica had not copied yet): `npm run log:recover`
 * finds each one's credential in the publication, checks it is the logged one, and records it
 * here, revoked (it has no submission, approval or history here to stand behind it). Its serial and
 * status-list positions stay taken, so no later seal reuses them, and its revocation bit is set
 * in the published list. Written once; never updated.
 */
export const lostSeals = sqliteTable("lost_seals", {
  serial: text("serial").primaryKey(),
  credential: text("credential").notNull(), // the compact JWS, as published
  kid: text("kid").notNull(),
  validUntil: integer("valid_until", { mode: "timestamp_ms" }).notNull(),
  revocationIndex: integer("revocation_index").notNull().unique(),
  suspensionIndex: integer("suspension_index").notNull().unique(),
  issuedLogIndex: integer("issued_log_index").notNull(),
  issuedAt: integer("issued_at", { mode: "timestamp_ms" }).notNull(),
  /** The leaf of its revocation, appended by the recovery; the reason as logged. */
  revokedLogIndex: integer("revoked_log_index").notNull(),
  reason: text("reason").notNull(),
  recoveredAt: integer("recovered_at", { mode: "timestamp_ms" }).notNull(),
});

/** Signed checkpoints (C2SP tlog-checkpoint notes), one per tree size the log has had. */
export const logCheckpoints = sqliteTable("log_checkpoints", {
  treeSize: integer("tree_size").primaryKey(),
  rootHash: text("root_hash").notNull(), // hex
  note: text("note").notNull(), // the signed note, as served at /log/checkpoint
  kid: text("kid").notNull(),
  at: integer("at", { mode: "timestamp_ms" }).notNull(),
});

/** The transparency log: leaf i is the canonical JSON of one seal event (RFC 6962 leaf hashing). */
export const logLeaves = sqliteTable("log_leaves", {
  leafIndex: integer("leaf_index").primaryKey(),
  data: text("data").notNull(),
  leafHash: text("leaf_hash").notNull(), // hex
  at: integer("at", { mode: "timestamp_ms" }).notNull(),
});

/**
 * The transparency log's Merkle tree, stored so that an append and a proof cost O(log n): the hash
 * of every complete subtree. Node (level L, index i) covers leaves [i * 2^L, (i + 1) * 2^L); level 0
 * holds the leaf hashes. C2SP tlog-tiles are read straight from here (tile level T = tree level 8T).
 */
export const logNodes = sqliteTable(
  "log_nodes",
  {
    level: integer("level").notNull(),
    idx: integer("idx").notNull(),
    hash: blob("hash", { mode: "buffer" }).notNull(), // 32 bytes
  },
  (t) => [primaryKey({ columns: [t.level, t.idx] })],
);

/** Witness cosignature lines (C2SP tlog-cosignature) on the log's checkpoints, as the witnesses returned them. */
export const logCosignatures = sqliteTable(
  "log_cosignatures",
  {
    treeSize: integer("tree_size").notNull(),
    witness: text("witness").notNull(), // the witness's key name
    line: text("line").notNull(), // the full signature line, "— <name> <base64>\n"
    at: integer("at", { mode: "timestamp_ms" }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.treeSize, t.witness] })],
);

/** What each configured witness has cosigned so far (the old size of the next add-checkpoint call). */
export const logWitnessState = sqliteTable("log_witness_state", {
  witness: text("witness").primaryKey(),
  size: integer("size").notNull(),
  at: integer("at", { mode: "timestamp_ms" }).notNull(),
  lastError: text("last_error"),
});

/** A retail buyer's bulk check of a CSV of serials: the summary and the answered CSV, for download. */
export const verificationRuns = sqliteTable(
  "verification_runs",
  {
    id: text("id").primaryKey(),
    organizationId: text("organization_id")
      .notNull()
      .references(() => organizations.id),
    userId: text("user_id")
      .notNull()
      .references(() => users.id),
    fileName: text("file_name").notNull(),
    rowCount: integer("row_count").notNull(),
    summary: text("summary").notNull(), // JSON: count per verdict
    resultCsv: text("result_csv").notNull(),
    createdAt: integer("created_at", { mode: "timestamp_ms" }).notNull(),
  },
  (t) => [index("verification_runs_org").on(t.organizationId, t.createdAt)],
);

// --- Continuous monitoring: vulnerability reports (findings) ---------------------------------

export const FINDING_SEVERITIES = ["critical", "high", "medium", "low"] as const;
export const FINDING_STATUSES = [
  "open",
  "acknowledged",
  "fix_in_progress",
  "fixed",
  "verified_fixed",
  "withdrawn",
] as const;

/** A vulnerability report against a product, with its coordinated-disclosure deadline. */
export const findings = sqliteTable(
  "findings",
  {
    id: text("id").primaryKey(),
    productId: text("product_id")
      .notNull()
      .references(() => products.id),
    organizationId: text("organization_id")
      .notNull()
      .references(() => organizations.id),
    title: text("title").notNull(),
    description: text("description").notNull(),
    severity: text("severity", { enum: FINDING_SEVERITIES }).notNull(),
    cvssVector: text("cvss_vector"),
    cvssScore: real("cvss_score"),
    reporter: text("reporter").notNull(),
    reportedAt: integer("reported_at", { mode: "timestamp_ms" }).notNull(),
    deadline: integer("deadline", { mode: "timestamp_ms" }).notNull(),
    status: text("status", { enum: FINDING_STATUSES }).notNull(),
    fixedInVersion: text("fixed_in_version"),
    /** The stable public id of the finding's advisory (IOTSEAL-<year>-<sequence>), shown once it is disclosed. */
    advisoryId: text("advisory_id"),
    /** When an assessor verified the fix (the fix is certified): one of the moments that make the advisory public. */
    verifiedAt: integer("verified_at", { mode: "timestamp_ms" }),
    /** When the supplier published the advisory before its time, if it did. */
    publishedAt: integer("published_at", { mode: "timestamp_ms" }),
    /** When the portal first noted the advisory public and told the watchers (set once). */
    disclosureNotedAt: integer("disclosure_noted_at", { mode: "timestamp_ms" }),
    /** The checklist requirements the flaw concerns, as `<checklist-id>:<ref>`: a re-certification re-reviews them. */
    requirementRefs: text("requirement_refs", { mode: "json" }).notNull().default([]).$type<string[]>(),
    /**
     * CRA Article 14(2): when the supplier became aware that the vulnerability is actively exploited
     * (null: not flagged so). Starts its early warning (24 h) and notification (72 h) clocks.
     */
    exploitedAwareAt: integer("exploited_aware_at", { mode: "timestamp_ms" }),
    /**
     * CRA Article 14(4): when the supplier became aware of the severe incident (null: not flagged
     * so). Starts the incident's own early warning and notification clocks (migration 0031).
     */
    incidentAwareAt: integer("incident_aware_at", { mode: "timestamp_ms" }),
    /** CRA Article 14(1)-(2): the vulnerability is actively exploited (final report 14 days after a fix is available). */
    activelyExploited: integer("actively_exploited", { mode: "boolean" }).notNull().default(false),
    /** CRA Article 14(3)-(4): the report concerns a severe incident (final report one month after the incident notification). */
    severeIncident: integer("severe_incident", { mode: "boolean" }).notNull().default(false),
    /** The components the flaw is in, as normalised package URLs (one per line in the form): matched against certified SBOMs. */
    affectedPurls: text("affected_purls", { mode: "json" }).notNull().default([]).$type<string[]>(),
    /**
     * What the advisory's CSAF document says about the product (its name, model, GTIN, SKU, vendor,
     * disclosure policy, the public page it links, whether its ids name the hardware revision), frozen
     * when the advisory was disclosed: a later edit of the product or a new seal does not change a
     * published document (CSAF 2.0 3.1.11). Null until then; `{ "backfill": "revision" }` for an
     * advisory disclosed before migration 0030, completed on the document's first build.
     */
    csafSnapshot: text("csaf_snapshot", { mode: "json" }).$type<StoredCsafSnapshot>(),
    createdBy: text("created_by")
      .notNull()
      .references(() => users.id),
    createdAt: createdAt(),
    updatedAt: integer("updated_at", { mode: "timestamp_ms" }).notNull(),
    /** Optimistic concurrency, as for submissions. */
    version: integer("version").notNull().default(1),
  },
  (t) => [
    index("findings_product").on(t.productId, t.status),
    index("findings_org").on(t.organizationId, t.status),
    index("findings_deadline").on(t.status, t.deadline),
    uniqueIndex("findings_advisory_id").on(t.advisoryId),
  ],
);

/**
 * A third party's CSAF 2.0 advisory (e.g. OpenSSL's) imported by an assessor: one row per
 * publisher and tracking id, replaced by a newer tracking version. Its purls (known affected
 * products' product_identification_helper.purl) are matched against certified SBOMs.
 */
export const importedAdvisories = sqliteTable(
  "imported_advisories",
  {
    id: text("id").primaryKey(),
    publisherName: text("publisher_name").notNull(),
    publisherNamespace: text("publisher_namespace").notNull(),
    trackingId: text("tracking_id").notNull(),
    trackingVersion: text("tracking_version").notNull(),
    title: text("title").notNull(),
    /** tracking.current_release_date, as the document states it. */
    currentReleaseDate: text("current_release_date").notNull(),
    /** Normalised package URLs of the known affected products. */
    purls: text("purls", { mode: "json" }).notNull().default([]).$type<string[]>(),
    /** The document as received (JSON text), at most 2 MiB. */
    document: text("document").notNull(),
    sha256: text("sha256").notNull(),
    receivedBy: text("received_by")
      .notNull()
      .references(() => users.id),
    firstReceivedAt: integer("first_received_at", { mode: "timestamp_ms" }).notNull(),
    receivedAt: integer("received_at", { mode: "timestamp_ms" }).notNull(),
  },
  (t) => [
    uniqueIndex("imported_advisories_tracking").on(t.publisherNamespace, t.trackingId),
    index("imported_advisories_received").on(t.receivedAt),
  ],
);

/** The firmware versions a finding affects. */
export const findingVersions = sqliteTable(
  "finding_versions",
  {
    findingId: text("finding_id")
      .notNull()
      .references(() => findings.id),
    productVersionId: text("product_version_id")
      .notNull()
      .references(() => productVersions.id),
  },
  (t) => [
    primaryKey({ columns: [t.findingId, t.productVersionId] }),
    index("finding_versions_pv").on(t.productVersionId),
  ],
);

export const FINDING_UPDATE_KINDS = [
  "reported",
  "acknowledged",
  "fix_in_progress",
  "fixed",
  "verified_fixed",
  "fix_rejected",
  "withdrawn",
  "deadline_extended",
] as const;

/** The finding's history: every response, extension and decision, append-only. */
export const findingUpdates = sqliteTable(
  "finding_updates",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    findingId: text("finding_id")
      .notNull()
      .references(() => findings.id),
    kind: text("kind", { enum: FINDING_UPDATE_KINDS }).notNull(),
    note: text("note").notNull().default(""),
    fixedInVersion: text("fixed_in_version"),
    previousDeadline: integer("previous_deadline", { mode: "timestamp_ms" }),
    newDeadline: integer("new_deadline", { mode: "timestamp_ms" }),
    actorId: text("actor_id").references(() => users.id),
    actorLabel: text("actor_label").notNull(),
    at: integer("at", { mode: "timestamp_ms" }).notNull(),
  },
  (t) => [index("finding_updates_finding").on(t.findingId, t.id)],
);

/**
 * CRA Article 14: each submission the supplier made to the authority (the CSIRT coordinator, via
 * ENISA's single reporting platform), with its date and reference; append-only.
 */
export const findingAuthorityReports = sqliteTable(
  "finding_authority_reports",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    findingId: text("finding_id")
      .notNull()
      .references(() => findings.id),
    kind: text("kind", { enum: AUTHORITY_REPORT_KINDS }).notNull(),
    /** Which notification it belongs to: the actively exploited vulnerability's or the severe incident's (migration 0031). */
    subject: text("subject", { enum: CRA_SUBJECTS }).notNull().default("vulnerability"),
    submittedAt: integer("submitted_at", { mode: "timestamp_ms" }).notNull(),
    reference: text("reference").notNull(),
    actorId: text("actor_id").references(() => users.id),
    at: integer("at", { mode: "timestamp_ms" }).notNull(),
  },
  (t) => [index("finding_authority_reports_finding").on(t.findingId, t.kind)],
);

// --- Retailer watchlists and webhooks ------------------------------------------------------------

/**
 * A product a retailer organisation watches (all its seals); `label` is the retailer's own SKU or
 * note. Watched by a seal serial (`gtin` null): every current seal of the product is listed. Watched
 * by its GTIN: the product's one current seal (certification/domain/current-seal.ts) is listed and
 * followed; `currentSerial` is the current seal the watchers were last told of.
 */
export const watchlistEntries = sqliteTable(
  "watchlist_entries",
  {
    id: text("id").primaryKey(),
    organizationId: text("organization_id")
      .notNull()
      .references(() => organizations.id),
    productId: text("product_id")
      .notNull()
      .references(() => products.id),
    label: text("label").notNull().default(""),
    /** The 14-digit GTIN the product is watched by; null when watched by a seal serial. */
    gtin: text("gtin"),
    /** For a GTIN watch: the product's current seal as last announced to the organisation. */
    currentSerial: text("current_serial"),
    addedBy: text("added_by")
      .notNull()
      .references(() => users.id),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex("watchlist_org_product").on(t.organizationId, t.productId),
    index("watchlist_product").on(t.productId),
  ],
);

/** Where each user last looked at the watchlist (the newest seal event seen), for "changed since your last visit". */
export const watchlistVisits = sqliteTable("watchlist_visits", {
  userId: text("user_id")
    .primaryKey()
    .references(() => users.id),
  lastSeenEventId: integer("last_seen_event_id").notNull(),
  at: integer("at", { mode: "timestamp_ms" }).notNull(),
});

export const webhookEndpoints = sqliteTable(
  "webhook_endpoints",
  {
    id: text("id").primaryKey(),
    organizationId: text("organization_id")
      .notNull()
      .references(() => organizations.id),
    url: text("url").notNull(),
    /** The HMAC key; shown to the buyer once, kept (encrypted: webhook-secrets.server.ts) to sign deliveries. */
    secret: text("secret").notNull(),
    /** After a rotation, the secret before (encrypted the same way): deliveries are signed with both until `previousSecretUntil`. */
    previousSecret: text("previous_secret"),
    previousSecretUntil: integer("previous_secret_until", { mode: "timestamp_ms" }),
    active: integer("active", { mode: "boolean" }).notNull().default(true),
    createdBy: text("created_by")
      .notNull()
      .references(() => users.id),
    createdAt: createdAt(),
  },
  (t) => [index("webhook_endpoints_org").on(t.organizationId)],
);

export const WEBHOOK_DELIVERY_STATUSES = ["pending", "delivered", "failed"] as const;

/** One event to one endpoint (an outbox row written with the seal event), retried with backoff. */
export const webhookDeliveries = sqliteTable(
  "webhook_deliveries",
  {
    id: text("id").primaryKey(),
    endpointId: text("endpoint_id")
      .notNull()
      .references(() => webhookEndpoints.id),
    eventId: text("event_id").notNull(),
    body: text("body").notNull(),
    status: text("status", { enum: WEBHOOK_DELIVERY_STATUSES }).notNull(),
    attempts: integer("attempts").notNull().default(0),
    nextAttemptAt: integer("next_attempt_at", { mode: "timestamp_ms" }),
    lastStatusCode: integer("last_status_code"),
    createdAt: createdAt(),
    deliveredAt: integer("delivered_at", { mode: "timestamp_ms" }),
  },
  (t) => [
    uniqueIndex("webhook_deliveries_event").on(t.endpointId, t.eventId),
    index("webhook_deliveries_due").on(t.status, t.nextAttemptAt),
  ],
);

export const webhookAttempts = sqliteTable(
  "webhook_attempts",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    deliveryId: text("delivery_id")
      .notNull()
      .references(() => webhookDeliveries.id),
    attempt: integer("attempt").notNull(),
    statusCode: integer("status_code"),
    error: text("error"),
    durationMs: integer("duration_ms").notNull(),
    at: integer("at", { mode: "timestamp_ms" }).notNull(),
  },
  (t) => [index("webhook_attempts_delivery").on(t.deliveryId, t.attempt)],
);

// --- Continuous assurance: recurring evidence ---------------------------------------------------

export const RECURRING_EVIDENCE_STATUSES = ["pending", "accepted", "rejected"] as const;

/** Fresh evidence for a recurring requirement of an issued seal, and the assessor's decision on it. */
export const recurringEvidence = sqliteTable(
  "recurring_evidence",
  {
    id: text("id").primaryKey(),
    serial: text("serial")
      .notNull()
      .references(() => seals.serial),
    organizationId: text("organization_id")
      .notNull()
      .references(() => organizations.id),
    requirementRef: text("requirement_ref").notNull(),
    sha256: text("sha256")
      .notNull()
      .references(() => evidenceFiles.sha256),
    originalName: text("original_name").notNull(),
    note: text("note").notNull().default(""),
    submittedBy: text("submitted_by")
      .notNull()
      .references(() => users.id),
    submittedAt: integer("submitted_at", { mode: "timestamp_ms" }).notNull(),
    status: text("status", { enum: RECURRING_EVIDENCE_STATUSES }).notNull(),
    decidedBy: text("decided_by").references(() => users.id),
    decidedAt: integer("decided_at", { mode: "timestamp_ms" }),
    comment: text("comment").notNull().default(""),
  },
  (t) => [
    index("recurring_evidence_seal").on(t.serial, t.requirementRef, t.submittedAt),
    index("recurring_evidence_status").on(t.status, t.submittedAt),
  ],
);

// --- Continuous assurance: retailer acceptance policies, the watchers' events, API tokens --------

/** A retailer organisation's acceptance policy (see app/features/retail/domain/policy.ts for the rules). */
export const acceptancePolicies = sqliteTable(
  "acceptance_policies",
  {
    id: text("id").primaryKey(),
    organizationId: text("organization_id")
      .notNull()
      .references(() => organizations.id),
    name: text("name").notNull(),
    category: text("category").notNull(), // "any" or a product category
    accepted: text("accepted", { mode: "json" }).notNull().$type<{ checklistId: string; minLevel: string }[]>(),
    requiredProvisions: text("required_provisions", { mode: "json" }).notNull().$type<string[]>(),
    minSupportMonths: integer("min_support_months"),
    blockingFindingSeverity: text("blocking_finding_severity", { enum: FINDING_SEVERITIES }),
    maxSealAgeMonths: integer("max_seal_age_months"),
    /** The product's support period meets the EU CRA (five years, or a stated shorter expected use time). */
    craSupportPeriod: integer("cra_support_period", { mode: "boolean" }).notNull().default(false),
    /** No public advisory may affect the seal's certified firmware ("valid, update required" misses it). */
    noAffectingAdvisory: integer("no_affecting_advisory", { mode: "boolean" }).notNull().default(false),
    createdBy: text("created_by")
      .notNull()
      .references(() => users.id),
    createdAt: createdAt(),
    updatedAt: integer("updated_at", { mode: "timestamp_ms" }).notNull(),
  },
  (t) => [uniqueIndex("acceptance_policies_org_name").on(t.organizationId, sql`lower(${t.name})`)],
);

/** The last result of each policy for each seal of a watched product, so a change raises an event once. */
export const policyStates = sqliteTable(
  "policy_states",
  {
    policyId: text("policy_id")
      .notNull()
      .references(() => acceptancePolicies.id, { onDelete: "cascade" }),
    serial: text("serial")
      .notNull()
      .references(() => seals.serial),
    meets: integer("meets", { mode: "boolean" }).notNull(),
    misses: text("misses", { mode: "json" }).notNull().$type<{ clause: string; message: string }[]>(),
    evaluatedAt: integer("evaluated_at", { mode: "timestamp_ms" }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.policyId, t.serial] })],
);

/**
 * What each retailer organisation's watchers see change, in order: a seal event of a watched
 * product, a watched product starting or stopping to meet one of its policies, an advisory
 * disclosed. The watchlist's "since your last visit", the feed and the webhooks read from here.
 */
export const watchEvents = sqliteTable(
  "watch_events",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    organizationId: text("organization_id")
      .notNull()
      .references(() => organizations.id),
    type: text("type").notNull(), // seal.suspended, policy.unmet, advisory.published, ...
    productId: text("product_id")
      .notNull()
      .references(() => products.id),
    serial: text("serial"),
    /** The public event as delivered (JSON). */
    body: text("body").notNull(),
    /** Set for a seal event, so it is fanned out once per organisation. */
    sealEventId: integer("seal_event_id"),
    at: integer("at", { mode: "timestamp_ms" }).notNull(),
  },
  (t) => [
    index("watch_events_org").on(t.organizationId, t.id),
    uniqueIndex("watch_events_org_seal_event").on(t.organizationId, t.sealEventId),
  ],
);

/** A retailer organisation's token for the public API (policy results in answers); only its SHA-256 is kept. */
export const apiTokens = sqliteTable(
  "api_tokens",
  {
    id: text("id").primaryKey(),
    organizationId: text("organization_id")
      .notNull()
      .references(() => organizations.id),
    name: text("name").notNull(),
    tokenHash: text("token_hash").notNull(),
    /** The first characters, shown so people can tell their tokens apart. */
    prefix: text("prefix").notNull(),
    createdBy: text("created_by")
      .notNull()
      .references(() => users.id),
    createdAt: createdAt(),
    lastUsedAt: integer("last_used_at", { mode: "timestamp_ms" }),
    revokedAt: integer("revoked_at", { mode: "timestamp_ms" }),
  },
  (t) => [uniqueIndex("api_tokens_hash").on(t.tokenHash), index("api_tokens_org").on(t.organizationId)],
);

/**
 * The outbox of domain events (app/platform/events.server.ts): every effect one module has on
 * another is an event written here in the transaction of the change. Subscribers that must be
 * atomic with the change (the watch feed, policy results, webhook deliveries) run inside that
 * transaction; the others (automatic suspension) run after it commits, and `handledAt` records
 * that they did, so an event whose follow-up was cut off by a crash is handled by the next drain.
 */
export const domainEvents = sqliteTable(
  "domain_events",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    type: text("type").notNull(), // seal.changed, finding.changed, advisory.published, product.changed, fixes.certified
    /** The event's facts (JSON). */
    payload: text("payload").notNull(),
    at: integer("at", { mode: "timestamp_ms" }).notNull(),
    /** When every after-commit subscriber ran (null: still to do). */
    handledAt: integer("handled_at", { mode: "timestamp_ms" }),
  },
  (t) => [index("domain_events_pending_idx").on(t.handledAt)],
);

// --- Notifications: in-app, preferences, the mail outbox (app/features/notifications) -----------

/** One thing a user was told, in the app; (user, key) is unique, so an event tells a user once, ever. */
export const notifications = sqliteTable(
  "notifications",
  {
    id: text("id").primaryKey(),
    userId: text("user_id")
      .notNull()
      .references(() => users.id),
    category: text("category", { enum: NOTIFICATION_CATEGORIES }).notNull(),
    kind: text("kind").notNull(), // e.g. report.deadline.7d
    /** The idempotency key of the event that caused it. */
    key: text("key").notNull(),
    title: text("title").notNull(),
    body: text("body").notNull(),
    /** A path in the portal to act on. */
    link: text("link").notNull(),
    createdAt: integer("created_at", { mode: "timestamp_ms" }).notNull(),
    readAt: integer("read_at", { mode: "timestamp_ms" }),
  },
  (t) => [
    uniqueIndex("notifications_user_key").on(t.userId, t.key),
    index("notifications_user_created").on(t.userId, t.createdAt),
    index("notifications_user_unread").on(t.userId, t.readAt),
  ],
);

/** A user's choice of mail per category; no row means the default (instant; "watch": digest). */
export const notificationPreferences = sqliteTable(
  "notification_preferences",
  {
    userId: text("user_id")
      .notNull()
      .references(() => users.id),
    category: text("category", { enum: NOTIFICATION_CATEGORIES }).notNull(),
    email: text("email", { enum: EMAIL_PREFERENCES }).notNull(),
    updatedAt: integer("updated_at", { mode: "timestamp_ms" }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.category] })],
);

/**
 * pending: to send (at next_attempt_at); sending: claimed by a worker until claimed_until (a
 * crashed worker's rows go back to pending after it); sent; failed (gave up after the last
 * attempt); kept: not sent because no SMTP_URL is configured (admins read it at /admin/outbox);
 * digest: waits for the user's daily digest (digest_mail_id says which digest mail took it).
 */
export const MAIL_STATUSES = ["pending", "sending", "sent", "failed", "kept", "digest"] as const;

/** The mail outbox: rows written in the transaction of the event, sent by the mail worker. */
export const mailOutbox = sqliteTable(
  "mail_outbox",
  {
    id: text("id").primaryKey(),
    /** The recipient's account; null for a mail to an address without one (a registration's confirmation). */
    userId: text("user_id").references(() => users.id),
    toAddress: text("to_address").notNull(),
    kind: text("kind").notNull(),
    /** The idempotency key of the event (with the address: one mail per event and recipient, ever). */
    key: text("key").notNull(),
    subject: text("subject").notNull(),
    text: text("text").notNull(),
    html: text("html").notNull(),
    link: text("link").notNull(),
    createdAt: integer("created_at", { mode: "timestamp_ms" }).notNull(),
    status: text("status", { enum: MAIL_STATUSES }).notNull(),
    attempts: integer("attempts").notNull().default(0),
    nextAttemptAt: integer("next_attempt_at", { mode: "timestamp_ms" }),
    /** The lease of the worker sending it (status "sending"): after it, the row is pending again. */
    claimedUntil: integer("claimed_until", { mode: "timestamp_ms" }),
    /** A random token of the claim, so a worker whose lease ran out cannot overwrite the next one's outcome. */
    claimedBy: text("claimed_by"),
    lastError: text("last_error"),
    sentAt: integer("sent_at", { mode: "timestamp_ms" }),
    /** The Message-ID sent (deterministic from key and address, so a receiver can drop a duplicate). */
    messageId: text("message_id"),
    /** For a row of status "digest": the digest mail that included it (null: still waiting). */
    digestMailId: text("digest_mail_id"),
  },
  (t) => [
    uniqueIndex("mail_outbox_key_to").on(t.key, t.toAddress),
    index("mail_outbox_due").on(t.status, t.nextAttemptAt),
    index("mail_outbox_created").on(t.createdAt),
    index("mail_outbox_digest").on(t.status, t.digestMailId, t.userId),
  ],
);

/** Every attempt to send a mail, successful or not. */
export const mailAttempts = sqliteTable(
  "mail_attempts",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    mailId: text("mail_id")
      .notNull()
      .references(() => mailOutbox.id),
    at: integer("at", { mode: "timestamp_ms" }).notNull(),
    ok: integer("ok", { mode: "boolean" }).notNull(),
    /** The server's answer (e.g. "250 2.0.0 OK") or the error. */
    detail: text("detail").notNull(),
  },
  (t) => [index("mail_attempts_mail").on(t.mailId, t.id)],
);

/**
 * Static publication of the public artefacts (decision record 028): one row per target
 * (PUBLISH_TO, normalised): how far it is published (the outbox's domain_events id, the log size
 * whose tiles are written), and its last failure. The process publishing it holds the lease
 * `publication:<target>` (leases, decision record 031).
 */
export const publicationTargets = sqliteTable("publication_targets", {
  target: text("target").primaryKey(),
  /** domain_events.id up to which the events' artefacts are published (0: nothing yet, a full publication). */
  eventCursor: integer("event_cursor").notNull().default(0),
  /** The tree size whose tiles and checkpoint are published. */
  logSize: integer("log_size").notNull().default(0),
  lastSuccessAt: integer("last_success_at", { mode: "timestamp_ms" }),
  lastAttemptAt: integer("last_attempt_at", { mode: "timestamp_ms" }),
  lastError: text("last_error"),
  failures: integer("failures").notNull().default(0),
  nextAttemptAt: integer("next_attempt_at", { mode: "timestamp_ms" }),
});

/** What each target holds: a version (SHA-256 of the bytes, or of what they are made from) per path, to skip unchanged files. */
export const publishedFiles = sqliteTable(
  "published_files",
  {
    target: text("target").notNull(),
    path: text("path").notNull(),
    version: text("version").notNull(),
    at: integer("at", { mode: "timestamp_ms" }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.target, t.path] })],
);

/**
 * Leases (decision record 031): what one process at a time may do, such as a background worker
 * or a publication run. A holder (host:pid:random) keeps its lease by renewing it before
 * expires_at; once expired, any process may take it over. Rules: app/platform/lease.ts.
 */
export const leases = sqliteTable("leases", {
  name: text("name").primaryKey(),
  holder: text("holder").notNull(),
  /** When the current holder took it (renewals keep it). */
  acquiredAt: integer("acquired_at", { mode: "timestamp_ms" }).notNull(),
  expiresAt: integer("expires_at", { mode: "timestamp_ms" }).notNull(),
});
