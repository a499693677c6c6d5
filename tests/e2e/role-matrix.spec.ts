// Every route that exists, requested as each role (and anonymously): the status and where it
// leads. The test fails when a route is added to the app without an entry here.
import path from "node:path";
import { pathToFileURL } from "node:url";
import { expect, request as pwRequest, test } from "@playwright/test";
import { seeded } from "./db";
import { ROLES, stateFile, type Role } from "./helpers";

type Who = "anon" | Role;
type Expect = number | "login" | `to:${string}`;

const dash = { supplier: "/supplier", assessor: "/assessor", retailer: "/retailer", admin: "/admin" } as const;
const only = (role: Role): Record<Who, Expect> => ({
  anon: "login",
  supplier: 403,
  assessor: 403,
  retailer: 403,
  admin: 403,
  [role]: 200,
});
const everyone = (e: Expect): Record<Who, Expect> => ({ anon: e, supplier: e, assessor: e, retailer: e, admin: e });
const guestOnly: Record<Who, Expect> = {
  anon: 200,
  supplier: "to:/supplier",
  assessor: "to:/assessor",
  retailer: "to:/retailer",
  admin: "to:/admin",
};

const ids = seeded(); // the demo watch (Gator Wearables, supplier@demo.test) and one of its evidence links
const supplierOnly = only("supplier");

const MATRIX: Record<
  string,
  { path: string; get: Record<Who, Expect>; post?: Record<Who, Expect>; form?: Record<string, string> }
