// The resolver's answers as data: the RFC 9264 linkset (GS1-Conformant Resolver 1.2: one default
// link with a title only; link types as GS1 Web Vocabulary URIs), the resolver description file,
// the CSAF document URL and the GTIN API's gs1:CertificationDetails.
import { describe, expect, it } from "vitest";
import {
  buildLinkset,
  productCertificationJson,
  resolverDescription,
  unknownLinkTypeMessage,
  type LinksetSeal,
} from "../../../app/features/public/domain/gs1-resolver";
import { csafPathOfAdvisory } from "../../../app/features/findings/domain/csaf-directory";

const ROOT = "https://seal.example";
const ANCHOR = `${ROOT}/01/05060123450002`;
const seal = (serial: string, firmwareVersion: string, verdict: LinksetSeal["verdict"]): LinksetSeal => ({
  serial,
  firmwareVersion,
  hardwareRevision: "C",
  verdict,
  validFrom: new Date("2026-09-14T10:00:00Z"),
  validUntil: new Date("2027-09-14T10:00:00Z"),
  checklistLabel: "ETSI EN 303 645 3.1.3",
  levelTitle: "Baseline",
  updateRequired: null,
});
const NEW = seal("IOTS-NEW0-0001", "3.2.0", "suspended");
const OLD = seal("IOTS-OLD0-0001", "3.1.0", "valid");
const product = { name: "Gator Kids Watch 3", model: "GW-KW3", supplierName: "Gator Wearables Ltd" };

describe("CSAF 2.0 document URL (5.1 file name, 7.1.11 one folder per year)", () => {
  it.each([
    ["IOTSEAL-2026-0003", "2026-11-02", "/.well-known/csaf/white/2026/iotseal-2026-0003.json"],
    ["IOTSEAL-2025-0012", "2026-01-03", "/.well-known/csaf/white/2026/iotseal-2025-0012.json"],
    ["Vendor ID#7 / A", "2024-05-01", "/.well-known/csaf/white/2024/vendor_id_7_a.json"],
    ["a+b-c", "2024-05-01", "/.well-known/csaf/white/2024/a+b-c.json"],
  ])("%s released %s -> %s", (id, date, path) => {
    expect(csafPathOfAdvisory({ advisoryId: id, disclosedOn: date })).toBe(path);
  });
});

describe("the linkset (RFC 9264, application/linkset+json)", () => {
  const body = buildLinkset({
    root: ROOT,
    anchor: ANCHOR,
    product,
    seals: [NEW, OLD],
    current: OLD,
    advisories: [
      { advisoryId: "IOTSEAL-2026-0003", title: "SOS contacts", severity: "high", disclosedOn: "2026-11-02" },
    ],
  });
  const ctx = body.linkset[0] as Record<string, unknown>;

  it("one context object, anchored at the product's Digital Link URI, with an item description", () => {
    expect(body.linkset).toHaveLength(1);
    expect(ctx.anchor).toBe(ANCHOR);
    expect(ctx.itemDescription).toBe("Gator Kids Watch 3 (GW-KW3), Gator Wearables Ltd");
  });

  it("exactly one default link, to the current seal's page, with a title and no other attribute", () => {
    const links = ctx["https://gs1.org/voc/defaultLink"] as Record<string, unknown>[];
    expect(links).toHaveLength(1);
    expect(Object.keys(links[0]).sort()).toEqual(["href", "title"]);
    expect(links[0].href).toBe(`${ROOT}/s/IOTS-OLD0-0001`);
  });

  it("gs1:certificationInfo: the current seal's page and its credential, one per media type (never a 300)", () => {
    const links = ctx["https://gs1.org/voc/certificationInfo"] as Record<string, unknown>[];
    expect(links.map((l) => [l.href, l.type])).toEqual([
      [`${ROOT}/s/IOTS-OLD0-0001`, "text/html"],
      [`${ROOT}/s/IOTS-OLD0-0001/credential`, "application/vc+jwt"],
    ]);
    for (const l of links) expect(typeof l.title).toBe("string");
    expect(links[0].hreflang).toEqual(["en"]);
  });

  it("related: every seal, newest first, with its firmware, status and credential; then the CSAF advisories", () => {
    const related = ctx.related as Record<string, unknown>[];
    expect(related.map((l) => l.href)).toEqual([
      `${ROOT}/s/IOTS-NEW0-0001`,
      `${ROOT}/s/IOTS-OLD0-0001`,
      `${ROOT}/.well-known/csaf/white/2026/iotseal-2026-0003.json`,
    ]);
    expect(related[0]).toMatchObject({
      title: "Seal IOTS-NEW0-0001, firmware 3.2.0: suspended (ETSI EN 303 645 3.1.3, Baseline)",
      type: "text/html",
      serial: ["IOTS-NEW0-0001"],
      firmwareVersion: ["3.2.0"],
      status: ["suspended"],
      validUntil: ["2027-09-14"],
      credential: [`${ROOT}/s/IOTS-NEW0-0001/credential`],
    });
    expect(related[2]).toMatchObject({ type: "application/json", advisoryId: ["IOTSEAL-2026-0003"] });
    // RFC 9264 4.2.4: every target attribute other than the registered ones is an array.
    for (const l of related)
      for (const [k, v] of Object.entries(l))
        if (!["href", "title", "type"].includes(k)) expect(Array.isArray(v), k).toBe(true);
  });
});

