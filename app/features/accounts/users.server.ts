/** Users and organisations as an admin (or a command-line script) manages them. */
import crypto from "node:crypto";
import { and, asc, count, eq, isNull, ne } from "drizzle-orm";
import { z } from "zod";
import { apiTokens, organizations, sessions, twoStepLogins, users, webhookEndpoints } from "../../../db/schema";
import { nowMs } from "../../platform/clock.server";
import {
  ORGANIZATION_KINDS,
  ORGANIZATION_KIND_OF_ROLE,
  ROLES,
  roleFitsOrganization,
  type OrganizationKind,
  type Role,
} from "../../platform/roles";
import { isSystem, type AnyActor } from "../../platform/actor";
import { recordAudit } from "../../platform/audit.server";
import { assertCan } from "../../platform/authorize.server";
import { db, transaction, type Tx } from "../../platform/db.server";
import { emit } from "../../platform/events.server";
import { ServiceError } from "../../platform/errors.server";
import { requireConfirmation } from "../../platform/confirmation.server";
import { normalizeName } from "../../platform/forms";
import type { createUserInput } from "./forms";
import { sameOrganizationName } from "./domain/organization-name";
import { generatePassword, hashPassword } from "./passwords.server";
import { revokeApiTokensCreatedBy } from "./api-tokens.server";

export const CERTIFICATION_BODY_NAME = "IoT Seal Assurance";

export type CreateUserInput = z.infer<typeof createUserInput>;

/** The certification body's organisation (created on first need). */
export function certificationBody(tx: Tx, actor: AnyActor): typeof organizations.$inferSelect {
  const existing = tx
    .select()
    .from(organizations)
    .where(eq(organizations.kind, "certifier"))
    .orderBy(asc(organizations.createdAt))
    .get();
  if (existing) return existing;
  return createOrganization(tx, actor, { name: CERTIFICATION_BODY_NAME, kind: "certifier" });
}

/**
 * The organisation already registered under `name`, if any: the one rule of organisation-name
 * uniqueness (sign-up and createOrganization), compared on organizationNameKey ("ÜBER Ltd",
 * "über  ltd" and "Über\u200B Ltd" are one name). In JavaScript: SQLite's lower() folds ASCII only.
 */
export function organizationNamed(tx: Pick<Tx, "select">, name: string): { id: string; name: string } | undefined {
  const all = tx.select({ id: organizations.id, name: organizations.name }).from(organizations).all();
  return sameOrganizationName(all, name);
}

export function createOrganization(tx: Tx, actor: AnyActor, input: { name: string; kind: OrganizationKind }) {
  const name = normalizeName(input.name);
  const clash = organizationNamed(tx, name);
  if (clash)
    throw new ServiceError("conflict", `An organisation named "${clash.name}" already exists.`, {
      organizationName: "This name is taken.",
    });
  const org = { id: crypto.randomUUID(), name, kind: input.kind, createdAt: new Date(nowMs()) };
  tx.insert(organizations).values(org).run();
  recordAudit(tx, actor, {
    action: "organization.created",
    target: { type: "organization", id: org.id },
    organizationId: org.id,
    details: { name: org.name, kind: org.kind },
  });
  return org;
}

/**
 * Creates a user. Assessors and admins join the certification body unless an organisation is
 * named; the role must fit the organisation's kind. Returns the password used (generated when
 * none was given, so a script can print it once).
 */
export async function createUser(
  actor: AnyActor,
  input: CreateUserInput,
): Promise<{ userId: string; password: string; generated: boolean }> {
  assertCan(actor, "admin.users.manage");
  const generated = !input.password;
  const password = input.password || generatePassword();
  const passwordHash = await hashPassword(password);
  const userId = transaction((tx) => {
    const org = input.organizationId
      ? tx.select().from(organizations).where(eq(organizations.id, input.organizationId)).get()
      : ORGANIZATION_KIND_OF_ROLE[input.role] === "certifier"
        ? certificationBody(tx, actor)
        : undefined;
    // Every problem at once (an admin corrects them in one round): the organisation, the role's fit, the email.
    const fieldErrors: Record<string, string> = {};
    let summary = "";
    if (!org) {
      fieldErrors.organizationId = "Choose an organisation.";
      summary = "Choose the organisation this user belongs to.";
    } else if (!roleFitsOrganization(input.role, org.kind)) {
      const a = (word: string) => (/^[aeiou]/.test(word) ? `An ${word}` : `A ${word}`);
      fieldErrors.role = `${a(input.role)} must belong to ${a(ORGANIZATION_KIND_OF_ROLE[input.role]).toLowerCase()} organisation.`;
      summary = `${a(input.role)} cannot belong to ${a(org.kind).toLowerCase()} organisation.`;
    }
    const taken = tx.select({ id: users.id }).from(users).where(eq(users.email, input.email)).get();
    if (taken) fieldErrors.email = "A user with this email already exists.";
    if (!org || Object.keys(fieldErrors).length) {
      const onlyTaken = taken && Object.keys(fieldErrors).length === 1;
      throw new ServiceError(
        onlyTaken ? "conflict" : "invalid",
        onlyTaken ? "A user with this email already exists." : summary || "Check the highlighted fields.",
        fieldErrors,
      );
    }
    const id = crypto.randomUUID();
    tx.insert(users)
      .values({
        id,
        email: input.email,
        name: input.name,
        passwordHash,
        role: input.role,
        organizationId: org.id,
        createdAt: new Date(nowMs()),
      })
      .run();
    if (input.role === "assessor") emit(tx, "assessors.changed", { organizationId: null, change: "assessor_created" });
    recordAudit(tx, actor, {
      action: "user.created",
      target: { type: "user", id },
      organizationId: org.id,
      details: {
        email: input.email,
        role: input.role,
        organization: org.name,
        by: isSystem(actor) ? actor.system : actor.email,
      },
    });
    return id;
  });
  return { userId, password, generated };
}

