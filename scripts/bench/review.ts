// npm run bench:review — seeds 10,000 submitted/in-review submissions with 100 answers each, then
// times the queue page's loader and the review page's loader (median server time; bar < 50 ms
// each), beside a bare better-sqlite3 query of the same page as the baseline.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "iotseal-review-bench-"));
process.env.DATA_DIR = dataDir;
process.env.LOG_REQUESTS = "false";
const N = Number(process.env.BENCH_SUBMISSIONS ?? 10_000);
const ANSWERS = 100;

const { startup } = await import("../../app/startup.server");
const { db } = await import("../../app/platform/db.server");
const { importChecklist } = await import("../../app/features/catalogue/checklists.server");
const { actorFor } = await import("../../app/demo/seed-products.server");
const { reviewQueue, reviewView } = await import("../../app/features/certification/review.server");

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function time(fn: () => unknown, runs = 41): number {
  fn(); // warm
  const xs: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    fn();
    xs.push(performance.now() - t0);
  }
  return median(xs);
}

async function main() {
  await startup();
  // A checklist with exactly 100 requirements at one level, imported through the real importer.
  const yaml = [
    "id: bench-checklist",
    'title: "Benchmark checklist"',
    "publisher: IoT Seal",
    'version: "1.0"',
    "published: 2026-01-01",
    "levels:\n  - id: baseline\n    title: Baseline",
    "validity_months: 24",
    "disclosure_days: { critical: 30, high: 90, medium: 90, low: 180 }",
    "sections:",
    ...Array.from({ length: 10 }, (_, s) => [
      `  - ref: "${s + 1}"`,
      `    title: Section ${s + 1}`,
      "    requirements:",
      ...Array.from(
        { length: 10 },
        (_, r) =>
          `      - ref: "${s + 1}-${r + 1}"\n        title: Requirement ${s + 1}-${r + 1}\n        text: The product does thing ${s + 1}-${r + 1}.\n        applies: { baseline: ${r % 3 === 0 ? "advisory" : "mandatory"} }`,
      ),
    ]).flat(),
  ].join("\n");
  importChecklist({ system: "bench" }, yaml, "1.0.yaml", { fileStem: "1.0" });

  const sqlite = db().$client;
  const t0 = performance.now();
  const creator = sqlite.prepare("select id from users where email = 'supplier@demo.test'").get() as { id: string };
  const insert = sqlite.transaction(() => {
    const org = sqlite.prepare("insert into organizations (id, name, kind, created_at) values (?, ?, 'supplier', ?)");
    const product = sqlite.prepare(
      "insert into products (id, organization_id, name, model, category, description, support_period_end, disclosure_policy_url, created_at, updated_at) values (?, ?, ?, ?, 'camera', '', '2030-12-31', 'https://x.example/security', ?, ?)",
    );
    const version = sqlite.prepare(
      "insert into product_versions (id, product_id, hardware_revision, firmware_version, created_at) values (?, ?, 'A', ?, ?)",
    );
    const sub = sqlite.prepare(
      "insert into submissions (id, organization_id, product_version_id, checklist_version_id, target_level, status, version, created_by, created_at, updated_at, submitted_at) values (?, ?, ?, 'bench-checklist@1.0', 'baseline', ?, 1, ?, ?, ?, ?)",
    );
    const answer = sqlite.prepare(
      "insert into answers (id, submission_id, requirement_ref, claim, justification, revision, updated_at) values (?, ?, ?, 'implemented', ?, 1, ?)",
    );
    const now = Date.now();
    for (let o = 0; o < 20; o++) org.run(`org-${o}`, `Bench Supplier ${o}`, now);
    for (let i = 0; i < N; i++) {
      const o = `org-${i % 20}`;
      product.run(`p-${i}`, o, `Product ${i}`, `M-${i}`, now, now);
      version.run(`v-${i}`, `p-${i}`, `1.${i}`, now);
      const at = now - (N - i) * 60_000;
      sub.run(`s-${i}`, o, `v-${i}`, i % 3 === 0 ? "in_review" : "submitted", creator.id, at, at, at);
      for (let s = 1, k = 0; s <= 10; s++)
        for (let r = 1; r <= 10; r++, k++)
          answer.run(`a-${i}-${k}`, `s-${i}`, `${s}-${r}`, `Justification ${i}-${k}: how the product meets it.`, at);
    }
  });
  insert();
  const seeded = performance.now() - t0;
  const asha = actorFor("assessor1@demo.test");

  const queue = time(() => reviewQueue(asha, { page: 1 }));
  const queueDeep = time(() => reviewQueue(asha, { page: 200, status: "submitted" }));
  const queueFiltered = time(() =>
    reviewQueue(asha, { page: 1, supplier: "org-7", checklist: "bench-checklist@1.0", level: "baseline" }),
  );
  const review = time(() => reviewView(asha, `s-${Math.floor(N / 2)}`));

  // Baselines: the same pages as bare prepared statements.
  const bareQueue = sqlite.prepare(
    `select s.id, s.status, s.submitted_at, s.target_level, s.checklist_version_id, o.name, p.name, v.hardware_revision, v.firmware_version, u.name
     from submissions s join organizations o on o.id = s.organization_id join product_versions v on v.id = s.product_version_id join products p on p.id = v.product_id left join users u on u.id = s.assignee_id
     where s.status in ('submitted','in_review') order by s.submitted_at, s.id limit 25 offset 0`,
  );
  const bareCount = sqlite.prepare("select count(*) from submissions where status in ('submitted','in_review')");
  const queueBase = time(() => (bareCount.get(), bareQueue.all()));
  const bareReview = sqlite.prepare("select * from answers where submission_id = ?");
  const bareReqs = sqlite.prepare(
    "select * from requirements where version_id = 'bench-checklist@1.0' order by position",
  );
  const reviewBase = time(() => (bareReview.all(`s-${Math.floor(N / 2)}`), bareReqs.all()));

  const line = (label: string, ms: number, base: number) =>
    console.log(
      `${label.padEnd(34)} ${ms.toFixed(2).padStart(7)} ms median   baseline ${base.toFixed(2).padStart(6)} ms   ratio ${(ms / base).toFixed(1)}x   ${ms < 50 ? "MEETS" : "MISSES"} (< 50 ms)`,
    );
  console.log(
    `Seeded ${N} submissions x ${ANSWERS} answers (${N * ANSWERS} answers) in ${(seeded / 1000).toFixed(1)} s`,
  );
  line("queue loader, page 1", queue, queueBase);
  line("queue loader, page 200 (submitted)", queueDeep, queueBase);
  line("queue loader, filtered", queueFiltered, queueBase);
  line("review page loader (100 answers)", review, reviewBase);
  fs.rmSync(dataDir, { recursive: true, force: true });
}

await main();
process.exit(0);
