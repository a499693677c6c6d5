// A superseded seal in the signed status lists: one superseded while suspended (an overdue report,
// say, then a re-certification of the new firmware) stays in the suspension list, so an offline
// verifier holding the lists does not read the old firmware as valid again; one superseded while
// active sets no bit (it stays a true statement about the old firmware). The online answers say
// "superseded" either way. And the expiry sweep checks each seal again inside its transaction.
import { and, eq } from "drizzle-orm";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { sealEvents } from "../../../db/schema";
import { testClock } from "../../../app/platform/clock.server";
import { db, transaction } from "../../../app/platform/db.server";
import { getEnv } from "../../../app/platform/env.server";
import { signingKeys } from "../../../app/features/trust/adapters/signing-keys.server";
import { verifySealSignature } from "../../../app/features/trust/domain/credential";
import { statusFromLists, verifyStatusListCredential } from "../../../app/features/trust/domain/status-credential";
import {
  applySealAction,
  noteSealExpiry,
  restateSuspension,
  statusBitstring,
  statusListCredential,
  sweepExpiredSeals,
} from "../../../app/features/trust/seal-status.server";
import { sealBySerial } from "../../../app/features/certification/seals.server";
import { verifySerial } from "../../../app/features/trust/verify.server";
import { demoSealSerials } from "../../../app/demo/seed-seals.server";
import { seedDemoData } from "../../support/demo-seed";
import type { SealAction } from "../../../app/features/trust/domain/seal-state";

const actor = { system: "test:status-lists" } as const;
let serials: Record<string, string>;

beforeAll(async () => {
  await seedDemoData();
  serials = demoSealSerials();
});
afterEach(() => testClock.reset());

const act = (serial: string, action: SealAction, supersededBy?: string) =>
  transaction((tx) =>
    applySealAction(tx, actor, {
      serial,
      action,
      reason: `Test: ${action}.`,
      ...(supersededBy ? { supersededBy } : {}),
    }),
  );

/** The seal's bits as an offline verifier reads them: from the signed lists, checked under the JWKS. */
async function signedBits(serial: string) {
  const jwks = signingKeys(getEnv().dataDir).jwks().keys;
  const check = await verifySealSignature(sealBySerial(serial)!.credential, jwks);
  if (!check.ok) throw new Error("stored credential does not verify");
  const lists = [];
  for (const id of ["revocation-1", "suspension-1"]) {
    const list = await verifyStatusListCredential((await statusListCredential(id))!.jws, jwks);
    if (!list.ok) throw new Error(list.message);
    lists.push(list);
  }
  return statusFromLists(check.credential, lists);
}

describe("a superseded seal in the status lists", () => {
  it("keeps its suspension bit when it was suspended at supersession; online it is superseded", async () => {
    const cam = serials["Brightnest Indoor Cam 1 1.9.2"]; // suspended in the demo
    const successor = serials["Brightnest Smart Speaker 1.0.3"];
    expect(sealBySerial(cam)!.state).toBe("suspended");
    act(cam, "supersede", successor);
    expect(sealBySerial(cam)!.state).toBe("superseded");
    expect(await signedBits(cam)).toEqual({ revoked: false, suspended: true });
    expect(statusBitstring("suspension").get(sealBySerial(cam)!.suspensionIndex)).toBe(true);
    expect(await verifySerial(cam)).toMatchObject({ status: "superseded" });
    // Another seal superseded while active, the newest suspension event being the camera's: each
    // seal's own events decide (a query comparing a column with itself once set every bit).
    const watch2 = serials["Gator Kids Watch 2 2.9.4"];
    act(watch2, "supersede", successor);
    expect(await signedBits(watch2)).toEqual({ revoked: false, suspended: false });
  });

  it("counts a restated suspension as a suspension", async () => {
    const watch = serials["Gator Kids Watch 3 3.1.0"];
    act(watch, "suspend");
    transaction((tx) =>
      restateSuspension(tx, actor, { serial: watch, reason: "Test: another ground.", cause: "test:restated" }),
    );
    act(watch, "supersede", serials["Brightnest Smart Speaker 1.0.3"]);
    expect(await signedBits(watch)).toEqual({ revoked: false, suspended: true });
    // Revoked afterwards: in the revocation list only, as any revoked seal.
    act(watch, "revoke");
    expect(await signedBits(watch)).toEqual({ revoked: true, suspended: false });
  });

  it("sets no bit for a seal superseded while active, even one suspended and reinstated before", async () => {
    const speaker = serials["Brightnest Smart Speaker 1.0.3"];
    act(speaker, "suspend");
    expect(await signedBits(speaker)).toEqual({ revoked: false, suspended: true });
    act(speaker, "reinstate");
    act(speaker, "supersede", serials["Brightnest Indoor Cam 1 1.9.2"]);
    expect(await signedBits(speaker)).toEqual({ revoked: false, suspended: false });
    expect(statusBitstring("suspension").get(sealBySerial(speaker)!.suspensionIndex)).toBe(false);
    expect(await verifySerial(speaker)).toMatchObject({ status: "superseded" });
  });
});

describe("noting expiry", () => {
  const expiredEvents = (serial: string) =>
    db()
      .select()
      .from(sealEvents)
      .where(and(eq(sealEvents.serial, serial), eq(sealEvents.kind, "expired")))
      .all();

  it("re-checks the seal inside its transaction: a seal revoked since the sweep selected it gets no expired event", () => {
    const cam = serials["Brightnest Indoor Cam 1 1.9.2"]; // superseded above
    testClock.set(sealBySerial(cam)!.validUntil.getTime() + 1000);
    // As if another process revoked it between the sweep's selection and the seal's transaction.
    act(cam, "revoke");
    expect(transaction((tx) => noteSealExpiry(tx, actor, cam))).toBe(false);
    expect(expiredEvents(cam)).toEqual([]);
    expect(sweepExpiredSeals(actor)).not.toContain(cam);
    expect(expiredEvents(cam)).toEqual([]);
  });

  it("notes a superseded seal's expiry once, and nothing before its date", () => {
    const speaker = serials["Brightnest Smart Speaker 1.0.3"]; // superseded above
    const validUntil = sealBySerial(speaker)!.validUntil.getTime();
    testClock.set(validUntil - 1000);
    expect(transaction((tx) => noteSealExpiry(tx, actor, speaker))).toBe(false);
    testClock.set(validUntil + 1000);
    expect(transaction((tx) => noteSealExpiry(tx, actor, speaker))).toBe(true);
    expect(transaction((tx) => noteSealExpiry(tx, actor, speaker))).toBe(false); // noted already
    expect(sweepExpiredSeals(actor)).not.toContain(speaker);
    expect(expiredEvents(speaker)).toHaveLength(1);
  });
});
