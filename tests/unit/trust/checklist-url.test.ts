// Issue 17, VC Data Model 2.0 section 4.4: a seal names its checklist by the URL of the checklist
// version's page; seals issued before name it by its bare id. Both read back as the checklist id.
import { describe, expect, it } from "vitest";
import { checklistIdOf, checklistPageUrl } from "../../../app/features/trust/domain/checklist-url";

describe("section 4.4: checklist id is a URL", () => {
  it("is the checklist version's page under the portal", () => {
    expect(checklistPageUrl("https://seal.example", "etsi-en-303-645", "3.1.3-r1")).toBe(
      "https://seal.example/checklists/etsi-en-303-645/3.1.3-r1",
    );
    expect(checklistPageUrl("https://seal.example/portal", "uk-psti", "2023")).toBe(
      "https://seal.example/portal/checklists/uk-psti/2023",
    );
  });

  it("reads back as the checklist id, under any base path, and percent-decoded", () => {
    expect(checklistIdOf({ id: "https://seal.example/checklists/etsi-en-303-645/3.1.3-r1" })).toBe("etsi-en-303-645");
    expect(checklistIdOf({ id: "http://localhost:3000/portal/checklists/uk-psti/2023" })).toBe("uk-psti");
    expect(checklistIdOf({ id: checklistPageUrl("https://x.example", "a b", "1") })).toBe("a b");
  });

  it("takes the bare id of a seal issued before as it is, and never throws", () => {
    expect(checklistIdOf({ id: "etsi-en-303-645" })).toBe("etsi-en-303-645");
    expect(checklistIdOf({ id: "https://seal.example/elsewhere" })).toBe("https://seal.example/elsewhere");
    expect(checklistIdOf({ id: "https://seal.example/checklists/%E0%A4%A/1" })).toBe(
      "https://seal.example/checklists/%E0%A4%A/1",
    );
  });
});
