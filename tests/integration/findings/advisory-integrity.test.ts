// Review fixes to vulnerability reports and their advisories, against a real database seeded with the
// demo data: the /findings list sends named fields only (a conflicted assessor gets the title and the
// badges); a published CSAF document says what it said about the product when it was disclosed
// (editing the product, or a new seal, changes no bytes; an advisory from before the snapshot gets one
// on its first build, as a revision where it then reads differently); a report withdrawn after
// disclosure is known_not_affected in its new version; a fix cannot be claimed or verified in a
// version the report affects; a deadline its passing made public cannot move, as the page says; and
// a report against one hardware revision says so, on the seal pages, in the API and in CSAF.
import { and, eq } from "drizzle-orm";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { findings, products, productVersions, seals } from "../../../db/schema";
import { db } from "../../../app/platform/db.server";
import { testClock } from "../../../app/platform/clock.server";
import type { ServiceError } from "../../../app/platform/errors.server";
import { seedDemoData } from "../../support/demo-seed";
import { demoSealSerials } from "../../../app/demo/seed-seals.server";
import { DEMO_ADVISORY_TITLE } from "../../../app/demo/seed-advisories.server";
import { declareConflict } from "../../../app/features/accounts/conflicts.server";
import { addProductVersion } from "../../../app/features/catalogue/products.server";
import { changeSealStatus } from "../../../app/features/trust/seal-status.server";
import {
  actOnFinding,
  extendFindingDeadline,
  findingsList,
  findingView,
  listFindings,
  recordFinding,
} from "../../../app/features/findings/findings.server";
import { publishAdvisory } from "../../../app/features/findings/disclosure.server";
import { csafSnapshotNow, publishedCsafDocuments } from "../../../app/features/findings/csaf.server";
import { publicAdvisoriesOfProducts, sealApiAdvisories } from "../../../app/features/findings/advisories.server";
import { DAY_MS } from "../../../app/features/findings/domain/findings";
import type { CsafDocument } from "../../../app/features/findings/domain/csaf";
import { certifyPsti } from "../../support/certify";
import { csafProblems } from "../../support/csaf";
import { admin, asha, bram, grace, sam } from "../../support/actors";

const row = (id: string) => db().select().from(findings).where(eq(findings.id, id)).get()!;
const version = (id: string) => row(id).version;
const byTitle = (title: string) => db().select().from(findings).where(eq(findings.title, title)).get()!;
const daysAgo = (n: number) => new Date(Date.now() - n * DAY_MS).toISOString().slice(0, 10);
const docOf = (advisoryId: string) => publishedCsafDocuments().find((d) => d.advisoryId === advisoryId);

function productByModel(model: string) {
  const p = db().select().from(products).where(eq(products.model, model)).get()!;
  const versions = db().select().from(productVersions).where(eq(productVersions.productId, p.id)).all();
  return { ...p, versions };
}

/** Records a report against `versionIds` of `productId` (low severity: never suspends a seal). */
function report(
  productId: string,
  versionIds: string[],
  title: string,
  over: Partial<Parameters<typeof recordFinding>[1]> = {},
) {
  return recordFinding(asha(), {
    productId,
    versionIds,
    title,
    description: `SECRET-DESCRIPTION of ${title}.`,
    severity: "low",
    cvssVector: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:L/I:N/A:N",
    confirmSeverity: "yes", // the vector rates 5.3 (medium): low is on purpose here
    reporter: "SECRET-REPORTER",
    reportedOn: daysAgo(1),
    ...over,
  });
}

let camera: ReturnType<typeof productByModel>;
let plug: ReturnType<typeof productByModel>;
let cameraReport: ReturnType<typeof row>;

beforeAll(async () => {
  await seedDemoData();
  camera = productByModel("BN-IC1");
  plug = productByModel("BN-SP1");
  cameraReport = byTitle("Cloud clip links can be guessed");
  // Every demo document built once, as a crawler would right after the upgrade.
  expect(publishedCsafDocuments().length).toBeGreaterThanOrEqual(3);
}, 60_000);

afterEach(() => testClock.reset());

