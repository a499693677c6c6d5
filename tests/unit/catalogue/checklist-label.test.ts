import { describe, expect, it } from "vitest";
import {
  checklistShortLabel,
  checklistVersionLabel,
  designationBeforeTitle,
  splitRevision,
} from "../../../app/features/catalogue/domain/checklist/label";

const PSTI =
  "Product Security and Telecommunications Infrastructure (Security Requirements for Relevant Connectable Products) Regulations 2023";
const ETSI = "Cyber Security for Consumer Internet of Things: Baseline Requirements";

describe("issue 15: a checklist version in words", () => {
  it("does not repeat a version the title already ends with", () => {
    expect(checklistVersionLabel({ title: PSTI, version: "2023" })).toBe(PSTI);
    expect(checklistVersionLabel({ title: ETSI, version: "2.1.1" })).toBe(`${ETSI} 2.1.1`);
    // Only a whole trailing word counts: "Framework 3.0" is not the version "0".
    expect(checklistVersionLabel({ title: "IoT Security Assurance Framework", version: "3.0" })).toBe(
      "IoT Security Assurance Framework 3.0",
    );
  });

  it('explains a certification body\'s "-r<n>" revision: "with continuous monitoring" when it recurs', () => {
    expect(splitRevision("3.1.3-r1")).toEqual({ upstream: "3.1.3", revision: 1 });
    expect(splitRevision("2023")).toEqual({ upstream: "2023", revision: null });
    expect(checklistVersionLabel({ title: ETSI, version: "3.1.3-r1", continuousMonitoring: true })).toBe(
      `${ETSI} 3.1.3 with continuous monitoring`,
    );
    expect(checklistVersionLabel({ title: ETSI, version: "3.1.3-r2" })).toBe(`${ETSI} 3.1.3 (revision 2)`);
    expect(checklistVersionLabel({ title: ETSI, version: "3.1.3" })).not.toMatch(/r1|revision|monitoring/);
  });
});

describe("a checklist version in a few words", () => {
  it("is the standard's designation and the version, the revision spelled out", () => {
    expect(checklistShortLabel({ checklistId: "etsi-en-303-645", version: "3.1.3" })).toBe("ETSI EN 303 645 3.1.3");
    expect(
      checklistShortLabel({ checklistId: "etsi-en-303-645", version: "3.1.3-r1", continuousMonitoring: true }),
    ).toBe("ETSI EN 303 645 3.1.3 with continuous monitoring");
    expect(checklistShortLabel({ checklistId: "uk-psti", version: "2023" })).toBe("UK PSTI 2023");
    expect(checklistShortLabel({ checklistId: "iotsf-assurance-framework", version: "3.0-r2" })).toBe(
      "IoTSF Assurance Framework 3.0 (revision 2)",
    );
  });
});

describe("the designation before a checklist's title", () => {
  it("is said where the title does not say it and the id is a designation", () => {
    expect(designationBeforeTitle("etsi-en-303-645", ETSI)).toBe("ETSI EN 303 645");
    expect(designationBeforeTitle("uk-psti", PSTI)).toBe("UK PSTI");
    expect(designationBeforeTitle("en-18031", "EN 18031: Common security requirements for radio equipment")).toBeNull();
    expect(designationBeforeTitle("iotsf-assurance-framework", "IoT Security Assurance Framework")).toBeNull();
    expect(
      designationBeforeTitle("eu-cra-annex-i", "Cyber Resilience Act, Annex I: Essential cybersecurity requirements"),
    ).toBeNull();
  });
});
