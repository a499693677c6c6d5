import { describe, expect, it } from "vitest";
import {
  auditHash,
  canonicalAuditContent,
  compareWithRecordedHead,
  GENESIS_HASH,
  verifyAuditChain,
  type AuditContent,
  type StoredAuditRow,
} from "../../../app/platform/audit-chain";

function content(seq: number, action = "user.login", details: unknown = { n: seq }): AuditContent {
  return {
    seq,
    at: new Date(Date.UTC(2026, 10, 24, 12, 0, seq)).toISOString(),
    actorUserId: "u1",
    actorLabel: "a@demo.test",
    organizationId: "o1",
    action,
    targetType: "user",
    targetId: "u1",
    ip: "127.0.0.1",
    details,
  };
}

function chain(n: number): StoredAuditRow[] {
  const rows: StoredAuditRow[] = [];
  let prev = GENESIS_HASH;
  for (let i = 1; i <= n; i++) {
    const c = content(i);
    const hash = auditHash(prev, c);
    rows.push({ ...c, prevHash: prev, hash });
    prev = hash;
  }
  return rows;
}

describe("audit hash chain", () => {
  it("canonical content does not depend on key order", () => {
    const a = canonicalAuditContent(content(1, "x", { b: 1, a: [1, { d: 2, c: 3 }] }));
    const b = canonicalAuditContent({ ...content(1, "x"), details: { a: [1, { c: 3, d: 2 }], b: 1 } });
    expect(a).toBe(b);
  });

  it("an untouched chain verifies and reports its head", () => {
    const rows = chain(25);
    expect(verifyAuditChain(rows)).toEqual({ ok: true, checked: 25, head: rows[24].hash });
    expect(verifyAuditChain([])).toEqual({ ok: true, checked: 0, head: GENESIS_HASH });
  });

  it("detects a tampered row and names it", () => {
    const rows = chain(10);
    rows[6] = { ...rows[6], details: { n: 999 } };
    const r = verifyAuditChain(rows);
    expect(r).toMatchObject({ ok: false, firstBrokenSeq: 7, checked: 6 });
    if (!r.ok) expect(r.reason).toMatch(/altered/);
  });

  it("detects a row whose hash was recomputed to hide a change (the next link breaks)", () => {
    const rows = chain(10);
    const altered = { ...content(4), action: "user.deleted" };
    rows[3] = { ...altered, prevHash: rows[3].prevHash, hash: auditHash(rows[3].prevHash, altered) };
    expect(verifyAuditChain(rows)).toMatchObject({ ok: false, firstBrokenSeq: 5 });
  });

  it("detects a removed row", () => {
    const rows = chain(10);
    rows.splice(4, 1);
    expect(verifyAuditChain(rows)).toMatchObject({ ok: false, firstBrokenSeq: 6 });
  });

  it("detects reordering", () => {
    const rows = chain(5);
    [rows[1], rows[2]] = [rows[2], rows[1]];
    expect(verifyAuditChain(rows).ok).toBe(false);
  });

  it("detects a changed timestamp", () => {
    const rows = chain(3);
    rows[0] = { ...rows[0], at: "2020-01-01T00:00:00.000Z" };
    expect(verifyAuditChain(rows)).toMatchObject({ ok: false, firstBrokenSeq: 1 });
  });
});

describe("what the chain alone cannot show, and a recorded head can", () => {
  it("the newest rows removed: the shorter chain verifies; the recorded head is missing", () => {
    const rows = chain(10);
    const recorded = { events: 10, head: rows[9].hash };
    const cut = rows.slice(0, 7);
    expect(verifyAuditChain(cut)).toMatchObject({ ok: true, checked: 7 });
    expect(compareWithRecordedHead(recorded, undefined, 7)).toEqual({
      ok: false,
      reason: "missing",
      events: 10,
      current: 7,
    });
  });

  it("a rewrite with every later hash recomputed: the chain verifies; the recorded head differs", () => {
    const rows = chain(10);
    const recorded = { events: 8, head: rows[7].hash };
    let prev = rows[2].hash;
    const rewritten = rows.slice(0, 3);
    for (const r of rows.slice(3)) {
      const { prevHash: _p, hash: _h, ...c } = r;
      const next = r.seq === 4 ? { ...c, action: "user.deleted" } : c;
      const hash = auditHash(prev, next);
      rewritten.push({ ...next, prevHash: prev, hash });
      prev = hash;
    }
    expect(verifyAuditChain(rewritten).ok).toBe(true);
    expect(compareWithRecordedHead(recorded, rewritten[7].hash, 10)).toEqual({
      ok: false,
      reason: "different",
      events: 8,
      storedHash: rewritten[7].hash,
    });
  });

  it("an untouched log that grew since agrees, counting the newer events; an empty recording is the genesis hash", () => {
    const rows = chain(10);
    expect(compareWithRecordedHead({ events: 6, head: rows[5].hash }, rows[5].hash, 10)).toEqual({
      ok: true,
      events: 6,
      newer: 4,
    });
    expect(compareWithRecordedHead({ events: 0, head: GENESIS_HASH }, undefined, 10)).toEqual({
      ok: true,
      events: 0,
      newer: 10,
    });
    expect(compareWithRecordedHead({ events: 0, head: rows[0].hash }, undefined, 10)).toMatchObject({ ok: false });
  });
});
