import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { formatDateTime } from "../platform/format";
import { serviceOrThrow } from "../platform/http/service-response.server";
import { requirePermission } from "../features/accounts/session.server";
import { importedAdvisoryView } from "../features/findings/csaf-import.server";
import { possiblyAffectedFirmware } from "../features/certification/sbom.server";

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: `${data?.advisory.trackingId ?? "Advisory"} — third-party advisories — IoT Seal` },
];

const params = z.object({ advisoryId: z.string().uuid() });

export async function loader({ request, context, params: raw }: LoaderFunctionArgs) {
  const user = await requirePermission(request, context, "seals.manage");
  const parsed = params.safeParse(raw);
  if (!parsed.success) throw new Response("There is no such imported advisory.", { status: 404 });
  return serviceOrThrow(() => {
    const advisory = importedAdvisoryView(user, parsed.data.advisoryId);
    return { advisory, matches: possiblyAffectedFirmware(user, advisory.purls) };
  });
}

export default function ImportedAdvisory() {
  const { advisory: a, matches } = useLoaderData<typeof loader>();
  return (
    <>
      <p className="small">
        <Link to="/assessor/advisories">Third-party advisories</Link>
      </p>
      <div className="page-head">
        <div>
          <p className="eyebrow">{a.publisherName} · CSAF 2.0</p>
          <h1>
            {a.trackingId}: {a.title}
          </h1>
        </div>
      </div>
      <div className="grid grid--2">
        <section className="card" aria-labelledby="facts-title">
          <h2 id="facts-title">The advisory</h2>
          <dl className="facts">
            <dt>Publisher</dt>
            <dd>
              {a.publisherName} <span className="small muted">({a.publisherNamespace})</span>
            </dd>
            <dt>Tracking</dt>
            <dd>
              {a.trackingId}, version {a.trackingVersion}, released {a.currentReleaseDate}
            </dd>
            <dt>Received</dt>
            <dd>
              {formatDateTime(a.receivedAt)} by {a.receivedBy}
              {new Date(a.receivedAt).getTime() !== new Date(a.firstReceivedAt).getTime()
                ? ` (first on ${formatDateTime(a.firstReceivedAt)})`
                : ""}
            </dd>
            <dt>Document SHA-256</dt>
            <dd>
              <code className="small">{a.sha256}</code>
            </dd>
          </dl>
        </section>
        <section className="card" aria-labelledby="purls-title">
          <h2 id="purls-title">Affected packages</h2>
          {a.purls.length === 0 ? (
            <p className="muted">
              The document names no package URL of an affected product: nothing to match against SBOMs.
            </p>
          ) : (
            <ul data-testid="advisory-purls">
              {a.purls.map((p) => (
                <li key={p}>
                  <code className="small">{p}</code>
                </li>
              ))}
            </ul>
          )}
        </section>
      </div>
      <section className="card" aria-labelledby="matches-title">
        <h2 id="matches-title">Certified firmware possibly affected</h2>
        {matches.length === 0 ? (
          <p className="muted">No SBOM of certified firmware contains these packages.</p>
        ) : (
          <div className="table-wrap">
            <table data-testid="advisory-matches">
              <thead>
                <tr>
                  <th scope="col">Product and firmware</th>
                  <th scope="col">Seal</th>
                  <th scope="col">SBOM component</th>
                </tr>
              </thead>
              <tbody>
                {matches.map((m) => (
                  <tr key={`${m.serial}|${m.componentPurl}`}>
                    <td>
                      {m.link ? <Link to={m.link}>{m.productName}</Link> : m.productName} · fw {m.firmwareVersion}
                      {m.link ? null : (
                        <div className="small muted">Conflict of interest: another assessor checks it.</div>
                      )}
                    </td>
                    <td>
                      <Link to={`/s/${m.serial}`} className="mono">
                        {m.serial}
                      </Link>
                    </td>
                    <td>
                      <code className="small">{m.componentPurl}</code>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
    </>
  );
}
