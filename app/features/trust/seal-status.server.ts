/**
 * The one seal-status service: every change of a seal's status (suspension, reinstatement,
 * revocation, supersession, and the noting of expiry) goes through here, in the transaction
 * of the change, with its log leaf, seal event and audit entry. The status lists, the public
 * page, the API and the verifiers all read what this service wrote.
 */
import { and, desc, eq, gt, inArray, lte, max, ne, sql } from "drizzle-orm";
import crypto from "node:crypto";
import { z } from "zod";
import { lostSeals, SEAL_EVENT_KINDS, sealEvents, seals } from "../../../db/schema";
import { nowMs } from "../../platform/clock.server";
import { signingKeys } from "./adapters/signing-keys.server";
import { getEnv } from "../../platform/env.server";
import { can } from "../../platform/roles";
import {
  EVENT_OF_ACTION,
  EXPIRED_NOT_SUSPENDED,
  nextSealState,
  statusBits,
  SUSPENSION_EVENT_KINDS,
  type SealAction,
} from "./domain/seal-state";
import { unverifiedPayload, verifySealSignature, type SealCredential } from "./domain/credential";
import {
  buildStatusListCredential,
  signStatusListCredential,
  STATUS_LIST_TTL_MS,
  statusPointerOf,
} from "./domain/status-credential";
import { StatusBitstring, STATUS_LIST_MIN_ENTRIES, type StatusPurpose } from "./domain/status-list";
import { isSystem, type Actor, type AnyActor } from "../../platform/actor";
import { recordAudit } from "../../platform/audit.server";
import { db, transaction, type Tx } from "../../platform/db.server";
import { ServiceError } from "../../platform/errors.server";
import type { sealStatusInput } from "./forms";
import { assertNoConflict } from "../accounts/conflicts.server";
import { appendLog } from "./transparency-log.server";
import { emit } from "../../platform/events.server";
import { formatDate } from "../../platform/format";
import { CERTIFICATION_BODY_NAME } from "../accounts/users.server";

export const STATUS_LIST_IDS = { revocation: "revocation-1", suspension: "suspension-1" } as const;
const PURPOSE_OF_LIST: Record<string, StatusPurpose> = {
  [STATUS_LIST_IDS.revocation]: "revocation",
  [STATUS_LIST_IDS.suspension]: "suspension",
};

export function statusListUrl(purpose: StatusPurpose): string {
  return `${getEnv().baseUrl}/status/${STATUS_LIST_IDS[purpose]}`;
}

const actorLabel = (actor: AnyActor) => (isSystem(actor) ? `system:${actor.system}` : actor.email);

/**
 * Applies one action to a seal inside `tx`. `reason` is public: it is shown on the seal page and
 * written to the log. Throws a ServiceError when the lifecycle does not allow the action.
 */
export function applySealAction(
  tx: Tx,
  actor: AnyActor,
  p: { serial: string; action: SealAction; reason: string; supersededBy?: string; cause?: string },
): { logIndex: number } {
  const seal = tx.select().from(seals).where(eq(seals.serial, p.serial)).get();
  if (!seal) throw new ServiceError("not_found", `No seal has the serial ${p.serial}.`);
  const next = nextSealState(seal.state, p.action);
  if (!next.ok) throw new ServiceError("conflict", next.message);
  const at = new Date(nowMs());
  const event = EVENT_OF_ACTION[p.action];
  const logIndex = appendLog(tx, {
    event,
    serial: p.serial,
    at: at.toISOString(),
    reason: p.reason,
    ...(p.supersededBy ? { supersededBy: p.supersededBy } : {}),
  });
  recordStateChange(tx, actor, seal, {
    event,
    to: next.state,
    reason: p.reason,
    supersededBy: p.supersededBy,
    cause: p.cause,
    logIndex,
    at,
  });
  return { logIndex };
}

type SealRow = typeof seals.$inferSelect;

