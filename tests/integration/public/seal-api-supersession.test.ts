// The JSON API says which seal replaced a superseded one, as its HTML page links it: GET
// /api/v1/seals/<serial> and POST /api/v1/verify answer `supersededBy` (the seal that replaced this
// one) and `supersedes` (the one it replaced), null when there is none. Against a real database and
// the real fast routes on 127.0.0.1: Gator Kids Watch 3's seal (firmware 3.1.0) superseded by the
// seal of its 3.2.0 submission (approved here).
import { beforeAll, afterAll, describe, expect, it } from "vitest";
import { seedDemoData } from "../../support/demo-seed";
import { demoSealSerials } from "../../../app/demo/seed-seals.server";
import { sealBySerial } from "../../../app/features/certification/seals.server";
import { applySealAction } from "../../../app/features/trust/seal-status.server";
import { isValidSerial } from "../../../app/features/trust/domain/serial";
import { verifySerial } from "../../../app/features/trust/verify.server";
import { transaction } from "../../../app/platform/db.server";
import { asha } from "../../support/actors";
import { startFastRoutes, type TestServer } from "../../support/http";
import { approveDemoWatchSubmission } from "../../support/submissions";

let server: TestServer;
let older: string;
let newer: string;

beforeAll(async () => {
  await seedDemoData();
  server = await startFastRoutes();
  older = demoSealSerials()["Gator Kids Watch 3 3.1.0"];
  newer = await approveDemoWatchSubmission();
});
afterAll(async () => {
  await server.close();
});

const seal = async (serial: string) =>
  (await (await fetch(`${server.base}/api/v1/seals/${serial}`)).json()) as Record<string, unknown>;
const verify = async (serial: string) =>
  (await (
    await fetch(`${server.base}/api/v1/verify`, {
      method: "POST",
      headers: { "Content-Type": "text/plain" },
      body: sealBySerial(serial)!.credential,
    })
  ).json()) as Record<string, unknown>;

it("the seal API names the SHA-256 of the certificate PDF as issued (what verify-seal compares a PDF with)", async () => {
  const stored = sealBySerial(older)!;
  expect(stored.pdfSha256).toMatch(/^[0-9a-f]{64}$/);
  expect(await seal(older)).toMatchObject({ pdfSha256: stored.pdfSha256 });
});

describe("supersededBy and supersedes in the seal API and the verify API", () => {
  it("null for a seal that neither replaced nor was replaced", async () => {
    expect(await seal(older)).toMatchObject({ status: "valid", supersededBy: null, supersedes: null });
    expect(await verify(older)).toMatchObject({ status: "valid", supersededBy: null, supersedes: null });
  });

  it("once superseded: the old seal names its successor, the new one its predecessor, in both answers", async () => {
    transaction((tx) =>
      applySealAction(tx, asha(), {
        serial: older,
        action: "supersede",
        reason: "Re-certified as firmware 3.2.0.",
        supersededBy: newer,
      }),
    );
    // The old seal's credential was checked (and kept) by this process before: its successor is read live.
    expect(await seal(older)).toMatchObject({
      serial: older,
      status: "superseded",
      supersededBy: newer,
      supersedes: null,
    });
    expect(await seal(newer)).toMatchObject({ serial: newer, status: "valid", supersededBy: null, supersedes: older });
    expect(await verify(older)).toMatchObject({ status: "superseded", supersededBy: newer, supersedes: null });
    expect(await verify(newer)).toMatchObject({ status: "valid", supersededBy: null, supersedes: older });
  });

  it("an unknown serial answers without them: status not_found and an error, as other API errors have", async () => {
    const res = await fetch(`${server.base}/api/v1/seals/IOTS-0000-0000`);
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ status: "not_found", error: "No seal has this serial." });
  });

  it("a serial whose check character is wrong (a typo) is told apart from one no seal has, as /verify tells it", async () => {
    const typo = `${older.slice(0, -1)}${older.endsWith("0") ? "1" : "0"}`;
    expect(isValidSerial(typo)).toBe(false);
    const notASerial = (await verifySerial(typo)).reason;
    expect(notASerial).toMatch(/^This is not a valid seal serial: check it for a typo/);
    for (const serial of [typo, "hello"]) {
      const res = await fetch(`${server.base}/api/v1/seals/${serial}`);
      expect(res.status).toBe(404);
      expect(await res.json()).toEqual({ status: "not_found", error: notASerial });
    }
  });
});
