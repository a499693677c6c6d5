import { describe, expect, it } from "vitest";
import {
  coverageHeadline,
  coverageStatus,
  crosswalkCoverage,
  HEADLINE_NAMES,
  mergedKind,
  mergeLinks,
  type CoverageLink,
  type CoverageSourceRequirement,
  type CoverageTargetRequirement,
} from "../../../app/features/catalogue/domain/checklist/coverage";

const src = (ref: string, met: boolean, inScope = true): CoverageSourceRequirement => ({
  ref,
  title: `Source ${ref}`,
  met,
  inScope,
});
const tgt = (ref: string, mandatory = true): CoverageTargetRequirement => ({
  ref,
  sectionRef: ref.split(".")[0],
  title: `Target ${ref}`,
  mandatory,
});
const link = (sourceRef: string, targetRef: string, kind: CoverageLink["kind"]): CoverageLink => ({
  sourceRef,
  targetRef,
  kind,
});

describe("crosswalkCoverage", () => {
  const source = [src("1", true), src("2", true), src("3", false), src("4", false, false), src("5", true)];
  const target = [tgt("A"), tgt("B"), tgt("C"), tgt("D", false), tgt("E"), tgt("F", false)];
  const links = [
    link("1", "A", "equivalent"),
    link("2", "A", "partial"),
    link("2", "B", "partial"),
    link("5", "C", null),
    link("3", "D", "equivalent"), // from a requirement that was not met
    link("4", "E", "partial"), // from one outside the assessed level
    link("3", "C", "equivalent"), // does not lift C: 3 is not met
    link("9", "F", "equivalent"), // from a ref the source version does not have
  ];
  const c = crosswalkCoverage(source, target, links);
  const row = (ref: string) => c.rows.find((r) => r.ref === ref)!;

  it("covers a requirement through an equivalent link from a met requirement", () => {
    expect(row("A").status).toBe("covered");
    expect(row("A").via).toEqual([
      { ref: "1", title: "Source 1", kind: "equivalent" },
      { ref: "2", title: "Source 2", kind: "partial" },
    ]);
  });

  it("covers partly through partial or unspecified links only", () => {
    expect(row("B").status).toBe("partly_covered");
    expect(row("C").status).toBe("partly_covered");
    expect(row("C").via).toEqual([{ ref: "5", title: "Source 5", kind: null }]);
    expect(row("C").linkedNotMet).toEqual([{ ref: "3", title: "Source 3", kind: "equivalent", shortfall: "not_met" }]);
  });

  it("lists the links from requirements not met here, saying why", () => {
    expect(row("D")).toMatchObject({
      status: "not_covered",
      via: [],
      linkedNotMet: [{ ref: "3", kind: "equivalent", shortfall: "not_met" }],
    });
    expect(row("E")).toMatchObject({
      status: "not_covered",
      linkedNotMet: [{ ref: "4", kind: "partial", shortfall: "not_in_scope" }],
    });
    expect(row("F")).toMatchObject({ status: "not_covered", via: [], linkedNotMet: [] });
  });

  it("counts every target requirement, and the mandatory ones on their own", () => {
    expect(c.all).toEqual({ total: 6, covered: 1, partly: 2, notCovered: 3 });
    expect(c.mandatory).toEqual({ total: 4, covered: 1, partly: 2, notCovered: 1 });
  });

  it("keeps the target's order and fields", () => {
    expect(c.rows.map((r) => r.ref)).toEqual(["A", "B", "C", "D", "E", "F"]);
    expect(row("D")).toMatchObject({ title: "Target D", sectionRef: "D", mandatory: false });
  });

  it("covers nothing when nothing was met", () => {
    const none = crosswalkCoverage(
      source.map((s) => ({ ...s, met: false })),
      target,
      links,
    );
    expect(none.all).toEqual({ total: 6, covered: 0, partly: 0, notCovered: 6 });
  });
});

it("lists the requirements that cover one strongest kind first, then in the source checklist's order", () => {
  const c = crosswalkCoverage(
    [src("5.3-1", true), src("5.3-2", true), src("5.3-11", true)],
    [tgt("I.2.c")],
    [
      link("5.3-11", "I.2.c", null), // the other file leaves it unspecified: its equivalent stands
      link("5.3-2", "I.2.c", "partial"),
      link("5.3-1", "I.2.c", null),
      link("5.3-11", "I.2.c", "equivalent"),
    ],
  );
  expect(c.rows[0].via.map((v) => `${v.ref} ${v.kind}`)).toEqual(["5.3-11 equivalent", "5.3-2 partial", "5.3-1 null"]);
});

