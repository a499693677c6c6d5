// Coordinated disclosure on the public side, against a real database, the real public API (served
// by fastRoutes on 127.0.0.1) and a moved clock: a report's details stay hidden from anonymous
// visitors, other suppliers and retail buyers (a watching buyer learns only the count and the
// severity) until its fix is certified or its deadline passes, then its advisory appears with
// exactly the public fields; a supplier publishes early; a withdrawn report never appears; the
// "advisory.published" event is raised once however often the sweep runs; a status change caused
// by a report never names it; advisory ids run per year.
import { formatDate } from "../../../app/platform/format";
import { and, eq, like } from "drizzle-orm";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  auditEvents,
  findings,
  logLeaves,
  products,
  productVersions,
  sealEvents,
  watchEvents,
  webhookDeliveries,
} from "../../../db/schema";
import { nowMs, testClock } from "../../../app/platform/clock.server";
import { type PublicAdvisory } from "../../../app/features/findings/domain/disclosure";
import { DAY_MS } from "../../../app/features/findings/domain/findings";
import type { Actor } from "../../../app/platform/actor";
import {
  productAdvisories,
  sealAdvisories,
  watchedProductAdvisories,
} from "../../../app/features/findings/advisories.server";
import { checkAuditChain } from "../../../app/platform/audit.server";
import { db, transaction } from "../../../app/platform/db.server";
import { noteDisclosures, publishAdvisory } from "../../../app/features/findings/disclosure.server";
import { publishAdvisoryInput } from "../../../app/features/findings/forms";
import {
  actOnFinding,
  extendFindingDeadline,
  findingView,
  listFindings,
  recordFinding,
} from "../../../app/features/findings/findings.server";
import { runLifecycleSweep } from "../../../app/system/sweep.server";
import { publicSealView, sealBySerial, sealHistory } from "../../../app/features/certification/seals.server";
import { DEMO_ADVISORY_TITLE } from "../../../app/demo/seed-advisories.server";
import { actorByEmail, asha, buyer, grace, sam } from "../../support/actors";
import { demoSealSerials } from "../../../app/demo/seed-seals.server";
import { seedDemoData } from "../../support/demo-seed";
import { addProductVersion } from "../../../app/features/catalogue/products.server";
import {
  markRequirementChanged,
  startRecertification,
} from "../../../app/features/certification/recertification.server";
import {
  confirmApproval,
  proposeApproval,
  recordVerdict,
  reviewView,
  takeSubmission,
} from "../../../app/features/certification/review.server";
import { submitSubmission } from "../../../app/features/certification/submissions.server";
import { createOrganization, createUser } from "../../../app/features/accounts/users.server";
import { verifySerial } from "../../../app/features/trust/verify.server";
import { watchlistFeed, watchlistView } from "../../../app/features/retail/watchlist.server";
import { startFastRoutes, type TestServer } from "../../support/http";
import { submissionVersion as subVersion } from "../../support/submissions";

// grace owns the watch; sam is another supplier; buyer is a retailer watching the watch.
const corner = () => actorByEmail("buyer@corner-shop.test"); // a retailer not watching it
const today = () => new Date(nowMs()).toISOString().slice(0, 10);
const version = (id: string) => db().select({ v: findings.version }).from(findings).where(eq(findings.id, id)).get()!.v;
const advisoryIdOf = (id: string) =>
  db().select({ a: findings.advisoryId }).from(findings).where(eq(findings.id, id)).get()!.a!;
const PUBLIC_FIELDS = [
  "advisoryId",
  "affected",
  "affectedVersions",
  "disclosedOn",
  "fixedInVersion",
  "fixedOn",
  "reason",
  "reportedOn",
  "severity",
  "title",
  "withdrawnOn",
];
const DEMO_OPEN_TITLE = "Location history readable after unpairing";
const DEMO_OPEN_DESCRIPTION = "previous parent account can still read";

let watch: { productId: string; versionId: string; serial: string };
let camera: string;
let server: TestServer;
let base: string;

