// Recurring evidence against a real database and a moved clock: the demo watch's 90-day
// monitoring requirement is due in 10 days; past due + grace the seal is suspended (once, however
// often the sweeper runs) with a public reason naming the requirement, and every view agrees;
// rejected evidence changes nothing, accepted evidence reinstates at once; findings and overdue
// evidence hold one suspension together; a manual suspension is never lifted; uploads follow the
// submission rules and a refused one changes nothing; only an unconflicted assessor decides.
process.env.EVIDENCE_MAX_FILE_MB = "1"; // read lazily, at the first getEnv()
import fs from "node:fs";
import path from "node:path";
import { Readable } from "node:stream";
import { and, count, eq } from "drizzle-orm";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  auditEvents,
  evidenceFiles,
  logLeaves,
  organizations,
  recurringEvidence,
  sealEvents,
  seals,
} from "../../../db/schema";
import { testClock } from "../../../app/platform/clock.server";
import { getEnv } from "../../../app/platform/env.server";
import { DAY_MS } from "../../../app/features/findings/domain/findings";
import { addProductVersion } from "../../../app/features/catalogue/products.server";
import {
  FINDING_SUSPENSION_REASON,
  RECURRING_REINSTATE_REASON,
} from "../../../app/features/monitoring/domain/automatic-suspension";
import { checkAuditChain } from "../../../app/platform/audit.server";
import {
  diffChecklistVersions,
  getChecklistVersion,
  getVersionRow,
} from "../../../app/features/catalogue/checklists.server";
import {
  decideAutomaticSuspension,
  sweepAutomaticSuspensions,
} from "../../../app/features/monitoring/automatic-suspension.server";
import { declareConflict } from "../../../app/features/accounts/conflicts.server";
import { db, transaction } from "../../../app/platform/db.server";
import type { ServiceErrorCode } from "../../../app/platform/errors.server";
import { store, type UploadedFile } from "../../../app/features/certification/evidence.server";
import { handleRecurringUpload } from "../../../app/features/monitoring/recurring-upload.server";
import { actOnFinding, listFindings, recordFinding } from "../../../app/features/findings/findings.server";
import { describeSweep, runLifecycleSweep } from "../../../app/system/sweep.server";
import {
  decideRecurringEvidence,
  openRecurringEvidence,
  preflightRecurringUpload,
  publicRecurringStatus,
  recurringEvidenceView,
  recurringQueue,
  submitRecurringEvidence,
  supplierRecurringDue,
  supplierRecurringView,
} from "../../../app/features/monitoring/recurring-evidence.server";
import { recurringDecisionInput } from "../../../app/features/monitoring/forms";
import { changeSealStatus, statusBitstring } from "../../../app/features/trust/seal-status.server";
import { publicSealView, sealApiView, sealBySerial } from "../../../app/features/certification/seals.server";
import { actorByEmail, asha, bram, grace, sam } from "../../support/actors";
import { seedDemoRecurring } from "../../../app/demo/seed-recurring.server";
import { demoSealSerials } from "../../../app/demo/seed-seals.server";
import { seedDemoData } from "../../support/demo-seed";
import { verifySerial } from "../../../app/features/trust/verify.server";

const SCAN_REASON = "Recurring evidence overdue: 5.2-3 Continuous vulnerability monitoring.";

let serial: string;
let dueAt: Date; // of 5.2-3
let graceEndsAt: Date;

const scanItem = () => supplierRecurringView(grace(), serial).items.find((i) => i.ref === "5.2-3")!;
const events = (kind: string) =>
  db()
    .select()
    .from(sealEvents)
    .where(and(eq(sealEvents.serial, serial), eq(sealEvents.kind, kind as "suspended")))
    .all();
const state = () => sealBySerial(serial)!.state;
const rows = (table: typeof recurringEvidence | typeof evidenceFiles | typeof auditEvents) =>
  db().select({ n: count() }).from(table).get()!.n;
const tmpUploads = () => {
  const dir = path.join(getEnv().dataDir, "tmp", "uploads");
  return fs.existsSync(dir) ? fs.readdirSync(dir) : [];
};

async function fileOf(name: string, bytes: Buffer | string): Promise<UploadedFile> {
  return { originalName: name, received: await store().receive(Readable.from([Buffer.from(bytes)]), 10 * 1024 * 1024) };
}

const scanReport = (day: string) =>
  `External vulnerability scan of api.gatorwearables.example, ${day}\nOpen ports: 443/tcp\nFindings: none above low.\n`;

/**
 * Keeps 5.2-1 (every 180 days) fresh before a test moves the clock far: fresh evidence sent and
 * accepted just before the scan's next due date, when nothing is overdue yet.
 */
async function refreshPolicy() {
  testClock.set(scanItem().dueAt.getTime() - DAY_MS);
  const sent = await submitRecurringEvidence(
    grace(),
    serial,
    { ref: "5.2-1", note: "The policy page as it stands; a test report was acknowledged in a day." },
    await fileOf("policy-check.txt", `Policy check ${Date.now()}`),
  );
  expect(decideRecurringEvidence(asha(), sent.id, { decision: "accept", comment: "" }).sealChange).toBeNull();
}

