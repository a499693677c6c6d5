import { Form, Link } from "@remix-run/react";
import type { SerializeFrom } from "@remix-run/node";
import type { SbomPanel } from "../features/certification/sbom.server";
import { sbomSubjectMismatch } from "../features/certification/domain/sbom";

/**
 * The SBOMs attached to a submission (one firmware version) and one searchable page of components.
 * `canReplace`: the requirements whose evidence the viewer may change now (the supplier's draft, or
 * those sent back for changes; none for an assessor or a frozen submission): an SBOM carried over
 * from a certified firmware is said to need replacing only where it can be.
 */
export function SbomComponents({
  panel,
  firmwareVersion,
  canReplace = [],
}: {
  panel: SerializeFrom<SbomPanel>;
  firmwareVersion: string;
  canReplace?: readonly string[];
}) {
  if (panel.sboms.length === 0) return null;
  const open = panel.open;
  const pages = open ? Math.max(1, Math.ceil(open.total / open.pageSize)) : 1;
  const href = (page: number) =>
    `?sbom=${open?.sha256 ?? ""}${open?.q ? `&sbomQ=${encodeURIComponent(open.q)}` : ""}&sbomPage=${page}#sbom-title`;
  return (
    <section className="card" aria-labelledby="sbom-title">
      <h2 id="sbom-title">SBOM of firmware {firmwareVersion}</h2>
      <ul>
        {panel.sboms.map((s) => (
          <li key={s.sha256}>
            {s.sha256 === open?.sha256 ? (
              <strong>{s.originalName}</strong>
            ) : (
              <Link to={`?sbom=${s.sha256}#sbom-title`}>{s.originalName}</Link>
            )}{" "}
            — SBOM: {s.componentCount} component{s.componentCount === 1 ? "" : "s"} ({s.format}; evidence for{" "}
            {s.requirementRefs.join(", ")})
            {s.subject ? (
              <span className="small muted" data-testid="sbom-subject">
                {" "}
                It says it describes {[s.subject.name, s.subject.version].filter(Boolean).join(" ")}.
              </span>
            ) : null}
            <SbomMismatch problem={s.certifiedFirmware ? null : sbomSubjectMismatch(s.subject, firmwareVersion)} />
            {s.certifiedFirmware ? (
              <p className="alert alert--warn small" data-testid="sbom-carried">
                Carried over unchanged from the certification of firmware {s.certifiedFirmware}: it lists that
                build&apos;s components, not firmware {firmwareVersion}&apos;s.
                {s.requirementRefs.some((ref) => canReplace.includes(ref))
                  ? ` Replace it with the SBOM of firmware ${firmwareVersion}.`
                  : null}
              </p>
            ) : null}
          </li>
        ))}
      </ul>
      {open ? (
        <>
          <Form method="get" preventScrollReset className="form-row sbom-search">
            <input type="hidden" name="sbom" value={open.sha256} />
            <div className="field">
              <label htmlFor="sbom-q">Search components</label>
              <input
                id="sbom-q"
                type="search"
                name="sbomQ"
                defaultValue={open.q}
                maxLength={100}
                placeholder="name or purl"
              />
            </div>
            <button className="button button--quiet" type="submit">
              Search
            </button>
          </Form>
          <table>
            <caption className="small">
              {open.total} component{open.total === 1 ? "" : "s"}
              {open.q ? ` matching “${open.q}”` : ""}, page {open.page} of {pages}
            </caption>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Version</th>
                <th scope="col">Package URL</th>
              </tr>
            </thead>
            <tbody>
              {open.components.map((c, i) => (
                <tr key={i}>
                  <td>{c.name}</td>
                  <td>{c.version}</td>
                  <td>
                    <code>{c.purl ?? "—"}</code>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          {pages > 1 ? (
            <p className="small">
              {open.page > 1 ? <Link to={href(open.page - 1)}>Previous</Link> : null}{" "}
              {open.page < pages ? <Link to={href(open.page + 1)}>Next</Link> : null}
            </p>
          ) : null}
        </>
      ) : null}
    </section>
  );
}

/** An SBOM that says it describes another version than the submission's firmware (domain/sbom.ts). */
function SbomMismatch({ problem }: { problem: string | null }) {
  return problem ? (
    <p className="alert alert--warn small" data-testid="sbom-mismatch">
      {problem}
    </p>
  ) : null;
}
