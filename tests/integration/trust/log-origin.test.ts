// The server is the authority on where the portal lives: it signs the log's checkpoints under the
// origin its own PUBLIC_URL (or localhost:PORT) gives, so a portal moved to a new PUBLIC_URL signs
// as its new address, which its new seals name as their issuer (offline verification expects
// that). Any other process (`npm run lifecycle:sweep` from a shell without the server's
// PUBLIC_URL/PORT, and these tests until they declare themselves the server) follows the log's
// latest checkpoint, and says so once when its own settings would differ.
import { asc, eq } from "drizzle-orm";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { logCheckpoints, seals } from "../../../db/schema";
import { db, transaction } from "../../../app/platform/db.server";
import { getEnv, type RuntimeEnv } from "../../../app/platform/env.server";
import { signingKeys } from "../../../app/features/trust/adapters/signing-keys.server";
import {
  appendLog,
  appendLogWithProof,
  currentLogOrigin,
  inclusionProofFor,
  latestCheckpoint,
  logVerifierKeys,
  signLogAsServer,
} from "../../../app/features/trust/transparency-log.server";
import { logOrigin, verifyCheckpoint } from "../../../app/features/trust/domain/tlog";
import { logProofOfAttachments } from "../../../app/features/trust/domain/tlog-proof";
import { checkArtefacts } from "../../../app/features/trust/domain/verify";
import { readSealPdf } from "../../../app/features/trust/adapters/pdf-read.server";
import { seedDemoData } from "../../support/demo-seed";
import { grace } from "../../support/actors";
import { certifyPsti } from "../../support/certify";
import { createTestProduct } from "../../support/submissions";

const firstLine = (note: string) => note.slice(0, note.indexOf("\n"));
const origins = () =>
  db()
    .select({ note: logCheckpoints.note })
    .from(logCheckpoints)
    .orderBy(asc(logCheckpoints.treeSize))
    .all()
    .map((c) => firstLine(c.note));

/** This process's settings as another shell would have them (getEnv reads the environment once per DATA_DIR). */
function runAs(settings: Partial<Pick<RuntimeEnv, "baseUrl" | "port" | "publicUrlSet">>): void {
  Object.assign(getEnv(), settings);
}

let serverSettings: Pick<RuntimeEnv, "baseUrl" | "port" | "publicUrlSet">;
let first: string;
beforeAll(async () => {
  await signingKeys(getEnv().dataDir).ensureActive();
  const env = getEnv();
  serverSettings = { baseUrl: env.baseUrl, port: env.port, publicUrlSet: env.publicUrlSet };
  runAs({ baseUrl: "http://localhost:3203", port: 3203, publicUrlSet: false }); // the server's
  first = logOrigin(getEnv().baseUrl);
});
afterEach(() => {
  runAs({ baseUrl: "http://localhost:3203", port: 3203, publicUrlSet: false });
  vi.restoreAllMocks();
});
// Leave the environment as the file found it for the shutdown in fresh-data-dir.ts.
afterAll(() => runAs(serverSettings));

const said = (warn: { mock: { calls: unknown[][] } }) =>
  warn.mock.calls.map((c) => String(c[0])).filter((m) => m.startsWith("[log]") && !m.includes("clock is"));

/** Seal `serial` checked as `npm run verify-seal` checks its PDF offline: signature, page, log proof, one revision. */
async function verifyOffline(serial: string) {
  const pdf = db().select({ pdf: seals.pdf }).from(seals).where(eq(seals.serial, serial)).get()!.pdf!;
  const read = await readSealPdf(pdf);
  const jws = read.attachments.get("seal.vc.jwt")!.toString("utf8").trim();
  const logProof = logProofOfAttachments(read.attachments);
  return checkArtefacts(
    { jws, pageText: read.pageText, logProof, pdfBytes: pdf },
    signingKeys(getEnv().dataDir).jwks().keys,
  );
}

const MOVED = "https://seal.example/portal";
let before: string; // a seal issued before the move