/** The seal row, its event, the watchers told and the audit entry of a status change whose log leaf is `logIndex`. */
function recordStateChange(
  tx: Tx,
  actor: AnyActor,
  seal: SealRow,
  c: {
    event: Exclude<(typeof SEAL_EVENT_KINDS)[number], "issued">;
    to: SealRow["state"];
    reason: string;
    supersededBy?: string;
    cause?: string;
    logIndex: number;
    at: Date;
    auditDetails?: Record<string, unknown>;
  },
): void {
  tx.update(seals)
    .set({ state: c.to, ...(c.supersededBy ? { supersededBy: c.supersededBy } : {}) })
    .where(eq(seals.serial, seal.serial))
    .run();
  const { id: eventId } = tx
    .insert(sealEvents)
    .values({
      serial: seal.serial,
      kind: c.event,
      reason: c.reason,
      actorLabel: actorLabel(actor),
      logIndex: c.logIndex,
      at: c.at,
      cause: c.cause ?? null,
    })
    .returning({ id: sealEvents.id })
    .get();
  emit(tx, "seal.changed", { sealEventId: eventId, serial: seal.serial }); // watchers, their webhooks and policy results, in this transaction
  recordAudit(tx, actor, {
    action: `seal.${c.event}`,
    target: { type: "seal", id: seal.serial },
    organizationId: seal.organizationId,
    details: {
      from: seal.state,
      to: c.to,
      reason: c.reason,
      logIndex: c.logIndex,
      ...(c.supersededBy ? { supersededBy: c.supersededBy } : {}),
      ...c.auditDetails,
    },
  });
}

/** Whether the seal's expiry has been noted (an "expired" event: at most one per seal). */
function expiryNoted(tx: Tx, serial: string): boolean {
  return !!tx
    .select({ id: sealEvents.id })
    .from(sealEvents)
    .where(and(eq(sealEvents.serial, serial), eq(sealEvents.kind, "expired")))
    .get();
}

const ACTION_OF_EVENT = Object.fromEntries(Object.entries(EVENT_OF_ACTION).map(([a, e]) => [e, a])) as Record<
  (typeof EVENT_OF_ACTION)[SealAction],
  SealAction
>;

/** A seal event as the log states it (what applySealAction, restateSuspension, sweepExpiredSeals and issuance append). */
export const loggedSealEvent = z.object({
  event: z.enum(SEAL_EVENT_KINDS),
  serial: z.string().min(1),
  at: z.iso.datetime({ offset: true }),
  reason: z.string().optional(),
  supersededBy: z.string().optional(),
  credentialSha256: z.string().optional(), // an issuance's
});

/**
 * A seal event the log holds but this database lost (restored from a replica that trailed what
 * was published; the public module's log recovery): recorded again as the log states it, under
 * its existing leaf (no new one): the seal's state, its event, the watchers told, an audit entry
 * saying where it came from. So a revocation verifiers were shown is not undone by the next
 * publication of the status lists. What cannot be replayed (an issuance: the seal row is not in
 * the log; an event of a seal this database does not have; a change its state no longer allows)
 * is left, and said. Returns what was done, for the operator.
 */
