/**
 * Who hears what: the notification rules, one subscriber per domain event (registered in
 * app/system/wiring.server.ts, each in the transaction of the change, so a notification stands or
 * falls with what it tells). Each calls `notify` with a key that names the event, never the
 * recipient (a replay of the same event notifies nobody twice), a link to where the recipient acts,
 * and a title and body that name the product and the date. Nobody is told a detail they may not
 * see: the buyers get the watch feed's own embargo-safe text (a report under embargo as severity
 * and counts), the assessors only suppliers they have no conflict of interest with.
 *
 *   event                                   who                                    category     key
 *   submission.changed submitted            assessors (no conflict)                reviews      submission:<id>:submitted:v<version>
 *   submission.changed changes_requested    the supplier's users                   submissions  submission:<id>:changes_requested:v<version>
 *   submission.changed rejected             the supplier's users                   submissions  submission:<id>:rejected:v<version>
 *   submission.changed approved             the supplier's users (seal + PDF)      submissions  submission:<id>:approved:v<version>
 *   submission.changed proposed             the possible confirmers (four eyes:    reviews      submission:<id>:proposed:v<version>
 *                                           not the proposer, no author of the
 *                                           current verdicts, no conflict)
 *                                           nobody can confirm it: the admins      system       submission:<id>:proposed:v<version>:unconfirmable
 *   assessors.changed (a conflict declared  each pending proposal (of that supplier): reviews / submission:<id>:proposed:v<version>
 *     or lifted, an assessor added,         the new possible confirmers asked; the   system       (:unconfirmable)
 *     enabled or disabled)                  notice taken back from one no longer free;
 *                                           nobody can confirm it: the admins; else
 *                                           their notice settled
 *   submission.changed proposal_confirmed   the proposer; the "proposed" notice    reviews      submission:<id>:proposal_confirmed:v<version>
 *                                           taken back from the other confirmers
 *   submission.changed proposal_returned    the proposer; the "proposed" notice    reviews      submission:<id>:proposal_returned:v<version>
 *                                           taken back from the others (retract)
 *   submission.changed proposal_withdrawn   nobody: the "proposed" notice taken back (retract)
 *   submission.changed withdrawn            from changes requested: the assessor       reviews      submission:<id>:withdrawn:v<version>
 *                                           who sent it back; from the queue: nobody, the
 *                                           latest "submitted" notice taken back (retract)
 *   finding.changed recorded                the supplier's users                   reports      report:<id>:recorded
 *   finding.changed fix_claimed             assessors (no conflict)                reports      report:<id>:fix_claimed:<update>
 *   finding.changed fix_rejected            the supplier's users                   reports      report:<id>:fix_rejected:<update>
 *   finding.changed (update verified_fixed) the supplier's users                   reports      report:<id>:fix_verified:<update>
 *   finding.changed withdrawn               the supplier's users                   reports      report:<id>:withdrawn:<update>
 *   finding.changed (update                 the supplier's users; the old           reports      report:<id>:deadline_extended:<update>
 *     deadline_extended)                    deadline's reminders taken back (retract)
 *   recurring.changed submitted             assessors (no conflict)                recurring    recurring:<id>:submitted
 *   recurring.changed accepted / rejected   the supplier's users                   recurring    recurring:<id>:<change>
 *   recurring.changed withdrawn             nobody: what "submitted" told is taken back (retract)
 *   seal.changed suspended / reinstated /   the supplier's users                   seals        seal-event:<id>
 *     revoked                               (issued: told with "approved"; expired, superseded: not told;
 *                                           urgent: suspended or revoked, but not a suspension restated
 *                                           with a new reason: "still suspended")
 *   watch.published (any watch event)       the watching organisation's users      watch        watch:<watch event id>
 *                                           (urgent: a watched seal revoked or suspended, but not a
 *                                           suspension restated with a new reason)
 *
 * A change that does what a notice asked marks that notice read for everyone (`settle`; it stays in
 * the list as history, the bell stops counting it): a decision or proposal settles the queue's
 * "submitted" notices, a confirmation the "proposed" one, a resubmission or withdrawal the supplier's
 * "changes requested"; a fix claimed the supplier's "recorded" and "fix rejected", a fix decided the
 * assessors' "fix claimed", a closed report every notice and reminder about it; recurring evidence
 * decided the assessors' "submitted", recurring evidence sent the supplier's reminders that it is due.
 *
 * Reminders (deadlines, due dates, expiry, keys, mail delivery) come from the lifecycle sweep:
 * reminders.server.ts.
 */
