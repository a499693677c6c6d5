// Decision record 028: the public artefacts published to an S3 bucket (PUBLISH_TO=s3://bucket/prefix)
// through the evidence store's S3 client (S3_ENDPOINT, S3_REGION, S3_FORCE_PATH_STYLE), against a
// real S3 API: s3rver on 127.0.0.1. Each object carries the Content-Type and Cache-Control the
// portal sends for its path, so a CDN in front of the bucket answers as the portal does.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import S3rver from "s3rver";
import { GetObjectCommand, ListObjectsV2Command } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "iotseal-s3rver-"));
const s3rver = new S3rver({
  port: 0,
  address: "127.0.0.1",
  silent: true,
  directory: dir,
  configureBuckets: [{ name: "verifiers", configs: [] }],
});
const { port } = (await s3rver.run()) as { port: number };
Object.assign(process.env, {
  PUBLISH_TO: "s3://verifiers/seal",
  S3_ENDPOINT: `http://127.0.0.1:${port}`,
  S3_REGION: "us-east-1",
  S3_FORCE_PATH_STYLE: "true",
  AWS_ACCESS_KEY_ID: "S3RVER", // s3rver's fixed credentials
  AWS_SECRET_ACCESS_KEY: "S3RVER",
});

const { getEnv } = await import("../../../app/platform/env.server");
const { seedDemoData } = await import("../../../app/demo/seed.server");
const { demoSealSerials } = await import("../../../app/demo/seed-seals.server");
const { sealPdf } = await import("../../../app/features/certification/seals.server");
const { createS3Client } = await import("../../../app/features/certification/adapters/s3-evidence-store.server");
const { publishArtefacts, publicationHeaderRules, sinkFor } =
  await import("../../../app/features/public/publication.server");
type PublishTarget = import("../../../app/platform/env").PublishTarget;
const { headersFor } = await import("../../../app/features/public/domain/publication");
const { recoverLogFromPublication } = await import("../../../app/features/public/log-recovery.server");
const { db, transaction } = await import("../../../app/platform/db.server");
const { closeDb } = await import("../../../db/connection");
const { appendLog, logSize } = await import("../../../app/features/trust/transparency-log.server");

const client = createS3Client(getEnv().s3);

beforeAll(async () => {
  await seedDemoData();
});
afterAll(async () => {
  client.destroy();
  await s3rver.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

async function object(key: string) {
  const o = await client.send(new GetObjectCommand({ Bucket: "verifiers", Key: `seal/${key}` }));
  return { bytes: Buffer.from(await o.Body!.transformToByteArray()), type: o.ContentType, cache: o.CacheControl };
}

describe("publishing to S3", () => {
  it("puts every artefact under the prefix with the portal's Content-Type and Cache-Control", async () => {
    expect(getEnv().publishTo).toEqual({ kind: "s3", bucket: "verifiers", prefix: "seal" });
    const report = (await publishArtefacts())!;
    expect(report.target).toBe("s3://verifiers/seal");
    expect(report.full).toBe(true);
    const listed = await client.send(new ListObjectsV2Command({ Bucket: "verifiers", Prefix: "seal/", MaxKeys: 1000 }));
    expect(listed.KeyCount).toBe(report.written);

    const rules = publicationHeaderRules();
    const watch = demoSealSerials()["Gator Kids Watch 3 3.1.0"];
    for (const urlPath of [
      "/.well-known/jwks.json",
      "/status/revocation-1",
      "/log/checkpoint",
      `/log/tile/0/000.p/${report.logSize % 256}`,
      `/s/${watch}/credential`,
      `/api/v1/seals/${watch}`,
      "/contexts/seal/v1.jsonld",
    ]) {
      const o = await object(urlPath.slice(1));
      const expected = headersFor(rules, urlPath);
      expect(o.type, urlPath).toBe(expected["Content-Type"]);
      expect(o.cache, urlPath).toBe(expected["Cache-Control"]);
    }
    const pdf = await object(`s/${watch}/seal.pdf`);
    expect(pdf.bytes.equals(sealPdf(watch)!.pdf)).toBe(true);
    expect(pdf.type).toBe("application/pdf");
    expect(pdf.cache).toBe("public, max-age=86400");
  });

  it("a second run puts nothing: the bucket holds every version already", async () => {
    const report = (await publishArtefacts())!;
    expect(report.written).toBe(0);
  });

  it("removes one object, and only it, when a file is taken down", async () => {
    const sink = sinkFor(getEnv().publishTo as Exclude<PublishTarget, { kind: "none" }>);
    await sink.put("zz/one", Buffer.from("1"), { "Content-Type": "text/plain" });
    await sink.put("zz/one-more", Buffer.from("2"), { "Content-Type": "text/plain" });
    await sink.remove("zz/one");
    await sink.remove("zz/never-there"); // none there is fine
    expect(await sink.has("zz/one")).toBe(false);
    expect((await sink.get("zz/one-more"))?.toString()).toBe("2");
    await sink.removeTree("zz");
  });

  it("a database restored behind the bucket gets its lost log leaves back from the bucket's entry bundles", async () => {
    const dbFile = path.join(getEnv().dataDir, "iot-seal.db");
    const trailing = path.join(getEnv().dataDir, "trailing-s3.db");
    await db().$client.backup(trailing);
    const behind = logSize();
    transaction((tx) => appendLog(tx, { event: "test", note: "published to the bucket, then lost" }));
    await publishArtefacts();
    closeDb();
    for (const f of [dbFile, `${dbFile}-wal`, `${dbFile}-shm`]) fs.rmSync(f, { force: true });
    fs.renameSync(trailing, dbFile);
    expect(logSize()).toBe(behind);
    const report = await recoverLogFromPublication({ system: "test" });
    expect(report.target).toBe("s3://verifiers/seal");
    expect(report.recovered.map((e) => e.index)).toEqual([behind]);
    expect(logSize()).toBe(behind + 1);
    expect((await publishArtefacts())!.logSize).toBe(behind + 1);
  });
});
