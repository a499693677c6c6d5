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
  ])("%j -> %s", (input, out) => {
    expect(safeRedirectPath(input, "/d")).toBe(out);
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
