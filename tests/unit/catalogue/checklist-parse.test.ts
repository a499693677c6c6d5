import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import {
  parseChecklistText,
  type ChecklistProblem,
  type ExpectedLocation,
} from "../../../app/features/catalogue/domain/checklist/parse";

const ROOT = path.resolve(__dirname, "../../..");
const BAD_DIR = path.join(ROOT, "tests/fixtures/checklists-bad");
const GOOD_FILE = path.join(ROOT, "tests/fixtures/checklists-good/demo-kit/1.0.yaml");
const CHECKLISTS_DIR = path.join(ROOT, "checklists");

const read = (file: string) => fs.readFileSync(file, "utf8");
const HOME: ExpectedLocation = { folder: "demo-kit", fileStem: "1.0" };

function problemsOf(source: string, where: ExpectedLocation): ChecklistProblem[] {
  const result = parseChecklistText(source, where);
  if (result.ok) throw new Error("expected the file to be rejected, but it parsed");
  return result.problems;
}

interface Expected {
  path: string;
  line: number;
  col: number;
  message: RegExp;
}

interface Row {
  file: string;
  where: ExpectedLocation;
  problems: Expected[];
}

// Every fixture is the demo-kit base with one defect; line numbers refer to the fixture itself.
// The full list of problems is asserted, in order, so a stray extra problem fails too.
const rows: Row[] = [
  {
    file: "missing-field",
    where: HOME,
    problems: [{ path: "sections[0].requirements[1].title", line: 32, col: 9, message: /^title is required$/ }],
  },
  {
    file: "wrong-type",
    where: HOME,
    problems: [{ path: "validity_months", line: 14, col: 18, message: /^validity_months must be a whole number$/ }],
  },
  {
    file: "duplicate-ref",
    where: HOME,
    problems: [
      {
        path: "sections[1].requirements[1].ref",
        line: 46,
        col: 14,
        message: /requirement ref "1-2" is used twice \(first at sections\[0\]\.requirements\[1\]\)/,
      },
    ],
  },
  {
    file: "undeclared-level",
    where: HOME,
    // Points at the key "premium", not at its value.
    problems: [
      {
        path: "sections[1].requirements[1].applies.premium",
        line: 49,
        col: 38,
        message: /level "premium" is not declared in levels \(declared: basic, strict\)/,
      },
    ],
  },
  // The folder is named like the id, so only the slug rule can fire.
  {
    file: "bad-slug",
    where: { folder: "Demo_Kit", fileStem: "1.0" },
    problems: [{ path: "id", line: 3, col: 5, message: /id must be a slug/ }],
  },
  {
    file: "id-path-mismatch",
    where: { folder: "demo-kit-pro", fileStem: "1.0" },
    problems: [{ path: "id", line: 3, col: 5, message: /id "demo-kit" must equal the folder name "demo-kit-pro"/ }],
  },
  {
    file: "version-path-mismatch",
    where: { folder: "demo-kit", fileStem: "1.1" },
    problems: [{ path: "version", line: 6, col: 10, message: /version "1\.0" must equal the file name "1\.1\.yaml"/ }],
  },
  {
    file: "unknown-key",
    where: HOME,
    problems: [
      {
        path: "sections[0].requirements[0].evidense",
        line: 30,
        col: 9,
        message: /unknown key "evidense" \(did you mean "evidence"\?\)/,
      },
    ],
  },
  {
    file: "bad-date",
    where: HOME,
    problems: [{ path: "published", line: 7, col: 12, message: /published is not a real calendar date/ }],
  },
  {
    file: "empty-sections",
    where: HOME,
    problems: [{ path: "sections", line: 20, col: 1, message: /a checklist needs at least one section/ }],
  },
  {
    file: "bad-severity-map",
    where: HOME,
    // The missing key is reported at its parent's key; the stray one at itself.
    problems: [
      { path: "disclosure_days.low", line: 15, col: 1, message: /^low is required$/ },
      { path: "disclosure_days.urgent", line: 19, col: 3, message: /^unknown key "urgent"$/ },
    ],
  },
  {
    file: "bad-maps-to",
    where: HOME,
    problems: [
      { path: "sections[0].requirements[0].maps_to[0]", line: 31, col: 19, message: /must be <checklist-id>:<ref>/ },
    ],
  },
  // The unclosed `{` is on line 29; the yaml library only notices it at the next line.
  {
    file: "yaml-syntax-error",
    where: HOME,
    problems: [{ path: "(yaml)", line: 30, col: 9, message: /^YAML syntax error: Flow map .*end with a \}/ }],
  },
  {
    file: "bad-indentation",
    where: HOME,
    problems: [
      {
        path: "(yaml)",
        line: 34,
        col: 1,
        message: /^YAML syntax error: All mapping items must start at the same column/,
      },
    ],
  },
  {
    file: "duplicate-key",
    where: HOME,
    problems: [{ path: "(yaml)", line: 45, col: 9, message: /^YAML syntax error: Map keys must be unique/ }],
  },
  {
    file: "no-applicable-level",
    where: HOME,
    problems: [
      {
        path: "sections[1].requirements[1].applies",
        line: 49,
        col: 9,
        message: /must apply \(mandatory or advisory\) at some level/,
      },
    ],
  },
  {
    file: "unquoted-version",
    where: HOME,
    problems: [{ path: "version", line: 6, col: 10, message: /version must be a quoted string/ }],
  },
  {
    file: "unquoted-ref",
    where: HOME,
    problems: [{ path: "sections[1].ref", line: 36, col: 10, message: /must be a quoted string/ }],
  },
  {
    file: "empty-requirements",
    where: HOME,
    problems: [
      { path: "sections[1].requirements", line: 38, col: 5, message: /a section needs at least one requirement/ },
    ],
  },
  {
    file: "bad-source",
    where: HOME,
    problems: [{ path: "source", line: 8, col: 9, message: /source must be an http\(s\) URL/ }],
  },
  {
    file: "wrong-applicability",
    where: HOME,
    problems: [
      {
        path: "sections[0].requirements[1].applies.basic",
        line: 35,
        col: 27,
        message: /must be mandatory or advisory/,
      },
    ],
  },
  {
    file: "applies-as-list",
    where: HOME,
    problems: [
      {
        path: "sections[0].requirements[1].applies",
        line: 35,
        col: 9,
        message: /applies must map level ids to mandatory or advisory/,
      },
    ],
  },
  {
    file: "self-maps-to",
    where: HOME,
    problems: [
      {
        path: "sections[0].requirements[0].maps_to[0]",
        line: 31,
        col: 19,
        message: /maps_to must name another checklist/,
      },
    ],
  },
  {
    file: "empty-text",
    where: HOME,
    problems: [{ path: "sections[1].requirements[1].text", line: 48, col: 15, message: /^text must not be empty$/ }],
  },
  {
    file: "zero-days",
    where: HOME,
    problems: [{ path: "disclosure_days.critical", line: 16, col: 13, message: /critical must be greater than zero/ }],
  },
  {
    file: "many-problems",
    where: HOME,
    problems: [
      { path: "version", line: 6, col: 10, message: /version must be a quoted string/ },
      { path: "published", line: 7, col: 12, message: /not a real calendar date/ },
      { path: "validity_months", line: 14, col: 18, message: /validity_months must be a whole number/ },
      { path: "sections[0].requirements[0].evidense", line: 30, col: 9, message: /unknown key "evidense"/ },
      {
        path: "sections[0].requirements[1].applies.premium",
        line: 35,
        col: 37,
        message: /level "premium" is not declared/,
      },
      { path: "sections[1].requirements[1].title", line: 46, col: 9, message: /^title is required$/ },
      { path: "sections[1].requirements[1].ref", line: 46, col: 14, message: /"1-2" is used twice/ },
    ],
  },
];

