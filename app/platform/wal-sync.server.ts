/**
 * An fdatasync on a helper thread, waited for synchronously: the main thread starts the sync of a
 * file, goes on with other work (a seal's certificate PDF is rendered meanwhile, decision record
 * 035), then waits for the sync to end. The wait is Atomics.wait on shared memory, so a caller
 * that is synchronous (a better-sqlite3 transaction's commit) stays synchronous.
 *
 * One helper thread per process, made on first use; if it cannot be made, or it does not answer
 * within HELPER_TIMEOUT_MS (it died), the sync runs on the calling thread instead, from then on.
 */
import fs from "node:fs";
import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from "node:worker_threads";

/** The helper's code (eval'd: the built server has no separate file for it). */
const HELPER = `
const { workerData, receiveMessageOnPort } = require("node:worker_threads");
const fs = require("node:fs");
const { state, port } = workerData; // state: [0] the last request's id, [1] the last finished id
let seen = 0;
for (;;) {
  // A bounded wait, so the thread can be ended between requests (process exit, terminate()).
  Atomics.wait(state, 0, seen, 250);
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

/** How long a sync may take on the helper before the caller stops waiting and syncs itself. */
export const HELPER_TIMEOUT_MS = 5_000;

interface Helper {
  state: Int32Array;
  port: MessagePort;
  worker: Worker;
  next: number;
}

/** undefined: not made yet; null: unavailable (syncs run on the calling thread). */
let helper: Helper | null | undefined;

function makeHelper(): Helper | null {
  try {
    const state = new Int32Array(new SharedArrayBuffer(8));
    const { port1, port2 } = new MessageChannel();
    const worker = new Worker(HELPER, { eval: true, workerData: { state, port: port2 }, transferList: [port2] });
    worker.unref();
    port1.unref();
    worker.on("error", (error) => {
      console.error("[db] the WAL sync helper thread failed; syncs run on the main thread:", error);
      if (helper?.worker === worker) helper = null;
    });
    return { state, port: port1, worker, next: 0 };
  } catch (error) {
    console.error("[db] could not start the WAL sync helper thread; syncs run on the main thread:", error);
    return null;
  }
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

/** Starts the fdatasync of `path` on the helper thread (on this thread, at once, when it is unavailable). */
export function startSync(path: string): PendingSync {
  if (helper === undefined) helper = makeHelper();
  const h = helper;
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
            `[db] the WAL sync helper thread did not answer within ${HELPER_TIMEOUT_MS} ms; syncs run on the main thread`,
          );
          if (helper === h) helper = null;
          void h.worker.terminate();
          return syncNow(path);
        }
        Atomics.wait(h.state, 1, done, left);
      }
      // An error was posted before its id was marked finished; earlier ids' errors were read by their waiters.
      for (let m = receiveMessageOnPort(h.port); m; m = receiveMessageOnPort(h.port)) {
        const r = m.message as { id: number; error: NonNullable<SyncError> };
        if (r.id === id) return r.error;
      }
      return null;
    },
  };
}