export function replayLoggedSealEvent(
  tx: Tx,
  actor: AnyActor,
  logIndex: number,
  entry: unknown,
): { replayed: boolean; serial: string | null; event: string | null; message: string } {
  const parsed = loggedSealEvent.safeParse(entry);
  if (!parsed.success) return { replayed: false, serial: null, event: null, message: "not a seal event" };
  const e = parsed.data;
  const done = (replayed: boolean, message: string) => ({ replayed, serial: e.serial, event: e.event, message });
  const seal = tx.select().from(seals).where(eq(seals.serial, e.serial)).get();
  if (e.event === "issued")
    return seal
      ? done(false, "issued; the seal is in this database")
      : done(
          false,
          "issued, but this database has no row for it: the log holds its credential's hash, not the seal. Its credential and PDF are in the publication; the supplier's submission must be approved again for a seal the portal can manage.",
        );
  if (!seal) return done(false, `${e.event}, but this database has no seal ${e.serial}`);
  const at = new Date(e.at);
  const reason = e.reason ?? "";
  const auditDetails = { recoveredFromLog: true };
  if (e.event === "expired") {
    if (expiryNoted(tx, e.serial)) return done(false, "expired; already noted here");
    recordStateChange(tx, actor, seal, { event: "expired", to: seal.state, reason, logIndex, at, auditDetails });
    return done(true, "expired: noted again");
  }
  if (e.event === "suspended" && seal.state === "suspended") {
    recordStateChange(tx, actor, seal, { event: "suspended", to: "suspended", reason, logIndex, at, auditDetails });
    return done(true, "suspended (a restated reason): recorded again");
  }
  const next = nextSealState(seal.state, ACTION_OF_EVENT[e.event]);
  if (!next.ok) return done(false, `${e.event}, not replayed: ${next.message}`);
  recordStateChange(tx, actor, seal, {
    event: e.event,
    to: next.state,
    reason,
    supersededBy: e.supersededBy,
    logIndex,
    at,
    auditDetails,
  });
  return done(true, `${e.event}: ${seal.state} -> ${next.state} again`);
}

/**
 * A suspended seal stays suspended but the grounds of its automatic suspension changed (a fixed
 * finding while recurring evidence is still overdue, or the other way round): the new public
 * reason is recorded like a suspension — a "suspended" event and log leaf, the watchers told,
 * the audit entry — so every view shows why the seal is suspended now. The state does not change.
 */
export function restateSuspension(
  tx: Tx,
  actor: AnyActor,
  p: { serial: string; reason: string; cause: string },
): { logIndex: number } {
  const seal = tx.select().from(seals).where(eq(seals.serial, p.serial)).get();
  if (!seal) throw new ServiceError("not_found", `No seal has the serial ${p.serial}.`);
  if (seal.state !== "suspended") throw new ServiceError("conflict", "Only a suspended seal's reason can be restated.");
  const previous = tx
    .select({ reason: sealEvents.reason })
    .from(sealEvents)
    .where(and(eq(sealEvents.serial, p.serial), eq(sealEvents.kind, "suspended")))
    .orderBy(desc(sealEvents.id))
    .limit(1)
    .get();
  const at = new Date(nowMs());
  const logIndex = appendLog(tx, { event: "suspended", serial: p.serial, at: at.toISOString(), reason: p.reason });
  const { id: eventId } = tx
    .insert(sealEvents)
    .values({
      serial: p.serial,
      kind: "suspended",
      reason: p.reason,
      actorLabel: actorLabel(actor),
      logIndex,
      at,
      cause: p.cause,
    })
    .returning({ id: sealEvents.id })
    .get();
  emit(tx, "seal.changed", { sealEventId: eventId, serial: p.serial });
  recordAudit(tx, actor, {
    action: "seal.suspension_restated",
    target: { type: "seal", id: p.serial },
    organizationId: seal.organizationId,
    details: { reason: p.reason, previousReason: previous?.reason ?? null, logIndex },
  });
  return { logIndex };
}

const SEAL_INSTEAD = "Another assessor must act on this seal.";

/**
 * An assessor's (or admin's) manual status change. Revocation must be confirmed by typing the
 * serial. Refused to an assessor with a conflict of interest with the seal's supplier.
 */
