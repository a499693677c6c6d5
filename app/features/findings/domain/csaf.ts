/**
 * A public advisory as a CSAF 2.0 document (OASIS Common Security Advisory Framework 2.0,
 * profile csaf_security_advisory), for suppliers' and retailers' vulnerability tools and BSI
 * TR-03183. Pure: the caller passes the advisory, its product, the public timeline and the links.
 *
 * It says what the public advisory says (domain/disclosure.ts, publicAdvisory) and nothing more:
 * the id, title, severity, affected firmware versions, the fixed firmware version once the fix is
 * certified, and when each public step happened. Never the report's description, reporter, CVSS
 * vector or history, so the document has no `scores` (CSAF 2.0 carries CVSS only as a vector) and
 * its vulnerability note explains where the details stay. Why: docs/decisions/019-csaf-provider.md.
 *
 * - publisher.category "coordinator": the certification body records the report, runs the
 *   disclosure clock and publishes; the supplier (the vendor) makes the fix (CSAF 2.0 3.2.1.8.1).
 * - distribution.tlp.label "WHITE": CSAF 2.0 knows the TLP 1.0 labels only; WHITE is TLP 2.0's CLEAR.
 * - The product tree is vendor -> product_name -> product_version (one per firmware version named);
 *   each version carries the model number, the SKU and the GTIN, the latter as a GS1 Digital Link
 *   URI in x_generic_uris (CSAF 2.0 has no GTIN field; 3.1.3.3.8 is for "a standard not yet supported").
 *   Where the product had more than one hardware revision when the advisory was disclosed, there is
 *   one product_name per hardware revision named ("Kids Watch hardware revision B"), and the product
 *   ids and names carry it ("IOTSEAL-HW-B-FW-1.0"): a report against revision B only does not read as
 *   every revision of that firmware. Which of the two a document uses is frozen with the rest of what
 *   it says about the product (CsafSnapshot), so its ids do not change without a new version.
 * - A report withdrawn after disclosure: its products are known_not_affected, flagged
 *   vulnerable_code_not_present (the certification body no longer counts it as a vulnerability of the
 *   product: not reproducible, a duplicate, or not a flaw), with no threat and no remediation.
 * - The advisory's affected components (package URLs, its "Affected components" field) are products
 *   of their own in full_product_names, each with product_identification_helper.purl (CSAF 2.0
 *   3.1.3.3.5: one purl per product), related to each affected firmware version by a
 *   "default_component_of" relationship (3.2.2.3.1); those combinations are known_affected too.
 * - tracking: version "1" at disclosure, "2" when a fix was certified after it, and one more when a
 *   report is withdrawn after disclosure (and one when an advisory published before the snapshot
 *   existed was revised to this mapping: CsafSnapshot.revised); status "interim" while no fix is
 *   certified (an update is expected), else "final". The revision history is exactly those steps, in
 *   time order (mandatory tests 6.1.14-6.1.22). Nothing else changes a published document: what it
 *   says about the product is the snapshot taken at disclosure, not the product's current details.
 */
import { gtin14Of } from "../../catalogue/domain/gtin";
import { parsePurl } from "../../catalogue/domain/purl";
import {
  disclosureOf,
  type AffectedVersion,
  type DisclosureFinding,
  type DisclosureReason,
  type PublicAdvisory,
} from "./disclosure";
import { SEVERITY_LABELS } from "./findings";

export const CSAF_ID_SYSTEM = "IoT Seal";
export const GTIN_NAMESPACE = "https://www.gs1.org/standards/id-keys/gtin";

export interface CsafProduct {
  name: string;
  model: string;
  gtin: string | null;
  sku: string | null;
  /** The supplier organisation: the vendor branch of the product tree. */
  vendor: string;
  /** The supplier's vulnerability disclosure policy, if it is an http(s) URL. */
  disclosurePolicyUrl: string | null;
}

