// npm run lifecycle:sweep — runs the lifecycle sweep once (what the server does every 15 minutes):
// notes expired seals, suspends seals with a critical or high finding open past its disclosure
// deadline, reinstates those it suspended once none remains. Safe to run beside the server.
import { signingKeys } from "../app/adapters/signing-keys.server";
import { getEnv } from "../app/config/env.server";
import { describeSweep, runLifecycleSweep } from "../app/services/lifecycle.server";
import { closeDb } from "../db/connection";
import { runCli } from "./cli";

await runCli(async () => {
  await signingKeys(getEnv().dataDir).ensureActive(); // log checkpoints are signed
  const report = runLifecycleSweep({ system: "cli:lifecycle:sweep" });
  console.log(describeSweep(report));
  closeDb();
  return 0;
});
