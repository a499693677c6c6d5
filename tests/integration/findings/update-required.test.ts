// Issue 15: "valid, update required" in every view, against a real database and the real fast routes:
// the demo speaker (firmware 1.0.3, a public high advisory fixed in the registered 1.0.4) is valid
// and says which firmware to install: the public page's view, the seal API, the verify API, the bulk
// CSV (a column) and JSON, and a policy that asks for "no public advisory affecting this firmware".
// And a fix is certified only for a firmware version the product has: "fixed in" an unregistered
// version asks the supplier to register it; an assessor's verification of it is refused until it is.
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { findings, productVersions, watchEvents } from "../../../db/schema";
import { db } from "../../../app/platform/db.server";
import { seedDemoData } from "../../support/demo-seed";
import { demoSealSerials } from "../../../app/demo/seed-seals.server";
import { DEMO_UPDATE_ADVISORY_TITLE } from "../../../app/demo/seed-advisories.server";
import { publicSealView, sealBySerial } from "../../../app/features/certification/seals.server";
import {
  sealAdvisories,
  updateRequiredBySerial,
  validSealOfFirmware,
} from "../../../app/features/findings/advisories.server";
import { actOnFinding, findingView, recordFinding } from "../../../app/features/findings/findings.server";
import { addProductVersion } from "../../../app/features/catalogue/products.server";
import { bulkCheck, runBulkCheck } from "../../../app/features/retail/bulk-checks.server";
import { deletePolicy, policyFromForm, savePolicy } from "../../../app/features/retail/policies.server";
import { watchlistView } from "../../../app/features/retail/watchlist.server";
import { createApiToken } from "../../../app/features/accounts/api-tokens.server";
import { asha, buyer, grace, sam } from "../../support/actors";
import { publishAdvisory } from "../../../app/features/findings/disclosure.server";
import { startFastRoutes, type TestServer } from "../../support/http";

let server: TestServer;
let serials: Record<string, string>;
const speaker = () => serials["Brightnest Smart Speaker 1.0.3"];
const watch3 = () => serials["Gator Kids Watch 3 3.1.0"];
const today = () => new Date().toISOString().slice(0, 10);
const version = (id: string) => db().select({ v: findings.version }).from(findings).where(eq(findings.id, id)).get()!.v;
let advisoryId: string;

beforeAll(async () => {
  server = await startFastRoutes();
  await seedDemoData();
  serials = demoSealSerials();
  advisoryId = db()
    .select({ a: findings.advisoryId })
    .from(findings)
    .where(eq(findings.title, DEMO_UPDATE_ADVISORY_TITLE))
    .get()!.a!;
}, 60_000);

afterAll(() => server.close());

