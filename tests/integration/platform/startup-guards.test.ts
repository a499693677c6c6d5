// startup(): a public PUBLIC_URL with DEMO_MODE unset is refused before the database is opened (the
// demo's accounts have a published password); with deferBackgroundWorkers the background workers
// wait for the caller (server.mjs starts them once its port is bound), so a process that then
// cannot listen has taken no lease and sent nothing. What the environment names but this machine
// cannot do stops it too, naming the variable: a PUBLISH_TO folder that cannot be made or written
// (even under /proc, where Node's recursive mkdir never returns), a LITESTREAM_BIN that is not
// Litestream 0.3 (it would be restarted forever, replicating nothing), a bucket that does not exist
// (EVIDENCE_STORE, PUBLISH_TO, DB_REPLICA: each is listed once at start).
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { EnvError } from "../../../app/platform/env.server";
import { leaseOf } from "../../../app/platform/leases.server";
import { startup } from "../../../app/startup.server";
import { startS3rver } from "../../support/s3rver";

const ownDataDir = process.env.DATA_DIR!;

describe("startup", () => {
  it("refuses a public PUBLIC_URL with DEMO_MODE unset, naming DEMO_MODE, before opening the database", async () => {
    const elsewhere = fs.mkdtempSync(path.join(os.tmpdir(), "startup-demo-mode-"));
    const saved = { DEMO_MODE: process.env.DEMO_MODE, PUBLIC_URL: process.env.PUBLIC_URL };
    try {
      process.env.DATA_DIR = elsewhere; // read afresh: the environment below, not this file's cached one
      process.env.PUBLIC_URL = "https://seal.example.com";
      delete process.env.DEMO_MODE;
      const refused = await startup().then(
        () => null,
        (error: unknown) => error,
      );
      expect(refused).toBeInstanceOf(EnvError);
      expect((refused as EnvError).problems).toEqual([
        "DEMO_MODE: must be set when PUBLIC_URL (https://seal.example.com) is not this machine: set DEMO_MODE=false for a real deployment, or DEMO_MODE=true to seed demo accounts with the published password",
      ]);
      // no database, no signing key (reading the environment makes the session secret, as ever)
      expect(fs.readdirSync(elsewhere).filter((f) => f !== "session-secret")).toEqual([]);
    } finally {
      process.env.DATA_DIR = ownDataDir;
      if (saved.PUBLIC_URL === undefined) delete process.env.PUBLIC_URL;
      else process.env.PUBLIC_URL = saved.PUBLIC_URL;
      process.env.DEMO_MODE = saved.DEMO_MODE;
      fs.rmSync(elsewhere, { recursive: true, force: true });
    }
  });

  it("refuses a PUBLISH_TO folder it cannot make or write, and a LITESTREAM_BIN that is not Litestream, naming each", async () => {
    const elsewhere = fs.mkdtempSync(path.join(os.tmpdir(), "startup-unusable-"));
    const file = path.join(elsewhere, "a-file");
    fs.writeFileSync(file, "not a folder");
    const saved = {
      PUBLISH_TO: process.env.PUBLISH_TO,
      DB_REPLICA: process.env.DB_REPLICA,
      BIN: process.env.LITESTREAM_BIN,
    };
    const problems = async () => {
      process.env.DATA_DIR = path.join(elsewhere, `data-${Math.random()}`); // read afresh
      const refused = await startup().then(
        () => null,
        (error: unknown) => error,
      );
      expect(refused).toBeInstanceOf(EnvError);
      return (refused as EnvError).problems;
    };
    try {
      process.env.PUBLISH_TO = path.join(file, "public");
      expect(await problems()).toEqual([
        `PUBLISH_TO: ${path.join(file, "public")} cannot be a folder: ${file} is a file: give a folder this process can write, s3://bucket/prefix, or none`,
      ]);
      process.env.PUBLISH_TO = "/proc/iot-seal-publication";
      expect(await problems()).toEqual([
        "PUBLISH_TO: /proc/iot-seal-publication cannot be written (ENOENT): give a folder this process can write, s3://bucket/prefix, or none",
      ]);
      delete process.env.PUBLISH_TO;
      process.env.DB_REPLICA = `file://${path.join(elsewhere, "replica")}`;
      process.env.LITESTREAM_BIN = path.join(elsewhere, "no-such-litestream");
      expect(await problems()).toEqual([
        `LITESTREAM_BIN: ${path.join(elsewhere, "no-such-litestream")} does not exist (it must be the Litestream v0.3.13 binary)`,
      ]);
      process.env.LITESTREAM_BIN = "/bin/true";
      expect((await problems())[0]).toMatch(
        /^LITESTREAM_BIN: \/bin\/true is not Litestream v0\.3 \(`true version` answered ""\)/,
      );
    } finally {
      process.env.DATA_DIR = ownDataDir;
      for (const [k, v] of Object.entries({
        PUBLISH_TO: saved.PUBLISH_TO,
        DB_REPLICA: saved.DB_REPLICA,
        LITESTREAM_BIN: saved.BIN,
      }))
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      fs.rmSync(elsewhere, { recursive: true, force: true });
    }
  });

  it("refuses buckets that do not exist, naming each variable, before opening the database; a bucket that answers is not named", async () => {
    const s3 = await startS3rver(["exists"]);
    const names = ["EVIDENCE_STORE", "PUBLISH_TO", "DB_REPLICA", ...Object.keys(s3.env)];
    const saved = Object.fromEntries(names.map((k) => [k, process.env[k]]));
    const elsewhere = fs.mkdtempSync(path.join(os.tmpdir(), "startup-buckets-"));
    try {
      Object.assign(process.env, s3.env, {
        DATA_DIR: elsewhere, // read afresh
        EVIDENCE_STORE: "s3://no-such-bucket/evidence",
        PUBLISH_TO: "s3://exists/site",
        DB_REPLICA: "s3://missing-replica/db",
      });
      const refused = await startup().then(
        () => null,
        (error: unknown) => error,
      );
      expect(refused).toBeInstanceOf(EnvError);
      expect((refused as EnvError).problems).toEqual([
        `EVIDENCE_STORE: s3://no-such-bucket/evidence at ${s3.endpoint}: the bucket does not exist (NoSuchBucket)`,
        `DB_REPLICA: s3://missing-replica/db at ${s3.endpoint}: the bucket does not exist (NoSuchBucket)`,
      ]);
      expect(fs.readdirSync(elsewhere).filter((f) => f !== "session-secret")).toEqual([]); // no database
    } finally {
      process.env.DATA_DIR = ownDataDir;
      for (const [k, v] of Object.entries(saved))
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      await s3.stop();
      fs.rmSync(elsewhere, { recursive: true, force: true });
    }
  });

  it("with deferBackgroundWorkers, starts no background worker until asked", async () => {
    process.env.DEMO_MODE = "false"; // no demo seed: not what this is about (NODE_ENV=test: nothing else is required)
    try {
      const report = await startup({ deferBackgroundWorkers: true });
      expect(report.role).toBe("single");
      expect(typeof report.startBackgroundWorkers).toBe("function");
      expect(leaseOf("worker:mail")).toBeNull();
      expect(leaseOf("worker:lifecycle-sweep")).toBeNull();
      report.startBackgroundWorkers!();
      expect(leaseOf("worker:mail")!.holder).toContain(`:${process.pid}:`);
      expect(leaseOf("worker:lifecycle-sweep")!.holder).toContain(`:${process.pid}:`);
    } finally {
      process.env.DEMO_MODE = "true";
    }
  });
});