describe("malformed checklist files", () => {
  it("the base the fixtures are copied from is itself valid", () => {
    const result = parseChecklistText(read(GOOD_FILE), HOME);
    expect(result.ok ? [] : result.problems).toEqual([]);
  });

  it("every fixture in the folder has a row in the table, and every row a fixture", () => {
    const onDisk = fs
      .readdirSync(BAD_DIR)
      .filter((f) => f.endsWith(".yaml"))
      .map((f) => f.slice(0, -5))
      .sort();
    expect(onDisk).toEqual(rows.map((r) => r.file).sort());
    expect(onDisk.length).toBeGreaterThanOrEqual(15);
  });

  it.each(rows)("$file.yaml is rejected with exactly the expected problems", ({ file, where, problems }) => {
    const actual = problemsOf(read(path.join(BAD_DIR, `${file}.yaml`)), where);
    expect(actual.map(({ path: p, line, col }) => ({ path: p, line, col }))).toEqual(
      problems.map(({ path: p, line, col }) => ({ path: p, line, col })),
    );
    actual.forEach((p, i) => expect(p.message, `${p.path}`).toMatch(problems[i].message));
  });

  it("the path-mismatch fixtures are only wrong because of where they sit", () => {
    for (const file of ["id-path-mismatch", "version-path-mismatch"]) {
      expect(parseChecklistText(read(path.join(BAD_DIR, `${file}.yaml`))).ok, file).toBe(true);
      expect(parseChecklistText(read(path.join(BAD_DIR, `${file}.yaml`)), HOME).ok, file).toBe(true);
    }
  });

  it("reports problems sorted by line, then column", () => {
    const problems = problemsOf(read(path.join(BAD_DIR, "many-problems.yaml")), HOME);
    const keys = problems.map((p) => p.line * 1000 + p.col);
    expect(keys).toEqual([...keys].sort((a, b) => a - b));
  });

  it("validity_months: 0 says it is out of range, not that it is not a whole number", () => {
    const source = read(GOOD_FILE).replace("validity_months: 24", "validity_months: 0");
    const [problem] = problemsOf(source, HOME);
    expect(problem).toMatchObject({ path: "validity_months", line: 14, message: "validity_months must be at least 1" });
  });

  it("an id that is a number is reported as the wrong type, not as missing", () => {
    const source = read(GOOD_FILE).replace("id: demo-kit", "id: 42");
    const [problem] = problemsOf(source, HOME);
    expect(problem).toMatchObject({ path: "id", line: 3 });
    expect(problem.message).toMatch(/^id must be text/);
  });

  it("a badly written date is reported once", () => {
    const source = read(GOOD_FILE).replace(/published: .*/, "published: 2024-3-1");
    expect(problemsOf(source, HOME)).toEqual([
      expect.objectContaining({ path: "published", line: 7, message: "published must be a date written YYYY-MM-DD" }),
    ]);
  });

  it.each([
    ["", "empty"],
    ["- just\n- a list\n", "a list"],
    ["just a sentence\n", "a scalar"],
  ])("a file that is not a mapping (%#: %s) says what the top level must be", (source) => {
    expect(problemsOf(source, HOME)).toEqual([
      { line: 1, col: 1, path: "(file)", message: expect.stringMatching(/must be a YAML mapping with id, title/) },
    ]);
  });
});

