// The integration run's folder of seeded demo data directories (tests/support/demo-seed.ts): made at
// the start of the run, removed at its end.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { TestProject } from "vitest/node";

export default function setup(project: TestProject) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "iotseal-demo-templates-"));
  project.provide("demoTemplates", dir);
  return () => fs.rmSync(dir, { recursive: true, force: true });
}
