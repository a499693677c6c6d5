/**
 * Recurring evidence in the demo (part of the demo seed, app/demo/seed.server.ts). The demo
 * watch's seal (Gator Kids Watch 3, firmware 3.1.0) is issued against ETSI EN 303 645 3.1.3-r1
 * 80 days ago (seed-seals.server.ts), so its 90-day monitoring requirement, 5.2-3, is due in 10
 * days. This adds the history of its other recurring requirement, 5.2-1 (every 180 days), through
 * the same services a supplier's and an assessor's clicks use:
 *   - 30 days ago the supplier sent a screenshot, which an assessor rejected two days later
 *     (it shows the pairing screen, not the policy page);
 *   - 3 days ago the supplier sent the disclosure-inbox test report: waiting for an assessor
 *     (the demo's recurring-evidence queue has this one item).
 * Nothing is pending for 5.2-3, so a newcomer can send its fresh evidence. Idempotent: nothing is
 * added once the watch's seal has any recurring evidence.
 */
import fs from "node:fs";
import path from "node:path";
import { and, eq } from "drizzle-orm";
import { products, productVersions, recurringEvidence, seals } from "../../db/schema";
import { nowMs, runAt } from "../platform/clock.server";
import { DAY_MS } from "../features/findings/domain/findings";
import { db } from "../platform/db.server";
import { store } from "../features/certification/evidence.server";
import { decideRecurringEvidence, submitRecurringEvidence } from "../features/monitoring/recurring-evidence.server";
import { actorFor, seedEvidenceDir } from "./seed-products.server";

/** The ETSI EN 303 645 version with recurring evidence that the demo watch's seal is issued against. */
export const MONITORED_ETSI = "etsi-en-303-645@3.1.3-r1";

async function sendSeedEvidence(serial: string, ref: string, file: string, note: string): Promise<string> {
  const received = await store().receive(fs.createReadStream(path.join(seedEvidenceDir(), file)), 10 * 1024 * 1024);
  return (
    await submitRecurringEvidence(
      actorFor("supplier@demo.test"),
      serial,
      { ref, note },
      { originalName: file, received },
    )
  ).id;
}

export async function seedDemoRecurring(created: string[]): Promise<void> {
  const watch = db()
    .select({ serial: seals.serial, state: seals.state })
    .from(seals)
    .innerJoin(productVersions, eq(productVersions.id, seals.productVersionId))
    .innerJoin(products, eq(products.id, productVersions.productId))
    .where(and(eq(products.model, "GW-KW3"), eq(productVersions.firmwareVersion, "3.1.0")))
    .get();
  if (!watch || (watch.state !== "active" && watch.state !== "suspended")) return;
  if (
    db()
      .select({ id: recurringEvidence.id })
      .from(recurringEvidence)
      .where(eq(recurringEvidence.serial, watch.serial))
      .get()
  )
    return;
  const ago = (days: number) => new Date(nowMs() - days * DAY_MS);

  const rejected = await runAt(ago(30), () =>
    sendSeedEvidence(
      watch.serial,
      "5.2-1",
      "pairing-screen.png",
      "Screenshot of our disclosure policy as published today, for the half-yearly check.",
    ),
  );
  await runAt(ago(28), async () =>
    decideRecurringEvidence(actorFor("assessor1@demo.test"), rejected, {
      decision: "reject",
      comment:
        "This screenshot shows the watch's pairing screen, not the disclosure policy page. Send the policy page as it stands and a test report to the contact point.",
    }),
  );
  await runAt(ago(3), () =>
    sendSeedEvidence(
      watch.serial,
      "5.2-1",
      "gator-disclosure-inbox-test.txt",
      "The policy page as it stands and the result of a test report sent to security@gatorwearables.example: acknowledged in 6 working hours.",
    ),
  );
  created.push(
    `recurring evidence on seal ${watch.serial}: 5.2-1 rejected 28 days ago, fresh evidence waiting for an assessor; 5.2-3 due in 10 days`,
  );
}
