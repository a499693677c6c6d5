import { TRANSITION_PAST, TRANSITIONS, type Transition } from "../features/certification/domain/submission-state";
import { humanizeAction } from "../platform/format";

/**
 * An audit action as a person reads it in an activity list: "submission.approve" -> "Submission
 * approved", "submission.request_changes" -> "Submission sent back for changes" (a submission's
 * audit actions are named after its transitions); any other -> humanizeAction ("finding.fixed" ->
 * "Finding fixed"). Here, above the modules, because the platform's audit log cannot know the
 * certification module's transitions.
 */
export function actionLabel(action: string): string {
  const m = /^submission\.([a-z_]+)$/.exec(action);
  if (m && Object.hasOwn(TRANSITIONS, m[1])) return `Submission ${TRANSITION_PAST[m[1] as Transition]}`;
  return humanizeAction(action);
}
