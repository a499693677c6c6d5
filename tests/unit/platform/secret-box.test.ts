// The box small secrets are kept in at rest: AES-256-GCM under a key file of its own in keys/, each
// secret bound to its box's purpose and its owner; a missing, damaged or other key is said, never a crash.
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { secretBox, SecretKeyUnavailable } from "../../../app/platform/secret-box.server";
import { dataDir } from "../../setup/unit-env";

/** Whether "the database" holds secrets sealed in the box (what its caller would look up). */
let sealedInDb = false;
const box = secretBox(
  "test-box.private.key",
  (owner) => `test secret of ${owner}`,
  () => sealedInDb,
);
const other = secretBox(
  "test-box.private.key",
  (owner) => `another kind of secret of ${owner}`,
  () => false,
);

function refusal(fn: () => unknown): SecretKeyUnavailable {
  try {
    fn();
  } catch (error) {
    if (error instanceof SecretKeyUnavailable) return error;
    throw error;
  }
  throw new Error("not refused");
}

describe("secretBox", () => {
  it("makes its key at the first seal (0600, in keys/), and opens what it sealed, for that owner only", () => {
    expect(box.keyState(dataDir)).toBe("missing");
    const stored = box.seal("owner-1", "whsec_the-secret", dataDir);
    expect(box.keyPath(dataDir)).toBe(path.join(dataDir, "keys", "test-box.private.key"));
    expect(fs.statSync(box.keyPath(dataDir)).mode & 0o777).toBe(0o600);
    expect(box.keyState(dataDir)).toBe("usable");
    expect(stored).toMatch(/^v1\.[\w-]{16}\.[\w-]+$/);
    expect(stored).not.toContain("the-secret");
    expect(box.isSealed(stored)).toBe(true);
    expect(box.open("owner-1", stored, dataDir)).toBe("whsec_the-secret");
    expect(box.seal("owner-1", "whsec_the-secret", dataDir)).not.toBe(stored); // a fresh IV each time
    // Another owner's row, or another box's column, under the same key: does not open.
    expect(refusal(() => box.open("owner-2", stored, dataDir)).reason).toBe("mismatch");
    expect(refusal(() => other.open("owner-1", stored, dataDir)).reason).toBe("mismatch");
    // A value stored before encryption is given back as it is (encrypted by its caller at the next start).
    expect(box.isSealed("whsec_plain")).toBe(false);
    expect(box.open("owner-1", "whsec_plain", dataDir)).toBe("whsec_plain");
  });

  it("says why it cannot open: the key missing, not a key, or another key; an altered value is another key's", () => {
    const stored = box.seal("owner-1", "s", dataDir);
    const file = box.keyPath(dataDir);
    const kept = fs.readFileSync(file);
    try {
      fs.rmSync(file);
      expect(box.keyState(dataDir)).toBe("missing");
      expect(refusal(() => box.open("owner-1", stored, dataDir))).toMatchObject({ reason: "missing", file });
      fs.writeFileSync(file, "half a key\n");
      expect(box.keyState(dataDir)).toBe("unreadable");
      expect(refusal(() => box.open("owner-1", stored, dataDir)).reason).toBe("unreadable");
      // Sealing under a damaged key file is refused too (never a new key beside it).
      expect(refusal(() => box.seal("owner-1", "s", dataDir)).reason).toBe("unreadable");
      expect(fs.readFileSync(file, "utf8")).toBe("half a key\n");
      fs.rmSync(file);
      // Missing while secrets sealed under it are in the database: not made again (they would never open).
      sealedInDb = true;
      expect(refusal(() => box.seal("owner-3", "s", dataDir)).reason).toBe("missing");
      expect(fs.existsSync(file)).toBe(false);
      sealedInDb = false;
      box.seal("owner-3", "s", dataDir); // nothing sealed yet: a new key
      expect(refusal(() => box.open("owner-1", stored, dataDir)).reason).toBe("mismatch");
    } finally {
      fs.writeFileSync(file, kept);
    }
    expect(box.open("owner-1", stored, dataDir)).toBe("s");
    const altered = `${stored.slice(0, -2)}${stored.endsWith("A") ? "B" : "A"}A`;
    expect(refusal(() => box.open("owner-1", altered, dataDir)).reason).toBe("mismatch");
  });
});
