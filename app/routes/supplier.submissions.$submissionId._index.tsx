import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { readForm } from "../platform/http/request-body.server";
import { redirect } from "@remix-run/node";
import {
  Form,
  Link,
  useActionData,
  useLoaderData,
  useNavigation,
  type ShouldRevalidateFunction,
} from "@remix-run/react";
import { z } from "zod";
import { ConfirmTick, FormError, Notice } from "../components/Field";
import { StatusBadge } from "../components/StatusBadge";
import { CLAIM_LABELS } from "../features/certification/domain/answers";
import { submitUnavailableReason } from "../features/certification/domain/submission-state";
import { attempt, failure } from "../platform/http/action-errors.server";
import { formatDate, formatDateTime } from "../platform/format";
import { decimalNumber, parseForm } from "../platform/forms";
import { isConfirmed } from "../platform/confirmation.server";
import { serviceOrThrow } from "../platform/http/service-response.server";
import { requirePermission } from "../features/accounts/session.server";
import { parseSbomQuery, sbomPanel } from "../features/certification/sbom.server";
import { SbomComponents } from "../components/SbomComponents";
import { validityWords, VerdictBadge } from "../components/SealVerdict";
import { UpdateRequired } from "../components/UpdateRequired";
import {
  deleteDraft,
  submissionView,
  submitSubmission,
  withdrawSubmission,
  type Submitted,
} from "../features/certification/submissions.server";
import { SubmitButton } from "../components/SubmitButton";

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  {
    title: data
      ? `${data.header.productName} ${data.header.firmwareVersion} — submission — IoT Seal`
      : "Submission — IoT Seal",
  },
];

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const user = await requirePermission(request, context, "supplier.workspace");
  const id = params.submissionId ?? "";
  return serviceOrThrow(() => ({
    ...submissionView(user, id),
    sbom: sbomPanel(user, id, parseSbomQuery(request.url), "supplier"),
  }));
}

const actionInput = z.object({
  intent: z.enum(["submit", "withdraw", "delete"], { error: "Unknown action." }),
  version: decimalNumber(z.number().int().optional()),
  confirm: z.string().optional(),
});

const SUBMITTED = "Submitted for assessment. Answers and evidence are now frozen.";
const WITHDRAWN =
  "Submission withdrawn. It cannot be resubmitted: to have this firmware assessed, open a new submission for it. " +
  "A new submission does not take over this one's answers; the files you uploaded can be attached again on its requirements " +
  '("Or attach a file you already uploaded").';

/** The notice after submitting: a re-certification says what carried over, or why nothing did. */
function submittedNotice(r: Submitted): string {
  const rc = r.recertification;
  if (!rc) return SUBMITTED;
  if (rc.sourceEnded)
    return `${SUBMITTED} Seal ${rc.serial} was ${rc.sourceEnded === "revoked" ? "revoked" : "expired"} after this re-certification was opened, so none of its verdicts carried over: the assessor reviews all ${rc.toReview} requirements, as in a full assessment.`;
  return `${SUBMITTED} The certified verdicts of ${rc.carried} unchanged requirements carried over; the assessor reviews the other ${rc.toReview}.`;
}

export async function action({ request, context, params }: ActionFunctionArgs) {
  const user = await requirePermission(request, context, "supplier.workspace");
  const parsed = parseForm(actionInput, await readForm(request));
  if (!parsed.ok) return failure("That request was not understood.", parsed.fieldErrors);
  const id = params.submissionId ?? "";
  const { intent, version, confirm } = parsed.data;
  // Asked first (delete, withdraw): the service refuses without the ticked box.
  const confirmed = isConfirmed(confirm);
  const r = await attempt<Submitted | void>(() =>
    intent === "submit"
      ? submitSubmission(user, id, version)
      : intent === "withdraw"
        ? withdrawSubmission(user, id, { confirmed, expectedVersion: version })
        : deleteDraft(user, id, { confirmed, expectedVersion: version }),
  );
  if (!r.ok) return r.response;
  if (intent === "delete") return redirect("/supplier/submissions?deleted=1"); // the list says "The draft was deleted."
  return {
    ok: true as const,
    notice: intent === "submit" && r.value ? submittedNotice(r.value) : WITHDRAWN,
  };
}

/**
 * A refused action (409: the submission changed since the page was shown, in another tab or by an
 * assessor) must show its current state and version: with single fetch, Remix does not load the
 * page again after a 4xx by itself, so every retry would send the stale version and fail the same way.
 */
