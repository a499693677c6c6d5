// The portal never appends to a log that is behind what it published. A database restored from a
// replica that trailed the publication (the machine lost a few seconds after the publisher ran)
// would sign a different tree of a size verifiers were already shown: start-up refuses it, naming
// both sizes and what to do. A published log in agreement, or another installation's (another
// origin, signed by another key), lets it start; this portal's own publication under another
// address (its key, another origin: PUBLIC_URL or PORT changed) does not; a published checkpoint of the same size with another root is reported as
// a fork. A data directory restored without its keys is refused too: the published checkpoint is
// this log's but no key here verifies it, or the published JWKS names a key that keys/ lacks (the
// publisher would drop it, and the seals it signed would stop verifying against the static copy);
// npm run log:recover refuses it too, with the same words.
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { closeDb } from "../../../db/connection";
import { db, transaction } from "../../../app/platform/db.server";
import { getEnv } from "../../../app/platform/env.server";
import { seedDemoData } from "../../support/demo-seed";
import { appendLog, currentLogOrigin, latestCheckpoint } from "../../../app/features/trust/transparency-log.server";
import { signingKeys } from "../../../app/features/trust/adapters/signing-keys.server";
import { checkpointBody, noteKeyId, signatureLine } from "../../../app/features/trust/domain/merkle";
import { publishArtefacts, publishedLogProblem } from "../../../app/features/public/publication.server";
import { shutdown, startup, StartupRefusal } from "../../../app/startup.server";
import { LogRecoveryRefused, recoverLogFromPublication } from "../../../app/features/public/log-recovery.server";

let folder: string;
const checkpointFile = () => path.join(folder, "log", "checkpoint");

beforeAll(async () => {
  delete process.env.PUBLISH_TO; // the default: DATA_DIR/public-artefacts
  folder = path.join(getEnv().dataDir, "public-artefacts");
  await seedDemoData();
}, 120_000);

/** Every published file with its bytes' SHA-256. */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of fs.readdirSync(dir, { recursive: true, withFileTypes: true }))
    if (e.isFile()) {
      const file = path.join(e.parentPath, e.name);
      out[path.relative(dir, file)] = crypto.createHash("sha256").update(fs.readFileSync(file)).digest("hex");
    }
  return out;
}

/** A checkpoint note for `size` and `root`, signed by `key` (raw public key `pub`). */
function note(size: number, root: Buffer, key: crypto.KeyObject, pub: Buffer): string {
  const origin = currentLogOrigin();
  const body = checkpointBody(origin, size, root);
  return `${body}\n${signatureLine(origin, noteKeyId(origin, pub), crypto.sign(null, Buffer.from(body), key))}`;
}