beforeAll(async () => {
  server = await startFastRoutes();
  base = server.base;
  await seedDemoData();
  const serials = demoSealSerials();
  const serial = serials["Gator Kids Watch 3 3.1.0"];
  const v = db()
    .select()
    .from(productVersions)
    .where(eq(productVersions.id, sealBySerial(serial)!.productVersionId))
    .get()!;
  watch = { productId: v.productId, versionId: v.id, serial };
  camera = serials["Brightnest Indoor Cam 1 1.9.2"];
  // The firmware the fixes below ship in is registered on the product: a fix is certified only for a version it has.
  for (const firmwareVersion of ["3.1.1", "3.1.2", "3.1.3"])
    addProductVersion(grace(), watch.productId, { hardwareRevision: "C", firmwareVersion, appVersion: "", notes: "" });
  // A second retail buyer, whose organisation does not watch the watch.
  const org = transaction((tx) =>
    createOrganization(tx, { system: "test" }, { name: "Corner Shop Ltd", kind: "retailer" }),
  );
  await createUser(actorByEmail("admin@demo.test"), {
    email: "buyer@corner-shop.test",
    name: "Cora Corner",
    role: "retailer",
    organizationId: org.id,
    password: "a-long-test-password-2026",
  });
});

afterAll(async () => {
  testClock.reset();
  await server.close();
});

afterEach(() => testClock.reset());

function report(
  title: string,
  severity: "critical" | "high" | "medium" | "low" = "high",
  over: Partial<Parameters<typeof recordFinding>[1]> = {},
) {
  return recordFinding(asha(), {
    productId: watch.productId,
    versionIds: [watch.versionId],
    title,
    description: `SECRET-DESCRIPTION of "${title}": step-by-step exploit notes that must never leave the supplier and the assessors.`,
    severity,
    cvssVector: "CVSS:3.1/AV:A/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:N",
    confirmSeverity: "yes", // the vector rates 8.1 (high): a lower severity is on purpose here
    reporter: "SECRET-REPORTER mallory@research.example",
    reportedOn: today(),
    ...over,
  });
}

/** Everything an outsider can read about the seal and its product: the page (as every outside viewer), the API, the verifiers, the feeds, the webhooks, the log. */
async function outsideText(serial: string): Promise<string> {
  const viewers: (Actor | null)[] = [null, sam(), corner(), buyer()];
  const api = await (await fetch(`${base}/api/v1/seals/${serial}`)).text();
  const bulk = await (
    await fetch(`${base}/api/v1/verify/bulk`, {
      method: "POST",
      headers: { Accept: "application/json" },
      body: `serial\n${serial}\n`,
    })
  ).text();
  return JSON.stringify({
    page: await publicSealView(serial),
    advisories: viewers.map((v) => sealAdvisories(v, serial)),
    api,
    bulk,
    verify: await verifySerial(serial),
    watchlist: [
      watchedProductAdvisories(buyer()),
      watchedProductAdvisories(corner()),
      (await watchlistView(buyer())).changes,
    ],
    feeds: [watchlistFeed(buyer(), 0, 500), watchlistFeed(corner(), 0, 500)],
    webhooks: db().select({ body: webhookDeliveries.body }).from(webhookDeliveries).all(),
    log: db().select({ data: logLeaves.data }).from(logLeaves).all(),
  });
}

const publicAdvisories = (viewer: Actor | null = null) => sealAdvisories(viewer, watch.serial)!.advisories;
const advisoryEvents = (advisoryId: string) =>
  db()
    .select()
    .from(watchEvents)
    .where(and(eq(watchEvents.type, "advisory.published"), like(watchEvents.body, `%"id":"advisory-${advisoryId}"%`)))
    .all();
const advisoryDeliveries = (advisoryId: string) =>
  db()
    .select()
    .from(webhookDeliveries)
    .where(eq(webhookDeliveries.eventId, `advisory-${advisoryId}`))
    .all();

