// Checklist import, diff and retirement against a real database, after review: a crosswalk target
// with a mistyped ref is refused (with its line) once its checklist is imported; the version diff
// reads each side with its own levels and shows evidence, crosswalk and split changes; retiring a
// checklist's last published version says that renewals stop; "the newest version" is one rule.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { eq, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { checklists, checklistVersions } from "../../../db/schema";
import {
  ChecklistInvalidError,
  diffChecklistVersions,
  getChecklistVersion,
  importChecklist,
  importShippedChecklists,
  listChecklists,
  retireChecklistVersion,
} from "../../../app/features/catalogue/checklists.server";
import { continuingChecklistVersion } from "../../../app/features/certification/submission-records.server";
import { policyCatalog } from "../../../app/features/retail/policies.server";
import { db } from "../../../app/platform/db.server";

const system = { system: "test" };
const BASE = fs.readFileSync(path.resolve("tests/fixtures/checklists-good/demo-kit/1.0.yaml"), "utf8");
const MAPS_TO = 'maps_to: ["etsi-en-303-645:5.1-1"]';
const UPDATE_NOTIFICATIONS = `      - ref: "2-2"
        title: "Update notifications"
        text: "The user is told when an update is available."
        applies: { strict: advisory }`;

interface Kit {
  id: string;
  version: string;
  published?: string;
  title?: string;
  mapsTo?: string;
  edit?: (text: string) => string;
}

/** The demo-kit fixture as another checklist / version. */
function kit({ id, version, published = "2024-03-01", title = "Demo kit checklist", mapsTo, edit = (t) => t }: Kit) {
  const text = BASE.replace("id: demo-kit", `id: ${id}`)
    .replace('version: "1.0"', `version: "${version}"`)
    .replace("published: 2024-03-01", `published: ${published}`)
    .replace('title: "Demo kit checklist"', `title: "${title}"`)
    .replace(MAPS_TO, `maps_to: ${mapsTo ?? '["etsi-en-303-645:5.1-1"]'}`);
  return edit(text);
}

const importKit = (k: Kit) =>
  importChecklist(system, kit(k), `${k.version}.yaml`, { folder: k.id, fileStem: k.version });

/** Kits written as <tmp>/<id>/<version>.yaml, as the shipped folder holds them. */
function onDisk(...kits: Kit[]): string[] {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kits-"));
  return kits.map((k) => {
    const file = path.join(dir, k.id, `${k.version}.yaml`);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, kit(k));
    return file;
  });
}

const versionCount = () =>
  db()
    .select({ n: sql<number>`count(*)` })
    .from(checklistVersions)
    .get()!.n;

function refused(fn: () => unknown): ChecklistInvalidError {
  try {
    fn();
  } catch (e) {
    if (e instanceof ChecklistInvalidError) return e;
    throw e;
  }
  throw new Error("expected the file to be refused");
}

describe("crosswalk targets", () => {
  it("keeps a target whose checklist is not imported yet (unresolved, 'not imported yet')", () => {
    expect(importKit({ id: "alpha-kit", version: "1.0", mapsTo: '["beta-kit:4-4"]' }).outcome).toBe("imported");
    const end = getChecklistVersion("alpha-kit", "1.0")!.sections[0].requirements[0].mapsTo[0];
    expect(end).toMatchObject({ checklistId: "beta-kit", ref: "4-4", version: null, checklistTitle: null });
  });

  it("refuses a ref that no imported version of the target checklist has, naming the line; nothing is imported", () => {
    importKit({ id: "beta-kit", version: "1.0", title: "Beta kit" });
    // The earlier link stays unresolved, now because beta-kit has no 4-4 (Crosswalk.tsx says so).
    const end = getChecklistVersion("alpha-kit", "1.0")!.sections[0].requirements[0].mapsTo[0];
    expect(end).toMatchObject({ checklistId: "beta-kit", ref: "4-4", version: null, checklistTitle: "Beta kit" });

    const before = versionCount();
    const error = refused(() =>
      importKit({ id: "alpha-kit", version: "1.1", mapsTo: '["beta-kit:2-1", "beta-kit:2-9"]' }),
    );
    expect(error.lines).toEqual([
      '1.1.yaml:31:35: sections[0].requirements[0].maps_to[1]: no imported version of beta-kit has requirement "2-9" (check the ref)',
    ]);
    expect(error.message).toBe("1.1.yaml has 1 problem; nothing was imported.");
    expect(versionCount()).toBe(before);
    expect(importKit({ id: "alpha-kit", version: "1.1", mapsTo: '["beta-kit:2-1"]' }).outcome).toBe("imported");
  });

  it("in a batch, accepts a ref that another file of the batch brings, and refuses a mistyped one with its line", () => {
    const [good, added, bad] = onDisk(
      { id: "alpha-kit", version: "1.2", mapsTo: '["beta-kit:3-1"]' },
      {
        id: "beta-kit",
        version: "1.1",
        title: "Beta kit",
        edit: (t) => t.replace('ref: "2-2"', 'ref: "3-1"'),
      },
      { id: "alpha-kit", version: "1.3", mapsTo: '[{ to: "beta-kit:3-2", kind: partial }]' },
    );
    const before = versionCount();
    const all = importShippedChecklists(system, [good, added, bad], true);
    expect(all.results).toEqual([]); // --all: nothing while any file is refused
    expect(all.failures).toEqual([
      {
        file: expect.stringMatching(/alpha-kit\/1\.3\.yaml$/),
        lines: [
          expect.stringMatching(
            /1\.3\.yaml:31:\d+: sections\[0\]\.requirements\[0\]\.maps_to\[0\]\.to: no imported version of beta-kit has requirement "3-2"/,
          ),
        ],
      },
    ]);
    expect(versionCount()).toBe(before);
    const some = importShippedChecklists(system, [good, added, bad]);
    expect(some.results.map((r) => r.versionId).sort()).toEqual(["alpha-kit@1.2", "beta-kit@1.1"]);
    expect(some.failures.map((f) => path.basename(f.file))).toEqual(["1.3.yaml"]);
  });
});

