import { describe, expect, it } from "vitest";
import {
  advisoryId,
  disclosureLabel,
  disclosureOf,
  outsiderView,
  parseAdvisoryId,
  publicAdvisory,
  visibilityFor,
  type DisclosureFinding,
  type Viewer,
  type Visibility,
} from "../../../app/features/findings/domain/disclosure";
import { DAY_MS, type Severity } from "../../../app/features/findings/domain/findings";

const at = (iso: string) => new Date(iso);
const REPORTED = at("2027-03-01T14:03:00Z");
const DEADLINE = at("2027-05-30T14:03:00Z"); // 90 days later
const BEFORE = at("2027-04-15T09:00:00Z");
const AFTER = at("2027-06-01T09:00:00Z");

function finding(over: Partial<DisclosureFinding> = {}): DisclosureFinding {
  return {
    id: "f-1",
    advisoryId: "IOTSEAL-2027-0001",
    title: "Pairing PIN can be brute-forced over BLE",
    description: "SECRET-DESCRIPTION: the 4-digit PIN has no rate limit; see attached PoC.",
    severity: "high",
    status: "open",
    reportedAt: REPORTED,
    recordedAt: REPORTED,
    deadline: DEADLINE,
    verifiedAt: null,
    publishedAt: null,
    fixedInVersion: null,
    affectedVersions: ["1.4.0", "1.4.1"],
    affected: [
      { hardwareRevision: "B", firmwareVersion: "1.4.0" },
      { hardwareRevision: "B", firmwareVersion: "1.4.1" },
    ],
    reporter: "SECRET-REPORTER alice@research.example",
    ...over,
  };
}

const VIEWERS = {
  anonymous: { kind: "anonymous" },
  retailerWatching: { kind: "retailer", watchesProduct: true },
  retailerNotWatching: { kind: "retailer", watchesProduct: false },
  supplierOwner: { kind: "supplier", ownsProduct: true },
  supplierOther: { kind: "supplier", ownsProduct: false },
  certifier: { kind: "certifier" },
} satisfies Record<string, Viewer>;
type ViewerName = keyof typeof VIEWERS;

const STATES: Record<string, { f: DisclosureFinding; now: Date }> = {
  "open before deadline": { f: finding(), now: BEFORE },
  "open after deadline": { f: finding({ status: "acknowledged" }), now: AFTER },
  "fixed awaiting verification before deadline": {
    f: finding({ status: "fixed", fixedInVersion: "1.5.0" }),
    now: BEFORE,
  },
  "verified fixed": {
    f: finding({ status: "verified_fixed", fixedInVersion: "1.5.0", verifiedAt: at("2027-04-10T12:00:00Z") }),
    now: BEFORE,
  },
  "withdrawn before deadline": { f: finding({ status: "withdrawn" }), now: BEFORE },
  "withdrawn after deadline (and published)": {
    f: finding({ status: "withdrawn", publishedAt: at("2027-04-01T00:00:00Z") }),
    now: AFTER,
  },
  "published early": {
    f: finding({ status: "fix_in_progress", publishedAt: at("2027-04-05T08:00:00Z") }),
    now: BEFORE,
  },
  "withdrawn after disclosure (deadline passed first)": {
    f: finding({ status: "withdrawn", withdrawnAt: at("2027-05-31T10:00:00Z") }),
    now: AFTER,
  },
  "withdrawn under embargo, deadline passed since": {
    f: finding({ status: "withdrawn", withdrawnAt: at("2027-05-01T10:00:00Z") }),
    now: AFTER,
  },
  "deadline extended, no longer passed": { f: finding({ deadline: at("2027-07-30T14:03:00Z") }), now: AFTER },
};