export function changeSealStatus(actor: Actor, input: z.infer<typeof sealStatusInput>): { logIndex: number } {
  if (!can(actor.role, "seals.manage"))
    throw new ServiceError("forbidden", "Only assessors and administrators change a seal's status.");
  if (input.action === "revoke" && input.confirmSerial?.toUpperCase() !== input.serial.toUpperCase()) {
    throw new ServiceError("invalid", "Type the seal's serial to confirm the revocation; it cannot be undone.", {
      confirmSerial: "Type the serial exactly to confirm.",
    });
  }
  return transaction((tx) => {
    const seal = tx
      .select({ org: seals.organizationId, validUntil: seals.validUntil })
      .from(seals)
      .where(eq(seals.serial, input.serial))
      .get();
    if (!seal) throw new ServiceError("not_found", `No seal has the serial ${input.serial}.`);
    assertNoConflict(tx, actor, seal.org, SEAL_INSTEAD);
    if (input.action === "suspend" && seal.validUntil.getTime() <= nowMs())
      throw new ServiceError("conflict", EXPIRED_NOT_SUSPENDED);
    return applySealAction(tx, actor, { serial: input.serial, action: input.action, reason: input.reason });
  });
}

/** The states in which reaching validUntil is noted (a revoked seal's expiry changes nothing anyone reads). */
const EXPIRY_NOTED_STATES = ["active", "suspended", "superseded"] as const satisfies readonly SealRow["state"][];

/**
 * Notes every seal that has reached its validUntil since the last sweep: one "expired" event and
 * log leaf each (the verdict follows from the date in any case). Idempotent, and safe in several
 * processes at once: each seal is checked again and written inside one IMMEDIATE transaction
 * (noteSealExpiry), so a seal revoked or noted since the selection is left as it is.
 */
export function sweepExpiredSeals(actor: AnyActor = { system: "lifecycle" }): string[] {
  const now = new Date(nowMs());
  const due = db()
    .select({ serial: seals.serial })
    .from(seals)
    .where(
      and(
        lte(seals.validUntil, now),
        sql`not exists (select 1 from ${sealEvents} where ${sealEvents.serial} = ${seals.serial} and ${sealEvents.kind} = 'expired')`,
        inArray(seals.state, [...EXPIRY_NOTED_STATES]),
      ),
    )
    .all();
  return due.filter(({ serial }) => transaction((tx) => noteSealExpiry(tx, actor, serial))).map((r) => r.serial);
}

/**
 * Notes one seal's expiry inside `tx` (an "expired" event, its log leaf, the watchers told, the
 * audit entry) if, read in this transaction, it has reached its validUntil, is in one of
 * EXPIRY_NOTED_STATES and has no "expired" event yet. Returns whether it wrote anything.
 */
export function noteSealExpiry(tx: Tx, actor: AnyActor, serial: string): boolean {
  const seal = tx.select().from(seals).where(eq(seals.serial, serial)).get();
  if (!seal || !(EXPIRY_NOTED_STATES as readonly string[]).includes(seal.state)) return false;
  if (seal.validUntil.getTime() > nowMs() || expiryNoted(tx, serial)) return false;
  const at = new Date(nowMs());
  const reason = `Reached its expiry date, ${formatDate(seal.validUntil)}.`;
  const logIndex = appendLog(tx, { event: "expired", serial, at: at.toISOString(), reason });
  const { id: eventId } = tx
    .insert(sealEvents)
    .values({ serial, kind: "expired", reason, actorLabel: actorLabel(actor), logIndex, at })
    .returning({ id: sealEvents.id })
    .get();
  emit(tx, "seal.changed", { sealEventId: eventId, serial });
  recordAudit(tx, actor, {
    action: "seal.expired",
    target: { type: "seal", id: serial },
    organizationId: seal.organizationId,
    details: { logIndex, validUntil: seal.validUntil.toISOString() },
  });
  return true;
}

// --- The status lists -------------------------------------------------------------------------

/**
 * The bits of one list as the seals' states say now, by statusBits (the one rule): for a
 * superseded seal, whether it was suspended when it was superseded comes from its events.
 */
