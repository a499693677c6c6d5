// Approval issues exactly one seal, atomically with the approval, its log leaf and its event.
import { eq, sql } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { auditEvents, logLeaves, sealEvents, seals, submissions } from "../../../db/schema";
import { signingKeys } from "../../../app/features/trust/adapters/signing-keys.server";
import { getEnv } from "../../../app/platform/env.server";
import { verifySealSignature } from "../../../app/features/trust/domain/credential";
import { leafHash } from "../../../app/features/trust/domain/merkle";
import { isValidSerial } from "../../../app/features/trust/domain/serial";
import { checkAuditChain } from "../../../app/platform/audit.server";
import { db } from "../../../app/platform/db.server";
import {
  confirmApproval,
  proposeApproval,
  recordVerdict,
  reviewQueue,
  takeSubmission,
} from "../../../app/features/certification/review.server";
import { sealForSubmission, sealHistory } from "../../../app/features/certification/seals.server";
import { actorByEmail } from "../../support/actors";
import { seedDemoData } from "../../support/demo-seed";
import { answerFacts, requirementsInScope } from "../../../app/features/certification/submission-records.server";
import { submissionVersion as version } from "../../support/submissions";

let watchId: string;
const count = (t: typeof seals | typeof logLeaves | typeof sealEvents) =>
  db()
    .select({ n: sql<number>`count(*)` })
    .from(t)
    .get()!.n;

beforeAll(async () => {
  await seedDemoData({ seals: false });
  const asha = actorByEmail("assessor1@demo.test");
  watchId = reviewQueue(asha, { page: 1 }).rows.find((r) => r.product === "Gator Kids Watch 3")!.id;
  takeSubmission(asha, watchId, version(watchId));
  const s = db().select().from(submissions).where(eq(submissions.id, watchId)).get()!;
  const facts = answerFacts(db(), watchId);
  for (const req of requirementsInScope(db(), s.checklistVersionId, s.targetLevel)) {
    const na = facts.get(req.ref)?.claim === "not_applicable";
    recordVerdict(
      asha,
      watchId,
      req.ref,
      na
        ? {
            verdict: "not_applicable",
            comment: "Agreed.",
            accepted: req.applicability === "advisory",
            version: version(watchId),
          }
        : { verdict: "pass", comment: "", accepted: false, version: version(watchId) },
    );
  }
  proposeApproval(asha, watchId, version(watchId), "");
});

describe("issuing a seal on approval", () => {
  let confirmedFrom: number;
  it("a refused confirmation (the proposer) issues nothing", async () => {
    await expect(confirmApproval(actorByEmail("assessor1@demo.test"), watchId, version(watchId), "")).rejects.toThrow(
      /Four eyes/,
    );
    expect(count(seals)).toBe(0);
    expect(count(logLeaves)).toBe(0);
  });

  it("the confirming assessor's approval issues exactly one signed seal, with its log leaf and event", async () => {
    confirmedFrom = version(watchId); // the version the confirming page showed
    const serial = await confirmApproval(actorByEmail("assessor2@demo.test"), watchId, confirmedFrom, "Confirmed.");
    expect(isValidSerial(serial)).toBe(true);
    expect(serial).toMatch(/^IOTS-[0-9A-Z]{4}-[0-9A-Z]{4}$/); // URL-safe: no Crockford check symbols
    expect(count(seals)).toBe(1);
    const seal = sealForSubmission(watchId)!;
    expect(seal).toMatchObject({ serial, state: "active", issuedLogIndex: 0 });
    expect(db().select().from(submissions).where(eq(submissions.id, watchId)).get()!.status).toBe("approved");

    const check = await verifySealSignature(seal.credential, signingKeys(getEnv().dataDir).jwks().keys);
    expect(check.ok).toBe(true);
    if (!check.ok) return;
    const c = check.credential;
    expect(c.credentialSubject).toMatchObject({
      serial,
      supplier: { name: "Gator Wearables Ltd" },
      product: { name: "Gator Kids Watch 3", model: "GW-KW3", gtin: "5060123450002" },
      hardwareRevision: "C",
      firmwareVersion: "3.2.0",
      checklist: { id: `${getEnv().baseUrl}/checklists/etsi-en-303-645/2.1.1`, version: "2.1.1" },
      level: "baseline",
      results: { requirements: 67, mandatoryMet: 32 },
      supportPeriodEnd: "2029-12-31",
    });
    expect(c.credentialSubject.evidenceMerkleRoot).toMatch(/^[0-9a-f]{64}$/);
    // validUntil: issue date + 24 months (ETSI 2.1.1), never past the support period.
    const months = (Date.parse(c.validUntil) - Date.parse(c.validFrom)) / (30.44 * 86_400_000);
    expect(months).toBeGreaterThan(23.5);
    expect(months).toBeLessThan(24.5);
    expect(c.credentialStatus.map((s) => s.statusListIndex)).toEqual([
      String(seal.revocationIndex),
      String(seal.suspensionIndex),
    ]);

    const leaf = db().select().from(logLeaves).get()!;
    expect(JSON.parse(leaf.data)).toMatchObject({ index: 0, event: "issued", serial });
    expect(leaf.leafHash).toBe(leafHash(Buffer.from(leaf.data)).toString("hex"));
    expect(sealHistory(serial).map((e) => [e.kind, e.logIndex])).toEqual([["issued", 0]]);
    expect(
      db()
        .select()
        .from(auditEvents)
        .all()
        .some((e) => e.action === "seal.issued" && e.targetId === serial),
    ).toBe(true);
    expect(checkAuditChain().ok).toBe(true);
  });

  it("a second confirmation issues no second seal: the same assessor's (a double click) answers the seal issued, another's is refused", async () => {
    const issued = db().select().from(seals).get()!.serial;
    // The same form sent again: the version it carries is the one before the approval.
    await expect(confirmApproval(actorByEmail("assessor2@demo.test"), watchId, confirmedFrom, "")).resolves.toBe(
      issued,
    );
    await expect(confirmApproval(actorByEmail("assessor1@demo.test"), watchId, version(watchId), "")).rejects.toThrow(
      /no approval proposal/,
    );
    expect(count(seals)).toBe(1);
    expect(count(logLeaves)).toBe(1);
  });

  it("the log and seal events are append-only", () => {
    expect(() => db().$client.prepare("delete from log_leaves").run()).toThrow(/append-only/);
    expect(() => db().$client.prepare("update seal_events set kind = 'revoked'").run()).toThrow(/append-only/);
  });
});
