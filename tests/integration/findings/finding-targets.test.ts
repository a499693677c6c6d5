// The requirements an assessor may tick on a new vulnerability report: those of every checklist version the product
// was submitted against, listed per checklist in its newest version's order and then the refs only an older version
// has, never two versions' lists shuffled together ("5.1-1, 5.0-1, 5.1-2, …"); each under its version's title.
import { asc, eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { requirements } from "../../../db/schema";
import { seedDemoData } from "../../support/demo-seed";
import { db } from "../../../app/platform/db.server";
import { findingTargets } from "../../../app/features/findings/findings.server";
import { asha } from "../../support/actors";

const refsOf = (versionId: string) =>
  db()
    .select({ ref: requirements.ref })
    .from(requirements)
    .where(eq(requirements.versionId, versionId))
    .orderBy(asc(requirements.position))
    .all()
    .map((r) => `etsi-en-303-645:${r.ref}`);

beforeAll(async () => {
  await seedDemoData();
});

describe("the requirements a report may name", () => {
  it("Gator Kids Watch 3 (ETSI 3.1.3-r1 and 2.1.1): the newest version's order, then the older version's own refs", () => {
    const watch = findingTargets(asha()).find((p) => p.name === "Gator Kids Watch 3")!;
    const newest = refsOf("etsi-en-303-645@3.1.3-r1");
    const olderOnly = refsOf("etsi-en-303-645@2.1.1").filter((r) => !newest.includes(r));
    expect(olderOnly.length).toBeGreaterThan(0);
    expect(watch.requirements.map((r) => r.value)).toEqual([...newest, ...olderOnly]);
    expect(watch.requirements[0]).toMatchObject({
      value: "etsi-en-303-645:5.0-1",
      label: expect.stringMatching(/^5\.0-1 — \S/),
    });
    // Each is listed under the newest version that has it (said once above them on the page, not on each line).
    const titles = [...new Set(watch.requirements.map((r) => r.checklist))];
    expect(titles).toHaveLength(2);
    expect(titles).toEqual(["ETSI EN 303 645 3.1.3 with continuous monitoring", "ETSI EN 303 645 2.1.1"]);
    expect(watch.requirements.filter((r) => r.checklist === titles[1]).map((r) => r.value)).toEqual(olderOnly);
    expect(watch.requirements.every((r) => !r.label.includes(r.checklist))).toBe(true);
  });
});