export const shouldRevalidate: ShouldRevalidateFunction = ({ actionStatus, defaultShouldRevalidate }) =>
  actionStatus === 409 ? true : defaultShouldRevalidate;

export default function SubmissionPage() {
  const d = useLoaderData<typeof loader>();
  const a = useActionData<typeof action>();
  const busy = useNavigation().state === "submitting";
  const s = d.submission;
  const canSubmit = d.transitions.includes("submit") || d.transitions.includes("resubmit");
  return (
    <>
      <p className="small">
        <Link to="/supplier/submissions">Submissions</Link> ›{" "}
        <Link to={`/supplier/products/${d.header.productId}`}>{d.header.productName}</Link>
      </p>
      <div className="page-head">
        <div>
          <p className="eyebrow">
            Submission · <StatusBadge status={s.status} />
          </p>
          <h1>
            {d.header.productName} <span className="muted">fw {d.header.firmwareVersion}</span>
          </h1>
          <p>
            Model {d.header.model}, hardware {d.header.hardwareRevision} · {d.checklist.label}, level{" "}
            {d.checklist.levelTitle}
            {s.submittedAt ? ` · submitted ${formatDateTime(s.submittedAt)}` : ""}
          </p>
        </div>
      </div>
      <Notice message={a?.ok ? a.notice : undefined} />
      <FormError message={a && !a.ok ? a.formError : undefined} />
      {d.feedback.decision ? (
        <div
          className={d.feedback.decision.kind === "rejected" ? "alert alert--error" : "alert alert--warn"}
          data-testid="assessor-feedback"
        >
          <strong>
            {d.feedback.decision.kind === "rejected" ? "Rejected by the assessor" : "The assessor asks for changes"}
          </strong>{" "}
          ({formatDateTime(d.feedback.decision.createdAt)})
          {d.feedback.decision.comment ? <p>{d.feedback.decision.comment}</p> : null}
          {d.feedback.sentBack.length ? (
            <ul className="problem-list" aria-label="Requirements sent back">
              {d.feedback.sentBack.map((f) => (
                <li key={f.ref}>
                  <Link to={`requirements/${f.ref}`}>{f.ref}</Link> (
                  {f.verdict === "fail" ? "fail" : "needs information"}): {f.comment}
                </li>
              ))}
            </ul>
          ) : null}
          {d.feedback.sentBack.length ? (
            <p className="small">Only these requirements can be changed; then resubmit.</p>
          ) : null}
        </div>
      ) : null}
      {d.seal ? (
        <div className={d.seal.verdict === "valid" ? "alert alert--ok" : "alert alert--warn"} data-testid="issued-seal">
          <strong>Seal {d.seal.serial} issued</strong> <VerdictBadge verdict={d.seal.verdict} /> (
          {validityWords(d.seal.verdict, d.seal.validUntil)}).{" "}
          <UpdateRequired update={d.seal.updateRequired} verdict={d.seal.verdict} compact />{" "}
          <Link to={`/s/${d.seal.serial}`}>Public page</Link> ·{" "}
          <a href={`/s/${d.seal.serial}/seal.pdf`} download>
            Download the certificate (PDF)
          </a>{" "}
          · <a href={`/s/${d.seal.serial}/credential`}>credential</a> ·{" "}
          <Link to={`/submissions/${d.submission.id}/coverage`}>What it covers of other checklists</Link>
        </div>
      ) : null}
      {d.recertification ? (
        <div
          className={d.recertification.sourceEnded ? "alert alert--warn" : "alert alert--info"}
          data-testid="recertification"
        >
          <strong>
            Re-certification of seal{" "}
            <Link to={`/s/${d.recertification.serial}`} className="mono">
              {d.recertification.serial}
            </Link>{" "}
            (firmware {d.recertification.fromFirmware})
          </strong>{" "}
          <span data-testid="recertification-seal-state">
            <VerdictBadge verdict={d.recertification.sealVerdict} />
            {d.recertification.sealReason ? ` ${d.recertification.sealReason}` : ""}
          </span>
          <p>What changed: {d.recertification.changeSummary}</p>
          {d.recertification.sourceEnded ? (
            <p data-testid="recertification-source-ended">
              Seal {d.recertification.serial}{" "}
              {d.recertification.sourceEnded.ended === "revoked" ? "was revoked" : "expired"} on{" "}
              {formatDate(d.recertification.sourceEnded.at)}, after this re-certification was opened: its certified
              verdicts no longer carry over.{" "}
              {s.status === "draft"
                ? `When you submit, the assessor reviews all ${d.recertification.toReview} requirements, as in a full assessment; your answers and evidence stay as they are.`
                : `The assessor reviews all ${d.recertification.toReview} requirements again, as in a full assessment.`}
            </p>
          ) : (
            <p>
              The certified answers and evidence were carried over. The assessor reviews{" "}
              <strong data-testid="to-review-count">{d.recertification.toReview}</strong> of{" "}
              {d.recertification.toReview + d.recertification.carried} requirements again: those you mark as changed,
              edit, or that an open vulnerability report names; the certified verdicts of the other{" "}
              {d.recertification.carried} carry over.
              {d.recertification.canMark ? " Open a requirement to mark it as changed by this firmware." : ""}
            </p>
          )}
          {d.recertification.sbomRefs.length && d.recertification.canMark ? (
            <p data-testid="recertification-sbom">
              The SBOM carried over is firmware {d.recertification.fromFirmware}&apos;s: it lists that build&apos;s
              components, not this firmware&apos;s, so the assessor reviews it again. Replace it with the SBOM of
              firmware {d.header.firmwareVersion} on{" "}
              {d.recertification.sbomRefs.map((ref, i) => (
                <span key={ref}>
                  {i ? ", " : ""}
                  <Link to={`requirements/${ref}`}>requirement {ref}</Link>
                </span>
              ))}
              .
            </p>
          ) : null}
        </div>
      ) : null}
      {d.supportEnded ? (
        <p className="alert alert--warn" data-testid="support-ended">
          {d.supportEnded} <Link to={`/supplier/products/${d.header.productId}`}>Open the product</Link>
        </p>
      ) : null}
      {d.carriedAcross ? (
        <div className="alert alert--info" data-testid="carried-across">
          <p>{d.carriedAcross.text}</p>
          {d.carriedAcross.answers > 0 ? (
            <p className="small">
              {d.carriedAcross.stillMarked === 0
                ? "All of them have been checked."
                : `${d.carriedAcross.stillMarked} still marked: open each one, check it fits this checklist, and save it (an assessor's verdict also confirms it).`}
            </p>
          ) : null}
        </div>
      ) : null}
      {s.status !== "draft" && s.status !== "changes_requested" ? (
        <p className="alert alert--info">
          This submission is {s.status.replace("_", " ")}: its answers and evidence are read-only.
        </p>
      ) : null}
      <div className="grid grid--2">
        <section className="card" aria-labelledby="progress-title">
          <h2 id="progress-title">Progress</h2>
          <p>
            <strong data-testid="complete-count">
              {d.progress.complete} of {d.progress.total}
            </strong>{" "}
            requirements complete · {d.progress.answered} answered · {d.progress.withEvidence} with evidence
          </p>
          <progress
            className="progress"
            max={d.progress.total}
            value={d.progress.complete}
            aria-label="Requirements complete"
          />
          <div className="table-wrap">
            <table className="compact">
              <thead>
                <tr>
                  <th>Section</th>
                  <th className="num">Answered</th>
                  <th className="num hide-narrow">With evidence</th>
                  <th className="num">Missing</th>
                </tr>
              </thead>
              <tbody>
                {d.progress.sections.map((p) => (
                  <tr key={p.sectionRef}>
                    <td>
                      <a href={`#sec-${p.sectionRef}`}>{p.sectionRef}</a>
                    </td>
                    <td className="num">
                      {p.answered}/{p.total}
                    </td>
                    <td className="num hide-narrow">{p.withEvidence}</td>
                    <td className="num">{p.total - p.complete || ""}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </section>
        <section className="card" aria-labelledby="blockers-title">
          <h2 id="blockers-title">
            {!canSubmit
              ? "Submission"
              : d.progress.blockers.length === 1
                ? "1 item blocks submission"
                : d.progress.blockers.length
                  ? `${d.progress.blockers.length} items block submission`
                  : "Nothing blocks submission"}
          </h2>
          {!canSubmit ? (
            <p className="muted" data-testid="submit-unavailable">
              {submitUnavailableReason(s.status)}
            </p>
          ) : d.progress.blockers.length ? (
            <ul className="blockers" aria-label="What still blocks submission">
              {d.progress.blockers.slice(0, 200).map((b) => (
                <li key={b.ref}>
                  <Link to={`requirements/${b.ref}`}>{b.ref}</Link>: {b.problems.map((p) => p.message).join(" ")}
                </li>
              ))}
            </ul>
          ) : (
            <p className="muted">Every requirement is answered as the rules ask.</p>
          )}
          {canSubmit && d.notImplemented ? (
            <div className="alert alert--warn" id="not-implemented-warning" data-testid="not-implemented-warning">
              <p>
                <strong>Cannot be approved at this level as answered.</strong> {d.notImplemented.warning}
              </p>
              <ul className="problem-list" aria-label="Mandatory requirements claimed not implemented">
                {d.notImplemented.refs.map((ref) => (
                  <li key={ref}>
                    <Link to={`requirements/${ref}`}>{ref}</Link>
                  </li>
                ))}
              </ul>
            </div>
          ) : null}
          <div className="actions">
            {canSubmit ? (
              <Form method="post">
                <input type="hidden" name="version" value={s.version} />
                <SubmitButton
                  className="button"
                  name="intent"
                  value="submit"
                  busy={busy}
                  disabled={d.progress.blockers.length > 0 || Boolean(d.supportEnded)}
                  aria-describedby={d.notImplemented ? "not-implemented-warning" : undefined}
                >
                  {s.status === "changes_requested" ? "Resubmit for assessment" : "Submit for assessment"}
                </SubmitButton>
              </Form>
            ) : null}
            {d.transitions.includes("withdraw") ? (
              <Form method="post" className="stack" aria-label="Withdraw the submission">
                <input type="hidden" name="version" value={s.version} />
                <ConfirmTick>
                  I understand: a withdrawn submission cannot be resubmitted, and a new one does not take over its
                  answers
                </ConfirmTick>
                <SubmitButton className="button button--quiet" name="intent" value="withdraw" busy={busy}>
                  Withdraw
                </SubmitButton>
              </Form>
            ) : null}
            {d.canDelete ? (
              <Form method="post" className="stack">
                <input type="hidden" name="version" value={s.version} />
                <ConfirmTick>I understand: the draft and its answers are deleted for good</ConfirmTick>
                <SubmitButton className="button button--danger" name="intent" value="delete" busy={busy}>
                  Delete draft
                </SubmitButton>
              </Form>
            ) : null}
          </div>
        </section>
      </div>
      {d.sections.map((sec) => (
        <section className="card" key={sec.ref} id={`sec-${sec.ref}`} aria-labelledby={`sec-${sec.ref}-title`}>
          <h2 id={`sec-${sec.ref}-title`}>
            {sec.ref} {sec.title}
          </h2>
          <table className="requirements-table stack">
            <thead>
              <tr>
                <th>Requirement</th>
                <th>Claim</th>
                <th className="num">Files</th>
                <th>State</th>
                {d.recertification ? <th>Re-review</th> : null}
              </tr>
            </thead>
            <tbody>
              {sec.requirements.map((r) => (
                <tr key={r.ref}>
                  <td>
                    <Link to={`requirements/${r.ref}`}>
                      <span className="requirement__ref">{r.ref}</span> {r.title}
                    </Link>{" "}
                    <span className={r.applicability === "mandatory" ? "badge badge--brand" : "badge badge--info"}>
                      {r.applicability}
                    </span>
                    {r.carriedFrom ? (
                      <p className="small carried-mark" data-testid="carried-mark">
                        Carried across from {r.carriedFrom.label} — check it still fits
                      </p>
                    ) : null}
                  </td>
                  <td data-label="Claim">
                    {r.answer.claim ? CLAIM_LABELS[r.answer.claim] : <span className="muted">—</span>}
                  </td>
                  <td className="num" data-label="Files">
                    {r.evidence.length || ""}
                  </td>
                  <td data-label="State">
                    {r.problems.length ? (
                      <span className="badge badge--warn">
                        {r.problems.some((p) => p.code === "change_requested")
                          ? "sent back"
                          : r.answer.claim
                            ? "incomplete"
                            : "to answer"}
                      </span>
                    ) : (
                      <span className="badge badge--ok">complete</span>
                    )}
                  </td>
                  {r.delta ? (
                    <td className="small" data-label="Re-review">
                      {r.delta.length ? (
                        <span className="badge badge--brand" title={r.delta.join("; ")}>
                          re-review
                        </span>
                      ) : (
                        <span className="muted">carried over</span>
                      )}
                    </td>
                  ) : null}
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      ))}
      <SbomComponents
        panel={d.sbom}
        firmwareVersion={d.header.firmwareVersion}
        canReplace={d.sections.flatMap((sec) => sec.requirements.filter((r) => r.editable).map((r) => r.ref))}
      />
    </>
  );
}
