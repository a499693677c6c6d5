// A seal's expiry is an event only when the lifecycle sweep notes it (every 15 minutes); the
// publication must not go on saying "valid" until then. Each run also republishes the answers and
// linksets of the seals whose validUntil fell since its last successful run.
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seedDemoData } from "../../support/demo-seed";
import { demoSealSerials } from "../../../app/demo/seed-seals.server";
import { nowMs, testClock } from "../../../app/platform/clock.server";
import { sealBySerial } from "../../../app/features/certification/seals.server";
import { gtin14Of } from "../../../app/features/catalogue/domain/gtin";
import { unverifiedPayload, type SealCredential } from "../../../app/features/trust/domain/credential";
import { publicationState, publishArtefacts } from "../../../app/features/public/publication.server";

let folder: string;
let serial: string;

beforeAll(async () => {
  folder = path.join(process.env.DATA_DIR!, "public-artefacts"); // PUBLISH_TO's default
  delete process.env.PUBLISH_TO;
  await seedDemoData();
  serial = demoSealSerials()["Gator Kids Watch 3 3.1.0"];
});
afterAll(() => testClock.reset());

const published = (urlPath: string) => JSON.parse(fs.readFileSync(path.join(folder, urlPath), "utf8"));

/** The statuses the published linkset gives the seal (wherever it lists it: `serial: [..], status: [..]`). */
function linksetVerdicts(node: unknown, out: string[] = []): string[] {
  if (Array.isArray(node)) for (const n of node) linksetVerdicts(n, out);
  else if (node && typeof node === "object") {
    const o = node as Record<string, unknown>;
    if (Array.isArray(o.serial) && o.serial[0] === serial && Array.isArray(o.status)) out.push(String(o.status[0]));
    for (const v of Object.values(o)) linksetVerdicts(v, out);
  }
  return out;
}

describe("publication: a seal that expires without an event yet", () => {
  it("is published as expired by the next run, before the sweep notes the expiry", async () => {
    const first = (await publishArtefacts())!;
    expect(first.full).toBe(true);
    expect(published(`/api/v1/seals/${serial}`).status).toBe("valid");
    const seal = sealBySerial(serial)!;
    const gtin14 = gtin14Of((unverifiedPayload(seal.credential) as SealCredential).credentialSubject.product.gtin)!;
    expect(linksetVerdicts(published(`/01/${gtin14}`))).toContain("valid");

    // Nothing happens but time: the seal's validUntil passes, and no sweep runs.
    testClock.set(seal.validUntil.getTime() + 60_000);
    const second = (await publishArtefacts())!;
    expect(second.full).toBe(false);
    expect(second.seals).toBeGreaterThanOrEqual(1);
    expect(published(`/api/v1/seals/${serial}`).status).toBe("expired");
    expect(linksetVerdicts(published(`/01/${gtin14}`))).not.toContain("valid");
    // The run's start is what the next one counts from.
    expect(publicationState()!.lastSuccessAt!.getTime()).toBeLessThanOrEqual(nowMs());

    // A run with nothing expired since touches no seal.
    testClock.advance(60_000);
    expect((await publishArtefacts())!.seals).toBe(0);
  });
});
