import type { ActionFunctionArgs } from "@remix-run/node";
import { FORM_OVERHEAD_BYTES, readForm } from "../platform/http/request-body.server";
import { BULK_MAX_BYTES, BULK_TOO_LARGE } from "../features/retail/bulk-csv.server";
import { getOptionalUser, requirePermission } from "../features/accounts/session.server";
import { runBulkCheck } from "../features/retail/bulk-checks.server";
import { bulkFileProblem, SESSION_ENDED } from "../features/retail/forms";
import { ServiceError } from "../platform/errors.server";
import { answeringRefusals } from "../platform/http/resource-refusals.server";

const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), {
    status,
    headers: { "Content-Type": "application/json; charset=utf-8", "Cache-Control": "no-store", ...headers },
  });

/**
 * The bulk page's upload endpoint for script (XHR, for upload progress): JSON `{id, rows, note}`
 * (`note`: how the file was read when the buyer should know, else null) or `{message}`.
 * Without a session (it ended while the page was open) a 401 `{message, login}`, not the login
 * page's redirect, which the request would follow and answer with the login page's HTML.
 */
export function action({ request, context }: ActionFunctionArgs) {
  return answeringRefusals(async () => {
    if (!(await getOptionalUser(request, context)))
      return json(401, { message: SESSION_ENDED, login: "/login?redirectTo=%2Fretailer%2Fverify%2Fbulk" });
    const user = await requirePermission(request, context, "seals.verify");
    // Bounded while it streams; past the limit a 413 {message} is thrown (and answered as is).
    const file = (
      await readForm(request, { limit: BULK_MAX_BYTES + FORM_OVERHEAD_BYTES, message: BULK_TOO_LARGE })
    ).get("file");
    const problem = bulkFileProblem(file instanceof File ? file : null, BULK_MAX_BYTES);
    if (problem || !(file instanceof File)) return json(problem === BULK_TOO_LARGE ? 413 : 400, { message: problem });
    try {
      // The file's bytes: the service decodes them (UTF-8, UTF-16, else Windows-1252 with a note; a workbook is refused).
      const bytes = new Uint8Array(await file.arrayBuffer());
      return json(200, await runBulkCheck(user, { fileName: file.name, bytes }));
    } catch (e) {
      if (e instanceof ServiceError)
        return json(
          e.status,
          { message: e.message },
          e.retryAfterSeconds ? { "Retry-After": String(e.retryAfterSeconds) } : {},
        );
      throw e;
    }
  });
}

export function loader() {
  return new Response("Upload a CSV with POST.\n", {
    status: 405,
    headers: { Allow: "POST", "Content-Type": "text/plain; charset=utf-8" },
  });
}