import { and, desc, eq, inArray, lte, sql } from "drizzle-orm";
import {
  checklistVersions,
  decisions,
  findings,
  findingUpdates,
  notifications,
  organizations,
  products,
  productVersions,
  recurringEvidence,
  sealEvents,
  seals,
  submissions,
} from "../../../db/schema";
import { nowMs } from "../../platform/clock.server";
import { preparedQueries, type Tx } from "../../platform/db.server";
import type { DomainEvent } from "../../platform/events.server";
import { formatDate } from "../../platform/format";
import { getEnv } from "../../platform/env.server";
import { levelTitleFor } from "../catalogue/checklists.server";
import { disclosureOf } from "../findings/domain/disclosure";
import { deadlineEffects, SEAL_BLOCKING_SEVERITIES } from "../findings/domain/findings";
import { disclosureFindingOf, validSealsByFirmware, withdrawnAtOf } from "../findings/advisories.server";
import { heldSealsOf } from "../findings/findings.server";
import { NO_HELD_SEALS, overdueSealsText } from "../findings/domain/overdue-seals";
import { requirementsInScope } from "../certification/submission-records.server";
import { sentBack } from "../certification/submissions.server";
import { pendingProposal, possibleConfirmers, verdictAuthors, waitingProposals } from "../certification/review.server";
import { sealEventRows, watchEventsOf, type WatchEvent } from "../retail/watch-feed.server";
import { recurringScheduleOf } from "../monitoring/recurring-schedule.server";
import { suspensionOriginOf } from "../monitoring/automatic-suspension.server";
import { consequenceWords } from "../monitoring/domain/recurring";
import { closeToDo, latestKeyLike, notify, recurringToDoKey, retract, settle } from "./notify.server";
import { admins, assessorsFor, supplierUsers, usersOfOrganizations } from "./recipients.server";
import { atDeadlineWords, reportReminderKeys } from "./reminders.server";

type Reader = Pick<Tx, "select">;

/** "Gator Kids Watch 3 (firmware 3.2.0)" and the facts a rule about a submission needs. */
function submissionFacts(t: Reader, id: string) {
  const row = t
    .select({
      s: submissions,
      product: products.name,
      firmware: productVersions.firmwareVersion,
      supplier: organizations.name,
      checklist: { id: checklistVersions.checklistId, version: checklistVersions.version },
    })
    .from(submissions)
    .innerJoin(checklistVersions, eq(checklistVersions.id, submissions.checklistVersionId))
    .innerJoin(productVersions, eq(productVersions.id, submissions.productVersionId))
    .innerJoin(products, eq(products.id, productVersions.productId))
    .innerJoin(organizations, eq(organizations.id, submissions.organizationId))
    .where(eq(submissions.id, id))
    .get();
  if (!row) return null;
  // "level Baseline", as the checklist names its level (not its id, "baseline").
  const level = levelTitleFor(row.checklist, row.s.targetLevel);
  return { ...row, level, label: `${row.product} (firmware ${row.firmware})` };
}

/** The newest decision of these kinds on a submission. */
function lastDecision(t: Reader, submissionId: string, kinds: (typeof decisions.$inferSelect)["kind"][]) {
  return (
    t
      .select()
      .from(decisions)
      .where(and(eq(decisions.submissionId, submissionId), inArray(decisions.kind, kinds)))
      .orderBy(desc(decisions.id))
      .limit(1)
      .get() ?? null
  );
}

/** A quoted reason for a body, on its own line, trimmed to a few sentences. */
function quoted(text: string): string {
  const t = text.trim();
  if (!t) return "";
  return `\n\n"${t.length > 400 ? `${t.slice(0, 400)}…` : t}"`;
}

// ---------------------------------------------------------------------------------------------
// Submissions and reviews

/** The key of a notice about a submission: the change and the submission's version it was made on (one event). */
const submissionKey = (id: string, change: DomainEvent<"submission.changed">["change"], version: number) =>
  `submission:${id}:${change}:v${version}`;

/**
 * Takes back the "waiting for your confirmation" notice of the proposal that a withdrawal or a
 * return (made on the submission's version `version`) ended: in app, read or not, and the mail not
 * yet sent. Proposing does not change the version, and withdrawing or returning bumps it, so the
 * proposal ended is the newest one proposed on `version` or before (a replayed event never reaches
 * a later proposal), and its notice's key names the version it was proposed on.
 */
function retractProposedNotice(
  tx: Tx,
  submissionId: string,
  version: number,
  opts: { keepUserIds?: readonly string[] } = {},
): void {
  const proposal = tx
    .select({ version: decisions.submissionVersion })
    .from(decisions)
    .where(
      and(
        eq(decisions.submissionId, submissionId),
        eq(decisions.kind, "approval_proposed"),
        lte(decisions.submissionVersion, version),
      ),
    )
    .orderBy(desc(decisions.id))
    .limit(1)
    .get();
  if (proposal) retract(tx, submissionKey(submissionId, "proposed", proposal.version), opts);
}

type SubmissionFacts = NonNullable<ReturnType<typeof submissionFacts>>;
type Proposal = NonNullable<ReturnType<typeof pendingProposal>>;

/**
 * Asks whoever may confirm a pending approval proposal now (review.server.ts's rule, as the
 * dashboard and the confirmation apply it: not the proposer, nor an author of the current verdicts,
 * nor an assessor with a conflict of interest or disabled) and no one else: "Waiting for your
 * confirmation" to each new one (one told before is not told again), taken back from one no longer
 * free to confirm it. Nobody can confirm it: the approval waits on the administrators (add an
 * assessor, or lift a conflict), told once however often the assessors change while it stays so;
 * once someone can, their notice is done (closeToDo), and they are told again if nobody can any more.
 */
