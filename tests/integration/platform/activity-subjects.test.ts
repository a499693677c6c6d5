import { eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { auditEvents, checklistVersions, findings, products, seals, submissions, users } from "../../../db/schema";
import type { Actor } from "../../../app/platform/actor";
import { db } from "../../../app/platform/db.server";
import { login } from "../../../app/features/accounts/auth.server";
import { DEMO_PASSWORD } from "../../../app/demo/seed.server";
import { seedDemoData } from "../../support/demo-seed";
import {
  adminDashboard,
  auditSubjects,
  auditSubjectsFor,
  targetHref,
  workspaceDashboard,
} from "../../../app/system/activity.server";

const as = async (email: string) => (await login({ email, password: DEMO_PASSWORD }, { ip: "127.0.0.1" })).user;
let admin: Actor;
let assessor: Actor;
let supplier: Actor;
let buyer: Actor;

beforeAll(async () => {
  await seedDemoData();
  admin = await as("admin@demo.test");
  assessor = await as("assessor1@demo.test");
  supplier = await as("supplier@demo.test");
  buyer = await as("buyer@demo.test");
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

  it("gives each subject the page its viewer may open: the supplier's requirement, the assessor's seal, none where the role has no page", () => {
    const items = workspaceDashboard(supplier, "supplier.workspace").activity;
    const answer = items.find((i) => i.action === "answer.saved")!;
    const [, submissionId, ref] = answer.subjectHref!.match(/^\/supplier\/submissions\/([\w-]+)\/requirements\/(.+)$/)!;
    expect(answer.subject).toMatch(new RegExp(`requirement ${decodeURIComponent(ref).replace(/[.]/g, "\\.")}$`));
    expect(db().select().from(submissions).where(eq(submissions.id, submissionId)).get()).toBeTruthy();
    const revoked = workspaceDashboard(assessor, "assessor.workspace").activity.find(
      (i) => i.action === "seal.revoked",
    )!;
    expect(revoked.subjectHref).toMatch(/^\/seals\/IOTS-[0-9A-Z]{4}-[0-9A-Z]{4}$/);
    for (const item of workspaceDashboard(buyer, "retailer.workspace").activity)
      if (item.subjectHref) expect(item.subjectHref).toMatch(/^\/(retailer\/|s\/|checklists\/)/);
    for (const item of adminDashboard(admin).activity)
      if (item.subjectHref) expect(item.subjectHref).not.toMatch(/^\/(supplier|assessor\/submissions|retailer)\//);
  });

  it("one rule for every role: whose workspace has the page, and what each page needs", () => {
    const t = db();
    const submission = t.select().from(submissions).get()!;
    const seal = t.select().from(seals).get()!;
    const checklist = t.select().from(checklistVersions).get()!;
    const sub = { type: "submission", id: submission.id };
    expect(targetHref("supplier", sub, {}, "5.1-1")).toBe(`/supplier/submissions/${submission.id}/requirements/5.1-1`);
    expect(targetHref("assessor", sub)).toBe(`/assessor/submissions/${submission.id}`);
    expect(targetHref("retailer", sub)).toBeNull();
    expect(targetHref("admin", sub)).toBeNull();
    expect(targetHref("admin", { type: "seal", id: seal.serial })).toBe(`/seals/${seal.serial}`);
    expect(targetHref("supplier", { type: "seal", id: seal.serial })).toBe(`/s/${seal.serial}`);
    expect(targetHref("retailer", { type: "checklist_version", id: checklist.id })).toBe(
      `/checklists/${checklist.id.replace("@", "/")}`,
    );
    // A firmware's page is its product's (only when the product is known), a recurring check's the seal's.
    expect(targetHref("supplier", { type: "product_version", id: "v" })).toBeNull();
    expect(targetHref("supplier", { type: "product_version", id: "v" }, { productId: "p" })).toBe(
      "/supplier/products/p",
    );
    expect(targetHref("supplier", { type: "recurring_evidence", id: "r" }, { serial: "IOTS-A" })).toBe(
      "/supplier/seals/IOTS-A/recurring",
    );
    expect(targetHref("assessor", { type: "recurring_evidence", id: "r" })).toBe("/assessor/recurring/r");
    expect(targetHref("retailer", { type: "policy", id: "p" })).toBe("/retailer/policies/p");
    expect(targetHref("supplier", { type: "policy", id: "p" })).toBeNull();
    expect(targetHref("admin", { type: "user", id: "u" })).toBe("/admin/users");
    expect(targetHref("assessor", { type: "user", id: "u" })).toBeNull();
    expect(targetHref("admin", { type: "backup", id: "2026-12-01" })).toBeNull();
    // An address is built from ids, never from text: an odd id stays inside its path segment.
    expect(targetHref("assessor", { type: "finding", id: "../admin?x=1" })).toBe("/findings/..%2Fadmin%3Fx%3D1");
    // A deleted target has no name, and no link on a dashboard.
    expect(auditSubjectsFor([{ targetType: "product", targetId: "gone" }], "supplier")).toEqual([null]);
  });
});