export function statusBitstring(purpose: StatusPurpose): StatusBitstring {
  const bits = new StatusBitstring(STATUS_LIST_MIN_ENTRIES);
  const rows = db()
    .select({
      state: seals.state,
      revocationIndex: seals.revocationIndex,
      suspensionIndex: seals.suspensionIndex,
      // Written out with its own alias: drizzle leaves columns unqualified in a select's fields, and
      // "serial" = "serial" inside the subquery would compare seal_events' column with itself.
      lastSuspensionEvent: sql<string | null>`case when seals.state = 'superseded' then (
        select e.kind from seal_events e
        where e.serial = seals.serial and e.kind in (${sql.join(
          SUSPENSION_EVENT_KINDS.map((k) => sql`${k}`),
          sql`, `,
        )})
        order by e.id desc limit 1) end`,
    })
    .from(seals)
    .where(ne(seals.state, "active")) // an active seal sets no bit
    .all();
  for (const row of rows) {
    const b = statusBits(row.state, { suspendedWhenSuperseded: row.lastSuspensionEvent === "suspended" });
    if (purpose === "revocation" ? b.revoked : b.suspended)
      bits.set(purpose === "revocation" ? row.revocationIndex : row.suspensionIndex, true);
  }
  // A lost seal (recordLostSeal) is revoked; its suspension bit stays clear.
  if (purpose === "revocation")
    for (const row of db().select({ i: lostSeals.revocationIndex }).from(lostSeals).all()) bits.set(row.i, true);
  return bits;
}

/**
 * A change counter for the lists: the newest seal event (issuance adds no bit, but costs nothing
 * to include), and the number of lost seals recorded (each revoked without a seal event).
 */
function listsVersion(): number {
  const d = db();
  const newestEvent =
    d
      .select({ id: max(sealEvents.id) })
      .from(sealEvents)
      .get()?.id ?? 0;
  const lost =
    d
      .select({ n: sql<number>`count(*)` })
      .from(lostSeals)
      .get()?.n ?? 0;
  return newestEvent + lost * 2 ** 32;
}

const signedLists = new Map<string, { version: number; signedAt: number; jws: string; dataDir: string }>();

/**
 * The signed status list credential for `listId` (null for an unknown id). Re-signed when a seal
 * changes status or when the last signature is older than half the list's TTL, so a cached copy
 * is never more than one TTL stale.
 */
export async function statusListCredential(
  listId: string,
): Promise<{ jws: string; maxAgeSeconds: number; validForSeconds: number } | null> {
  const purpose = PURPOSE_OF_LIST[listId];
  if (!purpose) return null;
  const env = getEnv();
  const version = listsVersion();
  const now = nowMs();
  const cached = signedLists.get(listId);
  if (
    cached &&
    cached.version === version &&
    cached.dataDir === env.dataDir &&
    now - cached.signedAt < STATUS_LIST_TTL_MS / 2
  ) {
    return {
      jws: cached.jws,
      maxAgeSeconds: Math.max(0, Math.floor((STATUS_LIST_TTL_MS / 2 - (now - cached.signedAt)) / 1000)),
      validForSeconds: Math.max(0, Math.floor((STATUS_LIST_TTL_MS - (now - cached.signedAt)) / 1000)),
    };
  }
  const credential = buildStatusListCredential({
    url: statusListUrl(purpose),
    issuer: { id: env.baseUrl, name: CERTIFICATION_BODY_NAME },
    purpose,
    bits: statusBitstring(purpose),
    now: new Date(now),
  });
  const signer = await signingKeys(env.dataDir).signer();
  const jws = signStatusListCredential(credential, signer.key, signer.kid);
  signedLists.set(listId, { version, signedAt: now, jws, dataDir: env.dataDir });
  return {
    jws,
    maxAgeSeconds: Math.floor(STATUS_LIST_TTL_MS / 2 / 1000),
    validForSeconds: Math.floor(STATUS_LIST_TTL_MS / 1000),
  };
}

