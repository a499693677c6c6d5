// Editing a product (catalogue/products.server.ts updateProduct, and the edit form's action called
// directly with a real session): a model designation the organisation already uses is refused on the
// Model field as on creation (never the unique index's 500); a save over a colleague's newer version
// is refused with the supplier's input kept; and no supplier can take a GTIN that already answers for
// another organisation's product with a seal (its GS1 Digital Link would then name the newcomer's).
import { eq } from "drizzle-orm";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { auditEvents, products } from "../../../db/schema";
import { seedDemoData } from "../../support/demo-seed";
import { db } from "../../../app/platform/db.server";
import { nowMs, testClock } from "../../../app/platform/clock.server";
import { ServiceError } from "../../../app/platform/errors.server";
import {
  MODEL_TAKEN,
  productChangedMeanwhile,
  updateProduct,
  type ProductInput,
} from "../../../app/features/catalogue/products.server";
import { action } from "../../../app/routes/supplier.products.$productId";
import { grace, sam } from "../../support/actors";
import { sessionCookie } from "../../support/http";
import { createTestProduct } from "../../support/submissions";

const WATCH3_GTIN = "5060123450002"; // Gator Kids Watch 3 (GW-KW3): sealed
const CAM2_GTIN = "5060987650044"; // Brightnest Indoor Cam 2: registered, no seal
const FREE_GTIN = "5060987650907"; // nobody's

let cookie: string;

beforeAll(async () => {
  await seedDemoData();
  cookie = await sessionCookie("supplier@demo.test", "192.0.2.41");
});
afterEach(() => testClock.reset());

const row = (id: string) => db().select().from(products).where(eq(products.id, id)).get()!;

/** The product as its edit form would post it unchanged (the service's input). */
function inputOf(id: string, over: Partial<ProductInput> = {}): ProductInput {
  const p = row(id);
  return {
    name: p.name,
    model: p.model,
    gtin: p.gtin,
    sku: p.sku,
    category: p.category as ProductInput["category"],
    description: p.description,
    supportPeriodEnd: p.supportPeriodEnd,
    placedOnMarketOn: p.placedOnMarketOn,
    expectedUseMonths: p.expectedUseMonths,
    expectedUseReason: p.expectedUseReason,
    disclosurePolicyUrl: p.disclosurePolicyUrl,
    ...over,
  };
}

function refusal(fn: () => unknown): ServiceError {
  try {
    fn();
  } catch (e) {
    if (e instanceof ServiceError) return e;
    throw e;
  }
  throw new Error("not refused");
}

interface Result {
  status: number;
  body: { ok: boolean; formError?: string; fieldErrors?: Record<string, string>; values?: Record<string, string> };
}

/** Posts the product's edit form (the fields as the page posts them) as Grace; the action's status and body. */
async function postEdit(id: string, fields: Record<string, string>): Promise<Result> {
  const request = new Request(`http://localhost/supplier/products/${id}`, {
    method: "POST",
    body: new URLSearchParams({ intent: "edit", ...fields }),
    headers: { Cookie: cookie, "content-type": "application/x-www-form-urlencoded" },
  });
  const out = (await action({ request, params: { productId: id }, context: {} } as never)) as unknown;
  if (out && typeof out === "object" && "init" in out && "data" in out) {
    const d = out as { data: Result["body"]; init: { status?: number } | null };
    return { status: d.init?.status ?? 200, body: d.data };
  }
  return { status: 200, body: out as Result["body"] };
}

/** The edit form's fields for a product, as the page fills them in (its version stamp included). */
function formOf(id: string): Record<string, string> {
  const p = row(id);
  return {
    updatedAt: String(p.updatedAt.getTime()),
    name: p.name,
    model: p.model,
    gtin: p.gtin ?? "",
    sku: p.sku ?? "",
    category: p.category,
    description: p.description,
    supportPeriodEnd: p.supportPeriodEnd,
    placedOnMarketOn: p.placedOnMarketOn ?? "",
    expectedUseTime: "",
    expectedUseUnit: "years",
    expectedUseReason: "",
    disclosurePolicyUrl: p.disclosurePolicyUrl,
  };
}

