/**
 * Demo seals (part of the demo seed): real seals issued through the whole flow — submission,
 * review, four-eyes approval — so a newcomer can try every verifier answer at once:
 *   - Gator Kids Watch 3, firmware 3.1.0, ETSI EN 303 645 3.1.3-r1 (with recurring evidence):
 *     active, issued 80 days ago so its 90-day monitoring requirement (5.2-3) is due in 10 days
 *     (seed-recurring.server.ts adds its recurring-evidence history), with a high finding 10 days
 *     from its disclosure deadline, flagged actively exploited 6 hours ago (CRA Article 14 clocks);
 *   - Gator Kids Watch 2, firmware 2.9.4: issued 25 months ago, expired;
 *   - Brightnest Indoor Cam 1, firmware 1.9.2: suspended by the disclosure clock (a high finding
 *     reported 100 days ago, deadline 90 days);
 *   - Brightnest Smart Plug, firmware 1.2.0: revoked;
 *   - Brightnest Smart Speaker, firmware 1.0.3: active, and "valid, update required": a public high
 *     advisory affects 1.0.3, its fix certified in the registered 1.0.4 (seed-advisories.server.ts);
 *     its evidence includes a CycloneDX SBOM (openssl 3.0.15, curl, busybox…).
 * The others are issued against UK PSTI 2023.
 */
import { and, eq } from "drizzle-orm";
import { products, productVersions, seals, submissions, webhookEndpoints } from "../../db/schema";
import { getEnv } from "../platform/env.server";
import { nowMs, runAt } from "../platform/clock.server";
import type { Actor } from "../platform/actor";
import { db } from "../platform/db.server";
import {
  confirmApproval,
  proposeApproval,
  recordVerdict,
  takeSubmission,
} from "../features/certification/review.server";
import { recordFinding } from "../features/findings/findings.server";
import { flagCraReport } from "../features/findings/cra-reporting.server";
import { runLifecycleSweep } from "../system/sweep.server";
import { changeSealStatus } from "../features/trust/seal-status.server";
import { actorFor, attachSeedEvidence, ensureProduct, watchAnswer } from "./seed-products.server";
import { MONITORED_ETSI } from "./seed-recurring.server";
import { openSubmission, saveAnswer, submitSubmission } from "../features/certification/submissions.server";
import { requirementsInScope } from "../features/certification/submission-records.server";
import { watchBySerial } from "../features/retail/watchlist.server";
import { registerWebhook } from "../features/retail/webhooks.server";

const PSTI = "uk-psti@2023";

const daysAgo = (n: number) => new Date(nowMs() - n * 24 * 60 * 60 * 1000).toISOString().slice(0, 10);

interface DemoSeal {
  supplier: string;
  product: Parameters<typeof ensureProduct>[1];
  version: Parameters<typeof ensureProduct>[2];
  evidence: string;
  /** A CycloneDX SBOM of the firmware in db/seed-evidence, attached as evidence of the last requirement. */
  sbom?: string;
  /** Months before now to issue it (the expired one). */
  issuedMonthsAgo?: number;
  /** Days before now to issue it (the watch: its 90-day recurring requirement falls due 10 days from now). */
  issuedDaysAgo?: number;
  /** The checklist version at level baseline (UK PSTI 2023 unless said). */
  checklistVersionId?: string;
  then?: (serial: string, assessor: Actor, productId: string, versionId: string) => void;
}

