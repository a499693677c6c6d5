/**
 * The static publication of the public artefacts (decision record 028): which tiles a new
 * checkpoint needs, where a URL path is stored, and the `_headers` manifest (Netlify and
 * Cloudflare Pages format) that gives each path the headers the portal sends. Pure: no I/O.
 */
import { tilePath, tilesOfTree, type TileRef } from "../../trust/domain/tiles";
import type { ArtefactHeaders } from "./artefact-headers";

/** A `_headers` rule: a URL path pattern (`:name` one segment, `*` any characters, once) and its headers. */
export interface HeaderRule {
  pattern: string;
  headers: ArtefactHeaders;
}

/**
 * The tiles and entry bundles a static copy of the log needs, once its checkpoint moves from
 * `fromSize` to `toSize`: those of the new tree that the old one did not have (full tiles never
 * change; a partial tile is a new file at each width). Partial tiles of the sizes in between are
 * not needed: a client holding such a checkpoint falls back to the full tile (C2SP tlog-tiles).
 */
export function newTiles(fromSize: number, toSize: number): TileRef[] {
  if (toSize <= fromSize) return [];
  const before = new Set(tilesOfTree(fromSize, true).map(tilePath));
  return tilesOfTree(toSize, true).filter((t) => !before.has(tilePath(t)));
}

/**
 * The file that holds a URL path below the publication's root: the path itself without its
 * leading slash, and a folder's `index.html` for a path ending in "/" (a static host's folder
 * page). Throws on a path that is not absolute or would leave the root (a bug, never input).
 */
export function storedPathOf(urlPath: string): string {
  if (!urlPath.startsWith("/") || urlPath.includes("\\") || urlPath.includes("\0"))
    throw new Error(`Not a publishable path: ${JSON.stringify(urlPath)}`);
  const segments = urlPath.slice(1).split("/");
  const last = segments.pop()!;
  if (segments.some((s) => s === "" || s === "." || s === "..") || last === "." || last === "..")
    throw new Error(`Not a publishable path: ${JSON.stringify(urlPath)}`);
  const stored = [...segments, last === "" ? "index.html" : last].join("/");
  if (stored.split("/").some((s) => s.startsWith("_") || s.includes(".tmp-")))
    throw new Error(`A publishable path never starts a segment with "_" nor holds ".tmp-": ${urlPath}`);
  return stored;
}

const escapeRegExp = (s: string) => s.replace(/[.+?^${}()|[\]\\]/g, "\\$&");

/** Whether a URL path matches a `_headers` pattern: anchored, `:name` one segment, `*` any characters. */
export function matchesPattern(pattern: string, urlPath: string): boolean {
  const source = pattern
    .split(/(\*|:[A-Za-z]\w*)/)
    .map((part) => (part === "*" ? ".*" : part.startsWith(":") ? "[^/]+" : escapeRegExp(part)))
    .join("");
  return new RegExp(`^${source}$`).test(urlPath);
}

/** The headers a host applying `rules` gives `urlPath`: those of every matching rule (they must not overlap). */
export function headersFor(rules: readonly HeaderRule[], urlPath: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const r of rules) if (matchesPattern(r.pattern, urlPath)) Object.assign(out, r.headers);
  return out;
}

/** The rules that match `urlPath`: exactly one for every published path (a test checks it). */
export const rulesMatching = (rules: readonly HeaderRule[], urlPath: string) =>
  rules.filter((r) => matchesPattern(r.pattern, urlPath));

/** The `_headers` file (Netlify, Cloudflare Pages): each pattern, then its headers indented. */
export function headersManifest(rules: readonly HeaderRule[]): string {
  const lines = [
    "# IoT Seal's public artefacts: the headers the portal sends for each path (decision record 028).",
    "# Written by the portal; do not edit.",
  ];
  for (const r of rules) {
    lines.push(r.pattern);
    for (const [name, value] of Object.entries(r.headers)) lines.push(`  ${name}: ${value}`);
  }
  return `${lines.join("\n")}\n`;
}

/** Parses a `_headers` file as written by headersManifest (for a static server, and the tests). */
export function parseHeadersManifest(text: string): HeaderRule[] {
  const rules: { pattern: string; headers: Record<string, string> }[] = [];
  for (const line of text.split("\n")) {
    if (!line.trim() || line.trimStart().startsWith("#")) continue;
    if (!/^\s/.test(line)) {
      rules.push({ pattern: line.trim(), headers: {} });
      continue;
    }
    const m = /^\s+([^:\s]+):\s*(.*)$/.exec(line);
    if (m && rules.length) rules[rules.length - 1].headers[m[1]] = m[2];
  }
  return rules;
}

/** How long to wait after the n-th failure in a row (1, 2, …): 15 s doubling, at most `capMs`. */
export function publicationBackoffMs(failures: number, capMs: number): number {
  return Math.min(capMs, 15_000 * 2 ** Math.max(0, Math.min(20, failures - 1)));
}
