import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { readForm } from "../platform/http/request-body.server";
import { Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { Notice } from "../components/Field";
import { categoryLabel, PolicyForm } from "../components/PolicyForm";
import { attempt, failure, sentTwice } from "../platform/http/action-errors.server";
import { formValues } from "../platform/forms";
import { requirePermission } from "../features/accounts/session.server";
import {
  deletedPolicyName,
  listPolicies,
  policyCatalog,
  policyFromForm,
  savePolicy,
} from "../features/retail/policies.server";

export const meta: MetaFunction = () => [{ title: "Acceptance policies — IoT Seal" }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const user = await requirePermission(request, context, "retailer.workspace");
  // After "Delete this policy" (which redirects here with its id), the page says which policy went.
  const deleted = deletedPolicyName(user, new URL(request.url).searchParams.get("deleted") ?? "");
  return {
    policies: listPolicies(user),
    catalog: policyCatalog(),
    notice: deleted === null ? null : `Policy ${deleted} deleted.`,
  };
}

export async function action({ request, context }: ActionFunctionArgs) {
  const user = await requirePermission(request, context, "retailer.workspace");
  const posted = await readForm(request);
  const twice = sentTwice(posted);
  if (twice) return twice;
  const values = formValues(posted);
  const form = policyFromForm(values);
  if (!form.ok) return failure("Check the highlighted fields.", form.fieldErrors, values);
  const r = await attempt(() => savePolicy(user, form.value), values);
  return r.ok
    ? {
        ok: true as const,
        id: r.value,
        notice: `Policy "${values.name?.trim()}" saved: every check you make now applies it.`,
      }
    : r.response;
}

export default function Policies() {
  const { policies, catalog, notice } = useLoaderData<typeof loader>();
  const a = useActionData<typeof action>();
  const busy = useNavigation().state === "submitting";
  return (
    <>
      <div className="page-head">
        <div>
          <p className="eyebrow">Retail buyer</p>
          <h1>Acceptance policies</h1>
          <p>
            What a product needs before it goes on your shelves. Every check you make —{" "}
            <Link to="/verify">one seal</Link>, a <Link to="/retailer/verify/bulk">bulk CSV</Link>, the API with your
            organisation's <Link to="/retailer/api">token</Link>, your <Link to="/retailer/watchlist">watchlist</Link> —
            says "meets" or names the exact clauses a seal misses. A watched product that stops meeting a policy raises
            an event and a webhook, like a status change.
          </p>
        </div>
      </div>
      <Notice message={a?.ok ? a.notice : notice} />
      <section className="card" aria-labelledby="list-title">
        <h2 id="list-title">Your policies ({policies.length})</h2>
        {policies.length === 0 ? <p className="muted">None yet: checks show only each seal's status.</p> : null}
        <div className="grid grid--2">
          {policies.map((p) => (
            <article className="card card--flat" key={p.id} data-testid="policy">
              <h3>
                <Link to={`/retailer/policies/${p.id}`}>{p.name}</Link>{" "}
                <span className="badge badge--info">{categoryLabel(p.category)}</span>
              </h3>
              <ul className="small">
                {p.summary.map((line) => (
                  <li key={line}>{line}</li>
                ))}
              </ul>
              <p className="small muted">
                On your watchlist: {p.watched.meets} seal{p.watched.meets === 1 ? " meets" : "s meet"} it,{" "}
                {p.watched.misses} {p.watched.misses === 1 ? "misses" : "miss"} it.
              </p>
            </article>
          ))}
        </div>
      </section>
      <section className="card" aria-labelledby="new-title">
        <h2 id="new-title">New policy</h2>
        {/* A saved policy empties the form (a new key mounts a fresh one). */}
        <PolicyForm
          headingLevel={3}
          key={a?.ok ? a.id : "new"}
          catalog={catalog}
          failed={a && !a.ok ? a : undefined}
          busy={busy}
          submitLabel="Save the policy"
        />
      </section>
    </>
  );
}
