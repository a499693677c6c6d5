import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { readForm } from "../platform/http/request-body.server";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { z } from "zod";
import { ConfirmTick, Field, FormError, Notice, TextareaField } from "../components/Field";
import { ClockBadge, FindingStatusBadge, SeverityBadge } from "../components/FindingBits";
import { FindingDisclosurePanel } from "../components/FindingDisclosure";
import {
  isOpen,
  MAX_EXTENSION_REASON,
  MIN_EXTENSION_REASON,
  FINDING_UPDATE_LABELS,
  severityVersusCvss,
  type FindingAction,
} from "../features/findings/domain/findings";
import { attempt, failure, sentTwice } from "../platform/http/action-errors.server";
import { formatDate, formatDateTime } from "../platform/format";
import { formValues } from "../platform/forms";
import { serviceOrThrow } from "../platform/http/service-response.server";
import { requireRole } from "../features/accounts/session.server";
import { publishAdvisory } from "../features/findings/disclosure.server";
import { actOnFinding, extendFindingDeadline, findingView } from "../features/findings/findings.server";
import { extensionInput, findingActionInput, publishAdvisoryInput } from "../features/findings/forms";
import { fixStateLabel } from "../features/findings/domain/update-required";
import { overdueSealsText } from "../features/findings/domain/overdue-seals";
import {
  correctCraAwareAt,
  craView,
  flagCraReport,
  recordAuthorityReport,
  removeCraFlag,
} from "../features/findings/cra-reporting.server";
import { validSealOfProductFirmware } from "../features/findings/advisories.server";
import { authorityReportInput, craCorrectInput, craFlagInput, craUnflagInput } from "../features/findings/forms";
import { craFlaggedNotice } from "../features/findings/domain/cra-clocks";
import { CraReportingPanel } from "../components/CraClocks";
import { SubmitButton } from "../components/SubmitButton";

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: data ? `${data.finding.title} — IoT Seal` : "Vulnerability report — IoT Seal" },
];

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const user = await requireRole(request, context, ["supplier", "assessor", "admin"]);
  return serviceOrThrow(() => {
    const view = findingView(user, params.findingId ?? "");
    return {
      ...view,
      cra: craView(user, params.findingId ?? ""), // CRA Article 14 reporting clocks
      // A verified fix certifies no firmware: its firmware is called certified only with a valid seal of its own.
      fixSeal: view.fix.state === "certified" ? validSealOfProductFirmware(view.product.id, view.fix.version) : null,
      viewerIsSupplier: user.role === "supplier",
      severityNote: severityVersusCvss(view.finding), // "High" beside a 6.5 (Medium) score, explained
    };
  });
}

const DONE: Record<FindingAction | "extend", string> = {
  acknowledge: "Acknowledged.",
  start_fix: "Marked as fix in progress.",
  mark_fixed: "Marked fixed; an assessor will verify the fix.",
  verify_fix: "Fix verified: the report is closed.",
  reject_fix: "Fix rejected: back to fix in progress.",
  withdraw: "Report withdrawn.",
  extend: "Deadline extended.",
};

const REASON_TOO_SHORT = `Explain why the deadline is extended (at least ${MIN_EXTENSION_REASON} characters).`;

/**
 * The extension form. The reason's length is the domain's rule (extendDeadline), checked here as
 * well so that its message is shown on the reason: the service reports every extension problem on
 * the deadline field.
 */
const extensionForm = extensionInput.extend({
  reason: z
    .string({ message: REASON_TOO_SHORT })
    .trim()
    .min(MIN_EXTENSION_REASON, REASON_TOO_SHORT)
    .max(MAX_EXTENSION_REASON, `Keep the reason to ${MAX_EXTENSION_REASON} characters or fewer.`),
});

/**
 * A form's problems, each on its field of the page, in the schema's plain words; one without a field
 * there (the report's hidden version: the form is stale or broken, not a field wrong) is the form's message.
 */
