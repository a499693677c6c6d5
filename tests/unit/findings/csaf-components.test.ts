// Our CSAF documents name the advisory's affected components: each purl is a product of its own
// with product_identification_helper.purl, related to each affected firmware version
// ("default_component_of"), and those combinations are known affected. Still valid CSAF 2.0.
import { describe, expect, it } from "vitest";
import {
  csafDocument,
  csafText,
  csafTimelineOf,
  type CsafDocumentInput,
} from "../../../app/features/findings/domain/csaf";
import { publicAdvisory, type DisclosureFinding } from "../../../app/features/findings/domain/disclosure";
import { csafOptionalFindings, csafProblems } from "../../support/csaf";

const f: DisclosureFinding = {
  id: "f-1",
  advisoryId: "IOTSEAL-2027-0002",
  title: "Old OpenSSL in the companion TLS stack",
  description: "SECRET",
  severity: "high",
  status: "verified_fixed",
  reportedAt: new Date("2027-03-01T10:00:00Z"),
  recordedAt: new Date("2027-03-01T10:00:00Z"),
  deadline: new Date("2027-05-30T10:00:00Z"),
  verifiedAt: new Date("2027-04-01T10:00:00Z"),
  publishedAt: null,
  fixedInVersion: "2.1.0",
  affectedVersions: ["2.0.1", "2.0.0", "2.1.0"],
};

function documentWith(components: string[]) {
  const now = new Date("2027-06-01T00:00:00Z");
  const input: CsafDocumentInput = {
    advisory: publicAdvisory(f, now)!,
    timeline: csafTimelineOf(f, now)!,
    product: {
      name: "Kids Watch",
      model: "KW-1",
      gtin: null,
      sku: null,
      vendor: "Gator Wearables Ltd",
      disclosurePolicyUrl: null,
    },
    publisher: { name: "IoT Seal Assurance", namespace: "https://seal.example", contact: "mailto:s@seal.example" },
    links: { self: "https://seal.example/.well-known/csaf/white/2027/iotseal-2027-0002.json", page: null },
    generator: { name: "IoT Seal CSAF provider", version: "1.0.0" },
    components,
  };
  return csafDocument(input);
}

describe("CSAF: the advisory's affected components", () => {
  it("each purl is a product with product_identification_helper.purl, in each affected firmware version", async () => {
    const doc = documentWith(["pkg:generic/openssl@3.0.13", "pkg:github/mbed-tls/mbedtls@2.28.8"]);
    expect(doc.product_tree.full_product_names).toEqual([
      {
        name: "openssl 3.0.13",
        product_id: "IOTSEAL-COMP-1",
        product_identification_helper: { purl: "pkg:generic/openssl@3.0.13" },
      },
      {
        name: "mbed-tls/mbedtls 2.28.8",
        product_id: "IOTSEAL-COMP-2",
        product_identification_helper: { purl: "pkg:github/mbed-tls/mbedtls@2.28.8" },
      },
    ]);
    // The fixed firmware (2.1.0) is not said to contain the affected component.
    expect(doc.product_tree.relationships?.map((r) => [r.product_reference, r.relates_to_product_reference])).toEqual([
      ["IOTSEAL-COMP-1", "IOTSEAL-FW-2.0.1"],
      ["IOTSEAL-COMP-2", "IOTSEAL-FW-2.0.1"],
      ["IOTSEAL-COMP-1", "IOTSEAL-FW-2.0.0"],
      ["IOTSEAL-COMP-2", "IOTSEAL-FW-2.0.0"],
    ]);
    expect(doc.product_tree.relationships?.[2]).toMatchObject({
      category: "default_component_of",
      full_product_name: {
        name: "openssl 3.0.13 in Kids Watch (model KW-1) firmware 2.0.0",
        product_id: "IOTSEAL-FW-2.0.0-COMP-1",
      },
    });
    const v = doc.vulnerabilities[0];
    expect(v.product_status).toEqual({
      known_affected: [
        "IOTSEAL-FW-2.0.1",
        "IOTSEAL-FW-2.0.0",
        "IOTSEAL-FW-2.0.1-COMP-1",
        "IOTSEAL-FW-2.0.1-COMP-2",
        "IOTSEAL-FW-2.0.0-COMP-1",
        "IOTSEAL-FW-2.0.0-COMP-2",
      ],
      fixed: ["IOTSEAL-FW-2.1.0"],
    });
    expect(v.remediations![0].product_ids).toEqual(v.product_status.known_affected);
    expect(doc.document.notes[0].text).toContain("(in openssl 3.0.13, mbed-tls/mbedtls 2.28.8)");
    expect(await csafProblems(JSON.parse(csafText(doc)))).toEqual([]);
    // As without components: of the optional tests only 6.2.3 (no CVSS score) warns.
    expect(await csafOptionalFindings(JSON.parse(csafText(doc)))).toEqual(["optionalTest_6_2_3"]);
  });

  it("without components the product tree is as before", () => {
    const doc = documentWith([]);
    expect(doc.product_tree.full_product_names).toBeUndefined();
    expect(doc.product_tree.relationships).toBeUndefined();
    expect(doc.vulnerabilities[0].product_status.known_affected).toEqual(["IOTSEAL-FW-2.0.1", "IOTSEAL-FW-2.0.0"]);
  });
});
