// Every test file gets its own DATA_DIR, so each starts from a fresh SQLite file built from the migrations.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll } from "vitest";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "iotseal-test-"));
process.env.DATA_DIR = dir;
process.env.NODE_ENV = "test";
process.env.DEMO_MODE = "true";
process.env.LOG_REQUESTS = "false";
delete process.env.SESSION_SECRET;
delete process.env.RATE_LIMIT_PER_MINUTE;

// The modules' subscribers to domain events, as the server and the scripts wire them at start-up.
const { wireEvents } = await import("../../app/system/wiring.server");
wireEvents();

afterAll(async () => {
  const { closeDb } = await import("../../db/connection");
  closeDb();
  fs.rmSync(dir, { recursive: true, force: true });
});
