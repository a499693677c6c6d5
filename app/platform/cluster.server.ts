/**
 * WEB_CONCURRENCY > 1 (decision record 031): the cluster's primary forks that many worker
 * processes (node:cluster; they share the listening port), restarts one that dies unexpectedly
 * (with backoff, so a worker that cannot start does not spin), and on SIGTERM or SIGINT stops them
 * gracefully (each finishes its requests and gives its leases up), then runs `shutdown` (Litestream's
 * last sync) and exits. The primary itself serves no HTTP. A worker that refuses to start (the port
 * in use: an exit code in `refusalCodes`) is not restarted: another would refuse alike, forever;
 * the primary says why (the message the worker sent it) and stops with that code.
 */
import cluster, { type Worker } from "node:cluster";

/** The first restart waits this long; then twice as long after each quick death, up to the cap. */
export const RESTART_BASE_MS = 1000;
export const RESTART_CAP_MS = 30_000;
/** A worker that lived this long was running well: the next restart waits the base delay again. */
export const STABLE_AFTER_MS = 60_000;
/** Workers still running this long after SIGTERM are killed. */
const STOP_TIMEOUT_MS = 15_000;

/** The wait before restarting a worker that died after `livedMs`, the previous wait being `previousMs` (0: none). */
export function restartDelayMs(previousMs: number, livedMs: number): number {
  if (livedMs >= STABLE_AFTER_MS || previousMs <= 0) return RESTART_BASE_MS;
  return Math.min(previousMs * 2, RESTART_CAP_MS);
}

export interface SuperviseOptions {
  count: number;
  /** After the workers have exited: what the primary itself must stop (Litestream). */
  shutdown: () => Promise<void>;
  log?: (level: "info" | "error", line: string) => void;
  /** Exit codes with which a worker refuses to start (server.mjs: 2 and 3): the whole cluster stops with it. */
  refusalCodes?: number[];
}

/** What a worker that refuses to start sends the primary (process.send) before it exits. */
export interface StartupRefusalMessage {
  startupRefusal: string;
}

function isRefusalMessage(m: unknown): m is StartupRefusalMessage {
  return typeof m === "object" && m !== null && typeof (m as StartupRefusalMessage).startupRefusal === "string";
}

const defaultLog = (level: "info" | "error", line: string) =>
  level === "error" ? console.error(`[cluster] ${line}`) : console.log(`[cluster] ${line}`);

/** Runs the primary: forks `count` workers and supervises them until a signal stops them all. Never returns. */
export function superviseWorkers(opts: SuperviseOptions): Promise<never> {
  if (!cluster.isPrimary) throw new Error("superviseWorkers runs in the cluster's primary only");
  const log = opts.log ?? defaultLog;
  const started = new Map<number, number>(); // worker id -> when it was forked
  let delay = 0;
  let stopping = false;
  let exitCode = 0;
  let refusalTold = false;

  // A worker's refusal, said once (each worker that cannot start sends the same).
  cluster.on("message", (_w, message: unknown) => {
    if (!isRefusalMessage(message) || refusalTold) return;
    refusalTold = true;
    log("error", message.startupRefusal);
  });

  const fork = () => {
    const w = cluster.fork();
    started.set(w.id, Date.now());
  };
  // (a worker whose exit came before its disconnect is still listed, though dead)
  const living = (): Worker[] => Object.values(cluster.workers ?? {}).filter((w): w is Worker => !!w && !w.isDead());

  cluster.on("exit", (w, code, signal) => {
    const lived = Date.now() - (started.get(w.id) ?? Date.now());
    started.delete(w.id);
    if (stopping) {
      if (living().length === 0) void finish();
      return;
    }
    if (code !== null && opts.refusalCodes?.includes(code)) {
      exitCode = code;
      stop(`worker ${w.process.pid} cannot start (code ${code})`);
      return;
    }
    delay = restartDelayMs(delay, lived);
    log("error", `worker ${w.process.pid} died (${signal ?? `code ${code}`}); starting another in ${delay / 1000} s`);
    setTimeout(() => {
      if (!stopping) fork();
    }, delay);
  });

  let finished = false;
  const finish = async () => {
    if (finished) return;
    finished = true;
    try {
      await opts.shutdown();
    } finally {
      process.exit(exitCode);
    }
  };

  /** `why`: a signal, or a worker that cannot start. */
  const stop = (why: string) => {
    if (stopping) return;
    stopping = true;
    const line = `${why}: stopping ${living().length} worker${living().length === 1 ? "" : "s"}`;
    log(exitCode ? "error" : "info", line);
    for (const w of living()) w.process.kill("SIGTERM");
    if (living().length === 0) void finish();
    setTimeout(() => {
      for (const w of living()) w.process.kill("SIGKILL");
      void finish();
    }, STOP_TIMEOUT_MS).unref();
  };
  process.on("SIGTERM", () => stop("SIGTERM"));
  process.on("SIGINT", () => stop("SIGINT"));

  log("info", `primary ${process.pid}: starting ${opts.count} workers`);
  for (let i = 0; i < opts.count; i++) fork();
  return new Promise<never>(() => {});
}