/** An API token not revoked; the active ones a user created are what disabling the account revokes. */
const activeToken = isNull(apiTokens.revokedAt);
const activeTokensCreatedBy = (userId: string) => and(eq(apiTokens.createdBy, userId), activeToken);

/**
 * The webhook endpoints a user registered and that are still active: what disabling the account removes
 * (the retail module removes them, subscribed to `user.disabled`; counted here to ask first and to say so).
 */
const activeWebhooksCreatedBy = (userId: string) =>
  and(eq(webhookEndpoints.createdBy, userId), eq(webhookEndpoints.active, true));

/**
 * What disabling the account ends for good, completing "Tick the box to confirm that …": "the 2 API
 * tokens x@y created are revoked and the webhook endpoint x@y registered is removed for good
 * (enabling the account again does not restore them)".
 */
function endedForGood(tokens: number, webhooks: number, email: string): string {
  const ended = [
    ...(tokens
      ? [
          tokens === 1
            ? `the API token ${email} created is revoked`
            : `the ${tokens} API tokens ${email} created are revoked`,
        ]
      : []),
    ...(webhooks
      ? [
          webhooks === 1
            ? `the webhook endpoint ${email} registered is removed`
            : `the ${webhooks} webhook endpoints ${email} registered are removed`,
        ]
      : []),
  ];
  return `${ended.join(" and ")} for good (enabling the account again does not restore ${tokens + webhooks === 1 ? "it" : "them"})`;
}

/**
 * Disables or enables an account. Disabling ends the user's sessions, revokes the API tokens they
 * created and removes the webhook endpoints they registered (the `user.disabled` event: retail), for
 * good (enabling the account again does not bring them back), in one transaction; when there are
 * tokens or endpoints to end, only with `confirmed` (the tick box on /admin/users, as for revoking
 * one token), otherwise refused with nothing changed. Refused when
 * the acting admin has been disabled meanwhile, and for the last enabled administrator (two admins
 * disabling each other at once leave one of them).
 */
export function setUserDisabled(
  actor: AnyActor,
  userId: string,
  disabled: boolean,
  opts: { confirmed?: boolean } = {},
): { changed: boolean; revokedApiTokens: number; removedWebhooks: number } {
  assertCan(actor, "admin.users.manage");
  if (!isSystem(actor) && actor.userId === userId)
    throw new ServiceError("invalid", "You cannot disable your own account.");
  return transaction((tx) => {
    if (!isSystem(actor)) {
      const me = tx.select({ disabledAt: users.disabledAt }).from(users).where(eq(users.id, actor.userId)).get();
      if (!me || me.disabledAt)
        throw new ServiceError("forbidden", "Your account has been disabled: you can no longer manage users.");
    }
    const user = tx.select().from(users).where(eq(users.id, userId)).get();
    if (!user) throw new ServiceError("not_found", "No such user.");
    if (Boolean(user.disabledAt) === disabled) return { changed: false, revokedApiTokens: 0, removedWebhooks: 0 };
    if (disabled && user.role === "admin") {
      const otherAdmins =
        tx
          .select({ n: count() })
          .from(users)
          .where(and(eq(users.role, "admin"), isNull(users.disabledAt), ne(users.id, userId)))
          .get()?.n ?? 0;
      if (!otherAdmins)
        throw new ServiceError(
          "conflict",
          `${user.email} is the last enabled administrator: enable or add another administrator first.`,
        );
    }
    let removedWebhooks = 0;
    if (disabled) {
      const tokens = tx.select({ n: count() }).from(apiTokens).where(activeTokensCreatedBy(userId)).get()?.n ?? 0;
      removedWebhooks =
        tx.select({ n: count() }).from(webhookEndpoints).where(activeWebhooksCreatedBy(userId)).get()?.n ?? 0;
      if (tokens || removedWebhooks)
        requireConfirmation(opts.confirmed, endedForGood(tokens, removedWebhooks, user.email));
    }
    tx.update(users)
      .set({ disabledAt: disabled ? new Date(nowMs()) : null })
      .where(eq(users.id, userId))
      .run();
    let revokedApiTokens = 0;
    if (disabled) {
      tx.delete(sessions).where(eq(sessions.userId, userId)).run();
      revokedApiTokens = revokeApiTokensCreatedBy(tx, actor, userId, user.email);
      // Their webhook endpoints are removed by the retail module, in this transaction.
      emit(tx, "user.disabled", { userId, email: user.email, by: actor });
    }
    if (user.role === "assessor")
      emit(tx, "assessors.changed", {
        organizationId: null,
        change: disabled ? "assessor_disabled" : "assessor_enabled",
      });
    recordAudit(tx, actor, {
      action: disabled ? "user.disabled" : "user.enabled",
      target: { type: "user", id: userId },
      organizationId: user.organizationId,
      details: disabled ? { email: user.email, revokedApiTokens, removedWebhooks } : { email: user.email },
    });
    return { changed: true, revokedApiTokens, removedWebhooks };
  });
}

