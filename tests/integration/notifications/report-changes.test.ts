// What the supplier hears of the changes an assessor makes to its vulnerability reports, against a
// real database and the real services: a report recorded after its deadline (public at once, seals
// suspended) and a fix rejected after it are worded by that state, not as if the deadline were ahead;
// a fix verified (in a firmware without a seal of its own, or in a certified one), a report withdrawn
// and a deadline extended are told, once; an extension takes back the reminders of the old deadline,
// and the new deadline gets its own. Nobody else hears of them.
import { and, eq, like } from "drizzle-orm";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { findings, notifications, productVersions, products } from "../../../db/schema";
import type { Actor } from "../../../app/platform/actor";
import { testClock } from "../../../app/platform/clock.server";
import { db, transaction } from "../../../app/platform/db.server";
import { formatDate } from "../../../app/platform/format";
import { DAY_MS } from "../../../app/features/findings/domain/findings";
import { actOnFinding, extendFindingDeadline, recordFinding } from "../../../app/features/findings/findings.server";
import { flagCraReport } from "../../../app/features/findings/cra-reporting.server";
import { notifyFindingChange } from "../../../app/features/notifications/rules.server";
import { sendReminders } from "../../../app/features/notifications/reminders.server";
import { seedDemoData } from "../../support/demo-seed";
import { demoSealSerials } from "../../../app/demo/seed-seals.server";
import { actorByEmail } from "../../support/actors";
import { addTestVersion, createTestProduct } from "../../support/submissions";

let asha: Actor;
let bram: Actor;
let grace: Actor;
let sam: Actor;
let buyer: Actor;
let productId: string; // a product of Gator's without seals: a high report on it suspends nothing of the demo
let affected: string; // its firmware 1.0.0
const PRODUCT = "Gator Report Tracker";

/** The notifications of a user whose key starts with `prefix`. */
function told(who: Actor, prefix: string) {
  return db()
    .select()
    .from(notifications)
    .where(and(eq(notifications.userId, who.userId), like(notifications.key, `${prefix}%`)))
    .all();
}

const anyone = (prefix: string) =>
  db()
    .select()
    .from(notifications)
    .where(like(notifications.key, `${prefix}%`))
    .all();

const ymd = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const row = (id: string) => db().select().from(findings).where(eq(findings.id, id)).get()!;
const v = (id: string) => row(id).version;

function report(
  title: string,
  opts: {
    severity?: "critical" | "high" | "medium" | "low";
    daysAgo?: number;
    versionId?: string;
    product?: string;
  } = {},
): string {
  const backdated = (opts.daysAgo ?? 0) > 0;
  return recordFinding(asha, {
    productId: opts.product ?? productId,
    versionIds: [opts.versionId ?? affected],
    title,
    description: "A description long enough for the form, about a flaw in the tracker's firmware.",
    severity: opts.severity ?? "high",
    reporter: "A researcher",
    reportedOn: ymd(Date.now() - (opts.daysAgo ?? 0) * DAY_MS),
    ...(backdated ? { confirmPublic: "yes" as const } : {}),
  });
}

beforeAll(async () => {
  await seedDemoData();
  asha = actorByEmail("assessor1@demo.test");
  bram = actorByEmail("assessor2@demo.test");
  grace = actorByEmail("supplier@demo.test");
  sam = actorByEmail("supplier2@demo.test");
  buyer = actorByEmail("buyer@demo.test");
  productId = createTestProduct(grace, { name: PRODUCT, model: "GW-RPT1" });
  affected = addTestVersion(grace, productId, "1.0.0");
  addTestVersion(grace, productId, "1.0.1"); // registered, never certified: the fixes below ship in it
}, 60_000); // the demo seed under a loaded machine

afterEach(() => testClock.reset());