describe("the demo data", () => {
  it("the watch's fixed report is a public advisory with exactly the public fields; its open high report stays embargoed; the overdue camera report is public", async () => {
    const anon = sealAdvisories(null, watch.serial)!;
    expect(anon.audience).toBe("public");
    expect(anon.openEmbargoed).toBeNull();
    expect(anon.advisories).toHaveLength(1);
    const [a] = anon.advisories;
    expect(Object.keys(a).sort()).toEqual(PUBLIC_FIELDS);
    const fixed = new Date(nowMs() - 28 * DAY_MS).toISOString().slice(0, 10);
    expect(a).toMatchObject({
      title: DEMO_ADVISORY_TITLE,
      severity: "high",
      affectedVersions: ["3.0.4"],
      fixedInVersion: "3.1.0",
      fixedOn: fixed,
      disclosedOn: fixed,
      reason: "fix_certified",
      withdrawnOn: null,
    });
    expect(a.advisoryId).toMatch(/^IOTSEAL-\d{4}-\d{4}$/);

    // The watching buyer also learns that one open high report exists; nothing more.
    expect(sealAdvisories(buyer(), watch.serial)).toMatchObject({
      audience: "watcher",
      openEmbargoed: { count: 1, bySeverity: { critical: 0, high: 1, medium: 0, low: 0 } },
    });
    const text = await outsideText(watch.serial);
    expect(text).toContain(DEMO_ADVISORY_TITLE);
    expect(text).not.toContain(DEMO_OPEN_TITLE);
    expect(text).not.toContain(DEMO_OPEN_DESCRIPTION);
    expect(text).not.toContain("configuration service accepted writes"); // the fixed one's description: never public
    // The demo buyer started watching after that disclosure: no event for it.
    expect(advisoryEvents(a.advisoryId)).toEqual([]);

    const cam = sealAdvisories(null, camera)!.advisories;
    expect(cam).toEqual([
      expect.objectContaining({
        title: "Cloud clip links can be guessed",
        reason: "deadline_passed",
        fixedInVersion: null,
        fixedOn: null,
      }),
    ]);
  });
});

