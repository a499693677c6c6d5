/**
 * What the server does when it starts: check the environment, migrate, seed the demo, start the
 * background workers. With WEB_CONCURRENCY > 1 (decision record 031) the cluster's primary does
 * the work that must happen once (migrations, back-fills, checklist import, demo seed, signing key,
 * Litestream) before it forks; each worker only opens the database and offers to run the
 * background workers, each of which runs in one process at a time (its lease).
 */
import path from "node:path";
import { closeDb } from "../db/connection";
import { signingKeys } from "./features/trust/adapters/signing-keys.server";
import { EnvError, getEnv } from "./platform/env.server";
import { demoModeProblem } from "./platform/env";
import { importShippedChecklists } from "./features/catalogue/checklists.server";
import { revokeTokensOfDisabledCreators } from "./features/accounts/api-tokens.server";
import {
  encryptStoredTwoStepSecrets,
  strengthenLegacyRecoveryCodes,
  TWO_STEP_KEY_FILE,
} from "./features/accounts/two-step-secrets.server";
import { encryptStoredWebhookSecrets, WEBHOOK_KEY_FILE } from "./features/retail/webhook-secrets.server";
import { db } from "./platform/db.server";
import { backgroundSettled, inBackground } from "./platform/background.server";
import { ensureLogTree } from "./features/trust/log-tree.server";
import { signLogAsServer } from "./features/trust/transparency-log.server";
import { sweepBodySpills } from "./platform/http/request-body.server";
import { sweepTemporaryUploads } from "./features/certification/evidence-gc.server";
import { describeSweep, runLifecycleSweep } from "./system/sweep.server";
import { dispatchWebhooks, removeWebhooksOfDisabledCreators } from "./features/retail/webhooks.server";
import { seedDemoData } from "./demo/seed.server";
import { wireEvents } from "./system/wiring.server";
import { startMailWorker, stopMailWorker } from "./features/notifications/mail.server";
import { startWitnessWorker, stopWitnessWorker } from "./features/trust/witnesses.server";
import { warmSbomValidatorsInBackground } from "./features/certification/sbom.server";
import {
  publishedLogProblem,
  startPublicationWorker,
  stopPublicationWorker,
} from "./features/public/publication.server";
import { litestreamProblem, startReplication, type Replication } from "./platform/replication.server";
import { folderProblem } from "./features/public/adapters/publication-sinks.server";
import { s3TargetProblem } from "./features/certification/adapters/s3-evidence-store.server";
import { sweepDurableTemps } from "./platform/durable-fs.server";
import { runUnderLease, type LeasedWorker } from "./platform/leases.server";
import { closeRateLimitStore } from "./platform/rate-limit-store.server";
import { pruneRateLimitCounters } from "./platform/http/rate-limits.server";

/** single: one process does everything; primary: the once-only work, then forks; worker: HTTP and background workers. */
export type ProcessRole = "single" | "primary" | "worker";

export interface StartupReport {
  /** What this process is: the only one, the cluster's primary (forks, serves nothing) or one of its workers. */
  role: ProcessRole;
  env: {
    port: number;
    host: string;
    baseUrl: string;
    dataDir: string;
    demoMode: boolean;
    nodeEnv: string;
    cookieSecure: boolean;
    trustProxy: number;
    logRequests: boolean;
    webConcurrency: number;
  };
  seeded: string[];
  checklists: { imported: string[]; problems: string[] };
  /** Temporary uploads (`.part`) left by a process that died mid-upload, removed at start-up. */
  temporaryUploadsRemoved: string[];
  /** With `deferBackgroundWorkers` (and a process that runs them, not the primary): starts them; call it once serving. */
  startBackgroundWorkers?: () => void;
}

/**
 * Each bucket the environment names (EVIDENCE_STORE, PUBLISH_TO, DB_REPLICA), listed once, side by
 * side: settings the bucket refuses (it does not exist, the credentials, the region) are problems
 * that stop the start, naming the variable; a store that does not answer now is said and the start
 * goes on (it may come back: uploads answer 503 meanwhile, publication and replication retry).
 */
