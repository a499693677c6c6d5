import { describe, expect, it } from "vitest";
import { conflictOfInterest } from "../../../app/features/accounts/domain/conflicts";

describe("conflict of interest", () => {
  const declared = (...orgs: string[]) =>
    orgs.map((organizationId) => ({ organizationId, reason: `Worked for ${organizationId}` }));
  it.each([
    [
      "same organisation",
      "org-1",
      "org-1",
      [],
      "You have a conflict of interest with Org: you belong to the supplier's organisation.",
    ],
    [
      "same organisation, also declared",
      "org-1",
      "org-1",
      ["org-1"],
      "You have a conflict of interest with Org: you belong to the supplier's organisation.",
    ],
    [
      "declared conflict",
      "org-1",
      "org-2",
      ["org-3", "org-2"],
      "You have a declared conflict of interest with Org: Worked for org-2.",
    ],
    ["conflicts declared with others only", "org-1", "org-2", ["org-3"], null],
    ["neither", "org-1", "org-2", [], null],
  ] as [string, string, string, string[], string | null][])("%s", (_what, assessor, supplier, orgs, expected) => {
    expect(
      conflictOfInterest({
        assessorOrganizationId: assessor,
        supplierOrganizationId: supplier,
        supplierName: "Org",
        declaredConflicts: declared(...orgs),
      }),
    ).toBe(expected);
  });

  it("quotes the declared reason as a sentence", () => {
    expect(
      conflictOfInterest({
        assessorOrganizationId: "a",
        supplierOrganizationId: "s",
        supplierName: "Gator Wearables Ltd",
        declaredConflicts: [{ organizationId: "s", reason: " Advised Gator this year! " }],
      }),
    ).toBe("You have a declared conflict of interest with Gator Wearables Ltd: Advised Gator this year!");
  });
});