describe("start-up against the published log", () => {
  it("finds nothing wrong when the published log is the database's", async () => {
    await publishArtefacts();
    expect(fs.readFileSync(checkpointFile(), "utf8")).toContain(`\n${latestCheckpoint().treeSize}\n`);
    expect(await publishedLogProblem()).toBeNull();
  });

  it("ignores another log's checkpoint (another origin: another installation's)", async () => {
    const { privateKey, publicKey } = crypto.generateKeyPairSync("ed25519");
    const raw = Buffer.from(publicKey.export({ format: "jwk" }).x!, "base64url");
    const saved = fs.readFileSync(checkpointFile());
    const origin = "seal.elsewhere.example/log";
    const body = checkpointBody(origin, latestCheckpoint().treeSize + 50, crypto.randomBytes(32));
    fs.writeFileSync(
      checkpointFile(),
      `${body}\n${signatureLine(origin, noteKeyId(origin, raw), crypto.sign(null, Buffer.from(body), privateKey))}`,
    );
    expect(await publishedLogProblem()).toBeNull();
    fs.writeFileSync(checkpointFile(), saved);
  });

  it("refuses this portal's own publication under another address (PUBLIC_URL or PORT changed): nothing published over it", async () => {
    const signer = signingKeys(getEnv().dataDir).signerSync();
    const saved = fs.readFileSync(checkpointFile());
    const origin = "seal.old-address.example/log";
    const size = latestCheckpoint().treeSize;
    const body = checkpointBody(origin, size, crypto.randomBytes(32));
    fs.writeFileSync(
      checkpointFile(),
      `${body}\n${signatureLine(origin, noteKeyId(origin, signer.publicKeyRaw), crypto.sign(null, Buffer.from(body), signer.key))}`,
    );
    try {
      const problem = await publishedLogProblem();
      expect(problem).toContain(`The publication at ${folder} is this portal's under another address`);
      expect(problem).toContain(`signed as ${origin} by key ${signer.kid}`);
      expect(problem).toContain(`signs as ${currentLogOrigin()}`);
      expect(problem).toContain("set PUBLIC_URL (or PORT) as it was");
      const before = snapshot(folder);
      await expect(publishArtefacts()).rejects.toThrow("under another address");
      expect(snapshot(folder)).toEqual(before);
    } finally {
      fs.writeFileSync(checkpointFile(), saved);
    }
    expect(await publishedLogProblem()).toBeNull();
  });

  it("refuses this log's checkpoint when no key here verifies it (restored without keys/): no new key, nothing published", async () => {
    const keysDir = path.join(getEnv().dataDir, "keys");
    const aside = path.join(getEnv().dataDir, "keys-aside");
    const jwks = path.join(folder, ".well-known", "jwks.json");
    const publishedJwks = fs.readFileSync(jwks);
    fs.renameSync(keysDir, aside);
    try {
      await new Promise((r) => setTimeout(r, 1_100)); // the key list is looked at again after a second
      const problem = await publishedLogProblem();
      expect(problem).toContain(`The transparency log published at ${folder} is this portal's`);
      expect(problem).toContain("none of the signing keys in");
      expect(problem).toContain("the seals in circulation would stop verifying");
      expect(problem).toContain("Copy keys/ from a backup");
      await expect(startup()).rejects.toBeInstanceOf(StartupRefusal);
      expect(fs.existsSync(keysDir)).toBe(false); // refused before a new key was made
      const before = snapshot(folder);
      await expect(publishArtefacts()).rejects.toThrow("none of the signing keys in");
      expect(snapshot(folder)).toEqual(before);
      expect(fs.readFileSync(jwks)).toEqual(publishedJwks);
      // npm run log:recover says the same and exits 1, not "nothing to recover".
      const leaves = db().$client.prepare("select count(*) as n from log_leaves").get();
      const refusal = recoverLogFromPublication({ system: "test" });
      await expect(refusal).rejects.toBeInstanceOf(LogRecoveryRefused);
      await expect(refusal).rejects.toThrow(/none of the signing keys in .* Copy keys\/ from a backup/);
      expect(db().$client.prepare("select count(*) as n from log_leaves").get()).toEqual(leaves);
      await shutdown();
    } finally {
      fs.rmSync(keysDir, { recursive: true, force: true });
      fs.renameSync(aside, keysDir);
    }
    await new Promise((r) => setTimeout(r, 1_100));
    expect(await publishedLogProblem()).toBeNull();
  });

  it("never publishes a JWKS that drops a key it published", async () => {
    const jwks = path.join(folder, ".well-known", "jwks.json");
    const saved = fs.readFileSync(jwks);
    const doc = JSON.parse(saved.toString("utf8")) as { keys: { kid: string }[] };
    const lost = { ...doc.keys[0], kid: "a-key-this-data-directory-lost" };
    fs.writeFileSync(jwks, JSON.stringify({ keys: [...doc.keys, lost] }));
    const problem = await publishedLogProblem();
    expect(problem).toContain(
      `names a signing key that ${path.join(getEnv().dataDir, "keys")} does not hold (a-key-this-data-directory-lost): publishing now would drop it`,
    );
    const before = snapshot(folder);
    await expect(publishArtefacts()).rejects.toThrow("a-key-this-data-directory-lost");
    expect(snapshot(folder)).toEqual(before);
    fs.writeFileSync(jwks, saved);
    expect(await publishedLogProblem()).toBeNull();
  });

  it("reports a fork: the same size signed by this portal with another root", async () => {
    const signer = signingKeys(getEnv().dataDir).signerSync();
    const saved = fs.readFileSync(checkpointFile());
    const size = latestCheckpoint().treeSize;
    fs.writeFileSync(checkpointFile(), note(size, crypto.randomBytes(32), signer.key, signer.publicKeyRaw));
    expect(await publishedLogProblem()).toMatch(new RegExp(`\\(${size} entries\\) is not this database's log`));
    fs.writeFileSync(checkpointFile(), saved);
  });

  it("refuses to start on a database restored behind the published log, naming both sizes", async () => {
    // The replica's copy: the database as it was.
    const dbFile = path.join(getEnv().dataDir, "iot-seal.db");
    const trailing = path.join(getEnv().dataDir, "trailing-replica.db");
    await db().$client.backup(trailing);
    const behind = latestCheckpoint().treeSize;
    // Two more entries, published; then the machine is lost and the trailing copy restored.
    transaction((tx) => appendLog(tx, { event: "test", note: "published, then lost" }));
    transaction((tx) => appendLog(tx, { event: "test", note: "published, then lost too" }));
    await publishArtefacts();
    closeDb();
    for (const f of [dbFile, `${dbFile}-wal`, `${dbFile}-shm`]) fs.rmSync(f, { force: true });
    fs.renameSync(trailing, dbFile);
    expect(latestCheckpoint().treeSize).toBe(behind);

    const problem = await publishedLogProblem();
    expect(problem).toContain(`has ${behind + 2} entries, this database's log only ${behind}`);
    expect(problem).toContain("would fork the log");
    expect(problem).toContain("remove the published log"); // for a directory reset on purpose
    await expect(startup()).rejects.toBeInstanceOf(StartupRefusal);
    await expect(startup()).rejects.toThrow(`has ${behind + 2} entries`);
    // The publisher (the server's, or npm run artefacts:publish) writes nothing over it either.
    const before = snapshot(folder);
    await expect(publishArtefacts()).rejects.toThrow(`has ${behind + 2} entries`);
    expect(snapshot(folder)).toEqual(before);
    expect(latestCheckpoint().treeSize).toBe(behind); // nothing appended, nothing published over it
    expect(fs.readFileSync(checkpointFile(), "utf8")).toContain(`\n${behind + 2}\n`);
    await shutdown();
  });
});
