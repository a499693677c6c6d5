import { redirect, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { AppliesSummary } from "../components/Applicability";
import { RecurrenceNote } from "../components/RecurringStatus";
import type { DiffField, RequirementFacts } from "../features/catalogue/domain/checklist/diff";
import { CrosswalkKindBadge } from "../components/Crosswalk";
import { notFound } from "../features/accounts/session.server";
import { diffChecklistVersions, getVersionRow } from "../features/catalogue/checklists.server";

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  {
    title: data
      ? `${data.from.checklistId} ${data.from.version} → ${data.to.version} — IoT Seal`
      : "Compare versions — IoT Seal",
  },
];

const query = z.object({ from: z.string().min(1).max(40), to: z.string().min(1).max(40) });

export async function loader({ request, params }: LoaderFunctionArgs) {
  const checklistId = params.checklistId ?? "";
  const q = query.safeParse(Object.fromEntries(new URL(request.url).searchParams));
  // No versions chosen (the address typed or shared without them): the checklist's page, where its compare form is.
  if (!q.success) throw redirect(`/checklists/${encodeURIComponent(checklistId)}#diff-title`);
  if (!getVersionRow(checklistId, q.data.from) || !getVersionRow(checklistId, q.data.to))
    notFound(`${checklistId} has no version ${q.data.from} or ${q.data.to}.`);
  return diffChecklistVersions(checklistId, q.data.from, q.data.to);
}

/** How a changed field is named on its badge. */
const FIELD_LABELS: Record<DiffField, string> = {
  title: "title",
  text: "text",
  applies: "applicability",
  condition: "condition",
  recurrence: "recurrence",
  evidence: "evidence expected",
  section: "section",
  crosswalk: "crosswalk",
};

type Levels = { id: string; title: string }[];

/** One side of a requirement, read with its own version's levels. */
function Facts({ r, levels, showSection = false }: { r: RequirementFacts; levels: Levels; showSection?: boolean }) {
  return (
    <>
      <strong>{r.title}</strong>
      {showSection ? (
        <p className="small muted">
          In {r.sectionRef} {r.sectionTitle}
        </p>
      ) : null}
      <p className="small">{r.text}</p>
      {r.condition ? <p className="small">Condition: {r.condition}</p> : null}
      {r.evidenceHint ? <p className="small">Evidence expected: {r.evidenceHint}</p> : null}
      {r.recursEveryDays ? <RecurrenceNote days={r.recursEveryDays} /> : null}
      <AppliesSummary applies={r.applies} levels={levels} />
      {r.mapsTo?.length ? (
        <p className="small">
          Maps to:{" "}
          {r.mapsTo.map((l, i) => (
            <span key={l.to}>
              {i ? ", " : null}
              <code>{l.to}</code>
              {l.kind ? (
                <>
                  {" "}
                  <CrosswalkKindBadge kind={l.kind} />
                </>
              ) : null}
            </span>
          ))}
        </p>
      ) : null}
    </>
  );
}

const refList = (refs: string[]) =>
  refs.length === 1 ? refs[0] : `${refs.slice(0, -1).join(", ")} and ${refs[refs.length - 1]}`;

export default function DiffPage() {
  const { from, to, fromLevels, toLevels, diff } = useLoaderData<typeof loader>();
  const base = `/checklists/${from.checklistId}`;
  const splitInto = new Map(diff.splits.map((s) => [s.ref, s.into]));
  const splitFrom = new Map(diff.splits.flatMap((s) => s.into.map((ref) => [ref, s.ref] as const)));
  return (
    <>
      <p className="small">
        <Link to="/checklists">All checklists</Link> › <Link to={base}>{from.checklistId}</Link>
      </p>
      <div className="page-head">
        <div>
          <p className="eyebrow">Compare versions</p>
          <h1>
            {from.checklistId}: <Link to={`${base}/${from.version}`}>{from.version}</Link> →{" "}
            <Link to={`${base}/${to.version}`}>{to.version}</Link>
          </h1>
          <p>
            <span className="badge badge--ok">{diff.added.length} added</span>{" "}
            <span className="badge badge--bad">{diff.removed.length} removed</span>{" "}
            <span className="badge badge--warn">{diff.changed.length} changed</span>{" "}
            <span className="badge">{diff.unchanged} unchanged</span>
          </p>
        </div>
      </div>
      <section className="card diff-added" aria-labelledby="added-title">
        <h2 id="added-title">Added in {to.version}</h2>
        {diff.added.length === 0 ? <p className="muted">Nothing was added.</p> : null}
        {diff.added.map((r) => (
          <div className="requirement" key={r.ref} data-ref={r.ref}>
            <h3>
              <Link to={`${base}/${to.version}#req-${r.ref}`} className="requirement__ref">
                {r.ref}
              </Link>{" "}
              <span className="muted small">
                in {r.sectionRef} {r.sectionTitle}
              </span>
              {splitFrom.has(r.ref) ? (
                <span className="badge badge--info diff-split">split from {splitFrom.get(r.ref)}</span>
              ) : null}
            </h3>
            <Facts r={r} levels={toLevels} />
          </div>
        ))}
      </section>
      <section className="card diff-removed" aria-labelledby="removed-title">
        <h2 id="removed-title">Removed since {from.version}</h2>
        {diff.removed.length === 0 ? <p className="muted">Nothing was removed.</p> : null}
        {diff.removed.map((r) => (
          <div className="requirement" key={r.ref} data-ref={r.ref}>
            <h3>
              <Link to={`${base}/${from.version}#req-${r.ref}`} className="requirement__ref">
                {r.ref}
              </Link>{" "}
              <span className="muted small">
                was in {r.sectionRef} {r.sectionTitle}
              </span>
              {splitInto.has(r.ref) ? (
                <span className="badge badge--info diff-split">split into {refList(splitInto.get(r.ref)!)}</span>
              ) : null}
            </h3>
            <Facts r={r} levels={fromLevels} />
          </div>
        ))}
      </section>
      <section className="card diff-changed" aria-labelledby="changed-title">
        <h2 id="changed-title">Changed</h2>
        {diff.changed.length === 0 ? <p className="muted">No requirement present in both versions changed.</p> : null}
        {diff.changed.map((c) => (
          <div className="requirement" key={c.ref} data-ref={c.ref}>
            <h3>
              <span className="requirement__ref">{c.ref}</span>{" "}
              {c.fields.map((f) => (
                <span className="badge badge--warn diff-field" key={f}>
                  {FIELD_LABELS[f]} changed
                </span>
              ))}
            </h3>
            <div className="table-wrap">
              <table className="diff-table">
                <thead>
                  <tr>
                    <th scope="col">{from.version}</th>
                    <th scope="col">{to.version}</th>
                  </tr>
                </thead>
                <tbody>
                  <tr>
                    <td>
                      <Facts r={c.before} levels={fromLevels} showSection={c.fields.includes("section")} />
                    </td>
                    <td>
                      <Facts r={c.after} levels={toLevels} showSection={c.fields.includes("section")} />
                    </td>
                  </tr>
                </tbody>
              </table>
            </div>
          </div>
        ))}
      </section>
    </>
  );
}