async function sendScan(
  note = "Quarterly external scan of the cloud back end: nothing above low.",
  content = scanReport(new Date().toISOString()),
) {
  return submitRecurringEvidence(grace(), serial, { ref: "5.2-3", note }, await fileOf("scan.txt", content));
}

/** Expects a refusal with this code, and that it changed nothing (evidence rows, files, audit, temporary uploads). */
async function refusedWithoutChange(fn: () => unknown, code: ServiceErrorCode, message?: RegExp) {
  const before = { evidence: rows(recurringEvidence), files: rows(evidenceFiles), audit: rows(auditEvents) };
  await expect(fn).toBeRefused(code, message);
  expect({ evidence: rows(recurringEvidence), files: rows(evidenceFiles), audit: rows(auditEvents) }).toEqual(before);
  expect(tmpUploads()).toEqual([]);
}

beforeAll(async () => {
  await seedDemoData();
  serial = demoSealSerials()["Gator Kids Watch 3 3.1.0"];
  ({ dueAt, graceEndsAt } = scanItem());
  // The demo's high finding on the watch falls due in 10 days too: this file moves the clock past
  // it, so it is set aside and each test records the findings it needs.
  const onWatch = listFindings(asha(), { open: true }).filter((f) => f.product === "Gator Kids Watch 3");
  for (const f of onWatch)
    actOnFinding(asha(), f.id, { action: "withdraw", note: "Set aside for this test run.", version: f.version });
  // The firmware a fix below ships in is registered on the product: a fix is certified only for a version it has.
  const watchProduct = listFindings(asha()).find((f) => f.product === "Gator Kids Watch 3")!.productId;
  addProductVersion(grace(), watchProduct, {
    hardwareRevision: "C",
    firmwareVersion: "3.1.1",
    appVersion: "",
    notes: "",
  });
});

afterEach(() => testClock.reset());

describe("the shipped checklists", () => {
  it("new versions beside the published ones add only the recurrence; the published files keep their content hash", () => {
    const etsi = diffChecklistVersions("etsi-en-303-645", "3.1.3", "3.1.3-r1");
    expect(etsi.diff).toMatchObject({ added: [], removed: [] });
    expect(etsi.diff.changed.map((c) => [c.ref, c.fields, c.before.recursEveryDays, c.after.recursEveryDays])).toEqual([
      // The diff page also shows the evidence expected, which the -r1 files extend (not a re-certification's delta).
      ["5.2-1", ["recurrence", "evidence"], null, 180],
      ["5.2-3", ["recurrence", "evidence"], null, 90],
    ]);
    const iotsf = diffChecklistVersions("iotsf-assurance-framework", "3.0", "3.0-r1");
    expect(iotsf.diff).toMatchObject({ added: [], removed: [] });
    expect(iotsf.diff.changed.map((c) => [c.ref, c.after.recursEveryDays])).toEqual([
      ["2.4.3.5.1", 180],
      ["2.4.13.1", 90],
      ["2.4.13.5", 90],
      ["2.4.13.6", 90],
      ["2.4.13.8", 90],
    ]);
    for (const [id, version, hash] of [
      ["etsi-en-303-645", "3.1.3", "09f12d7dd70567114d4c40aeb3a131e6b0b94edfeb94feba7ef7334723e402ed"],
      ["etsi-en-303-645", "3.1.3-r1", "1d3c3d051a41b9b6f035c218390d19e63b57ce45ba5f9cfa3b7b0e7b8a452558"],
      ["iotsf-assurance-framework", "3.0-r1", "fc90b2db0bd4d365252a0e7f542a0b8768f7050565beb6fefe6684e87b502d65"],
    ]) {
      expect(getVersionRow(id, version)).toMatchObject({ contentHash: hash, recurringGraceDays: 14 });
    }
    const page = getChecklistVersion("etsi-en-303-645", "3.1.3-r1")!;
    expect(page.version.recurring).toEqual({ count: 2, shortestDays: 90, longestDays: 180 });
    expect(page.meta.recurringGraceDays).toBe(14);
    expect(getChecklistVersion("etsi-en-303-645", "3.1.3")!.version.recurring).toEqual({
      count: 0,
      shortestDays: null,
      longestDays: null,
    });
  });
});