describe("the transparency log's origin", () => {
  it("an empty log takes the origin of the process that signs its first checkpoint", async () => {
    expect(origins()).toEqual([]);
    expect(currentLogOrigin()).toBe("localhost:3203/log");
    await seedDemoData({ seals: false }); // the organisations, people and checklists certifyPsti needs
    transaction((tx) => appendLog(tx, { event: "test", note: "first" }));
    expect(new Set(origins())).toEqual(new Set([first]));
  }, 60_000);

  it("a script that only reads the log (a restore's check, a proof, the verifier keys) follows its origin and says nothing", () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => undefined);
    runAs({ baseUrl: "http://localhost:3000", port: 3000, publicUrlSet: false }); // a shell without the server's PORT
    expect(currentLogOrigin()).toBe(first);
    const proved = inclusionProofFor(0);
    expect(proved.ok && proved.value.origin).toBe(first);
    expect(logVerifierKeys().every((k) => k.startsWith(`${first}+`))).toBe(true);
    expect(said(warn)).toEqual([]);
  });

  it("a script whose PUBLIC_URL/PORT differ from the server's follows the log's latest checkpoint, and says so once", () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => undefined);
    const size = origins().length;
    runAs({ baseUrl: "http://localhost:3000", port: 3000, publicUrlSet: false }); // a shell without the server's PORT
    transaction((tx) => appendLog(tx, { event: "test", note: "swept" }));
    const { proof } = transaction((tx) => appendLogWithProof(tx, { event: "test", note: "with proof" }));
    expect(origins().slice(size)).toEqual([first, first]);
    expect(proof.origin).toBe(first);
    expect(firstLine(proof.checkpoint)).toBe(first);
    expect(firstLine(latestCheckpoint().note)).toBe(first);
    const proved = inclusionProofFor(1);
    expect(proved.ok && proved.value.origin).toBe(first);
    expect(logVerifierKeys().every((k) => k.startsWith(`${first}+`))).toBe(true);
    // Verifiable as this log's, by the keys the portal publishes.
    const keys = signingKeys(getEnv().dataDir).jwks().keys;
    expect(verifyCheckpoint(latestCheckpoint().note, first, keys)).not.toBeNull();

    expect(said(warn)).toEqual([
      "[log] This process follows the server's log origin localhost:3203/log (its latest checkpoint was signed under it), " +
        "but has PORT=3000 and no PUBLIC_URL (so http://localhost:3000), which would make it localhost:3000/log. Set PUBLIC_URL (or PORT) as the server has them.",
    ]);
  });

  it("the server, with its own settings, signs as they give and says nothing", async () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => undefined);
    expect(signLogAsServer()).toBeNull(); // as startup() does
    before = await certifyPsti(grace(), createTestProduct(grace(), { name: "Origin Before", model: "OR-1" }));
    expect(currentLogOrigin()).toBe(first);
    expect(firstLine(latestCheckpoint().note)).toBe(first);
    expect((await verifyOffline(before)).ok).toBe(true);
    expect(said(warn)).toEqual([]);
  }, 30_000);

  it("a server moved to a new PUBLIC_URL signs as it, says so once, and its new seals verify offline", async () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => undefined);
    runAs({ baseUrl: MOVED, port: 3203, publicUrlSet: true });
    // startup() prints it once the publication check has let the start go on.
    console.warn(signLogAsServer());
    expect(said(warn)).toEqual([
      "[log] The transparency log's latest checkpoint was signed as localhost:3203/log; this server, with PUBLIC_URL=https://seal.example/portal, signs as seal.example/portal/log from now on. " +
        "Seals issued before keep their proofs under localhost:3203/log and still verify. If the portal has not moved, set PUBLIC_URL (or PORT) as it was.",
    ]);
    const size = origins().length;
    const after = await certifyPsti(grace(), createTestProduct(grace(), { name: "Origin After", model: "OR-2" }));
    const moved = logOrigin(MOVED);
    expect(moved).toBe("seal.example/portal/log");
    expect(new Set(origins().slice(size))).toEqual(new Set([moved]));
    expect(currentLogOrigin()).toBe(moved);
    const verified = await verifyOffline(after);
    expect(verified.ok && verified.credential.issuer.id).toBe(MOVED);
    expect(verified.checks.find((c) => c.label === "Transparency log proof")?.ok).toBe(true);
    // The seal issued before the move still verifies: its credential names the old issuer, its proof the old origin.
    expect((await verifyOffline(before)).ok).toBe(true);
    // A proof served now for an old tree size carries the origin its stored checkpoint was signed under.
    const old = inclusionProofFor(0, 1);
    expect(old.ok && [old.value.origin, firstLine(old.value.checkpoint!)]).toEqual([first, first]);
    expect(said(warn)).toHaveLength(1); // the server's own signing says nothing more
  }, 30_000);

  it("a script after the move follows the server's new origin, not the log's first", async () => {
    // A fresh copy of the modules: a process that has not declared itself the server, on the same database.
    vi.resetModules();
    const warn = vi.spyOn(console, "warn").mockImplementation(() => undefined);
    const saved = { PUBLIC_URL: process.env.PUBLIC_URL, PORT: process.env.PORT };
    delete process.env.PUBLIC_URL;
    process.env.PORT = "3203"; // the settings the server had before it moved
    try {
      const log = await import("../../../app/features/trust/transparency-log.server");
      const platform = await import("../../../app/platform/db.server");
      platform.transaction((tx) => log.appendLog(tx, { event: "test", note: "swept after the move" }));
      expect(firstLine(log.latestCheckpoint().note)).toBe(logOrigin(MOVED));
      expect(said(warn)).toEqual([
        expect.stringContaining("This process follows the server's log origin seal.example/portal/log"),
      ]);
      platform.db().$client.close();
    } finally {
      Object.assign(process.env, saved);
      if (saved.PUBLIC_URL === undefined) delete process.env.PUBLIC_URL;
      if (saved.PORT === undefined) delete process.env.PORT;
    }
  });
});
