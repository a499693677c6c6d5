// npm run evidence:gc [-- --dry-run] — the evidence garbage collector, once (the server runs it with
// every lifecycle sweep): deletes evidence files no submission's evidence link and no recurring
// evidence names any more, 7 days after it first found them unreferenced (the files of every seal
// are named by its submission's links and are never deleted), and stored files no row names at
// all that are older than that; also removes abandoned temporary uploads. With --dry-run it prints
// what it would delete and changes nothing. Safe to run beside the server.
import { closeDb } from "../db/connection";
import {
  collectEvidence,
  collectRemoteEvidence,
  describeCollection,
  sweepTemporaryUploads,
} from "../app/features/certification/evidence-gc.server";
import { commandLine, runCli } from "./cli";

const USAGE = "Usage: npm run evidence:gc [-- --dry-run]";

await runCli(async () => {
  const cli = commandLine(USAGE, { "dry-run": { type: "boolean" } });
  if ("exit" in cli) return cli.exit;
  const dryRun = cli.values["dry-run"] ?? false;
  const actor = { system: "cli:evidence:gc" } as const;
  const marking = collectEvidence(actor, { dryRun: dryRun });
  // On S3 the deletions happen here, after the marking (nothing to do on the local store).
  const remote = await collectRemoteEvidence(actor, { dryRun: dryRun });
  const report = {
    ...marking,
    deleted: [...marking.deleted, ...remote.deleted],
    orphanFiles: [...marking.orphanFiles, ...remote.orphanFiles],
    bytes: marking.bytes + remote.bytes,
    abortedUploads: remote.abortedUploads,
  };
  for (const f of report.deleted)
    console.log(
      `${report.dryRun ? "would delete" : "deleted"} ${f.sha256} (${f.size} bytes, unreferenced since ${f.unreferencedSince})`,
    );
  for (const sha of report.orphanFiles)
    console.log(`${report.dryRun ? "would delete" : "deleted"} ${sha} (stored file no row names)`);
  if (!report.dryRun) {
    const temp = sweepTemporaryUploads();
    if (temp.length) console.log(`removed ${temp.length} abandoned temporary upload${temp.length === 1 ? "" : "s"}`);
  }
  console.log(describeCollection(report));
  closeDb();
  return 0;
});
