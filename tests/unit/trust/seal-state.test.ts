import { describe, expect, it } from "vitest";
import {
  EVENT_OF_ACTION,
  manualActions,
  nextSealState,
  restatesSuspension,
  SEAL_ACTIONS,
  SEAL_STATE_LABELS,
  SEAL_STATES,
  statusBits,
  type SealAction,
  type SealState,
} from "../../../app/features/trust/domain/seal-state";

/**
 * The whole lifecycle, written out: for every state and every action, the next state, or null
 * when the action is refused.
 *
 *   active -> suspended <-> active;  active | suspended -> revoked;
 *   active | suspended -> superseded -> revoked;  revoked is final.
 */
const TRANSITIONS: Record<SealState, Record<SealAction, SealState | null>> = {
  active: { suspend: "suspended", reinstate: null, revoke: "revoked", supersede: "superseded" },
  suspended: { suspend: null, reinstate: "active", revoke: "revoked", supersede: "superseded" },
  superseded: { suspend: null, reinstate: null, revoke: "revoked", supersede: null },
  revoked: { suspend: null, reinstate: null, revoke: null, supersede: null },
};

const table = SEAL_STATES.flatMap((state) =>
  SEAL_ACTIONS.map((action) => [state, action, TRANSITIONS[state][action]] as const),
);

describe("nextSealState", () => {
  it("the table covers every state and every action", () => {
    expect(Object.keys(TRANSITIONS).sort()).toEqual([...SEAL_STATES].sort());
    expect(SEAL_ACTIONS).toEqual(["suspend", "reinstate", "revoke", "supersede"]);
    expect(table).toHaveLength(SEAL_STATES.length * SEAL_ACTIONS.length);
  });

  it.each(table)("%s + %s → %s", (state, action, next) => {
    const r = nextSealState(state, action);
    if (next === null) {
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.message.trim().length).toBeGreaterThan(10);
    } else {
      expect(r).toEqual({ ok: true, state: next });
    }
  });

  it("refuses every action on a revoked seal, saying revocation is final", () => {
    for (const action of SEAL_ACTIONS) {
      const r = nextSealState("revoked", action);
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.message).toMatch(/revoked/i);
      if (!r.ok) expect(r.message).toMatch(/final/i);
    }
  });

  it("explains each refusal specifically", () => {
    const message = (state: SealState, action: SealAction) => {
      const r = nextSealState(state, action);
      return r.ok ? "" : r.message;
    };
    expect(message("suspended", "suspend")).toMatch(/already suspended/i);
    expect(message("superseded", "suspend")).toMatch(/superseded/i);
    expect(message("active", "reinstate")).toMatch(/suspended/i);
    expect(message("superseded", "reinstate")).toMatch(/suspended/i);
    expect(message("superseded", "supersede")).toMatch(/already superseded/i);
  });

  it("once revoked, no sequence of actions leads anywhere else (random walks)", () => {
    let seed = 7;
    const rnd = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    for (let walk = 0; walk < 200; walk++) {
      let state: SealState = "active";
      let revoked = false;
      for (let step = 0; step < 20; step++) {
        const action = SEAL_ACTIONS[Math.floor(rnd() * SEAL_ACTIONS.length)];
        const r = nextSealState(state, action);
        if (r.ok) state = r.state;
        if (revoked) expect(state).toBe("revoked");
        if (state === "revoked") revoked = true;
      }
    }
  });

  it("a refused action never reports a state", () => {
    for (const [state, action, next] of table) {
      if (next === null) expect(nextSealState(state, action)).not.toHaveProperty("state");
    }
  });
});

describe("manualActions", () => {
  it.each([
    ["active", ["suspend", "revoke"]],
    ["suspended", ["reinstate", "revoke"]],
    ["superseded", ["revoke"]],
    ["revoked", []],
  ] as const)("%s → %j", (state, actions) => {
    expect(manualActions(state)).toEqual(actions);
  });

  it("never offers supersede (that happens only by re-certification), and offers only allowed actions", () => {
    for (const state of SEAL_STATES) {
      const offered = manualActions(state);
      expect(offered).not.toContain("supersede");
      for (const a of offered) expect(nextSealState(state, a).ok).toBe(true);
      for (const a of ["suspend", "reinstate", "revoke"] as const) {
        if (!offered.includes(a)) expect(nextSealState(state, a).ok).toBe(false);
      }
    }
  });
});

describe("statusBits", () => {
  it.each([
    ["active", { revoked: false, suspended: false }],
    ["suspended", { revoked: false, suspended: true }],
    ["revoked", { revoked: true, suspended: false }],
    ["superseded", { revoked: false, suspended: false }],
  ] as const)("%s → %j", (state, bits) => {
    expect(statusBits(state)).toEqual(bits);
  });

  it("reinstating clears the suspension bit; revoking a suspended seal moves it to the revocation list", () => {
    const reinstated = nextSealState("suspended", "reinstate");
    expect(reinstated.ok && statusBits(reinstated.state)).toEqual({ revoked: false, suspended: false });
    const revoked = nextSealState("suspended", "revoke");
    expect(revoked.ok && statusBits(revoked.state)).toEqual({ revoked: true, suspended: false });
  });

  it("a seal superseded while suspended keeps its suspension bit; one superseded while active sets none", () => {
    const superseded = nextSealState("suspended", "supersede");
    expect(superseded.ok && statusBits(superseded.state, { suspendedWhenSuperseded: true })).toEqual({
      revoked: false,
      suspended: true,
    });
    expect(statusBits("superseded", { suspendedWhenSuperseded: false })).toEqual({ revoked: false, suspended: false });
    // Only a superseded seal's past counts: an active or revoked seal's bits follow its state.
    expect(statusBits("active", { suspendedWhenSuperseded: true })).toEqual({ revoked: false, suspended: false });
    expect(statusBits("revoked", { suspendedWhenSuperseded: true })).toEqual({ revoked: true, suspended: false });
  });
});

describe("labels and events", () => {
  it("every state has a label and every action names the event it logs", () => {
    expect(SEAL_STATE_LABELS).toEqual({
      active: "Active",
      suspended: "Suspended",
      revoked: "Revoked",
      superseded: "Superseded",
    });
    expect(EVENT_OF_ACTION).toEqual({
      suspend: "suspended",
      reinstate: "reinstated",
      revoke: "revoked",
      supersede: "superseded",
    });
  });

  it("the event of an action that lands in a state is named like that state (except reinstate → active)", () => {
    for (const [state, action, next] of table) {
      if (next === null || action === "reinstate") continue;
      expect(EVENT_OF_ACTION[action], `${state} + ${action}`).toBe(next);
    }
  });
});

describe("restatesSuspension", () => {
  it("is a suspension of a seal whose previous state-changing event was a suspension", () => {
    expect(restatesSuspension("suspended", "suspended")).toBe(true);
    expect(restatesSuspension("suspended", "reinstated")).toBe(false);
    expect(restatesSuspension("suspended", "issued")).toBe(false);
    expect(restatesSuspension("suspended", null)).toBe(false);
    expect(restatesSuspension("revoked", "suspended")).toBe(false);
  });
});
