// How caches may keep the HTML pages (app/root.tsx headers, public/domain/page-headers.ts): a page
// tells a seal's live status, so without a session every cache must ask again (no-cache: a CDN with a
// default TTL never shows a revoked seal as "Valid"); with a session the page is that user's (the
// header names them): private, no-store. Both Vary: Cookie. The root's loader decides it, its
// `headers` sends it, and every page route inherits it (Remix v2 combines them as below, with
// Remix's own getDocumentHeaders); a route with its own `headers` keeps them.
import { getDocumentHeaders } from "@remix-run/server-runtime/dist/headers.js";
import { beforeAll, describe, expect, it } from "vitest";
import { seedDemoData } from "../../support/demo-seed";
import * as root from "../../../app/root";
import * as sealPage from "../../../app/routes/s.$serial._index";
import * as resetPassword from "../../../app/routes/reset-password.$token";
import * as login from "../../../app/routes/login";
import * as signup from "../../../app/routes/signup";
import * as forgotPassword from "../../../app/routes/forgot-password";
import * as account from "../../../app/routes/account";
import * as loginCode from "../../../app/routes/login_.code";
import * as twoStep from "../../../app/routes/account_.two-step";
import * as bulkCheck from "../../../app/routes/retailer.verify.bulk._index";
import { rootDocumentHeaders } from "../../../app/features/public/domain/page-headers";
import { sessionCookie } from "../../support/http";

let buyerCookie: string;

beforeAll(async () => {
  await seedDemoData();
  buyerCookie = await sessionCookie("buyer@demo.test", "192.0.2.51");
});

/** The root loader's answer for a request (with this Cookie header, if any): its response headers. */
async function rootLoaderHeaders(cookie?: string): Promise<Headers> {
  const request = new Request("http://localhost/s/x", { headers: cookie ? { Cookie: cookie } : {} });
  const out = (await root.loader({ request, params: {}, context: { ip: "192.0.2.52" } } as never)) as unknown as {
    init: { headers: Record<string, string> };
  };
  return new Headers(out.init.headers);
}

/**
 * The document's headers as Remix makes them for root > leaf, from the root loader's headers (and, for
 * a refusal the leaf's loader threw with headers, those: the page has no ErrorBoundary, so the root's renders it).
 */
function documentHeaders(
  leaf: { id: string; module: object },
  loaderHeaders: Headers,
  error?: { headers: Headers },
  actionHeaders?: Headers,
): Headers {
  const build = { routes: { root: { module: root }, [leaf.id]: { module: leaf.module } } };
  const context = {
    matches: [{ route: { id: "root" } }, { route: { id: leaf.id } }],
    loaderHeaders: { root: loaderHeaders, ...(error ? { [leaf.id]: error.headers } : {}) },
    loaderData: error ? { root: {} } : { root: {}, [leaf.id]: {} },
    actionHeaders: actionHeaders ? { [leaf.id]: actionHeaders } : {},
    actionData: actionHeaders ? { [leaf.id]: {} } : null,
    errors: error ? { root: new Error("refused") } : null,
  };
  return getDocumentHeaders(build as never, context as never);
}

describe("the HTML pages' Cache-Control", () => {
  it("no session (an expired or made-up cookie counts as none): no-cache, Vary: Cookie", async () => {
    for (const cookie of [undefined, "__session=not-a-session"]) {
      const h = await rootLoaderHeaders(cookie);
      expect(h.get("cache-control")).toBe("no-cache");
      expect(h.get("vary")).toBe("Cookie");
    }
  });

  it("a session: private, no-store, Vary: Cookie", async () => {
    const h = await rootLoaderHeaders(buyerCookie);
    expect(h.get("cache-control")).toBe("private, no-store");
    expect(h.get("vary")).toBe("Cookie");
  });

  it("the public seal page (no headers of its own) inherits the root's, for a visitor and for a user", async () => {
    expect(sealPage).not.toHaveProperty("headers");
    const page = { id: "routes/s.$serial._index", module: sealPage };
    const anonymous = documentHeaders(page, await rootLoaderHeaders());
    expect(anonymous.get("cache-control")).toBe("no-cache");
    expect(anonymous.get("vary")).toBe("Cookie");
    const signedIn = documentHeaders(page, await rootLoaderHeaders(buyerCookie));
    expect(signedIn.get("cache-control")).toBe("private, no-store");
    expect(signedIn.get("vary")).toBe("Cookie");
  });

  it("an error page keeps a refusal's Retry-After (a 429), and is still not cached", async () => {
    const page = { id: "routes/s.$serial._index", module: sealPage };
    const h = documentHeaders(page, await rootLoaderHeaders(), { headers: new Headers({ "Retry-After": "42" }) });
    expect(h.get("retry-after")).toBe("42");
    expect(h.get("cache-control")).toBe("no-cache");
  });

  it("a route with headers of its own keeps them (the password reset page: no-store)", async () => {
    const h = documentHeaders({ id: "routes/reset-password.$token", module: resetPassword }, await rootLoaderHeaders());
    expect(h.get("cache-control")).toBe("no-store");
  });

  it("a page whose root loader gave no headers (it failed) is kept by no cache", () => {
    expect(rootDocumentHeaders({ loaderHeaders: new Headers() })).toEqual({
      "Cache-Control": "private, no-store",
      Vary: "Cookie",
    });
  });

  it("a form a rate limit refused (429 from its action) keeps its Retry-After, and the root's cache headers", async () => {
    const pages = {
      "routes/login": login,
      "routes/signup": signup,
      "routes/forgot-password": forgotPassword,
      "routes/account": account,
      "routes/login_.code": loginCode,
      "routes/account_.two-step": twoStep,
      "routes/retailer.verify.bulk._index": bulkCheck,
    };
    for (const [id, module] of Object.entries(pages)) {
      const refused = documentHeaders(
        { id, module },
        await rootLoaderHeaders(),
        undefined,
        new Headers({ "Retry-After": "37" }),
      );
      expect(refused.get("retry-after"), id).toBe("37");
      expect(refused.get("cache-control"), id).toBe("no-cache");
      expect(refused.get("vary"), id).toBe("Cookie");
      const answered = documentHeaders({ id, module }, await rootLoaderHeaders(buyerCookie), undefined, new Headers());
      expect(answered.get("retry-after"), id).toBeNull();
      expect(answered.get("cache-control"), id).toBe("private, no-store");
    }
  });
});
