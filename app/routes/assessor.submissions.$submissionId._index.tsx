import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { redirect } from "@remix-run/node";
import { readForm } from "../platform/http/request-body.server";
import {
  Form,
  Link,
  useActionData,
  useLoaderData,
  useNavigation,
  type ShouldRevalidateFunction,
} from "@remix-run/react";
import { z } from "zod";
import { FormError, Notice } from "../components/Field";
import { ReviewActions } from "../components/ReviewActions";
import { StatusBadge } from "../components/StatusBadge";
import { ReviewRequirementTable } from "../components/ReviewRequirementTable";
import { attempt, failure } from "../platform/http/action-errors.server";
import { formatDate, formatDateTime, humanizeAction } from "../platform/format";
import { decimalNumber, parseForm } from "../platform/forms";
import { serviceOrThrow } from "../platform/http/service-response.server";
import { requirePermission } from "../features/accounts/session.server";
import { parseSbomQuery, sbomPanel } from "../features/certification/sbom.server";
import { issuedSealOf } from "../features/certification/seals.server";
import { SbomComponents } from "../components/SbomComponents";
import { VerdictBadge } from "../components/SealVerdict";
import {
  confirmApproval,
  proposeApproval,
  rejectSubmission,
  releaseSubmission,
  requestChanges,
  returnProposal,
  reviewView,
  stepBackView,
  takeSubmission,
  withdrawProposal,
} from "../features/certification/review.server";
import {
  DECISION_COMMENT_MAX,
  decisionComment,
  decisionReason,
  REASON_REQUIRED,
} from "../features/certification/forms";
import { SubmitButton } from "../components/SubmitButton";

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  {
    title: data
      ? `${data.stepBack ? "Step back" : "Review"}: ${data.header.product} ${data.header.firmwareVersion} — IoT Seal`
      : "Review — IoT Seal",
  },
];

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const user = await requirePermission(request, context, "assessor.workspace");
  const id = params.submissionId ?? "";
  // An assessor now in conflict of interest with the supplier sees only how to step back from what they hold.
  const stepBack = serviceOrThrow(() => stepBackView(user, id));
  if (stepBack) return { ...stepBack, stepBack: true as const };
  return serviceOrThrow(() => ({
    ...reviewView(user, id),
    stepBack: false as const,
    sbom: sbomPanel(user, id, parseSbomQuery(request.url), "assessor"),
    issuedSeal: issuedSealOf(id),
  }));
}

const input = z.object({
  intent: z.enum(["take", "release", "request_changes", "propose", "confirm", "return", "withdraw", "reject"], {
    error: "Unknown action.",
  }),
  version: decimalNumber(z.number().int().min(1)),
  comment: decisionComment,
  /** Sent by the step-back page: once released, the review is no longer this assessor's to see. */
  then: z.enum(["dashboard"], { error: "Unknown page to go to." }).optional(),
});

const DONE: Record<z.infer<typeof input>["intent"], string> = {
  take: "You have taken this submission for review.",
  release: "Released back to the queue.",
  request_changes: "Sent back to the supplier for changes.",
  propose: "Approval proposed; a second assessor must confirm it.",
  confirm: "Approval confirmed: the submission is approved.",
  return: "The proposal went back to the reviewing assessor.",
  withdraw:
    "Proposal withdrawn: the submission stays in review with you, and approving it needs a new proposal. Nobody can confirm it now.",
  reject: "The submission is rejected.",
};

export async function action({ request, context, params }: ActionFunctionArgs) {
  const user = await requirePermission(request, context, "assessor.workspace");
  const parsed = parseForm(input, await readForm(request));
  if (!parsed.ok)
    return failure(parsed.fieldErrors.comment ?? "That request was not understood.", parsed.fieldErrors, parsed.values);
  const { intent, version, comment, then } = parsed.data;
  const id = params.submissionId ?? "";
  // The form's own check, before anything else (the service enforces the same rule, decisionReason).
  const reason = intent === "reject" || intent === "return" ? decisionReason.safeParse(comment) : null;
  if (reason && !reason.success)
    return failure(REASON_REQUIRED, { comment: reason.error.issues[0].message }, { intent, comment });
  const r = await attempt<unknown>(() => {
    switch (intent) {
      case "take":
        return takeSubmission(user, id, version);
      case "release":
        return releaseSubmission(user, id, version);
      case "request_changes":
        return requestChanges(user, id, version, comment.trim());
      case "propose":
        return proposeApproval(user, id, version, comment.trim());
      case "confirm":
        return confirmApproval(user, id, version, comment.trim());
      case "return":
        return returnProposal(user, id, version, comment.trim());
      case "withdraw":
        return withdrawProposal(user, id, version, comment.trim());
      case "reject":
        return rejectSubmission(user, id, version, comment.trim());
    }
  });
  if (!r.ok) return r.response;
  if (then === "dashboard" && intent === "release") return redirect("/assessor");
  return {
    ok: true as const,
    notice:
      intent === "confirm" && typeof r.value === "string" ? `${DONE.confirm} Seal ${r.value} is issued.` : DONE[intent],
  };
}

