import type { LoaderFunctionArgs } from "@remix-run/node";
import { evidenceResponse } from "../lib/evidence-download.server";
import { requireUser } from "../lib/session.server";
import { ServiceError } from "../services/errors.server";
import { openRecurringEvidence } from "../services/recurring-evidence.server";

/** Downloads one piece of recurring evidence: the supplier's own organisation and assessors only. ?inline=1 previews PDFs and images. */
export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const user = await requireUser(request, context);
  let file;
  try {
    file = openRecurringEvidence(user, params.evidenceId ?? "");
  } catch (e) {
    if (e instanceof ServiceError) throw new Response(e.message, { status: e.status });
    throw e;
  }
  return evidenceResponse(request, file);
}
