// npm run bench:seals (3/4) — seal issuance, in process, on a fresh demo database: the seal part
// of the second assessor's confirmation, exactly as confirmApproval does it for the seal —
// prepareSeal (score check, serial, free status-list indexes, Ed25519 signature) then, in an
// IMMEDIATE transaction, recordIssuedSeal (log append + inclusion proof, seal row, event, audit
// entry) and, once it has committed, the PDF rendered and stored while the commit is synced on a
// helper thread (decision record 035) — timed per seal, to the return of transaction(). Baseline in the same run: renderSealPdf alone (pdfkit
// rendering the same page) with the same inputs, re-rendered from each issued seal's stored
// credential and log proof right after that seal was issued (and checked byte-identical to the
// stored PDF). Bars: issuance p50 <= 1.5x the bare render's p50, and < 100 ms.
//
// The whole confirmApproval (the above plus the approval decision, the submission transition
// and their audit entries) is timed too, on other submissions, for information.
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "iotseal-issuance-bench-"));
process.env.DATA_DIR = dataDir;
process.env.DEMO_MODE = "true";
process.env.LOG_REQUESTS = "false";
const N = Number(process.env.BENCH_SEALS ?? 60);
const N_CONFIRM = Number(process.env.BENCH_CONFIRMS ?? 30);

const { startup, shutdown } = await import("../../app/startup.server");
const { db, transaction } = await import("../../app/platform/db.server");
const { actorFor, attachSeedEvidence, ensureProduct } = await import("../../app/demo/seed-products.server");
const { openSubmission, saveAnswer, submitSubmission, transitionSubmission } =
  await import("../../app/features/certification/submissions.server");
const { loadSubmission } = await import("../../app/features/certification/submission-records.server");
const { takeSubmission, recordVerdict, proposeApproval, confirmApproval, pendingProposal } =
  await import("../../app/features/certification/review.server");
const { prepareSeal, recordIssuedSeal } = await import("../../app/features/certification/seals.server");
const { renderSealPdf } = await import("../../app/features/trust/adapters/seal-pdf.server");
const { sealPageUrl, unverifiedPayload } = await import("../../app/features/trust/domain/credential");
type SealCredential = import("../../app/features/trust/domain/credential").SealCredential;
const { getEnv } = await import("../../app/platform/env.server");

const PSTI_ANSWERS: Record<string, string> = {
  "1": "Every device has a unique password printed on its label and stored hashed; the app forces a new password at set-up.",
  "2": "Our vulnerability disclosure policy is published on our security page: how to report, acknowledgement within 2 working days, status updates every 14 days.",
  "3": "The minimum security update period is published on the product page and the box as an end date.",
};

/** A submission with an approval proposed by assessor1, waiting for the second assessor (as the demo seals are made). */
async function proposedSubmission(i: number): Promise<string> {
  const supplier = actorFor("supplier@demo.test");
  const { versionId } = await ensureProduct(
    supplier,
    {
      name: "Gator Bench Tracker",
      model: "GW-BENCH",
      sku: "GWB-1",
      category: "childrens-wearable",
      description: "A product made by the issuance benchmark.",
      supportPeriodEnd: "2032-12-31",
      disclosurePolicyUrl: "https://gatorwearables.example/security",
    },
    { hardwareRevision: "A", firmwareVersion: `9.${Math.floor(i / 100)}.${i % 100}`, appVersion: null },
  );
  const id = openSubmission(supplier, {
    productVersionId: versionId,
    target: { checklistVersionId: "uk-psti@2023", targetLevel: "baseline" },
  });
  for (const [ref, justification] of Object.entries(PSTI_ANSWERS)) {
    saveAnswer(supplier, id, ref, { claim: "implemented", justification, noEvidenceReason: "" });
    await attachSeedEvidence(supplier, id, ref, ["gator-kids-watch-3-security-policy.pdf"]);
  }
  submitSubmission(supplier, id);
  const asha = actorFor("assessor1@demo.test");
  const version = () => loadSubmission(db(), id).version;
  takeSubmission(asha, id, version());
  for (const ref of Object.keys(PSTI_ANSWERS))
    recordVerdict(asha, id, ref, {
      verdict: "pass",
      comment: "Evidence checked.",
      accepted: false,
      version: version(),
    });
  proposeApproval(asha, id, version(), "All three PSTI requirements are met.");
  return id;
}

function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
}

