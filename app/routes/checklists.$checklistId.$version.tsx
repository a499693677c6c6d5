import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, Link, useLoaderData, useSubmit } from "@remix-run/react";
import { z } from "zod";
import { AppliesSummary, ApplicabilityBadge } from "../components/Applicability";
import { CrosswalkLinks } from "../components/Crosswalk";
import { periodRange, RecurrenceNote } from "../components/RecurringStatus";
import { filterRequirements, SHOW_OPTIONS } from "../features/catalogue/domain/checklist/filter";
import { VERDICT_MODEL_DESCRIPTIONS } from "../features/catalogue/domain/checklist/verdict-model";
import { formatDate } from "../platform/format";
import { notFound } from "../features/accounts/session.server";
import { getChecklistVersion } from "../features/catalogue/checklists.server";

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: data ? `${data.meta.title} ${data.version.version} — IoT Seal` : "Checklist — IoT Seal" },
];

const query = z.object({
  level: z.string().max(64).optional().catch(undefined),
  show: z.enum(SHOW_OPTIONS).catch("all"),
  q: z.string().max(200).catch(""),
});

export async function loader({ request, params }: LoaderFunctionArgs) {
  // Public: a seal's credential identifies its checklist by this page's URL (VC Data Model 2.0 section 4.4).
  const data = getChecklistVersion(params.checklistId ?? "", params.version ?? "");
  if (!data || data.version.status === "draft") notFound("There is no such checklist version.");
  const raw = Object.fromEntries(new URL(request.url).searchParams);
  const q = query.parse({ show: "all", q: "", ...raw });
  const level = data.version.levels.some((l) => l.id === q.level) ? q.level! : data.version.levels[0].id;
  const sections = data.sections
    .map((s) => ({ ...s, requirements: filterRequirements(s.requirements, { level, show: q.show, q: q.q }) }))
    .filter((s) => s.requirements.length > 0);
  const shown = sections.reduce((n, s) => n + s.requirements.length, 0);
  return { ...data, sections, filter: { level, show: q.show, q: q.q }, shown };
}

export default function ChecklistVersionPage() {
  const d = useLoaderData<typeof loader>();
  const submit = useSubmit();
  const v = d.version;
  const levelTitle = v.levels.find((l) => l.id === d.filter.level)?.title ?? d.filter.level;
  return (
    <>
      <p className="small">
        <Link to="/checklists">All checklists</Link> › <Link to={`/checklists/${v.checklistId}`}>{d.meta.title}</Link>
      </p>
      <div className="page-head">
        <div>
          <p className="eyebrow">{d.meta.publisher}</p>
          <h1>
            {d.meta.title} <span className="muted">v{v.version}</span>
          </h1>
          <p>
            Published {formatDate(v.publishedOn)} · {v.requirementCount} requirements · seals valid{" "}
            {d.meta.validityMonths} months{" "}
            {v.status === "retired" ? (
              <span className="badge badge--warn">retired: no new submissions</span>
            ) : (
              <span className="badge badge--ok">published</span>
            )}
          </p>
        </div>
      </div>
      <section className="card">
        <dl className="facts">
          <dt>Content hash</dt>
          <dd className="hash">{v.contentHash}</dd>
          <dt>Levels</dt>
          <dd>
            {v.levels.map((l) => (
              <span key={l.id} className="level-count">
                <strong>{l.title}</strong> {l.mandatory} mandatory, {l.advisory} advisory
              </span>
            ))}
          </dd>
          <dt>Verdicts</dt>
          <dd data-testid="verdict-model">
            <strong>{VERDICT_MODEL_DESCRIPTIONS[d.meta.verdictModel].label}</strong>:{" "}
            {VERDICT_MODEL_DESCRIPTIONS[d.meta.verdictModel].description}
          </dd>
          <dt>Disclosure deadlines</dt>
          <dd>
            critical {d.meta.disclosureDays.critical} days · high {d.meta.disclosureDays.high} · medium{" "}
            {d.meta.disclosureDays.medium} · low {d.meta.disclosureDays.low}
          </dd>
          {v.recurring.count ? (
            <>
              <dt>Continuous monitoring</dt>
              <dd data-testid="recurring-summary">
                {v.recurring.count} requirement{v.recurring.count === 1 ? " needs" : "s need"} fresh evidence after the
                seal (every {periodRange(v.recurring)} days); grace period {d.meta.recurringGraceDays} days after a due
                date, then the seal is suspended until accepted evidence arrives.{" "}
                <Link to="?show=recurring">Show them</Link>
              </dd>
            </>
          ) : null}
          {d.meta.source ? (
            <>
              <dt>Source</dt>
              <dd>
                <a href={d.meta.source} rel="noreferrer noopener" target="_blank">
                  {d.meta.source}
                </a>
              </dd>
            </>
          ) : null}
          {v.retiredReason ? (
            <>
              <dt>Retired because</dt>
              <dd>{v.retiredReason}</dd>
            </>
          ) : null}
        </dl>
      </section>
      <Form
        method="get"
        className="card filters"
        role="search"
        aria-label="Filter requirements"
        onChange={(e) => {
          // Choosing a level or a filter applies it at once; the search applies on Enter or Filter.
          if (e.target instanceof HTMLSelectElement)
            submit(e.currentTarget, { replace: true, preventScrollReset: true });
        }}
      >
        <div className="form-row">
          <div className="field">
            <label htmlFor="level">Level</label>
            <select id="level" name="level" defaultValue={d.filter.level}>
              {v.levels.map((l) => (
                <option key={l.id} value={l.id}>
                  {l.title}
                </option>
              ))}
            </select>
          </div>
          <div className="field">
            <label htmlFor="show">Show</label>
            <select id="show" name="show" defaultValue={d.filter.show}>
              <option value="all">All requirements</option>
              <option value="mandatory">Mandatory at this level</option>
              <option value="advisory">Advisory at this level</option>
              <option value="not_required">Not required at this level</option>
              {v.recurring.count ? <option value="recurring">Needing fresh evidence (recurring)</option> : null}
            </select>
          </div>
          <div className="field">
            <label htmlFor="q">Search</label>
            <input id="q" name="q" type="search" defaultValue={d.filter.q} placeholder="ref, title or text" />
          </div>
          <div className="field">
            <button className="button" type="submit">
              Filter
            </button>
          </div>
        </div>
        <p className="small muted" aria-live="polite">
          Showing {d.shown} of {v.requirementCount} requirements at level {levelTitle}.
        </p>
      </Form>
      {d.sections.map((s) => (
        <section className="card" key={s.ref} aria-labelledby={`s-${s.ref}`}>
          <h2 id={`s-${s.ref}`}>
            {s.ref} {s.title}
          </h2>
          {s.requirements.map((r) => (
            <article className="requirement" id={`req-${r.ref}`} key={r.ref} aria-labelledby={`req-${r.ref}-title`}>
              <header className="requirement__head">
                <h3 id={`req-${r.ref}-title`}>
                  <span className="requirement__ref">{r.ref}</span> {r.title}
                </h3>
                <ApplicabilityBadge value={r.at} />
              </header>
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
              {r.recursEveryDays ? <RecurrenceNote days={r.recursEveryDays} /> : null}
              {v.levels.length > 1 ? <AppliesSummary applies={r.applies} levels={v.levels} /> : null}
              <CrosswalkLinks mapsTo={r.mapsTo} mappedFrom={r.mappedFrom} />
            </article>
          ))}
        </section>
      ))}
      {d.shown === 0 ? <p className="card muted">No requirement matches this filter.</p> : null}
    </>
  );
}
