import { describe, expect, it } from "vitest";
import {
  addMonthsUtc,
  describeResult,
  evaluatePolicy,
  POLICY_CATEGORIES,
  policyApplies,
  policyInput,
  summarizePolicy,
  wholeMonthsBetween,
  type Policy,
  type PolicyLink,
  type PolicyMiss,
  type PolicyNames,
  type PolicySealFacts,
} from "../../../app/features/retail/domain/policy";
import { PRODUCT_CATEGORIES } from "../../../app/features/catalogue/domain/product";

const at = (iso: string) => new Date(iso);
/** Crosswalk links of one kind (null: a plain maps_to string, kind unspecified). */
const links = (kind: PolicyLink["kind"], ...to: string[]): PolicyLink[] => to.map((t) => ({ to: t, kind }));

const IOTSF_LEVELS = [
  { id: "class-0", title: "Class 0 — compromise would have little discernible impact" },
  { id: "class-1", title: "Class 1 — compromise would have no more than limited impact" },
  { id: "class-2", title: "Class 2 — also resists attacks on availability with significant impact" },
  { id: "class-3", title: "Class 3 — also resists attacks on personal data" },
  { id: "class-4", title: "Class 4 — compromise could cause harm to people" },
];

const NAMES: PolicyNames = {
  "uk-psti": { title: "UK PSTI", levels: [{ id: "baseline", title: "Baseline" }] },
  "etsi-en-303-645": { title: "ETSI EN 303 645", levels: [{ id: "baseline", title: "Baseline" }] },
  "iotsf-assurance-framework": { title: "IoT Security Foundation Assurance Framework", levels: IOTSF_LEVELS },
};

const POLICY: Policy = {
  id: "pol-1",
  name: "Children's wearables",
  category: "childrens-wearable",
  accepted: [],
  requiredProvisions: [],
  minSupportMonths: null,
  blockingFindingSeverity: null,
  maxSealAgeMonths: null,
};

const IOTSF: PolicySealFacts = {
  serial: "IS-2025-000123",
  status: "valid",
  category: "childrens-wearable",
  checklist: {
    id: "iotsf-assurance-framework",
    title: "IoT Security Assurance Framework",
    version: "3.0",
    level: "class-2",
    levels: IOTSF_LEVELS,
  },
  requirements: [
    { ref: "2.4.5.1", met: true, mapsTo: links(null, "etsi-en-303-645:5.1-1", "uk-psti:1") },
    { ref: "2.4.7.1", met: false, mapsTo: links(null, "etsi-en-303-645:5.3-1") },
  ],
  supportPeriodEnd: "2028-12-31",
  issuedAt: at("2025-01-15T10:00:00Z"),
  findings: [],
};

const PSTI: PolicySealFacts = {
  ...IOTSF,
  checklist: {
    id: "uk-psti",
    title:
      "Product Security and Telecommunications Infrastructure (Security Requirements for Relevant Connectable Products) Regulations 2023",
    version: "2023",
    level: "baseline",
    levels: [{ id: "baseline", title: "Baseline" }],
  },
  requirements: [
    {
      ref: "1",
      met: true,
      mapsTo: [...links("equivalent", "etsi-en-303-645:5.1-1"), ...links("partial", "etsi-en-303-645:5.1-2")],
    },
    { ref: "2", met: false, mapsTo: links("equivalent", "etsi-en-303-645:5.2-1") },
    { ref: "3", met: false, accepted: true, mapsTo: links(null, "etsi-en-303-645:5.3-13") },
  ],
};

const ETSI: PolicySealFacts = {
  ...IOTSF,
  checklist: {
    id: "etsi-en-303-645",
    title: "Cyber Security for Consumer Internet of Things: Baseline Requirements",
    version: "3.1.3",
    level: "baseline",
    levels: [{ id: "baseline", title: "Baseline" }],
  },
  requirements: [
    { ref: "5.1-1", met: true, mapsTo: links(null, "uk-psti:1") },
    { ref: "5.1-3", met: false, mapsTo: [] },
    { ref: "5.1-4", met: false, accepted: true, mapsTo: [] },
    { ref: "5.2-1", met: true, mapsTo: links(null, "uk-psti:2") },
  ],
};

const NOW = at("2025-11-30T12:00:00Z");
const PAST = at("2025-11-01T00:00:00Z");
const FUTURE = at("2026-01-01T00:00:00Z");

interface Case {
  name: string;
  policy?: Partial<Policy>;
  facts?: PolicySealFacts;
  with?: Partial<PolicySealFacts>;
  now?: Date;
  names?: PolicyNames | null;
  misses: PolicyMiss[];
}

