// The optional checklist-level `verdicts` field: standard (the default) or decision-tree.
import fs from "node:fs";
import { describe, expect, it } from "vitest";
import { parseChecklistText } from "../../../app/features/catalogue/domain/checklist/parse";
import { checklistHash } from "../../../app/features/catalogue/domain/checklist/canonical";

const psti = fs.readFileSync("checklists/uk-psti/2023.yaml", "utf8");
const expected = { folder: "uk-psti", fileStem: "2023" };
const withVerdicts = (value: string) => psti.replace("validity_months: 24", `verdicts: ${value}\nvalidity_months: 24`);

describe("verdicts in a checklist file", () => {
  it("is optional: a file without it keeps its content hash and has no verdicts value", () => {
    const r = parseChecklistText(psti, expected);
    if (!r.ok) throw new Error(JSON.stringify(r.problems));
    expect(r.file.verdicts).toBeUndefined();
    const explicit = parseChecklistText(withVerdicts("standard"), expected);
    if (!explicit.ok) throw new Error(JSON.stringify(explicit.problems));
    expect(explicit.file.verdicts).toBe("standard");
    // Saying it changes the content (and so the hash): it is part of what the checklist says.
    expect(checklistHash(explicit.file)).not.toBe(checklistHash(r.file));
  });

  it("accepts decision-tree", () => {
    const r = parseChecklistText(withVerdicts("decision-tree"), expected);
    expect(r.ok && r.file.verdicts).toBe("decision-tree");
  });

  it("refuses any other value with a message naming the field, and suggests the key for a typo", () => {
    const bad = parseChecklistText(withVerdicts("tree"), expected);
    expect(bad.ok).toBe(false);
    if (bad.ok) return;
    expect(bad.problems.map((p) => [p.path, p.message])).toContainEqual([
      "verdicts",
      "verdicts must be standard or decision-tree",
    ]);
    const typo = parseChecklistText(
      psti.replace("validity_months: 24", "verdict: decision-tree\nvalidity_months: 24"),
      expected,
    );
    expect(typo.ok).toBe(false);
    if (typo.ok) return;
    expect(typo.problems.map((p) => p.message).join("\n")).toMatch(
      /unknown key "verdict" \(did you mean "verdicts"\?\)/,
    );
  });
});
