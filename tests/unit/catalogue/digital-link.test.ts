// GS1 Digital Link URI syntax 1.x for AI 01: the GTIN (normalised to 14 digits, check digit
// verified), the key qualifiers 22, 10, 21 in that order (percent-decoded, up to 20 characters of
// the GS1 AI encodable character set 82), and the resolver's linkType parameter.
import { describe, expect, it } from "vitest";
import {
  digitalLinkUri,
  parseDigitalLinkPath,
  parseLinkType,
} from "../../../app/features/catalogue/domain/digital-link";

const ok = (path: string) => {
  const r = parseDigitalLinkPath(path);
  if (!r.ok) throw new Error(r.message);
  return r.value;
};
const problem = (path: string) => {
  const r = parseDigitalLinkPath(path);
  if (r.ok) throw new Error(`${path} parsed`);
  return r.message;
};

describe("the primary key: /01/<GTIN>", () => {
  it.each([
    ["/01/05060123450002", "05060123450002"],
    ["/01/5060123450002", "05060123450002"],
    ["/01/96385074", "00000096385074"],
    ["/01/036000291452", "00036000291452"],
    ["/01/05060123450002/", "05060123450002"], // a trailing slash is tolerated
  ])("%s -> GTIN %s", (path, gtin14) => {
    expect(ok(path)).toEqual({ gtin14, qualifiers: {} });
  });

  it("a wrong check digit is refused, naming the value and the right digit", () => {
    expect(problem("/01/5060123450008")).toBe(
      '"5060123450008" is not a valid GTIN: The check digit should be 2, not 8: check the number for a typo.',
    );
  });

  it.each([
    ["/01", /GTIN is missing/],
    ["/01/", /GTIN is missing/],
    ["/01/506012345", /8, 12, 13 or 14 digits/],
    ["/01/ABC", /digits only/],
    ["/01/%E0%A4%A", /not a valid URL path segment/],
    ["/gtin/05060123450002", /\/01\/<GTIN>/],
    ["/01/05060123450002//", /not a key qualifier/],
  ])("%s is refused (%s)", (path, message) => {
    expect(problem(path)).toMatch(message);
  });
});

describe("key qualifiers: /22/<cpv>, /10/<lot>, /21/<serial>, in that order", () => {
  it("each alone and all three together, percent-decoded", () => {
    expect(ok("/01/05060123450002/22/GRN").qualifiers).toEqual({ cpv: "GRN" });
    expect(ok("/01/05060123450002/10/LOT%2F42").qualifiers).toEqual({ lot: "LOT/42" });
    expect(ok("/01/05060123450002/21/SN-0001").qualifiers).toEqual({ serial: "SN-0001" });
    expect(ok("/01/05060123450002/22/GRN/10/L1/21/S%2B1/").qualifiers).toEqual({
      cpv: "GRN",
      lot: "L1",
      serial: "S+1",
    });
  });

  it.each([
    ["/01/05060123450002/21/S1/10/L1", /serial|lot/],
    ["/01/05060123450002/10/L1/10/L2", /out of order or repeated/],
    ["/01/05060123450002/17/261231", /"\/17" is not a key qualifier/],
    ["/01/05060123450002/10", /batch or lot number \(AI 10\) after \/10\/ is missing/],
    ["/01/05060123450002/10/", /missing/],
    ["/01/05060123450002/foo", /"\/foo" is not a key qualifier/],
  ])("%s is refused", (path, message) => {
    expect(problem(path)).toMatch(message);
  });

  it("up to 20 characters: 20 pass, 21 are refused with the count", () => {
    expect(ok(`/01/05060123450002/21/${"A".repeat(20)}`).qualifiers.serial).toHaveLength(20);
    expect(problem(`/01/05060123450002/21/${"A".repeat(21)}`)).toBe(
      "The serial number (AI 21) has 21 characters; at most 20 are allowed.",
    );
  });

  it.each([
    ["a space", "A%20B"],
    ["a hash", "A%23B"],
    ["a non-ASCII letter", "%C3%A9"],
    ["a control character", "A%00"],
    ["a backslash", "A%5CB"],
  ])("characters outside the GS1 character set 82 are refused (%s)", (_what, value) => {
    expect(problem(`/01/05060123450002/10/${value}`)).toMatch(/GS1 character set 82/);
  });

  it("every character of set 82 is accepted", () => {
    const set82 = `!"%&'()*+,-./:;<=>?_`;
    for (const c of set82)
      expect(ok(`/01/05060123450002/10/${encodeURIComponent(`A${c}`)}`).qualifiers.lot).toBe(`A${c}`);
  });

  it("a very long path is refused without work", () => {
    expect(problem(`/01/05060123450002/10/${"A".repeat(5000)}`)).toMatch(/too long/);
  });
});

describe("digitalLinkUri", () => {
  it("the canonical URI: 14 digits, qualifiers in order and percent-encoded", () => {
    expect(digitalLinkUri("https://seal.example", "05060123450002")).toBe("https://seal.example/01/05060123450002");
    expect(digitalLinkUri("https://seal.example", "05060123450002", { serial: "S/1", lot: "L'1" })).toBe(
      "https://seal.example/01/05060123450002/10/L%271/21/S%2F1",
    );
  });

  it("round-trips through the parser", () => {
    const q = { cpv: "V1", lot: "A/B+C", serial: "x!y" };
    const uri = digitalLinkUri("", "05060123450002", q);
    expect(ok(uri)).toEqual({ gtin14: "05060123450002", qualifiers: q });
  });
});

describe("linkType", () => {
  it.each([
    [undefined, { kind: "default" }],
    ["", { kind: "default" }],
    ["linkset", { kind: "linkset" }],
    ["all", { kind: "linkset" }],
    ["gs1:certificationInfo", { kind: "gs1", term: "certificationInfo" }],
    ["https://gs1.org/voc/certificationInfo", { kind: "gs1", term: "certificationInfo" }],
    ["http://gs1.org/voc/certificationInfo", { kind: "gs1", term: "certificationInfo" }],
    ["https://ref.gs1.org/voc/certificationInfo", { kind: "gs1", term: "certificationInfo" }],
    ["https://www.gs1.org/voc/defaultLink", { kind: "gs1", term: "defaultLink" }],
    ["gs1:pip", { kind: "gs1", term: "pip" }],
    ["schema:url", { kind: "other", value: "schema:url" }],
    [
      "https://evil.example/voc/certificationInfo",
      { kind: "other", value: "https://evil.example/voc/certificationInfo" },
    ],
  ])("%s -> %o", (value, expected) => {
    expect(parseLinkType(value)).toEqual(expected);
  });
});
