import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { formatDateTime } from "../platform/format";
import { serviceOrThrow } from "../platform/http/service-response.server";
import { requirePermission } from "../features/accounts/session.server";
import { importedAdvisoryView } from "../features/findings/csaf-import.server";
import { possiblyAffectedFirmware } from "../features/certification/sbom.server";
import { parsePurl, type AdvisoryPurl } from "../features/catalogue/domain/purl";

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
    const affected = advisory.named.filter((n) => n.group !== "fixed");
    return {
      advisory,
      // Each affected purl with how the advisory names it; each match with how the advisory named the purl it matched.
      purls: advisory.purls.map((p) => ({
        purl: p,
        how: howNamed(
          p,
          affected.filter((n) => n.purl === p),
        ),
      })),
      matches: possiblyAffectedFirmware(user, advisory.named).map((m) => ({
        ...m,
        how: howNamed(m.advisoryPurl, [{ group: m.advisoryGroup, range: m.advisoryRange ?? undefined }]),
      })),
    };
  });
}

const GROUP_WORDS: Record<string, string> = {
  known_affected: "known affected",
  first_affected: "first affected version",
  last_affected: "last affected version",
};

/** "known affected; versions vers:generic/>=3.0.0|<3.0.14": how the advisory names a purl. */
function howNamed(purl: string, groups: Pick<AdvisoryPurl, "group" | "range">[]): string {
  const words = [...new Set(groups.map((g) => GROUP_WORDS[g.group] ?? g.group))];
  const ranges = [...new Set(groups.flatMap((g) => (g.range ? [`versions ${g.range}`] : [])))];
  const noVersion = !parsePurl(purl)?.version && ranges.length === 0 ? ["no version given"] : [];
  return [...words, ...ranges, ...noVersion].join("; ");
}

export default function ImportedAdvisory() {
  const { advisory: a, purls, matches } = useLoaderData<typeof loader>();
  const checkVersion = matches.some((m) => m.match === "check_version");
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
              {a.invalidCount > 0
                ? "None of the package URLs of its affected products is valid (listed below): nothing to match against SBOMs."
                : "The document gives no package URL (product_identification_helper.purl) for an affected product: nothing to match against SBOMs."}
            </p>
          ) : (
            <ul data-testid="advisory-purls">
              {purls.map((p) => (
                <li key={p.purl}>
                  <code className="small">{p.purl}</code> <span className="small muted">({p.how})</span>
                </li>
              ))}
            </ul>
          )}
          {a.truncated > 0 ? (
            <p className="small" data-testid="advisory-truncated">
              The document names {a.truncated} more package URL{a.truncated === 1 ? "" : "s"} of affected products past
              the first {a.purls.length}: only the first {a.purls.length} are matched against SBOMs.
            </p>
          ) : null}
          {a.invalidCount > 0 ? (
            <div data-testid="advisory-invalid-purls">
              <p className="small">
                {a.invalidCount} purl value{a.invalidCount === 1 ? " is" : "s are"} not a valid package URL and{" "}
                {a.invalidCount === 1 ? "was" : "were"} left out
                {a.invalidCount > a.invalidPurls.length ? ` (the first ${a.invalidPurls.length} are listed)` : ""}:
              </p>
              <ul>
                {a.invalidPurls.map((p) => (
                  <li key={p}>
                    <code className="small">{p}</code>
                  </li>
                ))}
              </ul>
            </div>
          ) : null}
          {a.withoutPurl > 0 ? (
            <p className="small muted">
              {a.withoutPurl} affected product{a.withoutPurl === 1 ? " has" : "s have"} no package URL in the document
              and cannot be matched against SBOMs.
            </p>
          ) : null}
        </section>
      </div>
      <section className="card" aria-labelledby="matches-title">
        <h2 id="matches-title">Certified firmware possibly affected</h2>
        {matches.length === 0 ? (
          <p className="muted">
            No SBOM of certified firmware (active or suspended seal) lists one of these packages in a version this
            advisory names or may cover.
          </p>
        ) : (
          <div className="table-wrap">
            {checkVersion ? (
              <p className="small">
                &ldquo;Same package, check the version&rdquo;: the advisory names a range of versions or no version, and
                the portal could not tell from the SBOM alone whether this version is affected.
              </p>
            ) : null}
            <table data-testid="advisory-matches">
              <thead>
                <tr>
                  <th scope="col">Product and firmware</th>
                  <th scope="col">Seal</th>
                  <th scope="col">SBOM component</th>
                  <th scope="col">Match</th>
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
                    <td>
                      {m.match === "affected_version" ? "Affected version" : "Same package, check the version"}
                      <div className="small muted">
                        Advisory: <code>{m.advisoryPurl}</code> ({m.how})
                      </div>
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
