// Domain events in the outbox (app/platform/events.server.ts), against a real database: written in
// the transaction of the change, in-transaction subscribers atomic with it, after-commit ones run
// once it commits and retried by the next drain when they fail.
import { eq, isNull } from "drizzle-orm";
import { describe, expect, it, vi } from "vitest";
import { domainEvents } from "../../../db/schema";
import { db, transaction } from "../../../app/platform/db.server";
import { drainOutbox, emit, subscribe, subscribers } from "../../../app/platform/events.server";

const pending = () => db().select().from(domainEvents).where(isNull(domainEvents.handledAt)).all();

describe("domain events", () => {
  it("the wiring registers the subscribers of every event the modules emit", () => {
    const wired = subscribers().map((s) => `${s.type} -> ${s.name} (${s.phase})`);
    expect(wired).toEqual(
      expect.arrayContaining([
        "seal.changed -> retail: watch feed (transaction)",
        "seal.changed -> retail: policy results (transaction)",
        "seal.changed -> retail: current seal followed (transaction)",
        "advisory.published -> retail: watch feed (transaction)",
        "product.changed -> retail: policy results (transaction)",
        "finding.changed -> retail: watch feed (transaction)",
        "finding.changed -> monitoring: automatic suspension (transaction)",
        "fixes.certified -> monitoring: automatic suspension (after-commit)",
        "seal.changed -> public: static publication (wake)",
        "finding.changed -> public: static publication (wake)",
        "user.disabled -> retail: webhooks of the disabled user removed (transaction)",
      ]),
    );
  });

  it("an event emitted in a transaction that rolls back leaves no row and runs nothing after", () => {
    const seen: string[] = [];
    subscribe("fixes.certified", "test: rollback probe", "after-commit", (events) =>
      seen.push(...events.map((e) => e.submissionId)),
    );
    const before = db().select().from(domainEvents).all().length;
    expect(() =>
      transaction((tx) => {
        emit(tx, "fixes.certified", { submissionId: "rolled-back", count: 1 });
        throw new Error("the change fails");
      }),
    ).toThrow("the change fails");
    expect(db().select().from(domainEvents).all().length).toBe(before);
    transaction(() => undefined); // a later commit does not run it either
    expect(seen).not.toContain("rolled-back");
    transaction((tx) => emit(tx, "fixes.certified", { submissionId: "committed", count: 1 }));
    expect(seen).toContain("committed"); // run as the transaction committed
    expect(pending()).toEqual([]);
  });

  it("an after-commit subscriber that fails leaves its event pending; the next drain runs it once", () => {
    const logged = vi.spyOn(console, "error").mockImplementation(() => {});
    let failures = 1;
    const handled: string[] = [];
    subscribe("fixes.certified", "test: flaky", "after-commit", (events) => {
      if (failures-- > 0) throw new Error("down for a moment");
      handled.push(...events.map((e) => e.submissionId));
    });
    transaction((tx) => emit(tx, "fixes.certified", { submissionId: "retry-me", count: 2 })); // the change itself commits
    const row = pending().find((r) => JSON.parse(r.payload).submissionId === "retry-me");
    expect(row).toBeDefined();
    expect(handled).toEqual([]);
    expect(logged).toHaveBeenCalledWith(expect.stringContaining("the events stay pending"), expect.any(Error));
    logged.mockRestore();
    expect(drainOutbox()).toBe(1);
    expect(handled).toEqual(["retry-me"]);
    expect(db().select().from(domainEvents).where(eq(domainEvents.id, row!.id)).get()!.handledAt).not.toBeNull();
    expect(drainOutbox()).toBe(0); // nothing twice
    expect(handled).toEqual(["retry-me"]);
  });

  it("a wake runs once per commit, after it, and never for a rollback; the event is written handled, nothing drains", () => {
    let woken = 0;
    const wake = () => {
      woken++;
    };
    subscribe("advisory.imported", "test: wake probe", "wake", wake);
    expect(() =>
      transaction((tx) => {
        emit(tx, "advisory.imported", { importedAdvisoryId: "rolled-back", trackingVersion: "1" });
        throw new Error("the change fails");
      }),
    ).toThrow("the change fails");
    expect(woken).toBe(0);
    transaction((tx) => {
      emit(tx, "advisory.imported", { importedAdvisoryId: "a", trackingVersion: "1" });
      emit(tx, "advisory.imported", { importedAdvisoryId: "b", trackingVersion: "1" });
      expect(woken).toBe(0); // not before the commit
    });
    expect(woken).toBe(1); // one wake for the two events of one commit
    const rows = db()
      .select()
      .from(domainEvents)
      .all()
      .filter((r) => r.type === "advisory.imported");
    expect(rows.map((r) => JSON.parse(r.payload).importedAdvisoryId)).toEqual(["a", "b"]);
    expect(rows.every((r) => r.handledAt !== null)).toBe(true);
    expect(pending()).toEqual([]);
  });
});
