/**
 * Recovery of the transparency log from its publication (`npm run log:recover`). A database
 * restored from a replica or backup that trailed what the publisher had already written lacks
 * the last leaves verifiers were shown; start-up refuses it (publishedLogProblem), because its
 * next append would sign a different tree of a size already published: a forked log. This puts
 * those leaves back from the published entry bundles (C2SP tlog-tiles), checked three ways
 * before anything is written: the published checkpoint is signed by one of this portal's keys for
 * this log's origin; the entries already here are byte for byte those published; the tree of all
 * of them has the checkpoint's root. Then, in the same transaction, each recovered seal event is
 * recorded again under its leaf (trust's replayLoggedSealEvent): a revocation or suspension the
 * public was shown is not undone by the next publication of the status lists. A seal issued in
 * the lost window cannot be rebuilt (its leaf holds only its credential's hash; its submission's
 * approval is lost with it): its credential, found in the publication and checked to be the one
 * logged, is recorded as a lost seal, revoked by a new leaf (trust's recordLostSeal), so the
 * credential in circulation reads as revoked everywhere and its serial and status-list positions
 * are never given to another seal. The report names it, for the operator.
 */
import { recordAudit } from "../../platform/audit.server";
import type { AnyActor } from "../../platform/actor";
import { transaction } from "../../platform/db.server";
import { getEnv } from "../../platform/env.server";
import type { PublishTarget } from "../../platform/env";
import { parseEntryBundle, tilePath, tileWidthAt, TILE_WIDTH, type TileRef } from "../trust/domain/tiles";
import { treeRoot } from "../trust/log-tree.server";
import {
  loggedSealEvent,
  lostSealFacts,
  recordLostSeal,
  replayLoggedSealEvent,
  type LostSealFacts,
} from "../trust/seal-status.server";
import { currentLogOrigin, logSize, logTile, restoreLeaves } from "../trust/transparency-log.server";
import type { PublicationSink } from "./adapters/publication-sinks.server";
import { storedPathOf } from "./domain/publication";
import { sealBySerial } from "../certification/seals.server";
import { isValidSerial } from "../trust/domain/serial";
import { forgetPublishedState, sinkFor, thisLogsCheckpoint, unverifiedCheckpointProblem } from "./publication.server";

export interface RecoveredEvent {
  index: number;
  event: string | null;
  serial: string | null;
  /** Whether the seal's state and history were brought back to what the entry states. */
  replayed: boolean;
  message: string;
  /** An issuance whose seal this database lacks, recorded as a lost seal and revoked by a new leaf. */
  lostSeal?: { serial: string; revokedLogIndex: number };
}

export interface LogRecoveryReport {
  target: string;
  /** The published checkpoint's size; null when nothing of this log is published there. */
  publishedSize: number | null;
  /** This database's log size before the recovery. */
  localSize: number;
  /** The leaves put back (0: nothing to do). */
  recovered: RecoveredEvent[];
}

/** Thrown when the publication cannot be used to recover the log; nothing was written. */
export class LogRecoveryRefused extends Error {}

/** The published entries of leaves [from, to): `to` is the published tree size. */
async function publishedEntries(sink: PublicationSink, from: number, to: number): Promise<Buffer[]> {
  const out: Buffer[] = [];
  for (let n = Math.floor(from / TILE_WIDTH); n * TILE_WIDTH < to; n++) {
    const width = tileWidthAt(0, n, to);
    const candidates: TileRef[] =
      width === TILE_WIDTH
        ? [{ level: "entries", index: n }]
        : // The partial bundle of the published size; once the tile filled, the publisher removed
          // the partial ones and a full bundle begins with the same entries.
          [
            { level: "entries", index: n, width },
            { level: "entries", index: n },
          ];
    let entries: Buffer[] | null = null;
    for (const ref of candidates) {
      const bytes = await sink.get(storedPathOf(`/log/${tilePath(ref)}`));
      if (!bytes) continue;
      entries = parseEntryBundle(bytes);
      if (!entries || entries.length < width)
        throw new LogRecoveryRefused(
          `The published entry bundle log/${tilePath(ref)} is malformed or short (${entries?.length ?? "unparseable"} of ${width} entries).`,
        );
      break;
    }
    if (!entries)
      throw new LogRecoveryRefused(
        `The publication has no entry bundle for leaves ${n * TILE_WIDTH}..${n * TILE_WIDTH + width - 1} (log/${tilePath(candidates[0])}).`,
      );
    const start = n * TILE_WIDTH;
    for (let i = Math.max(from, start); i < start + width; i++) out.push(entries[i - start]);
  }
  return out;
}

