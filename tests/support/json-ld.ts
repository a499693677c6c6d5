// JSON-LD for the tests (issue 17): the W3C VC 2.0 context from a local copy (the
// @digitalbazaar/credentials-context package) and the seal's own context, served by a document
// loader that loads nothing else, ever: offline, and any other URL is an error.
import jsonld from "jsonld";
import { contexts } from "@digitalbazaar/credentials-context";
import { SEAL_CONTEXT } from "../../app/features/trust/domain/seal-context";

export const VC_V2_URL = "https://www.w3.org/ns/credentials/v2";

/** A loader serving only the v2 context and the seal context (at `sealContextUrl`). */
export function offlineLoader(sealContextUrl: string) {
  return async (url: string) => {
    if (url === VC_V2_URL) return { contextUrl: null, document: contexts.get(VC_V2_URL), documentUrl: url };
    if (url === sealContextUrl) return { contextUrl: null, document: SEAL_CONTEXT, documentUrl: url };
    throw new Error(`The document loader refuses ${url}: only the local contexts are served.`);
  };
}

/** Expands in safe mode (a dropped term, a relative IRI… throws), offline. */
export function expandSafely(doc: unknown, sealContextUrl: string) {
  return jsonld.expand(doc, { safe: true, base: null, documentLoader: offlineLoader(sealContextUrl) });
}
