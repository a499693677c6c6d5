// Read-only access to the e2e server's database, to find the ids the demo seed created.
import Database from "better-sqlite3";
import { webhookBox } from "../../app/features/retail/webhook-secrets.server";
import { E2E_DIR } from "./helpers";

/** The e2e server's DATA_DIR (as in playwright.config.ts). */
const E2E_SERVER_DATA_DIR = `${E2E_DIR}/data`;

export function e2eDb() {
  return new Database(`${E2E_SERVER_DATA_DIR}/iot-seal.db`, { readonly: true, fileMustExist: true });
}

export function seeded() {
  const db = e2eDb();
  try {
    const watch = db
      .prepare(
        `select s.id as submissionId, p.id as productId from submissions s join product_versions v on v.id = s.product_version_id join products p on p.id = v.product_id where p.model = 'GW-KW3' and v.firmware_version = '3.2.0'`,
      )
      .get() as { submissionId: string; productId: string };
    const link = db
      .prepare(`select id from evidence_links where submission_id = ? order by linked_at limit 1`)
      .get(watch.submissionId) as { id: string };
    const serial = (name: string, fw: string) =>
      (
        db
          .prepare(
            `select s.serial from seals s join product_versions v on v.id = s.product_version_id join products p on p.id = v.product_id where p.name = ? and v.firmware_version = ?`,
          )
          .get(name, fw) as { serial: string }
      ).serial;
    const activeSeal = serial("Gator Kids Watch 3", "3.1.0");
    return {
      ...watch,
      linkId: link.id,
      activeSeal,
      // The sealed submission behind it (ETSI EN 303 645 3.1.3-r1): its crosswalk coverage page.
      activeSealSubmission: (
        db.prepare(`select submission_id from seals where serial = ?`).get(activeSeal) as { submission_id: string }
      ).submission_id,
      expiredSeal: serial("Gator Kids Watch 2", "2.9.4"),
      suspendedSeal: serial("Brightnest Indoor Cam 1", "1.9.2"),
      revokedSeal: serial("Brightnest Smart Plug", "1.2.0"),
      // Valid, update required: a public advisory affects firmware 1.0.3, fixed in 1.0.4 (seed-advisories.server.ts).
      updateRequiredSeal: serial("Brightnest Smart Speaker", "1.0.3"),
      // The demo watch's fresh 5.2-1 evidence, waiting for an assessor (seed-recurring.server.ts).
      recurringEvidence: (
        db
          .prepare(`select id from recurring_evidence where status = 'pending' order by submitted_at limit 1`)
          .get() as { id: string }
      ).id,
      watchFinding: (
        db
          .prepare(
            `select f.id from findings f join products p on p.id = f.product_id where p.name = 'Gator Kids Watch 3' order by f.rowid limit 1`,
          )
          .get() as { id: string }
      ).id,
    };
  } finally {
    db.close();
  }
}

/** The demo buyer's webhook secret (the receiver in the e2e test checks signatures with it), opened with the server's key. */
export function demoWebhookSecret(): string {
  const db = e2eDb();
  try {
    const ep = db.prepare(`select id, secret from webhook_endpoints limit 1`).get() as { id: string; secret: string };
    return webhookBox.open(ep.id, ep.secret, E2E_SERVER_DATA_DIR);
  } finally {
    db.close();
  }
}
