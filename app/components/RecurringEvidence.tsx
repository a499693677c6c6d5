/**
 * The pieces of the recurring-evidence pages: a seal's schedule (supplier), the upload form (a
 * plain multipart form: it works without JavaScript), the history of evidence sent, and the
 * preview of one file (assessor).
 */
import { Form, Link } from "@remix-run/react";
import { useState, type FormEvent } from "react";
import { recurringEvidenceInput } from "../features/monitoring/forms";
import { ACCEPTED_LIST, ACCEPTED_TYPES, type AcceptedMediaType } from "../features/certification/domain/evidence-type";
import { formatBytes, formatDate, formatDateTime } from "../platform/format";
import { StandingBadge, type Standing } from "./RecurringStatus";
import { SubmitButton } from "./SubmitButton";

export interface ScheduleItem {
  ref: string;
  title: string;
  applicability: "mandatory" | "advisory";
  everyDays: number;
  lastAcceptedAt: string | Date;
  dueAt: string | Date;
  graceEndsAt: string | Date;
  standing: Standing;
  daysUntilDue: number;
  lastAccepted: { submittedAt: string | Date; sha256: string } | null;
  /** The earlier seal (replaced by this one) whose issue or accepted evidence the clock runs from, or null. */
  continuedFrom: string | null;
  /** The seal expires before (or as) the grace period ends: this requirement can no longer suspend it. */
  expiresFirst: boolean;
  pending: { id: string; submittedAt: string | Date } | null;
}

const STATUS_CLASS: Record<string, string> = {
  pending: "badge badge--info",
  accepted: "badge badge--ok",
  rejected: "badge badge--bad",
};
const STATUS_TEXT: Record<string, string> = {
  pending: "Waiting for an assessor",
  accepted: "Accepted",
  rejected: "Rejected",
};

/** An evidence's decision; evidence still waiting once the seal's monitoring ended (`ended`) is never checked. */
export function DecisionBadge({ status, ended = false }: { status: string; ended?: boolean }) {
  if (status === "pending" && ended) return <span className="badge">Not checked: monitoring ended</span>;
  return <span className={STATUS_CLASS[status] ?? "badge"}>{STATUS_TEXT[status] ?? status}</span>;
}

export const typeLabel = (mediaType: string) => ACCEPTED_TYPES[mediaType as AcceptedMediaType] ?? mediaType;

/**
 * The rule in the supplier's words: evidence only has to be sent by the end of the grace period
 * (an assessor's later decision does not count against the supplier: it waits "sent in time"), and
 * the next due date counts from when accepted evidence was sent.
 */
export function scheduleRule(graceDays: number): string {
  const deadline =
    graceDays === 0
      ? "Send fresh evidence for each by its due date (there is no grace period)."
      : `Send fresh evidence for each by its due date, or at the latest within the grace period of ${graceDays} day${graceDays === 1 ? "" : "s"} after it.`;
  return `${deadline} Evidence sent in time counts while an assessor checks it; once it is accepted, the next is due one period (below) after it was sent. If none was sent in time, or what was sent is rejected after the ${graceDays === 0 ? "due date" : "grace period"} has passed, the seal is suspended until accepted evidence arrives.`;
}

/**
 * The notice after an upload, from the redirect's `?sent=<ref>`: only while evidence for that
 * requirement really waits for an assessor (a crafted or stale link states nothing).
 */
export function sentNotice(
  sent: string | null,
  items: readonly Pick<ScheduleItem, "ref" | "pending">[],
): string | null {
  if (!sent || !items.some((i) => i.ref === sent && i.pending)) return null;
  return `Fresh evidence for ${sent} sent: an assessor will check it. Its due date moves once it is accepted.`;
}

/**
 * The supplier's table: each recurring requirement, its last accepted evidence, when the next is
 * due and how it stands. Once the seal is no longer monitored (revoked, replaced, expired or
 * renewed) only the dates are shown: a standing would claim a clock that no longer runs.
 */
