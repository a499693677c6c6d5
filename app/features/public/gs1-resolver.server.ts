/**
 * The portal as a GS1-Conformant resolver (GS1-Conformant Resolver standard 1.2; decision record
 * 020) for the products it certified, and the GTIN API. Served from node:http (fast-routes) like
 * the seal API; a browser's error page is left to the Remix route app/routes/01.$.tsx.
 *
 *   GET|HEAD /01/<GTIN>[/22/<cpv>][/10/<lot>][/21/<serial>]
 *     no linkType, linkType=gs1:certificationInfo or gs1:defaultLink  → 307 to the current seal's page
 *     (its credential for Accept: application/vc+jwt), with Link: <…?linkType=linkset>; rel="linkset"
 *     Accept: application/linkset+json, linkType=linkset (or all)    → 200, the RFC 9264 linkset
 *     a syntax error or wrong check digit → 400; no sealed product with the GTIN (no seal that signed
 *     it: certification/product-seals.server.ts) → 404; a link type the product does not have → 404
 *     naming those it has.
 *   GET /.well-known/gs1resolver: the resolver description file.
 *   GET /api/v1/products/<GTIN>: the product and its seals as gs1:CertificationDetails.
 *
 * The key qualifiers (22, 10, 21) are checked and then ignored: a seal certifies a product's firmware
 * version, not a variant, lot or item, so every qualified URI answers as its GTIN does.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { z } from "zod";
import { getEnv } from "../../platform/env.server";
import { hitPublicLimit } from "../../platform/http/rate-limits.server";
import { CERTIFICATION_BODY_NAME } from "../accounts/users.server";
import {
  digitalLinkUri,
  parseDigitalLinkPath,
  parseLinkType,
  type LinkTypeRequest,
} from "../catalogue/domain/digital-link";
import { parseGtin } from "../catalogue/domain/gtin";
import type { ProductWithGtin } from "../catalogue/products-by-gtin.server";
import { sealedProductOfGtin, sealsOfProductForGtin, type ProductSeal } from "../certification/product-seals.server";
import { publicAdvisoriesOfProducts, updateRequiredBySerial } from "../findings/advisories.server";
import type { UpdateRequired } from "../findings/domain/update-required";
import { db } from "../../platform/db.server";
import {
  buildLinkset,
  credentialHref,
  LINKSET_CONTEXT_URL,
  LINKSET_MEDIA_TYPE,
  productCertificationJson,
  REDIRECTING_TERMS,
  resolverDescription,
  sealPageHref,
  unknownLinkTypeMessage,
  type LinksetSeal,
} from "./domain/gs1-resolver";
import { run, sendJson } from "./public-api.server";
import { GS1_RESOLVER_HEADERS } from "./domain/artefact-headers";
import { verifyLookupOf } from "./domain/verify-lookup";

type Res = ServerResponse;

/** CORS as the resolver standard asks: any origin, GET, HEAD and OPTIONS, and the Link header readable. */
const CORS = {
  "Access-Control-Allow-Origin": "*",
  "Access-Control-Expose-Headers": "Link, Location",
};

export const NO_SEAL_MESSAGE = "This product has no IoT Seal: no certified product has this GTIN.";

// --- Resolution (shared by the fast route and the Remix route) ---------------------------------

export type ResolverError = {
  kind: "error";
  status: 400 | 404;
  title: string;
  message: string;
  /** For an unknown link type: the link types the product has. */
  linkTypes?: string[];
};

/** The checks that need no signature: syntax, the product, the link type. Synchronous. */
export type Precheck =
  | ResolverError
  | { kind: "ok"; gtin14: string; product: ProductWithGtin; linkType: LinkTypeRequest; wantsLinkset: boolean };

const queryShape = z.object({ linkType: z.string().max(500).optional() });

/** Whether a request asks for the linkset by its Accept header. */
export const acceptsLinkset = (accept: string | null | undefined) => /application\/linkset\+json/i.test(accept ?? "");
/** Whether a client reads HTML (a browser): errors are then pages, rendered by the Remix route. */
export const acceptsHtml = (accept: string | null | undefined) => /text\/html/i.test(accept ?? "");

export function precheckDigitalLink(
  path: string,
  search: URLSearchParams,
  accept: string | null | undefined,
): Precheck {
  const parsed = parseDigitalLinkPath(path);
  if (!parsed.ok) return { kind: "error", status: 400, title: "Not a valid GS1 Digital Link", message: parsed.message };
  const q = queryShape.safeParse({ linkType: search.get("linkType") ?? undefined });
  if (!q.success)
    return { kind: "error", status: 400, title: "Not a valid GS1 Digital Link", message: "The linkType is too long." };
  const product = sealedProductOfGtin(parsed.value.gtin14);
  if (!product) return { kind: "error", status: 404, title: "This product has no IoT Seal", message: NO_SEAL_MESSAGE };
  const linkType = parseLinkType(q.data.linkType);
  const known =
    linkType.kind === "default" ||
    linkType.kind === "linkset" ||
    (linkType.kind === "gs1" && (REDIRECTING_TERMS as readonly string[]).includes(linkType.term));
  if (!known)
    return {
      kind: "error",
      status: 404,
      title: "No such link for this product",
      message: unknownLinkTypeMessage(q.data.linkType ?? ""),
      linkTypes: ["gs1:certificationInfo", "gs1:defaultLink", "linkset"],
    };
  return {
    kind: "ok",
    gtin14: parsed.value.gtin14,
    product,
    linkType,
    wantsLinkset: linkType.kind === "linkset" || acceptsLinkset(accept),
  };
}