// anonymous, retailerWatching, retailerNotWatching, supplierOwner, supplierOther, certifier
const EXPECTED: Record<keyof typeof STATES, [Visibility, Visibility, Visibility, Visibility, Visibility, Visibility]> =
  {
    "open before deadline": ["none", "existence", "none", "full", "none", "full"],
    "open after deadline": ["advisory", "advisory", "advisory", "full", "advisory", "full"],
    "fixed awaiting verification before deadline": ["none", "existence", "none", "full", "none", "full"],
    "verified fixed": ["advisory", "advisory", "advisory", "full", "advisory", "full"],
    "withdrawn before deadline": ["none", "none", "none", "full", "none", "full"],
    "withdrawn after deadline (and published)": ["none", "none", "none", "full", "none", "full"],
    "published early": ["advisory", "advisory", "advisory", "full", "advisory", "full"],
    "withdrawn after disclosure (deadline passed first)": [
      "advisory",
      "advisory",
      "advisory",
      "full",
      "advisory",
      "full",
    ],
    "withdrawn under embargo, deadline passed since": ["none", "none", "none", "full", "none", "full"],
    "deadline extended, no longer passed": ["none", "existence", "none", "full", "none", "full"],
  };

describe("visibilityFor", () => {
  const names = Object.keys(VIEWERS) as ViewerName[];
  for (const [state, { f, now }] of Object.entries(STATES)) {
    names.forEach((name, i) => {
      const expected = EXPECTED[state][i];
      it(`${state}: ${name} sees ${expected}`, () => {
        expect(visibilityFor(VIEWERS[name], f, now)).toBe(expected);
      });
    });
  }

  it("switches from embargoed to advisory strictly after the deadline instant", () => {
    const f = finding();
    const anon = VIEWERS.anonymous;
    expect(visibilityFor(anon, f, new Date(DEADLINE.getTime() - 1))).toBe("none");
    expect(visibilityFor(anon, f, DEADLINE)).toBe("none");
    expect(visibilityFor(anon, f, new Date(DEADLINE.getTime() + 1))).toBe("advisory");
    expect(visibilityFor(VIEWERS.retailerWatching, f, DEADLINE)).toBe("existence");
  });

  it("a verified fix without a verification time fails closed (not public before the deadline, not existence either)", () => {
    const f = finding({ status: "verified_fixed", verifiedAt: null, fixedInVersion: "1.5.0" });
    expect(visibilityFor(VIEWERS.anonymous, f, BEFORE)).toBe("none");
    expect(visibilityFor(VIEWERS.retailerWatching, f, BEFORE)).toBe("none");
    expect(visibilityFor(VIEWERS.anonymous, f, AFTER)).toBe("advisory");
  });
});

