import type { LevelApplicability } from "../features/catalogue/domain/checklist/schema";

const LABEL: Record<LevelApplicability, string> = {
  mandatory: "Mandatory",
  advisory: "Advisory",
  not_required: "Not required",
};
const CLASS: Record<LevelApplicability, string> = {
  mandatory: "badge badge--brand",
  advisory: "badge badge--info",
  not_required: "badge",
};

export function ApplicabilityBadge({ value }: { value: LevelApplicability }) {
  return <span className={CLASS[value]}>{LABEL[value]}</span>;
}

/** "class-0 advisory · class-2+ mandatory" style summary of a requirement's `applies`. */
export function AppliesSummary({
  applies,
  levels,
}: {
  applies: Record<string, "mandatory" | "advisory">;
  levels: { id: string; title: string }[];
}) {
  return (
    <span className="applies">
      {levels.map((l) => (
        <span key={l.id} className="applies__item" title={l.title}>
          <span className="applies__level">{l.id}</span> <ApplicabilityBadge value={applies[l.id] ?? "not_required"} />
        </span>
      ))}
    </span>
  );
}