describe("mergeLinks", () => {
  it("keeps one link per pair: when the two files state opposite kinds, the weaker stands", () => {
    expect(
      mergeLinks([link("1", "A", null), link("1", "A", "equivalent"), link("1", "A", "partial"), link("2", "A", null)]),
    ).toEqual([link("1", "A", "partial"), link("2", "A", null)]);
    expect(mergeLinks([link("1", "A", "equivalent"), link("1", "A", "partial")])).toEqual([link("1", "A", "partial")]);
    expect(mergeLinks([link("1", "A", "partial"), link("1", "A", "equivalent")])).toEqual([link("1", "A", "partial")]);
  });

  it("lets a stated kind stand over a file that leaves it unspecified", () => {
    expect(mergeLinks([link("1", "A", "partial"), link("1", "A", null)])).toEqual([link("1", "A", "partial")]);
    expect(mergeLinks([link("1", "A", null), link("1", "A", "equivalent")])).toEqual([link("1", "A", "equivalent")]);
    expect(mergedKind(null, null)).toBeNull();
  });

  it("does not cover a requirement through a pair one file calls equivalent and the other partial", () => {
    const c = crosswalkCoverage(
      [src("1", true)],
      [tgt("A")],
      [link("1", "A", "equivalent"), link("1", "A", "partial")],
    );
    expect(c.rows[0]).toMatchObject({ status: "partly_covered", via: [{ ref: "1", kind: "partial" }] });
  });
});

describe("coverageStatus", () => {
  it("is covered by an equivalent link, partly by any other, and not at all without one", () => {
    expect(coverageStatus(["partial", "equivalent"])).toBe("covered");
    expect(coverageStatus(["partial", null])).toBe("partly_covered");
    expect(coverageStatus([null])).toBe("partly_covered");
    expect(coverageStatus([])).toBe("not_covered");
  });
});

describe("coverageHeadline", () => {
  it("says how many are covered, fully and partly, and names what is not", () => {
    const c = crosswalkCoverage(
      [src("1", true), src("2", true)],
      [tgt("I.1"), tgt("I.2.a"), tgt("I.2.b"), tgt("II.1")],
      [link("1", "I.1", "equivalent"), link("2", "I.2.a", "partial")],
    );
    expect(coverageHeadline("ETSI EN 303 645", "EU CRA Annex I", c)).toBe(
      "Your ETSI EN 303 645 seal covers 2 of 4 EU CRA Annex I requirements (1 fully, 1 partly); not covered: I.2.b Target I.2.b, II.1 Target II.1.",
    );
  });

  it("names at most a few missing requirements, then how many more", () => {
    const refs = Array.from({ length: HEADLINE_NAMES + 3 }, (_, i) => `R${i + 1}`);
    const c = crosswalkCoverage(
      [src("1", false)],
      refs.map((r) => tgt(r)),
      [link("1", "R1", "equivalent")], // linked, but not met here
    );
    const h = coverageHeadline("UK PSTI", "IoTSF Assurance Framework", c);
    expect(h).toMatch(
      /^Your UK PSTI seal covers 0 of 9 IoTSF Assurance Framework requirements; not covered: R1 Target R1,/,
    );
    expect(h).toContain(`R${HEADLINE_NAMES} Target R${HEADLINE_NAMES}, and 3 more.`);
    expect(h).not.toContain(`R${HEADLINE_NAMES + 1} Target`);
  });

  it("says there is no crosswalk yet when no link joins the two, without counts", () => {
    const c = crosswalkCoverage(
      [src("1", true)],
      [tgt("A"), tgt("B")],
      [link("9", "A", "equivalent"), link("1", "Z", "partial")], // refs neither version has
    );
    expect(c.linked).toBe(false);
    expect(coverageHeadline("UK PSTI", "EN 18031", c)).toBe("No crosswalk between UK PSTI and EN 18031 yet.");
    const linkedNotMet = crosswalkCoverage([src("1", false)], [tgt("A")], [link("1", "A", "partial")]);
    expect(linkedNotMet.linked).toBe(true);
    expect(coverageHeadline("UK PSTI", "EN 18031", linkedNotMet)).toMatch(/^Your UK PSTI seal covers 0 of 1 EN 18031/);
  });

  it("says so when every requirement is covered at least in part", () => {
    const c = crosswalkCoverage([src("1", true)], [tgt("1")], [link("1", "1", "partial")]);
    expect(coverageHeadline("EU CRA Annex I", "UK PSTI", c)).toBe(
      "Your EU CRA Annex I seal covers 1 of 1 UK PSTI requirement (0 fully, 1 partly); every one is covered at least in part.",
    );
  });
});
