// npm run backup -- <dir> — backs up DATA_DIR into <dir> (new or empty): the database (SQLite's
// online backup API: safe while the portal serves), the signing keys, the evidence files, the
// session secret, and manifest.json with the SHA-256 of every file, the migration level, the time
// and the audit chain's head. Keep the backup as secret as the keys: it holds them.
import { z } from "zod";
import { closeDb } from "../db/connection";
import { createBackup } from "../app/platform/backup.server";
import { commandLine, runCli } from "./cli";

const USAGE = "Usage: npm run backup -- <backup directory (new or empty)>";
const args = z.tuple([z.string().trim().min(1)], { error: "give one backup directory" });

await runCli(async () => {
  const cli = commandLine(USAGE, {}, { positionals: true });
  if ("exit" in cli) return cli.exit;
  const { positionals } = cli;
  const parsed = args.safeParse(positionals);
  if (!parsed.success) {
    console.error(`<dir>: ${parsed.error.issues[0].message}\n${USAGE}`);
    return 2;
  }
  const r = await createBackup({ system: "cli:backup" }, parsed.data[0]);
  const m = r.manifest;
  console.log(`Backed up ${m.source.dataDir} to ${r.dir}: ${m.files.length} files, ${r.bytes} bytes.`);
  console.log(
    `  database (migration ${m.schema.lastMigration}), ${m.counts.signingKeys} signing key(s), ${m.counts.evidenceFiles} evidence file(s), ${m.counts.seals} seal(s), session secret ${m.sessionSecret}`,
  );
  console.log(
    `  audit chain: ${m.auditChain.events} events, head ${m.auditChain.head}${m.auditChain.intact ? "" : " — BROKEN (run npm run audit:verify)"}`,
  );
  closeDb();
  return m.auditChain.intact ? 0 : 1;
});