describe("the /findings list sends what it shows, and a conflicted assessor only the title and badges", () => {
  it("no row carries a report's description, reporter, CVSS vector or requirements", () => {
    const secrets = db()
      .select()
      .from(findings)
      .all()
      .flatMap((f) => [f.description.slice(0, 30), f.reporter, ...(f.cvssVector ? [f.cvssVector] : [])]);
    for (const list of [listFindings(asha()), findingsList(asha()), findingsList(sam())]) {
      const json = JSON.stringify(list);
      for (const secret of secrets) expect(json).not.toContain(secret);
      expect(json).not.toMatch(/requirementRefs|affectedPurls|createdBy|cvss/i);
    }
    for (const f of findingsList(asha()))
      expect(Object.keys(f).sort()).toEqual(
        [
          "clock",
          "conflicted",
          "deadline",
          "disclosure",
          "id",
          "product",
          "severity",
          "status",
          "supplier",
          "title",
        ].sort(),
      );
  });

  it("a report the assessor has a conflict of interest with is its title and badges, with no id, deadline or advisory", () => {
    const gator = productByModel("GW-KW3").organizationId;
    declareConflict(admin(), { assessorId: bram().userId, organizationId: gator, reason: "Advised Gator on its app" });
    const open = byTitle("Location history readable after unpairing");
    const rows = findingsList(bram());
    const conflicted = rows.filter((f) => f.conflicted);
    expect(conflicted.map((f) => f.title)).toContain(open.title);
    for (const f of conflicted)
      expect(Object.keys(f).sort()).toEqual([
        "clock",
        "conflicted",
        "product",
        "severity",
        "status",
        "supplier",
        "title",
      ]);
    const json = JSON.stringify(conflicted);
    expect(json).not.toContain(open.id);
    expect(json).not.toContain(open.advisoryId!);
    // The others are listed as for any assessor.
    expect(rows.some((f) => !f.conflicted && f.product === "Brightnest Indoor Cam 1")).toBe(true);
  });
});

describe("a fix is in a version the report does not affect", () => {
  it("'fixed in' one of the affected versions is refused on the field, nothing changed", async () => {
    const id = report(plug.id, [plug.versions[0].id], "Plug schedule editable by neighbours");
    const before = row(id);
    await expect(() =>
      actOnFinding(sam(), id, {
        action: "mark_fixed",
        fixedInVersion: ` ${plug.versions[0].firmwareVersion} `,
        note: "",
        version: before.version,
      }),
    ).toBeRefused("invalid", /is one of the versions this report affects/);
    const refusal = (() => {
      try {
        actOnFinding(sam(), id, { action: "mark_fixed", fixedInVersion: "1.2.0", note: "", version: before.version });
      } catch (e) {
        return e as ServiceError;
      }
    })();
    expect(refusal?.fieldErrors.fixedInVersion).toMatch(/^Firmware 1\.2\.0 is one of the versions this report affects/);
    expect(row(id)).toEqual(before);
  });

  it("a claim in an affected version made before the rule cannot be verified; its advisory gets no CSAF document rather than an invalid one", async () => {
    const id = report(plug.id, [plug.versions[0].id], "Plug LED reveals the Wi-Fi password");
    // Claimed before the rule existed (as an older database may hold it).
    db().update(findings).set({ status: "fixed", fixedInVersion: "1.2.0" }).where(eq(findings.id, id)).run();
    const before = row(id);
    await expect(() =>
      actOnFinding(asha(), id, { action: "verify_fix", note: "Retested.", version: before.version }),
    ).toBeRefused("conflict", /one of the versions this report affects.*Reject the fix/);
    expect(row(id)).toEqual(before);
    // Had it been verified (the same older database): public, but no CSAF document says "fixed in" what it affects.
    db()
      .update(findings)
      .set({ status: "verified_fixed", verifiedAt: new Date(Date.now() - 1000) })
      .where(eq(findings.id, id))
      .run();
    expect(
      publicAdvisoriesOfProducts(db(), [plug.id])
        .get(plug.id)!
        .map((a) => a.advisoryId),
    ).toContain(row(id).advisoryId);
    expect(docOf(row(id).advisoryId!)).toBeUndefined();
    for (const d of publishedCsafDocuments()) expect(await csafProblems(d.doc), d.path).toEqual([]);
  });
});

describe("a deadline that made the advisory public stays where it is (page and service agree)", () => {
  it("even to a new deadline still in the past", async () => {
    // Reported 300 days ago, low (180 days): public since it was recorded.
    const id = report(plug.id, [plug.versions[0].id], "Plug firmware update over plain HTTP", {
      reportedOn: daysAgo(300),
      confirmPublic: "yes",
    });
    const f = row(id);
    expect(findingView(asha(), id)).toMatchObject({ canExtend: false, disclosure: { reason: "deadline_passed" } });
    const stillPast = new Date(f.deadline.getTime() + 30 * DAY_MS).toISOString().slice(0, 10);
    expect(new Date(`${stillPast}T00:00:00Z`).getTime()).toBeLessThan(Date.now());
    await expect(() =>
      extendFindingDeadline(asha(), id, {
        deadline: stillPast,
        reason: "The supplier asked for more time.",
        version: f.version,
      }),
    ).toBeRefused("conflict", /public since .* a deadline cannot be moved after disclosure/);
    expect(row(id)).toEqual(f);
  });
});

