import { defineConfig } from "@playwright/test";

const PORT = Number(process.env.E2E_PORT ?? 3100);
/** Where the e2e server keeps its data (E2E_DATA_DIR lets two runs, on two E2E_PORTs, work side by side). */
export const E2E_DATA_DIR = process.env.E2E_DATA_DIR ?? ".e2e-data";
/** The demo buyer's webhook points here; tests/e2e/verify.spec.ts listens on it. */
export const E2E_WEBHOOK_PORT = Number(process.env.E2E_WEBHOOK_PORT ?? PORT + 99);

export default defineConfig({
  testDir: "tests/e2e",
  // A side-by-side run (its own E2E_DATA_DIR) keeps its own artefacts: Playwright empties the output folder when it starts.
  outputDir: `test-results/playwright${process.env.E2E_DATA_DIR ? `-${process.env.E2E_DATA_DIR.replace(/[^\w-]/g, "")}` : ""}`,
  fullyParallel: false,
  workers: 2,
  retries: process.env.CI ? 1 : 0,
  timeout: 60_000, // 2 cores shared by the server, Chromium and two workers: journeys of 20-30 s need room
  expect: { timeout: 7_000 },
  reporter: [
    ["list"],
    [
      "json",
      {
        outputFile: process.env.E2E_DATA_DIR
          ? `test-results/playwright-${process.env.E2E_DATA_DIR.replace(/[^\w-]/g, "")}.json`
          : "test-results/playwright.json",
      },
    ],
  ],
  use: {
    baseURL: `http://localhost:${PORT}`,
    trace: "retain-on-failure",
    screenshot: "only-on-failure",
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--disable-dev-shm-usage",
      ],
    },
  },
  projects: [
    { name: "setup", testMatch: /auth\.setup\.ts/ },
    { name: "chromium", testIgnore: [/auth\.setup\.ts/, /recertification\.spec\.ts/], dependencies: ["setup"] },
    // Journeys that change demo seals other tests read (a re-certification supersedes the suspended demo seal): after everything else.
    { name: "after", testMatch: /recertification\.spec\.ts/, dependencies: ["chromium"] },
  ],
  webServer: {
    // The production build, on a fresh data directory (seeded on start like a newcomer's first run).
    command: `rm -rf ${E2E_DATA_DIR} && node server.mjs`,
    url: `http://localhost:${PORT}/healthz`,
    reuseExistingServer: false,
    timeout: 60_000,
    stdout: "ignore",
    stderr: "pipe",
    env: {
      PORT: String(PORT),
      DATA_DIR: `${E2E_DATA_DIR}/data`,
      NODE_ENV: "test",
      DEMO_WEBHOOK_URL: `http://127.0.0.1:${E2E_WEBHOOK_PORT}/iotseal-webhook`,
      DEMO_MODE: "true",
      // Logins per minute from one address: the suite logs in often from 127.0.0.1; the limit itself is tested in integration.
      RATE_LIMIT_PER_MINUTE: "1000",
      // Seal pages and /verify per minute from one address (the limit itself is tested in tests/e2e/request-bounds.spec.ts).
      PUBLIC_PAGE_PER_MINUTE: "100000",
      LOG_REQUESTS: "false",
      // scrypt at 1 MiB a hash (production: 15, 32 MiB): the suite logs in hundreds of times.
      PASSWORD_HASH_COST: "10",
      ...(process.env.REMIX_BUILD_DIR ? { REMIX_BUILD_DIR: process.env.REMIX_BUILD_DIR } : {}),
    },
  },
});
