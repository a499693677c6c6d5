/**
 * Domain events: how a change in one module has effects in another without calling it. The
 * module that changes something emits an event in its own transaction; the event is written to
 * the outbox (`domain_events`), and the modules that care subscribe to its type in one wiring
 * file (app/system/wiring.server.ts). No module calls another module's subscriber by name.
 *
 * Two kinds of subscriber:
 * - "transaction": runs inside the emitting transaction, so its writes stand or fall with the
 *   change (the watch feed, policy results, webhook deliveries: a buyer never misses a change that
 *   happened, nor sees one that did not).
 * - "after-commit": runs once the transaction has committed, in transactions of its own (the
 *   automatic suspension sweep, which must see the committed change). The outbox row stays pending
 *   until they have run; a crash in between leaves it pending and the next drain (at the latest
 *   the lifecycle sweep) runs them. These subscribers must be idempotent; several pending events
 *   of the same type are handled by one call.
 * - "wake": runs once the transaction has committed, and holds nothing pending: for a worker that
 *   reads what changed from its own durable cursor and only needs waking sooner than its next round
 *   (the static publisher). A crash before the wake loses nothing, the worker's next round catches
 *   up; so the outbox row of an event with only wake and in-transaction subscribers is written
 *   handled, and no drain follows (a select and a second write transaction saved per change).
 */
import { asc, inArray, isNull, sql } from "drizzle-orm";
import { domainEvents } from "../../db/schema";
import { nowMs } from "./clock.server";
import { afterCommit, db, placeholders, preparedQueries, transaction, type Tx } from "./db.server";
import type { AnyActor } from "./actor";

/** What happened to a finding, where a subscriber needs it (see "finding.changed"). */
export type FindingChange = "recorded" | "withdrawn" | "fix_claimed" | "fix_rejected";
/** What happened to a submission (see "submission.changed"). */
export type SubmissionChange =
  | "submitted"
  | "changes_requested"
  | "rejected"
  | "approved"
  | "proposed"
  | "proposal_confirmed"
  | "proposal_returned"
  | "proposal_withdrawn"
  | "withdrawn";