describe("the demo speaker: valid, update required", () => {
  it("its seal stays valid; the public page's view names the advisory and the firmware to install", async () => {
    const view = (await publicSealView(speaker()))!;
    expect(view.verdict).toBe("valid");
    expect(view.credential!.credentialSubject.firmwareVersion).toBe("1.0.3");
    expect(view.updateRequired).toEqual({ advisories: [advisoryId], fixedIn: "1.0.4" });
    // The advisory is public, fix certified in the registered 1.0.4.
    expect(sealAdvisories(null, speaker())!.advisories[0]).toMatchObject({
      advisoryId,
      affectedVersions: ["1.0.3"],
      fixedInVersion: "1.0.4",
      reason: "fix_certified",
    });
    // A seal whose firmware no public advisory affects: null (the watch's advisory was about 3.0.4, fixed in 3.1.0).
    expect((await publicSealView(watch3()))!.updateRequired).toBeNull();
  });

  it("the fix in 1.0.4 was verified by an assessor, but 1.0.4 has no seal: it is not called certified; the watch's 3.1.0 is", () => {
    // Decision 015: the verification triggers the advisory and the update; only a valid seal of its own certifies 1.0.4.
    expect(validSealOfFirmware(speaker(), "1.0.4")).toBeNull();
    expect(sealAdvisories(null, speaker())!.certifiedFixes).toEqual({});
    expect(validSealOfFirmware(watch3(), "3.1.0")).toBe(watch3());
    expect(sealAdvisories(null, watch3())!.certifiedFixes).toEqual({ "3.1.0": watch3() });
    // Looked up on the seal's own product (the watch's 3.1.0 is nothing to the speaker); an expired or
    // suspended seal certifies nothing now.
    expect(validSealOfFirmware(speaker(), "3.1.0")).toBeNull();
    const [expired, suspended] = [serials["Gator Kids Watch 2 2.9.4"], serials["Brightnest Indoor Cam 1 1.9.2"]];
    expect([sealBySerial(expired)?.state, sealBySerial(suspended)?.state]).toEqual(["active", "suspended"]);
    expect(validSealOfFirmware(expired, "2.9.4")).toBeNull(); // active, but past its validity
    expect(validSealOfFirmware(suspended, "1.9.2")).toBeNull();
  });

  it("GET /api/v1/seals/<serial> answers updateRequired (null when none)", async () => {
    const body = await (await fetch(`${server.base}/api/v1/seals/${speaker()}`)).json();
    expect(body).toMatchObject({ status: "valid", updateRequired: { advisories: [advisoryId], fixedIn: "1.0.4" } });
    const other = await (await fetch(`${server.base}/api/v1/seals/${watch3()}`)).json();
    expect(other.status).toBe("valid");
    expect(other.updateRequired).toBeNull();
  });

  it("POST /api/v1/verify with the credential answers it too", async () => {
    const jws = sealBySerial(speaker())!.credential;
    const res = await fetch(`${server.base}/api/v1/verify`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ credential: jws }),
    });
    expect(await res.json()).toMatchObject({
      status: "valid",
      serial: speaker(),
      updateRequired: { advisories: [advisoryId], fixedIn: "1.0.4" },
    });
  });

  it("the bulk check: an update_required column (CSV), updateRequired (JSON), and the row needs attention", async () => {
    const csv = ["serial,sku", `${speaker()},SPK`, `${watch3()},W3`, "IOTS-0000-0000,NONE"].join("\n");
    const api = await (
      await fetch(`${server.base}/api/v1/verify/bulk`, {
        method: "POST",
        body: csv,
        headers: { "Content-Type": "text/csv" },
      })
    ).text();
    const lines = api.trim().split("\n");
    expect(lines[0]).toBe(
      "serial,sku,status,reason,checked_product,checked_firmware,valid_until,update_required,checked_serial,file_line,check_note",
    );
    expect(lines[1]).toMatch(
      new RegExp(`^${speaker()},SPK,valid,.*,1\\.0\\.3,[\\d-]+,update to 1\\.0\\.4: ${advisoryId},${speaker()},2,$`),
    );
    expect(lines[2]).toMatch(/,valid,.*,3\.1\.0,[\d-]+,,IOTS-\w{4}-\w{4},3,$/);
    expect(lines[3]).toMatch(/^IOTS-0000-0000,NONE,not_found,/);
    const json = await (
      await fetch(`${server.base}/api/v1/verify/bulk`, {
        method: "POST",
        body: csv,
        headers: { Accept: "application/json" },
      })
    ).json();
    expect(json.results.map((r: { updateRequired: unknown }) => r.updateRequired)).toEqual([
      { advisories: [advisoryId], fixedIn: "1.0.4" },
      null,
      null,
    ]);

    const run = await runBulkCheck(buyer(), { fileName: "stock.csv", text: csv });
    const checked = bulkCheck(buyer(), run.id);
    expect(checked.csv.split("\n")[0]).toBe(
      "serial,sku,status,reason,checked_product,checked_firmware,valid_until,update_required,checked_serial,file_line,check_note,policy",
    );
    expect(checked.rows[0]).toMatchObject({
      serial: speaker(),
      status: "valid",
      updateRequired: { advisories: [advisoryId], fixedIn: "1.0.4" },
    });
    expect(checked.rows[1].updateRequired).toBeNull();
    expect(checked.policySummary).not.toBeNull(); // the policy column is still found after the new column
  });

  it("the watchlist shows it on the speaker's row", async () => {
    const view = await watchlistView(buyer());
    const row = view.rows.find((r) => r.seal?.serial === speaker())!;
    expect(row.status).toBe("valid");
    expect(row.updateRequired).toEqual({ advisories: [advisoryId], fixedIn: "1.0.4" });
  });
});

