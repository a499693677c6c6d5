import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { readForm } from "../platform/http/request-body.server";
import { redirect } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation, useSearchParams } from "@remix-run/react";
import { FieldGroup, FormError, Notice, TextareaField } from "../components/Field";
import { DecisionBadge, FilePreview } from "../components/RecurringEvidence";
import { StandingBadge } from "../components/RecurringStatus";
import { attempt, failure } from "../platform/http/action-errors.server";
import { formatDate, formatDateTime } from "../platform/format";
import { formValues, parseForm } from "../platform/forms";
import { serviceOrThrow } from "../platform/http/service-response.server";
import { requirePermission } from "../features/accounts/session.server";
import {
  decideRecurringEvidence,
  evidenceTextPreview,
  recurringEvidenceView,
} from "../features/monitoring/recurring-evidence.server";
import { recurringDecisionInput } from "../features/monitoring/forms";
import { SubmitButton } from "../components/SubmitButton";

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  {
    title: data
      ? `${data.evidence.requirementRef} recurring evidence — ${data.seal.product} — IoT Seal`
      : "Recurring evidence — IoT Seal",
  },
];

/** One piece of recurring evidence to check: the file and its hash, the requirement, the previous accepted evidence; accept or reject. */
export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const user = await requirePermission(request, context, "assessor.workspace");
  const view = serviceOrThrow(() => recurringEvidenceView(user, params.evidenceId ?? ""));
  return { ...view, text: await evidenceTextPreview(view.evidence) };
}

export async function action({ request, context, params }: ActionFunctionArgs) {
  const user = await requirePermission(request, context, "assessor.workspace");
  const form = await readForm(request);
  const parsed = parseForm(recurringDecisionInput, form);
  if (!parsed.ok) return failure("Check the highlighted fields.", parsed.fieldErrors, parsed.values);
  const id = params.evidenceId ?? "";
  const r = await attempt(() => decideRecurringEvidence(user, id, parsed.data), formValues(form));
  if (!r.ok) return r.response;
  const done = new URLSearchParams({
    decided: r.value.status,
    ...(r.value.nextDueAt ? { next: r.value.nextDueAt.toISOString().slice(0, 10) } : {}),
    ...(r.value.sealChange ? { seal: r.value.sealChange } : {}),
  });
  throw redirect(`/assessor/recurring/${id}?${done}`);
}

/**
 * The notice after a decision, from the redirect's query: shown only when the evidence is in the
 * state it names (a crafted or stale link states nothing the record does not), the date only when
 * it is one. A rejection says what the requirement's standing now means for the seal, from the
 * record (`now`: overdue, the seal suspended; in its grace period until when; or when it is due).
 */
function decidedNotice(params: URLSearchParams, status: string, now: string | null): string | null {
  const decided = params.get("decided");
  if (decided !== status) return null;
  if (decided === "rejected")
    return `Rejected: the supplier sees your comment. The due date has not moved.${now ? ` ${now}` : ""}`;
  if (decided !== "accepted") return null;
  const asked = params.get("next") ?? "";
  const next = /^\d{4}-\d{2}-\d{2}$/.test(asked) && !Number.isNaN(Date.parse(asked)) ? asked : null;
  const seal = params.get("seal");
  return `Accepted${next ? `: the next evidence is due on ${formatDate(next)}` : ""}.${
    seal === "reinstate"
      ? " Nothing else held the seal: it is reinstated."
      : seal === "restate"
        ? " The seal stays suspended for another reason; its public reason now says which."
        : ""
  }`;
}

