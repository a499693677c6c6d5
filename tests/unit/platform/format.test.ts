import { describe, expect, it } from "vitest";
import { formatBytes } from "../../../app/platform/format";

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
