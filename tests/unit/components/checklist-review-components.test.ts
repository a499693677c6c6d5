// Components changed after review: the change mark keeps what a refused post sent (without
// JavaScript the page is rendered again from the server), and an unresolved crosswalk link says
// why: its checklist is not imported yet, or no imported version of it has the ref.
import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it, vi } from "vitest";

// Plain elements for Remix's router-bound ones: these tests render outside a router.
vi.mock("@remix-run/react", () => ({
  Form: (props: Record<string, unknown>) => createElement("form", props),
  Link: ({ to, ...props }: { to: string } & Record<string, unknown>) => createElement("a", { href: to, ...props }),
}));

const { ChangeMark } = await import("../../../app/components/ChangeMark");
const { CrosswalkLinks } = await import("../../../app/components/Crosswalk");

describe("ChangeMark", () => {
  const render = (props: Partial<Parameters<typeof ChangeMark>[0]>) =>
    renderToStaticMarkup(createElement(ChangeMark, { reasons: [], note: null, canMark: true, busy: false, ...props }));

  it("shows the saved mark when nothing was posted", () => {
    const html = render({ note: "Saved note" });
    expect(html).toMatch(/<input type="checkbox" name="changed" checked=""/);
    expect(html).toContain(">Saved note</textarea>");
  });

  it("shows what the refused post sent, not the saved mark", () => {
    const html = render({
      note: "Saved note",
      error: "Keep the note under 2,000 characters.",
      values: { intent: "mark-change", changed: "on", note: "What I typed" } as { changed?: string; note?: string },
    });
    expect(html).toContain(">What I typed</textarea>");
    expect(html).not.toContain("Saved note");
    expect(html).toMatch(/name="changed" checked=""/);
    expect(html).toContain("Keep the note under 2,000 characters.");
  });

  it("keeps an unticked box unticked after a refused post", () => {
    const html = render({ note: "Saved note", values: { note: "x" } });
    expect(html).not.toMatch(/name="changed" checked=""/);
  });
});

describe("CrosswalkLinks, an unresolved target", () => {
  const end = (checklistTitle: string | null) => ({
    checklistId: "uk-psti",
    checklistTitle,
    ref: "9",
    version: null,
    title: null,
    kind: null,
  });
  const render = (checklistTitle: string | null) =>
    renderToStaticMarkup(createElement(CrosswalkLinks, { mapsTo: [end(checklistTitle)], mappedFrom: [] }));

  it("says the checklist is not imported yet when no version of it is", () => {
    expect(render(null)).toContain('title="That checklist is not imported yet"');
  });

  it("says no imported version has the requirement when the checklist is imported", () => {
    const html = render("Product Security and Telecommunications Infrastructure Regulations 2023");
    expect(html).toContain('title="No imported version of UK PSTI has requirement 9"');
    expect(html).not.toContain("not imported yet");
  });
});
