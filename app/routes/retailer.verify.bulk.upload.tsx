import type { ActionFunctionArgs } from "@remix-run/node";
import { FORM_OVERHEAD_BYTES, readForm } from "../platform/http/request-body.server";
import { BULK_MAX_BYTES, BULK_TOO_LARGE } from "../features/retail/bulk-csv.server";
import { requirePermission } from "../features/accounts/session.server";
import { runBulkCheck } from "../features/retail/bulk-checks.server";
import { ServiceError } from "../platform/errors.server";

const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), {
    status,
    headers: { "Content-Type": "application/json; charset=utf-8", "Cache-Control": "no-store" },
  });

/** The bulk page's upload endpoint for script (XHR, for upload progress): JSON `{id}` or `{message}`. */
export async function action({ request, context }: ActionFunctionArgs) {
  const user = await requirePermission(request, context, "seals.verify");
  // Bounded while it streams; past the limit a 413 {message} is thrown (and answered as is).
  const file = (await readForm(request, { limit: BULK_MAX_BYTES + FORM_OVERHEAD_BYTES, message: BULK_TOO_LARGE })).get(
    "file",
  );
  if (!(file instanceof File) || file.size === 0)
    return json(400, { message: "Choose a CSV file with a gtin or serial column." });
  try {
    return json(200, await runBulkCheck(user, { fileName: file.name, text: await file.text() }));
  } catch (e) {
    if (e instanceof ServiceError) return json(e.status, { message: e.message });
    throw e;
  }
}

export function loader() {
  return new Response("Upload a CSV with POST.\n", {
    status: 405,
    headers: { Allow: "POST", "Content-Type": "text/plain; charset=utf-8" },
  });
}