describe("hostile YAML", () => {
  it("a file of a few hundred bytes whose aliases expand exponentially is a problem with the file, not a crash", () => {
    const lines = ['a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]'];
    for (const [prev, name] of ["ab", "bc", "cd", "de", "ef", "fg", "gh", "hi"].map((p) => p.split("")))
      lines.push(`${name}: &${name} [${Array(9).fill(`*${prev}`).join(", ")}]`);
    const source = lines.join("\n") + "\n";
    expect(source.length).toBeLessThan(500);
    const result = parseChecklistText(source);
    expect(result.ok).toBe(false);
    if (!result.ok)
      expect(result.problems).toEqual([
        expect.objectContaining({
          path: "(yaml)",
          message: expect.stringMatching(/aliases \(\*name\) expand too far/),
        }),
      ]);
  });
});

describe("deeply nested YAML", () => {
  it("a file nested 50,000 levels deep is a problem with the file, said as such, not the parser's stack error", () => {
    const result = parseChecklistText("[".repeat(50_000) + "]".repeat(50_000));
    expect(result.ok).toBe(false);
    if (!result.ok)
      expect(result.problems).toEqual([
        expect.objectContaining({
          path: "(yaml)",
          message: "the YAML nests too deeply to read (a checklist nests a few levels)",
        }),
      ]);
  });
});

