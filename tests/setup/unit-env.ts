// Unit tests (tests/unit): pure domain logic and adapters with no database. Each file still gets its
// own DATA_DIR (a few adapters read the environment), but no wiring of events: a unit test that
// needs it belongs in tests/integration (fresh-data-dir.ts).
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll } from "vitest";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "iotseal-unit-"));
process.env.DATA_DIR = dir;
process.env.NODE_ENV = "test";
process.env.DEMO_MODE = "true";
process.env.LOG_REQUESTS = "false";
delete process.env.SESSION_SECRET;
delete process.env.RATE_LIMIT_PER_MINUTE;

afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
