// Who hears what, against a real database and the real services: a review of the demo watch from
// request for changes to approval (supplier, assessors, proposer, an assessor with a conflict of
// interest who is never told), a vulnerability report with a claimed and a rejected fix, recurring
// evidence decided, seal status changes, and the watching buyer: every watch event in the watch
// category, urgent for a suspension or revocation (not for a suspension restated with a new
// reason), and never a word of an embargoed report. A replayed event notifies nobody twice. An
// approval proposal is put to the assessors who may confirm it, and taken back from them when it is
// withdrawn or sent back.
import { and, eq, like } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import {
  conflictDeclarations,
  findings,
  mailOutbox,
  notifications,
  organizations,
  recurringEvidence,
  submissions,
} from "../../../db/schema";
import type { Actor } from "../../../app/platform/actor";
import { db, transaction } from "../../../app/platform/db.server";
import { seedDemoData } from "../../support/demo-seed";
import { createUser, setUserDisabled } from "../../../app/features/accounts/users.server";
import { declareConflict, removeConflict } from "../../../app/features/accounts/conflicts.server";
import {
  confirmableBy,
  confirmApproval,
  possibleConfirmers,
  proposeApproval,
  recordVerdict,
  rejectSubmission,
  releaseSubmission,
  requestChanges,
  returnProposal,
  reviewQueue,
  takeSubmission,
  withdrawProposal,
} from "../../../app/features/certification/review.server";
import {
  saveAnswer,
  submitSubmission,
  withdrawSubmission,
} from "../../../app/features/certification/submissions.server";
import { answerFacts, requirementsInScope } from "../../../app/features/certification/submission-records.server";
import { actOnFinding, recordFinding } from "../../../app/features/findings/findings.server";
import { disclosureFindingOf } from "../../../app/features/findings/advisories.server";
import { disclosureOf } from "../../../app/features/findings/domain/disclosure";
import { decideRecurringEvidence } from "../../../app/features/monitoring/recurring-evidence.server";
import { changeSealStatus, restateSuspension } from "../../../app/features/trust/seal-status.server";
import { notifySubmissionChange } from "../../../app/features/notifications/rules.server";
import { watchEventsOf } from "../../../app/features/retail/watch-feed.server";
import { openNotification, saveNotificationPreferences } from "../../../app/features/notifications/inbox.server";
import { actorByEmail } from "../../support/actors";
import {
  addTestVersion,
  answerSentBack,
  createTestProduct,
  openTestDraft,
  submissionVersion as version,
} from "../../support/submissions";

let asha: Actor;
let bram: Actor;
let carol: Actor; // an assessor with a declared conflict of interest with Gator Wearables
let grace: Actor;
let sam: Actor;
let buyer: Actor;
let watchId: string; // Gator Kids Watch 3 3.2.0, submitted (demo)
let serial: string; // its seal, once approved

/** How the mail of a notification went out: "kept" at once (no SMTP_URL in tests), "digest", or none. */
function mailStatus(key: string, who: Actor): string | undefined {
  return db()
    .select({ status: mailOutbox.status })
    .from(mailOutbox)
    .where(and(eq(mailOutbox.key, key), eq(mailOutbox.userId, who.userId)))
    .get()?.status;
}

/** How many mails went to a user under keys starting with `prefix`, and with how many Message-IDs. */
function mailsTo(who: Actor, prefix: string): number {
  const rows = db()
    .select({ messageId: mailOutbox.messageId })
    .from(mailOutbox)
    .where(and(eq(mailOutbox.userId, who.userId), like(mailOutbox.key, `${prefix}%`)))
    .all();
  expect(new Set(rows.map((r) => r.messageId)).size).toBe(rows.length);
  return rows.length;
}

/** The notifications a user has, optionally only those whose key starts with `prefix`. */
function told(who: Actor, prefix = "") {
  return db()
    .select()
    .from(notifications)
    .where(and(eq(notifications.userId, who.userId), like(notifications.key, `${prefix}%`)))
    .all();
}

const passAll = () => {
  const s = db().select().from(submissions).where(eq(submissions.id, watchId)).get()!;
  const facts = answerFacts(db(), watchId);
  for (const req of requirementsInScope(db(), s.checklistVersionId, s.targetLevel)) {
    const na = facts.get(req.ref)?.claim === "not_applicable";
    recordVerdict(asha, watchId, req.ref, {
      verdict: na ? "not_applicable" : "pass",
      comment: na ? "Agreed: not applicable here." : "",
      accepted: na && req.applicability === "advisory",
      version: version(watchId),
    });
  }
};