function formFailure(
  issues: { path: PropertyKey[]; message: string }[],
  fields: readonly string[],
  formError: string,
  values: Record<string, string>,
) {
  const all = Object.entries(fieldErrorsOf(issues));
  const elsewhere = all.find(([name]) => !fields.includes(name));
  return failure(
    elsewhere?.[1] ?? formError,
    Object.fromEntries(all.filter(([name]) => fields.includes(name))),
    values,
  );
}

export async function action({ request, context, params }: ActionFunctionArgs) {
  const user = await requireRole(request, context, ["supplier", "assessor", "admin"]);
  const form = await readForm(request);
  const twice = sentTwice(form);
  if (twice) return twice;
  const values = formValues(form);
  const id = params.findingId ?? "";
  if (values.intent === "extend") {
    const parsed = extensionForm.safeParse(values);
    if (!parsed.success)
      return formFailure(parsed.error.issues, ["deadline", "reason"], "Check the new deadline and the reason.", values);
    const r = await attempt(() => extendFindingDeadline(user, id, parsed.data), values);
    return r.ok ? { ok: true as const, notice: DONE.extend } : r.response;
  }
  if (typeof values.intent === "string" && CRA_INTENTS.has(values.intent)) return craAction(user, id, values);
  if (values.intent === "publish") {
    const parsed = publishAdvisoryInput.safeParse(values);
    if (!parsed.success) return failure("Check the confirmation.", { confirm: parsed.error.issues[0].message }, values);
    const r = await attempt(() => publishAdvisory(user, id, parsed.data), values);
    return r.ok
      ? {
          ok: true as const,
          notice: `Advisory ${r.value.advisoryId} published: it is on the product's public seal pages now.`,
        }
      : r.response;
  }
  const parsed = findingActionInput.safeParse({ ...values, fixedInVersion: values.fixedInVersion || undefined });
  if (!parsed.success) return formFailure(parsed.error.issues, ["note", "fixedInVersion"], "Check the form.", values);
  // A withdrawal is final: asked first (a tick box, so it works without JavaScript).
  if (parsed.data.action === "withdraw" && values.confirmWithdraw !== "yes")
    return failure(
      "Tick the box to confirm the withdrawal.",
      { confirmWithdraw: "Tick the box: a withdrawn report is closed for good." },
      values,
    );
  const r = await attempt(() => actOnFinding(user, id, parsed.data), values);
  if (!r.ok) return r.response;
  if (parsed.data.action === "withdraw") return { ok: true as const, notice: withdrawnNotice(user, id) };
  // "Fixed in" a firmware the product does not have: the answer says how to get the fix certified.
  return { ok: true as const, notice: r.value.notice ? `Marked fixed. ${r.value.notice}` : DONE[parsed.data.action] };
}

const CRA_INTENTS = new Set(["cra_flag", "cra_correct", "cra_unflag", "cra_report"]);

/**
 * CRA Article 14: flag the report, correct when the supplier became aware, remove a flag, or record
 * a submission to the authority. Each form carries the report's version (a stale page is refused).
 */
