import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { CrosswalkKindBadge } from "../components/Crosswalk";
import { validityWords, VerdictBadge } from "../components/SealVerdict";
import { notFound, requireRole } from "../features/accounts/session.server";
import { sealCoverageView, type CoverageBlock } from "../features/certification/coverage.server";
import {
  COVERAGE_STATUS_LABELS,
  type CoverageRow,
  type CoverageStatus,
} from "../features/catalogue/domain/checklist/coverage";
import { serviceOrThrow } from "../platform/http/service-response.server";

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  {
    title: data
      ? `Crosswalk coverage — ${data.product.name} ${data.product.firmware} — IoT Seal`
      : "Crosswalk coverage — IoT Seal",
  },
];

const params = z.object({ submissionId: z.string().trim().min(1).max(100) });

/** A certified submission read against every other checklist: the owning supplier, assessors and admins. */
export async function loader({ request, context, params: raw }: LoaderFunctionArgs) {
  const user = await requireRole(request, context, ["supplier", "assessor", "admin"]);
  const p = params.safeParse(raw);
  if (!p.success) notFound("There is no such submission.");
  const view = serviceOrThrow(() => sealCoverageView(user, p.data.submissionId));
  return {
    ...view,
    back:
      user.role === "supplier"
        ? { to: `/supplier/submissions/${view.submissionId}`, label: "Submission" }
        : user.role === "assessor"
          ? { to: `/assessor/submissions/${view.submissionId}`, label: "Review" }
          : { to: `/seals/${view.seal.serial}`, label: "Seal" },
  };
}

const STATUS_BADGE: Record<CoverageStatus, string> = {
  covered: "badge badge--ok",
  partly_covered: "badge badge--info",
  not_covered: "badge badge--warn",
};

const checklistHref = (checklistId: string, version: string, ref?: string) =>
  `/checklists/${encodeURIComponent(checklistId)}/${encodeURIComponent(version)}${ref ? `#req-${ref}` : ""}`;

function Through({ row, source }: { row: CoverageRow; source: { checklistId: string; version: string } }) {
  if (!row.via.length && !row.linkedNotMet.length) return <span className="muted">No crosswalk link</span>;
  return (
    <ul className="coverage__via">
      {row.via.map((v) => (
        <li key={v.ref}>
          <Link to={checklistHref(source.checklistId, source.version, v.ref)}>{v.ref}</Link> {v.title}{" "}
          <CrosswalkKindBadge kind={v.kind} />
        </li>
      ))}
      {row.linkedNotMet.map((v) => (
        <li key={v.ref} className="muted">
          <Link to={checklistHref(source.checklistId, source.version, v.ref)}>{v.ref}</Link> {v.title}{" "}
          <CrosswalkKindBadge kind={v.kind} />{" "}
          <em>linked but {v.shortfall === "not_in_scope" ? "not assessed at this level" : "not met here"}</em>
        </li>
      ))}
    </ul>
  );
}

function TargetBlock({ t, source }: { t: CoverageBlock; source: { checklistId: string; version: string } }) {
  const m = t.mandatory;
  return (
    <section
      className="card coverage"
      aria-labelledby={`cov-${t.checklistId}`}
      data-testid={`coverage-${t.checklistId}`}
    >
      <h2 id={`cov-${t.checklistId}`}>{t.name}</h2>
      <p className="small">
        <Link to={checklistHref(t.checklistId, t.version)}>{t.label}</Link>
      </p>
      <p className="coverage__headline" data-testid="coverage-headline">
        {t.headline}
      </p>
      {t.linked ? (
        <>
          <p className="small muted">
            Counted over all {t.all.total} requirements of {t.name} {t.version}: {t.all.covered} covered, {t.all.partly}{" "}
            partly covered, {t.all.notCovered} not covered.{" "}
            {m.total
              ? `Of the ${m.total} mandatory at its lowest level (${t.lowestLevel.title}): ${m.covered} covered, ${m.partly} partly covered, ${m.notCovered} not covered.`
              : `None is mandatory at its lowest level (${t.lowestLevel.title}).`}
          </p>
          <div className="table-wrap">
            <table className="compact">
              <thead>
                <tr>
                  <th scope="col">Requirement</th>
                  <th scope="col">Status</th>
                  <th scope="col">Through (this seal&apos;s requirements)</th>
                </tr>
              </thead>
              <tbody>
                {t.rows.map((r) => (
                  <tr key={r.ref} data-ref={r.ref}>
                    <td>
                      <Link to={checklistHref(t.checklistId, t.version, r.ref)} className="mono">
                        {r.ref}
                      </Link>{" "}
                      {r.title}
                      {r.mandatory ? null : (
                        <span className="muted small"> (not mandatory at {t.lowestLevel.title})</span>
                      )}
                    </td>
                    <td>
                      <span className={STATUS_BADGE[r.status]}>{COVERAGE_STATUS_LABELS[r.status]}</span>
                    </td>
                    <td>
                      <Through row={r} source={source} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      ) : null}
    </section>
  );
}

export default function SealCoverage() {
  const d = useLoaderData<typeof loader>();
  return (
    <>
      <p className="small">
        <Link to={d.back.to}>{d.back.label}</Link>
      </p>
      <div className="page-head">
        <div>
          <p className="eyebrow">Crosswalk coverage</p>
          <h1>
            {d.product.name} <span className="muted">firmware {d.product.firmware}</span>
          </h1>
          <p>
            Seal <span className="mono">{d.seal.serial}</span> <VerdictBadge verdict={d.seal.verdict} /> (
            {validityWords(d.seal.verdict, d.seal.validUntil)}), certified against {d.source.name} (
            <Link to={checklistHref(d.source.checklistId, d.source.version)}>{d.source.label}</Link>), level{" "}
            {d.source.level.title}: {d.sourceCounts.met} of its {d.sourceCounts.inScope} requirements in scope met.
          </p>
        </div>
      </div>
      <div className="card">
        <p>
          What this certified assessment says about other checklists, through the crosswalk links between them (either
          checklist may state a link). A requirement of the other checklist is <strong>covered</strong> when a
          requirement this seal met is linked to it as <em>equivalent</em>; <strong>partly covered</strong> when the
          only links from met requirements are <em>partial</em> or of unspecified kind; <strong>not covered</strong>{" "}
          otherwise. Met means passed, or judged not applicable where that is allowed; an advisory requirement that
          failed, with its justification accepted for approval, is not met. Each checklist is read in its newest
          published version; counts are over all its requirements, with those mandatory at its lowest level also counted
          on their own.
        </p>
        <p className="small muted">
          Coverage through a crosswalk is an indication, not a certification against the other checklist.
        </p>
      </div>
      {d.targets.length ? (
        d.targets.map((t) => <TargetBlock key={t.checklistId} t={t} source={d.source} />)
      ) : (
        <p className="card muted">No other checklist is published yet.</p>
      )}
    </>
  );
}
