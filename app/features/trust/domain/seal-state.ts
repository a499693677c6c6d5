/**
 * The seal lifecycle: which status changes are allowed from which state. Expiry is not a state
 * (it follows from validUntil and is logged when first noticed); revocation is final.
 *
 *   active -> suspended <-> active;  active | suspended -> revoked;
 *   active | suspended -> superseded (a newer certification replaces it) -> revoked.
 */
export const SEAL_STATES = ["active", "suspended", "revoked", "superseded"] as const;
export type SealState = (typeof SEAL_STATES)[number];

export const SEAL_ACTIONS = ["suspend", "reinstate", "revoke", "supersede"] as const;
export type SealAction = (typeof SEAL_ACTIONS)[number];

/** The event each action writes to the seal's history and the log. */
export const EVENT_OF_ACTION = {
  suspend: "suspended",
  reinstate: "reinstated",
  revoke: "revoked",
  supersede: "superseded",
} as const;

export const SEAL_STATE_LABELS: Record<SealState, string> = {
  active: "Active",
  suspended: "Suspended",
  revoked: "Revoked",
  superseded: "Superseded",
};

/** The state after `action`, or why it is not allowed. */
export function nextSealState(
  state: SealState,
  action: SealAction,
): { ok: true; state: SealState } | { ok: false; message: string } {
  if (state === "revoked") return { ok: false, message: "This seal is revoked; revocation is final." };
  switch (action) {
    case "suspend":
      if (state === "active") return { ok: true, state: "suspended" };
      return {
        ok: false,
        message:
          state === "suspended"
            ? "This seal is already suspended."
            : "A superseded seal cannot be suspended; act on the seal that replaced it.",
      };
    case "reinstate":
      if (state === "suspended") return { ok: true, state: "active" };
      return { ok: false, message: "Only a suspended seal can be reinstated." };
    case "revoke":
      return { ok: true, state: "revoked" };
    case "supersede":
      if (state === "active" || state === "suspended") return { ok: true, state: "superseded" };
      return { ok: false, message: "This seal is already superseded." };
  }
}

/**
 * The actions an assessor may offer for a seal in `state` (supersession happens only by
 * re-certification); an expired seal is not suspended (EXPIRED_NOT_SUSPENDED).
 */
export function manualActions(state: SealState, expired = false): SealAction[] {
  return (["suspend", "reinstate", "revoke"] as const).filter(
    (a) => nextSealState(state, a).ok && !(expired && a === "suspend"),
  );
}

/**
 * Why staff cannot suspend a seal past its validUntil: verifiers already refuse it as expired, and
 * a suspension would only replace that verdict with a temporary one (revocation stays open).
 */
export const EXPIRED_NOT_SUSPENDED =
  "This seal has expired: verifiers already refuse it. It can be revoked, so that it never counts again, but not suspended.";

/**
 * The seal events that decide whether a seal was suspended just before it was superseded: the
 * latest of them is "suspended" (a suspension, or a restated one) or not ("issued", "reinstated").
 */
export const SUSPENSION_EVENT_KINDS = ["issued", "suspended", "reinstated"] as const;

/**
 * The bits a seal contributes to the two status lists. A superseded seal keeps the suspension bit
 * it had when it was superseded (`suspendedWhenSuperseded`: the latest of its
 * SUSPENSION_EVENT_KINDS events is "suspended"): a re-certification replaces the seal for the new
 * firmware, it does not reinstate the old one, so an offline verifier holding only the lists must
 * go on reading it as suspended. A seal superseded while active sets no bit: it stays a true
 * statement about the old firmware (decision 007). A revoked seal sets its revocation bit only.
 */
export function statusBits(
  state: SealState,
  facts: { suspendedWhenSuperseded?: boolean } = {},
): { revoked: boolean; suspended: boolean } {
  return {
    revoked: state === "revoked",
    suspended: state === "suspended" || (state === "superseded" && facts.suspendedWhenSuperseded === true),
  };
}

/**
 * Whether a seal event restates a suspension: a "suspended" event whose seal was suspended already
 * (the latest earlier event that changed its state, `previousKind`, is a suspension too; "expired"
 * changes no state). A new public reason for the same suspension, not news of one.
 */
export function restatesSuspension(kind: string, previousKind: string | null): boolean {
  return kind === "suspended" && previousKind === "suspended";
}
