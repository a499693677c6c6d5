/**
 * Reading a checklist file: YAML syntax, then the schema, then the path rules (id = folder,
 * version = file name). Every problem is reported at once, each with its line, column and path.
 */
import { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node } from "yaml";
import type { z } from "zod";
import { checklistFileSchema, crossFieldProblems, type ChecklistFile, type RuleProblem } from "./schema";
import { unknownCrosswalkTargets, type KnownRefs } from "./crosswalk";
import { formatBytes } from "../../../../platform/format";

export interface ChecklistProblem {
  line: number; // 1-based
  col: number; // 1-based
  path: string; // e.g. sections[2].requirements[4].applies
  message: string;
}

export type ParseResult = { ok: true; file: ChecklistFile } | { ok: false; problems: ChecklistProblem[] };

export interface ExpectedLocation {
  /** The folder name the file sits in: the id must equal it. */
  folder?: string;
  /** The file name without .yaml: the version must equal it. */
  fileStem?: string;
}

/** The largest checklist file read (a real one is a few hundred KiB at most): the import page refuses more too. */
export const CHECKLIST_MAX_BYTES = 1024 * 1024;

export function formatPath(path: readonly PropertyKey[]): string {
  let out = "";
  for (const part of path) {
    if (typeof part === "number") out += `[${part}]`;
    else out += out ? `.${String(part)}` : String(part);
  }
  return out || "(file)";
}

export interface ParseContext {
  /**
   * The refs of the checklists already imported: with it, a crosswalk target whose checklist is
   * imported but has no such ref in any version is a problem (see unknownCrosswalkTargets).
   */
  knownRefs?: KnownRefs;
}

export function parseChecklistText(
  source: string,
  expected: ExpectedLocation = {},
  context: ParseContext = {},
): ParseResult {
  if (Buffer.byteLength(source) > CHECKLIST_MAX_BYTES) {
    return {
      ok: false,
      problems: [
        { line: 1, col: 1, path: "(file)", message: `the file is larger than ${formatBytes(CHECKLIST_MAX_BYTES)}` },
      ],
    };
  }
  const lineCounter = new LineCounter();
  const doc = parseDocument(source, { lineCounter, prettyErrors: false, uniqueKeys: true, strict: true });
  const pos = (offset: number) => lineCounter.linePos(offset);

  if (doc.errors.length) {
    // The parser runs out of stack on a file nested thousands of levels deep (once per level it
    // unwinds): one problem, said as what it is.
    const tooDeep = doc.errors.find((e) => /Maximum call stack size exceeded/.test(e.message));
    const errors = tooDeep ? [tooDeep] : doc.errors;
    return {
      ok: false,
      problems: errors.map((e) => {
        const { line, col } = pos(e.pos[0]);
        const message = tooDeep
          ? "the YAML nests too deeply to read (a checklist nests a few levels)"
          : `YAML syntax error: ${e.message.split("\n")[0]}`;
        return { line, col, path: "(yaml)", message };
      }),
    };
  }
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: 100 });
  } catch (e) {
    // yaml refuses an alias expansion past maxAliasCount (a "billion laughs" file of a few hundred
    // bytes) by throwing: a problem with the file like any other, not a failure of the portal.
    const aliases = e instanceof ReferenceError && /alias/i.test(e.message);
    return {
      ok: false,
      problems: [
        {
          line: 1,
          col: 1,
          path: "(yaml)",
          message: aliases
            ? "the file's YAML aliases (*name) expand too far: a checklist needs few or none, written out"
            : `the YAML could not be read: ${e instanceof Error ? e.message.split("\n")[0] : String(e)}`,
        },
      ],
    };
  }
  if (typeof data !== "object" || data === null || Array.isArray(data)) {
    return {
      ok: false,
      problems: [
        {
          line: 1,
          col: 1,
          path: "(file)",
          message:
            "the file must be a YAML mapping with id, title, publisher, version, published, levels, validity_months, disclosure_days and sections",
        },
      ],
    };
  }
  const problems: ChecklistProblem[] = [];
  const result = checklistFileSchema.safeParse(data);
  if (!result.success) {
    for (const issue of result.error.issues) problems.push(...describeIssue(doc, issue, pos));
  }
  const rules: RuleProblem[] = crossFieldProblems(data);
  if (result.success && context.knownRefs) rules.push(...unknownCrosswalkTargets(result.data, context.knownRefs));
  for (const rule of rules) {
    const where = rule.atKey
      ? (keyPosition(doc, rule.path.slice(0, -1), rule.path[rule.path.length - 1], pos) ?? at(doc, rule.path, pos))
      : at(doc, rule.path, pos);
    problems.push({ ...where, path: formatPath(rule.path), message: rule.message });
  }
  const raw = (typeof data === "object" && data !== null ? data : {}) as { id?: unknown; version?: unknown };
  if (expected.folder !== undefined && typeof raw.id === "string" && raw.id !== expected.folder) {
    problems.push({
      ...at(doc, ["id"], pos),
      path: "id",
      message: `id "${raw.id}" must equal the folder name "${expected.folder}"`,
    });
  }
  if (expected.fileStem !== undefined && typeof raw.version === "string" && raw.version !== expected.fileStem) {
    problems.push({
      ...at(doc, ["version"], pos),
      path: "version",
      message: `version "${raw.version}" must equal the file name "${expected.fileStem}.yaml" without .yaml`,
    });
  }
  if (problems.length || !result.success) return { ok: false, problems: sortProblems(problems) };
  return { ok: true, file: result.data };
}

