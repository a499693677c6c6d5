// startup(): a public PUBLIC_URL with DEMO_MODE unset is refused before the database is opened (the
// demo's accounts have a published password); with deferBackgroundWorkers the background workers
// wait for the caller (server.mjs starts them once its port is bound), so a process that then
// cannot listen has taken no lease and sent nothing.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { EnvError } from "../../../app/platform/env.server";
import { leaseOf } from "../../../app/platform/leases.server";
import { startup } from "../../../app/startup.server";

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