export type Resolution =
  | ResolverError
  | { kind: "redirect"; location: string; linksetUrl: string }
  | { kind: "linkset"; body: ReturnType<typeof buildLinkset>; linksetUrl: string };

/**
 * The product's seals as the linkset and the GTIN API show them, each with "update required" (one query for them all),
 * as the seal API says it for the same seal.
 */
function asLinksetSeals(list: readonly ProductSeal[]): (s: ProductSeal) => LinksetSeal {
  const updates = updateRequiredBySerial(list.map((s) => s.serial));
  return (s) => asLinksetSeal(s, updates.get(s.serial) ?? null);
}

const asLinksetSeal = (s: ProductSeal, updateRequired: UpdateRequired | null): LinksetSeal => ({
  serial: s.serial,
  firmwareVersion: s.firmwareVersion,
  hardwareRevision: s.hardwareRevision,
  verdict: s.verdict,
  validFrom: s.validFrom,
  validUntil: s.validUntil,
  checklistLabel: s.checklistLabel,
  levelTitle: s.level.title,
  updateRequired,
});

/** The whole answer to a Digital Link request. */
export async function resolveDigitalLink(
  path: string,
  search: URLSearchParams,
  accept: string | null | undefined,
): Promise<Resolution> {
  const pre = precheckDigitalLink(path, search, accept);
  if (pre.kind === "error") return pre;
  const root = getEnv().baseUrl;
  const anchor = digitalLinkUri(root, pre.gtin14);
  const linksetUrl = `${anchor}?linkType=linkset`;
  const { seals, current } = await sealsOfProductForGtin(pre.product.id, pre.gtin14);
  if (!current) return { kind: "error", status: 404, title: "This product has no IoT Seal", message: NO_SEAL_MESSAGE };
  if (pre.wantsLinkset) {
    const advisories = publicAdvisoriesOfProducts(db(), [pre.product.id]).get(pre.product.id) ?? [];
    const linksetSeal = asLinksetSeals([...seals, current]);
    const body = buildLinkset({
      root,
      anchor,
      product: pre.product,
      seals: seals.map(linksetSeal),
      current: linksetSeal(current),
      advisories,
    });
    return { kind: "linkset", body, linksetUrl };
  }
  // The signed credential for a client that asks for it (and not for a page); else the seal's page.
  const wantsCredential =
    /application\/vc\+jwt/i.test(accept ?? "") && !acceptsHtml(accept) && pre.linkType.kind !== "default";
  const target = wantsCredential ? credentialHref(root, current.serial) : sealPageHref(root, current.serial);
  // The standard passes the request's query on to the target (all but the resolver's own linkType).
  const passed = new URLSearchParams(search);
  passed.delete("linkType");
  const query = passed.toString();
  return { kind: "redirect", location: query ? `${target}?${query}` : target, linksetUrl };
}

const COMMON_HEADERS = { ...CORS, Vary: "Accept", "Cache-Control": "no-cache" };

/** The headers of a linkset answer (as plain JSON when the client asked for application/json). */
export function linksetHeaders(plainJson = false) {
  return {
    ...COMMON_HEADERS,
    "Content-Type": plainJson ? "application/json; charset=utf-8" : LINKSET_MEDIA_TYPE,
    Link: `<${LINKSET_CONTEXT_URL}>; rel="http://www.w3.org/ns/json-ld#context"; type="application/ld+json"`,
  };
}

/** The headers of a resolver answer (307 or linkset). */
export function resolutionHeaders(r: Exclude<Resolution, ResolverError>, accept: string | null | undefined) {
  if (r.kind === "redirect")
    return {
      ...COMMON_HEADERS,
      Location: r.location,
      Link: `<${r.linksetUrl}>; rel="linkset"; type="${LINKSET_MEDIA_TYPE}"`,
    };
  return linksetHeaders(/application\/json/i.test(accept ?? "") && !acceptsLinkset(accept));
}

/** An RFC 9457 problem document for a resolver error. */
export const problemOf = (e: ResolverError) => ({
  type: "about:blank",
  title: e.title,
  status: e.status,
  detail: e.message,
  ...(e.linkTypes ? { linkTypes: e.linkTypes } : {}),
});

// --- HTTP ---------------------------------------------------------------------------------------

function preflightOrMethod(req: IncomingMessage, res: Res): boolean {
  if (req.method === "GET" || req.method === "HEAD") return true;
  if (req.method === "OPTIONS") {
    res
      .writeHead(204, {
        ...CORS,
        "Access-Control-Allow-Methods": "GET, HEAD, OPTIONS",
        "Access-Control-Allow-Headers": "Accept, Accept-Language",
        "Access-Control-Max-Age": "86400",
        Allow: "GET, HEAD, OPTIONS",
      })
      .end();
    return false;
  }
  sendJson(res, 405, { error: "Use GET or HEAD." }, { Allow: "GET, HEAD, OPTIONS" });
  return false;
}