> = {
  "routes/supplier.products._index": { path: "/supplier/products", get: supplierOnly },
  "routes/supplier.products.$productId": {
    path: `/supplier/products/${ids.productId}`,
    get: supplierOnly,
    // A crafted edit of the product by anyone else is refused.
    post: { anon: "login", supplier: 400, assessor: 403, retailer: 403, admin: 403 },
    form: { intent: "edit", name: "" },
  },
  "routes/supplier.submissions._index": { path: "/supplier/submissions", get: supplierOnly },
  "routes/supplier.submissions.new": { path: "/supplier/submissions/new", get: supplierOnly },
  "routes/supplier.submissions.$submissionId._index": {
    path: `/supplier/submissions/${ids.submissionId}`,
    get: supplierOnly,
    post: { anon: "login", supplier: 409, assessor: 403, retailer: 403, admin: 403 },
    form: { intent: "delete" },
  },
  "routes/supplier.submissions.$submissionId.requirements.$ref": {
    path: `/supplier/submissions/${ids.submissionId}/requirements/5.1-1`,
    get: supplierOnly,
    // Changing an answer of the submitted demo submission: frozen for its supplier, forbidden to everyone else.
    post: { anon: "login", supplier: 409, assessor: 403, retailer: 403, admin: 403 },
    form: { claim: "not_implemented", justification: "crafted", revision: "1" },
  },
  "routes/assessor.queue": { path: "/assessor/queue", get: only("assessor") },
  // Third-party CSAF advisories: the certification body's (assessors and admins); a crafted import of "{}" is refused (400).
  "routes/assessor.advisories._index": {
    path: "/assessor/advisories",
    get: { anon: "login", supplier: 403, assessor: 200, retailer: 403, admin: 200 },
    post: { anon: "login", supplier: 403, assessor: 400, retailer: 403, admin: 400 },
    form: { document: "{}" },
  },
  "routes/assessor.advisories.$advisoryId": {
    path: "/assessor/advisories/00000000-0000-4000-8000-000000000000",
    get: { anon: "login", supplier: 403, assessor: 404, retailer: 403, admin: 404 },
  },
  // Recurring evidence: the supplier's own seal (a crafted post that is not the multipart form: 415); assessors check it.
  "routes/supplier.seals._index": { path: "/supplier/seals", get: supplierOnly },
  "routes/supplier.seals.$serial.recurring": {
    path: `/supplier/seals/${ids.activeSeal}/recurring`,
    get: supplierOnly,
    post: { anon: "login", supplier: 415, assessor: 403, retailer: 403, admin: 403 },
    form: { ref: "5.2-3", note: "crafted" },
  },
  "routes/assessor.recurring._index": { path: "/assessor/recurring", get: only("assessor") },
  "routes/assessor.recurring.$evidenceId": {
    path: `/assessor/recurring/${ids.recurringEvidence}`,
    get: only("assessor"),
    // A crafted rejection without a comment: refused by the form (400) for assessors, by the role for everyone else.
    post: { anon: "login", supplier: 403, assessor: 400, retailer: 403, admin: 403 },
    form: { decision: "reject", comment: "" },
  },
  "routes/evidence.recurring.$evidenceId": {
    path: `/evidence/recurring/${ids.recurringEvidence}`,
    get: { anon: "login", supplier: 200, assessor: 200, retailer: 403, admin: 403 },
  },
  "routes/assessor.submissions.$submissionId._index": {
    path: `/assessor/submissions/${ids.submissionId}`,
    get: only("assessor"),
    // A crafted rejection: only assessors reach the service (which then wants the reviewer; 400 here for the missing reason).
    post: { anon: "login", supplier: 403, assessor: 400, retailer: 403, admin: 403 },
    form: { intent: "reject", version: "1", comment: "" },
  },
  "routes/assessor.submissions.$submissionId.requirements.$ref": {
    path: `/assessor/submissions/${ids.submissionId}/requirements/5.1-1`,
    get: only("assessor"),
    post: { anon: "login", supplier: 403, assessor: 409, retailer: 403, admin: 403 },
    form: { verdict: "pass", version: "1" },
  },
  "routes/admin.conflicts": { path: "/admin/conflicts", get: only("admin") },
  // Crosswalk coverage of a sealed submission: its supplier (the demo watch's) and the certification body.
  "routes/submissions.$submissionId.coverage": {
    path: `/submissions/${ids.activeSealSubmission}/coverage`,
    get: { anon: "login", supplier: 200, assessor: 200, retailer: 403, admin: 200 },
  },
  // Public seal pages: no login for anyone (an unknown serial is a 404, not a login redirect).
  "routes/s.$serial._index": { path: "/s/IOTS-0000-0000", get: everyone(404) },
  "routes/s.$serial.credential": { path: "/s/IOTS-0000-0000/credential", get: everyone(404) },
  "routes/s.$serial.seal[.]pdf": { path: "/s/IOTS-0000-0000/seal.pdf", get: everyone(404) },
  // The GS1 Digital Link resolver's page route (issue 18): a wrong check digit is a 400 for anyone.
  "routes/01.$": { path: "/01/5060123450008", get: everyone(400) },
  // The seal credential's JSON-LD context (issue 17): public, the same bytes for everyone.
  "routes/contexts.seal.v1[.]jsonld": { path: "/contexts/seal/v1.jsonld", get: everyone(200) },
  // Verification is public; a pasted credential that is not a JWS is a 400 with a message, for anyone.
  "routes/verify": {
    path: "/verify",
    get: everyone(200),
    post: everyone(400),
    form: { intent: "credential", credential: "not a credential" },
  },
  // Seal management: assessors and admins; a crafted suspension without a proper reason is refused by the form.
  "routes/seals._index": {
    path: "/seals",
    get: { anon: "login", supplier: 403, assessor: 200, retailer: 403, admin: 200 },
  },
  "routes/seals.$serial": {
    path: `/seals/${ids.activeSeal}`,
    get: { anon: "login", supplier: 403, assessor: 200, retailer: 403, admin: 200 },
    post: { anon: "login", supplier: 403, assessor: 400, retailer: 403, admin: 400 },
    form: { action: "suspend", reason: "x" },
  },
  // Vulnerability reports: the supplier concerned and the certification body; never a buyer (details stay private).
  "routes/findings._index": {
    path: "/findings",
    get: { anon: "login", supplier: 200, assessor: 200, retailer: 403, admin: 200 },
  },
  "routes/findings.new": {
    path: "/findings/new",
    get: { anon: "login", supplier: 403, assessor: 200, retailer: 403, admin: 200 },
  },
  "routes/findings.$findingId": {
    path: `/findings/${ids.watchFinding}`,
    get: { anon: "login", supplier: 200, assessor: 200, retailer: 403, admin: 200 },
    // A crafted "verify the fix" of an open report: refused by the lifecycle (409) or the role (403); nothing changes.
    post: { anon: "login", supplier: 409, assessor: 409, retailer: 403, admin: 409 },
    form: { action: "verify_fix", version: "1", note: "crafted" },
  },
  // Watchlists, their feed and webhooks: retail buyers only.
  "routes/retailer.watchlist._index": {
    path: "/retailer/watchlist",
    get: only("retailer"),
    post: { ...only("retailer"), retailer: 400 },
    form: { serial: "" },
  },
  "routes/retailer.watchlist.feed": { path: "/retailer/watchlist/feed?since=0", get: only("retailer") },
  "routes/retailer.webhooks": {
    path: "/retailer/webhooks",
    get: only("retailer"),
    // A crafted registration of a metadata address: refused for buyers (400), forbidden to everyone else.
    post: { ...only("retailer"), retailer: 400 },
    form: { url: "http://169.254.169.254/latest/meta-data" },
  },
  // Bulk checks: retail buyers only; runs belong to the buyer's organisation.
  // Acceptance policies and API tokens: retail buyers only, their organisation's own.
  "routes/retailer.policies._index": {
    path: "/retailer/policies",
    get: only("retailer"),
    post: { ...only("retailer"), retailer: 400 },
    form: { name: "" },
  },
  "routes/retailer.policies.$policyId": {
    path: "/retailer/policies/no-such-policy",
    get: { ...only("retailer"), retailer: 404 },
    post: { ...only("retailer"), retailer: 404 },
    form: { intent: "delete" },
  },
  "routes/retailer.api": {
    path: "/retailer/api",
    get: only("retailer"),
    post: { ...only("retailer"), retailer: 400 },
    form: { name: "" },
  },
  "routes/retailer.verify.bulk._index": {
    path: "/retailer/verify/bulk",
    get: only("retailer"),
    post: { ...only("retailer"), retailer: 400 },
    form: { note: "no file" },
  },
  "routes/retailer.verify.bulk.upload": {
    path: "/retailer/verify/bulk/upload",
    get: everyone(405),
    // The page's script posts here: without a session a 401 JSON message, not the login page's redirect.
    post: { ...only("retailer"), anon: 401, retailer: 400 },
    form: { note: "no file" },
  },
  "routes/retailer.verify.bulk.$runId._index": {
    path: "/retailer/verify/bulk/no-such-run",
    get: { ...only("retailer"), retailer: 404 },
  },
  "routes/retailer.verify.bulk.$runId.download": {
    path: "/retailer/verify/bulk/no-such-run/download",
    get: { ...only("retailer"), retailer: 404 },
  },
  "routes/evidence.$linkId": {
    path: `/evidence/${ids.linkId}`,
    get: { anon: "login", supplier: 200, assessor: 200, retailer: 403, admin: 403 },
  },
  "routes/_index": { path: "/", get: everyone(200) },
  "routes/login": { path: "/login", get: guestOnly },
  // The code page of a two-step login: only with a login challenge in its cookie; without one, back to the password
  // (a signed-in user, to their dashboard); a code posted without a challenge is no login.
  "routes/login_.code": {
    path: "/login/code",
    get: { ...guestOnly, anon: "to:/login?again=1" },
    post: everyone("to:/login?again=1"),
    form: { code: "123456" },
  },
  "routes/signup": { path: "/signup", get: guestOnly },
  "routes/logout": { path: "/logout", get: everyone("to:/") },
  "routes/dashboard": {
    path: "/dashboard",
    get: { anon: "login", ...Object.fromEntries(ROLES.map((r) => [r, `to:${dash[r]}`])) } as Record<Who, Expect>,
  },
  "routes/supplier._index": { path: "/supplier", get: only("supplier") },
  "routes/assessor._index": { path: "/assessor", get: only("assessor") },
  "routes/retailer._index": { path: "/retailer", get: only("retailer") },
  "routes/admin._index": { path: "/admin", get: only("admin") },
  "routes/admin.users": {
    path: "/admin/users",
    get: only("admin"),
    // A crafted POST creating an admin account: refused for everyone but admins (who get a form error for the taken email).
    post: { anon: "login", supplier: 403, assessor: 403, retailer: 403, admin: 409 },
    form: { intent: "create", email: "admin@demo.test", name: "Mallory", role: "admin" },
  },
  "routes/checklists._index": { path: "/checklists", get: everyone(200) }, // public: the standards are for anyone to read
  "routes/checklists.$checklistId._index": { path: "/checklists/uk-psti", get: everyone(200) },
  "routes/checklists.$checklistId.$version": {
    path: "/checklists/uk-psti/2023",
    get: everyone(200),
  },
  "routes/checklists.$checklistId.diff": {
    path: "/checklists/etsi-en-303-645/diff?from=2.1.1&to=3.1.3",
    get: everyone(200),
  },
  "routes/admin.checklists": {
    path: "/admin/checklists",
    get: only("admin"),
    // A crafted retire request: refused for everyone but admins (who get a form error for the unknown version).
    post: { anon: "login", supplier: 403, assessor: 403, retailer: 403, admin: 404 },
    form: { intent: "retire", versionId: "no-such@1", reason: "crafted request" },
  },
  "routes/admin.organizations": { path: "/admin/organizations", get: only("admin") },
  "routes/admin.audit": { path: "/admin/audit", get: only("admin") },
  // The mail outbox: admins only (one mail by id: 404 for an unknown one).
  "routes/admin.outbox._index": { path: "/admin/outbox", get: only("admin") },
  "routes/admin.outbox.$mailId": { path: "/admin/outbox/no-such-mail", get: { ...only("admin"), admin: 404 } },
  // Notifications: everyone signed in, each their own (another's id or an unknown one is a 404).
  "routes/notifications._index": {
    path: "/notifications",
    get: { ...everyone(200), anon: "login" },
    post: { ...everyone(200), anon: "login" },
    form: { intent: "read-all" },
  },
  "routes/notifications.$notificationId": {
    path: "/notifications/no-such-notification",
    get: { ...everyone(404), anon: "login" },
  },
  "routes/notifications.settings": {
    path: "/notifications/settings",
    get: { ...everyone(200), anon: "login" },
    // A crafted choice that is not one of the three: refused by the form.
    post: { ...everyone(400), anon: "login" },
    form: { "email.reports": "sometimes" },
  },
  // The account page: everyone signed in, their own; a crafted change without the current password is refused by the form.
  "routes/account": {
    path: "/account",
    get: { ...everyone(200), anon: "login" },
    post: { ...everyone(400), anon: "login" },
    form: { currentPassword: "", newPassword: "crafted", confirmPassword: "crafted" },
  },
  // Two-step login's setup: everyone signed in, their own; a crafted confirmation without a code is refused by the form.
  "routes/account_.two-step": {
    path: "/account/two-step",
    get: { ...everyone(200), anon: "login" },
    post: { ...everyone(400), anon: "login" },
    form: { intent: "confirm", code: "" },
  },
  // Asking for a password reset link: anyone (a bad address is refused by the form, naming the field).
  "routes/forgot-password": {
    path: "/forgot-password",
    get: everyone(200),
    post: everyone(400),
    form: { email: "not an address" },
  },
  // A reset link that is no link of ours: its page says so (404), and so does a post to it.
  "routes/reset-password.$token": {
    path: "/reset-password/not-a-token",
    get: everyone(404),
    post: everyone(404),
    form: { newPassword: "a long enough password", confirmPassword: "a long enough password" },
  },
  // A registration's confirmation link that is no link of ours: its page says so (404), and so does a post to it.
  "routes/signup_.confirm.$token": {
    path: "/signup/confirm/not-a-token",
    get: everyone(404),
    post: everyone(404),
    form: { password: "a long enough password" },
  },
  "routes/$": { path: "/definitely/not/here", get: everyone(404) },
};

