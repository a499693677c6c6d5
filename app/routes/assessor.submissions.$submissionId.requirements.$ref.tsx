import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { z } from "zod";
import { readForm } from "../platform/http/request-body.server";
import { redirect } from "@remix-run/node";
import {
  Form,
  Link,
  useActionData,
  useLoaderData,
  useNavigation,
  useSearchParams,
  type ShouldRevalidateFunction,
} from "@remix-run/react";
import { ApplicabilityBadge } from "../components/Applicability";
import { FieldError, FormError, Notice, TextareaField } from "../components/Field";
import { CLAIM_LABELS } from "../features/certification/domain/answers";
import { carrySourcesLabel } from "../features/certification/domain/carry-across";
import {
  DECISION_TREE_NOTE,
  mayJudgeNotApplicable,
  verdictLabels,
  VERDICTS,
} from "../features/certification/domain/review";
import { attempt, failure } from "../platform/http/action-errors.server";
import { formatBytes, formatDateTime } from "../platform/format";
import { formValues, parseForm } from "../platform/forms";
import { safeNext } from "../platform/http/redirect";
import { notFound, requirePermission } from "../features/accounts/session.server";
import { serviceOrThrow } from "../platform/http/service-response.server";
import { recordVerdict, reviewView, takeSubmission } from "../features/certification/review.server";
import { verdictInput } from "../features/certification/forms";
import { IntentButton } from "../components/ReviewActions";
import { SubmitButton } from "../components/SubmitButton";

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: data ? `${data.requirement.ref} — review — IoT Seal` : "Review — IoT Seal" },
];

/**
 * The query that says the assessor arrived by "Save and go to next unscored": the page then puts the focus on "Pass"
 * (the keyboard's fast path: Space, Enter, next). A plain visit does not.
 */
const SAVED_AND_NEXT = "saved";

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const user = await requirePermission(request, context, "assessor.workspace");
  const view = serviceOrThrow(() => reviewView(user, params.submissionId ?? ""));
  const index = view.requirements.findIndex((r) => r.ref === params.ref);
  if (index < 0) notFound("This requirement is not part of the submission.");
  const after = [...view.requirements.slice(index + 1), ...view.requirements.slice(0, index)];
  return {
    submission: { id: view.submission.id, version: view.submission.version, status: view.submission.status },
    header: view.header,
    checklist: view.checklist,
    canScore: view.can.score,
    // Not taken yet: the page offers to take it (a take-over, with what it sends back, is the summary page's).
    canTake: view.can.take && view.submission.status === "submitted",
    scoringClosed: view.scoringClosed,
    requirement: view.requirements[index],
    position: { index: index + 1, total: view.requirements.length },
    previousRef: view.requirements[index - 1]?.ref ?? null,
    nextRef: view.requirements[index + 1]?.ref ?? null,
    nextUnscored: after.find((r) => !r.verdict)?.ref ?? null,
  };
}

/** "Take for review" from a requirement's page: the same service as the summary's button. */
const takeInput = z.object({ intent: z.literal("take"), version: verdictInput.shape.version });

export async function action({ request, context, params }: ActionFunctionArgs) {
  const user = await requirePermission(request, context, "assessor.workspace");
  const form = await readForm(request);
  if (form.get("intent") === "take") {
    const take = parseForm(takeInput, form);
    if (!take.ok) return failure("That request was not understood.", take.fieldErrors, take.values);
    const taken = await attempt(() => takeSubmission(user, params.submissionId ?? "", take.data.version));
    if (!taken.ok) return taken.response;
    return { ok: true as const, notice: "You have taken this submission for review: record your verdicts." };
  }
  const parsed = parseForm(verdictInput, form);
  if (!parsed.ok) return failure("Check the highlighted fields.", parsed.fieldErrors, parsed.values);
  const id = params.submissionId ?? "";
  const r = await attempt(() => recordVerdict(user, id, params.ref ?? "", parsed.data), formValues(form));
  if (!r.ok) return r.response;
  const next = safeNext(form.get("next"));
  if (next === "overview") return redirect(`/assessor/submissions/${id}`);
  if (next) return redirect(`/assessor/submissions/${id}/requirements/${next}?${SAVED_AND_NEXT}=1`);
  return { ok: true as const, notice: "Verdict saved." };
}

/**
 * A save refused as out of date (409: the submission changed in another tab, or the proposal or
 * the review's holder changed) must show the current state and version: with single fetch, Remix
 * does not load the page again after a 4xx by itself, so every retry would fail the same way.
 */
export const shouldRevalidate: ShouldRevalidateFunction = ({ actionStatus, defaultShouldRevalidate }) =>
  actionStatus === 409 ? true : defaultShouldRevalidate;

