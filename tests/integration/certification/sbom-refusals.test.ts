// SBOM evidence that used to be kept silently wrong: a file that names an SBOM format but is not
// valid JSON (attached as an ordinary file before, small or large) and an SBOM with more components
// than are read (cut short at 50,000 before) are refused with the reason, nothing stored.
import { Readable } from "node:stream";
import { sql } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { evidenceLinks, sbomDocuments } from "../../../db/schema";
import { seedDemoData } from "../../support/demo-seed";
import { db } from "../../../app/platform/db.server";
import { ServiceError } from "../../../app/platform/errors.server";
import { attachUploads, store } from "../../../app/features/certification/evidence.server";
import { SBOM_MAX_COMPONENTS } from "../../../app/features/certification/domain/sbom";
import { SNIFF_BYTES } from "../../../app/features/certification/domain/evidence-type";
import { grace } from "../../support/actors";
import { addTestVersion, createTestProduct, openTestDraft } from "../../support/submissions";

let draft: string;

const receive = (body: string) => store().receive(Readable.from([Buffer.from(body)]), 32 * 1024 * 1024);
const count = (t: typeof evidenceLinks | typeof sbomDocuments) =>
  db()
    .select({ n: sql<number>`count(*)` })
    .from(t)
    .get()!.n;

async function refusal(name: string, body: string): Promise<ServiceError> {
  const before = { links: count(evidenceLinks), sboms: count(sbomDocuments) };
  const error = await attachUploads(grace(), draft, "1", [{ originalName: name, received: await receive(body) }]).then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ServiceError);
  expect({ links: count(evidenceLinks), sboms: count(sbomDocuments) }).toEqual(before);
  return error as ServiceError;
}

const components = (n: number) =>
  Array.from({ length: n }, (_, i) => ({ type: "library", name: `component-${i}`, version: "1.0.0" }));

beforeAll(async () => {
  await seedDemoData();
  const productId = createTestProduct(grace(), { name: "Gator SBOM Limits Band", model: "GW-SL1" });
  draft = openTestDraft(grace(), addTestVersion(grace(), productId, "1.0.0"));
}, 120_000);

describe("an SBOM that is not valid JSON", () => {
  it("is refused when small (whole file sniffed), naming the file field", async () => {
    const e = await refusal("sbom.cdx.json", '{"bomFormat": "CycloneDX", "specVersion": "1.6", "components": [}');
    expect(e.message).toMatch(/^sbom\.cdx\.json: The file declares a CycloneDX or SPDX SBOM but is not valid JSON: /);
    expect(e.fieldErrors?.file).toMatch(/^The file declares a CycloneDX or SPDX SBOM but is not valid JSON: /);
  });

  it("is refused when larger than the sniffed bytes too", async () => {
    const valid = JSON.stringify({ bomFormat: "CycloneDX", specVersion: "1.6", components: components(3000) });
    expect(valid.length).toBeGreaterThan(SNIFF_BYTES);
    const e = await refusal("big.cdx.json", valid.slice(0, -2)); // cut short: no closing brackets
    expect(e.message).toMatch(/^big\.cdx\.json: The file declares a CycloneDX or SPDX SBOM but is not valid JSON: /);
  });
});

describe("an SBOM at the component limit", () => {
  it("is checked against its schema in linear time (no pairwise uniqueness check) and stored whole", async () => {
    const full = JSON.stringify({
      bomFormat: "CycloneDX",
      specVersion: "1.6",
      components: components(SBOM_MAX_COMPONENTS),
    });
    const before = count(sbomDocuments);
    const started = performance.now();
    await attachUploads(grace(), draft, "1", [{ originalName: "full.cdx.json", received: await receive(full) }]);
    // With ajv's uniqueItems the schema check compared every pair: 8,000 components took 13 s, 50,000 minutes.
    expect(performance.now() - started).toBeLessThan(30_000);
    expect(count(sbomDocuments)).toBe(before + 1);
  }, 90_000);
});

describe("an SBOM with more components than are read", () => {
  it("is refused with the limit, never stored cut short", async () => {
    const over = JSON.stringify({
      bomFormat: "CycloneDX",
      specVersion: "1.6",
      components: components(SBOM_MAX_COMPONENTS + 1),
    });
    const e = await refusal("huge.cdx.json", over);
    expect(e.message).toMatch(/^huge\.cdx\.json: The SBOM lists more than 50,000 components/);
  }, 60_000);
});
