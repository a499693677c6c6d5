/**
 * Reminders before a clock runs out, sent by the lifecycle sweep (app/system/sweep.server.ts):
 * vulnerability reports' disclosure deadlines, recurring evidence due dates, seal expiry, the
 * signing key's age and failing mail delivery. Which threshold is due is a pure rule
 * (domain/reminders.ts); each reminder's key names the item, its clock and the threshold, e.g.
 * `reminder:report:<findingId>:deadline:2026-12-13:7d`, so `notify`'s unique (user, key) tells each
 * threshold once, ever, however often the sweep runs and in however many processes. A clock that
 * moves (an extended deadline, accepted recurring evidence) is a new clock with its own reminders;
 * an extended deadline's old reminders are taken back (rules.server.ts: they name a date that no
 * longer holds).
 *
 *   item                 who                          thresholds                         never when
 *   report deadline      the supplier's users         14, 7, 1 days before; passed       nothing happens at the deadline any more:
 *                        assessors (no conflict)      7 days before (a fix marked:       verified, withdrawn, or a medium or low
 *                                                     "a fix to verify")                 report published early (a critical or
 *                                                                                        high one still suspends the seals when
 *                                                                                        open at its deadline, fix marked or not)
 *   recurring evidence   the supplier's users         30, 7 days before due; in grace;   evidence waiting for an assessor, accepted
 *                                                     overdue                            (a new due date), seal not monitored
 *                                                                                        (revoked, superseded, expired, renewed),
 *                                                                                        the seal expiring before the grace period
 *                                                                                        ends (it can never suspend the seal)
 *   seal expiry          the supplier's users         60, 30 days before                 revoked, superseded, renewed (a newer seal
 *                                                                                        of the same product version)
 *   CRA Article 14       the supplier's users;        each clock (early warning,         submitted (its kind recorded),
 *   clocks               assessors (no conflict)      notification, final report) of     report withdrawn, awareness
 *                                                     the vulnerability and of the       before 11 September 2026
 *                                                     incident due soon                  (Article 14 did not apply:
 *                                                     (domain/cra-clocks.ts), and        "not applicable")
 *                                                     overdue
 *   signing key          admins                       older than KEY_ROTATION_DAYS       rotated (a new key is a new clock)
 *   mail delivery        admins                       an outage an hour old (mails       delivered, or given up more than a day
 *                                                     failing in overlapping spells),    ago (a later outage is a new one)
 *                                                     once per outage
 *
 * Each item is told in its own transaction: one that fails (its transaction rolled back, nobody told of
 * it) is logged and reported in `failed`, and the others are still told; the next sweep tries it again.
 */
import { and, asc, eq, gt, gte, inArray, isNotNull, lt, ne, or, sql } from "drizzle-orm";
import { findings, mailOutbox, products, productVersions, seals } from "../../../db/schema";
import { nowMs } from "../../platform/clock.server";
import { transaction, db, type Tx } from "../../platform/db.server";
import { getEnv } from "../../platform/env.server";
import { formatDate, formatDateTime } from "../../platform/format";
import { inDaysWords } from "../../platform/calendar";
import { recurringScheduleOf } from "../monitoring/recurring-schedule.server";
import { suspensionOriginOf } from "../monitoring/automatic-suspension.server";
import { BY_HAND_UNTIL_ACCEPTED } from "../monitoring/domain/recurring";
import { signingKeys } from "../trust/adapters/signing-keys.server";
import {
  deadlineThreshold,
  keyRotationDue,
  mailFailing,
  mailOutages,
  recurringThreshold,
  REPORT_ASSESSOR_DAYS,
  REPORT_SUPPLIER_DAYS,
  sealExpiryThreshold,
  thresholdWords,
} from "./domain/reminders";
import { clockOf, DAY_MS, deadlineEffects, FINDING_STATUSES, isOpen } from "../findings/domain/findings";
import { isRegistered } from "../findings/domain/update-required";
import { NO_HELD_SEALS, overdueSealsText } from "../findings/domain/overdue-seals";
import { heldSealsOf } from "../findings/findings.server";
import { craClocksOf } from "../findings/cra-reporting.server";
import { renewingSealOf } from "../certification/submissions.server";
import { notify } from "./notify.server";
import { admins, assessorsFor, supplierUsers } from "./recipients.server";

