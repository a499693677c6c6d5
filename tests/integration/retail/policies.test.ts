// Retailer acceptance policies against a real database: the demo policy that one demo watch meets
// and one misses (for named reasons); form input checked field by field; crosswalk mappings count
// when equivalent;
// bulk checks, the API (with an organisation token) and the watchlist all apply the policies; a
// watched product that stops meeting a policy raises one watch event and one webhook, whether a
// status change or the passing of time caused it.
import { and, eq } from "drizzle-orm";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  acceptancePolicies,
  findings,
  policyStates,
  products,
  watchEvents,
  watchlistEntries,
  webhookDeliveries,
} from "../../../db/schema";
import { actOnFinding } from "../../../app/features/findings/findings.server";
import { testClock } from "../../../app/platform/clock.server";
import { createApiToken, revokeApiToken } from "../../../app/features/accounts/api-tokens.server";
import { bulkCheck, runBulkCheck } from "../../../app/features/retail/bulk-checks.server";
import { db } from "../../../app/platform/db.server";
import { runLifecycleSweep } from "../../../app/system/sweep.server";
import {
  deletePolicy,
  getPolicy,
  listPolicies,
  policyFromForm,
  policyResultsFor,
  savePolicy,
} from "../../../app/features/retail/policies.server";
import { updateProduct } from "../../../app/features/catalogue/products.server";
import { changeSealStatus } from "../../../app/features/trust/seal-status.server";
import { actorByEmail, asha, buyer } from "../../support/actors";
import { demoSealSerials } from "../../../app/demo/seed-seals.server";
import { seedDemoData } from "../../support/demo-seed";
import { verifySerial } from "../../../app/features/trust/verify.server";
import { unwatch, watchBySerial, watchlistFeed, watchlistView } from "../../../app/features/retail/watchlist.server";
import { startFastRoutes, type TestServer } from "../../support/http";

let serials: Record<string, string>;
let server: TestServer;
let base: string;
const WATCH3 = () => serials["Gator Kids Watch 3 3.1.0"];
const WATCH2 = () => serials["Gator Kids Watch 2 2.9.4"];
const PSTI_SEAL = () => serials["Brightnest Smart Plug 1.2.0"]; // a UK PSTI seal (revoked; category hub)

beforeAll(async () => {
  await seedDemoData();
  serials = demoSealSerials();
  server = await startFastRoutes();
  base = server.base;
});
afterAll(async () => {
  await server.close();
});
afterEach(() => testClock.reset());

const demoPolicyId = () =>
  db()
    .select({ id: acceptancePolicies.id })
    .from(acceptancePolicies)
    .where(eq(acceptancePolicies.name, "Children's wearables"))
    .get()!.id;

describe("the demo policy", () => {
  it("Gator Kids Watch 3 meets it; Gator Kids Watch 2 misses it, expired, its PSTI seal meeting the ETSI provisions only partly, and too old; other categories are not judged", async () => {
    const view = await watchlistView(buyer());
    const byName = Object.fromEntries(view.rows.map((r) => [r.name, r.policies]));
    expect(view.hasPolicies).toBe(true);
    expect(byName["Gator Kids Watch 3"]).toEqual([
      { policyId: demoPolicyId(), policyName: "Children's wearables", meets: true, misses: [] },
    ]);
    const w2 = byName["Gator Kids Watch 2"]![0];
    expect(w2.meets).toBe(false);
    expect(w2.misses.map((m) => m.clause)).toEqual(["status", "provision", "provision", "provision", "age"]);
    expect(w2.misses[0].message).toBe("The seal is expired, not valid.");
    // UK PSTI's links to the ETSI provisions state no kind: met only partly, as its coverage page says.
    expect(w2.misses[1].message).toBe(
      "ETSI EN 303 645 5.1-1 is met only partly, through the crosswalk: UK PSTI 1 is met, but the crosswalk does not say the two are equivalent.",
    );
    expect(w2.misses[4].message).toMatch(
      /^Issued 25 months ago \(\d{1,2} [A-Z][a-z]{2} \d{4}\); this policy accepts seals up to 24 months old\.$/,
    );
    expect(byName["Brightnest Indoor Cam 1"]).toEqual([]); // a camera: the children's-wearables policy does not apply
    const [listed] = listPolicies(buyer());
    expect(listed.summary).toContain("At least 2 years of support from today");
    expect(listed.summary).toContain(
      "Support period meets the EU Cyber Resilience Act (at least five years from going on sale, or a stated shorter expected use time)",
    );
    expect(listed.watched).toEqual({ meets: 1, misses: 1 });
  });

  it("a single check by a logged-in buyer carries the result; anonymous and other roles get none", async () => {
    const answer = await verifySerial(WATCH2());
    expect(policyResultsFor(buyer(), answer)?.[0]).toMatchObject({ policyName: "Children's wearables", meets: false });
    expect(policyResultsFor(null, answer)).toBeNull();
    expect(policyResultsFor(asha(), answer)).toBeNull();
    expect(policyResultsFor(buyer(), { status: "not_found" })).toBeNull();
  });
});

