// Types for the JSON-LD test packages (devDependencies that ship none): `jsonld`, the few functions used.
declare module "jsonld" {
  export interface RemoteDocument {
    contextUrl: string | null;
    document: unknown;
    documentUrl: string;
  }
  export interface Options {
    base?: string | null;
    safe?: boolean;
    documentLoader?: (url: string) => Promise<RemoteDocument>;
  }
  const jsonld: {
    expand(input: unknown, options?: Options): Promise<Record<string, unknown>[]>;
    compact(input: unknown, context: unknown, options?: Options): Promise<Record<string, unknown>>;
    toRDF(input: unknown, options?: Options & { format?: "application/n-quads" }): Promise<string>;
  };
  export default jsonld;
}

// The W3C credential contexts as the @digitalbazaar/credentials-context package ships them (no types).
declare module "@digitalbazaar/credentials-context" {
  export const contexts: Map<string, unknown>;
}