/**
 * Every user, with the number of active API tokens they created and of active webhook endpoints they
 * registered (what disabling them would revoke and remove).
 */
export function listUsers(actor: AnyActor) {
  assertCan(actor, "admin.users.manage");
  const tokens = db()
    .select({ userId: apiTokens.createdBy, n: count() })
    .from(apiTokens)
    .where(activeToken)
    .groupBy(apiTokens.createdBy)
    .all();
  const tokensOf = new Map(tokens.map((t) => [t.userId, t.n]));
  const webhooks = db()
    .select({ userId: webhookEndpoints.createdBy, n: count() })
    .from(webhookEndpoints)
    .where(eq(webhookEndpoints.active, true))
    .groupBy(webhookEndpoints.createdBy)
    .all();
  const webhooksOf = new Map(webhooks.map((w) => [w.userId, w.n]));
  const rows = db()
    .select({
      id: users.id,
      email: users.email,
      name: users.name,
      role: users.role,
      disabledAt: users.disabledAt,
      lastLoginAt: users.lastLoginAt,
      createdAt: users.createdAt,
      organizationId: organizations.id,
      organizationName: organizations.name,
      organizationKind: organizations.kind,
      /** Since when two-step login is asked of them (null: it is not). */
      twoStepSince: twoStepLogins.confirmedAt,
    })
    .from(users)
    .innerJoin(organizations, eq(organizations.id, users.organizationId))
    .leftJoin(twoStepLogins, eq(twoStepLogins.userId, users.id))
    .orderBy(asc(organizations.name), asc(users.email))
    .all();
  return rows.map((u) => ({
    ...u,
    activeApiTokens: tokensOf.get(u.id) ?? 0,
    activeWebhooks: webhooksOf.get(u.id) ?? 0,
  }));
}

export function listOrganizations(actor: AnyActor) {
  assertCan(actor, "admin.users.manage");
  return db()
    .select({
      id: organizations.id,
      name: organizations.name,
      kind: organizations.kind,
      createdAt: organizations.createdAt,
      members: count(users.id),
    })
    .from(organizations)
    .leftJoin(users, eq(users.organizationId, organizations.id))
    .groupBy(organizations.id)
    .orderBy(asc(organizations.kind), asc(organizations.name))
    .all();
}

/** Members of the actor's own organisation (every role may see its colleagues). */
export function listColleagues(organizationId: string) {
  return db()
    .select({
      id: users.id,
      email: users.email,
      name: users.name,
      role: users.role,
      lastLoginAt: users.lastLoginAt,
      disabledAt: users.disabledAt,
    })
    .from(users)
    .where(eq(users.organizationId, organizationId))
    .orderBy(asc(users.name))
    .all();
}

export function countByRole(): Record<Role, number> {
  const rows = db().select({ role: users.role, n: count() }).from(users).groupBy(users.role).all();
  const out = Object.fromEntries(ROLES.map((r) => [r, 0])) as Record<Role, number>;
  for (const r of rows) out[r.role as Role] = r.n;
  return out;
}

export function countOrganizationsByKind(): Record<OrganizationKind, number> {
  const rows = db()
    .select({ kind: organizations.kind, n: count() })
    .from(organizations)
    .groupBy(organizations.kind)
    .all();
  const out = Object.fromEntries(ORGANIZATION_KINDS.map((k) => [k, 0])) as Record<OrganizationKind, number>;
  for (const r of rows) out[r.kind as OrganizationKind] = r.n;
  return out;
}