describe("a report recorded after its deadline (back-dated)", () => {
  it("recorded: the supplier is told the deadline passed on its date, the advisory is public, and that the firmware has no seal to suspend", () => {
    const id = report("Tracker leaks its pairing key over the debug UART", { daysAgo: 200 });
    const f = row(id);
    const [n] = told(grace, `report:${id}:recorded`);
    expect(n.title).toBe(`New high vulnerability report, deadline already passed: ${PRODUCT}`);
    expect(n.body).toContain(
      `Its disclosure deadline passed on ${formatDate(f.deadline)}: its advisory is public. The affected firmware has no current seal; a seal issued for it would be suspended at once.`,
    );
    expect(n.body).toContain("Mark it fixed in a registered firmware version to have the fix verified.");
    expect(n.body).not.toMatch(/fix it before then|may be suspended/);

    // A fix rejected after the deadline: not "its deadline is still …".
    actOnFinding(grace, id, { action: "mark_fixed", note: "", fixedInVersion: "1.0.1", version: v(id) });
    actOnFinding(asha, id, { action: "reject_fix", note: "1.0.1 still prints the key at boot.", version: v(id) });
    const [rejected] = told(grace, `report:${id}:fix_rejected:`);
    expect(rejected.body).toContain(
      `Its disclosure deadline passed on ${formatDate(f.deadline)}: its advisory is public`,
    );
    expect(rejected.body).toContain("The affected firmware has no current seal");
    expect(rejected.body).not.toContain("is still");
    expect(rejected.body).toContain("1.0.1 still prints the key at boot.");
  });

  it("a medium one: public, but no seal is suspended for it, and none is said to be", () => {
    const id = report("Tracker's web console lacks a content security policy", { severity: "medium", daysAgo: 200 });
    const [n] = told(grace, `report:${id}:recorded`);
    expect(n.body).toContain(
      `Its disclosure deadline passed on ${formatDate(row(id).deadline)}: its advisory is public.`,
    );
    expect(n.body).not.toContain("suspended");
  });

  it("a report whose deadline is ahead keeps the usual words; a fix rejected in time says the deadline still holds", () => {
    const id = report("Tracker accepts unsigned configuration files");
    const deadline = formatDate(row(id).deadline);
    const [n] = told(grace, `report:${id}:recorded`);
    expect(n.title).toBe(`New high vulnerability report: ${PRODUCT}`);
    // A verified fix publishes the advisory at once: a fix never keeps it private, and the words do not say so.
    expect(n.body).toContain(
      `Its disclosure deadline is ${deadline}. Its advisory is published when the fix is verified or at the deadline, whichever comes first; if the fix is not verified by the deadline, the seals of the affected firmware are suspended until it is.`,
    );
    expect(n.body).not.toMatch(/fix it before then|or it is published/);
    actOnFinding(grace, id, { action: "mark_fixed", note: "", fixedInVersion: "1.0.1", version: v(id) });
    actOnFinding(asha, id, { action: "reject_fix", note: "Unsigned files still load.", version: v(id) });
    expect(told(grace, `report:${id}:fix_rejected:`)[0].body).toContain(
      `Its disclosure deadline is still ${deadline}.`,
    );
  });
});

describe("a fix verified", () => {
  it("in a firmware without a seal of its own: the supplier hears it is verified, and that the firmware is not certified", () => {
    const id = report("Tracker's BLE service allows unauthenticated writes");
    actOnFinding(grace, id, { action: "mark_fixed", note: "", fixedInVersion: "1.0.1", version: v(id) });
    actOnFinding(asha, id, { action: "verify_fix", note: "Retested on 1.0.1.", version: v(id) });
    const mine = told(grace, `report:${id}:fix_verified:`);
    expect(mine).toHaveLength(1);
    expect(mine[0]).toMatchObject({ category: "reports", kind: "report.fix_verified", link: `/findings/${id}` });
    expect(mine[0].title).toBe(`Fix verified: ${PRODUCT}`);
    expect(mine[0].body).toContain(
      `an assessor verified that firmware 1.0.1 of ${PRODUCT} fixes the high report "Tracker's BLE service allows unauthenticated writes"`,
    );
    expect(mine[0].body).toContain("Its advisory is public now, naming 1.0.1 as the fixed firmware.");
    expect(mine[0].body).toContain("Firmware 1.0.1 itself has no seal");
    expect(mine[0].body).not.toMatch(/1\.0\.1 is certified/);
    for (const who of [asha, bram, sam, buyer]) expect(told(who, `report:${id}:fix_verified`)).toEqual([]);
  });

  it("in a firmware with a valid seal of its own: that firmware is called certified, with its seal", () => {
    const watch = db()
      .select({ productId: products.id, versionId: productVersions.id })
      .from(productVersions)
      .innerJoin(products, eq(products.id, productVersions.productId))
      .where(and(eq(products.name, "Gator Kids Watch 3"), eq(productVersions.firmwareVersion, "3.0.4")))
      .get()!;
    const id = report("Watch 3.0.4 logs the parent's phone number in clear", {
      severity: "medium",
      product: watch.productId,
      versionId: watch.versionId,
    });
    actOnFinding(grace, id, { action: "mark_fixed", note: "", fixedInVersion: "3.1.0", version: v(id) });
    actOnFinding(asha, id, { action: "verify_fix", note: "Retested on 3.1.0.", version: v(id) });
    const serial = demoSealSerials()["Gator Kids Watch 3 3.1.0"];
    expect(told(grace, `report:${id}:fix_verified:`)[0].body).toContain(
      `Firmware 3.1.0 is certified (seal ${serial}).`,
    );
  });
});

