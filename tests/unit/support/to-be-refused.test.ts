// The toBeRefused matcher (tests/support/matchers.ts) that every refusal assertion uses.
import { data } from "@remix-run/node";
import { describe, expect, it } from "vitest";
import { ServiceError } from "../../../app/platform/errors.server";

const forbidden = () => new ServiceError("forbidden", "Four eyes: another assessor must confirm.");

describe("toBeRefused", () => {
  it("accepts a function that throws, one that rejects, and a rejecting promise", async () => {
    await expect(() => {
      throw forbidden();
    }).toBeRefused("forbidden", /Four eyes/);
    await expect(async () => {
      throw forbidden();
    }).toBeRefused("forbidden", "Four eyes: another assessor must confirm.");
    await expect(Promise.reject(forbidden())).toBeRefused();
  });

  it("accepts a thrown Response or data() by its status, as a number or as the code that maps to it", async () => {
    const response = () => {
      throw new Response("Not yours.", { status: 403 });
    };
    await expect(response).toBeRefused(403, /^Not yours\.$/);
    await expect(response).toBeRefused("forbidden", "Not yours.");
    await expect(response).not.toBeRefused("not_found");
    const loader = async () => {
      throw data({ message: "No such seal." }, { status: 404 });
    };
    await expect(loader).toBeRefused("not_found", /No such seal/);
    await expect(loader).not.toBeRefused(403);
  });

  it("fails on success, on another error, on another code and on another message", async () => {
    await expect(expect(() => 1).toBeRefused()).rejects.toThrow(/expected a refusal .* but it succeeded/);
    await expect(
      expect(() => {
        throw new TypeError("x is undefined");
      }).toBeRefused(),
    ).rejects.toThrow(/but it threw TypeError: x is undefined/);
    const refusal = () => Promise.reject(forbidden());
    await expect(expect(refusal).toBeRefused("conflict")).rejects.toThrow(/code conflict; got ServiceError forbidden/);
    await expect(expect(refusal).toBeRefused("forbidden", /permission/)).rejects.toThrow(/message \/permission\//);
    // A string is the whole message.
    await expect(expect(refusal).toBeRefused("forbidden", "Four eyes")).rejects.toThrow(/message Four eyes/);
    await expect(() => 1).not.toBeRefused();
  });
});
