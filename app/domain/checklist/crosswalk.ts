/** Crosswalk targets: `<checklist-id>:<ref>` strings from a requirement's maps_to. */
export interface CrosswalkTarget {
  checklistId: string;
  ref: string;
}

export function parseCrosswalkTarget(value: string): CrosswalkTarget | null {
  const i = value.indexOf(":");
  if (i <= 0 || i === value.length - 1) return null;
  return { checklistId: value.slice(0, i), ref: value.slice(i + 1) };
}

/**
 * Which version of the target checklist a link resolves to: the newest published version that
 * contains the ref, else the newest retired one; null while no imported version has it.
 */
export function resolveCrosswalk<V extends { version: string; publishedOn: string; status: string; refs: ReadonlySet<string> }>(
  versions: readonly V[],
  ref: string,
): V | null {
  const holding = versions.filter((v) => v.refs.has(ref));
  const newestFirst = (a: V, b: V) => b.publishedOn.localeCompare(a.publishedOn) || b.version.localeCompare(a.version, undefined, { numeric: true });
  return holding.filter((v) => v.status === "published").sort(newestFirst)[0] ?? holding.filter((v) => v.status === "retired").sort(newestFirst)[0] ?? null;
}
