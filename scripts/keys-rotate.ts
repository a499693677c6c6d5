// npm run keys:rotate — makes a new active seal signing key; the old one is retired: it stays in
// the JWKS (so seals it signed keep verifying) but signs nothing more. The new key is on the disk
// before the old one is retired, so a running portal always finds an active key.
import { signingKeys } from "../app/features/trust/adapters/signing-keys.server";
import { recordAudit } from "../app/platform/audit.server";
import { transaction } from "../app/platform/db.server";
import { getEnv } from "../app/platform/env.server";
import { closeDb } from "../db/connection";
import { runCli } from "./cli";

await runCli(async () => {
  const keys = signingKeys(getEnv().dataDir);
  const { retired, alsoRetired, active } = await keys.rotate();
  transaction((tx) =>
    recordAudit(
      tx,
      { system: "cli:keys:rotate" },
      {
        action: "signing_key.rotated",
        target: { type: "signing_key", id: active.kid },
        details: {
          retired: retired?.kid ?? null,
          active: active.kid,
          ...(alsoRetired.length ? { alsoRetired: alsoRetired.map((k) => k.kid) } : {}),
        },
      },
    ),
  );
  console.log(retired ? `Retired ${retired.kid} (still published in the JWKS).` : "There was no active key.");
  for (const k of alsoRetired)
    console.log(`Also retired ${k.kid}, left active by an earlier rotation that stopped (still published).`);
  console.log(`Active signing key: ${active.kid}`);
  closeDb();
  return 0;
});
