import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { readForm } from "../platform/http/request-body.server";
import { data, redirect } from "@remix-run/node";
import {
  Form,
  Link,
  useActionData,
  useLoaderData,
  useNavigation,
  type ShouldRevalidateFunction,
} from "@remix-run/react";
import { z } from "zod";
import { ApplicabilityBadge } from "../components/Applicability";
import { EvidenceList } from "../components/EvidenceList";
import { EvidenceUploader } from "../components/EvidenceUploader";
import { FormError, Notice, TextareaField } from "../components/Field";
import { StatusBadge } from "../components/StatusBadge";
import {
  CLAIM_LABELS,
  CLAIMS,
  JUSTIFICATION_MAX,
  mayClaimNotApplicable,
  NO_EVIDENCE_REASON_MAX,
  type Claim,
} from "../features/certification/domain/answers";
import { ACCEPTED_LIST } from "../features/certification/domain/evidence-type";
import { readOnlyReason } from "../features/certification/domain/submission-state";
import { notImplementedWarning } from "../features/certification/domain/review";
import { getEnv } from "../platform/env.server";
import { attempt, failure } from "../platform/http/action-errors.server";
import { handleEvidenceUpload, uploadHeaders } from "../features/certification/evidence-upload.server";
import { formValues, parseForm } from "../platform/forms";
import { safeNext } from "../platform/http/redirect";
import { formatBytes } from "../platform/format";
import { serviceOrThrow } from "../platform/http/service-response.server";
import { requirePermission } from "../features/accounts/session.server";
import { linkExistingEvidence, unlinkEvidence } from "../features/certification/evidence.server";
import { requirementView, saveAnswer } from "../features/certification/submissions.server";
import { markRequirementChanged } from "../features/certification/recertification.server";
import { answerInput, changeMarkInput } from "../features/certification/forms";
import { ChangeMark } from "../components/ChangeMark";
import { SubmitButton } from "../components/SubmitButton";

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: data ? `${data.requirement.ref} — ${data.header.productName} — IoT Seal` : "Requirement — IoT Seal" },
];

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const user = await requirePermission(request, context, "supplier.workspace");
  const view = serviceOrThrow(() => requirementView(user, params.submissionId ?? "", params.ref ?? ""));
  const env = getEnv();
  return {
    ...view,
    maxFileBytes: env.evidenceMaxFileBytes,
    resumableThresholdBytes: env.evidenceResumableThresholdBytes,
  };
}

const linkInput = z.object({
  intent: z.literal("link"),
  sha256: z.string().regex(/^[0-9a-f]{64}$/, { error: "Choose a file." }),
});
const unlinkInput = z.object({ intent: z.literal("unlink"), linkId: z.string().min(1) });

const REVISION_MISSING =
  "The form did not say which revision of the answer you edited: reload the page and save again.";
/** The answer form always sends the revision it was opened at: a post without one could silently overwrite. */
const saveAnswerInput = answerInput.extend({
  revision: z
    .string({ error: REVISION_MISSING })
    .regex(/^\d{1,9}$/, { error: REVISION_MISSING })
    .transform(Number),
});

/** The answer form's fields by the names its messages use. */
const ANSWER_FIELDS: Record<string, string> = {
  claim: "Claim",
  justification: "Justification",
  noEvidenceReason: "If no evidence file is possible, why",
  revision: "Revision",
};

/** The top message of a refused answer: each field in error by name, with its message. */
function answerFieldsMessage(fieldErrors: Record<string, string>): string {
  const named = Object.entries(fieldErrors).map(([field, message]) => `${ANSWER_FIELDS[field] ?? field}: ${message}`);
  return `Not saved. ${named.join(" ")}`;
}