function withinLimit(res: Res, ip: string): boolean {
  const d = hitPublicLimit("api", ip);
  if (d.allowed) return true;
  sendJson(res, 429, { error: d.message }, { "Retry-After": String(d.retryAfterSeconds) });
  return false;
}

function sendProblem(res: Res, e: ResolverError): true {
  const text = JSON.stringify(problemOf(e));
  res.writeHead(e.status, {
    "Content-Type": "application/problem+json",
    "Content-Length": Buffer.byteLength(text),
    "Cache-Control": "no-cache",
    Vary: "Accept",
    ...CORS,
  });
  res.end(text);
  return true;
}

/**
 * GET|HEAD|OPTIONS /01/…: answers and returns true, or returns false (nothing sent) for a browser's
 * error so that the Remix route renders it as a page.
 */
export function digitalLinkRoute(req: IncomingMessage, res: Res, ip: string, path: string, query: string): boolean {
  if (!preflightOrMethod(req, res)) return true;
  const accept = req.headers.accept;
  const search = new URLSearchParams(query);
  const pre = precheckDigitalLink(path, search, accept);
  if (pre.kind === "error" && acceptsHtml(accept)) return false;
  if (!withinLimit(res, ip)) return true;
  if (pre.kind === "error") return sendProblem(res, pre);
  return run(res, async () => {
    const r = await resolveDigitalLink(path, search, accept);
    if (r.kind === "error") return sendProblem(res, r);
    const headers = resolutionHeaders(r, accept);
    if (r.kind === "redirect") {
      res.writeHead(307, { ...headers, "Content-Length": 0 });
      return res.end();
    }
    const text = JSON.stringify(r.body);
    res.writeHead(200, { ...headers, "Content-Length": Buffer.byteLength(text) });
    res.end(text);
  });
}

/** GET /.well-known/gs1resolver: the resolver description file. */
export function gs1ResolverDescription(req: IncomingMessage, res: Res): true {
  if (!preflightOrMethod(req, res)) return true;
  return sendJson(res, 200, resolverDescription(getEnv().baseUrl, CERTIFICATION_BODY_NAME), GS1_RESOLVER_HEADERS);
}

/** GET /api/v1/products/<GTIN>: the product and its seals in GS1 Web Vocabulary terms. */
export function gtinProductApi(req: IncomingMessage, res: Res, ip: string, rawGtin: string): true {
  if (!preflightOrMethod(req, res) || !withinLimit(res, ip)) return true;
  return run(res, async () => {
    let text: string;
    try {
      text = decodeURIComponent(rawGtin);
    } catch {
      return sendJson(res, 400, { error: "The GTIN is not a valid URL path segment.", field: "gtin" });
    }
    const gtin = parseGtin(text);
    if (!gtin.ok) return sendJson(res, 400, { error: `Not a valid GTIN: ${gtin.message}`, field: "gtin" });
    const product = sealedProductOfGtin(gtin.gtin14);
    if (!product) return sendJson(res, 404, { error: NO_SEAL_MESSAGE, field: "gtin" }, { "Cache-Control": "no-cache" });
    const { seals, current } = await sealsOfProductForGtin(product.id, gtin.gtin14);
    const root = getEnv().baseUrl;
    const linksetSeal = asLinksetSeals(current ? [...seals, current] : seals);
    return sendJson(
      res,
      200,
      productCertificationJson({
        root,
        anchor: digitalLinkUri(root, gtin.gtin14),
        gtin14: gtin.gtin14,
        certificationBody: CERTIFICATION_BODY_NAME,
        product,
        seals: seals.map(linksetSeal),
        current: current ? linksetSeal(current) : null,
      }),
      { "Cache-Control": "no-cache", Link: `<${digitalLinkUri(root, gtin.gtin14)}>; rel="describes"` },
    );
  });
}

/**
 * What /verify's box asks when it holds a barcode number rather than a serial (domain/verify-lookup.ts):
 * the path of the product's current seal page, as its Digital Link resolves it (`{ path }`), or why
 * there is none (`{ problem }`: a GTIN that is not valid, or one no product with a seal carries).
 * Null: the input is a serial, for the serial lookup.
 */
export async function sealPageForBarcode(input: string): Promise<{ path: string } | { problem: string } | null> {
  const lookup = verifyLookupOf(input);
  if (lookup.by === "serial") return null;
  if (lookup.gtin14 === null) return { problem: lookup.message };
  const resolved = await resolveDigitalLink(`/01/${lookup.gtin14}`, new URLSearchParams(), "text/html");
  if (resolved.kind !== "redirect")
    return {
      problem: `No product with an IoT Seal has the barcode number (GTIN) ${lookup.gtin14}: check it, or type the seal's serial from its label.`,
    };
  const to = new URL(resolved.location);
  return { path: `${to.pathname}${to.search}` }; // on this portal, whatever its public address
}