describe("a policy can require no public advisory affecting the firmware", () => {
  it("the form's tick box saves the clause; the speaker misses it (page, bulk, API with a token); others are unaffected", async () => {
    const form = policyFromForm({ name: "Shop floor", category: "any", noAffectingAdvisory: "on" });
    expect(form.ok).toBe(true);
    const id = savePolicy(buyer(), form.ok ? form.value : null);
    try {
      const { token } = createApiToken(buyer(), { name: "till system" });
      const body = await (
        await fetch(`${server.base}/api/v1/seals/${speaker()}`, { headers: { Authorization: `Bearer ${token}` } })
      ).json();
      const shopFloor = body.policies.find((p: { policy: string }) => p.policy === "Shop floor");
      expect(shopFloor).toEqual({
        policy: "Shop floor",
        meets: false,
        misses: [
          {
            clause: "advisory",
            message: `Firmware 1.0.3 is affected by 1 public advisory (${advisoryId}, high), fixed in 1.0.4.`,
          },
        ],
      });
      const watchBody = await (
        await fetch(`${server.base}/api/v1/seals/${watch3()}`, { headers: { Authorization: `Bearer ${token}` } })
      ).json();
      expect(watchBody.policies.find((p: { policy: string }) => p.policy === "Shop floor").meets).toBe(true);

      const run = await runBulkCheck(buyer(), { fileName: "floor.csv", text: `serial\n${speaker()}\n` });
      expect(bulkCheck(buyer(), run.id).rows[0]).toMatchObject({
        missesPolicy: true,
        policy: expect.stringContaining("misses Shop floor: Firmware 1.0.3 is affected by 1 public advisory"),
      });
      const row = (await watchlistView(buyer())).rows.find((r) => r.seal?.serial === speaker())!;
      expect(row.policies?.find((p) => p.policyName === "Shop floor")?.meets).toBe(false);
    } finally {
      deletePolicy(buyer(), id, { confirmed: true });
    }
    // Unticked: not asked.
    const off = policyFromForm({ name: "Shop floor 2", category: "any" });
    expect(off.ok && (off.value as { noAffectingAdvisory: boolean }).noAffectingAdvisory).toBe(false);
  });
});

describe("a newly public advisory re-evaluates the watchers' policies at once", () => {
  it("the watched watch stops meeting 'no public advisory affecting the firmware': a policy.unmet event, without a sweep", () => {
    const form = policyFromForm({ name: "No advisories", category: "any", noAffectingAdvisory: "on" });
    const policyId = savePolicy(buyer(), form.ok ? form.value : null); // first results: recorded, no event
    try {
      const seal = sealBySerial(watch3())!;
      const productId = db()
        .select({ p: productVersions.productId })
        .from(productVersions)
        .where(eq(productVersions.id, seal.productVersionId))
        .get()!.p;
      const unmet = () =>
        db()
          .select()
          .from(watchEvents)
          .where(and(eq(watchEvents.type, "policy.unmet"), eq(watchEvents.serial, watch3())))
          .all()
          .filter((e) => JSON.stringify(e.body).includes(policyId));
      expect(unmet()).toEqual([]);
      const id = recordFinding(asha(), {
        productId,
        versionIds: [seal.productVersionId],
        title: "Step counter syncs over plain HTTP",
        description:
          "The step counter's daily sync uses plain HTTP to the cloud, so the counts can be read in transit.",
        severity: "low",
        reporter: "Gator QA",
        reportedOn: today(),
      });
      expect(unmet()).toEqual([]); // embargoed: nothing public yet
      publishAdvisory(grace(), id, { version: version(id), confirm: "yes" });
      const events = unmet();
      expect(events).toHaveLength(1);
      expect(JSON.stringify(events[0].body)).toContain("Firmware 3.1.0 is affected by 1 public advisory");
      expect(JSON.stringify(events[0].body)).not.toContain("plain HTTP"); // never the title
    } finally {
      deletePolicy(buyer(), policyId, { confirmed: true });
    }
  });
});

