import { describe, expect, it } from "vitest";
import {
  keyPromisesShown,
  levelMeaning,
  type ScopedRequirement,
} from "../../../app/features/certification/domain/shopper-summary";

const req = (ref: string, verdict: string | null, mapsTo: string[] = []): ScopedRequirement => ({
  ref,
  mapsTo,
  verdict,
});
const ids = (checklistId: string, inScope: ScopedRequirement[]) =>
  keyPromisesShown(checklistId, inScope).map((p) => p.id);

describe("issue 15: the key promises a seal shows a shopper", () => {
  it("makes a promise only when every requirement speaking to it passed", () => {
    const etsi = [req("5.1-1", "pass"), req("5.2-1", "pass"), req("5.3-9", "pass"), req("5.5-1", "pass")];
    expect(ids("etsi-en-303-645", etsi)).toEqual(["no-default-passwords", "report-problems", "genuine-updates"]);
    expect(ids("etsi-en-303-645", [req("5.1-1", "not_applicable"), req("5.2-1", "pass")])).toEqual(["report-problems"]);
    expect(ids("etsi-en-303-645", [req("5.1-1", null)])).toEqual([]);
  });

  it("follows the crosswalk: UK PSTI 1 maps to ETSI 5.1-1; a requirement of another checklist with the same ref does not", () => {
    const psti = [
      req("1", "pass", ["etsi-en-303-645:5.1-1", "etsi-en-303-645:5.1-2"]),
      req("2", "pass", ["etsi-en-303-645:5.2-1"]),
    ];
    expect(ids("uk-psti", psti)).toEqual(["no-default-passwords", "report-problems"]);
    expect(ids("uk-psti", [req("5.1-1", "pass")])).toEqual([]);
    // Two requirements speak to the same promise: both must pass.
    expect(
      ids("iotsf-assurance-framework", [
        req("2.4.8.1", "pass", ["etsi-en-303-645:5.1-1"]),
        req("2.4.8.2", "fail", ["etsi-en-303-645:5.1-1"]),
      ]),
    ).toEqual([]);
  });

  it("says what a level means", () => {
    expect(levelMeaning({ id: "baseline", title: "Baseline" })).toEqual({
      title: "Baseline",
      meaning: "The security baseline every connected consumer product should meet.",
    });
    expect(
      levelMeaning({ id: "class-2", title: "Class 2 — also resists attacks on availability with significant impact" }),
    ).toEqual({
      title: "Class 2",
      meaning: "Also resists attacks on availability with significant impact.",
    });
  });
});
