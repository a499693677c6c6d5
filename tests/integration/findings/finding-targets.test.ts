// The requirements an assessor may tick on a new vulnerability report: those of every checklist version the product
// was submitted against, listed per checklist in its newest version's order and then the refs only an older version
// has, never two versions' lists shuffled together ("5.1-1, 5.0-1, 5.1-2, …").
import { asc, eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { requirements } from "../../../db/schema";
import { seedDemoData } from "../../../app/demo/seed.server";
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
    expect(watch.requirements[0]).toMatchObject({ value: "etsi-en-303-645:5.0-1" });
  });
});
