// npm run evidence:gc [-- --dry-run] — the evidence garbage collector, once (the server runs it with
// every lifecycle sweep): deletes evidence files no submission's evidence link and no recurring
// evidence names any more, 7 days after it first found them unreferenced (the files of every seal
// are named by its submission's links and are never deleted), and stored files no row names at
// all that are older than that; also removes abandoned temporary uploads. With --dry-run it prints
// what it would delete and changes nothing. Safe to run beside the server.
import { parseArgs } from "node:util";
import { z } from "zod";
import { closeDb } from "../db/connection";
import {
  collectEvidence,
  collectRemoteEvidence,
  describeCollection,
  sweepTemporaryUploads,
} from "../app/features/certification/evidence-gc.server";
import { runCli } from "./cli";

const USAGE = "Usage: npm run evidence:gc [-- --dry-run]";

await runCli(async () => {
  let values: Record<string, unknown>;
  try {
    ({ values } = parseArgs({
      options: { "dry-run": { type: "boolean" }, help: { type: "boolean", short: "h" } },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    console.error(`${(error as Error).message}\n${USAGE}`);
    return 2;
  }
  const opts = z.object({ "dry-run": z.boolean().default(false), help: z.boolean().default(false) }).parse(values);
  if (opts.help) {
    console.log(USAGE);
    return 0;
  }
  const actor = { system: "cli:evidence:gc" } as const;
  const marking = collectEvidence(actor, { dryRun: opts["dry-run"] });
  // On S3 the deletions happen here, after the marking (nothing to do on the local store).
  const remote = await collectRemoteEvidence(actor, { dryRun: opts["dry-run"] });
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