describe("disclosureOf", () => {
  it("is embargoed until the current deadline while open", () => {
    expect(disclosureOf(finding(), BEFORE)).toEqual({ public: false, reason: "embargoed", until: DEADLINE });
    const extended = at("2027-07-30T14:03:00Z");
    expect(disclosureOf(finding({ deadline: extended }), AFTER)).toEqual({
      public: false,
      reason: "embargoed",
      until: extended,
    });
  });

  it("is public since the deadline once it has passed", () => {
    expect(disclosureOf(finding(), new Date(DEADLINE.getTime() + 1))).toEqual({
      public: true,
      since: DEADLINE,
      reason: "deadline_passed",
    });
    expect(disclosureOf(finding({ status: "fixed", fixedInVersion: "1.5.0" }), AFTER)).toEqual({
      public: true,
      since: DEADLINE,
      reason: "deadline_passed",
    });
  });

  it("is public since the fix was certified", () => {
    const verifiedAt = at("2027-04-10T12:00:00Z");
    expect(disclosureOf(finding({ status: "verified_fixed", verifiedAt }), BEFORE)).toEqual({
      public: true,
      since: verifiedAt,
      reason: "fix_certified",
    });
  });

  it("is public since the supplier published it", () => {
    const publishedAt = at("2027-04-05T08:00:00Z");
    expect(disclosureOf(finding({ publishedAt }), BEFORE)).toEqual({
      public: true,
      since: publishedAt,
      reason: "published_by_supplier",
    });
  });

  it("takes the earliest of several qualifying moments", () => {
    const publishedAt = at("2027-04-01T00:00:00Z");
    const verifiedAt = at("2027-04-10T12:00:00Z");
    const late = at("2027-06-20T00:00:00Z");
    // published, then verified, then deadline passed: published wins
    expect(disclosureOf(finding({ status: "verified_fixed", verifiedAt, publishedAt }), AFTER)).toEqual({
      public: true,
      since: publishedAt,
      reason: "published_by_supplier",
    });
    // verified before a later publication
    expect(
      disclosureOf(finding({ status: "verified_fixed", verifiedAt, publishedAt: at("2027-04-12T00:00:00Z") }), BEFORE),
    ).toEqual({
      public: true,
      since: verifiedAt,
      reason: "fix_certified",
    });
    // verified only after the deadline: it was already public since the deadline
    expect(disclosureOf(finding({ status: "verified_fixed", verifiedAt: late }), at("2027-07-01T00:00:00Z"))).toEqual({
      public: true,
      since: DEADLINE,
      reason: "deadline_passed",
    });
  });

  it("does not count a future publishedAt or verifiedAt", () => {
    const publishedAt = at("2027-05-01T00:00:00Z");
    expect(disclosureOf(finding({ publishedAt }), BEFORE)).toMatchObject({ public: false, reason: "embargoed" });
    expect(disclosureOf(finding({ publishedAt }), new Date(publishedAt.getTime() - 1))).toMatchObject({
      public: false,
    });
    expect(disclosureOf(finding({ publishedAt }), publishedAt)).toEqual({
      public: true,
      since: publishedAt,
      reason: "published_by_supplier",
    });
    const verifiedAt = at("2027-05-01T00:00:00Z");
    expect(disclosureOf(finding({ status: "verified_fixed", verifiedAt }), BEFORE)).toMatchObject({
      public: false,
      reason: "embargoed",
    });
  });

  it("ignores verifiedAt unless the status is verified_fixed", () => {
    const verifiedAt = at("2027-04-10T12:00:00Z");
    expect(disclosureOf(finding({ status: "fixed", verifiedAt }), BEFORE)).toMatchObject({
      public: false,
      reason: "embargoed",
    });
  });

  it("breaks ties: fix certified, then published by the supplier, then deadline passed", () => {
    expect(
      disclosureOf(finding({ status: "verified_fixed", verifiedAt: DEADLINE, publishedAt: DEADLINE }), AFTER),
    ).toMatchObject({ reason: "fix_certified" });
    expect(disclosureOf(finding({ publishedAt: DEADLINE }), AFTER)).toMatchObject({ reason: "published_by_supplier" });
  });

  it("never makes a withdrawn finding public, whatever the dates", () => {
    const f = finding({
      status: "withdrawn",
      publishedAt: at("2027-04-01T00:00:00Z"),
      verifiedAt: at("2027-04-02T00:00:00Z"),
    });
    expect(disclosureOf(f, BEFORE)).toEqual({ public: false, reason: "withdrawn" });
    expect(disclosureOf(f, at("2030-01-01T00:00:00Z"))).toEqual({ public: false, reason: "withdrawn" });
  });

  it("keeps an advisory public, marked, when the report is withdrawn after its disclosure", () => {
    const withdrawnAt = at("2027-05-31T10:00:00Z");
    expect(disclosureOf(finding({ status: "withdrawn", withdrawnAt }), AFTER)).toEqual({
      public: true,
      since: DEADLINE,
      reason: "deadline_passed",
      withdrawnAt,
    });
    // Published early, then withdrawn before the deadline: public since the publication.
    const published = at("2027-04-01T00:00:00Z");
    expect(
      disclosureOf(
        finding({ status: "withdrawn", publishedAt: published, withdrawnAt: at("2027-04-02T00:00:00Z") }),
        AFTER,
      ),
    ).toMatchObject({ public: true, since: published, reason: "published_by_supplier" });
    // Withdrawn at the deadline instant itself: it was still embargoed, so it is never disclosed.
    expect(disclosureOf(finding({ status: "withdrawn", withdrawnAt: DEADLINE }), AFTER)).toEqual({
      public: false,
      reason: "withdrawn",
    });
    // A publication after the withdrawal does not count (none can happen: the service refuses it).
    expect(
      disclosureOf(
        finding({ status: "withdrawn", withdrawnAt: BEFORE, publishedAt: at("2027-04-20T00:00:00Z") }),
        AFTER,
      ),
    ).toEqual({ public: false, reason: "withdrawn" });
  });

  it("returns copies of the dates", () => {
    const d = disclosureOf(finding(), AFTER);
    if (!d.public) throw new Error("expected public");
    d.since.setTime(0);
    expect(DEADLINE.toISOString()).toBe("2027-05-30T14:03:00.000Z");
  });
});

