/**
 * Coordinated disclosure, the use cases around a finding's advisory:
 *  - its stable id, IOTSEAL-<year reported>-<n>, given when the report is recorded;
 *  - the supplier publishing its advisory before its time (confirmed, audited);
 *  - noting, once, each advisory that has become public (fix certified, published early, or
 *    deadline passed) and telling the organisations watching the product (an
 *    "advisory.published" watch event: the watchlist, the feed and the webhooks). It runs after
 *    every finding change that can disclose and in the lifecycle sweep (a deadline passing is
 *    a matter of time), and is idempotent and safe in several processes at once.
 * The rules are app/features/findings/domain/disclosure.ts; what outsiders see is built by advisories.server.ts.
 */
import { and, eq, isNull, like, lt, lte, ne, or } from "drizzle-orm";
import { z } from "zod";
import { findings, watchlistEntries } from "../../../db/schema";
import { nowMs } from "../../platform/clock.server";
import {
  ADVISORY_PREFIX,
  advisoryId,
  disclosureLabel,
  disclosureOf,
  parseAdvisoryId,
  type DisclosureReason,
} from "./domain/disclosure";
import type { Actor, AnyActor } from "../../platform/actor";
import {
  advisoryEventBody,
  affectedVersionsOf,
  DISCLOSURE_COLUMNS,
  disclosureFindingOf,
  type DisclosureRow,
} from "./advisories.server";
import { freezeCsafSnapshot } from "./csaf.server";
import { recordAudit } from "../../platform/audit.server";
import { db, transaction, type Tx } from "../../platform/db.server";
import { ServiceError } from "../../platform/errors.server";
import type { publishAdvisoryInput } from "./forms";
import { emit } from "../../platform/events.server";

const ymd = (d: Date) => d.toISOString().slice(0, 10);
const DISCLOSURE_ACTOR: AnyActor = { system: "disclosure" };

/** The next advisory id of `year` (1 + the highest sequence used that year); call it inside the recording transaction. */
export function nextAdvisoryId(tx: Tx, year: number): string {
  const used = tx
    .select({ id: findings.advisoryId })
    .from(findings)
    .where(like(findings.advisoryId, `${ADVISORY_PREFIX}-${year}-%`))
    .all();
  let highest = 0;
  for (const r of used) {
    const parsed = r.id ? parseAdvisoryId(r.id) : null;
    if (parsed && parsed.year === year && parsed.sequence > highest) highest = parsed.sequence;
  }
  return advisoryId(year, highest + 1);
}

/** A finding's disclosure state as the supplier and the assessors see it on /findings. */
export interface FindingDisclosure {
  advisoryId: string | null;
  public: boolean;
  /** "Public since 30 May 2027 (deadline passed)", "Embargoed until …", "Withdrawn: never disclosed", "Withdrawn on … after disclosure on …". */
  label: string;
  /** Why it is public (or not). */
  reason: DisclosureReason | "embargoed" | "withdrawn" | "no_advisory_id";
  /** Whether this actor may publish the advisory early now (the owning supplier, while it is embargoed). */
  canPublish: boolean;
  /** YYYY-MM-DD the report was withdrawn after its advisory was disclosed (it stays public, marked), or null. */
  withdrawnOn: string | null;
}

export function findingDisclosure(
  actor: Actor,
  row: DisclosureRow & { organizationId: string },
  now: Date,
): FindingDisclosure {
  const f = disclosureFindingOf(row, []);
  if (!f)
    return {
      advisoryId: null,
      public: false,
      label: "No advisory id: never disclosed",
      reason: "no_advisory_id",
      canPublish: false,
      withdrawnOn: null,
    };
  const d = disclosureOf(f, now);
  const canPublish =
    actor.role === "supplier" && actor.organizationId === row.organizationId && !d.public && d.reason === "embargoed";
  return {
    advisoryId: f.advisoryId,
    public: d.public,
    label: disclosureLabel(d),
    reason: d.reason,
    canPublish,
    withdrawnOn: d.public && d.withdrawnAt ? ymd(d.withdrawnAt) : null,
  };
}

/**
 * Why an assessor may not move a finding's deadline at all now, or null: its advisory is public
 * because the deadline passed. The watchers were told, and whatever the new deadline, moving it would
 * rewrite when and why the advisory became public (a new deadline still in the past moves its
 * "disclosed on", a later one would un-publish it). One rule for the page (findingView's canExtend)
 * and the service (extendFindingDeadline). An advisory public for another reason (published early)
 * keeps that reason and date whatever the deadline, so its deadline may still move.
 */
export function extensionProblem(row: DisclosureRow, now: Date): string | null {
  const f = disclosureFindingOf(row, []);
  if (!f) return null;
  const d = disclosureOf(f, now);
  if (!d.public || d.reason !== "deadline_passed") return null;
  return `The advisory ${f.advisoryId} has been public since ${ymd(d.since)} (the deadline passed); a deadline cannot be moved after disclosure.`;
}

/**
 * The supplier publishes its finding's advisory before its time: the public advisory (title,
 * severity, affected versions, dates; never the description) appears on the product's seal
 * pages and in the API at once, and the watchers are told. Not for a withdrawn report, nor one
 * already public; cannot be undone.
 */
