// The shared form pieces a screen reader depends on: a control names its error and hint (aria-invalid,
// aria-describedby to elements that exist), a group of radio buttons says its error, a form's message is not said a
// second time when a field says it, a notice's live region is on the page before its text, a busy submit button keeps
// the focus (aria-disabled, never disabled), and a seal's heading says what the verdict is of.
import { createElement, type ReactElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it, vi } from "vitest";

vi.mock("@remix-run/react", () => ({
  Link: ({ to, ...props }: { to: string } & Record<string, unknown>) => createElement("a", { href: to, ...props }),
  Form: (props: Record<string, unknown>) => createElement("form", props),
  useActionData: () => undefined,
  useLocation: () => ({ key: "default", pathname: "/" }),
}));

const { ConfirmTick, Field, FieldGroup, FormError, Notice, SelectField, TextareaField, fieldAria } =
  await import("../../../app/components/Field");
const { SubmitButton } = await import("../../../app/components/SubmitButton");
const { ScrollBox } = await import("../../../app/components/ScrollBox");
const { VerdictBanner } = await import("../../../app/components/SealVerdict");
const { checkTheFields } = await import("../../../app/platform/forms");
const { CraReportingPanel } = await import("../../../app/components/CraClocks");
const { craClocks } = await import("../../../app/features/findings/domain/cra-clocks");

const html = (el: ReactElement) => renderToStaticMarkup(el);

/** Every id an aria-describedby in the markup points to exists in it. */
function describedIdsExist(markup: string): boolean {
  const ids = [...markup.matchAll(/aria-describedby="([^"]+)"/g)].flatMap((m) => m[1].split(" "));
  return ids.length > 0 && ids.every((id) => markup.includes(`id="${id}"`));
}

describe("the tick box that confirms what cannot be undone", () => {
  it("is required and sent as yes, with nothing said of an error there is not", () => {
    const markup = html(
      createElement(ConfirmTick, { ariaLabel: "I understand: revoke Till 3 for good", children: "I understand" }),
    );
    expect(markup).toBe(
      '<label class="check small"><input type="checkbox" name="confirm" required="" aria-label="I understand: revoke Till 3 for good" value="yes"/> I understand</label>',
    );
  });

  it("says the server's error and what the action does, both tied to the box", () => {
    const markup = html(
      createElement(
        "div",
        null,
        createElement("p", { id: "withdraw-effect" }, "The report is closed for good."),
        createElement(ConfirmTick, {
          name: "confirmWithdraw",
          id: "confirm-withdraw",
          required: false,
          small: false,
          describedBy: "withdraw-effect",
          error: "Tick the box to confirm the withdrawal.",
          children: "I understand: withdraw this report",
        }),
      ),
    );
    expect(markup).toContain(
      '<input type="checkbox" name="confirmWithdraw" aria-invalid="true" aria-describedby="withdraw-effect confirm-withdraw-error" value="yes"/>',
    );
    expect(markup).toContain('id="confirm-withdraw-error" role="alert">Tick the box to confirm the withdrawal.</p>');
    expect(markup).not.toContain("required");
    expect(describedIdsExist(markup)).toBe(true);
  });
});

