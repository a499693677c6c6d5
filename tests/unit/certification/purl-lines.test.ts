// The "Affected components (package URLs)" field: one purl per line, checked by packageurl-js.
import { describe, expect, it } from "vitest";
import { canonicalPurl, parsePurlLines } from "../../../app/features/catalogue/domain/purl";
import { findingInput } from "../../../app/features/findings/forms";

describe("package URL lines", () => {
  it("keeps valid purls in canonical form, without blank lines or duplicates", () => {
    expect(
      parsePurlLines(
        " pkg:generic/openssl@3.0.13 \r\n\npkg:npm/%40Angular/Core@16.0.0?b=2&a=1\npkg:generic/openssl@3.0.13",
      ),
    ).toEqual({ ok: true, purls: ["pkg:generic/openssl@3.0.13", "pkg:npm/%40angular/core@16.0.0?a=1&b=2"] });
    expect(parsePurlLines("")).toEqual({ ok: true, purls: [] });
  });

  it("names the first bad line and why", () => {
    expect(parsePurlLines("pkg:generic/openssl@3.0.13\nopenssl 3.0")).toEqual({
      ok: false,
      message: 'Line 2: "openssl 3.0" is not a valid package URL (missing required "pkg" scheme component).',
    });
    expect(parsePurlLines("pkg:maven/paho@1.2.5")).toEqual({
      ok: false,
      message: 'Line 1: "pkg:maven/paho@1.2.5" is not a valid package URL (maven requires a "namespace" component).',
    });
    const many = Array.from({ length: 51 }, (_, i) => `pkg:generic/lib${i}@1`).join("\n");
    expect(parsePurlLines(many)).toEqual({ ok: false, message: "Name at most 50 package URLs." });
  });

  it("canonicalPurl: null for anything invalid", () => {
    expect(canonicalPurl("pkg:github/Mbed-TLS/mbedtls@2.28.8")).toBe("pkg:github/mbed-tls/mbedtls@2.28.8");
    expect(canonicalPurl("cpe:2.3:a:openssl:openssl:3.0.13")).toBeNull();
    expect(canonicalPurl("pkg:")).toBeNull();
  });

  it("the finding form parses the field into purls, and refuses a bad one on that field", () => {
    const base = {
      productId: "p",
      versionIds: ["v"],
      title: "OpenSSL flaw",
      description: "A flaw in the bundled TLS library, in detail.",
      severity: "high",
      reporter: "Researcher",
      reportedOn: "2026-11-20",
    };
    expect(findingInput.parse({ ...base, affectedPurls: "pkg:generic/openssl@3.0.13\n" }).affectedPurls).toEqual([
      "pkg:generic/openssl@3.0.13",
    ]);
    expect(findingInput.parse(base).affectedPurls).toBeUndefined();
    const bad = findingInput.safeParse({ ...base, affectedPurls: "openssl" });
    expect(bad.success).toBe(false);
    expect(bad.error?.issues.map((i) => [i.path[0], i.message])).toEqual([
      ["affectedPurls", 'Line 1: "openssl" is not a valid package URL (missing required "pkg" scheme component).'],
    ]);
  });
});