export async function action({ request, context, params }: ActionFunctionArgs) {
  const user = await requirePermission(request, context, "supplier.workspace");
  const id = params.submissionId ?? "";
  const ref = params.ref ?? "";
  if ((request.headers.get("content-type") ?? "").startsWith("multipart/form-data")) {
    const result = await handleEvidenceUpload(user, request, id, ref);
    if (!result.ok)
      return data(
        { ok: false as const, formError: result.message, fieldErrors: {} as Record<string, string> },
        { status: result.status, headers: uploadHeaders(result) },
      );
    return { ok: true as const, notice: result.message };
  }
  const form = await readForm(request);
  const intent = form.get("intent");
  if (intent === "mark-change") {
    const parsed = parseForm(changeMarkInput, form);
    if (!parsed.ok) return failure("Check the highlighted fields.", parsed.fieldErrors, parsed.values);
    const r = await attempt(() => markRequirementChanged(user, id, ref, parsed.data), formValues(form));
    return r.ok
      ? {
          ok: true as const,
          notice: parsed.data.changed ? "Marked as changed: the assessor will review it again." : "Mark removed.",
        }
      : r.response;
  }
  if (intent === "link" || intent === "unlink") {
    const parsed = intent === "link" ? parseForm(linkInput, form) : parseForm(unlinkInput, form);
    if (!parsed.ok) return failure("Choose a file.", parsed.fieldErrors);
    const r = await attempt(() =>
      "sha256" in parsed.data
        ? linkExistingEvidence(user, id, ref, parsed.data.sha256)
        : unlinkEvidence(user, id, parsed.data.linkId),
    );
    return r.ok
      ? { ok: true as const, notice: intent === "link" ? "File attached." : "File removed from this requirement." }
      : r.response;
  }
  const parsed = parseForm(saveAnswerInput, form);
  if (!parsed.ok) return failure(answerFieldsMessage(parsed.fieldErrors), parsed.fieldErrors, parsed.values);
  const r = await attempt(() => saveAnswer(user, id, ref, parsed.data), formValues(form));
  if (!r.ok) {
    const refused = r.response.data;
    if (!refused.fieldErrors.revision) return r.response;
    // Changed since the form was opened: the page shows the stored answer (no values to refill the form with) and
    // keeps the text the user sent, read-only, so nothing they wrote is lost.
    return data(
      {
        ok: false as const,
        formError: `${refused.formError} The saved answer is shown now; your text is below so you can copy it.`,
        fieldErrors: {} as Record<string, string>,
        unsaved: {
          claim: parsed.data.claim,
          justification: parsed.data.justification,
          noEvidenceReason: parsed.data.noEvidenceReason,
        },
      },
      { status: r.response.init?.status ?? 409 },
    );
  }
  const next = safeNext(form.get("next"));
  // "Save and go to next open" goes on only from a complete answer: an incomplete one stays on its page, saved, with
  // what it still lacks named and the way on offered (the supplier may mean to come back to it).
  if (next && !r.value.problems.length) return redirect(`/supplier/submissions/${id}/requirements/${next}`);
  if (next)
    return {
      ok: true as const,
      notice: undefined,
      incomplete: { ref, problems: r.value.problems.map((p) => p.message), next },
    };
  return { ok: true as const, notice: "Answer saved." };
}

/** After "Save and go to next open" on an answer that is not complete: saved, what is missing, and the way on. */
function SavedIncomplete({ saved, base }: { saved: { ref: string; problems: string[]; next: string }; base: string }) {
  return (
    <div className="alert alert--warn" role="status" data-testid="saved-incomplete">
      <p>
        <strong>Answer saved, but requirement {saved.ref} is not complete yet:</strong> {saved.problems.join(" ")}
      </p>
      <p>
        Complete it here, or{" "}
        <Link to={`${base}/requirements/${encodeURIComponent(saved.next)}`}>
          go on to the next open requirement ({saved.next})
        </Link>{" "}
        and come back to it later.
      </p>
    </div>
  );
}

/** After a save conflict the page must show the stored answer, so the loader runs again despite the 409. */
export const shouldRevalidate: ShouldRevalidateFunction = ({ actionResult, defaultShouldRevalidate }) =>
  actionResult && typeof actionResult === "object" && "unsaved" in actionResult ? true : defaultShouldRevalidate;

/** What the user sent when the answer had changed under them: shown read-only, to copy from. */
interface UnsavedAnswerProps {
  claim: Claim;
  justification: string;
  noEvidenceReason: string;
}

function UnsavedAnswer({ claim, justification, noEvidenceReason }: UnsavedAnswerProps) {
  return (
    <div className="alert alert--warn" data-testid="unsaved-answer">
      <h3 id="unsaved-title">Your text (not saved)</h3>
      <p>
        Your claim: <strong>{CLAIM_LABELS[claim]}</strong>
      </p>
      <div className="field">
        <label htmlFor="unsaved-justification">Your justification (not saved)</label>
        <textarea id="unsaved-justification" rows={5} readOnly value={justification} />
      </div>
      {noEvidenceReason ? (
        <div className="field">
          <label htmlFor="unsaved-noEvidenceReason">Your reason why no evidence file is possible (not saved)</label>
          <textarea id="unsaved-noEvidenceReason" rows={2} readOnly value={noEvidenceReason} />
        </div>
      ) : null}
    </div>
  );
}

