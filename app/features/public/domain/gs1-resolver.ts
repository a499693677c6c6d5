/**
 * What the portal's GS1-Conformant resolver answers for a product (GS1-Conformant Resolver
 * standard 1.2; decision record 020), as pure data: the link types it offers, the RFC 9264 linkset,
 * the resolver description file (/.well-known/gs1resolver) and the GTIN API's answer in GS1 Web
 * Vocabulary terms. The HTTP side is gs1-resolver.server.ts.
 *
 * The linkset has one context object, anchored at the product's Digital Link URI (GTIN level:
 * the key qualifiers never change the answer):
 * - `https://gs1.org/voc/defaultLink`: the current seal's page (href and title only, as the
 *   standard asks of the default link);
 * - `https://gs1.org/voc/certificationInfo`: the current seal's page (text/html) and its signed
 *   credential (application/vc+jwt), the same certification in two formats;
 * - `related` (IANA): every seal of the product, newest first, each with its serial, firmware
 *   version, status and end date as RFC 9264 extension target attributes (and, for a seal whose
 *   firmware needs an update, `updateTo` and `fixes`: decision record 015); and each public security
 *   advisory of the product as its CSAF 2.0 document.
 * `gs1:certificationInfo` holds one link per format, so asking for it never needs a 300 (Multiple
 * Choices): it is the current seal, whatever the number of seals.
 */
import type { SealVerdict } from "../../trust/domain/verdict";
import { VERDICT_LABELS } from "../../trust/domain/verdict";
import { csafPathOfAdvisory } from "../../findings/domain/csaf-directory";
import { updateRequiredSentence, type UpdateRequired } from "../../findings/domain/update-required";

export const GS1_VOC = "https://gs1.org/voc/";
export const LINKSET_MEDIA_TYPE = "application/linkset+json";
/** The JSON-LD context that turns a GS1 resolver's linkset into JSON-LD (resolver standard 1.2.0, artefacts). */
export const LINKSET_CONTEXT_URL = "https://ref.gs1.org/standards/resolver/linkset-context";

/** The link types the portal offers for a product with a seal, as a client may ask for them. */
export const OFFERED_LINK_TYPES = ["gs1:certificationInfo", "gs1:defaultLink", "linkset"] as const;
/** The GS1 Web Vocabulary terms among them (a request for these redirects). */
export const REDIRECTING_TERMS = ["certificationInfo", "defaultLink"] as const;

export interface LinksetSeal {
  serial: string;
  firmwareVersion: string;
  hardwareRevision: string;
  verdict: SealVerdict;
  validUntil: Date;
  validFrom: Date;
  checklistLabel: string;
  levelTitle: string;
  /**
   * "Valid, update required" (decision record 015): a public advisory affects the certified firmware and its fix is
   * verified in another version; null when none. Shown beside the status, as the seal API and the seal page show it.
   */
  updateRequired: UpdateRequired | null;
}

export interface LinksetAdvisory {
  advisoryId: string;
  title: string;
  severity: string;
  disclosedOn: string;
}

export interface LinksetInput {
  /** The portal's origin (PUBLIC_URL), no trailing slash. */
  root: string;
  /** The product's Digital Link URI at GTIN level. */
  anchor: string;
  product: { name: string; model: string; supplierName: string };
  /** Newest first. */
  seals: readonly LinksetSeal[];
  current: LinksetSeal;
  advisories: readonly LinksetAdvisory[];
}

export const sealPageHref = (root: string, serial: string) => `${root}/s/${serial}`;
export const credentialHref = (root: string, serial: string) => `${root}/s/${serial}/credential`;

const ymd = (d: Date) => d.toISOString().slice(0, 10);
const verdictWords = (v: SealVerdict) => VERDICT_LABELS[v].toLowerCase();

/** " Update required: install firmware 1.0.4 (fixes …)." after a title, or nothing. */
const updateWords = (s: LinksetSeal) => (s.updateRequired ? ` ${updateRequiredSentence(s.updateRequired)}` : "");

/** The title of a seal's link: what it certifies and how it stands now. */
export function sealLinkTitle(s: LinksetSeal): string {
  return `Seal ${s.serial}, firmware ${s.firmwareVersion}: ${verdictWords(s.verdict)} (${s.checklistLabel}, ${s.levelTitle})${updateWords(s)}`;
}