const CASES: Case[] = [
  { name: "an empty policy is met by a valid seal", misses: [] },

  // status
  {
    name: "status: suspended misses",
    with: { status: "suspended" },
    misses: [{ clause: "status", message: "The seal is suspended, not valid." }],
  },
  {
    name: "status: expired misses",
    with: { status: "expired" },
    misses: [{ clause: "status", message: "The seal is expired, not valid." }],
  },
  {
    name: "status: forged reads as not genuine",
    with: { status: "forged" },
    misses: [{ clause: "status", message: "The seal is not genuine, not valid." }],
  },

  // checklist and level
  { name: "checklist: an empty accepted list takes any checklist", facts: PSTI, misses: [] },
  {
    name: "checklist: the exact minimum level meets",
    policy: { accepted: [{ checklistId: "iotsf-assurance-framework", minLevel: "class-2" }] },
    misses: [],
  },
  {
    name: "checklist: a higher level meets",
    policy: { accepted: [{ checklistId: "iotsf-assurance-framework", minLevel: "class-1" }] },
    misses: [],
  },
  {
    name: "checklist: a lower level misses",
    policy: { accepted: [{ checklistId: "iotsf-assurance-framework", minLevel: "class-3" }] },
    misses: [
      {
        clause: "checklist",
        message:
          "Certified against IoT Security Foundation Assurance Framework at Class 2; this policy accepts IoT Security Foundation Assurance Framework at Class 3 or higher.",
      },
    ],
  },
  {
    name: "checklist: another checklist misses, naming every accepted one",
    facts: PSTI,
    policy: {
      accepted: [
        { checklistId: "iotsf-assurance-framework", minLevel: "class-2" },
        { checklistId: "etsi-en-303-645", minLevel: "baseline" },
      ],
    },
    misses: [
      {
        clause: "checklist",
        message:
          "Certified against UK PSTI at Baseline; this policy accepts IoT Security Foundation Assurance Framework at Class 2 or higher, or ETSI EN 303 645 at Baseline or higher.",
      },
    ],
  },
  {
    name: "checklist: one matching entry among several meets",
    facts: PSTI,
    policy: {
      accepted: [
        { checklistId: "iotsf-assurance-framework", minLevel: "class-3" },
        { checklistId: "uk-psti", minLevel: "baseline" },
      ],
    },
    misses: [],
  },
  {
    name: "checklist: a minimum level the checklist does not define misses, saying so",
    policy: { accepted: [{ checklistId: "iotsf-assurance-framework", minLevel: "class-9" }] },
    misses: [
      {
        clause: "checklist",
        message:
          'Certified against IoT Security Foundation Assurance Framework at Class 2; this policy accepts IoT Security Foundation Assurance Framework at class-9 or higher. IoT Security Foundation Assurance Framework has no level "class-9".',
      },
    ],
  },
  {
    name: "checklist: without names, the seal's own title and level titles are used, other checklists by id",
    facts: IOTSF,
    names: null,
    policy: { accepted: [{ checklistId: "uk-psti", minLevel: "baseline" }] },
    misses: [
      {
        clause: "checklist",
        message:
          "Certified against IoT Security Assurance Framework at Class 2; this policy accepts uk-psti at baseline or higher.",
      },
    ],
  },

  // provisions
  {
    name: "provision: met directly",
    facts: ETSI,
    policy: { requiredProvisions: ["etsi-en-303-645:5.1-1"] },
    misses: [],
  },
  {
    name: "provision: met through an equivalent crosswalk link (PSTI 1 to ETSI 5.1-1)",
    facts: PSTI,
    policy: { requiredProvisions: ["etsi-en-303-645:5.1-1"] },
    misses: [],
  },
  {
    name: "provision: a partial link from a met requirement meets it only partly, which is a miss",
    facts: PSTI,
    policy: { requiredProvisions: ["etsi-en-303-645:5.1-2"] },
    misses: [
      {
        clause: "provision",
        provision: "etsi-en-303-645:5.1-2",
        message:
          "ETSI EN 303 645 5.1-2 is met only partly, through the crosswalk: UK PSTI 1 is met, but the crosswalk links the two only as partial.",
      },
    ],
  },
  {
    name: "provision: a link of unspecified kind meets it only partly, as on the coverage page",
    facts: IOTSF,
    policy: { requiredProvisions: ["etsi-en-303-645:5.1-1"] },
    misses: [
      {
        clause: "provision",
        provision: "etsi-en-303-645:5.1-1",
        message:
          "ETSI EN 303 645 5.1-1 is met only partly, through the crosswalk: IoT Security Foundation Assurance Framework 2.4.5.1 is met, but the crosswalk does not say the two are equivalent.",
      },
    ],
  },
  {
    name: "provision: one equivalent link from a met requirement is enough, whatever the others",
    facts: IOTSF,
    with: {
      requirements: [
        { ref: "2.4.5.1", met: true, mapsTo: links("partial", "etsi-en-303-645:5.1-1") },
        { ref: "2.4.5.2", met: true, mapsTo: links("equivalent", "etsi-en-303-645:5.1-1") },
        { ref: "2.4.5.3", met: false, mapsTo: links("equivalent", "etsi-en-303-645:5.1-1") },
      ],
    },
    policy: { requiredProvisions: ["etsi-en-303-645:5.1-1"] },
    misses: [],
  },
  {
    name: "provision: met only partly, naming the partial links and the equivalent one not met",
    facts: IOTSF,
    with: {
      requirements: [
        { ref: "2.4.5.1", met: true, mapsTo: links("partial", "etsi-en-303-645:5.1-1") },
        { ref: "2.4.5.3", met: false, mapsTo: links("equivalent", "etsi-en-303-645:5.1-1") },
      ],
    },
    policy: { requiredProvisions: ["etsi-en-303-645:5.1-1"] },
    misses: [
      {
        clause: "provision",
        provision: "etsi-en-303-645:5.1-1",
        message:
          "ETSI EN 303 645 5.1-1 is met only partly, through the crosswalk: IoT Security Foundation Assurance Framework 2.4.5.1 is met, but the crosswalk links the two only as partial, and IoT Security Foundation Assurance Framework 2.4.5.3 maps to it but is not met.",
      },
    ],
  },
  {
    name: "provision: both files link the pair, one as equivalent, the other as partial: the weaker stands",
    facts: IOTSF,
    with: {
      requirements: [
        {
          ref: "2.4.5.1",
          met: true,
          mapsTo: [...links("equivalent", "etsi-en-303-645:5.1-1"), ...links("partial", "etsi-en-303-645:5.1-1")],
        },
      ],
    },
    policy: { requiredProvisions: ["etsi-en-303-645:5.1-1"] },
    misses: [
      {
        clause: "provision",
        provision: "etsi-en-303-645:5.1-1",
        message:
          "ETSI EN 303 645 5.1-1 is met only partly, through the crosswalk: IoT Security Foundation Assurance Framework 2.4.5.1 is met, but the crosswalk links the two only as partial.",
      },
    ],
  },
  {
    name: "provision: one file states equivalent, the other leaves the kind unspecified: equivalent stands",
    facts: IOTSF,
    with: {
      requirements: [
        {
          ref: "2.4.5.1",
          met: true,
          mapsTo: [...links(null, "etsi-en-303-645:5.1-1"), ...links("equivalent", "etsi-en-303-645:5.1-1")],
        },
      ],
    },
    policy: { requiredProvisions: ["etsi-en-303-645:5.1-1"] },
    misses: [],
  },
  {
    name: "provision: the seal's own requirement not met",
    facts: ETSI,
    policy: { requiredProvisions: ["etsi-en-303-645:5.1-3"] },
    misses: [{ clause: "provision", provision: "etsi-en-303-645:5.1-3", message: "ETSI EN 303 645 5.1-3 is not met." }],
  },
  {
    name: "provision: accepted on its justification does not count as met",
    facts: ETSI,
    policy: { requiredProvisions: ["etsi-en-303-645:5.1-4"] },
    misses: [
      {
        clause: "provision",
        provision: "etsi-en-303-645:5.1-4",
        message: "ETSI EN 303 645 5.1-4 is accepted on its justification, not implemented.",
      },
    ],
  },
  {
    name: "provision: the requirement that maps to it is not met",
    facts: PSTI,
    policy: { requiredProvisions: ["etsi-en-303-645:5.2-1"] },
    misses: [
      {
        clause: "provision",
        provision: "etsi-en-303-645:5.2-1",
        message: "ETSI EN 303 645 5.2-1 is not met through the crosswalk: UK PSTI 2 maps to it but is not met.",
      },
    ],
  },
  {
    name: "provision: the requirement that maps to it is only accepted on its justification",
    facts: PSTI,
    policy: { requiredProvisions: ["etsi-en-303-645:5.3-13"] },
    misses: [
      {
        clause: "provision",
        provision: "etsi-en-303-645:5.3-13",
        message:
          "ETSI EN 303 645 5.3-13 is not met through the crosswalk: UK PSTI 3 maps to it but is accepted on its justification, not implemented.",
      },
    ],
  },
  {
    name: "provision: nothing in the seal's checklist maps to it",
    facts: PSTI,
    policy: { requiredProvisions: ["etsi-en-303-645:5.1-3"] },
    misses: [
      {
        clause: "provision",
        provision: "etsi-en-303-645:5.1-3",
        message: "No requirement of UK PSTI maps to ETSI EN 303 645 5.1-3.",
      },
    ],
  },
  {
    name: "provision: a ref of the seal's own checklist outside the seal's scope",
    facts: ETSI,
    policy: { requiredProvisions: ["etsi-en-303-645:5.13-1"] },
    misses: [
      {
        clause: "provision",
        provision: "etsi-en-303-645:5.13-1",
        message: "ETSI EN 303 645 5.13-1 is not among the requirements this seal covers.",
      },
    ],
  },
  {
    name: "provision: a malformed provision is a miss",
    facts: ETSI,
    policy: { requiredProvisions: ["ETSI 5.1-1"] },
    misses: [
      {
        clause: "provision",
        provision: "ETSI 5.1-1",
        message:
          'The required provision "ETSI 5.1-1" is not written as <checklist-id>:<ref>; the policy needs correcting.',
      },
    ],
  },
  {
    name: "provision: one miss per provision not met, in the policy's order",
    facts: PSTI,
    policy: { requiredProvisions: ["etsi-en-303-645:5.1-3", "etsi-en-303-645:5.1-1", "etsi-en-303-645:5.2-1"] },
    misses: [
      {
        clause: "provision",
        provision: "etsi-en-303-645:5.1-3",
        message: "No requirement of UK PSTI maps to ETSI EN 303 645 5.1-3.",
      },
      {
        clause: "provision",
        provision: "etsi-en-303-645:5.2-1",
        message: "ETSI EN 303 645 5.2-1 is not met through the crosswalk: UK PSTI 2 maps to it but is not met.",
      },
    ],
  },

  // support
  { name: "support: long enough", policy: { minSupportMonths: 24 }, misses: [] },
  {
    name: "support: ending exactly at now + m months meets",
    policy: { minSupportMonths: 24 },
    with: { supportPeriodEnd: "2027-06-30" },
    now: at("2025-06-30T23:59:59Z"),
    misses: [],
  },
  {
    name: "support: one millisecond short misses",
    policy: { minSupportMonths: 24 },
    with: { supportPeriodEnd: "2027-06-30" },
    now: at("2025-06-30T23:59:59.001Z"),
    misses: [
      {
        clause: "support",
        message:
          "Security support ends 30 Jun 2027, in 1 year and 11 months; this policy needs at least 2 years of support from today.",
      },
    ],
  },
  {
    name: "support: months left are floored",
    policy: { minSupportMonths: 24 },
    with: { supportPeriodEnd: "2027-06-30" },
    now: at("2026-11-15T00:00:00Z"),
    misses: [
      {
        clause: "support",
        message:
          "Security support ends 30 Jun 2027, in 7 months; this policy needs at least 2 years of support from today.",
      },
    ],
  },
  {
    name: "support: less than a month left",
    policy: { minSupportMonths: 1 },
    with: { supportPeriodEnd: "2025-12-10" },
    misses: [
      {
        clause: "support",
        message:
          "Security support ends 10 Dec 2025, in less than a month; this policy needs at least 1 month of support from today.",
      },
    ],
  },
  {
    name: "support: already ended",
    policy: { minSupportMonths: 24 },
    with: { supportPeriodEnd: "2025-01-31" },
    misses: [
      {
        clause: "support",
        message: "Security support has ended (31 Jan 2025); this policy needs at least 2 years of support from today.",
      },
    ],
  },
  {
    name: "support: Jan 31 + 1 month clamps to Feb 28 (meets)",
    policy: { minSupportMonths: 1 },
    with: { supportPeriodEnd: "2026-02-28" },
    now: at("2026-01-31T12:00:00Z"),
    misses: [],
  },
  {
    name: "support: Jan 31 + 1 month clamps to Feb 28 (misses a day earlier)",
    policy: { minSupportMonths: 1 },
    with: { supportPeriodEnd: "2026-02-27" },
    now: at("2026-01-31T12:00:00Z"),
    misses: [
      {
        clause: "support",
        message:
          "Security support ends 27 Feb 2026, in less than a month; this policy needs at least 1 month of support from today.",
      },
    ],
  },
  {
    name: "support: an unreadable end date misses",
    policy: { minSupportMonths: 12 },
    with: { supportPeriodEnd: "soon" },
    misses: [
      {
        clause: "support",
        message: "The end of security support is not known; this policy needs at least 1 year of support from today.",
      },
    ],
  },
  { name: "support: no minimum, no check", with: { supportPeriodEnd: "2020-01-01" }, misses: [] },

  // cra-support: the product's own support period against EU CRA Article 13(8)
  {
    name: "cra-support: five years from going on sale meets",
    policy: { craSupportPeriod: true },
    with: {
      supportPeriod: {
        supportPeriodEnd: "2028-12-31",
        placedOnMarketOn: "2024-01-01",
        expectedUseMonths: null,
        expectedUseReason: null,
      },
    },
    misses: [],
  },
  {
    name: "cra-support: shorter, with a stated expected use time and reason it covers, meets",
    policy: { craSupportPeriod: true },
    with: {
      supportPeriod: {
        supportPeriodEnd: "2028-12-31",
        placedOnMarketOn: "2025-01-01",
        expectedUseMonths: 48,
        expectedUseReason: "Children outgrow it.",
      },
    },
    misses: [],
  },
  {
    name: "cra-support: shorter than five years and no expected use time misses, in plain words",
    policy: { craSupportPeriod: true },
    with: {
      supportPeriod: {
        supportPeriodEnd: "2028-12-31",
        placedOnMarketOn: "2025-01-01",
        expectedUseMonths: null,
        expectedUseReason: null,
      },
    },
    misses: [
      {
        clause: "cra-support",
        message:
          "Support ends 31 Dec 2028: shorter than the five years the EU Cyber Resilience Act asks, and no expected use time is stated.",
      },
    ],
  },
  {
    name: "cra-support: unknown support facts miss",
    policy: { craSupportPeriod: true },
    misses: [
      {
        clause: "cra-support",
        message:
          "When the product goes on sale is not known; this policy needs a support period that meets the EU Cyber Resilience Act.",
      },
    ],
  },
  {
    name: "cra-support: not asked, not checked",
    with: {
      supportPeriod: {
        supportPeriodEnd: "2025-12-31",
        placedOnMarketOn: "2025-01-01",
        expectedUseMonths: null,
        expectedUseReason: null,
      },
    },
    misses: [],
  },

  // findings
  {
    name: "findings: an open high finding past its deadline misses",
    policy: { blockingFindingSeverity: "high" },
    with: { findings: [{ severity: "high", deadline: PAST, open: true }] },
    misses: [{ clause: "findings", message: "1 high finding is open past its disclosure deadline." }],
  },
  {
    name: "findings: an open high finding before its deadline meets",
    policy: { blockingFindingSeverity: "high" },
    with: { findings: [{ severity: "high", deadline: FUTURE, open: true }] },
    misses: [],
  },
  {
    name: "findings: exactly at the deadline is not past it",
    policy: { blockingFindingSeverity: "high" },
    with: { findings: [{ severity: "high", deadline: NOW, open: true }] },
    misses: [],
  },
  {
    name: "findings: a closed finding past its deadline meets",
    policy: { blockingFindingSeverity: "high" },
    with: { findings: [{ severity: "critical", deadline: PAST, open: false }] },
    misses: [],
  },
  {
    name: "findings: a medium finding past its deadline meets a high policy",
    policy: { blockingFindingSeverity: "high" },
    with: { findings: [{ severity: "medium", deadline: PAST, open: true }] },
    misses: [],
  },
  {
    name: "findings: a medium finding past its deadline misses a medium policy",
    policy: { blockingFindingSeverity: "medium" },
    with: {
      findings: [
        { severity: "medium", deadline: PAST, open: true },
        { severity: "low", deadline: PAST, open: true },
      ],
    },
    misses: [{ clause: "findings", message: "1 medium finding is open past its disclosure deadline." }],
  },
  {
    name: "findings: counts per severity, most severe first",
    policy: { blockingFindingSeverity: "high" },
    with: {
      findings: [
        { severity: "high", deadline: PAST, open: true },
        { severity: "critical", deadline: PAST, open: true },
        { severity: "high", deadline: PAST, open: true },
        { severity: "high", deadline: FUTURE, open: true },
      ],
    },
    misses: [
      { clause: "findings", message: "1 critical and 2 high findings are open past their disclosure deadlines." },
    ],
  },
  {
    name: "findings: no severity set, no check",
    with: { findings: [{ severity: "critical", deadline: PAST, open: true }] },
    misses: [],
  },

  // age
  { name: "age: young enough", policy: { maxSealAgeMonths: 24 }, misses: [] },
  {
    name: "age: just before the limit meets",
    policy: { maxSealAgeMonths: 24 },
    with: { issuedAt: at("2024-10-30T09:00:00Z") },
    now: at("2026-10-30T08:59:59.999Z"),
    misses: [],
  },
  {
    name: "age: exactly at the limit misses",
    policy: { maxSealAgeMonths: 24 },
    with: { issuedAt: at("2024-10-30T09:00:00Z") },
    now: at("2026-10-30T09:00:00Z"),
    misses: [
      { clause: "age", message: "Issued 24 months ago (30 Oct 2024); this policy accepts seals up to 24 months old." },
    ],
  },
  {
    name: "age: months ago are floored",
    policy: { maxSealAgeMonths: 24 },
    with: { issuedAt: at("2024-10-30T09:00:00Z") },
    now: at("2026-12-29T12:00:00Z"),
    misses: [
      { clause: "age", message: "Issued 25 months ago (30 Oct 2024); this policy accepts seals up to 24 months old." },
    ],
  },
  {
    name: "age: Jan 31 + 1 month is Feb 29 in a leap year (meets the day before)",
    policy: { maxSealAgeMonths: 1 },
    with: { issuedAt: at("2024-01-31T00:00:00Z") },
    now: at("2024-02-28T23:59:59.999Z"),
    misses: [],
  },
  {
    name: "age: Jan 31 + 1 month is Feb 29 in a leap year (misses on it)",
    policy: { maxSealAgeMonths: 1 },
    with: { issuedAt: at("2024-01-31T00:00:00Z") },
    now: at("2024-02-29T00:00:00Z"),
    misses: [
      { clause: "age", message: "Issued 1 month ago (31 Jan 2024); this policy accepts seals up to 1 month old." },
    ],
  },

  // everything at once
  {
    name: "every clause missed, reported in clause order",
    facts: PSTI,
    with: {
      status: "suspended",
      supportPeriodEnd: "2025-06-30",
      issuedAt: at("2023-05-01T00:00:00Z"),
      findings: [{ severity: "critical", deadline: PAST, open: true }],
    },
    policy: {
      accepted: [{ checklistId: "etsi-en-303-645", minLevel: "baseline" }],
      requiredProvisions: ["etsi-en-303-645:5.1-3", "etsi-en-303-645:5.2-1"],
      minSupportMonths: 24,
      blockingFindingSeverity: "high",
      maxSealAgeMonths: 24,
    },
    misses: [
      { clause: "status", message: "The seal is suspended, not valid." },
      {
        clause: "checklist",
        message: "Certified against UK PSTI at Baseline; this policy accepts ETSI EN 303 645 at Baseline or higher.",
      },
      {
        clause: "provision",
        provision: "etsi-en-303-645:5.1-3",
        message: "No requirement of UK PSTI maps to ETSI EN 303 645 5.1-3.",
      },
      {
        clause: "provision",
        provision: "etsi-en-303-645:5.2-1",
        message: "ETSI EN 303 645 5.2-1 is not met through the crosswalk: UK PSTI 2 maps to it but is not met.",
      },
      {
        clause: "support",
        message: "Security support has ended (30 Jun 2025); this policy needs at least 2 years of support from today.",
      },
      { clause: "findings", message: "1 critical finding is open past its disclosure deadline." },
      { clause: "age", message: "Issued 30 months ago (1 May 2023); this policy accepts seals up to 24 months old." },
    ],
  },
];

