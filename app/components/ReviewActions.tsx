import { Form, useNavigation } from "@remix-run/react";
import { SubmitButton } from "./SubmitButton";
import { FieldError } from "./Field";
import { waitingForSentence } from "../features/certification/domain/review";

interface Can {
  take: boolean;
  release: boolean;
  requestChanges: boolean;
  propose: boolean;
  confirm: boolean;
  withdraw: boolean;
  sendBack: boolean;
  reject: boolean;
}

/** What the last decision sent came back with: its intent, the comment typed, and what was wrong with it. */
interface Failed {
  intent?: string;
  comment?: string;
  error?: string;
}

function CommentForm({
  intent,
  version,
  label,
  button,
  required,
  danger,
  max,
  failed,
}: {
  intent: string;
  version: number;
  label: string;
  button: string;
  required?: boolean;
  danger?: boolean;
  max: number;
  failed?: Failed | null;
}) {
  // Any decision in flight disables every button: a second click must not send a second decision.
  const busy = useNavigation().state !== "idle";
  const mine = failed?.intent === intent ? failed : null;
  return (
    <Form method="post" className="stack">
      <input type="hidden" name="intent" value={intent} />
      <input type="hidden" name="version" value={version} />
      <div className={mine?.error ? "field field--error" : "field"}>
        <label htmlFor={`c-${intent}`}>{label}</label>
        <textarea
          id={`c-${intent}`}
          name="comment"
          rows={2}
          required={required}
          maxLength={max}
          defaultValue={mine?.comment ?? ""}
          aria-invalid={mine?.error ? true : undefined}
          aria-describedby={mine?.error ? `c-${intent}-error` : undefined}
        />
        <FieldError id={`c-${intent}`} message={mine?.error} />
      </div>
      <SubmitButton className={danger ? "button button--danger" : "button"} busy={busy}>
        {button}
      </SubmitButton>
    </Form>
  );
}

export function IntentButton({
  intent,
  version,
  label,
  quiet,
}: {
  intent: string;
  version: number;
  label: string;
  quiet?: boolean;
}) {
  const busy = useNavigation().state !== "idle";
  return (
    <Form method="post">
      <input type="hidden" name="intent" value={intent} />
      <input type="hidden" name="version" value={version} />
      <SubmitButton className={quiet ? "button button--quiet" : "button"} busy={busy}>
        {label}
      </SubmitButton>
    </Form>
  );
}

/**
 * The decisions open to this assessor now; the service enforces the same rules. `waitingFor`: the
 * proposer's own proposal waits for a second assessor (named when only one can confirm it);
 * `cannotConfirm`: why nobody can confirm it as it stands, and what to do (said instead).
 * `heldBy`: the review is held by an assessor who can no longer review it, and taking it takes it over.
 * `proposeWarning`: nobody could confirm an approval proposed now, why, and what to do first.
 */
export function ReviewActions({
  can,
  version,
  toSendBack,
  waitingFor,
  cannotConfirm,
  heldBy,
  proposeWarning,
  commentMax,
  failed,
}: {
  can: Can;
  version: number;
  toSendBack: number;
  waitingFor?: { text: string; blocked: boolean } | null;
  cannotConfirm?: string | null;
  heldBy?: string | null;
  proposeWarning?: string | null;
  commentMax: number;
  failed?: Failed | null;
}) {
  const c = { version, max: commentMax, failed };
  const any = Object.values(can).some(Boolean);
  return (
    <div className="stack">
      {!any ? <p className="muted small">No decision is open to you right now.</p> : null}
      {can.withdraw ? (
        <>
          {cannotConfirm ? (
            <p data-testid="cannot-confirm">{cannotConfirm}</p>
          ) : waitingFor ? (
            <p data-testid="waiting-for-confirmation">
              <strong>{waitingForSentence(waitingFor)}</strong> You proposed this approval; four eyes: another assessor
              confirms it or sends it back.
            </p>
          ) : null}
          <CommentForm
            intent="withdraw"
            {...c}
            label="Why you withdraw it (optional, kept in the decisions)"
            button="Withdraw the proposal"
          />
        </>
      ) : null}
      {can.take && heldBy ? (
        <>
          <p data-testid="take-over-note">
            {heldBy}. Taking it over makes you its reviewing assessor and sends back any approval proposal waiting. The
            verdicts already recorded stay for you to check; one recorded by an assessor now in conflict of interest
            with the supplier must be recorded again before approval.
          </p>
          <IntentButton intent="take" version={version} label="Take over the review" />
        </>
      ) : can.take ? (
        <IntentButton intent="take" version={version} label="Take for review" />
      ) : null}
      {can.propose && proposeWarning ? (
        <p className="alert alert--warn" data-testid="propose-warning">
          {proposeWarning}
        </p>
      ) : null}
      {can.propose ? (
        <CommentForm
          intent="propose"
          {...c}
          label="Note for the confirming assessor (optional)"
          button="Propose approval"
        />
      ) : null}
      {can.confirm ? (
        <CommentForm
          intent="confirm"
          {...c}
          label="Confirmation note (optional)"
          button="Confirm approval (second assessor)"
        />
      ) : null}
      {can.sendBack ? (
        <CommentForm
          intent="return"
          {...c}
          label="Why it goes back to the reviewer"
          button="Send the proposal back"
          required
        />
      ) : null}
      {can.requestChanges ? (
        <CommentForm
          intent="request_changes"
          {...c}
          label={`Message to the supplier (${toSendBack} requirement${toSendBack === 1 ? " goes" : "s go"} back)`}
          button="Request changes"
        />
      ) : null}
      {can.reject ? (
        <CommentForm
          intent="reject"
          {...c}
          label="Reason for rejection (the supplier sees it)"
          button="Reject"
          required
          danger
        />
      ) : null}
      {can.release ? <IntentButton intent="release" version={version} label="Release back to the queue" quiet /> : null}
    </div>
  );
}