async function main() {
  let t0 = performance.now();
  await startup();
  const started = performance.now() - t0;
  const checker = actorFor("assessor2@demo.test");

  t0 = performance.now();
  const sealIds: string[] = [];
  const confirmIds: string[] = [];
  for (let i = 0; i < N + 1; i++) sealIds.push(await proposedSubmission(i));
  for (let i = 0; i < N_CONFIRM + 1; i++) confirmIds.push(await proposedSubmission(1000 + i));
  const prepared = performance.now() - t0;

  // The baseline: the same page rendered by renderSealPdf alone, from the seal's stored inputs,
  // right after each issuance (so both see the same machine load), checked byte-identical.
  const rows = db().$client.prepare("select serial, credential, log_proof, pdf_sha256 from seals where serial = ?");
  const render: number[] = [];
  let pdfBytes = 0;
  const bareRender = (serial: string, timed: boolean) => {
    const r = rows.get(serial) as { serial: string; credential: string; log_proof: string; pdf_sha256: string };
    const input = {
      jws: r.credential,
      credential: unverifiedPayload(r.credential) as SealCredential,
      sealUrl: sealPageUrl(getEnv().baseUrl, r.serial),
      logProof: r.log_proof.startsWith("{") ? JSON.parse(r.log_proof) : r.log_proof, // JSON: seals issued before tlog-proof@v1
    };
    const a = performance.now();
    const pdf = renderSealPdf(input);
    if (timed) render.push(performance.now() - a);
    pdfBytes = pdf.length;
    if (crypto.createHash("sha256").update(pdf).digest("hex") !== r.pdf_sha256)
      throw new Error(`the re-rendered PDF of ${serial} differs from the stored one`);
  };

  // The seal part, timed alone: the approval's own writes (decision, transition) are made first,
  // untimed; then exactly what confirmApproval does for the seal.
  const issue: number[] = [];
  const prep: number[] = [];
  const record: number[] = [];
  for (const [n, id] of sealIds.entries()) {
    transaction((tx) => {
      const s = loadSubmission(tx, id);
      transitionSubmission(tx, checker, s, "approve", s.version, { proposedBy: pendingProposal(tx, id)!.assessorId });
    });
    const a = performance.now();
    const p = await prepareSeal(id);
    const b = performance.now();
    transaction((tx) => recordIssuedSeal(tx, p, checker));
    const c = performance.now();
    // The first one warms up (pdfkit loads its fonts, statements compile).
    if (n > 0) {
      issue.push(c - a);
      prep.push(b - a);
      record.push(c - b);
    }
    bareRender(p.serial, n > 0);
  }

  // The whole confirmApproval, for information.
  const confirm: number[] = [];
  for (const [n, id] of confirmIds.entries()) {
    const a = performance.now();
    const serial = await confirmApproval(checker, id, loadSubmission(db(), id).version, "Confirmed.");
    if (n > 0) confirm.push(performance.now() - a);
    bareRender(serial, false); // checked, not timed: the baseline pairs with the seal part above
  }

  const line = (label: string, xs: number[]) =>
    console.log(
      `${label.padEnd(58)} ${String(xs.length).padStart(4)} ${pct(xs, 50).toFixed(1).padStart(8)} ${pct(xs, 90).toFixed(1).padStart(8)} ${Math.max(
        ...xs,
      )
        .toFixed(1)
        .padStart(8)}`,
    );
  console.log(
    `Issuance benchmark: startup with demo data ${(started / 1000).toFixed(1)} s; ${sealIds.length + confirmIds.length} approvable submissions made in ${(prepared / 1000).toFixed(1)} s (load average ${os
      .loadavg()
      .map((l) => l.toFixed(1))
      .join(" ")})`,
  );
  console.log(`PDF: ${(pdfBytes / 1024).toFixed(1)} KiB; every re-render byte-identical to the stored certificate`);
  console.log("");
  console.log(
    `${"".padEnd(58)} ${"n".padStart(4)} ${"p50 ms".padStart(8)} ${"p90 ms".padStart(8)} ${"max ms".padStart(8)}`,
  );
  line("issuance: prepareSeal + transaction(recordIssuedSeal)", issue);
  line("  prepareSeal (score, serial, indexes, sign)", prep);
  line("  transaction(recordIssuedSeal) (log, proof, rows; PDF, sync)", record);
  line("bare renderSealPdf, same inputs (baseline)", render);
  line(
    "issuance minus its paired bare render",
    issue.map((x, i) => x - render[i]),
  );
  line("confirmApproval, whole (for information)", confirm);
  const ratio = pct(issue, 50) / pct(render, 50);
  const verdict = (ok: boolean) => (ok ? "PASS" : "MISS  <<<<<<<<<<");
  console.log("");
  console.log(`issuance p50 / bare render p50: ${ratio.toFixed(2)}x   (bar <= 1.50x)   ${verdict(ratio <= 1.5)}`);
  console.log(
    `issuance p50:                   ${pct(issue, 50).toFixed(1)} ms   (bar < 100 ms)   ${verdict(pct(issue, 50) < 100)}`,
  );
}

try {
  await main();
} finally {
  shutdown();
  fs.rmSync(dataDir, { recursive: true, force: true });
}