/** The reason logged and shown for a lost seal's revocation. */
export const LOST_SEAL_REASON =
  "This seal's record was lost when the portal's database was restored after a failure; without it the certification body cannot stand behind the seal. The supplier's submission is to be approved again, under a new serial.";

export interface LostSealFacts {
  serial: string;
  jws: string;
  kid: string;
  validUntil: Date;
  revocationIndex: number;
  suspensionIndex: number;
  issuedLogIndex: number;
  issuedAt: Date;
}

/**
 * The facts of a seal the log says was issued (its leaf, already checked against the log's signed
 * checkpoint) from a credential found in the publication, or why they cannot be used: the
 * credential must be the one the leaf logged (its SHA-256), signed by one of this portal's keys,
 * and for the leaf's serial.
 */
export async function lostSealFacts(
  leaf: { index: number; serial: string; at: string; credentialSha256?: string },
  jws: string,
): Promise<{ ok: true; facts: LostSealFacts } | { ok: false; message: string }> {
  const token = jws.trim();
  if (!leaf.credentialSha256 || crypto.createHash("sha256").update(token).digest("hex") !== leaf.credentialSha256)
    return { ok: false, message: "the published credential is not the one its log leaf recorded (SHA-256 differs)" };
  const checked = await verifySealSignature(token, signingKeys(getEnv().dataDir).jwks().keys);
  if (!checked.ok) return { ok: false, message: `the published credential does not verify (${checked.reason})` };
  const c = checked.credential;
  const revocationIndex = statusPointerOf(c, "revocation")?.index;
  const suspensionIndex = statusPointerOf(c, "suspension")?.index;
  if (c.credentialSubject.serial !== leaf.serial || revocationIndex === undefined || suspensionIndex === undefined)
    return { ok: false, message: "the published credential is not for this serial or has no status-list positions" };
  return {
    ok: true,
    facts: {
      serial: leaf.serial,
      jws: token,
      kid: checked.kid,
      validUntil: new Date(c.validUntil),
      revocationIndex,
      suspensionIndex,
      issuedLogIndex: leaf.index,
      issuedAt: new Date(leaf.at),
    },
  };
}

/**
 * Records a lost seal (see lostSeals in db/schema.ts): its serial and status-list positions taken
 * for good, and its revocation: the log leaf (a new one, or `revoked`, a recovered leaf that
 * revoked it already), the revocation bit in the list, the audit entry. Refused, with nothing
 * written, when the seal is in this database or a seal here holds one of its positions.
 */
export function recordLostSeal(
  tx: Tx,
  actor: AnyActor,
  f: LostSealFacts,
  revoked?: { logIndex: number; at: Date; reason: string },
): { ok: true; logIndex: number } | { ok: false; message: string } {
  if (tx.select({ serial: seals.serial }).from(seals).where(eq(seals.serial, f.serial)).get())
    return { ok: false, message: `seal ${f.serial} is in this database: it is not lost` };
  const clash = tx
    .select({ serial: seals.serial })
    .from(seals)
    .where(sql`${seals.revocationIndex} = ${f.revocationIndex} or ${seals.suspensionIndex} = ${f.suspensionIndex}`)
    .get();
  if (clash)
    return {
      ok: false,
      message: `seal ${clash.serial} holds one of its status-list positions: they cannot both be in the lists`,
    };
  const recorded = tx.select().from(lostSeals).where(eq(lostSeals.serial, f.serial)).get();
  if (recorded) return { ok: true, logIndex: recorded.revokedLogIndex }; // recorded already: nothing more to do
  const at = new Date(nowMs());
  const reason = revoked?.reason || LOST_SEAL_REASON;
  const logIndex =
    revoked?.logIndex ?? appendLog(tx, { event: "revoked", serial: f.serial, at: at.toISOString(), reason });
  tx.insert(lostSeals)
    .values({
      serial: f.serial,
      credential: f.jws,
      kid: f.kid,
      validUntil: f.validUntil,
      revocationIndex: f.revocationIndex,
      suspensionIndex: f.suspensionIndex,
      issuedLogIndex: f.issuedLogIndex,
      issuedAt: f.issuedAt,
      revokedLogIndex: logIndex,
      reason,
      recoveredAt: revoked?.at ?? at,
    })
    .run();
  recordAudit(tx, actor, {
    action: "seal.revoked",
    target: { type: "seal", id: f.serial },
    details: {
      from: "lost",
      to: "revoked",
      reason,
      logIndex,
      issuedLogIndex: f.issuedLogIndex,
      revocationIndex: f.revocationIndex,
      suspensionIndex: f.suspensionIndex,
      credentialSha256: crypto.createHash("sha256").update(f.jws).digest("hex"),
      recoveredFromPublication: true,
      ...(revoked ? { revocationRecoveredFromLog: true } : {}),
    },
  });
  return { ok: true, logIndex };
}