async function craAction(user: Parameters<typeof findingView>[0], id: string, values: Record<string, string>) {
  if (values.intent === "cra_flag") {
    const parsed = craFlagInput.safeParse(values);
    if (!parsed.success)
      return formFailure(
        parsed.error.issues,
        ["activelyExploited", "awareAt", "incidentAwareAt"],
        "Check the flags.",
        values,
      );
    const r = await attempt(() => flagCraReport(user, id, parsed.data), values);
    if (!r.ok) return r.response;
    return {
      ok: true as const,
      notice: craFlaggedNotice(r.value.flagged),
    };
  }
  if (values.intent === "cra_correct") {
    const parsed = craCorrectInput.safeParse(values);
    if (!parsed.success) return formFailure(parsed.error.issues, ["awareAt"], "Check when you became aware.", values);
    const r = await attempt(() => correctCraAwareAt(user, id, parsed.data), values);
    return r.ok
      ? { ok: true as const, notice: "Corrected: the clocks now run from the time you entered." }
      : r.response;
  }
  if (values.intent === "cra_unflag") {
    const parsed = craUnflagInput.safeParse(values);
    if (!parsed.success) return formFailure(parsed.error.issues, ["reason"], "Check the reason.", values);
    const r = await attempt(() => removeCraFlag(user, id, parsed.data), values);
    return r.ok
      ? {
          ok: true as const,
          notice: "Flag removed: its clocks have stopped. The audit log keeps the removal and your reason.",
        }
      : r.response;
  }
  const parsed = authorityReportInput.safeParse(values);
  if (!parsed.success)
    return formFailure(
      parsed.error.issues,
      ["subject", "kind", "submittedAt", "reference"],
      "Check the submission.",
      values,
    );
  const r = await attempt(() => recordAuthorityReport(user, id, parsed.data), values);
  return r.ok ? { ok: true as const, notice: "Submission to the authority recorded." } : r.response;
}

function fieldErrorsOf(issues: { path: PropertyKey[]; message: string }[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const i of issues) out[String(i.path[0] ?? "form")] ??= i.message;
  return out;
}

/** What a withdrawal did: closed the report; an advisory already public stays public, marked. */
function withdrawnNotice(user: Parameters<typeof findingView>[0], id: string): string {
  const d = findingView(user, id).disclosure;
  return d.public
    ? `The report is withdrawn and closed. Its advisory ${d.advisoryId} was already public and stays public, marked "withdrawn": a published advisory cannot be un-published.`
    : "The report is withdrawn and closed. It was never disclosed: nothing about it is public.";
}

const ACTION_TEXT: Record<FindingAction, { button: string; note: string; danger?: boolean }> = {
  acknowledge: { button: "Acknowledge", note: "Note (optional)" },
  start_fix: { button: "Fix in progress", note: "What you are doing (optional)" },
  mark_fixed: { button: "Fixed in version…", note: "What changed (optional)" },
  verify_fix: { button: "Verify the fix (close)", note: "How it was verified" },
  reject_fix: { button: "Reject the fix", note: "Why the fix is not enough", danger: true },
  withdraw: { button: "Withdraw the report", note: "Why (e.g. a duplicate, not reproducible)", danger: true },
};

