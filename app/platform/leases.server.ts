/**
 * Leases in the database (decision record 031): what one process at a time may do. The rules are
 * in ./lease.ts; this file reads and writes them (each decision in one IMMEDIATE transaction, so
 * two processes never both take a lease), and keeps a background worker running in whichever
 * process holds its lease: `runUnderLease` renews it three times per duration, starts the worker
 * when it takes the lease and stops it when it loses it; the worker's ticks ask `holds()` first.
 */
import crypto from "node:crypto";
import os from "node:os";
import { and, eq } from "drizzle-orm";
import { leases } from "../../db/schema";
import { db, transaction } from "./db.server";
import { decideLease, holderName, mayAct, parseHolder, renewEveryMs, type LeaseState } from "./lease";

/** This process, as a lease holder: host, pid and a random part (a pid is reused after a restart). */
export const PROCESS_HOLDER = holderName(os.hostname(), process.pid, crypto.randomBytes(6).toString("hex"));

/** Whether the holder is a process of this host that no longer runs (a server killed with -9, say). */
function goneFromThisHost(holder: string): boolean {
  const h = parseHolder(holder);
  if (!h || h.host !== os.hostname() || h.pid === process.pid) return false;
  try {
    process.kill(h.pid, 0); // signal 0: only asks whether it exists
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "ESRCH"; // EPERM: it runs, as another user
  }
}

/** A background worker's lease lasts this long unless renewed; a dead holder's workers move within it. */
export const WORKER_LEASE_MS = 30_000;

export type LeaseResult =
  | { held: true; expiresAt: number; kind: "new" | "renewed" | "taken-over" }
  | { held: false; holder: string; expiresAt: number };

/** Takes or renews the lease `name` for `holder` (this process by default) for `ttlMs`, unless another holds it unexpired. */
export function acquireLease(name: string, opts: { ttlMs: number; holder?: string; now?: number }): LeaseResult {
  const holder = opts.holder ?? PROCESS_HOLDER;
  return transaction((tx) => {
    const now = opts.now ?? Date.now();
    const row = tx.select().from(leases).where(eq(leases.name, name)).get();
    const current: LeaseState | null = row
      ? { holder: row.holder, acquiredAt: row.acquiredAt.getTime(), expiresAt: row.expiresAt.getTime() }
      : null;
    const gone =
      current !== null && current.holder !== holder && current.expiresAt > now && goneFromThisHost(current.holder);
    const d = decideLease(current, holder, now, opts.ttlMs, gone);
    if (!d.take) return { held: false, holder: d.holder, expiresAt: d.expiresAt };
    const values = { holder, acquiredAt: new Date(d.lease.acquiredAt), expiresAt: new Date(d.lease.expiresAt) };
    tx.insert(leases)
      .values({ name, ...values })
      .onConflictDoUpdate({ target: leases.name, set: values })
      .run();
    return { held: true, expiresAt: d.lease.expiresAt, kind: d.kind };
  });
}

/** Gives the lease up (if `holder` holds it), so that another process may take it at once. */
export function releaseLease(name: string, holder = PROCESS_HOLDER): boolean {
  return (
    transaction((tx) =>
      tx
        .delete(leases)
        .where(and(eq(leases.name, name), eq(leases.holder, holder)))
        .run(),
    ).changes > 0
  );
}

/** The lease's current row (expired or not), for operators and tests. */
export function leaseOf(name: string): LeaseState | null {
  const row = db().select().from(leases).where(eq(leases.name, name)).get();
  return row ? { holder: row.holder, acquiredAt: row.acquiredAt.getTime(), expiresAt: row.expiresAt.getTime() } : null;
}

export interface LeasedWorker {
  readonly name: string;
  /** Whether this process holds the lease now (with a margin before it expires): a tick runs only then. */
  holds(): boolean;
  /** Stops the worker (if running here) and gives the lease up. */
  stop(): void;
}

export interface RunUnderLeaseOptions {
  ttlMs?: number;
  holder?: string;
  log?: (line: string) => void;
}

/**
 * Runs a background worker in whichever process holds the lease `name`: tries to take it now and
 * every third of its duration; `start` when taken, `stop` when lost (another process took it over
 * after this one failed to renew in time, e.g. a stalled event loop or a busy database). `start`
 * is given `holds`, for the worker's ticks to ask first.
 */
export function runUnderLease(
  name: string,
  worker: { start(holds: () => boolean): void; stop(): void },
  opts: RunUnderLeaseOptions = {},
): LeasedWorker {
  const ttlMs = opts.ttlMs ?? WORKER_LEASE_MS;
  const holder = opts.holder ?? PROCESS_HOLDER;
  const log = opts.log ?? ((line: string) => console.log(line));
  const margin = Math.floor(ttlMs / 6);
  let expiresAt: number | null = null;
  let running = false;
  let stopped = false;

  const holds = () => !stopped && mayAct(expiresAt, Date.now(), margin);
  const renew = () => {
    if (stopped) return;
    try {
      const r = acquireLease(name, { ttlMs, holder });
      if (r.held) {
        expiresAt = r.expiresAt;
        if (r.kind === "taken-over") log(`[lease] ${name}: taken over (its holder is gone or did not renew it)`);
      } else expiresAt = null;
    } catch (error) {
      // The database was busy or failing: the lease is kept, locally, until it would expire.
      console.error(`[lease] ${name}: cannot renew:`, error);
    }
    if (!running && holds()) {
      running = true;
      worker.start(holds);
    } else if (running && !holds()) {
      running = false;
      worker.stop();
      log(`[lease] ${name}: lost; the worker stops here`);
    }
  };
  const timer = setInterval(renew, renewEveryMs(ttlMs));
  timer.unref();
  renew();
  return {
    name,
    holds,
    stop() {
      if (stopped) return;
      stopped = true;
      clearInterval(timer);
      if (running) worker.stop();
      running = false;
      try {
        releaseLease(name, holder);
      } catch {
        // the database is gone already: the lease expires by itself
      }
    },
  };
}