describe("evaluatePolicy", () => {
  it.each(CASES)("$name", (c) => {
    const policy = { ...POLICY, ...c.policy };
    const facts = { ...(c.facts ?? IOTSF), ...c.with };
    const result = evaluatePolicy(policy, facts, c.now ?? NOW, c.names === null ? undefined : (c.names ?? NAMES));
    expect(result.misses).toEqual(c.misses);
    expect(result.meets).toBe(c.misses.length === 0);
    expect(result.policyId).toBe("pol-1");
    expect(result.policyName).toBe("Children's wearables");
  });

  it("never puts a finding's details in a message", () => {
    const secret = {
      severity: "high",
      deadline: PAST,
      open: true,
      title: "Telnet root shell on port 2323",
      description: "hardcoded password",
    } as PolicySealFacts["findings"][number];
    const result = evaluatePolicy(
      { ...POLICY, blockingFindingSeverity: "high" },
      { ...IOTSF, findings: [secret] },
      NOW,
      NAMES,
    );
    expect(result.misses).toEqual([
      { clause: "findings", message: "1 high finding is open past its disclosure deadline." },
    ]);
    expect(JSON.stringify(result)).not.toMatch(/telnet|2323|hardcoded/i);
  });

  it("prefers the caller's checklist title to the seal's full title", () => {
    const result = evaluatePolicy(
      { ...POLICY, accepted: [{ checklistId: "iotsf-assurance-framework", minLevel: "class-0" }] },
      PSTI,
      NOW,
    );
    expect(result.misses[0].message).toBe(
      "Certified against Product Security and Telecommunications Infrastructure (Security Requirements for Relevant Connectable Products) Regulations 2023 at Baseline; this policy accepts iotsf-assurance-framework at class-0 or higher.",
    );
    const named = evaluatePolicy(
      { ...POLICY, accepted: [{ checklistId: "iotsf-assurance-framework", minLevel: "class-0" }] },
      PSTI,
      NOW,
      NAMES,
    );
    expect(named.misses[0].message).toBe(
      "Certified against UK PSTI at Baseline; this policy accepts IoT Security Foundation Assurance Framework at Class 0 or higher.",
    );
  });
});