describe("a control and its error", () => {
  it("ties a select to its hint and its error", () => {
    const markup = html(
      createElement(
        SelectField,
        { label: "Role", name: "role", hint: "Who they are.", error: "Choose a role." },
        createElement("option", { value: "a" }, "A"),
      ),
    );
    expect(markup).toContain(
      '<select id="f-role" name="role" aria-invalid="true" aria-describedby="f-role-hint f-role-error"',
    );
    expect(markup).toContain('<p class="field__error" id="f-role-error" role="alert">Choose a role.</p>');
    expect(describedIdsExist(markup)).toBe(true);
  });

  it("says nothing of an error there is not", () => {
    const markup = html(createElement(TextareaField, { label: "Comment", name: "comment", id: "comment" }));
    expect(markup).not.toContain("aria-invalid");
    expect(markup).not.toContain("aria-describedby");
    expect(markup).not.toContain("field__error");
    expect(fieldAria("x", {})).toEqual({});
    expect(fieldAria("x", { hint: true, error: "No." })).toEqual({
      "aria-invalid": true,
      "aria-describedby": "x-hint x-error",
    });
  });

  it("keeps a field's own type (a file input) and id", () => {
    const markup = html(createElement(Field, { label: "CSV file", name: "file", id: "watch-file", type: "file" }));
    expect(markup).toContain('id="watch-file"');
    expect(markup).toContain('type="file"');
  });

  it("describes a group of radio buttons by its error, inside its fieldset", () => {
    const markup = html(
      createElement(FieldGroup, {
        legend: "We are a…",
        name: "kind",
        error: "Choose one.",
        children: createElement("input", { type: "radio", name: "kind", value: "a" }),
      }),
    );
    expect(markup).toMatch(/^<fieldset id="f-kind" class="field--error" aria-describedby="f-kind-error">/);
    expect(markup).toContain('<p class="field__error" id="f-kind-error" role="alert">Choose one.</p></fieldset>');
  });
});

describe("a form's message", () => {
  it("is not said again when a field says it", () => {
    const url = "The URL must use https://.";
    expect(html(createElement(FormError, { message: url, fieldErrors: { url } }))).toBe("");
    expect(
      html(createElement(FormError, { message: `Check the form: ${url}`, fieldErrors: { url, other: undefined } })),
    ).toBe("");
  });

  it("is said when it says more than the fields", () => {
    expect(
      html(createElement(FormError, { message: "Check the highlighted fields.", fieldErrors: { url: "Too long." } })),
    ).toBe('<div class="alert alert--error" role="alert">Check the highlighted fields.</div>');
  });

  it("names the fields to check by their labels", () => {
    const labels = { productVersionId: "Product version", target: "Checklist version and target level" };
    expect(checkTheFields({ productVersionId: "Choose one." }, labels)).toBe("Check the field “Product version”.");
    expect(checkTheFields({ productVersionId: "x", target: "y" }, labels)).toBe(
      "Check these fields: “Product version” and “Checklist version and target level”.",
    );
    expect(checkTheFields({ form: "x" }, labels)).toBe("Check the fields marked in error.");
  });
});

describe("a notice", () => {
  it("has its live region on the page before it has anything to say", () => {
    expect(html(createElement(Notice, {}))).toBe('<div aria-live="polite" class="live-region"></div>');
    expect(html(createElement(Notice, { message: "Answer saved." }))).toBe(
      '<div aria-live="polite" class="live-region"><p class="alert alert--ok" role="status">Answer saved.</p></div>',
    );
  });
});

describe("a submit button", () => {
  it("is busy with aria-disabled, never disabled (a disabled button drops the focus)", () => {
    const busy = html(createElement(SubmitButton, { busy: true }, "Save"));
    expect(busy).toBe('<button type="submit" class="button" aria-disabled="true">Save</button>');
    expect(html(createElement(SubmitButton, { busy: false, className: "button button--quiet" }, "Save"))).toBe(
      '<button type="submit" class="button button--quiet">Save</button>',
    );
    // A button that cannot be used at all (not ready to submit) is still disabled.
    expect(html(createElement(SubmitButton, { disabled: true }, "Submit"))).toContain("disabled");
  });
});

describe("a box that scrolls sideways", () => {
  it("takes the keyboard's focus and has a name", () => {
    expect(html(createElement(ScrollBox, { label: "Organisations", children: "…" }))).toBe(
      '<div class="table-wrap" tabindex="0" role="region" aria-label="Organisations">…</div>',
    );
  });
});