beforeAll(async () => {
  await seedDemoData();
  asha = actorByEmail("assessor1@demo.test");
  bram = actorByEmail("assessor2@demo.test");
  grace = actorByEmail("supplier@demo.test");
  sam = actorByEmail("supplier2@demo.test");
  buyer = actorByEmail("buyer@demo.test");
  const admin = actorByEmail("admin@demo.test");
  await createUser(admin, { email: "carol@conflicted.test", name: "Carol Conflicted", role: "assessor" });
  carol = actorByEmail("carol@conflicted.test");
  const gator = db().select().from(organizations).where(eq(organizations.name, "Gator Wearables Ltd")).get()!;
  declareConflict(admin, { assessorId: carol.userId, organizationId: gator.id, reason: "Former employee of Gator." });
  watchId = reviewQueue(asha, { page: 1 }).rows.find((r) => r.product === "Gator Kids Watch 3")!.id;
});

describe("a review, from request for changes to the seal", () => {
  it("changes requested: the supplier is told, linked to the first requirement sent back; nobody else", () => {
    takeSubmission(asha, watchId, version(watchId));
    passAll();
    recordVerdict(asha, watchId, "5.3-2", {
      verdict: "fail",
      comment: "The update mechanism is not authenticated.",
      accepted: false,
      version: version(watchId),
    });
    recordVerdict(asha, watchId, "5.1-1", {
      verdict: "needs_information",
      comment: "Which unit serials were compared?",
      accepted: false,
      version: version(watchId),
    });
    const before = { sam: told(sam).length, buyer: told(buyer).length, bram: told(bram).length };
    requestChanges(asha, watchId, version(watchId), "See the comments on 5.1-1 and 5.3-2.");
    const [n] = told(grace, `submission:${watchId}:changes_requested:`);
    expect(n).toMatchObject({
      category: "submissions",
      kind: "submission.changes_requested",
      link: `/supplier/submissions/${watchId}/requirements/5.1-1`, // checklist order, not the order scored
      title: "Changes requested: Gator Kids Watch 3 (firmware 3.2.0)",
    });
    expect(n.body).toMatch(/2 requirements .* back for changes: 5\.1-1, 5\.3-2/);
    expect(n.body).toMatch(/\d{1,2} \w{3} \d{4}/); // the date
    expect({ sam: told(sam).length, buyer: told(buyer).length, bram: told(bram).length }).toEqual(before);
  });

  it("a replayed event notifies nobody twice", () => {
    const count = db().select().from(notifications).all().length;
    const request = told(grace, `submission:${watchId}:changes_requested:`)[0];
    const v = Number(request.key.split(":v")[1]);
    transaction((tx) =>
      notifySubmissionChange(tx, {
        type: "submission.changed",
        submissionId: watchId,
        change: "changes_requested",
        byUserId: asha.userId,
        version: v,
      }),
    );
    expect(db().select().from(notifications).all().length).toBe(count);
  });

  it("resubmitted: the assessors without a conflict of interest are told it is in the queue", () => {
    expect(answerSentBack(grace, watchId)).toEqual(["5.1-1", "5.3-2"]);
    submitSubmission(grace, watchId, version(watchId));
    for (const a of [asha, bram])
      expect(told(a, `submission:${watchId}:submitted:`).map((n) => n.title)).toContain(
        "Resubmitted: Gator Kids Watch 3 (firmware 3.2.0)",
      );
    expect(told(carol)).toEqual([]); // declared conflict: never told about Gator
  });

  it("proposed: every other assessor is asked to confirm; returned: the notice is taken back and the proposer hears it; confirmed: the proposer hears it; approved: the supplier gets the seal", async () => {
    takeSubmission(asha, watchId, version(watchId));
    passAll();
    // The supplier resubmitted: its "Changes requested" is done (read), kept in its list.
    expect(told(grace, `submission:${watchId}:changes_requested:`).map((n) => n.readAt !== null)).toEqual([true]);
    const resubmitted = () =>
      told(bram, `submission:${watchId}:submitted:`).find((n) => n.title.startsWith("Resubmitted"));
    expect(resubmitted()?.readAt).toBeNull(); // in the queue: a to-do
    proposeApproval(asha, watchId, version(watchId), "All met.");
    // Reviewed and proposed: the queue's "Resubmitted" is done for every assessor, not only the one who took it.
    for (const a of [asha, bram])
      expect(told(a, `submission:${watchId}:submitted:`).every((n) => n.readAt !== null)).toBe(true);
    expect(told(bram, `submission:${watchId}:proposed:`)).toHaveLength(1);
    expect(told(bram, `submission:${watchId}:proposed:`)[0]).toMatchObject({
      title: "Waiting for your confirmation: Gator Kids Watch 3 (firmware 3.2.0)",
      link: `/assessor/submissions/${watchId}`,
    });
    expect(told(asha, `submission:${watchId}:proposed:`)).toEqual([]); // not the proposer
    const [first] = told(bram, `submission:${watchId}:proposed:`);
    returnProposal(bram, watchId, version(watchId), "Please double-check 5.5-1 against the TLS configuration.");
    const [returned] = told(asha, `submission:${watchId}:proposal_returned:`);
    expect(returned.title).toBe("Your proposal was sent back: Gator Kids Watch 3 (firmware 3.2.0)");
    expect(returned.body).toContain("Please double-check 5.5-1");
    // The proposal is gone: "waiting for your confirmation" is taken back, in app and unsent mail.
    expect(told(bram, `submission:${watchId}:proposed:`)).toEqual([]);
    expect(mailStatus(first.key, bram)).toBeUndefined();
    proposeApproval(asha, watchId, version(watchId), "Re-checked.");
    const [second] = told(bram, `submission:${watchId}:proposed:`);
    expect(second.key).not.toBe(first.key); // a new proposal, a new key
    serial = await confirmApproval(bram, watchId, version(watchId), "Confirmed.");
    expect(told(asha, `submission:${watchId}:proposal_confirmed:`)).toHaveLength(1);
    expect(told(asha, `submission:${watchId}:proposal_confirmed:`)[0].readAt).toBeNull(); // news, not a to-do done
    expect(told(bram, `submission:${watchId}:proposed:`).map((n) => n.readAt !== null)).toEqual([true]); // done
    const [approved] = told(grace, `submission:${watchId}:approved:`);
    expect(approved).toMatchObject({ link: `/s/${serial}`, category: "submissions" });
    expect(approved.title).toBe(`Approved, seal ${serial} issued: Gator Kids Watch 3 (firmware 3.2.0)`);
    expect(approved.body).toContain(`/s/${serial}/seal.pdf`);
    expect(told(carol)).toEqual([]);
    expect(told(sam, `submission:${watchId}`)).toEqual([]);
  });

  it("the watching buyer hears of the new seal in the watch category (not urgent), and of a suspension at once", () => {
    const issued = told(buyer, "watch:").find((n) => n.kind === "watch.seal.issued" && n.title.includes(serial));
    expect(issued).toMatchObject({ category: "watch", link: `/s/${serial}` });
    changeSealStatus(bram, { serial, action: "suspend", reason: "Suspended while a report is checked." });
    const suspended = told(buyer, "watch:").find((n) => n.kind === "watch.seal.suspended" && n.title.includes(serial))!;
    expect(suspended.body).toContain("Suspended while a report is checked.");
    // Urgent: mailed at once although the buyer's "watch" preference is the daily digest.
    const mail = db()
      .$client.prepare("select status from mail_outbox where key = ? and user_id = ?")
      .get(suspended.key, buyer.userId) as { status: string } | undefined;
    expect(mail?.status).toBe("kept"); // no SMTP_URL in tests: kept in the outbox at once, not held for the digest
    expect(told(grace, "seal-event:").map((n) => n.title)).toContain(`Seal ${serial} suspended: Gator Kids Watch 3`);
    changeSealStatus(bram, { serial, action: "reinstate", reason: "The report was not about this firmware." });
    expect(told(grace, "seal-event:").map((n) => n.title)).toContain(`Seal ${serial} reinstated: Gator Kids Watch 3`);
  });

  it("a suspension restated with a new reason: 'still suspended', not urgent, for the supplier and the watching buyer; after a reinstatement a suspension is news again", () => {
    saveNotificationPreferences(grace, { seals: "digest" }); // the buyer's "watch" is the digest by default
    // The newest seal notice of each (the buyer's feed may add a policy result or a current-seal change after it).
    const latest = (who: Actor, prefix: string) =>
      told(who, prefix)
        .filter((n) => n.kind.startsWith(prefix === "watch:" ? "watch.seal." : "seal."))
        .sort((a, b) => a.key.localeCompare(b.key, "en", { numeric: true }))
        .at(-1)!;
    changeSealStatus(bram, { serial, action: "suspend", reason: "Suspended while a report is checked." });
    const suspended = { grace: latest(grace, "seal-event:"), buyer: latest(buyer, "watch:") };
    expect(suspended.grace.title).toBe(`Seal ${serial} suspended: Gator Kids Watch 3`);
    expect(mailStatus(suspended.grace.key, grace)).toBe("kept"); // urgent: at once, not held for the digest
    expect(mailStatus(suspended.buyer.key, buyer)).toBe("kept");
    transaction((tx) =>
      restateSuspension(
        tx,
        { system: "test" },
        { serial, reason: "Recurring evidence 5.3-1 is overdue.", cause: "test" },
      ),
    );
    const restated = { grace: latest(grace, "seal-event:"), buyer: latest(buyer, "watch:") };
    expect(restated.grace).toMatchObject({
      kind: "seal.suspension_restated",
      title: `Seal ${serial} still suspended, the reason changed: Gator Kids Watch 3`,
    });
    expect(restated.grace.body).toContain("was already suspended and still is");
    expect(restated.grace.body).toContain("The public reason now: Recurring evidence 5.3-1 is overdue.");
    expect(restated.buyer).toMatchObject({
      kind: "watch.seal.suspension_restated",
      title: `Gator Kids Watch 3: seal still suspended, the reason changed (seal ${serial})`,
    });
    expect(restated.buyer.body).toContain("Recurring evidence 5.3-1 is overdue.");
    expect(mailStatus(restated.grace.key, grace)).toBe("digest"); // not urgent: as the user chose
    expect(mailStatus(restated.buyer.key, buyer)).toBe("digest");
    // The feed (and so the webhooks) keep the type, and mark the restatement: the first suspension is not marked.
    const feed = watchEventsOf(db(), buyer.organizationId, 0, 1000, "desc").filter(
      (ev) => ev.serial === serial && ev.type === "seal.suspended",
    );
    expect(feed.slice(0, 2).map((ev) => [ev.reason, ev.restated ?? false])).toEqual([
      ["Recurring evidence 5.3-1 is overdue.", true],
      ["Suspended while a report is checked.", false],
    ]);
    // Reinstated, then suspended again: a new suspension, urgent again.
    changeSealStatus(bram, { serial, action: "reinstate", reason: "Evidence accepted." });
    changeSealStatus(bram, { serial, action: "suspend", reason: "Suspended again." });
    const again = { grace: latest(grace, "seal-event:"), buyer: latest(buyer, "watch:") };
    expect(again.grace).toMatchObject({
      kind: "seal.suspended",
      title: `Seal ${serial} suspended: Gator Kids Watch 3`,
    });
    expect(again.buyer.kind).toBe("watch.seal.suspended");
    expect(mailStatus(again.grace.key, grace)).toBe("kept");
    expect(mailStatus(again.buyer.key, buyer)).toBe("kept");
    changeSealStatus(bram, { serial, action: "reinstate", reason: "The report was not about this firmware." });
    saveNotificationPreferences(grace, { seals: "instant" });
  });
});

