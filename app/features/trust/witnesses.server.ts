/**
 * Witness cosignatures of the transparency log (C2SP tlog-witness, tlog-cosignature): after a
 * checkpoint is signed (inside the transaction of a seal change, where no HTTP can happen), a
 * worker of the server process sends the latest checkpoint to each witness of LOG_WITNESSES with
 * add-checkpoint: the old size it last cosigned (log_witness_state), the consistency proof from
 * there, the log's signed note. A witness answers with its cosignature line; the line is stored
 * (log_cosignatures) only once it verifies under the witness's configured key, and is then served
 * after the log's own signature line on /log/checkpoint.
 *
 * - 409: the witness has cosigned another size (its answer says which): the state is resynced to
 *   it and the request is sent again at once, with the proof from that size.
 * - Failures (the witness down, a refusal, a cosignature that does not verify) are recorded as
 *   the witness's last_error and tried again with backoff (30 s doubling to 1 h, kept in memory:
 *   a restart tries at once). The log itself is never affected: appends do not wait for witnesses.
 * - Several processes may run the worker: each request is idempotent for the witness (a second
 *   one gets a 409 or the same cosignature) and a cosignature is stored once per tree size.
 */
import { and, desc, eq, inArray } from "drizzle-orm";
import { logCosignatures, logWitnessState } from "../../../db/schema";
import { nowMs } from "../../platform/clock.server";
import { db, transaction } from "../../platform/db.server";
import { getEnv } from "../../platform/env.server";
import type { LogWitness } from "../../platform/env";
import { inBackground } from "../../platform/background.server";
import { checkpointAt, consistencyProofFor, latestCheckpoint } from "./transparency-log.server";
import {
  addCheckpointBody,
  parseVerifierKey,
  parseWitnessSize,
  verifyCosignatures,
  withCosignatures,
  type VerifierKey,
} from "./domain/cosignature";

export const WITNESS_TIMEOUT_MS = 10_000;
const BACKOFF_MS = [30_000, 60_000, 120_000, 300_000, 900_000, 3_600_000];
const MAX_ANSWER_BYTES = 64 * 1024;

/** The cosignature lines stored for a tree size, in witness-name order. */
export function cosignatureLines(treeSize: number): string[] {
  return db()
    .select({ line: logCosignatures.line })
    .from(logCosignatures)
    .where(eq(logCosignatures.treeSize, treeSize))
    .orderBy(logCosignatures.witness)
    .all()
    .map((r) => r.line);
}

/** A signed checkpoint note with its stored witness cosignatures after the log's own signature line. */
export function cosignedNote(treeSize: number, note: string): string {
  return withCosignatures(note, cosignatureLines(treeSize));
}

/**
 * The latest checkpoint as /log/checkpoint serves it: the log's note and its witnesses'
 * cosignatures, and when it last changed (signed, or cosigned since; null for an empty log).
 */
export function latestCosignedCheckpoint(): { treeSize: number; note: string; modifiedAt: Date | null } {
  const latest = latestCheckpoint();
  const rows = db()
    .select({ line: logCosignatures.line, at: logCosignatures.at })
    .from(logCosignatures)
    .where(eq(logCosignatures.treeSize, latest.treeSize))
    .orderBy(logCosignatures.witness)
    .all();
  const signedAt = checkpointAt(latest.treeSize)?.at ?? null;
  const times = [signedAt, ...rows.map((r) => r.at)].filter((t): t is Date => t !== null).map((t) => t.getTime());
  return {
    treeSize: latest.treeSize,
    note: withCosignatures(
      latest.note,
      rows.map((r) => r.line),
    ),
    modifiedAt: times.length ? new Date(Math.max(...times)) : null,
  };
}

export interface WitnessOutcome {
  witness: string;
  /** What happened: cosigned (stored), current (nothing to send), waiting (backoff), failed. */
  result: "cosigned" | "current" | "waiting" | "failed";
  treeSize?: number;
  error?: string;
}

interface Configured extends LogWitness {
  key: VerifierKey | null;
}

function configured(): Configured[] {
  return getEnv().logWitnesses.map((w) => ({ ...w, key: parseVerifierKey(w.vkey) }));
}