describe("addMonthsUtc", () => {
  it.each([
    ["2025-01-31T10:20:30.400Z", 1, "2025-02-28T10:20:30.400Z"],
    ["2024-01-31T00:00:00.000Z", 1, "2024-02-29T00:00:00.000Z"],
    ["2025-05-31T12:00:00.000Z", 1, "2025-06-30T12:00:00.000Z"],
    ["2025-12-15T08:00:00.000Z", 1, "2026-01-15T08:00:00.000Z"],
    ["2025-06-30T23:59:59.000Z", 24, "2027-06-30T23:59:59.000Z"],
    ["2024-02-29T00:00:00.000Z", 12, "2025-02-28T00:00:00.000Z"],
    ["2025-03-31T00:00:00.000Z", -1, "2025-02-28T00:00:00.000Z"],
    ["2025-01-15T00:00:00.000Z", -13, "2023-12-15T00:00:00.000Z"],
    ["2025-07-04T01:02:03.000Z", 0, "2025-07-04T01:02:03.000Z"],
  ] as const)("%s + %i months = %s", (from, n, expected) => {
    const input = at(from);
    expect(addMonthsUtc(input, n).toISOString()).toBe(expected);
    expect(input.toISOString()).toBe(from); // not mutated
  });
});

describe("wholeMonthsBetween", () => {
  it.each([
    ["2025-01-31T00:00:00Z", "2025-02-28T00:00:00Z", 1],
    ["2025-01-31T00:00:00Z", "2025-02-27T23:59:59Z", 0],
    ["2024-10-30T09:00:00Z", "2026-11-30T12:00:00Z", 25],
    ["2025-06-01T00:00:00Z", "2025-05-01T00:00:00Z", 0],
    ["2025-06-15T00:00:00Z", "2025-06-15T00:00:00Z", 0],
  ] as const)("%s to %s is %i", (from, to, expected) => {
    expect(wholeMonthsBetween(at(from), at(to))).toBe(expected);
  });
});