describe("vulnerability reports", () => {
  const TITLE = "Pairing PIN leaks over BLE advertising";
  const DESCRIPTION = "The six-digit pairing PIN is broadcast in the manufacturer data of every advertisement.";
  let findingId: string;

  it("recorded: the supplier is told with the details; the buyer only the severity, never the title", () => {
    const watch3 = db()
      .$client.prepare(
        "select p.id as productId, v.id as versionId from products p join product_versions v on v.product_id = p.id where p.name = 'Gator Kids Watch 3' and v.firmware_version = '3.2.0'",
      )
      .get() as { productId: string; versionId: string };
    findingId = recordFinding(asha, {
      productId: watch3.productId,
      versionIds: [watch3.versionId],
      title: TITLE,
      description: DESCRIPTION,
      severity: "high",
      reporter: "A researcher",
      reportedOn: new Date().toISOString().slice(0, 10),
    });
    const [n] = told(grace, `report:${findingId}:recorded`);
    expect(n).toMatchObject({ category: "reports", link: `/findings/${findingId}` });
    expect(n.body).toContain(TITLE);
    const watch = told(buyer, "watch:").filter((x) => x.kind === "watch.report.recorded");
    expect(watch.length).toBeGreaterThan(0);
    expect(told(sam, `report:${findingId}`)).toEqual([]);
    expect(told(carol)).toEqual([]);
  });

  it("a fix claimed reaches the assessors without a conflict; a fix rejected reaches the supplier with the reason", () => {
    const v = () => db().select().from(findings).where(eq(findings.id, findingId)).get()!.version;
    actOnFinding(grace, findingId, { action: "mark_fixed", note: "", fixedInVersion: "3.2.1", version: v() });
    for (const a of [asha, bram]) expect(told(a, `report:${findingId}:fix_claimed:`)).toHaveLength(1);
    expect(told(carol)).toEqual([]);
    // The supplier did what "New report" asked: it is done (read); the assessors' "Fix to verify" is news.
    expect(told(grace, `report:${findingId}:recorded`).map((n) => n.readAt !== null)).toEqual([true]);
    expect(told(bram, `report:${findingId}:fix_claimed:`)[0].readAt).toBeNull();
    actOnFinding(asha, findingId, {
      action: "reject_fix",
      note: "Firmware 3.2.1 still broadcasts the PIN.",
      version: v(),
    });
    const [rejected] = told(grace, `report:${findingId}:fix_rejected:`);
    expect(rejected.title).toBe("Fix rejected: Gator Kids Watch 3");
    expect(rejected.readAt).toBeNull();
    // Decided by asha: "Fix to verify" is done for bram too.
    for (const a of [asha, bram])
      expect(told(a, `report:${findingId}:fix_claimed:`).map((n) => n.readAt !== null)).toEqual([true]);
    expect(rejected.body).toContain("Firmware 3.2.1 still broadcasts the PIN.");
  });

  it("the buyer never receives a word of an embargoed report (nor of the demo's embargoed one)", () => {
    // Open and not yet public (the demo camera's overdue report is open and public: its advisory may be told).
    const now = new Date();
    const embargoed = db()
      .select()
      .from(findings)
      .where(eq(findings.status, "open"))
      .all()
      .filter((f) => {
        const d = disclosureFindingOf({ ...f, withdrawnAt: null }, []); // open, never withdrawn
        return !d || !disclosureOf(d, now).public;
      });
    expect(embargoed.map((f) => f.title)).toContain("Location history readable after unpairing");
    const secrets = [TITLE, DESCRIPTION, ...embargoed.flatMap((f) => [f.title, f.description])];
    const texts = told(buyer).flatMap((n) => [n.title, n.body]);
    expect(texts.length).toBeGreaterThan(0);
    for (const secret of secrets) for (const text of texts) expect(text).not.toContain(secret);
    // Nor does the supplier of another organisation.
    for (const n of told(sam)) expect(`${n.title} ${n.body}`).not.toContain(TITLE);
  });
});