describe("a published CSAF document says what it said about the product when it was disclosed", () => {
  it("editing the product's name, model, GTIN, SKU or disclosure policy, or a new seal, changes no byte", async () => {
    const before = docOf(cameraReport.advisoryId!)!;
    expect(row(cameraReport.id).csafSnapshot).toMatchObject({
      product: { name: "Brightnest Indoor Cam 1", model: "BN-IC1" },
      hardwareRevisions: false,
    });
    db()
      .update(products)
      .set({
        name: "Brightnest Indoor Cam One",
        model: "BN-IC1B",
        gtin: "5060987650099",
        sku: "BN-IC1-BLK",
        disclosurePolicyUrl: "https://brightnest.example/psirt",
      })
      .where(eq(products.id, camera.id))
      .run();
    const serial = await certifyPsti(sam(), camera.id, "1.9.9");
    expect(serial).toBeTruthy();
    const after = docOf(cameraReport.advisoryId!)!;
    expect(after.sha256).toBe(before.sha256);
    expect(after.bytes.equals(before.bytes)).toBe(true);
    expect(after.doc.document.tracking.version).toBe("1");
  }, 60_000);

  it("the page linked is the product's current seal (active or suspended), never a revoked one (the rule the advisory events use), else its GS1 Digital Link", async () => {
    const serial = await certifyPsti(sam(), plug.id, "1.3.0");
    expect(csafSnapshotNow(db(), plug.id).page).toBe(`/s/${serial}`);
    changeSealStatus(asha(), {
      serial,
      action: "revoke",
      reason: "Issued against the wrong unit.",
      confirmSerial: serial,
    });
    // The plug's only other seal (the demo's 1.2.0) is revoked too: no current seal, so its GS1 Digital Link.
    expect(
      db().select().from(seals).where(eq(seals.serial, demoSealSerials()["Brightnest Smart Plug 1.2.0"])).get()!.state,
    ).toBe("revoked");
    const page = csafSnapshotNow(db(), plug.id).page;
    expect(page).toBe("/01/05060987650020");
    // A report disclosed now links that page, and keeps it.
    const id = report(plug.id, [plug.versions[0].id], "Plug accepts unsigned firmware", {
      reportedOn: daysAgo(200),
      confirmPublic: "yes",
    });
    const doc = docOf(row(id).advisoryId!)!.doc;
    expect(doc.document.references.map((r) => r.url)).toContainEqual(
      expect.stringMatching(new RegExp(`^https?://[^/]+${page}#${row(id).advisoryId}$`)),
    );
    expect(await csafProblems(doc)).toEqual([]);
  }, 60_000);

  it("an advisory from before snapshots existed gets one on its first build: the same bytes when it reads the same", () => {
    const watch = byTitle(DEMO_ADVISORY_TITLE);
    const before = docOf(watch.advisoryId!)!;
    db()
      .update(findings)
      .set({ csafSnapshot: { backfill: "revision" } })
      .where(eq(findings.id, watch.id))
      .run();
    const after = docOf(watch.advisoryId!)!;
    expect(after.bytes.equals(before.bytes)).toBe(true);
    expect(row(watch.id).csafSnapshot).toMatchObject({ product: { name: "Gator Kids Watch 3" } });
    expect(row(watch.id).csafSnapshot).not.toHaveProperty("revised");
  });
});

