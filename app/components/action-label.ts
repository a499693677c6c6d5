import { TRANSITION_PAST, TRANSITIONS, type Transition } from "../features/certification/domain/submission-state";
import { humanizeAction } from "../platform/format";

/**
 * Actions whose plain humanised name reads poorly: the portal's pages call a "finding" a vulnerability
 * report, and a login is something a person did, not a thing.
 */
const WORDED: Record<string, string> = {
  "finding.reported": "Vulnerability report received",
  "finding.verified_fixed": "Vulnerability fix verified",
  "finding.deadline_extended": "Disclosure deadline extended",
  "finding.disclosed": "Vulnerability report disclosed",
  "finding.published_early": "Advisory published before the deadline",
  "finding.cra_flagged": "Vulnerability report flagged for CRA reporting",
  "finding.cra_flag_removed": "CRA reporting flag removed",
  "finding.cra_aware_corrected": "CRA awareness time corrected",
  "finding.authority_report_recorded": "CRA report to the authority recorded",
  "user.login": "Logged in",
  "user.logout": "Logged out",
  "user.session_ended": "Signed out of another session",
  "user.other_sessions_ended": "Signed out everywhere else",
  "user.login_failed": "Login failed",
  "user.password_rehashed": "Password stored again at a higher cost",
  "user.login_code_failed": "Login failed: wrong two-step code",
  "user.two_step_code_failed": "Wrong two-step code (signed in)",
  "user.two_step_enabled": "Two-step login turned on",
  "user.two_step_disabled": "Two-step login turned off",
  "user.recovery_codes_renewed": "New two-step recovery codes made",
  "seals.bulk_checked": "Seals checked in bulk",
  "watchlist.added": "Product added to the watchlist",
  "watchlist.removed": "Product removed from the watchlist",
  "watchlist.followed_by_gtin": "Product followed by its GTIN",
};

/**
 * An audit action as a person reads it in an activity list: "submission.approve" -> "Submission
 * approved", "submission.request_changes" -> "Submission sent back for changes" (a submission's
 * audit actions are named after its transitions); a few in words of their own (WORDED:
 * "finding.reported" -> "Vulnerability report received"); any other finding's action names the
 * report ("finding.fixed" -> "Vulnerability report fixed"); any other -> humanizeAction
 * ("organization.created" -> "Organisation created"). Here, above the modules, because the
 * platform's audit log cannot know the certification module's transitions.
 */
export function actionLabel(action: string): string {
  const m = /^submission\.([a-z_]+)$/.exec(action);
  if (m && Object.hasOwn(TRANSITIONS, m[1])) return `Submission ${TRANSITION_PAST[m[1] as Transition]}`;
  if (Object.hasOwn(WORDED, action)) return WORDED[action];
  const finding = /^finding\.(.+)$/.exec(action);
  if (finding) {
    const rest = humanizeAction(finding[1]); // "Fixed", "CRA something": an initialism keeps its capitals
    return `Vulnerability report ${/^[A-Z]{2}/.test(rest) ? rest : rest.charAt(0).toLowerCase() + rest.slice(1)}`;
  }
  return humanizeAction(action);
}