/** The server build under test: REMIX_BUILD_DIR when set (see remix.config.js), as request-bounds.spec.ts reads it. */
function builtServer(): string {
  return process.env.REMIX_BUILD_DIR
    ? path.resolve(process.env.REMIX_BUILD_DIR, "server", "index.js")
    : path.resolve("build/index.js");
}

test("the matrix covers every route in the build", async () => {
  const build = await import(pathToFileURL(builtServer()).href);
  const ids = Object.keys(build.routes).filter((id) => id !== "root");
  expect(ids.sort()).toEqual(Object.keys(MATRIX).sort());
});

async function contextFor(who: Who, baseURL: string) {
  return pwRequest.newContext({ baseURL, storageState: who === "anon" ? undefined : stateFile(who) });
}

function check(status: number, location: string | undefined, expected: Expect, label: string) {
  if (expected === "login") {
    expect(status, label).toBe(302);
    expect(location, label).toMatch(/^\/login\?redirectTo=/);
  } else if (typeof expected === "string") {
    expect(status, label).toBe(302);
    expect(location, label).toBe(expected.slice(3));
  } else {
    expect(status, label).toBe(expected);
  }
}

for (const who of ["anon", ...ROLES] as Who[]) {
  test(`every route answers ${who} as expected`, async ({ baseURL }) => {
    const ctx = await contextFor(who, baseURL!);
    for (const [id, row] of Object.entries(MATRIX)) {
      const r = await ctx.get(row.path, { maxRedirects: 0 });
      check(r.status(), r.headers()["location"], row.get[who], `GET ${row.path} (${id}) as ${who}`);
      if (row.post) {
        const p = await ctx.post(row.path, { form: row.form ?? {}, maxRedirects: 0, headers: { Origin: baseURL! } });
        check(p.status(), p.headers()["location"], row.post[who], `POST ${row.path} (${id}) as ${who}`);
      }
    }
    await ctx.dispose();
  });
}