export default function RequirementPage() {
  const d = useLoaderData<typeof loader>();
  const a = useActionData<typeof action>();
  const busy = useNavigation().state === "submitting";
  const r = d.requirement;
  const failed = a && !a.ok ? a : undefined;
  const values = failed && "values" in failed ? (failed.values as Record<string, string> | undefined) : undefined;
  const unsaved = failed && "unsaved" in failed ? (failed.unsaved as UnsavedAnswerProps) : undefined;
  const fieldErrors: Record<string, string> = failed?.fieldErrors ?? {};
  const claim = values?.claim ?? r.answer.claim ?? "";
  const naAllowed = mayClaimNotApplicable({ applicability: r.applicability, condition: r.condition });
  const base = `/supplier/submissions/${d.submission.id}`;
  return (
    <>
      <p className="small">
        <Link to={base}>
          {d.header.productName} fw {d.header.firmwareVersion} — {d.checklist.label}
        </Link>{" "}
        › {r.sectionRef} {r.sectionTitle} · requirement {d.position.index} of {d.position.total}{" "}
        <StatusBadge status={d.submission.status} />
      </p>
      <div className="page-head">
        <div>
          <h1>
            <span className="requirement__ref">{r.ref}</span> {r.title}
          </h1>
          <p>
            <ApplicabilityBadge value={r.applicability} /> at level {d.checklist.levelTitle}
          </p>
        </div>
      </div>
      <Notice message={a?.ok ? a.notice : undefined} />
      {a?.ok && "incomplete" in a && a.incomplete ? <SavedIncomplete saved={a.incomplete} base={base} /> : null}
      <FormError message={failed?.formError} />
      <div className="grid grid--2">
        <section className="card" aria-labelledby="asks-title">
          <h2 id="asks-title">What it asks</h2>
          <p>{r.text}</p>
          {r.condition ? (
            <p className="small">
              <strong>Condition:</strong> applies only if {r.condition}
            </p>
          ) : null}
          {r.evidenceHint ? (
            <p className="small muted">
              <strong>Evidence expected:</strong> {r.evidenceHint}
            </p>
          ) : null}
          {r.assessorComment ? (
            <div className="alert alert--warn" data-testid="assessor-comment">
              <strong>Assessor ({r.assessorComment.verdict === "fail" ? "fail" : "needs information"}):</strong>{" "}
              {r.assessorComment.comment}
            </div>
          ) : null}
          {d.answerProblems.length ? (
            <div className="alert alert--warn">
              <strong>Still needed</strong>
              <ul className="problem-list">
                {d.answerProblems.map((p) => (
                  <li key={p.code}>{p.message}</li>
                ))}
              </ul>
            </div>
          ) : (
            <p className="alert alert--ok">This answer is complete.</p>
          )}
          {d.notImplemented?.refs.includes(r.ref) ? (
            <p className="alert alert--warn" data-testid="not-implemented-warning">
              {notImplementedWarning([r.ref], d.checklist.levelTitle)}
            </p>
          ) : null}
        </section>
        <section className="card answer-form" aria-labelledby="answer-title">
          <h2 id="answer-title">Your answer</h2>
          {/* Said before the fields, so they are read as the answer given, not as a form to fill in. */}
          {r.editable ? null : (
            <p className="alert alert--info" data-testid="read-only">
              {readOnlyReason(d.submission.status)}
            </p>
          )}
          {r.carriedFrom ? (
            <div className="alert alert--info" data-testid="carried-mark">
              <strong>Carried across from {r.carriedFrom.label} — check it still fits.</strong>{" "}
              <span className="small">
                Copied through the crosswalk from{" "}
                {r.carriedFrom.sources.map((src, i) => (
                  <span key={`${src.submissionId}:${src.ref}`}>
                    {i ? ", " : ""}
                    <Link to={`/supplier/submissions/${src.submissionId}/requirements/${encodeURIComponent(src.ref)}`}>
                      {src.label} ({src.version})
                    </Link>
                  </span>
                ))}
                . {r.editable ? "Saving this answer, changed or not, confirms it and removes the mark." : ""}
              </span>
            </div>
          ) : null}
          {unsaved ? <UnsavedAnswer {...unsaved} /> : null}
          {/* Keyed by requirement and revision: "save and go to next" must not carry this answer's text over, and
              after a conflict the form shows the stored answer at its current revision. */}
          <Form method="post" noValidate key={`${r.ref}:${r.answer.revision}`}>
            <input type="hidden" name="revision" value={r.answer.revision} />
            <fieldset disabled={!r.editable} aria-describedby={fieldErrors.claim ? "claim-error" : undefined}>
              <legend>Claim</legend>
              {CLAIMS.map((c) => (
                <label className="choice" key={c}>
                  <input
                    type="radio"
                    name="claim"
                    value={c}
                    defaultChecked={claim === c}
                    disabled={c === "not_applicable" && !naAllowed}
                  />
                  <span>
                    {CLAIM_LABELS[c]}
                    {c === "not_applicable" && !naAllowed ? (
                      <span className="small muted"> — not allowed: mandatory without a condition</span>
                    ) : null}
                  </span>
                </label>
              ))}
              {fieldErrors.claim ? (
                <p className="field__error" id="claim-error">
                  {fieldErrors.claim}
                </p>
              ) : null}
            </fieldset>
            <TextareaField
              label="Justification"
              name="justification"
              id="justification"
              hint={
                r.editable
                  ? 'How the product meets it — or, for "not implemented" and "not applicable", why (required).'
                  : undefined
              }
              error={fieldErrors.justification}
              rows={5}
              maxLength={JUSTIFICATION_MAX}
              defaultValue={values?.justification ?? r.answer.justification}
              disabled={!r.editable}
            />
            {r.applicability === "mandatory" ? (
              <TextareaField
                label="If no evidence file is possible, why"
                name="noEvidenceReason"
                id="noEvidenceReason"
                hint={
                  r.editable
                    ? "Needed when the requirement is implemented and no file is attached; otherwise leave it empty."
                    : undefined
                }
                error={fieldErrors.noEvidenceReason}
                rows={2}
                maxLength={NO_EVIDENCE_REASON_MAX}
                defaultValue={values?.noEvidenceReason ?? r.answer.noEvidenceReason}
                disabled={!r.editable}
              />
            ) : null}
            {r.editable ? (
              <div className="actions">
                <SubmitButton className="button" busy={busy}>
                  Save
                </SubmitButton>
                {d.nextOpenRef ? (
                  <SubmitButton className="button button--quiet" name="next" value={d.nextOpenRef} busy={busy}>
                    Save and go to next open ({d.nextOpenRef})
                  </SubmitButton>
                ) : null}
              </div>
            ) : null}
          </Form>
        </section>
      </div>
      {r.delta ? (
        <ChangeMark
          reasons={r.delta}
          note={r.changeMark}
          canMark={Boolean(d.recertification?.canMark)}
          busy={busy}
          error={failed?.fieldErrors?.note}
          values={values?.intent === "mark-change" ? values : undefined}
        />
      ) : null}
      <section className="card" aria-labelledby="evidence-title">
        <h2 id="evidence-title">Evidence ({r.evidence.length})</h2>
        <EvidenceList files={r.evidence} canRemove={r.editable} />
        {r.editable ? (
          // Without JavaScript an upload reloads the page, and the answer's text not yet saved with it.
          <noscript>
            <p className="small" data-testid="save-before-upload">
              Save your answer before you upload: without JavaScript, uploading reloads this page and what you typed
              above and did not save is lost.
            </p>
          </noscript>
        ) : null}
        {r.editable ? (
          <div className="grid grid--2">
            <EvidenceUploader
              endpoint={`${base}/evidence?ref=${encodeURIComponent(r.ref)}`}
              maxFileBytes={d.maxFileBytes}
              resumable={{
                endpoint: "/uploads/tus",
                thresholdBytes: d.resumableThresholdBytes,
                submissionId: d.submission.id,
                ref: r.ref,
              }}
              accept=".pdf,.png,.jpg,.jpeg,.txt,.log,.json,.csv,.zip,.pcap,.pcapng"
            />
            {d.reusable.length ? (
              <Form method="post" className="uploader">
                <input type="hidden" name="intent" value="link" />
                <div className="field">
                  <label htmlFor="reuse">Or attach a file you already uploaded</label>
                  <select id="reuse" name="sha256">
                    {d.reusable.map((f) => (
                      <option key={f.sha256} value={f.sha256}>
                        {f.originalName} ({formatBytes(f.size)})
                      </option>
                    ))}
                  </select>
                </div>
                <SubmitButton className="button button--quiet" busy={busy}>
                  Attach
                </SubmitButton>
              </Form>
            ) : null}
          </div>
        ) : null}
        {r.editable ? <p className="small muted">Accepted: {ACCEPTED_LIST}.</p> : null}
      </section>
      <nav className="req-nav" aria-label="Requirements">
        {d.previousRef ? <Link to={`${base}/requirements/${d.previousRef}`}>← {d.previousRef}</Link> : <span />}
        <Link to={base}>All requirements</Link>
        {d.nextRef ? <Link to={`${base}/requirements/${d.nextRef}`}>{d.nextRef} →</Link> : <span />}
      </nav>
    </>
  );
}
