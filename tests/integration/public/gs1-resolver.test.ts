// Issue 18: the portal as a GS1-Conformant resolver (GS1-Conformant Resolver standard 1.2) for the
// products it certified, and the GTIN API, over real HTTP (the fast routes) on the demo data. Test
// names quote the standard's requirements where one applies. The demo's Gator Kids Watch 3 has the
// GTIN 5060123450002 (GTIN-14 05060123450002) and one seal, firmware 3.1.0, until the last block
// issues a second one (firmware 3.2.0) to test which seal is "current".
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { products } from "../../../db/schema";
import { db } from "../../../app/platform/db.server";
import { getEnv } from "../../../app/platform/env.server";
import { seedDemoData } from "../../support/demo-seed";
import { demoSealSerials } from "../../../app/demo/seed-seals.server";
import { changeSealStatus } from "../../../app/features/trust/seal-status.server";
import { asha, grace } from "../../support/actors";
import { createProduct, updateProduct } from "../../../app/features/catalogue/products.server";
import { productForm } from "../../../app/features/catalogue/forms";
import { approveDemoWatchSubmission } from "../../support/submissions";
import { startFastRoutes, type TestServer } from "../../support/http";

const GTIN13 = "5060123450002";
const GTIN14 = "05060123450002";
let server: TestServer;
let base: string; // the portal's PUBLIC_URL, as Location and anchors name it
let watch: string; // the 3.1.0 seal

beforeAll(async () => {
  await seedDemoData();
  watch = demoSealSerials()["Gator Kids Watch 3 3.1.0"];
  base = getEnv().baseUrl;
  server = await startFastRoutes();
});
afterAll(() => server.close());

const get = (path: string, headers: Record<string, string> = {}, method = "GET") =>
  fetch(`${server.base}${path}`, { method, headers, redirect: "manual" });