// The endpoints served beside Remix (app/fast-routes.server.ts), answering JSON.
const FAST: Record<string, { method: "GET" | "POST"; path: string; expect: Record<Who, number>; type?: RegExp }[]> = {
  "/healthz": [
    { method: "GET", path: "/healthz", expect: { anon: 200, supplier: 200, assessor: 200, retailer: 200, admin: 200 } },
  ],
  "/api/v1/seals/:serial": [
    {
      method: "GET",
      path: "/api/v1/seals/IOTS-0000-0000",
      expect: { anon: 404, supplier: 404, assessor: 404, retailer: 404, admin: 404 },
    },
    // A serial ending in a Crockford check symbol ($ here) still reaches the API and gets JSON.
    {
      method: "GET",
      path: "/api/v1/seals/IOTS-0000-000%24",
      expect: { anon: 404, supplier: 404, assessor: 404, retailer: 404, admin: 404 },
    },
  ],
  "/.well-known/jwks.json": [
    {
      method: "GET",
      path: "/.well-known/jwks.json",
      expect: { anon: 200, supplier: 200, assessor: 200, retailer: 200, admin: 200 },
    },
  ],
  "/.well-known/jwt-vc-issuer": [
    {
      method: "GET",
      path: "/.well-known/jwt-vc-issuer",
      expect: { anon: 200, supplier: 200, assessor: 200, retailer: 200, admin: 200 },
    },
  ],
  // GS1 Digital Link (issue 18): public for everyone; errors are problem documents, the linkset its own type.
  "/.well-known/gs1resolver": [
    {
      method: "GET",
      path: "/.well-known/gs1resolver",
      expect: { anon: 200, supplier: 200, assessor: 200, retailer: 200, admin: 200 },
    },
  ],
  "/01/:gtin": [
    {
      method: "GET",
      path: "/01/5060123450008",
      expect: { anon: 400, supplier: 400, assessor: 400, retailer: 400, admin: 400 },
      type: /application\/problem\+json/,
    },
    {
      method: "GET",
      path: "/01/05060123450002?linkType=linkset",
      expect: { anon: 200, supplier: 200, assessor: 200, retailer: 200, admin: 200 },
      type: /application\/linkset\+json/,
    },
  ],
  "/api/v1/products/:gtin": [
    {
      method: "GET",
      path: "/api/v1/products/5060123450002",
      expect: { anon: 200, supplier: 200, assessor: 200, retailer: 200, admin: 200 },
    },
    {
      method: "GET",
      path: "/api/v1/products/4006381333931",
      expect: { anon: 404, supplier: 404, assessor: 404, retailer: 404, admin: 404 },
    },
  ],
  // The CSAF 2.0 provider (issue 17): public, whoever asks.
  "/.well-known/security.txt": [
    {
      method: "GET",
      path: "/.well-known/security.txt",
      expect: { anon: 200, supplier: 200, assessor: 200, retailer: 200, admin: 200 },
      type: /text\/plain/,
    },
  ],
  "/.well-known/csaf/provider-metadata.json": [
    {
      method: "GET",
      path: "/.well-known/csaf/provider-metadata.json",
      expect: { anon: 200, supplier: 200, assessor: 200, retailer: 200, admin: 200 },
    },
  ],
  "/.well-known/csaf/:path*": [
    {
      method: "GET",
      path: "/.well-known/csaf/white/index.txt",
      expect: { anon: 200, supplier: 200, assessor: 200, retailer: 200, admin: 200 },
      type: /text\/plain/,
    },
    {
      method: "GET",
      path: "/.well-known/csaf/white/changes.csv",
      expect: { anon: 200, supplier: 200, assessor: 200, retailer: 200, admin: 200 },
      type: /text\/csv/,
    },
    {
      method: "GET",
      path: "/.well-known/csaf/white/2020/iotseal-2020-9999.json",
      expect: { anon: 404, supplier: 404, assessor: 404, retailer: 404, admin: 404 },
      type: /text\/plain/,
    },
  ],
  // The public verify API: GET is refused; a multipart body is neither a PDF nor a credential (415), nor a CSV with a serial column (400).
  "/api/v1/verify": [
    {
      method: "GET",
      path: "/api/v1/verify",
      expect: { anon: 405, supplier: 405, assessor: 405, retailer: 405, admin: 405 },
    },
    {
      method: "POST",
      path: "/api/v1/verify",
      expect: { anon: 415, supplier: 415, assessor: 415, retailer: 415, admin: 415 },
    },
  ],
  "/api/v1/verify/bulk": [
    {
      method: "POST",
      path: "/api/v1/verify/bulk",
      expect: { anon: 400, supplier: 400, assessor: 400, retailer: 400, admin: 400 },
    },
  ],
  "/status/:listId": [
    {
      method: "GET",
      path: "/status/revocation-1",
      expect: { anon: 200, supplier: 200, assessor: 200, retailer: 200, admin: 200 },
      type: /application\/vc\+jwt/,
    },
    {
      method: "GET",
      path: "/status/no-such-list",
      expect: { anon: 404, supplier: 404, assessor: 404, retailer: 404, admin: 404 },
    },
  ],
  "/log/checkpoint": [
    {
      method: "GET",
      path: "/log/checkpoint",
      expect: { anon: 200, supplier: 200, assessor: 200, retailer: 200, admin: 200 },
      type: /text\/plain/,
    },
  ],
  "/log/keys": [
    {
      method: "GET",
      path: "/log/keys",
      expect: { anon: 200, supplier: 200, assessor: 200, retailer: 200, admin: 200 },
      type: /text\/plain/,
    },
  ],
  "/log/proof/:leaf": [
    {
      method: "GET",
      path: "/log/proof/0",
      expect: { anon: 200, supplier: 200, assessor: 200, retailer: 200, admin: 200 },
    },
    {
      method: "GET",
      path: "/log/proof/999999",
      expect: { anon: 404, supplier: 404, assessor: 404, retailer: 404, admin: 404 },
    },
  ],
  "/log/consistency": [
    {
      method: "GET",
      path: "/log/consistency?from=1&to=2",
      expect: { anon: 200, supplier: 200, assessor: 200, retailer: 200, admin: 200 },
    },
    {
      method: "GET",
      path: "/log/consistency?from=x",
      expect: { anon: 400, supplier: 400, assessor: 400, retailer: 400, admin: 400 },
    },
  ],
  // C2SP tlog-tiles: the demo log has fewer than 256 leaves, so level 0 tile 0 is partial.
  "/log/tile/:level/:index": [
    {
      method: "GET",
      path: "/log/tile/0/000.p/1",
      expect: { anon: 200, supplier: 200, assessor: 200, retailer: 200, admin: 200 },
      type: /application\/octet-stream/,
    },
    {
      method: "GET",
      path: "/log/tile/0/x999/000",
      expect: { anon: 404, supplier: 404, assessor: 404, retailer: 404, admin: 404 },
    },
    {
      method: "GET",
      path: "/log/tile/0/0001",
      expect: { anon: 400, supplier: 400, assessor: 400, retailer: 400, admin: 400 },
    },
  ],
  "/log/tile/entries/:index": [
    {
      method: "GET",
      path: "/log/tile/entries/000.p/1",
      expect: { anon: 200, supplier: 200, assessor: 200, retailer: 200, admin: 200 },
      type: /application\/octet-stream/,
    },
  ],
  "/supplier/submissions/:id/evidence": [
    {
      method: "GET",
      path: `/supplier/submissions/${ids.submissionId}/evidence?ref=5.1-1`,
      expect: { anon: 405, supplier: 405, assessor: 405, retailer: 405, admin: 405 },
    },
    // Ownership and state are checked before the body is read: the submitted demo submission is frozen for its supplier.
    {
      method: "POST",
      path: `/supplier/submissions/${ids.submissionId}/evidence?ref=5.1-1`,
      expect: { anon: 401, supplier: 409, assessor: 403, retailer: 403, admin: 403 },
    },
  ],
};