describe("shipped checklists", () => {
  const shipped = fs
    .readdirSync(CHECKLISTS_DIR, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .flatMap((d) =>
      fs
        .readdirSync(path.join(CHECKLISTS_DIR, d.name))
        .filter((f) => f.endsWith(".yaml"))
        .map((f) => ({ folder: d.name, fileStem: f.slice(0, -5), file: path.join(CHECKLISTS_DIR, d.name, f) })),
    );

  it("there are shipped checklist files to check", () => {
    expect(shipped.length).toBeGreaterThanOrEqual(4);
  });

  // Parsed once per file: the big files take tens of milliseconds each.
  const parsed = new Map<string, ReturnType<typeof parseChecklistText>>();
  const parseShipped = (file: string) => {
    if (!parsed.has(file))
      parsed.set(
        file,
        parseChecklistText(read(file), {
          folder: path.basename(path.dirname(file)),
          fileStem: path.basename(file, ".yaml"),
        }),
      );
    return parsed.get(file)!;
  };

  it.each(shipped.map((s) => [`${s.folder}/${s.fileStem}.yaml`, s] as const))(
    "%s parses",
    (_name, { folder, fileStem, file }) => {
      const result = parseShipped(file);
      expect(result.ok ? [] : result.problems).toEqual([]);
      if (!result.ok) return;
      expect(result.file.id).toBe(folder);
      expect(result.file.version).toBe(fileStem);
    },
  );

  const load = (rel: string) => {
    const result = parseShipped(path.join(CHECKLISTS_DIR, rel));
    if (!result.ok) throw new Error(`${rel}: ${JSON.stringify(result.problems)}`);
    return result.file;
  };

  it("ETSI EN 303 645 2.1.1 has the expected requirements per section (67 in all)", () => {
    const file = load("etsi-en-303-645/2.1.1.yaml");
    const counts = Object.fromEntries(file.sections.map((s) => [s.ref, s.requirements.length]));
    expect(counts).toEqual({
      "5.1": 5,
      "5.2": 3,
      "5.3": 16,
      "5.4": 4,
      "5.5": 8,
      "5.6": 9,
      "5.7": 2,
      "5.8": 3,
      "5.9": 3,
      "5.10": 1,
      "5.11": 4,
      "5.12": 3,
      "5.13": 1,
      "6": 5,
    });
    expect(Object.values(counts).reduce((a, b) => a + b, 0)).toBe(67);
  });

  it("IoTSF 3.0 has at least 80 requirements over levels class-0..class-4, each applying somewhere", () => {
    const file = load("iotsf-assurance-framework/3.0.yaml");
    const levels = file.levels.map((l) => l.id);
    expect(levels).toEqual(["class-0", "class-1", "class-2", "class-3", "class-4"]);
    const reqs = file.sections.flatMap((s) => s.requirements);
    expect(reqs.length).toBeGreaterThanOrEqual(80);
    const stray = reqs.filter(
      (r) => Object.keys(r.applies).length === 0 || Object.keys(r.applies).some((l) => !levels.includes(l)),
    );
    expect(stray.map((r) => r.ref)).toEqual([]);
  });
});
