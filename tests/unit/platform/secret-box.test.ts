// The box small secrets are kept in at rest: AES-256-GCM under a key file of its own in keys/, each
// secret bound to its box's purpose and its owner; a missing, damaged or other key is said, never a crash.
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { keyAtRestReport, secretBox, SecretKeyUnavailable } from "../../../app/platform/secret-box.server";
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
    const [prefix, iv, body] = stored.split(".");
    const bytes = Buffer.from(body, "base64url");
    bytes[0] ^= 1; // one bit of the ciphertext
    const altered = `${prefix}.${iv}.${bytes.toString("base64url")}`;
    expect(altered).not.toBe(stored);
    expect(refusal(() => box.open("owner-1", altered, dataDir)).reason).toBe("mismatch");
    // A value cut short of a whole tag does not open (GCM would otherwise check a shorter tag).
    const short = `${prefix}.${iv}.${Buffer.from(body, "base64url").subarray(0, 8).toString("base64url")}`;
    expect(refusal(() => box.open("owner-1", short, dataDir)).reason).toBe("mismatch");
    // The status reads the key once and counts what does not open.
    expect(
      box.status(
        [
          { owner: "owner-1", stored },
          { owner: "owner-1", stored: altered },
        ],
        dataDir,
      ),
    ).toEqual({
      state: "usable",
      sealed: 2,
      cannotOpen: 1,
      canSeal: true,
    });
  });

  it("reports what is wrong in words: what waits, and whether anything new can be sealed", () => {
    const words = {
      keeps: "Test secrets",
      sealedFor: "2 things",
      withoutIt: "they wait",
      noNew: "nothing new is made",
    };
    const report = (status: Parameters<typeof keyAtRestReport>[1]) => keyAtRestReport(box, status, words).problem;
    expect(report({ state: "usable", sealed: 2, cannotOpen: 0, canSeal: true })).toBeNull();
    expect(report({ state: "missing", sealed: 0, cannotOpen: 0, canSeal: true })).toBeNull(); // made when first needed
    expect(report({ state: "missing", sealed: 2, cannotOpen: 2, canSeal: false })).toBe(
      "keys/test-box.private.key is missing, and the test secrets of 2 things are kept under it: until it is back, they wait, and nothing new is made. Copy keys/ from a backup (npm run db:restore -- <data dir> --from <backup>) and restart.",
    );
    // Another key: the new ones are sealed with it, so only what does not open waits.
    expect(report({ state: "usable", sealed: 2, cannotOpen: 1, canSeal: true })).toMatch(
      /^1 of the 2 things do not open with keys\/test-box\.private\.key \(another server's key, or altered rows\): for those, they wait\. Copy/,
    );
    expect(report({ state: "unreadable", sealed: 0, cannotOpen: 0, canSeal: false })).toBe(
      "keys/test-box.private.key cannot be read: nothing new is made until it is mended or removed.",
    );
  });
});