/**
 * A refused action (409: the submission changed since the page was shown, in another tab or by
 * another assessor or the supplier) must show its current state and version: with single fetch,
 * Remix does not load the page again after a 4xx by itself, so every retry would fail the same way.
 */
export const shouldRevalidate: ShouldRevalidateFunction = ({ actionStatus, defaultShouldRevalidate }) =>
  actionStatus === 409 ? true : defaultShouldRevalidate;

type LoaderData = ReturnType<typeof useLoaderData<typeof loader>>;

/** Withdraw or release, and nothing else: the page an assessor now in conflict with the supplier sees. */
function StepBackPage({ d }: { d: Extract<LoaderData, { stepBack: true }> }) {
  const a = useActionData<typeof action>();
  const busy = useNavigation().state !== "idle";
  return (
    <>
      <p className="small">
        <Link to="/assessor">Assessor workspace</Link>
      </p>
      <div className="page-head">
        <div>
          <p className="eyebrow">
            Step back · <StatusBadge status={d.submission.status} />
          </p>
          <h1>
            {d.header.product} <span className="muted">fw {d.header.firmwareVersion}</span>
          </h1>
          <p>{d.header.supplier}</p>
        </div>
      </div>
      <Notice message={a?.ok ? a.notice : undefined} />
      <FormError message={a && !a.ok ? a.formError : undefined} />
      <p className="alert alert--warn" data-testid="step-back">
        {d.conflict} You can no longer review this submission or see its content; you can only step back from it, so
        that another assessor reviews it.
      </p>
      <section className="card stack">
        {d.can.withdraw ? (
          <Form method="post" className="stack">
            <p>You proposed its approval on {formatDateTime(d.proposedAt)}: nobody can confirm that proposal now.</p>
            <input type="hidden" name="intent" value="withdraw" />
            <input type="hidden" name="version" value={d.submission.version} />
            <SubmitButton className="button" busy={busy}>
              Withdraw the proposal
            </SubmitButton>
          </Form>
        ) : null}
        {d.can.release ? (
          <Form method="post" className="stack">
            <p>You still hold its review. Release it back to the queue for another assessor to take.</p>
            <input type="hidden" name="intent" value="release" />
            <input type="hidden" name="version" value={d.submission.version} />
            <input type="hidden" name="then" value="dashboard" />
            <SubmitButton className="button" busy={busy}>
              Release back to the queue
            </SubmitButton>
          </Form>
        ) : d.holding && !d.can.withdraw ? (
          <p className="muted small">
            An approval proposal waits on this review; you can release it once the proposal is confirmed or sent back.
          </p>
        ) : null}
      </section>
    </>
  );
}

export default function ReviewRoute() {
  const d = useLoaderData<typeof loader>();
  return d.stepBack ? <StepBackPage d={d} /> : <ReviewPage d={d} />;
}