async function bucketProblems(env: ReturnType<typeof getEnv>): Promise<string[]> {
  const targets: { name: string; bucket: string; prefix: string; meanwhile: string }[] = [];
  if (env.evidenceStore.kind === "s3")
    targets.push({
      name: "EVIDENCE_STORE",
      ...env.evidenceStore,
      meanwhile: "evidence uploads and downloads answer 503",
    });
  if (env.publishTo.kind === "s3")
    targets.push({ name: "PUBLISH_TO", ...env.publishTo, meanwhile: "publication is retried" });
  if (env.dbReplica?.kind === "s3")
    targets.push({ name: "DB_REPLICA", ...env.dbReplica, meanwhile: "Litestream retries" });
  const found = await Promise.all(targets.map((t) => s3TargetProblem(env.s3, t.bucket, t.prefix)));
  const problems: string[] = [];
  found.forEach((problem, i) => {
    const t = targets[i];
    const where = `s3://${t.bucket}${t.prefix ? `/${t.prefix}` : ""}${env.s3.endpoint ? ` at ${env.s3.endpoint}` : ""}`;
    if (problem?.kind === "misconfigured") problems.push(`${t.name}: ${where}: ${problem.reason}`);
    else if (problem)
      console.warn(
        `[s3] ${t.name} (${where}) does not answer now (${problem.reason}); the portal starts, and until it does ${t.meanwhile}.`,
      );
  });
  return problems;
}

/** The portal must not start on this data directory; `message` says why and what to do. */
export class StartupRefusal extends Error {
  readonly refusal = true;
}

/**
 * `clusterWorker`: this process was forked by the cluster's primary (node:cluster's isWorker).
 * `deferBackgroundWorkers`: the background workers are left for the caller to start
 * (report.startBackgroundWorkers), as the server does once its port is bound: a process that
 * then cannot listen (the port in use) has sent no mail and taken no lease.
 */
