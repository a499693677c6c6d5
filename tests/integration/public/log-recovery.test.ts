// A database restored from a replica that trailed the publication lacks the last log leaves
// verifiers were shown, and start-up refuses it. `npm run log:recover` (recoverLogFromPublication)
// puts them back from the published entry bundles, checked against the published checkpoint, and
// records again the seal events among them: a revocation the public saw stays a revocation. A
// publication that is not this log's leaves the database as it was.
import fs from "node:fs";
import path from "node:path";
import crypto from "node:crypto";
import { beforeAll, describe, expect, it, vi } from "vitest";
import { and, desc, eq, ne } from "drizzle-orm";
import { closeDb } from "../../../db/connection";
import { auditEvents, lostSeals, sealEvents, seals } from "../../../db/schema";
import { db, transaction } from "../../../app/platform/db.server";
import { getEnv } from "../../../app/platform/env.server";
import { checkAuditChain } from "../../../app/platform/audit.server";
import { seedDemoData } from "../../support/demo-seed";
import { appendLog, latestCheckpoint, logSize } from "../../../app/features/trust/transparency-log.server";
import { treeRoot } from "../../../app/features/trust/log-tree.server";
import {
  applySealAction,
  LOST_SEAL_REASON,
  lostSealFacts,
  statusBitstring,
  statusListCredential,
} from "../../../app/features/trust/seal-status.server";
import { verifyCredentialText, verifySerial, verifySerials } from "../../../app/features/trust/verify.server";
import { publicSealView, sealApiView, staffSealView } from "../../../app/features/certification/seals.server";
import { actorByEmail } from "../../support/actors";
import { STATUS_LIST_MIN_ENTRIES } from "../../../app/features/trust/domain/status-list";
import { approveDemoWatchSubmission } from "../../support/submissions";
import { completeRecertification } from "../../../app/features/certification/recertification.server";
import { loadSubmission } from "../../../app/features/certification/submission-records.server";
import { signCredential, unverifiedPayload, type SealCredential } from "../../../app/features/trust/domain/credential";
import { parseCheckpointBody, parseSignatureLines } from "../../../app/features/trust/domain/merkle";
import { entryBundle, parseEntryBundle } from "../../../app/features/trust/domain/tiles";
import { publishArtefacts, publishedLogProblem } from "../../../app/features/public/publication.server";
import { resolveDigitalLink } from "../../../app/features/public/gs1-resolver.server";
import { backgroundSettled } from "../../../app/platform/background.server";
import { LogRecoveryRefused, recoverLogFromPublication } from "../../../app/features/public/log-recovery.server";
import { shutdown, startup, StartupRefusal } from "../../../app/startup.server";

let folder: string;
const dbFile = () => path.join(getEnv().dataDir, "iot-seal.db");
const actor = { system: "test:log-recover" } as const;

beforeAll(async () => {
  delete process.env.PUBLISH_TO; // the default: DATA_DIR/public-artefacts
  folder = path.join(getEnv().dataDir, "public-artefacts");
  await seedDemoData();
  await publishArtefacts();
}, 120_000);

/** A copy of the database as the replica holds it now; `restore()` puts it in place of the live one. */
async function trailingReplica(): Promise<{ restore: () => void }> {
  const copy = path.join(getEnv().dataDir, `trailing-${Date.now()}.db`);
  await db().$client.backup(copy);
  return {
    restore: () => {
      closeDb();
      for (const f of [dbFile(), `${dbFile()}-wal`, `${dbFile()}-shm`]) fs.rmSync(f, { force: true });
      fs.renameSync(copy, dbFile());
    },
  };
}

const publishedSize = () => {
  const note = fs.readFileSync(path.join(folder, "log", "checkpoint"), "utf8");
  return parseCheckpointBody(parseSignatureLines(note)!.body)!;
};
const sealRow = (serial: string) => db().select().from(seals).where(eq(seals.serial, serial)).get()!;
const logAudits = () => db().select().from(auditEvents).where(eq(auditEvents.action, "log.recovered")).all();

