// Issue 19: recognising an SBOM, extracting its components, normalising and matching purls, and
// the refusal message naming the schema path (validation itself: tests/integration/certification/sbom.test.ts).
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import {
  extractComponents,
  jsonDepth,
  mentionsSbom,
  parsePurl,
  purlMatches,
  recogniseSbom,
  schemaProblemMessage,
  unsupportedSbom,
} from "../../../app/features/certification/domain/sbom";

const fixture = (name: string) =>
  JSON.parse(fs.readFileSync(path.join(__dirname, "../../fixtures/sbom", name), "utf8")) as unknown;

describe("recognition", () => {
  it("recognises CycloneDX 1.5/1.6 and SPDX 2.3, and nothing else", () => {
    expect(recogniseSbom(fixture("cyclonedx-1.6.json"))?.label).toBe("CycloneDX 1.6");
    expect(recogniseSbom(fixture("cyclonedx-1.5.json"))?.label).toBe("CycloneDX 1.5");
    expect(recogniseSbom(fixture("spdx-2.3.json"))?.label).toBe("SPDX 2.3");
    expect(recogniseSbom({ bomFormat: "CycloneDX", specVersion: "1.4" })).toBeNull();
    expect(recogniseSbom([1, 2])).toBeNull();
    expect(recogniseSbom({ hello: "world" })).toBeNull();
    expect(unsupportedSbom({ bomFormat: "CycloneDX", specVersion: "1.4" })).toBe("CycloneDX 1.4");
    expect(unsupportedSbom({ spdxVersion: "SPDX-2.2" })).toBe("SPDX-2.2");
    expect(unsupportedSbom({ hello: "world" })).toBeNull();
  });

  it("spots an SBOM from its first bytes", () => {
    expect(mentionsSbom('{ "bomFormat" : "CycloneDX", ')).toBe(true);
    expect(mentionsSbom('{"spdxVersion":"SPDX-2.3"')).toBe(true);
    expect(mentionsSbom('{"results": []}')).toBe(false);
  });

  it("measures nesting without parsing, ignoring brackets in strings", () => {
    expect(jsonDepth('{"a":[{"b":"[[[["}]}')).toBe(3);
    expect(jsonDepth("[".repeat(100_000), 64)).toBe(65);
    expect(jsonDepth('{"a":"\\"[["}')).toBe(1);
  });
});

describe("components", () => {
  it("lists CycloneDX components with their nested ones", () => {
    const doc = fixture("cyclonedx-1.6.json");
    const c = extractComponents(doc, recogniseSbom(doc)!);
    expect(c.map((x) => x.name)).toEqual(["openssl", "busybox", "mqtt-client", "zlib", "lodash"]);
    expect(c[2]).toEqual({
      name: "mqtt-client",
      version: "1.2.5",
      purl: "pkg:maven/org.eclipse.paho/mqtt-client@1.2.5",
      purlPackage: "maven/org.eclipse.paho/mqtt-client",
    });
  });

  it("lists SPDX packages, the purl from an externalRef", () => {
    const doc = fixture("spdx-2.3.json");
    const c = extractComponents(doc, recogniseSbom(doc)!);
    expect(c).toEqual([
      { name: "openssl", version: "3.0.13", purl: "pkg:generic/openssl@3.0.13", purlPackage: "generic/openssl" },
      { name: "busybox", version: "1.36.1", purl: null, purlPackage: null },
      // PACKAGE_MANAGER (the schema's other spelling); the SECURITY cpe23Type reference is not a purl.
      {
        name: "mbedtls",
        version: "2.28.8",
        purl: "pkg:github/mbed-tls/mbedtls@2.28.8",
        purlPackage: "github/mbed-tls/mbedtls",
      },
    ]);
    // A purl under another category (here OTHER) is not the package's identity.
    const other = {
      spdxVersion: "SPDX-2.3",
      packages: [
        {
          name: "x",
          externalRefs: [{ referenceCategory: "OTHER", referenceType: "purl", referenceLocator: "pkg:generic/x@1" }],
        },
      ],
    };
    expect(extractComponents(other, recogniseSbom(other)!)[0].purl).toBeNull();
  });
});

describe("purls", () => {
  it("parses and normalises", () => {
    expect(parsePurl("pkg:npm/%40angular/Core@16.0.0?foo=bar#sub")).toMatchObject({
      type: "npm",
      namespace: "@angular",
      name: "core",
      version: "16.0.0",
      package: "npm/%40angular/core",
    });
    expect(parsePurl("pkg:PyPI/Django_Rest@1.0")?.package).toBe("pypi/django-rest");
    expect(parsePurl("pkg:maven/org.apache/Log4j@2.0")?.name).toBe("Log4j"); // maven is case-sensitive
    expect(parsePurl("not a purl")).toBeNull();
    expect(parsePurl("pkg:npm")).toBeNull();
    expect(parsePurl("pkg:npm/%E0%A4%A")).toBeNull();
  });

  it("matches by package and version, or by the stated affected versions", () => {
    expect(purlMatches("pkg:generic/openssl@3.0.13", "pkg:generic/openssl@3.0.13")).toBe(true);
    expect(purlMatches("pkg:generic/openssl@3.0.12", "pkg:generic/openssl@3.0.13")).toBe(false);
    expect(purlMatches("pkg:generic/openssl", "pkg:generic/openssl@3.0.13")).toBe(true);
    expect(purlMatches("pkg:generic/openssl", "pkg:generic/openssl@3.0.13", ["3.0.12", "3.0.13"])).toBe(true);
    expect(purlMatches("pkg:generic/openssl", "pkg:generic/openssl@3.1.0", ["3.0.12", "3.0.13"])).toBe(false);
    expect(purlMatches("pkg:generic/libressl@3.0.13", "pkg:generic/openssl@3.0.13")).toBe(false);
    expect(purlMatches("pkg:npm/Lodash@4.17.21?x=1", "pkg:npm/lodash@4.17.21")).toBe(true);
  });
});

it("names the schema path of the first problem", () => {
  const format = recogniseSbom(fixture("cyclonedx-1.6.json"))!;
  expect(schemaProblemMessage(format, { instancePath: "/components/0/purl", message: "must be string" })).toBe(
    "Not a valid CycloneDX 1.6 SBOM: /components/0/purl must be string",
  );
  expect(schemaProblemMessage(format, { instancePath: "", message: "must have required property 'bomFormat'" })).toBe(
    "Not a valid CycloneDX 1.6 SBOM: / must have required property 'bomFormat'",
  );
});
