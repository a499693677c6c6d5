// npm run artefacts:publish — publishes the public artefacts to PUBLISH_TO once (what the server
// does after each seal change, at start-up and every minute; decision record 028): the keys, the
// status lists, the log's checkpoint and new tiles, the credentials and PDFs the outbox's events
// touched since the last run (everything on a target's first run), the seal answers, the linksets
// and the CSAF files. Safe beside the server (a lease keeps one process per target). Prints what it
// wrote; exits 1 if the publication failed (the next run redoes it), 0 otherwise.
import { signingKeys } from "../app/features/trust/adapters/signing-keys.server";
import { getEnv } from "../app/platform/env.server";
import { publicationState, publishArtefacts } from "../app/features/public/publication.server";
import { closeDb } from "../db/connection";
import { runCli } from "./cli";

await runCli(async () => {
  const env = getEnv();
  if (env.publishTo.kind === "none") {
    console.log("PUBLISH_TO=none: publication is off.");
    return 0;
  }
  await signingKeys(env.dataDir).ensureActive(); // the status lists are signed
  try {
    const r = await publishArtefacts();
    if (!r) {
      console.log("Another process is publishing to this target now; nothing done.");
      return 0;
    }
    console.log(
      `Published to ${r.target}${r.full ? " (everything: its first run)" : ""}: ${r.written} file(s) written, ${r.unchanged} unchanged; ` +
        `${r.seals} seal(s), ${r.linksets} linkset(s), ${r.tiles} tile(s); log size ${r.logSize}, events up to ${r.eventCursor}.`,
    );
    return 0;
  } catch (error) {
    const state = publicationState();
    console.error(
      `Publication failed: ${(error as Error).message}` +
        (state?.nextAttemptAt ? ` (the server retries from ${state.nextAttemptAt.toISOString()})` : ""),
    );
    return 1;
  } finally {
    closeDb();
  }
});
