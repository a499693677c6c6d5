// The text rules of the forms (platform/forms.ts): a line shown to others or signed into a seal
// (a product's name, a model, a version, a token's or a policy's name, a watchlist label) loses
// invisible and bidi characters and keeps single spaces, and refuses control characters; free
// text keeps its lines but loses invisible characters and refuses NUL and the like (fuzz review).
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { areaText, lineText, parseForm, SENT_TWICE } from "../../../app/platform/forms";
import { productForm, productVersionInput } from "../../../app/features/catalogue/forms";
import { apiTokenInput } from "../../../app/features/accounts/forms";
import { policyInput } from "../../../app/features/retail/domain/policy";
import { watchInput } from "../../../app/features/retail/forms";
import { watchCsvRow } from "../../../app/features/retail/domain/watch-csv";

describe("a line of text", () => {
  const model = lineText("the model designation", 20, { required: true });
  it("drops invisible and bidi characters and keeps single spaces", () => {
    expect(model.parse("Cam\u202EXYZ")).toBe("CamXYZ");
    expect(model.parse("  GW\u200B-3  \u00A0 Pro ")).toBe("GW-3 Pro");
  });
  it("refuses control characters, naming the field", () => {
    const r = model.safeParse("GW\u0000-3");
    expect(r.success).toBe(false);
    expect(r.error?.issues[0].message).toBe("The model designation must not contain control characters.");
  });
  it("counts its length after normalising, and refuses it empty when required", () => {
    expect(model.safeParse("\u200B\u200B").error?.issues[0].message).toBe("Enter the model designation.");
    expect(model.safeParse("x".repeat(21)).error?.issues[0].message).toBe(
      "The model designation must be at most 20 characters.",
    );
  });
});

describe("free text", () => {
  const text = areaText(50);
  it("keeps its lines and tabs, as \\n, and loses invisible characters", () => {
    expect(text.parse(" one\r\ntwo\tthree\u202E ")).toBe("one\ntwo\tthree");
  });
  it("refuses NUL and other control characters", () => {
    expect(text.safeParse("a\u0000b").error?.issues[0].message).toBe("Remove the control characters from this text.");
  });
});

describe("the forms that use them", () => {
  const product = {
    name: "Gator\u202E Kids Watch",
    model: "GW-3",
    category: "wearable",
    supportPeriodEnd: "2030-01-01",
    disclosurePolicyUrl: "https://example.com/security",
  };
  it("a product's name, model, SKU, description and versions", () => {
    expect(productForm.parse(product).name).toBe("Gator Kids Watch");
    expect(productForm.safeParse({ ...product, sku: "A\u0000" }).success).toBe(false);
    expect(productForm.safeParse({ ...product, description: "ok\u0000" }).success).toBe(false);
    expect(productVersionInput.parse({ hardwareRevision: "A", firmwareVersion: "1.0\u200B.3" }).firmwareVersion).toBe(
      "1.0.3",
    );
  });
  it("an API token's and a policy's name, a watchlist label, a label read from a CSV", () => {
    expect(apiTokenInput.safeParse({ name: "\u0000\u202Eabc" }).success).toBe(false);
    expect(apiTokenInput.parse({ name: "\u202Eabc system" }).name).toBe("abc system");
    expect(policyInput.shape.name.parse("Shop\npolicy")).toBe("Shop policy");
    expect(policyInput.shape.name.safeParse("Shop policy\u0000").success).toBe(false);
    expect(watchInput.parse({ serial: "IOTS-1", label: "Shelf\u202E 4" }).label).toBe("Shelf 4");
    const row = watchCsvRow(["IOTS-ABCD-EFGH", "Aisle 3\nshelf\u202E 4"], { gtin: null, serial: 0, label: 1 });
    expect(row).toMatchObject({ label: "Aisle 3 shelf 4" });
  });
});

describe("a field sent twice", () => {
  const schema = lineText("the intent", 20, { required: true });
  const form = (pairs: [string, string][]) => {
    const f = new FormData();
    for (const [k, v] of pairs) f.append(k, v);
    return f;
  };
  it("with different values is refused on that field: which one was meant is not guessed", () => {
    const r = parseForm(
      z.object({ intent: schema }),
      form([
        ["intent", "disable"],
        ["intent", "zz"],
      ]),
    );
    expect(r).toMatchObject({ ok: false, fieldErrors: { intent: SENT_TWICE } });
  });
  it("with the same value twice is taken", () => {
    const r = parseForm(
      z.object({ intent: schema }),
      form([
        ["intent", "disable"],
        ["intent", "disable"],
      ]),
    );
    expect(r).toEqual({ ok: true, data: { intent: "disable" } });
  });
});
