/**
 * Webhook endpoints' signing secrets, encrypted at rest. Whoever holds an endpoint's secret can sign
 * a delivery its receiver accepts ("this seal is valid again", "revoked"), so a copy of the database
 * alone (a Litestream replica in a bucket, a database file sent for a support case) must not hold
 * them in the clear: each is sealed in app/platform/secret-box.server.ts's box under
 * DATA_DIR/keys/webhook.private.key (made at the first registration) and bound to its endpoint (a
 * secret copied into another endpoint's row does not open).
 *
 * Without that file (a database restored without keys/) a delivery cannot be signed: it is held,
 * never sent unsigned nor given up, and goes out in order once the file is back; the buyer's
 * webhooks page says so, and so do the start and the administration page.
 */
import { and, eq, like, not } from "drizzle-orm";
import { webhookEndpoints } from "../../../db/schema";
import { db } from "../../platform/db.server";
import { getEnv } from "../../platform/env.server";
import { ServiceError } from "../../platform/errors.server";
import {
  keyAtRestReport,
  sealPlainSecrets,
  secretBox,
  SecretKeyUnavailable,
  type KeyAtRestReport,
} from "../../platform/secret-box.server";

export const WEBHOOK_KEY_FILE = "webhook.private.key";
/** The active endpoints' secrets sealed in the box (an endpoint removed signs nothing more). */
const sealedSecrets = (limit?: number) => {
  const q = db()
    .select({ owner: webhookEndpoints.id, stored: webhookEndpoints.secret })
    .from(webhookEndpoints)
    .where(and(eq(webhookEndpoints.active, true), like(webhookEndpoints.secret, webhookBox.sealedPattern)))
    .$dynamic();
  return (limit ? q.limit(limit) : q).all();
};

export const webhookBox = secretBox(
  WEBHOOK_KEY_FILE,
  (endpointId) => `iot-seal webhook secret of endpoint ${endpointId}`,
  () => sealedSecrets(1).length > 0,
);

/** The new endpoint's secret as stored; refused ("unavailable") when the key can be neither read nor made. */
export function sealWebhookSecret(endpointId: string, secret: string, dataDir = getEnv().dataDir): string {
  try {
    return webhookBox.seal(endpointId, secret, dataDir);
  } catch (error) {
    if (error instanceof SecretKeyUnavailable)
      console.error(`[webhooks] a new webhook endpoint is refused: ${error.message}`, error.cause ?? "");
    else
      console.error(
        `[webhooks] a new webhook endpoint is refused: ${webhookBox.keyPath(dataDir)} cannot be read or made:`,
        error,
      );
    throw new ServiceError(
      "unavailable",
      "Webhook endpoints cannot be registered right now: the server cannot read the key it keeps their secrets under. Try again later, or tell an administrator.",
    );
  }
}

/** Endpoints whose secret did not open, already said in the log (said again once one has opened since). */
const said = new Set<string>();

/**
 * The signing secret of `endpointId` from its stored form, or null when the server's webhook key is
 * missing, damaged or not the one it was stored under (logged once per endpoint until it opens again).
 */
export function openWebhookSecret(
  endpointId: string,
  stored: string,
  opts: { dataDir?: string; quiet?: boolean } = {},
): string | null {
  const dataDir = opts.dataDir ?? getEnv().dataDir;
  try {
    const secret = webhookBox.open(endpointId, stored, dataDir);
    said.delete(endpointId);
    return secret;
  } catch (error) {
    if (!(error instanceof SecretKeyUnavailable)) throw error;
    if (!opts.quiet && !said.has(endpointId)) {
      said.add(endpointId);
      const why =
        error.reason === "missing"
          ? `${error.file} is missing (copy keys/ from a backup)`
          : error.reason === "unreadable"
            ? `${error.file} cannot be read`
            : `its secret does not open with ${error.file} (another server's key, or an altered row)`;
      console.error(`[webhooks] deliveries to endpoint ${endpointId} are held: ${why}. Nothing is sent unsigned.`);
    }
    return null;
  }
}

let keyProblemSaid = false;

/**
 * Whether the webhook key can be read now (the dispatcher leaves the sealed endpoints out of a round
 * when it cannot). When it cannot, says once in the log (until it can again) how many active
 * endpoints' deliveries are held.
 */
export function webhookKeyUsable(dataDir = getEnv().dataDir): boolean {
  const state = webhookBox.keyState(dataDir);
  if (state === "usable") {
    keyProblemSaid = false;
    return true;
  }
  if (!keyProblemSaid) {
    keyProblemSaid = true;
    const n = sealedSecrets().length;
    if (n)
      console.error(
        `[webhooks] ${webhookBox.keyPath(dataDir)} ${state === "missing" ? "is missing (copy keys/ from a backup)" : "cannot be read"}: deliveries to ${n} endpoint${n === 1 ? "" : "s"} are held until it is back. Nothing is sent unsigned.`,
      );
  }
  return false;
}

/** The webhook key's state and the active endpoints whose secrets are sealed under it (the administration page). */
export function webhookKeyReport(dataDir = getEnv().dataDir): KeyAtRestReport {
  const status = webhookBox.status(sealedSecrets(), dataDir);
  return keyAtRestReport(webhookBox, status, {
    keeps: "Webhook endpoints' signing secrets",
    sealedFor: `${status.sealed} active webhook endpoint${status.sealed === 1 ? "" : "s"}`,
    withoutIt: "their deliveries are held (none is sent unsigned or given up)",
    noNew: "no endpoint can be registered",
  });
}

/**
 * At start: secrets stored before encryption are stored encrypted (sealPlainSecrets); and the
 * active endpoints whose deliveries are held (their secret does not open: the key file missing,
 * damaged or another one) are counted, for the start's report.
 */
export function encryptStoredWebhookSecrets(dataDir = getEnv().dataDir): { encrypted: number; heldFor: number } {
  const { encrypted, cannotOpen } = sealPlainSecrets(
    webhookBox,
    {
      plain: (tx) =>
        tx
          .select({ owner: webhookEndpoints.id, stored: webhookEndpoints.secret })
          .from(webhookEndpoints)
          .where(not(like(webhookEndpoints.secret, webhookBox.sealedPattern)))
          .all(),
      sealed: () => sealedSecrets(),
      write: (tx, row, sealed) =>
        tx
          .update(webhookEndpoints)
          .set({ secret: sealed })
          .where(and(eq(webhookEndpoints.id, row.owner), eq(webhookEndpoints.secret, row.stored)))
          .run(),
    },
    "[webhooks]",
    dataDir,
  );
  return { encrypted, heldFor: cannotOpen };
}