describe("a seal's verdict heading", () => {
  it("says what the verdict is of, after the verdict's word", () => {
    const markup = html(
      createElement(VerdictBanner, { verdict: "valid", serial: "IOTS-7KQ2-M9XD", subject: "Kids Watch" }),
    );
    expect(markup).toMatch(
      /<h1 id="verdict"><span data-testid="seal-verdict">Valid<\/span><span class="seal-status__subject"><span class="visually-hidden">: <\/span>Kids Watch<\/span><\/h1>/,
    );
  });

  it("names the serial when there is no product to name", () => {
    const markup = html(createElement(VerdictBanner, { verdict: "not_found", serial: "IOTS-0000-0000" }));
    expect(markup).toContain("seal IOTS-0000-0000</span></h1>");
  });
});

describe("the CRA reporting forms", () => {
  const aware = new Date("2026-12-01T10:00:00Z");
  const cra = (flagged: boolean) => ({
    activelyExploited: flagged,
    severeIncident: false,
    exploitedAwareAt: flagged ? aware : null,
    incidentAwareAt: null,
    clocks: flagged
      ? craClocks(
          {
            activelyExploited: true,
            severeIncident: false,
            exploitedAwareAt: aware,
            incidentAwareAt: null,
            fixAvailableAt: null,
            submissions: [],
          },
          new Date("2026-12-01T12:00:00Z"),
        )
      : null,
    reports: [],
    canFlag: !flagged,
    withdrawn: false,
    canRecord: flagged,
    canCorrect: flagged,
    canUnflag: { vulnerability: flagged, incident: false },
    version: 3,
  });
  const panel = (flagged: boolean, values: Record<string, string>, errors: Record<string, string>) =>
    html(createElement(CraReportingPanel, { cra: cra(flagged), values, errors, busy: false }));

  it("tie each control of the form that was sent to its error", () => {
    const recorded = panel(
      true,
      { intent: "cra_report" },
      { submittedAt: "Enter when it was submitted.", reference: "Enter the reference." },
    );
    expect(recorded).toMatch(/id="cra-submittedAt"[^>]*aria-invalid="true" aria-describedby="cra-submittedAt-error"/);
    expect(recorded).toMatch(/id="cra-reference"[^>]*aria-invalid="true" aria-describedby="cra-reference-error"/);
    expect(recorded).toContain('id="cra-submittedAt-error" role="alert">Enter when it was submitted.</p>');
    expect(describedIdsExist(recorded)).toBe(true);
    // Another form's controls say nothing of it.
    expect(recorded).not.toMatch(/id="cra-correct-vulnerability"[^>]*aria-invalid/);

    const corrected = panel(
      true,
      { intent: "cra_correct", subject: "vulnerability" },
      { awareAt: "Not in the future." },
    );
    expect(corrected).toMatch(/id="cra-correct-vulnerability"[^>]*aria-describedby="cra-correct-vulnerability-error"/);
    expect(describedIdsExist(corrected)).toBe(true);

    const unflagged = panel(true, { intent: "cra_unflag", subject: "vulnerability" }, { reason: "Say why." });
    expect(unflagged).toMatch(
      /id="cra-unflag-reason-vulnerability"[^>]*aria-describedby="cra-unflag-reason-vulnerability-error"/,
    );
    expect(describedIdsExist(unflagged)).toBe(true);
  });

  it("tie the flag's tick boxes to the error that neither was ticked", () => {
    const markup = panel(false, { intent: "cra_flag" }, { activelyExploited: "Tick what to flag." });
    expect(markup).toMatch(/name="activelyExploited"[^>]*aria-invalid="true" aria-describedby="cra-flag-error"/);
    expect(markup).toMatch(/name="severeIncident"[^>]*aria-invalid="true" aria-describedby="cra-flag-error"/);
    expect(markup).toContain('id="cra-flag-error" role="alert">Tick what to flag.</p>');
    expect(describedIdsExist(markup)).toBe(true);
    expect(panel(false, {}, {})).not.toContain("aria-invalid");
  });
});