describe("the resolver description file (/.well-known/gs1resolver)", () => {
  it("names the resolver, its root, AI 01 and the GS1 link type namespace", () => {
    expect(resolverDescription(ROOT, "IoT Seal Assurance")).toEqual({
      name: "IoT Seal GS1 Digital Link resolver (IoT Seal Assurance)",
      resolverRoot: ROOT,
      supportedPrimaryKeys: ["01"],
      supportedLinkType: [
        { namespace: "https://gs1.org/voc/", prefix: "gs1:", profile: "https://ref.gs1.org/voc/?show=linktypes" },
      ],
      linkTypeDefaultCanBeLinkset: false,
    });
  });
});

it("an unknown link type's message names the link types there are, without control characters", () => {
  expect(unknownLinkTypeMessage("gs1:pip\n")).toBe(
    'This product has no link of type "gs1:pip?". Its link types are gs1:certificationInfo, gs1:defaultLink, linkset (gs1: is https://gs1.org/voc/).',
  );
});

describe("GET /api/v1/products/<GTIN>: gs1:CertificationDetails", () => {
  it("each seal with agency, standard, value, identification, status and dates", () => {
    const json = productCertificationJson({
      root: ROOT,
      anchor: ANCHOR,
      gtin14: "05060123450002",
      certificationBody: "IoT Seal Assurance",
      product: { ...product, category: "childrens-wearable" },
      seals: [NEW, OLD],
      current: OLD,
    });
    expect(json["@context"]).toMatchObject({ gs1: "https://gs1.org/voc/" });
    expect(json).toMatchObject({ "@id": ANCHOR, "@type": "gs1:Product", "gs1:gtin": "05060123450002" });
    expect(json["gs1:certificationInfo"][1]).toEqual({
      "@type": "gs1:CertificationDetails",
      "@id": `${ROOT}/s/IOTS-OLD0-0001`,
      "gs1:certificationAgency": "IoT Seal Assurance",
      "gs1:certificationStandard": "ETSI EN 303 645 3.1.3",
      "gs1:certificationValue": "Baseline",
      "gs1:certificationIdentification": "IOTS-OLD0-0001",
      "gs1:certificationStatus": "valid",
      "gs1:certificationStartDate": "2026-09-14",
      "gs1:certificationEndDate": "2027-09-14",
      sealUrl: `${ROOT}/s/IOTS-OLD0-0001`,
      credentialUrl: `${ROOT}/s/IOTS-OLD0-0001/credential`,
      firmwareVersion: "3.1.0",
      hardwareRevision: "C",
      current: true,
      updateRequired: null,
    });
    expect(json.currentSeal).toBe("IOTS-OLD0-0001");
  });
});

describe('"valid, update required" (decision record 015) is said beside the status, as the seal API says it', () => {
  const UPDATE = { advisories: ["IOTSEAL-2026-0004"], fixedIn: "3.1.1" };
  const current = { ...OLD, updateRequired: UPDATE };

  it("the GTIN API: updateRequired on the seal, in the seal API's shape; null on a seal without", () => {
    const json = productCertificationJson({
      root: ROOT,
      anchor: ANCHOR,
      gtin14: "05060123450002",
      certificationBody: "IoT Seal Assurance",
      product: { ...product, category: "childrens-wearable" },
      seals: [NEW, current],
      current,
    });
    expect(json["gs1:certificationInfo"].map((c) => c.updateRequired)).toEqual([null, UPDATE]);
    expect(json["gs1:certificationInfo"][1]["gs1:certificationStatus"]).toBe("valid");
  });

  it("the linkset: the titles name the firmware to install, and the seal's link has updateTo and fixes (arrays)", () => {
    const ctx = buildLinkset({ root: ROOT, anchor: ANCHOR, product, seals: [NEW, current], current, advisories: [] })
      .linkset[0] as Record<string, unknown>;
    const sentence = "Update required: install firmware 3.1.1 (fixes IOTSEAL-2026-0004).";
    const [defaultLink] = ctx["https://gs1.org/voc/defaultLink"] as { title: string }[];
    expect(defaultLink.title).toBe(
      `IoT Seal of Gator Kids Watch 3: valid (seal IOTS-OLD0-0001, firmware 3.1.0) ${sentence}`,
    );
    const related = ctx.related as Record<string, unknown>[];
    expect(related[1]).toMatchObject({
      title: `Seal IOTS-OLD0-0001, firmware 3.1.0: valid (ETSI EN 303 645 3.1.3, Baseline) ${sentence}`,
      status: ["valid"],
      updateTo: ["3.1.1"],
      fixes: ["IOTSEAL-2026-0004"],
    });
    expect(related[0]).not.toHaveProperty("updateTo");
  });
});