/** In memory: failures in a row and the time of the next attempt, per witness. */
const backoff = new Map<string, { failures: number; nextAt: number }>();

function stateOf(name: string) {
  return db().select().from(logWitnessState).where(eq(logWitnessState.witness, name)).get() ?? null;
}

function saveState(name: string, size: number, lastError: string | null): void {
  const at = new Date(nowMs());
  db()
    .insert(logWitnessState)
    .values({ witness: name, size, at, lastError })
    .onConflictDoUpdate({ target: logWitnessState.witness, set: { size, at, lastError } })
    .run();
}

function recordError(name: string, size: number, message: string): WitnessOutcome {
  saveState(name, size, message.slice(0, 500));
  const b = backoff.get(name) ?? { failures: 0, nextAt: 0 };
  b.failures++;
  b.nextAt = nowMs() + BACKOFF_MS[Math.min(b.failures - 1, BACKOFF_MS.length - 1)];
  backoff.set(name, b);
  return { witness: name, result: "failed", error: message };
}

async function post(
  url: string,
  body: string,
  fetchImpl: typeof fetch,
): Promise<{ status: number; type: string; text: string }> {
  const res = await fetchImpl(url, {
    method: "POST",
    body,
    headers: { "Content-Type": "text/plain; charset=utf-8" },
    redirect: "error",
    signal: AbortSignal.timeout(WITNESS_TIMEOUT_MS),
  });
  const bytes = Buffer.from(await res.arrayBuffer());
  if (bytes.length > MAX_ANSWER_BYTES) throw new Error(`the answer is larger than ${MAX_ANSWER_BYTES} bytes`);
  return { status: res.status, type: res.headers.get("content-type") ?? "", text: bytes.toString("utf8") };
}

/** One witness: add-checkpoint for the latest checkpoint, with one resync on a 409. */
async function witnessOne(
  w: Configured,
  latest: { treeSize: number; note: string },
  opts: { force: boolean; fetch: typeof fetch },
): Promise<WitnessOutcome> {
  const state = stateOf(w.name);
  let old = state?.size ?? 0;
  if (!w.key) return recordError(w.name, old, "The configured verifier key is not a cosignature/v1 Ed25519 key.");
  const stored = db()
    .select({ s: logCosignatures.treeSize })
    .from(logCosignatures)
    .where(and(eq(logCosignatures.treeSize, latest.treeSize), eq(logCosignatures.witness, w.name)))
    .get();
  if (stored && old >= latest.treeSize) return { witness: w.name, result: "current", treeSize: latest.treeSize };
  const b = backoff.get(w.name);
  if (!opts.force && b && nowMs() < b.nextAt) return { witness: w.name, result: "waiting" };
  for (let attempt = 0; attempt < 2; attempt++) {
    if (old > latest.treeSize)
      return recordError(
        w.name,
        old,
        `The witness has cosigned size ${old}, larger than this log's ${latest.treeSize}: another log under the same origin, or a fork.`,
      );
    let proof: Buffer[] = [];
    if (old > 0 && old < latest.treeSize) {
      const p = consistencyProofFor(old, latest.treeSize);
      if (!p.ok) return recordError(w.name, old, `No consistency proof from size ${old}: ${p.message}`);
      proof = p.value.proof.map((h) => Buffer.from(h, "base64"));
    }
    let answer: Awaited<ReturnType<typeof post>>;
    try {
      answer = await post(w.url, addCheckpointBody(old, proof, latest.note), opts.fetch);
    } catch (error) {
      const e = error as Error & { cause?: { code?: string; message?: string } };
      const why = e.cause?.code ?? e.cause?.message ?? e.message;
      return recordError(w.name, old, `The witness could not be reached at ${w.url}: ${why}`);
    }
    if (answer.status === 409) {
      const size = parseWitnessSize(answer.text);
      if (size === null) return recordError(w.name, old, "409 Conflict without a tree size (text/x.tlog.size).");
      if (size === old)
        return recordError(w.name, old, `409 Conflict at size ${old}: the witness holds another root for it.`);
      old = size; // resync: the witness's latest cosigned size is the old size of the next request
      saveState(w.name, old, `409 Conflict: the witness had cosigned size ${size}; resynced.`);
      continue;
    }
    if (answer.status !== 200)
      return recordError(w.name, old, `HTTP ${answer.status} from the witness: ${answer.text.trim().slice(0, 200)}`);
    const verified = verifyCosignatures(latest.note, answer.text, w.key, nowMs());
    if (!verified.ok) return recordError(w.name, old, verified.message);
    const first = verified.cosignatures[0];
    transaction((tx) => {
      tx.insert(logCosignatures)
        .values({ treeSize: latest.treeSize, witness: w.name, line: first.line, at: new Date(first.timestamp * 1000) })
        .onConflictDoNothing()
        .run();
      tx.insert(logWitnessState)
        .values({ witness: w.name, size: latest.treeSize, at: new Date(nowMs()), lastError: null })
        .onConflictDoUpdate({
          target: logWitnessState.witness,
          set: { size: latest.treeSize, at: new Date(nowMs()), lastError: null },
        })
        .run();
    });
    backoff.delete(w.name);
    return { witness: w.name, result: "cosigned", treeSize: latest.treeSize };
  }
  return recordError(w.name, old, "409 Conflict twice in a row: the witness's size keeps changing.");
}