test("the fast-route matrix covers every fast route", async () => {
  const build = await import(pathToFileURL(builtServer()).href);
  expect([...build.entry.module.FAST_ROUTES].sort()).toEqual(Object.keys(FAST).sort());
});

for (const who of ["anon", ...ROLES] as Who[]) {
  test(`every fast route answers ${who} as expected`, async ({ baseURL }) => {
    const ctx = await contextFor(who, baseURL!);
    for (const rows of Object.values(FAST)) {
      for (const row of rows) {
        const r =
          row.method === "GET"
            ? await ctx.get(row.path)
            : await ctx.post(row.path, {
                multipart: { file: { name: "x.txt", mimeType: "text/plain", buffer: Buffer.from("hello") } },
              });
        if (row.path === "/.well-known/jwks.json") {
          // The published keys: public Ed25519 keys with kids, never a private part.
          const body = (await r.json()) as { keys: Record<string, string>[] };
          expect(body.keys.length).toBeGreaterThan(0);
          for (const k of body.keys)
            expect(k).toMatchObject({ kty: "OKP", crv: "Ed25519", alg: "EdDSA", use: "sig", kid: expect.any(String) });
          expect(JSON.stringify(body)).not.toMatch(/"d":/);
        }
        expect(r.status(), `${row.method} ${row.path} as ${who}`).toBe(row.expect[who]);
        expect(r.headers()["content-type"], `${row.method} ${row.path}`).toMatch(row.type ?? /application\/json/);
      }
    }
    await ctx.dispose();
  });
}