const DEMO_SEALS: DemoSeal[] = [
  {
    supplier: "supplier@demo.test",
    product: {
      name: "Gator Kids Watch 2",
      model: "GW-KW2",
      gtin: "5060123450019",
      sku: "GKW2-BLU",
      category: "childrens-wearable",
      description: "The previous generation of the Gator children's smartwatch (3G).",
      placedOnMarketOn: "2024-07-01",
      supportPeriodEnd: "2029-06-30",
      disclosurePolicyUrl: "https://gatorwearables.example/security",
    },
    version: { hardwareRevision: "B", firmwareVersion: "2.9.4", appVersion: "4.8.0" },
    evidence: "gator-kids-watch-3-security-policy.pdf",
    issuedMonthsAgo: 25,
  },
  {
    supplier: "supplier@demo.test",
    product: {
      name: "Gator Kids Watch 3",
      model: "GW-KW3",
      gtin: "5060123450002",
      sku: "GKW3-GRN",
      category: "childrens-wearable",
      description:
        "A 4G smartwatch for children aged 5-12: calls to approved contacts, SOS button, location sharing with parents.",
      placedOnMarketOn: "2025-01-01",
      supportPeriodEnd: "2029-12-31",
      disclosurePolicyUrl: "https://gatorwearables.example/security",
    },
    version: { hardwareRevision: "C", firmwareVersion: "3.1.0", appVersion: "5.3.0" },
    evidence: "gator-kids-watch-3-security-policy.pdf",
    // Every requirement in scope answered and passed; 80 days ago, so 5.2-3 (every 90 days) is due in 10 days.
    checklistVersionId: MONITORED_ETSI,
    issuedDaysAgo: 80,
    // A high finding 10 days from its disclosure deadline (reported 80 of its 90 days ago), which
    // the supplier learnt 6 hours ago is actively exploited: its CRA Article 14 clocks run.
    then: (_serial, assessor, productId, versionId) => {
      const id = recordFinding(assessor, {
        productId,
        versionIds: [versionId],
        title: "Location history readable after unpairing",
        description:
          "After a watch is unpaired, the previous parent account can still read its location history through the companion API for up to 30 days.",
        severity: "high",
        cvssVector: "CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:U/C:H/I:N/A:N",
        reporter: "Gator Wearables bug bounty (report #417)",
        reportedOn: daysAgo(80),
      });
      const awareAt = new Date(nowMs() - 6 * 60 * 60 * 1000).toISOString().slice(0, 16); // "YYYY-MM-DDTHH:MM", UTC
      flagCraReport(actorFor("supplier@demo.test"), id, { activelyExploited: "yes", awareAt });
    },
  },
  {
    supplier: "supplier2@demo.test",
    product: {
      name: "Brightnest Indoor Cam 1",
      model: "BN-IC1",
      gtin: "5060987650013",
      sku: "BN-IC1-WHT",
      category: "camera",
      description: "A 1080p indoor camera with cloud clips.",
      placedOnMarketOn: "2024-01-01",
      supportPeriodEnd: "2028-12-31",
      disclosurePolicyUrl: "https://brightnest.example/security",
    },
    version: { hardwareRevision: "A", firmwareVersion: "1.9.2", appVersion: null },
    evidence: "indoor-cam-port-scan.txt",
    issuedMonthsAgo: 6,
    // A high finding reported 100 days ago (deadline 90 days): overdue, so the sweeper suspends the seal.
    then: (_serial, assessor, productId, versionId) => {
      recordFinding(assessor, {
        productId,
        versionIds: [versionId],
        title: "Cloud clip links can be guessed",
        description:
          "Shared clip links use a 6-character id without authentication, so recorded clips of other households can be enumerated.",
        severity: "high",
        cvssVector: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N",
        reporter: "Independent researcher (via the supplier's disclosure inbox)",
        reportedOn: daysAgo(100),
        confirmPublic: "yes", // overdue on purpose: public (and suspending) at once
      });
    },
  },
  {
    supplier: "supplier2@demo.test",
    product: {
      name: "Brightnest Smart Plug",
      model: "BN-SP1",
      gtin: "5060987650020",
      sku: "BN-SP1-UK",
      category: "hub",
      description: "A Wi-Fi smart plug with energy monitoring.",
      placedOnMarketOn: "2024-10-01",
      supportPeriodEnd: "2029-09-30",
      disclosurePolicyUrl: "https://brightnest.example/security",
    },
    version: { hardwareRevision: "A", firmwareVersion: "1.2.0", appVersion: null },
    evidence: "indoor-cam-port-scan.txt",
    then: (serial, assessor) =>
      changeSealStatus(assessor, {
        serial,
        action: "revoke",
        confirmSerial: serial,
        reason:
          "Devices in retail stock were found to share one default password, contrary to the evidence for PSTI requirement 1.",
      }),
  },
  {
    // "Valid, update required": seed-advisories.server.ts adds the advisory on 1.0.3, fixed in 1.0.4.
    supplier: "supplier2@demo.test",
    product: {
      name: "Brightnest Smart Speaker",
      model: "BN-SS1",
      gtin: "5060987650037",
      sku: "BN-SS1-GRY",
      category: "speaker",
      description: "A Wi-Fi smart speaker with a voice assistant and a physical microphone switch.",
      placedOnMarketOn: "2025-04-01",
      supportPeriodEnd: "2030-03-31",
      disclosurePolicyUrl: "https://brightnest.example/security",
    },
    version: { hardwareRevision: "A", firmwareVersion: "1.0.3", appVersion: null },
    evidence: "indoor-cam-port-scan.txt",
    // Its SBOM names openssl 3.0.15: an imported OpenSSL advisory naming it makes a "possibly affected" task.
    sbom: "brightnest-smart-speaker-1.0.3.cdx.json",
    issuedMonthsAgo: 4,
  },
];

