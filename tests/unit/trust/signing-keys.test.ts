// The signing key directory (adapters/signing-keys.server.ts) on a temporary directory: a rotation
// writes the new key before it retires the old one, so another process reading the directory at
// any moment finds an active key; nothing but the first start makes a key; two active keys (a
// rotation stopped half-way) sign as the newer one, and the next rotation retires both.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { SigningKeys, type KeyRecord } from "../../../app/features/trust/adapters/signing-keys.server";

const freshDir = () => path.join(fs.mkdtempSync(path.join(os.tmpdir(), "keys-")), "keys");
const at = (iso: string) => new Date(iso);
/** Marks a key retired on the disk, as the rotation before this fix did first (its crash left this). */
function retireOnDisk(dir: string, kid: string) {
  const file = path.join(dir, `${kid}.json`);
  const record = JSON.parse(fs.readFileSync(file, "utf8")) as KeyRecord;
  fs.writeFileSync(file, JSON.stringify({ ...record, status: "retired", retiredAt: record.createdAt }));
}

afterEach(() => vi.restoreAllMocks());

describe("rotation", () => {
  it("writes the new key before it retires the old: the directory never has no active key", async () => {
    const dir = freshDir();
    const keys = new SigningKeys(dir);
    const old = await keys.ensureActive(at("2026-01-01T00:00:00Z"));
    // After each file the rotation puts in place, what another process reading the directory would sign with.
    const seen: (string | undefined)[] = [];
    const look = () => seen.push(new SigningKeys(dir).active()?.kid);
    for (const name of ["linkSync", "renameSync"] as const) {
      const real = fs[name];
      vi.spyOn(fs, name).mockImplementation((from: fs.PathLike, to: fs.PathLike) => {
        real(from, to);
        look();
      });
    }
    const { retired, alsoRetired, active } = await keys.rotate(at("2026-06-01T00:00:00Z"));
    vi.restoreAllMocks();
    expect(retired?.kid).toBe(old.kid);
    expect(alsoRetired).toEqual([]);
    expect(seen.length).toBeGreaterThanOrEqual(3); // the new key's two files, then the old key's status
    expect(seen).not.toContain(undefined);
    expect(seen.at(-1)).toBe(active.kid);
    const after = new SigningKeys(dir).list();
    expect(after.map((k) => [k.kid, k.status])).toEqual([
      [old.kid, "retired"],
      [active.kid, "active"],
    ]);
    expect(keys.signerSync().kid).toBe(active.kid);
  });

  it("with two active keys (a rotation stopped half-way) signs as the newer; the next rotation retires both", async () => {
    const dir = freshDir();
    const keys = new SigningKeys(dir);
    const newer = await keys.create(at("2026-03-01T00:00:00Z"));
    const older = await keys.create(at("2026-02-01T00:00:00Z")); // written second, but older
    expect(keys.active()?.kid).toBe(newer.kid);
    expect(new SigningKeys(dir).active()?.kid).toBe(newer.kid); // the same in every process
    expect(keys.signerSync().kid).toBe(newer.kid);
    expect((await keys.signer()).kid).toBe(newer.kid);

    const { retired, alsoRetired, active } = await keys.rotate(at("2026-04-01T00:00:00Z"));
    expect(retired?.kid).toBe(newer.kid);
    expect(alsoRetired.map((k) => k.kid)).toEqual([older.kid]);
    expect(new SigningKeys(dir).list().filter((k) => k.status === "active")).toEqual([active]);
    expect(keys.jwks().keys.map((k) => k.kid)).toEqual([older.kid, newer.kid, active.kid]); // all still published
  });
});

describe("making a key", () => {
  it("happens only where there is no key at all: keys but none active is an error, and nothing is written", async () => {
    const dir = freshDir();
    const keys = new SigningKeys(dir);
    expect(() => keys.signerSync()).toThrow(/No active signing key/);
    await expect(keys.signer()).rejects.toThrow(/No active signing key/); // never makes one
    expect(fs.existsSync(dir)).toBe(false);

    const first = await keys.ensureActive(at("2026-01-01T00:00:00Z")); // the first start
    expect(await keys.ensureActive()).toEqual(first);

    retireOnDisk(dir, first.kid);
    const other = new SigningKeys(dir); // another process, e.g. the portal beside a stopped rotation
    const files = fs.readdirSync(dir).sort();
    await expect(other.ensureActive()).rejects.toThrow(/No active signing key.*npm run keys:rotate/);
    await expect(other.signer()).rejects.toThrow(/No active signing key/);
    expect(() => other.signerSync()).toThrow(/No active signing key/);
    expect(fs.readdirSync(dir).sort()).toEqual(files);
  });

  it("a listing taken before a new key was written is read again rather than finding no active key", async () => {
    const dir = freshDir();
    const portal = new SigningKeys(dir);
    const first = await portal.ensureActive(at("2026-01-01T00:00:00Z"));
    retireOnDisk(dir, first.kid);
    expect(new SigningKeys(dir).active()).toBeUndefined();
    const cli = new SigningKeys(dir);
    await portal.ensureActive().catch(() => undefined); // the portal's listing now: one key, retired (cached)
    const made = (await cli.rotate(at("2026-02-01T00:00:00Z"))).active;
    // Within the portal's cache time: its cached listing has no active key, so it looks again.
    expect(portal.active()?.kid).toBe(made.kid);
  });
});
