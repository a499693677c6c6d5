// The pure rules behind storage hygiene and backups (issue 13, items 8 and 9).
import { describe, expect, it } from "vitest";
import { backupManifestSchema, restoredMode, safeRelativePath } from "../../../app/platform/backup-manifest";
import {
  isStaleUpload,
  quotaCutOffMessage,
  quotaExceededMessage,
  quotaUsageLine,
  resumableBytesLeft,
  resumableQuotaMessage,
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
    expect(quotaCutOffMessage(q, 150 * MiB)).toMatch(
      /^Your organisation uses 9\.8 GiB of its 10 GiB evidence quota, and its unfinished uploads have reserved 150 MiB more \(each until it is finished, or removed 24 hours after it started\); this upload is larger than the 54\.8 MiB left\./,
    );
    expect(quotaUsageLine({ usedBytes: 1.2 * GiB, quotaBytes: 10 * GiB })).toBe(
      "Evidence stored: 1.2 GiB of 10 GiB (12%).",
    );
  });

  it("a resumable upload must fit beside the stored files and the unfinished uploads, and says what became of it", () => {
    const q = { usedBytes: 9 * GiB, quotaBytes: 10 * GiB, unfinishedBytes: 800 * MiB };
    expect(resumableBytesLeft(q)).toBe(224 * MiB);
    expect(resumableBytesLeft({ ...q, unfinishedBytes: 2 * GiB })).toBe(0);
    expect(resumableQuotaMessage(q, 300 * MiB, "creation")).toMatch(
      /^Your organisation uses 9 GiB of its 10 GiB evidence quota, and its unfinished uploads have reserved 800 MiB more \(each until it is finished, or removed 24 hours after it started\); this file is 300 MiB and only 224 MiB is left\. Nothing was stored\. Remove evidence/,
    );
    // On a PATCH (the stored files grew meanwhile), the upload is removed with what it had received.
    expect(resumableQuotaMessage({ ...q, unfinishedBytes: 0 }, 1.5 * GiB, "patch")).toMatch(
      /^Your organisation uses 9 GiB of its 10 GiB evidence quota; this file is 1\.5 GiB and only 1 GiB is left\. The upload was cancelled and the part already received deleted\./,
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
    // The keys of the secrets kept in the database (decision 040) too.
    expect(restoredMode("keys/two-step.private.key")).toBe(0o600);
    expect(restoredMode("keys/webhook.private.key")).toBe(0o600);
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