export function publishAdvisory(
  actor: Actor,
  id: string,
  input: z.infer<typeof publishAdvisoryInput>,
): { advisoryId: string } {
  if (actor.role !== "supplier")
    throw new ServiceError(
      "forbidden",
      "Only the supplier of the product publishes its advisory early; it is public anyway once the fix is certified or the deadline passes.",
    );
  return transaction((tx) => {
    const f = tx.select().from(findings).where(eq(findings.id, id)).get();
    if (!f || f.organizationId !== actor.organizationId) throw new ServiceError("not_found", "No finding has this id.");
    if (f.version !== input.version)
      throw new ServiceError("conflict", "Someone changed this finding meanwhile; reload the page and try again.");
    if (f.status === "withdrawn")
      throw new ServiceError("conflict", "This report was withdrawn: its advisory is never published.");
    const now = new Date(nowMs());
    const df = disclosureFindingOf({ ...f, withdrawnAt: null }, []); // not withdrawn: refused above
    if (!df) throw new ServiceError("conflict", "This report has no advisory id, so it cannot be published.");
    const d = disclosureOf(df, now);
    if (d.public)
      throw new ServiceError("conflict", `The advisory ${df.advisoryId} is already public (since ${ymd(d.since)}).`);
    tx.update(findings)
      .set({ publishedAt: now, updatedAt: now, version: f.version + 1 })
      .where(eq(findings.id, id))
      .run();
    recordAudit(tx, actor, {
      action: "finding.published_early",
      target: { type: "finding", id },
      organizationId: f.organizationId,
      details: { advisoryId: df.advisoryId, deadline: f.deadline.toISOString() },
    });
    noteDisclosureIn(tx, DISCLOSURE_ACTOR, id);
    return { advisoryId: df.advisoryId };
  });
}

/**
 * Inside `tx`: if the finding's advisory is public now and has not been noted, notes it
 * (disclosureNotedAt, set only where it is still empty) and publishes the "advisory.published"
 * event to the organisations watching the product at this moment. Returns the advisory id when
 * this call noted it, else null. Does not change the finding's version (nobody's form goes stale).
 */
export function noteDisclosureIn(tx: Tx, actor: AnyActor, findingId: string): string | null {
  const row = tx
    .select({
      ...DISCLOSURE_COLUMNS,
      productId: findings.productId,
      organizationId: findings.organizationId,
      notedAt: findings.disclosureNotedAt,
    })
    .from(findings)
    .where(eq(findings.id, findingId))
    .get();
  if (!row || row.notedAt) return null;
  const now = new Date(nowMs());
  const f = disclosureFindingOf(row, affectedVersionsOf(tx, [row.id]).get(row.id) ?? []);
  if (!f) return null;
  const d = disclosureOf(f, now);
  if (!d.public) return null;
  const claimed = tx
    .update(findings)
    .set({ disclosureNotedAt: now })
    .where(and(eq(findings.id, row.id), isNull(findings.disclosureNotedAt)))
    .run();
  if (!claimed.changes) return null;
  // What its CSAF document says about the product, as it is now: later edits change no published document.
  freezeCsafSnapshot(tx, row.id);
  const body = advisoryEventBody(tx, f, row.productId, now)!;
  // The organisations watching at this moment (a back-dated record, as the demo seed makes, is not
  // announced to organisations that started watching after it).
  const watchers = tx
    .select({ org: watchlistEntries.organizationId })
    .from(watchlistEntries)
    .where(and(eq(watchlistEntries.productId, row.productId), lte(watchlistEntries.createdAt, now)))
    .all()
    .map((w) => w.org);
  emit(tx, "advisory.published", { productId: row.productId, serial: body.serial, organizationIds: watchers, body });
  recordAudit(tx, actor, {
    action: "finding.disclosed",
    target: { type: "finding", id: row.id },
    organizationId: row.organizationId,
    details: { advisoryId: f.advisoryId, reason: d.reason, since: d.since.toISOString(), watchers: watchers.length },
  });
  return f.advisoryId;
}

/**
 * Notes every advisory that has become public and not been noted yet (see noteDisclosureIn),
 * each in its own IMMEDIATE transaction: running it twice, or in two processes at once, notes
 * and announces each advisory once. Returns the advisory ids noted by this call.
 */
export function noteDisclosures(actor: AnyActor = DISCLOSURE_ACTOR): string[] {
  const now = new Date(nowMs());
  // Candidates: not noted, not withdrawn, and one of the moments reached (the domain decides exactly).
  const due = db()
    .select({ id: findings.id })
    .from(findings)
    .where(
      and(
        isNull(findings.disclosureNotedAt),
        ne(findings.status, "withdrawn"),
        or(
          and(eq(findings.status, "verified_fixed"), lte(findings.verifiedAt, now)),
          lte(findings.publishedAt, now),
          lt(findings.deadline, now),
        ),
      ),
    )
    .all();
  const noted: string[] = [];
  for (const { id } of due) {
    const advisory = transaction((tx) => noteDisclosureIn(tx, actor, id));
    if (advisory) noted.push(advisory);
  }
  return noted;
}
