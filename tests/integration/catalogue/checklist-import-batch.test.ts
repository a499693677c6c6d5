// npm run checklist:import imports a batch all or nothing (importShippedChecklists with
// allOrNothing): a file refused only as it is imported (different content under a published
// version, a publication date still to come) leaves the other files of the batch unimported too,
// as the README and the script say. Without allOrNothing (start-up) the others are imported.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { auditEvents, checklistVersions } from "../../../db/schema";
import { importShippedChecklists } from "../../../app/features/catalogue/checklists.server";
import { db } from "../../../app/platform/db.server";

const system = { system: "test" };
const BASE = fs.readFileSync(path.resolve("tests/fixtures/checklists-good/demo-kit/1.0.yaml"), "utf8");

/** The demo-kit fixture as <tmp>/<id>/<version>.yaml, optionally edited. */
function kit(id: string, version: string, opts: { published?: string; edit?: (t: string) => string } = {}): string {
  const text = BASE.replace("id: demo-kit", `id: ${id}`)
    .replace('version: "1.0"', `version: "${version}"`)
    .replace("published: 2024-03-01", `published: ${opts.published ?? "2024-03-01"}`);
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "batch-")), id, `${version}.yaml`);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, (opts.edit ?? ((t) => t))(text));
  return file;
}

const count = (table: typeof checklistVersions | typeof auditEvents) =>
  db()
    .select({ n: sql<number>`count(*)` })
    .from(table)
    .get()!.n;

describe("checklist:import, all or nothing", () => {
  it("imports nothing while a file is refused as already published with different content", () => {
    expect(importShippedChecklists(system, [kit("batch-kit", "1.0")], true).failures).toEqual([]);
    const changed = kit("batch-kit", "1.0", {
      edit: (t) => t.replace('title: "Demo kit checklist"', 'title: "Edited"'),
    });
    const fresh = kit("other-kit", "1.0");
    const versions = count(checklistVersions);
    const audits = count(auditEvents);

    const all = importShippedChecklists(system, [fresh, changed], true);
    expect(all.results).toEqual([]);
    expect(all.failures).toEqual([
      {
        file: expect.stringMatching(/batch-kit\/1\.0\.yaml$/),
        lines: [expect.stringMatching(/already published with different content/)],
      },
    ]);
    expect(count(checklistVersions)).toBe(versions);
    expect(count(auditEvents)).toBe(audits);

    // Start-up's way (not all or nothing): the good file is imported, the other reported.
    const some = importShippedChecklists(system, [fresh, changed]);
    expect(some.results.map((r) => r.versionId)).toEqual(["other-kit@1.0"]);
    expect(some.failures).toHaveLength(1);
  });

  it("imports nothing while a file is refused as published in the future", () => {
    const fresh = kit("third-kit", "1.0");
    const future = kit("future-kit", "1.0", { published: "2999-01-01" });
    const versions = count(checklistVersions);
    const all = importShippedChecklists(system, [fresh, future], true);
    expect(all.results).toEqual([]);
    expect(all.failures).toEqual([
      { file: expect.stringMatching(/future-kit\/1\.0\.yaml$/), lines: [expect.stringMatching(/is in the future/)] },
    ]);
    expect(count(checklistVersions)).toBe(versions);
    // Once the refused file is out of the batch, the rest goes in.
    expect(importShippedChecklists(system, [fresh], true).results.map((r) => r.outcome)).toEqual(["imported"]);
  });
});
