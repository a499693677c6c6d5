// The next CRA Article 14 clock, one line on the reports list and both dashboards: which report, when
// it is due (or what it waits for) and its state, from the loader's serialised facts.
import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it, vi } from "vitest";

vi.mock("@remix-run/react", () => ({
  Form: (props: Record<string, unknown>) => createElement("form", props),
}));

const { NextCraClock } = await import("../../../app/components/CraClocks");

const text = (html: string) => html.replace(/<[^>]+>/g, "");

describe("NextCraClock", () => {
  const due = {
    label: "Early warning",
    article: "Article 14(2)(a)",
    dueAt: "2026-12-06T07:50:00.000Z",
    waitingFor: null,
    state: "overdue",
    tone: "bad" as const,
  };

  it("on the reports list: the report in words and its due time, the state as a badge", () => {
    const html = renderToStaticMarkup(createElement(NextCraClock, { clock: due }));
    expect(text(html)).toBe("CRA early warning due 6 Dec 2026, 07:50 UTC overdue");
    expect(html).toContain('<span class="badge badge--bad">overdue</span>');
  });

  it("on a dashboard, with the article; a waiting final report says what it waits for", () => {
    const waiting = {
      ...due,
      label: "Final report",
      article: "Article 14(2)(c)",
      dueAt: null,
      waitingFor: "a corrective or mitigating measure (a fix) is available",
      state: "waiting",
      tone: "info" as const,
    };
    expect(text(renderToStaticMarkup(createElement(NextCraClock, { clock: waiting, withArticle: true })))).toBe(
      "Final report Article 14(2)(c) when a corrective or mitigating measure (a fix) is available waiting",
    );
  });
});
