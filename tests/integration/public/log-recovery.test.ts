// A database restored from a replica that trailed the publication lacks the last log leaves
// verifiers were shown, and start-up refuses it. `npm run log:recover` (recoverLogFromPublication)
// puts them back from the published entry bundles, checked against the published checkpoint, and
// records again the seal events among them: a revocation the public saw stays a revocation. A
// publication that is not this log's leaves the database as it was.
import fs from "node:fs";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { and, desc, eq } from "drizzle-orm";
import { closeDb } from "../../../db/connection";
import { auditEvents, sealEvents, seals } from "../../../db/schema";
import { db, transaction } from "../../../app/platform/db.server";
import { getEnv } from "../../../app/platform/env.server";
import { checkAuditChain } from "../../../app/platform/audit.server";
import { seedDemoData } from "../../../app/demo/seed.server";
import { appendLog, latestCheckpoint, logSize } from "../../../app/features/trust/transparency-log.server";
import { treeRoot } from "../../../app/features/trust/log-tree.server";
import { applySealAction, statusBitstring } from "../../../app/features/trust/seal-status.server";
import { parseCheckpointBody, parseSignatureLines } from "../../../app/features/trust/domain/merkle";
import { entryBundle, parseEntryBundle } from "../../../app/features/trust/domain/tiles";
import { publishArtefacts, publishedLogProblem } from "../../../app/features/public/publication.server";
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
    expect(logAudits()).toHaveLength(1); // the first test's

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