/**
 * One round: every configured witness is sent the latest checkpoint unless it already cosigned
 * it or is waiting out its backoff (`force` ignores the backoff: tests, a manual run). Never
 * throws for a witness's failure; the outcomes say what happened.
 */
export async function runWitnessRound(opts: { force?: boolean; fetch?: typeof fetch } = {}): Promise<WitnessOutcome[]> {
  const witnesses = configured();
  if (!witnesses.length) return [];
  const latest = latestCheckpoint();
  if (latest.treeSize === 0) return witnesses.map((w) => ({ witness: w.name, result: "current" as const }));
  return Promise.all(
    witnesses.map((w) => witnessOne(w, latest, { force: opts.force ?? false, fetch: opts.fetch ?? fetch })),
  );
}

/** Every configured witness's state (for admins and tests): its last cosigned size and last error. */
export function witnessStates() {
  const names = configured().map((w) => w.name);
  if (!names.length) return [];
  return db().select().from(logWitnessState).where(inArray(logWitnessState.witness, names)).all();
}

/** The newest stored cosignature per witness (for tests and monitoring). */
export function latestCosignature(witness: string) {
  return (
    db()
      .select()
      .from(logCosignatures)
      .where(eq(logCosignatures.witness, witness))
      .orderBy(desc(logCosignatures.treeSize))
      .limit(1)
      .get() ?? null
  );
}

// --- The worker in the server process ----------------------------------------------------------

let worker: NodeJS.Timeout | undefined;
let running = false;
let mayRun: () => boolean = () => true;
const WORKER_EVERY_MS = 5_000;

function tick(): void {
  if (running) return; // a slow witness never stacks rounds
  if (!mayRun()) return; // another process holds the witness worker's lease (decision record 031)
  running = true;
  inBackground(runWitnessRound())
    .then((outcomes) => {
      for (const o of outcomes) if (o.result === "failed") console.error(`[witness] ${o.witness}: ${o.error}`);
    })
    .catch((error) => console.error("[error] witness round:", error))
    .finally(() => {
      running = false;
    });
}

/**
 * Starts this process's witness worker (when LOG_WITNESSES names any): a round at once and every
 * 5 seconds. A round is cheap when nothing changed: it reads the latest checkpoint's size and
 * each witness's state, and sends nothing.
 */
export function startWitnessWorker(opts: { holds?: () => boolean } = {}): void {
  if (!getEnv().logWitnesses.length || worker) return;
  mayRun = opts.holds ?? (() => true);
  for (const w of configured())
    if (!w.key) console.error(`[witness] ${w.name}: the verifier key is not a cosignature/v1 Ed25519 key`);
  worker = setInterval(tick, WORKER_EVERY_MS).unref();
  tick();
}

export function stopWitnessWorker(): void {
  if (worker) clearInterval(worker);
  worker = undefined;
}
