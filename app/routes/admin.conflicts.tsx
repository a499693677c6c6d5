import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { readForm } from "../platform/http/request-body.server";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { Field, FormError, Notice, SelectField } from "../components/Field";
import { attempt, failure, unknownIntent } from "../platform/http/action-errors.server";
import { formatDate } from "../platform/format";
import { formValues, parseForm } from "../platform/forms";
import { requirePermission } from "../features/accounts/session.server";
import { declareConflict, listConflicts, removeConflict } from "../features/accounts/conflicts.server";
import { conflictInput } from "../features/accounts/forms";
import { confirmableBy, heldInReview, heldInReviewBy } from "../features/certification/review.server";

export const meta: MetaFunction = () => [{ title: "Conflicts of interest — IoT Seal administration" }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const admin = await requirePermission(request, context, "admin.users.manage");
  // Per declaration: the supplier's submissions the assessor still holds in review (another assessor takes them over).
  return { ...listConflicts(admin), held: heldInReview(admin).byConflict };
}

const removeInput = z.object({ intent: z.literal("remove"), id: z.string().min(1) });

export async function action({ request, context }: ActionFunctionArgs) {
  const admin = await requirePermission(request, context, "admin.users.manage");
  const form = await readForm(request);
  const refused = unknownIntent(form.get("intent"), [null, "remove"]);
  if (refused) return refused;
  if (form.get("intent") === "remove") {
    const parsed = parseForm(removeInput, form);
    if (!parsed.ok) return failure("That request was not understood.", parsed.fieldErrors);
    const r = await attempt(() => removeConflict(admin, parsed.data.id));
    if (!r.ok) return r.response;
    const { assessor, assessorId, organization, organizationId } = r.value;
    const waiting = confirmableBy(admin, assessorId, organizationId);
    return {
      ok: true as const,
      notice: `Declaration removed: ${assessor} is no longer declared conflicted with ${organization}.${
        waiting
          ? ` ${waiting === 1 ? "An approval of its work waits" : `${waiting} approvals of its work wait`} for a second assessor: ${assessor} has been asked to confirm ${waiting === 1 ? "it" : "them"}.`
          : ""
      }`,
    };
  }
  const parsed = parseForm(conflictInput, form);
  if (!parsed.ok) return failure("Check the highlighted fields.", parsed.fieldErrors, parsed.values);
  // A refusal (already declared, not an assessor) keeps what was chosen and typed.
  const r = await attempt(() => declareConflict(admin, parsed.data), formValues(form));
  if (!r.ok) return r.response;
  const { assessor, organization } = r.value;
  const held = heldInReviewBy(admin, parsed.data.assessorId, parsed.data.organizationId);
  return {
    ok: true as const,
    notice: `Conflict of interest recorded: ${assessor} can no longer review ${organization}'s submissions or open their evidence, nor act on its seals, recurring evidence or vulnerability reports.${
      held
        ? ` They hold ${held} of its submissions in review: another assessor can take ${held === 1 ? "it" : "them"} over from the review queue.`
        : ""
    }`,
  };
}

export default function Conflicts() {
  const d = useLoaderData<typeof loader>();
  const a = useActionData<typeof action>();
  const failed = a && !a.ok ? a : undefined;
  return (
    <>
      <div className="page-head">
        <div>
          <p className="eyebrow">Administration</p>
          <h1>Conflicts of interest</h1>
          <p>
            An assessor never assesses an organisation they belong to, or one they are declared conflicted with here (a
            former employer, a relative, a consultancy contract).
          </p>
        </div>
      </div>
      <Notice message={a?.ok ? a.notice : undefined} />
      <FormError message={failed?.formError} fieldErrors={failed?.fieldErrors} />
      <section className="card">
        {d.declarations.length === 0 ? <p className="muted">No declaration.</p> : null}
        <ul className="timeline">
          {d.declarations.map((c) => (
            <li key={c.id}>
              <time dateTime={new Date(c.createdAt).toISOString()}>{formatDate(c.createdAt)}</time>
              <span>
                <strong>{c.assessor}</strong> ↔ <strong>{c.organization}</strong>: {c.reason}{" "}
                <span className="small muted">(declared by {c.declaredBy})</span>
                {d.held[c.id] ? (
                  <span className="small" data-testid="held-in-review">
                    {" "}
                    Holds {d.held[c.id]} submission{d.held[c.id] === 1 ? "" : "s"} of this supplier in review: another
                    assessor can take {d.held[c.id] === 1 ? "it" : "them"} over from the review queue.
                  </span>
                ) : null}
              </span>
              <Form method="post" className="inline-form">
                <input type="hidden" name="intent" value="remove" />
                <input type="hidden" name="id" value={c.id} />
                <button className="button button--quiet button--small" type="submit">
                  Remove
                </button>
              </Form>
            </li>
          ))}
        </ul>
      </section>
      <section className="card" aria-labelledby="declare-title">
        <h2 id="declare-title">Declare a conflict</h2>
        <Form method="post" noValidate className="stack">
          <SelectField
            label="Assessor"
            name="assessorId"
            id="f-assessor"
            defaultValue={failed?.values?.assessorId ?? ""}
            error={failed?.fieldErrors.assessorId}
          >
            <option value="">Choose…</option>
            {d.assessors.map((x) => (
              <option key={x.id} value={x.id}>
                {x.name} ({x.email})
              </option>
            ))}
          </SelectField>
          <SelectField
            label="Supplier organisation"
            name="organizationId"
            id="f-org"
            defaultValue={failed?.values?.organizationId ?? ""}
            error={failed?.fieldErrors.organizationId}
          >
            <option value="">Choose…</option>
            {d.suppliers.map((x) => (
              <option key={x.id} value={x.id}>
                {x.name}
              </option>
            ))}
          </SelectField>
          <Field
            label="Reason"
            name="reason"
            defaultValue={failed?.values?.reason}
            error={failed?.fieldErrors.reason}
          />
          <button className="button" type="submit">
            Declare
          </button>
        </Form>
      </section>
    </>
  );
}
