/** What the server does once when it starts: check the environment, migrate, seed the demo. */
import { closeDb } from "../db/connection";
import { signingKeys } from "./features/trust/adapters/signing-keys.server";
import { getEnv } from "./platform/env.server";
import { importShippedChecklists } from "./features/catalogue/checklists.server";
import { db } from "./platform/db.server";
import { ensureLogTree } from "./features/trust/log-tree.server";
import { sweepTemporaryUploads } from "./features/certification/evidence-gc.server";
import { describeSweep, runLifecycleSweep } from "./system/sweep.server";
import { dispatchWebhooks } from "./features/retail/webhooks.server";
import { seedDemoData } from "./demo/seed.server";
import { wireEvents } from "./system/wiring.server";
import { startMailWorker, stopMailWorker } from "./features/notifications/mail.server";
import { startWitnessWorker, stopWitnessWorker } from "./features/trust/witnesses.server";
import { warmSbomValidatorsInBackground } from "./features/certification/sbom.server";
import { startPublicationWorker, stopPublicationWorker } from "./features/public/publication.server";
import { startReplication, type Replication } from "./platform/replication.server";

export interface StartupReport {
  env: {
    port: number;
    host: string;
    baseUrl: string;
    dataDir: string;
    demoMode: boolean;
    nodeEnv: string;
    cookieSecure: boolean;
    trustProxy: boolean;
    logRequests: boolean;
  };
  seeded: string[];
  checklists: { imported: string[]; problems: string[] };
  /** Temporary uploads (`.part`) left by a process that died mid-upload, removed at start-up. */
  temporaryUploadsRemoved: string[];
}

export async function startup(): Promise<StartupReport> {
  const env = getEnv();
  wireEvents(); // the modules' subscribers to domain events, before anything changes
  db(); // opens the database and applies pending migrations
  // DB_REPLICA: Litestream ships the database's changes to the replica (decision 029); the portal does not wait for it.
  if (env.dbReplica && !replication)
    replication = startReplication({ dataDir: env.dataDir, target: env.dbReplica, s3: env.s3 });
  // A data directory from before the stored Merkle tree (log_nodes) gets it now, in one transaction.
  const logLeavesBackfilled = ensureLogTree();
  if (logLeavesBackfilled) console.log(`Stored the transparency log's tree for ${logLeavesBackfilled} leaves.`);
  // Uploads a killed process left half-written: no request of this process holds them yet, and
  // those nothing has written to for 10 minutes belong to no request of any other process either
  // (the rest go with a later sweep).
  const temporaryUploadsRemoved = sweepTemporaryUploads();
  if (temporaryUploadsRemoved.length)
    console.log(
      `Removed ${temporaryUploadsRemoved.length} abandoned temporary upload${temporaryUploadsRemoved.length === 1 ? "" : "s"}.`,
    );
  await signingKeys(env.dataDir).ensureActive(); // the seal signing key, created on first start
  // Every shipped checklist file not yet in the database is imported; a bad file is reported, not fatal.
  const shipped = importShippedChecklists({ system: "startup" });
  const checklists = {
    imported: shipped.results.filter((r) => r.outcome === "imported").map((r) => r.versionId),
    problems: shipped.failures.flatMap((f) => f.lines),
  };
  const seeded = env.demoMode ? (await seedDemoData()).created : [];
  // The mail outbox is sent every 10 s and right after a commit that queues mail (without SMTP_URL mails are kept, not sent).
  startMailWorker();
  startLifecycleSweeper();
  // The log's witnesses (LOG_WITNESSES) are sent each new checkpoint to cosign, every 5 s, with backoff on failure.
  startWitnessWorker();
  // The public artefacts are published to PUBLISH_TO for verifiers (decision 028): caught up now, then after each change.
  startPublicationWorker();
  const { port, host, baseUrl, dataDir, demoMode, nodeEnv, cookieSecure, trustProxy, logRequests } = env;
  return {
    env: { port, host, baseUrl, dataDir, demoMode, nodeEnv, cookieSecure, trustProxy, logRequests },
    seeded,
    checklists,
    temporaryUploadsRemoved,
  };
}

/**
 * Work worth doing once the server listens, in the background: compiling the SBOM schemas (about
 * 2 s of CPU, once per process, one schema per turn of the event loop), so the first SBOM upload
 * does not wait for it. The server calls it; tests and scripts never do.
 */
export function warmUp(): void {
  warmSbomValidatorsInBackground();
}

let sweeper: NodeJS.Timeout | undefined;
const SWEEP_EVERY_MS = 15 * 60 * 1000;

/** Runs the lifecycle sweep now and every 15 minutes (idempotent; safe beside other processes doing the same). */
function startLifecycleSweeper(): void {
  const sweep = () => {
    try {
      const report = runLifecycleSweep();
      if (
        report.expired.length +
        report.suspended.length +
        report.restated.length +
        report.reinstated.length +
        report.evidence.deleted.length +
        report.evidence.orphanFiles.length +
        report.temporaryUploads.length
      )
        console.log(describeSweep(report));
    } catch (error) {
      console.error("[error] lifecycle sweep:", error);
    }
  };
  sweep();
  sweeper ??= setInterval(sweep, SWEEP_EVERY_MS).unref();
  // Webhook deliveries (written with each seal event) are sent within seconds, retried with backoff.
  dispatcher ??= setInterval(() => {
    dispatchWebhooks().catch((error) => console.error("[error] webhook dispatch:", error));
  }, DISPATCH_EVERY_MS).unref();
}

let dispatcher: NodeJS.Timeout | undefined;
const DISPATCH_EVERY_MS = 2000;

let replication: Replication | undefined;

/** Stops the workers and closes the database, then stops Litestream (after its last sync): await it before exiting. */
export function shutdown(): Promise<void> {
  if (sweeper) clearInterval(sweeper);
  if (dispatcher) clearInterval(dispatcher);
  sweeper = dispatcher = undefined;
  stopMailWorker();
  stopWitnessWorker();
  stopPublicationWorker();
  closeDb();
  const stopping = replication?.stop() ?? Promise.resolve();
  replication = undefined;
  return stopping;
}
