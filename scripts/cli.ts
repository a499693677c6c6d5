// Shared by the command-line scripts: clear messages for bad input, no stack traces for expected errors.
import { EnvError } from "../app/platform/env.server";
import { ServiceError } from "../app/platform/errors.server";
import { wireEvents } from "../app/system/wiring.server";

export async function runCli(main: () => Promise<number>): Promise<never> {
  try {
    wireEvents(); // the modules' subscribers to domain events, before anything changes
    process.exit(await main());
  } catch (error) {
    if (error instanceof EnvError) {
      console.error(error.message);
      process.exit(2);
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