describe("the demo", () => {
  it("the watch's seal is issued against ETSI EN 303 645 3.1.3-r1, and its monitoring scan is due in 10 days", () => {
    const v = supplierRecurringView(grace(), serial);
    expect(v.seal).toMatchObject({
      product: "Gator Kids Watch 3",
      firmware: "3.1.0",
      checklistId: "etsi-en-303-645",
      checklistVersion: "3.1.3-r1",
      level: "baseline",
      state: "active",
    });
    // In scope at baseline and passed at certification: the two recurring provisions, in checklist order.
    expect(v.items.map((i) => [i.ref, i.everyDays, i.standing])).toEqual([
      ["5.2-1", 180, "fresh"],
      ["5.2-3", 90, "due_soon"],
    ]);
    expect(scanItem().daysUntilDue).toBe(9); // 10 days away when seeded, counted in whole days left (wholeDaysLeft)
    expect(v.graceDays).toBe(14);
    expect(graceEndsAt.getTime() - dueAt.getTime()).toBe(14 * DAY_MS);
    // 5.2-1: rejected once, fresh evidence waiting for an assessor.
    expect(v.history.map((h) => [h.ref, h.status])).toEqual([
      ["5.2-1", "pending"],
      ["5.2-1", "rejected"],
    ]);
    expect(v.history[1]).toMatchObject({
      decidedBy: "IoT Seal assessor",
      comment: expect.stringMatching(/pairing screen/),
    });
    expect(v.canUpload).toBe(true);
  });

  it("the supplier's dashboard lists what is due soon; the assessors' queue what waits", () => {
    const due = supplierRecurringDue(grace());
    expect(due.due.map((d) => [d.product, d.firmware, d.ref, d.standing, d.daysUntilDue])).toEqual([
      ["Gator Kids Watch 3", "3.1.0", "5.2-3", "due_soon", 9],
    ]);
    expect(due.monitored).toEqual([expect.objectContaining({ serial, count: 2, nextDueAt: dueAt })]);
    expect(supplierRecurringDue(sam()).monitored).toEqual([]); // Brightnest's seals are PSTI: nothing recurs
    // Only a checklist version with recurring requirements is labelled "with continuous monitoring".
    expect(supplierRecurringView(grace(), serial).seal.checklistLabel).toMatch(/with continuous monitoring$/);
    const psti = supplierRecurringView(sam(), demoSealSerials()["Brightnest Indoor Cam 1 1.9.2"]);
    expect(psti.items).toEqual([]);
    expect(psti.seal.checklistLabel).not.toMatch(/continuous monitoring/);
    expect(recurringQueue(asha()).map((r) => [r.serial, r.ref, r.conflict])).toEqual([[serial, "5.2-1", null]]);
  });

  it("the public page shows each requirement's last accepted evidence and next due date, nothing private", () => {
    const pub = publicRecurringStatus(serial)!;
    expect(
      pub.items.map((i) => ({ ref: i.ref, sinceIssue: i.sinceIssue, dueAt: i.dueAt, standing: i.standing })),
    ).toEqual([
      { ref: "5.2-1", sinceIssue: true, dueAt: expect.any(Date), standing: "fresh" },
      { ref: "5.2-3", sinceIssue: true, dueAt, standing: "due_soon" },
    ]);
    const text = JSON.stringify(pub);
    for (const secret of ["pairing-screen.png", "gator-disclosure-inbox-test.txt", "Grace", "pairing screen"])
      expect(text).not.toContain(secret);
    expect(publicRecurringStatus(demoSealSerials()["Brightnest Indoor Cam 1 1.9.2"])!.items).toEqual([]);
    expect(publicRecurringStatus("IOTS-0000-0000")).toBeNull();
  });

  it("seeding again adds nothing", async () => {
    const n = rows(recurringEvidence);
    const created: string[] = [];
    await seedDemoRecurring(created);
    expect(created).toEqual([]);
    expect(rows(recurringEvidence)).toBe(n);
  });
});