describe("recurring evidence", () => {
  it("waiting evidence reached the assessors; its decision reaches the supplier", () => {
    const pending = db().select().from(recurringEvidence).where(eq(recurringEvidence.status, "pending")).get()!;
    expect(told(asha, `recurring:${pending.id}:submitted`)).toHaveLength(1);
    expect(told(carol)).toEqual([]);
    expect(told(bram, `recurring:${pending.id}:submitted`)[0].readAt).toBeNull();
    decideRecurringEvidence(asha, pending.id, { decision: "accept", comment: "" });
    // Decided by asha: "Recurring evidence to check" is done for every assessor, kept in their lists.
    for (const a of [asha, bram])
      expect(told(a, `recurring:${pending.id}:submitted`).map((n) => n.readAt !== null)).toEqual([true]);
    const [n] = told(grace, `recurring:${pending.id}:accepted`);
    expect(n).toMatchObject({ category: "recurring", link: `/supplier/seals/${pending.serial}/recurring` });
    expect(n.title).toContain(pending.requirementRef);
  });
});

describe("a rejection and a revocation", () => {
  it("rejected: the supplier is told with the reason, linked to the submission", () => {
    const productId = createTestProduct(grace, { name: "Gator Rejected Tracker", model: "GW-RT1" });
    const id = openTestDraft(grace, addTestVersion(grace, productId));
    for (const ref of ["1", "2", "3"])
      saveAnswer(grace, id, ref, { claim: "implemented", justification: "Yes.", noEvidenceReason: "Public page." });
    submitSubmission(grace, id);
    expect(told(asha, `submission:${id}:submitted:`)[0].title).toBe(
      "New in the queue: Gator Rejected Tracker (firmware 1.0.0)",
    );
    takeSubmission(asha, id, version(id));
    rejectSubmission(asha, id, version(id), "The product is a prototype; submit the production firmware.");
    const [n] = told(grace, `submission:${id}:rejected:`);
    expect(n).toMatchObject({
      link: `/supplier/submissions/${id}`,
      title: "Rejected: Gator Rejected Tracker (firmware 1.0.0)",
    });
    expect(n.body).toContain("submit the production firmware");
  });

  it("revoked: the supplier is told, and the watching buyer at once (urgent)", () => {
    changeSealStatus(bram, {
      serial,
      action: "revoke",
      reason: "Certified by mistake: wrong firmware.",
      confirmSerial: serial,
    });
    expect(told(grace, "seal-event:").map((n) => n.title)).toContain(`Seal ${serial} revoked: Gator Kids Watch 3`);
    const revoked = told(buyer, "watch:").find((n) => n.kind === "watch.seal.revoked" && n.title.includes(serial))!;
    expect(revoked.body).toContain("Certified by mistake");
    const mail = db()
      .$client.prepare("select status from mail_outbox where key = ? and user_id = ?")
      .get(revoked.key, buyer.userId) as { status: string } | undefined;
    expect(mail?.status).toBe("kept"); // at once (no SMTP_URL here: kept in the outbox), not held for the digest
  });
});