/** Every event type, with its facts. */
export interface EventMap {
  /** A seal's status changed or a seal was issued: a row of seal_events. */
  "seal.changed": { sealEventId: number; serial: string };
  /**
   * A seal's certificate PDF was stored: just after the transaction that issued the seal (it is
   * rendered while that commit is synced), or later by the repair of one a crash left out.
   */
  "seal.certificate_stored": { serial: string };
  /**
   * A vulnerability report was recorded or changed state (its clock may now suspend or release seals).
   * `change` says what happened where a subscriber needs it: "recorded" (with its severity: the
   * watchers learn only that a report of this severity exists), "withdrawn" (an advisory disclosed
   * before stays public, marked), "fix_claimed" (the supplier says a version fixes it: the assessors
   * verify), "fix_rejected" (an assessor refused the claimed fix: the supplier is told). Other
   * changes leave it out.
   */
  "finding.changed": {
    findingId: string;
    productId: string;
    change?: FindingChange;
    severity?: "critical" | "high" | "medium" | "low";
    /**
     * The finding_updates row of the change (each answer or decision on a report: a fix claimed, rejected
     * or verified, a withdrawal): unique, so a notification's key; its `kind` says what happened where
     * `change` is left out (the notifications read it).
     */
    updateId?: number;
  };
  /**
   * A submission moved in the certification workflow: the supplier submitted (or resubmitted) it,
   * an assessor requested changes, rejected it, proposed its approval, a second assessor confirmed
   * ("proposal_confirmed", then "approved" with the seal issued in the same transaction) or returned
   * the proposal, or its proposer withdrew it; or the supplier withdrew the submission ("withdrawn",
   * with `from`: the status it left). `version` is the submission's version the change was made on:
   * with `change`, unique per submission (a notification's key).
   */
  "submission.changed": {
    submissionId: string;
    change: SubmissionChange;
    byUserId: string;
    version: number;
    from?: "draft" | "submitted" | "changes_requested";
  };
  /**
   * Recurring evidence of a seal was submitted by the supplier, or accepted or rejected by an
   * assessor, or withdrawn because the evidence store never took its bytes (its row is gone).
   */
  "recurring.changed": {
    evidenceId: string;
    sealSerial: string;
    change: "submitted" | "accepted" | "rejected" | "withdrawn";
  };
  /**
   * A row of the watch feed (watch_events) was written for one watching organisation: a seal event,
   * a policy met or missed, an advisory, a report recorded or withdrawn (embargo-safe: the feed's body
   * is what the watchers may see).
   */
  "watch.published": { watchEventId: number; organizationId: string; productId: string; type: string };
  /** An advisory became public: announced to the organisations watching the product at that moment. */
  "advisory.published": {
    productId: string;
    serial: string | null;
    organizationIds: string[];
    body: { id: string; type: string } & Record<string, unknown>;
  };
  /**
   * A third party's CSAF advisory was imported (or a newer tracking version of it): its package
   * URLs are matched against certified firmware SBOMs (the "possibly affected" task).
   */
  "advisory.imported": { importedAdvisoryId: string; trackingVersion: string };
  /**
   * A product's facts that policies read (category, support period) changed. `previousGtin`: the GTIN
   * it had (as written; null: none) when its GTIN changed, so the static publication can settle the
   * old GTIN's published linkset.
   */
  "product.changed": { productId: string; previousGtin?: string | null };
  /** Fixes were certified by an approved re-certification (findings they held may release other seals). */
  "fixes.certified": { submissionId: string; count: number };
  /**
   * An admin (or a script) disabled a user's account: what the user created that acts for their
   * organisation without them ends with their access (the webhook endpoints they registered: retail).
   * `by`: who disabled it (the audit of what is removed names them).
   */
  "user.disabled": { userId: string; email: string; by: AnyActor };
  /**
   * The assessors free to act on suppliers' work changed: a conflict of interest declared or lifted
   * (`organizationId`: that supplier), an assessor added, enabled or disabled (null: every supplier).
   * Whoever waits on them follows (the approvals proposed: who may confirm them, notifications).
   */
  "assessors.changed": {
    organizationId: string | null;
    change: "conflict_declared" | "conflict_removed" | "assessor_created" | "assessor_enabled" | "assessor_disabled";
  };
  /**
   * A password reset link was made for a user who asked for it (/forgot-password) or by an admin: the
   * user is mailed it. `secretPath` (the link's path, with the token) is a secret fact (see `emit`):
   * only its SHA-256 is kept by the accounts module, and it is never written to the outbox.
   */
  "password.reset_requested": {
    userId: string;
    resetId: string;
    expiresAt: number;
    requestedBy: "self" | "admin";
    secretPath: string;
  };
  /**
   * Someone registered an organisation (decision record 037): the address given is mailed a link to
   * confirm it. `secretPath` (the link's path, with the token) is a secret fact, as for a reset link;
   * the request's details (a person's name and address) stay in its row, not in the event outbox.
   */
  "signup.requested": { requestId: string; expiresAt: number; secretPath: string };
  /**
   * Someone registered with the address of an existing account: its owner is told (by mail), and the
   * one who registered sees the same answer as for a new address, so sign-up reveals no account.
   */
  "signup.address_in_use": { userId: string; attemptId: string };
  /**
   * Logins to an account failed with a wrong password often enough, from however many addresses,
   * that its owner is told (accounts' domain/login-failures.ts): `failures` within the hour before
   * `latestAt`, from `addresses` client addresses.
   */
  /** Two-step login turned on or off for a user, or new recovery codes made (by the user, or an administrator turning it off). */
  "two_step.changed": {
    /** Names this change (its mail's key): two changes within one millisecond are still two. */
    changeId: string;
    userId: string;
    change: "enabled" | "disabled" | "codes_renewed";
    by: "self" | "admin";
    at: number;
  };
  /** step: which step failed (a wrong password, or a wrong two-step code after the right password). */
  "login.failures_repeated": {
    userId: string;
    step: "password" | "code";
    failures: number;
    addresses: number;
    latestAt: number;
  };
}
export type EventType = keyof EventMap;
export type DomainEvent<T extends EventType = EventType> = { [K in T]: { type: K } & EventMap[K] }[T];

type InTransaction<T extends EventType> = (tx: Tx, event: DomainEvent<T>) => void;
type AfterCommit<T extends EventType> = (events: DomainEvent<T>[]) => void;
type Wake = () => void;
type Phase = "transaction" | "after-commit" | "wake";

const inTransaction = new Map<EventType, { name: string; run: InTransaction<EventType> }[]>();
const afterCommitted = new Map<EventType, { name: string; run: AfterCommit<EventType> }[]>();
const wakes = new Map<EventType, { name: string; run: Wake }[]>();

/** Registers a subscriber (from app/system/wiring.server.ts). `name` appears in errors. */
export function subscribe<T extends EventType>(
  type: T,
  name: string,
  phase: "transaction",
  run: InTransaction<T>,
): void;
export function subscribe<T extends EventType>(type: T, name: string, phase: "after-commit", run: AfterCommit<T>): void;
export function subscribe(type: EventType, name: string, phase: "wake", run: Wake): void;
export function subscribe(
  type: EventType,
  name: string,
  phase: Phase,
  run: InTransaction<EventType> | AfterCommit<EventType> | Wake,
): void {
  if (phase === "transaction") add(inTransaction, type, name, run as InTransaction<EventType>);
  else if (phase === "after-commit") add(afterCommitted, type, name, run as AfterCommit<EventType>);
  else add(wakes, type, name, run as Wake);
}

function add<R>(table: Map<EventType, { name: string; run: R }[]>, type: EventType, name: string, run: R): void {
  const list = table.get(type) ?? [];
  if (list.some((s) => s.name === name)) return; // wiring twice (tests, hot reload) changes nothing
  list.push({ name, run });
  table.set(type, list);
}

