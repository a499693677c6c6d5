// The upload form renders again after a successful upload (the redirect's new data), when every
// requirement may have evidence waiting: it must call the same hooks on every render, or React
// fails with "Rendered fewer hooks than expected". Counted here with a stand-in useState.
import { beforeEach, describe, expect, it, vi } from "vitest";

const calls = vi.hoisted(() => ({ useState: 0 }));
vi.mock("react", async (importOriginal) => {
  const actual = await importOriginal<typeof import("react")>();
  return {
    ...actual,
    useState: <T>(init: T) => {
      calls.useState++;
      return [init, () => {}] as const;
    },
  };
});

const { UploadForm } = await import("../../../app/components/RecurringEvidence");
type Item = Parameters<typeof UploadForm>[0]["items"][number];

const item = (ref: string, pending: boolean): Item => ({
  ref,
  title: `Requirement ${ref}`,
  applicability: "mandatory",
  everyDays: 90,
  lastAcceptedAt: "2027-01-10T00:00:00Z",
  dueAt: "2027-04-10T00:00:00Z",
  graceEndsAt: "2027-04-24T00:00:00Z",
  standing: pending ? "awaiting_decision" : "due_soon",
  daysUntilDue: 10,
  lastAccepted: null,
  continuedFrom: null,
  expiresFirst: false,
  pending: pending ? { id: `e-${ref}`, submittedAt: "2027-04-01T00:00:00Z" } : null,
});

const hooksFor = (items: Item[]) => {
  calls.useState = 0;
  UploadForm({ items, selected: null, maxFileBytes: 1024, busy: false });
  return calls.useState;
};

describe("UploadForm", () => {
  beforeEach(() => {
    calls.useState = 0;
  });

  it("calls the same hooks whether something is left to send or everything waits for an assessor", () => {
    const before = hooksFor([item("5.2-1", false), item("5.2-3", true)]);
    const after = hooksFor([item("5.2-1", true), item("5.2-3", true)]); // the re-render after the last upload
    expect(before).toBeGreaterThan(0);
    expect(after).toBe(before);
  });
});
