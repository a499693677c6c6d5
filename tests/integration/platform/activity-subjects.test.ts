import { eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { auditEvents, checklistVersions, findings, products, seals, submissions, users } from "../../../db/schema";
import type { Actor } from "../../../app/platform/actor";
import { db } from "../../../app/platform/db.server";
import { login } from "../../../app/features/accounts/auth.server";
import { DEMO_PASSWORD, seedDemoData } from "../../../app/demo/seed.server";
import { adminDashboard, auditSubjects, workspaceDashboard } from "../../../app/system/activity.server";

const as = async (email: string) => (await login({ email, password: DEMO_PASSWORD }, { ip: "127.0.0.1" })).user;
let admin: Actor;
let assessor: Actor;
let supplier: Actor;

beforeAll(async () => {
  await seedDemoData();
  admin = await as("admin@demo.test");
  assessor = await as("assessor1@demo.test");
  supplier = await as("supplier@demo.test");
});

describe("recent activity says what each event was about", () => {
  it("names the product and firmware of a submission, the requirement of an answer, the serial of a seal", () => {
    const items = workspaceDashboard(supplier, "supplier.workspace").activity;
    const answer = items.find((i) => i.action === "answer.saved");
    expect(answer?.subject).toMatch(/^Gator Kids Watch 3, firmware 3\.2\.0, requirement [\d.-]+$/);
    // The certification body sees its assessors' work on a supplier's seal, named.
    const revoked = workspaceDashboard(assessor, "assessor.workspace").activity.find(
      (i) => i.action === "seal.revoked",
    );
    expect(revoked?.subject).toMatch(/^seal IOTS-[0-9A-Z]{4}-[0-9A-Z]{4} \(Brightnest Smart Plug, firmware 1\.2\.0\)$/);
    expect(revoked?.about).toBe("Brightnest Smart Home Ltd");
    // What the page gets: the words, not the ids nor the details they were read from.
    for (const item of [...items, ...adminDashboard(admin).activity]) {
      expect(Object.keys(item)).not.toContain("details");
      expect(Object.keys(item)).not.toContain("targetId");
      expect(Object.keys(item)).toContain("subject");
    }
  });

  it("names each kind of target; oneself, a deleted target, or a kind without a name is shown without one", () => {
    const t = db();
    const submission = t.select().from(submissions).get()!;
    const product = t.select().from(products).where(eq(products.name, "Gator Kids Watch 3")).get()!;
    const finding = t.select().from(findings).where(eq(findings.advisoryId, "IOTSEAL-2026-0002")).get()!;
    const seal = t.select().from(seals).get()!;
    const checklist = t.select().from(checklistVersions).get()!;
    const grace = t.select().from(users).where(eq(users.email, "supplier@demo.test")).get()!;
    const names = auditSubjects([
      { targetType: "submission", targetId: submission.id, details: '{"ref":"5.1-1","claim":"implemented"}' },
      { targetType: "submission", targetId: submission.id, details: "{}" },
      { targetType: "product", targetId: product.id },
      { targetType: "finding", targetId: finding.id },
      { targetType: "seal", targetId: seal.serial },
      { targetType: "checklist_version", targetId: checklist.id },
      { targetType: "user", targetId: grace.id, actorUserId: admin.userId },
      { targetType: "user", targetId: grace.id, actorUserId: grace.id },
      { targetType: "product", targetId: "no-such-product" },
      { targetType: "backup", targetId: "2026-12-01" },
      { targetType: "constructor", targetId: "x" },
      { targetType: null, targetId: null },
    ]);
    expect(names[0]).toMatch(/, firmware [^,]+, requirement 5\.1-1$/);
    expect(names[1]).not.toMatch(/requirement/);
    expect(names[2]).toBe(`Gator Kids Watch 3 (${product.model})`);
    expect(names[3]).toBe(`“${finding.title}” (Gator Kids Watch 3, IOTSEAL-2026-0002)`);
    expect(names[4]).toMatch(new RegExp(`^seal ${seal.serial} \\(.+, firmware .+\\)$`));
    expect(names[5]).toBe(`${checklist.title} ${checklist.version}`);
    expect(names[6]).toBe("Grace Gator");
    expect(names.slice(7)).toEqual([null, null, null, null, null]);
  });

  it("the audit log's page names its events the same way", () => {
    const recent = db().select().from(auditEvents).where(eq(auditEvents.action, "verdict.recorded")).limit(3).all();
    const names = auditSubjects(recent);
    expect(names).toHaveLength(3);
    for (const n of names) expect(n).toMatch(/, firmware .+, requirement .+$/);
  });
});
