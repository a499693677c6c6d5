/**
 * Demo products and submissions (part of the demo seed, app/demo/seed.server.ts):
 * Gator Kids Watch 3 (firmware 3.2.0) with a complete, submitted ETSI EN 303 645 2.1.1
 * submission carrying real evidence files; Brightnest Indoor Cam 2 with a half-answered draft
 * against the IoTSF framework at class-1. Everything goes through the same services a user's
 * clicks do, so the audit log and the rules apply.
 */
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { and, eq } from "drizzle-orm";
import type { z } from "zod";
import { organizations, products, productVersions, submissions, users } from "../../db/schema";
import type { Claim } from "../features/certification/domain/answers";
import type { Actor } from "../platform/actor";
import { db } from "../platform/db.server";
import { attachUploads, store } from "../features/certification/evidence.server";
import { addProductVersion, createProduct, productInput } from "../features/catalogue/products.server";
import { openSubmission, saveAnswer, submitSubmission } from "../features/certification/submissions.server";
import { requirementsInScope } from "../features/certification/submission-records.server";
import { recordVerdict, requestChanges, takeSubmission } from "../features/certification/review.server";

export function seedEvidenceDir(start = path.dirname(fileURLToPath(import.meta.url))): string {
  let dir = start;
  for (let i = 0; i < 6; i++) {
    const candidate = path.join(dir, "db", "seed-evidence");
    if (fs.existsSync(candidate)) return candidate;
    dir = path.dirname(dir);
  }
  return path.resolve("db/seed-evidence");
}

export function actorFor(email: string): Actor {
  const row = db()
    .select({ u: users, org: organizations })
    .from(users)
    .innerJoin(organizations, eq(organizations.id, users.organizationId))
    .where(eq(users.email, email))
    .get();
  if (!row) throw new Error(`demo user ${email} is missing`);
  return {
    userId: row.u.id,
    email: row.u.email,
    name: row.u.name,
    role: row.u.role,
    organizationId: row.org.id,
    ip: null,
  };
}

export async function attachSeedEvidence(
  actor: Actor,
  submissionId: string,
  ref: string,
  files: string[],
): Promise<void> {
  const uploads = [];
  for (const name of files) {
    const received = await store().receive(fs.createReadStream(path.join(seedEvidenceDir(), name)), 10 * 1024 * 1024);
    uploads.push({ originalName: name, received });
  }
  await attachUploads(actor, submissionId, ref, uploads);
}

function findProduct(actor: Actor, model: string) {
  return db()
    .select()
    .from(products)
    .where(and(eq(products.organizationId, actor.organizationId), eq(products.model, model)))
    .get();
}

export async function ensureProduct(
  actor: Actor,
  p: z.input<typeof productInput>,
  version: { hardwareRevision: string; firmwareVersion: string; appVersion: string | null },
) {
  // Demo data goes through the same validation as a supplier's form.
  const productId = findProduct(actor, p.model)?.id ?? createProduct(actor, productInput.parse(p));
  const existing = db()
    .select()
    .from(productVersions)
    .where(and(eq(productVersions.productId, productId), eq(productVersions.firmwareVersion, version.firmwareVersion)))
    .get();
  const versionId = existing?.id ?? addProductVersion(actor, productId, { ...version, notes: "" });
  return { productId, versionId };
}

const WATCH_JUSTIFICATIONS: Record<string, string> = {
  "5.0":
    "Our implementation conformance statement lists every provision with its status; the only ones marked not applicable concern software that cannot be updated, and each says why (every component of the watch updates over the air).",
  "5.1":
    "Every watch has a unique pairing code printed on its box and held in its secure element; the parent app forces a new PIN at first pairing and locks pairing after five wrong PINs (policy section 1, pairing screen).",
  "5.2":
    "Our vulnerability disclosure policy is published at https://gatorwearables.example/security: reports to security@gatorwearables.example, acknowledged within 2 working days, updates every 14 days (policy section 2).",
  "5.3":
    "Firmware updates are signed (Ed25519, HSM-held key), verified before install, downgrade-protected and installed automatically overnight; security updates until 31 December 2029, published on the box and product page (policy section 3, update test log).",
  "5.4":
    "Credentials and keys live in the secure element, unique per device; nothing security-relevant is hard-coded in the firmware image.",
  "5.5":
    "All communication with the cloud uses TLS 1.3 with certificate pinning; pairing over Bluetooth uses LE Secure Connections (policy section 4).",
  "5.6":
    "No network ports are open on the watch; Bluetooth is discoverable only during pairing; the debug UART is fused off in production (policy section 5).",
  "5.7": "Secure boot verifies the firmware signature at every start and falls back to the last good slot.",
  "5.8": "Location data is encrypted in transit and at rest (AES-256-GCM) and deleted after 30 days.",
  "5.9":
    "Time, step counting and the SOS call keep working without the cloud; the app shows clearly when location sharing is unavailable.",
  "5.10": "Crash reports are the only telemetry; they are reviewed weekly for security anomalies.",
  "5.11": "Parents can erase all personal data from the app; a factory reset erases the watch completely.",
  "5.12": "Pairing takes three guided steps with the code from the box; secure settings are the defaults.",
  "5.13": "All input from the app, the network and the cloud API is validated against strict schemas before use.",
  "6": "The privacy notice (in the app and on the website) explains what is processed and why; the parent's consent is asked at set-up and can be withdrawn at any time.",
};