function ReviewPage({ d }: { d: Extract<LoaderData, { stepBack: false }> }) {
  const a = useActionData<typeof action>();
  const s = d.submission;
  const firstUnscored = d.requirements.find((r) => !r.verdict)?.ref;
  const base = `/assessor/submissions/${s.id}`;
  return (
    <>
      <p className="small">
        <Link to="/assessor/queue">Review queue</Link>
      </p>
      <div className="page-head">
        <div>
          <p className="eyebrow">
            Review · <StatusBadge status={s.status} /> {d.assignee ? `· with ${d.assignee}` : ""}
            {d.heldBy ? " (no longer able to review it)" : ""}
          </p>
          <h1>
            {d.header.product} <span className="muted">fw {d.header.firmwareVersion}</span>
          </h1>
          <p>
            {d.header.supplier} · model {d.header.model}, hardware {d.header.hardwareRevision} · {d.checklist.label},
            level {d.checklist.levelTitle} · support until {formatDate(d.header.supportPeriodEnd)}
          </p>
        </div>
        {d.can.score && firstUnscored ? (
          <Link className="button" to={`requirements/${firstUnscored}`}>
            Score the next unscored ({firstUnscored})
          </Link>
        ) : null}
      </div>
      <Notice message={a?.ok ? a.notice : undefined} />
      <FormError message={a && !a.ok ? a.formError : undefined} />
      {d.issuedSeal ? (
        <p
          className={d.issuedSeal.verdict === "valid" ? "alert alert--ok" : "alert alert--warn"}
          data-testid="issued-seal"
        >
          Seal{" "}
          <Link to={`/seals/${d.issuedSeal.serial}`} className="mono">
            {d.issuedSeal.serial}
          </Link>{" "}
          issued <VerdictBadge verdict={d.issuedSeal.verdict} /> ·{" "}
          <Link to={`/submissions/${s.id}/coverage`}>What it covers of other checklists</Link>
        </p>
      ) : null}
      {d.recertification ? (
        <div
          className={d.recertification.sourceEnded ? "alert alert--warn" : "alert alert--info"}
          data-testid="recertification"
        >
          <strong>
            Re-certification of seal{" "}
            <Link to={`/seals/${d.recertification.serial}`} className="mono">
              {d.recertification.serial}
            </Link>{" "}
            (firmware {d.recertification.fromFirmware} → {d.header.firmwareVersion})
          </strong>{" "}
          <span data-testid="recertification-seal-state">
            <VerdictBadge verdict={d.recertification.sealVerdict} />
            {d.recertification.sealReason ? ` ${d.recertification.sealReason}` : ""}
          </span>
          <p>What changed, in the supplier's words: {d.recertification.changeSummary}</p>
          {d.recertification.sourceEnded ? (
            <p data-testid="recertification-source-ended">
              Seal {d.recertification.serial}{" "}
              {d.recertification.sourceEnded.ended === "revoked" ? "was revoked" : "expired"} on{" "}
              {formatDate(d.recertification.sourceEnded.at)}, after this re-certification was opened: the verdicts of
              its assessment no longer carry over. Review all {d.recertification.toReview} requirements, as in a full
              assessment; a verdict carried over before counts only once an assessor records one of their own.{" "}
              {d.recertification.sourceEnded.ended === "revoked"
                ? `Approval issues a new seal; ${d.recertification.serial} stays revoked.`
                : `Approval issues a new seal and supersedes ${d.recertification.serial}.`}
            </p>
          ) : (
            <p>
              Re-review <strong>{d.recertification.toReview}</strong> of{" "}
              {d.recertification.toReview + d.recertification.carried} requirements: those the supplier marked or edited
              and those an open vulnerability report names. Approval issues a new seal and supersedes{" "}
              {d.recertification.serial}.
            </p>
          )}
          {d.recertification.sbomRefs.length ? (
            <p data-testid="recertification-sbom">
              The SBOM on {d.recertification.sbomRefs.join(", ")} is the one certified for firmware{" "}
              {d.recertification.fromFirmware}, carried over unchanged: it does not describe firmware{" "}
              {d.header.firmwareVersion}.
            </p>
          ) : null}
          {d.fixesCertified.length ? (
            <p>
              Approving also certifies the fix of:{" "}
              {d.fixesCertified.map((f, i) => (
                <span key={f.id}>
                  {i ? ", " : ""}
                  <Link to={`/findings/${f.id}`}>{f.title}</Link>
                </span>
              ))}
              .
            </p>
          ) : null}
        </div>
      ) : null}
      {d.supportEnded ? (
        <p className="alert alert--warn" data-testid="support-ended">
          {d.supportEnded}
        </p>
      ) : null}
      {d.levelBelowFloor ? (
        <p className="alert alert--warn" data-testid="level-below-floor">
          {d.levelBelowFloor}
        </p>
      ) : null}
      {d.proposal ? (
        <p
          className={
            d.proposal.cannotConfirm || (d.proposal.byMe && d.proposal.waitingFor?.blocked)
              ? "alert alert--warn"
              : "alert alert--info"
          }
          data-testid="proposal-state"
        >
          Approval proposed {formatDateTime(d.proposal.createdAt)}
          {d.proposal.proposerNoLongerAble && !d.proposal.byMe
            ? "" // the reason names the proposer
            : ` by ${d.proposal.byMe ? "you" : d.proposal.proposerName}`}
          {d.proposal.byMe
            ? // Whom it waits for, or why nobody can confirm it and what to do, is said once: under Decide, beside the withdrawal.
              d.proposal.cannotConfirm || d.proposal.waitingFor?.blocked
              ? ". As it stands nobody can confirm it: what to do is under Decide."
              : "."
            : d.proposal.cannotConfirm
              ? `. ${d.proposal.cannotConfirm}`
              : ": as a second assessor, confirm it or send it back."}
          {d.proposal.comment ? ` "${d.proposal.comment}"` : ""}
        </p>
      ) : null}
      {d.scoringClosed && d.submission.status === "in_review" && !d.proposal && !d.heldBy ? (
        <p className="muted small" data-testid="scoring-closed">
          {d.scoringClosed}
        </p>
      ) : null}
      <div className="grid grid--2">
        <section className="card" aria-labelledby="summary-title">
          <h2 id="summary-title">Summary</h2>
          <p data-testid="score-line">
            {d.score.scored} of {d.score.total} scored · {d.score.counts.pass} pass · {d.score.counts.fail} fail ·{" "}
            {d.score.counts.not_applicable} not applicable · {d.score.counts.needs_information} need information
          </p>
          <div className="score-bars">
            <span>Mandatory met</span>
            <meter min={0} max={100} value={d.score.mandatory.percent} aria-label="Mandatory requirements met" />
            <span>
              {d.score.mandatory.met}/{d.score.mandatory.total} ({d.score.mandatory.percent}%)
            </span>
            <span>Advisory met</span>
            {d.score.advisory.total ? (
              <>
                <meter min={0} max={100} value={d.score.advisory.percent} aria-label="Advisory requirements met" />
                <span>
                  {d.score.advisory.met}/{d.score.advisory.total} ({d.score.advisory.percent}%)
                </span>
              </>
            ) : (
              <span className="muted small score-bars__span2">none at this level</span>
            )}
          </div>
          <h3>
            {d.score.blockers.length
              ? `${d.score.blockers.length} ${d.score.blockers.length === 1 ? "item blocks" : "items block"} approval`
              : "Nothing blocks approval"}
          </h3>
          <ul className="blockers" aria-label="What blocks approval">
            {d.score.blockers.slice(0, 100).map((b) => (
              <li key={b.ref}>
                <Link to={`requirements/${b.ref}`}>{b.ref}</Link>: {b.reason}
              </li>
            ))}
          </ul>
        </section>
        <section className="card" aria-labelledby="decide-title">
          <h2 id="decide-title">Decide</h2>
          <ReviewActions
            can={d.can}
            version={s.version}
            toSendBack={d.score.toSendBack.length}
            waitingFor={d.proposal?.byMe ? d.proposal.waitingFor : null}
            cannotConfirm={d.proposal?.byMe ? d.proposal.cannotConfirm : null}
            heldBy={d.heldBy}
            proposeWarning={d.proposeWarning}
            commentMax={DECISION_COMMENT_MAX}
            failed={
              a && !a.ok
                ? { intent: a.values?.intent, comment: a.values?.comment, error: a.fieldErrors?.comment }
                : null
            }
          />
        </section>
      </div>
      {d.changes && (d.changes.changedAnswers.length || d.changes.newEvidence.length) ? (
        <section className="card changed" aria-labelledby="changes-title">
          <h2 id="changes-title">Changed since your last look ({formatDateTime(d.changes.since)})</h2>
          <ul>
            {d.changes.changedAnswers.map((ref) => (
              <li key={`a-${ref}`}>
                <Link to={`requirements/${ref}`}>{ref}</Link>: answer changed
              </li>
            ))}
            {d.changes.newEvidence.map((e) => (
              <li key={`e-${e.ref}-${e.name}`}>
                <Link to={`requirements/${e.ref}`}>{e.ref}</Link>: new evidence {e.name}
              </li>
            ))}
          </ul>
        </section>
      ) : null}
      {d.recertification ? (
        <>
          <section className="card" aria-labelledby="reqs-title">
            <h2 id="reqs-title">To re-review ({d.recertification.toReview})</h2>
            <ReviewRequirementTable
              rows={d.requirements.filter((r) => r.mustReview)}
              label="Requirements to re-review"
              verdictModel={d.checklist.verdictModel}
              showReasons
            />
          </section>
          <details className="card">
            <summary>
              <strong>Carried over ({d.recertification.carried})</strong>: unchanged since the certified assessment;
              their verdicts stand unless you record a new one
            </summary>
            <ReviewRequirementTable
              rows={d.requirements.filter((r) => !r.mustReview)}
              label="Requirements carried over"
              verdictModel={d.checklist.verdictModel}
            />
          </details>
        </>
      ) : (
        <section className="card" aria-labelledby="reqs-title">
          <h2 id="reqs-title">Requirements</h2>
          <ReviewRequirementTable rows={d.requirements} label="Requirements" verdictModel={d.checklist.verdictModel} />
        </section>
      )}
      <SbomComponents panel={d.sbom} firmwareVersion={d.header.firmwareVersion} />
      <section className="card" aria-labelledby="history-title">
        <h2 id="history-title">Decisions</h2>
        {d.decisions.length === 0 ? <p className="muted">None yet.</p> : null}
        <ul className="timeline">
          {d.decisions.map((x) => (
            <li key={x.id}>
              <time dateTime={new Date(x.createdAt).toISOString()}>{formatDateTime(x.createdAt)}</time>
              <span>
                <strong>{humanizeAction(x.kind)}</strong> by {x.assessorName}
                {x.comment ? `: ${x.comment}` : ""}
              </span>
            </li>
          ))}
        </ul>
        <p className="small">
          <Link to={base}>Refresh</Link>
        </p>
      </section>
    </>
  );
}
