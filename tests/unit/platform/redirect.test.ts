import { describe, expect, it } from "vitest";
import { safeNext, safeRedirectPath } from "../../../app/platform/http/redirect";

describe("safe redirects after login", () => {
  it.each([
    ["/admin/users", "/admin/users"],
    ["/supplier?x=1", "/supplier?x=1"],
    ["//evil.example", "/d"],
    ["/\\evil.example", "/d"],
    ["https://evil.example/", "/d"],
    ["javascript:alert(1)", "/d"],
    ["/ok\nSet-Cookie: x", "/d"],
    [null, "/d"],
    ["", "/d"],
    // Resolved, then checked again: a dot segment must not turn the path into "//host".
    ["/.//evil.example", "/d"],
    ["/a/../..//evil.example", "/d"],
    ["/./\\evil.example", "/d"],
    ["/\tevil", "/d"],
    ["/admin/../supplier", "/supplier"],
  ])("%j -> %s", (input, out) => {
    expect(safeRedirectPath(input, "/d")).toBe(out);
  });

  it.each([
    ["/✓", "/%E2%9C%93"],
    ["/search?q=über#straße", "/search?q=%C3%BCber#stra%C3%9Fe"],
    ["/a b", "/a%20b"],
  ])("percent-encodes what a Location header cannot hold: %j -> %s", (input, out) => {
    const to = safeRedirectPath(input, "/d");
    expect(to).toBe(out);
    // The header accepts it (non-Latin-1 made Headers.set throw: a 500 after a successful login).
    expect(new Headers({ Location: to }).get("Location")).toBe(out);
  });
});

describe("the next step of a form", () => {
  it.each([
    ["5.1-1", "5.1-1"],
    ["overview", "overview"],
    ["a_b.c-d", "a_b.c-d"],
    ["x".repeat(64), "x".repeat(64)],
    ["x".repeat(65), null],
    ["", null],
    ["../admin", null],
    ["..", null],
    [".", null],
    ["/evil", null],
    ["//evil.example", null],
    ["https://evil.example/", null],
    ["5.1-1?x=1", null],
    ["5.1-1\nSet-Cookie: x", null],
    [null, null],
    [42, null],
  ])("%j -> %j", (input, out) => {
    expect(safeNext(input)).toBe(out);
  });
});
