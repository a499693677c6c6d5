import type { ChecklistProblem } from "./parse";

/** `file:line:col: path: message`, the form editors and CI logs understand. */
export function formatProblem(file: string, p: ChecklistProblem): string {
  return `${file}:${p.line}:${p.col}: ${p.path}: ${p.message}`;
}
