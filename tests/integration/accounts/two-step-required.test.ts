// TWO_STEP_REQUIRED_FOR: an operator requires two-step login of some roles (here assessors, administrators and
// suppliers). Their users without it are sent to set it up from every page but that one, refused by the JSON
// endpoints, and cannot turn it off; other roles are not asked; an administrator can still turn it off (a lost
// phone), and the user is then sent to set it up again.
process.env.TWO_STEP_REQUIRED_FOR = "assessor, admin,supplier"; // read lazily, at the first getEnv()

import * as OTPAuth from "otpauth";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { resetRateLimits, startLogin } from "../../../app/features/accounts/auth.server";
import { requireUser, setSessionCookie } from "../../../app/features/accounts/session.server";
import {
  adminTurnOffTwoStep,
  beginTwoStep,
  confirmTwoStep,
  finishLogin,
  pendingTwoStepKey,
  turnOffTwoStep,
  twoStepAdoption,
} from "../../../app/features/accounts/two-step.server";
import { DEMO_PASSWORD } from "../../../app/demo/seed.server";
import { seedDemoData } from "../../support/demo-seed";
import { getEnv } from "../../../app/platform/env.server";
import { testClock } from "../../../app/platform/clock.server";
import { actorByEmail, admin, DEMO_EMAILS } from "../../support/actors";
import { sessionCookie, startFastRoutes, type TestServer } from "../../support/http";

let server: TestServer;
beforeAll(async () => {
  await seedDemoData({ seals: false });
  server = await startFastRoutes();
});
afterAll(() => server.close());
afterEach(() => resetRateLimits());

const page = (path: string, cookie: string) => new Request(`http://localhost${path}`, { headers: { Cookie: cookie } });
/** Where requireUser sends the request (null: it lets it through). */
async function sentTo(path: string, cookie: string): Promise<string | null> {
  try {
    await requireUser(page(path, cookie));
    return null;
  } catch (e) {
    if (e instanceof Response) return e.headers.get("Location");
    throw e;
  }
}

describe("TWO_STEP_REQUIRED_FOR", () => {
  it("is read as a list of roles, and a name that is no role is refused naming the variable", async () => {
    expect(getEnv().twoStepRequiredFor).toEqual(["assessor", "admin", "supplier"]);
    const { parseEnv } = await import("../../../app/platform/env");
    const bad = parseEnv({ TWO_STEP_REQUIRED_FOR: "assessor,auditor" });
    expect(bad.ok).toBe(false);
    expect(!bad.ok && bad.errors.join("\n")).toMatch(/TWO_STEP_REQUIRED_FOR.*names no role: auditor/);
  });

  it("sends a required role without it to the setup page from every other page; other roles are not asked", async () => {
    const asha = await sessionCookie(DEMO_EMAILS.asha, "192.0.2.71");
    expect(await sentTo("/assessor", asha)).toBe("/account/two-step");
    expect(await sentTo("/account", asha)).toBe("/account/two-step");
    expect(await sentTo("/account/two-step", asha)).toBeNull();
    const buyer = await sessionCookie(DEMO_EMAILS.buyer, "192.0.2.72");
    expect(await sentTo("/retailer", buyer)).toBeNull();
  });

  it("the JSON endpoints refuse a user who must set it up first", async () => {
    const grace = await sessionCookie(DEMO_EMAILS.grace, "192.0.2.73");
    const res = await fetch(`${server.base}/supplier/submissions/any/evidence?ref=1`, {
      method: "POST",
      headers: { Cookie: grace, "Content-Type": "multipart/form-data; boundary=x" },
      body: "--x--\r\n",
    });
    expect(res.status).toBe(403);
    expect(await res.json()).toEqual({
      ok: false,
      message: "Set up two-step login first, on your account page: /account/two-step.",
    });
  });

  it("once set up, every page opens; its user cannot turn it off, an administrator can (and the user is asked again)", async () => {
    const t0 = Date.parse("2031-06-01T09:00:00Z");
    testClock.set(t0);
    try {
      const bram = actorByEmail(DEMO_EMAILS.bram);
      beginTwoStep(bram);
      const secret = new OTPAuth.TOTP({ secret: OTPAuth.Secret.fromBase32(pendingTwoStepKey(bram)!.secret) });
      const { recoveryCodes } = await confirmTwoStep(bram, null, {
        code: secret.generate({ timestamp: t0 }),
        password: DEMO_PASSWORD,
      });
      const r = await startLogin({ email: DEMO_EMAILS.bram, password: DEMO_PASSWORD }, { ip: "192.0.2.74" });
      if (!("secondStep" in r)) throw new Error("no second step");
      const started = finishLogin(
        r.secondStep.token,
        { code: secret.generate({ timestamp: t0 + 30_000 }) },
        {
          ip: "192.0.2.74",
        },
      );
      const cookie = (await setSessionCookie(started.token)).split(";")[0];
      expect(await sentTo("/assessor", cookie)).toBeNull();
      await expect(turnOffTwoStep(bram, { password: DEMO_PASSWORD, code: recoveryCodes[0] })).toBeRefused(
        "forbidden",
        "Two-step login is required for assessors here: it cannot be turned off. Make new recovery codes if you need them.",
      );
      adminTurnOffTwoStep(admin(), bram.userId, { confirmed: true });
      expect(await sentTo("/assessor", cookie)).toBe("/account/two-step");
    } finally {
      testClock.reset();
    }
  });

  it("the administrator's dashboard counts who has it on, per role, against who must", async () => {
    const before = twoStepAdoption(admin());
    expect(before.assessor).toEqual({ accounts: 2, on: 0, required: true });
    expect(before.retailer).toEqual({ accounts: 1, on: 0, required: false });
    const t0 = Date.parse("2031-06-02T09:00:00Z");
    testClock.set(t0);
    try {
      const asha = actorByEmail(DEMO_EMAILS.asha);
      beginTwoStep(asha);
      const secret = new OTPAuth.TOTP({ secret: OTPAuth.Secret.fromBase32(pendingTwoStepKey(asha)!.secret) });
      // A setup begun and not confirmed is not two-step login yet.
      beginTwoStep(actorByEmail(DEMO_EMAILS.buyer));
      expect(twoStepAdoption(admin()).retailer.on).toBe(0);
      await confirmTwoStep(asha, null, { code: secret.generate({ timestamp: t0 }), password: DEMO_PASSWORD });
    } finally {
      testClock.reset();
    }
    const after = twoStepAdoption(admin());
    expect(after.assessor).toEqual({ accounts: 2, on: 1, required: true });
    expect(after.admin.on).toBe(0);
    // Only an administrator sees it.
    await expect(async () => twoStepAdoption(actorByEmail(DEMO_EMAILS.asha))).toBeRefused("forbidden");
  });
});
