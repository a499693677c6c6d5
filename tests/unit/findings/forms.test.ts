// The findings module's forms (app/features/findings/forms.ts): every date is a real calendar day,
// one-line texts lose invisible and direction-changing characters before they are measured, and every
// limit names its field in plain words.
import { describe, expect, it } from "vitest";
import type { z } from "zod";
import {
  authorityReportInput,
  calendarDateProblem,
  craCorrectInput,
  craFlagInput,
  craUnflagInput,
  extensionInput,
  findingActionInput,
  findingInput,
} from "../../../app/features/findings/forms";

const base = {
  productId: "p",
  versionIds: ["v"],
  title: "Pairing PIN can be brute-forced",
  description: "The four-digit pairing PIN has no rate limit over BLE.",
  severity: "high",
  reporter: "A researcher",
  reportedOn: "2026-11-20",
};

/** The first message on `field`, or null when the input parses (or the field has no problem). */
function errorOn(schema: z.ZodType, input: unknown, field: string): string | null {
  const r = schema.safeParse(input);
  if (r.success) return null;
  return r.error.issues.find((i) => i.path[0] === field)?.message ?? null;
}

describe("dates are real calendar days", () => {
  it("calendarDateProblem says what is wrong, and nothing for a real day", () => {
    expect(calendarDateProblem("2026-02-28")).toBeNull();
    expect(calendarDateProblem("2028-02-29")).toBeNull();
    expect(calendarDateProblem("2026-02-29")).toBe("February 2026 has 28 days");
    expect(calendarDateProblem("2026-02-30")).toBe("February 2026 has 28 days");
    expect(calendarDateProblem("2026-04-31")).toBe("April 2026 has 30 days");
    expect(calendarDateProblem("2026-13-01")).toBe("there is no month 13");
    expect(calendarDateProblem("2026-00-10")).toBe("there is no month 00");
    expect(calendarDateProblem("2026-05-00")).toBe("there is no day 00");
  });

  it("the date reported: 2026-02-30 is refused on its field, not rolled over to 2 March", () => {
    expect(errorOn(findingInput, { ...base, reportedOn: "2026-02-30" }, "reportedOn")).toBe(
      "The date reported, 2026-02-30, is not a real date: February 2026 has 28 days.",
    );
    expect(findingInput.parse({ ...base, reportedOn: "2028-02-29" }).reportedOn).toBe("2028-02-29");
  });

  it("a new deadline: 2027-02-30 is refused on its field", () => {
    const ext = { deadline: "2027-02-30", reason: "The supplier needs a hardware change.", version: "3" };
    expect(errorOn(extensionInput, ext, "deadline")).toBe(
      "The new deadline, 2027-02-30, is not a real date: February 2027 has 28 days.",
    );
    expect(extensionInput.parse({ ...ext, deadline: "2027-02-28" }).deadline).toBe("2027-02-28");
  });

  it("when you became aware, and when a submission was made: a real day and a real time of day", () => {
    expect(
      errorOn(craFlagInput, { activelyExploited: "yes", awareAt: "2026-02-30T10:00", version: "2" }, "awareAt"),
    ).toBe("When you became aware of the exploitation: 2026-02-30 is not a real date: February 2026 has 28 days.");
    expect(
      errorOn(craFlagInput, { activelyExploited: "yes", awareAt: "2026-12-01T24:00", version: "2" }, "awareAt"),
    ).toBe("When you became aware of the exploitation: 24:00 is not a real time of day.");
    expect(
      craFlagInput.safeParse({ activelyExploited: "yes", awareAt: "2026-12-01T23:59", version: "2" }).success,
    ).toBe(true);
    const sub = { kind: "early_warning", submittedAt: "2026-06-31 09:00", reference: "ENISA-123" };
    expect(errorOn(authorityReportInput, sub, "submittedAt")).toBe(
      "When it was submitted: 2026-06-31 is not a real date: June 2026 has 30 days.",
    );
  });
});

describe("one-line texts: no invisible or direction-changing characters", () => {
  it("a title with a right-to-left override is kept without it", () => {
    expect(findingInput.parse({ ...base, title: "\u202EPairing PIN can be brute-forced\u202C" }).title).toBe(
      "Pairing PIN can be brute-forced",
    );
    expect(findingInput.parse({ ...base, title: "Pairing\u2066 PIN\u2069 leaks\u200B\uFEFF" }).title).toBe(
      "Pairing PIN leaks",
    );
  });

  it("the minimum length counts visible characters only: five zero-width spaces are no title", () => {
    const msg = "Give the finding a title (at least 5 characters).";
    expect(errorOn(findingInput, { ...base, title: "\u200B\u200B\u200B\u200B\u200B" }, "title")).toBe(msg);
    expect(errorOn(findingInput, { ...base, title: "ab\u200Dc\u2060d\u202E" }, "title")).toBe(msg);
    expect(errorOn(findingInput, { ...base, reporter: "\u200BA\u200C" }, "reporter")).toBe(
      "Name who reported it (a person, a researcher's handle or an organisation).",
    );
  });

  it("control characters are refused, naming the field", () => {
    expect(errorOn(findingInput, { ...base, title: "Pairing PIN\nleaks over BLE" }, "title")).toBe(
      "The title must be one line, without control characters.",
    );
  });

  it("the fixed-in version and the reference are cleaned the same way", () => {
    expect(
      findingActionInput.parse({ action: "mark_fixed", fixedInVersion: "3.1.2\u200B", version: "2" }).fixedInVersion,
    ).toBe("3.1.2");
    expect(
      authorityReportInput.parse({
        kind: "notification",
        submittedAt: "2026-12-01 10:00",
        reference: "\u202EENISA-1",
        version: "2",
      }).reference,
    ).toBe("ENISA-1");
  });
});