/** The subscribers registered, for the wiring's own check. */
export function subscribers(): { type: EventType; name: string; phase: Phase }[] {
  const out: { type: EventType; name: string; phase: Phase }[] = [];
  for (const [phase, table] of [
    ["transaction", inTransaction],
    ["after-commit", afterCommitted],
    ["wake", wakes],
  ] as const)
    for (const [type, list] of table) for (const s of list) out.push({ type, name: s.name, phase });
  return out;
}

let paused = 0;
let wired = false;

/** Called by the wiring once every subscriber is registered; an event emitted before is a bug (its effects would be lost). */
export function markWired(): void {
  wired = true;
}

/** The outbox's insert and its pending rows: every change of the portal makes them, prepared once per connection. */
const outbox = preparedQueries((t) => ({
  // Two inserts: a placeholder's timestamp encoding takes no null (handled_at stays NULL in the first).
  insertPending: t
    .insert(domainEvents)
    .values(placeholders(["type", "payload", "at"] as const))
    .prepare(),
  insertHandled: t
    .insert(domainEvents)
    .values({ ...placeholders(["type", "payload", "at"] as const), handledAt: sql.placeholder("at") })
    .prepare(),
  pending: t
    .select()
    .from(domainEvents)
    .where(isNull(domainEvents.handledAt))
    .orderBy(asc(domainEvents.id))
    .limit(500)
    .prepare(),
}));

/**
 * The facts written to the outbox: all but the secret ones (named `secret…`, such as a password reset
 * link), which reach the in-transaction subscribers only, so the outbox's kept rows hold no secret.
 */
function persistedFacts(type: EventType, facts: object, later: number): object {
  let secret = false;
  for (const key in facts) if (key.startsWith("secret")) secret = true;
  if (!secret) return facts;
  // An after-commit subscriber reads the event back from the outbox: it would never see the secret.
  if (later) throw new Error(`The event ${type} carries a secret fact: it cannot have an after-commit subscriber.`);
  return Object.fromEntries(Object.entries(facts).filter(([key]) => !key.startsWith("secret")));
}

/**
 * Emits `event` in `tx`: the outbox row, then the in-transaction subscribers; the after-commit
 * ones run when the transaction commits.
 */
export function emit<T extends EventType>(tx: Tx, type: T, facts: EventMap[T]): void {
  if (!wired)
    throw new Error(
      `The event ${type} was emitted before the subscribers were wired: call wireEvents() (app/system/wiring.server.ts) at start-up.`,
    );
  const event = { type, ...facts } as DomainEvent<T>;
  const later = afterCommitted.get(type)?.length ?? 0;
  const at = new Date(nowMs());
  const payload = JSON.stringify(persistedFacts(type, facts, later));
  // Handled at once when no after-commit subscriber waits for it.
  (later ? outbox(tx).insertPending : outbox(tx).insertHandled).run({ type, payload, at });
  for (const s of inTransaction.get(type) ?? []) s.run(tx, event as DomainEvent);
  if (later && !paused) afterCommit(drainOutbox);
  if (!paused) for (const s of wakes.get(type) ?? []) afterCommit(s.run);
}

let draining = false;

/**
 * Runs the after-commit subscribers of every pending event, oldest first, and marks them handled.
 * Returns how many events it handled. Re-entrant calls (a subscriber's own transactions) return 0:
 * the running drain picks up what they emit.
 */
export function drainOutbox(): number {
  if (draining) return 0;
  draining = true;
  let handled = 0;
  try {
    for (;;) {
      const rows = outbox(db()).pending.all();
      if (!rows.length) return handled;
      const byType = new Map<EventType, DomainEvent[]>();
      for (const r of rows) {
        const list = byType.get(r.type as EventType) ?? [];
        list.push({ type: r.type, ...JSON.parse(r.payload) } as DomainEvent);
        byType.set(r.type as EventType, list);
      }
      try {
        for (const [type, events] of byType) for (const s of afterCommitted.get(type) ?? []) s.run(events);
      } catch (error) {
        // The change itself is committed; its follow-up is retried by the next drain (the lifecycle sweep at the latest).
        console.error("[events] an after-commit subscriber failed; the events stay pending:", error);
        return handled;
      }
      const ids = rows.map((r) => r.id);
      transaction((tx) =>
        tx
          .update(domainEvents)
          .set({ handledAt: new Date(nowMs()) })
          .where(inArray(domainEvents.id, ids))
          .run(),
      );
      handled += rows.length;
    }
  } finally {
    draining = false;
  }
}

/**
 * Runs `fn` with the after-commit subscribers held back: the events stay pending until the next
 * drain. For the demo seed, which writes back-dated history and must not sweep at a past time.
 */
export function withoutAfterCommit<T>(fn: () => T): T {
  paused++;
  try {
    return fn();
  } finally {
    paused--;
  }
}
