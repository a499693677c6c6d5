// The public verify page and seal page (their loaders, called directly): a blank ?serial= is no
// question (the empty form, never zod's raw "Too small" message), an over-long one is said on the
// field; and a suspended seal past its validity period says it will not be valid again.
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { seedDemoData } from "../../support/demo-seed";
import { demoSealSerials } from "../../../app/demo/seed-seals.server";
import { testClock } from "../../../app/platform/clock.server";
import { formatDate } from "../../../app/platform/format";
import { sealBySerial } from "../../../app/features/certification/seals.server";
import { loader as verifyLoader } from "../../../app/routes/verify";
import { loader as sealLoader } from "../../../app/routes/s.$serial._index";

let cam: string; // Brightnest Indoor Cam 1: suspended by the disclosure clock

beforeAll(async () => {
  await seedDemoData();
  cam = demoSealSerials()["Brightnest Indoor Cam 1 1.9.2"];
});
afterEach(() => testClock.reset());

type VerifyData = {
  serial: string;
  serialError: string | null;
  answer: { status: string; reason?: string; validityEnded: boolean } | null;
};
const verify = async (query: string) =>
  (await verifyLoader({
    request: new Request(`http://localhost/verify${query}`),
    params: {},
    context: { ip: "192.0.2.61" },
  } as never)) as unknown as VerifyData;

describe("/verify?serial=", () => {
  it.each(["?serial=", "?serial=%20", "?serial=+++", "?serial=%09", ""])(
    "%s: blank is no serial: the empty form, no error, no answer",
    async (query) => {
      const d = await verify(query);
      expect(d).toMatchObject({ serial: "", serialError: null, answer: null });
    },
  );

  it("an over-long serial is said on the field in words, never as zod's message", async () => {
    const d = await verify(`?serial=${"A".repeat(81)}`);
    expect(d.serialError).toBe(
      "That is too long for a serial (at most 80 characters): check what was typed or scanned.",
    );
    expect(d.answer).toBeNull();
  });

  it("names the checklist level by its title, as the seal page does (not its id)", async () => {
    const d = (await verify(`?serial=${cam}`)) as unknown as { answer: { levelTitle: string | null } };
    const page = (await sealLoader({
      request: new Request(`http://localhost/s/${cam}`),
      params: { serial: cam },
      context: { ip: "192.0.2.62" },
    } as never)) as unknown as { summary: { level: { id: string; title: string } } };
    expect(d.answer.levelTitle).toBe(page.summary.level.title);
    expect(d.answer.levelTitle).not.toBe(page.summary.level.id);
  });

  it("a serial with spaces around it is checked", async () => {
    const d = await verify(`?serial=%20${cam}%20`);
    expect(d.serialError).toBeNull();
    expect(d.answer).toMatchObject({ status: "suspended", validityEnded: false });
  });
});

describe("a suspended seal past its validity period", () => {
  it("the verify page and the seal page say it ended too (no waiting for the suspension to be lifted)", async () => {
    const validUntil = sealBySerial(cam)!.validUntil;
    testClock.set(validUntil.getTime() + 1000);
    const d = await verify(`?serial=${cam}`);
    expect(d.answer!.status).toBe("suspended");
    expect(d.answer!.validityEnded).toBe(true);
    expect(d.answer!.reason).toMatch(
      new RegExp(`Its validity also ended on ${formatDate(validUntil)}: only a new certification can restore it\\.$`),
    );
    const page = (await sealLoader({
      request: new Request(`http://localhost/s/${cam}`),
      params: { serial: cam },
      context: { ip: "192.0.2.62" },
    } as never)) as unknown as { verdict: string; validityEnded: boolean };
    expect(page).toMatchObject({ verdict: "suspended", validityEnded: true });
  });
});