export async function startup(
  opts: { clusterWorker?: boolean; deferBackgroundWorkers?: boolean } = {},
): Promise<StartupReport> {
  const env = getEnv();
  const demoProblem = demoModeProblem(env); // the demo's published password on a public address: refused
  if (demoProblem) throw new EnvError([demoProblem]);
  if (!opts.clusterWorker) {
    // What the environment names but this machine cannot do: refused at start, not retried in the background.
    const problems: string[] = [];
    const folder = env.publishTo.kind === "folder" ? folderProblem(env.publishTo.dir) : null;
    if (folder)
      problems.push(`PUBLISH_TO: ${folder}: give a folder this process can write, s3://bucket/prefix, or none`);
    const litestream = env.dbReplica ? litestreamProblem() : null;
    if (litestream) problems.push(litestream);
    problems.push(...(await bucketProblems(env)));
    if (problems.length) throw new EnvError(problems);
  }
  const deferred = opts.deferBackgroundWorkers ? { startBackgroundWorkers } : {};
  const role: ProcessRole = opts.clusterWorker ? "worker" : env.webConcurrency > 1 ? "primary" : "single";
  wireEvents(); // the modules' subscribers to domain events, before anything changes
  db(); // opens the database and applies pending migrations (a worker finds them applied by the primary)
  // The server signs the log under its own PUBLIC_URL (a move is deliberate); says so when that changes the origin.
  const logMoved = signLogAsServer({ quiet: role === "worker" });
  if (role === "worker") {
    if (!opts.deferBackgroundWorkers) startBackgroundWorkers();
    const nothing = { seeded: [], checklists: { imported: [], problems: [] }, temporaryUploadsRemoved: [] };
    return { role, env: reportedEnv(), ...nothing, ...deferred };
  }
  // A data directory from before the stored Merkle tree (log_nodes) gets it now, in one transaction.
  const logLeavesBackfilled = ensureLogTree();
  if (logLeavesBackfilled) console.log(`Stored the transparency log's tree for ${logLeavesBackfilled} leaves.`);
  // Never a log behind what was published (a restore from a trailing replica): its next append would fork it.
  // Nor a data directory without the keys that signed what was published (restored without keys/):
  // asked before ensureActive below, which would make a new key, and the publisher then a JWKS without the old ones.
  // Asked before Litestream starts, so a refused database does not become a new generation in the replica.
  const logBehind = await publishedLogProblem();
  if (logBehind) throw new StartupRefusal(logBehind);
  if (logMoved) console.warn(logMoved); // a new address whose publication target is not the old one's
  // DB_REPLICA: Litestream ships the database's changes to the replica (decision 029); the portal does not wait for it.
  if (env.dbReplica && !replication)
    replication = startReplication({ dataDir: env.dataDir, target: env.dbReplica, s3: env.s3 });
  // Uploads a killed process left half-written: no request of this process holds them yet, and
  // those nothing has written to for 10 minutes belong to no request of any other process either
  // (the rest go with a later sweep).
  const temporaryUploadsRemoved = sweepTemporaryUploads();
  if (temporaryUploadsRemoved.length)
    console.log(
      `Removed ${temporaryUploadsRemoved.length} abandoned temporary upload${temporaryUploadsRemoved.length === 1 ? "" : "s"}.`,
    );
  // Request bodies a killed process had spilled to disk (request-body.server.ts), by the same rule.
  const bodySpills = sweepBodySpills();
  if (bodySpills.length)
    console.log(
      `Removed ${bodySpills.length} request bod${bodySpills.length === 1 ? "y" : "ies"} a stopped process left on disk.`,
    );
  // Half-written key, secret and signature files of a killed process (writeFileDurableSync's temporaries).
  const durableTemps = sweepDurableTemps([
    env.dataDir,
    path.join(env.dataDir, "keys"),
    path.join(env.dataDir, "csaf", "signatures"),
  ]);
  if (durableTemps.length)
    console.log(
      `Removed ${durableTemps.length} temporary file${durableTemps.length === 1 ? "" : "s"} a stopped process left half-written: ${durableTemps.map((f) => path.relative(env.dataDir, f)).join(", ")}.`,
    );
  await signingKeys(env.dataDir).ensureActive(); // the seal signing key, created on first start
  // Two-step login's app keys stored before they were encrypted are encrypted now (decision 039).
  const twoStep = encryptStoredTwoStepSecrets(env.dataDir);
  if (twoStep.encrypted)
    console.log(
      `Encrypted ${twoStep.encrypted} two-step login key${twoStep.encrypted === 1 ? "" : "s"} at rest (under keys/${TWO_STEP_KEY_FILE}).`,
    );
  if (twoStep.cannotOpen)
    console.warn(
      `${twoStep.cannotOpen} account${twoStep.cannotOpen === 1 ? " uses" : "s use"} two-step login, but keys/${TWO_STEP_KEY_FILE} is missing, cannot be read or is not the key their app keys were kept under: their app codes cannot be checked (recovery codes still work). Copy keys/ from a backup (npm run db:restore -- <data dir> --from <backup>).`,
    );
  // Recovery codes made when they were kept as a bare SHA-256: wrapped in the slow hash (decision 039).
  const strengthened = strengthenLegacyRecoveryCodes();
  if (strengthened)
    console.log(
      `Wrapped ${strengthened} recovery code${strengthened === 1 ? "" : "s"} kept as a bare SHA-256 in the slow salted hash.`,
    );
  // Likewise the webhook endpoints' signing secrets; without their key, deliveries are held, never sent unsigned.
  const webhookSecrets = encryptStoredWebhookSecrets(env.dataDir);
  if (webhookSecrets.encrypted)
    console.log(
      `Encrypted ${webhookSecrets.encrypted} webhook signing secret${webhookSecrets.encrypted === 1 ? "" : "s"} at rest (under keys/${WEBHOOK_KEY_FILE}).`,
    );
  if (webhookSecrets.heldFor)
    console.warn(
      `${webhookSecrets.heldFor} webhook endpoint${webhookSecrets.heldFor === 1 ? "" : "s"} cannot be signed for: keys/${WEBHOOK_KEY_FILE} is missing, cannot be read or is not the key their secrets were kept under. Their deliveries are held (none is sent unsigned or given up) until it is back. Copy keys/ from a backup (npm run db:restore -- <data dir> --from <backup>).`,
    );
  // Every shipped checklist file not yet in the database is imported; a bad file is reported, not fatal.
  const shipped = importShippedChecklists({ system: "startup" });
  const checklists = {
    imported: shipped.results.filter((r) => r.outcome === "imported").map((r) => r.versionId),
    problems: shipped.failures.flatMap((f) => f.lines),
  };
  // API tokens still active though their creator's account is disabled (disabled before disabling revoked them).
  const tokensRevoked = revokeTokensOfDisabledCreators({ system: "startup" });
  if (tokensRevoked)
    console.log(
      `Revoked ${tokensRevoked} API token${tokensRevoked === 1 ? "" : "s"} whose creator's account is disabled.`,
    );
  // Likewise the webhook endpoints they registered (disabled before disabling removed them).
  const webhooksRemoved = removeWebhooksOfDisabledCreators({ system: "startup" });
  if (webhooksRemoved)
    console.log(
      `Removed ${webhooksRemoved} webhook endpoint${webhooksRemoved === 1 ? "" : "s"} whose creator's account is disabled.`,
    );
  const seeded = env.demoMode ? (await seedDemoData()).created : [];
  // The primary serves nothing and runs no background worker: it lets go of the database before forking.
  if (role === "primary") closeDb();
  else if (!opts.deferBackgroundWorkers) startBackgroundWorkers();
  return {
    role,
    env: reportedEnv(),
    seeded,
    checklists,
    temporaryUploadsRemoved,
    ...(role === "primary" ? {} : deferred),
  };
}

