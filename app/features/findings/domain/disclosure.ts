/**
 * Coordinated disclosure: who may see what of a finding, and when. Pure: time is always
 * passed in, and the finding's current deadline (after any extension) is the one that counts.
 *
 * Embargo. While a finding is open and before its deadline, nothing about it is public: no
 * title, no description, no severity.
 *
 * Disclosure. Its advisory becomes public at the earliest of these moments that is not later
 * than `now`:
 *   - fix_certified: the fix was verified (status verified_fixed) at `verifiedAt`;
 *   - deadline_passed: the disclosure deadline, once `now` is strictly later than it (the same
 *     comparison as findings.blocksSeal: at the deadline instant itself it is still embargoed);
 *     but never before the report was recorded in the portal (`recordedAt`): a report recorded
 *     after its deadline had passed (a back-dated one, domain/backdating.ts) is public from the
 *     moment it was recorded. Nobody outside could have read it earlier, and a dated claim that it
 *     was would hide it from a CSAF aggregator that polls for changes since its last sync;
 *   - published_by_supplier: the supplier published it early at `publishedAt`.
 * A future `verifiedAt` or `publishedAt` does not count (yet). A withdrawn finding (not a real
 * issue) is public only if its advisory was public before it was withdrawn (at `withdrawnAt`): a
 * published advisory cannot be un-published, so it stays public, marked "withdrawn after
 * disclosure"; a report withdrawn under embargo is never public, whatever the dates. `verifiedAt` counts only when the status is
 * verified_fixed; a verified_fixed finding without a `verifiedAt` fails closed (the fix does not
 * count as certified until the caller passes when). When two moments coincide the reason is,
 * in this order: fix_certified, published_by_supplier, deadline_passed.
 *
 * The public advisory holds ONLY: advisory id, title, severity, affected firmware versions (each
 * with its hardware revision in `affected`: a report against revision B only does not read as
 * every revision of that firmware), the fixed firmware version (only once the fix is certified: an
 * unverified or rejected fix is not advertised), and the days reported / fixed (verified) / disclosed. Never the description, the
 * reporter, the CVSS vector, the status history or notes: it is built field by field.
 *
 * Viewers:
 *   - certifier (assessor or admin), and the supplier that owns the product: "full", always;
 *   - everyone else: "advisory" once public, otherwise "none"; except that a retailer watching
 *     the product learns that an open embargoed finding exists ("existence": its severity
 *     only, shown as counts). Closed findings (verified_fixed, withdrawn) that are not public
 *     are "none"; a finding withdrawn before disclosure is "none" for every outsider.
 *
 * Dates shown are UTC days (YYYY-MM-DD); the end of an embargo is shown to the minute (UTC).
 */
import { formatDate, formatDateTime } from "../../../platform/format";
import { isOpen, SEVERITIES, type FindingStatus, type Severity } from "./findings";

/** One version a report affects: a firmware version of one hardware revision of the product. */
export interface AffectedVersion {
  hardwareRevision: string;
  firmwareVersion: string;
}

export interface DisclosureFinding {
  id: string;
  advisoryId: string;
  title: string;
  description: string;
  severity: Severity;
  status: FindingStatus;
  reportedAt: Date;
  /** When the report was recorded in the portal (its row's createdAt): nothing is public before it. */
  recordedAt: Date;
  /** The current disclosure deadline (after any extension). */
  deadline: Date;
  /** When the fix was verified; counts only with status verified_fixed. */
  verifiedAt: Date | null;
  /** When the supplier published the advisory early, if it did. */
  publishedAt: Date | null;
  /** When the report was withdrawn (status withdrawn); without it a withdrawn report counts as never disclosed. */
  withdrawnAt?: Date | null;
  fixedInVersion: string | null;
  /** The firmware versions affected, each once. */
  affectedVersions: string[];
  /** The same with their hardware revisions (absent: not loaded; the public advisory then lists none). */
  affected?: AffectedVersion[];
  reporter?: string;
}

export type DisclosureReason = "fix_certified" | "deadline_passed" | "published_by_supplier";

export type Disclosure =
  /** `withdrawnAt`: the report was withdrawn after its advisory became public (it stays public, marked). */
  | { public: true; since: Date; reason: DisclosureReason; withdrawnAt?: Date }
  | { public: false; reason: "embargoed"; until: Date }
  | { public: false; reason: "withdrawn" };

export type Viewer =
  | { kind: "anonymous" }
  | { kind: "retailer"; watchesProduct: boolean }
  | { kind: "supplier"; ownsProduct: boolean }
  | { kind: "certifier" };

export type Visibility = "full" | "advisory" | "existence" | "none";