describe("publicAdvisory", () => {
  const ALLOWED = [
    "advisoryId",
    "affected",
    "affectedVersions",
    "disclosedOn",
    "fixedInVersion",
    "fixedOn",
    "reason",
    "reportedOn",
    "severity",
    "title",
    "withdrawnOn",
  ];

  it("is null while not public", () => {
    expect(publicAdvisory(finding(), BEFORE)).toBeNull();
    expect(publicAdvisory(finding({ status: "withdrawn" }), AFTER)).toBeNull();
    expect(publicAdvisory(finding({ deadline: at("2027-07-30T14:03:00Z") }), AFTER)).toBeNull();
  });

  it("holds exactly the allowed fields, and nothing private even when the record carries more", () => {
    const f = {
      ...finding({ status: "verified_fixed", verifiedAt: at("2027-04-10T12:00:00Z"), fixedInVersion: "1.5.0" }),
      cvssVector: "CVSS:3.1/AV:A/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
      notes: "SECRET-NOTE internal triage",
      history: [{ status: "open", at: REPORTED, note: "SECRET-HISTORY" }],
    } as DisclosureFinding;
    const a = publicAdvisory(f, BEFORE);
    expect(a).not.toBeNull();
    expect(Object.keys(a!).sort()).toEqual(ALLOWED);
    const json = JSON.stringify(a);
    for (const secret of [
      "SECRET-DESCRIPTION",
      "SECRET-REPORTER",
      "alice@research.example",
      "CVSS:3.1",
      "SECRET-NOTE",
      "SECRET-HISTORY",
      "f-1",
    ]) {
      expect(json).not.toContain(secret);
    }
    expect(a).toEqual({
      advisoryId: "IOTSEAL-2027-0001",
      title: "Pairing PIN can be brute-forced over BLE",
      severity: "high",
      affectedVersions: ["1.4.0", "1.4.1"],
      affected: [
        { hardwareRevision: "B", firmwareVersion: "1.4.0" },
        { hardwareRevision: "B", firmwareVersion: "1.4.1" },
      ],
      fixedInVersion: "1.5.0",
      reportedOn: "2027-03-01",
      fixedOn: "2027-04-10",
      disclosedOn: "2027-04-10",
      reason: "fix_certified",
      withdrawnOn: null,
    });
  });

  it("has the same keys when public by deadline, and names no unverified fix", () => {
    const a = publicAdvisory(finding({ status: "fixed", fixedInVersion: "1.5.0" }), AFTER)!;
    expect(Object.keys(a).sort()).toEqual(ALLOWED);
    expect(a.fixedInVersion).toBeNull();
    expect(a.fixedOn).toBeNull();
    expect(a.disclosedOn).toBe("2027-05-30");
    expect(a.reason).toBe("deadline_passed");
    expect(JSON.stringify(a)).not.toContain("SECRET");
  });

  it("dates are UTC days", () => {
    const a = publicAdvisory(
      finding({ reportedAt: at("2027-03-01T23:59:59Z"), publishedAt: at("2027-04-05T00:00:00Z") }),
      BEFORE,
    )!;
    expect(a.reportedOn).toBe("2027-03-01");
    expect(a.disclosedOn).toBe("2027-04-05");
  });

  it("does not share the affected versions array with the finding", () => {
    const f = finding();
    const a = publicAdvisory(f, AFTER)!;
    a.affectedVersions.push("9.9.9");
    expect(f.affectedVersions).toEqual(["1.4.0", "1.4.1"]);
  });
});

