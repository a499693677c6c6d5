/**
 * The content hash of a checklist version: SHA-256 over the RFC 8785 (JCS) canonical JSON of
 * the validated content. Comments, key order, quoting and line breaks do not change it; any
 * change to what the checklist says does.
 */
import canonicalize from "canonicalize";
import { createHash } from "node:crypto";
import type { ChecklistFile } from "./schema";

export function canonicalChecklist(file: ChecklistFile): string {
  const text = canonicalize(file);
  if (text === undefined) throw new Error("checklist cannot be canonicalised");
  return text;
}

export function checklistHash(file: ChecklistFile): string {
  return createHash("sha256").update(canonicalChecklist(file)).digest("hex");
}
