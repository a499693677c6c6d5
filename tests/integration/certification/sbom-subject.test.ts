// What an SBOM says it describes is read and kept (CycloneDX metadata.component, SPDX documentDescribes), so the
// supplier and the assessor see it next to the firmware the submission certifies, and an SBOM of another build is
// named as such rather than labelled with this firmware.
import { Readable } from "node:stream";
import { beforeAll, describe, expect, it } from "vitest";
import { seedDemoData } from "../../support/demo-seed";
import { db } from "../../../app/platform/db.server";
import { attachUploads, store } from "../../../app/features/certification/evidence.server";
import { submissionSboms } from "../../../app/features/certification/sbom.server";
import { sbomSubjectMismatch } from "../../../app/features/certification/domain/sbom";
import { grace } from "../../support/actors";
import { addTestVersion, createTestProduct, openTestDraft } from "../../support/submissions";

let draft: string;
const receive = (body: string) => store().receive(Readable.from([Buffer.from(body)]), 32 * 1024 * 1024);
const attach = async (name: string, body: unknown) =>
  attachUploads(grace(), draft, "1", [{ originalName: name, received: await receive(JSON.stringify(body)) }]);

const cyclonedx = (name: string, version: string) => ({
  bomFormat: "CycloneDX",
  specVersion: "1.6",
  version: 1,
  metadata: { component: { type: "firmware", name, version } },
  components: [{ type: "library", name: "openssl", version: "3.0.13", purl: "pkg:generic/openssl@3.0.13" }],
});

beforeAll(async () => {
  await seedDemoData();
  const productId = createTestProduct(grace(), { name: "Gator SBOM Subject Band", model: "GW-SB1" });
  draft = openTestDraft(grace(), addTestVersion(grace(), productId, "1.0.0"));
}, 120_000);

describe("an SBOM's subject", () => {
  it("CycloneDX of this firmware: its subject kept, no warning", async () => {
    await attach("band-fw-1.0.0.cdx.json", cyclonedx("gator-band-fw", "v1.0.0"));
    const [sbom] = submissionSboms(db(), draft);
    expect(sbom.subject).toEqual({ name: "gator-band-fw", version: "v1.0.0" });
    expect(sbomSubjectMismatch(sbom.subject, "1.0.0")).toBeNull();
  });

  it("CycloneDX of another product's build: named with its version, and said not to be this firmware's", async () => {
    await attach("speaker.cdx.json", cyclonedx("brightnest-smart-speaker-fw", "1.0.3"));
    const sbom = submissionSboms(db(), draft).find((s) => s.originalName === "speaker.cdx.json")!;
    expect(sbom.subject).toEqual({ name: "brightnest-smart-speaker-fw", version: "1.0.3" });
    expect(sbomSubjectMismatch(sbom.subject, "1.0.0")).toBe(
      "It describes brightnest-smart-speaker-fw version 1.0.3, not firmware 1.0.0: check that it is this firmware's SBOM.",
    );
  });

  it("SPDX: the package the document describes", async () => {
    await attach("band.spdx.json", {
      spdxVersion: "SPDX-2.3",
      dataLicense: "CC0-1.0",
      SPDXID: "SPDXRef-DOCUMENT",
      name: "gator-band-fw-1.0.0",
      documentNamespace: "https://gatorwearables.example/spdx/gator-band-fw-1.0.0",
      creationInfo: { created: "2026-11-20T10:00:00Z", creators: ["Tool: syft-1.0"] },
      documentDescribes: ["SPDXRef-fw"],
      packages: [
        { SPDXID: "SPDXRef-lib", name: "zlib", versionInfo: "1.3.1", downloadLocation: "NOASSERTION" },
        { SPDXID: "SPDXRef-fw", name: "gator-band-fw", versionInfo: "0.9.0", downloadLocation: "NOASSERTION" },
      ],
    });
    const sbom = submissionSboms(db(), draft).find((s) => s.originalName === "band.spdx.json")!;
    expect(sbom.subject).toEqual({ name: "gator-band-fw", version: "0.9.0" });
    expect(sbomSubjectMismatch(sbom.subject, "1.0.0")).toMatch(/^It describes gator-band-fw version 0\.9\.0, not/);
  });

  it("an SBOM that names no subject: nothing said either way", async () => {
    const { metadata: _unused, ...bare } = cyclonedx("x", "1");
    await attach("bare.cdx.json", bare);
    const sbom = submissionSboms(db(), draft).find((s) => s.originalName === "bare.cdx.json")!;
    expect(sbom.subject).toBeNull();
    expect(sbomSubjectMismatch(sbom.subject, "1.0.0")).toBeNull();
  });
});