describe("outsiderView", () => {
  const findings: DisclosureFinding[] = [
    finding({ id: "a", advisoryId: "IOTSEAL-2027-0001", severity: "high" }), // public since deadline 2027-05-30
    finding({
      id: "b",
      advisoryId: "IOTSEAL-2027-0002",
      severity: "critical",
      status: "verified_fixed",
      verifiedAt: at("2027-04-10T00:00:00Z"),
      fixedInVersion: "1.5.0",
    }),
    finding({ id: "c", advisoryId: "IOTSEAL-2027-0003", severity: "medium", publishedAt: at("2027-05-31T00:00:00Z") }), // published after its deadline had already passed
    finding({
      id: "d",
      advisoryId: "IOTSEAL-2027-0004",
      severity: "critical",
      reportedAt: at("2027-05-20T00:00:00Z"),
      deadline: at("2027-06-19T00:00:00Z"),
    }),
    finding({
      id: "e",
      advisoryId: "IOTSEAL-2027-0005",
      severity: "low",
      status: "fix_in_progress",
      reportedAt: at("2027-05-25T00:00:00Z"),
      deadline: at("2027-11-21T00:00:00Z"),
    }),
    finding({
      id: "f",
      advisoryId: "IOTSEAL-2027-0006",
      severity: "critical",
      status: "fixed",
      fixedInVersion: "1.6.0",
      reportedAt: at("2027-05-26T00:00:00Z"),
      deadline: at("2027-06-25T00:00:00Z"),
    }),
    finding({
      id: "g",
      advisoryId: "IOTSEAL-2027-0007",
      severity: "high",
      status: "withdrawn",
      reportedAt: at("2027-05-27T00:00:00Z"),
      deadline: at("2027-08-25T00:00:00Z"),
    }),
    finding({ id: "h", advisoryId: "IOTSEAL-2027-0008", severity: "high", status: "withdrawn" }), // withdrawn, deadline passed
    finding({
      id: "i",
      advisoryId: "IOTSEAL-2027-0009",
      severity: "medium",
      status: "acknowledged",
      reportedAt: at("2027-05-28T00:00:00Z"),
      deadline: at("2027-08-26T00:00:00Z"),
      publishedAt: at("2027-05-31T12:00:00Z"),
    }),
  ];
  const now = at("2027-06-01T00:00:00Z");

  it("gives anyone the public advisories only, newest disclosed first, and no counts", () => {
    const v = outsiderView({ kind: "anonymous" }, findings, now);
    expect(v.openEmbargoed).toBeNull();
    expect(v.advisories.map((a) => [a.advisoryId, a.disclosedOn, a.reason])).toEqual([
      ["IOTSEAL-2027-0009", "2027-05-31", "published_by_supplier"],
      ["IOTSEAL-2027-0003", "2027-05-30", "deadline_passed"], // same instant as 0001: higher id first
      ["IOTSEAL-2027-0001", "2027-05-30", "deadline_passed"],
      ["IOTSEAL-2027-0002", "2027-04-10", "fix_certified"],
    ]);
    expect(JSON.stringify(v)).not.toContain("SECRET");
  });

  it("tells a watching retailer how many open findings are embargoed, by severity", () => {
    const v = outsiderView({ kind: "retailer", watchesProduct: true }, findings, now);
    expect(v.advisories.map((a) => a.advisoryId)).toEqual([
      "IOTSEAL-2027-0009",
      "IOTSEAL-2027-0003",
      "IOTSEAL-2027-0001",
      "IOTSEAL-2027-0002",
    ]);
    expect(v.openEmbargoed).toEqual({ count: 3, bySeverity: { critical: 2, high: 0, medium: 0, low: 1 } });
  });

  it("gives a retailer not watching the product, or another supplier, no counts", () => {
    for (const viewer of [
      { kind: "retailer", watchesProduct: false },
      { kind: "supplier", ownsProduct: false },
    ] satisfies Viewer[]) {
      const v = outsiderView(viewer, findings, now);
      expect(v.openEmbargoed).toBeNull();
      expect(v.advisories).toHaveLength(4);
    }
  });

  it("counts zero for every severity when nothing is embargoed", () => {
    const v = outsiderView({ kind: "retailer", watchesProduct: true }, [], now);
    expect(v).toEqual({
      advisories: [],
      openEmbargoed: {
        count: 0,
        bySeverity: { critical: 0, high: 0, medium: 0, low: 0 } satisfies Record<Severity, number>,
      },
    });
  });

  it("shows a certifier or owning supplier the same public view", () => {
    const anon = outsiderView({ kind: "anonymous" }, findings, now);
    expect(outsiderView({ kind: "certifier" }, findings, now)).toEqual(anon);
    expect(outsiderView({ kind: "supplier", ownsProduct: true }, findings, now)).toEqual(anon);
  });
});

