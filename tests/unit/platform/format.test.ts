import { describe, expect, it } from "vitest";
import { formatBytes, humanizeAction } from "../../../app/platform/format";

const KiB = 1024;
const MiB = 1024 * KiB;

describe("the one byte formatter", () => {
  it.each([
    [256 * KiB, "256 KiB"], // a form
    [64 * KiB, "64 KiB"], // a multipart field
    [MiB, "1 MiB"], // a checklist file
    [10 * MiB, "10 MiB"], // a bulk CSV, a watchlist CSV, a seal PDF
    [100 * MiB, "100 MiB"], // an evidence file (EVIDENCE_MAX_FILE_MB by default)
    [1.5 * MiB, "1.5 MiB"],
    [12 * KiB, "12 KiB"],
    [-1, "0 bytes"],
  ])("%d -> %s", (bytes, text) => {
    expect(formatBytes(bytes)).toBe(text);
  });
});

describe("an action name in words (the audit log, recent activity, decisions)", () => {
  it.each([
    ["user.login_failed", "User login failed"],
    ["organization.created", "Organisation created"],
    ["finding.cra_flagged", "Finding CRA flagged"],
    ["csaf.imported", "CSAF imported"],
    ["api_token.revoked", "API token revoked"],
    ["watchlist.followed_by_gtin", "Watchlist followed by GTIN"],
    ["submission.approval_proposed", "Submission approval proposed"],
    ["approval_confirmed", "Approval confirmed"],
  ])("%s -> %s", (action, text) => {
    expect(humanizeAction(action)).toBe(text);
  });
});