describe("a report withdrawn after disclosure", () => {
  it("is a new version: its products known_not_affected (vulnerable_code_not_present), no threat, no remediation; valid", async () => {
    const before = docOf(cameraReport.advisoryId!)!.doc;
    expect(before.vulnerabilities[0].product_status.known_affected).toEqual(["IOTSEAL-FW-1.9.2"]);
    // A second later at least: versions are dated to the second.
    testClock.set(Date.now() + 2_000);
    actOnFinding(asha(), cameraReport.id, {
      action: "withdraw",
      note: "Not reproducible on any unit we tested.",
      version: version(cameraReport.id),
    });
    const after = docOf(cameraReport.advisoryId!)!.doc;
    expect(after.document.tracking).toMatchObject({ version: "2", status: "final" });
    expect(after.document.tracking.current_release_date > before.document.tracking.current_release_date).toBe(true);
    const v = after.vulnerabilities[0];
    expect(v.product_status).toEqual({ known_not_affected: ["IOTSEAL-FW-1.9.2"] });
    expect(v.flags).toEqual([{ label: "vulnerable_code_not_present", product_ids: ["IOTSEAL-FW-1.9.2"] }]);
    expect(v.threats).toBeUndefined();
    expect(v.remediations).toBeUndefined();
    expect(await csafProblems(after)).toEqual([]);
    // What it says about the product is still the snapshot's.
    expect(after.document.title).toMatch(/^Brightnest Indoor Cam 1: /);
  });

  it("one withdrawn before snapshots existed reads differently now: its first build records that as a revision", async () => {
    expect(docOf(cameraReport.advisoryId!)!.doc.document.tracking.version).toBe("2");
    db()
      .update(findings)
      .set({ csafSnapshot: { backfill: "revision" } })
      .where(eq(findings.id, cameraReport.id))
      .run();
    testClock.set(Date.now() + 4_000);
    const after = docOf(cameraReport.advisoryId!)!.doc;
    expect(after.document.tracking.version).toBe("3");
    expect(after.document.tracking.revision_history.map((r) => r.summary).pop()).toMatch(
      /^Revised by IoT Seal Assurance: .*listed as not affected/,
    );
    expect(await csafProblems(after)).toEqual([]);
    // Taken once: the next build is the same document.
    testClock.set(Date.now() + 8_000);
    expect(docOf(cameraReport.advisoryId!)!.doc).toEqual(after);
  });
});

describe("a report against one hardware revision", () => {
  let advisoryId: string;
  let watch: ReturnType<typeof productByModel>;

  it("is published with its hardware revision: seal pages, API and CSAF (ids and names) name it", async () => {
    watch = productByModel("GW-KW3");
    const old = docOf(byTitle(DEMO_ADVISORY_TITLE).advisoryId!)!;
    // The watch gets hardware revision D, with the firmware of revision C's seal.
    const dId = addProductVersion(grace(), watch.id, {
      hardwareRevision: "D",
      firmwareVersion: "3.1.0",
      appVersion: null,
      notes: "New radio module.",
    });
    const id = report(watch.id, [dId], "Revision D radio accepts a downgrade");
    advisoryId = row(id).advisoryId!;
    publishAdvisory(grace(), id, { version: version(id), confirm: "yes" });

    const onPage = publicAdvisoriesOfProducts(db(), [watch.id])
      .get(watch.id)!
      .find((a) => a.advisoryId === advisoryId)!;
    expect(onPage).toMatchObject({
      affectedVersions: ["3.1.0"],
      affected: [{ hardwareRevision: "D", firmwareVersion: "3.1.0" }],
    });
    const serial = db()
      .select({ serial: seals.serial })
      .from(seals)
      .innerJoin(productVersions, eq(productVersions.id, seals.productVersionId))
      .where(and(eq(productVersions.productId, watch.id), eq(seals.state, "active")))
      .get()!.serial;
    expect(sealApiAdvisories(serial).find((a) => a.advisoryId === advisoryId)).toMatchObject({
      affected: [{ hardwareRevision: "D", firmwareVersion: "3.1.0" }],
    });

    const doc = docOf(advisoryId)!.doc as CsafDocument;
    expect(doc.vulnerabilities[0].product_status).toEqual({ known_affected: ["IOTSEAL-HW-D-FW-3.1.0"] });
    const productBranch = doc.product_tree.branches[0].branches![0];
    expect(productBranch).toMatchObject({ category: "product_name", name: "Gator Kids Watch 3 hardware revision D" });
    expect(productBranch.branches![0].product).toMatchObject({
      product_id: "IOTSEAL-HW-D-FW-3.1.0",
      name: "Gator Wearables Ltd Gator Kids Watch 3 (model GW-KW3) hardware revision D firmware 3.1.0",
    });
    expect(doc.document.notes[0].text).toContain(
      "Affects Gator Kids Watch 3 (model GW-KW3) hardware revision D firmware 3.1.0.",
    );
    expect(await csafProblems(doc)).toEqual([]);
    // The watch's advisory published before revision D existed keeps its ids and bytes.
    expect(docOf(old.advisoryId)!.bytes.equals(old.bytes)).toBe(true);
  });
});