describe("advisory ids", () => {
  it("formats the year and a zero-padded sequence of at least 4 digits", () => {
    expect(advisoryId(2026, 7)).toBe("IOTSEAL-2026-0007");
    expect(advisoryId(2026, 1)).toBe("IOTSEAL-2026-0001");
    expect(advisoryId(2026, 9999)).toBe("IOTSEAL-2026-9999");
    expect(advisoryId(2026, 12345)).toBe("IOTSEAL-2026-12345");
  });

  it("rejects a bad year or sequence", () => {
    for (const [y, s] of [
      [2026, 0],
      [2026, -1],
      [2026, 1.5],
      [2026, Number.NaN],
      [26, 1],
      [20260, 1],
      [2026.5, 1],
    ]) {
      expect(() => advisoryId(y, s)).toThrow(RangeError);
    }
  });

  it("parses what it formats", () => {
    for (const [y, s] of [
      [2026, 7],
      [2027, 1],
      [2030, 9999],
      [2030, 10000],
      [2031, 123456],
    ]) {
      expect(parseAdvisoryId(advisoryId(y, s))).toEqual({ year: y, sequence: s });
    }
  });

  it("forgives spaces and letter case", () => {
    expect(parseAdvisoryId("  iotseal-2026-0007 ")).toEqual({ year: 2026, sequence: 7 });
  });

  it("rejects anything else", () => {
    for (const s of [
      "",
      "IOTSEAL-2026-007",
      "IOTSEAL-2026-00007",
      "IOTSEAL-2026-0000",
      "IOTSEAL-26-0007",
      "IOTSEAL-0999-0007",
      "CVE-2026-0007",
      "IOTSEAL-2026-0007x",
      "IOTSEAL 2026 0007",
      "IOTSEAL-2026--007",
    ]) {
      expect(parseAdvisoryId(s), s).toBeNull();
    }
  });
});

describe("a report recorded after its deadline had passed (back-dated)", () => {
  // Reported 2026-09-01, deadline 2026-10-01, recorded in the portal on 2026-12-05 (the assessor confirmed it public at once).
  const RECORDED = at("2026-12-05T09:30:00Z");
  const backdated = (over: Partial<DisclosureFinding> = {}) =>
    finding({
      advisoryId: "IOTSEAL-2026-0009",
      reportedAt: at("2026-09-01T00:00:00Z"),
      recordedAt: RECORDED,
      deadline: at("2026-10-01T00:00:00Z"),
      ...over,
    });

  it("is public from when it was recorded, never from its deadline", () => {
    expect(disclosureOf(backdated(), at("2026-12-05T10:00:00Z"))).toEqual({
      public: true,
      since: RECORDED,
      reason: "deadline_passed",
    });
    expect(disclosureOf(backdated(), RECORDED)).toMatchObject({ public: true, since: RECORDED });
    // Nothing about it was public before the portal knew of it.
    expect(disclosureOf(backdated(), at("2026-12-05T09:29:59Z"))).toMatchObject({ public: false });
    expect(publicAdvisory(backdated(), at("2026-12-05T10:00:00Z"))).toMatchObject({
      reportedOn: "2026-09-01",
      disclosedOn: "2026-12-05",
      reason: "deadline_passed",
    });
    expect(disclosureLabel(disclosureOf(backdated(), at("2026-12-06T00:00:00Z")))).toBe(
      "Public since 5 Dec 2026 (deadline passed)",
    );
  });

  it("a report recorded before its deadline is still public from the deadline", () => {
    expect(disclosureOf(backdated({ recordedAt: at("2026-09-02T00:00:00Z") }), at("2026-12-05T10:00:00Z"))).toEqual({
      public: true,
      since: at("2026-10-01T00:00:00Z"),
      reason: "deadline_passed",
    });
  });

  it("withdrawn later, it stays public from its recording", () => {
    const d = disclosureOf(
      backdated({ status: "withdrawn", withdrawnAt: at("2026-12-10T00:00:00Z") }),
      at("2027-01-01T00:00:00Z"),
    );
    expect(d).toMatchObject({ public: true, since: RECORDED, withdrawnAt: at("2026-12-10T00:00:00Z") });
  });

  it("is listed as the newest advisory, above one disclosed (by its deadline) before it was recorded", () => {
    const other = finding({
      id: "o",
      advisoryId: "IOTSEAL-2026-0010",
      reportedAt: at("2026-08-22T00:00:00Z"),
      recordedAt: at("2026-08-22T10:00:00Z"),
      deadline: at("2026-11-20T00:00:00Z"),
    });
    const view = outsiderView(VIEWERS.anonymous, [other, backdated()], at("2026-12-06T00:00:00Z"));
    expect(view.advisories.map((a) => [a.advisoryId, a.disclosedOn])).toEqual([
      ["IOTSEAL-2026-0009", "2026-12-05"],
      ["IOTSEAL-2026-0010", "2026-11-20"],
    ]);
  });
});