function reportedEnv(): StartupReport["env"] {
  const { port, host, baseUrl, dataDir, demoMode, nodeEnv, cookieSecure, trustProxy, logRequests, webConcurrency } =
    getEnv();
  return { port, host, baseUrl, dataDir, demoMode, nodeEnv, cookieSecure, trustProxy, logRequests, webConcurrency };
}

let leased: LeasedWorker[] = [];

/**
 * The background workers, each under its lease (decision record 031): whichever process holds a
 * worker's lease runs it; the others stand by and take it over once it expires (its holder died)
 * or is given up (its holder stopped).
 */
function startBackgroundWorkers(): void {
  if (leased.length) return;
  leased = [
    // The mail outbox is sent every 10 s and right after a commit that queues mail (without SMTP_URL mails are kept, not sent).
    runUnderLease("worker:mail", { start: (holds) => startMailWorker({ holds }), stop: stopMailWorker }),
    runUnderLease("worker:lifecycle-sweep", { start: startLifecycleSweeper, stop: stopLifecycleSweeper }),
    // Webhook deliveries (written with each seal event) are sent within seconds, retried with backoff.
    runUnderLease("worker:webhooks", { start: startWebhookDispatcher, stop: stopWebhookDispatcher }),
    // The log's witnesses (LOG_WITNESSES) are sent each new checkpoint to cosign, every 5 s, with backoff on failure.
    runUnderLease("worker:witnesses", { start: (holds) => startWitnessWorker({ holds }), stop: stopWitnessWorker }),
    // The public artefacts are published to PUBLISH_TO for verifiers (decision 028): caught up now, then after each change.
    runUnderLease("worker:publication", {
      start: (holds) => startPublicationWorker({ holds }),
      stop: stopPublicationWorker,
    }),
    // The rate limits' counters that no longer count are deleted every minute.
    runUnderLease("worker:rate-limit-prune", { start: startRateLimitPruner, stop: stopRateLimitPruner }),
  ];
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
function startLifecycleSweeper(holds: () => boolean): void {
  const sweep = () => {
    if (!holds()) return;
    try {
      const report = runLifecycleSweep();
      if (
        report.certificates.length +
        report.expired.length +
        report.suspended.length +
        report.restated.length +
        report.reinstated.length +
        report.evidence.deleted.length +
        report.evidence.orphanFiles.length +
        report.temporaryUploads.length +
        report.failures.length
      )
        console.log(describeSweep(report));
    } catch (error) {
      console.error("[error] lifecycle sweep:", error);
    }
  };
  sweep();
  sweeper ??= setInterval(sweep, SWEEP_EVERY_MS).unref();
}

function stopLifecycleSweeper(): void {
  if (sweeper) clearInterval(sweeper);
  sweeper = undefined;
}

let dispatcher: NodeJS.Timeout | undefined;
const DISPATCH_EVERY_MS = 2000;

function startWebhookDispatcher(holds: () => boolean): void {
  dispatcher ??= setInterval(() => {
    if (!holds()) return;
    inBackground(dispatchWebhooks()).catch((error) => console.error("[error] webhook dispatch:", error));
  }, DISPATCH_EVERY_MS).unref();
}

function stopWebhookDispatcher(): void {
  if (dispatcher) clearInterval(dispatcher);
  dispatcher = undefined;
}

let pruner: NodeJS.Timeout | undefined;

function startRateLimitPruner(holds: () => boolean): void {
  pruner ??= setInterval(() => {
    if (!holds()) return;
    try {
      pruneRateLimitCounters();
    } catch (error) {
      console.error("[error] rate limit pruning:", error);
    }
  }, 60_000).unref();
}

function stopRateLimitPruner(): void {
  if (pruner) clearInterval(pruner);
  pruner = undefined;
}

let replication: Replication | undefined;

/** How long a shutdown waits for the background runs in flight (a webhook, a mail, a publication) before it closes the database. */
const BACKGROUND_GRACE_MS = 5_000;

/**
 * Stops the workers, lets the runs in flight finish (at most BACKGROUND_GRACE_MS; the database is
 * closed at once when none is), closes the database, then stops Litestream (after its last sync):
 * await it before exiting.
 */
export function shutdown(): Promise<void> {
  // Each worker stops and gives its lease up, so that another process (if any) takes it over at once.
  for (const w of leased) w.stop();
  leased = [];
  stopLifecycleSweeper();
  stopWebhookDispatcher();
  stopRateLimitPruner();
  stopMailWorker();
  stopWitnessWorker();
  stopPublicationWorker();
  const close = () => {
    closeRateLimitStore();
    closeDb();
    const stopping = replication?.stop() ?? Promise.resolve();
    replication = undefined;
    return stopping;
  };
  const settled = backgroundSettled(BACKGROUND_GRACE_MS);
  return settled ? settled.then(close) : close();
}