describe("writing policies", () => {
  const form = (over: Record<string, string>) => ({
    name: "Cameras",
    category: "camera",
    requiredProvisions: "",
    minSupport: "",
    maxSealAgeMonths: "",
    blockingFindingSeverity: "",
    ...over,
  });

  it("expands a clause, and its advisory provisions only, from the policy form", () => {
    const all = policyFromForm(form({ requiredProvisions: "etsi-en-303-645:5.1\n\nuk-psti:2" }));
    expect(all.ok && (all.value as { requiredProvisions: string[] }).requiredProvisions).toEqual([
      "etsi-en-303-645:5.1-1",
      "etsi-en-303-645:5.1-2",
      "etsi-en-303-645:5.1-2A",
      "etsi-en-303-645:5.1-3",
      "etsi-en-303-645:5.1-4",
      "etsi-en-303-645:5.1-5",
      "uk-psti:2",
    ]);
    const advisory = policyFromForm(
      form({ requiredProvisions: "etsi-en-303-645:5.1 advisory", "accept.uk-psti": "on", "level.uk-psti": "baseline" }),
    );
    expect(advisory.ok && advisory.value).toMatchObject({
      requiredProvisions: ["etsi-en-303-645:5.1-2A"],
      accepted: [{ checklistId: "uk-psti", minLevel: "baseline" }],
    });
  });

  it.each([
    [form({ requiredProvisions: "nonsense" }), "requiredProvisions", /"nonsense" is not <checklist-id>:<ref>/],
    [
      form({ requiredProvisions: "etsi-en-303-645:9.9-9" }),
      "requiredProvisions",
      /ETSI EN 303 645 has no provision or clause "9.9-9"/,
    ],
    [form({ minSupport: "two" }), "minSupport", /whole number of years or months/],
  ])("refuses bad form input, naming the field (%#)", (values, field, message) => {
    const r = policyFromForm(values);
    expect(r.ok).toBe(false);
    expect(!r.ok && r.fieldErrors[field]).toMatch(message);
  });

  it.each([
    [{ name: "x" }, "name", /at least 2 characters/],
    [{ category: "spaceship" }, "category", /category/],
    [
      { accepted: [{ checklistId: "no-such-list", minLevel: "baseline" }] },
      "accepted.0.checklistId",
      /imported checklist/,
    ],
    [{ accepted: [{ checklistId: "uk-psti", minLevel: "gold" }] }, "accepted.0.minLevel", /level of UK PSTI/],
    [{ maxSealAgeMonths: 0 }, "maxSealAgeMonths", /at least 1 month/],
    [{ name: "children's WEARABLES" }, "name", /Choose another name/],
  ])("the service refuses %o and stores nothing", (over, field, message) => {
    const before = db().select().from(acceptancePolicies).all().length;
    const good = {
      name: "Hubs",
      category: "hub",
      accepted: [],
      requiredProvisions: [],
      minSupportMonths: null,
      blockingFindingSeverity: null,
      maxSealAgeMonths: null,
    };
    let error: unknown;
    try {
      savePolicy(buyer(), { ...good, ...over });
    } catch (e) {
      error = e;
    }
    expect((error as { fieldErrors: Record<string, string> }).fieldErrors[field]).toMatch(message);
    expect(db().select().from(acceptancePolicies).all().length).toBe(before);
  });

  it("belongs to the buyer's organisation", () => {
    expect(() => listPolicies(asha())).toThrow(/retail buyers/);
    expect(() => listPolicies(actorByEmail("supplier@demo.test"))).toThrow(/retail buyers/);
    expect(() => getPolicy(buyer(), "no-such-policy")).toThrow(/no policy with this id/);
  });

  it("crosswalk mappings count only as equivalent: a PSTI seal meets PSTI 1 directly, ETSI 5.1-1 only partly, not ETSI 5.1-3", () => {
    const id = savePolicy(buyer(), {
      name: "Hubs",
      category: "hub",
      accepted: [],
      requiredProvisions: ["uk-psti:1", "etsi-en-303-645:5.1-1", "etsi-en-303-645:5.1-3"],
      minSupportMonths: null,
      blockingFindingSeverity: null,
      maxSealAgeMonths: null,
    });
    const [result] = policyResultsFor(buyer(), { serial: PSTI_SEAL(), status: "valid" })!.filter(
      (r) => r.policyId === id,
    );
    expect(result.misses).toEqual([
      {
        clause: "provision",
        provision: "etsi-en-303-645:5.1-1",
        message:
          "ETSI EN 303 645 5.1-1 is met only partly, through the crosswalk: UK PSTI 1 is met, but the crosswalk does not say the two are equivalent.",
      },
      {
        clause: "provision",
        provision: "etsi-en-303-645:5.1-3",
        message: "No requirement of UK PSTI maps to ETSI EN 303 645 5.1-3.",
      },
    ]);
    deletePolicy(buyer(), id, { confirmed: true });
    expect(() => deletePolicy(buyer(), id, { confirmed: true })).toThrow(/no policy with this id/);
  });
});