describe("every limit names its field", () => {
  it("in plain words, not zod's default", () => {
    expect(errorOn(findingInput, { ...base, reporter: "x".repeat(201) }, "reporter")).toBe(
      "Keep the reporter's name to 200 characters or fewer.",
    );
    expect(errorOn(findingInput, { ...base, cvssVector: `CVSS:3.1/${"x".repeat(200)}` }, "cvssVector")).toBe(
      "Keep the CVSS vector to 200 characters or fewer.",
    );
    expect(errorOn(findingInput, { ...base, title: "x".repeat(201) }, "title")).toBe(
      "Keep the title to 200 characters or fewer.",
    );
    expect(
      errorOn(
        findingActionInput,
        { action: "mark_fixed", fixedInVersion: "1".repeat(101), version: "2" },
        "fixedInVersion",
      ),
    ).toBe("Keep the fixed-in version to 100 characters or fewer.");
    expect(errorOn(findingActionInput, { action: "acknowledge" }, "version")).toBe(
      "The form is missing the report's version; reload the page and try again.",
    );
    // No message anywhere in these forms is zod's generic wording.
    for (const [schema, input] of [
      [findingInput, { ...base, reporter: "x".repeat(201), cvssVector: "x".repeat(201), versionIds: [""] }],
      [findingActionInput, { action: "mark_fixed", fixedInVersion: "1".repeat(101), version: "x" }],
      [extensionInput, { deadline: "2027-02-30", version: "-1" }],
    ] as const) {
      const r = (schema as z.ZodType).safeParse(input);
      expect(r.success).toBe(false);
      for (const issue of r.error!.issues)
        expect(issue.message).not.toMatch(/Too big|Too small|Invalid input|expected/);
    }
  });
});

describe("the CRA Article 14 forms", () => {
  it("every CRA form carries the report's version: without it, the page is stale or broken", () => {
    const msg = "The form is missing the report's version; reload the page and try again.";
    expect(errorOn(craFlagInput, { activelyExploited: "yes" }, "version")).toBe(msg);
    expect(errorOn(craCorrectInput, { subject: "vulnerability", awareAt: "2026-12-01T10:00" }, "version")).toBe(msg);
    expect(errorOn(craUnflagInput, { subject: "incident", reason: "Ticked by mistake." }, "version")).toBe(msg);
    const sub = { kind: "early_warning", submittedAt: "2026-12-01 09:00", reference: "ENISA-123" };
    expect(errorOn(authorityReportInput, sub, "version")).toBe(msg);
  });

  it("each flag has its own awareness time: a time entered without its box ticked is refused on that field", () => {
    expect(
      errorOn(
        craFlagInput,
        { activelyExploited: "yes", incidentAwareAt: "2026-12-01T10:00", version: "2" },
        "incidentAwareAt",
      ),
    ).toBe("You entered when you became aware of the incident: tick Severe incident too, or clear the time.");
    expect(errorOn(craFlagInput, { severeIncident: "yes", awareAt: "2026-12-01T10:00", version: "2" }, "awareAt")).toBe(
      "You entered when you became aware of the exploitation: tick Actively exploited too, or clear the time.",
    );
    expect(errorOn(craFlagInput, { version: "2" }, "activelyExploited")).toBe(
      "Tick actively exploited, severe incident, or both.",
    );
    const both = craFlagInput.parse({
      activelyExploited: "yes",
      awareAt: "2026-12-01T10:00",
      severeIncident: "yes",
      incidentAwareAt: "2026-12-02T10:00",
      version: "2",
    });
    expect([both.awareAt, both.incidentAwareAt, both.version]).toEqual(["2026-12-01T10:00", "2026-12-02T10:00", 2]);
  });

  it("a correction needs the time; a removal needs a reason; a subject must be one of the two", () => {
    expect(errorOn(craCorrectInput, { subject: "vulnerability", awareAt: "", version: "2" }, "awareAt")).toBe(
      "Enter when you became aware as YYYY-MM-DD HH:MM (UTC).",
    );
    expect(errorOn(craUnflagInput, { subject: "incident", reason: "  oops ", version: "2" }, "reason")).toBe(
      "Explain why the flag is removed (at least 10 characters).",
    );
    expect(errorOn(craUnflagInput, { subject: "both", reason: "Ticked by mistake.", version: "2" }, "subject")).toBe(
      "Choose whether it concerns the actively exploited vulnerability or the severe incident.",
    );
    // The submission's subject may be left out (a report flagged one way only): an empty choice is none.
    const sub = { kind: "early_warning", submittedAt: "2026-12-01 09:00", reference: "ENISA-123", version: "2" };
    expect(authorityReportInput.parse({ ...sub, subject: "" }).subject).toBeUndefined();
    expect(authorityReportInput.parse({ ...sub, subject: "incident" }).subject).toBe("incident");
  });
});