export default function FindingPage() {
  const d = useLoaderData<typeof loader>();
  const a = useActionData<typeof action>();
  const nav = useNavigation();
  const f = d.finding;
  const failed = a && !a.ok ? a : null;
  return (
    <>
      <div className="page-head">
        <div>
          <p className="eyebrow">
            <Link to="/findings">Vulnerability reports</Link> · {d.product.name} ({d.product.model})
          </p>
          <h1>{f.title}</h1>
          <p>
            <SeverityBadge severity={f.severity} /> <FindingStatusBadge status={f.status} /> Reported{" "}
            {formatDate(f.reportedAt)} by {f.reporter}.
          </p>
        </div>
      </div>
      <Notice message={a?.ok ? a.notice : undefined} />
      <FormError message={failed?.formError} />
      <section className={d.blocking ? "alert alert--error" : "alert alert--info"} aria-label="Disclosure clock">
        <strong>Disclosure deadline {formatDateTime(f.deadline)}</strong>{" "}
        <ClockBadge clock={d.clock} closed={!isOpen(f.status)} />
        {d.blocking ? <p>This report is overdue. {overdueSealsText(d.heldSeals)}</p> : null}
        {isOpen(f.status) && !d.blocking && (f.severity === "critical" || f.severity === "high") ? (
          <p className="small">
            If it is still open at the deadline, the seals of the affected versions are suspended automatically.
          </p>
        ) : null}
      </section>
      <CraReportingPanel cra={d.cra} errors={failed?.fieldErrors} values={failed?.values} busy={nav.state !== "idle"} />
      <div className="grid grid--2">
        <section className="card" aria-labelledby="details-title">
          <h2 id="details-title">Details</h2>
          <p className="prewrap">{f.description}</p>
          <dl className="facts">
            <dt>Affected versions</dt>
            <dd>
              {d.versions.map((v) => `firmware ${v.firmwareVersion} (hardware ${v.hardwareRevision})`).join(", ")}
            </dd>
            {f.affectedPurls.length ? (
              <>
                <dt>Affected components</dt>
                <dd data-testid="affected-purls">
                  {f.affectedPurls.map((p, i) => (
                    <span key={p}>
                      {i > 0 ? <br /> : null}
                      <code className="small">{p}</code>
                    </span>
                  ))}
                </dd>
              </>
            ) : null}
            {f.cvssVector ? (
              <>
                <dt>CVSS 3.1</dt>
                <dd>
                  <strong>{f.cvssScore?.toFixed(1)}</strong> <code className="small">{f.cvssVector}</code>
                  {d.severityNote ? (
                    <p className="small muted" data-testid="severity-vs-cvss">
                      {d.severityNote}
                    </p>
                  ) : null}
                </dd>
              </>
            ) : null}
            {d.fix.state !== "none" ? (
              <>
                <dt>Fixed in</dt>
                <dd data-testid="fix-state">
                  {fixStateLabel(d.fix, d.fixSeal !== null)}
                  {d.fixSeal ? (
                    <>
                      {" "}
                      (seal{" "}
                      <Link to={`/s/${d.fixSeal}`} className="mono">
                        {d.fixSeal}
                      </Link>
                      )
                    </>
                  ) : null}
                </dd>
              </>
            ) : null}
            <dt>Seals</dt>
            <dd>
              {d.affectedSeals.length === 0
                ? "none"
                : d.affectedSeals.map((s) => (
                    <span key={s.serial}>
                      <Link to={`/s/${s.serial}`} className="mono">
                        {s.serial}
                      </Link>{" "}
                      ({s.state}){" "}
                    </span>
                  ))}
            </dd>
          </dl>
        </section>
        <section className="card" aria-labelledby="respond-title">
          <h2 id="respond-title">{d.actions.length ? "Respond" : "Status"}</h2>
          {d.fix.state === "announced" && !d.fix.registered ? (
            // The fix is in a firmware the product does not have: nobody can verify it until the supplier registers it.
            d.viewerIsSupplier ? (
              <div className="alert alert--warn" data-testid="register-fix-version">
                <p>
                  <strong>Your turn: register firmware {d.fix.version}.</strong> An assessor cannot verify the fix until{" "}
                  {d.fix.version} is a version of {d.product.name}. Add it on the{" "}
                  <Link to={`/supplier/products/${d.product.id}`}>product&apos;s page</Link> (Add a version), then start
                  its re-certification (&ldquo;Re-certify from seal …&rdquo; on that version): its approval certifies
                  the fix, or an assessor verifies the fix once the version is registered.
                </p>
              </div>
            ) : (
              <p className="small" data-testid="register-fix-version">
                Firmware {d.fix.version} is not registered on the product: the fix can be verified once the supplier
                registers it (it can be rejected now).
              </p>
            )
          ) : d.actions.length === 0 && !d.canExtend ? (
            <p className="muted">
              Nothing to do here: {isOpen(f.status) ? "waiting for the other side." : "the report is closed."}
            </p>
          ) : null}
          {d.actions.map((act) => {
            const t = ACTION_TEXT[act as FindingAction];
            return (
              <Form method="post" key={act} className="stack status-change" aria-label={t.button}>
                <input type="hidden" name="action" value={act} />
                <input type="hidden" name="version" value={f.version} />
                {act === "mark_fixed" ? (
                  <Field
                    id="fixedInVersion"
                    name="fixedInVersion"
                    label="Firmware version with the fix"
                    defaultValue={failed?.values?.fixedInVersion ?? ""}
                    error={failed?.values?.action === act ? failed.fieldErrors?.fixedInVersion : undefined}
                  />
                ) : null}
                <TextareaField
                  id={`note-${act}`}
                  name="note"
                  label={t.note}
                  rows={2}
                  defaultValue={failed?.values?.action === act ? failed.values.note : undefined}
                  error={failed?.values?.action === act ? failed.fieldErrors?.note : undefined}
                />
                {act === "withdraw" ? (
                  <div className={failed?.fieldErrors?.confirmWithdraw ? "field field--error" : "field"}>
                    <p className="small" id="withdraw-effect">
                      {d.disclosure.public
                        ? `Its advisory ${d.disclosure.advisoryId ?? ""} is already public and stays public, marked "withdrawn after disclosure": a published advisory cannot be un-published.`
                        : "Nothing about it has been published; after the withdrawal nothing ever will be."}{" "}
                      The report is closed for good (a new problem is a new report).
                    </p>
                    <ConfirmTick
                      name="confirmWithdraw"
                      id="confirm-withdraw"
                      required={false}
                      small={false}
                      describedBy="withdraw-effect"
                      error={failed?.fieldErrors?.confirmWithdraw}
                    >
                      I understand: withdraw this report
                    </ConfirmTick>
                  </div>
                ) : null}
                <SubmitButton className={t.danger ? "button button--danger" : "button"} busy={nav.state !== "idle"}>
                  {t.button}
                </SubmitButton>
              </Form>
            );
          })}
          {d.canExtend ? (
            <Form method="post" className="stack status-change" aria-label="Extend the deadline">
              <input type="hidden" name="intent" value="extend" />
              <input type="hidden" name="version" value={f.version} />
              <Field
                id="deadline"
                name="deadline"
                type="date"
                label="New deadline"
                defaultValue={failed?.values?.deadline ?? ""}
                error={failed?.values?.intent === "extend" ? failed.fieldErrors?.deadline : undefined}
              />
              <TextareaField
                id="reason"
                name="reason"
                label="Reason for the extension"
                rows={2}
                defaultValue={failed?.values?.reason ?? ""}
                error={failed?.values?.intent === "extend" ? failed.fieldErrors?.reason : undefined}
              />
              <SubmitButton className="button button--quiet" busy={nav.state !== "idle"}>
                Extend the deadline
              </SubmitButton>
            </Form>
          ) : null}
        </section>
      </div>
      <FindingDisclosurePanel
        disclosure={d.disclosure}
        severity={f.severity}
        craFlagged={d.cra.publicFlag}
        version={f.version}
        error={failed?.fieldErrors?.confirm}
        busy={nav.state !== "idle"}
      />
      <section className="card" aria-labelledby="history-title">
        <h2 id="history-title">History</h2>
        <ul className="timeline">
          {d.history.map((h) => (
            <li key={h.id}>
              <time dateTime={new Date(h.at).toISOString()}>{formatDateTime(h.at)}</time>
              <span>
                <strong>{FINDING_UPDATE_LABELS[h.kind] ?? h.kind.replace(/_/g, " ")}</strong>{" "}
                {/* Recorded now, reported earlier (a bug bounty's report entered later): both dates, as the header says. */}
                {h.kind === "reported" && formatDate(h.at) !== formatDate(f.reportedAt)
                  ? `(reported on ${formatDate(f.reportedAt)}). `
                  : ""}
                {h.fixedInVersion ? `in firmware ${h.fixedInVersion}. ` : ""}
                {h.newDeadline && h.kind === "deadline_extended"
                  ? `New deadline ${formatDateTime(h.newDeadline)}. `
                  : ""}
                {h.note} <span className="muted small">{h.actorLabel}</span>
              </span>
            </li>
          ))}
        </ul>
      </section>
    </>
  );
}
