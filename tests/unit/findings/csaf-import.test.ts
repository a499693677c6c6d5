// Importing a third party's CSAF 2.0 advisory (domain/csaf-import.ts): what is read, the purls of
// the affected products, refusals naming the field, tracking versions compared.
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import {
  affectedPurls,
  compareTrackingVersions,
  csafImportSchema,
  readCsafImport,
  readStoredCsaf,
} from "../../../app/features/findings/domain/csaf-import";

const fixture = (name: string) =>
  JSON.parse(fs.readFileSync(path.join(__dirname, "../../fixtures/csaf", name), "utf8")) as Record<string, unknown>;

describe("reading an imported CSAF advisory", () => {
  it("reads the publisher, tracking and the purls of known affected products only (not the fixed ones)", () => {
    const r = readCsafImport(fixture("openssl-advisory-v1.json"));
    expect(r).toEqual({
      ok: true,
      csaf: {
        title: "OpenSSL: Excessive time spent checking DSA keys and parameters (fixture)",
        publisherName: "OpenSSL Project (test fixture)",
        publisherNamespace: "https://openssl-library.example",
        trackingId: "OSSL-FIXTURE-2026-0001",
        trackingVersion: "1",
        status: "final",
        currentReleaseDate: "2026-11-25T12:00:00Z",
        purls: ["pkg:generic/openssl@3.0.15"],
        named: [
          { purl: "pkg:generic/openssl@3.0.15", group: "known_affected" },
          { purl: "pkg:generic/openssl@3.0.16", group: "fixed" },
        ],
        invalidPurls: [],
        invalidCount: 0,
        truncated: 0,
        withoutPurl: 0,
      },
    });
    const v2 = readCsafImport(fixture("openssl-advisory-v2.json"));
    expect(v2.ok && v2.csaf.purls).toEqual(["pkg:generic/openssl@3.0.13", "pkg:generic/openssl@3.0.15"]);
  });

  it("first_affected and last_affected count; full_product_names and relationships define purls; a relationship stands for its component", () => {
    const doc = csafImportSchema.parse({
      document: fixture("openssl-advisory-v1.json").document,
      product_tree: {
        full_product_names: [
          { name: "zlib 1.3", product_id: "Z", product_identification_helper: { purl: "pkg:generic/zlib@1.3" } },
          { name: "bad", product_id: "BAD", product_identification_helper: { purl: "openssl 3" } },
          { name: "Appliance 2", product_id: "APP-2" },
          { name: "curl", product_id: "CURL", product_identification_helper: { purl: "pkg:generic/curl@8.5.0" } },
        ],
        relationships: [
          {
            category: "default_component_of",
            product_reference: "Z",
            relates_to_product_reference: "APP-2",
            full_product_name: { name: "zlib 1.3 in Appliance 2", product_id: "APP-2-Z" },
          },
        ],
      },
      vulnerabilities: [
        { product_status: { first_affected: ["APP-2-Z"], last_affected: ["BAD"], fixed: ["CURL"] } },
        { product_status: { known_affected: ["NOT-DEFINED", "APP-2"] } },
      ],
    });
    expect(affectedPurls(doc)).toEqual({
      purls: ["pkg:generic/zlib@1.3"],
      named: [{ purl: "pkg:generic/zlib@1.3", group: "first_affected" }],
      invalid: ["openssl 3"],
      invalidCount: 1,
      truncated: 0,
      withoutPurl: 2, // APP-2 (no purl) and NOT-DEFINED
    });
  });

  it("keeps each purl's group, and a product_version_range branch's range", () => {
    const doc = csafImportSchema.parse({
      document: fixture("openssl-advisory-v1.json").document,
      product_tree: {
        branches: [
          {
            category: "product_name",
            name: "OpenSSL",
            branches: [
              {
                category: "product_version_range",
                name: "vers:generic/>=3.0.0|<3.0.14",
                product: {
                  name: "OpenSSL 3.0.0 to 3.0.13",
                  product_id: "R",
                  product_identification_helper: { purl: "pkg:generic/openssl" },
                },
              },
              {
                category: "product_version",
                name: "3.0.0",
                product: {
                  name: "3.0.0",
                  product_id: "F",
                  product_identification_helper: { purl: "pkg:generic/openssl@3.0.0" },
                },
              },
              {
                category: "product_version",
                name: "3.0.13",
                product: {
                  name: "3.0.13",
                  product_id: "L",
                  product_identification_helper: { purl: "pkg:generic/openssl@3.0.13" },
                },
              },
              {
                category: "product_version",
                name: "3.0.14",
                product: {
                  name: "3.0.14",
                  product_id: "X",
                  product_identification_helper: { purl: "pkg:generic/openssl@3.0.14" },
                },
              },
            ],
          },
        ],
      },
      vulnerabilities: [
        { product_status: { first_affected: ["F"], last_affected: ["L"], known_affected: ["R"], first_fixed: ["X"] } },
      ],
    });
    expect(affectedPurls(doc).named).toEqual([
      { purl: "pkg:generic/openssl@3.0.0", group: "first_affected" },
      { purl: "pkg:generic/openssl", group: "known_affected", range: "vers:generic/>=3.0.0|<3.0.14" },
      { purl: "pkg:generic/openssl@3.0.13", group: "last_affected" },
      { purl: "pkg:generic/openssl@3.0.14", group: "fixed" },
    ]);
  });

  it("counts what it leaves out: purls past the first 500, invalid values past the first 100", () => {
    const names = [
      ...Array.from({ length: 503 }, (_, i) => ({
        name: `lib ${i}`,
        product_id: `P${i}`,
        product_identification_helper: { purl: `pkg:generic/lib${i}@1.0` },
      })),
      ...Array.from({ length: 120 }, (_, i) => ({
        name: `bad ${i}`,
        product_id: `B${i}`,
        product_identification_helper: { purl: `not a purl ${i}` },
      })),
    ];
    const doc = csafImportSchema.parse({
      document: fixture("openssl-advisory-v1.json").document,
      product_tree: { full_product_names: names },
      vulnerabilities: [{ product_status: { known_affected: names.map((n) => n.product_id) } }],
    });
    const r = affectedPurls(doc);
    expect(r.purls).toHaveLength(500);
    expect(r.truncated).toBe(3);
    expect(r.invalid).toHaveLength(100);
    expect(r.invalidCount).toBe(120);
  });

  it("an invalid stored document reads as null (the stored purls stand in); a valid one as at import", () => {
    expect(readStoredCsaf("{")).toBeNull();
    expect(readStoredCsaf(JSON.stringify(fixture("openssl-advisory-v1.json")))?.purls).toEqual([
      "pkg:generic/openssl@3.0.15",
    ]);
  });

  it("refuses what is not a CSAF 2.0 release, naming the field", () => {
    const doc = fixture("openssl-advisory-v1.json");
    const with_ = (patch: (d: Record<string, any>) => void) => {
      const d = structuredClone(doc) as Record<string, any>;
      patch(d);
      return readCsafImport(d);
    };
    expect(readCsafImport({ hello: "world" })).toEqual({
      ok: false,
      message: "Not a CSAF 2.0 document: document: Invalid input: expected object, received undefined",
    });
    expect(with_((d) => (d.document.csaf_version = "2.1"))).toEqual({
      ok: false,
      message: 'Not a CSAF 2.0 document: document.csaf_version: must be "2.0" (only CSAF 2.0 documents are imported)',
    });
    expect(with_((d) => (d.document.tracking.version = "v1"))).toMatchObject({
      message: "Not a CSAF 2.0 document: document.tracking.version: must be an integer or a semantic version",
    });
    expect(with_((d) => (d.document.publisher.namespace = "openssl"))).toMatchObject({
      message: "Not a CSAF 2.0 document: document.publisher.namespace: must be an http(s) URL",
    });
    // A namespace the portal shows must be a web address, not a script.
    expect(with_((d) => (d.document.publisher.namespace = "javascript:alert(1)"))).toMatchObject({
      message: "Not a CSAF 2.0 document: document.publisher.namespace: must be an http(s) URL",
    });
    // What the portal shows of it loses invisible and bidi characters, and refuses control characters.
    expect(with_((d) => (d.document.tracking.id = "OSSL\u0000-1"))).toMatchObject({
      message: "Not a CSAF 2.0 document: document.tracking.id: must not contain control characters",
    });
    expect(with_((d) => (d.product_tree.branches[0].branches[0].branches[0].product.product_id = 7))).toMatchObject({
      message: expect.stringMatching(
        /^Not a CSAF 2.0 document: product_tree\.branches\[0\]\.branches\[0\]\.branches\[0\]\.product\.product_id: /,
      ),
    });
    expect(with_((d) => (d.document.tracking.status = "draft"))).toMatchObject({
      message: expect.stringMatching(/is a draft/),
    });
  });
});

describe("tracking versions (CSAF 2.0 3.1.11.3.3)", () => {
  it("compares integers numerically and semantic versions by precedence", () => {
    expect(compareTrackingVersions("2", "10")).toBeLessThan(0);
    expect(compareTrackingVersions("10", "2")).toBeGreaterThan(0);
    expect(compareTrackingVersions("3", "3")).toBe(0);
    expect(compareTrackingVersions("1.0.0", "1.0.1")).toBeLessThan(0);
    expect(compareTrackingVersions("1.10.0", "1.9.0")).toBeGreaterThan(0);
    expect(compareTrackingVersions("1.0.0-rc.1", "1.0.0")).toBeLessThan(0);
    expect(compareTrackingVersions("1.0.0-rc.2", "1.0.0-rc.10")).toBeLessThan(0);
    expect(compareTrackingVersions("1.0.0-alpha", "1.0.0-alpha.1")).toBeLessThan(0);
    expect(compareTrackingVersions("1.0.0+build.5", "1.0.0")).toBe(0);
  });
});
