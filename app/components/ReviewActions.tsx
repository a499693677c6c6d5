import { Form } from "@remix-run/react";

interface Can {
  take: boolean;
  release: boolean;
  requestChanges: boolean;
  propose: boolean;
  confirm: boolean;
  withdraw: boolean;
  reject: boolean;
}

function CommentForm({
  intent,
  version,
  label,
  button,
  required,
  danger,
}: {
  intent: string;
  version: number;
  label: string;
  button: string;
  required?: boolean;
  danger?: boolean;
}) {
  return (
    <Form method="post" className="stack">
      <input type="hidden" name="intent" value={intent} />
      <input type="hidden" name="version" value={version} />
      <div className="field">
        <label htmlFor={`c-${intent}`}>{label}</label>
        <textarea id={`c-${intent}`} name="comment" rows={2} required={required} />
      </div>
      <button className={danger ? "button button--danger" : "button"} type="submit">
        {button}
      </button>
    </Form>
  );
}

/**
 * The decisions open to this assessor now; the service enforces the same rules. `waitingFor`: the
 * proposer's own proposal waits for a second assessor (named when only one can confirm it).
 */
export function ReviewActions({
  can,
  version,
  toSendBack,
  waitingFor,
}: {
  can: Can;
  version: number;
  toSendBack: number;
  waitingFor?: { text: string; blocked: boolean } | null;
}) {
  const any = Object.values(can).some(Boolean);
  return (
    <div className="stack">
      {!any ? <p className="muted small">No decision is open to you right now.</p> : null}
      {can.withdraw && waitingFor ? (
        <>
          <p data-testid="waiting-for-confirmation">
            <strong>Waiting for confirmation by {waitingFor.text}.</strong> You proposed this approval; four eyes:
            another assessor confirms it or sends it back.
          </p>
          <CommentForm
            intent="withdraw"
            version={version}
            label="Why you withdraw it (optional, kept in the decisions)"
            button="Withdraw the proposal"
          />
        </>
      ) : null}
      {can.take ? (
        <Form method="post">
          <input type="hidden" name="intent" value="take" />
          <input type="hidden" name="version" value={version} />
          <button className="button" type="submit">
            Take for review
          </button>
        </Form>
      ) : null}
      {can.propose ? (
        <CommentForm
          intent="propose"
          version={version}
          label="Note for the confirming assessor (optional)"
          button="Propose approval"
        />
      ) : null}
      {can.confirm ? (
        <>
          <CommentForm
            intent="confirm"
            version={version}
            label="Confirmation note (optional)"
            button="Confirm approval (second assessor)"
          />
          <CommentForm
            intent="return"
            version={version}
            label="Why it goes back to the reviewer"
            button="Send the proposal back"
            required
          />
        </>
      ) : null}
      {can.requestChanges ? (
        <CommentForm
          intent="request_changes"
          version={version}
          label={`Message to the supplier (${toSendBack} requirement${toSendBack === 1 ? "" : "s"} go back)`}
          button="Request changes"
        />
      ) : null}
      {can.reject ? (
        <CommentForm
          intent="reject"
          version={version}
          label="Reason for rejection (the supplier sees it)"
          button="Reject"
          required
          danger
        />
      ) : null}
      {can.release ? (
        <Form method="post">
          <input type="hidden" name="intent" value="release" />
          <input type="hidden" name="version" value={version} />
          <button className="button button--quiet" type="submit">
            Release back to the queue
          </button>
        </Form>
      ) : null}
    </div>
  );
}