function sortProblems(problems: ChecklistProblem[]): ChecklistProblem[] {
  return problems.sort((a, b) => a.line - b.line || a.col - b.col || a.path.localeCompare(b.path));
}

type Pos = (offset: number) => { line: number; col: number };

function describeIssue(doc: Document, issue: z.core.$ZodIssue, pos: Pos): ChecklistProblem[] {
  const path = issue.path.filter((p): p is string | number => typeof p !== "symbol");
  if (issue.code === "unrecognized_keys") {
    return issue.keys.map((key) => ({
      ...(keyPosition(doc, path, key, pos) ?? at(doc, path, pos)),
      path: formatPath([...path, key]),
      message: `unknown key "${key}"${suggest(key)}`,
    }));
  }
  let message = issue.message;
  // zod does not say whether the value was missing or of the wrong type; the document does.
  if (issue.code === "invalid_type" && !doc.hasIn(path))
    message = `${String(path[path.length - 1] ?? "value")} is required`;
  return [{ ...at(doc, path, pos), path: formatPath(path), message }];
}

const KNOWN_KEYS = [
  "id",
  "title",
  "publisher",
  "version",
  "published",
  "source",
  "levels",
  "validity_months",
  "disclosure_days",
  "recurring_grace_days",
  "verdicts",
  "sections",
  "ref",
  "requirements",
  "text",
  "applies",
  "condition",
  "evidence",
  "recurs_every_days",
  "maps_to",
  "to",
  "kind",
  "critical",
  "high",
  "medium",
  "low",
];

function suggest(key: string): string {
  const near = KNOWN_KEYS.filter((k) => k !== key && distance(k, key) <= 2).sort(
    (a, b) => distance(a, key) - distance(b, key),
  )[0];
  return near ? ` (did you mean "${near}"?)` : "";
}

function distance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0][j] = j;
  for (let i = 1; i <= a.length; i++)
    for (let j = 1; j <= b.length; j++)
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
  return d[a.length][b.length];
}

type Ranged = Node & { range: [number, number, number] };

function ranged(node: unknown): node is Ranged {
  return Boolean(node && (node as { range?: unknown }).range);
}

/**
 * Where to point for `path`: a scalar at its value; a list or map at its key (a collection's own
 * range starts at its first item); a missing key at the nearest parent that exists.
 */
function at(doc: Document, path: (string | number)[], pos: Pos): { line: number; col: number } {
  const node = path.length ? doc.getIn(path, true) : doc.contents;
  if (ranged(node)) {
    if (!isScalar(node) && path.length) {
      const key = keyPosition(doc, path.slice(0, -1), path[path.length - 1], pos);
      if (key) return key;
    }
    return pos(node.range[0]);
  }
  if (path.length)
    return keyPosition(doc, path.slice(0, -1), path[path.length - 1], pos) ?? at(doc, path.slice(0, -1), pos);
  return { line: 1, col: 1 };
}

/** The position of `key` inside the map (or item inside the list) at `parentPath`. */
function keyPosition(
  doc: Document,
  parentPath: (string | number)[],
  key: string | number,
  pos: Pos,
): { line: number; col: number } | undefined {
  const parent = parentPath.length ? doc.getIn(parentPath, true) : doc.contents;
  if (isMap(parent)) {
    const pair = parent.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(key));
    if (pair && ranged(pair.key)) return pos(pair.key.range[0]);
  }
  if (isSeq(parent) && typeof key === "number" && ranged(parent.items[key]))
    return pos((parent.items[key] as Ranged).range[0]);
  return undefined;
}
