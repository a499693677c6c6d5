// npm run seed — creates whatever demo data is missing (idempotent). See app/demo/seed.server.ts.
import { closeDb } from "../db/connection";
import { seedDemoData } from "../app/demo/seed.server";
import { getEnv } from "../app/platform/env.server";
import { runCli } from "./cli";

await runCli(async () => {
  const { created } = await seedDemoData();
  console.log(
    created.length
      ? `Created ${created.length} items in ${getEnv().dataDir}:\n  ${created.join("\n  ")}`
      : "Demo data already complete; nothing to do.",
  );
  closeDb();
  return 0;
});
