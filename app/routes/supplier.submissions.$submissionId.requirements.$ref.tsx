import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { readForm } from "../platform/http/request-body.server";
import { data, redirect } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { z } from "zod";
import { ApplicabilityBadge } from "../components/Applicability";
import { EvidenceList } from "../components/EvidenceList";
import { EvidenceUploader } from "../components/EvidenceUploader";
import { FormError, Notice } from "../components/Field";
import { StatusBadge } from "../components/StatusBadge";
import { CLAIM_LABELS, CLAIMS, mayClaimNotApplicable } from "../features/certification/domain/answers";
import { ACCEPTED_LIST } from "../features/certification/domain/evidence-type";
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
  const parsed = parseForm(answerInput, form);
  if (!parsed.ok) return failure("Check the highlighted fields.", parsed.fieldErrors, parsed.values);
  const r = await attempt(() => saveAnswer(user, id, ref, parsed.data), formValues(form));
  if (!r.ok) return r.response;
  const next = safeNext(form.get("next"));
  if (next) return redirect(`/supplier/submissions/${id}/requirements/${next}`);
  return { ok: true as const, notice: "Answer saved." };
}

export default function RequirementPage() {
  const d = useLoaderData<typeof loader>();
  const a = useActionData<typeof action>();
  const busy = useNavigation().state === "submitting";
  const r = d.requirement;
  const failed = a && !a.ok ? a : undefined;
  const values = failed && "values" in failed ? (failed.values as Record<string, string> | undefined) : undefined;
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
        </section>
        <section className="card answer-form" aria-labelledby="answer-title">
          <h2 id="answer-title">Your answer</h2>
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
          {/* Keyed by requirement and revision: "save and go to next" must not carry this answer's text over. */}
          <Form method="post" noValidate key={`${r.ref}:${r.answer.revision}`}>
            <input type="hidden" name="revision" value={r.answer.revision} />
            <fieldset disabled={!r.editable}>
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
              {failed?.fieldErrors?.claim ? <p className="field__error">{failed.fieldErrors.claim}</p> : null}
            </fieldset>
            <div className="field">
              <label htmlFor="justification">Justification</label>
              <p className="field__hint">
                How the product meets it — or, for "not implemented" and "not applicable", why (required).
              </p>
              <textarea
                id="justification"
                name="justification"
                rows={5}
                defaultValue={values?.justification ?? r.answer.justification}
                disabled={!r.editable}
              />
            </div>
            {r.applicability === "mandatory" ? (
              <div className="field">
                <label htmlFor="noEvidenceReason">If no evidence file is possible, why (optional)</label>
                <textarea
                  id="noEvidenceReason"
                  name="noEvidenceReason"
                  rows={2}
                  defaultValue={values?.noEvidenceReason ?? r.answer.noEvidenceReason}
                  disabled={!r.editable}
                />
              </div>
            ) : null}
            {r.editable ? (
              <div className="actions">
                <button className="button" type="submit" disabled={busy}>
                  Save
                </button>
                {d.nextOpenRef ? (
                  <button
                    className="button button--quiet"
                    type="submit"
                    name="next"
                    value={d.nextOpenRef}
                    disabled={busy}
                  >
                    Save and go to next open ({d.nextOpenRef})
                  </button>
                ) : null}
              </div>
            ) : (
              <p className="small muted">Read-only: the submission is {d.submission.status.replace("_", " ")}.</p>
            )}
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
        />
      ) : null}
      <section className="card" aria-labelledby="evidence-title">
        <h2 id="evidence-title">Evidence ({r.evidence.length})</h2>
        <EvidenceList files={r.evidence} canRemove={r.editable} />
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
                <button className="button button--quiet" type="submit" disabled={busy}>
                  Attach
                </button>
              </Form>
            ) : null}
          </div>
        ) : null}
        <p className="small muted">Accepted: {ACCEPTED_LIST}.</p>
      </section>
      <nav className="req-nav" aria-label="Requirements">
        {d.previousRef ? <Link to={`${base}/requirements/${d.previousRef}`}>← {d.previousRef}</Link> : <span />}
        <Link to={base}>All requirements</Link>
        {d.nextRef ? <Link to={`${base}/requirements/${d.nextRef}`}>{d.nextRef} →</Link> : <span />}
      </nav>
    </>
  );
}
