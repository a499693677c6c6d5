import type { LoaderFunctionArgs } from "@remix-run/node";
import { evidenceResponse } from "../features/certification/evidence-download.server";
import { requireUser } from "../features/accounts/session.server";
import { ServiceError } from "../platform/errors.server";
import { openRecurringEvidence } from "../features/monitoring/recurring-evidence.server";

/** Downloads one piece of recurring evidence: the supplier's own organisation and assessors only. ?inline=1 previews PDFs and images. */
export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const user = await requireUser(request, context);
  let file;
  try {
    file = await openRecurringEvidence(user, params.evidenceId ?? "");
  } catch (e) {
    if (e instanceof ServiceError) throw new Response(e.message, { status: e.status });
    throw e;
  }
  return evidenceResponse(request, file);
}