describe("disclosureLabel", () => {
  it("reads the disclosure state", () => {
    expect(disclosureLabel(disclosureOf(finding(), AFTER))).toBe("Public since 30 May 2027 (deadline passed)");
    expect(disclosureLabel(disclosureOf(finding(), BEFORE))).toBe(
      "Embargoed until 30 May 2027, 14:03 UTC or until the fix is verified",
    );
    expect(
      disclosureLabel(
        disclosureOf(finding({ status: "verified_fixed", verifiedAt: at("2027-04-10T12:00:00Z") }), BEFORE),
      ),
    ).toBe("Public since 10 Apr 2027 (fix verified)");
    expect(disclosureLabel(disclosureOf(finding({ publishedAt: at("2027-04-05T08:00:00Z") }), BEFORE))).toBe(
      "Public since 5 Apr 2027 (published by the supplier)",
    );
    expect(disclosureLabel(disclosureOf(finding({ status: "withdrawn" }), AFTER))).toBe("Withdrawn: never disclosed");
    expect(
      disclosureLabel(disclosureOf(finding({ status: "withdrawn", withdrawnAt: at("2027-06-01T08:00:00Z") }), AFTER)),
    ).toBe("Withdrawn on 1 Jun 2027 after disclosure on 30 May 2027 (deadline passed): the advisory stays public");
  });

  it("marks the public advisory of a report withdrawn after disclosure", () => {
    const a = publicAdvisory(finding({ status: "withdrawn", withdrawnAt: at("2027-06-01T08:00:00Z") }), AFTER);
    expect(a).toMatchObject({ disclosedOn: "2027-05-30", withdrawnOn: "2027-06-01", reason: "deadline_passed" });
    expect(publicAdvisory(finding({ status: "acknowledged" }), AFTER)!.withdrawnOn).toBeNull();
    const view = outsiderView(
      VIEWERS.retailerWatching,
      [finding({ status: "withdrawn", withdrawnAt: at("2027-06-01T08:00:00Z") })],
      AFTER,
    );
    expect(view.advisories.map((x) => x.withdrawnOn)).toEqual(["2027-06-01"]);
    expect(view.openEmbargoed).toEqual({ count: 0, bySeverity: { critical: 0, high: 0, medium: 0, low: 0 } });
  });

  it("names the extended deadline", () => {
    const deadline = new Date(DEADLINE.getTime() + 30 * DAY_MS);
    expect(disclosureLabel(disclosureOf(finding({ deadline }), AFTER))).toBe(
      "Embargoed until 29 Jun 2027, 14:03 UTC or until the fix is verified",
    );
  });
});
