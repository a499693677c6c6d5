/**
 * A retail organisation's tokens for the public API. With `Authorization: Bearer <token>` the seal
 * and verify answers carry the organisation's acceptance-policy results. A token is shown once;
 * only its SHA-256 is kept (a copy of the database hands out no working token); it can be revoked.
 */
import crypto from "node:crypto";
import { and, desc, eq, isNotNull, isNull, lt, or } from "drizzle-orm";
import { z } from "zod";
import { apiTokens, organizations, users } from "../../../db/schema";
import { nowMs } from "../../platform/clock.server";
import type { Actor, AnyActor } from "../../platform/actor";
import { recordAudit } from "../../platform/audit.server";
import { db, transaction, type Tx } from "../../platform/db.server";
import { ServiceError } from "../../platform/errors.server";
import { requireConfirmation } from "../../platform/confirmation.server";
import type { apiTokenInput } from "./forms";

export const TOKEN_PREFIX = "iots_";

const hash = (token: string) => crypto.createHash("sha256").update(token).digest("hex");

function assertRetailer(actor: Actor): void {
  if (actor.role !== "retailer")
    throw new ServiceError("forbidden", "API tokens belong to retail buyers' organisations.");
}

/** Creates a token; the token itself is returned once and never stored. */
export function createApiToken(actor: Actor, input: z.infer<typeof apiTokenInput>): { id: string; token: string } {
  assertRetailer(actor);
  const token = `${TOKEN_PREFIX}${crypto.randomBytes(32).toString("base64url")}`;
  const id = crypto.randomUUID();
  transaction((tx) => {
    const activeTokens = tx
      .select({ id: apiTokens.id, name: apiTokens.name })
      .from(apiTokens)
      .where(and(eq(apiTokens.organizationId, actor.organizationId), isNull(apiTokens.revokedAt)))
      .all();
    const active = activeTokens.length;
    // Tokens are told apart by name (the list, the audit log, "Revoke …"): one name per active token, in any case.
    const sameName = activeTokens.find((t) => t.name.toLowerCase() === input.name.toLowerCase());
    if (sameName) {
      const message = `Your organisation already has an active token named "${sameName.name}": choose another name, or revoke that one first.`;
      throw new ServiceError("conflict", message, { name: message });
    }
    if (active >= 10)
      throw new ServiceError("conflict", "An organisation can have at most 10 active tokens; revoke one first.");
    tx.insert(apiTokens)
      .values({
        id,
        organizationId: actor.organizationId,
        name: input.name,
        tokenHash: hash(token),
        prefix: token.slice(0, TOKEN_PREFIX.length + 6),
        createdBy: actor.userId,
        createdAt: new Date(nowMs()),
      })
      .run();
    recordAudit(tx, actor, {
      action: "api_token.created",
      target: { type: "api_token", id },
      organizationId: actor.organizationId,
      details: { name: input.name },
    });
  });
  return { id, token };
}

/** What a token's revocation records (audit details). */
const REVOKED_TOKEN_COLUMNS = {
  id: apiTokens.id,
  name: apiTokens.name,
  prefix: apiTokens.prefix,
  organizationId: apiTokens.organizationId,
};

export function revokeApiToken(actor: Actor, id: string, opts: { confirmed: boolean }): { name: string } {
  assertRetailer(actor);
  requireConfirmation(opts.confirmed, "the token is revoked for good (requests with it are refused from now on)");
  return transaction((tx) => {
    const token = tx
      .select(REVOKED_TOKEN_COLUMNS)
      .from(apiTokens)
      .where(and(eq(apiTokens.id, id), eq(apiTokens.organizationId, actor.organizationId), isNull(apiTokens.revokedAt)))
      .get();
    if (!token) throw new ServiceError("not_found", "Your organisation has no active token with this id.");
    revokeTokens(tx, actor, [token], {});
    return { name: token.name };
  });
}

type TokenRow = { id: string; name: string; prefix: string; organizationId: string };