/**
 * A superseded seal whose successor was lost (a lost seal, revoked by log:recover) is superseded
 * again, by the seal that re-certifies it now: a "superseded" leaf naming the new seal, its event,
 * the watchers told, the audit entry. So its page and API point at a seal in force, not at the
 * revoked lost one. Null (nothing written) when the seal is not superseded by a lost seal.
 */
export function resupersedeLostSuccessor(
  tx: Tx,
  actor: AnyActor,
  p: { serial: string; supersededBy: string; reason: string; cause: string },
): { logIndex: number } | null {
  const seal = tx.select().from(seals).where(eq(seals.serial, p.serial)).get();
  if (!seal || seal.state !== "superseded" || !seal.supersededBy || seal.supersededBy === p.supersededBy) return null;
  const lost = seal.supersededBy;
  if (!tx.select({ serial: lostSeals.serial }).from(lostSeals).where(eq(lostSeals.serial, lost)).get()) return null;
  const at = new Date(nowMs());
  const logIndex = appendLog(tx, {
    event: "superseded",
    serial: p.serial,
    at: at.toISOString(),
    reason: p.reason,
    supersededBy: p.supersededBy,
  });
  recordStateChange(tx, actor, seal, {
    event: "superseded",
    to: "superseded",
    reason: p.reason,
    supersededBy: p.supersededBy,
    cause: p.cause,
    logIndex,
    at,
    auditDetails: { replacesLostSeal: lost },
  });
  return { logIndex };
}

/** A lost seal (recordLostSeal), for the public views; null when `serial` is not one. */
export function lostSeal(serial: string) {
  return lostSealsBySerial([serial]).get(serial) ?? null;
}

/** The lost seals among `serials` (recordLostSeal), by serial: one query per 500. */
export function lostSealsBySerial(serials: readonly string[]): Map<string, typeof lostSeals.$inferSelect> {
  const out = new Map<string, typeof lostSeals.$inferSelect>();
  for (let i = 0; i < serials.length; i += 500)
    for (const r of db()
      .select()
      .from(lostSeals)
      .where(inArray(lostSeals.serial, serials.slice(i, i + 500)))
      .all())
      out.set(r.serial, r);
  return out;
}

/**
 * The lost seals recorded after `since` (all of them for null), for the publisher: each serial and
 * the product GTIN its credential states (null when none).
 */
export function lostSealsRecordedSince(since: Date | null): { serial: string; gtin: string | null }[] {
  return db()
    .select({ serial: lostSeals.serial, credential: lostSeals.credential })
    .from(lostSeals)
    .where(since ? gt(lostSeals.recoveredAt, since) : undefined)
    .all()
    .map((r) => {
      const c = unverifiedPayload(r.credential) as Partial<SealCredential> | null; // checked when recorded
      return { serial: r.serial, gtin: c?.credentialSubject?.product?.gtin ?? null };
    });
}
