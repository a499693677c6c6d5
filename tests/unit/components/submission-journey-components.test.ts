// The SBOM panel tells whoever can act to replace a carried-over SBOM, and only them (an assessor or
// a frozen submission gets the fact, not an instruction); the re-certification form shows again
// what a refused post sent.
import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it, vi } from "vitest";

// Plain elements for Remix's router-bound ones: these tests render outside a router.
vi.mock("@remix-run/react", () => ({
  Form: (props: Record<string, unknown>) => createElement("form", props),
  Link: ({ to, ...props }: { to: string } & Record<string, unknown>) => createElement("a", { href: to, ...props }),
}));

const { SbomComponents } = await import("../../../app/components/SbomComponents");
const { Recertify } = await import("../../../app/components/Recertify");

describe("SbomComponents, an SBOM carried over from the certified firmware", () => {
  const panel = {
    sboms: [
      {
        sha256: "a".repeat(64),
        originalName: "sbom-3.1.0.cdx.json",
        requirementRefs: ["5.2-1"],
        format: "CycloneDX 1.6",
        componentCount: 5,
        certifiedFirmware: "3.1.0",
        subject: null,
      },
    ],
    open: null,
  };
  const render = (canReplace?: string[]) =>
    renderToStaticMarkup(createElement(SbomComponents, { panel, firmwareVersion: "3.2.0", canReplace }));

  it("asks the supplier to replace it where its requirement can change", () => {
    const html = render(["5.2-1", "5.3-1"]);
    expect(html).toContain("Carried over unchanged from the certification of firmware 3.1.0");
    expect(html).toContain("Replace it with the SBOM of firmware 3.2.0.");
  });

  it("states the fact only for an assessor, or where its requirement is frozen", () => {
    for (const html of [render(), render([]), render(["5.3-1"])]) {
      expect(html).toContain("Carried over unchanged from the certification of firmware 3.1.0");
      expect(html).not.toContain("Replace it");
    }
  });
});

describe("Recertify after a refused post", () => {
  it("shows the change summary typed and the seal chosen", () => {
    const html = renderToStaticMarkup(
      createElement(Recertify, {
        versionId: "v2",
        firmware: "1.2.0",
        seals: [
          { serial: "SEAL-A", firmware: "1.0.0", state: "active" },
          { serial: "SEAL-B", firmware: "1.1.0", state: "active" },
        ],
        busy: false,
        failed: {
          formError: "A re-certification of firmware 1.1.0 from this seal is already open (draft).",
          fieldErrors: { serial: "A re-certification from this seal is already open." },
          values: {
            intent: "recertify",
            productVersionId: "v2",
            serial: "SEAL-B",
            changeSummary: "What I typed here.",
          },
        },
      }),
    );
    expect(html).toContain(">What I typed here.</textarea>");
    expect(html).toMatch(/<option value="SEAL-B" selected="">/);
    expect(html).toContain("already open (draft)");
  });
});