describe("before and after the fix is certified", () => {
  const TITLE = "Unlock PIN can be brute-forced over BLE";
  let id: string;
  let advisoryId: string;

  it("while open, no outsider sees its title, description or severity; a watching buyer sees only its count and severity; staff see the public view here", async () => {
    const before = sealAdvisories(null, watch.serial)!.advisories;
    // The demo watch's public advisory is fixed in 3.1.0, which has a valid seal of its own: a certified fix.
    const certifiedFixes = { "3.1.0": watch.serial };
    id = report(TITLE);
    advisoryId = advisoryIdOf(id);
    for (const viewer of [null, sam(), corner()]) {
      expect(sealAdvisories(viewer, watch.serial)).toEqual({
        advisories: before,
        openEmbargoed: null,
        audience: "public",
        certifiedFixes,
      });
    }
    expect(sealAdvisories(buyer(), watch.serial)).toEqual({
      advisories: before,
      openEmbargoed: { count: 2, bySeverity: { critical: 0, high: 2, medium: 0, low: 0 } },
      audience: "watcher",
      exploitedEmbargoed: ["high"], // the demo's own open report, flagged actively exploited (CRA Article 14)
      certifiedFixes,
    });
    for (const staff of [grace(), asha(), actorByEmail("admin@demo.test")]) {
      expect(sealAdvisories(staff, watch.serial)).toEqual({
        advisories: before,
        openEmbargoed: null,
        audience: "staff",
        certifiedFixes,
      });
    }
    expect(watchedProductAdvisories(buyer())[watch.productId]).toEqual({
      advisoryIds: before.map((a) => a.advisoryId),
      openEmbargoed: { count: 2, bySeverity: { critical: 0, high: 2, medium: 0, low: 0 } },
      exploitedEmbargoed: ["high"], // the demo's open report, flagged actively exploited (CRA Article 14); not this one
      incidentEmbargoed: [],
    });
    expect(() => watchedProductAdvisories(grace())).toThrow(/retail buyers/);
    const text = await outsideText(watch.serial);
    for (const secret of [TITLE, advisoryId, "SECRET-DESCRIPTION", "SECRET-REPORTER", "AV:A/AC:L/PR:N"])
      expect(text).not.toContain(secret);
    // The supplier and the assessors see it in full, embargoed.
    expect(findingView(grace(), id).disclosure).toMatchObject({
      advisoryId,
      public: false,
      canPublish: true,
      label: expect.stringMatching(/^Embargoed until \d{1,2} \w{3,4} \d{4}, 00:00 UTC or until the fix is verified$/),
    });
    expect(findingView(asha(), id).disclosure.canPublish).toBe(false);
  });

  it("a fix marked but not yet verified discloses nothing", async () => {
    actOnFinding(grace(), id, { action: "acknowledge", note: "Reproduced.", version: version(id) });
    actOnFinding(grace(), id, {
      action: "mark_fixed",
      fixedInVersion: "3.1.1",
      note: "Lockout after 5 tries.",
      version: version(id),
    });
    expect(noteDisclosures()).toEqual([]);
    const text = await outsideText(watch.serial);
    expect(text).not.toContain(TITLE);
    expect(text).not.toContain("3.1.1");
  });

  it("once the fix is verified, the advisory appears everywhere with exactly the public fields, and the watchers are told once", async () => {
    actOnFinding(asha(), id, {
      action: "verify_fix",
      note: "Retested: locked out after 5 tries.",
      version: version(id),
    });
    const row = db().select().from(findings).where(eq(findings.id, id)).get()!;
    expect(row.verifiedAt).toBeInstanceOf(Date);
    expect(row.disclosureNotedAt).toBeInstanceOf(Date);
    const expected: PublicAdvisory = {
      advisoryId,
      title: TITLE,
      severity: "high",
      affectedVersions: ["3.1.0"],
      affected: [{ hardwareRevision: "C", firmwareVersion: "3.1.0" }],
      fixedInVersion: "3.1.1",
      reportedOn: today(),
      fixedOn: today(),
      disclosedOn: today(),
      reason: "fix_certified",
      withdrawnOn: null,
    };
    for (const viewer of [null, sam(), corner(), buyer(), grace(), asha()])
      expect(publicAdvisories(viewer)[0]).toEqual(expected); // newest disclosed first
    expect(sealAdvisories(buyer(), watch.serial)!.openEmbargoed).toEqual({
      count: 1,
      bySeverity: { critical: 0, high: 1, medium: 0, low: 0 },
    });

    const api = (await (await fetch(`${base}/api/v1/seals/${watch.serial}`)).json()) as {
      status: string;
      advisories: PublicAdvisory[];
    };
    expect(api.status).toBe("valid");
    expect(api.advisories[0]).toEqual(expected);
    expect(api.advisories.map((a) => a.title)).toEqual(publicAdvisories().map((a) => a.title));

    // The watching buyer: one event in the watchlist, the feed and the webhook outbox; the other buyer: none.
    // (The demo camera's advisory, public since the seed, is in the feed too: the buyer watched it then.)
    const feed = watchlistFeed(buyer(), 0, 500).events.filter(
      (e) => e.type === "advisory.published" && e.id === `advisory-${advisoryId}`,
    );
    expect(feed).toEqual([
      expect.objectContaining({
        id: `advisory-${advisoryId}`,
        serial: watch.serial,
        reason: `Advisory ${advisoryId} published: ${TITLE} (high)`,
        product: { id: watch.productId, name: "Gator Kids Watch 3", model: "GW-KW3" },
        advisory: expected,
      }),
    ]);
    expect(
      (await watchlistView(buyer())).changes.some(
        (c) => c.type === "advisory.published" && c.reason.includes(advisoryId),
      ),
    ).toBe(true);
    expect(watchlistFeed(corner(), 0, 500).events).toEqual([]);
    const deliveries = advisoryDeliveries(advisoryId);
    expect(deliveries).toHaveLength(1);
    expect(JSON.parse(deliveries[0].body)).toMatchObject({ type: "advisory.published", advisory: expected });

    const text = await outsideText(watch.serial);
    expect(text).toContain(TITLE);
    for (const secret of [
      "SECRET-DESCRIPTION",
      "SECRET-REPORTER",
      "AV:A/AC:L/PR:N",
      "Lockout after 5 tries",
      "Retested",
    ])
      expect(text).not.toContain(secret);
    expect(findingView(grace(), id).disclosure).toMatchObject({
      public: true,
      canPublish: false,
      label: `Public since ${formatDate(nowMs())} (fix verified)`,
    });
    expect(
      db()
        .select()
        .from(auditEvents)
        .where(and(eq(auditEvents.action, "finding.disclosed"), eq(auditEvents.targetId, id)))
        .all(),
    ).toHaveLength(1);
    expect(checkAuditChain().ok).toBe(true);
  });
});