/** Revokes these (active) tokens, one audit event each naming the token and its organisation. */
function revokeTokens(tx: Tx, actor: AnyActor, tokens: TokenRow[], why: Record<string, unknown>): void {
  const at = new Date(nowMs());
  for (const token of tokens) {
    tx.update(apiTokens)
      .set({ revokedAt: at })
      .where(and(eq(apiTokens.id, token.id), isNull(apiTokens.revokedAt)))
      .run();
    const organization =
      tx
        .select({ name: organizations.name })
        .from(organizations)
        .where(eq(organizations.id, token.organizationId))
        .get()?.name ?? null;
    recordAudit(tx, actor, {
      action: "api_token.revoked",
      target: { type: "api_token", id: token.id },
      organizationId: token.organizationId,
      details: { name: token.name, prefix: token.prefix, organization, ...why },
    });
  }
}

/**
 * Revokes every active token `userId` created (their account is being disabled: a token must not
 * outlive its creator's access), in the caller's transaction. Returns how many.
 */
export function revokeApiTokensCreatedBy(tx: Tx, actor: AnyActor, userId: string, creatorEmail: string): number {
  const tokens = tx
    .select(REVOKED_TOKEN_COLUMNS)
    .from(apiTokens)
    .where(and(eq(apiTokens.createdBy, userId), isNull(apiTokens.revokedAt)))
    .all();
  revokeTokens(tx, actor, tokens, { reason: `its creator's account (${creatorEmail}) was disabled` });
  return tokens.length;
}

/**
 * Revokes the active tokens whose creator's account is disabled: those of accounts disabled before
 * disabling revoked them (revokeApiTokensCreatedBy), found at startup. Idempotent; audited like any
 * revocation. Returns how many.
 */
export function revokeTokensOfDisabledCreators(actor: AnyActor): number {
  return transaction((tx) => {
    const orphans = tx
      .select({ ...REVOKED_TOKEN_COLUMNS, creatorEmail: users.email })
      .from(apiTokens)
      .innerJoin(users, eq(users.id, apiTokens.createdBy))
      .where(and(isNull(apiTokens.revokedAt), isNotNull(users.disabledAt)))
      .all();
    for (const { creatorEmail, ...token } of orphans)
      revokeTokens(tx, actor, [token], { reason: `its creator's account (${creatorEmail}) is disabled` });
    return orphans.length;
  });
}

export function listApiTokens(actor: Actor) {
  assertRetailer(actor);
  return db()
    .select({
      id: apiTokens.id,
      name: apiTokens.name,
      prefix: apiTokens.prefix,
      createdAt: apiTokens.createdAt,
      lastUsedAt: apiTokens.lastUsedAt,
      revokedAt: apiTokens.revokedAt,
      by: users.name,
    })
    .from(apiTokens)
    .innerJoin(users, eq(users.id, apiTokens.createdBy))
    .where(eq(apiTokens.organizationId, actor.organizationId))
    .orderBy(desc(apiTokens.createdAt))
    .all();
}

export type TokenCheck = { ok: true; organizationId: string } | { ok: false; message: string };

/**
 * The organisation an `Authorization` header's bearer token belongs to. A header that is present
 * but wrong is an error (the caller answers 401), never silently anonymous.
 */
export function organizationForBearer(header: string | undefined): TokenCheck | null {
  if (!header) return null;
  const m = /^Bearer\s+(\S+)$/i.exec(header.trim());
  if (!m) return { ok: false, message: "Send the token as Authorization: Bearer <token>." };
  const row = db()
    .select({
      id: apiTokens.id,
      org: apiTokens.organizationId,
      revokedAt: apiTokens.revokedAt,
      lastUsedAt: apiTokens.lastUsedAt,
    })
    .from(apiTokens)
    .where(eq(apiTokens.tokenHash, hash(m[1])))
    .get();
  if (!row || row.revokedAt) return { ok: false, message: "This API token is not valid (unknown or revoked)." };
  const now = nowMs();
  // Last use is kept to the minute, so a busy integration does not write on every request.
  db()
    .update(apiTokens)
    .set({ lastUsedAt: new Date(now) })
    .where(
      and(eq(apiTokens.id, row.id), or(isNull(apiTokens.lastUsedAt), lt(apiTokens.lastUsedAt, new Date(now - 60_000)))),
    )
    .run();
  return { ok: true, organizationId: row.org };
}