/** The RFC 9264 linkset (application/linkset+json) of a product that has at least one seal. */
export function buildLinkset(input: LinksetInput) {
  const { root, current, product } = input;
  const currentTitle = `IoT Seal of ${product.name}: ${verdictWords(current.verdict)} (seal ${current.serial}, firmware ${current.firmwareVersion})${updateWords(current)}`;
  const related: Record<string, unknown>[] = [
    ...input.seals.map((s) => ({
      href: sealPageHref(root, s.serial),
      title: sealLinkTitle(s),
      type: "text/html",
      hreflang: ["en"],
      serial: [s.serial],
      firmwareVersion: [s.firmwareVersion],
      hardwareRevision: [s.hardwareRevision],
      status: [s.verdict],
      validUntil: [ymd(s.validUntil)],
      credential: [credentialHref(root, s.serial)],
      // The firmware to install (RFC 9264 target attributes are arrays of strings).
      ...(s.updateRequired ? { updateTo: [s.updateRequired.fixedIn], fixes: s.updateRequired.advisories } : {}),
    })),
    ...input.advisories.map((a) => ({
      href: `${root}${csafPathOfAdvisory(a)}`,
      title: `Security advisory ${a.advisoryId} (${a.severity}): ${a.title}`,
      type: "application/json",
      advisoryId: [a.advisoryId],
      format: ["CSAF 2.0"],
    })),
  ];
  return {
    linkset: [
      {
        anchor: input.anchor,
        itemDescription: `${product.name} (${product.model}), ${product.supplierName}`,
        [`${GS1_VOC}defaultLink`]: [{ href: sealPageHref(root, current.serial), title: currentTitle }],
        [`${GS1_VOC}certificationInfo`]: [
          { href: sealPageHref(root, current.serial), title: currentTitle, type: "text/html", hreflang: ["en"] },
          {
            href: credentialHref(root, current.serial),
            title: `Signed credential of seal ${current.serial} (W3C Verifiable Credential, compact JWS)`,
            type: "application/vc+jwt",
          },
        ],
        related,
      },
    ],
  };
}

/** The resolver description file at /.well-known/gs1resolver (resolver standard 1.2.0, its JSON schema). */
export function resolverDescription(root: string, certificationBody: string) {
  return {
    name: `IoT Seal GS1 Digital Link resolver (${certificationBody})`,
    resolverRoot: root,
    supportedPrimaryKeys: ["01"],
    supportedLinkType: [{ namespace: GS1_VOC, prefix: "gs1:", profile: "https://ref.gs1.org/voc/?show=linktypes" }],
    linkTypeDefaultCanBeLinkset: false,
  };
}

/** The words of a 404 for a link type the product does not have. */
export function unknownLinkTypeMessage(asked: string): string {
  const v = asked.length > 80 ? `${asked.slice(0, 80)}…` : asked;
  return `This product has no link of type "${v.replace(/[\u0000-\u001f\u007f]/g, "?")}". Its link types are ${OFFERED_LINK_TYPES.join(", ")} (gs1: is https://gs1.org/voc/).`;
}

export interface ProductCertificationInput {
  root: string;
  anchor: string;
  gtin14: string;
  certificationBody: string;
  product: { name: string; model: string; supplierName: string; category: string };
  /** Newest first. */
  seals: readonly LinksetSeal[];
  current: LinksetSeal | null;
}

/**
 * GET /api/v1/products/<GTIN>: the product and each seal as a gs1:CertificationDetails (GS1 Web
 * Vocabulary), JSON-LD with the gs1: prefix; the portal's own facts (serial's page and credential,
 * firmware, whether it is the current seal) as plain JSON members beside them.
 */
export function productCertificationJson(input: ProductCertificationInput) {
  const { root } = input;
  return {
    "@context": { gs1: GS1_VOC, xsd: "http://www.w3.org/2001/XMLSchema#" },
    "@id": input.anchor,
    "@type": "gs1:Product",
    "gs1:gtin": input.gtin14,
    "gs1:productName": input.product.name,
    "gs1:manufacturer": { "@type": "gs1:Organization", "gs1:organizationName": input.product.supplierName },
    model: input.product.model,
    category: input.product.category,
    currentSeal: input.current ? input.current.serial : null,
    "gs1:certificationInfo": input.seals.map((s) => ({
      "@type": "gs1:CertificationDetails",
      "@id": sealPageHref(root, s.serial),
      "gs1:certificationAgency": input.certificationBody,
      "gs1:certificationStandard": s.checklistLabel,
      "gs1:certificationValue": s.levelTitle,
      "gs1:certificationIdentification": s.serial,
      "gs1:certificationStatus": s.verdict,
      "gs1:certificationStartDate": ymd(s.validFrom),
      "gs1:certificationEndDate": ymd(s.validUntil),
      sealUrl: sealPageHref(root, s.serial),
      credentialUrl: credentialHref(root, s.serial),
      firmwareVersion: s.firmwareVersion,
      hardwareRevision: s.hardwareRevision,
      current: input.current?.serial === s.serial,
      // As GET /api/v1/seals/<serial> says it: { advisories, fixedIn } or null.
      updateRequired: s.updateRequired
        ? { advisories: s.updateRequired.advisories, fixedIn: s.updateRequired.fixedIn }
        : null,
    })),
  };
}