export default function VerdictPage() {
  const d = useLoaderData<typeof loader>();
  const a = useActionData<typeof action>();
  const busy = useNavigation().state === "submitting";
  const r = d.requirement;
  const failed = a && !a.ok ? a : undefined;
  const values = (failed?.values ?? {}) as Record<string, string>;
  const current = values.verdict ?? r.verdict?.verdict ?? "";
  const verdictModel = d.checklist.verdictModel;
  const labels = verdictLabels(verdictModel);
  const naAllowed = mayJudgeNotApplicable({ condition: r.condition, claim: r.answer?.claim ?? null, verdictModel });
  const base = `/assessor/submissions/${d.submission.id}`;
  const verdictError = failed?.fieldErrors?.verdict;
  const [params] = useSearchParams();
  const cameFromSave = params.has(SAVED_AND_NEXT);
  return (
    <>
      <p className="small">
        <Link to={base}>
          {d.header.product} fw {d.header.firmwareVersion} ({d.header.supplier}) — {d.checklist.label}
        </Link>{" "}
        · requirement {d.position.index} of {d.position.total}
      </p>
      <div className="page-head">
        <div>
          <h1>
            <span className="requirement__ref">{r.ref}</span> {r.title}
          </h1>
          <p>
            <ApplicabilityBadge value={r.applicability} /> at level {d.checklist.levelTitle}{" "}
            {r.changed ? <span className="badge badge--warn">changed since your last look</span> : null}
          </p>
        </div>
      </div>
      <Notice message={a?.ok ? a.notice : undefined} />
      <FormError message={failed?.formError} fieldErrors={failed?.fieldErrors} />
      <div className="grid grid--2">
        <section className="card" aria-labelledby="req-title">
          <h2 id="req-title">The requirement</h2>
          <p>{r.text}</p>
          {r.condition ? <p className="small">Condition: applies only if {r.condition}</p> : null}
          {r.evidenceHint ? <p className="small muted">Evidence expected: {r.evidenceHint}</p> : null}
          <h2>The supplier's answer</h2>
          {r.carriedAcross ? (
            <div className="alert alert--info" data-testid="carried-mark">
              <strong>Carried across from {r.carriedAcross.label} for you to confirm.</strong>{" "}
              <span className="small">
                The supplier pre-filled it through the crosswalk from their {r.carriedAcross.submissions} submission for
                this firmware and has not edited it since. Your verdict (whichever it is) confirms you checked it and
                removes this mark.
              </span>
            </div>
          ) : null}
          <p>
            <strong>{r.answer?.claim ? CLAIM_LABELS[r.answer.claim] : "No claim"}</strong>
          </p>
          <p data-testid="justification">
            {r.answer?.justification || <span className="muted">No justification.</span>}
          </p>
          {r.answer?.noEvidenceReason ? <p className="small">Why no evidence: {r.answer.noEvidenceReason}</p> : null}
          {r.certifiedVerdict ? (
            <div className={r.mustReview ? "alert alert--warn" : "alert alert--info"} data-testid="certified-verdict">
              <strong>{r.mustReview ? "Re-review: " : "Unchanged: "}</strong>
              {r.mustReview ? r.deltaReasons.join("; ") : "the certified verdict carries over."}
              <p className="small">
                Certified verdict: <strong>{labels[r.certifiedVerdict.verdict as keyof typeof labels]}</strong>
                {r.certifiedVerdict.accepted ? " (justification accepted)" : ""} by {r.certifiedVerdict.assessorName},{" "}
                {formatDateTime(r.certifiedVerdict.createdAt)}
                {r.certifiedVerdict.comment ? `: ${r.certifiedVerdict.comment}` : ""}
              </p>
            </div>
          ) : null}
        </section>
        <section className="card verdict-form" aria-labelledby="verdict-title">
          <h2 id="verdict-title">Verdict</h2>
          {d.canScore ? (
            // Keyed by requirement and verdict: moving to the next requirement mounts a fresh form
            // (uncontrolled fields must not carry the previous requirement's values).
            <Form method="post" noValidate key={`${r.ref}:${r.verdict?.id ?? 0}`}>
              <input type="hidden" name="version" value={d.submission.version} />
              {/* The first submit button is what Enter triggers: save and move on. */}
              <fieldset
                className={verdictError ? "field--error" : undefined}
                aria-describedby={
                  [verdictModel === "decision-tree" ? "decision-tree-note" : "", verdictError ? "verdict-error" : ""]
                    .filter(Boolean)
                    .join(" ") || undefined
                }
              >
                <legend>Verdict</legend>
                {verdictModel === "decision-tree" ? (
                  <p className="small muted" id="decision-tree-note" data-testid="decision-tree-note">
                    {DECISION_TREE_NOTE}
                  </p>
                ) : null}
                {VERDICTS.map((v) => (
                  <label className="choice" key={v}>
                    <input
                      type="radio"
                      name="verdict"
                      value={v}
                      defaultChecked={current === v}
                      disabled={v === "not_applicable" && !naAllowed}
                      // Only on arriving by "Save and go to next" (the keyboard's fast path through a review): a plain
                      // visit starts at the top, with the requirement and the supplier's answer, as any page does.
                      autoFocus={cameFromSave && v === "pass" && !current}
                    />
                    <span>{labels[v]}</span>
                  </label>
                ))}
                <FieldError id="verdict" message={verdictError} />
              </fieldset>
              <TextareaField
                label={
                  verdictModel === "decision-tree"
                    ? "Comment (required unless PASS; for NOT APPLICABLE, the justification)"
                    : "Comment (required unless pass)"
                }
                name="comment"
                id="comment"
                rows={4}
                defaultValue={values.comment ?? ""}
                error={failed?.fieldErrors?.comment}
                onKeyDown={(e) => {
                  // Ctrl+Enter acts as the default button: save and move on.
                  const form = e.currentTarget.form;
                  if (e.key === "Enter" && (e.ctrlKey || e.metaKey) && form) {
                    e.preventDefault();
                    form.requestSubmit(form.querySelector<HTMLButtonElement>('button[name="next"]') ?? undefined);
                  }
                }}
              />
              {r.applicability === "advisory" ? (
                <label className="choice">
                  <input type="checkbox" name="accepted" defaultChecked={r.verdict?.accepted ?? false} />
                  <span>
                    Accept the supplier's justification for this advisory requirement not being met or not applying
                  </span>
                </label>
              ) : null}
              <div className="actions">
                <SubmitButton className="button" name="next" value={d.nextUnscored ?? "overview"} busy={busy}>
                  {d.nextUnscored
                    ? `Save and go to next unscored (${d.nextUnscored})`
                    : "Save and return to the summary"}
                </SubmitButton>
                <SubmitButton className="button button--quiet" busy={busy}>
                  Save
                </SubmitButton>
              </div>
              <p className="small muted">
                Keyboard: arrow keys choose the verdict, Tab to the comment, Ctrl+Enter saves and moves on.
              </p>
            </Form>
          ) : (
            <>
              <p className="muted" data-testid="scoring-closed">
                {d.scoringClosed}
              </p>
              {d.canTake ? <IntentButton intent="take" version={d.submission.version} label="Take for review" /> : null}
            </>
          )}
          <h3>History</h3>
          {r.history.length === 0 ? <p className="muted small">No verdict yet.</p> : null}
          <ul className="history" aria-label="Verdict history">
            {r.history.map((h) => (
              <li key={h.id}>
                <strong>{labels[h.verdict]}</strong>
                {h.accepted ? " (justification accepted)" : ""} by {h.assessorName}, {formatDateTime(h.createdAt)}
                {h.comment ? `: ${h.comment}` : ""}
                {h.carriedFromId ? " (carried over from the certified assessment)" : ""}
              </li>
            ))}
          </ul>
        </section>
      </div>
      <section className="card" aria-labelledby="evidence-title">
        <h2 id="evidence-title">Evidence ({r.evidence.length})</h2>
        {r.evidence.length === 0 ? <p className="muted">No file.</p> : null}
        {r.evidence.map((e) => (
          <article key={e.id} className="requirement">
            <p>
              <a href={`/evidence/${e.id}`}>{e.originalName}</a>{" "}
              <span className="small muted">
                {e.mediaType}, {formatBytes(e.size)}
              </span>{" "}
              {e.mediaType === "application/pdf" || e.mediaType.startsWith("image/") ? (
                <a href={`/evidence/${e.id}?inline=1`} target="_blank" rel="noreferrer">
                  open in a new tab
                </a>
              ) : null}
            </p>
            <p className="hash">sha256 {e.sha256}</p>
            {e.carriedFrom?.length ? (
              <p className="small" data-testid="carried-file">
                Carried across from {carrySourcesLabel(e.carriedFrom)}.
              </p>
            ) : null}
            {e.mediaType.startsWith("image/") ? (
              <img
                className="evidence-preview"
                src={`/evidence/${e.id}?inline=1`}
                alt={`Evidence: ${e.originalName}`}
              />
            ) : null}
            {e.mediaType === "application/pdf" ? (
              <iframe
                className="evidence-preview"
                title={`PDF: ${e.originalName}`}
                src={`/evidence/${e.id}?inline=1`}
                width="100%"
                height="420"
              />
            ) : null}
          </article>
        ))}
      </section>
      <nav className="req-nav" aria-label="Requirements">
        {d.previousRef ? <Link to={`${base}/requirements/${d.previousRef}`}>← {d.previousRef}</Link> : <span />}
        <Link to={base}>Summary</Link>
        {d.nextRef ? <Link to={`${base}/requirements/${d.nextRef}`}>{d.nextRef} →</Link> : <span />}
      </nav>
    </>
  );
}
