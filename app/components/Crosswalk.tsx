import { Link } from "@remix-run/react";
import { checklistShortName } from "../features/catalogue/domain/checklist/crosswalk";

export interface CrosswalkEndView {
  checklistId: string;
  /** The checklist's title; null while no version of it is imported. */
  checklistTitle: string | null;
  ref: string;
  version: string | null;
  title: string | null;
  kind: "equivalent" | "partial" | null;
}

const KIND_HINT = {
  equivalent: "The two requirements ask for the same thing",
  partial: "The two requirements overlap: one asks for more than, or something wider than, the other",
} as const;

/** The kind of a crosswalk link, as its file states it; nothing when unspecified. */
export function CrosswalkKindBadge({ kind }: { kind: "equivalent" | "partial" | null }) {
  if (!kind) return null;
  return (
    <span className={`badge crosswalk__kind${kind === "equivalent" ? " badge--info" : ""}`} title={KIND_HINT[kind]}>
      {kind}
    </span>
  );
}

function End({ end }: { end: CrosswalkEndView }) {
  const name = (
    <>
      <code>{end.checklistId}</code> {end.ref}
    </>
  );
  if (!end.version) {
    // checklistTitle is known once some version of that checklist is imported: then none of them has the ref.
    const why = end.checklistTitle
      ? `No imported version of ${checklistShortName(end.checklistId)} has requirement ${end.ref}`
      : "That checklist is not imported yet";
    return (
      <span className="crosswalk__end crosswalk__end--unresolved" title={why}>
        {end.checklistId}:{end.ref} <span className="badge badge--warn">unresolved</span>
      </span>
    );
  }
  return (
    <Link
      className="crosswalk__end"
      to={`/checklists/${end.checklistId}/${end.version}#req-${end.ref}`}
      title={end.checklistTitle ?? undefined}
    >
      {name}
      {end.title ? <span className="muted"> — {end.title}</span> : null}{" "}
      <span className="muted small">(v{end.version})</span>
    </Link>
  );
}

/** A requirement's crosswalk, both ways: what it maps to, and what maps to it. */
export function CrosswalkLinks({ mapsTo, mappedFrom }: { mapsTo: CrosswalkEndView[]; mappedFrom: CrosswalkEndView[] }) {
  if (!mapsTo.length && !mappedFrom.length) return null;
  return (
    <div className="crosswalk">
      {mapsTo.length ? (
        <div>
          <span className="crosswalk__label">Maps to</span>
          <ul>
            {mapsTo.map((e) => (
              <li key={`${e.checklistId}:${e.ref}`}>
                <End end={e} /> <CrosswalkKindBadge kind={e.kind} />
              </li>
            ))}
          </ul>
        </div>
      ) : null}
      {mappedFrom.length ? (
        <div>
          <span className="crosswalk__label">Mapped from</span>
          <ul>
            {mappedFrom.map((e) => (
              <li key={`${e.checklistId}@${e.version}:${e.ref}`}>
                <End end={e} /> <CrosswalkKindBadge kind={e.kind} />
              </li>
            ))}
          </ul>
        </div>
      ) : null}
    </div>
  );
}