describe("policyApplies", () => {
  it("a policy for any product applies to every category", () => {
    for (const c of PRODUCT_CATEGORIES) expect(policyApplies({ category: "any" }, c)).toBe(true);
  });
  it("a category policy applies to that category only", () => {
    expect(policyApplies({ category: "camera" }, "camera")).toBe(true);
    expect(policyApplies({ category: "camera" }, "toy")).toBe(false);
    expect(policyApplies({ category: "childrens-wearable" }, "wearable")).toBe(false);
  });
  it("the policy categories are any plus every product category", () => {
    expect(POLICY_CATEGORIES).toEqual(["any", ...PRODUCT_CATEGORIES]);
  });
});

describe("describeResult", () => {
  it("one line for a seal that meets the policy", () => {
    expect(describeResult(evaluatePolicy(POLICY, IOTSF, NOW))).toBe("meets Children's wearables");
  });
  it("one line listing every miss, without their final periods", () => {
    const result = evaluatePolicy(
      { ...POLICY, blockingFindingSeverity: "high" },
      { ...IOTSF, status: "suspended", findings: [{ severity: "high", deadline: PAST, open: true }] },
      NOW,
    );
    expect(describeResult(result)).toBe(
      "misses Children's wearables: The seal is suspended, not valid; 1 high finding is open past its disclosure deadline",
    );
  });
});