describe("uploads follow the submission rules; a refusal changes nothing", () => {
  it("another organisation's seal is not found; a buyer or assessor cannot upload", async () => {
    await refusedWithoutChange(() => preflightRecurringUpload(sam(), serial), "not_found", /None of your seals/);
    await refusedWithoutChange(
      async () =>
        submitRecurringEvidence(
          sam(),
          serial,
          { ref: "5.2-3", note: "Not our seal at all." },
          await fileOf("scan.txt", scanReport("x")),
        ),
      "not_found",
    );
    await refusedWithoutChange(
      async () =>
        submitRecurringEvidence(
          asha(),
          serial,
          { ref: "5.2-3", note: "An assessor uploading." },
          await fileOf("scan.txt", scanReport("x")),
        ),
      "forbidden",
    );
    await refusedWithoutChange(
      async () =>
        submitRecurringEvidence(
          actorByEmail("buyer@demo.test"),
          serial,
          { ref: "5.2-3", note: "A buyer uploading." },
          await fileOf("scan.txt", scanReport("x")),
        ),
      "forbidden",
    );
    expect(() => supplierRecurringView(sam(), serial)).toThrow(/None of your seals/);
    const id = recurringQueue(asha())[0].id;
    await expect(openRecurringEvidence(sam(), id)).rejects.toThrow(/no such evidence/);
    await expect(openRecurringEvidence(actorByEmail("buyer@demo.test"), id)).rejects.toThrow(
      /only to the supplier and the assessors/,
    );
    (await openRecurringEvidence(grace(), id)).stream.destroy();
    (await openRecurringEvidence(asha(), id)).stream.destroy();
  });

  it("a file of the wrong type, an empty file, no file or a bad name is refused", async () => {
    const elf = Buffer.concat([Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0]), Buffer.alloc(120)]);
    await refusedWithoutChange(
      async () =>
        submitRecurringEvidence(
          grace(),
          serial,
          { ref: "5.2-3", note: "The scanner binary by mistake." },
          await fileOf("scanner", elf),
        ),
      "invalid",
      /ELF executable/,
    );
    await refusedWithoutChange(
      async () =>
        submitRecurringEvidence(
          grace(),
          serial,
          { ref: "5.2-3", note: "An empty export." },
          await fileOf("scan.txt", ""),
        ),
      "invalid",
      /empty/,
    );
    await refusedWithoutChange(
      () => submitRecurringEvidence(grace(), serial, { ref: "5.2-3", note: "Forgot to attach it." }, null),
      "invalid",
      /Choose the evidence file/,
    );
    await refusedWithoutChange(
      async () =>
        submitRecurringEvidence(
          grace(),
          serial,
          { ref: "5.2-3", note: "A path in the name." },
          await fileOf("../scan.txt", scanReport("x")),
        ),
      "invalid",
      /path/,
    );
  });

  it("only a recurring requirement of the seal, and one waiting piece of evidence per requirement", async () => {
    await refusedWithoutChange(
      async () =>
        submitRecurringEvidence(
          grace(),
          serial,
          { ref: "5.1-1", note: "Not a recurring requirement." },
          await fileOf("scan.txt", scanReport("x")),
        ),
      "invalid",
      /not a recurring requirement/,
    );
    await refusedWithoutChange(
      async () =>
        submitRecurringEvidence(
          grace(),
          serial,
          { ref: "5.2-1", note: "Again, while one waits." },
          await fileOf("policy.txt", "Policy page as it stands."),
        ),
      "conflict",
      /waiting for an assessor/,
    );
  });

  it("a revoked, expired or superseded seal takes no more evidence (checked before the body is read)", async () => {
    const serials = demoSealSerials();
    await refusedWithoutChange(
      () => preflightRecurringUpload(sam(), serials["Brightnest Smart Plug 1.2.0"]),
      "conflict",
      /revoked/,
    );
    await refusedWithoutChange(
      () => preflightRecurringUpload(grace(), serials["Gator Kids Watch 2 2.9.4"]),
      "conflict",
      /expired/,
    );
    await refusedWithoutChange(
      async () =>
        submitRecurringEvidence(
          sam(),
          serials["Brightnest Smart Plug 1.2.0"],
          { ref: "1", note: "After the revocation." },
          await fileOf("scan.txt", scanReport("x")),
        ),
      "conflict",
      /revoked/,
    );
    // A monitored seal whose checklist has no recurring requirement (PSTI) is refused too.
    await refusedWithoutChange(
      () => preflightRecurringUpload(sam(), serials["Brightnest Indoor Cam 1 1.9.2"]),
      "conflict",
      /no recurring requirement/,
    );
  });
});