export interface ReminderReport {
  /** In-app notifications created (0 on a second run at the same time: nothing is told twice). */
  notified: number;
  /** The reminder keys that notified someone, for the sweep's log line and tests. */
  keys: string[];
  /** Items whose reminders failed (nobody was told of them; logged with the error): the next sweep tries again. */
  failed: { item: string; error: string }[];
}

/** "2026-12-13": a clock's date in a key (a moved clock gets new keys). */
const day = (d: Date) => d.toISOString().slice(0, 10);

/** A report's deadline reminder key: `reminder:report:<id>:deadline:<day>:<threshold>[:assessors]`. */
function reportReminderKey(findingId: string, deadline: Date, threshold: string, assessors = false): string {
  return `reminder:report:${findingId}:deadline:${day(deadline)}:${threshold}${assessors ? ":assessors" : ""}`;
}

/**
 * Every deadline reminder a report could have had for `deadline` (the supplier's and the assessors'):
 * what an extension takes back, since they name a deadline that no longer holds (rules.server.ts).
 */
export function reportReminderKeys(findingId: string, deadline: Date): string[] {
  return [
    ...[...REPORT_SUPPLIER_DAYS.map((d) => `${d}d`), "passed"].map((t) => reportReminderKey(findingId, deadline, t)),
    ...REPORT_ASSESSOR_DAYS.map((d) => reportReminderKey(findingId, deadline, `${d}d`, true)),
  ];
}

/** Sends every reminder due at `now`. Idempotent; safe in several processes at once. */
export function sendReminders(now: Date = new Date(nowMs())): ReminderReport {
  const report: ReminderReport = { notified: 0, keys: [], failed: [] };
  /** Runs `fn` for one item; one that throws is logged and reported, and the others go on. */
  const guarded = <T>(item: string, fallback: T, fn: () => T): T => {
    try {
      return fn();
    } catch (error) {
      console.error(`[reminders] ${item} failed; the others were told, the next sweep tries again:`, error);
      report.failed.push({ item, error: error instanceof Error ? error.message : String(error) });
      return fallback;
    }
  };
  const tell = (item: string, fn: (tx: Tx) => { key: string; n: number }[]) => {
    for (const r of guarded(item, [], () => transaction(fn)))
      if (r.n) {
        report.notified += r.n;
        report.keys.push(r.key);
      }
  };
  for (const id of guarded("the open reports", [], openReportIds))
    tell(`the deadline of report ${id}`, (tx) => reportReminders(tx, id, now));
  for (const id of guarded("the reports flagged for CRA Article 14", [], craFlaggedReportIds))
    tell(`the CRA clocks of report ${id}`, (tx) => craReminders(tx, id, now));
  for (const serial of guarded("the live seals", [], () => liveSealSerials(now))) {
    tell(`the recurring evidence of seal ${serial}`, (tx) => recurringReminders(tx, serial, now));
    tell(`the expiry of seal ${serial}`, (tx) => expiryReminders(tx, serial, now));
  }
  tell("the signing key", (tx) => keyReminder(tx, now));
  tell("mail delivery", (tx) => mailReminder(tx, now));
  return report;
}

/** "Reminders: 3 sent (reminder:report:…:14d, …)." */
export function describeReminders(r: ReminderReport): string {
  return r.notified ? `sent ${r.notified} reminder notification${r.notified === 1 ? "" : "s"}` : "";
}

