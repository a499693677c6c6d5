// DB_REPLICA (decision 029): the replica URL forms, the refusals naming the variable, and the
// Litestream config generated from it (no credentials in the file).
import { describe, expect, it } from "vitest";
import { parseEnv } from "../../../app/platform/env";
import { parseReplicaUrl, type ReplicaTarget } from "../../../app/platform/replica-url";
import { litestreamConfig } from "../../../app/platform/replication.server";

describe("DB_REPLICA", () => {
  it("is off when unset", () => {
    const r = parseEnv({});
    expect(r.ok && r.env.dbReplica).toBeUndefined();
  });

  it("takes a file:///absolute directory or s3://bucket/prefix", () => {
    expect(parseReplicaUrl("file:///var/backups/seal/")).toEqual({
      kind: "file",
      url: "file:///var/backups/seal",
      dir: "/var/backups/seal",
    });
    expect(parseReplicaUrl("s3://my-bucket/iot-seal/db/")).toEqual({
      kind: "s3",
      url: "s3://my-bucket/iot-seal/db",
      bucket: "my-bucket",
      prefix: "iot-seal/db",
    });
    const r = parseEnv({ DATA_DIR: "/srv/seal/data", DB_REPLICA: "file:///mnt/other-disk/seal" });
    expect(r.ok && r.env.dbReplica).toMatchObject({ kind: "file", dir: "/mnt/other-disk/seal" });
  });

  it("refuses other forms, naming the variable and what is expected", () => {
    const cases: [string, RegExp][] = [
      ["/var/backups/seal", /is not a URL/],
      ["http://example.com/db", /must be file:\/\/\/<absolute path> or s3:\/\/<bucket>\/<path>/],
      ["file://otherhost/db", /on this machine/],
      ["file:///", /not the file system's root/],
      ["s3://my-bucket", /give a key prefix/],
      ["s3://My_Bucket/db", /is not an S3 bucket name/],
      ["s3://key:secret@my-bucket/db", /AWS_ACCESS_KEY_ID/],
      ["s3://my-bucket/a/../b", /\.\. segments/],
    ];
    for (const [value, message] of cases) {
      const r = parseEnv({ DB_REPLICA: value });
      expect(r.ok, value).toBe(false);
      if (!r.ok)
        expect(
          r.errors.find((e) => e.startsWith("DB_REPLICA: ")),
          value,
        ).toMatch(message);
    }
  });

  it("refuses a file replica inside DATA_DIR: it would be lost with the disk it protects", () => {
    const r = parseEnv({ DATA_DIR: "/srv/seal/data", DB_REPLICA: "file:///srv/seal/data/replica" });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.errors.join("\n")).toMatch(/^DB_REPLICA: is inside DATA_DIR/m);
  });

  it("generates a Litestream config with a 1 s sync interval and no credentials", () => {
    const s3 = parseReplicaUrl("s3://my-bucket/seal") as ReplicaTarget;
    const text = litestreamConfig("/srv/seal/data/iot-seal.db", s3, {
      endpoint: "http://127.0.0.1:9000",
      region: "eu-west-2",
      forcePathStyle: true,
    });
    expect(text).toContain("path: /srv/seal/data/iot-seal.db");
    expect(text).toMatch(
      /type: s3\n\s+bucket: my-bucket\n\s+path: seal\n\s+endpoint: http:\/\/127.0.0.1:9000\n\s+region: eu-west-2\n\s+force-path-style: true/,
    );
    expect(text).toContain("sync-interval: 1s");
    expect(text).not.toMatch(/access-key|secret/);
    const file = litestreamConfig("/d/iot-seal.db", parseReplicaUrl("file:///mnt/r") as ReplicaTarget);
    expect(file).toMatch(/type: file\n\s+path: \/mnt\/r\n\s+sync-interval: 1s/);
  });
});