/**
 * What a CSAF document says about the product, frozen when its advisory is disclosed (and stored with
 * the finding): a later change to the product's name, model, GTIN, SKU, vendor or disclosure policy,
 * or a new seal, does not change a published document without a new version (CSAF 2.0 3.1.11).
 */
export interface CsafSnapshot {
  product: CsafProduct;
  /**
   * The human advisory's page, as a path on the portal: "/s/<serial>" of the product's current seal
   * (active or suspended) at disclosure, else "/01/<GTIN-14>" (the GS1 Digital Link), else null.
   */
  page: string | null;
  /** Whether the product ids and names name the hardware revision: the product had more than one. */
  hardwareRevisions: boolean;
  /**
   * Only for an advisory published before snapshots existed, whose document the snapshot changed:
   * when (ISO instant) and why. A revision of its own in the document's history.
   */
  revised?: { at: string; summary: string };
}

/** The stored column: a snapshot, or the mark migration 0030 left on advisories disclosed before it (completed on the first build). */
export type StoredCsafSnapshot = CsafSnapshot | { backfill: "revision" };

export const isCsafSnapshot = (s: StoredCsafSnapshot | null | undefined): s is CsafSnapshot =>
  !!s && "product" in s && typeof s.product === "object" && s.product !== null;

/** When each public step of the advisory happened (exact instants; shown to the second). */
export interface CsafTimeline {
  /** Never before the report was recorded in the portal (disclosureOf). */
  disclosedAt: Date;
  /** The report was recorded after its disclosure deadline had passed, and so disclosed when it was recorded. */
  recordedAfterDeadline?: boolean;
  fixCertifiedAt: Date | null;
  withdrawnAt: Date | null;
  /** The provider revised the document (CsafSnapshot.revised), if it did. */
  revised?: { at: Date; summary: string } | null;
}

export interface CsafPublisher {
  name: string;
  /** The portal's base URL. */
  namespace: string;
  /** The security contact (security.txt's Contact). */
  contact: string;
}

export interface CsafDocumentInput {
  advisory: PublicAdvisory;
  timeline: CsafTimeline;
  product: CsafProduct;
  publisher: CsafPublisher;
  /** Where this document is served, and the human advisory (a public seal page of the product), if any. */
  links: { self: string; page: string | null };
  generator: { name: string; version: string };
  /** The components the flaw is in, as package URLs (the advisory's "Affected components" field). */
  components?: readonly string[];
  /** Name the hardware revision in the product ids and names (CsafSnapshot.hardwareRevisions). */
  hardwareRevisions?: boolean;
}

// --- The document's shape (the parts we write; the CSAF 2.0 JSON schema is the truth) ----------

export interface CsafNote {
  category: "description" | "details" | "faq" | "general" | "legal_disclaimer" | "other" | "summary";
  text: string;
  title?: string;
}
export interface CsafReference {
  category?: "self" | "external";
  summary: string;
  url: string;
}
export interface CsafFullProductName {
  name: string;
  product_id: string;
  product_identification_helper?: {
    model_numbers?: string[];
    purl?: string;
    skus?: string[];
    x_generic_uris?: { namespace: string; uri: string }[];
  };
}
export interface CsafBranch {
  category: "vendor" | "product_name" | "product_version";
  name: string;
  branches?: CsafBranch[];
  product?: CsafFullProductName;
}
export interface CsafRelationship {
  category: "default_component_of";
  full_product_name: CsafFullProductName;
  product_reference: string;
  relates_to_product_reference: string;
}
export interface CsafRevision {
  date: string;
  number: string;
  summary: string;
}
export interface CsafFlag {
  label:
    | "component_not_present"
    | "inline_mitigations_already_exist"
    | "vulnerable_code_cannot_be_controlled_by_adversary"
    | "vulnerable_code_not_in_execute_path"
    | "vulnerable_code_not_present";
  product_ids: string[];
}
export interface CsafRemediation {
  category: "vendor_fix" | "none_available";
  details: string;
  product_ids: string[];
  url?: string;
}
export interface CsafDocument {
  document: {
    category: "csaf_security_advisory";
    csaf_version: "2.0";
    lang: "en";
    title: string;
    aggregate_severity: { text: string };
    distribution: { text: string; tlp: { label: "WHITE" } };
    publisher: {
      category: "coordinator";
      name: string;
      namespace: string;
      contact_details: string;
      issuing_authority: string;
    };
    notes: CsafNote[];
    references: CsafReference[];
    tracking: {
      id: string;
      status: "interim" | "final";
      version: string;
      initial_release_date: string;
      current_release_date: string;
      revision_history: CsafRevision[];
      generator: { date: string; engine: { name: string; version: string } };
    };
  };
  product_tree: {
    branches: CsafBranch[];
    full_product_names?: CsafFullProductName[];
    relationships?: CsafRelationship[];
  };
  vulnerabilities: {
    ids: { system_name: string; text: string }[];
    title: string;
    notes: CsafNote[];
    product_status: { known_affected?: string[]; known_not_affected?: string[]; fixed?: string[] };
    flags?: CsafFlag[];
    remediations?: CsafRemediation[];
    threats?: { category: "impact"; details: string; product_ids: string[] }[];
  }[];
}

