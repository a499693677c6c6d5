// The seal-status service against a real database: every change shows in the status lists, the
// API answer, the log (with proofs that verify) and the audit log; revocation is final; expiry is
// noted once; key rotation keeps old seals valid.
import { and, eq, sql } from "drizzle-orm";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { logCheckpoints, logLeaves, sealEvents, seals } from "../../../db/schema";
import { testClock } from "../../../app/platform/clock.server";
import { signingKeys } from "../../../app/features/trust/adapters/signing-keys.server";
import { getEnv } from "../../../app/platform/env.server";
import { verifySealSignature } from "../../../app/features/trust/domain/credential";
import { leafHash, verifyConsistency, verifyInclusion } from "../../../app/features/trust/domain/merkle";
import { statusFromLists, verifyStatusListCredential } from "../../../app/features/trust/domain/status-credential";
import { checkTlogProof, logOrigin, verifyCheckpoint } from "../../../app/features/trust/domain/tlog";
import { checkAuditChain } from "../../../app/platform/audit.server";
import { db } from "../../../app/platform/db.server";
import {
  changeSealStatus,
  statusListCredential,
  sweepExpiredSeals,
} from "../../../app/features/trust/seal-status.server";
import { publicSealView, sealBySerial } from "../../../app/features/certification/seals.server";
import { actorByEmail, asha } from "../../support/actors";
import { demoSealSerials } from "../../../app/demo/seed-seals.server";
import { seedDemoData } from "../../support/demo-seed";
import {
  consistencyProofFor,
  inclusionProofFor,
  latestCheckpoint,
  logSize,
} from "../../../app/features/trust/transparency-log.server";
import { verifySerial } from "../../../app/features/trust/verify.server";

let serials: Record<string, string>;
const jwks = () => signingKeys(getEnv().dataDir).jwks().keys;
const origin = () => logOrigin(getEnv().baseUrl);

async function listBits(serial: string) {
  const seal = sealBySerial(serial)!;
  const check = await verifySealSignature(seal.credential, jwks());
  if (!check.ok) throw new Error("stored credential does not verify");
  const lists = [];
  for (const id of ["revocation-1", "suspension-1"]) {
    const signed = await statusListCredential(id);
    const list = await verifyStatusListCredential(signed!.jws, jwks());
    if (!list.ok) throw new Error(list.message);
    lists.push(list);
  }
  return statusFromLists(check.credential, lists);
}

beforeAll(async () => {
  await seedDemoData();
  serials = demoSealSerials();
});

afterEach(() => testClock.reset());

describe("the demo seals", () => {
  it("are two active (one needing an update), one expired, one suspended, one revoked — each with its PDF", async () => {
    expect(Object.keys(serials).sort()).toEqual([
      "Brightnest Indoor Cam 1 1.9.2",
      "Brightnest Smart Plug 1.2.0",
      "Brightnest Smart Speaker 1.0.3",
      "Gator Kids Watch 2 2.9.4",
      "Gator Kids Watch 3 3.1.0",
    ]);
    const verdicts = await Promise.all(
      Object.values(serials).map(async (s) => [s, (await publicSealView(s))!.verdict]),
    );
    expect(Object.fromEntries(verdicts)).toEqual({
      [serials["Gator Kids Watch 3 3.1.0"]]: "valid",
      [serials["Gator Kids Watch 2 2.9.4"]]: "expired",
      [serials["Brightnest Indoor Cam 1 1.9.2"]]: "suspended",
      [serials["Brightnest Smart Plug 1.2.0"]]: "revoked",
      [serials["Brightnest Smart Speaker 1.0.3"]]: "valid",
    });
    for (const s of Object.values(serials))
      expect(db().select({ sha: seals.pdfSha256 }).from(seals).where(eq(seals.serial, s)).get()!.sha).toMatch(
        /^[0-9a-f]{64}$/,
      );
  });

  it("the status lists say what the database says", async () => {
    expect(await listBits(serials["Gator Kids Watch 3 3.1.0"])).toEqual({ revoked: false, suspended: false });
    expect(await listBits(serials["Brightnest Indoor Cam 1 1.9.2"])).toEqual({ revoked: false, suspended: true });
    expect(await listBits(serials["Brightnest Smart Plug 1.2.0"])).toEqual({ revoked: true, suspended: false });
  });
});