// ---------------------------------------------------------------------------------------------
// Vulnerability reports: the disclosure deadline

type FindingRow = typeof findings.$inferSelect;

/**
 * Whether a report's deadline still does something when it passes (domain deadlineEffects): it
 * suspends the seals of the affected firmware (the automatic suspension's own rule, blocksSeal: a
 * critical or high report still open, a fix claimed and not yet verified, or its advisory published
 * early, all the same), or it publishes the advisory (open, not published early). Only those are
 * reminded of. A report disclosed because its deadline passed is still open: "passed" is told once.
 */
function deadlineMatters(f: Pick<FindingRow, "severity" | "status" | "deadline" | "publishedAt">): boolean {
  const at = deadlineEffects(f);
  return at.suspends || at.publishes;
}

/** The reports whose deadline still matters (deadlineMatters), the earliest deadline first. */
function openReportIds(): string[] {
  return db()
    .select({
      id: findings.id,
      severity: findings.severity,
      status: findings.status,
      deadline: findings.deadline,
      publishedAt: findings.publishedAt,
    })
    .from(findings)
    .where(inArray(findings.status, FINDING_STATUSES.filter(isOpen)))
    .orderBy(asc(findings.deadline))
    .all()
    .filter(deadlineMatters)
    .map((r) => r.id);
}

/** A report and its product's name, read inside the reminder's transaction. */
function findingWithProduct(tx: Tx, id: string) {
  return tx
    .select({ f: findings, product: products.name })
    .from(findings)
    .innerJoin(products, eq(products.id, findings.productId))
    .where(eq(findings.id, id))
    .get();
}

/**
 * What `deadline` ("the deadline", "the new deadline") will do, in a sentence: "Its advisory is published when
 * the fix is verified or at the deadline, whichever comes first; if the fix is not verified by the deadline,
 * the seals of the affected firmware are suspended until it is." (A verified fix publishes the advisory at
 * once: a fix never keeps it private.)
 */
export function atDeadlineWords(at: { suspends: boolean; publishes: boolean }, deadline = "the deadline"): string {
  const published = at.publishes
    ? `Its advisory is published when the fix is verified or at ${deadline}, whichever comes first`
    : "Its advisory is already public";
  return at.suspends
    ? `${published}; if the fix is not verified by ${deadline}, the seals of the affected firmware are suspended until it is.`
    : `${published}.`;
}

/** For a report marked fixed: the firmware named, and whether the product has it (only then can the fix be verified). */
function claimedFix(tx: Tx, f: FindingRow): { version: string; registered: boolean } | null {
  if (f.status !== "fixed" || !f.fixedInVersion) return null;
  const firmware = tx
    .select({ fw: productVersions.firmwareVersion })
    .from(productVersions)
    .where(eq(productVersions.productId, f.productId))
    .all()
    .map((r) => r.fw);
  return { version: f.fixedInVersion, registered: isRegistered(f.fixedInVersion, firmware) };
}