describe("summarizePolicy", () => {
  it("lists every clause in plain words", () => {
    const policy: Policy = {
      ...POLICY,
      accepted: [
        { checklistId: "iotsf-assurance-framework", minLevel: "class-2" },
        { checklistId: "etsi-en-303-645", minLevel: "baseline" },
      ],
      requiredProvisions: ["etsi-en-303-645:5.1-3"],
      minSupportMonths: 24,
      blockingFindingSeverity: "high",
      maxSealAgeMonths: 24,
    };
    expect(summarizePolicy(policy, NAMES)).toEqual([
      "Seal valid",
      "Certified against IoT Security Foundation Assurance Framework at Class 2 or higher, or ETSI EN 303 645 at Baseline or higher",
      "Meets ETSI EN 303 645 5.1-3 (directly, or through an equivalent crosswalk link)",
      "At least 2 years of support from today",
      "No high or critical finding open past its deadline",
      "Seal at most 24 months old",
    ]);
  });
  it("says the EU CRA clause and a minimum support of whole years in years", () => {
    expect(summarizePolicy({ ...POLICY, minSupportMonths: 60, craSupportPeriod: true })).toEqual([
      "Seal valid",
      "Certified against any checklist, at any level",
      "At least 5 years of support from today",
      "Support period meets the EU Cyber Resilience Act (at least five years from going on sale, or a stated shorter expected use time)",
    ]);
  });
  it("an empty policy only asks for a valid seal, any checklist", () => {
    expect(summarizePolicy(POLICY)).toEqual(["Seal valid", "Certified against any checklist, at any level"]);
  });
  it.each([
    ["critical", "No critical finding open past its deadline"],
    ["medium", "No medium, high or critical finding open past its deadline"],
    ["low", "No low, medium, high or critical finding open past its deadline"],
  ] as const)("blocking severity %s reads %s", (severity, line) => {
    expect(summarizePolicy({ ...POLICY, blockingFindingSeverity: severity })).toContain(line);
  });
  it("falls back to ids without names, and says 1 month", () => {
    expect(
      summarizePolicy({
        ...POLICY,
        accepted: [{ checklistId: "uk-psti", minLevel: "baseline" }],
        minSupportMonths: 1,
        maxSealAgeMonths: 1,
      }),
    ).toEqual([
      "Seal valid",
      "Certified against uk-psti at baseline or higher",
      "At least 1 month of support from today",
      "Seal at most 1 month old",
    ]);
  });
});