describe("a model designation the organisation already uses", () => {
  it("is refused on an edit as on a creation, on the Model field, in any letter case; nothing is written", () => {
    const id = createTestProduct(grace(), { name: "Gator Clip", model: "GW-CLIP" });
    const before = row(id);
    for (const model of ["GW-KW3", "gw-kw3"]) {
      const e = refusal(() => updateProduct(grace(), id, inputOf(id, { model })));
      expect(e.code).toBe("conflict");
      expect(e.message).toBe("You already registered a product with this model designation.");
      expect(e.fieldErrors).toEqual({ model: MODEL_TAKEN });
    }
    expect(row(id)).toEqual(before);
    // The same rule on creation (one function for both).
    expect(refusal(() => createTestProduct(grace(), { name: "Again", model: "gw-clip" })).fieldErrors).toEqual({
      model: MODEL_TAKEN,
    });
  });

  it("its own model in another letter case is no clash; another organisation's model is none either", () => {
    const id = createTestProduct(grace(), { name: "Gator Band", model: "GW-BAND" });
    updateProduct(grace(), id, inputOf(id, { model: "gw-band" }));
    expect(row(id).model).toBe("gw-band");
    const bn = createTestProduct(sam(), { name: "Brightnest Band", model: "BN-BAND" });
    updateProduct(sam(), bn, inputOf(bn, { model: "GW-BAND" }));
    expect(row(bn).model).toBe("GW-BAND");
  });

  it("through the edit form: 409 with the message on the Model field and the input kept, not a 500", async () => {
    const id = createTestProduct(grace(), { name: "Gator Tag", model: "GW-TAG" });
    const r = await postEdit(id, { ...formOf(id), model: "GW-KW3", name: "Gator Tag 2" });
    expect(r.status).toBe(409);
    expect(r.body.fieldErrors).toEqual({ model: MODEL_TAKEN });
    expect(r.body.values).toMatchObject({ model: "GW-KW3", name: "Gator Tag 2", intent: "edit" });
    expect(row(id)).toMatchObject({ model: "GW-TAG", name: "Gator Tag" });
  });
});

describe("a save over a colleague's newer version (optimistic concurrency)", () => {
  it("is refused, naming when the other save was made; nothing is written; the current version saves", () => {
    const id = createTestProduct(grace(), { name: "Gator Hub", model: "GW-HUB" });
    const opened = row(id).updatedAt.getTime(); // both colleagues open the form
    updateProduct(grace(), id, inputOf(id, { description: "Colleague's words." }), { updatedAt: opened });
    const saved = row(id);
    const e = refusal(() =>
      updateProduct(grace(), id, inputOf(id, { description: "My words.", sku: "MINE" }), { updatedAt: opened }),
    );
    expect(e.code).toBe("conflict");
    expect(e.message).toBe(productChangedMeanwhile(saved.updatedAt));
    expect(e.message).toMatch(/^Someone else saved changes to this product at .+ UTC, after you opened it\./);
    expect(row(id)).toEqual(saved);
    // Saving again over the version now shown is deliberate, and goes through.
    updateProduct(grace(), id, inputOf(id, { description: "My words." }), { updatedAt: saved.updatedAt.getTime() });
    expect(row(id).description).toBe("My words.");
  });

  it("two saves within one millisecond (a stopped clock) still get two versions", () => {
    const id = createTestProduct(grace(), { name: "Gator Dock", model: "GW-DOCK" });
    testClock.set(nowMs());
    const v0 = row(id).updatedAt.getTime();
    updateProduct(grace(), id, inputOf(id, { description: "One." }), { updatedAt: v0 });
    const v1 = row(id).updatedAt.getTime();
    expect(v1).toBeGreaterThan(v0);
    expect(() => updateProduct(grace(), id, inputOf(id, { description: "Two." }), { updatedAt: v0 })).toThrow(
      /Someone else saved changes/,
    );
    updateProduct(grace(), id, inputOf(id, { description: "Two." }), { updatedAt: v1 });
    expect(row(id).updatedAt.getTime()).toBeGreaterThan(v1);
  });

  it("through the edit form: 409, the message over the form, and the supplier's input kept", async () => {
    const id = createTestProduct(grace(), { name: "Gator Lamp", model: "GW-LAMP" });
    const stale = formOf(id);
    const first = await postEdit(id, { ...formOf(id), description: "A colleague's description." });
    expect(first).toMatchObject({ status: 200, body: { ok: true } });
    const r = await postEdit(id, { ...stale, name: "Gator Lamp Pro", description: "Mine." });
    expect(r.status).toBe(409);
    expect(r.body.formError).toMatch(/^Someone else saved changes to this product at /);
    expect(r.body.values).toMatchObject({ name: "Gator Lamp Pro", description: "Mine.", intent: "edit" });
    expect(row(id)).toMatchObject({ name: "Gator Lamp", description: "A colleague's description." });
  });

  it("a form without its version stamp (a page from before) is refused with a message, not saved", async () => {
    const id = createTestProduct(grace(), { name: "Gator Fob", model: "GW-FOB" });
    const { updatedAt: _, ...fields } = formOf(id);
    for (const bad of [fields, { ...fields, updatedAt: "yesterday" }]) {
      const r = await postEdit(id, { ...bad, name: "Gator Fob 2" });
      expect(r.status).toBe(400);
      expect(r.body.formError).toBe("This form is out of date: reload the page, then enter your changes again.");
      expect(r.body.values).toMatchObject({ name: "Gator Fob 2" });
    }
    expect(row(id).name).toBe("Gator Fob");
  });
});

