// npm run audit:verify — recomputes the audit log's hash chain; exit 0 when intact, 1 naming the first broken row.
import { closeDb } from "../db/connection";
import { checkAuditChain } from "../app/platform/audit.server";
import { getEnv } from "../app/platform/env.server";
import { runCli } from "./cli";

await runCli(async () => {
  const result = checkAuditChain();
  const file = `${getEnv().dataDir}/iot-seal.db`;
  closeDb();
  if (result.ok) {
    console.log(`Audit chain intact: ${result.checked} events verified in ${file}. Head ${result.head}`);
    return 0;
  }
  console.error(
    `Audit chain BROKEN at event #${result.firstBrokenSeq}: ${result.reason}. (${result.checked} events before it verify.)`,
  );
  return 1;
});