// --- Helpers ------------------------------------------------------------------------------------

/** An instant as CSAF writes it: RFC 3339, UTC, to the second ("2026-11-05T10:00:00Z"). */
export function csafDate(d: Date): string {
  return new Date(Math.floor(d.getTime() / 1000) * 1000).toISOString().replace(".000Z", "Z");
}

/**
 * A version label as a product id part: letters, digits, the characters `keep` allows are kept as
 * they are; every other character is written as "_", its code point in hex and "_" ("é" -> "_E9_").
 * Replacing them all by one "_" made "1.0.0-é" and "1.0.0-ü" (or "1.0 b" and "1.0_b") the same id;
 * "_" is not kept as itself, so the escapes cannot be confused with the label's own characters.
 */
function idPart(label: string, keep: RegExp): string {
  let id = "";
  for (const ch of label) id += keep.test(ch) ? ch : `_${ch.codePointAt(0)!.toString(16).toUpperCase()}_`;
  return id;
}

/**
 * The CSAF product id of a firmware version (of one hardware revision, when given): the same for the
 * same version, different for different ones (CSAF 2.0 6.1.2 wants unique product ids, and
 * known_affected unique items). A firmware version of letters, digits, ".", "+" and "-" is kept as it
 * is ("IOTSEAL-FW-1.0.4"); others are escaped (idPart: "1.0.0-é" -> "IOTSEAL-FW-1.0.0-_E9_"). With a
 * hardware revision: "IOTSEAL-HW-B-FW-1.0.4", the revision's "-" escaped too, so that where it ends
 * is never in doubt (revision "B-FW" of "1" is "IOTSEAL-HW-B_2D_FW-FW-1", not revision "B" of "FW-1").
 */
export function csafProductId(firmwareVersion: string, hardwareRevision?: string | null): string {
  const fw = `FW-${idPart(firmwareVersion, /^[A-Za-z0-9.+-]$/)}`;
  return hardwareRevision == null ? `IOTSEAL-${fw}` : `IOTSEAL-HW-${idPart(hardwareRevision, /^[A-Za-z0-9.+]$/)}-${fw}`;
}

/** The CSAF product id of the advisory's n-th affected component (1-based), and of it in a firmware version (of a hardware revision). */
export const csafComponentId = (n: number) => `IOTSEAL-COMP-${n}`;
export const csafComponentInFirmwareId = (firmwareVersion: string, n: number, hardwareRevision?: string | null) =>
  `${csafProductId(firmwareVersion, hardwareRevision)}-COMP-${n}`;

/** A firmware version the document names, of one hardware revision (null: the document does not name revisions). */
export interface CsafVersion {
  hardwareRevision: string | null;
  firmwareVersion: string;
}

const byVersion = (x: string, y: string) => x.localeCompare(y, "en", { numeric: true });
const byCsafVersion = (x: CsafVersion, y: CsafVersion) =>
  byVersion(x.hardwareRevision ?? "", y.hardwareRevision ?? "") || byVersion(x.firmwareVersion, y.firmwareVersion);

