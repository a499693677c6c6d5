/**
 * The demo advisory (part of the demo seed, after the demo seals and watchlist): a fixed and
 * disclosed advisory on the demo smartwatch. Gator Kids Watch 3's older firmware 3.0.4 had a high
 * report, 8 weeks ago; the supplier acknowledged it, shipped the fix in 3.1.0 (the certified
 * firmware) and marked it fixed 5 weeks ago; an assessor verified the fix 4 weeks ago, which
 * made its advisory public. Everything goes through the services a user's clicks use, with the
 * clock set back (runAt) so the history has its real dates.
 *
 * The back-dated steps defer the sweeper (a sweep at a past time would see the demo camera's
 * overdue report as not yet due and reinstate its seal) and note the disclosure at its own time:
 * the demo buyer started watching today, after it, so it gets no event or webhook for it and
 * sees the advisory on the watchlist and the seal page instead. The watch's open high report, 10
 * days from its deadline, stays embargoed. Idempotent: keyed on the report's title.
 */
import { and, eq } from "drizzle-orm";
import { findings, products, productVersions } from "../../db/schema";
import { nowMs, runAt } from "../platform/clock.server";
import { DAY_MS } from "../features/findings/domain/findings";
import { db } from "../platform/db.server";
import { withoutAfterCommit } from "../platform/events.server";
import { noteDisclosures } from "../features/findings/disclosure.server";
import { actOnFinding, recordFinding } from "../features/findings/findings.server";
import { addProductVersion } from "../features/catalogue/products.server";
import { actorFor } from "./seed-products.server";

export const DEMO_ADVISORY_TITLE = "SOS contacts could be changed over Bluetooth without pairing";

const ago = (days: number) => new Date(nowMs() - days * DAY_MS);
const findingVersion = (id: string) =>
  db().select({ v: findings.version }).from(findings).where(eq(findings.id, id)).get()!.v;

export async function seedDemoAdvisories(created: string[]): Promise<void> {
  const grace = actorFor("supplier@demo.test");
  const asha = actorFor("assessor1@demo.test");
  const watch = db()
    .select({ id: products.id })
    .from(products)
    .where(and(eq(products.organizationId, grace.organizationId), eq(products.model, "GW-KW3")))
    .get();
  if (!watch) return;
  if (
    db()
      .select({ id: findings.id })
      .from(findings)
      .where(and(eq(findings.productId, watch.id), eq(findings.title, DEMO_ADVISORY_TITLE)))
      .get()
  )
    return;

  const older = db()
    .select({ id: productVersions.id })
    .from(productVersions)
    .where(and(eq(productVersions.productId, watch.id), eq(productVersions.firmwareVersion, "3.0.4")))
    .get();
  const versionId =
    older?.id ??
    (await runAt(ago(150), async () =>
      addProductVersion(grace, watch.id, {
        hardwareRevision: "C",
        firmwareVersion: "3.0.4",
        appVersion: "5.2.0",
        notes: "The launch firmware; replaced by 3.1.0.",
      }),
    ));

  const reported = ago(56);
  const id = await runAt(new Date(reported.getTime()), async () =>
    recordFinding(
      asha,
      {
        productId: watch.id,
        versionIds: [versionId],
        title: DEMO_ADVISORY_TITLE,
        description:
          "The watch's Bluetooth LE configuration service accepted writes to the SOS contact list from any nearby phone, without pairing, while the watch was in its charging cradle. Someone within about 10 metres could replace the numbers an SOS call goes to.",
        severity: "high",
        cvssVector: "CVSS:3.1/AV:A/AC:L/PR:N/UI:N/S:U/C:N/I:H/A:L",
        reporter: "Independent researcher (via the supplier's disclosure inbox)",
        reportedOn: reported.toISOString().slice(0, 10),
      },
      { deferSweep: true },
    ),
  );
  await runAt(ago(52), async () =>
    actOnFinding(
      grace,
      id,
      {
        action: "acknowledge",
        note: "Reproduced on 3.0.4; the configuration service will require a bonded connection.",
        version: findingVersion(id),
      },
      { deferSweep: true },
    ),
  );
  await runAt(ago(35), async () =>
    actOnFinding(
      grace,
      id,
      {
        action: "mark_fixed",
        fixedInVersion: "3.1.0",
        note: "3.1.0 accepts configuration writes only from a bonded phone, and only after a confirmation on the watch.",
        version: findingVersion(id),
      },
      { deferSweep: true },
    ),
  );
  const noted = await runAt(ago(28), async () => {
    actOnFinding(
      asha,
      id,
      {
        action: "verify_fix",
        note: "Retested on 3.1.0: unbonded writes are refused; bonding needs a confirmation on the watch.",
        version: findingVersion(id),
      },
      { deferSweep: true },
    );
    // Held back like the deferred sweeps above: publishing the advisory must not run the events
    // pending so far (the automatic suspension sweep) at this past time.
    return withoutAfterCommit(() => noteDisclosures({ system: "seed" }));
  });
  const advisory = db().select({ advisoryId: findings.advisoryId }).from(findings).where(eq(findings.id, id)).get()!
    .advisoryId;
  created.push(
    `advisory ${advisory}: Gator Kids Watch 3 firmware 3.0.4, fixed in 3.1.0${noted.includes(advisory ?? "") ? " (public)" : ""}`,
  );
}

