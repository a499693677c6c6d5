// Shared by the command-line scripts: clear messages for bad input, no stack traces for expected errors.
import fs from "node:fs";
import path from "node:path";
import { parseArgs, type ParseArgsConfig } from "node:util";
import { NewerSchemaError } from "../db/connection";
import { dataDirOfEnvironment, dataDirProblem, EnvError } from "../app/platform/env.server";
import { ServiceError } from "../app/platform/errors.server";

export interface CliOptions {
  /**
   * What the script does with DATA_DIR. "existing" (the default): it works on the portal's
   * database, and a DATA_DIR without one is refused before anything is made there (a mistyped or
   * unset DATA_DIR would otherwise get a new, empty portal and a report of success). "create": it
   * may make the data directory and the database (npm run seed, like the server's first start).
   * "none": it does not open the database at DATA_DIR (restore, db:restore, verify-seal).
   */
  dataDir?: "existing" | "create" | "none";
  /**
   * Whether the modules' subscribers to domain events are wired before main (true by default).
   * False for a script that never changes the portal (verify-seal): it then loads none of the
   * portal's services, only what it imports itself.
   */
  wire?: boolean;
}

/** Exits 2 unless DATA_DIR holds an IoT Seal database; makes nothing. */
function requireExistingDatabase(): void {
  const dataDir = dataDirOfEnvironment();
  const problem = dataDirProblem(dataDir);
  if (problem) throw new EnvError([problem]);
  const file = path.join(dataDir, "iot-seal.db");
  if (!fs.existsSync(file)) {
    console.error(`No IoT Seal database at ${file}: set DATA_DIR to the portal's data directory.`);
    process.exit(2);
  }
}

export async function runCli(main: () => Promise<number>, opts: CliOptions = {}): Promise<never> {
  try {
    if ((opts.dataDir ?? "existing") === "existing") requireExistingDatabase();
    if (opts.wire ?? true) {
      // The modules' subscribers to domain events, before anything changes (this imports every service).
      const { wireEvents } = await import("../app/system/wiring.server");
      wireEvents();
    }
    process.exit(await main());
  } catch (error) {
    if (error instanceof EnvError) {
      console.error(error.message);
      process.exit(2);
    }
    // A database migrated by a newer version of IoT Seal: refused, as the server refuses it.
    if (error instanceof NewerSchemaError) {
      console.error(error.message);
      process.exit(3);
    }
    if (error instanceof ServiceError) {
      const fields = Object.entries(error.fieldErrors)
        .map(([k, v]) => `\n  ${k}: ${v}`)
        .join("");
      console.error(`Error: ${error.message}${fields}`);
      process.exit(2);
    }
    throw error;
  }
}

type Options = NonNullable<ParseArgsConfig["options"]>;
const HELP = { help: { type: "boolean", short: "h" } } as const;
type Parsed<O extends Options> = ReturnType<
  typeof parseArgs<{ options: O & typeof HELP; allowPositionals: boolean; strict: true }>
>;

/**
 * The script's command line (node:util parseArgs, strict, with -h/--help added): its values and
 * positionals, or `exit`, the code the script ends with: 0 once the usage is printed for --help,
 * 2 for an unknown or malformed option (the message, then the usage, on stderr).
 */
export function commandLine<const O extends Options>(
  usage: string,
  options: O,
  { positionals = false } = {},
): { exit: 0 | 2 } | { values: Parsed<O>["values"]; positionals: string[] } {
  let parsed: Parsed<O>;
  try {
    parsed = parseArgs({ options: { ...options, ...HELP }, allowPositionals: positionals, strict: true }) as Parsed<O>;
  } catch (error) {
    console.error(`${(error as Error).message}\n${usage}`);
    return { exit: 2 };
  }
  if ((parsed.values as { help?: boolean }).help) {
    console.log(usage);
    return { exit: 0 };
  }
  return { values: parsed.values, positionals: parsed.positionals };
}
