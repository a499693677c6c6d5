// The pure rules behind storage hygiene and backups (issue 13, items 8 and 9).
import { describe, expect, it } from "vitest";
import { backupManifestSchema, restoredMode, safeRelativePath } from "../../../app/platform/backup-manifest";
import {
  isStaleUpload,
  quotaCutOffMessage,
  quotaExceededMessage,
  quotaUsageLine,
  STALE_UPLOAD_MS,
} from "../../../app/features/certification/domain/evidence-quota";
import { formatBytes } from "../../../app/platform/format";

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;

describe("issue 13.8: quota wording and stale uploads", () => {
  it("formats sizes the way the messages show them", () => {
    expect(
      [0, 1, 512, 1024, 1536, 27.2 * 1024, 997 * 1024, MiB, 1.2 * MiB, 205 * MiB, 9.8 * GiB, 10 * GiB].map(formatBytes),
    ).toEqual([
      "0 bytes",
      "1 byte",
      "512 bytes",
      "1 KiB",
      "1.5 KiB",
      "27.2 KiB",
      "997 KiB",
      "1 MiB",
      "1.2 MiB",
      "205 MiB",
      "9.8 GiB",
      "10 GiB",
    ]);
  });

  it("names the quota, the usage and what the upload needs", () => {
    const q = { usedBytes: 9.8 * GiB, quotaBytes: 10 * GiB };
    expect(quotaExceededMessage(q, 340 * MiB)).toMatch(
      /^Your organisation uses 9\.8 GiB of its 10 GiB evidence quota; this upload needs 340 MiB and only 205 MiB is left\. Nothing was stored\./,
    );
    expect(quotaCutOffMessage(q)).toMatch(
      /^Your organisation uses 9\.8 GiB of its 10 GiB evidence quota; this upload is larger than the 205 MiB left\./,
    );
    expect(quotaUsageLine({ usedBytes: 1.2 * GiB, quotaBytes: 10 * GiB })).toBe(
      "Evidence stored: 1.2 GiB of 10 GiB (12%).",
    );
  });

  it("a temporary upload is stale only once nothing has written to it for 10 minutes", () => {
    const now = 1_800_000_000_000;
    expect(isStaleUpload(now - 30_000, now)).toBe(false);
    expect(isStaleUpload(now - STALE_UPLOAD_MS, now)).toBe(false);
    expect(isStaleUpload(now - STALE_UPLOAD_MS - 1, now)).toBe(true);
  });
});

describe("issue 13.9: backup manifest rules", () => {
  it("accepts only plain relative paths", () => {
    for (const ok of ["iot-seal.db", "keys/abc.private.pem", "evidence/ab/cd/" + "a".repeat(64)])
      expect(safeRelativePath(ok), ok).toBe(true);
    for (const bad of ["/etc/passwd", "../x", "keys/../../x", "a//b", "./x", "a\\b", "", "keys/ x"])
      expect(safeRelativePath(bad), bad).toBe(false);
  });

  it("restores private keys and the session secret 0600, evidence read-only", () => {
    expect(restoredMode("keys/k.private.pem")).toBe(0o600);
    expect(restoredMode("session-secret")).toBe(0o600);
    expect(restoredMode("keys/k.json")).toBe(0o644);
    expect(restoredMode("evidence/ab/cd/x")).toBe(0o400);
  });

  it("refuses a manifest that is not an IoT Seal backup, naming what is wrong", () => {
    const r = backupManifestSchema.safeParse({ format: "tarball" });
    expect(r.success).toBe(false);
    if (!r.success) expect(r.error.issues[0].message).toMatch(/this is not an IoT Seal backup/);
  });
});
