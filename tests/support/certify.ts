// A product version certified through the whole flow, quickly: a draft against UK PSTI 2023 (three
// requirements, each implemented with a reason for no evidence file), submitted, passed by Asha and
// confirmed by Bram (four eyes).
import type { Actor } from "../../app/platform/actor";
import { saveAnswer, submitSubmission } from "../../app/features/certification/submissions.server";
import {
  confirmApproval,
  proposeApproval,
  recordVerdict,
  takeSubmission,
} from "../../app/features/certification/review.server";
import { asha, bram } from "./actors";
import { addTestVersion, openTestDraft, submissionVersion } from "./submissions";

/** Certifies a new version (firmware `firmwareVersion`) of the supplier's product: the new seal's serial. */
export async function certifyPsti(supplier: Actor, productId: string, firmwareVersion = "1.0.0"): Promise<string> {
  const id = openTestDraft(supplier, addTestVersion(supplier, productId, firmwareVersion));
  for (const ref of ["1", "2", "3"])
    saveAnswer(supplier, id, ref, {
      claim: "implemented",
      justification: "Implemented as the requirement asks.",
      noEvidenceReason: "Shown to the assessor on the device.",
    });
  submitSubmission(supplier, id);
  takeSubmission(asha(), id, submissionVersion(id));
  for (const ref of ["1", "2", "3"])
    recordVerdict(asha(), id, ref, { verdict: "pass", comment: "", accepted: false, version: submissionVersion(id) });
  proposeApproval(asha(), id, submissionVersion(id), "");
  return confirmApproval(bram(), id, submissionVersion(id), "Confirmed.");
}
