import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { checklistHash } from "../../../app/features/catalogue/domain/checklist/canonical";
import { parseCrosswalkTarget, resolveCrosswalk } from "../../../app/features/catalogue/domain/checklist/crosswalk";
import { diffRequirements, type RequirementFacts } from "../../../app/features/catalogue/domain/checklist/diff";
import { parseChecklistText } from "../../../app/features/catalogue/domain/checklist/parse";
import {
  applicabilityAt,
  countsPerLevel,
  type ChecklistFile,
} from "../../../app/features/catalogue/domain/checklist/schema";

const ROOT = path.resolve(__dirname, "../../..");
const BASE = fs.readFileSync(path.join(ROOT, "tests/fixtures/checklists-good/demo-kit/1.0.yaml"), "utf8");

function parse(source: string): ChecklistFile {
  const result = parseChecklistText(source);
  if (!result.ok) throw new Error(JSON.stringify(result.problems));
  return result.file;
}

const shipped = new Map<string, ChecklistFile>();
function loadShipped(rel: string): ChecklistFile {
  if (!shipped.has(rel)) shipped.set(rel, parse(fs.readFileSync(path.join(ROOT, "checklists", rel), "utf8")));
  return shipped.get(rel)!;
}

/** Replace exactly one occurrence, so a fixture edit cannot silently stop applying. */
function edit(source: string, from: string, to: string): string {
  expect(source.split(from).length - 1, `"${from}" should occur once`).toBe(1);
  return source.replace(from, to);
}

function facts(file: ChecklistFile): RequirementFacts[] {
  return file.sections.flatMap((s) =>
    s.requirements.map((r) => ({
      ref: r.ref,
      sectionRef: s.ref,
      sectionTitle: s.title,
      title: r.title,
      text: r.text,
      applies: r.applies,
      condition: r.condition ?? null,
    })),
  );
}

// The demo-kit base, rewritten: comments, top-level and nested key order, quoting, flow vs block
// collections, literal vs folded scalars, a trailing newline that the schema trims.
const REFORMATTED = `
# Same content as demo-kit/1.0.yaml, written differently.
sections:
  - title: Passwords   # plain instead of quoted
    ref: '1'
    requirements:
      - maps_to:
          - etsi-en-303-645:5.1-1
        evidence: Two units showing different passwords
        applies:
          strict: mandatory
          basic: mandatory
        text: |-
          Every unit has a unique password or the user sets one.
        title: 'No default passwords'
        ref: "1-1"
      - {ref: "1-2", title: "Password strength", text: "Passwords resist brute-force guessing.", applies: {strict: mandatory, basic: advisory}}
  - ref: "2"
    title: Updates
    requirements:
      - ref: "2-1"
        title: Signed updates
        text: >
          Updates are signed and verified
          before they are installed.
        condition: 'the device can be updated'
        applies: { strict: mandatory, basic: mandatory }
      - ref: "2-2"
        title: "Update notifications"
        text: "The user is told when an update is available."
        applies: { strict: advisory }
disclosure_days: { low: 180, medium: 90, high: 90, critical: 30 }
validity_months: 24
levels:
  - title: "Basic"
    id: "basic"
  - { id: strict, title: Strict }
source: "https://example.com/demo-kit/1.0"
published: "2024-03-01"
version: '1.0'
publisher: "Example Ltd"
title: Demo kit checklist
id: "demo-kit"
`;

describe("checklistHash", () => {
  const baseHash = checklistHash(parse(BASE));

  it("is a SHA-256 hex digest and stable across parses", () => {
    expect(baseHash).toMatch(/^[0-9a-f]{64}$/);
    expect(checklistHash(parse(BASE))).toBe(baseHash);
  });

  it("does not change when the file is only reformatted", () => {
    expect(checklistHash(parse(REFORMATTED))).toBe(baseHash);
  });

  it("does not change for comments or for a literal block holding the folded scalar's string", () => {
    const commented = `# leading comment\n${BASE.replace("validity_months: 24", "validity_months: 24 # two years")}`;
    expect(checklistHash(parse(commented))).toBe(baseHash);
    const literal = edit(
      BASE,
      ">-\n          Every unit has a unique password\n          or the user sets one.",
      "|-\n          Every unit has a unique password or the user sets one.",
    );
    expect(checklistHash(parse(literal))).toBe(baseHash);
  });

  const changes: [string, string, string][] = [
    ["one requirement's text", '"Passwords resist brute-force guessing."', '"Passwords resist guessing."'],
    [
      "a literal block that keeps the line break the folded one removed",
      ">-\n          Every unit has a unique password\n          or the user sets one.",
      "|-\n          Every unit has a unique password\n          or the user sets one.",
    ],
    ["one requirement's applies value", "applies: { strict: advisory }", "applies: { strict: mandatory }"],
    ["a level added to applies", "applies: { strict: advisory }", "applies: { basic: advisory, strict: advisory }"],
    [
      "an added maps_to",
      "applies: { basic: advisory, strict: mandatory }",
      'applies: { basic: advisory, strict: mandatory }\n        maps_to: ["uk-psti:1"]',
    ],
    ["the evidence", '"Two units showing different passwords"', '"Three units showing different passwords"'],
    ["a condition", '"the device can be updated"', '"the device can be updated over the air"'],
    ["the disclosure days", "  low: 180", "  low: 181"],
  ];
  it.each(changes)("changes with %s", (_what, from, to) => {
    expect(checklistHash(parse(edit(BASE, from, to)))).not.toBe(baseHash);
  });

  it("gives different hashes to each different change", () => {
    const hashes = changes.map(([, from, to]) => checklistHash(parse(edit(BASE, from, to))));
    expect(new Set(hashes).size).toBe(changes.length);
  });
});

