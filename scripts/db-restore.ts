// npm run db:restore -- <target data dir> [--timestamp <ISO 8601>] [--replica <url>] [--from <dir>] [--force]
// Restores the database from its Litestream replica (DB_REPLICA, or --replica) into a fresh data
// directory (refused if it already has a database; if it holds anything else, unless --force:
// then what it holds is kept, each evidence file checked against its SHA-256), at its newest state
// or at --timestamp, and prints the newest write restored (the recovery point). The replica holds
// only the database: --from <backup or old data dir> copies the signing keys, the session secret
// and the evidence files too; whatever is still missing is listed. Then the audit chain and the
// transparency log (against its last signed checkpoint) are checked, and the log against the
// publication verifiers were shown (PUBLISH_TO; unset: the old data directory's public-artefacts/,
// copied along). Exit 1 when a check fails, a signing key the restored seals or checkpoints need is
// missing, or the restored log is behind the publication (the portal would refuse to start).
// Decision 029.
import { z } from "zod";
import { parseEnv } from "../app/platform/env";
import { replicaUrlSchema } from "../app/platform/replica-url";
import { newestWriteLine, restoreDatabase } from "../app/system/db-restore.server";
import { commandLine, runCli } from "./cli";

const USAGE =
  "Usage: npm run db:restore -- <target data dir (fresh)> [--timestamp 2026-12-03T13:00:00Z] [--replica file:///path | s3://bucket/path] [--from <backup dir or old data dir>] [--force (a target that is not empty)]";

const input = z.object({
  target: z.string().trim().min(1, { error: "give the data directory to restore into" }),
  timestamp: z.iso
    .datetime({ offset: true, error: "must be an ISO 8601 time such as 2026-12-03T13:00:00Z" })
    .transform((v) => new Date(v))
    .optional(),
  replica: replicaUrlSchema.optional(),
  from: z.string().trim().min(1, { error: "must not be empty" }).optional(),
});

const run = async (): Promise<number> => {
  const cli = commandLine(
    USAGE,
    {
      timestamp: { type: "string" },
      replica: { type: "string" },
      from: { type: "string" },
      force: { type: "boolean" },
    },
    { positionals: true },
  );
  if ("exit" in cli) return cli.exit;
  const { values, positionals } = cli;
  if (positionals.length !== 1) {
    console.error(`<target data dir>: give exactly one directory (got ${positionals.length})\n${USAGE}`);
    return 2;
  }
  // The S3 settings (S3_ENDPOINT, S3_REGION, S3_FORCE_PATH_STYLE) and EVIDENCE_STORE, as the portal reads them.
  const env = parseEnv(process.env);
  if (!env.ok) {
    console.error(`Fix these environment variables:\n  ${env.errors.join("\n  ")}`);
    return 2;
  }
  const replicaRaw = values.replica ?? process.env.DB_REPLICA;
  const parsed = input.safeParse({
    target: positionals[0],
    timestamp: values.timestamp,
    replica: replicaRaw || undefined,
    from: values.from,
  });
  if (!parsed.success) {
    const name = (key: unknown) =>
      key === "target" ? "<target data dir>" : key === "replica" && !values.replica ? "DB_REPLICA" : `--${String(key)}`;
    console.error(`${parsed.error.issues.map((i) => `${name(i.path[0])}: ${i.message}`).join("\n")}\n${USAGE}`);
    return 2;
  }
  const { target, timestamp, replica, from } = parsed.data;
  if (!replica) {
    console.error(`--replica: give the replica to restore from, or set DB_REPLICA\n${USAGE}`);
    return 2;
  }
  const r = await restoreDatabase(
    { system: "cli:db-restore" },
    {
      dataDir: target,
      replica,
      timestamp,
      from,
      force: values.force === true,
      s3: env.env.s3,
      evidenceInS3: env.env.evidenceStore.kind === "s3",
      // As the restored portal will publish: PUBLISH_TO when set, else its own DATA_DIR/public-artefacts.
      publishTo: process.env.PUBLISH_TO?.trim() ? env.env.publishTo : undefined,
    },
  );
  console.log(
    `Restored ${r.replica}${r.timestamp ? ` as of ${r.timestamp}` : ""} into ${r.dataDir}/iot-seal.db: ${r.bytes} bytes in ${(r.restoreMs / 1000).toFixed(2)} s.`,
  );
  // What was restored, not what was asked for: the recovery point.
  console.log(`  ${newestWriteLine(r.newestWrite)}`);
  console.log(
    `  audit chain: ${r.auditChain.ok ? `intact, ${r.auditChain.checked} events` : `BROKEN at event #${r.auditChain.firstBrokenSeq}: ${r.auditChain.reason}`}`,
  );
  console.log(
    `  transparency log: ${r.log.leaves} leaves, ${r.log.ok ? `consistent with the checkpoint for ${r.log.checkpointSize}` : `INCONSISTENT: ${r.log.problem}`}${r.log.signatureVerified === null ? " (signature not checked: no keys)" : r.log.signatureVerified ? ", signature verified" : ""}`,
  );
  if (r.damaged.length)
    console.log(
      `  ${r.damaged.length} evidence file(s) already in ${r.dataDir} did not match their SHA-256: moved to ${r.damagedTo}`,
    );
  if (from)
    console.log(
      `  copied from ${from}: ${r.copied.keys} key file(s), session secret ${r.copied.sessionSecret ? "yes" : "no"}, ${r.copied.evidence} evidence file(s)`,
    );
  const p = r.publication;
  console.log(
    `  against the publication${p.target ? ` at ${p.target}` : ""}${p.copiedFrom ? ` (copied from ${p.copiedFrom})` : ""}: ${p.message}`,
  );
  const blocked = p.state === "behind" || p.state === "fork";
  if (r.missing.length) {
    console.log(
      `  STILL MISSING in ${r.dataDir} (copy them from a backup: npm run backup holds keys/, evidence/ and session-secret):`,
    );
    for (const m of r.missing) console.log(`    ${m}`);
    if (r.missing.some((m) => m.startsWith("evidence/")))
      console.log(
        "    (If the portal keeps its evidence in a bucket, run this with EVIDENCE_STORE set as the portal runs: evidence in a bucket is neither copied nor listed.)",
      );
  } else if (!blocked)
    console.log(
      `  nothing missing: start the portal with DATA_DIR pointing there${p.target && process.env.PUBLISH_TO?.trim() ? " (and PUBLISH_TO as here)" : ""}.`,
    );
  if (r.missingKeys.length)
    console.log(
      `  FAILED: ${r.missingKeys.length} signing key file(s) the restored seals and checkpoints need are missing (${r.missingKeys.join(", ")}). ` +
        `Without them those seals do not verify, and the portal refuses to start against a publication they signed. Copy keys/ from a backup (--from), then start it.`,
    );
  return r.auditChain.ok && r.log.ok && !r.missingKeys.length && !blocked ? 0 : 1;
};
await runCli(run, { dataDir: "none" }); // restores into the directory it is given, not DATA_DIR
