/**
 * Background work a shutdown waits for: a worker's run (sending a webhook, mail, a witness round,
 * a publication) awaits the network and then writes what happened. Stopped mid-flight, it would
 * resume after the database was closed; `db()` would open it again behind the shutdown's back
 * (or, in a test, open a fresh database in a data directory being removed) and the write would
 * land there, or nowhere. Each worker hands its run to `inBackground`; shutdown (startup.server.ts)
 * stops the timers first, then waits for the runs in flight, at most `timeoutMs`, before it closes
 * the database.
 */
const inFlight = new Set<Promise<unknown>>();

/** Registers a run of background work; returns it unchanged. */
export function inBackground<T>(run: Promise<T>): Promise<T> {
  inFlight.add(run);
  const done = () => inFlight.delete(run);
  run.then(done, done);
  return run;
}

/** How many runs are in flight now. */
export function backgroundRunsInFlight(): number {
  return inFlight.size;
}

/**
 * Resolves once every run in flight now has settled, or after `timeoutMs` (whichever is first);
 * null when nothing is in flight, so a caller can go on synchronously.
 */
export function backgroundSettled(timeoutMs: number): Promise<void> | null {
  if (!inFlight.size) return null;
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    Promise.allSettled([...inFlight]).then(() => undefined),
    new Promise<void>((resolve) => {
      timer = setTimeout(() => {
        console.warn(
          `[shutdown] ${inFlight.size} background run(s) still in flight after ${timeoutMs} ms; closing anyway`,
        );
        resolve();
      }, timeoutMs);
    }),
  ]).finally(() => clearTimeout(timer));
}
