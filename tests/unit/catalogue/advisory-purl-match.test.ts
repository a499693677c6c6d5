// Matching SBOM components against what an advisory names (catalogue/domain/purl.ts): exact
// affected versions, the ends of a range (first/last affected), purls without a version and
// product_version_range ranges, versions named fixed; dotted-numeric versions compared, others not.
import { describe, expect, it } from "vitest";
import {
  advisoryPurlMatcher,
  compareDottedVersions,
  versRangeContains,
  type AdvisoryPurl,
} from "../../../app/features/catalogue/domain/purl";

const kind = (named: AdvisoryPurl[], component: string) => advisoryPurlMatcher(named)(component)?.kind ?? null;

describe("advisoryPurlMatcher", () => {
  const range: AdvisoryPurl[] = [
    { purl: "pkg:generic/openssl@3.0.0", group: "first_affected" },
    { purl: "pkg:generic/openssl@3.0.13", group: "last_affected" },
  ];

  it("a version between first and last affected is the same package to check (it was missed)", () => {
    expect(kind(range, "pkg:generic/openssl@3.0.7")).toBe("check_version");
    expect(advisoryPurlMatcher(range)("pkg:generic/openssl@3.0.7")?.named.purl).toBe("pkg:generic/openssl@3.0.0");
    expect(kind(range, "pkg:generic/openssl@3.0.10")).toBe("check_version"); // 10 > 7, not "3.0.10" < "3.0.7"
  });

  it("the ends themselves are affected versions; outside the range nothing matches", () => {
    expect(kind(range, "pkg:generic/openssl@3.0.0")).toBe("affected_version");
    expect(kind(range, "pkg:generic/openssl@3.0.13")).toBe("affected_version");
    expect(kind(range, "pkg:generic/openssl@3.0.14")).toBeNull();
    expect(kind(range, "pkg:generic/openssl@2.9.9")).toBeNull();
    expect(kind(range, "pkg:generic/libressl@3.0.7")).toBeNull();
  });

  it("only one end: open on the other side", () => {
    expect(kind([range[0]], "pkg:generic/openssl@4.1")).toBe("check_version");
    expect(kind([range[0]], "pkg:generic/openssl@2.0")).toBeNull();
    expect(kind([range[1]], "pkg:generic/openssl@1.0.2")).toBe("check_version");
  });

  it("versions that are not dotted-numeric are not compared: every version of the package is to check", () => {
    const letters: AdvisoryPurl[] = [
      { purl: "pkg:generic/openssl@1.1.1a", group: "first_affected" },
      { purl: "pkg:generic/openssl@1.1.1v", group: "last_affected" },
    ];
    expect(kind(letters, "pkg:generic/openssl@1.1.1w")).toBe("check_version");
    expect(kind(range, "pkg:generic/openssl@3.0.7-rc1")).toBe("check_version");
  });

  it("known_affected names exact versions; another version does not match", () => {
    const known: AdvisoryPurl[] = [{ purl: "pkg:generic/openssl@3.0.15", group: "known_affected" }];
    expect(kind(known, "pkg:generic/openssl@3.0.15")).toBe("affected_version");
    expect(kind(known, "pkg:generic/openssl@3.0.16")).toBeNull();
  });

  it("a purl without a version is the package, to check; a version named fixed does not match", () => {
    const any: AdvisoryPurl[] = [
      { purl: "pkg:generic/openssl", group: "known_affected" },
      { purl: "pkg:generic/openssl@3.0.16", group: "fixed" },
    ];
    expect(kind(any, "pkg:generic/openssl@3.0.7")).toBe("check_version");
    expect(kind(any, "pkg:generic/openssl@3.0.16")).toBeNull();
    expect(kind([any[0]], "pkg:generic/openssl@3.0.16")).toBe("check_version");
  });

  it("a product_version_range's vers range excludes the versions outside it (a fixed 3.0.14 no longer matches)", () => {
    const ranged: AdvisoryPurl[] = [
      { purl: "pkg:generic/openssl", group: "known_affected", range: "vers:generic/>=3.0.0|<3.0.14" },
    ];
    expect(kind(ranged, "pkg:generic/openssl@3.0.7")).toBe("check_version");
    expect(kind(ranged, "pkg:generic/openssl@3.0.14")).toBeNull();
    expect(kind(ranged, "pkg:generic/openssl@2.0")).toBeNull();
    // A range in words is not read: the package, to check.
    const words: AdvisoryPurl[] = [{ purl: "pkg:generic/openssl", group: "known_affected", range: "3.0.0 to 3.0.13" }];
    expect(kind(words, "pkg:generic/openssl@3.0.14")).toBe("check_version");
  });
});

describe("version comparison", () => {
  it("compares dotted-numeric versions number by number, nothing else", () => {
    expect(compareDottedVersions("3.0.7", "3.0.13")).toBeLessThan(0);
    expect(compareDottedVersions("3.0", "3.0.0")).toBe(0);
    expect(compareDottedVersions("10.1", "9.9")).toBeGreaterThan(0);
    expect(compareDottedVersions("1.1.1w", "1.1.1")).toBeNull();
    expect(compareDottedVersions("", "1")).toBeNull();
  });

  it("reads vers ranges of dotted-numeric versions by the spec's algorithm", () => {
    expect(versRangeContains("vers:generic/>=3.0.0|<3.0.14", "3.0.13")).toBe(true);
    expect(versRangeContains("vers:generic/>=3.0.0|<3.0.14", "3.0.14")).toBe(false);
    expect(versRangeContains("vers:generic/<=1.2", "1.0")).toBe(true);
    expect(versRangeContains("vers:generic/>=1.0|<1.5|>=2.0|<2.3", "1.7")).toBe(false);
    expect(versRangeContains("vers:generic/>=1.0|<1.5|>=2.0|<2.3", "2.1")).toBe(true);
    expect(versRangeContains("vers:generic/>=2.0", "9")).toBe(true);
    expect(versRangeContains("vers:generic/1.2|1.4", "1.4")).toBe(true);
    expect(versRangeContains("vers:generic/1.2|1.4", "1.3")).toBe(false);
    expect(versRangeContains("vers:generic/*", "1.3")).toBe(true);
    expect(versRangeContains("vers:generic/>=1.0a", "1.3")).toBeNull();
    expect(versRangeContains("from 1.0 to 1.3", "1.3")).toBeNull();
  });
});
