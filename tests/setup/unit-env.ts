// Every test file's environment: its own DATA_DIR (removed afterwards) and the test settings. The
// unit project (tests/unit: pure domain logic and adapters with no database) uses this alone; the
// integration project adds the database and the event wiring on top (fresh-data-dir.ts).
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll } from "vitest";

export const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "iotseal-test-"));
process.env.DATA_DIR = dataDir;
process.env.NODE_ENV = "test";
process.env.DEMO_MODE = "true";
process.env.LOG_REQUESTS = "false";
// scrypt at 1 MiB, not production's 32 MiB: the suites hash and check passwords hundreds of times (PASSWORD_HASH_COST).
process.env.PASSWORD_HASH_COST = "10";
delete process.env.SESSION_SECRET;
delete process.env.RATE_LIMIT_PER_MINUTE;

afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));
