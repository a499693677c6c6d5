// The one rule for a seal's verdict (app/features/trust/domain/verdict.ts). The cases are those
// that tested monitoring's deriveSealStatus, which this rule replaces. Where deriveSealStatus
// disagreed with what every page, API answer and check said (and their tests assert), the
// services' answer is kept, and the row says so:
//  - a cause of automatic suspension counts once the sweeper has recorded the suspension (until
//    then the seal reads as its record: see monitoring/automatic-suspension.test.ts for the sweep);
//  - a suspended seal past its validUntil stays "suspended" with its reason;
//  - the reason of a suspension, revocation or supersession is the one recorded with it;
//  - expiry follows from validUntil alone, which issuance caps at the end of the support period
//    (a period that can be extended, never shortened), so its reason is "Valid until <date>.".
import { describe, expect, it } from "vitest";
import { buildSealCredential, sealVerdict } from "../../../app/features/trust/domain/credential";
import { SEAL_STATES } from "../../../app/features/trust/domain/seal-state";
import {
  CLOCK_LEEWAY_MS,
  NOT_YET_VALID_REASON,
  sealVerdictOf,
  SUPERSEDED_REASON,
  type SealRecord,
  type SealVerdict,
  validityEndedWhileSuspended,
} from "../../../app/features/trust/domain/verdict";
import { verdictLook } from "../../../app/components/SealVerdict";
import { demoSubject } from "../../fixtures/seal-subject";

const NOW = new Date("2027-06-15T12:00:00Z");
const FROM = new Date("2026-11-25T00:00:00Z");
const FUTURE = new Date("2028-11-25T00:00:00Z");
const PAST = new Date("2027-06-01T00:00:00Z");
/** validUntil of a seal capped at the end of its product's support period (the day's 23:59:59Z). */
const SUPPORT_PAST = new Date("2027-05-31T23:59:59Z");

const MANUAL = "Suspended by hand while we check the supplier's cloud migration.";
const FINDING = "Under review for a reported security issue past its disclosure deadline.";
const SCAN = "Recurring evidence overdue: 5.2-3 Continuous vulnerability monitoring.";
const BOTH = `${FINDING} ${SCAN}`;
const REVOKED = "The supplier withdrew the product.";
const REPLACED = "Replaced by the 3.1.0 certification.";
const ENDED = "Its validity also ended on 1 Jun 2027: only a new certification can restore it.";

function record(over: Partial<SealRecord>): SealRecord {
  return { state: "active", validFrom: FROM, validUntil: FUTURE, ...over };
}

type Row = [name: string, over: Partial<SealRecord>, verdict: SealVerdict, reason: string | undefined];

const ROWS: Row[] = [
  ["active, in date, nothing overdue", {}, "valid", undefined],
  ["active with a stale recorded reason (reinstated since)", { stateReason: MANUAL }, "valid", undefined],
  // deriveSealStatus: suspended at once; the verdict waits for the sweeper to record it.
  ["active, blocking finding not yet swept", {}, "valid", undefined],
  ["suspended by hand", { state: "suspended", stateReason: MANUAL }, "suspended", MANUAL],
  ["suspended, no reason recorded", { state: "suspended" }, "suspended", undefined],
  ["suspended, an empty reason recorded", { state: "suspended", stateReason: "" }, "suspended", undefined],
  [
    "suspended by the sweeper, findings still block",
    { state: "suspended", stateReason: FINDING },
    "suspended",
    FINDING,
  ],
  ["suspended by the sweeper, evidence still overdue", { state: "suspended", stateReason: SCAN }, "suspended", SCAN],
  ["suspended by the sweeper, both", { state: "suspended", stateReason: BOTH }, "suspended", BOTH],
  // deriveSealStatus: a generic reason; the verdict keeps the recorded one until the sweeper reinstates.
  [
    "suspended by the sweeper, all resolved (awaiting reinstatement)",
    { state: "suspended", stateReason: FINDING },
    "suspended",
    FINDING,
  ],
  ["revoked", { state: "revoked", stateReason: REVOKED }, "revoked", REVOKED],
  ["revoked, no reason recorded", { state: "revoked" }, "revoked", undefined],
  ["revoked and expired", { state: "revoked", validUntil: PAST, stateReason: REVOKED }, "revoked", REVOKED],
  ["superseded", { state: "superseded" }, "superseded", SUPERSEDED_REASON],
  ["superseded, with its recorded reason", { state: "superseded", stateReason: REPLACED }, "superseded", REPLACED],
  ["superseded and expired", { state: "superseded", validUntil: PAST }, "superseded", SUPERSEDED_REASON],
  ["active, validity ended", { validUntil: PAST }, "expired", "Valid until 1 Jun 2027."],
  // deriveSealStatus: "Security support for this product ended on 2027-05-31."
  [
    "active, support period ended (validUntil capped there)",
    { validUntil: SUPPORT_PAST },
    "expired",
    "Valid until 31 May 2027.",
  ],
  // deriveSealStatus: expired; every page and check says suspended, with the suspension's reason and
  // that its validity ended too: lifting the suspension would not make it valid again.
  [
    "suspended and expired",
    { state: "suspended", validUntil: PAST, stateReason: MANUAL },
    "suspended",
    `${MANUAL} ${ENDED}`,
  ],
  ["suspended and expired, no reason recorded", { state: "suspended", validUntil: PAST }, "suspended", ENDED],
  [
    "suspended, exactly at validUntil",
    { state: "suspended", validUntil: NOW, stateReason: FINDING },
    "suspended",
    `${FINDING} Its validity also ended on 15 Jun 2027: only a new certification can restore it.`,
  ],
  [
    "suspended, 1 ms before validUntil",
    { state: "suspended", validUntil: new Date(NOW.getTime() + 1), stateReason: FINDING },
    "suspended",
    FINDING,
  ],
  ["exactly at validUntil", { validUntil: NOW }, "expired", "Valid until 15 Jun 2027."],
  ["1 ms before validUntil", { validUntil: new Date(NOW.getTime() + 1) }, "valid", undefined],
  [
    "exactly at the end of support (validUntil capped there)",
    { validUntil: NOW },
    "expired",
    "Valid until 15 Jun 2027.",
  ],
  ["1 ms before the end of support", { validUntil: new Date(NOW.getTime() + 1) }, "valid", undefined],
  [
    "valid from a date within the clock leeway",
    { validFrom: new Date(NOW.getTime() + CLOCK_LEEWAY_MS) },
    "valid",
    undefined,
  ],
  [
    "valid only from a later date",
    { validFrom: new Date(NOW.getTime() + CLOCK_LEEWAY_MS + 1) },
    "forged",
    NOT_YET_VALID_REASON,
  ],
  [
    "suspended and post-dated",
    { state: "suspended", validFrom: new Date("2028-01-01"), stateReason: MANUAL },
    "suspended",
    MANUAL,
  ],
];