type LostSealCheck = { ok: true; facts: LostSealFacts } | { ok: false; message: string };

/** A recovered leaf's entry, or null when it is not JSON (restoreLeaves refuses such a leaf). */
function entryOf(bytes: Buffer): unknown {
  try {
    return JSON.parse(bytes.toString("utf8"));
  } catch {
    return null;
  }
}

/**
 * The issuances among the recovered leaves (the first is leaf `from`) whose seal this database
 * lacks, each with its published credential checked (trust's lostSealFacts) or why it cannot be
 * used, and the revocation of such a seal among them (a recovery before this one revoked it: its
 * leaf is reused, not appended again). Read before the recovery's transaction: the checks are
 * asynchronous.
 */
async function lostSealsAmong(
  sink: PublicationSink,
  from: number,
  leaves: Buffer[],
): Promise<{
  checks: Map<number, LostSealCheck>;
  revocations: Map<string, { logIndex: number; at: Date; reason: string }>;
}> {
  const checks = new Map<number, LostSealCheck>();
  const revocations = new Map<string, { logIndex: number; at: Date; reason: string }>();
  const issued: Parameters<typeof lostSealFacts>[0][] = [];
  for (const [k, bytes] of leaves.entries()) {
    const parsed = loggedSealEvent.safeParse(entryOf(bytes));
    if (!parsed.success || !isValidSerial(parsed.data.serial) || sealBySerial(parsed.data.serial)) continue;
    const e = parsed.data;
    if (e.event === "issued") issued.push({ index: from + k, ...e });
    else if (e.event === "revoked" && !revocations.has(e.serial))
      revocations.set(e.serial, { logIndex: from + k, at: new Date(e.at), reason: e.reason ?? "" });
  }
  for (const leaf of issued) {
    const jws = await sink.get(storedPathOf(`/s/${leaf.serial}/credential`));
    checks.set(
      leaf.index,
      jws
        ? await lostSealFacts(leaf, jws.toString("utf8"))
        : { ok: false, message: `the publication has no credential for ${leaf.serial}` },
    );
  }
  return { checks, revocations };
}

/**
 * The leaves of tile `n` this database has, as its own entry bundle: what the published bundle
 * must begin with.
 */
function localEntries(n: number, size: number): Buffer[] {
  const width = tileWidthAt(0, n, size);
  if (width === 0) return [];
  const tile = logTile(
    tilePath(width === TILE_WIDTH ? { level: "entries", index: n } : { level: "entries", index: n, width }),
  );
  if (!tile.ok) throw new Error(`This database's entry bundle ${n} cannot be read: ${tile.message}`);
  return parseEntryBundle(tile.bytes)!;
}

/**
 * Puts back the log leaves published at `target` that this database lacks, and replays the seal
 * events among them (see the module comment). Refuses (LogRecoveryRefused, nothing written) a
 * publication that is not this log's, disagrees with the leaves here, or lacks an entry bundle.
 */
