// npm run seed — creates whatever demo data is missing (idempotent). See app/demo/seed.server.ts.
import { closeDb } from "../db/connection";
import { seedDemoData } from "../app/demo/seed.server";
import { getEnv } from "../app/platform/env.server";
import { runCli } from "./cli";

const run = async (): Promise<number> => {
  const { created } = await seedDemoData();
  console.log(
    created.length
      ? `Created ${created.length} items in ${getEnv().dataDir}:\n  ${created.join("\n  ")}`
      : "Demo data already complete; nothing to do.",
  );
  closeDb();
  return 0;
};
await runCli(run, { dataDir: "create" }); // may make the data directory and the database, as the first start does