describe("a submission withdrawn by its supplier", () => {
  const submitted = (name: string, model: string) => {
    const id = openTestDraft(grace, addTestVersion(grace, createTestProduct(grace, { name, model })));
    for (const ref of ["1", "2", "3"])
      saveAnswer(grace, id, ref, { claim: "implemented", justification: "Yes.", noEvidenceReason: "Public page." });
    submitSubmission(grace, id);
    return id;
  };

  it("from the queue: nobody is told; the assessors' 'new in the queue' notice is taken back", () => {
    const id = submitted("Gator Withdrawn Tracker", "GW-WT1");
    expect(told(asha, `submission:${id}:`).map((n) => n.title)).toEqual([
      "New in the queue: Gator Withdrawn Tracker (firmware 1.0.0)",
    ]);
    const others =
      db().select().from(notifications).all().length -
      told(asha, `submission:${id}:`).length -
      told(bram, `submission:${id}:`).length;
    withdrawSubmission(grace, id, { confirmed: true, expectedVersion: version(id) });
    for (const a of [asha, bram]) expect(told(a, `submission:${id}:`)).toEqual([]);
    expect(db().select().from(notifications).all().length).toBe(others);
  });

  it("sent back for changes: the assessor who sent it back is told, nobody else", () => {
    const id = submitted("Gator Abandoned Tracker", "GW-AT1");
    takeSubmission(asha, id, version(id));
    recordVerdict(asha, id, "1", {
      verdict: "fail",
      comment: "Passwords are shared.",
      accepted: false,
      version: version(id),
    });
    requestChanges(asha, id, version(id), "See requirement 1.");
    const before = { bram: told(bram).length, grace: told(grace).length, carol: told(carol).length };
    withdrawSubmission(grace, id, { confirmed: true, expectedVersion: version(id) });
    const [n] = told(asha, `submission:${id}:withdrawn:`);
    expect(n).toMatchObject({
      category: "reviews",
      kind: "submission.withdrawn",
      link: `/assessor/submissions/${id}`,
      title: "Withdrawn by the supplier: Gator Abandoned Tracker (firmware 1.0.0)",
    });
    expect(n.body).toMatch(/Gator Wearables Ltd withdrew .* which you sent back for changes on \d{1,2} \w{3} \d{4}/);
    // The queue notice of its first round stays: an assessor acted on it.
    expect(told(asha, `submission:${id}:submitted:`)).toHaveLength(1);
    expect({ bram: told(bram).length, grace: told(grace).length, carol: told(carol).length }).toEqual(before);
  });

  it("a draft: nobody is told", () => {
    const id = openTestDraft(
      grace,
      addTestVersion(grace, createTestProduct(grace, { name: "Gator Draft Tracker", model: "GW-DT1" })),
    );
    const count = db().select().from(notifications).all().length;
    withdrawSubmission(grace, id, { confirmed: true, expectedVersion: version(id) });
    expect(db().select().from(notifications).all().length).toBe(count);
  });
});