/**
 * The affected versions a document of `advisory` names, each once: by firmware version alone, or
 * by hardware revision and firmware version. The fixed firmware version is never among them (a
 * report is not fixed in a version it affects: findings.fixInAffectedVersionProblem), in the
 * advisory's order (the service sorts them). Empty: there is
 * no affected product, and so no valid document (the provider leaves it out; csafDocument refuses it).
 */
export function csafAffectedVersions(
  advisory: Pick<PublicAdvisory, "affectedVersions" | "affected" | "fixedInVersion">,
  hardwareRevisions = false,
): CsafVersion[] {
  const fixed = advisory.fixedInVersion?.trim() ?? null;
  const named: CsafVersion[] = hardwareRevisions
    ? advisory.affected.map((v: AffectedVersion) => ({
        hardwareRevision: v.hardwareRevision,
        firmwareVersion: v.firmwareVersion,
      }))
    : advisory.affectedVersions.map((v) => ({ hardwareRevision: null, firmwareVersion: v }));
  const seen = new Set<string>();
  return named
    .filter((v) => v.firmwareVersion.trim() !== fixed)
    .filter((v) => {
      const key = csafProductId(v.firmwareVersion, v.hardwareRevision);
      return seen.has(key) ? false : (seen.add(key), true);
    });
}

/** "openssl 3.0.13" for pkg:generic/openssl@3.0.13 (the purl itself when the portal cannot read it). */
function componentName(purl: string): string {
  const p = parsePurl(purl);
  if (!p) return purl;
  const name = p.namespace ? `${p.namespace}/${p.name}` : p.name;
  return p.version ? `${name} ${p.version}` : name;
}

/** A GTIN (8, 12, 13 or 14 digits) as its canonical GS1 Digital Link URI: 14 digits, zero-padded. */
export function gtinUri(gtin: string): string | null {
  const gtin14 = gtin14Of(gtin);
  return gtin14 ? `https://id.gs1.org/01/${gtin14}` : null;
}

const isHttpUrl = (s: string | null): s is string => {
  if (!s) return false;
  try {
    const u = new URL(s);
    return u.protocol === "https:" || u.protocol === "http:";
  } catch {
    return false;
  }
};

const REASON_TEXT: Record<DisclosureReason, string> = {
  fix_certified: "the certification body's assessor verified the fix",
  deadline_passed: "its disclosure deadline passed",
  published_by_supplier: "the supplier published it early",
};

/** Why the advisory became public, as a clause ("… public since X, when <clause>"). */
const reasonText = (a: PublicAdvisory, timeline: CsafTimeline) =>
  a.reason === "deadline_passed" && timeline.recordedAfterDeadline
    ? "it was recorded, after its disclosure deadline had passed"
    : REASON_TEXT[a.reason];

/**
 * The public timeline of a finding at `now`, or null while its advisory is not public (embargoed,
 * or withdrawn under embargo): when it was disclosed, when its fix was certified, when it was
 * withdrawn after disclosure. The same rules as every other view (disclosureOf).
 */
export function csafTimelineOf(f: DisclosureFinding, now: Date): CsafTimeline | null {
  const d = disclosureOf(f, now);
  if (!d.public) return null;
  const certified =
    f.status === "verified_fixed" && f.verifiedAt && f.verifiedAt.getTime() <= now.getTime() ? f.verifiedAt : null;
  return {
    disclosedAt: d.since,
    ...(d.reason === "deadline_passed" && d.since.getTime() > f.deadline.getTime()
      ? { recordedAfterDeadline: true }
      : {}),
    fixCertifiedAt: certified,
    withdrawnAt: d.withdrawnAt ?? null,
  };
}

/**
 * The revision history, in time order: disclosure, then a fix certified later, a withdrawal after
 * disclosure, and the provider's revision of an advisory published before snapshots existed.
 */