describe("sealVerdictOf", () => {
  it.each(ROWS)("%s → %s", (_name, over, verdict, reason) => {
    const r = sealVerdictOf(record(over), NOW);
    expect(r.verdict).toBe(verdict);
    expect(r.reason).toBe(reason);
  });

  it("answers a state's verdict for every state but active, whatever the dates", () => {
    for (const state of SEAL_STATES.filter((s) => s !== "active")) {
      for (const dates of [{}, { validUntil: PAST }, { validFrom: new Date("2028-01-01") }]) {
        expect(sealVerdictOf(record({ state, ...dates }), NOW).verdict).toBe(state);
      }
    }
  });
});

describe("validityEndedWhileSuspended: what the pages tell a shopper about a suspended seal", () => {
  it("only a suspended seal past its validUntil (the signed date, as the pages read it) can never be valid again", () => {
    expect(validityEndedWhileSuspended("suspended", PAST, NOW)).toBe(true);
    expect(validityEndedWhileSuspended("suspended", PAST.toISOString(), NOW)).toBe(true);
    expect(validityEndedWhileSuspended("suspended", NOW, NOW)).toBe(true);
    expect(validityEndedWhileSuspended("suspended", FUTURE, NOW)).toBe(false);
    for (const verdict of ["valid", "expired", "revoked", "superseded", "forged", "not_found"] as const)
      expect(validityEndedWhileSuspended(verdict, PAST, NOW)).toBe(false);
  });

  it("the banner and the shopper's advice then say it will not be valid again, instead of telling them to wait", () => {
    const ended = verdictLook("suspended", true);
    expect(ended.title).toBe("Suspended");
    expect(ended.trustMark).toBe(false);
    expect(ended.text).toMatch(/validity period has also ended: it will not become valid again/);
    expect(ended.advice).toMatch(/only a new certification can restore it/);
    expect(`${ended.text} ${ended.advice}`).not.toMatch(/wait|until the matter is resolved|check this page again/);
    // A suspension within the validity period keeps its own words; the flag changes no other verdict.
    expect(verdictLook("suspended", false).text).toMatch(/until the matter is resolved/);
    expect(verdictLook("expired", true)).toBe(verdictLook("expired"));
  });
});

describe("sealVerdict (a credential and the status lists' bits)", () => {
  const credential = buildSealCredential({
    baseUrl: "https://seal.example",
    issuerName: "IoT Seal Assurance",
    subject: demoSubject(),
    validFrom: FROM,
    validUntil: FUTURE,
    revocation: { listCredentialUrl: "https://seal.example/status/revocation-1", index: 1 },
    suspension: { listCredentialUrl: "https://seal.example/status/suspension-1", index: 2 },
  });

  it("is sealVerdictOf on the credential's dates, revoked first, then superseded, then suspended", () => {
    for (const now of [new Date("2026-01-01"), NOW, new Date("2030-01-01")]) {
      for (const revoked of [false, true]) {
        for (const superseded of [false, true]) {
          for (const suspended of [false, true]) {
            const state = revoked ? "revoked" : superseded ? "superseded" : suspended ? "suspended" : "active";
            const expected = sealVerdictOf({ state, validFrom: FROM, validUntil: FUTURE }, now);
            expect(sealVerdict(credential, { now, revoked, suspended, superseded })).toEqual(expected);
          }
        }
      }
    }
  });
});
