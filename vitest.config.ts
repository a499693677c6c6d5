import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    // npm run test:unit and test:integration narrow this to tests/unit or tests/integration (a CLI filter).
    include: ["tests/unit/**/*.test.ts", "tests/integration/**/*.test.ts"],
    setupFiles: ["tests/setup/fresh-data-dir.ts", "tests/setup/matchers.ts"],
    environment: "node",
    pool: "forks",
    testTimeout: 20_000,
    hookTimeout: 30_000,
  },
});