describe("a deadline passing", () => {
  const TITLE = "Companion API leaks the child's home address";
  let id: string;
  let advisoryId: string;
  let deadline: Date;

  it("discloses the advisory and suspends the seal with a reason that names nothing; each advisory is announced once however often the sweep runs", async () => {
    // Reported 29 days ago, critical (30 days): due within a day, before anything else on the watch falls due.
    const reportedOn = new Date(nowMs() - 29 * DAY_MS).toISOString().slice(0, 10);
    id = report(TITLE, "critical", { reportedOn, confirmPublic: "yes" }); // public within a day: confirmed
    advisoryId = advisoryIdOf(id);
    deadline = db().select().from(findings).where(eq(findings.id, id)).get()!.deadline;
    const announced = (a: string) => [advisoryEvents(a).length, advisoryDeliveries(a).length];

    testClock.set(deadline.getTime() - 60_000); // just before: still embargoed, not suspended
    expect(runLifecycleSweep().disclosed).not.toContain(advisoryId);
    expect(sealBySerial(watch.serial)!.state).toBe("active");
    expect(await outsideText(watch.serial)).not.toContain(TITLE);

    testClock.set(deadline.getTime() + 60_000);
    const sweep = runLifecycleSweep();
    expect(sweep.suspended).toEqual([watch.serial]);
    expect(sweep.disclosed).toContain(advisoryId);
    for (let i = 0; i < 3; i++) expect(runLifecycleSweep().disclosed).toEqual([]);
    expect(noteDisclosures()).toEqual([]);
    expect(announced(advisoryId)).toEqual([1, 1]);
    expect(publicAdvisories().find((a) => a.advisoryId === advisoryId)).toEqual({
      advisoryId,
      title: TITLE,
      severity: "critical",
      affectedVersions: ["3.1.0"],
      affected: [{ hardwareRevision: "C", firmwareVersion: "3.1.0" }],
      fixedInVersion: null,
      reportedOn,
      fixedOn: null,
      disclosedOn: deadline.toISOString().slice(0, 10),
      reason: "deadline_passed",
      withdrawnOn: null,
    });

    // The status change itself (page history, log leaf, API and verifier reasons, the seal webhook) names no report.
    const statusChange = JSON.stringify({
      history: sealHistory(watch.serial),
      api: await (
        await fetch(`${base}/api/v1/seals/${watch.serial}`)
      )
        .json()
        .then((b: { reason?: string }) => b.reason),
      verify: await verifySerial(watch.serial),
      log: db().select({ data: logLeaves.data }).from(logLeaves).all(),
      seal: db()
        .select({ body: webhookDeliveries.body })
        .from(webhookDeliveries)
        .all()
        .filter((d) => JSON.parse(d.body).type?.startsWith("seal.")),
      events: db().select({ reason: sealEvents.reason }).from(sealEvents).all(),
    });
    expect((await verifySerial(watch.serial)).status).toBe("suspended");
    for (const secret of [TITLE, advisoryId, DEMO_OPEN_TITLE, "SECRET-DESCRIPTION", "SECRET-REPORTER", "critical"])
      expect(statusChange).not.toContain(secret);
    expect(await outsideText(watch.serial)).not.toContain("SECRET-DESCRIPTION");
  });

  it("a deadline cannot be moved once it has made the advisory public", () => {
    testClock.set(deadline.getTime() + 60_000);
    const later = new Date(nowMs() + 30 * DAY_MS).toISOString().slice(0, 10);
    expect(() =>
      extendFindingDeadline(asha(), id, {
        deadline: later,
        reason: "The supplier asked for more time.",
        version: version(id),
      }),
    ).toThrow(/public since .* cannot be moved after disclosure/);
    expect(findingView(asha(), id).canExtend).toBe(false);
    expect(findingView(grace(), id).disclosure).toMatchObject({
      public: true,
      label: `Public since ${formatDate(deadline)} (deadline passed)`,
    });
    // Closed so that the rest of this file starts from a valid seal.
    actOnFinding(grace(), id, { action: "mark_fixed", fixedInVersion: "3.1.2", note: "", version: version(id) });
    actOnFinding(asha(), id, { action: "verify_fix", note: "Checked.", version: version(id) });
    // Still public, now with the certified fix; announced once all the same.
    expect(publicAdvisories().find((a) => a.advisoryId === advisoryId)).toMatchObject({
      reason: "deadline_passed",
      fixedInVersion: "3.1.2",
    });
    expect(advisoryEvents(advisoryId)).toHaveLength(1);
  });

  it("an extension before the deadline keeps it embargoed", () => {
    const other = report("Factory reset keeps the SOS contacts", "medium");
    const f = db().select().from(findings).where(eq(findings.id, other)).get()!;
    const later = new Date(f.deadline.getTime() + 30 * DAY_MS).toISOString().slice(0, 10);
    extendFindingDeadline(asha(), other, {
      deadline: later,
      reason: "A hardware change is needed; agreed with the reporter.",
      version: version(other),
    });
    testClock.set(f.deadline.getTime() + DAY_MS);
    runLifecycleSweep();
    expect(publicAdvisories().map((a) => a.title)).not.toContain("Factory reset keeps the SOS contacts");
    testClock.reset();
    actOnFinding(asha(), other, {
      action: "withdraw",
      note: "Set aside for the rest of this file.",
      version: version(other),
    });
  });
});

