// Rules of the supplier's submission journey, without a database: what a request for changes sends
// back (one rule for the assessor's score and the supplier's pages), an SBOM over the component
// limit or not valid JSON refused rather than cut short or attached as an ordinary file.
import { describe, expect, it } from "vitest";
import {
  scoreSubmission,
  sendsBack,
  type ReviewedRequirement,
  type VerdictFacts,
} from "../../../app/features/certification/domain/review";
import {
  componentCountProblem,
  extractComponents,
  notJsonSbomMessage,
  recogniseSbom,
  SBOM_MAX_COMPONENTS,
} from "../../../app/features/certification/domain/sbom";
import { sniffMediaType } from "../../../app/features/certification/domain/evidence-type";

const req = (ref: string, applicability: ReviewedRequirement["applicability"]): ReviewedRequirement => ({
  ref,
  sectionRef: "5",
  applicability,
  condition: null,
  claim: "implemented",
});
const v = (verdict: VerdictFacts["verdict"], accepted = false, comment = "A reason."): VerdictFacts => ({
  verdict,
  comment,
  accepted,
});

describe("sendsBack", () => {
  it("sends back a fail or needs information unless it is settled", () => {
    expect(sendsBack(req("1", "mandatory"), v("fail"))).toBe(true);
    expect(sendsBack(req("1", "mandatory"), v("needs_information"))).toBe(true);
    expect(sendsBack(req("2", "advisory"), v("fail"))).toBe(true);
    // An advisory "fail" whose justification the assessor accepted is settled: it stays frozen.
    expect(sendsBack(req("2", "advisory"), v("fail", true))).toBe(false);
    expect(sendsBack(req("1", "mandatory"), v("pass", false, ""))).toBe(false);
    expect(sendsBack(req("1", "mandatory"), undefined)).toBe(false);
  });

  it("is the rule of the score's toSendBack", () => {
    const reqs = [req("1", "mandatory"), req("2", "advisory"), req("3", "advisory"), req("4", "mandatory")];
    const verdicts = new Map([
      ["1", v("fail")],
      ["2", v("fail", true)],
      ["3", v("needs_information")],
      ["4", v("pass", false, "")],
    ]);
    const score = scoreSubmission(reqs, verdicts);
    expect(score.toSendBack).toEqual(reqs.filter((r) => sendsBack(r, verdicts.get(r.ref))).map((r) => r.ref));
    expect(score.toSendBack).toEqual(["1", "3"]);
  });
});

describe("SBOM limits", () => {
  const cyclonedx = (n: number) => ({
    bomFormat: "CycloneDX",
    specVersion: "1.6",
    components: Array.from({ length: n }, (_, i) => ({ type: "library", name: `c${i}`, version: "1.0" })),
  });

  it("lists one component more than the limit, so an SBOM over it is refused, not cut short", () => {
    const over = cyclonedx(SBOM_MAX_COMPONENTS + 10);
    const listed = extractComponents(over, recogniseSbom(over)!);
    expect(listed).toHaveLength(SBOM_MAX_COMPONENTS + 1);
    expect(componentCountProblem(listed.length)).toBe(
      "The SBOM lists more than 50,000 components, the most read from one SBOM (each is matched against vulnerability advisories). Split it into several SBOMs, for example one per firmware image, and attach each.",
    );
    expect(componentCountProblem(SBOM_MAX_COMPONENTS)).toBeNull();
    const at = cyclonedx(SBOM_MAX_COMPONENTS);
    expect(extractComponents(at, recogniseSbom(at)!)).toHaveLength(SBOM_MAX_COMPONENTS);
  });

  it("refuses a small file that names an SBOM format but is not valid JSON; other broken JSON is plain text", async () => {
    const broken = new TextEncoder().encode('{"bomFormat": "CycloneDX", "specVersion": "1.6", "components": [}');
    const sniffed = await sniffMediaType(broken, true);
    expect(sniffed.ok).toBe(false);
    if (sniffed.ok) return;
    expect(sniffed.message).toMatch(/^The file declares a CycloneDX or SPDX SBOM but is not valid JSON: /);
    expect(await sniffMediaType(new TextEncoder().encode('{"results": [}'), true)).toMatchObject({
      ok: true,
      mediaType: "text/plain",
    });
    expect(notJsonSbomMessage(new SyntaxError("Unexpected token"))).toBe(
      "The file declares a CycloneDX or SPDX SBOM but is not valid JSON: Unexpected token",
    );
  });
});
