// Decision record 028: the pure parts of the static publication — which tiles a new checkpoint
// needs, where a URL path is stored, the _headers manifest and its matching, the status lists'
// static Cache-Control, PUBLISH_TO's parsing.
import path from "node:path";
import { describe, expect, it } from "vitest";
import {
  headersFor,
  headersManifest,
  matchesPattern,
  newTiles,
  parseHeadersManifest,
  publicationBackoffMs,
  rulesMatching,
  storedPathOf,
} from "../../../app/features/public/domain/publication";
import { publishedStatusListHeaders } from "../../../app/features/public/domain/artefact-headers";
import { tilePath, tilesOfTree } from "../../../app/features/trust/domain/tiles";
import { STATUS_LIST_TTL_MS } from "../../../app/features/trust/domain/status-credential";
import { parseEnv, parsePublishTo } from "../../../app/platform/env";
import { publicationHeaderRules, PUBLISH_EVERY_MS } from "../../../app/features/public/publication.server";

describe("newTiles", () => {
  it("from an empty log: every tile of the tree, entry bundles included", () => {
    expect(newTiles(0, 3).map(tilePath)).toEqual(["tile/0/000.p/3", "tile/entries/000.p/3"]);
  });

  it("one more leaf: the new partial tile and bundle only", () => {
    expect(newTiles(3, 4).map(tilePath)).toEqual(["tile/0/000.p/4", "tile/entries/000.p/4"]);
  });

  it("crossing a full tile: the full tile, the next partial one, and the level-1 tile", () => {
    expect(newTiles(255, 257).map(tilePath)).toEqual([
      "tile/0/000",
      "tile/0/001.p/1",
      "tile/entries/000",
      "tile/entries/001.p/1",
      "tile/1/000.p/1",
    ]);
  });

  it("the union of what each run wrote covers the final tree, whatever the runs' sizes", () => {
    const sizes = [0, 1, 7, 256, 300, 65_536, 65_537, 70_000];
    const written = new Set<string>();
    for (let i = 1; i < sizes.length; i++) for (const t of newTiles(sizes[i - 1], sizes[i])) written.add(tilePath(t));
    for (const t of tilesOfTree(70_000, true)) expect(written.has(tilePath(t)), tilePath(t)).toBe(true);
  });

  it("a checkpoint that did not move needs nothing", () => {
    expect(newTiles(10, 10)).toEqual([]);
    expect(newTiles(10, 9)).toEqual([]);
  });
});

describe("storedPathOf", () => {
  it("is the URL path below the root; a folder is its index.html", () => {
    expect(storedPathOf("/log/tile/0/x001/234.p/5")).toBe("log/tile/0/x001/234.p/5");
    expect(storedPathOf("/.well-known/csaf/")).toBe(".well-known/csaf/index.html");
  });

  it.each(["log/checkpoint", "/../etc/passwd", "/a//b", "/a/./b", "/s/..", "/_headers", "/x/y.tmp-1-2", "/a\\b"])(
    "refuses %s",
    (p) => expect(() => storedPathOf(p)).toThrow(),
  );
});