function reportReminders(tx: Tx, id: string, now: Date): { key: string; n: number }[] {
  const row = findingWithProduct(tx, id);
  // Read again inside the transaction: resolved meanwhile (by another process, say), nobody is told.
  if (!row || !deadlineMatters(row.f)) return [];
  const { f } = row;
  const out: { key: string; n: number }[] = [];
  const link = `/findings/${f.id}`;
  const about = `the ${f.severity} report "${f.title}" (${f.advisoryId ?? "no advisory id"}) on ${row.product}`;
  const at = deadlineEffects(f);
  const fix = claimedFix(tx, f);
  // A fix claimed in a firmware the product does not have cannot be verified until it is registered.
  const unregistered =
    fix && !fix.registered
      ? ` Firmware ${fix.version} is not registered on ${row.product} yet: register it so that the fix can be verified.`
      : "";
  const supplier = deadlineThreshold(f.deadline, now, REPORT_SUPPLIER_DAYS, { passed: true });
  if (supplier) {
    const key = reportReminderKey(f.id, f.deadline, supplier);
    const passed = supplier === "passed";
    const left = clockOf(f.deadline, now).label; // as the report's page and the dashboards say it: "9 days left"
    const before = passed
      ? null
      : `The disclosure deadline of ${about} is ${formatDate(f.deadline)}: ${left} (reminder ${thresholdWords(supplier as `${number}d`)} before).`;
    const body = passed
      ? `The disclosure deadline of ${about} passed on ${formatDate(f.deadline)}. ${
          at.publishes ? "Its advisory is now public" : "Its advisory was already public"
        }.${at.suspends ? ` ${overdueSealsText(heldSealsOf(tx, [f.id], now).get(f.id) ?? NO_HELD_SEALS)}` : ""} ${
          fix
            ? `The fix you marked in firmware ${fix.version} awaits an assessor's verification.${unregistered}`
            : "Mark it fixed in a registered firmware version to have the fix verified."
        }`
      : fix
        ? `${before} You marked it fixed in firmware ${fix.version}; the fix awaits an assessor's verification. ${atDeadlineWords(at)}${unregistered}`
        : `${before} ${atDeadlineWords(at)} Mark it fixed in a registered firmware version in time for an assessor to verify the fix.`;
    out.push({
      key,
      n: notify(tx, {
        userIds: supplierUsers(tx, f.organizationId),
        category: "reports",
        kind: `report.deadline.${supplier}`,
        key,
        title: passed
          ? `Disclosure deadline passed: ${row.product}, ${formatDate(f.deadline)}`
          : `Disclosure deadline ${formatDate(f.deadline)}, ${left}: ${row.product}`,
        body,
        link,
        urgent: passed || supplier === "1d" ? "report-deadline" : undefined,
      }),
    });
  }
  const assessors = deadlineThreshold(f.deadline, now, REPORT_ASSESSOR_DAYS);
  if (assessors) {
    const key = reportReminderKey(f.id, f.deadline, assessors, true);
    const left = clockOf(f.deadline, now).label;
    out.push({
      key,
      n: notify(tx, {
        userIds: assessorsFor(tx, f.organizationId),
        category: "reports",
        kind: `report.deadline.${assessors}.assessors`,
        key,
        title: fix
          ? `Fix to verify before the disclosure deadline ${formatDate(f.deadline)}, ${left}: ${row.product}`
          : `Disclosure deadline ${formatDate(f.deadline)}, ${left}: ${row.product}`,
        body: fix
          ? `The supplier marked ${about} fixed in firmware ${fix.version}: the fix awaits your verification. The disclosure deadline is ${formatDate(f.deadline)}: ${left}. ${atDeadlineWords(at)} Verify the fix or reject it${fix.registered ? "" : ` (firmware ${fix.version} is not registered on the product yet: it can be verified once the supplier registers it)`}, or extend the deadline (with a reason) if the verification needs more time.`
          : `The disclosure deadline of ${about} is ${formatDate(f.deadline)}: ${left}; the report is ${f.status.replace(/_/g, " ")}. ${atDeadlineWords(at)} Extend the deadline (with a reason) if the supplier needs more time, or let it pass.`,
        link,
      }),
    });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Vulnerability reports: the CRA Article 14 reporting clocks (Regulation (EU) 2024/2847)

/** Reports flagged actively exploited or a severe incident, not withdrawn (a fixed report still owes its final report). */
function craFlaggedReportIds(): string[] {
  return db()
    .select({ id: findings.id })
    .from(findings)
    .where(
      and(
        or(isNotNull(findings.exploitedAwareAt), isNotNull(findings.incidentAwareAt)),
        ne(findings.status, "withdrawn"),
      ),
    )
    .orderBy(asc(findings.reportedAt), asc(findings.id))
    .all()
    .map((r) => r.id);
}

/**
 * One reminder per clock and threshold: `reminder:cra:<findingId>:<kind>:<due date-time>:<due_soon|overdue>`
 * for the actively exploited vulnerability's clocks, `reminder:cra:<findingId>:incident:<kind>:…` for
 * the severe incident's (a clock whose due time moves, e.g. the final report once a fix is available,
 * is a new clock). The supplier's users and the assessors without a conflict are told. A clock "not
 * applicable" (awareness before Article 14 applied) is never reminded of.
 */
function craReminders(tx: Tx, id: string, now: Date): { key: string; n: number }[] {
  const row = findingWithProduct(tx, id);
  if (!row || row.f.status === "withdrawn") return [];
  const clocks = craClocksOf(tx, row.f, now);
  if (!clocks) return [];
  const out: { key: string; n: number }[] = [];
  for (const c of clocks.clocks) {
    if ((c.state !== "due_soon" && c.state !== "overdue") || !c.dueAt) continue;
    const incident = c.subject === "incident";
    const key = `reminder:cra:${row.f.id}:${incident ? "incident:" : ""}${c.kind}:${c.dueAt.toISOString()}:${c.state}`;
    const overdue = c.state === "overdue";
    const label = `${incident ? "severe incident " : ""}${c.label.toLowerCase()}`;
    const what = `the ${label} (${c.article}, Regulation (EU) 2024/2847) on the ${row.f.severity} report "${row.f.title}" (${row.f.advisoryId ?? "no advisory id"}) on ${row.product}`;
    out.push({
      key,
      n: notify(tx, {
        userIds: [...new Set([...supplierUsers(tx, row.f.organizationId), ...assessorsFor(tx, row.f.organizationId)])],
        category: "reports",
        kind: `report.cra.${c.kind}.${c.state}`,
        key,
        title: overdue
          ? `CRA ${label} overdue since ${formatDateTime(c.dueAt)}: ${row.product}`
          : `CRA ${label} due ${formatDateTime(c.dueAt)}: ${row.product}`,
        body: overdue
          ? `${what.charAt(0).toUpperCase()}${what.slice(1)} was due at ${formatDateTime(c.dueAt)}. Submit it to the CSIRT coordinator through ENISA's single reporting platform, then record it on the report's page.`
          : `${what.charAt(0).toUpperCase()}${what.slice(1)} is due at ${formatDateTime(c.dueAt)}. Submit it to the CSIRT coordinator through ENISA's single reporting platform, then record it on the report's page.`,
        link: `/findings/${row.f.id}`,
        urgent: "cra-deadline",
      }),
    });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Seals: recurring evidence and expiry

/** Seals whose clocks still run: active or suspended, not yet expired. */
function liveSealSerials(now: Date): string[] {
  return db()
    .select({ serial: seals.serial })
    .from(seals)
    .where(and(inArray(seals.state, ["active", "suspended"]), gt(seals.validUntil, now)))
    .orderBy(asc(seals.validUntil))
    .all()
    .map((r) => r.serial);
}

function sealFacts(tx: Tx, serial: string) {
  return (
    tx
      .select({ seal: seals, product: products.name, firmware: productVersions.firmwareVersion })
      .from(seals)
      .innerJoin(productVersions, eq(productVersions.id, seals.productVersionId))
      .innerJoin(products, eq(products.id, productVersions.productId))
      .where(eq(seals.serial, serial))
      .get() ?? null
  );
}

function recurringReminders(tx: Tx, serial: string, now: Date): { key: string; n: number }[] {
  const row = sealFacts(tx, serial);
  if (!row) return [];
  const schedule = recurringScheduleOf(tx, row.seal, now);
  if (!schedule.monitored) return []; // revoked, superseded, expired or renewed: no evidence expected
  const label = `${row.product} (seal ${serial})`;
  // A suspension an assessor made by hand is never lifted by accepted evidence: the words say what it does then.
  const byHand = suspensionOriginOf(serial, tx) === "manual";
  const out: { key: string; n: number }[] = [];
  for (const item of schedule.items) {
    if (item.pending) continue; // the supplier sent it; the assessors are told (rules.server.ts)
    if (item.expiresFirst) continue; // the seal expires before the grace period ends: this can never suspend it
    const t = recurringThreshold(item.dueAt, item.graceEndsAt, now);
    if (!t) continue;
    const key = `reminder:recurring:${serial}:${item.ref}:${day(item.dueAt)}:${t}`;
    const what = `fresh evidence for ${item.ref} ${item.title} of ${label}`;
    const text = {
      "30d": `${what} is due on ${formatDate(item.dueAt)}, ${inDaysWords(item.dueAt, now)}.`,
      "7d": `${what} is due on ${formatDate(item.dueAt)}, ${inDaysWords(item.dueAt, now)}.`,
      grace: `${what} was due on ${formatDate(item.dueAt)}; the grace period ends on ${formatDate(item.graceEndsAt)}. ${
        byHand
          ? "After that the seal, suspended by an assessor, cannot be reinstated until accepted evidence arrives."
          : "After that the seal is suspended until accepted evidence arrives."
      }`,
      overdue: `${what} is overdue since ${formatDate(item.graceEndsAt)} (due ${formatDate(item.dueAt)}, grace ended): ${
        byHand ? BY_HAND_UNTIL_ACCEPTED : "the seal is suspended until accepted evidence arrives."
      }`,
    }[t];
    out.push({
      key,
      n: notify(tx, {
        userIds: supplierUsers(tx, row.seal.organizationId),
        category: "recurring",
        kind: `recurring.${t}`,
        key,
        title: {
          "30d": `Recurring evidence due ${formatDate(item.dueAt)}: ${item.ref}, ${row.product}`,
          "7d": `Recurring evidence due ${formatDate(item.dueAt)}: ${item.ref}, ${row.product}`,
          grace: `Recurring evidence in its grace period: ${item.ref}, ${row.product}`,
          overdue: `Recurring evidence overdue: ${item.ref}, ${row.product}`,
        }[t],
        body: text.charAt(0).toUpperCase() + text.slice(1),
        link: `/supplier/seals/${serial}/recurring`,
        urgent: t === "grace" || t === "overdue" ? "recurring-late" : undefined,
      }),
    });
  }
  return out;
}

function expiryReminders(tx: Tx, serial: string, now: Date): { key: string; n: number }[] {
  const row = sealFacts(tx, serial);
  if (!row || (row.seal.state !== "active" && row.seal.state !== "suspended")) return [];
  const t = sealExpiryThreshold(row.seal.validUntil, now);
  if (!t) return [];
  // Renewed: a newer seal certifies the same product version against the same checklist (the renewal was approved).
  if (renewingSealOf(tx, serial)) return [];
  const key = `reminder:seal:${serial}:expiry:${day(row.seal.validUntil)}:${t}`;
  const left = inDaysWords(row.seal.validUntil, now);
  return [
    {
      key,
      n: notify(tx, {
        userIds: supplierUsers(tx, row.seal.organizationId),
        category: "seals",
        kind: `seal.expiry.${t}`,
        key,
        title: `Seal ${serial} expires on ${formatDate(row.seal.validUntil)}: ${row.product}`,
        body: `Seal ${serial} of ${row.product} (firmware ${row.firmware}) expires on ${formatDate(row.seal.validUntil)}, ${left}. Start its renewal from your dashboard so the product stays certified.`,
        link: "/supplier",
      }),
    },
  ];
}

// ---------------------------------------------------------------------------------------------
// Administrators: the signing key and mail delivery

function keyReminder(tx: Tx, now: Date): { key: string; n: number }[] {
  const env = getEnv();
  const active = signingKeys(env.dataDir).active();
  if (!active || !keyRotationDue(new Date(active.createdAt), env.keyRotationDays, now)) return [];
  const key = `reminder:key:${active.kid}:rotation`;
  return [
    {
      key,
      n: notify(tx, {
        userIds: admins(tx),
        category: "system",
        kind: "key.rotation_due",
        key,
        title: `Signing key due for rotation (created ${formatDate(active.createdAt)})`,
        body: `The active signing key ${active.kid} was created on ${formatDate(active.createdAt)}, more than ${env.keyRotationDays} days ago (KEY_ROTATION_DAYS). Rotate it with npm run keys:rotate; the old key stays published so existing seals keep verifying.`,
        link: "/admin",
      }),
    },
  ];
}

/** How far back given-up mails are read to find when an outage began (a longer one is named by its oldest mail in this window). */
const MAIL_OUTAGE_LOOKBACK_MS = 30 * DAY_MS;

/**
 * Mail delivery failing: each outage (domain mailOutages: mails whose failing overlaps, one of them still
 * retried or given up within a day) going on for an hour is told once, keyed by its oldest mail. A mail
 * given up long ago is not an outage any more, so a new outage after a quiet spell is told again.
 */
function mailReminder(tx: Tx, now: Date): { key: string; n: number }[] {
  const rows = tx
    .select({
      id: mailOutbox.id,
      createdAt: mailOutbox.createdAt,
      status: mailOutbox.status,
      lastError: mailOutbox.lastError,
      lastAttemptAt: sql<number | null>`(select max(ma.at) from mail_attempts ma where ma.mail_id = ${mailOutbox}.id)`,
    })
    .from(mailOutbox)
    .where(
      and(
        gt(mailOutbox.attempts, 0),
        lt(mailOutbox.createdAt, now),
        or(
          inArray(mailOutbox.status, ["pending", "sending"]),
          and(
            eq(mailOutbox.status, "failed"),
            gte(mailOutbox.createdAt, new Date(now.getTime() - MAIL_OUTAGE_LOOKBACK_MS)),
          ),
        ),
      ),
    )
    .all();
  // Given up at its last attempt (a failed row without one: when it was written, the earliest it can have been).
  const gaveUpAt = (r: (typeof rows)[number]) =>
    r.status === "failed" ? new Date(r.lastAttemptAt ?? r.createdAt.getTime()) : null;
  const byId = new Map(rows.map((r) => [r.id, r]));
  const outages = mailOutages(
    rows.map((r) => ({ id: r.id, createdAt: r.createdAt, gaveUpAt: gaveUpAt(r) })),
    now,
  ).filter((o) => mailFailing(o.since, now));
  return outages.map((o) => {
    const key = `reminder:mail:failing:${o.oldest.id}`; // one per outage, named by its oldest mail
    const latest = o.mails
      .map((m) => byId.get(m.id)!)
      .filter((r) => r.lastError)
      .sort((a, b) => (b.lastAttemptAt ?? 0) - (a.lastAttemptAt ?? 0))[0];
    const given = o.mails.filter((m) => m.gaveUpAt !== null).length;
    const count = `${o.mails.length} mail${o.mails.length === 1 ? "" : "s"}`;
    return {
      key,
      n: notify(tx, {
        userIds: admins(tx),
        category: "system",
        kind: "mail.failing",
        key,
        title: `Mail delivery failing since ${formatDateTime(o.since)}`,
        body: `Mail delivery has been failing since ${formatDateTime(o.since)}: ${count} written since then ${o.mails.length === 1 ? "has" : "have"} not been delivered after retries${given ? ` (${given} given up after the last attempt)` : ""}${latest?.lastError ? `; last error: ${latest.lastError.slice(0, 200)}` : ""}. Check SMTP_URL and the mail server; the outbox shows every attempt.`,
        link: "/admin/outbox",
        urgent: "mail-failing",
      }),
    };
  });
}
