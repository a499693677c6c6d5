import { Form } from "@remix-run/react";
import { ACCEPTED_TYPES, type AcceptedMediaType } from "../features/certification/domain/evidence-type";
import { formatBytes } from "../platform/format";
import { carrySourcesLabel } from "../features/certification/domain/carry-across";

export interface EvidenceItem {
  id: string;
  originalName: string;
  sha256: string;
  size: number;
  mediaType: string;
  /** Linked through the crosswalk from another submission's requirements (until its answer is checked). */
  carriedFrom?: { checklistId: string; ref: string }[] | null;
}

export function EvidenceList({ files, canRemove }: { files: EvidenceItem[]; canRemove: boolean }) {
  if (!files.length) return <p className="muted">No file attached yet.</p>;
  return (
    <ul className="evidence-list" aria-label="Attached evidence">
      {files.map((f) => (
        <li key={f.id}>
          <span>
            <a href={`/evidence/${f.id}`} download>
              {f.originalName}
            </a>{" "}
            <span className="small muted">
              {ACCEPTED_TYPES[f.mediaType as AcceptedMediaType] ?? f.mediaType}, {formatBytes(f.size)}
            </span>
            {f.carriedFrom?.length ? (
              <span className="badge badge--info" data-testid="carried-file">
                carried across from {carrySourcesLabel(f.carriedFrom)}
              </span>
            ) : null}
          </span>
          {canRemove ? (
            <Form method="post" className="inline-form">
              <input type="hidden" name="intent" value="unlink" />
              <input type="hidden" name="linkId" value={f.id} />
              <button
                className="button button--quiet button--small"
                type="submit"
                aria-label={`Remove ${f.originalName}`}
              >
                Remove
              </button>
            </Form>
          ) : null}
          <span className="hash" title="SHA-256">
            sha256 {f.sha256}
          </span>
        </li>
      ))}
    </ul>
  );
}