export default function RecurringEvidencePage() {
  const d = useLoaderData<typeof loader>();
  const a = useActionData<typeof action>();
  const [params] = useSearchParams();
  const busy = useNavigation().state === "submitting";
  const e = d.evidence;
  const failed = a && !a.ok ? a : undefined;
  const values = (failed?.values ?? {}) as Record<string, string>;
  return (
    <>
      <p className="small">
        <Link to="/assessor/recurring">Recurring evidence to check</Link> › {d.seal.supplier} · {d.seal.product} fw{" "}
        {d.seal.firmware} · seal{" "}
        <Link to={`/seals/${d.seal.serial}`} className="mono">
          {d.seal.serial}
        </Link>
      </p>
      <div className="page-head">
        <div>
          <p className="eyebrow">
            Recurring evidence · {d.seal.checklistLabel}, level {d.seal.levelTitle}
          </p>
          <h1>
            <span className="requirement__ref">{d.requirement.ref}</span> {d.requirement.title}
          </h1>
          <p>
            Sent {formatDateTime(e.submittedAt)} by {e.submittedByName}{" "}
            <DecisionBadge status={e.status} ended={!!d.notMonitored} />
          </p>
        </div>
      </div>
      <Notice message={decidedNotice(params, e.status, d.consequenceNow)} />
      <FormError message={failed?.formError} fieldErrors={failed?.fieldErrors} />
      {d.notMonitored ? <p className="alert alert--warn">{d.notMonitored}</p> : null}
      <div className="grid grid--2">
        <section className="card" aria-labelledby="req-title">
          <h2 id="req-title">The requirement</h2>
          <p>{d.requirement.text}</p>
          {d.requirement.evidenceHint ? (
            <p className="small muted">Evidence expected: {d.requirement.evidenceHint}</p>
          ) : null}
          <p className="small">
            Fresh evidence every {d.requirement.everyDays} days; grace period {d.graceDays} days.
            {d.item ? (
              <>
                {" "}
                Due {formatDate(d.item.dueAt)}{" "}
                {/* No standing once monitoring ended: it would claim a clock that no longer runs. */}
                {d.notMonitored ? null : (
                  <StandingBadge standing={d.item.standing} daysUntilDue={d.item.daysUntilDue} />
                )}
              </>
            ) : null}
          </p>
          <h2>The supplier's note</h2>
          <p className="prewrap" data-testid="supplier-note">
            {e.note || <span className="muted">No note.</span>}
          </p>
        </section>
        <section className="card" aria-labelledby="decision-title">
          <h2 id="decision-title">Decision</h2>
          {e.status !== "pending" ? (
            <p>
              <DecisionBadge status={e.status} /> by {e.decidedByName ?? "an assessor"} on {formatDateTime(e.decidedAt)}
              {e.comment ? `: ${e.comment}` : "."}
            </p>
          ) : d.canDecide ? (
            <Form method="post" noValidate>
              <FieldGroup
                legend="Does this evidence meet the requirement now?"
                name="decision"
                error={failed?.fieldErrors?.decision}
              >
                <label className="choice">
                  <input type="radio" name="decision" value="accept" defaultChecked={values.decision === "accept"} />
                  <span>Accept: the due date moves to {d.requirement.everyDays} days after it was sent</span>
                </label>
                <label className="choice">
                  <input type="radio" name="decision" value="reject" defaultChecked={values.decision === "reject"} />
                  <span>Reject: the supplier must send other evidence.{d.ifRejected ? ` ${d.ifRejected}` : ""}</span>
                </label>
              </FieldGroup>
              <TextareaField
                label="Comment (required to reject; the supplier sees it)"
                name="comment"
                id="comment"
                rows={4}
                defaultValue={values.comment ?? ""}
                error={failed?.fieldErrors?.comment}
              />
              <SubmitButton className="button" busy={busy}>
                Record the decision
              </SubmitButton>
            </Form>
          ) : (
            <p className="muted">This evidence can no longer be decided.</p>
          )}
          <h3>History of {d.requirement.ref} on this seal</h3>
          <ul className="history" aria-label="History of this requirement">
            {d.history.map((h) => (
              <li key={h.id}>
                {h.id === e.id ? (
                  <strong>This evidence</strong>
                ) : (
                  <Link to={`/assessor/recurring/${h.id}`}>{formatDate(h.submittedAt)}</Link>
                )}
                : <DecisionBadge status={h.status} ended={!!d.notMonitored} />
                {h.decidedAt ? ` ${formatDate(h.decidedAt)}` : ""}
                {h.comment ? ` — ${h.comment}` : ""}
              </li>
            ))}
          </ul>
        </section>
      </div>
      <section className="card" aria-labelledby="file-title">
        <h2 id="file-title">The evidence</h2>
        <FilePreview
          href={`/evidence/recurring/${e.id}`}
          name={e.originalName}
          mediaType={e.mediaType}
          size={e.size}
          sha256={e.sha256}
          text={d.text}
        />
      </section>
      <section className="card" aria-labelledby="previous-title">
        <h2 id="previous-title">The previous accepted evidence</h2>
        {d.previousAccepted ? (
          <>
            <p className="small">
              Sent {formatDateTime(d.previousAccepted.submittedAt)}, accepted {formatDate(d.previousAccepted.decidedAt)}
              .
            </p>
            <FilePreview
              href={`/evidence/recurring/${d.previousAccepted.id}`}
              name={d.previousAccepted.originalName}
              mediaType={d.previousAccepted.mediaType}
              size={d.previousAccepted.size}
              sha256={d.previousAccepted.sha256}
            />
          </>
        ) : d.certifiedFiles.length ? (
          <>
            <p className="small">
              None since the seal: the evidence certified with it ({formatDate(d.seal.issuedAt)}).
            </p>
            <ul className="evidence-list">
              {d.certifiedFiles.map((f) => (
                <li key={f.id}>
                  <a href={`/evidence/${f.id}`}>{f.originalName}</a> <span className="hash">sha256 {f.sha256}</span>
                </li>
              ))}
            </ul>
          </>
        ) : (
          <p className="muted">None: no file was certified with the seal for this requirement.</p>
        )}
      </section>
    </>
  );
}
