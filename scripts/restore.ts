// npm run restore -- <dir> [--force] — restores a backup made by `npm run backup` into DATA_DIR.
// Stop the portal first. Every file is checked against the backup's manifest.json before anything
// is written; a non-empty DATA_DIR is refused unless --force (its contents are then moved to
// DATA_DIR/replaced-<time>/, not deleted). Private keys are restored with mode 0600.
import path from "node:path";
import { parseArgs } from "node:util";
import { z } from "zod";
import { restoreBackup } from "../app/platform/backup.server";
import { runCli } from "./cli";

const USAGE = "Usage: npm run restore -- <backup directory> [--force]   (restores into DATA_DIR, default ./data)";
const args = z.tuple([z.string().trim().min(1)], { error: "give one backup directory" });

await runCli(async () => {
  let positionals: string[];
  let values: { force?: boolean; help?: boolean };
  try {
    ({ positionals, values } = parseArgs({
      options: { force: { type: "boolean" }, help: { type: "boolean", short: "h" } },
      allowPositionals: true,
      strict: true,
    }));
  } catch (error) {
    console.error(`${(error as Error).message}\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
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
  console.log(
    `  audit chain: ${r.auditChain.ok ? `intact, ${r.auditChain.checked} events, head ${r.auditChain.head}` : "BROKEN (run npm run audit:verify)"}`,
  );
  return r.auditChain.ok ? 0 : 1;
});