const PSTI_ANSWERS: Record<string, string> = {
  "1": "Every device has a unique password printed on its label and stored hashed; the app forces a new password at set-up.",
  "2": "Our vulnerability disclosure policy is published on our security page: how to report, acknowledgement within 2 working days, status updates every 14 days.",
  "3": "The minimum security update period is published on the product page and the box as an end date.",
};

async function issueDemoSeal(d: DemoSeal): Promise<{ serial: string; after: () => void } | null> {
  const supplier = actorFor(d.supplier);
  const { productId, versionId } = await ensureProduct(supplier, d.product, d.version);
  if (db().select({ id: submissions.id }).from(submissions).where(eq(submissions.productVersionId, versionId)).get())
    return null;
  const checklistVersionId = d.checklistVersionId ?? PSTI;
  const id = openSubmission(supplier, {
    productVersionId: versionId,
    target: { checklistVersionId, targetLevel: "baseline" },
  });
  // Every requirement in scope answered through the services, with seed evidence files.
  const reqs = requirementsInScope(db(), checklistVersionId, "baseline");
  const answered = reqs.map((req) => ({
    req,
    ...(checklistVersionId === PSTI
      ? { claim: "implemented" as const, justification: PSTI_ANSWERS[req.ref], files: [d.evidence] }
      : watchAnswer(req)),
  }));
  for (const a of answered) {
    saveAnswer(supplier, id, a.req.ref, { claim: a.claim, justification: a.justification, noEvidenceReason: "" });
    if (a.files.length) await attachSeedEvidence(supplier, id, a.req.ref, a.files);
  }
  if (d.sbom) await attachSeedEvidence(supplier, id, answered[answered.length - 1].req.ref, [d.sbom]);
  submitSubmission(supplier, id);
  const asha = actorFor("assessor1@demo.test");
  const version = () =>
    db().select({ v: submissions.version }).from(submissions).where(eq(submissions.id, id)).get()!.v;
  takeSubmission(asha, id, version());
  for (const a of answered) {
    const na = a.claim === "not_applicable";
    recordVerdict(asha, id, a.req.ref, {
      verdict: na ? "not_applicable" : "pass",
      comment: na ? "Agreed: the condition does not hold for this device." : "Evidence checked.",
      accepted: na && a.req.applicability === "advisory",
      version: version(),
    });
  }
  proposeApproval(
    asha,
    id,
    version(),
    checklistVersionId === PSTI
      ? "All three PSTI requirements are met."
      : `All ${reqs.length} requirements in scope are met or do not apply.`,
  );
  const serial = await confirmApproval(actorFor("assessor2@demo.test"), id, version(), "Confirmed.");
  return { serial, after: () => d.then?.(serial, asha, productId, versionId) };
}