test("a cross-site POST is refused even with a valid session", async ({ baseURL }) => {
  const ctx = await contextFor("admin", baseURL!);
  const r = await ctx.post("/admin/users", {
    form: { intent: "create", email: "csrf@evil.test", name: "Cross Site", role: "admin" },
    headers: { Origin: "https://evil.example" },
    maxRedirects: 0,
  });
  expect(r.status()).toBe(403);
  await ctx.dispose();
});

test("every response carries the security headers", async ({ baseURL }) => {
  const ctx = await contextFor("anon", baseURL!);
  for (const p of [
    "/",
    "/login",
    "/favicon.svg",
    "/nope",
    "/healthz",
    "/api/v1/seals/IOTS-0000-0000",
    "/log/checkpoint",
  ]) {
    const r = await ctx.get(p, { maxRedirects: 0 });
    const h = r.headers();
    // Pages get a script nonce; machine answers (served beside Remix) load nothing at all.
    const machine = p === "/healthz" || p.startsWith("/api/") || p.startsWith("/log/");
    expect(h["content-security-policy"], p).toMatch(
      machine ? /^default-src 'none'/ : /script-src 'self' 'nonce-[A-Za-z0-9+/=]+'/,
    );
    expect(h["content-security-policy"], p).toContain("frame-ancestors 'none'");
    expect(h["content-security-policy-report-only"], p).toBeUndefined();
    expect(h["x-content-type-options"], p).toBe("nosniff");
    expect(h["referrer-policy"], p).toBe("strict-origin-when-cross-origin");
  }
  await ctx.dispose();
});