export function ScheduleTable({
  items,
  canUpload,
  monitored,
  validUntil,
}: {
  items: ScheduleItem[];
  canUpload: boolean;
  monitored: boolean;
  validUntil: string | Date;
}) {
  return (
    <div className="table-wrap">
      <table className="stack" data-testid="recurring-schedule">
        <thead>
          <tr>
            <th scope="col">Requirement</th>
            <th scope="col">Last accepted evidence</th>
            <th scope="col">Next due</th>
            {monitored ? <th scope="col">Now</th> : <th scope="col">Evidence waiting</th>}
          </tr>
        </thead>
        <tbody>
          {items.map((i) => (
            <tr key={i.ref} data-ref={i.ref}>
              <td data-label="Requirement">
                <span className="requirement__ref">{i.ref}</span> {i.title}
                <div className="small muted">
                  {i.applicability}, fresh evidence every {i.everyDays} days
                </div>
              </td>
              <td data-label="Last accepted evidence">
                {formatDate(i.lastAcceptedAt)}
                <div className="small muted">
                  {i.lastAccepted ? (
                    <>
                      <span className="hash">sha256 {i.lastAccepted.sha256.slice(0, 12)}…</span>
                      {i.continuedFrom ? ` sent for seal ${i.continuedFrom}, which this seal replaced` : null}
                    </>
                  ) : i.continuedFrom ? (
                    `the issue of seal ${i.continuedFrom}, which this seal replaced (its verdict was carried over, not reviewed again)`
                  ) : (
                    "the seal's issue (certified evidence)"
                  )}
                </div>
              </td>
              <td data-label="Next due">
                <span data-testid={`due-${i.ref}`}>{formatDate(i.dueAt)}</span>
                <div className="small muted">grace until {formatDate(i.graceEndsAt)}</div>
                {monitored && i.expiresFirst ? (
                  <div className="small muted">
                    the seal expires first, on {formatDate(validUntil)}: it is not suspended for this
                  </div>
                ) : null}
              </td>
              {monitored ? (
                <td data-label="Now">
                  <StandingBadge standing={i.standing} daysUntilDue={i.daysUntilDue} />
                  {i.pending ? (
                    <div className="small">Sent {formatDate(i.pending.submittedAt)}: waiting for an assessor.</div>
                  ) : canUpload ? (
                    <div className="small">
                      <Link to={`?ref=${encodeURIComponent(i.ref)}#upload`}>Send fresh evidence</Link>
                    </div>
                  ) : null}
                </td>
              ) : (
                <td data-label="Evidence waiting">
                  {i.pending ? (
                    <span className="small">
                      Sent {formatDate(i.pending.submittedAt)}; not checked: monitoring ended.
                    </span>
                  ) : (
                    <span className="small muted">None</span>
                  )}
                </td>
              )}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** Fresh evidence for one requirement: the requirement, one file, a note. Posted as multipart/form-data to the page itself. */
export function UploadForm({
  items,
  selected,
  maxFileBytes,
  busy,
  errors,
  values,
}: {
  items: ScheduleItem[];
  selected: string | null;
  maxFileBytes: number;
  busy: boolean;
  errors?: Record<string, string>;
  values?: Record<string, string>;
}) {
  // Every hook before any early return: the same component renders again after an upload (the
  // redirect's new data), when every requirement may have evidence waiting and nothing is left to send.
  // With JavaScript, the note and the file are checked before the file is sent (the same rules as the
  // server's): a short note no longer costs the upload of a large file, nor the choice of the file,
  // which a browser cannot put back after the page answers.
  const [checked, setChecked] = useState<Record<string, string>>({});
  const open = items.filter((i) => !i.pending);
  if (!open.length)
    return <p className="muted">Evidence for every recurring requirement is waiting for an assessor.</p>;
  const chosen =
    values?.ref ||
    (selected && open.some((i) => i.ref === selected)
      ? selected
      : open.slice().sort((a, b) => new Date(a.dueAt).getTime() - new Date(b.dueAt).getTime())[0].ref);
  const err = (name: string) => checked[name] ?? errors?.[name];
  const check = (e: FormEvent<HTMLFormElement>) => {
    const form = new FormData(e.currentTarget);
    const found: Record<string, string> = {};
    const parsed = recurringEvidenceInput.safeParse({ ref: form.get("ref"), note: form.get("note") });
    if (!parsed.success) for (const i of parsed.error.issues) found[String(i.path[0])] ??= i.message;
    const file = form.get("file");
    if (!(file instanceof File) || file.size === 0) found.file = "Choose the evidence file.";
    else if (file.size > maxFileBytes)
      found.file = `The file is ${formatBytes(file.size)}: at most ${formatBytes(maxFileBytes)} (put several files in a ZIP archive).`;
    setChecked(found);
    if (Object.keys(found).length) {
      e.preventDefault();
      // The first field in error in the form's order (the checks above find them in another).
      const first = (["ref", "file", "note"] as const).find((k) => found[k]);
      e.currentTarget.querySelector<HTMLElement>(`#recurring-${first}`)?.focus();
    }
  };
  return (
    <Form
      method="post"
      encType="multipart/form-data"
      className="uploader"
      noValidate
      aria-label="Send fresh evidence"
      key={chosen}
      onSubmit={check}
    >
      <div className={err("ref") ? "field field--error" : "field"}>
        <label htmlFor="recurring-ref">Requirement</label>
        <select
          id="recurring-ref"
          name="ref"
          defaultValue={chosen}
          aria-invalid={err("ref") ? true : undefined}
          aria-describedby={err("ref") ? "recurring-ref-error" : undefined}
        >
          {open.map((i) => (
            <option key={i.ref} value={i.ref}>
              {i.ref} {i.title} (due {formatDate(i.dueAt)})
            </option>
          ))}
        </select>
        {err("ref") ? (
          <p className="field__error" id="recurring-ref-error" role="alert">
            {err("ref")}
          </p>
        ) : null}
      </div>
      <div className={err("file") ? "field field--error" : "field"}>
        <label htmlFor="recurring-file">Evidence file</label>
        <p className="field__hint" id="recurring-file-hint">
          One file: {ACCEPTED_LIST}; up to {formatBytes(maxFileBytes)} (put several files in a ZIP archive). The type is
          checked from the file's content.
        </p>
        <input
          id="recurring-file"
          name="file"
          type="file"
          accept=".pdf,.png,.jpg,.jpeg,.txt,.log,.json,.csv,.zip,.pcap,.pcapng"
          aria-describedby={err("file") ? "recurring-file-hint recurring-file-error" : "recurring-file-hint"}
          aria-invalid={err("file") ? true : undefined}
        />
        {err("file") ? (
          <p className="field__error" id="recurring-file-error" role="alert">
            {err("file")}
          </p>
        ) : null}
      </div>
      <div className={err("note") ? "field field--error" : "field"}>
        <label htmlFor="recurring-note">Note for the assessor</label>
        <p className="field__hint" id="recurring-note-hint">
          What the evidence shows: e.g. the scan's date, scope and result, and what was fixed.
        </p>
        <textarea
          id="recurring-note"
          name="note"
          rows={3}
          defaultValue={values?.note ?? ""}
          aria-describedby={err("note") ? "recurring-note-hint recurring-note-error" : "recurring-note-hint"}
          aria-invalid={err("note") ? true : undefined}
        />
        {err("note") ? (
          <p className="field__error" id="recurring-note-error" role="alert">
            {err("note")}
          </p>
        ) : null}
      </div>
      <SubmitButton className="button" busy={busy}>
        {busy ? "Sending…" : "Send fresh evidence"}
      </SubmitButton>
    </Form>
  );
}

export interface HistoryEntry {
  id: string;
  ref: string;
  title?: string;
  originalName: string;
  sha256: string;
  size: number;
  mediaType: string;
  note: string;
  submittedAt: string | Date;
  submittedBy: string;
  status: string;
  decidedAt: string | Date | null;
  decidedBy: string | null;
  comment: string;
}

/**
 * Every piece of evidence sent for a seal, newest first, with the assessor's decision and comment.
 * Once the seal is no longer monitored, evidence still waiting is never checked: it says so.
 */
export function History({ entries, monitored = true }: { entries: HistoryEntry[]; monitored?: boolean }) {
  if (!entries.length)
    return <p className="muted">No fresh evidence sent yet: the clock runs from the seal's issue.</p>;
  return (
    <ul className="timeline" aria-label="Recurring evidence history" data-testid="recurring-history">
      {entries.map((h) => (
        <li key={h.id}>
          <time dateTime={new Date(h.submittedAt).toISOString()}>{formatDateTime(h.submittedAt)}</time>
          <span className="stack-inline">
            <span>
              <strong>{h.ref}</strong> {h.title}: <a href={`/evidence/recurring/${h.id}`}>{h.originalName}</a>{" "}
              <span className="small muted">
                {typeLabel(h.mediaType)}, {formatBytes(h.size)}, sent by {h.submittedBy}
              </span>{" "}
              <DecisionBadge status={h.status} ended={!monitored} />
            </span>
            {h.note ? <span className="small prewrap">Note: {h.note}</span> : null}
            {h.decidedAt ? (
              <span className="small">
                {STATUS_TEXT[h.status]} by {h.decidedBy ?? "an assessor"} on {formatDate(h.decidedAt)}
                {h.comment ? `: ${h.comment}` : "."}
              </span>
            ) : null}
            <span className="hash">sha256 {h.sha256}</span>
          </span>
        </li>
      ))}
    </ul>
  );
}

/** One evidence file as an assessor checks it: a link, its hash, and a preview (image, PDF, or the start of a text file). */
export function FilePreview({
  href,
  name,
  mediaType,
  size,
  sha256,
  text,
}: {
  href: string;
  name: string;
  mediaType: string;
  size: number;
  sha256: string;
  text?: string | null;
}) {
  const previewable = mediaType === "application/pdf" || mediaType.startsWith("image/");
  return (
    <article className="requirement">
      <p>
        <a href={href}>{name}</a>{" "}
        <span className="small muted">
          {typeLabel(mediaType)}, {formatBytes(size)}
        </span>{" "}
        {previewable ? (
          <a href={`${href}?inline=1`} target="_blank" rel="noreferrer">
            open in a new tab
          </a>
        ) : null}
      </p>
      <p className="hash" data-testid="evidence-sha256">
        sha256 {sha256}
      </p>
      {mediaType.startsWith("image/") ? (
        <img className="evidence-preview" src={`${href}?inline=1`} alt={`Evidence: ${name}`} />
      ) : null}
      {mediaType === "application/pdf" ? (
        <iframe
          className="evidence-preview"
          title={`PDF: ${name}`}
          src={`${href}?inline=1`}
          width="100%"
          height="420"
        />
      ) : null}
      {text ? (
        // Focusable and named as a region: a keyboard scrolls it where it is wider than the screen (WCAG 2.1.1).
        <pre className="evidence-text" tabIndex={0} role="region" aria-label={`Start of ${name}`}>
          {text}
        </pre>
      ) : null}
    </article>
  );
}