function askConfirmers(tx: Tx, f: SubmissionFacts, proposal: Proposal): void {
  const key = submissionKey(f.s.id, "proposed", proposal.submissionVersion);
  const unconfirmable = `${key}:unconfirmable`;
  const confirmers = possibleConfirmers(tx, f.s.organizationId, proposal.assessorId, verdictAuthors(tx, f.s.id)).map(
    (c) => c.id,
  );
  const told = tx
    .select({ userId: notifications.userId })
    .from(notifications)
    .where(eq(notifications.key, key))
    .all()
    .map((n) => n.userId);
  retract(tx, key, { onlyUserIds: told.filter((id) => !confirmers.includes(id)) });
  const proposedOn = formatDate(proposal.createdAt);
  const today = formatDate(nowMs());
  if (confirmers.length === 0) {
    notify(tx, {
      userIds: admins(tx),
      category: "system",
      kind: "submission.unconfirmable",
      key: recurringToDoKey(tx, unconfirmable), // while it stays so, nobody is told twice (read or not)
      title: `No assessor can confirm an approval: ${f.label}`,
      body: `${proposedOn === today ? `On ${today} an assessor proposed approving ${f.supplier}'s ${f.label} at level ${f.level}, and no other assessor can confirm it` : `On ${proposedOn} an assessor proposed approving ${f.supplier}'s ${f.label} at level ${f.level}, and since ${today} no other assessor can confirm it`}: every other assessor has a conflict of interest with ${f.supplier}, wrote its current verdicts, or is disabled. Add an assessor, or lift a conflict of interest that no longer holds, so that a second assessor can confirm it or send it back.`,
      link: "/admin/conflicts",
    });
    return;
  }
  closeToDo(tx, unconfirmable); // done; should nobody be able to again, the admins are told again
  notify(tx, {
    userIds: confirmers,
    category: "reviews",
    kind: "submission.proposed",
    key,
    title: `Waiting for your confirmation: ${f.label}`,
    body: `On ${proposedOn} an assessor proposed approving ${f.supplier}'s ${f.label} at level ${f.level}. A second assessor must confirm it or send it back (four eyes).`,
    link: `/assessor/submissions/${f.s.id}`,
  });
}

/**
 * `assessors.changed`: a conflict of interest declared or lifted, an assessor added, enabled or
 * disabled. Each approval proposed on that supplier's work (any supplier's, for an assessor) that
 * still waits asks whoever may confirm it now (askConfirmers).
 */
export function notifyAssessorsChange(tx: Tx, e: DomainEvent<"assessors.changed">): void {
  for (const { submissionId, proposal } of waitingProposals(tx, e.organizationId)) {
    const f = submissionFacts(tx, submissionId);
    if (f) askConfirmers(tx, f, proposal);
  }
}

/**
 * The to-dos a submission's change has done, marked read for everyone (`settle`): an assessor's
 * decision or proposal ends the queue's "New in the queue" / "Resubmitted"; a confirmation ends the
 * confirmer's "Waiting for your confirmation" (the other confirmers' is taken back); the supplier's
 * resubmission or withdrawal ends its "Changes requested".
 */
function settleSubmissionToDos(tx: Tx, submissionId: string, change: DomainEvent<"submission.changed">["change"]) {
  const prefix = (what: DomainEvent<"submission.changed">["change"]) => `submission:${submissionId}:${what}:v`;
  switch (change) {
    case "changes_requested":
    case "rejected":
    case "approved":
    case "proposed":
      settle(tx, { prefix: prefix("submitted") });
      return;
    case "proposal_confirmed":
    case "proposal_returned":
    case "proposal_withdrawn":
      // The proposal ended: whatever still asked for its confirmation is done (the admins' "no assessor can confirm" too).
      settle(tx, { prefix: prefix("proposed") });
      return;
    case "submitted":
    case "withdrawn":
      settle(tx, { prefix: prefix("changes_requested") });
      return;
    default:
      return;
  }
}

