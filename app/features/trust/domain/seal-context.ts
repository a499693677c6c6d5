/**
 * The seal credential's own JSON-LD context (VC Data Model 2.0 section 5.2), listed after the
 * W3C v2 context in every seal issued since issue 17. It defines every term of the credential
 * subject and the type `IoTSecuritySeal`, protected, under one fixed vocabulary (decision record
 * 017): the same bytes on every install, so their SHA-256 is pinned here and in the README.
 * The portal serves these exact bytes at `SEAL_CONTEXT_PATH` (routes/contexts.seal.v1[.]jsonld).
 * Pure: no I/O.
 */
import crypto from "node:crypto";

/** The vocabulary every seal term is named in (fixed, not the portal's URL: see decision record 017). */
export const SEAL_VOCAB = "https://w3id.org/iotseal/v1#";

/** Where each portal serves the context; a seal's `@context` names it under the issuer's URL. */
export const SEAL_CONTEXT_PATH = "/contexts/seal/v1.jsonld";

/** The context's URL as a seal issued by the portal at `baseUrl` names it. */
export function sealContextUrl(baseUrl: string): string {
  return `${baseUrl}${SEAL_CONTEXT_PATH}`;
}

const XSD = "http://www.w3.org/2001/XMLSchema#";
const v = (term: string) => `${SEAL_VOCAB}${term}`;
const typed = (term: string, type: string) => ({ "@id": v(term), "@type": type });
const integer = (term: string) => typed(term, `${XSD}integer`);

/**
 * The context document. `name` and `id` come from the v2 context (schema.org name, `@id`), which
 * is protected, so they are not redefined here. Terms that only make sense inside one object
 * (a checklist's `version`, the result counts) are scoped to the property that holds them.
 */
export const SEAL_CONTEXT = {
  "@context": {
    "@version": 1.1,
    "@protected": true,
    IoTSecuritySeal: v("IoTSecuritySeal"),
    serial: v("serial"),
    supplier: v("supplier"),
    product: {
      "@id": v("product"),
      "@context": {
        "@protected": true,
        model: v("model"),
        gtin: v("gtin"),
        sku: v("sku"),
        category: v("category"),
      },
    },
    hardwareRevision: v("hardwareRevision"),
    firmwareVersion: v("firmwareVersion"),
    checklist: {
      "@id": v("checklist"),
      "@context": {
        "@protected": true,
        version: v("checklistVersion"),
        title: v("checklistTitle"),
        contentHash: typed("checklistContentHash", `${XSD}hexBinary`),
      },
    },
    level: v("level"),
    results: {
      "@id": v("results"),
      "@context": {
        "@protected": true,
        requirements: integer("requirementsAssessed"),
        pass: integer("requirementsPassed"),
        notApplicable: integer("requirementsNotApplicable"),
        mandatoryMet: integer("mandatoryMet"),
        advisoryMet: integer("advisoryMet"),
        advisoryTotal: integer("advisoryTotal"),
      },
    },
    evidenceMerkleRoot: typed("evidenceMerkleRoot", `${XSD}hexBinary`),
    supportPeriodEnd: typed("supportPeriodEnd", `${XSD}date`),
  },
} as const;

/** The exact bytes served (and hashed): two-space JSON and a final newline. */
export const SEAL_CONTEXT_DOCUMENT = `${JSON.stringify(SEAL_CONTEXT, null, 2)}\n`;

/**
 * SHA-256 (hex) of `SEAL_CONTEXT_DOCUMENT`. Pinned: a change to the context must change this
 * constant, the README and the context's version (a v2 path), never the bytes behind v1.
 */
export const SEAL_CONTEXT_SHA256 = "083424273d0ff7d1ed31450694d3cd29634dd7ea93b31197fdaccab604c34885";

/** The hash of the document as built, for the test that holds it to the pinned one. */
export function sealContextDigest(): string {
  return crypto.createHash("sha256").update(SEAL_CONTEXT_DOCUMENT, "utf8").digest("hex");
}
