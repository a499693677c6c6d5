import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { checklistHash } from "../../../app/features/catalogue/domain/checklist/canonical";
import { crosswalkEntry } from "../../../app/features/catalogue/domain/checklist/crosswalk";
import { parseChecklistText, type ChecklistProblem } from "../../../app/features/catalogue/domain/checklist/parse";
import type { ChecklistFile } from "../../../app/features/catalogue/domain/checklist/schema";

const ROOT = path.resolve(__dirname, "../../..");
const BASE = fs.readFileSync(path.join(ROOT, "tests/fixtures/checklists-good/demo-kit/1.0.yaml"), "utf8");
const LINE = '        maps_to: ["etsi-en-303-645:5.1-1"]';

/** The demo-kit fixture with requirement 1-1's maps_to replaced by `lines` (line 31 onwards). */
function withMapsTo(lines: string[]): string {
  expect(BASE.split(LINE).length).toBe(2);
  return BASE.replace(LINE, ["        maps_to:", ...lines.map((l) => `          - ${l}`)].join("\n"));
}

function parsed(source: string): ChecklistFile {
  const r = parseChecklistText(source, { folder: "demo-kit", fileStem: "1.0" });
  if (!r.ok) throw new Error(JSON.stringify(r.problems));
  return r.file;
}

function problems(source: string): Pick<ChecklistProblem, "path" | "line" | "message">[] {
  const r = parseChecklistText(source, { folder: "demo-kit", fileStem: "1.0" });
  if (r.ok) throw new Error("expected the file to be rejected");
  return r.problems.map(({ path, line, message }) => ({ path, line, message }));
}

const AT = "sections[0].requirements[0].maps_to";

describe("maps_to entries with a kind", () => {
  it("accepts both forms and keeps each as written", () => {
    const file = parsed(
      withMapsTo([
        '"etsi-en-303-645:5.1-1"',
        '{ to: "uk-psti:1", kind: equivalent }',
        "to: iotsf-assurance-framework:2.4.8.3\n            kind: partial",
      ]),
    );
    const entries = file.sections[0].requirements[0].maps_to!;
    expect(entries).toEqual([
      "etsi-en-303-645:5.1-1",
      { to: "uk-psti:1", kind: "equivalent" },
      { to: "iotsf-assurance-framework:2.4.8.3", kind: "partial" },
    ]);
    expect(entries.map(crosswalkEntry)).toEqual([
      { target: "etsi-en-303-645:5.1-1", kind: null },
      { target: "uk-psti:1", kind: "equivalent" },
      { target: "iotsf-assurance-framework:2.4.8.3", kind: "partial" },
    ]);
  });

  it("names the field of a bad object entry, with its line", () => {
    expect(problems(withMapsTo(['{ to: "uk-psti:1", kind: full }']))).toEqual([
      { path: `${AT}[0].kind`, line: 32, message: "kind must be equivalent or partial" },
    ]);
    expect(problems(withMapsTo(['{ to: "uk-psti:1" }']))).toEqual([
      { path: `${AT}[0].kind`, line: 32, message: "kind is required: equivalent or partial" },
    ]);
    expect(problems(withMapsTo(["{ kind: partial }"]))).toEqual([
      { path: `${AT}[0].to`, line: 32, message: "to is required" },
    ]);
    expect(problems(withMapsTo(['{ to: "uk psti 1", kind: partial }']))).toEqual([
      { path: `${AT}[0].to`, line: 32, message: expect.stringMatching(/^to must be <checklist-id>:<ref>/) },
    ]);
    expect(problems(withMapsTo(["{ to: 7, kind: partial }"]))).toEqual([
      { path: `${AT}[0].to`, line: 32, message: expect.stringMatching(/^to must be a <checklist-id>:<ref> string/) },
    ]);
  });

  it("is a strict object: an unknown key is an error with a suggestion", () => {
    expect(problems(withMapsTo(['{ to: "uk-psti:1", knd: partial, kind: partial }']))).toEqual([
      { path: `${AT}[0].knd`, line: 32, message: 'unknown key "knd" (did you mean "kind"?)' },
    ]);
  });

  it("refuses an entry that is neither text nor a mapping", () => {
    expect(problems(withMapsTo(["42"]))).toEqual([
      { path: `${AT}[0]`, line: 32, message: expect.stringMatching(/each maps_to entry must be/) },
    ]);
    expect(problems(withMapsTo(['"UK-PSTI 1"']))).toEqual([
      { path: `${AT}[0]`, line: 32, message: expect.stringMatching(/^must be <checklist-id>:<ref>/) },
    ]);
  });

  it("finds a target listed twice across the two forms, and a link to the checklist itself", () => {
    expect(problems(withMapsTo(['"uk-psti:1"', '{ to: "uk-psti:1", kind: partial }']))).toEqual([
      { path: `${AT}[1].to`, line: 33, message: '"uk-psti:1" is listed twice' },
    ]);
    expect(
      problems(withMapsTo(['{ to: "uk-psti:1", kind: partial }', '{ to: "uk-psti:1", kind: equivalent }'])),
    ).toEqual([{ path: `${AT}[1].to`, line: 33, message: '"uk-psti:1" is listed twice' }]);
    expect(problems(withMapsTo(['{ to: "demo-kit:1-2", kind: equivalent }']))).toEqual([
      { path: `${AT}[0].to`, line: 32, message: "maps_to must name another checklist, not this one" },
    ]);
  });

  it("gives the kind a place in the content hash, but a plain string none", () => {
    const plain = checklistHash(parsed(withMapsTo(['"etsi-en-303-645:5.1-1"'])));
    expect(plain).toBe(checklistHash(parsed(BASE))); // block list or flow list: same content
    const partial = checklistHash(parsed(withMapsTo(['{ to: "etsi-en-303-645:5.1-1", kind: partial }'])));
    const equivalent = checklistHash(parsed(withMapsTo(['{ to: "etsi-en-303-645:5.1-1", kind: equivalent }'])));
    expect(new Set([plain, partial, equivalent]).size).toBe(3);
  });
});

