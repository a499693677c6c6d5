// npm run restore -- <dir> [--force] — restores a backup made by `npm run backup` into DATA_DIR.
// Stop the portal first. Every file is checked against the backup's manifest.json before anything
// is written; a non-empty DATA_DIR is refused unless --force (its contents are then moved to
// DATA_DIR/replaced-<time>/, not deleted; the published artefacts, DATA_DIR/public-artefacts by
// default, stay where they are). Private keys are restored with mode 0600. Then the restored
// transparency log is checked against the published checkpoint, as the server does at start-up:
// exit 1 when the backup is behind what verifiers were shown (the server would refuse to start;
// npm run log:recover puts the missing entries back), 2 for bad input, 0 otherwise.
import path from "node:path";
import { z } from "zod";
import { restoreBackup } from "../app/platform/backup.server";
import { hasPublishedLog, publicationTargetName, publishedLogProblem } from "../app/features/public/publication.server";
import { getEnv } from "../app/platform/env.server";
import { closeDb } from "../db/connection";
import { commandLine, runCli } from "./cli";

const USAGE = "Usage: npm run restore -- <backup directory> [--force]   (restores into DATA_DIR, default ./data)";
const args = z.tuple([z.string().trim().min(1)], { error: "give one backup directory" });

const run = async (): Promise<number> => {
  const cli = commandLine(USAGE, { force: { type: "boolean" } }, { positionals: true });
  if ("exit" in cli) return cli.exit;
  const { values, positionals } = cli;
  const parsed = args.safeParse(positionals);
  if (!parsed.success) {
    console.error(`<dir>: ${parsed.error.issues[0].message}\n${USAGE}`);
    return 2;
  }
  // Only DATA_DIR is read from the environment: the usual start-up would create a session secret
  // in it, and the directory must stay as it is until the backup is verified.
  const dataDir = path.resolve(process.env.DATA_DIR || "./data");
  const r = await restoreBackup({ system: "cli:restore" }, parsed.data[0], dataDir, { force: values.force ?? false });
  const m = r.manifest;
  console.log(
    `Restored the backup of ${m.createdAt} (${r.files} files, ${r.bytes} bytes, every SHA-256 verified) into ${r.dataDir}.`,
  );
  if (r.replacedTo)
    console.log(`  The previous contents are in ${r.replacedTo}: delete it once the restored portal works.`);
  for (const kept of r.publicationKept)
    console.log(`  The published artefacts in ${kept} were left in place: they are what verifiers were shown.`);
  console.log(
    `  audit chain: ${r.auditChain.ok ? `intact, ${r.auditChain.checked} events, head ${r.auditChain.head}` : "BROKEN (run npm run audit:verify)"}`,
  );
  // The start-up check (the same function): a restored log behind the published one must not be appended to.
  const problem = await publishedLogProblem();
  const published = problem ? true : await hasPublishedLog();
  closeDb();
  if (problem) {
    console.log(`  against the publication: NOT IN AGREEMENT. ${problem}`);
    console.log(
      "  The portal refuses to start on this data directory until this is resolved. A log behind the publication: run npm run log:recover (portal stopped, same DATA_DIR, PUBLISH_TO and PUBLIC_URL or PORT).",
    );
  } else if (published === false)
    console.log(
      `  against the publication: nothing published at ${publicationTargetName(getEnv().publishTo)} yet. If verifiers were served a publication from elsewhere (a bucket, a CDN's origin folder), ` +
        "start the portal with PUBLISH_TO set to it: it refuses to start behind it, and npm run log:recover takes the missing entries from it.",
    );
  else console.log("  against the publication: in agreement.");
  return r.auditChain.ok && !problem ? 0 : 1;
};
await runCli(run, { dataDir: "none" }); // restores into DATA_DIR, which may be empty or new