/** `submission.changed`: the supplier hears the assessors' decisions, the assessors the supplier's submissions and each other's proposals. */
export function notifySubmissionChange(tx: Tx, e: DomainEvent<"submission.changed">): void {
  const f = submissionFacts(tx, e.submissionId);
  if (!f) return;
  const key = submissionKey(f.s.id, e.change, e.version);
  const today = formatDate(nowMs()); // the change happens now, in this transaction
  const assessorLink = `/assessor/submissions/${f.s.id}`;
  const supplierLink = `/supplier/submissions/${f.s.id}`;
  settleSubmissionToDos(tx, f.s.id, e.change);
  switch (e.change) {
    case "submitted": {
      const resubmitted = f.s.firstSubmittedAt && f.s.submittedAt && f.s.firstSubmittedAt < f.s.submittedAt;
      notify(tx, {
        userIds: assessorsFor(tx, f.s.organizationId),
        category: "reviews",
        kind: "submission.submitted",
        key,
        title: `${resubmitted ? "Resubmitted" : "New in the queue"}: ${f.label}`,
        body: `${f.supplier} ${resubmitted ? "resubmitted" : "submitted"} ${f.label} at level ${f.level} for review on ${today}. It is waiting in the review queue.`,
        link: assessorLink,
      });
      return;
    }
    case "changes_requested": {
      const order = new Map(
        requirementsInScope(tx, f.s.checklistVersionId, f.s.targetLevel).map((r, i) => [r.ref, i] as const),
      );
      const refs = [...sentBack(tx, f.s.id).keys()].sort(
        (a, b) => (order.get(a) ?? Infinity) - (order.get(b) ?? Infinity),
      );
      const request = lastDecision(tx, f.s.id, ["changes_requested"]);
      const listed = refs.slice(0, 8).join(", ") + (refs.length > 8 ? ", …" : "");
      notify(tx, {
        userIds: supplierUsers(tx, f.s.organizationId),
        category: "submissions",
        kind: "submission.changes_requested",
        key,
        title: `Changes requested: ${f.label}`,
        body: `On ${today} an assessor sent ${refs.length} requirement${refs.length === 1 ? "" : "s"} of ${f.label} back for changes: ${listed}. Change them and resubmit.${quoted(request?.comment ?? "")}`,
        link: refs.length ? `${supplierLink}/requirements/${encodeURIComponent(refs[0])}` : supplierLink,
      });
      return;
    }
    case "rejected": {
      const rejection = lastDecision(tx, f.s.id, ["rejected"]);
      notify(tx, {
        userIds: supplierUsers(tx, f.s.organizationId),
        category: "submissions",
        kind: "submission.rejected",
        key,
        title: `Rejected: ${f.label}`,
        body: `On ${today} an assessor rejected the submission of ${f.label}. The reason:${quoted(rejection?.comment ?? "")}`,
        link: supplierLink,
      });
      return;
    }
    case "approved": {
      const seal = tx
        .select({ serial: seals.serial, validUntil: seals.validUntil })
        .from(seals)
        .where(eq(seals.submissionId, f.s.id))
        .get();
      if (!seal) return;
      notify(tx, {
        userIds: supplierUsers(tx, f.s.organizationId),
        category: "submissions",
        kind: "submission.approved",
        key,
        title: `Approved, seal ${seal.serial} issued: ${f.label}`,
        body: `On ${today} ${f.label} was approved at level ${f.level} and seal ${seal.serial} was issued, valid until ${formatDate(seal.validUntil)}. Its page has the signed credential and the PDF certificate: ${getEnv().baseUrl}/s/${seal.serial}/seal.pdf`,
        link: `/s/${seal.serial}`,
      });
      return;
    }
    case "proposed": {
      const proposal = pendingProposal(tx, f.s.id);
      if (proposal) askConfirmers(tx, f, proposal);
      return;
    }
    case "proposal_confirmed":
    case "proposal_returned": {
      // Sent back: the other assessors' "waiting for your confirmation" names a proposal that is gone.
      // Sent back: the notice is gone for everyone; confirmed: for every other confirmer (the one who
      // confirmed keeps the notice they acted on).
      retractProposedNotice(
        tx,
        f.s.id,
        e.version,
        e.change === "proposal_confirmed" ? { keepUserIds: [e.byUserId] } : {},
      );
      const proposal = lastDecision(tx, f.s.id, ["approval_proposed"]);
      if (!proposal || proposal.assessorId === e.byUserId) return;
      // A proposer since disabled or conflicted with this supplier hears nothing more about it.
      if (!assessorsFor(tx, f.s.organizationId).includes(proposal.assessorId)) return;
      const returned = e.change === "proposal_returned";
      const returnedWith = returned ? lastDecision(tx, f.s.id, ["proposal_returned"]) : null;
      notify(tx, {
        userIds: [proposal.assessorId],
        category: "reviews",
        kind: `submission.${e.change}`,
        key,
        title: `${returned ? "Your proposal was sent back" : "Your proposal was confirmed"}: ${f.label}`,
        body: returned
          ? `On ${today} a second assessor sent back your proposal to approve ${f.label}. The reason:${quoted(returnedWith?.comment ?? "")}`
          : `On ${today} a second assessor confirmed your proposal to approve ${f.label}; its seal was issued.`,
        link: assessorLink,
      });
      return;
    }
    case "proposal_withdrawn":
      // Nobody is told; the "waiting for your confirmation" notice (and mail not yet sent) is taken back.
      retractProposedNotice(tx, f.s.id, e.version);
      return;
    case "withdrawn": {
      if (e.from === "submitted") {
        // Withdrawn before an assessor took it: the "new in the queue" notice told of what is gone.
        const latest = latestKeyLike(tx, `submission:${f.s.id}:submitted:v`);
        if (latest) retract(tx, latest);
        return;
      }
      if (e.from !== "changes_requested") return; // a draft: no assessor ever heard of it
      const request = lastDecision(tx, f.s.id, ["changes_requested"]);
      // An assessor since disabled or conflicted with this supplier hears nothing more about it.
      if (!request || !assessorsFor(tx, f.s.organizationId).includes(request.assessorId)) return;
      notify(tx, {
        userIds: [request.assessorId],
        category: "reviews",
        kind: "submission.withdrawn",
        key,
        title: `Withdrawn by the supplier: ${f.label}`,
        body: `On ${today} ${f.supplier} withdrew ${f.label}, which you sent back for changes on ${formatDate(request.createdAt)}. It will not be resubmitted: there is nothing more to review.`,
        link: assessorLink,
      });
      return;
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Vulnerability reports

type FindingRow = typeof findings.$inferSelect;
type FindingUpdateRow = typeof findingUpdates.$inferSelect;

/**
 * The finding_updates row a `finding.changed` is about: its `updateId` (each answer, decision and
 * extension writes one). A change that writes no row (a CRA Article 14 flag, say) has none.
 */
function updateOfChange(tx: Tx, e: DomainEvent<"finding.changed">): FindingUpdateRow | null {
  if (e.updateId === undefined) return null; // a change that wrote no history row (a CRA flag): nothing to tell
  return tx.select().from(findingUpdates).where(eq(findingUpdates.id, e.updateId)).get() ?? null;
}

/** What a finding change is to the rule: the event's `change`, else what its update row records. */
const CHANGE_OF_UPDATE: Partial<Record<FindingUpdateRow["kind"], string>> = {
  fixed: "fix_claimed",
  fix_rejected: "fix_rejected",
  verified_fixed: "fix_verified",
  withdrawn: "withdrawn",
  deadline_extended: "deadline_extended",
};

const blocksSeals = (f: FindingRow) => SEAL_BLOCKING_SEVERITIES.includes(f.severity);

/**
 * The report's clock at send time, in words: a deadline still ahead, or one that has passed (a report
 * recorded after its deadline, a fix rejected late): then its advisory is public and, for a critical
 * or high report, what it does to the seals of the affected firmware, from the seals it holds (the
 * automatic suspension has decided them earlier in the same transaction): overdueSealsText.
 */
function clockWords(tx: Tx, f: FindingRow, now: Date, ahead: string): string {
  if (now.getTime() <= f.deadline.getTime()) return ahead;
  const d = disclosureFindingOf({ ...f, withdrawnAt: f.status === "withdrawn" ? withdrawnAtOf(tx, f.id) : null }, []);
  const isPublic = d ? disclosureOf(d, now).public : false;
  const seals = blocksSeals(f) ? ` ${overdueSealsText(heldSealsOf(tx, [f.id], now).get(f.id) ?? NO_HELD_SEALS)}` : "";
  return `Its disclosure deadline passed on ${formatDate(f.deadline)}${isPublic ? ": its advisory is public" : ""}.${seals}`;
}

/**
 * The to-dos a report's change has done, marked read for everyone (`settle`): a fix claimed ends
 * the supplier's "New report" and "Fix rejected" (they did what was asked); a fix verified, rejected
 * or a report withdrawn ends the assessors' "Fix to verify"; a closed report (fix verified,
 * withdrawn) ends every notice and reminder about it that still asks for something.
 */
function settleReportToDos(tx: Tx, findingId: string, change: string) {
  switch (change) {
    case "fix_claimed":
      settle(tx, { key: `report:${findingId}:recorded` });
      settle(tx, { prefix: `report:${findingId}:fix_rejected:` });
      return;
    case "fix_rejected":
      settle(tx, { prefix: `report:${findingId}:fix_claimed:` });
      return;
    case "fix_verified":
    case "withdrawn":
      settle(tx, { prefix: `report:${findingId}:` });
      settle(tx, { prefix: `reminder:report:${findingId}:` });
      return;
    default:
      return;
  }
}

/**
 * `finding.changed`: the supplier hears of a report recorded, a fix rejected or verified, a deadline
 * extended and a report withdrawn; the assessors of a fix claimed. Each worded by the report's state
 * when it is sent (a report recorded after its deadline is public at once).
 */
export function notifyFindingChange(tx: Tx, e: DomainEvent<"finding.changed">): void {
  const f = tx
    .select({ f: findings, product: products.name })
    .from(findings)
    .innerJoin(products, eq(products.id, findings.productId))
    .where(eq(findings.id, e.findingId))
    .get();
  if (!f) return;
  const update = updateOfChange(tx, e);
  const change = e.change ?? (update ? CHANGE_OF_UPDATE[update.kind] : undefined);
  if (!change) return;
  const link = `/findings/${f.f.id}`;
  const now = new Date(nowMs());
  const on = formatDate(update?.at ?? f.f.updatedAt);
  const report = `the ${f.f.severity} report "${f.f.title}" (${f.f.advisoryId ?? "no advisory id"})`;
  const key = (what: string) => `report:${f.f.id}:${what}:${e.updateId ?? update?.id ?? f.f.version}`;
  const supplier = supplierUsers(tx, f.f.organizationId);
  settleReportToDos(tx, f.f.id, change);
  switch (change) {
    case "recorded": {
      const passed = now.getTime() > f.f.deadline.getTime();
      notify(tx, {
        userIds: supplier,
        category: "reports",
        kind: "report.recorded",
        key: `report:${f.f.id}:recorded`,
        title: `New ${f.f.severity} vulnerability report${passed ? ", deadline already passed" : ""}: ${f.product}`,
        body: `On ${formatDate(f.f.createdAt)} an assessor recorded a ${f.f.severity} vulnerability report against ${f.product}: "${f.f.title}" (${f.f.advisoryId ?? "no advisory id"}). ${clockWords(
          tx,
          f.f,
          now,
          `Its disclosure deadline is ${formatDate(f.f.deadline)}. ${atDeadlineWords(deadlineEffects(f.f))} Mark it fixed in a registered firmware version in time for an assessor to verify the fix.`,
        )}${passed ? " Mark it fixed in a registered firmware version to have the fix verified." : ""}`,
        link,
      });
      return;
    }
    case "fix_claimed":
      notify(tx, {
        userIds: assessorsFor(tx, f.f.organizationId),
        category: "reports",
        kind: "report.fix_claimed",
        key: key("fix_claimed"),
        title: `Fix to verify: ${f.product}`,
        body: `On ${on} the supplier said firmware ${f.f.fixedInVersion ?? update?.fixedInVersion ?? "?"} of ${f.product} fixes the ${f.f.severity} report "${f.f.title}". Verify the fix or reject it.`,
        link,
      });
      return;
    case "fix_rejected":
      notify(tx, {
        userIds: supplier,
        category: "reports",
        kind: "report.fix_rejected",
        key: key("fix_rejected"),
        title: `Fix rejected: ${f.product}`,
        body: `On ${on} an assessor rejected the fix of the ${f.f.severity} report "${f.f.title}" on ${f.product}. ${clockWords(tx, f.f, now, `Its disclosure deadline is still ${formatDate(f.f.deadline)}.`)} The reason:${quoted(update?.note ?? "")}`,
        link,
      });
      return;
    case "fix_verified": {
      // The fix is verified, which certifies no firmware: only a valid seal of its own does (decision 015).
      const fixed = f.f.fixedInVersion ?? "?";
      const sealed = f.f.fixedInVersion ? validSealsByFirmware(tx, f.f.productId, now).get(fixed.trim()) : undefined;
      const wasOverdue = blocksSeals(f.f) && f.f.deadline.getTime() < (f.f.verifiedAt ?? now).getTime();
      notify(tx, {
        userIds: supplier,
        category: "reports",
        kind: "report.fix_verified",
        key: key("fix_verified"),
        title: `Fix verified: ${f.product}`,
        body: `On ${on} an assessor verified that firmware ${fixed} of ${f.product} fixes ${report}: the report is closed. Its advisory is public now, naming ${fixed} as the fixed firmware${wasOverdue ? "; any seal suspended because the report was overdue is reinstated, unless another overdue report holds it" : ""}. ${sealed ? `Firmware ${fixed} is certified (seal ${sealed}).` : `Firmware ${fixed} itself has no seal: the fix is verified, but the firmware is certified only once a re-certification of it is approved.`}`,
        link,
      });
      return;
    }
    case "withdrawn": {
      // When it was withdrawn: its `withdrawn` history row, never the row's updatedAt (a later write moves that).
      const withdrawnAt = withdrawnAtOf(tx, f.f.id) ?? update?.at ?? now;
      const d = disclosureFindingOf({ ...f.f, withdrawnAt }, []);
      const disclosed = d ? disclosureOf(d, now).public : false;
      const wasOverdue = blocksSeals(f.f) && f.f.deadline.getTime() < withdrawnAt.getTime();
      notify(tx, {
        userIds: supplier,
        category: "reports",
        kind: "report.withdrawn",
        key: key("withdrawn"),
        title: `Report withdrawn: ${f.product}`,
        body: `On ${on} an assessor withdrew ${report} on ${f.product}: it is closed, and nothing more is asked of you. ${disclosed ? `Its advisory was already public and stays public, marked "withdrawn after disclosure".` : "It was never disclosed: nothing about it is public, nor ever will be."}${wasOverdue ? " Any seal suspended because it was overdue is reinstated, unless another overdue report holds it." : ""} The reason:${quoted(update?.note ?? "")}`,
        link,
      });
      return;
    }
    case "deadline_extended": {
      if (!update) return;
      // The reminders of the old deadline name a date that no longer holds: taken back, read or not (mail
      // already sent stays sent). The new deadline's reminders come from the sweep as usual.
      const previous = update.previousDeadline;
      const deadline = update.newDeadline ?? f.f.deadline;
      const retracted = previous
        ? reportReminderKeys(f.f.id, previous).reduce((n, k) => n + retract(tx, k).notifications, 0)
        : 0;
      notify(tx, {
        userIds: supplier,
        category: "reports",
        kind: "report.deadline_extended",
        key: key("deadline_extended"),
        title: `Disclosure deadline extended to ${formatDate(deadline)}: ${f.product}`,
        body: `On ${on} an assessor extended the disclosure deadline of ${report} on ${f.product}${previous ? ` from ${formatDate(previous)}` : ""} to ${formatDate(deadline)}. ${atDeadlineWords(deadlineEffects(f.f), "the new deadline")} ${f.f.status === "fixed" ? `The fix you marked in firmware ${f.f.fixedInVersion ?? "?"} awaits an assessor's verification.` : "Mark it fixed in a registered firmware version in time for an assessor to verify the fix."}${retracted && previous ? ` The reminders of the ${formatDate(previous)} deadline are taken out of your notifications.` : ""} The reason:${quoted(update.note)}`,
        link,
      });
      return;
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Recurring evidence

/**
 * `recurring.changed`: the assessors hear of evidence waiting, the supplier of its decision. A
 * rejection says what it means for the seal now (the evidence no longer holds the requirement):
 * overdue (the seal suspended, or to be), in its grace period (until when), or not yet due (when).
 */
export function notifyRecurringChange(tx: Tx, e: DomainEvent<"recurring.changed">): void {
  // The bytes never reached the store and the row is gone: nobody is to check it (its row cannot be read now).
  if (e.change === "withdrawn") {
    retract(tx, `recurring:${e.evidenceId}:submitted`);
    return;
  }
  const row = tx
    .select({
      ev: recurringEvidence,
      seal: {
        serial: seals.serial,
        state: seals.state,
        submissionId: seals.submissionId,
        issuedAt: seals.issuedAt,
        validUntil: seals.validUntil,
      },
      product: products.name,
      firmware: productVersions.firmwareVersion,
    })
    .from(recurringEvidence)
    .innerJoin(seals, eq(seals.serial, recurringEvidence.serial))
    .innerJoin(productVersions, eq(productVersions.id, seals.productVersionId))
    .innerJoin(products, eq(products.id, productVersions.productId))
    .where(eq(recurringEvidence.id, e.evidenceId))
    .get();
  if (!row) return;
  const { ev } = row;
  const label = `${row.product} (seal ${ev.serial})`;
  const key = `recurring:${ev.id}:${e.change}`;
  // Accepted or rejected: the assessors' "Recurring evidence to check" is done, whoever decided.
  // Submitted: the supplier's reminders that it is due are done (a rejection says anew what is due).
  if (e.change !== "submitted") settle(tx, { key: `recurring:${ev.id}:submitted` });
  else settle(tx, { prefix: `reminder:recurring:${ev.serial}:${ev.requirementRef}:` });
  if (e.change === "submitted") {
    notify(tx, {
      userIds: assessorsFor(tx, ev.organizationId),
      category: "recurring",
      kind: "recurring.submitted",
      key,
      title: `Recurring evidence to check: ${label}`,
      body: `On ${formatDate(ev.submittedAt)} the supplier sent fresh evidence for ${ev.requirementRef} of ${label}. Accept or reject it.`,
      link: `/assessor/recurring/${ev.id}`,
    });
    return;
  }
  const accepted = e.change === "accepted";
  const rejectedNow = () => {
    const schedule = recurringScheduleOf(tx, row.seal, new Date(nowMs()));
    const item = schedule.items.find((i) => i.ref === ev.requirementRef);
    if (!schedule.monitored || !item) return "";
    return ` ${consequenceWords(
      { standing: item.standingWithoutPending, dueAt: item.dueAt, graceEndsAt: item.graceEndsAt },
      {
        suspended: row.seal.state === "suspended",
        suspendedBy: suspensionOriginOf(row.seal.serial, tx),
        validUntil: row.seal.validUntil,
      },
    )} New evidence can be sent from the seal's recurring evidence page.`;
  };
  notify(tx, {
    userIds: supplierUsers(tx, ev.organizationId),
    category: "recurring",
    kind: `recurring.${e.change}`,
    key,
    title: `Recurring evidence ${accepted ? "accepted" : "rejected"}: ${ev.requirementRef}, ${label}`,
    body: accepted
      ? `On ${formatDate(ev.decidedAt)} an assessor accepted your evidence for ${ev.requirementRef} of ${label}, sent on ${formatDate(ev.submittedAt)}. Its next due date is on the seal's recurring evidence page.`
      : `On ${formatDate(ev.decidedAt)} an assessor rejected your evidence for ${ev.requirementRef} of ${label}, sent on ${formatDate(ev.submittedAt)}.${rejectedNow()} The reason:${quoted(ev.comment)}`,
    link: `/supplier/seals/${ev.serial}/recurring`,
  });
}

// ---------------------------------------------------------------------------------------------
// Seals

const SEAL_CHANGE_WORDS: Partial<Record<(typeof sealEvents.$inferSelect)["kind"], string>> = {
  suspended: "suspended",
  reinstated: "reinstated",
  revoked: "revoked",
};

/** Every seal event reaches this rule (in the issuing transaction too): prepared once per connection. */
const sealEventWithProduct = preparedQueries((t) =>
  t
    .select({ ev: sealEvents, organizationId: seals.organizationId, product: products.name })
    .from(sealEvents)
    .innerJoin(seals, eq(seals.serial, sealEvents.serial))
    .innerJoin(productVersions, eq(productVersions.id, seals.productVersionId))
    .innerJoin(products, eq(products.id, productVersions.productId))
    .where(eq(sealEvents.id, sql.placeholder("id")))
    .prepare(),
);

/**
 * `seal.changed`: the supplier hears that a seal of theirs was suspended, reinstated or revoked
 * (with the public reason); urgent for a suspension or a revocation, but a suspension restated with
 * a new reason is told as such ("still suspended"), by the supplier's usual mail choice.
 */
export function notifySealChange(tx: Tx, e: DomainEvent<"seal.changed">): void {
  const row = sealEventWithProduct(tx).get({ id: e.sealEventId });
  const words = row && SEAL_CHANGE_WORDS[row.ev.kind];
  if (!row || !words) return;
  // A new reason for a seal already suspended: "still suspended", not news of a suspension (not urgent).
  const restated = row.ev.kind === "suspended" && sealEventRows(tx, [row.ev.id]).get(row.ev.id)?.restated === true;
  const on = formatDate(row.ev.at);
  notify(tx, {
    userIds: supplierUsers(tx, row.organizationId),
    category: "seals",
    kind: restated ? "seal.suspension_restated" : `seal.${row.ev.kind}`,
    key: `seal-event:${row.ev.id}`,
    title: `Seal ${row.ev.serial} ${restated ? "still suspended, the reason changed" : words}: ${row.product}`,
    body: restated
      ? `On ${on} the reason for the suspension of seal ${row.ev.serial} of ${row.product} changed. The seal was already suspended and still is.${row.ev.reason ? ` The public reason now: ${row.ev.reason}` : ""}`
      : `On ${on} seal ${row.ev.serial} of ${row.product} was ${words}.${row.ev.reason ? ` The public reason: ${row.ev.reason}` : ""}`,
    link: `/s/${row.ev.serial}`,
    urgent: row.ev.kind === "reinstated" || restated ? undefined : "own-seal-withdrawn",
  });
}

// ---------------------------------------------------------------------------------------------
// Retail watchers

/** "seal.suspended" -> "seal suspended"; "policy.unmet" -> "policy not met". */
function watchWords(type: string): string {
  const words: Record<string, string> = {
    "policy.met": "policy met",
    "policy.unmet": "policy not met",
    "advisory.published": "security advisory published",
    "advisory.withdrawn": "security advisory withdrawn",
    "report.recorded": "new vulnerability report",
    "report.withdrawn": "vulnerability report withdrawn",
    "product.current_seal": "current seal changed",
    "seal.suspension_restated": "seal still suspended, the reason changed",
  };
  return words[type] ?? type.replace(/[._]/g, " ");
}

/** "On 3 Dec 2026, seal IOTS-… of Gator Kids Watch 3 (a product you watch): seal suspended. <the feed's reason>." */
function watchBody(event: WatchEvent): string {
  const reason = event.reason.trim();
  const what = `${event.serial ? `seal ${event.serial} of ` : ""}${event.product.name} (a product your organisation watches): ${watchWords(event.type)}`;
  // The reason is a sentence of its own here (a policy's "misses …" starts in lower case in the feed).
  const sentence = (reason.charAt(0).toUpperCase() + reason.slice(1)).replace(/([^.])$/, "$1.");
  return `On ${formatDate(event.at)}, ${what}.${sentence ? ` ${sentence}` : ""}`;
}

/**
 * `watch.published`: the watching organisation's users hear each change of the watch feed, in the
 * feed's own words (embargo-safe: a report under embargo is only its severity and the open count),
 * by the "watch" preference (a daily digest by default), at once for a watched seal revoked or
 * suspended (not for a suspension restated with a new reason: the seal was suspended already).
 */
export function notifyWatchEvent(tx: Tx, e: DomainEvent<"watch.published">): void {
  const [event] = watchEventsOf(tx, e.organizationId, e.watchEventId - 1, 1);
  if (!event || event.seq !== e.watchEventId) return;
  // A suspension restated with a new reason (the seal was suspended already): told as such, not urgent.
  const type = event.type === "seal.suspended" && event.restated === true ? "seal.suspension_restated" : event.type;
  const urgent = type === "seal.revoked" || type === "seal.suspended" ? ("watched-seal-withdrawn" as const) : undefined;
  notify(tx, {
    userIds: usersOfOrganizations(tx, [e.organizationId]),
    category: "watch",
    kind: `watch.${type}`,
    key: `watch:${e.watchEventId}`,
    title: `${event.product.name}: ${watchWords(type)}${event.serial ? ` (seal ${event.serial})` : ""}`,
    body: watchBody({ ...event, type }),
    link: event.serial && event.type.startsWith("seal.") ? `/s/${event.serial}` : "/retailer/watchlist",
    urgent,
  });
}