describe("the supplier publishes early", () => {
  const TITLE = "Debug UART enabled on production boards";
  let id: string;

  it("only its own report, confirmed, once; the advisory appears at once while the report stays open", async () => {
    id = report(TITLE, "medium");
    const advisoryId = advisoryIdOf(id);
    expect(publishAdvisoryInput.safeParse({ version: "1" })).toMatchObject({
      success: false,
      error: { issues: [{ message: "Tick the box to confirm that the advisory becomes public now." }] },
    });
    expect(publishAdvisoryInput.safeParse({ version: "1", confirm: "yes" }).success).toBe(true);
    expect(() => publishAdvisory(sam(), id, { version: version(id), confirm: "yes" })).toThrow(
      /No finding has this id/,
    );
    expect(() => publishAdvisory(asha(), id, { version: version(id), confirm: "yes" })).toThrow(/Only the supplier/);
    expect(() => publishAdvisory(buyer(), id, { version: version(id), confirm: "yes" })).toThrow(/Only the supplier/);
    expect(() => publishAdvisory(grace(), id, { version: version(id) + 1, confirm: "yes" })).toThrow(
      /changed this finding meanwhile/,
    );
    expect(await outsideText(watch.serial)).not.toContain(TITLE);

    expect(publishAdvisory(grace(), id, { version: version(id), confirm: "yes" })).toEqual({ advisoryId });
    expect(publicAdvisories()[0]).toEqual({
      advisoryId,
      title: TITLE,
      severity: "medium",
      affectedVersions: ["3.1.0"],
      affected: [{ hardwareRevision: "C", firmwareVersion: "3.1.0" }],
      fixedInVersion: null,
      reportedOn: today(),
      fixedOn: null,
      disclosedOn: today(),
      reason: "published_by_supplier",
      withdrawnOn: null,
    });
    expect(db().select().from(findings).where(eq(findings.id, id)).get()).toMatchObject({
      status: "open",
      publishedAt: expect.any(Date),
      disclosureNotedAt: expect.any(Date),
    });
    expect(findingView(grace(), id).disclosure).toMatchObject({ public: true, canPublish: false });
    expect(() => publishAdvisory(grace(), id, { version: version(id), confirm: "yes" })).toThrow(/already public/);
    runLifecycleSweep();
    expect(advisoryEvents(advisoryId)).toHaveLength(1);
    expect(
      db()
        .select()
        .from(auditEvents)
        .where(and(eq(auditEvents.action, "finding.published_early"), eq(auditEvents.targetId, id)))
        .all(),
    ).toHaveLength(1);
    const text = await outsideText(watch.serial);
    expect(text).toContain(TITLE);
    expect(text).not.toContain("SECRET-DESCRIPTION");
    // A fix verified later adds the fixed version to the same advisory.
    actOnFinding(grace(), id, { action: "mark_fixed", fixedInVersion: "3.1.3", note: "", version: version(id) });
    actOnFinding(asha(), id, { action: "verify_fix", note: "Checked.", version: version(id) });
    expect(publicAdvisories().find((a) => a.advisoryId === advisoryId)).toMatchObject({
      reason: "published_by_supplier",
      fixedInVersion: "3.1.3",
      fixedOn: today(),
    });
    expect(advisoryEvents(advisoryId)).toHaveLength(1);
  });
});