describe("GS1 Digital Link: the default link and gs1:certificationInfo", () => {
  it("the bar: /01/<GTIN>?linkType=gs1:certificationInfo answers 307 to the current seal's page", async () => {
    const res = await get(`/01/${GTIN13}?linkType=gs1:certificationInfo`);
    expect(res.status).toBe(307);
    expect(res.headers.get("location")).toBe(`${base}/s/${watch}`);
  });

  it.each([
    ["the bare URI (the default link)", `/01/${GTIN14}`],
    ["the GTIN-13 form", `/01/${GTIN13}`],
    [
      "the full URI of the link type",
      `/01/${GTIN14}?linkType=${encodeURIComponent("https://gs1.org/voc/certificationInfo")}`,
    ],
    ["gs1:defaultLink", `/01/${GTIN14}?linkType=gs1:defaultLink`],
    [
      "key qualifiers, accepted and ignored",
      `/01/${GTIN14}/22/GRN/10/LOT%2F7/21/SN-0001?linkType=gs1:certificationInfo`,
    ],
    ["SHOULD tolerate trailing slashes", `/01/${GTIN14}/`],
  ])("%s: the same 307", async (_what, path) => {
    const res = await get(path);
    expect(res.status).toBe(307);
    expect(res.headers.get("location")).toBe(`${base}/s/${watch}`);
  });

  it("the redirect carries a Link header to the linkset (rel=linkset), and no gs1: links (deprecated since 1.0.0)", async () => {
    const link = (await get(`/01/${GTIN14}`)).headers.get("link")!;
    expect(link).toBe(`<${base}/01/${GTIN14}?linkType=linkset>; rel="linkset"; type="application/linkset+json"`);
    expect(link).not.toMatch(/rel="gs1:/);
  });

  it("SHALL support CORS; SHALL support GET, HEAD and OPTIONS", async () => {
    const res = await get(`/01/${GTIN14}`, {}, "HEAD");
    expect(res.status).toBe(307);
    expect(res.headers.get("access-control-allow-origin")).toBe("*");
    expect(res.headers.get("access-control-expose-headers")).toMatch(/Link/);
    const pre = await get(`/01/${GTIN14}`, { Origin: "https://shop.example" }, "OPTIONS");
    expect(pre.status).toBe(204);
    expect(pre.headers.get("access-control-allow-methods")).toBe("GET, HEAD, OPTIONS");
    expect((await get(`/01/${GTIN14}`, {}, "POST")).status).toBe(405);
  });

  it("by default, SHALL pass on the query string when redirecting (all but linkType)", async () => {
    const res = await get(`/01/${GTIN14}?linkType=gs1:certificationInfo&foo=bar`);
    expect(res.headers.get("location")).toBe(`${base}/s/${watch}?foo=bar`);
  });

  it("Accept: application/vc+jwt on gs1:certificationInfo: the current seal's signed credential", async () => {
    const res = await get(`/01/${GTIN14}?linkType=gs1:certificationInfo`, { Accept: "application/vc+jwt" });
    expect(res.status).toBe(307);
    expect(res.headers.get("location")).toBe(`${base}/s/${watch}/credential`);
  });
});

describe("GS1 Digital Link: the linkset (RFC 9264)", () => {
  type Linkset = { linkset: Record<string, unknown>[] };

  it("the bar: Accept: application/linkset+json SHALL NOT redirect and SHALL return the linkset, naming gs1:certificationInfo", async () => {
    const res = await get(`/01/${GTIN13}?linkType=gs1:certificationInfo`, { Accept: "application/linkset+json" });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/linkset+json");
    expect(res.headers.get("vary")).toMatch(/Accept/);
    const body = (await res.json()) as Linkset;
    const ctx = body.linkset[0];
    expect(ctx.anchor).toBe(`${base}/01/${GTIN14}`);
    expect(ctx["https://gs1.org/voc/certificationInfo"]).toContainEqual(
      expect.objectContaining({ href: `${base}/s/${watch}`, type: "text/html" }),
    );
    expect(ctx["https://gs1.org/voc/defaultLink"]).toEqual([{ href: `${base}/s/${watch}`, title: expect.any(String) }]);
  });

  it.each(["linkset", "all"])("linkType=%s SHALL NOT redirect and SHALL return the linkset", async (lt) => {
    const res = await get(`/01/${GTIN14}?linkType=${lt}`);
    expect(res.status).toBe(200);
    expect(((await res.json()) as Linkset).linkset[0].anchor).toBe(`${base}/01/${GTIN14}`);
  });

  it("the linkset response SHOULD include a Link header to the JSON-LD context file", async () => {
    const res = await get(`/01/${GTIN14}?linkType=linkset`);
    expect(res.headers.get("link")).toBe(
      '<https://ref.gs1.org/standards/resolver/linkset-context>; rel="http://www.w3.org/ns/json-ld#context"; type="application/ld+json"',
    );
  });

  it("lists every seal of the product with its firmware version, status and title, and its public advisories as CSAF links", async () => {
    const ctx = ((await (await get(`/01/${GTIN14}?linkType=linkset`)).json()) as Linkset).linkset[0];
    const related = ctx.related as Record<string, unknown>[];
    expect(related[0]).toMatchObject({
      href: `${base}/s/${watch}`,
      serial: [watch],
      firmwareVersion: ["3.1.0"],
      status: ["valid"],
      title: expect.stringMatching(new RegExp(`^Seal ${watch}, firmware 3\\.1\\.0: valid`)),
    });
    // The watch's launch firmware 3.0.4 had a high report, fixed in 3.1.0: its advisory is public.
    const advisories = related.filter((l) => l.advisoryId);
    expect(advisories.length).toBeGreaterThan(0);
    for (const a of advisories)
      expect(a.href).toMatch(new RegExp(`^${base}/\\.well-known/csaf/white/\\d{4}/iotseal-\\d{4}-\\d{4}\\.json$`));
  });
});

describe("errors: 400 for a malformed link, 404 for no IoT Seal or no such link type", () => {
  type Problem = { status: number; title: string; detail: string; linkTypes?: string[] };

  it("the bar: a wrong check digit gets 400 with a message", async () => {
    const res = await get("/01/5060123450008");
    expect(res.status).toBe(400);
    expect(res.headers.get("content-type")).toBe("application/problem+json");
    const body = (await res.json()) as Problem;
    expect(body.detail).toBe(
      '"5060123450008" is not a valid GTIN: The check digit should be 2, not 8: check the number for a typo.',
    );
  });

  it("SHALL extract and syntactically validate the URI and report errors with 400 (a valid link with /foo appended)", async () => {
    const res = await get(`/01/${GTIN14}/foo`);
    expect(res.status).toBe(400);
    expect(((await res.json()) as Problem).detail).toMatch(/"\/foo" is not a key qualifier/);
  });

  it("the bar: an unknown valid GTIN gets 404: the product has no IoT Seal", async () => {
    const res = await get("/01/4006381333931");
    expect(res.status).toBe(404);
    expect(((await res.json()) as Problem).detail).toBe(
      "This product has no IoT Seal: no certified product has this GTIN.",
    );
  });

  it("a product registered with a GTIN but never certified is answered exactly like an unknown GTIN (a catalogue stays private)", async () => {
    const cam2 = await get("/01/5060987650044"); // Brightnest Indoor Cam 2: a draft submission only
    const unknown = await get("/01/4006381333931");
    expect(cam2.status).toBe(404);
    expect(await cam2.text()).toBe(await unknown.text());
  });

  it("an unknown link type gets 404 naming the link types there are", async () => {
    const res = await get(`/01/${GTIN14}?linkType=gs1:pip`);
    expect(res.status).toBe(404);
    const body = (await res.json()) as Problem;
    expect(body.detail).toMatch(/no link of type "gs1:pip"/);
    expect(body.linkTypes).toEqual(["gs1:certificationInfo", "gs1:defaultLink", "linkset"]);
  });

  it("SHALL NOT use a 200 OK response code with a resource that indicates an error; never a 500 on hostile input", async () => {
    for (const path of [
      "/01",
      "/01/",
      "/01/%",
      "/01/%00",
      `/01/${"9".repeat(5000)}`,
      `/01/${GTIN14}/10/%FF%FE`,
      `/01/${GTIN14}/10/${"A".repeat(21)}`,
      `/01/${GTIN14}/21/a%20b`,
      `/01/${GTIN14}/21/S/10/L`,
      `/01/${GTIN14}?linkType=${"x".repeat(600)}`,
      `/01/${GTIN14}?linkType=%`,
      `/01/${GTIN14}?linkType=javascript:alert(1)`,
      "/01/..%2F..%2Fetc%2Fpasswd",
    ]) {
      const res = await get(path);
      expect([400, 404], path).toContain(res.status);
      expect(res.headers.get("content-type"), path).toMatch(/json/);
    }
  });

  it("a browser's error (Accept: text/html) is left to the Remix route, which renders it as a page", async () => {
    // The fast route does not answer it (the test server's fallback is a bare 404)...
    const res = await get("/01/5060123450008", { Accept: "text/html" });
    expect(res.headers.get("content-type")).toBeNull();
    // ...and the route's loader throws the page's data with the status.
    const { loader } = await import("../../../app/routes/01.$");
    const call = (path: string) =>
      loader({
        request: new Request(`http://localhost${path}`, { headers: { Accept: "text/html" } }),
        params: {},
        context: { ip: "192.0.2.18" },
      } as never);
    const thrown = async (path: string) => {
      try {
        await call(path);
      } catch (e) {
        return e as { init: { status: number }; data: { title: string; message: string } };
      }
      throw new Error(`${path} did not throw`);
    };
    const bad = await thrown("/01/5060123450008");
    expect(bad.init.status).toBe(400);
    expect(bad.data.message).toMatch(/The check digit should be 2, not 8/);
    const none = await thrown("/01/4006381333931");
    expect(none.init.status).toBe(404);
    expect(none.data.title).toBe("This product has no IoT Seal");
    // A good link redirects from the route too.
    const ok = (await call(`/01/${GTIN14}`)) as Response;
    expect(ok.status).toBe(307);
    expect(ok.headers.get("location")).toBe(`${base}/s/${watch}`);
  });
});

describe("/.well-known/gs1resolver: the resolver description file", () => {
  it("names the resolver, its root, the primary key (AI 01) and the GS1 link type namespace", async () => {
    const res = await get("/.well-known/gs1resolver");
    expect(res.status).toBe(200);
    expect(res.headers.get("access-control-allow-origin")).toBe("*");
    expect(await res.json()).toMatchObject({
      resolverRoot: base,
      supportedPrimaryKeys: ["01"],
      supportedLinkType: [{ namespace: "https://gs1.org/voc/", prefix: "gs1:" }],
      linkTypeDefaultCanBeLinkset: false,
    });
  });
});

describe("GET /api/v1/products/<GTIN>: GS1 Web Vocabulary", () => {
  it("the product and each seal as a gs1:CertificationDetails", async () => {
    const res = await get(`/api/v1/products/${GTIN13}`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as Record<string, unknown> & { "gs1:certificationInfo": Record<string, unknown>[] };
    expect(body).toMatchObject({
      "@context": { gs1: "https://gs1.org/voc/" },
      "@type": "gs1:Product",
      "gs1:gtin": GTIN14,
      "gs1:productName": "Gator Kids Watch 3",
      "gs1:manufacturer": { "gs1:organizationName": "Gator Wearables Ltd" },
      currentSeal: watch,
    });
    expect(body["gs1:certificationInfo"][0]).toMatchObject({
      "@type": "gs1:CertificationDetails",
      "gs1:certificationAgency": "IoT Seal Assurance",
      "gs1:certificationStandard": expect.stringMatching(
        /^Cyber Security for Consumer Internet of Things: Baseline Requirements 3\.1\.3/,
      ),
      "gs1:certificationValue": expect.any(String),
      "gs1:certificationIdentification": watch,
      "gs1:certificationStatus": "valid",
      "gs1:certificationEndDate": expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/),
      sealUrl: `${base}/s/${watch}`,
      updateRequired: null,
    });
  });

  it("a seal whose firmware needs an update says so as the seal API does (the demo speaker: valid, update to 1.0.4)", async () => {
    const speaker = demoSealSerials()["Brightnest Smart Speaker 1.0.3"];
    const seal = (await (await get(`/api/v1/seals/${speaker}`)).json()) as { updateRequired: unknown };
    expect(seal.updateRequired).toMatchObject({ fixedIn: "1.0.4" });
    const product = (await (await get("/api/v1/products/5060987650037")).json()) as {
      "gs1:certificationInfo": Record<string, unknown>[];
    };
    const entry = product["gs1:certificationInfo"].find((c) => c["gs1:certificationIdentification"] === speaker)!;
    expect(entry["gs1:certificationStatus"]).toBe("valid");
    expect(entry.updateRequired).toEqual(seal.updateRequired);
    const linkset = (await (await get("/01/05060987650037?linkType=linkset")).json()) as {
      linkset: Record<string, unknown>[];
    };
    const [defaultLink] = linkset.linkset[0]["https://gs1.org/voc/defaultLink"] as { title: string }[];
    expect(defaultLink.title).toMatch(/: valid .*Update required: install firmware 1\.0\.4/);
  });

  it("errors are JSON naming the field: a bad GTIN 400, an unknown one 404", async () => {
    const bad = await get("/api/v1/products/5060123450008");
    expect(bad.status).toBe(400);
    expect(await bad.json()).toEqual({
      error: "Not a valid GTIN: The check digit should be 2, not 8: check the number for a typo.",
      field: "gtin",
    });
    for (const path of ["/api/v1/products/%", "/api/v1/products/abc", "/api/v1/products/%00"])
      expect((await get(path)).status, path).toBe(400);
    const none = await get("/api/v1/products/4006381333931");
    expect(none.status).toBe(404);
    expect(((await none.json()) as { field: string }).field).toBe("gtin");
  });
});

describe("a GTIN names one trade item of a supplier", () => {
  const product = (gtin: string, model: string) => ({
    name: "Gator Kids Watch 3 Lite",
    model,
    gtin,
    sku: "",
    category: "childrens-wearable",
    description: "",
    supportPeriodEnd: "2031-12-31",
    disclosurePolicyUrl: "https://gatorwearables.example/security",
  });

  it("a supplier cannot give its GTIN (in any of its written forms) to a second product of its own, nor move one onto it", () => {
    for (const gtin of [GTIN13, GTIN14])
      expect(() => createProduct(grace(), productForm.parse(product(gtin, `GW-LITE-${gtin.length}`)))).toThrow(
        /already registered for your product Gator Kids Watch 3 \(GW-KW3\)/,
      );
    const lite = createProduct(grace(), productForm.parse(product("", "GW-LITE")));
    expect(() => updateProduct(grace(), lite, productForm.parse(product(GTIN13, "GW-LITE")))).toThrow(
      /a GTIN names one trade item/,
    );
    // Its own GTIN, unchanged, is no clash with itself.
    const watchProduct = db().select().from(products).where(eq(products.gtin, GTIN13)).get()!;
    expect(() =>
      updateProduct(grace(), watchProduct.id, {
        ...productForm.parse(product(GTIN13, watchProduct.model)),
        name: watchProduct.name,
      }),
    ).not.toThrow();
  });
});

describe("the public seal page shows the product's GTIN as a GS1 Digital Link QR code", () => {
  const pageData = async (serial: string) => {
    const { loader } = await import("../../../app/routes/s.$serial._index");
    return (await loader({
      request: new Request(`http://localhost/s/${serial}`),
      params: { serial },
      context: { ip: "192.0.2.19" },
    } as never)) as { digitalLink: { uri: string; gtin14: string; path: string; size: number } | null };
  };

  it("with the Digital Link URI <PUBLIC_URL>/01/<GTIN-14>", async () => {
    const d = await pageData(watch);
    expect(d.digitalLink).toMatchObject({ uri: `${base}/01/${GTIN14}`, gtin14: GTIN14 });
    expect(d.digitalLink!.path).toMatch(/^M\d/);
    expect(d.digitalLink!.size).toBeGreaterThan(21);
  });

  it("only when the product has a GTIN", async () => {
    const serial = demoSealSerials()["Brightnest Smart Plug 1.2.0"];
    const plug = db().select().from(products).where(eq(products.model, "BN-SP1")).get()!;
    db().update(products).set({ gtin: null }).where(eq(products.id, plug.id)).run();
    try {
      expect((await pageData(serial)).digitalLink).toBeNull();
    } finally {
      db().update(products).set({ gtin: plug.gtin }).where(eq(products.id, plug.id)).run();
    }
  });
});

describe("the current seal: the newest valid one across the product's firmware versions", () => {
  let newer: string; // firmware 3.2.0, issued now

  beforeAll(async () => {
    // The demo's submitted 3.2.0 submission, reviewed and approved (four eyes): a second seal.
    newer = await approveDemoWatchSubmission();
  });

  const target = async () => (await get(`/01/${GTIN14}?linkType=gs1:certificationInfo`)).headers.get("location");

  it("two valid seals: the newer (3.2.0)", async () => {
    expect(await target()).toBe(`${base}/s/${newer}`);
  });

  it("the newer suspended: the older valid seal (3.1.0), and the linkset lists both with their status", async () => {
    changeSealStatus(asha(), {
      serial: newer,
      action: "suspend",
      reason: "Under review for a reported security issue.",
    });
    expect(await target()).toBe(`${base}/s/${watch}`);
    const ctx = ((await (await get(`/01/${GTIN14}?linkType=linkset`)).json()) as { linkset: Record<string, unknown>[] })
      .linkset[0];
    const seals = (ctx.related as Record<string, unknown>[]).filter((l) => l.serial);
    expect(seals.map((l) => [l.serial, l.firmwareVersion, l.status])).toEqual([
      [[newer], ["3.2.0"], ["suspended"]],
      [[watch], ["3.1.0"], ["valid"]],
    ]);
    expect((ctx["https://gs1.org/voc/defaultLink"] as { href: string }[])[0].href).toBe(`${base}/s/${watch}`);
  });

  it("none valid: the newest seal, whose page says why", async () => {
    changeSealStatus(asha(), {
      serial: watch,
      action: "suspend",
      reason: "Under review for a reported security issue.",
    });
    expect(await target()).toBe(`${base}/s/${newer}`);
    const api = (await (await get(`/api/v1/products/${GTIN14}`)).json()) as { currentSeal: string };
    expect(api.currentSeal).toBe(newer);
  });
});

describe("the API answers every path under /api in JSON", () => {
  it("an unknown endpoint, an empty or over-long serial or GTIN: 4xx JSON, never the HTML page", async () => {
    for (const [path, status] of [
      ["/api", 404],
      ["/api/v1/nope", 404],
      ["/api/v1/seals", 404],
      ["/api/v1/seals/", 404],
      [`/api/v1/seals/IOTS-0000-0000/extra`, 404],
      [`/api/v1/seals/${"A".repeat(100)}`, 404],
      [`/api/v1/products/${"9".repeat(100)}`, 400],
    ] as const) {
      const res = await get(path);
      expect(res.status, path).toBe(status);
      expect(res.headers.get("content-type"), path).toMatch(/^application\/json/);
      await res.json();
    }
    const body = (await (await get("/api/v1/nope")).json()) as { error: string; endpoints: string[] };
    expect(body.endpoints).toContain("/api/v1/seals/:serial");
  });
});
