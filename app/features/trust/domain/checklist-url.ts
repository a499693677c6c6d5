/**
 * A seal's checklist is named by the URL of its version's page (VC Data Model 2.0 section 4.4:
 * an `id` is a URL; issue 17); seals issued before carry the bare checklist id. Pure, and free of
 * Node modules so that pages in the browser can read it too.
 */

/** The page of one checklist version: what a seal's `credentialSubject.checklist.id` names. */
export function checklistPageUrl(baseUrl: string, checklistId: string, version: string): string {
  return `${baseUrl}/checklists/${encodeURIComponent(checklistId)}/${encodeURIComponent(version)}`;
}

const CHECKLIST_PAGE = /^https?:\/\/[^/?#]+(?:\/[^?#]*)?\/checklists\/([^/?#]+)\/[^/?#]+$/;

/**
 * The checklist's own id ("etsi-en-303-645") from a seal's checklist: the page URL's path segment
 * for seals issued since issue 17, the bare id as older seals carry it.
 */
export function checklistIdOf(checklist: { id: string }): string {
  const m = CHECKLIST_PAGE.exec(checklist.id);
  if (!m) return checklist.id;
  try {
    return decodeURIComponent(m[1]);
  } catch {
    return checklist.id;
  }
}