export async function recoverLogFromPublication(
  actor: AnyActor,
  target: PublishTarget = getEnv().publishTo,
): Promise<LogRecoveryReport> {
  if (target.kind === "none")
    throw new LogRecoveryRefused("PUBLISH_TO=none: there is no publication to recover the log from.");
  const sink = sinkFor(target);
  const localSize = logSize();
  const note = await sink.get(storedPathOf("/log/checkpoint"));
  if (!note) return { target: sink.name, publishedSize: null, localSize, recovered: [] };
  const published = thisLogsCheckpoint(note);
  if (!published) {
    // This log's, but signed by keys missing here: nothing can be checked against it, and starting is refused too.
    const missingKeys = unverifiedCheckpointProblem(sink, note);
    if (missingKeys)
      throw new LogRecoveryRefused(
        `${missingKeys} Copy keys/ from a backup (npm run db:restore -- <data dir> --from <backup>, or by hand), then run this again.`,
      );
    return { target: sink.name, publishedSize: null, localSize, recovered: [] };
  }
  if (published.treeSize <= localSize) {
    if (!treeRoot(published.treeSize).equals(published.rootHash))
      throw new LogRecoveryRefused(
        `The log published at ${sink.name} (${published.treeSize} entries) is not this database's log at that size: they have forked. Nothing to recover from it.`,
      );
    return { target: sink.name, publishedSize: published.treeSize, localSize, recovered: [] };
  }

  // The published bundles from the start of the tile holding this log's next leaf: the part this
  // database has must be its own, byte for byte.
  const tileStart = Math.floor(localSize / TILE_WIDTH) * TILE_WIDTH;
  const fetched = await publishedEntries(sink, tileStart, published.treeSize);
  const mine = localEntries(tileStart / TILE_WIDTH, localSize);
  for (const [k, entry] of mine.entries())
    if (!entry.equals(fetched[k]))
      throw new LogRecoveryRefused(
        `Leaf ${tileStart + k} published at ${sink.name} is not this database's leaf ${tileStart + k}: the logs have forked. Nothing recovered.`,
      );
  const missing = fetched.slice(mine.length);
  const lost = await lostSealsAmong(sink, localSize, missing);

  const recovered: RecoveredEvent[] = [];
  try {
    transaction((tx) => {
      const { from, to } = restoreLeaves(tx, missing, note.toString("utf8"));
      forgetPublishedState(tx, target); // the publication is newer than this database's record of it
      for (const [k, bytes] of missing.entries()) {
        const index = from + k;
        const r = replayLoggedSealEvent(tx, actor, index, JSON.parse(bytes.toString("utf8")));
        const found = lost.checks.get(index);
        const recorded = found?.ok
          ? recordLostSeal(tx, actor, found.facts, lost.revocations.get(found.facts.serial))
          : found;
        if (!recorded) recovered.push({ index, ...r });
        else if (!recorded.ok)
          recovered.push({ index, ...r, message: `${r.message} Not recorded as a lost seal: ${recorded.message}.` });
        else
          recovered.push({
            index,
            ...r,
            lostSeal: { serial: r.serial!, revokedLogIndex: recorded.logIndex },
            message: `issued, but this database has no row for it: its credential (from the publication, checked against the leaf) is recorded as a lost seal, revoked by leaf ${recorded.logIndex}; its serial and status-list positions stay taken. The supplier's submission must be approved again.`,
          });
      }
      recordAudit(tx, actor, {
        action: "log.recovered",
        target: { type: "log", id: currentLogOrigin() },
        details: {
          source: sink.name,
          from,
          to,
          replayed: recovered.filter((e) => e.replayed).map((e) => e.index),
          notReplayed: recovered.filter((e) => !e.replayed).map((e) => ({ index: e.index, message: e.message })),
          lostSeals: recovered.flatMap((e) => (e.lostSeal ? [e.lostSeal] : [])),
        },
      });
    });
  } catch (error) {
    if (error instanceof RangeError) throw new LogRecoveryRefused(`${error.message} Nothing recovered.`);
    throw error;
  }
  return { target: sink.name, publishedSize: published.treeSize, localSize, recovered };
}