export async function seedDemoSeals(created: string[]): Promise<void> {
  // Issued in time order, oldest first, each with the clock set to its issue date; their status
  // changes and findings come after, now. So the transparency log's leaves are appended in the
  // order of their dates, as in a real history: a leaf is never dated before the one before it
  // (the log would clamp such a time rather than write it: domain/log-time.ts).
  const now = nowMs();
  const planned = DEMO_SEALS.map((d) => {
    const at = new Date(now);
    if (d.issuedMonthsAgo) at.setUTCMonth(at.getUTCMonth() - d.issuedMonthsAgo);
    if (d.issuedDaysAgo) at.setTime(at.getTime() - d.issuedDaysAgo * 24 * 60 * 60 * 1000);
    return { d, at, backDated: Boolean(d.issuedMonthsAgo || d.issuedDaysAgo) };
  }).sort((a, b) => a.at.getTime() - b.at.getTime());
  const issuedSeals: { d: DemoSeal; serial: string; after: () => void }[] = [];
  for (const { d, at, backDated } of planned) {
    const issue = () => issueDemoSeal(d);
    const issued = backDated ? await runAt(at, issue) : await issue();
    if (issued) issuedSeals.push({ d, ...issued });
  }
  // The demo buyer stocks these products and watches them from now on: what happens to them next
  // (the reports, the revocation, the suspension and the expiry the sweep finds) reaches it as
  // alerts, as it would a buyer who watched before; what came before is the history it copied.
  if (issuedSeals.length) watchDemoSeals(created);
  for (const { d, serial, after } of issuedSeals) {
    after(); // status changes and findings happen now, after every (possibly back-dated) issue
    created.push(
      `seal ${serial}: ${d.product.name} ${d.version.firmwareVersion} / ${d.checklistVersionId === MONITORED_ETSI ? "ETSI EN 303 645 3.1.3-r1" : "UK PSTI 2023"}`,
    );
  }
  // The demo's overdue report suspends the camera's seal now, as the lifecycle sweep would. Only
  // when something was issued: on a later start the seals exist already, and what the sweep finds
  // then is the real lifecycle's, recorded by the server's own sweep as system:lifecycle.
  if (issuedSeals.length) runLifecycleSweep({ system: "seed" });
}

/** The demo seals' serials by product name (for tests and the README). */
export function demoSealSerials(): Record<string, string> {
  const rows = db()
    .select({ serial: seals.serial, name: products.name, fw: productVersions.firmwareVersion })
    .from(seals)
    .innerJoin(productVersions, eq(productVersions.id, seals.productVersionId))
    .innerJoin(products, and(eq(products.id, productVersions.productId)))
    .all();
  return Object.fromEntries(rows.map((r) => [`${r.name} ${r.fw}`, r.serial]));
}

/** The demo buyer watches every demo seal's product (those it watches already are left as they are). */
function watchDemoSeals(created: string[]): void {
  const buyer = actorFor("buyer@demo.test");
  for (const serial of Object.values(demoSealSerials())) {
    if (watchBySerial(buyer, { serial, label: "" }).added) created.push(`watchlist: ${serial}`);
  }
}

/**
 * The demo buyer watches the demo products (from before their status changes: seedDemoSeals); outside production it also has a webhook to a
 * local receiver (DEMO_WEBHOOK_URL, default http://127.0.0.1:3199/iotseal-webhook), which the e2e
 * test starts. Idempotent.
 */
export function seedDemoWatchlist(created: string[]): void {
  watchDemoSeals(created);
  if (getEnv().nodeEnv === "production") return;
  const buyer = actorFor("buyer@demo.test");
  const url = process.env.DEMO_WEBHOOK_URL ?? "http://127.0.0.1:3199/iotseal-webhook";
  const has = db()
    .select({ id: webhookEndpoints.id })
    .from(webhookEndpoints)
    .where(eq(webhookEndpoints.organizationId, buyer.organizationId))
    .get();
  if (!has) {
    registerWebhook(buyer, { url });
    created.push(`webhook ${url}`);
  }
}
