// The checklist file and version diff rules added after review: reserved version names, crosswalk
// targets with a mistyped ref, the diff's evidence / section / crosswalk fields (which must not
// touch a re-certification's delta), split refs, and the one "newest version" rule.
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { unknownCrosswalkTargets } from "../../../app/features/catalogue/domain/checklist/crosswalk";
import {
  changedFields,
  diffFields,
  diffRequirements,
  type RequirementFacts,
} from "../../../app/features/catalogue/domain/checklist/diff";
import { byNewest, newestOf } from "../../../app/features/catalogue/domain/checklist/newest";
import { parseChecklistText } from "../../../app/features/catalogue/domain/checklist/parse";
import type { ChecklistFile } from "../../../app/features/catalogue/domain/checklist/schema";

const ROOT = path.resolve(__dirname, "../../..");
const BASE = fs.readFileSync(path.join(ROOT, "tests/fixtures/checklists-good/demo-kit/1.0.yaml"), "utf8");
const HOME = { folder: "demo-kit", fileStem: "1.0" };

function edit(source: string, from: string, to: string): string {
  expect(source.split(from).length - 1, `"${from}" should occur once`).toBe(1);
  return source.replace(from, to);
}

function parsed(source: string, where: { folder?: string; fileStem?: string } = HOME): ChecklistFile {
  const r = parseChecklistText(source, where);
  if (!r.ok) throw new Error(JSON.stringify(r.problems));
  return r.file;
}

describe("reserved version names", () => {
  it.each(["diff", "Diff", "DIFF"])(
    "refuses version %s, whose page /checklists/<id>/diff could not be reached",
    (v) => {
      const r = parseChecklistText(edit(BASE, 'version: "1.0"', `version: "${v}"`), {
        folder: "demo-kit",
        fileStem: v,
      });
      expect(r.ok).toBe(false);
      if (r.ok) return;
      expect(r.problems).toEqual([
        expect.objectContaining({
          path: "version",
          line: 6,
          message: expect.stringMatching(/^version ".+" is reserved/),
        }),
      ]);
    },
  );

  it("accepts versions that only contain the word", () => {
    expect(
      parsed(edit(BASE, 'version: "1.0"', 'version: "diff-2"'), { folder: "demo-kit", fileStem: "diff-2" }),
    ).toBeTruthy();
  });
});

describe("crosswalk targets with a mistyped ref", () => {
  const ETSI = new Set(["5.1-1", "5.1-2"]);
  const known = (id: string) => (id === "etsi-en-303-645" ? ETSI : null);
  const withTargets = (targets: string) => edit(BASE, 'maps_to: ["etsi-en-303-645:5.1-1"]', `maps_to: ${targets}`);

  it("refuses a ref that no imported version of the target checklist has, naming its line", () => {
    const r = parseChecklistText(withTargets('["etsi-en-303-645:5.1-9", "uk-psti:1"]'), HOME, { knownRefs: known });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.problems).toEqual([
      {
        line: 31,
        col: expect.any(Number),
        path: "sections[0].requirements[0].maps_to[0]",
        message: 'no imported version of etsi-en-303-645 has requirement "5.1-9" (check the ref)',
      },
    ]);
  });

  it("points at `to` in the object form", () => {
    const r = parseChecklistText(withTargets('[{ to: "etsi-en-303-645:5.1-9", kind: partial }]'), HOME, {
      knownRefs: known,
    });
    expect(!r.ok && r.problems.map((p) => [p.path, p.line])).toEqual([
      ["sections[0].requirements[0].maps_to[0].to", 31],
    ]);
  });

  it("keeps targets whose checklist is not imported yet, and refs that exist", () => {
    const file = parsed(withTargets('["etsi-en-303-645:5.1-2", "uk-psti:99"]'));
    expect(unknownCrosswalkTargets(file, known)).toEqual([]);
    expect(parseChecklistText(withTargets('["etsi-en-303-645:5.1-2"]'), HOME, { knownRefs: known }).ok).toBe(true);
  });

  it("checks nothing without knownRefs (validation alone, as before)", () => {
    expect(parseChecklistText(withTargets('["etsi-en-303-645:5.1-9"]'), HOME).ok).toBe(true);
  });
});