describe("a report withdrawn", () => {
  it("under embargo: the supplier is told it is closed and was never disclosed, with the reason", () => {
    const id = report("Tracker reboots on a malformed advertisement");
    actOnFinding(asha, id, { action: "withdraw", note: "Not reproducible on any unit we have.", version: v(id) });
    const [n] = told(grace, `report:${id}:withdrawn:`);
    expect(n).toMatchObject({ kind: "report.withdrawn", title: `Report withdrawn: ${PRODUCT}` });
    expect(n.body).toContain("It was never disclosed: nothing about it is public, nor ever will be.");
    expect(n.body).toContain("Not reproducible on any unit we have.");
    expect(told(sam, `report:${id}`)).toEqual([]);
  });

  it("after disclosure: its advisory stays public, marked, and the supplier is told so", () => {
    const id = report("Tracker's cloud token never expires", { daysAgo: 200 });
    actOnFinding(asha, id, { action: "withdraw", note: "A duplicate of an earlier report.", version: v(id) });
    expect(told(grace, `report:${id}:withdrawn:`)[0].body).toContain(
      'Its advisory was already public and stays public, marked "withdrawn after disclosure".',
    );
  });
});

describe("a deadline extended", () => {
  it("the supplier is told the old and the new date with the reason; the old deadline's reminders are taken back, the new one gets its own", () => {
    const id = report("Tracker's OTA channel accepts downgrades");
    const old = row(id).deadline;
    const oldDay = ymd(old.getTime());
    // The sweep told the supplier "14 days", then "7 days" (and the assessors "7 days").
    testClock.set(old.getTime() - 10 * DAY_MS);
    sendReminders();
    testClock.set(old.getTime() - 6 * DAY_MS);
    sendReminders();
    expect(anyone(`reminder:report:${id}:deadline:${oldDay}:`).map((n) => n.key)).toEqual(
      expect.arrayContaining([
        `reminder:report:${id}:deadline:${oldDay}:14d`,
        `reminder:report:${id}:deadline:${oldDay}:7d`,
        `reminder:report:${id}:deadline:${oldDay}:7d:assessors`,
      ]),
    );
    const newDay = ymd(old.getTime() + 30 * DAY_MS);
    extendFindingDeadline(asha, id, {
      deadline: newDay,
      reason: "The supplier's fix needs a new bootloader, shipping next month.",
      version: v(id),
    });
    const extended = row(id).deadline;
    expect(anyone(`reminder:report:${id}:deadline:${oldDay}:`)).toEqual([]); // "9 days left" no longer true
    const [n] = told(grace, `report:${id}:deadline_extended:`);
    expect(n).toMatchObject({ category: "reports", kind: "report.deadline_extended", link: `/findings/${id}` });
    expect(n.title).toBe(`Disclosure deadline extended to ${formatDate(extended)}: ${PRODUCT}`);
    expect(n.body).toContain(`from ${formatDate(old)} to ${formatDate(extended)}`);
    expect(n.body).toContain(`The reminders of the ${formatDate(old)} deadline are taken out of your notifications.`);
    expect(n.body).toContain("shipping next month");
    for (const who of [asha, bram, sam, buyer]) expect(told(who, `report:${id}:deadline_extended`)).toEqual([]);

    // Told once: a replay of the event, or a later change that writes no update (a CRA flag), tells nobody again.
    const count = anyone(`report:${id}:`).length;
    transaction((tx) => notifyFindingChange(tx, { type: "finding.changed", findingId: id, productId }));
    flagCraReport(asha, id, { activelyExploited: "yes" });
    expect(anyone(`report:${id}:`)).toHaveLength(count);

    // The new deadline's reminders, from the sweep, name the new date.
    testClock.set(extended.getTime() - 10 * DAY_MS);
    sendReminders();
    expect(told(grace, `reminder:report:${id}:deadline:`).map((r) => r.key)).toEqual([
      `reminder:report:${id}:deadline:${ymd(extended.getTime())}:14d`,
    ]);
  });
});
