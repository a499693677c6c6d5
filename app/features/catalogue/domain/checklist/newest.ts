/**
 * Which checklist version is the newest: the one published last, and on the same day the higher
 * version number ("3.1.3-r1" after "3.1.3", "10.0" after "9.0"). The one rule every list, crosswalk
 * and renewal uses to pick "the newest version".
 */
export interface VersionDate {
  publishedOn: string;
  version: string;
}

/** Newest first: by publication date, then by version number. For Array.prototype.sort. */
export const byNewest = (a: VersionDate, b: VersionDate): number =>
  b.publishedOn.localeCompare(a.publishedOn) || b.version.localeCompare(a.version, undefined, { numeric: true });

/** The newest of `versions` (byNewest), or undefined when there is none. */
export function newestOf<V extends VersionDate>(versions: readonly V[]): V | undefined {
  return [...versions].sort(byNewest)[0];
}