export interface PublicAdvisory {
  advisoryId: string;
  title: string;
  severity: Severity;
  /** The firmware versions affected, each once (a seal's firmware is matched against these). */
  affectedVersions: string[];
  /** Each affected version with its hardware revision: "firmware 1.0 of hardware revision B". */
  affected: AffectedVersion[];
  fixedInVersion: string | null;
  /** YYYY-MM-DD (UTC) */
  reportedOn: string;
  /** YYYY-MM-DD (UTC) the fix was certified, or null. */
  fixedOn: string | null;
  /** YYYY-MM-DD (UTC) the advisory became public. */
  disclosedOn: string;
  reason: DisclosureReason;
  /** YYYY-MM-DD (UTC) the report was withdrawn after disclosure (the advisory stays public, marked), or null. */
  withdrawnOn: string | null;
}

export interface OutsiderView {
  /** Newest disclosed first. */
  advisories: PublicAdvisory[];
  /** Only for a retailer watching the product; null for everyone else. */
  openEmbargoed: { count: number; bySeverity: Record<Severity, number> } | null;
}

const ymd = (d: Date) => d.toISOString().slice(0, 10);
const isValidDate = (d: Date | null | undefined): d is Date => d instanceof Date && !Number.isNaN(d.getTime());

/** When the fix was certified, if it was and that moment is not later than now. */
function certifiedAt(f: DisclosureFinding, now: Date): Date | null {
  if (f.status !== "verified_fixed" || !isValidDate(f.verifiedAt)) return null;
  return f.verifiedAt.getTime() <= now.getTime() ? f.verifiedAt : null;
}

/** Whether the finding's advisory is public at `now`, since when and why. */
export function disclosureOf(f: DisclosureFinding, now: Date): Disclosure {
  if (f.status === "withdrawn") {
    // Public before the withdrawal (a status other than verified_fixed: the fix was never certified)?
    if (!isValidDate(f.withdrawnAt)) return { public: false, reason: "withdrawn" };
    const at = new Date(Math.min(f.withdrawnAt.getTime(), now.getTime()));
    const before = disclosureOf({ ...f, status: "open", withdrawnAt: null }, at);
    return before.public
      ? { ...before, withdrawnAt: new Date(f.withdrawnAt.getTime()) }
      : { public: false, reason: "withdrawn" };
  }
  const t = now.getTime();
  // In tie-break order: an earlier entry wins when moments coincide.
  const candidates: { at: Date; reason: DisclosureReason }[] = [];
  const verified = certifiedAt(f, now);
  if (verified) candidates.push({ at: verified, reason: "fix_certified" });
  if (isValidDate(f.publishedAt) && f.publishedAt.getTime() <= t)
    candidates.push({ at: f.publishedAt, reason: "published_by_supplier" });
  // A report recorded after its deadline is public from its recording, not back-dated to the deadline.
  const recorded = isValidDate(f.recordedAt) ? f.recordedAt.getTime() : f.deadline.getTime();
  const deadlineMoment = Math.max(f.deadline.getTime(), recorded);
  if (isValidDate(f.deadline) && t > f.deadline.getTime() && t >= recorded)
    candidates.push({ at: new Date(deadlineMoment), reason: "deadline_passed" });
  if (candidates.length === 0) return { public: false, reason: "embargoed", until: new Date(deadlineMoment) };
  let first = candidates[0];
  for (const c of candidates) if (c.at.getTime() < first.at.getTime()) first = c;
  return { public: true, since: new Date(first.at.getTime()), reason: first.reason };
}

/** How much of the finding `viewer` may see at `now`. */
export function visibilityFor(viewer: Viewer, f: DisclosureFinding, now: Date): Visibility {
  if (viewer.kind === "certifier") return "full";
  if (viewer.kind === "supplier" && viewer.ownsProduct) return "full";
  // A withdrawn report is public only if it was disclosed before (disclosureOf); never "existence".
  if (disclosureOf(f, now).public) return "advisory";
  if (f.status === "withdrawn") return "none";
  if (viewer.kind === "retailer" && viewer.watchesProduct && isOpen(f.status)) return "existence";
  return "none";
}

/** The public advisory, or null while it is not public. Never carries anything but its own fields. */
export function publicAdvisory(f: DisclosureFinding, now: Date): PublicAdvisory | null {
  const d = disclosureOf(f, now);
  if (!d.public) return null;
  const verified = certifiedAt(f, now);
  return {
    advisoryId: f.advisoryId,
    title: f.title,
    severity: f.severity,
    affectedVersions: [...f.affectedVersions],
    affected: (f.affected ?? []).map((v) => ({
      hardwareRevision: v.hardwareRevision,
      firmwareVersion: v.firmwareVersion,
    })),
    fixedInVersion: verified ? f.fixedInVersion : null,
    reportedOn: ymd(f.reportedAt),
    fixedOn: verified ? ymd(verified) : null,
    disclosedOn: ymd(d.since),
    reason: d.reason,
    withdrawnOn: d.withdrawnAt ? ymd(d.withdrawnAt) : null,
  };
}

