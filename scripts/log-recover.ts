// npm run log:recover — puts back the transparency-log leaves this database lost but PUBLISH_TO
// still shows (a database restored from a replica or backup that trailed the publication, which
// start-up refuses), read from the published entry bundles and checked against the published
// checkpoint; then records again the seal events among them (revocations, suspensions,
// reinstatements, expiries), so the next publication does not undo what verifiers were shown; a
// seal issued in the lost window (its record gone with the approval) is revoked as a lost seal,
// its published credential checked, and its serial and status-list positions kept from reuse.
// Run it with the server stopped, after `npm run db:restore` and before starting the server.
// Exits 0 when the log agrees with the publication afterwards (or there was nothing to do), 1 when
// the publication cannot be used (nothing written), 2 for bad settings.
import { getEnv } from "../app/platform/env.server";
import { LogRecoveryRefused, recoverLogFromPublication } from "../app/features/public/log-recovery.server";
import { closeDb } from "../db/connection";
import { runCli } from "./cli";

await runCli(async () => {
  const env = getEnv();
  try {
    const r = await recoverLogFromPublication({ system: "cli:log:recover" }, env.publishTo);
    if (r.publishedSize === null) {
      console.log(
        `No checkpoint of this log at ${r.target} (none, or another log's): nothing to recover. This database's log has ${r.localSize} leaves.`,
      );
      return 0;
    }
    if (!r.recovered.length) {
      console.log(
        `The log published at ${r.target} (${r.publishedSize} leaves) agrees with this database's (${r.localSize} leaves): nothing to recover.`,
      );
      return 0;
    }
    console.log(
      `Recovered ${r.recovered.length} log leaves (${r.localSize}..${r.publishedSize - 1}) from ${r.target}; the log now matches its published checkpoint of ${r.publishedSize} leaves.`,
    );
    for (const e of r.recovered)
      console.log(
        `  leaf ${e.index}: ${e.serial ? `seal ${e.serial} ` : ""}${e.replayed || e.lostSeal ? "" : "NOT REPLAYED: "}${e.message}`,
      );
    const lost = r.recovered.filter((e) => e.lostSeal);
    if (lost.length)
      console.log(
        `${lost.length} seal(s) issued in the lost window revoked as lost seals: ${lost.map((e) => e.serial).join(", ")}. Their suppliers' submissions are to be approved again.`,
      );
    const left = r.recovered.filter((e) => !e.replayed && !e.lostSeal && e.event !== null);
    if (left.length)
      console.log(
        `${left.length} seal event(s) could not be recorded again; see above. The server can start: its log will not fork.`,
      );
    else console.log("Every seal event among them is recorded again. The server can start.");
    return 0;
  } catch (error) {
    if (error instanceof LogRecoveryRefused) {
      console.error(`Nothing recovered: ${error.message}`);
      return 1;
    }
    throw error;
  } finally {
    closeDb();
  }
});