export function csafRevisions(advisory: PublicAdvisory, timeline: CsafTimeline): CsafRevision[] {
  const steps: { at: Date; summary: string }[] = [
    {
      at: timeline.disclosedAt,
      summary: `Initial public release: ${reasonText(advisory, timeline)}.`,
    },
  ];
  if (timeline.fixCertifiedAt && advisory.fixedInVersion && timeline.fixCertifiedAt > timeline.disclosedAt)
    steps.push({
      at: timeline.fixCertifiedAt,
      summary: `Fix verified in firmware ${advisory.fixedInVersion} by the certification body's assessor.`,
    });
  if (timeline.withdrawnAt)
    steps.push({
      at: timeline.withdrawnAt,
      summary:
        "The certification body withdrew the report after disclosure; the advisory stays published, marked, and its products are listed as not affected.",
    });
  if (timeline.revised) steps.push({ at: timeline.revised.at, summary: timeline.revised.summary });
  // Stable: steps at the same second keep the order above.
  const ordered = steps.map((s, i) => ({ ...s, i })).sort((x, y) => x.at.getTime() - y.at.getTime() || x.i - y.i);
  return ordered.map((s, i) => ({ date: csafDate(s.at), number: String(i + 1), summary: s.summary }));
}

/** The document's publisher: the certification body, as the coordinator of the disclosure. */
export function csafPublisher(p: CsafPublisher): CsafDocument["document"]["publisher"] {
  return {
    category: "coordinator",
    name: p.name,
    namespace: p.namespace,
    contact_details: p.contact,
    issuing_authority: `${p.name} is the certification body: it records vulnerability reports against the products it certified, runs their disclosure deadlines and publishes the advisories; the supplier makes the fix.`,
  };
}

// --- The document -------------------------------------------------------------------------------

/**
 * The CSAF 2.0 csaf_security_advisory document of one public advisory. Throws a RangeError when the
 * advisory names no affected version (besides its fixed one): such a document would not be valid, and
 * the provider leaves it out (csafAffectedVersions).
 */
