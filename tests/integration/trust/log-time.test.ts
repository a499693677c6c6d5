// Issue 17: leaf times never go backwards. The demo seeds its history in time order (the leaves
// are dated in the order they were appended, with no clamping needed), and an append whose
// clock reads earlier than the last leaf never writes a back-dated leaf or entry.
import { asc, desc } from "drizzle-orm";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { logLeaves, seals } from "../../../db/schema";
import { testClock } from "../../../app/platform/clock.server";
import { db, transaction } from "../../../app/platform/db.server";
import { seedDemoData } from "../../support/demo-seed";
import { demoSealSerials } from "../../../app/demo/seed-seals.server";
import { appendLog } from "../../../app/features/trust/transparency-log.server";
import { applySealAction } from "../../../app/features/trust/seal-status.server";
import { entryNotBefore, leafTime } from "../../../app/features/trust/domain/log-time";

const leaves = () =>
  db()
    .select()
    .from(logLeaves)
    .orderBy(asc(logLeaves.leafIndex))
    .all()
    .map((l) => ({
      index: l.leafIndex,
      at: l.at.getTime(),
      entry: JSON.parse(l.data) as { at?: string; event: string },
    }));

beforeAll(async () => {
  await seedDemoData();
}, 120_000);

afterEach(() => testClock.reset());

describe("after a fresh demo seed", () => {
  it("leaf timestamps are non-decreasing with the leaf index, and each entry states its leaf's time", () => {
    const all = leaves();
    expect(all.length).toBeGreaterThanOrEqual(7);
    for (let i = 1; i < all.length; i++) expect(all[i].at, `leaf ${i}`).toBeGreaterThanOrEqual(all[i - 1].at);
    // Seeded in order, not clamped: every entry states its own time (the caller's clock, a moment
    // before the log's), never earlier than the leaf before it.
    for (const l of all) expect(l.at - Date.parse(l.entry.at!), `leaf ${l.index}`).toBeGreaterThanOrEqual(0);
    for (const l of all) expect(l.at - Date.parse(l.entry.at!), `leaf ${l.index}`).toBeLessThan(5_000);
    for (let i = 1; i < all.length; i++) expect(Date.parse(all[i].entry.at!)).toBeGreaterThanOrEqual(all[i - 1].at);
  });

  it("the back-dated seals are issued oldest first (the expired watch 25 months ago, the plug now)", () => {
    const issued = leaves().filter((l) => l.entry.event === "issued");
    expect(issued.map((l) => l.at)).toEqual([...issued.map((l) => l.at)].sort((a, b) => a - b));
    const s = demoSealSerials();
    const issuedAt = Object.fromEntries(
      db()
        .select({ serial: seals.serial, at: seals.issuedAt })
        .from(seals)
        .all()
        .map((r) => [r.serial, r.at.getTime()]),
    );
    expect(issuedAt[s["Gator Kids Watch 2 2.9.4"]]).toBeLessThan(issuedAt[s["Brightnest Indoor Cam 1 1.9.2"]]);
    expect(issuedAt[s["Brightnest Indoor Cam 1 1.9.2"]]).toBeLessThan(issuedAt[s["Brightnest Smart Speaker 1.0.3"]]);
    expect(issuedAt[s["Brightnest Smart Speaker 1.0.3"]]).toBeLessThan(issuedAt[s["Gator Kids Watch 3 3.1.0"]]);
    expect(issuedAt[s["Gator Kids Watch 3 3.1.0"]]).toBeLessThan(issuedAt[s["Brightnest Smart Plug 1.2.0"]]);
  });
});

describe("an append with the clock set earlier than the last leaf", () => {
  const last = () => db().select().from(logLeaves).orderBy(desc(logLeaves.leafIndex)).limit(1).get()!;

  it("is dated at the last leaf's time, and so is the time its entry states (clamped, not refused)", () => {
    const before = last();
    testClock.set(before.at.getTime() - 30 * 24 * 3600_000); // a month back
    const stated = new Date(before.at.getTime() - 30 * 24 * 3600_000).toISOString();
    const index = transaction((tx) => appendLog(tx, { event: "test", serial: "IOTS-TEST-0001", at: stated }));
    const leaf = last();
    expect(leaf.leafIndex).toBe(index);
    expect(leaf.leafIndex).toBe(before.leafIndex + 1);
    expect(leaf.at.getTime()).toBe(before.at.getTime());
    expect(JSON.parse(leaf.data).at).toBe(before.at.toISOString());
  });

  it("through a real seal change too (a revocation is not lost to a clock that stepped back)", () => {
    const before = last();
    testClock.set(before.at.getTime() - 5_000);
    const serial = demoSealSerials()["Brightnest Smart Speaker 1.0.3"];
    transaction((tx) =>
      applySealAction(tx, { system: "test" }, { serial, action: "suspend", reason: "Clock test suspension." }),
    );
    const leaf = last();
    expect(leaf.leafIndex).toBe(before.leafIndex + 1);
    expect(leaf.at.getTime()).toBeGreaterThanOrEqual(before.at.getTime());
    expect(Date.parse(JSON.parse(leaf.data).at)).toBeGreaterThanOrEqual(before.at.getTime());
  });

  it("a clock ahead of the last leaf is used as it is", () => {
    const before = last();
    testClock.set(before.at.getTime() + 60_000);
    const stated = new Date(before.at.getTime() + 60_000).toISOString();
    transaction((tx) => appendLog(tx, { event: "test", serial: "IOTS-TEST-0002", at: stated }));
    expect(last().at.getTime()).toBe(before.at.getTime() + 60_000);
    expect(JSON.parse(last().data).at).toBe(stated);
    const all = leaves();
    for (let i = 1; i < all.length; i++) expect(all[i].at).toBeGreaterThanOrEqual(all[i - 1].at);
  });
});

describe("the rule (domain/log-time.ts)", () => {
  it("clamps the leaf time and a stated entry time to the previous leaf's, and leaves the rest", () => {
    expect(leafTime(1000, null)).toBe(1000);
    expect(leafTime(1000, 2000)).toBe(2000);
    expect(leafTime(3000, 2000)).toBe(3000);
    const at = new Date(1000).toISOString();
    expect(entryNotBefore({ at }, 2000, 2000)).toEqual({ at: new Date(2000).toISOString() });
    expect(entryNotBefore({ at }, 500, 1000)).toEqual({ at });
    expect(entryNotBefore({ at }, null, 1000)).toEqual({ at });
    expect(entryNotBefore({ at: "not a date" }, 2000, 2000)).toEqual({ at: "not a date" });
    expect(entryNotBefore({ event: "x" }, 2000, 2000)).toEqual({ event: "x" });
  });
});