describe("the upload form (multipart, streamed)", () => {
  function multipart(parts: { name: string; filename?: string; body: Buffer | string }[]): {
    body: Buffer;
    type: string;
  } {
    const boundary = "----iotseal" + Math.random().toString(36).slice(2);
    const chunks: Buffer[] = [];
    for (const p of parts) {
      const disp = `form-data; name="${p.name}"` + (p.filename !== undefined ? `; filename="${p.filename}"` : "");
      chunks.push(
        Buffer.from(
          `--${boundary}\r\nContent-Disposition: ${disp}\r\n` +
            (p.filename !== undefined ? "Content-Type: application/octet-stream\r\n" : "") +
            "\r\n",
          "latin1",
        ),
      );
      chunks.push(Buffer.isBuffer(p.body) ? p.body : Buffer.from(p.body));
      chunks.push(Buffer.from("\r\n"));
    }
    chunks.push(Buffer.from(`--${boundary}--\r\n`));
    return { body: Buffer.concat(chunks), type: `multipart/form-data; boundary=${boundary}` };
  }
  const request = (parts: Parameters<typeof multipart>[0]) => {
    const { body, type } = multipart(parts);
    return new Request("http://localhost/u", {
      method: "POST",
      body: new Uint8Array(body),
      headers: { "content-type": type, "content-length": String(body.length) },
    });
  };
  const unchanged = () => ({
    evidence: rows(recurringEvidence),
    files: rows(evidenceFiles),
    audit: rows(auditEvents),
    tmp: tmpUploads(),
  });

  it("refuses a file over the limit, a missing note, a second file, and another organisation's seal before reading it — changing nothing", async () => {
    const before = unchanged();
    const big = await handleRecurringUpload(
      grace(),
      request([
        { name: "ref", body: "5.2-3" },
        { name: "note", body: "A very large scan report." },
        { name: "file", filename: "huge.txt", body: Buffer.alloc(1024 * 1024 + 10, "a") },
      ]),
      serial,
    );
    expect(big).toMatchObject({
      ok: false,
      status: 413,
      message: expect.stringMatching(/huge\.txt is larger than the limit of 1 MiB/),
    });
    const noNote = await handleRecurringUpload(
      grace(),
      request([
        { name: "ref", body: "5.2-3" },
        { name: "note", body: "" },
        { name: "file", filename: "scan.txt", body: scanReport("x") },
      ]),
      serial,
    );
    expect(noNote).toMatchObject({
      ok: false,
      status: 400,
      fieldErrors: { note: expect.stringMatching(/Add a note/) },
      values: { ref: "5.2-3", note: "" },
    });
    const two = await handleRecurringUpload(
      grace(),
      request([
        { name: "ref", body: "5.2-3" },
        { name: "note", body: "Two files at once." },
        { name: "file", filename: "a.txt", body: "a" },
        { name: "file", filename: "b.txt", body: "b" },
      ]),
      serial,
    );
    expect(two).toMatchObject({ ok: false, status: 413, message: expect.stringMatching(/one file at a time/) });
    let pulled = 0;
    const body = new ReadableStream({
      pull(controller) {
        pulled++;
        controller.enqueue(new Uint8Array(64 * 1024));
      },
    });
    const foreign = await handleRecurringUpload(
      sam(),
      new Request("http://localhost/u", {
        method: "POST",
        body,
        headers: { "content-type": "multipart/form-data; boundary=x" },
        duplex: "half",
      } as RequestInit),
      serial,
    );
    expect(foreign).toMatchObject({ ok: false, status: 404 });
    expect(pulled).toBeLessThanOrEqual(1);
    expect(unchanged()).toEqual(before);
  });

  it("keeps a good upload: the file by its SHA-256, the row waiting for an assessor, the audit entry", async () => {
    const r = await handleRecurringUpload(
      grace(),
      request([
        { name: "ref", body: "5.2-3" },
        { name: "note", body: "Scan of the wrong host, sent by mistake." },
        { name: "file", filename: "scan-staging.txt", body: scanReport("staging") },
      ]),
      serial,
    );
    expect(r).toMatchObject({ ok: true, ref: "5.2-3" });
    if (!r.ok) return;
    expect(await store().exists(r.sha256)).toBe(true);
    const row = db().select().from(recurringEvidence).where(eq(recurringEvidence.sha256, r.sha256)).get()!;
    expect(row).toMatchObject({ serial, requirementRef: "5.2-3", status: "pending", originalName: "scan-staging.txt" });
    expect(
      db()
        .select()
        .from(auditEvents)
        .where(eq(auditEvents.targetId, row.id))
        .all()
        .map((a) => a.action),
    ).toEqual(["recurring_evidence.submitted"]);
    expect(tmpUploads()).toEqual([]);
    // Cleared again for the tests below (a rejection does not move the due date).
    decideRecurringEvidence(asha(), row.id, { decision: "reject", comment: "Scanned staging, not production." });
    expect(scanItem()).toMatchObject({ pending: null, dueAt });
  });
});

