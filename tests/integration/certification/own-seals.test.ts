// A supplier's own seals (/supplier/seals): every seal of its organisation, expired ones too, with
// the checklist each was issued against and whether its recurring evidence is asked for; never
// another supplier's; not for other roles.
import { beforeAll, describe, expect, it } from "vitest";
import { seedDemoData } from "../../support/demo-seed";
import { listOwnSeals } from "../../../app/features/certification/seals.server";
import { actorByEmail } from "../../support/actors";

const all = { state: "all", q: "" } as const;

beforeAll(async () => {
  await seedDemoData();
}, 120_000);

describe("a supplier's own seals", () => {
  it("lists the organisation's seals only, the expired watch among them, each with its checklist", () => {
    const grace = listOwnSeals(actorByEmail("supplier@demo.test"), all);
    expect(grace.map((s) => s.product).sort()).toEqual(["Gator Kids Watch 2", "Gator Kids Watch 3"]);
    const watch2 = grace.find((s) => s.product === "Gator Kids Watch 2")!;
    expect(watch2).toMatchObject({ verdict: "expired", monitored: false });
    const watch3 = grace.find((s) => s.product === "Gator Kids Watch 3")!;
    expect(watch3).toMatchObject({ verdict: "valid", monitored: true }); // its checklist asks for recurring evidence
    expect(watch3.checklistLabel).toMatch(/3\.1\.3 with continuous monitoring$/);
    const sam = listOwnSeals(actorByEmail("supplier2@demo.test"), all);
    expect(sam.length).toBeGreaterThan(0);
    expect(sam.every((s) => s.supplier !== grace[0].supplier)).toBe(true);
  });

  it("filters by state and text as the staff list does", () => {
    const grace = actorByEmail("supplier@demo.test");
    expect(listOwnSeals(grace, { state: "expired", q: "" }).map((s) => s.product)).toEqual(["Gator Kids Watch 2"]);
    expect(listOwnSeals(grace, { state: "all", q: "watch 3" }).map((s) => s.product)).toEqual(["Gator Kids Watch 3"]);
  });

  it("says update required where buyers see it: the speaker's firmware 1.0.3 has a public advisory fixed in 1.0.4", () => {
    const sam = listOwnSeals(actorByEmail("supplier2@demo.test"), all);
    const speaker = sam.find((s) => s.product === "Brightnest Smart Speaker")!;
    expect(speaker).toMatchObject({ verdict: "valid", firmware: "1.0.3" });
    expect(speaker.updateRequired).toMatchObject({ fixedIn: "1.0.4" });
    expect(speaker.updateRequired!.advisories).toEqual(["IOTSEAL-2026-0004"]);
    // The others have none (the revoked plug, the suspended camera: their verdict says it).
    expect(sam.filter((s) => s.updateRequired).map((s) => s.product)).toEqual(["Brightnest Smart Speaker"]);
  });

  it("is the supplier's: a buyer or an assessor is refused", async () => {
    await expect(async () => listOwnSeals(actorByEmail("buyer@demo.test"), all)).toBeRefused("forbidden");
    await expect(async () => listOwnSeals(actorByEmail("assessor1@demo.test"), all)).toBeRefused("forbidden");
  });
});