describe("a fix is certified only for a firmware version that exists on the product", () => {
  it("'fixed in 1.0.5' (unregistered): announced, not certified; the answer says to register it and re-certify; verifying is refused until it is registered", async () => {
    const productId = db()
      .select({ p: productVersions.productId })
      .from(productVersions)
      .where(eq(productVersions.id, sealBySerial(speaker())!.productVersionId))
      .get()!.p;
    const v104 = db()
      .select({ id: productVersions.id })
      .from(productVersions)
      .where(and(eq(productVersions.productId, productId), eq(productVersions.firmwareVersion, "1.0.4")))
      .get()!.id;
    const id = recordFinding(asha(), {
      productId,
      versionIds: [v104],
      title: "Setup hotspot stays open after pairing",
      description: "The set-up Wi-Fi hotspot stays open for an hour after pairing, without a password.",
      severity: "medium",
      reporter: "Brightnest QA",
      reportedOn: today(),
    });
    const answer = actOnFinding(sam(), id, {
      action: "mark_fixed",
      fixedInVersion: "1.0.5",
      note: "Hotspot closes on pairing.",
      version: version(id),
    });
    expect(answer.notice).toMatch(/Firmware 1\.0\.5 is not registered on Brightnest Smart Speaker/);
    expect(answer.notice).toMatch(/Add a version.*Re-certify/);
    expect(findingView(sam(), id).fix).toEqual({ state: "announced", version: "1.0.5", registered: false });

    await expect(() =>
      actOnFinding(asha(), id, { action: "verify_fix", note: "Retested on 1.0.5.", version: version(id) }),
    ).toBeRefused(
      "conflict",
      /Firmware 1\.0\.5 is not registered on Brightnest Smart Speaker: a fix is certified only for a firmware version of the product/,
    );
    const row = db().select().from(findings).where(eq(findings.id, id)).get()!;
    expect(row).toMatchObject({ status: "fixed", verifiedAt: null });

    // Registered: the assessor can verify it; the advisory is public, fix certified, and 1.0.4's seals would need 1.0.5.
    addProductVersion(sam(), productId, { hardwareRevision: "A", firmwareVersion: "1.0.5", appVersion: "", notes: "" });
    expect(findingView(sam(), id).fix).toEqual({ state: "announced", version: "1.0.5", registered: true });
    expect(
      actOnFinding(asha(), id, { action: "verify_fix", note: "Retested on 1.0.5.", version: version(id) }).notice,
    ).toBeNull();
    expect(findingView(asha(), id).fix).toEqual({ state: "certified", version: "1.0.5" });
    expect(sealAdvisories(null, speaker())!.advisories.find((a) => a.title.startsWith("Setup hotspot"))).toMatchObject({
      affectedVersions: ["1.0.4"],
      fixedInVersion: "1.0.5",
    });
    // The 1.0.3 seal still needs 1.0.4 (this advisory is about 1.0.4, not its firmware).
    expect(updateRequiredBySerial([speaker()]).get(speaker())).toEqual({ advisories: [advisoryId], fixedIn: "1.0.4" });
  });

  it("'fixed in' a registered version says nothing more", () => {
    const productId = db()
      .select({ p: productVersions.productId })
      .from(productVersions)
      .where(eq(productVersions.id, sealBySerial(speaker())!.productVersionId))
      .get()!.p;
    const id = recordFinding(asha(), {
      productId,
      versionIds: [sealBySerial(speaker())!.productVersionId],
      title: "Debug log includes the Wi-Fi password",
      description: "The diagnostics upload includes the Wi-Fi password in plain text in its debug log.",
      severity: "low",
      reporter: "Brightnest QA",
      reportedOn: today(),
    });
    expect(
      actOnFinding(sam(), id, { action: "mark_fixed", fixedInVersion: "1.0.4", note: "", version: version(id) }).notice,
    ).toBeNull();
  });
});
