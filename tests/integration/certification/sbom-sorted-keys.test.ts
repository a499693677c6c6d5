// An SBOM is recognised by its top-level keys wherever they stand, not by the first bytes of the
// file: a sorted-key SPDX document (jq -S, sort_keys=True) over the sniffed 64 KiB has "spdxVersion"
// last. Valid, it is stored and its packages indexed for advisories' purl matching; invalid, it is
// refused with the schema message. Ordinary JSON that mentions an SBOM key deep inside is not an SBOM.
import { Readable } from "node:stream";
import { beforeAll, describe, expect, it } from "vitest";
import { seedDemoData } from "../../support/demo-seed";
import { db } from "../../../app/platform/db.server";
import { ServiceError } from "../../../app/platform/errors.server";
import { attachUploads, store } from "../../../app/features/certification/evidence.server";
import { submissionSboms } from "../../../app/features/certification/sbom.server";
import { SNIFF_BYTES } from "../../../app/features/certification/domain/evidence-type";
import { grace } from "../../support/actors";
import { addTestVersion, createTestProduct, openTestDraft } from "../../support/submissions";

let draft: string;

const receive = (body: string) => store().receive(Readable.from([Buffer.from(body)]), 32 * 1024 * 1024);

/** JSON with every object's keys sorted, indented by two spaces, as `jq -S .` writes it. */
function sortedJson(value: unknown): string {
  const sort = (v: unknown): unknown =>
    Array.isArray(v)
      ? v.map(sort)
      : typeof v === "object" && v !== null
        ? Object.fromEntries(
            Object.keys(v)
              .sort()
              .map((k) => [k, sort((v as Record<string, unknown>)[k])]),
          )
        : v;
  return JSON.stringify(sort(value), null, 2);
}

const PACKAGES = 800;

/** An SPDX 2.3 document with PACKAGES packages, each with a purl (`category` its external reference's category). */
function spdx(category: string): string {
  const text = sortedJson({
    spdxVersion: "SPDX-2.3",
    dataLicense: "CC0-1.0",
    SPDXID: "SPDXRef-DOCUMENT",
    name: "gator-sorted-fw-1.0.0",
    documentNamespace: `https://gatorwearables.example/spdx/gator-sorted-fw-1.0.0-${category}`,
    creationInfo: { created: "2026-11-20T10:00:00Z", creators: ["Tool: jq-1.7"] },
    packages: Array.from({ length: PACKAGES }, (_, i) => ({
      SPDXID: `SPDXRef-pkg-${i}`,
      name: `component-${i}`,
      versionInfo: "1.0.0",
      downloadLocation: "NOASSERTION",
      externalRefs: [
        { referenceCategory: category, referenceType: "purl", referenceLocator: `pkg:generic/component-${i}@1.0.0` },
      ],
    })),
  });
  // "spdxVersion" sorts last: past the bytes sniffed from the head of the file.
  expect(text.indexOf('"spdxVersion"')).toBeGreaterThan(SNIFF_BYTES);
  return text;
}

async function attach(name: string, body: string) {
  return attachUploads(grace(), draft, "1", [{ originalName: name, received: await receive(body) }]);
}

beforeAll(async () => {
  await seedDemoData();
  const productId = createTestProduct(grace(), { name: "Gator Sorted SBOM Band", model: "GW-SS1" });
  draft = openTestDraft(grace(), addTestVersion(grace(), productId, "1.0.0"));
}, 120_000);

describe("a sorted-key SPDX SBOM over the sniffed bytes", () => {
  it("valid: validated, stored and its packages indexed", async () => {
    expect(SNIFF_BYTES).toBe(64 * 1024);
    await attach("fw.spdx.json", spdx("PACKAGE-MANAGER"));
    expect(submissionSboms(db(), draft)).toMatchObject([
      { originalName: "fw.spdx.json", format: "SPDX 2.3", componentCount: PACKAGES },
    ]);
  });

  it("invalid: refused with the schema path of the first problem, nothing stored", async () => {
    const error = await attach("broken.spdx.json", spdx("PACKAGE MANAGER")).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ServiceError);
    expect((error as ServiceError).message).toBe(
      "broken.spdx.json: Not a valid SPDX 2.3 SBOM: /packages/0/externalRefs/0/referenceCategory must be equal to one of the allowed values",
    );
    expect(submissionSboms(db(), draft)).toHaveLength(1);
  });

  it("not valid JSON: refused as a broken SBOM, though it names the format only at its end", async () => {
    const cut = spdx("PACKAGE-MANAGER").replace(/\n}$/, ",\n}"); // a trailing comma
    const error = await attach("cut.spdx.json", cut).then(
      () => null,
      (e: unknown) => e,
    );
    expect((error as ServiceError).message).toMatch(
      /^cut\.spdx\.json: The file declares a CycloneDX or SPDX SBOM but is not valid JSON: /,
    );
  });
});

describe("ordinary JSON", () => {
  it("that names an SBOM key only deep inside, or nests deeply, is attached as an ordinary file", async () => {
    const report = sortedJson({
      findings: Array.from({ length: 1500 }, (_, i) => ({ id: i, note: "checked" })),
      scanned: { spdxVersion: "SPDX-2.3", file: "other.spdx.json" },
    });
    expect(report.length).toBeGreaterThan(SNIFF_BYTES);
    expect((await attach("scan.json", report)).linkIds).toHaveLength(1);
    const deep = `{"results":${"[".repeat(200)}${"]".repeat(200)}}`;
    expect((await attach("deep-results.json", deep)).linkIds).toHaveLength(1);
    expect(submissionSboms(db(), draft)).toHaveLength(1);
  });
});