export function csafDocument(input: CsafDocumentInput): CsafDocument {
  const { advisory: a, timeline, product, publisher, links } = input;
  const severity = SEVERITY_LABELS[a.severity];
  const fixed = a.fixedInVersion;
  const affected = csafAffectedVersions(a, input.hardwareRevisions ?? false);
  if (affected.length === 0)
    throw new RangeError(`Advisory ${a.advisoryId} names no affected version besides its fixed one: no CSAF document.`);
  const idOf = (v: CsafVersion) => csafProductId(v.firmwareVersion, v.hardwareRevision);
  const affectedFirmwareIds = affected.map(idOf);
  // The fixed firmware, in each hardware revision affected (the document names revisions) or as such.
  const fixedVersions: CsafVersion[] = fixed
    ? [...new Set(affected.map((v) => v.hardwareRevision))].map((hw) => ({
        hardwareRevision: hw,
        firmwareVersion: fixed,
      }))
    : [];
  const fixedIds = fixedVersions.map(idOf);
  const withdrawn = a.withdrawnOn !== null;
  const revisions = csafRevisions(a, timeline);
  const current = revisions[revisions.length - 1];

  const helper: CsafFullProductName["product_identification_helper"] = { model_numbers: [product.model] };
  if (product.sku) helper.skus = [product.sku];
  const gs1 = product.gtin ? gtinUri(product.gtin) : null;
  if (gs1) helper.x_generic_uris = [{ namespace: GTIN_NAMESPACE, uri: gs1 }];
  // "Kids Watch (model KW-1) firmware 1.0", or "… (model KW-1) hardware revision B firmware 1.0".
  const versionText = (v: CsafVersion) =>
    `${v.hardwareRevision === null ? "" : `hardware revision ${v.hardwareRevision} `}firmware ${v.firmwareVersion}`;
  const versionBranch = (v: CsafVersion): CsafBranch => ({
    category: "product_version",
    name: v.firmwareVersion,
    product: {
      name: `${product.vendor} ${product.name} (model ${product.model}) ${versionText(v)}`,
      product_id: idOf(v),
      product_identification_helper: helper,
    },
  });
  const versions = [...affected, ...fixedVersions].sort(byCsafVersion);
  const revisionsNamed = [...new Set(versions.map((v) => v.hardwareRevision))];
  // One product_name: the product; or, naming hardware revisions, one per revision.
  const productBranches: CsafBranch[] = revisionsNamed.map((hw) => ({
    category: "product_name",
    name: hw === null ? product.name : `${product.name} hardware revision ${hw}`,
    branches: versions.filter((v) => v.hardwareRevision === hw).map(versionBranch),
  }));
  // Each affected component, and each affected firmware version with it: known affected too.
  const components = [...new Set(input.components ?? [])].map((purl, i) => ({
    name: componentName(purl),
    product_id: csafComponentId(i + 1),
    product_identification_helper: { purl },
  }));
  const relationships: CsafRelationship[] = affected.flatMap((v) =>
    components.map((c, i) => ({
      category: "default_component_of" as const,
      full_product_name: {
        name: `${c.name} in ${product.name} (model ${product.model}) ${versionText(v)}`,
        product_id: csafComponentInFirmwareId(v.firmwareVersion, i + 1, v.hardwareRevision),
        // The device the component is in: identified as its firmware version is (CSAF 2.0 6.2.16).
        product_identification_helper: helper,
      },
      product_reference: c.product_id,
      relates_to_product_reference: idOf(v),
    })),
  );
  const affectedIds = [...affectedFirmwareIds, ...relationships.map((r) => r.full_product_name.product_id)];

  // "firmware 1.0, 1.1", or "hardware revision B firmware 1.0; hardware revision C firmware 1.0, 1.1".
  const affectedByRevision = [...new Set(affected.map((v) => v.hardwareRevision))].map(
    (hw) =>
      `${hw === null ? "" : `hardware revision ${hw} `}firmware ${affected
        .filter((v) => v.hardwareRevision === hw)
        .map((v) => v.firmwareVersion)
        .join(", ")}`,
  );
  const affectsText = `${product.name} (model ${product.model}) ${affectedByRevision.join("; ")}`;
  // A withdrawn report gets no fix and no further version: say so rather than promise an update. Why it
  // was withdrawn (the assessor's note: a duplicate, not reproducible …) is history, never public (decision 011).
  const fixText = fixed
    ? `The certification body's assessor verified the fix in firmware ${fixed}${a.fixedOn ? ` (${a.fixedOn})` : ""}: update to it.`
    : a.withdrawnOn
      ? `Withdrawn: ${publisher.name} withdrew the report on ${a.withdrawnOn}, after its disclosure, as not a vulnerability to fix (for example a duplicate, or not reproducible). No fix was verified, and this advisory will not be updated.`
      : "No fix is verified yet; this advisory is updated when the certification body's assessor verifies one.";
  const notes: CsafNote[] = [
    {
      category: "summary",
      title: "Summary",
      text: `${a.title}. ${severity} severity. ${withdrawn ? "Reported against" : "Affects"} ${affectsText}${components.length ? ` (in ${components.map((c) => c.name).join(", ")})` : ""}. ${fixText}`,
    },
    {
      category: "general",
      title: "Coordinated disclosure",
      text:
        `Reported to ${publisher.name} on ${a.reportedOn}; public since ${a.disclosedOn}, when ${reasonText(a, timeline)}. ` +
        `${publisher.name} certifies the product's security and coordinates the disclosure of vulnerability reports ` +
        `against it; ${product.vendor} makes the fix.`,
    },
  ];
  if (a.withdrawnOn)
    notes.push({
      category: "general",
      title: "Withdrawn after disclosure",
      text: `${publisher.name} withdrew the report on ${a.withdrawnOn}, after its disclosure on ${a.disclosedOn}: it no longer counts it as a vulnerability of this product. A published advisory is not un-published: it stays here, marked, and is not updated any more.`,
    });

  const references: CsafReference[] = [
    { category: "self", summary: `This CSAF document (${a.advisoryId})`, url: links.self },
  ];
  if (links.page)
    references.push({
      category: "external",
      summary: `The advisory on the public seal page of ${product.name}`,
      url: links.page,
    });
  if (isHttpUrl(product.disclosurePolicyUrl))
    references.push({
      category: "external",
      summary: `${product.vendor}'s vulnerability disclosure policy`,
      url: product.disclosurePolicyUrl,
    });

  const remediation: CsafRemediation = fixed
    ? { category: "vendor_fix", details: `Update to firmware ${fixed}.`, product_ids: affectedIds }
    : {
        category: "none_available",
        details:
          "No fix is verified yet. This advisory is updated when the certification body's assessor verifies one.",
        product_ids: affectedIds,
      };
  if (links.page) remediation.url = links.page;

  // Withdrawn after disclosure: not a vulnerability of the product (not reproducible, a duplicate, not
  // a flaw), so its products are known not affected, flagged, with nothing to remediate and no threat.
  const assessment: Pick<
    CsafDocument["vulnerabilities"][number],
    "product_status" | "flags" | "remediations" | "threats"
  > = withdrawn
    ? {
        product_status: fixedIds.length
          ? { known_not_affected: affectedIds, fixed: fixedIds }
          : { known_not_affected: affectedIds },
        flags: [{ label: "vulnerable_code_not_present", product_ids: affectedIds }],
      }
    : {
        product_status: fixedIds.length
          ? { known_affected: affectedIds, fixed: fixedIds }
          : { known_affected: affectedIds },
        remediations: [remediation],
        threats: [
          {
            category: "impact",
            details: `${severity} severity, as rated by ${publisher.name} (reported on ${a.reportedOn}).`,
            product_ids: affectedIds,
          },
        ],
      };

  return {
    document: {
      category: "csaf_security_advisory",
      csaf_version: "2.0",
      lang: "en",
      title: `${product.name}: ${a.title}`,
      aggregate_severity: { text: severity },
      // TLP:WHITE is CSAF 2.0's label for what TLP 2.0 calls CLEAR: no restriction on sharing.
      distribution: { text: "TLP:WHITE (TLP 2.0: TLP:CLEAR). Distribute freely.", tlp: { label: "WHITE" } },
      publisher: csafPublisher(publisher),
      notes,
      references,
      tracking: {
        id: a.advisoryId,
        status: fixed || a.withdrawnOn ? "final" : "interim",
        version: current.number,
        initial_release_date: revisions[0].date,
        current_release_date: current.date,
        revision_history: revisions,
        generator: { date: current.date, engine: { name: input.generator.name, version: input.generator.version } },
      },
    },
    product_tree: {
      branches: [
        {
          category: "vendor",
          name: product.vendor,
          branches: productBranches,
        },
      ],
      ...(relationships.length ? { full_product_names: components, relationships } : {}),
    },
    vulnerabilities: [
      {
        ids: [{ system_name: CSAF_ID_SYSTEM, text: a.advisoryId }],
        title: a.title,
        notes: [
          {
            category: "description",
            title: "What is public",
            text: `${a.title}. ${publisher.name} publishes an advisory's title, severity, affected and fixed firmware versions and dates; the technical details of the report stay with ${product.vendor} and ${publisher.name}.`,
          },
        ],
        ...assessment,
      },
    ],
  };
}

/** A JSON value with every object's keys in alphabetical order (arrays keep theirs). */
function sortedKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortedKeys);
  if (value && typeof value === "object")
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((k) => [k, sortedKeys((value as Record<string, unknown>)[k])]),
    );
  return value;
}

/**
 * The exact text served (UTF-8): the document as JSON with its keys in alphabetical order (CSAF
 * 2.0 optional test 6.2.13), two-space indented, with a final newline.
 */
export function csafText(doc: CsafDocument): string {
  return JSON.stringify(sortedKeys(doc), null, 2) + "\n";
}