// The content hashes of the shipped files as imported before maps_to had kinds (computed from
// the files at that commit). A published version never changes, so the format change must not
// move them; eu-cra-annex-i 2024 is the one file rewritten to state its kinds (migration 0022).
const HASHES_BEFORE_KINDS: Record<string, string> = {
  "etsi-en-303-645/2.1.1.yaml": "ce1ca5976281be1895dac12d9a0a719e62f511bbcb3372823e6ec77904090846",
  "etsi-en-303-645/3.1.3-r1.yaml": "1d3c3d051a41b9b6f035c218390d19e63b57ce45ba5f9cfa3b7b0e7b8a452558",
  "etsi-en-303-645/3.1.3.yaml": "09f12d7dd70567114d4c40aeb3a131e6b0b94edfeb94feba7ef7334723e402ed",
  "iotsf-assurance-framework/3.0-r1.yaml": "fc90b2db0bd4d365252a0e7f542a0b8768f7050565beb6fefe6684e87b502d65",
  "iotsf-assurance-framework/3.0.yaml": "433d8f96e9f18f3b5d41bf894d23e5bbae9a94f4114990488a579b76a6232c90",
  "uk-psti/2023.yaml": "6b7f2bf42b9d5c8217b9bc33d321a31684c820ce0694b18b00c2632469a9a51a",
};
const CRA_HASH_BEFORE_KINDS = "6c35a21e48e8ae3d42732e69735f43038c771438c343c77b0e8afd1df727c777";

function shipped(rel: string): ChecklistFile {
  const [folder, file] = rel.split("/");
  const r = parseChecklistText(fs.readFileSync(path.join(ROOT, "checklists", rel), "utf8"), {
    folder,
    fileStem: file.replace(/\.yaml$/, ""),
  });
  if (!r.ok) throw new Error(JSON.stringify(r.problems));
  return r.file;
}

describe("the shipped checklists", () => {
  it.each(Object.entries(HASHES_BEFORE_KINDS))("%s keeps its content hash", (rel, hash) => {
    expect(checklistHash(shipped(rel))).toBe(hash);
  });

  it("EU CRA Annex I states the kind of every link: equivalent for II.5 to ETSI 5.2-1 and IoTSF 2.4.3.5.1, partial otherwise", () => {
    const cra = shipped("eu-cra-annex-i/2024.yaml");
    const links = cra.sections.flatMap((s) =>
      s.requirements.flatMap((r) => (r.maps_to ?? []).map((e) => ({ from: r.ref, ...crosswalkEntry(e) }))),
    );
    expect(links.length).toBe(72);
    expect(links.filter((l) => l.kind === "equivalent")).toEqual([
      { from: "II.5", target: "etsi-en-303-645:5.2-1", kind: "equivalent" },
      { from: "II.5", target: "iotsf-assurance-framework:2.4.3.5.1", kind: "equivalent" },
    ]);
    expect(links.filter((l) => l.kind !== "equivalent").every((l) => l.kind === "partial")).toBe(true);
    expect(checklistHash(cra)).not.toBe(CRA_HASH_BEFORE_KINDS);
  });
});