describe("diffRequirements", () => {
  const req = (ref: string, over: Partial<RequirementFacts> = {}): RequirementFacts => ({
    ref,
    sectionRef: "1",
    sectionTitle: "One",
    title: `Title ${ref}`,
    text: `Text ${ref}`,
    applies: { basic: "mandatory" },
    condition: null,
    ...over,
  });

  it("sorts requirements into added, removed, changed and unchanged", () => {
    const from = [req("a"), req("b"), req("c"), req("d")];
    const to = [req("e"), req("d", { title: "New title" }), req("c"), req("f"), req("a", { text: "New text" })];
    const diff = diffRequirements(from, to);
    expect(diff.added.map((r) => r.ref)).toEqual(["e", "f"]); // in `to`'s order
    expect(diff.removed.map((r) => r.ref)).toEqual(["b"]);
    expect(diff.changed.map((c) => [c.ref, c.fields])).toEqual([
      ["d", ["title"]],
      ["a", ["text"]],
    ]);
    expect(diff.changed[0].before.title).toBe("Title d");
    expect(diff.changed[0].after.title).toBe("New title");
    expect(diff.unchanged).toBe(1);
  });

  it("lists removed requirements in `from`'s order", () => {
    const diff = diffRequirements([req("z"), req("y"), req("x")], [req("y")]);
    expect(diff.removed.map((r) => r.ref)).toEqual(["z", "x"]);
    expect(diff.added).toEqual([]);
    expect(diff.unchanged).toBe(1);
  });

  it.each<[string, Partial<RequirementFacts>, string]>([
    ["title", { title: "Other" }, "title"],
    ["text", { text: "Other" }, "text"],
    ["applies value", { applies: { basic: "advisory" } }, "applies"],
    ["applies level added", { applies: { basic: "mandatory", strict: "advisory" } }, "applies"],
    ["applies level dropped", { applies: {} }, "applies"],
    ["condition set", { condition: "if it has a screen" }, "condition"],
  ])("detects a change of %s", (_what, over, field) => {
    const diff = diffRequirements([req("a")], [req("a", over)]);
    expect(diff.changed).toHaveLength(1);
    expect(diff.changed[0].fields).toEqual([field]);
    expect(diff.unchanged).toBe(0);
  });

  it("detects a removed condition, and lists several changed fields in a fixed order", () => {
    expect(diffRequirements([req("a", { condition: "x" })], [req("a")]).changed[0].fields).toEqual(["condition"]);
    const all = diffRequirements([req("a")], [req("a", { condition: "c", applies: {}, text: "t", title: "T" })]);
    expect(all.changed[0].fields).toEqual(["title", "text", "applies", "condition"]);
  });

  it("ignores applies key order, a missing vs null condition, and a renamed section", () => {
    const before = req("a", { applies: { basic: "mandatory", strict: "advisory" } });
    const after = req("a", {
      applies: { strict: "advisory", basic: "mandatory" },
      condition: undefined as unknown as null,
      sectionTitle: "Renamed",
    });
    const diff = diffRequirements([before], [after]);
    expect(diff.changed).toEqual([]);
    expect(diff.unchanged).toBe(1);
  });

  it("ETSI EN 303 645 2.1.1 -> 3.1.3 adds 5.0-1, splits 5.13-1 into 5.13-1A/B", () => {
    const from = facts(loadShipped("etsi-en-303-645/2.1.1.yaml"));
    const to = facts(loadShipped("etsi-en-303-645/3.1.3.yaml"));
    const diff = diffRequirements(from, to);
    const added = diff.added.map((r) => r.ref);
    const removed = diff.removed.map((r) => r.ref);
    expect(added).toEqual(expect.arrayContaining(["5.0-1", "5.13-1A", "5.13-1B"]));
    expect(removed).toContain("5.13-1");
    expect(added).not.toContain("5.13-1");
    expect(removed).not.toEqual(expect.arrayContaining(["5.0-1"]));
    expect(diff.added.find((r) => r.ref === "5.0-1")?.sectionRef).toBe("5.0");
    // Every requirement is accounted for exactly once on each side.
    expect(diff.added.length + diff.changed.length + diff.unchanged).toBe(to.length);
    expect(diff.removed.length + diff.changed.length + diff.unchanged).toBe(from.length);
    expect(from).toHaveLength(67);
    expect(to).toHaveLength(78);

    const back = diffRequirements(to, from);
    expect(back.added.map((r) => r.ref).sort()).toEqual([...removed].sort());
    expect(back.removed.map((r) => r.ref).sort()).toEqual([...added].sort());
    expect(back.changed.map((c) => c.ref).sort()).toEqual(diff.changed.map((c) => c.ref).sort());
  });

  it("a version compared with itself has only unchanged requirements", () => {
    const f = facts(loadShipped("etsi-en-303-645/2.1.1.yaml"));
    expect(diffRequirements(f, f)).toEqual({ added: [], removed: [], changed: [], unchanged: 67, splits: [] });
  });
});

