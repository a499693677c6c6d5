// Migration 0032: notices whose to-do was done before the portal settled them are marked read on
// upgrade (and only those): a queue notice of a submission an assessor decided, recurring evidence
// decided, a fix decided, a closed report's notices; a notice of work still waiting stays unread.
import fs from "node:fs";
import path from "node:path";
import { eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { findings, notifications, recurringEvidence, submissions, users } from "../../../db/schema";
import { db } from "../../../app/platform/db.server";
import { seedDemoData } from "../../support/demo-seed";

const MIGRATION = path.join(process.cwd(), "db/migrations/0032_settle_done_notifications.sql");

let userId: string;
let n = 0;
/** An unread notice as the rules wrote them before settling existed. */
function stale(kind: string, key: string, at = Date.now() - 60_000): string {
  const id = `stale-${++n}`;
  db()
    .insert(notifications)
    .values({
      id,
      userId,
      category: "reviews",
      kind,
      key,
      title: kind,
      body: kind,
      link: "/",
      createdAt: new Date(at),
    })
    .run();
  return id;
}
const readAt = (id: string) => db().select().from(notifications).where(eq(notifications.id, id)).get()!.readAt;

function migrate() {
  const statements = fs.readFileSync(MIGRATION, "utf8").split("--> statement-breakpoint");
  for (const sql of statements) db().$client.exec(sql);
}

beforeAll(async () => {
  await seedDemoData();
  userId = db().select().from(users).where(eq(users.email, "admin@demo.test")).get()!.id; // none of these keys yet
}, 120_000);

describe("migration 0032: done to-dos marked read on upgrade", () => {
  it("settles what was done, and leaves what still waits", () => {
    const byStatus = (status: (typeof submissions.$inferSelect)["status"]) =>
      db().select().from(submissions).where(eq(submissions.status, status)).get()!;
    const approved = byStatus("approved");
    const waiting = byStatus("submitted");
    const decidedQueue = stale("submission.submitted", `submission:${approved.id}:submitted:v1`);
    const liveQueue = stale("submission.submitted", `submission:${waiting.id}:submitted:v9`);
    const olderQueue = stale("submission.submitted", `submission:${waiting.id}:submitted:v2`, Date.now() - 3_600_000);

    const pending = db().select().from(recurringEvidence).where(eq(recurringEvidence.status, "pending")).get();
    const decided = db().select().from(recurringEvidence).where(eq(recurringEvidence.status, "rejected")).get()!; // the demo's 5.2-1
    const decidedEvidence = stale("recurring.submitted", `recurring:${decided.id}:submitted`);
    const pendingEvidence = pending ? stale("recurring.submitted", `recurring:${pending.id}:submitted`) : null;

    const open = db().select().from(findings).where(eq(findings.status, "open")).get()!;
    const openRecorded = stale("report.recorded", `report:${open.id}:recorded`);
    const openFixClaim = stale("report.fix_claimed", `report:${open.id}:fix_claimed:1`);

    migrate();
    expect(readAt(decidedQueue)).not.toBeNull();
    expect(readAt(olderQueue)).not.toBeNull(); // resubmitted since: the newer notice is the to-do
    expect(readAt(liveQueue)).toBeNull();
    expect(readAt(decidedEvidence)).not.toBeNull();
    if (pendingEvidence) expect(readAt(pendingEvidence)).toBeNull();
    expect(readAt(openRecorded)).toBeNull(); // the report is open: still the supplier's to-do
    expect(readAt(openFixClaim)).not.toBeNull(); // no fix is claimed now: nothing to verify
  });
});