describe("a withdrawn report", () => {
  it("never appears, whatever the dates, and cannot be published", async () => {
    const TITLE = "Not a real issue: BLE advertising shows the model name";
    const id = report(TITLE, "high");
    actOnFinding(asha(), id, {
      action: "withdraw",
      note: "The model name is public information.",
      version: version(id),
    });
    expect(() => publishAdvisory(grace(), id, { version: version(id), confirm: "yes" })).toThrow(/withdrawn/);
    testClock.set(nowMs() + 400 * DAY_MS);
    runLifecycleSweep();
    expect(await outsideText(watch.serial)).not.toContain(TITLE);
    expect(productAdvisories(buyer(), watch.productId).advisories.map((a) => a.title)).not.toContain(TITLE);
    expect(advisoryEvents(advisoryIdOf(id))).toEqual([]);
    expect(findingView(grace(), id).disclosure).toMatchObject({
      public: false,
      canPublish: false,
      label: "Withdrawn: never disclosed",
    });
    expect(listFindings(asha()).find((f) => f.id === id)!.disclosure.label).toBe("Withdrawn: never disclosed");
  });
});

describe("a re-certification that certifies the fix", () => {
  it("verifies the report fixed in the new firmware, which discloses its advisory at the approval, and tells the watchers", async () => {
    const oldVersion = sealBySerial(camera)!.productVersionId;
    const productId = db()
      .select({ p: productVersions.productId })
      .from(productVersions)
      .where(eq(productVersions.id, oldVersion))
      .get()!.p;
    const TITLE = "Camera's RTSP stream answers without credentials";
    const id = recordFinding(asha(), {
      productId,
      versionIds: [oldVersion],
      title: TITLE,
      description: "SECRET-DESCRIPTION of the camera stream.",
      severity: "medium",
      reporter: "SECRET-REPORTER",
      reportedOn: today(),
    });
    const advisoryId = advisoryIdOf(id);
    const fixed = addProductVersion(sam(), productId, {
      hardwareRevision: "A",
      firmwareVersion: "1.9.3",
      appVersion: null,
      notes: "",
    });
    actOnFinding(sam(), id, { action: "mark_fixed", fixedInVersion: "1.9.3", note: "", version: version(id) });
    const sid = startRecertification(sam(), {
      serial: camera,
      productVersionId: fixed,
      changeSummary: "The RTSP stream now needs the camera's credentials.",
    });
    markRequirementChanged(sam(), sid, "3", { changed: true, note: "Support period extended with this release." });
    submitSubmission(sam(), sid);
    takeSubmission(asha(), sid, subVersion(sid));
    for (const r of reviewView(asha(), sid).requirements.filter((r) => r.mustReview))
      recordVerdict(asha(), sid, r.ref, {
        verdict: "pass",
        comment: "Checked.",
        accepted: false,
        version: subVersion(sid),
      });
    proposeApproval(asha(), sid, subVersion(sid), "Delta reviewed.");
    expect(sealAdvisories(null, camera)!.advisories.map((a) => a.title)).not.toContain(TITLE);
    const newSerial = await confirmApproval(actorByEmail("assessor2@demo.test"), sid, subVersion(sid), "Confirmed.");

    expect(db().select().from(findings).where(eq(findings.id, id)).get()).toMatchObject({
      status: "verified_fixed",
      verifiedAt: expect.any(Date),
      disclosureNotedAt: expect.any(Date),
    });
    expect(sealAdvisories(null, newSerial)!.advisories[0]).toEqual({
      advisoryId,
      title: TITLE,
      severity: "medium",
      affectedVersions: ["1.9.2"],
      affected: [{ hardwareRevision: "A", firmwareVersion: "1.9.2" }],
      fixedInVersion: "1.9.3",
      reportedOn: today(),
      fixedOn: today(),
      disclosedOn: today(),
      reason: "fix_certified",
      withdrawnOn: null,
    });
    expect(advisoryDeliveries(advisoryId).map((d) => JSON.parse(d.body))).toEqual([
      expect.objectContaining({ type: "advisory.published", serial: newSerial }),
    ]);
    expect(noteDisclosures()).toEqual([]);
  });
});