describe("the version diff", () => {
  const req = (ref: string, over: Partial<RequirementFacts> = {}): RequirementFacts => ({
    ref,
    sectionRef: "1",
    sectionTitle: "One",
    title: `Title ${ref}`,
    text: `Text ${ref}`,
    applies: { basic: "mandatory" },
    condition: null,
    evidenceHint: "A photo",
    mapsTo: [{ to: "uk-psti:1", kind: null }],
    ...over,
  });

  it.each<[string, Partial<RequirementFacts>, string]>([
    ["the evidence expected", { evidenceHint: "A test report" }, "evidence"],
    ["the evidence expected, dropped", { evidenceHint: null }, "evidence"],
    ["the section (a move)", { sectionRef: "2", sectionTitle: "Two" }, "section"],
    ["a crosswalk target", { mapsTo: [{ to: "uk-psti:2", kind: null }] }, "crosswalk"],
    ["a crosswalk kind", { mapsTo: [{ to: "uk-psti:1", kind: "partial" }] }, "crosswalk"],
    [
      "a crosswalk link added",
      {
        mapsTo: [
          { to: "uk-psti:1", kind: null },
          { to: "uk-psti:2", kind: null },
        ],
      },
      "crosswalk",
    ],
  ])("shows a change of %s, which does not make a re-certification review it again", (_what, over, field) => {
    const [a, b] = [req("a"), req("a", over)];
    expect(diffRequirements([a], [b]).changed.map((c) => c.fields)).toEqual([[field]]);
    expect(diffFields(a, b)).toEqual([field]);
    expect(changedFields(a, b)).toEqual([]);
  });

  it("ignores the order of crosswalk links, and compares these fields only when both sides carry them", () => {
    const two = [
      { to: "uk-psti:1", kind: null },
      { to: "uk-psti:2", kind: "partial" as const },
    ];
    expect(diffFields(req("a", { mapsTo: two }), req("a", { mapsTo: [...two].reverse() }))).toEqual([]);
    expect(diffFields(req("a"), req("a", { evidenceHint: undefined, mapsTo: undefined }))).toEqual([]);
  });

  it("lists the re-certification's fields first, then the diff's own", () => {
    expect(diffFields(req("a"), req("a", { title: "T", evidenceHint: "E", sectionRef: "9" }))).toEqual([
      "title",
      "evidence",
      "section",
    ]);
  });

  it("pairs a removed ref with the added refs that add a letter to it: a split", () => {
    const diff = diffRequirements(
      [req("5.3-4"), req("5.3-6"), req("5.1-2"), req("5.13-1")],
      [req("5.3-4A"), req("5.3-4B"), req("5.3-6"), req("5.1-2"), req("5.1-2A"), req("5.13-10"), req("5.13-1A")],
    );
    expect(diff.splits).toEqual([
      { ref: "5.3-4", into: ["5.3-4A", "5.3-4B"] },
      { ref: "5.13-1", into: ["5.13-1A"] },
    ]);
    // 5.1-2A is new beside 5.1-2, which stays: not a split. 5.13-10 adds a digit: not a part of 5.13-1.
    expect(diff.added.map((r) => r.ref)).toEqual(["5.3-4A", "5.3-4B", "5.1-2A", "5.13-10", "5.13-1A"]);
    expect(diff.removed.map((r) => r.ref)).toEqual(["5.3-4", "5.13-1"]);
  });

  it("finds the splits of ETSI EN 303 645 2.1.1 -> 3.1.3", () => {
    const facts = (rel: string) =>
      parsed(fs.readFileSync(path.join(ROOT, "checklists", rel), "utf8"), {}).sections.flatMap((s) =>
        s.requirements.map((r) => req(r.ref, { sectionRef: s.ref, title: r.title, text: r.text })),
      );
    const diff = diffRequirements(facts("etsi-en-303-645/2.1.1.yaml"), facts("etsi-en-303-645/3.1.3.yaml"));
    expect(diff.splits).toEqual([
      { ref: "5.3-4", into: ["5.3-4A", "5.3-4B"] },
      { ref: "5.3-6", into: ["5.3-6A", "5.3-6B"] },
      { ref: "5.3-15", into: ["5.3-15A", "5.3-15B"] },
      { ref: "5.6-4", into: ["5.6-4A", "5.6-4B"] },
      { ref: "5.13-1", into: ["5.13-1A", "5.13-1B"] },
      { ref: "6-3", into: ["6-3A", "6-3B"] },
    ]);
  });
});

describe("the newest version", () => {
  const v = (version: string, publishedOn: string) => ({ version, publishedOn });

  it("is the one published last, then the higher version number on the same day", () => {
    expect([v("2.1.1", "2020-06-30"), v("3.1.3", "2024-09-01"), v("3.1.3-r1", "2024-09-01")].sort(byNewest)).toEqual([
      v("3.1.3-r1", "2024-09-01"),
      v("3.1.3", "2024-09-01"),
      v("2.1.1", "2020-06-30"),
    ]);
    expect(newestOf([v("2.9", "2022-01-01"), v("2.10", "2022-01-01")])).toEqual(v("2.10", "2022-01-01"));
    expect(newestOf([])).toBeUndefined();
  });
});
