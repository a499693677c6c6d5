// npm test: typecheck, lint, unit + integration tests (vitest), the production build, and the browser
// tests (Playwright in Debian's Chromium). Ends with one line "N passed, N failed" over all tests;
// a step that fails without running tests (typecheck, build) counts as one failure.
import { spawnSync } from "node:child_process";
import fs from "node:fs";

fs.mkdirSync("test-results", { recursive: true });
const bin = (name) => `node_modules/.bin/${name}`;
let passed = 0;
let failed = 0;
const lines = [];

function run(label, cmd, args) {
  const started = Date.now();
  console.log(`\n=== ${label}: ${cmd} ${args.join(" ")}`);
  const r = spawnSync(cmd, args, { stdio: "inherit", env: process.env });
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  const ok = r.status === 0;
  lines.push(`${label}: ${ok ? "ok" : `FAILED (exit ${r.status ?? r.signal})`} in ${seconds}s`);
  return ok;
}

function readJson(file) {
  try {
    return JSON.parse(fs.readFileSync(file, "utf8"));
  } catch {
    return null;
  }
}

if (!run("typecheck", bin("tsc"), ["--noEmit"])) failed++;
if (!run("lint", "npm", ["run", "--silent", "lint"])) failed++; // import cycles, the module order, formatting

fs.rmSync("test-results/vitest.json", { force: true });
const unitOk = run("unit + integration", bin("vitest"), [
  "run",
  "--reporter=default",
  "--reporter=json",
  "--outputFile.json=test-results/vitest.json",
]);
const vitest = readJson("test-results/vitest.json");
if (vitest) {
  passed += vitest.numPassedTests;
  failed += vitest.numFailedTests;
  lines.push(
    `  vitest: ${vitest.numPassedTests} passed, ${vitest.numFailedTests} failed, ${vitest.numPendingTests + vitest.numTodoTests} skipped`,
  );
  if (!unitOk && vitest.numFailedTests === 0) failed++; // e.g. a file that failed to load
} else if (!unitOk) failed++;

if (run("build", bin("remix"), ["build"])) {
  fs.rmSync("test-results/playwright.json", { force: true });
  const e2eOk = run("e2e", bin("playwright"), ["test"]);
  const pw = readJson("test-results/playwright.json");
  if (pw?.stats) {
    const ok = pw.stats.expected + pw.stats.flaky;
    passed += ok;
    failed += pw.stats.unexpected;
    lines.push(
      `  playwright: ${ok} passed (${pw.stats.flaky} flaky), ${pw.stats.unexpected} failed, ${pw.stats.skipped} skipped`,
    );
    if (!e2eOk && pw.stats.unexpected === 0) failed++;
  } else if (!e2eOk) failed++;
} else failed++;

console.log(`\n=== Summary\n${lines.join("\n")}`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