describe("the _headers manifest", () => {
  const rules = publicationHeaderRules();
  const paths = [
    "/.well-known/jwks.json",
    "/.well-known/jwt-vc-issuer",
    "/.well-known/gs1resolver",
    "/contexts/seal/v1.jsonld",
    "/s/IOTS-ABCD-EFGH/credential",
    "/s/IOTS-ABCD-EFGH/seal.pdf",
    "/api/v1/seals/IOTS-ABCD-EFGH",
    "/01/05060123450002",
    "/status/revocation-1",
    "/status/suspension-1",
    "/log/checkpoint",
    "/log/keys",
    "/log/tile/0/x001/234.p/5",
    "/log/tile/entries/000",
    "/.well-known/security.txt",
    "/.well-known/csaf/provider-metadata.json",
    "/.well-known/csaf/openpgp/0123456789ABCDEF0123456789ABCDEF01234567.asc",
    "/.well-known/csaf/white/index.txt",
    "/.well-known/csaf/white/changes.csv",
    "/.well-known/csaf/white/2026/iotseal-2026-0001.json",
    "/.well-known/csaf/white/2026/iotseal-2026-0001.json.sha256",
    "/.well-known/csaf/white/2026/iotseal-2026-0001.json.asc",
  ];

  it.each(paths)("exactly one rule matches %s (hosts merge overlapping rules)", (p) => {
    expect(rulesMatching(rules, p)).toHaveLength(1);
  });

  it("every rule gives a Content-Type and a Cache-Control, and each CSAF file type its own", () => {
    for (const r of rules) {
      expect(r.headers["Content-Type"], r.pattern).toBeTruthy();
      expect(r.headers["Cache-Control"], r.pattern).toBeTruthy();
    }
    expect(headersFor(rules, paths[20])["Content-Type"]).toBe("text/plain; charset=utf-8");
    expect(headersFor(rules, paths[21])["Content-Type"]).toBe("application/pgp-signature");
    expect(headersFor(rules, paths[19])["Content-Type"]).toBe("application/json");
    expect(headersFor(rules, "/log/tile/0/000")["Cache-Control"]).toBe("public, max-age=31536000, immutable");
    expect(headersFor(rules, "/log/checkpoint")["Cache-Control"]).toBe("no-cache");
  });

  it("folder listings and unknown paths match no rule", () => {
    expect(rulesMatching(rules, "/.well-known/csaf/")).toEqual([]);
    expect(rulesMatching(rules, "/s/IOTS-ABCD-EFGH/")).toEqual([]);
    expect(rulesMatching(rules, "/status/a/b")).toEqual([]);
  });

  it("round-trips through its text", () => {
    const text = headersManifest(rules);
    expect(text).toMatch(/^\/log\/tile\/\*\n {2}Content-Type: application\/octet-stream$/m);
    expect(parseHeadersManifest(text)).toEqual(rules.map((r) => ({ pattern: r.pattern, headers: { ...r.headers } })));
  });

  it("patterns: :name is one segment, * anything, the rest literal and anchored", () => {
    expect(matchesPattern("/s/:serial/credential", "/s/A/credential")).toBe(true);
    expect(matchesPattern("/s/:serial/credential", "/s/A/B/credential")).toBe(false);
    expect(matchesPattern("/log/tile/*", "/log/tile/0/x001/002")).toBe(true);
    expect(matchesPattern("/a/*.json", "/a/b/c.json")).toBe(true);
    expect(matchesPattern("/a/*.json", "/a/b/c.json.asc")).toBe(false);
    expect(matchesPattern("/v1.jsonld", "/v1xjsonld")).toBe(false);
  });
});

describe("a static status list's Cache-Control", () => {
  it("keeps a cached copy no longer than the list surely stays valid, stale-if-error included", () => {
    const h = publishedStatusListHeaders(PUBLISH_EVERY_MS);
    expect(h["Cache-Control"]).toBe("public, max-age=60, s-maxage=240, stale-if-error=0");
    // Written at most TTL/2 + one interval after signing; kept at most s-maxage + stale-if-error after that.
    const [, shared, stale] = /s-maxage=(\d+), stale-if-error=(\d+)/.exec(h["Cache-Control"])!.map(Number);
    expect((STATUS_LIST_TTL_MS / 2 + PUBLISH_EVERY_MS) / 1000 + shared + stale).toBeLessThanOrEqual(
      STATUS_LIST_TTL_MS / 1000,
    );
  });
});

describe("PUBLISH_TO", () => {
  it("defaults to DATA_DIR/public-artefacts", () => {
    const r = parseEnv({ DATA_DIR: "/srv/seal" });
    expect(r.ok && r.env.publishTo).toEqual({ kind: "folder", dir: "/srv/seal/public-artefacts" });
  });

  it.each([
    ["none", { kind: "none" }],
    ["/var/www/seal", { kind: "folder", dir: "/var/www/seal" }],
    ["file:///var/www/seal", { kind: "folder", dir: "/var/www/seal" }],
    ["site", { kind: "folder", dir: path.resolve("site") }],
    ["s3://my-bucket/seal/public", { kind: "s3", bucket: "my-bucket", prefix: "seal/public" }],
  ])("%s", (raw, expected) => expect(parsePublishTo(raw)).toEqual(expected));

  it.each([
    ["https://cdn.example/seal", /must be a folder, file:\/\/\/<absolute path>, s3:\/\/<bucket>\/<prefix> or none/],
    ["s3://Bad_Bucket/x", /not an S3 bucket name/],
    ["s3://bucket", /key prefix/],
    ["/", /root/],
  ])("refuses %s with a message naming the variable", (raw, message) => {
    const r = parseEnv({ PUBLISH_TO: raw });
    expect(r.ok).toBe(false);
    expect(!r.ok && r.errors.join("\n")).toMatch(/^PUBLISH_TO: /);
    expect(!r.ok && r.errors.join("\n")).toMatch(message);
  });

  it("backs off from 15 s, doubling, up to the cap", () => {
    expect([1, 2, 3, 6, 50].map((n) => publicationBackoffMs(n, 300_000))).toEqual([
      15_000, 30_000, 60_000, 300_000, 300_000,
    ]);
  });
});