describe("npm run log:recover", () => {
  it("puts back the published leaves a trailing restore lost and replays their seal events; the portal starts and its log grows on from the published one", async () => {
    const [a, b] = db().select().from(seals).where(eq(seals.state, "active")).limit(2).all();
    const replica = await trailingReplica();
    const behind = logSize();
    // After the replica's last copy: a revocation, a suspension and an issuance, all published.
    transaction((tx) =>
      applySealAction(tx, actor, { serial: a.serial, action: "revoke", reason: "The firmware signing key leaked." }),
    );
    transaction((tx) =>
      applySealAction(tx, actor, { serial: b.serial, action: "suspend", reason: "A critical finding is open." }),
    );
    transaction((tx) =>
      appendLog(tx, {
        event: "issued",
        serial: "LOST-IN-THE-RESTORE",
        at: new Date().toISOString(),
        credentialSha256: "0".repeat(64),
      }),
    );
    await publishArtefacts();
    expect(publishedSize().treeSize).toBe(behind + 3);
    // The machine is lost; the replica is restored: the three changes are gone here.
    replica.restore();
    expect(logSize()).toBe(behind);
    expect(sealRow(a.serial).state).toBe("active");
    await expect(startup()).rejects.toBeInstanceOf(StartupRefusal);
    await expect(startup()).rejects.toThrow("npm run log:recover");
    const auditBefore = checkAuditChain();

    const report = await recoverLogFromPublication(actor);
    expect(report.publishedSize).toBe(behind + 3);
    expect(report.localSize).toBe(behind);
    expect(report.recovered.map((e) => [e.index, e.event, e.serial, e.replayed])).toEqual([
      [behind, "revoked", a.serial, true],
      [behind + 1, "suspended", b.serial, true],
      [behind + 2, "issued", "LOST-IN-THE-RESTORE", false],
    ]);
    expect(report.recovered[2].message).toContain("no row for it");

    // The log is the published one again: same size, same root, its checkpoint stored.
    expect(logSize()).toBe(behind + 3);
    expect(latestCheckpoint().treeSize).toBe(behind + 3);
    expect(treeRoot(behind + 3).equals(publishedSize().rootHash)).toBe(true);
    expect(await publishedLogProblem()).toBeNull();
    // The seals are as the public was shown, with their history under the recovered leaves.
    expect(sealRow(a.serial).state).toBe("revoked");
    expect(sealRow(b.serial).state).toBe("suspended");
    const lastEvent = (serial: string) =>
      db().select().from(sealEvents).where(eq(sealEvents.serial, serial)).orderBy(desc(sealEvents.id)).get()!;
    expect(lastEvent(a.serial)).toMatchObject({
      kind: "revoked",
      logIndex: behind,
      reason: "The firmware signing key leaked.",
    });
    expect(lastEvent(b.serial)).toMatchObject({ kind: "suspended", logIndex: behind + 1 });
    expect(statusBitstring("revocation").get(sealRow(a.serial).revocationIndex)).toBe(true);
    expect(statusBitstring("suspension").get(sealRow(b.serial).suspensionIndex)).toBe(true);
    // Audited, the chain intact: one entry for the recovery, one per replayed event.
    const chain = checkAuditChain();
    expect(chain.ok).toBe(true);
    expect(chain.checked).toBe(auditBefore.checked + 3);
    const [entry] = logAudits();
    expect(JSON.parse(entry.details)).toMatchObject({ from: behind, to: behind + 3, replayed: [behind, behind + 1] });
    expect(
      db()
        .select()
        .from(auditEvents)
        .where(and(eq(auditEvents.action, "seal.revoked"), eq(auditEvents.targetId, a.serial)))
        .get()?.details,
    ).toContain('"recoveredFromLog":true');

    // Run again: nothing to do.
    expect((await recoverLogFromPublication(actor)).recovered).toEqual([]);
    // The portal starts, and its next leaf extends the published log.
    await startup();
    transaction((tx) => appendLog(tx, { event: "test", note: "after the recovery" }));
    await publishArtefacts();
    expect(publishedSize().treeSize).toBe(behind + 4);
    expect(await publishedLogProblem()).toBeNull();
    await shutdown();
  });

  it("records a seal issued in the lost window as a lost seal: its published credential reads as revoked everywhere, and its status-list positions are never given to another seal", async () => {
    const replica = await trailingReplica();
    const again_ = await trailingReplica(); // the same point, restored a second time below
    const serial = await approveDemoWatchSubmission(); // approved and issued, then published, then lost
    const issued = sealRow(serial);
    await publishArtefacts();
    const publishedAnswer = () =>
      JSON.parse(fs.readFileSync(path.join(folder, "api", "v1", "seals", serial), "utf8")) as { status: string };
    expect(publishedAnswer().status).toBe("valid");
    // The product's GS1 linkset, published under its GTIN as written and as 14 digits, names the new seal.
    const gtin = (unverifiedPayload(issued.credential) as SealCredential).credentialSubject.product.gtin!;
    const linksets = [gtin, gtin.padStart(14, "0")].map((g) => path.join(folder, "01", g));
    for (const f of linksets) expect(fs.readFileSync(f, "utf8")).toContain(serial);
    replica.restore();
    expect(db().select().from(seals).where(eq(seals.serial, serial)).get()).toBeUndefined();
    expect(await verifySerial(serial)).toMatchObject({ status: "not_found" });
    const auditBefore = checkAuditChain().checked;

    const report = await recoverLogFromPublication(actor);
    const published = report.publishedSize!;
    const entry = report.recovered.find((e) => e.serial === serial)!;
    expect(entry).toMatchObject({
      index: issued.issuedLogIndex,
      event: "issued",
      replayed: false,
      lostSeal: { serial, revokedLogIndex: published },
    });
    expect(entry.message).toContain("recorded as a lost seal, revoked by leaf");
    // Its revocation is a new leaf after the published ones; the lost seal is recorded once.
    expect(logSize()).toBe(published + 1);
    expect(db().select().from(lostSeals).all()).toEqual([
      expect.objectContaining({
        serial,
        credential: issued.credential,
        revocationIndex: issued.revocationIndex,
        suspensionIndex: issued.suspensionIndex,
        issuedLogIndex: issued.issuedLogIndex,
        revokedLogIndex: published,
        reason: LOST_SEAL_REASON,
      }),
    ]);
    expect(checkAuditChain()).toMatchObject({ ok: true, checked: auditBefore + 2 }); // the revocation, the recovery
    expect(JSON.parse(logAudits().at(-1)!.details).lostSeals).toEqual([{ serial, revokedLogIndex: published }]);

    // Revoked wherever it is checked: the status list, by serial, by credential, in bulk, its page and its API answer.
    expect(statusBitstring("revocation").get(issued.revocationIndex)).toBe(true);
    expect(statusBitstring("suspension").get(issued.suspensionIndex)).toBe(false);
    expect(await verifySerial(serial)).toMatchObject({ status: "revoked", reason: LOST_SEAL_REASON });
    expect(await verifyCredentialText(issued.credential)).toMatchObject({ status: "revoked", serial });
    expect((await verifySerials([serial]))[0]).toMatchObject({ status: "revoked", firmware: expect.any(String) });
    expect(await publicSealView(serial)).toMatchObject({
      verdict: "revoked",
      events: [
        { kind: "issued", logIndex: issued.issuedLogIndex },
        { kind: "revoked", logIndex: published, reason: LOST_SEAL_REASON },
      ],
      hasPdf: false,
    });
    expect(await sealApiView(serial)).toMatchObject({ verdict: "revoked", reason: LOST_SEAL_REASON });
    // Staff see it too (its row is gone): revoked, nothing to change.
    expect(await staffSealView(actorByEmail("assessor1@demo.test"), serial)).toMatchObject({
      verdict: "revoked",
      state: "revoked",
      actions: [],
      submissionId: null,
      events: [{ kind: "issued" }, { kind: "revoked", by: "log recovery" }],
    });
    // Run again: nothing to do, nothing recorded twice.
    expect((await recoverLogFromPublication(actor)).recovered).toEqual([]);

    // The portal starts; its next publication says so too (the list with its bit, the answer revoked).
    await startup();
    await backgroundSettled(30_000); // the start-up's own publication run, if one began
    await publishArtefacts();
    expect(publishedAnswer().status).toBe("revoked");
    // Its product's linkset no longer names it: rewritten for the seal in force, or taken down when none is left.
    for (const f of linksets) if (fs.existsSync(f)) expect(fs.readFileSync(f, "utf8")).not.toContain(serial);
    expect(
      await resolveDigitalLink(`/01/${gtin.padStart(14, "0")}`, new URLSearchParams("linkType=linkset"), null),
    ).toMatchObject(fs.existsSync(linksets[1]) ? { kind: "linkset" } : { kind: "error", status: 404 });
    const list = await statusListCredential("revocation-1");
    expect(fs.readFileSync(path.join(folder, "status", "revocation-1"), "utf8")).toBe(list!.jws);
    expect(await publishedLogProblem()).toBeNull();
    expect(publishedSize().treeSize).toBe(published + 1); // the revocation's leaf is published too

    // The same replica restored once more: the published revocation is recovered and reused, not appended again.
    await shutdown();
    again_.restore();
    const second = await recoverLogFromPublication(actor);
    expect(second.recovered.find((e) => e.serial === serial && e.event === "issued")).toMatchObject({
      lostSeal: { serial, revokedLogIndex: published },
    });
    expect(logSize()).toBe(published + 1);
    expect(db().select().from(lostSeals).all()).toEqual([
      expect.objectContaining({ serial, revokedLogIndex: published, reason: LOST_SEAL_REASON }),
    ]);
    expect(await verifySerial(serial)).toMatchObject({ status: "revoked", reason: LOST_SEAL_REASON });
    await startup();

    // The submission (its approval lost with the seal) is approved again: a new seal, under a new
    // serial and never in the lost seal's positions, even when the random draw lands on them.
    // The positions the draw lands on after the lost seal's: the first free ones from 7 and 8 (a demo
    // seal drawn at random may hold 8: then a fixed 8 would be refused and the test would fail).
    const used = (purpose: "revocationIndex" | "suspensionIndex") =>
      new Set(
        [
          ...db().select({ i: seals[purpose] }).from(seals).all(),
          ...db().select({ i: lostSeals[purpose] }).from(lostSeals).all(),
        ].map((r) => r.i),
      );
    const firstFree = (from: number, taken: Set<number>) => {
      let i = from;
      while (taken.has(i)) i++;
      return i;
    };
    const nextRevocation = firstFree(7, used("revocationIndex"));
    const nextSuspension = firstFree(8, used("suspensionIndex"));
    const plan = [issued.revocationIndex, nextRevocation, issued.suspensionIndex, nextSuspension].map(
      (i) => (i * 2 ** 31) / STATUS_LIST_MIN_ENTRIES,
    );
    const randomInt = crypto.randomInt.bind(crypto) as (min: number, max: number) => number;
    const spy = vi
      .spyOn(crypto, "randomInt")
      .mockImplementation(((min: number, max: number) =>
        min === 0 && max === 2 ** 31 && plan.length ? plan.shift()! : randomInt(min, max)) as typeof crypto.randomInt);
    let again: string;
    try {
      again = await approveDemoWatchSubmission();
    } finally {
      spy.mockRestore();
    }
    expect(plan).toEqual([]);
    expect(again).not.toBe(serial);
    expect(sealRow(again)).toMatchObject({
      revocationIndex: nextRevocation,
      suspensionIndex: nextSuspension,
      state: "active",
    });
    expect(await verifySerial(again)).toMatchObject({ status: "valid" });
    expect(await verifySerial(serial)).toMatchObject({ status: "revoked" });

    // A seal the lost one had replaced (a re-certification) is replaced by the next re-certification's seal instead.
    const older = db().select().from(seals).where(eq(seals.state, "active")).limit(1).get()!;
    transaction((tx) =>
      applySealAction(tx, actor, {
        serial: older.serial,
        action: "supersede",
        reason: `Replaced by seal ${serial}.`,
        supersededBy: serial,
      }),
    );
    const submission = { ...loadSubmission(db(), sealRow(again).submissionId), recertifiesSerial: older.serial };
    transaction((tx) => completeRecertification(tx, actor, submission, again));
    expect(sealRow(older.serial)).toMatchObject({ state: "superseded", supersededBy: again });
    const last = db()
      .select()
      .from(sealEvents)
      .where(eq(sealEvents.serial, older.serial))
      .orderBy(desc(sealEvents.id))
      .get()!;
    expect(last).toMatchObject({ kind: "superseded", logIndex: logSize() - 1 });
    expect(last.reason).toContain(`Seal ${serial}, which replaced it first, was lost`);
    expect(await publicSealView(older.serial)).toMatchObject({ supersededBy: again });
    await shutdown();
  });

  it("uses a published credential only when it is the one the leaf logged, signed by this portal, for that serial", async () => {
    const seal = db().select().from(seals).limit(1).get()!;
    const leaf = {
      index: seal.issuedLogIndex,
      serial: seal.serial,
      at: seal.issuedAt.toISOString(),
      credentialSha256: crypto.createHash("sha256").update(seal.credential).digest("hex"),
    };
    expect(await lostSealFacts(leaf, seal.credential)).toMatchObject({
      ok: true,
      facts: { serial: seal.serial, revocationIndex: seal.revocationIndex, suspensionIndex: seal.suspensionIndex },
    });
    // Another credential than the logged one.
    const other = db().select().from(seals).where(ne(seals.serial, seal.serial)).limit(1).get()!;
    expect(await lostSealFacts(leaf, other.credential)).toMatchObject({
      ok: false,
      message: expect.stringMatching(/SHA-256 differs/),
    });
    // The logged hash of a credential signed with a key that is not this portal's.
    const { privateKey } = crypto.generateKeyPairSync("ed25519");
    const foreign = signCredential(unverifiedPayload(seal.credential) as SealCredential, privateKey, "not-ours");
    const foreignLeaf = { ...leaf, credentialSha256: crypto.createHash("sha256").update(foreign).digest("hex") };
    expect(await lostSealFacts(foreignLeaf, foreign)).toMatchObject({
      ok: false,
      message: expect.stringMatching(/does not verify/),
    });
    // This portal's credential, logged, but under another serial's leaf.
    const misfiled = { ...leaf, serial: other.serial };
    expect(await lostSealFacts(misfiled, seal.credential)).toMatchObject({
      ok: false,
      message: expect.stringMatching(/not for this serial/),
    });
  });

  it("refuses published entries that do not make the published tree, or that differ from the leaves here, and writes nothing", async () => {
    const replica = await trailingReplica();
    const behind = logSize();
    transaction((tx) => appendLog(tx, { event: "test", note: "published, then lost" }));
    transaction((tx) => appendLog(tx, { event: "test", note: "published, then lost too" }));
    await publishArtefacts();
    replica.restore();
    const size = behind + 2;
    const bundleFile = path.join(folder, "log", "tile", "entries", `000.p`, String(size));
    expect(size).toBeLessThan(256); // the demo log fits one tile: its partial bundle of the published size
    const original = fs.readFileSync(bundleFile);
    const entries = parseEntryBundle(original)!;
    const audits = checkAuditChain().checked;

    // A lost entry altered (its index kept): its tree is not the checkpoint's.
    const forged = [...entries];
    forged[size - 1] = Buffer.from(forged[size - 1].toString("utf8").replace("lost too", "never said"));
    fs.writeFileSync(bundleFile, entryBundle(forged));
    await expect(recoverLogFromPublication(actor)).rejects.toThrow(LogRecoveryRefused);
    await expect(recoverLogFromPublication(actor)).rejects.toThrow("root differs");
    expect(logSize()).toBe(behind);

    // A leaf this database has, published otherwise: the logs have forked.
    const other = [...entries];
    other[0] = Buffer.from(other[0].toString("utf8").replace(/"event":"[a-z]+"/, '"event":"forked"'));
    fs.writeFileSync(bundleFile, entryBundle(other));
    await expect(recoverLogFromPublication(actor)).rejects.toThrow("is not this database's leaf 0");

    // The bundle missing altogether.
    fs.rmSync(bundleFile);
    await expect(recoverLogFromPublication(actor)).rejects.toThrow("has no entry bundle for leaves 0..");
    expect(logSize()).toBe(behind);
    expect(checkAuditChain().checked).toBe(audits);
    expect(logAudits()).toHaveLength(2); // the earlier tests'

    // With the published bundle back, it recovers.
    fs.mkdirSync(path.dirname(bundleFile), { recursive: true });
    fs.writeFileSync(bundleFile, original);
    expect((await recoverLogFromPublication(actor)).recovered.map((e) => [e.index, e.replayed, e.message])).toEqual([
      [behind, false, "not a seal event"],
      [behind + 1, false, "not a seal event"],
    ]);
    expect(logSize()).toBe(size);
    expect(await publishedLogProblem()).toBeNull();
  });
});