describe("deciding: only an assessor without a conflict of interest", () => {
  it("a supplier, an admin or a conflicted assessor cannot; a rejection needs a comment", async () => {
    const id = recurringQueue(asha())[0].id;
    const gator = db().select().from(organizations).where(eq(organizations.name, "Gator Wearables Ltd")).get()!.id;
    declareConflict(actorByEmail("admin@demo.test"), {
      assessorId: bram().userId,
      organizationId: gator,
      reason: "Consulted for Gator on its cloud back end.",
    });
    await refusedWithoutChange(
      () => decideRecurringEvidence(grace(), id, { decision: "accept", comment: "" }),
      "forbidden",
    );
    await refusedWithoutChange(
      () => decideRecurringEvidence(actorByEmail("admin@demo.test"), id, { decision: "accept", comment: "" }),
      "forbidden",
    );
    await refusedWithoutChange(
      () => decideRecurringEvidence(bram(), id, { decision: "accept", comment: "" }),
      "forbidden",
      /declared conflict of interest with Gator Wearables Ltd/,
    );
    expect(recurringQueue(bram())[0].conflict).toMatch(/declared/i);
    expect(() => recurringEvidenceView(bram(), id)).toThrow(/declared conflict of interest/); // issue 13.3: not even the page
    const parsed = recurringDecisionInput.safeParse({ decision: "reject", comment: "no" });
    expect(parsed.success).toBe(false);
    expect(parsed.error!.issues[0]).toMatchObject({ path: ["comment"], message: expect.stringMatching(/Say why/) });
    expect(recurringDecisionInput.safeParse({ decision: "maybe" }).error!.issues[0].message).toBe(
      "Choose accept or reject.",
    );
  });

  it("the check page shows the file, its hash, the requirement and the certified evidence it follows", () => {
    const id = recurringQueue(asha())[0].id;
    const v = recurringEvidenceView(asha(), id);
    expect(v.evidence).toMatchObject({
      requirementRef: "5.2-1",
      originalName: "gator-disclosure-inbox-test.txt",
      mediaType: "text/plain",
      status: "pending",
      sha256: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
    expect(v.requirement).toMatchObject({
      ref: "5.2-1",
      title: "Public vulnerability disclosure policy",
      everyDays: 180,
    });
    expect(v.previousAccepted).toBeNull(); // the rejected screenshot does not count
    expect(v.certifiedFiles.map((f) => f.originalName)).toEqual(["gator-kids-watch-3-security-policy.pdf"]);
    expect(v.history.map((h) => h.status)).toEqual(["pending", "rejected"]);
    expect(v.canDecide).toBe(true);
  });

  it("an unconflicted assessor accepts the waiting evidence: the due date moves to 180 days after it was sent", () => {
    const [waiting] = recurringQueue(asha());
    const r = decideRecurringEvidence(asha(), waiting.id, {
      decision: "accept",
      comment: "Policy live; the test report was acknowledged within the published time.",
    });
    expect(r).toEqual({
      status: "accepted",
      nextDueAt: new Date(waiting.submittedAt.getTime() + 180 * DAY_MS),
      sealChange: null,
    });
    expect(recurringQueue(asha())).toEqual([]);
    const policy = supplierRecurringView(grace(), serial).items.find((i) => i.ref === "5.2-1")!;
    expect(policy).toMatchObject({
      dueAt: r.nextDueAt,
      lastAccepted: { id: waiting.id },
      pending: null,
      standing: "fresh",
    });
    expect(recurringEvidenceView(asha(), waiting.id)).toMatchObject({
      canDecide: false,
      evidence: { status: "accepted", decidedByName: "Asha Assessor" },
    });
  });
});

describe("overdue evidence suspends the seal; accepted evidence reinstates it", () => {
  it("evidence sent before the grace period ended and still with an assessor holds the seal: the supplier's part was on time", async () => {
    testClock.set(graceEndsAt.getTime() - DAY_MS);
    const sent = await sendScan("Quarterly scan, sent before the grace period ended.");
    expect(scanItem().standing).toBe("awaiting_decision");
    testClock.set(graceEndsAt.getTime() + 10 * DAY_MS); // nobody decided it in time
    expect(scanItem().standing).toBe("awaiting_decision");
    expect(runLifecycleSweep().suspended).toEqual([]);
    expect(state()).toBe("active");
    expect(publicRecurringStatus(serial)!.items.find((i) => i.ref === "5.2-3")!.standing).toBe("awaiting_decision");
    // Rejected, it no longer counts: the requirement is overdue, and the seal is suspended at once (not
    // at the next sweep), so its public status agrees with what the supplier is told.
    expect(
      decideRecurringEvidence(asha(), sent.id, {
        decision: "reject",
        comment: "This scans staging, not the production back end: scan api.gatorwearables.example.",
      }),
    ).toEqual({ status: "rejected", nextDueAt: null, sealChange: "suspend" });
    expect(scanItem()).toMatchObject({ standing: "overdue", pending: null });
    expect(state()).toBe("suspended");
    expect(await verifySerial(serial)).toMatchObject({ status: "suspended", reason: SCAN_REASON });
    expect(events("suspended").at(-1)).toMatchObject({ reason: SCAN_REASON, cause: "recurring:5.2-3" });
  });

  it("in the grace period nothing happens; past it the seal is suspended once, and every view agrees", async () => {
    // Back in the grace period (the test above suspended the seal later on): nothing holds it.
    testClock.set(graceEndsAt.getTime() - 60_000);
    expect(scanItem().standing).toBe("in_grace");
    expect(runLifecycleSweep().suspended).toEqual([]);
    expect(state()).toBe("active");
    const suspensions = events("suspended").length;

    testClock.set(graceEndsAt.getTime() + 60_000);
    const audit = rows(auditEvents);
    const report = runLifecycleSweep();
    expect(report.suspended).toEqual([serial]);
    expect(report.causes[serial]).toEqual({ findings: 0, recurring: ["5.2-3"] });
    expect(describeSweep(report)).toContain(`suspended ${serial} (recurring evidence overdue: 5.2-3)`);
    for (let i = 0; i < 3; i++)
      expect(runLifecycleSweep()).toMatchObject({ suspended: [], restated: [], reinstated: [] });
    expect(sweepAutomaticSuspensions()).toMatchObject({ suspended: [], reinstated: [] });
    // Two processes deciding the same seal one after the other: the second finds nothing to do.
    expect(transaction((tx) => decideAutomaticSuspension(tx, { system: "lifecycle" }, serial))).toBeNull();

    expect(events("suspended")).toHaveLength(suspensions + 1);
    const ev = events("suspended").at(-1)!;
    expect(ev).toMatchObject({ reason: SCAN_REASON, cause: "recurring:5.2-3", actorLabel: "system:lifecycle" });
    expect(await verifySerial(serial)).toMatchObject({ status: "suspended", reason: SCAN_REASON });
    expect(await sealApiView(serial)).toMatchObject({ verdict: "suspended", reason: SCAN_REASON });
    expect(await publicSealView(serial)).toMatchObject({ verdict: "suspended", reason: SCAN_REASON });
    expect(statusBitstring("suspension").get(sealBySerial(serial)!.suspensionIndex)).toBe(true);
    const leaf = db().select().from(logLeaves).where(eq(logLeaves.leafIndex, ev.logIndex)).get()!;
    expect(JSON.parse(leaf.data)).toMatchObject({ event: "suspended", serial, reason: SCAN_REASON });
    const written = db().select().from(auditEvents).all().slice(audit);
    expect(written.map((e) => e.action).filter((a) => a.startsWith("seal.") || a.startsWith("recurring"))).toEqual([
      "seal.suspended",
    ]);
    expect(checkAuditChain().ok).toBe(true);
    expect(scanItem().standing).toBe("overdue");
  });

  it("rejected evidence changes nothing: the seal stays suspended", async () => {
    testClock.set(graceEndsAt.getTime() + DAY_MS);
    const sent = await sendScan("Scan of the staging environment by mistake.");
    expect(scanItem().pending).toMatchObject({ id: sent.id });
    expect(
      decideRecurringEvidence(asha(), sent.id, {
        decision: "reject",
        comment: "This scans staging, not the production back end: scan api.gatorwearables.example.",
      }),
    ).toEqual({
      status: "rejected",
      nextDueAt: null,
      sealChange: null,
    });
    expect(() => decideRecurringEvidence(asha(), sent.id, { decision: "accept", comment: "" })).toThrow(
      /already rejected/,
    );
    expect(runLifecycleSweep()).toMatchObject({ suspended: [], reinstated: [] });
    expect(state()).toBe("suspended");
    expect(scanItem()).toMatchObject({ standing: "overdue", pending: null, dueAt });
    const audit = db().select().from(auditEvents).where(eq(auditEvents.targetId, sent.id)).all();
    expect(audit.map((a) => a.action)).toEqual(["recurring_evidence.submitted", "recurring_evidence.rejected"]);
  });

  it("accepted evidence moves the due date, records its hash and reinstates the seal at once", async () => {
    const sentAt = graceEndsAt.getTime() + 2 * DAY_MS;
    testClock.set(sentAt);
    const sent = await sendScan();
    testClock.set(sentAt + DAY_MS); // the assessor decides a day later: the clock counts from the submission
    const r = decideRecurringEvidence(asha(), sent.id, {
      decision: "accept",
      comment: "Production scan, nothing above low.",
    });
    expect(r).toEqual({ status: "accepted", nextDueAt: new Date(sentAt + 90 * DAY_MS), sealChange: "reinstate" });
    // No sweep ran: the acceptance reinstated the seal in its own transaction.
    expect(state()).toBe("active");
    expect(events("reinstated").at(-1)).toMatchObject({ reason: RECURRING_REINSTATE_REASON, cause: "recurring:none" });
    expect(await verifySerial(serial)).toMatchObject({ status: "valid" });
    expect(statusBitstring("suspension").get(sealBySerial(serial)!.suspensionIndex)).toBe(false);
    expect(scanItem()).toMatchObject({
      standing: "fresh",
      dueAt: new Date(sentAt + 90 * DAY_MS),
      lastAccepted: { id: sent.id, sha256: sent.sha256 },
    });
    const pub = publicRecurringStatus(serial)!.items.find((i) => i.ref === "5.2-3")!;
    expect(pub).toMatchObject({ sinceIssue: false, lastAcceptedAt: new Date(sentAt) });
    expect(JSON.stringify(publicRecurringStatus(serial))).not.toContain(sent.sha256); // nothing of the private file on the public page
    const accepted = db()
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.targetId, sent.id), eq(auditEvents.action, "recurring_evidence.accepted")))
      .get()!;
    expect(JSON.parse(accepted.details)).toMatchObject({ serial, ref: "5.2-3", sha256: sent.sha256 });
    expect(runLifecycleSweep()).toMatchObject({ suspended: [], reinstated: [] });
    expect(checkAuditChain().ok).toBe(true);
  });
});