describe("checks apply the policies", () => {
  it("a bulk check adds a policy column and counts rows that miss", async () => {
    const csv = [
      "serial,sku",
      `${WATCH3()},W3`,
      `${WATCH2()},W2`,
      `${serials["Brightnest Indoor Cam 1 1.9.2"]},CAM`,
      "IOTS-0000-0000,NONE",
    ].join("\n");
    const run = await runBulkCheck(buyer(), { fileName: "stock.csv", text: csv });
    const checked = bulkCheck(buyer(), run.id);
    const lines = checked.csv.trim().split("\n");
    expect(lines[0]).toBe(
      "serial,sku,status,reason,checked_product,checked_firmware,valid_until,update_required,checked_serial,file_line,check_note,policy",
    );
    expect(lines[1]).toMatch(/,meets Children's wearables$/);
    expect(lines[2]).toMatch(
      /,"misses Children's wearables: The seal is expired, not valid; ETSI EN 303 645 5\.1-1 is met only partly, through the crosswalk: .*; Issued 25 months ago \(\d{1,2} [A-Z][a-z]{2} \d{4}\); this policy accepts seals up to 24 months old"$/,
    );
    expect(lines[3]).toMatch(/,no policy applies to this product's category$/);
    expect(lines[4]).toMatch(/,not_found,.*,$/);
    expect(checked.policySummary).toEqual({ meets: 1, misses: 1 });
  });

  it("the API answers with the policies for an organisation's token, and refuses a wrong one", async () => {
    const { id, token } = createApiToken(buyer(), { name: "Stock system" });
    const anon = (await (await fetch(`${base}/api/v1/seals/${WATCH2()}`)).json()) as Record<string, unknown>;
    expect(anon).not.toHaveProperty("policies");
    const withToken = (await (
      await fetch(`${base}/api/v1/seals/${WATCH2()}`, { headers: { Authorization: `Bearer ${token}` } })
    ).json()) as { status: string; policies: { policy: string; meets: boolean; misses: { clause: string }[] }[] };
    expect(withToken.status).toBe("expired");
    expect(withToken.policies).toEqual([
      {
        policy: "Children's wearables",
        meets: false,
        misses: [
          expect.objectContaining({ clause: "status" }),
          expect.objectContaining({ clause: "provision", provision: "etsi-en-303-645:5.1-1" }),
          expect.objectContaining({ clause: "provision", provision: "etsi-en-303-645:5.2-1" }),
          expect.objectContaining({ clause: "provision", provision: "etsi-en-303-645:5.3-13" }),
          expect.objectContaining({ clause: "age" }),
        ],
      },
    ]);
    const bulk = await fetch(`${base}/api/v1/verify/bulk`, {
      method: "POST",
      headers: { Authorization: `Bearer ${token}`, Accept: "application/json" },
      body: `serial\n${WATCH3()}\n`,
    });
    expect(((await bulk.json()) as { results: { policies: unknown[] }[] }).results[0].policies).toEqual([
      { policy: "Children's wearables", meets: true, misses: [] },
    ]);
    const wrong = await fetch(`${base}/api/v1/seals/${WATCH2()}`, { headers: { Authorization: "Bearer iots_nope" } });
    expect(wrong.status).toBe(401);
    expect(((await wrong.json()) as { error: string }).error).toMatch(/not valid/);
    expect(() => revokeApiToken(buyer(), id, { confirmed: false })).toThrow(/^Tick the box to confirm/); // asked first
    expect(revokeApiToken(buyer(), id, { confirmed: true })).toEqual({ name: expect.any(String) });
    expect(
      (await fetch(`${base}/api/v1/seals/${WATCH2()}`, { headers: { Authorization: `Bearer ${token}` } })).status,
    ).toBe(401);
    expect(() => createApiToken(asha(), { name: "Not a buyer" })).toThrow(/retail buyers/);
  });
});

describe("a watched product that stops meeting a policy", () => {
  const policyEvents = () =>
    db()
      .select()
      .from(watchEvents)
      .where(eq(watchEvents.serial, WATCH3()))
      .all()
      .filter((e) => e.type.startsWith("policy."));

  it("raises policy.unmet with the status change, and policy.met when it is reinstated — each once, with a webhook", async () => {
    const before = policyEvents().length;
    const cursor = watchlistFeed(buyer(), 0, 500).next;
    changeSealStatus(asha(), {
      serial: WATCH3(),
      action: "suspend",
      reason: "Checking a report about the SOS button.",
    });
    const feed = watchlistFeed(buyer(), cursor).events;
    expect(feed.map((e) => e.type)).toEqual(["seal.suspended", "policy.unmet"]);
    expect(feed[1]).toMatchObject({
      serial: WATCH3(),
      reason: "misses Children's wearables: The seal is suspended, not valid",
      policy: { name: "Children's wearables" },
      meets: false,
    });
    const hooks = db()
      .select()
      .from(webhookDeliveries)
      .all()
      .map((d) => JSON.parse(d.body) as { type: string; serial?: string });
    expect(hooks.filter((h) => h.type === "policy.unmet" && h.serial === WATCH3())).toHaveLength(1);
    expect(runLifecycleSweep().policyChanges).toBe(0); // nothing more to say
    changeSealStatus(asha(), { serial: WATCH3(), action: "reinstate", reason: "The report was a user error." });
    expect(
      policyEvents()
        .map((e) => e.type)
        .slice(before),
    ).toEqual(["policy.unmet", "policy.met"]);
    expect((await watchlistView(buyer())).changes.slice(0, 2).map((c) => c.type)).toEqual([
      "policy.met",
      "seal.reinstated",
    ]);
  });

  it("raises it when time alone makes it miss (support running short), once however often the sweep runs", () => {
    const product = db().select().from(products).where(eq(products.name, "Gator Kids Watch 3")).get()!;
    // The watch's demo report would be overdue by then and suspend the seal: set it aside, so only time speaks.
    const report = db()
      .select()
      .from(findings)
      .where(and(eq(findings.productId, product.id), eq(findings.status, "open")))
      .get()!;
    actOnFinding(asha(), report.id, { action: "withdraw", note: "Set aside for this test.", version: report.version });
    const before = policyEvents().length;
    // 2029-12-31 end of support: 24 months before it, the policy's minimum is no longer met.
    // (By then the watch's recurring evidence is overdue too and the sweep suspends the seal: one event says both.)
    testClock.set(Date.parse("2028-01-15T00:00:00Z"));
    runLifecycleSweep();
    runLifecycleSweep();
    const added = policyEvents().slice(before);
    expect(added.map((e) => e.type)).toEqual(["policy.unmet"]);
    expect(JSON.parse(added[0].body).reason).toMatch(
      /Security support ends 31 Dec 2029, in 1 year and 11 months; this policy needs at least 2 years of support from today/,
    );
    // The supplier extends its support period: the product meets the policy again at once.
    updateProduct(actorByEmail("supplier@demo.test"), product.id, {
      name: product.name,
      model: product.model,
      gtin: product.gtin,
      sku: product.sku,
      category: product.category as "childrens-wearable",
      description: product.description,
      supportPeriodEnd: "2031-12-31",
      disclosurePolicyUrl: product.disclosurePolicyUrl,
    });
    const state = () =>
      db()
        .select()
        .from(policyStates)
        .where(and(eq(policyStates.policyId, demoPolicyId()), eq(policyStates.serial, WATCH3())))
        .get()!;
    // By 2028 the demo watch's recurring scan evidence is long overdue, so the seal is suspended: it still misses, for that reason alone, and no second event is raised.
    expect(state()).toMatchObject({
      meets: false,
      misses: [{ clause: "status", message: "The seal is suspended, not valid." }],
    });
    expect(
      policyEvents()
        .slice(before)
        .map((e) => e.type),
    ).toEqual(["policy.unmet"]);
  });
});

describe("the watchlist counts on the policies page", () => {
  it("count only the products still watched; watching one again starts afresh, without an event", () => {
    const entryOf = (name: string) =>
      db()
        .select({ id: watchlistEntries.id })
        .from(watchlistEntries)
        .innerJoin(products, eq(products.id, watchlistEntries.productId))
        .where(and(eq(watchlistEntries.organizationId, buyer().organizationId), eq(products.name, name)))
        .get();
    const counts = () => listPolicies(buyer()).find((p) => p.id === demoPolicyId())!.watched;
    const before = counts();
    expect(before.misses).toBeGreaterThanOrEqual(1); // Gator Kids Watch 2: expired
    unwatch(buyer(), entryOf("Gator Kids Watch 2")!.id);
    expect(counts()).toEqual({ meets: before.meets, misses: before.misses - 1 });
    const events = () =>
      db()
        .select()
        .from(watchEvents)
        .where(eq(watchEvents.serial, WATCH2()))
        .all()
        .filter((e) => e.type.startsWith("policy."));
    const raised = events().length;
    watchBySerial(buyer(), { serial: WATCH2(), label: "" });
    expect(counts()).toEqual(before);
    expect(events()).toHaveLength(raised);
  });
});