describe("advisory ids", () => {
  it("run per year of the report: IOTSEAL-<year>-<n>, n one more than the highest used that year", () => {
    const bell = db()
      .select({ productId: products.id, versionId: productVersions.id })
      .from(products)
      .innerJoin(productVersions, eq(productVersions.productId, products.id))
      .where(eq(products.name, "Brightnest Video Doorbell"))
      .get()!;
    const record = (reportedOn: string) =>
      advisoryIdOf(
        recordFinding(asha(), {
          productId: bell.productId,
          versionIds: [bell.versionId],
          title: `Old report of ${reportedOn}`,
          description: "An old report entered late, for the id sequence.",
          severity: "low",
          reporter: "Archive",
          reportedOn,
          confirmPublic: "yes", // long overdue: public at once
          confirmReportedOn: "yes", // and years ago, on purpose
        }),
      );
    expect(record("2019-06-01")).toBe("IOTSEAL-2019-0001");
    expect(record("2020-12-31")).toBe("IOTSEAL-2020-0001");
    expect(record("2020-01-01")).toBe("IOTSEAL-2020-0002"); // by the order recorded, not the date
    expect(record("2019-01-15")).toBe("IOTSEAL-2019-0002");
    const year = new Date(nowMs()).getUTCFullYear();
    const used = db()
      .select({ a: findings.advisoryId })
      .from(findings)
      .where(like(findings.advisoryId, `IOTSEAL-${year}-%`))
      .all()
      .map((r) => Number(r.a!.slice(-4)));
    expect(record(today())).toBe(`IOTSEAL-${year}-${String(Math.max(...used) + 1).padStart(4, "0")}`);
    const all = db()
      .select({ a: findings.advisoryId })
      .from(findings)
      .all()
      .map((r) => r.a);
    expect(new Set(all).size).toBe(all.length);
    expect(all.every((a) => /^IOTSEAL-\d{4}-\d{4}$/.test(a ?? ""))).toBe(true);
  });
});
