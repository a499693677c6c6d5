import type { LoaderFunctionArgs } from "@remix-run/node";
import { requirePermission } from "../features/accounts/session.server";
import { bulkCheck } from "../features/retail/bulk-checks.server";
import { ServiceError } from "../platform/errors.server";
import { forSpreadsheet } from "../platform/csv.server";
import { answeringRefusals } from "../platform/http/resource-refusals.server";

/** The answered CSV of one bulk check of the buyer's organisation, for a spreadsheet (a UTF-8 BOM first: Excel). */
export function loader({ request, context, params }: LoaderFunctionArgs) {
  return answeringRefusals(async () => {
    const user = await requirePermission(request, context, "seals.verify");
    try {
      const run = bulkCheck(user, params.runId ?? "");
      const name = run.fileName.replace(/\.csv$/i, "") + "-checked.csv";
      return new Response(forSpreadsheet(run.csv), {
        headers: {
          "Content-Type": "text/csv; charset=utf-8",
          "Content-Disposition": `attachment; filename="${name}"`,
          "Cache-Control": "private, no-store",
        },
      });
    } catch (e) {
      if (e instanceof ServiceError)
        return new Response(e.message + "\n", {
          status: e.status,
          headers: { "Content-Type": "text/plain; charset=utf-8" },
        });
      throw e;
    }
  });
}
