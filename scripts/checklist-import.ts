// npm run checklist:import -- <file.yaml> [...]   or   npm run checklist:import -- --all
// Validates every named file first; prints each problem as file:line:col: path: message and
// imports nothing if any file is invalid. Importing unchanged content again is a no-op.
import path from "node:path";
import { closeDb } from "../db/connection";
import { importShippedChecklists, listShippedFiles } from "../app/features/catalogue/checklists.server";
import { commandLine, runCli } from "./cli";

const USAGE =
  "Usage: npm run checklist:import -- <checklists/<id>/<version>.yaml> [...]\n       npm run checklist:import -- --all";

await runCli(async () => {
  const cli = commandLine(USAGE, { all: { type: "boolean" } }, { positionals: true });
  if ("exit" in cli) return cli.exit;
  const { values, positionals } = cli;
  if (!values.all && positionals.length === 0) {
    console.error(`Give the checklist files to import, or --all.\n${USAGE}`);
    return 2;
  }
  const files = values.all ? listShippedFiles() : positionals.map((f) => path.resolve(f));
  const report = importShippedChecklists({ system: "cli:checklist:import" }, files, true);
  for (const f of report.failures) for (const line of f.lines) console.error(line);
  if (report.failures.length) {
    const invalid = report.failures.length;
    console.error(
      `\n${invalid} file${invalid === 1 ? "" : "s"} refused; ${report.results.length ? "the others were imported" : "nothing was imported"}.`,
    );
    closeDb();
    return 1;
  }
  for (const r of report.results) {
    console.log(
      r.outcome === "imported"
        ? `imported  ${r.checklistId} ${r.version}: ${r.requirements} requirements, sha256 ${r.hash}`
        : `unchanged ${r.checklistId} ${r.version}: already imported with the same content (sha256 ${r.hash}); nothing to do${r.retired ? " (it is retired, and stays retired)" : ""}`,
    );
  }
  closeDb();
  return 0;
});
