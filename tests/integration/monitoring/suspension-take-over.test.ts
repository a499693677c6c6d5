// A seal the lifecycle sweep suspended can be made staff's own: an assessor with grounds of their
// own keeps it suspended by hand (their public reason, a new log entry), after which the sweep no
// longer lifts it and staff reinstate it once nothing holds it. Against the demo's camera, which
// the sweep suspended for its report past the disclosure deadline.
import { eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { organizations } from "../../../db/schema";
import { db } from "../../../app/platform/db.server";
import { seedDemoData } from "../../support/demo-seed";
import { demoSealSerials } from "../../../app/demo/seed-seals.server";
import {
  automaticHoldOf,
  changeSealStatusByHand,
  mayTakeOverSuspension,
  suspensionOriginOf,
  sweepAutomaticSuspensions,
} from "../../../app/features/monitoring/automatic-suspension.server";
import { createUser } from "../../../app/features/accounts/users.server";
import { declareConflict } from "../../../app/features/accounts/conflicts.server";
import { verifySerial } from "../../../app/features/trust/verify.server";
import { sealBySerial } from "../../../app/features/certification/seals.server";
import { actorByEmail, admin, asha } from "../../support/actors";

let cam: string;
let active: string;
const REASON = "A second, unrelated flaw in the camera's pairing is being investigated.";

beforeAll(async () => {
  await seedDemoData();
  cam = demoSealSerials()["Brightnest Indoor Cam 1 1.9.2"];
  active = demoSealSerials()["Brightnest Smart Speaker 1.0.3"];
});

describe("keeping a seal suspended by hand", () => {
  it("is offered only for a suspension the sweep made, on a seal not past its validUntil", () => {
    expect(suspensionOriginOf(cam)).toBe("automatic");
    expect(mayTakeOverSuspension(cam)).toBe(true);
    expect(mayTakeOverSuspension(active)).toBe(false); // active: an ordinary suspension
  });

  it("refuses an assessor with a conflict of interest with the supplier, and changes nothing", async () => {
    await createUser(admin(), { email: "dana@conflicted.test", name: "Dana Conflicted", role: "assessor" });
    const dana = actorByEmail("dana@conflicted.test");
    const brightnest = db()
      .select()
      .from(organizations)
      .where(eq(organizations.id, sealBySerial(cam)!.organizationId))
      .get()!;
    declareConflict(admin(), { assessorId: dana.userId, organizationId: brightnest.id, reason: "Advises Brightnest." });
    expect(() => changeSealStatusByHand(dana, { serial: cam, action: "suspend", reason: REASON })).toThrow(
      /Another assessor must act on this seal/,
    );
    expect(suspensionOriginOf(cam)).toBe("automatic");
  });

  it("makes the suspension the assessor's: their public reason, and the sweep no longer lifts it", async () => {
    const r = changeSealStatusByHand(asha(), { serial: cam, action: "suspend", reason: REASON });
    expect(r.tookOver).toBe(true);
    expect(suspensionOriginOf(cam)).toBe("manual");
    expect(mayTakeOverSuspension(cam)).toBe(false);
    expect(await verifySerial(cam)).toMatchObject({ status: "suspended", reason: REASON });
    expect(automaticHoldOf(cam)).toMatch(/suspended by a person, so it is not reinstated automatically/);
    // Nothing the sweep does lifts or restates a person's suspension.
    const swept = sweepAutomaticSuspensions();
    expect([...swept.reinstated, ...swept.restated]).not.toContain(cam);
    expect(sealBySerial(cam)!.state).toBe("suspended");
    // A second "suspend" is the ordinary refusal: it is suspended already.
    expect(() => changeSealStatusByHand(asha(), { serial: cam, action: "suspend", reason: REASON })).toThrow(
      /already suspended/i,
    );
  });
});