/** The demo watch's answer to an ETSI EN 303 645 requirement (any version): claim, justification and seed evidence files. */
export function watchAnswer(req: {
  ref: string;
  sectionRef: string;
  applicability: string;
  condition: string | null;
}): { claim: Claim; justification: string; files: string[] } {
  const c = (req.condition ?? "").toLowerCase();
  if (c.includes("not updat") || (c.includes("constrained") && !c.includes("not constrained"))) {
    return {
      claim: "not_applicable",
      justification:
        "Every software component of the watch is updateable over the air, and it is not a constrained device.",
      files: [],
    };
  }
  const justification = WATCH_JUSTIFICATIONS[req.sectionRef] ?? WATCH_JUSTIFICATIONS["5.13"];
  const files =
    req.sectionRef === "5.1"
      ? ["pairing-screen.png", "gator-kids-watch-3-security-policy.pdf"]
      : req.sectionRef === "5.3"
        ? ["gator-kids-watch-3-security-policy.pdf", "update-test-log.txt"]
        : req.applicability === "mandatory" || req.sectionRef === "5.2"
          ? ["gator-kids-watch-3-security-policy.pdf"]
          : [];
  return { claim: "implemented", justification, files };
}

export async function seedDemoProducts(created: string[]): Promise<void> {
  const grace = actorFor("supplier@demo.test");
  const watch = await ensureProduct(
    grace,
    {
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
    { hardwareRevision: "C", firmwareVersion: "3.2.0", appVersion: "5.4.1" },
  );
  if (
    !db()
      .select({ id: submissions.id })
      .from(submissions)
      .where(eq(submissions.productVersionId, watch.versionId))
      .get()
  ) {
    const id = openSubmission(grace, {
      productVersionId: watch.versionId,
      target: { checklistVersionId: "etsi-en-303-645@2.1.1", targetLevel: "baseline" },
    });
    for (const req of requirementsInScope(db(), "etsi-en-303-645@2.1.1", "baseline")) {
      const a = watchAnswer(req);
      saveAnswer(grace, id, req.ref, { claim: a.claim, justification: a.justification, noEvidenceReason: "" });
      if (a.files.length) await attachSeedEvidence(grace, id, req.ref, a.files);
    }
    submitSubmission(grace, id);
    created.push("submission Gator Kids Watch 3 3.2.0 / ETSI EN 303 645 2.1.1 (submitted)");
  }

  const sam = actorFor("supplier2@demo.test");
  const cam = await ensureProduct(
    sam,
    {
      name: "Brightnest Indoor Cam 2",
      model: "BN-IC2",
      gtin: "5060987650044",
      sku: "BN-IC2-WHT",
      category: "camera",
      description: "A 2K indoor security camera with two-way audio, local recording and cloud clips.",
      placedOnMarketOn: "2025-07-01",
      supportPeriodEnd: "2030-06-30",
      disclosurePolicyUrl: "https://brightnest.example/security",
    },
    { hardwareRevision: "B", firmwareVersion: "2.4.1", appVersion: null },
  );
  if (
    !db().select({ id: submissions.id }).from(submissions).where(eq(submissions.productVersionId, cam.versionId)).get()
  ) {
    const id = openSubmission(sam, {
      productVersionId: cam.versionId,
      target: { checklistVersionId: "iotsf-assurance-framework@3.0", targetLevel: "class-1" },
    });
    const reqs = requirementsInScope(db(), "iotsf-assurance-framework@3.0", "class-1");
    for (const req of reqs.slice(0, Math.ceil(reqs.length / 2))) {
      saveAnswer(sam, id, req.ref, {
        claim: "implemented",
        justification: "Implemented in firmware 2.4.1; see the design notes in our security file.",
        noEvidenceReason: "",
      });
    }
    const interfaces = reqs.find((r) => r.sectionRef === "2.4.7");
    if (interfaces) await attachSeedEvidence(sam, id, interfaces.ref, ["indoor-cam-port-scan.txt"]);
    created.push("submission Brightnest Indoor Cam 2 2.4.1 / IoTSF 3.0 class-1 (draft, half answered)");
  }

  // A doorbell whose PSTI submission an assessor sent back with comments ("changes requested").
  const bell = await ensureProduct(
    sam,
    {
      name: "Brightnest Video Doorbell",
      model: "BN-VD1",
      gtin: "5060987650051",
      sku: "BN-VD1-BLK",
      category: "camera",
      description: "A battery video doorbell with motion alerts and two-way talk.",
      placedOnMarketOn: "2024-04-01",
      supportPeriodEnd: "2029-03-31",
      disclosurePolicyUrl: "https://brightnest.example/security",
    },
    { hardwareRevision: "A", firmwareVersion: "1.8.0", appVersion: null },
  );
  if (
    !db().select({ id: submissions.id }).from(submissions).where(eq(submissions.productVersionId, bell.versionId)).get()
  ) {
    const id = openSubmission(sam, {
      productVersionId: bell.versionId,
      target: { checklistVersionId: "uk-psti@2023", targetLevel: "baseline" },
    });
    saveAnswer(sam, id, "1", {
      claim: "implemented",
      justification: "Each doorbell has a unique set-up code; the app asks for a new password at set-up.",
      noEvidenceReason: "",
    });
    await attachSeedEvidence(sam, id, "1", ["indoor-cam-port-scan.txt"]);
    saveAnswer(sam, id, "2", {
      claim: "implemented",
      justification: "Reports go to security@brightnest.example.",
      noEvidenceReason: "Our policy is an e-mail address on the website.",
    });
    saveAnswer(sam, id, "3", {
      claim: "implemented",
      justification: "Security updates for at least five years.",
      noEvidenceReason: "Stated in our terms of sale.",
    });
    submitSubmission(sam, id);
    const asha = actorFor("assessor1@demo.test");
    takeSubmission(asha, id);
    const version = () =>
      db().select({ v: submissions.version }).from(submissions).where(eq(submissions.id, id)).get()!.v;
    recordVerdict(asha, id, "1", { verdict: "pass", comment: "", accepted: false, version: version() });
    recordVerdict(asha, id, "2", {
      verdict: "needs_information",
      comment:
        "An e-mail address alone is not a published policy: send the web page that says how reports are handled and acknowledged.",
      accepted: false,
      version: version(),
    });
    recordVerdict(asha, id, "3", {
      verdict: "fail",
      comment:
        '"At least five years" is not a defined support period: publish an end date on the product page and the box.',
      accepted: false,
      version: version(),
    });
    requestChanges(
      asha,
      id,
      version(),
      "Two PSTI requirements need work before we can approve; see the comments on 2 and 3.",
    );
    created.push("submission Brightnest Video Doorbell 1.8.0 / UK PSTI 2023 (changes requested)");
  }

  // A toy children outgrow: support shorter than five years, matching its stated expected use (EU CRA Article 13(8)).
  await ensureProduct(
    grace,
    {
      name: "Gator Pocket Pet",
      model: "GW-PP1",
      sku: "GPP1-ORG",
      category: "toy",
      description:
        "A connected virtual-pet keyring for children aged 4-7: the pet lives on the keyring and visits the parent's app over Bluetooth.",
      placedOnMarketOn: "2026-09-01",
      supportPeriodEnd: "2029-08-31",
      expectedUseTime: "3",
      expectedUseUnit: "years",
      expectedUseReason:
        "It is made for children aged 4 to 7, and our play studies show they stop playing with it after about three years.",
      disclosurePolicyUrl: "https://gatorwearables.example/security",
    },
    { hardwareRevision: "A", firmwareVersion: "1.0.0", appVersion: "5.4.1" },
  );
}