describe("approval proposals: put to who may confirm them, taken back when they end", () => {
  let dave: Actor; // a third assessor, free to confirm Gator's work

  beforeAll(async () => {
    await createUser(actorByEmail("admin@demo.test"), { email: "dave@assessors.test", name: "Dave", role: "assessor" });
    dave = actorByEmail("dave@assessors.test");
  });

  const inReview = (name: string, model: string) => {
    const id = openTestDraft(grace, addTestVersion(grace, createTestProduct(grace, { name, model })));
    for (const ref of ["1", "2", "3"])
      saveAnswer(grace, id, ref, { claim: "implemented", justification: "Yes.", noEvidenceReason: "Public page." });
    submitSubmission(grace, id);
    return id;
  };
  const pass = (who: Actor, id: string, refs: string[]) => {
    for (const ref of refs)
      recordVerdict(who, id, ref, { verdict: "pass", comment: "", accepted: false, version: version(id) });
  };

  it("withdrawn by the proposer: every 'waiting for your confirmation' is taken back, in app and unsent mail", () => {
    const id = inReview("Gator Proposal Tracker", "GW-PT1");
    takeSubmission(asha, id, version(id));
    pass(asha, id, ["1", "2", "3"]);
    proposeApproval(asha, id, version(id), "All met.");
    const [notice] = told(dave, `submission:${id}:proposed:`);
    expect(notice.title).toBe("Waiting for your confirmation: Gator Proposal Tracker (firmware 1.0.0)");
    for (const a of [bram, dave]) expect(mailStatus(notice.key, a)).toBe("kept");
    const others = { grace: told(grace).length, carol: told(carol).length };
    withdrawProposal(asha, id, version(id), "Proposed too early.");
    for (const a of [asha, bram, dave]) expect(told(a, `submission:${id}:proposed:`)).toEqual([]);
    for (const a of [bram, dave]) expect(mailStatus(notice.key, a)).toBeUndefined();
    expect({ grace: told(grace).length, carol: told(carol).length }).toEqual(others); // nobody is told
    // Proposed again: asked again, under a new key; sent back by Bram: Dave's notice goes too.
    proposeApproval(asha, id, version(id), "Proposed again.");
    const [again] = told(dave, `submission:${id}:proposed:`);
    expect(again.key).not.toBe(notice.key);
    returnProposal(bram, id, version(id), "Requirement 2 needs a second look.");
    for (const a of [bram, dave]) expect(told(a, `submission:${id}:proposed:`)).toEqual([]);
    expect(told(asha, `submission:${id}:proposal_returned:`)).toHaveLength(1);
  });

  it("proposed: an author of the current verdicts is not asked (four eyes), as the confirmers' rule says", () => {
    const id = inReview("Gator Shared Tracker", "GW-ST1");
    takeSubmission(asha, id, version(id));
    pass(asha, id, ["1"]);
    releaseSubmission(asha, id, version(id));
    takeSubmission(bram, id, version(id));
    pass(bram, id, ["2", "3"]);
    proposeApproval(bram, id, version(id), "All met.");
    const asked = [asha, bram, carol, dave].filter((a) => told(a, `submission:${id}:proposed:`).length);
    expect(asked.map((a) => a.name)).toEqual([dave.name]); // not Bram (proposer), Asha (verdict 1), Carol (conflict)
    const s = db().select().from(submissions).where(eq(submissions.id, id)).get()!;
    expect(
      possibleConfirmers(db(), s.organizationId, bram.userId, new Set([asha.userId, bram.userId])).map((c) => c.id),
    ).toEqual([dave.userId]);
  });

  it("confirmed: the other confirmers' notices are taken back; the one who confirmed keeps theirs", async () => {
    const id = inReview("Gator Confirmed Tracker", "GW-CT1");
    takeSubmission(asha, id, version(id));
    pass(asha, id, ["1", "2", "3"]);
    proposeApproval(asha, id, version(id), "All met.");
    const [notice] = told(dave, `submission:${id}:proposed:`);
    for (const a of [bram, dave]) expect(told(a, `submission:${id}:proposed:`)).toHaveLength(1);
    await confirmApproval(dave, id, version(id), "Confirmed.");
    expect(told(dave, `submission:${id}:proposed:`)).toHaveLength(1); // acted on it
    expect(told(bram, `submission:${id}:proposed:`)).toEqual([]);
    expect(mailStatus(notice.key, bram)).toBeUndefined();
    expect(mailStatus(notice.key, dave)).toBe("kept");
  });
});