describe("policyInput", () => {
  const GOOD = {
    name: "  Children's wearables  ",
    category: "childrens-wearable",
    accepted: [{ checklistId: "iotsf-assurance-framework", minLevel: "class-2" }],
    requiredProvisions: ["etsi-en-303-645:5.1-3", "uk-psti:1"],
    minSupportMonths: 24,
    blockingFindingSeverity: "high",
    maxSealAgeMonths: null,
  };

  it("accepts a good policy, trimming the name", () => {
    const parsed = policyInput.safeParse(GOOD);
    expect(parsed.success).toBe(true);
    expect(parsed.data).toEqual({ ...GOOD, name: "Children's wearables" });
  });

  it("accepts empty lists and no limits", () => {
    const parsed = policyInput.safeParse({
      ...GOOD,
      category: "any",
      accepted: [],
      requiredProvisions: [],
      minSupportMonths: null,
      blockingFindingSeverity: null,
      maxSealAgeMonths: null,
    });
    expect(parsed.success).toBe(true);
  });

  it.each([
    ["name", " A ", ["name"], "The policy name must be at least 2 characters."],
    ["name", "x".repeat(101), ["name"], "The policy name must be at most 100 characters."],
    ["name", undefined, ["name"], "Enter the policy name."],
    ["category", "fridge", ["category"], "Choose the product category the policy applies to (or any product)."],
    ["accepted", "iotsf", ["accepted"], "The accepted checklists must be a list."],
    [
      "accepted",
      [{ checklistId: " ", minLevel: "class-2" }],
      ["accepted", 0, "checklistId"],
      "Choose the accepted checklist.",
    ],
    [
      "accepted",
      [{ checklistId: "uk-psti", minLevel: "" }],
      ["accepted", 0, "minLevel"],
      "Choose the minimum level for the accepted checklist.",
    ],
    [
      "requiredProvisions",
      ["uk-psti:1", "ETSI 5.1-3"],
      ["requiredProvisions", 1],
      'Required provision "ETSI 5.1-3" must be written <checklist-id>:<ref>, e.g. etsi-en-303-645:5.1-3.',
    ],
    ["requiredProvisions", [42], ["requiredProvisions", 0], "Each required provision must be text."],
    ["minSupportMonths", 0, ["minSupportMonths"], "The minimum support from today must be at least 1 month."],
    [
      "minSupportMonths",
      241,
      ["minSupportMonths"],
      "The minimum support from today must be at most 240 months (20 years).",
    ],
    ["minSupportMonths", 1.5, ["minSupportMonths"], "The minimum support from today must be a whole number of months."],
    [
      "minSupportMonths",
      "24",
      ["minSupportMonths"],
      "Enter the minimum support from today as a whole number of months, or leave it empty.",
    ],
    [
      "blockingFindingSeverity",
      "severe",
      ["blockingFindingSeverity"],
      "Choose the finding severity that blocks (critical, high, medium or low), or none.",
    ],
    ["maxSealAgeMonths", -1, ["maxSealAgeMonths"], "The maximum seal age must be at least 1 month."],
    [
      "maxSealAgeMonths",
      undefined,
      ["maxSealAgeMonths"],
      "Enter the maximum seal age as a whole number of months, or leave it empty.",
    ],
  ] as const)("rejects %s = %j", (field, value, path, message) => {
    const parsed = policyInput.safeParse({ ...GOOD, [field]: value });
    expect(parsed.success).toBe(false);
    expect(parsed.error!.issues.map((i) => ({ path: i.path, message: i.message }))).toEqual([{ path, message }]);
  });
});