describe("the version diff", () => {
  it("reads each side with its own levels, and shows evidence, crosswalk and split changes", () => {
    importKit({
      id: "beta-kit",
      version: "2.0",
      published: "2024-06-01",
      title: "Beta kit",
      mapsTo: '[{ to: "alpha-kit:1-1", kind: partial }]',
      edit: (t) =>
        t
          .replace("    title: Basic", "    title: Entry level")
          .replace('evidence: "Two units showing different passwords"', 'evidence: "Three units"')
          .replace(
            UPDATE_NOTIFICATIONS,
            [
              UPDATE_NOTIFICATIONS.replace('"2-2"', '"2-2A"'),
              UPDATE_NOTIFICATIONS.replace('"2-2"', '"2-2B"').replace("Update notifications", "Update notes"),
            ].join("\n"),
          ),
    });
    const d = diffChecklistVersions("beta-kit", "1.0", "2.0");
    expect(d.fromLevels.map((l) => l.title)).toEqual(["Basic", "Strict"]);
    expect(d.toLevels.map((l) => l.title)).toEqual(["Entry level", "Strict"]);
    expect(d.diff.changed.map((c) => [c.ref, c.fields])).toEqual([["1-1", ["evidence", "crosswalk"]]]);
    expect(d.diff.changed[0].before).toMatchObject({
      evidenceHint: "Two units showing different passwords",
      mapsTo: [{ to: "etsi-en-303-645:5.1-1", kind: null }],
    });
    expect(d.diff.changed[0].after).toMatchObject({
      evidenceHint: "Three units",
      mapsTo: [{ to: "alpha-kit:1-1", kind: "partial" }],
    });
    expect(d.diff.splits).toEqual([{ ref: "2-2", into: ["2-2A", "2-2B"] }]);
  });
});

describe("the newest version, one rule", () => {
  it("on the same publication day, the higher version number is the newest everywhere", () => {
    // Imported in this order, so the database's own order would give 1.9.
    importKit({ id: "gamma-kit", version: "1.0", published: "2023-01-01", title: "Gamma 1.0" });
    importKit({ id: "gamma-kit", version: "1.9", published: "2024-05-01", title: "Gamma 1.9" });
    importKit({ id: "gamma-kit", version: "1.10", published: "2024-05-01", title: "Gamma 1.10" });
    retireChecklistVersion(system, "gamma-kit@1.0", "superseded", { confirmed: true });
    expect(continuingChecklistVersion(db(), "gamma-kit@1.0").version).toBe("1.10");
    expect(policyCatalog().find((c) => c.id === "gamma-kit")?.version).toBe("1.10");
    expect(
      listChecklists()
        .find((c) => c.id === "gamma-kit")
        ?.versions.map((v) => v.version),
    ).toEqual(["1.10", "1.9", "1.0"]);

    // The checklist's title follows its newest version, whichever order they come in.
    importKit({ id: "delta-kit", version: "1.10", published: "2024-05-01", title: "Delta 1.10" });
    importKit({ id: "delta-kit", version: "1.9", published: "2024-05-01", title: "Delta 1.9" });
    expect(db().select().from(checklists).where(eq(checklists.id, "delta-kit")).get()?.title).toBe("Delta 1.10");
  });
});

describe("retiring the last published version", () => {
  it("says that renewals and re-certifications on the checklist stop, and only then", async () => {
    importKit({ id: "omega-kit", version: "1.0", published: "2023-01-01" });
    importKit({ id: "omega-kit", version: "2.0", published: "2024-01-01" });
    const flags = () =>
      Object.fromEntries(
        listChecklists()
          .find((c) => c.id === "omega-kit")!
          .versions.map((v) => [v.version, v.lastPublished]),
      );
    expect(flags()).toEqual({ "1.0": false, "2.0": false });
    await expect(() => retireChecklistVersion(system, "omega-kit@1.0", "old", { confirmed: false })).toBeRefused(
      "invalid",
      /^Tick the box to confirm that .* is retired for good \(no new submissions; seals already issued stay valid\)\.$/,
    );
    expect(retireChecklistVersion(system, "omega-kit@1.0", "old", { confirmed: true }).lastPublished).toBe(false);
    expect(flags()).toEqual({ "1.0": false, "2.0": true });

    await expect(() => retireChecklistVersion(system, "omega-kit@2.0", "withdrawn", { confirmed: false })).toBeRefused(
      "invalid",
      /is retired for good \(no new submissions, and, as no other version of this checklist is published, no renewals or re-certifications on this checklist until a new version is imported; seals already issued stay valid\)/,
    );
    expect(retireChecklistVersion(system, "omega-kit@2.0", "withdrawn", { confirmed: true }).lastPublished).toBe(true);
    // ... as the renewal itself finds.
    expect(() => continuingChecklistVersion(db(), "omega-kit@2.0")).toThrow(/has no published version to continue on/);
  });
});