describe("crosswalk", () => {
  it.each<[string, { checklistId: string; ref: string } | null]>([
    ["etsi-en-303-645:5.1-1", { checklistId: "etsi-en-303-645", ref: "5.1-1" }],
    ["uk-psti:1", { checklistId: "uk-psti", ref: "1" }],
    ["a:b:c", { checklistId: "a", ref: "b:c" }], // split at the first colon
    ["no-colon", null],
    [":5.1-1", null],
    ["etsi-en-303-645:", null],
    [":", null],
    ["", null],
  ])("parseCrosswalkTarget(%j)", (value, expected) => {
    expect(parseCrosswalkTarget(value)).toEqual(expected);
  });

  const v = (version: string, publishedOn: string, status: string, refs: string[]) => ({
    version,
    publishedOn,
    status,
    refs: new Set(refs),
  });

  it("prefers the newest published version holding the ref", () => {
    const versions = [
      v("2.1.1", "2020-06-30", "published", ["5.1-1"]),
      v("3.1.3", "2024-09-01", "published", ["5.1-1"]),
      v("2.0", "2019-01-01", "published", ["5.1-1"]),
    ];
    expect(resolveCrosswalk(versions, "5.1-1")?.version).toBe("3.1.3");
  });

  it("prefers an older published version over a newer retired one", () => {
    const versions = [v("3.1.3", "2024-09-01", "retired", ["5.1-1"]), v("2.1.1", "2020-06-30", "published", ["5.1-1"])];
    expect(resolveCrosswalk(versions, "5.1-1")?.version).toBe("2.1.1");
  });

  it("skips published versions that do not hold the ref, falling back to the newest retired one", () => {
    const versions = [
      v("1.0", "2018-01-01", "retired", ["5.13-1"]),
      v("2.1.1", "2020-06-30", "retired", ["5.13-1"]),
      v("3.1.3", "2024-09-01", "published", ["5.13-1A", "5.13-1B"]),
    ];
    expect(resolveCrosswalk(versions, "5.13-1")?.version).toBe("2.1.1");
    expect(resolveCrosswalk(versions, "5.13-1A")?.version).toBe("3.1.3");
  });

  it("breaks a tie on the publication date by numeric version order", () => {
    const versions = [v("2.9", "2022-01-01", "published", ["x"]), v("2.10", "2022-01-01", "published", ["x"])];
    expect(resolveCrosswalk(versions, "x")?.version).toBe("2.10");
  });

  it("is null when no version holds the ref", () => {
    expect(resolveCrosswalk([v("2.1.1", "2020-06-30", "published", ["5.1-1"])], "9.9-9")).toBeNull();
    expect(resolveCrosswalk([], "5.1-1")).toBeNull();
  });
});

describe("levels", () => {
  it("countsPerLevel and applicabilityAt on the demo kit", () => {
    const file = parse(BASE);
    const applies = file.sections.flatMap((s) => s.requirements.map((r) => r.applies));
    expect(countsPerLevel(file.levels, applies)).toEqual([
      { id: "basic", title: "Basic", mandatory: 2, advisory: 1 },
      { id: "strict", title: "Strict", mandatory: 3, advisory: 1 },
    ]);
    const last = file.sections[1].requirements[1];
    expect(applicabilityAt(last, "strict")).toBe("advisory");
    expect(applicabilityAt(last, "basic")).toBe("not_required");
  });

  it("IoTSF 3.0: the mandatory count never falls from class-0 to class-4", () => {
    const file = loadShipped("iotsf-assurance-framework/3.0.yaml");
    const applies = file.sections.flatMap((s) => s.requirements.map((r) => r.applies));
    const counts = countsPerLevel(file.levels, applies);
    expect(counts.map((c) => c.id)).toEqual(["class-0", "class-1", "class-2", "class-3", "class-4"]);
    for (let i = 1; i < counts.length; i++)
      expect(counts[i].mandatory, counts[i].id).toBeGreaterThanOrEqual(counts[i - 1].mandatory);
    expect(counts[4].mandatory).toBeGreaterThan(counts[0].mandatory);
    // Every requirement applies at every class in this framework, so the two counts add up.
    for (const c of counts) expect(c.mandatory + c.advisory, c.id).toBe(applies.length);
    // "Mandatory for class N and above": once mandatory, mandatory at every higher class.
    const broken = applies.filter((a) => {
      const values = counts.map((c) => applicabilityAt({ applies: a }, c.id));
      const first = values.indexOf("mandatory");
      return first >= 0 && values.slice(first).some((x) => x !== "mandatory");
    });
    expect(broken).toEqual([]);
  });
});