describe("findings and overdue evidence hold one suspension", () => {
  it("suspended for both, the seal stays suspended until neither remains; the public reason never names the finding", async () => {
    await refreshPolicy();
    const base = scanItem().graceEndsAt.getTime() + 60_000; // the scan is overdue again
    testClock.set(base);
    const id = recordFinding(asha(), {
      productId: supplierRecurringView(grace(), serial).seal.productId,
      versionIds: [sealBySerial(serial)!.productVersionId],
      title: "Companion API leaks the parent's phone number",
      description:
        "The watch's contact list endpoint returns every approved contact's full phone number to any paired account.",
      severity: "critical",
      reporter: "A. Researcher",
      reportedOn: new Date(base - 40 * DAY_MS).toISOString().slice(0, 10), // critical: 30 days, so already overdue
      confirmPublic: "yes",
    });
    // Recording the report swept: one suspension, for both causes.
    expect(state()).toBe("suspended");
    const both = events("suspended").at(-1)!;
    expect(both.reason).toBe(`${FINDING_SUSPENSION_REASON} ${SCAN_REASON}`);
    expect(both.cause).toBe(`finding:${id};recurring:5.2-3`);
    expect(JSON.stringify(await verifySerial(serial))).not.toContain("phone number");

    // The fix is verified: the finding no longer holds the seal, the overdue evidence still does.
    const version = () => listFindings(asha()).find((f) => f.id === id)!.version;
    actOnFinding(grace(), id, {
      action: "mark_fixed",
      note: "Numbers are masked.",
      fixedInVersion: "3.1.1",
      version: version(),
    });
    actOnFinding(asha(), id, { action: "verify_fix", note: "Retested: masked.", version: version() });
    expect(state()).toBe("suspended");
    expect(await verifySerial(serial)).toMatchObject({ status: "suspended", reason: SCAN_REASON });
    expect(events("suspended").at(-1)).toMatchObject({ reason: SCAN_REASON, cause: "recurring:5.2-3" });
    expect(runLifecycleSweep()).toMatchObject({ suspended: [], restated: [], reinstated: [] });

    // The evidence arrives and is accepted: nothing holds the seal any more.
    const sent = await sendScan();
    expect(decideRecurringEvidence(asha(), sent.id, { decision: "accept", comment: "" }).sealChange).toBe("reinstate");
    expect(state()).toBe("active");
    expect(checkAuditChain().ok).toBe(true);
  });

  it("accepting the evidence while a finding still holds keeps the seal suspended, now for the finding alone", async () => {
    await refreshPolicy();
    const base = scanItem().graceEndsAt.getTime() + 60_000;
    testClock.set(base);
    const id = recordFinding(asha(), {
      productId: supplierRecurringView(grace(), serial).seal.productId,
      versionIds: [sealBySerial(serial)!.productVersionId],
      title: "SOS call can be suppressed over BLE",
      description:
        "An unauthenticated BLE write to the settings characteristic turns the SOS button off without the parent's app noticing.",
      severity: "high",
      reporter: "A. Researcher",
      reportedOn: new Date(base - 100 * DAY_MS).toISOString().slice(0, 10),
      confirmPublic: "yes", // overdue at once
    });
    expect(events("suspended").at(-1)!.reason).toBe(`${FINDING_SUSPENSION_REASON} ${SCAN_REASON}`);
    const sent = await sendScan();
    expect(decideRecurringEvidence(asha(), sent.id, { decision: "accept", comment: "" }).sealChange).toBe("restate");
    expect(state()).toBe("suspended");
    expect(await verifySerial(serial)).toMatchObject({ status: "suspended", reason: FINDING_SUSPENSION_REASON });
    actOnFinding(asha(), id, {
      action: "withdraw",
      note: "Duplicate of a report already handled.",
      version: listFindings(asha()).find((f) => f.id === id)!.version,
    });
    expect(state()).toBe("active");
  });
});

