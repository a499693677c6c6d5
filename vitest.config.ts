import os from "node:os";
import { defineConfig } from "vitest/config";

const common = { environment: "node" as const, testTimeout: 20_000, hookTimeout: 30_000 };

export default defineConfig({
  test: {
    // Vitest's default is one worker fewer than the cores: one at a time on a 2-core machine, where
    // many files wait on child processes and servers. Two there measured 4:40 for the suite against 7:00
    // (three: no faster).
    maxWorkers: Math.max(2, os.availableParallelism() - 1),
    // npm run test:unit and test:integration narrow this to tests/unit or tests/integration (a CLI filter).
    projects: [
      {
        // Domain logic: no database, no wiring. Worker threads and a light setup: the full one (the
        // wiring imports the whole app) cost each of these files about a second, twice its tests.
        test: {
          ...common,
          name: "unit",
          include: ["tests/unit/**/*.test.ts"],
          setupFiles: ["tests/setup/unit-env.ts", "tests/setup/matchers.ts"],
          pool: "threads",
        },
      },
      {
        // Services against a real SQLite file, one fresh data directory per file, events wired as at start-up.
        // (Worker threads measured no faster here: the time is the demo seed and the tests, not the start.)
        test: {
          ...common,
          name: "integration",
          include: ["tests/integration/**/*.test.ts"],
          setupFiles: ["tests/setup/fresh-data-dir.ts", "tests/setup/matchers.ts"],
          // A fresh copy of the seeded demo data per file, seeded once per run (tests/support/demo-seed.ts).
          globalSetup: ["tests/setup/demo-templates.ts"],
          pool: "forks",
        },
      },
    ],
  },
});
