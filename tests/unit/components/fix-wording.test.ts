// The words of the public and the report pages about fixes and embargoes: a fix the certification
// body's assessor verified is "verified", not a certified firmware, unless that firmware has a valid
// seal of its own (decision 015); the embargo panel says exactly what a watching buyer is shown.
import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { SealAdvisories, WatchedAdvisories } from "../../../app/components/Advisories";
import { FindingDisclosurePanel } from "../../../app/components/FindingDisclosure";
import { UpdateRequired } from "../../../app/components/UpdateRequired";
import type { PublicAdvisory } from "../../../app/features/findings/domain/disclosure";

/** The text a reader sees: tags dropped, entities decoded, spaces collapsed. */
function text(html: string): string {
  return html
    .replace(/<[^>]+>/g, " ")
    .replace(/&quot;/g, '"')
    .replace(/&#x27;/g, "'")
    .replace(/&amp;/g, "&")
    .replace(/\s+/g, " ")
    .replace(/ ([.,;:)])/g, "$1")
    .trim();
}

const update = { advisories: ["IOTSEAL-2026-0003"], fixedIn: "2.0" };

describe("update required", () => {
  it("a fix verified in a firmware without a seal: verified by the assessor, and 2.0 is said to have no seal", () => {
    const t = text(
      renderToStaticMarkup(
        createElement(UpdateRequired, { update: { ...update, fixedInSeal: null }, firmware: "1.0", verdict: "valid" }),
      ),
    );
    expect(t).toContain("Update required: install firmware 2.0.");
    expect(t).toContain("the certification body's assessor verified the fix in 2.0.");
    expect(t).toContain("Firmware 2.0 itself has no seal: it has not been certified.");
    // Valid for what it certifies; the update to install, without saying to sell "only" a firmware that has no seal.
    expect(t).toContain("The seal is valid for firmware 1.0, which has a known security problem that 2.0 fixes.");
    expect(t).toContain("Shops: install 2.0 before selling it.");
    expect(t).not.toMatch(/fix (is )?certified|2\.0 is certified/i);
  });

  it("not looked up (the compact rows, the API's views): no claim either way", () => {
    const t = text(renderToStaticMarkup(createElement(UpdateRequired, { update, firmware: "1.0", verdict: "valid" })));
    expect(t).toContain("the certification body's assessor verified the fix in 2.0.");
    expect(t).not.toMatch(/no seal|is certified/);
    expect(text(renderToStaticMarkup(createElement(UpdateRequired, { update, compact: true })))).toBe(
      "Update required: install firmware 2.0 (IOTSEAL-2026-0003)",
    );
  });
});

describe("the advisories table", () => {
  it("says 'fix verified' (column and reason), and 'certified' for no fixed firmware without a seal of its own", () => {
    const advisory: PublicAdvisory = {
      advisoryId: "IOTSEAL-2026-0003",
      title: "Voice assistant accepted commands from an unauthenticated local API",
      severity: "high",
      affectedVersions: ["1.0"],
      affected: [{ hardwareRevision: "A", firmwareVersion: "1.0" }],
      fixedInVersion: "2.0",
      reportedOn: "2026-01-01",
      fixedOn: "2026-02-01",
      disclosedOn: "2026-02-01",
      reason: "fix_certified",
      withdrawnOn: null,
    };
    const t = text(
      renderToStaticMarkup(
        createElement(SealAdvisories, {
          view: { advisories: [advisory], openEmbargoed: null, audience: "public", certifiedFixes: {} },
        }),
      ),
    );
    expect(t).toContain("Fix verified");
    expect(t).toContain("fix verified");
    expect(t).not.toMatch(/fix certified|certified: seal/i);
  });
});

describe("the embargo panel of a report's page", () => {
  const disclosure = {
    advisoryId: "IOTSEAL-2026-0007",
    public: false,
    label: "Embargoed until 2026-12-14",
    reason: "embargoed",
    canPublish: false,
  };
  const panel = (craFlagged: "exploited" | "incident" | null) =>
    text(
      renderToStaticMarkup(
        createElement(FindingDisclosurePanel, { disclosure, severity: "high", craFlagged, version: 1, busy: false }),
      ),
    );

  it("not flagged: watching buyers see only an open report of this severity, counted", () => {
    expect(panel(null)).toContain(
      "Buyers watching the product see only that an open report of this severity is under embargo (counted by severity), never its title or details.",
    );
    expect(panel(null)).not.toContain("actively exploited");
  });

  it("flagged under CRA Article 14: the panel quotes what the buyer's watchlist shows, word for word", () => {
    const watchlist = text(
      renderToStaticMarkup(
        createElement(WatchedAdvisories, {
          summary: {
            advisoryIds: [],
            openEmbargoed: { count: 1, bySeverity: { critical: 0, high: 1, medium: 0, low: 0 } },
            exploitedEmbargoed: ["high"],
          },
          serial: null,
        }),
      ),
    );
    const shown = "An actively exploited vulnerability (high) is being handled (CRA Article 14)";
    expect(watchlist).toContain(shown);
    expect(panel("exploited")).toContain(`they also see "${shown}".`);
  });

  it("flagged a severe incident only: called that, never 'actively exploited', on both sides", () => {
    const watchlist = text(
      renderToStaticMarkup(
        createElement(WatchedAdvisories, {
          summary: {
            advisoryIds: [],
            openEmbargoed: { count: 1, bySeverity: { critical: 0, high: 1, medium: 0, low: 0 } },
            exploitedEmbargoed: [],
            incidentEmbargoed: ["high"],
          },
          serial: null,
        }),
      ),
    );
    const shown = "A severe incident affecting the product's security (high) is being handled (CRA Article 14)";
    expect(watchlist).toContain(shown);
    expect(watchlist).not.toContain("actively exploited");
    expect(panel("incident")).toContain(`they also see "${shown}".`);
  });
});
