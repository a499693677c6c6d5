/**
 * An fdatasync on a helper thread, waited for synchronously: the main thread starts the sync of a
 * file, goes on with other work (a seal's certificate PDF is rendered meanwhile, decision record
 * 035), then waits for the sync to end. The wait is Atomics.wait on shared memory, so a caller
 * that is synchronous (a better-sqlite3 transaction's commit) stays synchronous.
 *
 * One helper thread per process, started by the first sync that could use it; until it is ready, when it
 * cannot be made or has ended, or while it has not finished a sync it was given HELPER_TIMEOUT_MS
 * ago, syncs run on the calling thread.
 */
import fs from "node:fs";
import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from "node:worker_threads";

/** The helper's code (eval'd: the built server has no separate file for it). */
const HELPER = `
const { workerData, receiveMessageOnPort } = require("node:worker_threads");
const fs = require("node:fs");
const { state, port } = workerData; // state: [0] the last request's id, [1] the last finished id, [2] ready
Atomics.store(state, 2, 1);
let seen = 0;
for (;;) {
  Atomics.wait(state, 0, seen); // terminate() (or the process's exit) ends the thread here
  seen = Atomics.load(state, 0);
  for (let m = receiveMessageOnPort(port); m; m = receiveMessageOnPort(port)) {
    const { id, path } = m.message;
    let fd;
    let error = null;
    try {
      fd = fs.openSync(path, "r");
      fs.fdatasyncSync(fd);
    } catch (e) {
      error = { code: e && e.code ? String(e.code) : null, message: String(e && e.message ? e.message : e) };
    } finally {
      if (fd !== undefined) try { fs.closeSync(fd); } catch {}
    }
    if (error) port.postMessage({ id, error }); // before the id is marked finished: the waiter reads it then
    Atomics.store(state, 1, id);
    Atomics.notify(state, 1);
  }
}
`;

/**
 * How long a sync may take on the helper before the caller stops waiting and syncs itself. The
 * helper is used again once it has finished that sync (a slow disk), never if it does not (it died).
 */
export const HELPER_TIMEOUT_MS = 5_000;

interface Helper {
  state: Int32Array;
  port: MessagePort;
  worker: Worker;
  next: number;
  /** A sync the caller stopped waiting for: the helper is skipped until it has finished it. */
  stuckAt: number | null;
  /** Errors read from the port for syncs whose waiter has not asked yet. */
  errors: Map<number, NonNullable<SyncError>>;
}

/** undefined: not made yet; null: unavailable (syncs run on the calling thread). */
let helper: Helper | null | undefined;

function makeHelper(): Helper | null {
  try {
    const state = new Int32Array(new SharedArrayBuffer(12));
    const { port1, port2 } = new MessageChannel();
    const worker = new Worker(HELPER, { eval: true, workerData: { state, port: port2 }, transferList: [port2] });
    worker.unref();
    port1.unref();
    const gone = (error?: unknown) => {
      if (error) console.error("[db] the WAL sync helper thread failed; syncs run on the main thread:", error);
      if (helper?.worker === worker) helper = null;
    };
    worker.on("error", gone);
    worker.on("exit", () => gone());
    return { state, port: port1, worker, next: 0, stuckAt: null, errors: new Map() };
  } catch (error) {
    console.error("[db] could not start the WAL sync helper thread; syncs run on the main thread:", error);
    return null;
  }
}

/**
 * Starts the helper thread (the first sync that could use it does; until the thread is ready, syncs
 * run on the calling thread, never waiting for it to boot).
 */
export function startWalSyncHelper(): void {
  if (helper === undefined) helper = makeHelper();
}

/** Whether the helper thread has booted and takes syncs. */
export function walSyncHelperReady(): boolean {
  return !!helper && Atomics.load(helper.state, 2) === 1;
}

/** How many syncs the helper has finished (0 without one): for tests that check what waited for it. */
export function helperSyncsFinished(): number {
  return helper ? Atomics.load(helper.state, 1) : 0;
}

/** The outcome of a sync: null when done, or the error (its code, such as "ENOENT", and message). */
export type SyncError = { code: string | null; message: string } | null;

/** A sync started on the helper: `wait()` blocks until it has ended and gives its outcome (once). */
export interface PendingSync {
  wait(): SyncError;
}

/** The fdatasync of `path` on this thread. */
export function syncNow(path: string): SyncError {
  let fd: number | undefined;
  try {
    fd = fs.openSync(path, "r");
    fs.fdatasyncSync(fd);
    return null;
  } catch (error) {
    const e = error as NodeJS.ErrnoException;
    return { code: e.code ?? null, message: e.message };
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

/** The helper, when it can take a sync now: made, booted, and not stuck on one it was given. */
function usableHelper(): Helper | null {
  startWalSyncHelper();
  const h = helper;
  if (!h || Atomics.load(h.state, 2) !== 1) return null;
  if (h.stuckAt !== null) {
    if (Atomics.load(h.state, 1) < h.stuckAt) return null;
    h.stuckAt = null; // it finished that one: a slow disk, not a dead thread
  }
  return h;
}

/** Starts the fdatasync of `path` on the helper thread (on this thread, at once, when it cannot take it). */
export function startSync(path: string): PendingSync {
  const h = usableHelper();
  if (!h) {
    const outcome = syncNow(path);
    return { wait: () => outcome };
  }
  const id = ++h.next;
  h.port.postMessage({ id, path });
  Atomics.store(h.state, 0, id);
  Atomics.notify(h.state, 0);
  return {
    wait(): SyncError {
      const deadline = performance.now() + HELPER_TIMEOUT_MS;
      for (;;) {
        const done = Atomics.load(h.state, 1);
        if (done >= id) break;
        const left = deadline - performance.now();
        if (left <= 0) {
          console.error(
            `[db] the WAL sync helper thread did not finish a sync within ${HELPER_TIMEOUT_MS} ms; synced on the main thread`,
          );
          h.stuckAt = id;
          return syncNow(path);
        }
        Atomics.wait(h.state, 1, done, left);
      }
      // An error was posted before its id was marked finished.
      for (let m = receiveMessageOnPort(h.port); m; m = receiveMessageOnPort(h.port)) {
        const r = m.message as { id: number; error: NonNullable<SyncError> };
        h.errors.set(r.id, r.error);
      }
      const error = h.errors.get(id) ?? null;
      h.errors.delete(id);
      return error;
    },
  };
}