describe("suspend, reinstate, revoke", () => {
  it("a suspension shows at once in the lists, the API and the log; reinstatement clears it", async () => {
    const serial = serials["Gator Kids Watch 3 3.1.0"];
    const before = logSize();
    const { logIndex } = changeSealStatus(asha(), {
      serial,
      action: "suspend",
      reason: "A reported flaw in pairing is being investigated.",
    });
    expect(logIndex).toBe(before);
    expect(await listBits(serial)).toEqual({ revoked: false, suspended: true });
    expect(await verifySerial(serial)).toMatchObject({
      status: "suspended",
      reason: "A reported flaw in pairing is being investigated.",
    });
    const leaf = db().select().from(logLeaves).where(eq(logLeaves.leafIndex, logIndex)).get()!;
    expect(JSON.parse(leaf.data)).toMatchObject({
      event: "suspended",
      serial,
      reason: "A reported flaw in pairing is being investigated.",
    });
    expect(JSON.parse(leaf.data)).not.toHaveProperty("by"); // no user names in the public log

    changeSealStatus(asha(), { serial, action: "reinstate", reason: "The flaw was not reproducible; closed." });
    expect(await listBits(serial)).toEqual({ revoked: false, suspended: false });
    expect((await verifySerial(serial)).status).toBe("valid");
    expect(
      db()
        .select()
        .from(sealEvents)
        .where(eq(sealEvents.serial, serial))
        .all()
        .map((e) => e.kind),
    ).toEqual(["issued", "suspended", "reinstated"]);
    expect(checkAuditChain().ok).toBe(true);
  });

  it("refuses what the lifecycle does not allow, changing nothing", () => {
    const serial = serials["Gator Kids Watch 3 3.1.0"];
    const size = logSize();
    expect(() =>
      changeSealStatus(asha(), { serial, action: "reinstate", reason: "Nothing to reinstate here." }),
    ).toThrow(/Only a suspended seal/);
    expect(() =>
      changeSealStatus(asha(), {
        serial,
        action: "revoke",
        reason: "Typed the wrong serial to confirm.",
        confirmSerial: "IOTS-0000-0000",
      }),
    ).toThrow(/Type the seal's serial/);
    expect(() =>
      changeSealStatus(actorByEmail("supplier@demo.test"), {
        serial,
        action: "suspend",
        reason: "A supplier suspending itself.",
      }),
    ).toThrow(/Only assessors/);
    expect(() =>
      changeSealStatus(actorByEmail("buyer@demo.test"), {
        serial,
        action: "suspend",
        reason: "A buyer suspending a seal.",
      }),
    ).toThrow(/Only assessors/);
    expect(logSize()).toBe(size);
  });

  it("revocation is final", async () => {
    const serial = serials["Brightnest Smart Plug 1.2.0"];
    for (const action of ["reinstate", "suspend", "revoke"] as const) {
      expect(() =>
        changeSealStatus(asha(), { serial, action, reason: "Trying to undo a revocation.", confirmSerial: serial }),
      ).toThrow(/revocation is final/);
    }
    expect((await verifySerial(serial)).status).toBe("revoked");
  });
});

describe("expiry", () => {
  it("is noted once, by the sweeper, when the date passes — however often it runs", async () => {
    const serial = serials["Gator Kids Watch 3 3.1.0"];
    const seal = sealBySerial(serial)!;
    expect(sweepExpiredSeals()).toEqual([]);
    testClock.set(seal.validUntil.getTime() + 1000);
    expect((await verifySerial(serial)).status).toBe("expired");
    expect(sweepExpiredSeals()).toContain(serial); // (and any other seal past its date by then)
    expect(sweepExpiredSeals()).toEqual([]);
    const expired = db()
      .select()
      .from(sealEvents)
      .where(and(eq(sealEvents.serial, serial), eq(sealEvents.kind, "expired")))
      .all();
    expect(expired).toHaveLength(1);
    // The demo's expired seal was noted at seeding, once.
    expect(
      db()
        .select({ n: sql<number>`count(*)` })
        .from(sealEvents)
        .where(and(eq(sealEvents.serial, serials["Gator Kids Watch 2 2.9.4"]), eq(sealEvents.kind, "expired")))
        .get()!.n,
    ).toBe(1);
  });
});

describe("the transparency log", () => {
  it("every leaf's inclusion proof verifies against the latest signed checkpoint", () => {
    const cp = verifyCheckpoint(latestCheckpoint().note, origin(), jwks());
    expect(cp).not.toBeNull();
    expect(cp!.treeSize).toBe(logSize());
    for (let i = 0; i < cp!.treeSize; i++) {
      const p = inclusionProofFor(i);
      expect(p.ok).toBe(true);
      if (!p.ok) continue;
      expect(
        verifyInclusion(
          leafHash(Buffer.from(p.value.leaf)),
          i,
          cp!.treeSize,
          p.value.inclusionProof.map((h) => Buffer.from(h, "base64")),
          cp!.rootHash,
        ),
      ).toBe(true);
    }
  });

  it("every earlier checkpoint is consistent with the latest", () => {
    const n = logSize();
    const latest = verifyCheckpoint(latestCheckpoint().note, origin(), jwks())!;
    for (let m = 1; m < n; m++) {
      const c = consistencyProofFor(m, n);
      expect(c.ok).toBe(true);
      if (!c.ok) continue;
      const older = verifyCheckpoint(c.value.fromCheckpoint!, origin(), jwks())!;
      expect(
        verifyConsistency(
          m,
          n,
          older.rootHash,
          latest.rootHash,
          c.value.proof.map((h) => Buffer.from(h, "base64")),
        ),
      ).toBe(true);
    }
    expect(consistencyProofFor(3, 2)).toMatchObject({ ok: false, status: 400 });
    expect(consistencyProofFor(1, n + 1)).toMatchObject({ ok: false, status: 404 });
  });

  it("each seal's stored proof (the PDF's seal.tlog-proof, C2SP tlog-proof@v1) checks out", () => {
    for (const serial of Object.values(serials)) {
      const row = db().select().from(seals).where(eq(seals.serial, serial)).get()!;
      expect(row.logProof!.startsWith("c2sp.org/tlog-proof@v1\n")).toBe(true);
      expect(
        checkTlogProof(row.logProof!, { jws: row.credential, serial, origin: origin(), jwks: jwks() }),
      ).toMatchObject({ ok: true, leafIndex: row.issuedLogIndex });
    }
  });

  it("leaves and checkpoints cannot be altered or removed", () => {
    expect(() => db().update(logLeaves).set({ data: "{}" }).where(eq(logLeaves.leafIndex, 0)).run()).toThrow(
      /append-only/,
    );
    expect(() => db().delete(logCheckpoints).run()).toThrow(/append-only/);
  });
});

describe("key rotation", () => {
  it("keeps every older seal valid, signs new checkpoints and lists with the new key, and publishes both", async () => {
    const keys = signingKeys(getEnv().dataDir);
    const old = keys.active()!;
    const { active } = await keys.rotate();
    expect(active.kid).not.toBe(old.kid);
    expect(jwks().map((k) => k.kid)).toEqual(expect.arrayContaining([old.kid, active.kid]));
    expect((await verifySerial(serials["Gator Kids Watch 3 3.1.0"])).status).toMatch(/valid|expired/);
    expect((await verifySerial(serials["Brightnest Indoor Cam 1 1.9.2"])).status).toBe("suspended");

    changeSealStatus(actorByEmail("assessor2@demo.test"), {
      serial: serials["Brightnest Indoor Cam 1 1.9.2"],
      action: "reinstate",
      reason: "The supplier shipped a fix; reinstated.",
    });
    const cp = verifyCheckpoint(latestCheckpoint().note, origin(), jwks());
    expect(cp?.kid).toBe(active.kid);
    const list = await verifyStatusListCredential((await statusListCredential("suspension-1"))!.jws, jwks());
    expect(list.ok).toBe(true);
    expect(await listBits(serials["Brightnest Indoor Cam 1 1.9.2"])).toEqual({ revoked: false, suspended: false });
  });
});
