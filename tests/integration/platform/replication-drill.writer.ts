// The process the replication drill kills (replication-drill.test.ts). It starts like the server
// does (startup(): migrations, signing key, checklists, the demo seed, and Litestream when
// DB_REPLICA is set), then writes through the app's own services until it is killed: each write
// is one transaction appending a transparency-log leaf (with its signed checkpoint) and an audit
// event. A line "ACK <n> <epoch ms>" is written to stdout only after the transaction committed:
// what the process acknowledged. DRILL_INTERVAL_MS sets the pause between writes. With
// DRILL_PUBLISH=true the public artefacts are published (PUBLISH_TO) after each write, and a line
// "PUB <log size> <epoch ms>" says what verifiers were shown: the publication runs ahead of the
// replica, as a server's does after a seal change.
import fs from "node:fs";
import { z } from "zod";
import { startup } from "../../../app/startup.server";
import { recordAudit } from "../../../app/platform/audit.server";
import { transaction } from "../../../app/platform/db.server";
import { appendLog } from "../../../app/features/trust/transparency-log.server";
import { publishArtefacts } from "../../../app/features/public/publication.server";

const interval = z.coerce
  .number()
  .int()
  .min(0)
  .max(1000)
  .parse(process.env.DRILL_INTERVAL_MS ?? "10");

const publish = process.env.DRILL_PUBLISH === "true";
const report = await startup();
fs.writeSync(1, `READY ${report.seeded.length} ${Date.now()}\n`);

for (let n = 1; ; n++) {
  transaction((tx) => {
    const leaf = appendLog(tx, { type: "drill.write", n });
    recordAudit(
      tx,
      { system: "drill" },
      { action: "drill.write", target: { type: "drill", id: String(n) }, details: { n, leaf } },
    );
  });
  fs.writeSync(1, `ACK ${n} ${Date.now()}\n`);
  if (publish) {
    const published = await publishArtefacts(); // null: the server's own worker is publishing now
    if (published) fs.writeSync(1, `PUB ${published.logSize} ${Date.now()}\n`);
  }
  await new Promise((r) => setTimeout(r, interval));
}