export const DEMO_UPDATE_ADVISORY_TITLE = "Voice assistant accepted commands from an unauthenticated local API";

/**
 * "Valid, update required" (part of the demo seed, after the demo seals): Brightnest Smart Speaker's
 * seal certifies firmware 1.0.3. A high report on 1.0.3, 40 days ago; the supplier registered 1.0.4
 * and marked the fix in it 18 days ago; an assessor verified it 14 days ago, which made the advisory
 * public. The seal stays valid, and every view says "update required: install firmware 1.0.4".
 * Through the services, back-dated like the watch's advisory above. Idempotent: keyed on the title.
 */
export async function seedDemoUpdateRequired(created: string[]): Promise<void> {
  const sam = actorFor("supplier2@demo.test");
  const asha = actorFor("assessor1@demo.test");
  const speaker = db()
    .select({ id: products.id })
    .from(products)
    .where(and(eq(products.organizationId, sam.organizationId), eq(products.model, "BN-SS1")))
    .get();
  if (!speaker) return;
  const version = (fw: string) =>
    db()
      .select({ id: productVersions.id })
      .from(productVersions)
      .where(and(eq(productVersions.productId, speaker.id), eq(productVersions.firmwareVersion, fw)))
      .get()?.id;
  const certified = version("1.0.3");
  if (!certified) return;
  if (
    db()
      .select({ id: findings.id })
      .from(findings)
      .where(and(eq(findings.productId, speaker.id), eq(findings.title, DEMO_UPDATE_ADVISORY_TITLE)))
      .get()
  )
    return;

  const reported = ago(40);
  const id = await runAt(new Date(reported.getTime()), async () =>
    recordFinding(
      asha,
      {
        productId: speaker.id,
        versionIds: [certified],
        title: DEMO_UPDATE_ADVISORY_TITLE,
        description:
          "The speaker's local control API on port 8009 accepted voice-assistant commands without the pairing token, so any device on the home network could place orders or read the shopping list aloud.",
        severity: "high",
        cvssVector: "CVSS:3.1/AV:A/AC:L/PR:N/UI:N/S:U/C:L/I:H/A:N",
        reporter: "Independent researcher (via the supplier's disclosure inbox)",
        reportedOn: reported.toISOString().slice(0, 10),
      },
      { deferSweep: true },
    ),
  );
  // The fix ships in 1.0.4, registered on the product first: a fix is certified only for a registered firmware.
  if (!version("1.0.4"))
    await runAt(ago(20), async () =>
      addProductVersion(sam, speaker.id, {
        hardwareRevision: "A",
        firmwareVersion: "1.0.4",
        appVersion: null,
        notes: "Security update: the local API requires the pairing token.",
      }),
    );
  await runAt(ago(18), async () =>
    actOnFinding(
      sam,
      id,
      {
        action: "mark_fixed",
        fixedInVersion: "1.0.4",
        note: "1.0.4 requires the pairing token on every local API call.",
        version: findingVersion(id),
      },
      { deferSweep: true },
    ),
  );
  const noted = await runAt(ago(14), async () => {
    actOnFinding(
      asha,
      id,
      {
        action: "verify_fix",
        note: "Retested on 1.0.4: commands without the pairing token are refused with 401.",
        version: findingVersion(id),
      },
      { deferSweep: true },
    );
    // Held back like the deferred sweeps above: publishing the advisory must not run the events
    // pending so far (the automatic suspension sweep) at this past time.
    return withoutAfterCommit(() => noteDisclosures({ system: "seed" }));
  });
  const advisory = db().select({ advisoryId: findings.advisoryId }).from(findings).where(eq(findings.id, id)).get()!
    .advisoryId;
  created.push(
    `advisory ${advisory}: Brightnest Smart Speaker firmware 1.0.3, fixed in 1.0.4${noted.includes(advisory ?? "") ? " (public)" : ""}: its seal is valid, update required`,
  );
}