const zeroCounts = (): Record<Severity, number> =>
  Object.fromEntries(SEVERITIES.map((s) => [s, 0])) as Record<Severity, number>;

function compareAdvisoryIds(a: string, b: string): number {
  const pa = parseAdvisoryId(a);
  const pb = parseAdvisoryId(b);
  if (pa && pb) return pa.year - pb.year || pa.sequence - pb.sequence;
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * What an outsider sees of a product's findings: the public advisories (newest disclosed
 * first; same moment: higher advisory id first) and, for a retailer watching the product, how
 * many open findings are still embargoed, by severity. A certifier or owning supplier gets
 * the same public view (what outsiders see); their full view is not built here.
 */
export function outsiderView(viewer: Viewer, findings: readonly DisclosureFinding[], now: Date): OutsiderView {
  const watching = viewer.kind === "retailer" && viewer.watchesProduct;
  const outsider: Viewer = watching ? viewer : { kind: "anonymous" };
  const listed: { since: number; advisory: PublicAdvisory }[] = [];
  const bySeverity = zeroCounts();
  let count = 0;
  for (const f of findings) {
    const v = visibilityFor(outsider, f, now);
    if (v === "advisory") {
      const d = disclosureOf(f, now);
      const advisory = publicAdvisory(f, now);
      if (d.public && advisory) listed.push({ since: d.since.getTime(), advisory });
    } else if (v === "existence") {
      count += 1;
      bySeverity[f.severity] += 1;
    }
  }
  listed.sort((a, b) => b.since - a.since || compareAdvisoryIds(b.advisory.advisoryId, a.advisory.advisoryId));
  return { advisories: listed.map((l) => l.advisory), openEmbargoed: watching ? { count, bySeverity } : null };
}

export const ADVISORY_PREFIX = "IOTSEAL";

/** "IOTSEAL-2026-0007": the year, then the sequence within it zero-padded to at least 4 digits. */
export function advisoryId(year: number, sequence: number): string {
  if (!Number.isInteger(year) || year < 1000 || year > 9999)
    throw new RangeError(`An advisory year has four digits (got ${year}).`);
  if (!Number.isSafeInteger(sequence) || sequence < 1)
    throw new RangeError(`An advisory sequence is a whole number, at least 1 (got ${sequence}).`);
  return `${ADVISORY_PREFIX}-${year}-${String(sequence).padStart(4, "0")}`;
}

/**
 * The year and sequence of an advisory id, or null. Surrounding spaces and letter case are
 * forgiven; otherwise only the canonical form is accepted (no extra leading zeros past 4 digits).
 */
export function parseAdvisoryId(s: string): { year: number; sequence: number } | null {
  const m = /^IOTSEAL-(\d{4})-(\d{4,})$/.exec(s.trim().toUpperCase());
  if (!m) return null;
  const year = Number(m[1]);
  const sequence = Number(m[2]);
  if (year < 1000 || !Number.isSafeInteger(sequence) || sequence < 1) return null;
  if (m[2].length > 4 && m[2].startsWith("0")) return null;
  return { year, sequence };
}

const REASON_LABELS: Record<DisclosureReason, string> = {
  fix_certified: "fix verified",
  deadline_passed: "deadline passed",
  published_by_supplier: "published by the supplier",
};

/**
 * "Public since 30 May 2027 (deadline passed)", "Embargoed until 30 May 2027, 00:00 UTC or until
 * the fix is verified", "Withdrawn: never disclosed", "Withdrawn on 2 Jun 2027 after disclosure on
 * 30 May 2027 (deadline passed): the advisory stays public": in the portal's date format (as the
 * deadline beside it). The embargo's end is an instant, shown with its time: a deadline falls at
 * 00:00 UTC of its day, so "until 30 May 2027" alone would read as through the end of that day.
 */
export function disclosureLabel(d: Disclosure): string {
  if (d.public && d.withdrawnAt)
    return `Withdrawn on ${formatDate(d.withdrawnAt)} after disclosure on ${formatDate(d.since)} (${REASON_LABELS[d.reason]}): the advisory stays public`;
  if (d.public) return `Public since ${formatDate(d.since)} (${REASON_LABELS[d.reason]})`;
  if (d.reason === "withdrawn") return "Withdrawn: never disclosed";
  return `Embargoed until ${formatDateTime(d.until)} or until the fix is verified`;
}
