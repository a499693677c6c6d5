// npm run lifecycle:sweep — runs the lifecycle sweep once (what the server does every 15 minutes):
// notes expired seals, suspends seals with a critical or high finding open past its disclosure
// deadline or recurring evidence overdue past its grace period, reinstates those it suspended
// once nothing holds them, and publishes the advisories whose disclosure deadline has passed. Safe
// to run beside the server. Exits 1 when a part of it failed (named in its output), 3 when the
// published log is ahead of this database or its keys are missing.
import { signingKeys } from "../app/features/trust/adapters/signing-keys.server";
import { getEnv } from "../app/platform/env.server";
import { describeSweep, runLifecycleSweep } from "../app/system/sweep.server";
import { deliverPendingMail } from "../app/features/notifications/mail.server";
import { closeDb } from "../db/connection";
import { publishedLogProblem } from "../app/features/public/publication.server";
import { runCli } from "./cli";

await runCli(async () => {
  // The sweep appends to the log (expiries, suspensions): never to a log behind what was published,
  // nor with keys missing (asked before a key is made: a new one would hide that the old ones are gone).
  const logBehind = await publishedLogProblem();
  if (logBehind) {
    console.error(`Nothing swept: ${logBehind}`);
    return 3;
  }
  await signingKeys(getEnv().dataDir).ensureActive(); // log checkpoints are signed
  const report = runLifecycleSweep({ system: "cli:lifecycle:sweep" });
  console.log(describeSweep(report));
  // The mail the sweep queued (reminders, digests) and any still due: sent now when SMTP_URL is set.
  const mail = await deliverPendingMail();
  if (mail.attempted || mail.released)
    console.log(`Mail: ${mail.sent} sent, ${mail.retried} to retry, ${mail.failed} failed.`);
  closeDb();
  return report.failures.length ? 1 : 0; // what failed is named above; the next sweep tries it again
});