describe("an approval nobody can confirm", () => {
  /** A new Brightnest product's submission, every requirement passed by asha, who proposes approving it. */
  const proposedByAsha = (name: string, model: string): string => {
    const id = openTestDraft(sam, addTestVersion(sam, createTestProduct(sam, { name, model })));
    for (const ref of ["1", "2", "3"])
      saveAnswer(sam, id, ref, { claim: "implemented", justification: "Yes.", noEvidenceReason: "Public page." });
    submitSubmission(sam, id);
    takeSubmission(asha, id, version(id));
    for (const ref of ["1", "2", "3"])
      recordVerdict(asha, id, ref, { verdict: "pass", comment: "", accepted: false, version: version(id) });
    proposeApproval(asha, id, version(id), "All met.");
    return id;
  };

  it("the administrators are told (and the proposer's page says so); the notice is done once the proposal ends", () => {
    const admin = actorByEmail("admin@demo.test");
    const brightnest = db()
      .select()
      .from(organizations)
      .where(eq(organizations.name, "Brightnest Smart Home Ltd"))
      .get()!;
    // Every assessor but asha has a conflict of interest with Brightnest: nobody can confirm her proposal.
    for (const email of ["assessor2@demo.test", "carol@conflicted.test", "dave@assessors.test"])
      declareConflict(admin, {
        assessorId: actorByEmail(email).userId,
        organizationId: brightnest.id,
        reason: "Advised Brightnest on this product line.",
      });
    const id = proposedByAsha("Brightnest Lonely Hub", "BN-LH1");
    const [notice] = told(admin, `submission:${id}:proposed:`);
    expect(notice).toMatchObject({
      category: "system",
      title: "No assessor can confirm an approval: Brightnest Lonely Hub (firmware 1.0.0)",
      link: "/admin/conflicts",
      readAt: null,
    });
    expect(notice.body).toContain("Add an assessor, or lift a conflict of interest");
    for (const email of ["assessor2@demo.test", "carol@conflicted.test", "dave@assessors.test"])
      expect(told(actorByEmail(email), `submission:${id}:`)).toEqual([]);
    withdrawProposal(asha, id, version(id), "Waiting for a colleague.");
    expect(told(admin, `submission:${id}:proposed:`).map((n) => n.readAt !== null)).toEqual([true]);
  });

  it("follows the assessors: a conflict lifted asks the assessor it frees, one declared takes their notice back, and the admins hear each time nobody can", async () => {
    const admin = actorByEmail("admin@demo.test");
    const dave = actorByEmail("dave@assessors.test");
    const brightnest = db()
      .select()
      .from(organizations)
      .where(eq(organizations.name, "Brightnest Smart Home Ltd"))
      .get()!;
    const conflicted = ["assessor2@demo.test", "carol@conflicted.test", "dave@assessors.test"].map(actorByEmail);
    const declaration = (who: Actor) =>
      db()
        .select()
        .from(conflictDeclarations)
        .where(
          and(eq(conflictDeclarations.assessorId, who.userId), eq(conflictDeclarations.organizationId, brightnest.id)),
        )
        .get();
    const declare = (who: Actor) =>
      declareConflict(admin, { assessorId: who.userId, organizationId: brightnest.id, reason: "Advised Brightnest." });
    for (const a of conflicted) if (!declaration(a)) declare(a);
    const id = proposedByAsha("Brightnest Quiet Hub", "BN-QH1");
    const proposed = `submission:${id}:proposed:v${version(id)}`;
    const unread = (who: Actor) => told(who, `${proposed}:unconfirmable`).filter((n) => n.readAt === null);
    expect(unread(admin).map((n) => n.key)).toEqual([`${proposed}:unconfirmable`]);

    // The conflict that kept Dave out is lifted: he is asked, the admins' notice is done.
    expect(confirmableBy(admin, dave.userId, brightnest.id)).toBe(0);
    expect(removeConflict(admin, declaration(dave)!.id)).toEqual({
      assessorId: dave.userId,
      assessor: "Dave",
      organizationId: brightnest.id,
      organization: "Brightnest Smart Home Ltd",
    });
    expect(confirmableBy(admin, dave.userId, brightnest.id)).toBe(1); // what the admin's page says
    const [asked] = told(dave, proposed);
    expect(asked).toMatchObject({
      key: proposed,
      category: "reviews",
      title: "Waiting for your confirmation: Brightnest Quiet Hub (firmware 1.0.0)",
      link: `/assessor/submissions/${id}`,
      readAt: null,
    });
    expect(asked.body).toMatch(
      /^On \d{1,2} \w+ \d{4} an assessor proposed approving Brightnest Smart Home Ltd's Brightnest Quiet Hub \(firmware 1\.0\.0\) at level Baseline\./,
    );
    expect(mailStatus(proposed, dave)).toBe("kept");
    expect(unread(admin)).toEqual([]);
    for (const a of conflicted.filter((c) => c.userId !== dave.userId))
      expect(told(a, `submission:${id}:`)).toEqual([]);

    // Declared again: his notice (and its mail not yet sent) is taken back; the admins are told again.
    declare(dave);
    expect(told(dave, `submission:${id}:`)).toEqual([]);
    expect(mailStatus(proposed, dave)).toBeUndefined();
    expect(unread(admin).map((n) => n.key)).toEqual([`${proposed}:unconfirmable:2`]);
    expect(unread(admin)[0].body).toContain("no other assessor can confirm it");

    // An assessor added is free to confirm it; disabled, no longer: asked, then the notice taken back.
    await createUser(admin, { email: "erin@assessors.test", name: "Erin Eyes", role: "assessor" });
    const erin = actorByEmail("erin@assessors.test");
    expect(told(erin, proposed).map((n) => n.title)).toEqual([
      "Waiting for your confirmation: Brightnest Quiet Hub (firmware 1.0.0)",
    ]);
    expect(unread(admin)).toEqual([]);
    setUserDisabled(admin, erin.userId, true);
    expect(told(erin, proposed)).toEqual([]);
    expect(unread(admin).map((n) => n.key)).toEqual([`${proposed}:unconfirmable:3`]);
    // Read by the admins, and still nobody can confirm it: a change of assessors that frees nobody
    // (an assessor already conflicted disabled) tells them nothing new, in the app or by mail.
    openNotification(admin, unread(admin)[0].id);
    const before = { notices: told(admin, proposed).length, mails: mailsTo(admin, proposed) };
    setUserDisabled(admin, actorByEmail("carol@conflicted.test").userId, true);
    expect({ notices: told(admin, proposed).length, mails: mailsTo(admin, proposed) }).toEqual(before);
    expect(unread(admin)).toEqual([]);
    setUserDisabled(admin, actorByEmail("carol@conflicted.test").userId, false);
    // Each time the admins were told has its own mail (its own Message-ID): three so far.
    expect(before.mails).toBe(3);
    // Enabled again: asked again. Confirmed by her: the proposal is done for everyone.
    setUserDisabled(admin, erin.userId, false);
    expect(told(erin, proposed)).toHaveLength(1);
    expect(unread(admin)).toEqual([]);
    await confirmApproval(erin, id, version(id), "Confirmed.");
    expect(db().select().from(submissions).where(eq(submissions.id, id)).get()?.status).toBe("approved");
    // A change of assessors afterwards asks nobody about a proposal that is no longer waiting.
    removeConflict(admin, declaration(dave)!.id);
    expect(told(dave, `submission:${id}:`)).toEqual([]);
  });
});