describe("a GTIN that already answers for another organisation's product with a seal", () => {
  const TAKEN =
    /^This GTIN already identifies Gator Kids Watch 3 \(GW-KW3\) of Gator Wearables Ltd, a product with an IoT Seal: its GS1 Digital Link opens that seal\./;

  it("cannot be given to a new product, in any of its written forms", () => {
    for (const gtin of [WATCH3_GTIN, `0${WATCH3_GTIN}`]) {
      const e = refusal(() =>
        createTestProduct(sam(), { name: "Brightnest Watch", model: `BN-W-${gtin.length}`, gtin }),
      );
      expect(e.code).toBe("conflict");
      expect(e.fieldErrors.gtin).toMatch(TAKEN);
    }
    expect(db().select().from(products).where(eq(products.model, "BN-W-13")).get()).toBeUndefined();
  });

  it("nor taken by editing another product's GTIN; the product keeps its own, and nothing is audited", () => {
    const id = createTestProduct(sam(), { name: "Brightnest Band 2", model: "BN-BAND2", gtin: FREE_GTIN });
    const audits = () => db().select().from(auditEvents).where(eq(auditEvents.targetId, id)).all().length;
    const before = audits();
    const e = refusal(() => updateProduct(sam(), id, inputOf(id, { gtin: WATCH3_GTIN })));
    expect(e.fieldErrors.gtin).toMatch(TAKEN);
    expect(row(id).gtin).toBe(FREE_GTIN);
    expect(audits()).toBe(before);
  });

  it("a GTIN another organisation registered without a seal is left to GS1 ownership (decision 020)", () => {
    const id = createTestProduct(grace(), { name: "Gator Cam", model: "GW-CAM", gtin: CAM2_GTIN });
    expect(row(id).gtin).toBe(CAM2_GTIN);
  });

  it("through the edit form: 409 with the message on the GTIN field", async () => {
    const id = createTestProduct(grace(), { name: "Gator Pin", model: "GW-PIN" });
    // Brightnest's Smart Speaker (BN-SS1) has a valid seal under 5060987650037.
    const r = await postEdit(id, { ...formOf(id), gtin: "5060987650037" });
    expect(r.status).toBe(409);
    expect(r.body.fieldErrors?.gtin).toMatch(/^This GTIN already identifies Brightnest Smart Speaker \(BN-SS1\) of /);
    expect(row(id).gtin).toBeNull();
  });
});