describe("a manual suspension", () => {
  it("is never lifted by the sweeper or by accepted evidence", async () => {
    await refreshPolicy();
    changeSealStatus(asha(), {
      serial,
      action: "suspend",
      reason: "Suspended by hand while we check the supplier's cloud migration.",
    });
    const base = scanItem().graceEndsAt.getTime() + 60_000;
    testClock.set(base);
    expect(runLifecycleSweep()).toMatchObject({ suspended: [], restated: [], reinstated: [] });
    const sent = await sendScan();
    expect(decideRecurringEvidence(asha(), sent.id, { decision: "accept", comment: "" }).sealChange).toBeNull();
    expect(runLifecycleSweep().reinstated).toEqual([]);
    expect(state()).toBe("suspended");
    expect((await verifySerial(serial)).reason).toBe(
      "Suspended by hand while we check the supplier's cloud migration.",
    );
    changeSealStatus(asha(), { serial, action: "reinstate", reason: "Migration checked; reinstated by hand." });
  });
});

describe("an expired seal", () => {
  it("needs no more evidence and is not suspended for it", async () => {
    const waiting = await sendScan("Sent just before the seal expired.");
    const seal = db().select().from(seals).where(eq(seals.serial, serial)).get()!;
    testClock.set(seal.validUntil.getTime() + DAY_MS);
    await refusedWithoutChange(
      () => decideRecurringEvidence(asha(), waiting.id, { decision: "accept", comment: "" }),
      "conflict",
      /expired on .*: its recurring evidence is no longer checked/,
    );
    expect(recurringQueue(asha())).toEqual([]);
    const report = runLifecycleSweep();
    expect(report.suspended).not.toContain(serial);
    expect(report.expired).toContain(serial);
    expect((await verifySerial(serial)).status).toBe("expired");
    expect(publicRecurringStatus(serial)!.items).toEqual([]);
    expect(supplierRecurringDue(grace()).due).toEqual([]);
    await refusedWithoutChange(() => preflightRecurringUpload(grace(), serial), "conflict", /expired/);
  });
});
